import Foundation
import GiamNgheoTestSupport
import Testing

/// A signed-in officer driven with curl (the client the drills use): one cookie jar, the session's CSRF token
/// sent as a header, redirects not followed.
struct CurlOfficer {
    let base: String
    let jar: String
    var csrf = ""

    init(port: Int, dir: URL) {
        base = "http://127.0.0.1:\(port)"
        jar = dir.appendingPathComponent("cookies-\(UUID().uuidString).txt").path
    }

    /// The status and body of one request; `args` are curl's own (a form, files, a method).
    func call(_ path: String, _ args: [String] = []) throws -> (status: Int, body: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["curl", "-s", "-b", jar, "-c", jar, "-w", "\n%{http_code}", "-H", "X-CSRF-Token: \(csrf)"] + args + [base + path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard p.terminationStatus == 0, let cut = text.lastIndex(of: "\n") else { return (0, text) }
        return (Int(text[text.index(after: cut)...]) ?? 0, String(text[..<cut]))
    }

    /// Signs in and keeps the signed-in session's token (a new one is issued at sign-in).
    mutating func signIn(_ username: String, _ password: String) throws {
        csrf = try Self.token(call("/login").body)
        let r = try call("/login", ["--data-urlencode", "_csrf=\(csrf)", "--data-urlencode", "username=\(username)",
                                    "--data-urlencode", "password=\(password)"])
        #expect(r.status == 303, "sign-in: \(r.status) \(r.body.prefix(300))")
        csrf = try Self.token(call("/imports").body)
    }

    static func token(_ page: String) throws -> String {
        String(try #require(page.firstMatch(of: /name="_csrf" value="([^"]+)"/), "no CSRF token in \(page.prefix(300))").1)
    }

    /// The batch's progress (the JSON the page polls) until `until` says so or the time is up.
    func waitForProgress(_ id: String, timeout: TimeInterval = 300, until: ([String: String]) -> Bool) throws -> [String: String] {
        let deadline = Date().addingTimeInterval(timeout)
        var last: [String: String] = [:]
        while Date() < deadline {
            let r = try call("/imports/\(id)/progress")
            last = (try? JSONDecoder().decode([String: String].self, from: Data(r.body.utf8))) ?? ["status": String(r.status)]
            if until(last) { return last }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return last
    }
}

extension ProductionStartTests {
    /// The server killed while a web upload commits (the write runs in the background, by COPY on PostgreSQL):
    /// nothing of the file is in the registry, the batch says it was interrupted, and checked again it commits.
    @Test func aWebImportKilledWhileItWritesLeavesTheRegistryAsItWas() async throws {
        let (db, drop) = try Self.database()
        defer { drop() }
        // Large enough (over the 2 MB written inline) for the upload's check and commit to run in the background.
        let dir = try ImportCLITests.generated(6000)
        defer { try? FileManager.default.removeItem(at: dir) }
        let households = dir.appendingPathComponent("households.csv"), members = dir.appendingPathComponent("members.csv")
        let made = try CLI.run(["users", "create", "--username", "quantri", "--role", "admin", "--db", db])
        let password = try #require(made.out.split(separator: "\n").last.map(String.init))
        var args = ImportCLITests.importing(dir).args
        args[args.firstIndex(of: "--db")! + 1] = db

        let port = Self.freePort()
        let server = try Server(["--no-demo", "--db", db, "--port", String(port)], port: port)
        defer { server.stop() }
        #expect(try await server.waitUntilServing(), "\(server.output)")
        var officer = CurlOfficer(port: port, dir: dir)
        try officer.signIn("quantri", password)
        let upload = try officer.call("/imports", ["-F", "file=@\(households.path)", "-F", "members=@\(members.path)"])
        #expect(upload.status == 303, "upload: \(upload.status) \(upload.body.prefix(300))")
        let id = try #require(try officer.call("/imports").body.firstMatch(of: /\/imports\/(\d+)/)).1
        let checked = try officer.waitForProgress(String(id)) { $0["done"] == "true" }
        #expect(checked["done"] == "true", "the dry run did not end: \(checked)")
        let page = try officer.call("/imports/\(id)").body
        #expect(page.contains("/imports/\(id)/commit"), "no commit button: \(page.prefix(2000))")

        let commit = try officer.call("/imports/\(id)/commit", ["-X", "POST", "--data", ""])
        #expect(commit.status == 303, "commit: \(commit.status) \(commit.body.prefix(300))")
        // Rows are being written inside the transaction: the progress counts households in the writing phase.
        let writing = try officer.waitForProgress(String(id)) { $0["done"] == "true" || ($0["phase"] == "Đang ghi" && (Int($0["rows"] ?? "") ?? 0) > 0) }
        #expect(writing["done"] == "false" && server.process.isRunning, "the commit ended before it could be killed: \(writing)")
        // The share comes from the households the check counted, not from a read buffer that swallowed the file.
        #expect(Int(writing["percent"] ?? "") ?? 100 < 99, "\(writing)")
        // The import holds its own connection: pages answer while it writes (one per event loop would be taken).
        for _ in 0..<4 { #expect(try officer.call("/households").status == 200) }
        let still = try officer.call("/imports/\(id)/progress").body
        #expect(still.contains("Đang ghi"), "the commit ended before it could be killed: \(still)")
        kill(server.process.processIdentifier, SIGKILL)
        server.process.waitUntilExit()
        #expect(server.process.terminationReason == .uncaughtSignal)

        // Nothing of the file is in the registry: a dry run finds every household new.
        let after = try CLI.run(args)
        let m = try #require(after.out.firstMatch(of: /Hộ trong tệp: (\d+) · mới: (\d+) · thay đổi: 0 · không đổi: 0/), "\(after.out)\(after.err)")
        #expect(Int(m.2)! >= 5000, "every household of the file is new again: \(after.out)")

        // Started again, the batch says it was interrupted; checked again, it commits whole.
        let again = try Server(["--no-demo", "--db", db, "--port", String(port)], port: port)
        defer { again.stop() }
        #expect(try await again.waitUntilServing(), "\(again.output)")
        var next = CurlOfficer(port: port, dir: dir)
        try next.signIn("quantri", password)
        let interrupted = try next.call("/imports/\(id)").body
        #expect(interrupted.contains("đã bị gián đoạn") && interrupted.contains("Không có gì được ghi nửa chừng"), "\(interrupted.prefix(2000))")
        #expect(try next.call("/imports/\(id)/recheck", ["-X", "POST", "--data", ""]).status == 303)
        #expect(try next.waitForProgress(String(id)) { $0["done"] == "true" }["done"] == "true")
        #expect(try next.call("/imports/\(id)/commit", ["-X", "POST", "--data", ""]).status == 303)
        #expect(try next.waitForProgress(String(id)) { $0["done"] == "true" }["done"] == "true")
        let done = try CLI.run(args)
        let batchPage = try next.call("/imports/\(id)").body
        let d = try #require(done.out.firstMatch(of: /Hộ trong tệp: (\d+) · mới: 0 · thay đổi: 0 · không đổi: (\d+)/),
                             "\(again.output.suffix(3000))\n\(batchPage.firstMatch(of: /<main>[\s\S]*<\/main>/)?.0 ?? "")")
        #expect(d.1 == m.1 && d.2 == m.2, "\(done.out)")
    }
}
