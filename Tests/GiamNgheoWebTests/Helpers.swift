import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import GiamNgheoTestSupport
import GiamNgheoWeb
import Testing
import Vapor
import VaporTesting

typealias Account = DemoAccount

/// A fresh app on its own database, with the demo seeded small: in-memory SQLite by default, or a new
/// PostgreSQL database per test when GIAMNGHEO_TEST_POSTGRES names a server (CI runs the suite on both).
func withTestApp(households: Int = 120, sqliteFile: Bool = false, config adjust: (inout AppConfig) -> Void = { _ in },
                 _ body: (Application, [Account]) async throws -> Void) async throws {
    let app = try await Application.make(.testing)
    app.logger.logLevel = .warning   // keep CI output to test results, not migration chatter
    var dropDatabase: (() throws -> Void)?
    do {
        var config = AppConfig()
        config.database = .sqliteMemory
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("giamngheo-test-\(UUID().uuidString).sqlite").path
        if sqliteFile {
            // A real file, as `serve` uses: several connections, WAL, one writer at a time.
            config.database = .sqliteFile(file)
            dropDatabase = { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) } }
        }
        if let server = PostgresTestServer.server {
            let made = try PostgresTestServer.makeDatabase(server, prefix: "t_")
            dropDatabase = made.drop
            config.database = .postgres(made.url)
        }
        config.demoHouseholds = households
        config.passwordCost = 4
        config.referenceDate = CivilDate(year: 2026, month: 11, day: 1)
        config.importDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("giamngheo-imports-\(UUID().uuidString)").path
        let imports = config.importDirectory
        let drop = dropDatabase
        dropDatabase = { try? FileManager.default.removeItem(atPath: imports); try drop?() }
        adjust(&config)
        let accounts = try await configure(app, config)
        try await body(app, accounts)
    } catch {
        try? await app.asyncShutdown()
        try? dropDatabase?()
        throw error
    }
    try await app.asyncShutdown()
    try dropDatabase?()
}

/// Talks to the app in-process like a browser: keeps the session cookie and the page's CSRF token.
struct Browser {
    let app: Application
    var cookie: String?
    /// The language cookie a `/lang/en` switch sets, sent back like the session's.
    var language: String?
    var csrf: String?
    var lastBody = ""

    init(_ app: Application) { self.app = app }

    mutating func get(_ path: String) async throws -> (status: HTTPStatus, body: String, location: String?) {
        try await send(.GET, path, form: nil)
    }

    mutating func post(_ path: String, _ form: [String: String], csrf useToken: Bool = true) async throws -> (status: HTTPStatus, body: String, location: String?) {
        var f = form
        if useToken, let csrf { f["_csrf"] = csrf }
        return try await send(.POST, path, form: f)
    }

    /// A form with repeated fields (check boxes named `members[]`), sent as the browser would.
    mutating func post(_ path: String, pairs: [(String, String)]) async throws -> (status: HTTPStatus, body: String, location: String?) {
        var all = pairs
        if let csrf { all.append(("_csrf", csrf)) }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let body = all.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
        return try await send(.POST, path, form: nil, raw: body)
    }

    private mutating func send(_ method: HTTPMethod, _ path: String, form: [String: String]?, raw: String? = nil) async throws -> (status: HTTPStatus, body: String, location: String?) {
        var out: (HTTPStatus, String, String?) = (.ok, "", nil)
        let cookies = [cookie.map { "giamngheo_session=\($0)" }, language.map { "lang=\($0)" }].compactMap { $0 }.joined(separator: "; ")
        try await app.testing().test(method, path, beforeRequest: { req in
            if !cookies.isEmpty { req.headers.replaceOrAdd(name: .cookie, value: cookies) }
            if let form { try req.content.encode(form, as: .urlEncodedForm) }
            if let raw {
                req.headers.contentType = .urlEncodedForm
                req.body = ByteBuffer(string: raw)
            }
        }, afterResponse: { res async in
            out = (res.status, res.body.string, res.headers.first(name: .location))
            if let c = res.headers.setCookie?["giamngheo_session"] { self.cookie = c.string }
            if let l = res.headers.setCookie?["lang"] { self.language = l.string }
        })
        lastBody = out.1
        if let range = out.1.range(of: "name=\"_csrf\" value=\"") {
            let rest = out.1[range.upperBound...]
            csrf = String(rest[..<rest.firstIndex(of: "\"")!])
        }
        return out
    }

    /// A multipart upload, as a file input sends it.
    mutating func upload(_ path: String, files: [(field: String, name: String, data: Data)]) async throws -> (status: HTTPStatus, body: String, location: String?) {
        let boundary = "----giamngheo\(UUID().uuidString.prefix(8))"
        var body = Data()
        func part(_ header: String, _ data: Data) {
            body.append(Data("--\(boundary)\r\n\(header)\r\n\r\n".utf8)); body.append(data); body.append(Data("\r\n".utf8))
        }
        if let csrf { part("Content-Disposition: form-data; name=\"_csrf\"", Data(csrf.utf8)) }
        for f in files {
            part("Content-Disposition: form-data; name=\"\(f.field)\"; filename=\"\(f.name)\"\r\nContent-Type: application/octet-stream", f.data)
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        var out: (HTTPStatus, String, String?) = (.ok, "", nil)
        let cookie = self.cookie
        try await app.testing().test(.POST, path, beforeRequest: { req in
            if let cookie { req.headers.replaceOrAdd(name: .cookie, value: "giamngheo_session=\(cookie)") }
            req.headers.contentType = HTTPMediaType(type: "multipart", subType: "form-data", parameters: ["boundary": boundary])
            req.body = ByteBuffer(data: body)
        }, afterResponse: { res async in
            out = (res.status, res.body.string, res.headers.first(name: .location))
        })
        lastBody = out.1
        return out
    }

    mutating func login(_ a: Account) async throws {
        _ = try await get("/login")
        let r = try await post("/login", ["username": a.username, "password": a.password])
        #expect(r.status == .seeOther, "login \(a.username): \(r.status)")
        _ = try await get("/households")
    }
}

extension Array where Element == Account {
    func first(_ role: Role) -> Account { first { $0.role == role }! }
    func named(_ prefix: String) -> [Account] { filter { $0.username.hasPrefix(prefix) } }
}

extension Account {
    /// What this account may reach, for calling the stores directly as the pages do.
    func scope(_ app: Application) -> Scope { Scope(username: username, role: role, units: units, adminUnits: app.registry.units) }
}

/// A binary download in the browser's session, saved to a temporary .xlsx (the Browser keeps text bodies).
func download(_ app: Application, _ b: Browser, _ path: String) async throws -> URL {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("dl-\(UUID()).xlsx")
    try await downloadBytes(app, b, path, type: "vnd.openxmlformats-officedocument.spreadsheetml.sheet").write(to: file)
    return file
}

/// The bytes of a download in the browser's session; it must answer 200 with this media subtype.
func downloadBytes(_ app: Application, _ b: Browser, _ path: String, type subtype: String) async throws -> Data {
    var bytes = Data()
    let cookie = try #require(b.cookie)
    try await app.testing().test(.GET, path, beforeRequest: { req in
        req.headers.replaceOrAdd(name: .cookie, value: "giamngheo_session=\(cookie)")
    }, afterResponse: { res async in
        #expect(res.status == .ok && res.headers.contentType?.subType == subtype, "\(path): \(res.status) \(res.body.string.prefix(300))")
        bytes = Data(res.body.readableBytesView)
    })
    return bytes
}

/// The province opens 2026's rounds; the first commune officer, signed in, is on their commune's round page.
func openedRound(_ app: Application, _ accounts: [Account]) async throws -> (round: ReviewRound, officer: Browser, commune: String) {
    let account = accounts.first(.communeOfficer)
    var p = Browser(app)
    try await p.login(accounts.first(.provinceOfficer))
    _ = try await p.get("/reviews")
    _ = try await p.post("/reviews/open", ["province": "46", "year": "2026"])
    let round = try #require(try await ReviewRound.query(on: app.db).filter(\.$communeCode == account.units[0]).first())
    var o = Browser(app)
    try await o.login(account)
    _ = try await o.get("/reviews/\(round.id!)")
    return (round, o, account.units[0])
}
