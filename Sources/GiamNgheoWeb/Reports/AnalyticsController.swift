import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoReports
import GiamNgheoStorage
import Vapor

/// Multidimensional analytics (issue 6 §6; Alkire and Foster, J. Public Economics 95, 2011): H, A, M0, uncensored and censored headcounts,
/// contributions, decomposition by unit or subgroup, change over years; from the summaries with equal
/// weights and any integer cut-off, or from the households with other weights.
struct AnalyticsController: Feature {
    var navigation: [NavEntry] {
        [
            NavEntry(order: 70, path: Path.analytics, vi: "Đa chiều", en: "MPI", access: .signedIn),
        ]
    }

    func boot(routes: any RoutesBuilder) throws {
        let r = routes.access(.signedIn)
        r.get("analytics", use: show)
        r.get("analytics", "xlsx", use: xlsx)
    }

    func show(req: Request) async throws -> HTML {
        try await page(req, xlsx: nil)
    }

    /// The same figures as an xlsx workbook: headline indices, the indicator table, the decomposition.
    func xlsx(req: Request) async throws -> Response {
        let x = try XLSXWriter()
        _ = try await page(req, xlsx: x)
        let file = TemporaryFiles.url("af-\(UUID().uuidString).xlsx")
        try x.finish(to: file)
        return try await SheetResponse.xlsx(req, file, filename: "phan-tich-da-chieu.xlsx")
    }

    func page(_ req: Request, xlsx: XLSXWriter?) async throws -> HTML {
        let scope = try req.checkedScope
        let registry = req.application.registry
        let units = registry.units
        let year = req.query[Int.self, at: "year"] ?? registry.store.summaryYear
        let place = try req.reportPlace()
        let (structure, unit) = (place.structure, place.unit)
        guard let standard = registry.reportStandard(year: year) else { throw ValidationError("standard.year", field: "year", vi: "Không có chuẩn nghèo cho năm \(year).", en: "No poverty standard for the year \(year).") }
        let indicators = standard.indicators.map(\.code)
        let defaultK = standard.deprivationThreshold.value
        let k = req.query[Int.self, at: "k"] ?? defaultK
        guard (1...indicators.count).contains(k) else {
            throw ValidationError("analytics.k", field: "k", vi: "Ngưỡng k phải từ 1 đến \(indicators.count) chỉ số (nhập: \(k)).", en: "The threshold k must be from 1 to \(indicators.count) indicators (entered: \(k)).")
        }
        let by = req.query[String.self, at: "by"].flatMap { ReportData.AFBreakdown(rawValue: $0) } ?? .unit
        let data = ReportData(units: units)
        let (total, parts) = try await data.alkireFoster(year: year, place: place, scope: scope, indicators: indicators, cutoff: k, by: by, on: req.reportDB)
        let m = total.measures
        func pct(_ f: Fraction) -> String { String(format: "%.2f", f.double * 100).replacingOccurrences(of: ".", with: ",") }
        func dec(_ f: Fraction) -> String { String(format: "%.4f", f.double).replacingOccurrences(of: ".", with: ",") }
        let actb = AlkireFoster.absoluteContribution(m)
        let names = Dictionary(standard.indicators.map { ($0.code, $0.name.vi) }, uniquingKeysWith: { a, _ in a })
        let indicatorRows: [HTML] = indicators.enumerated().map { j, code in
            "<tr><td>\(code)</td><td>\(names[code] ?? code)</td><td class=\"num\">\(pct(m.uncensored[j]))</td><td class=\"num\">\(pct(m.censored[j]))</td><td class=\"num\">\(dec(actb[j]))</td><td class=\"num\">\(pct(m.contribution[j]))</td></tr>"
        }
        let chart = SVGChart.horizontalBars(indicators.enumerated().map { j, c in .init(label: "\(c) \(names[c] ?? "")", value: m.contribution[j].double, text: pct(m.contribution[j]) + " %") },
                                            title: "Đóng góp của từng chỉ số vào M0 (%)")
        // Decomposition: Σ population share × part M0 = the place's M0, checked on exact fractions.
        var recomposed = Fraction(0, 1)
        let partRows: [HTML] = parts.map { p in
            let share = Fraction(p.measures.households, max(m.households, 1))
            recomposed = recomposed + share * p.measures.adjustedHeadcount
            let link: HTML = by == .unit && units.unit(p.code, in: structure) != nil
                ? "<a href=\"\(Path.analytics)?year=\(year)&structure=\(structure == .y2024 ? "2024" : "2025")&unit=\(p.code)&k=\(k)\">\(p.name)</a>" : "\(p.name)"
            return "<tr><td>\(link)</td><td class=\"num\">\(Format.money(p.measures.households))</td><td class=\"num\">\(pct(share))</td><td class=\"num\">\(pct(p.measures.headcount))</td><td class=\"num\">\(pct(p.measures.intensity))</td><td class=\"num\">\(dec(p.measures.adjustedHeadcount))</td><td class=\"num\">\(pct(m.adjustedHeadcount.numerator == 0 ? Fraction(0, 1) : share * p.measures.adjustedHeadcount * Fraction(m.adjustedHeadcount.denominator, m.adjustedHeadcount.numerator)))</td></tr>"
        }
        let decomposes = recomposed == m.adjustedHeadcount
        if let x = xlsx {
            let head = try x.startSheet("Chỉ số", header: ["Chỉ số", "Giá trị", "Phân số chính xác"], widths: [40, 14, 20])
            for (name, f) in [("H (tỷ lệ nghèo đa chiều)", m.headcount), ("A (mức độ thiếu hụt bình quân)", m.intensity), ("M0 = H × A", m.adjustedHeadcount)] {
                try x.append([.text(name), .text(dec(f)), .text(f.description)], to: head)
            }
            try x.append([.text("Số hộ"), .number(m.households), .empty], to: head)
            try x.append([.text("Ngưỡng k"), .text("\(k)/\(indicators.count)"), .empty], to: head)
            let ind = try x.startSheet("Theo chỉ số", header: ["Mã", "Chỉ số", "Tỷ lệ thiếu hụt (%)", "Tỷ lệ kiểm duyệt (%)", "Đóng góp tuyệt đối", "Đóng góp (%)"],
                                       widths: [8, 40, 16, 16, 16, 14])
            for (j, code) in indicators.enumerated() {
                try x.append([.text(code), .text(names[code] ?? code), .text(pct(m.uncensored[j])), .text(pct(m.censored[j])), .text(dec(actb[j])), .text(pct(m.contribution[j]))], to: ind)
            }
            let dec2 = try x.startSheet("Phân rã", header: ["Nhóm", "Số hộ", "H (%)", "A (%)", "M0"], widths: [30, 10, 10, 10, 10])
            for p in parts {
                try x.append([.text(p.name), .number(p.measures.households), .text(pct(p.measures.headcount)), .text(pct(p.measures.intensity)), .text(dec(p.measures.adjustedHeadcount))], to: dec2)
            }
            return ""
        }
        // Over the years: each year's standard and its indicators; a change of standard is marked as such.
        var trendRows: [HTML] = []
        var points: [SVGChart.Point] = []
        for y in try await Summaries.years(on: req.reportDB) {
            guard let s = registry.reportStandard(year: y) else { continue }
            let (t, _) = try await data.alkireFoster(year: y, place: place, scope: scope, indicators: s.indicators.map(\.code),
                                                     cutoff: min(k, s.indicators.count), by: .minority, on: req.reportDB)
            guard t.measures.households > 0 else {
                trendRows.append("<tr><td>\(y)</td><td>\(s.id)</td><td colspan=\"4\" class=\"muted\">Không lưu chỉ số thiếu hụt của năm này.</td></tr>")
                continue
            }
            trendRows.append("<tr><td>\(y)</td><td>\(s.id)</td><td class=\"num\">\(Format.money(t.measures.households))</td><td class=\"num\">\(pct(t.measures.headcount))</td><td class=\"num\">\(pct(t.measures.intensity))</td><td class=\"num\">\(dec(t.measures.adjustedHeadcount))</td></tr>")
            points.append(.init(label: String(y), value: t.measures.adjustedHeadcount.double, text: dec(t.measures.adjustedHeadcount), standard: s.id))
        }
        let trend = points.count > 1 ? SVGChart.trend(points, title: "M0 qua các năm") : ""
        // Other weights: integers per indicator, read from the households.
        var weighted: HTML = ""
        if let text = req.query[String.self, at: "weights"], !text.trimmingCharacters(in: .whitespaces).isEmpty {
            var w = Array(repeating: 1, count: indicators.count)
            for part in text.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " }) {
                let kv = part.split(separator: "=")
                guard kv.count == 2, let j = indicators.firstIndex(of: String(kv[0]).uppercased()), let v = Int(kv[1]), v >= 0 else {
                    throw ValidationError("analytics.weight", field: "weights", vi: "Trọng số '\(part)' không hợp lệ: viết MÃ=SỐ_NGUYÊN, ví dụ VL1=2, với mã trong \(indicators.joined(separator: ", ")).", en: "Weight '\(part)' is not valid: write CODE=INTEGER, e.g. VL1=2, with a code among \(indicators.joined(separator: ", ")).")
                }
                w[j] = v
            }
            let cutoff = req.query[Int.self, at: "wk"] ?? k
            let wm = try await data.alkireFosterWeighted(year: year, place: place, scope: scope, indicators: indicators, weights: w, cutoff: cutoff, on: req.reportDB)
            weighted = """
            <h2>Trọng số tự chọn (\(indicators.enumerated().map { "\($1)=\(w[$0])" }.joined(separator: ", ")); nghèo khi tổng trọng số ≥ \(cutoff))</h2>
            <p>H = \(pct(wm.headcount)) % (\(wm.headcount.description)) · A = \(pct(wm.intensity)) % · M0 = \(dec(wm.adjustedHeadcount)) (\(wm.adjustedHeadcount.description)); tính từ từng hộ.</p>
            """
        }
        let placeName = units.unit(unit, in: structure).map { units.path(of: $0) } ?? "Toàn quốc"
        let byOptions: [HTML] = ReportData.AFBreakdown.allCases.map { b in "<option value=\"\(b.rawValue)\"\(raw: b == by ? " selected" : "")>\(b.vietnamese)</option>" }
        return Layout.page(req, title: req.t("Phân tích đa chiều", "Multidimensional analytics"), """
        <section class="doc">
        <form class="filters noprint" method="get" action="\(Path.analytics)">
          <input type="hidden" name="unit" value="\(unit)"><input type="hidden" name="structure" value="\(structure == .y2024 ? "2024" : "2025")">
          <label>Năm <input class="w-6" name="year" type="number" value="\(year)"></label>
          <label>Ngưỡng k (số chỉ số) <input class="w-4" name="k" type="number" min="1" max="\(indicators.count)" value="\(k)"></label>
          <label>Phân rã <select name="by">\(byOptions)</select></label>
          <label>Trọng số khác (tuỳ chọn) <input name="weights" placeholder="VL1=2, YT2=2" value="\(req.query[String.self, at: "weights"] ?? "")"></label>
          <button type="submit">Tính</button>
          <a href="\(Path.analyticsXLSX)?year=\(year)&structure=\(structure == .y2024 ? "2024" : "2025")&unit=\(unit)&k=\(k)&by=\(by.rawValue)">Tải xlsx</a>
        </form>
        <h1>Phân tích nghèo đa chiều (Alkire–Foster): \(placeName), năm \(year)</h1>
        <p>Chuẩn \(standard.id): \(indicators.count) chỉ số trọng số bằng nhau; hộ nghèo đa chiều khi thiếu hụt từ \(k)/\(indicators.count) chỉ số. Chỉ số AF mô tả sổ hộ, không thay cho phân loại theo chuẩn (có thêm điều kiện thu nhập).</p>
        <div class="grid">
          <div class="card"><b>H (tỷ lệ nghèo đa chiều)</b><br>\(pct(m.headcount)) % <span class="muted">= \(Format.money(m.poor))/\(Format.money(m.households))</span></div>
          <div class="card"><b>A (mức độ thiếu hụt bình quân)</b><br>\(pct(m.intensity)) %</div>
          <div class="card"><b>M0 = H × A</b><br>\(dec(m.adjustedHeadcount)) <span class="muted">(\(m.adjustedHeadcount.description))</span></div>
        </div>
        \(total.excluded > 0 ? HTML("<p class=\"muted\">\(Format.money(total.excluded)) hộ chưa đủ thông tin để phân loại không được tính.</p>") : "")
        <h2>Theo chỉ số</h2>
        <div class="card scroll">\(chart)</div>
        <div class="scroll"><table><thead><tr><th>Mã</th><th>Chỉ số</th><th>Tỷ lệ thiếu hụt (chưa kiểm duyệt), %</th><th>Tỷ lệ nghèo và thiếu hụt (kiểm duyệt), %</th><th>Đóng góp tuyệt đối</th><th>Đóng góp, %</th></tr></thead>
        <tbody>\(indicatorRows)</tbody></table></div>
        <h2>Phân rã \(by.vietnamese)</h2>
        <div class="scroll"><table><thead><tr><th>Nhóm</th><th>Số hộ</th><th>Tỷ trọng dân số, %</th><th>H, %</th><th>A, %</th><th>M0</th><th>Đóng góp vào M0, %</th></tr></thead>
        <tbody>\(partRows)</tbody></table></div>
        <p class="muted">\(decomposes ? "Σ tỷ trọng × M0 của các nhóm = M0 chung (kiểm tra trên phân số chính xác)." : "Cảnh báo: phân rã không khớp M0 chung.")</p>
        <h2>Qua các năm</h2>
        <div class="card scroll">\(trend)</div>
        <div class="scroll"><table><thead><tr><th>Năm</th><th>Chuẩn</th><th>Số hộ</th><th>H, %</th><th>A, %</th><th>M0</th></tr></thead><tbody>\(trendRows)</tbody></table></div>
        \(weighted)
        </section>
        """)
    }
}
