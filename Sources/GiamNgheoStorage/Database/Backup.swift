import Fluent
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit

/// A consistent copy of a SQLite registry while the app keeps running (`VACUUM INTO`: one read transaction, so
/// a save in progress is either wholly in the copy or not at all). The database is opened bare, without
/// migrations: a backup taken before an upgrade must be the old schema, untouched.
public enum Backup {
    public struct Summary: Sendable { public var households: Int; public var accounts: Int; public var bytes: Int64 }

    public static func sqlite(from source: String, to target: String) async throws -> Summary {
        let fm = FileManager.default
        guard fm.fileExists(atPath: source) else { throw DatabaseSetupError("không có tệp cơ sở dữ liệu '\(source)'") }
        guard !fm.fileExists(atPath: target) else { throw DatabaseSetupError("tệp '\(target)' đã có; chọn tên khác (bản sao lưu không ghi đè)") }
        let dir = (target as NSString).deletingLastPathComponent
        if !dir.isEmpty { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        try await withBare(.sqliteFile(source)) { db in
            try await db.sql.raw("VACUUM INTO \(bind: target)").run()
        }
        return try await check(target)
    }

    /// Opens a copy and checks it: SQLite's integrity check, then what it holds.
    public static func check(_ path: String) async throws -> Summary {
        try await withBare(.sqliteFile(path)) { db in
            struct Check: Decodable { var integrity_check: String }
            let result = try await db.sql.raw("PRAGMA integrity_check").all(decoding: Check.self).map(\.integrity_check)
            guard result == ["ok"] else { throw DatabaseSetupError("bản sao '\(path)' hỏng: \(result.prefix(3).joined(separator: "; "))") }
            struct N: Decodable { var n: Int }
            let households = try await db.sql.raw("SELECT count(*) AS n FROM households").first(decoding: N.self)?.n ?? 0
            let accounts = try await db.sql.raw("SELECT count(*) AS n FROM users").first(decoding: N.self)?.n ?? 0
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
            return Summary(households: households, accounts: accounts, bytes: size)
        }
    }

    /// The database alone: no migration, no app.
    static func withBare<T: Sendable>(_ choice: DatabaseChoice, _ body: @Sendable (any Database) async throws -> T) async throws -> T {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let databases = Databases(threadPool: pool, on: MultiThreadedEventLoopGroup.singleton)
        var logger = Logger(label: "giamngheo.backup")
        logger.logLevel = .warning
        do {
            try choice.register(in: databases)
            let db = databases.database(logger: logger, on: MultiThreadedEventLoopGroup.singleton.any())!
            let out = try await body(db)
            await databases.shutdownAsync()
            try? await pool.shutdownGracefully()
            return out
        } catch {
            await databases.shutdownAsync()
            try? await pool.shutdownGracefully()
            throw error
        }
    }
}
