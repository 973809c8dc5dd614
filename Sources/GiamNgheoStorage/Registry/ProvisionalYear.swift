import Fluent
import PostgresNIO
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

    /// The years of households just inserted, from their rows (PostgreSQL, on the transaction's connection): by COPY,
    /// since a new id has no year yet, let alone a recognised one. The upsert read 1 M rows back at the end of a
    /// province's import (15 s).
    static func copyNew(_ households: [(id: Int, record: HouseholdRecord)], year: Int, on pg: any PostgresDatabase) async throws {
        try await CopyIn.lines(into: HouseholdYear.schema, columns: ["household_id", "year", "category", "standard", "recognised", "source", "deprived"],
                               count: households.count, on: pg) { i, buffer, lastTime in
            let (id, r) = households[i]
            CopyIn.line([id, year, r.category, r.standard, false, "computed", r.deprived], to: &buffer, lastTime: &lastTime)
        }
    }
}
