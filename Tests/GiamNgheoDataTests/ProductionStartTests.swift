import Foundation
import GiamNgheoTestSupport
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real instance as a province's IT officer starts one (issue 19 §1): accounts from the terminal, `serve`
/// configured by flags and environment, never seeding the demo into a registry, behind a trusted proxy. Each
/// test runs the built binary on PostgreSQL when GIAMNGHEO_TEST_POSTGRES names a server (CI), else on SQLite.
@Suite(.serialized) struct ProductionStartTests {
    /// A new empty database: a PostgreSQL database on the test server, or a SQLite file.
    static func database() throws -> (url: String, drop: () -> Void) {
        if let server = PostgresTestServer.server {
            let made = try PostgresTestServer.makeDatabase(server, prefix: "cli_")
            return (made.url, { try? made.drop() })
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gp-\(UUID().uuidString)")
        return ("sqlite:" + dir.appendingPathComponent("giamngheo.sqlite").path, { try? FileManager.default.removeItem(at: dir) })
    }

    /// A port nobody listens on now.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// `giamngheo serve` in the background until `stop()`; `output` is what it printed so far.
    final class Server: @unchecked Sendable {
        let process = Process()
        let lock = NSLock()
        var text = ""
        let port: Int

        init(_ args: [String], port: Int, environment: [String: String] = [:]) throws {
            self.port = port
            process.executableURL = CLI.binary
            process.arguments = ["serve"] + args
            process.currentDirectoryURL = CLI.root
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            pipe.fileHandleForReading.readabilityHandler = { [weak self] h in
                let d = h.availableData
                self?.lock.withLock { self?.text += String(decoding: d, as: UTF8.self) }
            }
            try process.run()
        }

        var output: String { lock.withLock { text } }

        /// Waits for the start line, then checks that this process (not another) answers on the port.
        func waitUntilServing(timeout: TimeInterval = 120) async throws -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline && process.isRunning {
                if output.contains("GiamNgheo đang chạy"), let r = try? await ProductionStartTests.get("http://127.0.0.1:\(port)/health"), r.status == 200 {
                    return true
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            return false
        }

        /// SIGTERM, as systemd stops a unit; returns the exit status.
        @discardableResult
        func stop() -> Int32 {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    struct Reply { var status: Int; var headers: [String: String]; var body: String }

    static func get(_ url: String, headers: [String: String] = [:]) async throws -> Reply {
        var req = URLRequest(url: URL(string: url)!)
        for (k, v) in headers { req.setValue(v, forHTTPHeaderField: k) }
        let config = URLSessionConfiguration.ephemeral
        config.httpShouldSetCookies = false
        let session = URLSession(configuration: config)
        let (data, res) = try await session.data(for: req)
        let http = res as! HTTPURLResponse
        var h: [String: String] = [:]
        for (k, v) in http.allHeaderFields { h[String(describing: k).lowercased()] = String(describing: v) }
        return Reply(status: http.statusCode, headers: h, body: String(decoding: data, as: UTF8.self))
    }

    @Test func usersAreCreatedListedAndResetFromTheTerminal() throws {
        let (db, drop) = try Self.database()
        defer { drop() }
        let made = try CLI.run(["users", "create", "--username", "quantri", "--role", "admin", "--db", db])
        #expect(made.status == 0, "\(made.err)")
        let password = made.out.split(separator: "\n").last.map(String.init) ?? ""
        #expect(password.count == 12 && password.allSatisfy { $0.isLetter || $0.isNumber }, "\(made.out)")
        let officer = try CLI.run(["users", "create", "--username", "xa19789", "--role", "communeOfficer", "--units", "19789",
                                   "--name", "Cán bộ xã", "--db", db])
        #expect(officer.status == 0, "\(officer.err)")
        // Refusals name what is wrong, in Vietnamese, with exit code 2 and nothing created.
        let taken = try CLI.run(["users", "create", "--username", "quantri", "--role", "admin", "--db", db])
        #expect(taken.status == 2 && taken.err.contains("Tên đăng nhập 'quantri' đã có"), "\(taken.err)")
        let noUnit = try CLI.run(["users", "create", "--username", "xa2", "--role", "communeOfficer", "--db", db])
        #expect(noUnit.status == 2 && noUnit.err.contains("Cần ít nhất một địa bàn"), "\(noUnit.err)")
        let badUnit = try CLI.run(["users", "create", "--username", "xa3", "--role", "communeOfficer", "--units", "99999", "--db", db])
        #expect(badUnit.status == 2 && badUnit.err.contains("'99999'"), "\(badUnit.err)")
        let badRole = try CLI.run(["users", "create", "--username", "xa4", "--role", "boss", "--units", "19789", "--db", db])
        #expect(badRole.status == 2 && badRole.err.contains("Vai trò không hợp lệ"), "\(badRole.err)")
        let list = try CLI.run(["users", "list", "--db", db])
        let rows = list.out.split(separator: "\n").dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.map { $0[0] } == ["quantri", "xa19789"], "\(list.out)")
        #expect(rows.last?[1] == "communeOfficer" && rows.last?[2] == "19789" && rows.last?[3] == "Cán bộ xã")
        let reset = try CLI.run(["users", "reset", "--username", "xa19789", "--db", db])
        let again = reset.out.split(separator: "\n").last.map(String.init) ?? ""
        #expect(reset.status == 0 && again.count == 12 && again != password, "\(reset.out)\(reset.err)")
        let nobody = try CLI.run(["users", "reset", "--username", "khongco", "--db", db])
        #expect(nobody.status == 2 && nobody.err.contains("không có tài khoản 'khongco'"))
    }

    /// An empty database with `--no-demo`: it serves, says that there is no account and how to make the first.
    @Test func noDemoOnAnEmptyDatabaseServesAndTellsHowToCreateTheFirstAdministrator() async throws {
        let (db, drop) = try Self.database()
        defer { drop() }
        let port = Self.freePort()
        let server = try Server(["--no-demo", "--db", db, "--port", String(port)], port: port)
        defer { server.stop() }
        #expect(try await server.waitUntilServing(), "\(server.output)")
        #expect(server.output.contains("Chưa có tài khoản nào") && server.output.contains("giamngheo users create"), "\(server.output)")
        let login = try await Self.get("http://127.0.0.1:\(port)/login")
        #expect(login.status == 200 && login.body.contains("Đăng nhập"))
        #expect(server.stop() == 0, "SIGTERM ends the server cleanly: \(server.output)")
        // The account made afterwards is there at the next start, and the notice is gone.
        #expect(try CLI.run(["users", "create", "--username", "quantri", "--role", "admin", "--db", db]).status == 0)
        let next = try Server(["--db", db, "--port", String(port)], port: port)
        defer { next.stop() }
        #expect(try await next.waitUntilServing(), "\(next.output)")
        #expect(!next.output.contains("Chưa có tài khoản nào") && !next.output.contains("Đã nạp dữ liệu mẫu"), "\(next.output)")
    }

    /// A registry imported before the first start is never mixed with the demo: no demo households, no demo
    /// accounts, a notice instead (this used to fail on the households' unique codes).
    @Test func anImportedRegistryIsNeverSeededWithTheDemo() async throws {
        let (db, drop) = try Self.database()
        defer { drop() }
        let dir = try ImportCLITests.generated(60)
        defer { try? FileManager.default.removeItem(at: dir) }
        var args = ImportCLITests.importing(dir).args
        args[args.firstIndex(of: "--db")! + 1] = db
        let imported = try CLI.run(args + ["--commit"])
        #expect(imported.status == 0, "\(imported.out)\(imported.err)")
        let port = Self.freePort()
        let server = try Server(["--db", db, "--port", String(port)], port: port)
        defer { server.stop() }
        #expect(try await server.waitUntilServing(), "\(server.output)")
        #expect(server.output.contains("không nạp dữ liệu mẫu") && server.output.contains("Chưa có tài khoản nào"), "\(server.output)")
        #expect(!server.output.contains("Đã nạp dữ liệu mẫu"))
        server.stop()
        let csv = dir.appendingPathComponent("after.csv")
        let exported = try CLI.run(["export", "--db", db, "--format", "csv", "--out", csv.path])
        let n = try #require(imported.out.firstMatch(of: /mới: (\d+)/)).1
        #expect(exported.out.contains("Đã xuất \(n) hộ"), "\(exported.out)\(exported.err)")
    }

    /// Settings from the environment (as a systemd unit gives them), and the trusted proxy: only a proxy in the
    /// list can say that the request came over HTTPS, which marks the session cookie Secure.
    @Test func environmentConfiguresTheServerAndOnlyATrustedProxyMakesCookiesSecure() async throws {
        let (db, drop) = try Self.database()
        defer { drop() }
        for (trusted, secure) in [("127.0.0.1", true), ("10.0.0.0/8, ::1", false)] {
            let port = Self.freePort()
            let server = try Server([], port: port, environment: [
                "GIAMNGHEO_DB": db, "GIAMNGHEO_PORT": String(port), "GIAMNGHEO_NO_DEMO": "true", "GIAMNGHEO_TRUSTED_PROXIES": trusted,
                "GIAMNGHEO_DB_CONNECTIONS": secure ? "4" : "1",
            ])
            #expect(try await server.waitUntilServing(), "\(server.output)")
            let r = try await Self.get("http://127.0.0.1:\(port)/login", headers: ["X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"])
            let cookie = r.headers["set-cookie"] ?? ""
            #expect(cookie.contains("giamngheo_session=") && cookie.contains("HttpOnly"), "\(r.headers)")
            #expect(cookie.contains("Secure") == secure, "trusted \(trusted): \(cookie)")
            #expect((r.headers["strict-transport-security"] != nil) == secure)
            #expect(server.stop() == 0)
        }
        // --secure-cookies marks them without any proxy; a bad setting stops the start with its name.
        let port = Self.freePort()
        let server = try Server(["--secure-cookies", "--no-demo", "--db", db, "--port", String(port)], port: port)
        #expect(try await server.waitUntilServing(), "\(server.output)")
        #expect(try await Self.get("http://127.0.0.1:\(port)/login").headers["set-cookie"]?.contains("Secure") == true)
        server.stop()
        let bad = try CLI.run(["serve", "--no-demo", "--db", db], environment: ["GIAMNGHEO_PORT": "tám nghìn"])
        #expect(bad.status == 2 && bad.err.contains("GIAMNGHEO_PORT"), "\(bad.err)")
        let badProxy = try CLI.run(["serve", "--no-demo", "--db", db, "--trusted-proxies", "10.0.0.300"])
        #expect(badProxy.status == 2 && badProxy.err.contains("10.0.0.300"), "\(badProxy.err)")
        let badPool = try CLI.run(["serve", "--no-demo", "--db", db], environment: ["GIAMNGHEO_DB_CONNECTIONS": "0"])
        #expect(badPool.status == 2 && badPool.err.contains("GIAMNGHEO_DB_CONNECTIONS"), "\(badPool.err)")
    }

    /// The commit killed while it writes (by COPY on PostgreSQL): the server rolls the transaction back when the
    /// connection drops, and the registry is as it was.
    @Test func anImportKilledWhileItWritesLeavesTheRegistryAsItWas() throws {
        let (db, drop) = try Self.database()
        defer { drop() }
        let dir = try ImportCLITests.generated(3000)
        defer { try? FileManager.default.removeItem(at: dir) }
        var args = ImportCLITests.importing(dir).args
        args[args.firstIndex(of: "--db")! + 1] = db
        try ImportCLITests.killMidCommit(args)
    }

    /// A database that refuses: the operator reads the server's own reason, never PostgresNIO's generic text.
    @Test func theDatabasesOwnReasonReachesTheOperator() throws {
        let closed = try CLI.run(["users", "list", "--db", "postgres://app:app@127.0.0.1:\(Self.freePort())/app"])
        #expect(closed.status == 2 && !closed.err.contains("Generic description") && closed.err.contains("PostgreSQL"), "\(closed.err)")
        #expect(closed.err.lowercased().contains("connect") || closed.err.lowercased().contains("refused"), "\(closed.err)")
        if let server = PostgresTestServer.server {
            var c = URLComponents(string: server)!
            c.password = "sai-mat-khau"
            let wrong = try CLI.run(["users", "list", "--db", c.string!])
            #expect(wrong.status == 2 && wrong.err.contains("password authentication failed") && wrong.err.contains("28P01"), "\(wrong.err)")
            #expect(!wrong.err.contains("sai-mat-khau"))
        }
    }
}

/// `giamngheo backup` (issue 19 §6): a consistent copy while the registry is in use, checked, and restored by
/// copying it back; on PostgreSQL through pg_dump, restored with pg_restore into a new database.
@Suite(.serialized) struct BackupTests {
    @Test func aSQLiteBackupIsConsistentAndRestores() async throws {
        let dir = try ImportCLITests.generated(80)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (db, args) = ImportCLITests.importing(dir)
        #expect(try CLI.run(args + ["--commit"]).status == 0)
        #expect(try CLI.run(["users", "create", "--username", "truoc", "--role", "admin", "--db", db]).status == 0)
        let copy = dir.appendingPathComponent("sao-luu/giamngheo.sqlite").path
        // Taken while a server has the registry open.
        let port = ProductionStartTests.freePort()
        let server = try ProductionStartTests.Server(["--db", db, "--port", String(port)], port: port)
        #expect(try await server.waitUntilServing(), "\(server.output)")
        let b = try CLI.run(["backup", "--db", db, "--out", copy])
        server.stop()
        #expect(b.status == 0 && b.out.contains("kiểm tra toàn vẹn: ok") && b.out.contains("1 tài khoản"), "\(b.out)\(b.err)")
        let households = try #require(b.out.firstMatch(of: /: (\d+) hộ/)).1
        #expect(Int(households)! > 80)
        // Never over an existing file.
        let again = try CLI.run(["backup", "--db", db, "--out", copy])
        #expect(again.status == 2 && again.err.contains("đã có"), "\(again.err)")
        // A change after the backup, then the restore: the copy back in place, the change gone, the summaries agree.
        #expect(try CLI.run(["users", "create", "--username", "sau", "--role", "admin", "--db", db]).status == 0)
        let path = String(db.dropFirst("sqlite:".count))
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: copy, toPath: path)
        let users = try CLI.run(["users", "list", "--db", db]).out
        #expect(users.contains("truoc") && !users.contains("sau"), "\(users)")
        #expect(try CLI.run(["verify-summaries", "--db", db, "--date", "2026-11-01"]).status == 0)
        let checked = try CLI.run(["backup", "--check", "--out", copy])
        #expect(checked.status == 0 && checked.out.contains("\(households) hộ"), "\(checked.out)\(checked.err)")
        // A file that is not a database is refused with its name.
        let junk = dir.appendingPathComponent("rac.sqlite").path
        FileManager.default.createFile(atPath: junk, contents: Data("không phải cơ sở dữ liệu".utf8))
        let bad = try CLI.run(["backup", "--check", "--out", junk])
        #expect(bad.status == 2, "\(bad.out)\(bad.err)")
    }

    @Test(.enabled(if: PostgresTestServer.server != nil, "needs a PostgreSQL server (GIAMNGHEO_TEST_POSTGRES; .ci/run starts one)"))
    func aPostgreSQLBackupRestoresIntoANewDatabase() async throws {
        let server = try #require(PostgresTestServer.server)
        let source = try PostgresTestServer.makeDatabase(server, prefix: "bk_")
        let target = try PostgresTestServer.makeDatabase(server, prefix: "rs_")
        defer { try? source.drop(); try? target.drop() }
        #expect(try CLI.run(["users", "create", "--username", "quantri", "--role", "admin", "--db", source.url]).status == 0)
        let dump = FileManager.default.temporaryDirectory.appendingPathComponent("bk-\(UUID().uuidString).dump").path
        defer { try? FileManager.default.removeItem(atPath: dump) }
        let b = try CLI.run(["backup", "--db", source.url, "--out", dump])
        #expect(b.status == 0, "\(b.out)\(b.err)")
        var c = URLComponents(string: target.url)!
        let password = c.password
        c.password = nil
        let restore = Process()
        restore.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        restore.arguments = ["pg_restore", "--no-owner", "-d", c.string!, dump]
        restore.environment = ProcessInfo.processInfo.environment.merging(["PGPASSWORD": password ?? ""]) { _, n in n }
        try restore.run(); restore.waitUntilExit()
        #expect(restore.terminationStatus == 0)
        #expect(try CLI.run(["users", "list", "--db", target.url]).out.contains("quantri"))
    }
}
