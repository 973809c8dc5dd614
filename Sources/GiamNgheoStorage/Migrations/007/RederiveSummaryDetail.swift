import Fluent
import SQLKit

/// 007: the summaries gain the head's ethnic group and the children counted (forms 9, 11, 12, 13). Both are
/// derived from each household's facts into its `traits` column; clearing it and the derived cells lets the
/// start's `backfillDerived` recompute every household and rebuild the cells once (report_cells holds only
/// what the households give, so nothing is lost).
public struct RederiveSummaryDetail: AsyncMigration {
    public init() {}
    public func prepare(on db: any Database) async throws {
        let sql = db.sql
        try await sql.raw("UPDATE households SET traits = NULL").run()
        try await sql.raw("DELETE FROM report_cells").run()
    }
    public func revert(on db: any Database) async throws {}
}
