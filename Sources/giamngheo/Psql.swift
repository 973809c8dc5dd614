import Foundation

/// PostgreSQL's own client, for the benchmarks' bare baselines and throwaway databases. The password goes by
/// environment (PGPASSWORD), never on a command line.
enum Psql {
    static let binary = ["/usr/bin/psql", "/usr/local/bin/psql"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/psql"

    /// The same server and credentials, another database.
    static func url(_ server: String, database: String) -> String {
        var c = URLComponents(string: server)!
        c.path = "/" + database
        return c.string!
    }

    static func environment(_ url: String) -> [String: String] {
        ["PGPASSWORD": URLComponents(string: url)?.password ?? ""]
    }

    /// `psql` on the URL's database with the given arguments (the URL without its password).
    static func command(_ url: String, _ args: [String]) -> [String] {
        var c = URLComponents(string: url)!
        c.password = nil
        return [binary, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--dbname", c.string!] + args
    }

    static func run(_ url: String, _ sql: String) throws {
        let p = Process()
        let args = command(url, ["-c", sql])
        p.executableURL = URL(fileURLWithPath: args[0])
        p.arguments = Array(args.dropFirst())
        p.environment = ProcessInfo.processInfo.environment.merging(environment(url)) { _, new in new }
        let err = Pipe()
        p.standardError = err
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw UserError(message: "psql: \(text.trimmingCharacters(in: .whitespacesAndNewlines))") }
    }
}
