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
    /// Registers the driver as the default database; `connectionsPerLoop` counts for PostgreSQL only (a SQLite
    /// file has one writer, and the write gate queues it).
    public func register(in databases: Databases, connectionsPerLoop: Int = 1) throws {
        switch self {
        case .sqliteMemory: databases.use(.sqlite(.memory), as: .sqlite)
        case .sqliteFile(let path):
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            databases.use(.sqlite(.file(path)), as: .sqlite)
        case .postgres(let url): try databases.use(Self.postgres(url, connectionsPerLoop: connectionsPerLoop), as: .psql)
        }
        databases.middleware.use(AuditProvince())
    }

    /// A burst of saves (the review season, a busy test run) queues for the pool's connections: wait up to 30 s
    /// for one rather than the driver's 10 s, so that a queue is slow, not an error.
    static func postgres(_ url: String, connectionsPerLoop: Int = 1) throws -> DatabaseConfigurationFactory {
        try .postgres(url: url, maxConnectionsPerEventLoop: connectionsPerLoop, connectionPoolTimeout: .seconds(30))
    }

    /// Registers the same database again as `.jobs`, the connections a background import holds for its whole
    /// transaction. Each event loop has one request connection: on it, a commit of minutes would make every page
    /// that lands on that loop (and the import's own progress) wait until it ends. An in-memory SQLite database
    /// cannot be opened twice; there the jobs share the request connections.
    public func registerJobs(in databases: Databases) throws {
        switch self {
        case .sqliteMemory: return
        case .sqliteFile(let path): databases.use(.sqlite(.file(path)), as: .jobs, isDefault: false)
        case .postgres(let url): try databases.use(Self.postgres(url), as: .jobs, isDefault: false)
        }
        // Model middleware is per database: the jobs write audit lines too.
        databases.middleware.use(AuditProvince(), on: .jobs)
    }

    /// Registers a PostgreSQL streaming replica that serves the report pages (`serve --read-db`), never the default.
    public func registerReplica(in databases: Databases) throws {
        guard case .postgres(let url) = self else {
            throw DatabaseSetupError("--read-db phải là một bản sao PostgreSQL (postgres://…) / the read database must be a PostgreSQL replica")
        }
        try databases.use(Self.postgres(url), as: .replica, isDefault: false)
    }

    /// How long a SQLite writer waits for another process's write (the server's save while `giamngheo import`
    /// commits, or the reverse) before it gives up with "busy": long enough for a commune's import, short of a
    /// reverse proxy's usual 60 s.
    public static let sqliteBusyTimeoutMilliseconds = 45_000
    /// How long one statement waits inside SQLite for another process's lock: short, as it holds its connection
    /// (one per event loop) meanwhile. The write gate waits longer, between attempts, without it.
    static let sqliteStatementWaitMilliseconds = 200

    /// Per-database settings before the first query; SQLite gets the gate that queues its writers.
    /// `connections`: the database on each event loop, i.e. each of the pool's SQLite connections (one per loop).
    public func prepare(_ db: any Database, connections: [any Database] = [],
                        busyTimeoutMilliseconds: Int = sqliteBusyTimeoutMilliseconds) async throws -> WriteGate? {
        switch self {
        case .sqliteFile:
            // WAL: page views read while a save writes. The setting is kept in the file.
            try await db.sql.raw("PRAGMA journal_mode=WAL").run()
            // The gate queues this process's writers; another process's (the CLI importing while the server
            // serves) is only seen by SQLite, where the driver's busy handler retries for ever inside the
            // statement, holding its event loop's only connection: every page on that loop would wait behind a
            // long terminal import. A short wait here; the gate retries a writer until its patience runs out, then
            // the "registry busy" page, nothing changed. The setting belongs to the connection, and the driver has
            // no hook for new ones: each loop's is set here.
            for c in [db] + connections {
                try await c.withConnection { try await $0.sql.raw("PRAGMA busy_timeout = \(unsafeRaw: String(Self.sqliteStatementWaitMilliseconds))").run() }
            }
            return WriteGate(patience: .milliseconds(busyTimeoutMilliseconds))
        case .sqliteMemory: return WriteGate()
        case .postgres:
            try await Self.requireTrigrams(db)
            return nil
        }
    }

    /// The name search's index needs the pg_trgm extension (PostgreSQL's contrib, trusted since version 13: the
    /// database's owner may create it). Created here when missing; if it cannot be, the start stops with what to do.
    static func requireTrigrams(_ db: any Database) async throws {
        struct Row: Decodable { var installed: Bool; var available: Bool }
        let row = try await db.sql.raw("""
            SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') AS installed,
                   EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') AS available
            """).first(decoding: Row.self)
        guard let row, !row.installed else { return }
        guard row.available else {
            throw DatabaseSetupError("""
                Máy chủ PostgreSQL không có phần mở rộng pg_trgm (cần cho chỉ mục tìm kiếm tên). Cài gói postgresql-contrib \
                (Debian/Ubuntu: có sẵn trong gói postgresql) rồi khởi động lại. / The PostgreSQL server lacks the pg_trgm extension.
                """)
        }
        do {
            try await db.sql.raw("CREATE EXTENSION IF NOT EXISTS pg_trgm").run()
        } catch {
            throw DatabaseSetupError("""
                Không tạo được phần mở rộng pg_trgm (\(OperatorMessage.describe(error))). Chạy một lần với quyền quản trị: \
                sudo -u postgres psql -d TÊN_CSDL -c 'CREATE EXTENSION pg_trgm;' / Could not create the pg_trgm extension; \
                create it once as a superuser.
                """)
        }
    }
}

extension DatabaseID {
    /// The read-only replica the report pages read when one is configured.
    public static let replica = DatabaseID(string: "replica")
    /// The same database as the default, for long background work (`DatabaseChoice.registerJobs`).
    public static let jobs = DatabaseID(string: "jobs")
}

/// How far a streaming replica is behind its primary: nil when the database is not a replica.
public enum ReplicaStatus {
    public struct Lag: Sendable { public var seconds: Double; public var caughtUp: Bool }

    public static func lag(on db: any Database) async throws -> Lag? {
        struct Row: Decodable { var replica: Bool; var caught_up: Bool?; var seconds: Double? }
        // Caught up when everything received is replayed; otherwise the age of the last transaction replayed.
        guard let r = try await db.sql.raw("""
            SELECT pg_is_in_recovery() AS replica, pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() AS caught_up,
                   EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8 AS seconds
            """).first(decoding: Row.self), r.replica else { return nil }
        let caughtUp = r.caught_up ?? false
        return Lag(seconds: caughtUp ? 0 : max(0, r.seconds ?? 0), caughtUp: caughtUp)
    }
}

/// The database cannot be used as it is; the text says what the operator should do.
public struct DatabaseSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ text: String) { description = text }
}
