import Foundation

/// Creates and drops the per-test databases with the server's own client, so that no test can touch
/// anything but a database it made. Shared by the storage and web suites.
public enum PostgresTestServer {
    /// The server named by GIAMNGHEO_TEST_POSTGRES, if any (CI sets it; locally SQLite is the default).
    public static var server: String? {
        ProcessInfo.processInfo.environment["GIAMNGHEO_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `postgres://user:pass@host:port/db` → the same server and credentials, another database.
    public static func url(_ server: String, database: String) -> String {
        var c = URLComponents(string: server)!
        c.path = "/" + database
        return c.string!
    }

    /// A fresh database on the server, and how to drop it (tried three times: a server process may still
    /// be finishing with it). The drop runs on a thread of its own and is not waited for: PostgreSQL's DROP
    /// DATABASE waits until every backend has taken its signal, and a backend in the middle of a COPY FROM STDIN
    /// takes it only once its client sends the rest, from a test task that needs a thread of the Swift
    /// concurrency pool. Two drops blocking the pool's two threads (2 cores) hung the whole suite.
    public static func makeDatabase(_ server: String, prefix: String) throws -> (url: String, drop: () throws -> Void) {
        let name = prefix + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try psql(server, "CREATE DATABASE \(name)")
        let drop: () throws -> Void = {
            Thread.detachNewThread {
                for attempt in 1...3 {
                    do { try psql(server, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"); return }
                    catch { if attempt < 3 { Thread.sleep(forTimeInterval: 1) } }
                }
            }
        }
        return (url(server, database: name), drop)
    }

    public static func psql(_ server: String, _ sql: String) throws {
        let c = URLComponents(string: server)!
        precondition(["127.0.0.1", "localhost"].contains(c.host ?? ""), "tests only use a local PostgreSQL server")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["psql", "-h", c.host!, "-p", String(c.port ?? 5432), "-U", c.user ?? "postgres", "-d", String(c.path.dropFirst()),
                       "-v", "ON_ERROR_STOP=1", "-q", "-c", sql]
        var env = ProcessInfo.processInfo.environment
        env["PGPASSWORD"] = c.password ?? ""
        p.environment = env
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw PostgresSetupError(sql: sql) }
    }

    public struct PostgresSetupError: Error { public let sql: String }
}
