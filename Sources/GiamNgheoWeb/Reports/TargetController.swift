import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoReports
import GiamNgheoStorage
import Vapor

/// Reduction targets and roadmaps (issue 6 §4): per unit and year, progress against the live registry,
/// off-track units flagged with the simple projection; entered or imported by province staff.
struct TargetController: Feature {
    var navigation: [NavEntry] {
        [
            NavEntry(order: 55, path: Path.targets, vi: "Chỉ tiêu", en: "Targets", access: .signedIn),
        ]
    }

    func boot(routes: any RoutesBuilder) throws {
        // Who may set targets (province staff, administrators) is the target store's rule.
        let r = routes.access(.signedIn)
        r.get("targets", use: list)
        r.get("targets", "xlsx", use: xlsx)
        r.post("targets", use: add)
        r.post("targets", "import", use: importFile)
        r.post("targets", ":id", "delete", use: delete)
    }

    func store(_ req: Request) -> TargetStore { TargetStore(store: req.application.registry.store) }

    func list(req: Request) async throws -> HTML {
        let scope = try req.checkedScope
        let registry = req.application.registry
        let years = try await store(req).years(on: req.db)
        let year = req.query[Int.self, at: "year"] ?? (years.contains(registry.referenceDate.year) ? registry.referenceDate.year : years.last ?? registry.referenceDate.year)
        let targets = try await store(req).list(scope, year: year, on: req.db)
        var flagged = 0
        var rows: [HTML] = []
        for t in targets {
            let p = try await store(req).progress(t, scope: scope, reference: registry.referenceDate, on: req.db)
            if p?.status.flagged == true { flagged += 1 }
            let goal = [t.reduction.map { "giảm ≥ \(Format.money($0)) hộ" }, t.endHouseholds.map { "còn ≤ \(Format.money($0)) hộ" },
                        t.endRate.map { "tỷ lệ ≤ \(ReportValue.rate($0, 10_000).text) %" }].compactMap { $0 }.joined(separator: "; ")
            let what = t.kind == "actual" ? "Số đã báo cáo: \(t.endHouseholds.map { Format.money($0) } ?? "–") hộ\(t.endRate.map { " (\(ReportValue.rate($0, 10_000).text) %)" } ?? "")" : goal
            let status: HTML
            if let p {
                let css = p.status.flagged ? "badge poor" : (p.status == .achieved || p.status == .onTrack ? "badge notPoor" : "badge")
                status = "<span class=\"\(css)\">\(p.status.vietnamese)</span>\(p.reasons.isEmpty ? "" : HTML(unsafe: "<br><small>" + p.reasons.map(HTML.escape).joined(separator: "<br>") + "</small>"))"
            } else {
                status = t.kind == "actual" ? "" : "<span class=\"muted\">Không theo dõi được</span>"
            }
            let figures: HTML = p.map { p in "<td class=\"num\">\(Format.money(p.start))</td><td class=\"num\">\(Format.money(p.now))</td><td class=\"num\">\(Format.money(p.reductionSoFar))</td><td class=\"num\">\(Format.money(p.projectedEnd))</td><td class=\"num\">\(ReportValue.rate(p.projectedEnd, p.total).text)</td>" }
                ?? "<td></td><td></td><td></td><td></td><td></td>"
            let delete: HTML = TargetStore.canEdit(scope) ? """
                <form method="post" action="\(Path.target(t.id!, "delete"))" class="noprint">\(req.csrfField)<input type="hidden" name="version" value="\(t.version)"><button type="submit">Xoá</button></form>
                """ : ""
            let note = [t.note, t.source].compactMap { $0 }.joined(separator: " · ")
            rows.append("""
            <tr\(raw: p?.status.flagged == true ? " class=\"flag\"" : "")><td>\(t.unitName)<br><small class="muted">\(t.structure == "2024" ? "cơ cấu 2024" : "cơ cấu 2025")\(t.codes.isEmpty ? "" : " · " + t.codes.joined(separator: ", "))</small></td>
            <td>\(TargetMeasure(rawValue: t.measure)?.vietnamese ?? t.measure)</td><td>\(t.baseline.map { Format.money($0) } ?? "")</td><td>\(what)</td>\(figures)<td>\(status)</td><td><small>\(note)</small></td><td>\(delete)</td></tr>
            """)
        }
        let yearLinks: [HTML] = years.map { y in y == year ? "<b>\(y)</b>" : "<a href=\"\(Path.targets)?year=\(y)\">\(y)</a>" }
        let measures: [HTML] = TargetMeasure.allCases.map { "<option value=\"\($0.rawValue)\">\($0.vietnamese)</option>" }
        let form: HTML = TargetStore.canEdit(scope) ? """
            <details class="card noprint"><summary>Thêm chỉ tiêu</summary>
            <form method="post" action="\(Path.targets)" class="filters">
              \(req.csrfField)
              <label>Năm <input class="w-6" name="year" type="number" value="\(year)" required></label>
              <label>Cơ cấu <select name="structure"><option value="2025">2025</option><option value="2024">2024 (có huyện)</option></select></label>
              <label>Mã đơn vị (nhiều mã cách bằng ;) <input name="unit_codes" required></label>
              <label>Nhóm hộ <select name="measure">\(measures)</select></label>
              <label>Số đầu kỳ (theo kế hoạch) <input name="baseline" inputmode="numeric"></label>
              <label>Giảm ít nhất (hộ) <input name="reduction" inputmode="numeric"></label>
              <label>Cuối kỳ không quá (hộ) <input name="end_households" inputmode="numeric"></label>
              <label>Tỷ lệ cuối kỳ không quá (%) <input name="end_rate_pct" placeholder="1,76"></label>
              <label>Ghi chú <input name="note"></label>
              <button type="submit">Lưu</button>
            </form></details>
            <details class="card noprint"><summary>Nhập chỉ tiêu từ tệp CSV</summary>
            <form method="post" action="\(Path.targetsImport)" enctype="multipart/form-data" class="filters">
              \(req.csrfField)
              <input type="file" name="file" accept=".csv,text/csv" required>
              <button type="submit">Nhập (tất cả hoặc không dòng nào)</button>
              <p class="muted">Cột: year, structure (2024/2025), unit_codes, unit_name, kind (target/actual), measure (\(TargetMeasure.allCases.map(\.rawValue).joined(separator: ", "))), baseline, reduction, end_households, end_rate_pct, standard, note, source.</p>
            </form></details>
            """ : ""
        let months = year < registry.referenceDate.year ? 12 : (year > registry.referenceDate.year ? 0 : registry.referenceDate.month)
        return Layout.page(req, title: req.t("Chỉ tiêu giảm nghèo", "Reduction targets"), """
        <h1>Chỉ tiêu giảm nghèo năm \(year)</h1>
        <p class="noprint">Năm: \(yearLinks) · <a href="\(Path.targetsXLSX)?year=\(year)">Tải xlsx</a></p>
        <p>\(months == 12 ? "Năm đã kết thúc: so kết quả với chỉ tiêu." : (months == 0 ? "Năm chưa bắt đầu." : "Đã qua \(months)/12 tháng (ngày tham chiếu \(registry.referenceDate.vietnamese)); dự kiến cuối năm = số đã giảm × 12 / \(months)."))
        \(flagged > 0 ? HTML("<b class=\"flagtext\">\(flagged) chỉ tiêu có nguy cơ không đạt.</b>") : "")</p>
        \(form)
        <div class="scroll"><table><thead><tr><th>Đơn vị</th><th>Nhóm hộ</th><th>Đầu kỳ (kế hoạch)</th><th>Chỉ tiêu</th><th>Đầu năm (sổ hộ)</th><th>Hiện nay</th><th>Đã giảm</th><th>Dự kiến cuối năm</th><th>Tỷ lệ dự kiến, %</th><th>Tình trạng</th><th>Ghi chú, nguồn</th><th></th></tr></thead>
        <tbody>\(rows)</tbody></table></div>
        <p class="muted">Số "đầu năm" và "hiện nay" đọc từ bảng tổng hợp của sổ hộ; số theo kế hoạch giữ nguyên như văn bản. Tỷ lệ tính trên tổng số hộ trong sổ của đơn vị.</p>
        """)
    }

    func add(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        let form = try req.content.decode([String: String].self)
        let t = try await store(req).add(scope, .init(form), on: req.db)
        return req.redirect(to: Path.targets + "?year=\(t.year)")
    }

    struct Upload: Content { var file: File }

    func importFile(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        let upload = try req.content.decode(Upload.self)
        let text = TextDecoding.decode(Data(upload.file.data.readableBytesView)).text
        _ = try await store(req).importCSV(scope, text: text, on: req.db)
        return req.redirect(to: Path.targets)
    }

    func delete(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        guard let id = req.parameters.get("id", as: Int.self) else { throw Abort(.notFound) }
        let version = (try? req.content.get(Int.self, at: "version")) ?? 0
        try await store(req).delete(scope, id: id, expectedVersion: version, on: req.db)
        return req.redirect(to: Path.targets)
    }

    /// The year's targets and their progress as an xlsx sheet: the same columns as the page, counts as numbers.
    func xlsx(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        let registry = req.application.registry
        let year = req.query[Int.self, at: "year"] ?? registry.referenceDate.year
        let x = try XLSXWriter()
        let sheet = try x.startSheet("Chỉ tiêu \(year)", header: ["Đơn vị", "Mã đơn vị", "Cơ cấu", "Loại", "Nhóm hộ", "Đầu kỳ (kế hoạch)", "Giảm ít nhất",
                                                                "Cuối kỳ không quá", "Tỷ lệ cuối kỳ không quá (%)", "Đầu năm (sổ hộ)", "Hiện nay", "Đã giảm",
                                                                "Dự kiến cuối năm", "Tỷ lệ dự kiến (%)", "Tình trạng", "Lý do", "Ghi chú", "Nguồn"],
                                     widths: [28, 12, 8, 10, 22, 12, 12, 12, 12, 12, 10, 10, 12, 12, 18, 60, 40, 40])
        func n(_ v: Int?) -> GiamNgheoReports.Cell { v.map { .number($0) } ?? .empty }
        for t in try await store(req).list(scope, year: year, on: req.db) {
            let p = try await store(req).progress(t, scope: scope, reference: registry.referenceDate, on: req.db)
            try x.append([.text(t.unitName), .text(t.codes.joined(separator: ", ")), .text(t.structure), .text(t.kind == "actual" ? "Số đã báo cáo" : "Chỉ tiêu"),
                          .text(TargetMeasure(rawValue: t.measure)?.vietnamese ?? t.measure), n(t.baseline), n(t.reduction), n(t.endHouseholds),
                          t.endRate.map { .text(ReportValue.rate($0, 10_000).text) } ?? .empty, n(p?.start), n(p?.now), n(p?.reductionSoFar),
                          n(p?.projectedEnd), p.map { .text(ReportValue.rate($0.projectedEnd, $0.total).text) } ?? .empty,
                          .text(p?.status.vietnamese ?? ""), .text(p?.reasons.joined(separator: " ") ?? ""), .text(t.note ?? ""), .text(t.source ?? "")], to: sheet)
        }
        let file = TemporaryFiles.url("targets-\(UUID().uuidString).xlsx")
        try x.finish(to: file)
        return try await SheetResponse.xlsx(req, file, filename: "chi-tieu-\(year).xlsx")
    }
}
