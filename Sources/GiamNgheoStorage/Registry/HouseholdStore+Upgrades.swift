import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

/// What a start does to a registry written by an earlier version: derive the columns the summaries read, and
/// classify once the households an earlier rule left incomplete. Each is a no-op on an up-to-date registry.
extension HouseholdStore {
    /// Derives the columns the summaries read (old commune, urban, traits) for households stored before
    /// they existed, then rebuilds those communes' summaries. Nothing to do on a current database.
    public func backfillDerived(on db: any Database) async throws -> Int {
        let sql = db.sql
        // Cheap at every start: a registry with households always has cells once derived (every household
        // adds at least one), so only a database from before the summaries has households and no cells.
        struct N: Decodable { var n: Int }
        let hasCells = try await sql.raw("SELECT COUNT(*) AS n FROM (SELECT 1 FROM report_cells LIMIT 1) c").first(decoding: N.self)?.n ?? 0
        let hasHouseholds = try await sql.raw("SELECT COUNT(*) AS n FROM (SELECT 1 FROM households LIMIT 1) h").first(decoding: N.self)?.n ?? 0
        guard hasCells == 0 && hasHouseholds > 0 else { return 0 }
        struct R: Decodable { var id: Int; var facts: String; var commune_code: String }
        var communes = Set<String>(), n = 0, after = 0
        while true {
            // Along the primary key: each batch starts where the last ended, never rescans the rows done.
            let rows = try await sql.select().columns("id", "facts", "commune_code").from(HouseholdRecord.schema)
                .where(SQLIdentifier("traits"), .is, SQLLiteral.null).where("id", .greaterThan, after).orderBy("id").limit(500).all(decoding: R.self)
            guard let last = rows.last else { break }
            after = last.id
            try await writing(db) { tx in
                for r in rows {
                    let h = try? self.parser.parse(jsonLine: r.facts, line: 1)
                    let row = h.map { self.row($0, try? self.engine.classify($0), facts: r.facts) }
                    try await tx.sql.update(HouseholdRecord.schema)
                        .set("old_commune_code", to: row?.oldCommuneCode).set("urban", to: row?.urban ?? false)
                        .set("traits", to: row?.traits ?? ",").where("id", .equal, r.id).run()
                }
            }
            n += rows.count
            communes.formUnion(rows.map(\.commune_code))
        }
        if !communes.isEmpty {
            let all = communes.sorted()
            try await writing(db) { tx in try await Summaries.rebuild(communes: all, year: self.summaryYear, on: tx) }
        }
        return n
    }

    /// Households stored as incomplete that the rules now classify (income decides first: a household above
    /// the line needs no indicator fact, Decree 07/2021 Art. 3), reclassified once at start with their
    /// summaries, this year's provisional category and an audit line. Returns how many changed.
    public func reclassifyIncomplete(on db: any Database) async throws -> Int {
        let sql = db.sql
        // Once per registry: afterwards every save classifies under the rule, so a start need not scan again.
        let marker = "rules.incomeDecidesFirst"
        struct K: Decodable { var key: String }
        if try await sql.select().column("key").from("settings").where("key", .equal, marker).first(decoding: K.self) != nil { return 0 }
        struct R: Decodable { var id: Int; var facts: String; var version: Int }
        var after = 0, n = 0
        while true {
            let rows = try await sql.select().columns("id", "facts", "version").from(HouseholdRecord.schema)
                .where("category", .equal, HouseholdRecord.incomplete).where("archived_reason", .is, SQLLiteral.null)
                .where("id", .greaterThan, after).orderBy("id").limit(500).all(decoding: R.self)
            guard let last = rows.last else { break }
            after = last.id
            let done: [(R, HouseholdRecord)] = rows.compactMap { r in
                guard let h = try? parser.parse(jsonLine: r.facts, line: 1), let c = try? engine.classify(h) else { return nil }
                return (r, row(h, c, facts: r.facts))
            }
            guard !done.isEmpty else { continue }
            try await writing(db) { tx in
                let sql = tx.sql
                try await Summaries.tracking(done.map(\.0.id), year: self.summaryYear, on: tx) {
                    for (r, row) in done {
                        var update = sql.update(HouseholdRecord.schema)
                        for (column, value) in Self.columns(row) { update = update.set(column, to: value) }
                        try await update.set("version", to: r.version + 1).where("id", .equal, r.id).where("version", .equal, r.version).run()
                    }
                }
                for (r, row) in done {
                    try await AuditEntry(username: "system", householdID: r.id, action: "reclassify", field: "category",
                                         oldValue: HouseholdRecord.incomplete, newValue: row.category,
                                         reason: "Thu nhập quyết định trước (NĐ 07/2021 Điều 3): không cần thông tin chỉ số",
                                         province: row.province).create(on: tx)
                    try await self.recordYear(r.id, row, on: tx)
                }
            }
            n += done.count
        }
        try await sql.insert(into: "settings").columns("key", "value", "updated_by", "updated_at")
            .values(SQLBind(marker), SQLBind(String(n)), SQLBind("system"), SQLBind(Date())).run()
        return n
    }
}

extension HouseholdStore {
    /// Households per commune in the registry, for the public index: counts only, no scope needed.
    public func publishingCommunes(on db: any Database) async throws -> [(commune: String, households: Int)] {
        struct C: Decodable { var commune_code: String; var n: Int }
        return try await db.sql.raw("SELECT commune_code, COUNT(*) AS n FROM households WHERE archived_reason IS NULL GROUP BY commune_code ORDER BY commune_code")
            .all(decoding: C.self).map { ($0.commune_code, $0.n) }
    }

    /// The stored facts of these households (in scope only), by id: the export writes members from them.
    public func facts(_ scope: Scope, ids: [Int], on db: any Database) async throws -> [Int: String] {
        struct Row: Decodable { var id: Int; var facts: String; var commune_code: String }
        var out: [Int: String] = [:]
        for chunk in ids.chunks(of: 500) {
            for r in try await db.sql.select().columns("id", "facts", "commune_code").from(HouseholdRecord.schema)
                .where("id", .in, chunk).all(decoding: Row.self) where scope.allows(commune: r.commune_code) {
                out[r.id] = r.facts
            }
        }
        return out
    }
}
