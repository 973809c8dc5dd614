import Fluent
import Foundation
import SQLKit

/// The household page's reads (the household, its audit lines, its years, its village's old commune) in SQL with
/// rows read by position: Fluent's model reading reflects over every field of every row, and with a dozen
/// statements a page it was most of the page's time at 100 connections.
extension HouseholdStore {
    /// A household the scope may read; another commune's household is "not found", never "forbidden",
    /// so that guessing ids by URL reveals nothing.
    public func get(_ scope: Scope, id: Int, on db: any Database) async throws -> HouseholdRecord {
        var q: SQLQueryString = "SELECT \(unsafeRaw: HouseholdRecord.plainSelect) FROM households WHERE id = \(bind: id) AND archived_reason IS NULL"
        // The scope's provinces pick the partitions; its communes are checked on the one row read (a province's
        // hundred communes bound into every statement cost more than the read).
        if let communes = scope.communes {
            guard !communes.isEmpty else { throw AccessError.notFound }   // (PostgreSQL refuses an empty IN list)
            q += " AND province_code IN (\(binds: Partitions.provinces(ofCommunes: communes)))"
        }
        guard let r = try await PlainRows.all(q, columns: HouseholdRecord.plainColumns, on: db.sql, HouseholdRecord.init(plain:)).first,
              scope.allows(commune: r.communeCode) else { throw AccessError.notFound }
        return r
    }

    /// A household's audit lines, newest first, by id within the scope.
    public func audit(_ scope: Scope, householdID: Int, on db: any Database) async throws -> [AuditEntry] {
        try await audit(of: try await get(scope, id: householdID, on: db), on: db)
    }

    /// The audit lines of a household the caller has just read within its scope (the household page): one
    /// partition, as a move to another province's commune carries the lines along (`AuditEntry.move`).
    public func audit(of r: HouseholdRecord, on db: any Database) async throws -> [AuditEntry] {
        let columns = ["id", "at", "username", "household_id", "action", "field", "old_value", "new_value", "reason", "province_code"]
        let q: SQLQueryString = """
            SELECT \(unsafeRaw: Self.quoted(columns)) FROM audit_entries WHERE province_code = \(bind: r.province)
            AND household_id = \(bind: r.id!) ORDER BY id DESC LIMIT 200
            """
        return try await PlainRows.all(q, columns: columns, order: "id DESC", on: db.sql) { row in
            let a = AuditEntry()
            a.id = try row.int(0); a.at = try row.date(1); a.username = try row.string(2); a.householdID = try row.optionalInt(3)
            a.action = try row.string(4); a.field = try row.optionalString(5); a.oldValue = try row.optionalString(6)
            a.newValue = try row.optionalString(7); a.reason = try row.optionalString(8); a.province = try row.optionalString(9)
            a.$id.exists = true
            return a
        }
    }

    /// The household's category by year, newest first, by id within the scope.
    public func history(_ scope: Scope, householdID: Int, on db: any Database) async throws -> [HouseholdYear] {
        try await history(of: try await get(scope, id: householdID, on: db), on: db)
    }

    /// The history of a household the caller has just read within its scope: newest year first.
    public func history(of r: HouseholdRecord, on db: any Database) async throws -> [HouseholdYear] {
        let columns = ["id", "household_id", "year", "category", "standard", "recognised", "source", "deprived", "decided_at"]
        let q: SQLQueryString = "SELECT \(unsafeRaw: Self.quoted(columns)) FROM household_years WHERE household_id = \(bind: r.id!) ORDER BY year DESC"
        return try await PlainRows.all(q, columns: columns, order: "year DESC", on: db.sql) { row in
            let y = HouseholdYear()
            y.id = try row.int(0); y.householdID = try row.int(1); y.year = try row.int(2); y.category = try row.string(3)
            y.standard = try row.string(4); y.recognised = try row.bool(5); y.source = try row.string(6)
            y.deprived = try row.optionalString(7); y.decidedAt = try row.optionalDate(8)
            y.$id.exists = true
            return y
        }
    }

    /// Column names as SQL text, quoted: statements read on every page are written as text, not built from
    /// expressions (SQLKit's serializing was a tenth of the household page).
    static func quoted(_ columns: [String]) -> String { columns.map { "\"\($0)\"" }.joined(separator: ", ") }

    /// The commune before the 2025 merger of a village of a commune, as its village record says.
    public func oldCommune(ofVillage name: String, commune: String, on db: any Database) async throws -> String? {
        let q = db.sql.select().column("old_commune_code").from(Village.schema)
            .where("commune_code", .equal, commune).where("name", .equal, name).limit(1)
        return try await PlainRows.all(q.query, columns: ["old_commune_code"], on: db.sql) { try $0.optionalString(0) }.first ?? nil
    }
}

extension HouseholdRecord {
    /// `plainColumns` as SQL text.
    static let plainSelect = HouseholdStore.quoted(plainColumns)

    /// Every stored column but `updated_at`, in the order `init(plain:)` reads them.
    static let plainColumns = [
        "id", "code", "commune_code", "province_code", "village", "head_name", "sort_key", "search_text", "facts", "category",
        "subtype", "deprived", "deprived_count", "standard", "income_per_capita", "ethnic_minority_head", "meritorious",
        "no_working_capacity", "member_count", "causes", "old_commune_code", "urban", "traits", "version", "archived_reason",
    ]

    /// A stored household from a row of `plainColumns`, marked as read from the database.
    convenience init(plain r: PlainRow) throws {
        self.init()
        id = try r.int(0); code = try r.string(1); communeCode = try r.string(2); provinceCode = try r.optionalString(3)
        village = try r.optionalString(4); headName = try r.string(5); sortKey = try r.string(6); searchText = try r.string(7)
        facts = try r.string(8); category = try r.string(9); subtype = try r.optionalString(10); deprived = try r.string(11)
        deprivedCount = try r.int(12); standard = try r.string(13); incomePerCapita = try r.optionalInt(14)
        ethnicMinorityHead = try r.bool(15); meritorious = try r.bool(16); noWorkingCapacity = try r.bool(17)
        memberCount = try r.int(18); causes = try r.optionalString(19); oldCommuneCode = try r.optionalString(20)
        urban = try r.optionalBool(21); traits = try r.optionalString(22); version = try r.int(23)
        archivedReason = try r.optionalString(24)
        $id.exists = true
    }
}
