import Fluent
import GiamNgheoCore
@testable import GiamNgheoStorage
import SQLKit
import Testing

/// The household list's statements, as the store builds them, never read the whole households table
/// (issue 19 §3). PostgreSQL plans with sequential scans switched off, so a "Seq Scan on households" that is
/// left means that no index can serve the statement; SQLite must walk an index ("SCAN households" alone is a
/// full scan). The plans are printed when a check fails.
@Suite struct QueryPlanTests {
    func queries(_ r: Registry) -> [(String, HouseholdQuery)] {
        let h = r.households[r.households.count / 2]
        var out: [(String, HouseholdQuery)] = [("all", HouseholdQuery())]
        func add(_ name: String, _ change: (inout HouseholdQuery) -> Void) {
            var q = HouseholdQuery()
            change(&q)
            out.append((name, q))
        }
        add("next page") { $0.after = (h.sortKey, h.id!) }
        add("poor") { $0.category = "poor" }
        add("near-poor, next page") { $0.category = "nearPoor"; $0.after = (h.sortKey, h.id!) }
        add("village") { $0.village = h.village ?? "Thôn 1" }
        add("deprived") { $0.deprived = "NO2" }
        add("minority head") { $0.ethnicMinority = true }
        add("meritorious") { $0.meritorious = true }
        add("no working capacity") { $0.noWorkingCapacity = true }
        add("cause") { $0.cause = "C01" }
        add("main cause") { $0.cause = "C01"; $0.mainCause = true }
        add("recently exited") { $0.recentlyExited = true }
        add("name") { $0.text = "nguyen" }
        add("two words") { $0.text = "nguyen van" }
        add("code") { $0.text = h.code }
        return out
    }

    @Test func noListStatementScansTheHouseholds() async throws {
        try await withRegistry(households: 400) { r in
            let sql = r.db.sql
            let postgres = sql.dialect.name == "postgresql"
            if postgres { try await sql.raw("ANALYZE households").run() }
            let scopes: [(String, Scope)] = [("admin", r.admin), ("province", r.scope(.provinceOfficer, ["46"])),
                                             ("commune", r.scope(.communeOfficer, [r.communes[0]]))]
            var checked = 0
            for (scopeName, scope) in scopes {
                for (name, var query) in queries(r) {
                    if scopeName == "commune" { query.commune = r.communes[0] }
                    let plan = try await Self.plan(r.store.pageQuery(scope, query, on: sql), on: r.db)
                    let scans = plan.filter { postgres ? $0.contains("Seq Scan on households") : Self.isFullScan($0) }
                    #expect(scans.isEmpty, "\(scopeName) · \(name):\n\(plan.joined(separator: "\n"))")
                    // A scope within Huế reads Huế's partition only (migration 010); the administrator reads them all.
                    if postgres && scopeName != "admin" {
                        let read = Set(Self.partitions(plan))
                        #expect(read == ["households_p46"], "\(scopeName) · \(name): \(read.sorted())\n\(plan.joined(separator: "\n"))")
                    }
                    checked += 1
                }
            }
            #expect(checked == 45)
            // The trigram index serves the search's LIKE on PostgreSQL. On a table this small the planner rightly
            // prefers walking the sort index, so plain index walks are switched off too to see that it can.
            if postgres {
                var q = HouseholdQuery()
                q.text = r.households[7].code
                let plan = try await Self.plan(r.store.pageQuery(r.admin, q, on: sql), on: r.db, bitmapOnly: true)
                #expect(plan.contains { $0.contains("Bitmap Index Scan on households_") && $0.contains("search_text") },
                        "\(plan.joined(separator: "\n"))")
            }
        }
    }

    /// `dedup`'s reading of a commune's people: one province's partitions of people and households on PostgreSQL,
    /// an index walk of each on SQLite.
    @Test func theDuplicateScanReadsACommunesProvinceOnly() async throws {
        try await withRegistry(households: 400) { r in
            let sql = r.db.sql
            let plan = try await Self.plan(RegistryDuplicates.people(of: r.communes[0], on: sql), on: r.db)
            if sql.dialect.name == "postgresql" {
                #expect(Set(Self.partitions(plan)) == ["household_people_p46", "households_p46"], "\(plan.joined(separator: "\n"))")
            } else {
                #expect(!plan.contains { Self.isFullScan($0) || Self.isFullScan($0, of: "household_people") }, "\(plan.joined(separator: "\n"))")
            }
        }
    }

    /// An import's lookups of a chunk (households by code, people by national ID and by block): on PostgreSQL one index
    /// probe per key in the provinces that hold rows, never a hash or a sort of a province's people (that was once per
    /// chunk, quadratic in the file), and no other province's partition; on SQLite index walks only.
    @Test func anImportsLookupsProbeOneKeyAtATime() async throws {
        try await withRegistry(households: 400) { r in
            let sql = r.db.sql
            struct P: Decodable { var national_id: String?; var commune_code: String; var village: String; var birth: String? }
            let people = try await sql.raw("SELECT national_id, commune_code, village, birth FROM household_people").all(decoding: P.self)
            let ids = people.compactMap(\.national_id), codes = r.households.map(\.code)
            let blocks = people.compactMap { p in p.birth.map { PersonKey(name: "", birth: $0, commune: p.commune_code, village: p.village) } }
            #expect(ids.count > 100 && blocks.count > 100 && codes.count > 100)
            let postgres = sql.dialect.name == "postgresql"
            if postgres { try await sql.raw("ANALYZE households, household_people").run() }
            let holding = try await Importer.Run.provincesHoldingHouseholds(on: sql)
            #expect(holding == (postgres ? ["46"] : nil))
            let statements: [(String, any SQLQueryBuilder)] = [
                ("codes", Importer.Run.households("code", codes, provinces: holding, on: sql)),
                ("national IDs", Importer.Run.people(nationalIDs: ids, provinces: holding ?? [], on: sql)),
                ("blocks", Importer.Run.people(blocks: blocks, on: sql)),
            ]
            for (name, statement) in statements {
                let plan = try await Self.plan(statement, on: r.db)
                let text = "\(name):\n\(plan.joined(separator: "\n"))"
                if postgres {
                    #expect(Set(Self.partitions(plan)).isSubset(of: ["household_people_p46", "households_p46"]), "\(text)")
                    // (The national IDs' result is sorted by household, after the probes: "Sort Key: p.household_id".)
                    #expect(!plan.contains { $0.contains("Hash") || $0.contains("Merge") || $0.contains("Sort Key: p.commune_code")
                        || $0.contains("Sort Key: p.national_id") }, "\(text)")
                    #expect(plan.contains { $0.contains("Nested Loop") } && plan.contains { $0.contains("Index Scan using household") }, "\(text)")
                } else {
                    #expect(!plan.contains { Self.isFullScan($0) || Self.isFullScan($0, of: "household_people") }, "\(text)")
                }
            }
        }
    }

    /// The partitions of households and people a PostgreSQL plan reads ("… on households_p46 …",
    /// "… on households_p46_sort_key_id_idx", "… on household_people_p46 …").
    static func partitions(_ plan: [String]) -> [String] {
        plan.compactMap { line in
            guard let r = line.range(of: #" on household(s|_people)_(p\d+|other)"#, options: .regularExpression) else { return nil }
            return String(line[r].dropFirst(4))
        }
    }

    /// SQLite's `SCAN households` without an index (a `SEARCH` or `SCAN … USING INDEX` walks one).
    static func isFullScan(_ line: String, of table: String = "households") -> Bool {
        guard let r = line.range(of: "SCAN \(table)") else { return false }
        let rest = line[r.upperBound...]
        return !rest.contains("USING") && (rest.isEmpty || rest.first == " ")
    }

    /// The statement's plan, one line per node. PostgreSQL plans inside a transaction that forbids sequential
    /// scans (`SET LOCAL`), so the setting never leaks to another test's connection.
    static func plan(_ select: any SQLQueryBuilder, on db: any Database, bitmapOnly: Bool = false) async throws -> [String] {
        struct PG: Decodable { var plan: String; enum CodingKeys: String, CodingKey { case plan = "QUERY PLAN" } }
        struct Lite: Decodable { var detail: String }
        let statement = select.query
        if db.sql.dialect.name == "postgresql" {
            return try await db.transaction { tx in
                try await tx.sql.raw("SET LOCAL enable_seqscan = off").run()
                if bitmapOnly { try await tx.sql.raw("SET LOCAL enable_indexscan = off").run() }
                return try await tx.sql.raw("EXPLAIN \(statement)").all(decoding: PG.self).map(\.plan)
            }
        }
        return try await db.sql.raw("EXPLAIN QUERY PLAN \(statement)").all(decoding: Lite.self).map(\.detail)
    }
}
