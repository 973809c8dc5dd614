import ArgumentParser
import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import GiamNgheoWeb
import class Vapor.Application

/// `giamngheo bench support`: the province's monitoring (coverage of every policy, support before exit), a
/// commune's ledger and public page, and a staged import, on a generated province, each against a plain SQL
/// count of the same households in the same run (issue 7).
struct SupportBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "support",
        abstract: "Đo theo dõi hỗ trợ của tỉnh (độ bao phủ, hỗ trợ trước khi thoát nghèo), sổ hỗ trợ và trang công khai của xã, nhập tệp hỗ trợ.",
        discussion: """
        Dùng sổ hộ có sẵn (--db), ví dụ do 'bench import --work DIR' để lại. Lần đầu thêm danh sách đã công nhận của hai năm trước
        và sổ hỗ trợ mẫu (bằng SQL); các lần sau dùng lại. Bản release: swift run -c release giamngheo bench support --db sqlite:DIR/db/giamngheo.sqlite
        """)
    @Option(help: "Cơ sở dữ liệu: sqlite:ĐƯỜNG_DẪN hoặc postgres://…") var db: String
    @Option(help: "Tỉnh (mã 2025).") var province = "46"
    @Option(help: "Ngày tham chiếu, YYYY-MM-DD.") var date = "2026-11-01"
    @Option(help: "Số dòng của tệp hỗ trợ nhập thử.") var rows = 10_000
    @Option(help: "Số lần lặp (lấy trung vị).") var repeats = 3

    func run() async throws {
        var config = try commandConfig(db: db, date: date)
        config.seedDemo = false
        let (province, rows, repeats) = (province, rows, repeats)
        try await withApplication(config) { app in
            let support = app.registry.support!
            let units = app.registry.units
            let scope = Scope(username: "bench", role: .admin, units: [], adminUnits: units)
            let day = app.registry.referenceDate
            let communes = units.communes(ofProvince: province).map(\.code)
            func clock(_ body: () async throws -> Void) async rethrows -> Double {
                var times: [Double] = []
                for _ in 0..<repeats { let t = Date(); try await body(); times.append(Date().timeIntervalSince(t)) }
                return times.sorted()[times.count / 2]
            }
            let t0 = Date()
            let (history, added) = try await SupportBench.prepare(on: app.db, year: day.year)
            if history > 0 || added > 0 {
                print(String(format: "Chuẩn bị: %d dòng danh sách đã công nhận, %d khoản hỗ trợ (%.1f s).", history, added, Date().timeIntervalSince(t0)))
            }
            let households = try await HouseholdRecord.query(on: app.db).count()
            print("\(households) hộ, tỉnh \(province), \(communes.count) xã; ngày \(day.vietnamese); trung vị \(repeats) lần.")
            // Baseline: the plainest count over the same households (poor and near-poor by commune).
            let base = try await clock { _ = try await ReportData.plainCounts(on: app.db) }
            print(String(format: "Mốc so sánh: SQL GROUP BY số hộ theo xã và phân loại: %.2f s", base))
            var report: SupportStore.CoverageReport?
            let cov = try await clock { report = try await support.coverage(scope, communes: communes, on: day, on: app.db) }
            let eligible = report!.policies.reduce(0) { $0 + $1.households.eligible }
            print(String(format: "Độ bao phủ %d chính sách cho cả tỉnh (%d lượt hộ thuộc đối tượng): %.2f s = %.1f× mốc", report!.policies.count, eligible, cov, cov / base))
            var exit: SupportStore.ExitReport?
            let ex = try await clock { exit = try await support.beforeExit(scope, communes: communes, year: day.year - 1, on: app.db) }
            print(String(format: "Hỗ trợ trước khi thoát nghèo (%d hộ thoát, %d hộ vẫn nghèo): %.2f s = %.1f× mốc", exit!.exited, exit!.stayed, ex, ex / base))
            if let commune = communes.first {
                var f = SupportStore.RecordFilter()
                f.communes = [commune]
                f.limit = 1000
                let ledger = try await clock { _ = try await support.records(scope, f, on: app.db) }
                let pub = try await clock { _ = try await support.publicFigures(commune: commune, year: day.year, on: app.db) }
                let one = try await clock { _ = try await support.coverage(scope, communes: [commune], on: day, on: app.db) }
                print(String(format: "Một xã: sổ hỗ trợ (1.000 dòng) %.0f ms; trang công khai %.0f ms; độ bao phủ %.0f ms", ledger * 1000, pub * 1000, one * 1000))
                // Form 15 of the same commune: its poor households, their members and the year's supports.
                var entries: [DetailedList.Entry] = []
                let list = try await clock {
                    entries = try await support.detailedList(.poor, year: day.year, commune: commune, village: nil, scope: scope,
                                                             localIndigenous: app.registry.localIndigenous, on: app.db)
                }
                let persons = entries.reduce(0) { $0 + $1.members.count }
                var earlier = 0
                let last = try await clock {
                    earlier = try await support.detailedList(.poor, year: day.year - 1, commune: commune, village: nil, scope: scope,
                                                             localIndigenous: app.registry.localIndigenous, on: app.db).count
                }
                print(String(format: "Một xã: biểu 15 năm %d (%d hộ nghèo, %d nhân khẩu, %d hộ có hỗ trợ) %.0f ms; năm %d (%d hộ, từ danh sách đã công nhận) %.0f ms",
                             day.year, entries.count, persons, entries.filter { !$0.supports.isEmpty }.count, list * 1000, day.year - 1, earlier, last * 1000))
            }
            // The staged import: check (stage) and write (commit) a file of `rows` supports, then remove it again.
            let input = try await SupportBench.importRows(on: app.db, n: rows)
            var id = 0
            let t1 = Date()
            id = try await support.stage(scope, fileName: "bench.csv", rows: input, on: app.db)
            let stage = Date().timeIntervalSince(t1)
            let batch = try await support.batch(scope, id: id, on: app.db)
            let t2 = Date()
            let written = try await support.commit(scope, id: id, reason: "Dữ liệu đo hiệu năng", on: app.db)
            let commit = Date().timeIntervalSince(t2)
            print(String(format: "Nhập %d dòng: kiểm tra %.2f s (%.0f dòng/s, %d không đúng đối tượng, %d lỗi), ghi %.2f s (%.0f dòng/s)",
                         rows, stage, Double(rows) / stage, batch.warnings.count, batch.problems.count, commit, Double(written) / commit))
            try await SupportBench.remove(batch: id, on: app.db)
        }
    }
}
