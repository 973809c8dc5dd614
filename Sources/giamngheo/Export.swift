import ArgumentParser
import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import GiamNgheoWeb
import Fluent
import class Vapor.Application
#if canImport(Glibc)
import Glibc
#endif

/// `giamngheo export`: the household list (with the list's filters) or its members to CSV or xlsx, as the web
/// page's download gives it, for lists of any size: progress on stderr, Ctrl-C removes the partial file.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Xuất danh sách hộ (hoặc nhân khẩu) ra CSV hoặc Excel (.xlsx), như nút tải trên trang danh sách hộ.",
        discussion: "Số CCCD và ngày sinh được che nếu vai trò của --user không cần xem. Ctrl-C huỷ và xoá tệp đang ghi.")
    @Option(help: Settings.databaseHelp) var db: String?
    @Option(help: "csv hoặc xlsx.") var format = "csv"
    @Option(help: "households (hộ) hoặc members (nhân khẩu); xlsx luôn có cả hai trang.") var what = "households"
    @Option(help: "Tệp ra.") var out: String
    @Option(help: "Tài khoản (phạm vi, che số định danh và nhật ký theo tài khoản này); mặc định quản trị 'cli'.") var user: String?
    @Option(help: "Chỉ xã/phường này (mã 2025).") var commune: String?
    @Option(help: "Chỉ thôn/tổ này.") var village: String?
    @Option(help: "Chỉ phân loại này: poor, nearPoor, notPoor, middleIncome…") var category: String?

    func run() async throws {
        let choice = try Settings.database(db).choice
        guard let format = HouseholdExport.Format(rawValue: format) else { throw fail("--format phải là csv hoặc xlsx") }
        guard let what = HouseholdExport.What(rawValue: what) else { throw fail("--what phải là households hoặc members") }
        var config = AppConfig()
        config.database = choice
        config.seedDemo = false
        var filters = HouseholdQuery()
        filters.commune = commune; filters.village = village; filters.category = category
        let query = filters
        let (user, out) = (user, URL(fileURLWithPath: out))
        let cancel = Interrupt()
        defer { cancel.end() }
        let n: Int
        do {
            n = try await withApplication(config) { app in
                let scope = try await commandScope(app, user: user)
                let export = HouseholdExport(scope: scope, query: query, services: app.registry, db: app.db)
                let total = try await export.total()
                let meter = ExportMeter(total: total)
                let n = try await export.write(format, what, to: out, progress: { meter.show($0) }, isCancelled: { cancel.isSet })
                try await AuditEntry(username: scope.username, householdID: nil, action: "export", field: "\(format.rawValue) \(what.rawValue)",
                                     newValue: "\(n) hộ", reason: "giamngheo export").create(on: app.db)
                return n
            }
        } catch is CancellationError {
            FileHandle.standardError.write(Data("\nĐã huỷ; không giữ lại tệp.\n".utf8))
            throw ExitCode(130)
        } catch let e as GiamNgheoStorage.ValidationError { throw fail(e.message.vi) } catch let e as AccessError { throw fail(e) } catch { throw fail(OperatorMessage.describe(error)) }
        FileHandle.standardError.write(Data("\n".utf8))
        Swift.print("Đã xuất \(n) hộ vào \(out.path).")
    }
}

/// Rows done, percent and time left on one stderr line, at most twice a second.
final class ExportMeter: @unchecked Sendable {
    private let lock = NSLock()
    private var last = Date.distantPast
    private let start = Date()
    let total: Int
    init(total: Int) { self.total = total }
    func show(_ rows: Int) {
        lock.withLock {
            guard Date().timeIntervalSince(last) >= 0.5 || rows == total else { return }
            last = Date()
            let f = total > 0 ? Double(rows) / Double(total) : 1
            let elapsed = Date().timeIntervalSince(start)
            let left = f > 0.02 && f < 1 ? " · còn ~\(Int((elapsed * (1 - f) / f).rounded(.up))) s" : ""
            FileHandle.standardError.write(Data("\rĐang xuất: \(Int(f * 100)) % · \(rows)/\(total) hộ\(left)   ".utf8))
        }
    }
}

/// `giamngheo bench export`: the household list of a registry to CSV and to xlsx (the web's exporter), against
/// `sqlite3` writing the same rows and stored facts unformatted, each its own process for its peak memory.
struct ExportBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Xuất danh sách hộ của một sổ hộ SQLite ra CSV và xlsx, so với một câu SELECT của sqlite3 ghi thẳng ra tệp.",
        discussion: """
        Dùng sổ hộ có sẵn (--db, ví dụ do 'bench import --work DIR' để lại ở DIR/db/giamngheo.sqlite) hoặc sinh và nhập --households hộ trước.
        Bản release: swift run -c release giamngheo bench export --households 1000000
        """)
    @Option(help: "Sổ hộ SQLite có sẵn.") var db: String?
    @Option(help: "Khi không có --db: số hộ sinh và nhập trước (không tính vào phép đo).") var households = 1_000_000
    @Option(help: "Thư mục làm việc (mặc định thư mục tạm; bị xoá khi xong).") var work: String?
    @Option(help: "Đường dẫn sqlite3.") var sqlite3 = "/usr/bin/sqlite3"

    func run() throws {
        let fm = FileManager.default
        let dir = work ?? fm.temporaryDirectory.appendingPathComponent("bench-export-\(UUID().uuidString)").path
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if work == nil { try? fm.removeItem(atPath: dir) } }
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).path
        func path(_ s: String) -> String { (dir as NSString).appendingPathComponent(s) }
        let database: String
        if let db { database = db } else {
            print("Sinh và nhập \(households) hộ (không tính vào phép đo)…")
            let g = try ImportBench.measure([me, "generate", "--province", "46", "--households", String(households), "--no-stories", "--seed", "3", "--out", path("csv")])
            database = path("db/giamngheo.sqlite")
            let i = try ImportBench.measure([me, "import", path("csv/households.csv"), "--members", path("csv/members.csv"),
                                             "--db", "sqlite:" + database, "--commit", "--date", "2026-11-01", "--show", "0"])
            guard g.status == 0, i.status == 0 else { throw UserError(message: "sinh hoặc nhập dữ liệu thất bại") }
        }
        guard fm.fileExists(atPath: database) else { throw UserError(message: "không có tệp '\(database)'") }
        func size(_ p: String) -> String { "\(((try? fm.attributesOfItem(atPath: p)[.size] as? Int) ?? 0) >> 20) MB" }

        // Every run reads a warm database: the first read of a cold file would be charged to whichever ran first.
        _ = try ImportBench.measure([sqlite3, database], stdin: "SELECT count(*), sum(length(facts)) FROM households;")
        print("Đường cơ sở: sqlite3, SELECT các cột của danh sách và dữ kiện đã lưu, ghi thẳng ra CSV…")
        let base = try ImportBench.measure([sqlite3, "-csv", database], stdin: """
            SELECT code, head_name, commune_code, village, member_count, category, deprived, facts FROM households
            WHERE archived_reason IS NULL ORDER BY sort_key, id;
            """, output: path("baseline.csv"))
        let rows = try ImportBench.measure([sqlite3, database], stdin: "SELECT count(*) FROM households WHERE archived_reason IS NULL;")
        let n = Double(rows.out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        print("  \(Int(n)) hộ: \(String(format: "%.1f", base.seconds)) s, \(size(path("baseline.csv"))), bộ nhớ đỉnh \(String(format: "%.0f", base.maxRSSMB)) MB")
        for format in ["csv", "xlsx"] {
            let out = path("ho.\(format)")
            let m = try ImportBench.measure([me, "export", "--db", "sqlite:" + database, "--format", format, "--out", out])
            guard m.status == 0 else { throw UserError(message: "xuất \(format) thất bại") }
            print("GiamNgheo \(format): \(String(format: "%.1f", m.seconds)) s (\(String(format: "%.0f", n / m.seconds)) hộ/giây), \(size(out)), bộ nhớ đỉnh \(String(format: "%.0f", m.maxRSSMB)) MB → \(String(format: "%.2f", base.seconds / m.seconds))× đường cơ sở")
        }
    }
}
