import ArgumentParser
import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import GiamNgheoWeb
import Fluent
import class Vapor.Application

/// `giamngheo import`: the web import's dry run and commit from a terminal, for files of any size.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Nhập hộ gia đình từ Excel (.xlsx) hoặc CSV vào sổ hộ: mặc định chỉ kiểm tra; --commit để ghi (một giao dịch).",
        discussion: """
        Tệp .xlsx có trang 'Hộ gia đình' và 'Nhân khẩu', hoặc tệp CSV hộ kèm --members tệp CSV nhân khẩu.
        Tiến độ in ra stderr; Ctrl-C huỷ mà không ghi gì. Mã thoát: 0 được, 1 tệp có lỗi (không ghi), 2 lỗi sử dụng.
        """)

    @Argument(help: "Tệp hộ gia đình (.xlsx hoặc .csv).") var file: String
    @Option(help: "Tệp CSV nhân khẩu (khi tệp hộ là CSV).") var members: String?
    @Option(help: Settings.databaseHelp) var db: String?
    @Flag(help: "Ghi vào sổ hộ (mặc định: chỉ kiểm tra, không ghi gì).") var commit = false
    @Option(help: "Tài khoản thực hiện (phạm vi và nhật ký theo tài khoản này); mặc định quản trị 'cli'.") var user: String?
    @Option(help: "Mã xã/phường điền vào các dòng để trống cột xã.") var commune: String?
    @Option(help: "Ngày rà soát YYYY-MM-DD (mặc định hôm nay).") var date: String?
    @Option(help: "Số vấn đề in ra (tất cả có trong --report).") var show = 30
    @Option(help: "Ghi báo cáo đầy đủ (JSON) vào tệp này.") var report: String?
    @Option(help: "Mức nhường CPU (nice, 0–19): các trang của cán bộ trên cùng máy chủ được ưu tiên trong lúc nhập; máy rảnh thì không chậm hơn. 0 = ngang các trang.")
    var nice = 10

    func run() async throws {
        let choice = try Settings.database(db).choice
        let fm = FileManager.default
        for f in [file] + (members.map { [$0] } ?? []) where !fm.fileExists(atPath: f) { throw fail("không có tệp '\(f)'") }
        var config = AppConfig()
        config.database = choice
        config.seedDemo = false
        config.referenceDate = try parseDate(date, option: "--date")
        if case .sqliteFile(let path) = choice {
            config.importDirectory = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("imports")
        }
        guard (0...19).contains(nice) else { throw fail("--nice phải từ 0 đến 19 (đang là \(nice)).") }
        let (file, members, commit, user, commune, show, reportPath) = (file, members, commit, user, commune, show, report)
        let nice = Int32(nice)
        BatchPriority.keepLowered(to: nice)
        let outcome: Result<ImportReport, ImportCLIError>
        do {
            outcome = try await withApplication(config) { app in
                try await Self.perform(app, file: file, members: members, commit: commit, user: user, commune: commune, nice: nice)
            }
        } catch let e as ImportCLIError { throw fail(e.message) } catch { throw fail(OperatorMessage.describe(error)) }
        switch outcome {
        case .failure(let e):
            FileHandle.standardError.write(Data("\n".utf8))
            Swift.print(e.message)
            throw ExitCode(e.cancelled ? 130 : 1)
        case .success(let r):
            FileHandle.standardError.write(Data("\n".utf8))
            Self.summary(r, show: show, committed: commit)
            if let reportPath {
                let data = try jsonEncoder.encode(r)
                guard fm.createFile(atPath: reportPath, contents: data) else { throw fail("không ghi được '\(reportPath)'") }
            }
            if !r.canCommit && r.committed == false && (r.errors > 0 || r.aborted != nil || r.blockingFileIssue) { throw ExitCode(1) }
        }
    }

    struct ImportCLIError: Error { var message: String; var cancelled = false }

    static func perform(_ app: Application, file: String, members: String?, commit: Bool, user: String?, commune: String?, nice: Int32) async throws
        -> Result<ImportReport, ImportCLIError> {
        let services = app.registry
        let scope = try await commandScope(app, user: user)
        let input: Importer.Input
        do {
            input = try ImportRunner.input(households: URL(fileURLWithPath: file), members: members.map { URL(fileURLWithPath: $0) },
                                           defaultCommune: commune ?? ImportRunner.defaultCommune(scope), today: services.referenceDate,
                                           parser: services.parser, ethnicGroups: services.ethnicGroups)
        } catch let e as ImportError { return .failure(ImportCLIError(message: e.description)) }
        if !input.pipeline.membersAnywhere {
            FileHandle.standardError.write(Data("Tệp lớn hơn \(ImportRunner.membersAnywhereLimit >> 20) MB: đọc tuần tự để không giữ cả tệp trong bộ nhớ; các nhân khẩu của một hộ phải nằm liền nhau trong trang nhân khẩu.\n".utf8))
        }
        // The file is kept with its batch, as a web upload is.
        let dir = services.importDirectory
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var stored: [String] = []
        for f in [file] + (members.map { [$0] } ?? []) {
            let target = (dir as NSString).appendingPathComponent("\(UUID().uuidString.prefix(8))-\((f as NSString).lastPathComponent)")
            try FileManager.default.copyItem(atPath: f, toPath: target)
            stored.append(target)
        }
        let batches = ImportBatches(gate: services.store.gate)
        let sha = try ([file] + (members.map { [$0] } ?? [])).map { try ImportRunner.sha256(of: URL(fileURLWithPath: $0)) }.joined(separator: " + ")
        let bytes = stored.reduce(Int64(0)) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int64) ?? 0) }
        let name = ([file] + (members.map { [$0] } ?? [])).map { ($0 as NSString).lastPathComponent }.joined(separator: " + ")
        let id = try await batches.create(scope, fileName: name, sha256: sha, bytes: bytes, storedPath: stored.joined(separator: "\n"), on: app.db)
        let options = Importer.Options(label: "\(name) (lô #\(id))", thresholds: try await batches.thresholds(on: app.db))
        let cancel = Interrupt()
        defer { cancel.end() }
        let meter = Meter(writing: commit)
        do {
            let report = try await Importer(store: services.store).run(
                scope, input: input, mode: commit ? .commit(expectedFingerprint: nil) : .dryRun, options: options, on: app.db,
                progress: { meter.show($0); BatchPriority.lower(to: nice) }, isCancelled: { cancel.isSet },
                alsoInTransaction: { r, tx in try await ImportBatches.markCommitted(id: id, by: scope.username, report: r, on: tx) })
            if !commit { try await batches.setReport(id: id, status: "checked", report: report, on: app.db) }
            return .success(report)
        } catch let e as ImportError where e.report != nil {
            // Read to the end, nothing to write (or errors): the same summary as a dry run.
            try? await batches.setReport(id: id, status: "checked", report: e.report!, on: app.db)
            return .success(e.report!)
        } catch let e as ImportError {
            let cancelled = e.description == ImportError.cancelled.description
            var r = ImportReport(); r.aborted = e.description
            try? await batches.setReport(id: id, status: cancelled ? "cancelled" : "checked", report: r, on: app.db)
            return .failure(ImportCLIError(message: e.description, cancelled: cancelled))
        }
    }

    static func summary(_ r: ImportReport, show: Int, committed: Bool) {
        Swift.print(committed && r.committed ? "Đã ghi vào sổ hộ (một giao dịch)." : "Kiểm tra xong (chưa ghi gì vào sổ hộ).")
        Swift.print("Hộ trong tệp: \(r.rows) · mới: \(r.new) · thay đổi: \(r.changed) · không đổi: \(r.unchanged) · trùng: \(r.duplicates) · chờ xác định: \(r.held) · có lỗi: \(r.errors)")
        if let a = r.aborted { Swift.print(a) }
        if !r.newVillages.isEmpty {
            Swift.print("Thôn/tổ chưa khai báo (sẽ thêm khi ghi): \(r.newVillages.count), ví dụ \(r.newVillages.prefix(5).joined(separator: "; "))")
        }
        for i in r.issues.prefix(show) { Swift.print((i.blocking ? "Lỗi: " : "Lưu ý: ") + i.text) }
        if r.issueCount > show { Swift.print("… và \(r.issueCount - min(show, r.issues.count)) vấn đề khác (--report để xem tất cả).") }
        for m in r.matches.prefix(show) {
            Swift.print("Trùng (\(m.kind), \(String(format: "%.2f", m.score))): \(m.sheet) dòng \(m.row) \(m.name) [hộ \(m.code)] ↔ \(m.otherName) [hộ \(m.otherCode), \(m.otherWhere)]")
        }
        if !committed && r.canCommit { Swift.print("Chạy lại với --commit để ghi \(r.new) hộ mới và \(r.changed) hộ thay đổi.") }
        if !r.canCommit && !r.committed { Swift.print("Không thể ghi: \(Importer.refusal(r))") }
    }
}

/// The scope a command works in: the named account's (its units, its role's masking, its name in the audit
/// trail), or an administrator's over the whole registry.
func commandScope(_ app: Application, user: String?) async throws -> Scope {
    let units = app.registry.units
    guard let user else { return Scope(username: "cli:" + NSUserName(), role: .admin, units: [], adminUnits: units) }
    guard let u = try await User.query(on: app.db).filter(\.$username == user).first() else { throw UserError(message: "không có tài khoản '\(user)'") }
    return Scope(username: u.username, role: u.role, units: u.units, adminUnits: units)
}

/// Ctrl-C raises a flag instead of killing the process: the work stops at its next check and rolls back
/// (an import) or removes its partial file (an export). `end()` gives Ctrl-C back its usual meaning.
final class Interrupt: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    private var source: (any DispatchSourceSignal)?
    init() {
        let s = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        signal(SIGINT, SIG_IGN)
        source = s
        s.setEventHandler { [weak self] in self?.lock.withLock { self?.value = true } }
        s.resume()
    }
    var isSet: Bool { lock.withLock { value } }
    func end() { source?.cancel(); source = nil; signal(SIGINT, SIG_DFL) }
}

/// An import is a batch job: on a province server in the review season it runs beside hundreds of officials'
/// pages, and on 2 cores it took their share (1 M households, 100 officials, a 100,000-household import: list and
/// household-page p99 during it 122 and 142 ms level with the pages, 91 and 106 ms below them). Linux keeps the
/// nice value per thread, so every thread of the process is lowered, at the start, at each chunk and every 50 ms:
/// a thread inherits the value of the one that started it, but libdispatch sets a new worker's own from its QoS.
enum BatchPriority {
    /// Lowers now, then every 50 ms until the process ends (a command's lifetime).
    static func keepLowered(to nice: Int32) {
        lower(to: nice)
        guard nice > 0 else { return }
        Thread.detachNewThread {
            while true { Thread.sleep(forTimeInterval: 0.05); lower(to: nice) }
        }
    }

    static func lower(to nice: Int32) {
        #if os(Linux)
        guard nice > 0 else { return }
        // Again until a pass lowers nothing: a thread started during a pass by one not yet lowered is level.
        for _ in 0..<8 {
            guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else { return }
            var lowered = false
            for t in tasks {
                guard let tid = id_t(t), getpriority(__priority_which_t(PRIO_PROCESS.rawValue), tid) < nice else { continue }
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), tid, nice)
                lowered = true
            }
            if !lowered { return }
        }
        #endif
    }
}

/// One progress line on stderr, rewritten at most twice a second: phase, percent, rows, time left.
final class Meter: @unchecked Sendable {
    private let lock = NSLock()
    private var last = Date.distantPast
    private let start = Date()
    private var announced = false
    let writing: Bool
    init(writing: Bool) { self.writing = writing }
    func show(_ p: ImportProgress) {
        lock.withLock {
            if writing && !announced { announced = true; FileHandle.standardError.write(Data("Bắt đầu ghi (một giao dịch)…\n".utf8)) }
            guard Date().timeIntervalSince(last) >= 0.5 else { return }
            last = Date()
            let elapsed = Date().timeIntervalSince(start)
            let left = p.fraction > 0.02 ? " · còn ~\(Int((elapsed * (1 - p.fraction) / p.fraction).rounded(.up))) s" : ""
            FileHandle.standardError.write(Data("\r\(p.phase): \(Int(p.fraction * 100)) % · \(p.rows) hộ\(left)   ".utf8))
        }
    }
}

/// `giamngheo dedup`: people who seem registered twice, already in the registry.
struct Dedup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tìm người có thể bị ghi hai lần trong sổ hộ: cùng số định danh, hoặc cùng ngày sinh, cùng thôn và họ tên gần giống.")
    @Option(help: Settings.databaseHelp) var db: String?
    @Option(help: "Tài khoản (phạm vi theo tài khoản này); mặc định toàn bộ.") var user: String?
    @Option(help: "Ngưỡng 'có thể trùng' (mặc định theo cài đặt của quản trị).") var possible: Double?
    @Option(help: "Ngưỡng 'chắc chắn trùng'.") var certain: Double?

    func run() async throws {
        let choice = try Settings.database(db).choice
        var config = AppConfig()
        config.database = choice
        config.seedDemo = false
        let (user, possible, certain) = (user, possible, certain)
        let found: [RegistryDuplicate]
        do {
            found = try await withApplication(config) { app in
                let services = app.registry
                let scope = try await commandScope(app, user: user)
                var t = try await ImportBatches(gate: services.store.gate).thresholds(on: app.db)
                if let possible { t.possible = possible }
                if let certain { t.certain = certain }
                if let p = t.problem { throw UserError(message: p) }
                return try await RegistryDuplicates.scan(scope, thresholds: t, on: app.db)
            }
        } catch { throw fail(OperatorMessage.describe(error)) }
        Swift.print("loai,diem,ho_1,ten_1,ho_2,ten_2,chi_tiet")
        for d in found {
            Swift.print(CSV.line([d.kind, String(format: "%.3f", d.score), d.first.code, d.first.name, d.second.code, d.second.name, d.detail]), terminator: "")
        }
        FileHandle.standardError.write(Data("\(found.count) cặp có thể trùng (\(found.filter { $0.kind == "id" }.count) cùng số định danh).\n".utf8))
    }
}
