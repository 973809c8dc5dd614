import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import Vapor

/// The dashboard of a unit (issue 6 §5), all from the maintained summaries: key figures, units ranked by
/// poverty rate, the trend over the years (a change of standard drawn as such), this year's targets against
/// the registry, and the deprivation profile. Every chart is followed by its table.
struct DashboardController: Feature {
    var navigation: [NavEntry] {
        [
            NavEntry(order: 10, path: Path.dashboard, vi: "Tổng quan", en: "Overview", access: .signedIn),
        ]
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.access(.signedIn).get("dashboard", use: show)
    }

    struct Line { var key: String; var label: String; var total = 0; var poor = 0; var nearPoor = 0 }

    func show(req: Request) async throws -> HTML {
        let scope = try req.checkedScope
        let registry = req.application.registry
        let units = registry.units
        // A user with one commune sees its villages directly; province staff their province.
        let place = try req.reportPlace()
        let (structure, unit) = (place.structure, place.unit)
        let s = structure == .y2024 ? "2024" : "2025"
        let level = units.unit(unit, in: structure)?.level
        let year = registry.store.summaryYear
        let data = ReportData(units: units)
        let rows = try await data.rows(year: year, place: place, scope: scope, dims: [.all, .indicator], on: req.reportDB)
        let poorTerms = [CellTerm(categories: ["poor"], dim: "all")], nearTerms = [CellTerm(categories: ["nearPoor"], dim: "all")]
        let allTerms = [CellTerm(dim: "all")]
        let lines = rows.map { r in
            Line(key: r.code, label: r.name, total: Reports.count(allTerms, r.cells, measure: .households),
                 poor: Reports.count(poorTerms, r.cells, measure: .households), nearPoor: Reports.count(nearTerms, r.cells, measure: .households))
        }
        let sorted = lines.sorted { rate($0.poor, $0.total) > rate($1.poor, $1.total) || (rate($0.poor, $0.total) == rate($1.poor, $1.total) && $0.label < $1.label) }
        let total = sorted.reduce(into: Line(key: "", label: "Tổng")) { $0.total += $1.total; $0.poor += $1.poor; $0.nearPoor += $1.nearPoor }
        func pct(_ n: Int, _ d: Int) -> String { d == 0 ? "–" : ReportValue.rate(n, d).text + " %" }
        let childName = level == .commune ? "thôn/tổ dân phố" : (level == .district ? "xã/phường (cũ)" : (level == .province ? (structure == .y2024 ? "huyện/thị xã" : "xã/phường") : "tỉnh/thành phố"))
        let tableRows: [HTML] = (sorted + [total]).map { l in
            let name: HTML = level != .commune && !l.key.isEmpty && units.unit(l.key, in: structure) != nil ? "<a href=\"\(Path.dashboard)?unit=\(l.key)&structure=\(s)\">\(l.label)</a>" : "\(l.label)"
            return "<tr><td>\(name)</td><td class=\"num\">\(Format.money(l.total))</td><td class=\"num\">\(Format.money(l.poor))</td><td class=\"num\">\(pct(l.poor, l.total))</td><td class=\"num\">\(Format.money(l.nearPoor))</td><td class=\"num\">\(pct(l.nearPoor, l.total))</td></tr>"
        }
        let chart = SVGChart.horizontalBars(sorted.prefix(30).map { .init(label: $0.label, value: rate($0.poor, $0.total), text: pct($0.poor, $0.total)) },
                                            title: "Tỷ lệ hộ nghèo theo \(childName)")

        // Trend: the registry's years (summaries), then figures the unit reported before the registry.
        var trend: [(year: Int, poor: Int?, total: Int?, rate: Int?, standard: String, source: String)] = []
        for y in try await Summaries.years(on: req.reportDB) {
            let cells = try await data.rows(year: y, place: place, scope: scope, dims: [.all], on: req.reportDB).flatMap(\.cells)
            let t = Reports.count(allTerms, cells, measure: .households)
            guard t > 0 else { continue }
            let p = Reports.count(poorTerms, cells, measure: .households)
            trend.append((y, p, t, nil, try await Summaries.standard(year: y, on: req.reportDB) ?? "", "sổ hộ"))
        }
        let targets = try await TargetStore(store: registry.store).list(scope, year: nil, on: req.reportDB)
            .filter { $0.codes == [unit] && $0.unitStructure == structure }
        for t in targets where t.kind == "actual" && t.measure == "poor" && !trend.contains(where: { $0.year == t.year }) {
            trend.append((t.year, t.endHouseholds, nil, t.endRate, t.standard ?? "", t.source ?? "báo cáo"))
        }
        trend.sort { $0.year < $1.year }
        let trendTargets = Dictionary(targets.filter { $0.kind == "target" && $0.measure == "poor" }.map { ($0.year, $0) }, uniquingKeysWith: { a, _ in a })
        func trendRate(_ p: (year: Int, poor: Int?, total: Int?, rate: Int?, standard: String, source: String)) -> Double? {
            if let poor = p.poor, let t = p.total, t > 0 { return Double(poor) / Double(t) * 100 }
            return p.rate.map { Double($0) / 100 }
        }
        let points: [SVGChart.Point] = trend.compactMap { p in
            guard let r = trendRate(p) else { return nil }
            return .init(label: String(p.year), value: r, text: String(format: "%.2f", r).replacingOccurrences(of: ".", with: ","),
                         standard: p.standard, target: trendTargets[p.year]?.endRate.map { Double($0) / 100 })
        }
        let trendChart = points.count > 1 ? SVGChart.trend(points, title: "Tỷ lệ hộ nghèo qua các năm (%)") : ""
        let trendRows: [HTML] = trend.map { p in
            "<tr><td>\(p.year)</td><td>\(p.standard)</td><td class=\"num\">\(p.poor.map { Format.money($0) } ?? "")</td><td class=\"num\">\(p.total.map { Format.money($0) } ?? "")</td><td class=\"num\">\(trendRate(p).map { String(format: "%.2f", $0).replacingOccurrences(of: ".", with: ",") } ?? "")</td><td class=\"num\">\(trendTargets[p.year]?.endRate.map { ReportValue.rate($0, 10_000).text } ?? "")</td><td>\(p.source)</td></tr>"
        }

        // This year's targets of the unit and of its children.
        let store = TargetStore(store: registry.store)
        var targetRows: [HTML] = []
        var targetBars: [SVGChart.Bar] = []
        for t in try await store.list(scope, year: year, on: req.reportDB) where t.kind == "target" && t.unitStructure == structure {
            let cs = t.codes
            guard cs == [unit] || cs.contains(where: { c in rows.contains { $0.code == c } }) else { continue }
            guard let p = try await store.progress(t, scope: scope, reference: registry.referenceDate, on: req.reportDB) else { continue }
            let goal = [t.reduction.map { "giảm ≥ \($0)" }, t.endHouseholds.map { "≤ \($0) hộ" }, t.endRate.map { "≤ \(ReportValue.rate($0, 10_000).text) %" }]
                .compactMap { $0 }.joined(separator: "; ")
            targetRows.append("<tr\(raw: p.status.flagged ? " class=\"flag\"" : "")><td>\(t.unitName)</td><td>\(TargetMeasure(rawValue: t.measure)?.vietnamese ?? t.measure)</td><td>\(goal)</td><td class=\"num\">\(p.start)</td><td class=\"num\">\(p.now)</td><td class=\"num\">\(p.projectedEnd)</td><td>\(p.status.vietnamese)</td></tr>")
            if let r = t.reduction, r > 0 {
                targetBars.append(.init(label: t.unitName, value: Double(max(p.reductionSoFar, 0)) / Double(r),
                                        text: "\(p.reductionSoFar)/\(r) hộ\(p.status.flagged ? " ⚠" : "")"))
            }
        }
        let targetChart = targetBars.isEmpty ? "" : SVGChart.horizontalBars(targetBars.sorted { $0.value < $1.value }.prefix(30).map { $0 },
                                                                            title: "Số hộ nghèo đã giảm so với chỉ tiêu năm \(year)")

        // Deprivation profile of the poor and near-poor.
        let standard = registry.store.engine.catalogue.standard(for: registry.referenceDate)
        let all = rows.flatMap(\.cells)
        let profile: [(String, String, Int, Int)] = (standard?.indicators ?? []).map { i in
            (i.code, i.name.vi, Reports.count([CellTerm(categories: ["poor"], dim: "indicator", key: i.code)], all, measure: .households),
             Reports.count([CellTerm(categories: ["nearPoor"], dim: "indicator", key: i.code)], all, measure: .households))
        }
        let profileChart = SVGChart.horizontalBars(profile.map { .init(label: "\($0.0) \($0.1)", value: rate($0.2, total.poor), text: pct($0.2, total.poor)) },
                                                   title: "Tỷ lệ hộ nghèo thiếu hụt theo chỉ số")
        let profileRows: [HTML] = profile.map { "<tr><td>\($0.0)</td><td>\($0.1)</td><td class=\"num\">\($0.2)</td><td class=\"num\">\(pct($0.2, total.poor))</td><td class=\"num\">\($0.3)</td><td class=\"num\">\(pct($0.3, total.nearPoor))</td></tr>" }

        // The year's support (issue 7), for the 2025 structure the ledger is kept in: totals from one query; a
        // commune's helper coverage as monitoring counts it (a province's stays on that page).
        var supportCard: HTML = ""
        if structure == .y2025, let support = registry.support {
            let communes = level == nil ? nil : data.communes(of: place, scope: scope)
            let t = try await support.ledgerTotals(scope, communes: communes, year: year, on: req.reportDB)
            var helpers: HTML = ""
            if level == .commune, let c = communes, c.count == 1 {
                // The assignment sheet's rows: the households monitoring counts, without reading their members.
                let sheet = try await support.helperRows(scope, commune: c[0], year: year, on: registry.referenceDate, on: req.reportDB)
                let cov = Coverage(eligible: sheet.count, reached: sheet.filter { !$0.helperName.isEmpty }.count, target: 100)
                helpers = "<div class=\"card\"><b>\(req.t("Có người giúp đỡ", "With a helper"))</b><br>\(cov.reached)/\(cov.eligible) \(req.t("hộ nghèo, cận nghèo", "poor and near-poor households")) (\(pct(cov.reached, cov.eligible)))\(cov.belowTarget ? HTML(" · <a href=\"\(Path.supportHelpers)?commune=\(c[0])&missing=1\">\(req.t("phân công", "assign"))</a>") : "")</div>"
            }
            supportCard = """
            <h2>\(req.t("Hỗ trợ năm", "Support in")) \(year)</h2>
            <div class="grid">
              <div class="card"><b>\(req.t("Khoản hỗ trợ", "Supports recorded"))</b><br>\(Format.money(t.records)) \(req.t("khoản cho", "for")) \(Format.money(t.households)) \(req.t("hộ", "households"))</div>
              <div class="card"><b>\(req.t("Giá trị đã hỗ trợ", "Value given"))</b><br>\(Format.money(t.given)) đ\(t.lent > 0 ? HTML("<br><small>\(req.t("Cho vay", "Lent")): \(Format.money(t.lent)) đ</small>") : "")</div>
              \(helpers)
              <div class="card"><b>\(req.t("Không đúng đối tượng", "Ineligible"))</b><br>\(Format.money(t.ineligible)) \(req.t("khoản, có lý do", "records, with a reason"))\(t.ineligible > 0 ? HTML(" · <a href=\"\(Path.support)?ineligible=1\(communes?.count == 1 ? "&commune=\(communes![0])" : "")\">\(req.t("xem", "review"))</a>") : "")</div>
            </div>
            <p class="noprint"><a href="\(Path.supportMonitoring)\(communes?.count == 1 ? "?commune=\(communes![0])" : "")">\(req.t("Theo dõi độ bao phủ chính sách, kinh phí →", "Policy coverage and budgets →"))</a></p>
            """
        }

        let placeName = units.unit(unit, in: structure).map { units.path(of: $0) } ?? "Toàn quốc"
        let up: HTML = units.unit(unit, in: structure).flatMap { $0.parentCode }.map { "<a class=\"noprint\" href=\"\(Path.dashboard)?unit=\($0)&structure=\(s)\">↑ \(units.unit($0, in: structure)?.name ?? $0)</a>" } ?? ""
        let replica = await req.replicaNote()
        return Layout.page(req, title: req.t("Tổng quan", "Overview"), """
        <h1>\(req.t("Tổng quan", "Overview")): \(placeName)</h1>
        \(replica)
        <p class="noprint">\(up) \(structure == .y2024 ? HTML(unsafe: "Cơ cấu trước 01/7/2025 (có huyện) · <a href=\"\(Path.dashboard)\">cơ cấu hiện nay</a>") : HTML(unsafe: "<a href=\"\(Path.dashboard)?structure=2024&unit=\(units.unit(unit)?.level == .province ? unit : "")\">Cơ cấu trước 01/7/2025</a>")) · <a href="\(Path.report("ket-qua"))?unit=\(unit)&structure=\(s)">Biểu báo cáo</a> · <a href="\(Path.targets)">Chỉ tiêu</a> · <a href="\(Path.analytics)?unit=\(unit)">Phân tích đa chiều</a> · <a href="\(Path.whatIf)?unit=\(unit)">Mô phỏng chuẩn mới</a></p>
        <div class="grid">
          <div class="card"><b>Tổng số hộ</b><br>\(Format.money(total.total))</div>
          <div class="card"><b>Hộ nghèo</b><br>\(Format.money(total.poor)) (\(pct(total.poor, total.total)))</div>
          <div class="card"><b>Hộ cận nghèo</b><br>\(Format.money(total.nearPoor)) (\(pct(total.nearPoor, total.total)))</div>
        </div>
        <p class="muted">Năm \(year). Tỷ lệ tính trên tổng số hộ đang quản lý của từng đơn vị; số liệu từ bảng tổng hợp cập nhật cùng lúc với mỗi thay đổi.</p>
        \(supportCard)
        <h2>Theo \(childName)</h2>
        <div class="card scroll">\(chart)</div>
        <div class="scroll"><table><thead><tr><th>\(childName.prefix(1).uppercased() + childName.dropFirst())</th><th>Số hộ</th><th>Hộ nghèo</th><th>Tỷ lệ</th><th>Hộ cận nghèo</th><th>Tỷ lệ</th></tr></thead>
        <tbody>\(tableRows)</tbody></table></div>
        <h2>Qua các năm</h2>
        <div class="card scroll">\(trendChart)</div>
        <div class="scroll"><table><thead><tr><th>Năm</th><th>Chuẩn</th><th>Hộ nghèo</th><th>Tổng số hộ</th><th>Tỷ lệ, %</th><th>Mục tiêu tỷ lệ, %</th><th>Nguồn</th></tr></thead><tbody>\(trendRows)</tbody></table></div>
        <p class="muted">Đường nét đứt đánh dấu năm đổi chuẩn nghèo: số liệu hai bên đo theo hai chuẩn khác nhau, không so trực tiếp.</p>
        <h2>Chỉ tiêu năm \(year)</h2>
        \(targetRows.isEmpty ? HTML("<p class=\"muted\">Chưa có chỉ tiêu năm \(year) cho đơn vị này.</p>") : HTML("<div class=\"card scroll\">\(targetChart)</div><div class=\"scroll\"><table><thead><tr><th>Đơn vị</th><th>Nhóm hộ</th><th>Chỉ tiêu</th><th>Đầu năm</th><th>Hiện nay</th><th>Dự kiến cuối năm</th><th>Tình trạng</th></tr></thead><tbody>\(targetRows)</tbody></table></div>"))
        <h2>Thiếu hụt theo chỉ số</h2>
        <div class="card scroll">\(profileChart)</div>
        <div class="scroll"><table><thead><tr><th>Mã</th><th>Chỉ số</th><th>Hộ nghèo thiếu hụt</th><th>Tỷ lệ</th><th>Hộ cận nghèo thiếu hụt</th><th>Tỷ lệ</th></tr></thead><tbody>\(profileRows)</tbody></table></div>
        """)
    }

    func rate(_ n: Int, _ d: Int) -> Double { d == 0 ? 0 : Double(n) / Double(d) }
}
