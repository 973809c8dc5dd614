import Fluent
import SQLKit

/// 013: bearer tokens of the JSON API (`/api/v1`). A token acts as its account (role, units, audit); the table
/// keeps only its SHA-256 (a copy of the database opens nothing) and the first characters, to tell tokens apart.
public struct CreateAPITokens: AsyncMigration {
    public init() {}
    public func prepare(on db: any Database) async throws {
        try await db.sql.raw("""
            CREATE TABLE api_tokens (id \(unsafeRaw: db.sql.dialect.name == "postgresql" ? "SERIAL" : "INTEGER") PRIMARY KEY,
            user_id TEXT NOT NULL, name TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL,
            created_at BIGINT NOT NULL, last_used_at BIGINT, revoked_at BIGINT)
            """).run()
        try await db.sql.raw("CREATE INDEX api_tokens_user ON api_tokens (user_id)").run()
    }
    public func revert(on db: any Database) async throws {
        try await db.sql.raw("DROP TABLE api_tokens").run()
    }
}
