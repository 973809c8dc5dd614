import Fluent
import GiamNgheoCore
@testable import GiamNgheoStorage
import SQLKit
import Testing

/// Migration 010 on a registry written before it (issue 19 §4): every row keeps its data and gains its province;
/// on PostgreSQL the four tables become partitioned, each row in its province's partition, ids continue from
/// where they were, and the store's pages find the old rows through the pruned queries.
@Suite struct PartitionTests {
    static let hue = "19753", daNang = "20194"

    /// Rows as the schema before 010 wrote them: a household of Huế (46), one of Đà Nẵng (48), one of a commune
    /// not in the 2025 list; their people, a summary cell and two audit lines.
    static func legacyRows(_ db: any Database) async throws {
        let sql = db.sql
        for (code, commune) in [("OLD-1", hue), ("OLD-2", daNang), ("OLD-3", "99999")] {
            try await sql.raw("""
                INSERT INTO households (code, commune_code, head_name, sort_key, search_text, facts, category, deprived, deprived_count,
                standard, ethnic_minority_head, meritorious, no_working_capacity, member_count, version)
                VALUES (\(bind: code), \(bind: commune), 'Nguyễn Văn Cũ', 'cu nguyen van cu \(unsafeRaw: code.lowercased())',
                ' \(unsafeRaw: code.lowercased()) | nguyen van cu ', '{}', 'poor', ',', 0, 'vn-nd07-2022', false, false, false, 1, 1)
                """).run()
            try await sql.raw("""
                INSERT INTO household_people (household_id, member_id, name_key, commune_code, village)
                SELECT id, '1', 'nguyen van cu', commune_code, '' FROM households WHERE code = \(bind: code)
                """).run()
        }
        try await sql.raw("""
            INSERT INTO report_cells (year, commune_code, old_commune_code, village, standard, category, urban, minority, dim, key, households, persons)
            VALUES (2025, \(bind: daNang), '', '*', 'vn-nd07-2022', 'poor', false, false, 'all', '', 1, 1)
            """).run()
        try await sql.raw("""
            INSERT INTO audit_entries (at, username, household_id, action) SELECT CURRENT_TIMESTAMP, 'cu', id, 'create' FROM households WHERE code = 'OLD-2'
            """).run()
        try await sql.raw("INSERT INTO audit_entries (at, username, action) VALUES (CURRENT_TIMESTAMP, 'cu', 'settings')").run()
    }

    struct Placed: Decodable, Equatable { var key: String; var province_code: String; var part: String? }

    @Test func anUpgradeKeepsEveryRowAndFilesItUnderItsProvince() async throws {
        try await withRegistry(households: 30, before010: Self.legacyRows) { r in
            let sql = r.db.sql
            let postgres = sql.dialect.name == "postgresql"
            let part = postgres ? "tableoid::regclass::text" : "NULL"
            func placed(_ table: String, key: String, where condition: String) async throws -> [Placed] {
                try await sql.raw("""
                    SELECT \(unsafeRaw: key) AS key, province_code, \(unsafeRaw: part) AS part FROM \(ident: table)
                    WHERE \(unsafeRaw: condition) ORDER BY 1
                    """).all(decoding: Placed.self)
            }
            func expected(_ rows: [(String, String, String)]) -> [Placed] {
                rows.map { Placed(key: $0.0, province_code: $0.1, part: postgres ? $0.2 : nil) }
            }
            #expect(try await placed("households", key: "code", where: "code LIKE 'OLD-%'") == expected([
                ("OLD-1", "46", "households_p46"), ("OLD-2", "48", "households_p48"), ("OLD-3", "", "households_other")]))
            #expect(try await placed("household_people", key: "commune_code", where: "name_key = 'nguyen van cu'") == expected([
                (Self.hue, "46", "household_people_p46"), (Self.daNang, "48", "household_people_p48"), ("99999", "", "household_people_other")]))
            #expect(try await placed("report_cells", key: "commune_code", where: "year = 2025") == expected([(Self.daNang, "48", "report_cells_p48")]))
            #expect(try await placed("audit_entries", key: "action", where: "username = 'cu'") == expected([
                ("create", "48", "audit_entries_p48"), ("settings", "", "audit_entries_other")]))

            // The ids continue after the old rows (the households written after the migration are newer).
            struct Max: Decodable { var id: Int }
            let old = try await sql.raw("SELECT MAX(id) AS id FROM households WHERE code LIKE 'OLD-%'").first(decoding: Max.self)!.id
            #expect(r.households.filter { !$0.code.hasPrefix("OLD-") }.allSatisfy { $0.id! > old })
            #expect(r.households.filter { !$0.code.hasPrefix("OLD-") }.allSatisfy { $0.provinceCode == "46" })

            // A commune officer of Đà Nẵng finds the old household through the pruned list and opens it.
            let officer = r.scope(.communeOfficer, [Self.daNang])
            let page = try await r.store.list(officer, HouseholdQuery(), on: r.db)
            #expect(page.rows.map(\.code) == ["OLD-2"])
            let id = page.rows[0].id
            #expect(try await r.store.get(officer, id: id, on: r.db).code == "OLD-2")
            #expect(try await r.store.audit(officer, householdID: id, on: r.db).map(\.action) == ["create"])
            // A new audit line of that household is filed under its province without the writer naming it.
            try await AuditEntry(username: "moi", householdID: id, action: "reveal").create(on: r.db)
            #expect(try await placed("audit_entries", key: "action", where: "username = 'moi'") == expected([("reveal", "48", "audit_entries_p48")]))
            if postgres {
                struct Kind: Decodable { var relname: String }
                let partitioned = try await sql.raw("""
                    SELECT c.relname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid ORDER BY 1
                    """).all(decoding: Kind.self).map(\.relname)
                #expect(partitioned == ["audit_entries", "household_people", "households", "report_cells"])
            }
        }
    }

    /// A household moved to another province's commune goes to that partition with its people and its audit lines
    /// (the page reads one partition), and its page still shows the lines written while it was in the old one.
    @Test func aHouseholdMovedToAnotherProvinceKeepsItsHistory() async throws {
        try await withRegistry(households: 5) { r in
            let old = r.households.first { $0.archivedReason == nil }!
            var h = try r.store.household(old, parser: r.store.parser)
            h.incomePerCapita = (h.incomePerCapita ?? 1_000_000) + 1   // a line filed under Huế first
            try await r.store.save(r.admin, id: old.id!, household: h, expectedVersion: old.version, reason: "sửa thu nhập", on: r.db)
            h.commune = Self.daNang
            h.village = nil
            try await r.store.save(r.admin, id: old.id!, household: h, expectedVersion: old.version + 1, reason: "chuyển về Đà Nẵng", on: r.db)
            let moved = try await r.store.get(r.admin, id: old.id!, on: r.db)
            #expect(moved.provinceCode == "48" && moved.communeCode == Self.daNang)
            struct P: Decodable { var province_code: String }
            let people = try await r.db.sql.raw("SELECT province_code FROM household_people WHERE household_id = \(bind: old.id!)")
                .all(decoding: P.self)
            #expect(!people.isEmpty && people.allSatisfy { $0.province_code == "48" })
            let audit = try await r.store.audit(r.admin, householdID: old.id!, on: r.db)
            #expect(audit.contains { $0.reason == "sửa thu nhập" } && audit.contains { $0.field == "commune" }
                    && audit.allSatisfy { $0.province == "48" }, "\(audit.map { ($0.action, $0.field ?? "", $0.province ?? "") })")
            let left = try await r.db.sql.raw("SELECT province_code FROM audit_entries WHERE household_id = \(bind: old.id!) AND province_code <> '48'")
                .all(decoding: P.self)
            #expect(left.isEmpty)
            let officer = r.scope(.communeOfficer, [Self.daNang])
            #expect(try await r.store.list(officer, HouseholdQuery(), on: r.db).rows.map(\.id) == [old.id!])
        }
    }

    /// An account whose units name no commune of the 2025 list (a district code, say) sees nothing, and the empty
    /// list of communes is not an error on PostgreSQL.
    @Test func aScopeWithoutCommunesSeesNothing() async throws {
        try await withRegistry(households: 5) { r in
            let nobody = r.scope(.communeOfficer, ["474"])
            #expect(nobody.communes == [])
            let page = try await r.store.list(nobody, HouseholdQuery(), on: r.db)
            let count = try await r.store.count(nobody, HouseholdQuery(), on: r.db)
            let rows = try await r.store.listRows(nobody, ids: r.households.compactMap(\.id), on: r.db)
            #expect(page.rows.isEmpty && count == 0 && rows.isEmpty)
            #expect(!r.households.isEmpty)   // there were households not to see
        }
    }

    /// The same code may not be registered twice in a province; the store refuses it before the database would.
    @Test func aCodeIsUniqueWithinItsProvince() async throws {
        try await withRegistry(households: 5) { r in
            let h = r.households[0]
            let sql = r.db.sql
            await #expect(throws: (any Error).self) {
                try await sql.raw("""
                    INSERT INTO households (code, commune_code, province_code, head_name, sort_key, search_text, facts, category, deprived,
                    deprived_count, standard, ethnic_minority_head, meritorious, no_working_capacity, member_count, version)
                    VALUES (\(bind: h.code), \(bind: h.communeCode), '46', 'x', 'x', 'x', '{}', 'poor', ',', 0, 's', false, false, false, 1, 1)
                    """).run()
            }
        }
    }
}
