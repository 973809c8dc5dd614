import ArgumentParser
import AsyncHTTPClient
import Foundation
import GiamNgheoStorage
import NIOCore
import NIOHTTP1
#if canImport(Glibc)
import Glibc
#endif

/// `giamngheo bench season`: a day of the review season against a real server on an existing registry, SQLite
/// and PostgreSQL one after the other in the same run. N signed-in officials (each with their own session) for
/// D seconds: lists, name searches, household pages, survey saves, report tables and the dashboard, in the
/// proportions of a review day, while a file of another province is imported and committed. Then every household
/// saved is read back: its version must have gone up by exactly the number of saves that succeeded (no lost update).
struct SeasonBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "season",
        abstract: "Mùa rà soát: N kết nối đồng thời, hỗn hợp yêu cầu trong D giây, trong khi nhập một tệp; SQLite và PostgreSQL cùng lần chạy.",
        discussion: """
        Cần sổ hộ có sẵn (ví dụ 1 000 000 hộ tỉnh 46 nhập bằng giamngheo import) và một tệp hộ của tỉnh khác để nhập trong lúc chạy.
        Bản release: swift run -c release giamngheo bench season --sqlite DIR/ho.sqlite --postgres postgres://… --import-file 48/households.csv --import-members 48/members.csv
        """)

    @Option(help: "Sổ hộ SQLite có sẵn (đường dẫn tệp).") var sqlite: String?
    @Option(help: "Sổ hộ PostgreSQL có sẵn (postgres://…).") var postgres: String?
    @Option(help: "Số người dùng đồng thời (mỗi người một phiên, một kết nối).") var connections = 100
    @Option(help: "Thời gian mỗi lần chạy (giây).") var duration = 300
    @Option(help: "Tỉnh của sổ hộ (tài khoản cán bộ tỉnh).") var province = "46"
    @Option(help: "Tệp hộ (CSV) nhập và ghi trong lúc chạy.") var importFile: String?
    @Option(help: "Tệp nhân khẩu (CSV) của tệp nhập.") var importMembers: String?
    @Option(help: "Bắt đầu nhập sau bao nhiêu giây.") var importDelay = 20
    @Option(help: "Mức nhường CPU của lệnh nhập (giamngheo import --nice; mặc định như lệnh nhập).") var importNice: Int?
    @Option(help: "Thời gian đọc/nhập liệu của một người giữa hai yêu cầu (ms, trung bình; 0 = gửi liên tục, mức tải cao nhất).")
    var thinkMs = 0

    /// A review day's mix: most work is opening households and lists, a save for every few pages read.
    static let mix: [(Kind, Int)] = [(.list, 25), (.search, 15), (.household, 30), (.save, 15), (.report, 10), (.dashboard, 5)]
    enum Kind: String, CaseIterable, Sendable { case list, search, household, save, report, dashboard }
    static let searches = ["nguyen", "tran thi", "hoa", "le van", "pham", "minh", "lan", "hoang", "thi thu", "duc"]

    /// `at`: when the request started, in uptime nanoseconds (to tell the requests made during the import).
    struct Sample: Sendable { var kind: Kind; var ms: Double; var outcome: Outcome; var at: UInt64 = 0 }
    enum Outcome: Sendable { case ok, conflict, error(String) }

    struct Result: Sendable {
        var label: String
        var samples: [Sample]
        var importSeconds: Double?
        var importOK: Bool
        /// While the file was being imported (uptime nanoseconds).
        var importWindow: ClosedRange<UInt64>?
        var saved: Int
        var lost: Int
        var seconds: Double
    }

    func run() async throws {
        var targets: [(String, String)] = []
        if let sqlite { targets.append(("SQLite", "sqlite:" + sqlite)) }
        if let postgres { targets.append(("PostgreSQL", postgres)) }
        guard !targets.isEmpty else { throw fail("cần --sqlite hoặc --postgres (hoặc cả hai)") }
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).path
        var results: [Result] = []
        for (label, db) in targets {
            print("\(label): \(connections) người dùng, \(duration) s…")
            results.append(try await season(label: label, db: db, me: me))
        }
        print("\n| cơ sở dữ liệu | yêu cầu | số lượt | lỗi | xung đột | p50 ms | p99 ms | lượt/s |")
        print("|---|---|---|---|---|---|---|---|")
        for r in results {
            for kind in Kind.allCases {
                let s = r.samples.filter { $0.kind == kind }
                guard !s.isEmpty else { continue }
                let ms = s.map(\.ms).sorted()
                let errors = s.filter { if case .error = $0.outcome { return true }; return false }.count
                let conflicts = s.filter { if case .conflict = $0.outcome { return true }; return false }.count
                print("| \(r.label) | \(kind.rawValue) | \(s.count) | \(errors) | \(conflicts) | \(Self.f(Self.percentile(ms, 0.5))) | \(Self.f(Self.percentile(ms, 0.99))) | \(Self.f(Double(s.count) / r.seconds)) |")
            }
        }
        // The same requests split by whether the import was running when they started: what the import costs them.
        print("\n| cơ sở dữ liệu | yêu cầu | ngoài lúc nhập: số lượt | p50 / p99 ms | trong lúc nhập: số lượt | p50 / p99 ms |")
        print("|---|---|---|---|---|---|")
        for r in results {
            guard let w = r.importWindow else { continue }
            for kind in Kind.allCases {
                let s = r.samples.filter { $0.kind == kind }
                guard !s.isEmpty else { continue }
                let during = s.filter { w.contains($0.at) }.map(\.ms).sorted(), outside = s.filter { !w.contains($0.at) }.map(\.ms).sorted()
                func cell(_ ms: [Double]) -> String { "\(ms.count) | \(Self.f(Self.percentile(ms, 0.5))) / \(Self.f(Self.percentile(ms, 0.99)))" }
                print("| \(r.label) | \(kind.rawValue) | \(cell(outside)) | \(cell(during)) |")
            }
        }
        for r in results {
            let errors = r.samples.compactMap { if case .error(let e) = $0.outcome { return e }; return nil }
            print("\(r.label): \(r.samples.count) yêu cầu, \(errors.count) lỗi\(errors.first.map { " (ví dụ: \($0))" } ?? ""); "
                  + "nhập trong lúc chạy: \(r.importSeconds.map { Self.f($0) + " s" } ?? "không")\(r.importOK ? "" : " THẤT BẠI"); "
                  + "\(r.saved) hộ được lưu, mất cập nhật: \(r.lost)")
        }
    }

    static func f(_ x: Double) -> String { String(format: x < 10 ? "%.1f" : "%.0f", x) }
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    func season(label: String, db: String, me: String) async throws -> Result {
        guard let choice = DatabaseChoice.parse(db) else { throw fail("cơ sở dữ liệu '\(db)' không hợp lệ") }
        // The saves of the season are the communes' work: each official is a commune officer of one commune.
        let sample = try await RegistrySample.households(choice, province: province, limit: connections * 40)
        let byCommune = Dictionary(grouping: sample, by: \.commune).filter { $0.value.count >= 8 }
        let communes = Array(byCommune.keys.sorted().prefix(connections))
        guard !communes.isEmpty else { throw fail("sổ hộ có quá ít hộ của tỉnh \(province)") }
        let tag = String(UInt16.random(in: 0...UInt16.max), radix: 16)
        var accounts: [String: (String, String)] = [:]
        for c in communes {
            let username = "mua\(tag)-\(c)"
            let made = try ImportBench.measure([me, "users", "create", "--username", username, "--role", "communeOfficer", "--units", c, "--db", db])
            guard made.status == 0, let password = made.out.split(separator: "\n").last.map(String.init) else { throw fail("không tạo được tài khoản") }
            accounts[c] = (username, password)
        }
        let port = Self.freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: me)
        server.arguments = ["serve", "--db", db, "--port", String(port), "--no-demo", "--date", "2026-11-01", "--log-level", "warning"]
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("season-\(label)-\(port).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        server.standardOutput = logHandle; server.standardError = logHandle
        try server.run()
        defer { if server.isRunning { server.terminate(); server.waitUntilExit() } }

        var config = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: .seconds(120)))
        config.connectionPool = .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: connections + 8)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        do {
            let r = try await load(label: label, db: db, choice: choice, me: me, client: client, server: server, port: port, log: log,
                                   accounts: accounts, byCommune: byCommune, communes: communes)
            try await client.shutdown()
            return r
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    func load(label: String, db: String, choice: DatabaseChoice, me: String, client: HTTPClient, server: Process, port: Int, log: URL,
              accounts: [String: (String, String)], byCommune: [String: [RegistrySample.Household]], communes: [String]) async throws -> Result {
        let base = "http://127.0.0.1:\(port)"
        let deadline = Date().addingTimeInterval(180)
        while Date() < deadline {
            if (try? await client.execute(HTTPClientRequest(url: base + "/health"), timeout: .seconds(2)).status) == .ok { break }
            guard server.isRunning else { throw fail("máy chủ dừng khi khởi động; xem \(log.path)") }
            try await Task.sleep(for: .milliseconds(300))
        }

        // Each official signs in (bcrypt is slow on purpose: a few at a time).
        var users: [User] = []
        for start in stride(from: 0, to: connections, by: 4) {
            try await withThrowingTaskGroup(of: User.self) { group in
                for i in start..<min(start + 4, connections) {
                    let (username, password) = accounts[communes[i % communes.count]]!
                    group.addTask {
                        var u = User(index: i, base: base, client: client)
                        try await u.signIn(username, password)
                        return u
                    }
                }
                for try await u in group { users.append(u) }
            }
        }
        users.sort { $0.index < $1.index }
        // Each official edits only their own households (their commune's, shared out among the officials of the
        // commune), so that a save conflicts with nobody's.
        let owned: [[RegistrySample.Household]] = (0..<connections).map { i in
            let c = communes[i % communes.count], all = byCommune[c]!
            let peers = (0..<connections).filter { $0 % communes.count == i % communes.count }
            let k = peers.firstIndex(of: i)!
            return stride(from: k, to: all.count, by: peers.count).map { all[$0] }
        }
        let sample = byCommune.values.flatMap { $0 }

        let t0 = Date()
        let end = t0.addingTimeInterval(Double(duration))
        let importTask: Task<(Double, Bool, ClosedRange<UInt64>)?, Never> = Task { [importFile, importMembers, importDelay, importNice] in
            guard let importFile else { return nil }
            try? await Task.sleep(for: .seconds(importDelay))
            var args = [me, "import", importFile, "--db", db, "--commit", "--date", "2026-11-01", "--show", "0"]
            if let importMembers { args += ["--members", importMembers] }
            if let importNice { args += ["--nice", String(importNice)] }
            let started = DispatchTime.now().uptimeNanoseconds
            guard let m = try? ImportBench.measure(args) else { return (0, false, started...started) }
            return (m.seconds, m.status == 0, started...DispatchTime.now().uptimeNanoseconds)
        }
        let runs = try await withThrowingTaskGroup(of: ([Sample], [Int: Int]).self) { group in
            for (i, user) in users.enumerated() {
                let mine = owned[i]
                group.addTask {
                    var u = user
                    var samples: [Sample] = []
                    var saves: [Int: Int] = [:]
                    var versions = Dictionary(uniqueKeysWithValues: mine.map { ($0.id, $0.version) })
                    var rng = SystemRandomNumberGenerator()
                    while Date() < end {
                        if thinkMs > 0 { try await Task.sleep(for: .milliseconds(Int.random(in: 0...(2 * thinkMs), using: &rng))) }
                        let kind = Self.pick(&rng)
                        let h = mine[Int.random(in: 0..<mine.count, using: &rng)]
                        let started = DispatchTime.now().uptimeNanoseconds
                        var outcome = Outcome.ok
                        do {
                            switch kind {
                            case .list:
                                let c = h.commune
                                outcome = try await u.get("/households?commune=\(c)\(Bool.random(using: &rng) ? "&category=poor" : "")")
                            case .search:
                                let q = Self.searches[Int.random(in: 0..<Self.searches.count, using: &rng)]
                                outcome = try await u.get("/households?q=\(q.replacingOccurrences(of: " ", with: "+"))")
                            case .household:
                                outcome = try await u.get("/households/\(h.id)")
                            case .save:
                                let v = versions[h.id]!
                                outcome = try await u.save(h.id, version: v, internet: v % 2 == 0)
                                if case .ok = outcome { versions[h.id] = v + 1; saves[h.id, default: 0] += 1 }
                                if case .conflict = outcome { versions[h.id] = try await u.version(h.id) ?? v }
                            case .report:
                                outcome = try await u.get("/reports/ket-qua?year=2026&structure=2025&unit=\(h.commune)")
                            case .dashboard:
                                outcome = try await u.get("/dashboard")
                            }
                        } catch {
                            outcome = .error("\(error)")
                        }
                        samples.append(Sample(kind: kind, ms: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6, outcome: outcome, at: started))
                    }
                    return (samples, saves)
                }
            }
            var all: [([Sample], [Int: Int])] = []
            for try await r in group { all.append(r) }
            return all
        }
        let seconds = Date().timeIntervalSince(t0)
        let imported = await importTask.value
        let samples = runs.flatMap(\.0)
        var saves: [Int: Int] = [:]
        for (_, s) in runs { saves.merge(s) { $0 + $1 } }
        let before = Dictionary(uniqueKeysWithValues: sample.map { ($0.id, $0.version) })
        let now = try await RegistrySample.versions(choice, ids: Array(saves.keys))
        let lost = saves.filter { id, n in now[id] != (before[id] ?? 0) + n }.count
        server.terminate(); server.waitUntilExit()
        return Result(label: label, samples: samples, importSeconds: imported?.0, importOK: imported?.1 ?? true, importWindow: imported?.2,
                      saved: saves.count, lost: lost, seconds: seconds)
    }

    static func pick(_ rng: inout SystemRandomNumberGenerator) -> Kind {
        var r = Int.random(in: 0..<100, using: &rng)
        for (k, w) in mix { if r < w { return k }; r -= w }
        return .household
    }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// One signed-in official: their session cookie and CSRF token.
    struct User: Sendable {
        let index: Int
        let base: String
        let client: HTTPClient
        var cookie = ""
        var csrf = ""

        init(index: Int, base: String, client: HTTPClient) { self.index = index; self.base = base; self.client = client }

        mutating func send(_ method: HTTPMethod, _ path: String, form: [(String, String)] = []) async throws -> (HTTPResponseStatus, String) {
            var req = HTTPClientRequest(url: base + path)
            req.method = method
            if !cookie.isEmpty { req.headers.add(name: "Cookie", value: "giamngheo_session=\(cookie)") }
            if !form.isEmpty {
                let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
                let body = form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&")
                req.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                req.body = .bytes(ByteBuffer(string: body))
            }
            let res = try await client.execute(req, timeout: .seconds(120))
            for c in res.headers["Set-Cookie"] where c.hasPrefix("giamngheo_session=") {
                cookie = String(c.dropFirst("giamngheo_session=".count).prefix { $0 != ";" })
            }
            let body = try await res.body.collect(upTo: 64 << 20)
            return (res.status, String(buffer: body))
        }

        static func token(_ page: String) -> String? {
            guard let r = page.range(of: "name=\"_csrf\" value=\"") else { return nil }
            let rest = page[r.upperBound...]
            return String(rest.prefix { $0 != "\"" })
        }

        mutating func signIn(_ username: String, _ password: String) async throws {
            let (_, login) = try await send(.GET, "/login")
            let (status, _) = try await send(.POST, "/login", form: [("_csrf", Self.token(login) ?? ""), ("username", username), ("password", password)])
            guard status == .seeOther else { throw UserError(message: "đăng nhập thất bại: \(status)") }
            let (_, page) = try await send(.GET, "/households")
            csrf = Self.token(page) ?? ""
        }

        mutating func get(_ path: String) async throws -> Outcome {
            let (status, _) = try await send(.GET, path)
            return status == .ok ? .ok : .error("GET \(path): \(status.code)")
        }

        mutating func save(_ id: Int, version: Int, internet: Bool) async throws -> Outcome {
            let (status, _) = try await send(.POST, "/households/\(id)/edit", form: [
                ("_csrf", csrf), ("version", String(version)), ("reason", "Phiếu B: cập nhật thông tin"), ("usesInternet", internet ? "true" : "false")])
            switch status {
            case .seeOther: return .ok
            case .conflict: return .conflict
            default: return .error("POST lưu hộ \(id): \(status.code)")
            }
        }

        /// The version the edit form shows now (after a conflict, as an official reloads the page).
        mutating func version(_ id: Int) async throws -> Int? {
            let (_, page) = try await send(.GET, "/households/\(id)/edit")
            guard let r = page.range(of: "name=\"version\" value=\"") else { return nil }
            return Int(page[r.upperBound...].prefix { $0 != "\"" })
        }
    }
}
