import Fluent
import SQLKit

/// 008: sessions that end on the server. Fluent's session table kept every row forever and had no expiry; a
/// row here carries its deadline (removed at start and every hour) and its account (removed when the
/// password changes). The key is a hash of the cookie, so a copy of the database opens no session.
public struct CreateWebSessions: AsyncMigration {
    public init() {}
    public func prepare(on db: any Database) async throws {
        let sql = db.sql
        try await sql.raw("""
            CREATE TABLE web_sessions (key_hash TEXT PRIMARY KEY, data TEXT NOT NULL, user_id TEXT,
            expires_at BIGINT NOT NULL, created_at BIGINT NOT NULL)
            """).run()
        try await sql.raw("CREATE INDEX web_sessions_expiry ON web_sessions (expires_at)").run()
        try await sql.raw("CREATE INDEX web_sessions_user ON web_sessions (user_id)").run()
        try await sql.raw("DROP TABLE IF EXISTS _fluent_sessions").run()
    }
    public func revert(on db: any Database) async throws {
        try await db.sql.raw("DROP TABLE web_sessions").run()
    }
}
