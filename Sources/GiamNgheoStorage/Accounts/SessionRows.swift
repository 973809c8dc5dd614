import Fluent
import Foundation
import SQLKit

/// Signed-in sessions as rows with a deadline. The web's session driver hands over the hash of the cookie and
/// the session's data (JSON); a row past its deadline reads as no session and is removed by `purge`.
public struct SessionRows: Sendable {
    /// A session lasts a working day from sign-in, as the cookie does.
    public static let lifetime: TimeInterval = 8 * 3600

    public init() {}

    public func create(keyHash: String, data: String, userID: String?, now: Date = Date(), on db: any Database) async throws {
        let t = Int64(now.timeIntervalSince1970)
        try await db.sql.insert(into: "web_sessions").columns("key_hash", "data", "user_id", "expires_at", "created_at")
            .values(SQLBind(keyHash), SQLBind(data), SQLBind(userID), SQLBind(t + Int64(Self.lifetime)), SQLBind(t)).run()
    }

    /// The session's data, if it has not expired.
    public func read(keyHash: String, now: Date = Date(), on db: any Database) async throws -> String? {
        // Text, not a built statement: every page reads it.
        try await db.sql.raw("""
            SELECT data FROM web_sessions WHERE key_hash = \(bind: keyHash) AND expires_at > \(bind: Int64(now.timeIntervalSince1970))
            """).first()?.decode(column: "data", as: String.self)
    }

    public func update(keyHash: String, data: String, userID: String?, on db: any Database) async throws {
        try await db.sql.update("web_sessions").set("data", to: data).set("user_id", to: SQLBind(userID))
            .where("key_hash", .equal, keyHash).run()
    }

    public func delete(keyHash: String, on db: any Database) async throws {
        try await db.sql.delete(from: "web_sessions").where("key_hash", .equal, keyHash).run()
    }

    /// Ends every session of an account (its password changed or was reset), except the one making the change.
    public func end(userID: String, except keyHash: String? = nil, on db: any Database) async throws {
        var q = db.sql.delete(from: "web_sessions").where("user_id", .equal, userID)
        if let keyHash { q = q.where("key_hash", .notEqual, keyHash) }
        try await q.run()
    }

    /// Removes the expired rows; returns how many.
    @discardableResult
    public func purge(now: Date = Date(), on db: any Database) async throws -> Int {
        struct Row: Decodable { var n: Int }
        let t = Int64(now.timeIntervalSince1970)
        let n = try await db.sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("web_sessions")
            .where("expires_at", .lessThanOrEqual, t).first(decoding: Row.self)?.n ?? 0
        if n > 0 { try await db.sql.delete(from: "web_sessions").where("expires_at", .lessThanOrEqual, t).run() }
        return n
    }

    public func count(on db: any Database) async throws -> Int {
        struct Row: Decodable { var n: Int }
        return try await db.sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("web_sessions")
            .first(decoding: Row.self)?.n ?? 0
    }
}
