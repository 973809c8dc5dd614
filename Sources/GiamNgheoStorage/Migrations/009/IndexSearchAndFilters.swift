import Fluent
import SQLKit

/// 009: the list's search and filters stay fast as the registry grows.
/// - PostgreSQL: trigram indexes (pg_trgm, checked at start by `DatabaseChoice.prepare`) on the folded
///   names/codes/IDs, the deprived indicators and the causes, so that `LIKE '%…%'` is an index scan, not a
///   sequential scan of the province. SQLite has no such index; its list walks the sort index instead.
/// - Both: the province-wide list of one category (the poor, the near-poor) walks its own sort index.
public struct IndexSearchAndFilters: AsyncMigration {
    public init() {}
    public func prepare(on db: any Database) async throws {
        let sql = db.sql
        try await sql.raw("CREATE INDEX households_category_sort ON households (category, sort_key, id)").run()
        guard sql.dialect.name == "postgresql" else { return }
        for (name, column) in [("households_search_trgm", "search_text"), ("households_deprived_trgm", "deprived"),
                               ("households_causes_trgm", "causes")] {
            try await sql.raw("CREATE INDEX \(unsafeRaw: name) ON households USING gin (\(unsafeRaw: column) gin_trgm_ops)").run()
        }
    }
    public func revert(on db: any Database) async throws {
        let sql = db.sql
        for name in ["households_category_sort", "households_search_trgm", "households_deprived_trgm", "households_causes_trgm"] {
            try await sql.raw("DROP INDEX IF EXISTS \(unsafeRaw: name)").run()
        }
    }
}
