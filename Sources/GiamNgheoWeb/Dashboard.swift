import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import Vapor

/// Key figures per unit from the maintained summaries: by commune for a province, by village for a commune.
struct DashboardController {
    struct Line { var key: String; var label: String; var total = 0; var poor = 0; var nearPoor = 0 }

    func show(req: Request) async throws -> HTML {
        let scope = try req.requireScope()
        let units = req.application.registry.units
        var commune = req.query[String.self, at: "commune"].flatMap { $0.isEmpty ? nil : $0 }
        // A user with one commune sees its villages directly.
        if commune == nil, let only = scope.communes, only.count == 1 { commune = only.first }
        let rows = try await Summaries.counts(scope, commune: commune, year: req.application.registry.store.summaryYear, on: req.db)
        var lines: [String: Line] = [:]
        for r in rows {
            let label = commune == nil ? (units.unit(r.key)?.name ?? r.key) : (r.key.isEmpty ? "(chưa có thôn/tổ)" : r.key)
            lines[r.key, default: Line(key: r.key, label: label)].total += r.households
            if r.category == "poor" { lines[r.key]!.poor += r.households }
            if r.category == "nearPoor" { lines[r.key]!.nearPoor += r.households }
        }
        let sorted = lines.values.sorted { rate($0.poor, $0.total) > rate($1.poor, $1.total) || (rate($0.poor, $0.total) == rate($1.poor, $1.total) && $0.label < $1.label) }
        let total = sorted.reduce(into: Line(key: "", label: "Tổng")) { $0.total += $1.total; $0.poor += $1.poor; $0.nearPoor += $1.nearPoor }
        func pct(_ n: Int, _ d: Int) -> String { d == 0 ? "–" : String(format: "%.2f", 100 * Double(n) / Double(d)).replacingOccurrences(of: ".", with: ",") + " %" }
        let tableRows: [HTML] = (sorted + [total]).map { l in
            let name: HTML = commune == nil && !l.key.isEmpty ? "<a href=\"/dashboard?commune=\(l.key)\">\(l.label)</a>" : "\(l.label)"
            return "<tr><td>\(name)</td><td>\(Format.money(l.total))</td><td>\(Format.money(l.poor))</td><td>\(pct(l.poor, l.total))</td><td>\(Format.money(l.nearPoor))</td><td>\(pct(l.nearPoor, l.total))</td></tr>"
        }
        let chart = SVGChart.horizontalBars(sorted.prefix(30).map { .init(label: $0.label, value: rate($0.poor, $0.total), text: pct($0.poor, $0.total)) },
                                            title: "Tỷ lệ hộ nghèo theo \(commune == nil ? "xã/phường" : "thôn/tổ dân phố")")
        let assigned = (req.currentUser?.units ?? []).compactMap { units.unit($0)?.name }
        let place = commune.flatMap { units.unit($0) }.map { units.path(of: $0) }
            ?? (scope.communes == nil ? "Toàn quốc" : assigned.joined(separator: ", "))
        return Layout.page(req, title: req.t("Tổng quan", "Overview"), """
        <h1>\(req.t("Tổng quan", "Overview")): \(place)</h1>
        <div class="grid">
          <div class="card"><b>Tổng số hộ</b><br>\(Format.money(total.total))</div>
          <div class="card"><b>Hộ nghèo</b><br>\(Format.money(total.poor)) (\(pct(total.poor, total.total)))</div>
          <div class="card"><b>Hộ cận nghèo</b><br>\(Format.money(total.nearPoor)) (\(pct(total.nearPoor, total.total)))</div>
        </div>
        <p class="muted">Tỷ lệ tính trên tổng số hộ đang quản lý của từng đơn vị; số liệu từ bảng tổng hợp cập nhật cùng lúc với mỗi thay đổi.</p>
        <div class="card scroll">\(chart)</div>
        <div class="scroll"><table><thead><tr><th>\(commune == nil ? "Xã/phường" : "Thôn/tổ dân phố")</th><th>Số hộ</th><th>Hộ nghèo</th><th>Tỷ lệ</th><th>Hộ cận nghèo</th><th>Tỷ lệ</th></tr></thead>
        <tbody>\(tableRows)</tbody></table></div>
        """)
    }

    func rate(_ n: Int, _ d: Int) -> Double { d == 0 ? 0 : Double(n) / Double(d) }
}
