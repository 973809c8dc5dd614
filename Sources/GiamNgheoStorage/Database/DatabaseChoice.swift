import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation

/// Where the registry lives. SQLite in a file is the default (a commune laptop); PostgreSQL for scale.
public enum DatabaseChoice: Sendable, Equatable {
    case sqliteFile(String), sqliteMemory, postgres(String)

    /// `sqlite:PATH`, a `postgres://…` URL, or `memory`.
    public static func parse(_ s: String) -> DatabaseChoice? {
        if s == "memory" || s == "sqlite::memory:" { return .sqliteMemory }
        if s.hasPrefix("postgres://") || s.hasPrefix("postgresql://") { return .postgres(s) }
        if s.hasPrefix("sqlite:") { return .sqliteFile(String(s.dropFirst("sqlite:".count))) }
        return nil
    }
}

extension DatabaseChoice {
    /// Registers the driver as the default database.
    public func register(in databases: Databases) throws {
        switch self {
        case .sqliteMemory: databases.use(.sqlite(.memory), as: .sqlite)
        case .sqliteFile(let path):
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            databases.use(.sqlite(.file(path)), as: .sqlite)
        case .postgres(let url):
            // A burst of saves (the review season, a busy test run) queues for the pool's connections: wait up to
            // 30 s for one rather than the driver's 10 s, so that a queue is slow, not an error.
            try databases.use(.postgres(url: url, connectionPoolTimeout: .seconds(30)), as: .psql)
        }
    }

    /// Per-database settings before the first query; SQLite gets the gate that queues its writers.
    public func prepare(_ db: any Database) async throws -> WriteGate? {
        switch self {
        case .sqliteFile:
            // WAL: page views read while a save writes. The setting is kept in the file.
            try await db.sql.raw("PRAGMA journal_mode=WAL").run()
            return WriteGate()
        case .sqliteMemory: return WriteGate()
        case .postgres: return nil
        }
    }
}
