import ArgumentParser
import AsyncHTTPClient
import Foundation
import GiamNgheoStorage

/// `giamngheo bench nation`: the nation's registry grows province by province (each 1 M generated households,
/// imported by `giamngheo import --commit`, COPY on PostgreSQL) and after each one every province loaded so far is
/// timed through the running server: its list, search, household page and report, and the national report (from
/// the summaries). With the tables partitioned by province, a province's times should not grow as others arrive.
struct NationBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nation",
        abstract: "Sổ hộ toàn quốc lớn dần theo tỉnh: nhập từng tỉnh (mặc định 1 triệu hộ) rồi đo danh sách, tìm kiếm, trang hộ, báo cáo của mỗi tỉnh.",
        discussion: """
        Bản release: swift run -c release giamngheo bench nation --db postgres://…/nation --work /tmp/nation. Tệp sinh ra trong --work được \
        dùng lại; tỉnh đã có hộ trong --db không nhập lại (chạy tiếp được sau khi dừng).
        """)
    @Option(help: "Cơ sở dữ liệu (postgres://… hoặc sqlite:ĐƯỜNG_DẪN), trống hoặc đã có một số tỉnh.") var db: String
    @Option(help: "Các tỉnh (mã 2025), theo thứ tự nhập.") var provinces = "46,48,01"
    @Option(help: "Số hộ mỗi tỉnh.") var households = 1_000_000
    @Option(help: "Thư mục tệp sinh ra (dùng lại khi đã có).") var work: String
    @Option(help: "Số lượt đo mỗi loại trang mỗi tỉnh.") var requests = 30

    enum Kind: String, CaseIterable { case list = "danh sách xã", provinceList = "danh sách tỉnh", search = "tìm tên (tỉnh)", household = "trang hộ", report = "báo cáo tỉnh" }
    struct Row { var loaded: Int; var province: String; var kind: String; var ms: [Double] }

    func run() async throws {
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).path
        guard let choice = DatabaseChoice.parse(db) else { throw UserError(message: "cơ sở dữ liệu '\(db)' không hợp lệ") }
        let list = provinces.split(separator: ",").map(String.init)
        var rows: [Row] = []
        var imports: [(String, Double)] = []
        for (i, p) in list.enumerated() {
            let dir = (work as NSString).appendingPathComponent("p\(p)")
            if !FileManager.default.fileExists(atPath: dir + "/members.csv") {
                say("Sinh \(households) hộ của tỉnh \(p)…")
                let g = try ImportBench.measure([me, "generate", "--province", p, "--households", String(households), "--no-stories",
                                                 "--seed", String(20 + i), "--out", dir])
                guard g.status == 0 else { throw UserError(message: "sinh dữ liệu tỉnh \(p) thất bại") }
            }
            if (try? await RegistrySample.households(choice, province: p, limit: 1).isEmpty) ?? true {
                say("Nhập tỉnh \(p) (giamngheo import --commit)…")
                let m = try ImportBench.measure([me, "import", dir + "/households.csv", "--members", dir + "/members.csv", "--db", db,
                                                 "--commit", "--date", "2026-11-01", "--show", "0"])
                guard m.status == 0 else { throw UserError(message: "nhập tỉnh \(p) thất bại: \(m.out)") }
                say(String(format: "  %.0f s (%.0f hộ/giây)", m.seconds, Double(households) / m.seconds))
                imports.append((p, m.seconds))
            }
            rows += try await round(Array(list.prefix(i + 1)), choice: choice, me: me)
        }
        say("\n| tỉnh đã nạp | tỉnh | trang | p50 ms | p95 ms | max ms |")
        say("|---|---|---|---|---|---|")
        for r in rows {
            let s = r.ms.sorted()
            say("| \(r.loaded) | \(r.province) | \(r.kind) | \(SeasonBench.f(SeasonBench.percentile(s, 0.5))) | \(SeasonBench.f(SeasonBench.percentile(s, 0.95))) | \(SeasonBench.f(s.last ?? 0)) |")
        }
        for (p, s) in imports { say(String(format: "Nhập tỉnh %@: %.0f s", p, s)) }
    }

    /// One server on the registry as it now is; each loaded province timed by its own officers, then the nation.
    func round(_ loaded: [String], choice: DatabaseChoice, me: String) async throws -> [Row] {
        say("Đo với \(loaded.count) tỉnh…")
        let tag = String(UInt16.random(in: 0...UInt16.max), radix: 16)
        func account(_ role: String, _ units: String?) throws -> (String, String) {
            let username = "qg\(tag)-\(role.prefix(1))\(units ?? "all")"   // user names are lower-case
            var args = [me, "users", "create", "--username", username, "--role", role, "--db", db]
            if let units { args += ["--units", units] }
            let made = try ImportBench.measure(args)
            guard made.status == 0, let password = made.out.split(separator: "\n").last.map(String.init) else {
                throw UserError(message: "không tạo được tài khoản \(username): \(made.out)")
            }
            return (username, password)
        }
        let port = SeasonBench.freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: me)
        server.arguments = ["serve", "--db", db, "--port", String(port), "--no-demo", "--date", "2026-11-01", "--log-level", "warning"]
        try server.run()
        defer { if server.isRunning { server.terminate(); server.waitUntilExit() } }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        do {
            let rows = try await measure(loaded, choice: choice, client: client, base: "http://127.0.0.1:\(port)", server: server, account: account)
            try await client.shutdown()
            return rows
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    func measure(_ loaded: [String], choice: DatabaseChoice, client: HTTPClient, base: String, server: Process,
                 account: (String, String?) throws -> (String, String)) async throws -> [Row] {
        for _ in 0..<600 {
            if (try? await client.execute(HTTPClientRequest(url: base + "/health"), timeout: .seconds(2)).status) == .ok { break }
            guard server.isRunning else { throw UserError(message: "máy chủ dừng khi khởi động") }
            try await Task.sleep(for: .milliseconds(300))
        }
        /// Each path once, in order; the first two only warm up.
        func timed(_ u: inout SeasonBench.User, _ paths: [String]) async throws -> [Double] {
            var out: [Double] = []
            for (i, path) in paths.enumerated() {
                let t = DispatchTime.now().uptimeNanoseconds
                let (status, _) = try await u.send(.GET, path)
                guard status == .ok else { throw UserError(message: "GET \(path): \(status.code)") }
                if i >= 2 { out.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6) }
            }
            return out
        }
        let n = requests + 2
        var rows: [Row] = []
        for p in loaded {
            let sample = try await RegistrySample.households(choice, province: p, limit: 2000)
            let commune = Dictionary(grouping: sample, by: \.commune).max { $0.value.count < $1.value.count }!.key
            var officer = SeasonBench.User(index: 0, base: base, client: client)
            var communeOfficer = SeasonBench.User(index: 1, base: base, client: client)
            let (u1, p1) = try account("provinceOfficer", p), (u2, p2) = try account("communeOfficer", commune)
            try await officer.signIn(u1, p1)
            try await communeOfficer.signIn(u2, p2)
            func add(_ kind: Kind, _ ms: [Double]) { rows.append(Row(loaded: loaded.count, province: p, kind: kind.rawValue, ms: ms)) }
            add(.list, try await timed(&communeOfficer, Array(repeating: "/households?commune=\(commune)", count: n)))
            add(.provinceList, try await timed(&officer, Array(repeating: "/households", count: n)))
            add(.search, try await timed(&officer, Array(repeating: "/households?q=nguyen+van+an", count: n)))
            add(.household, try await timed(&officer, sample.shuffled().prefix(n).map { "/households/\($0.id)" }))
            add(.report, try await timed(&officer, Array(repeating: "/reports/ket-qua?year=2026&structure=2025&unit=\(p)", count: n)))
        }
        var admin = SeasonBench.User(index: 2, base: base, client: client)
        let (u, pw) = try account("admin", nil)
        try await admin.signIn(u, pw)
        rows.append(Row(loaded: loaded.count, province: "toàn quốc", kind: "báo cáo toàn quốc",
                        ms: try await timed(&admin, Array(repeating: "/reports/ket-qua?year=2026&structure=2025&unit=", count: n))))
        return rows
    }
}

/// A line on stdout at once: the progress of a long run shows as it happens, also when the output goes to a file.
private func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
