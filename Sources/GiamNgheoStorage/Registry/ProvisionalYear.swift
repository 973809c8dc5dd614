import Fluent
import SQLKit

/// This year's provisional category of each household, kept in step with its current one. The one rule,
/// used by every write path: a recognised year (the commune chairman's decision) is never overwritten.
enum ProvisionalYear {
    /// `provinces`: the households' provinces when the caller knows them (PostgreSQL reads only their partitions).
    static func upsert(households ids: [Int], year: Int, provinces: [String]? = nil, on sql: any SQLDatabase) async throws {
        let pruned: SQLQueryString = provinces.map { "AND \(sql.member("province_code", of: $0))" } ?? ""
        for part in ids.chunks(of: sql.memberLimit) {
            try await sql.raw("""
                INSERT INTO household_years (household_id, year, category, standard, recognised, source, deprived)
                SELECT id, \(bind: year), category, standard, \(bind: false), 'computed', deprived FROM households WHERE \(sql.member("id", of: part)) \(pruned)
                ON CONFLICT (household_id, year) DO UPDATE SET category = excluded.category, standard = excluded.standard, deprived = excluded.deprived
                WHERE household_years.recognised = \(bind: false)
                """).run()
        }
    }
}
