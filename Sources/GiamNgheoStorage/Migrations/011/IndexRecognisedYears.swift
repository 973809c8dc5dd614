import Fluent
import SQLKit

/// 011: the households recognised poor or near-poor in some year, by an index of those years only. Support's
/// candidates (coverage, helpers, the dashboard's card) ask for them at every page; without it each ask read every
/// household year (1 M rows at a province: 80 ms on PostgreSQL).
public struct IndexRecognisedYears: AsyncMigration {
    public init() {}
    public func prepare(on db: any Database) async throws {
        try await db.sql.raw("""
            CREATE INDEX household_years_recognised ON household_years (household_id, year)
            WHERE recognised AND category IN ('poor', 'nearPoor')
            """).run()
    }
    public func revert(on db: any Database) async throws {
        try await db.sql.raw("DROP INDEX IF EXISTS household_years_recognised").run()
    }
}
