import ArgumentParser
import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoStorage
import GiamNgheoWeb
import class Vapor.Application

/// The app's configuration for a command on an existing registry: no demo, the given reference date.
func commandConfig(db: String?, date: String?) throws -> AppConfig {
    let choice = try Settings.database(db).choice
    var config = AppConfig()
    config.database = choice
    config.seedDemo = false
    config.referenceDate = try parseDate(date, option: "--date")
    return config
}

/// `giamngheo verify-summaries`: recomputes the report summaries from the households and lists every
/// difference (issue 6 §3). Exit 0 when they agree, 1 when they differ; `--rebuild` then repairs them.
struct VerifySummaries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-summaries",
        abstract: "Đối chiếu bảng tổng hợp báo cáo với sổ hộ; liệt kê mọi chênh lệch (mã thoát 1 nếu có).")
    @Option(help: Settings.databaseHelp) var db: String?
    @Option(help: "Ngày tham chiếu (năm rà soát của tình trạng hiện tại), YYYY-MM-DD.") var date: String?
    @Flag(help: "Có chênh lệch thì tính lại bảng tổng hợp từ sổ hộ (trong một giao dịch).") var rebuild = false

    func run() async throws {
        let config = try commandConfig(db: db, date: date)
        let rebuild = rebuild
        let start = Date()
        let differences: [String]
        do {
            differences = try await withApplication(config) { app in
                let store = app.registry.store
                let found = try await store.verifySummaries(on: app.db)
                if !found.isEmpty && rebuild {
                    try await store.writing(app.db) { tx in try await Summaries.rebuildAll(year: store.summaryYear, on: tx) }
                    try await AuditEntry(username: "cli:" + NSUserName(), householdID: nil, action: "summaries.rebuild",
                                         field: nil, newValue: "\(found.count) ô", reason: "giamngheo verify-summaries --rebuild").create(on: app.db)
                }
                return found
            }
        } catch { throw fail(OperatorMessage.describe(error)) }
        let seconds = String(format: "%.1f", Date().timeIntervalSince(start))
        if differences.isEmpty {
            print("Bảng tổng hợp khớp với sổ hộ (\(seconds) s).")
            return
        }
        for d in differences.prefix(200) { print(d) }
        if differences.count > 200 { print("… và \(differences.count - 200) ô khác.") }
        print("\(differences.count) ô chênh lệch (\(seconds) s).\(rebuild ? " Đã tính lại bảng tổng hợp từ sổ hộ." : " Chạy lại với --rebuild để tính lại.")")
        throw ExitCode(1)
    }
}

/// `giamngheo bench rollup`: the province's full set of report tables from the summaries, against the same
/// numbers computed by reading every household in the same run (issue 6 §8).
struct RollupBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollup",
        abstract: "Thời gian lập toàn bộ biểu báo cáo của tỉnh từ bảng tổng hợp, so với tính lại từ từng hộ (cùng lần chạy).",
        discussion: """
        Dùng sổ hộ có sẵn (--db), ví dụ do 'bench import --work DIR' để lại ở DIR/db/giamngheo.sqlite.
        Bản release: swift run -c release giamngheo bench rollup --db sqlite:DIR/db/giamngheo.sqlite
        """)
    @Option(help: "Cơ sở dữ liệu: sqlite:ĐƯỜNG_DẪN hoặc postgres://…") var db: String
    @Option(help: "Tỉnh (mã 2025).") var province = "46"
    @Option(help: "Ngày tham chiếu, YYYY-MM-DD.") var date = "2026-11-01"
    @Option(help: "Số lần lặp phép đo từ bảng tổng hợp (lấy trung vị).") var repeats = 5
    @Flag(inversion: .prefixedNo, help: "Đo cả mô phỏng chuẩn mới cho cả tỉnh.") var whatIf = true

    func run() async throws {
        let config = try commandConfig(db: db, date: date)
        let (province, repeats, whatIf) = (province, repeats, whatIf)
        try await withApplication(config) { app in
            let units = app.registry.units
            let scope = Scope(username: "bench", role: .admin, units: [], adminUnits: units)
            let data = app.registry.reportData
            let year = app.registry.store.summaryYear
            let standard = app.registry.store.engine.catalogue.standard(for: app.registry.store.engine.defaultDate)
            let layouts = try BundledData.reportLayouts()
            let households = try await HouseholdRecord.query(on: app.db).count()
            let places: [ReportData.Place] = [.init(structure: .y2025, unit: province), .init(structure: .y2024, unit: province)]
            print("\(households) hộ; năm \(year); \(layouts.count) biểu × \(places.count) cơ cấu (2025, 2024) cho tỉnh \(province).")
            func clock(_ body: () async throws -> Void) async rethrows -> Double {
                let t = Date(); try await body(); return Date().timeIntervalSince(t)
            }
            // One full set from the summaries, per table timed; repeated, the median of the whole set reported.
            var sets: [Double] = [], slowest = 0.0
            // Each table's best time over the repeats (the target is per table: ≤ 50 ms at a province of 1 M).
            var each = [Double](repeating: .infinity, count: layouts.count * places.count)
            var fromSummaries: [[[ReportValue]]] = []
            // The columns each table resolved to (form 9's groups are the province's): the scan uses the same.
            var resolved: [[ReportColumn]] = []
            for r in 0..<repeats {
                var tables: [[[ReportValue]]] = []
                var columns: [[ReportColumn]] = []
                sets.append(try await clock {
                    for (li, l) in layouts.enumerated() { for (pi, p) in places.enumerated() {
                        var t: ReportTable?
                        let s = try await clock { t = try await data.table(l, year: year, place: p, scope: scope, standard: standard, on: app.db) }
                        slowest = max(slowest, s)
                        each[li * places.count + pi] = min(each[li * places.count + pi], s)
                        tables.append(t!.rows.map(\.values))
                        columns.append(t!.columns)
                    } }
                })
                if r == 0 { fromSummaries = tables; resolved = columns }
            }
            let median = sets.sorted()[sets.count / 2]
            print(String(format: "Từ bảng tổng hợp: %.1f ms cho cả bộ (trung vị %d lần), biểu chậm nhất %.1f ms", median * 1000, repeats, slowest * 1000))
            let width = layouts.map(\.id.count).max() ?? 0
            for (li, l) in layouts.enumerated() {
                let times = places.indices.map { String(format: "%6.1f ms", each[li * places.count + $0] * 1000) }.joined(separator: "  ")
                print("  \(l.id.padding(toLength: width, withPad: " ", startingAt: 0)) \(times)   (nhanh nhất; 2025, 2024)")
            }
            // A commune's tables (the smallest report) for the independence of size.
            if let commune = units.communes(ofProvince: province).first {
                let c = try await clock { for l in layouts { _ = try await data.table(l, year: year, place: .init(structure: .y2025, unit: commune.code), scope: scope, standard: standard, on: app.db) } }
                print(String(format: "  một xã (%@): %.1f ms cho cả bộ", commune.name, c * 1000))
            }
            // The baseline at its best: one read of every household per structure, all tables from that read.
            var scanned: [[[ReportValue]]] = []
            var byPlace: [[[ReportValue]]] = Array(repeating: [], count: layouts.count * places.count)
            let scan = try await clock {
                for (pi, p) in places.enumerated() {
                    let rows = try await data.scannedRows(year: year, place: p, scope: scope, on: app.db)
                    for (li, l) in layouts.enumerated() {
                        let t = Reports.table(l, columns: resolved[li * places.count + pi], units: rows, totalName: "")
                        byPlace[li * places.count + pi] = t.rows.map(\.values)
                    }
                }
            }
            scanned = byPlace
            print(String(format: "Đọc từng hộ (cùng phép tính, cùng lần chạy): %.1f s → bảng tổng hợp nhanh hơn %.0f×", scan, scan / median))
            // The plainest SQL over the households, for one table's headline counts (form 1's poor by commune).
            let sql = try await clock {
                _ = try await ReportData.plainCounts(on: app.db)
            }
            print(String(format: "SQL GROUP BY trên bảng hộ (chỉ các số đếm chính của biểu 1): %.2f s", sql))
            print(scanned == fromSummaries ? "Số liệu hai cách tính trùng khớp hoàn toàn." : "CẢNH BÁO: số liệu hai cách tính khác nhau!")
            if scanned != fromSummaries { throw ExitCode(1) }
            // What-if: the whole province under the next standard (NĐ351 lines), against classifying it under the
            // current one in the same run (the same reading and parsing, nothing changes).
            let catalogue = app.registry.store.engine.catalogue
            if whatIf, let current = standard, let next = catalogue.standards.first(where: { $0.validFrom > current.validFrom }) {
                let runner = WhatIfRunner(store: app.registry.store)
                var same = WhatIfTally(), other = WhatIfTally()
                let base = try await clock { same = try await runner.run(scope, place: places[0], standard: current, on: app.db) }
                let w = try await clock { other = try await runner.run(scope, place: places[0], standard: next, on: app.db) }
                print(String(format: "Mô phỏng %@ cho cả tỉnh: %.1f s (%d hộ, %d đổi phân loại); cùng việc với chuẩn hiện hành: %.1f s (%d đổi) → %.2f×",
                             next.id, w, other.count(), other.changed(), base, same.changed(), w / base))
            }
        }
    }
}

/// `giamngheo analytics`: the Alkire–Foster indices of a unit from the summaries, as text or JSON (the mpitb
/// cross-check in CI reads the JSON).
struct Analytics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analytics",
        abstract: "Chỉ số nghèo đa chiều Alkire–Foster (H, A, M0, theo chỉ số, theo đơn vị con) từ bảng tổng hợp.")
    @Option(help: Settings.databaseHelp) var db: String?
    @Option(help: "Đơn vị (mã 2025; bỏ trống: toàn quốc).") var unit = ""
    @Option(help: "Năm rà soát (mặc định năm của ngày tham chiếu).") var year: Int?
    @Option(help: "Ngày tham chiếu, YYYY-MM-DD.") var date: String?
    @Option(help: "Ngưỡng k: số chỉ số thiếu hụt (mặc định theo chuẩn).") var k: Int?
    @Flag(help: "In JSON.") var json = false

    func run() async throws {
        let config = try commandConfig(db: db, date: date)
        let (unit, year, k, json) = (unit, year, k, json)
        let out: String
        do {
            out = try await withApplication(config) { app in
                let engine = app.registry.store.engine
                let y = year ?? app.registry.store.summaryYear
                guard let standard = CivilDate(year: y, month: 12, day: 31).flatMap({ engine.catalogue.standard(for: $0) }) else {
                    throw UserError(message: "không có chuẩn nghèo cho năm \(y)")
                }
                let indicators = standard.indicators.map(\.code)
                let cutoff = k ?? standard.deprivationThreshold.value
                let scope = Scope(username: "cli", role: .admin, units: [], adminUnits: app.registry.units)
                let (total, parts) = try await ReportData(units: app.registry.units).alkireFoster(
                    year: y, place: .init(structure: .y2025, unit: unit), scope: scope, indicators: indicators, cutoff: cutoff, by: .unit, on: app.db)
                func obj(_ r: ReportData.AFRow) -> [String: Any] {
                    let m = r.measures
                    let actb = AlkireFoster.absoluteContribution(m)
                    return ["code": r.code, "name": r.name, "households": m.households, "poor": m.poor, "excluded": r.excluded,
                            "H": m.headcount.double, "A": m.intensity.double, "M0": m.adjustedHeadcount.double,
                            "exact": ["H": m.headcount.description, "A": m.intensity.description, "M0": m.adjustedHeadcount.description],
                            "hd": Dictionary(uniqueKeysWithValues: zip(indicators, m.uncensored.map(\.double))),
                            "hdk": Dictionary(uniqueKeysWithValues: zip(indicators, m.censored.map(\.double))),
                            "actb": Dictionary(uniqueKeysWithValues: zip(indicators, actb.map(\.double))),
                            "pctb": Dictionary(uniqueKeysWithValues: zip(indicators, m.contribution.map(\.double)))]
                }
                if json {
                    let o: [String: Any] = ["year": y, "standard": standard.id, "k": cutoff, "indicators": indicators,
                                            "total": obj(total), "parts": parts.map(obj)]
                    return String(decoding: try JSONSerialization.data(withJSONObject: o, options: [.sortedKeys]), as: UTF8.self)
                }
                var lines = ["\(total.name), năm \(y), chuẩn \(standard.id), k = \(cutoff)/\(indicators.count):",
                             "H = \(total.measures.headcount) · A = \(total.measures.intensity) · M0 = \(total.measures.adjustedHeadcount) (\(String(format: "%.4f", total.measures.adjustedHeadcount.double)))"]
                for p in parts { lines.append("  \(p.name): \(p.measures.households) hộ, H = \(String(format: "%.4f", p.measures.headcount.double)), M0 = \(String(format: "%.4f", p.measures.adjustedHeadcount.double))") }
                return lines.joined(separator: "\n")
            }
        } catch { throw fail(error) }
        print(out)
    }
}
