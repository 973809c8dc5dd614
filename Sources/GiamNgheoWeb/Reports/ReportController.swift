import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoReports
import GiamNgheoStorage
import Vapor

extension Request {
    /// The unit and structure a report page is about (`unit`, `structure` = 2024 or 2025): by default the
    /// user's own level (one commune, or the province all their communes are in; in the 2024 structure the
    /// old province they come from), the nation otherwise. An unknown code is refused, naming it.
    func reportPlace(allowed: [UnitStructure] = [.y2025, .y2024]) throws -> ReportData.Place {
        let scope = try checkedScope
        let units = application.registry.units
        let structure: UnitStructure = query[String.self, at: "structure"] == "2024" && allowed.contains(.y2024) ? .y2024 : .y2025
        var unit = (query[String.self, at: "unit"] ?? query[String.self, at: "commune"]) ?? ""
        if query[String.self, at: "unit"] == nil && query[String.self, at: "commune"] == nil, let communes = scope.communes {
            if structure == .y2025 {
                let provinces = Set(communes.compactMap { units.unit($0)?.parentCode })
                unit = communes.count == 1 ? communes.first! : (provinces.count == 1 ? provinces.first! : "")
            } else {
                let olds = Set(communes.flatMap { units.predecessors(ofNewCommune: $0).map(\.oldProvinceCode) })
                if olds.count == 1 { unit = olds.first! }
            }
        }
        if !unit.isEmpty, units.unit(unit, in: structure) == nil {
            throw ValidationError("unit.unknown", field: "unit", vi: "Mã đơn vị '\(unit)' không có trong danh mục \(structure == .y2024 ? "2024" : "2025").", en: "Unit code '\(unit)' is not in the \(structure == .y2024 ? "2024" : "2025") list.")
        }
        return .init(structure: structure, unit: unit)
    }
}

/// The official report tables (issue 6 §1, §2): any layout, year, structure and unit, from the summaries;
/// each figure drills down to the next level or to its households; A4 landscape print and xlsx.
struct ReportController: Feature {
    var navigation: [NavEntry] {
        [
            NavEntry(order: 40, path: Path.reports, vi: "Báo cáo", en: "Reports", access: .signedIn),
        ]
    }

    func boot(routes: any RoutesBuilder) throws {
        let r = routes.access(.signedIn)
        r.get("reports", use: index)
        r.get("reports", "go", use: go)
        r.get("reports", "exchange", use: exchange)
        r.post("reports", "exchange", use: exchange)
        r.get("reports", ":id", use: show)
        r.get("reports", ":id", "xlsx", use: xlsx)
        r.get("reports", ":id", "households", use: households)
    }

    struct Params {
        var layout: ReportLayout
        var year: Int
        var place: ReportData.Place
        var query: String { "year=\(year)&structure=\(place.structure == .y2024 ? "2024" : "2025")&unit=\(place.unit)" }
    }

    func params(_ req: Request) throws -> Params {
        let id = req.parameters.get("id") ?? req.application.registry.reportLayouts.first?.id ?? ""
        guard let layout = req.application.registry.reportLayouts.first(where: { $0.id == id }) else { throw Abort(.notFound, reason: "Không có biểu báo cáo '\(id)'.") }
        let year = req.query[Int.self, at: "year"] ?? req.application.registry.store.summaryYear
        return Params(layout: layout, year: year, place: try req.reportPlace())
    }

    func standard(_ req: Request, year: Int) -> PovertyStandard? { req.application.registry.reportStandard(year: year) }

    func table(_ req: Request, _ p: Params) async throws -> (ReportTable, String) {
        let units = req.application.registry.units
        let t = try await req.application.registry.reportData.table(p.layout, year: p.year, place: p.place, scope: try req.checkedScope,
                                                        standard: standard(req, year: p.year), on: req.reportDB)
        return (t, units.unit(p.place.unit, in: p.place.structure).map { units.path(of: $0) } ?? "Toàn quốc")
    }

    func show(req: Request) async throws -> HTML {
        let p = try params(req)
        let (t, place) = try await table(req, p)
        let units = req.application.registry.units
        let years = try await Summaries.years(on: req.reportDB)
        let twoMeasures = p.layout.measures.count > 1, areas = p.layout.splitArea == true
        let level = units.unit(p.place.unit, in: p.place.structure)?.level
        // Group header row: runs of equal groups get one cell.
        var groupCells: [HTML] = []
        var i = 0
        while i < t.columns.count {
            let g = t.columns[i].group
            var j = i
            while j < t.columns.count && t.columns[j].group == g { j += 1 }
            groupCells.append(g.map { "<th colspan=\"\(j - i)\">\($0)</th>" } ?? "<th rowspan=\"2\">\(t.columns[i].label)</th>")
            if g == nil { j = i + 1 }
            i = j
        }
        let labelCells: [HTML] = t.columns.filter { $0.group != nil }.map { "<th>\($0.label)</th>" }
        let lead = HTML(unsafe: "<th rowspan=\"2\">STT</th><th rowspan=\"2\">Đơn vị</th>" + (twoMeasures ? "<th rowspan=\"2\">Đơn vị tính</th>" : "") + (areas ? "<th rowspan=\"2\">Khu vực</th>" : ""))
        var n = 0
        let body: [HTML] = t.rows.map { r in
            if !r.isTotal && r.measure == p.layout.measures[0] && r.area == nil { n += 1 }
            let first = r.measure == p.layout.measures[0] && r.area == nil
            let name: HTML
            if r.isTotal { name = first ? "<b>\(r.name)</b>" : "" }
            else if r.drill == "units", first { name = "<a href=\"\(Path.report(p.layout.id))?year=\(p.year)&structure=\(p.place.structure == .y2024 ? "2024" : "2025")&unit=\(r.unit)\">\(r.name)</a>" }
            else { name = first ? "\(r.name)" as HTML : "" }
            // Households behind a figure: for a commune's (or old commune's) rows and below, not for a province.
            // Lists are of households, so only the households rows link to them.
            let listable = r.measure == .households && (r.isTotal ? level == .commune : (r.drill == "households" || units.unit(r.unit, in: p.place.structure)?.level == .commune))
            let cells: [HTML] = zip(t.columns, r.values).map { c, v in
                if case .count(let k) = v, k > 0, listable, c.sum != nil {
                    let href = Path.report(p.layout.id, "households") + "?\(p.query)&row=\(urlEncode(r.unit))&col=\(urlEncode(c.id))&area=\(r.area?.rawValue ?? "")"
                    return "<td class=\"num\"><a href=\"\(href)\">\(v.text)</a></td>"
                }
                return "<td class=\"num\">\(v.text)</td>"
            }
            let stt: HTML = first && !r.isTotal ? "\(n)" : ""
            return "<tr\(raw: r.isTotal ? " class=\"total\"" : "")><td>\(stt)</td><td>\(name)</td>\(raw: twoMeasures ? "<td>\(r.measure.vietnamese)</td>" : "")\(raw: areas ? "<td>\(r.area?.vietnamese ?? "Chung")</td>" : "")\(cells)</tr>"
        }
        let layoutOptions: [HTML] = req.application.registry.reportLayouts.map { l in "<option value=\"\(l.id)\"\(raw: l.id == p.layout.id ? " selected" : "")>\(l.number.map { "Biểu \($0): " } ?? "")\(l.title.vi)</option>" }
        let yearOptions: [HTML] = (years.isEmpty ? [p.year] : years).map { y in "<option\(raw: y == p.year ? " selected" : "")>\(y)</option>" }
        let up: HTML = {
            guard let u = units.unit(p.place.unit, in: p.place.structure) else { return "" }
            let parent = u.parentCode ?? ""
            return "<a class=\"noprint\" href=\"\(Path.report(p.layout.id))?year=\(p.year)&structure=\(p.place.structure == .y2024 ? "2024" : "2025")&unit=\(parent)\">↑ \(parent.isEmpty ? "Toàn quốc" : units.unit(parent, in: p.place.structure)?.name ?? parent)</a>"
        }()
        let notes: [HTML] = t.rateNotes.map { "<li>\($0)</li>" }
        let replica = await req.replicaNote()
        return Layout.page(req, title: p.layout.title.vi, """
        <section class="doc landscape report">
        <form class="filters noprint" method="get" action="\(Path.reportsGo)">
          <label>Biểu <select name="id">\(layoutOptions)</select></label>
          <label>Năm <select name="year">\(yearOptions)</select></label>
          <label>Cơ cấu đơn vị <select name="structure"><option value="2025"\(raw: p.place.structure == .y2025 ? " selected" : "")>2 cấp (từ 01/7/2025)</option><option value="2024"\(raw: p.place.structure == .y2024 ? " selected" : "")>3 cấp, có huyện (trước 01/7/2025)</option></select></label>
          <input type="hidden" name="unit" value="\(p.place.structure == .y2025 ? p.place.unit : "")">
          <button type="submit">Xem</button>
          <a href="\(Path.report(p.layout.id, "xlsx"))?\(p.query)">Tải xlsx</a>
          \(p.place.structure == .y2025 ? HTML("· <a href=\"/reports/exchange?year=\(p.year)&unit=\(p.place.unit)\" title=\"Hộ, nhân khẩu, danh sách công nhận và 15 biểu, CSV có tên cột cố định (docs/exchange.md)\">Tệp trao đổi dữ liệu (.zip)</a> <a href=\"/reports/exchange?year=\(p.year)&unit=\(p.place.unit)&format=xlsx\" title=\"Cùng các bảng, mỗi bảng một trang tính\">(.xlsx)</a>") : "")
          <button type="button" data-print>In (A4 ngang)</button>
          \(up)
        </form>
        <p class="noprint">Danh sách chi tiết (một dòng mỗi nhân khẩu, kèm hỗ trợ đã nhận):
          <a href="\(Path.detailedList("ngheo"))?year=\(p.year)\(raw: level == .commune && p.place.structure == .y2025 ? "&amp;commune=\(p.place.unit)" : "")">Biểu 15: hộ nghèo</a> ·
          <a href="\(Path.detailedList("can-ngheo"))?year=\(p.year)\(raw: level == .commune && p.place.structure == .y2025 ? "&amp;commune=\(p.place.unit)" : "")">Biểu 14: hộ cận nghèo</a></p>
        <h1>\(p.layout.number.map { "Biểu \($0). " } ?? "")\(p.layout.title.vi) \(p.layout.verified ? "" : Layout.unverifiedBadge)</h1>
        <p>Năm \(p.year) · \(place) · \(p.place.structure.vietnamese)</p>
        \(replica)
        <div class="scroll"><table class="report-table"><thead><tr>\(lead)\(groupCells)</tr><tr>\(labelCells)</tr></thead>
        <tbody>\(body)</tbody></table></div>
        <ul class="muted">\(notes)\(p.layout.note.map { "<li>\($0)</li>" as HTML } ?? "")<li>Mỗi số của một cấp là tổng các đơn vị cấp dưới, cộng từ số đếm nguyên; số liệu đọc từ bảng tổng hợp cập nhật cùng lúc với mỗi thay đổi.</li>\(p.layout.verified ? "" : "<li>Mẫu biểu chưa đối chiếu với Phụ lục Thông tư; nguồn: \(p.layout.source ?? "")</li>" as HTML)</ul>
        </section>
        """)
    }

    /// The chooser posts here (GET): keeps the unit when the structure stays, otherwise starts at the top.
    func go(req: Request) async throws -> Response {
        let id = req.query[String.self, at: "id"] ?? ""
        let year = req.query[Int.self, at: "year"].map(String.init) ?? ""
        let structure = req.query[String.self, at: "structure"] == "2024" ? "2024" : "2025"
        var target = Path.report(urlEncode(id)) + "?year=\(year)&structure=\(structure)"
        if let unit = req.query[String.self, at: "unit"], !unit.isEmpty, structure == "2025" { target += "&unit=\(urlEncode(unit))" }
        return req.redirect(to: target)
    }

    func index(req: Request) async throws -> Response {
        req.redirect(to: "\(Path.report(req.application.registry.reportLayouts.first?.id ?? ""))")
    }

    /// The same table as an xlsx sheet: title, place, the two header rows, the rows, the rate notes.
    func xlsx(req: Request) async throws -> Response {
        let p = try params(req)
        let (t, place) = try await table(req, p)
        let x = try XLSXWriter()
        let twoMeasures = p.layout.measures.count > 1, areas = p.layout.splitArea == true
        let lead = ["STT", "Đơn vị"] + (twoMeasures ? ["Đơn vị tính"] : []) + (areas ? ["Khu vực"] : [])
        let s = try x.startSheet("Biểu \(p.layout.number ?? p.layout.id)".replacingOccurrences(of: "–", with: "-"),
                                 header: [(p.layout.number.map { "Biểu \($0). " } ?? "") + p.layout.title.vi + (p.layout.verified ? "" : " (mẫu chưa xác minh)")],
                                 widths: [6, 32] + Array(repeating: 12, count: lead.count - 2 + t.columns.count))
        try x.append([.text("Năm \(p.year) · \(place) · \(p.place.structure.vietnamese)")], to: s)
        try x.append(lead.map { _ in Cell.empty } + t.columns.map { .text($0.group ?? "") }, to: s)
        try x.append(lead.map { .text($0) } + t.columns.map { .text($0.label) }, to: s)
        var n = 0
        for r in t.rows {
            let first = r.measure == p.layout.measures[0] && r.area == nil
            if first && !r.isTotal { n += 1 }
            var cells: [Cell] = [first && !r.isTotal ? .number(n) : .empty, first ? .text(r.name) : .empty]
            if twoMeasures { cells.append(.text(r.measure.vietnamese)) }
            if areas { cells.append(.text(r.area?.vietnamese ?? "Chung")) }
            // Counts as numbers (they add up in Excel too); rates as printed, with their denominator noted below.
            cells += r.values.map { v in v.count.map { Cell.number($0) } ?? .text(v.text) }
            try x.append(cells, to: s)
        }
        try x.append([], to: s)
        for note in t.rateNotes + [p.layout.note].compactMap({ $0 }) { try x.append([.text(note)], to: s) }
        let file = TemporaryFiles.url("report-\(UUID().uuidString).xlsx")
        try x.finish(to: file)
        return try await SheetResponse.xlsx(req, file, filename: "bieu-\(p.layout.id)-\(p.year)-\(p.place.unit.isEmpty ? "toan-quoc" : p.place.unit).xlsx")
    }

    /// The households behind one figure: its column, the households (ids, in the summaries' order) and the row's name.
    struct Figure { var column: ReportColumn; var ids: [Int]; var rowName: String; var area: Area? }

    /// The households one figure counts (issue 6 (g)), within the user's scope: `row` is the table row's unit
    /// ("" for the total, "v:village[@commune]" for a village), `col` the column's id. Shared by the page and the API.
    static func figure(_ req: Request, layout: ReportLayout, year: Int, place: ReportData.Place, row: String, col colID: String, area: Area?) async throws -> Figure {
        let scope = try req.checkedScope
        let units = req.application.registry.units
        let data = req.application.registry.reportData
        // The columns as the table resolves them (form 9's groups depend on the province's households).
        let columns = try await data.columns(layout, year: year, place: place, standard: req.application.registry.reportStandard(year: year), on: req.reportDB)
        guard let column = columns.first(where: { $0.id == colID }), let terms = column.sum else {
            throw ValidationError("report.column", field: "col", vi: "Không có cột '\(colID)' (đếm được hộ) trong biểu.", en: "The table has no countable column '\(colID)'.")
        }
        var communes = data.communes(of: place, scope: scope)
        var oldCommune: String? = nil, village: String? = nil
        if row.hasPrefix("v:") {
            let parts = row.dropFirst(2).split(separator: "@", omittingEmptySubsequences: false).map(String.init)
            village = parts[0]
            if place.structure == .y2024 { oldCommune = place.unit; if parts.count > 1 { communes = [parts[1]] } }
        } else if row == ReportData.unknownOld {
            oldCommune = ""
        } else if !row.isEmpty {
            guard units.unit(row, in: place.structure) != nil else {
                throw ValidationError("report.row", field: "row", vi: "Không có dòng '\(row)' trong biểu.", en: "The table has no row '\(row)'.")
            }
            if place.structure == .y2025 { communes = [row] }
            else { oldCommune = row; communes = units.convert(oldCommune: row).map(\.newCommuneCode) }
        } else if place.structure == .y2024 {
            oldCommune = place.unit
        }
        let level = row.isEmpty ? units.unit(place.unit, in: place.structure)?.level : nil
        guard row.isEmpty ? level == .commune : true, communes.count <= 50 else {
            throw ValidationError("report.drillDown", vi: "Danh sách hộ chỉ mở được từ số liệu của một xã/phường hoặc thôn/tổ; hãy chọn đơn vị cấp dưới trước.", en: "Household lists open only from the figures of one commune or village; choose a lower unit first.")
        }
        let ids = try await data.households(year: year, communes: communes, oldCommune: oldCommune, village: village, terms: terms,
                                            area: area, scope: scope, on: req.reportDB)
        let rowName = row.hasPrefix("v:") ? (village ?? "") : (row == ReportData.unknownOld ? ReportData.unknownOldName : (units.unit(row, in: place.structure)?.name ?? units.unit(place.unit, in: place.structure)?.name ?? row))
        return Figure(column: column, ids: ids, rowName: rowName, area: area)
    }

    /// The households one figure counts, as a page.
    func households(req: Request) async throws -> HTML {
        let p = try params(req)
        let scope = try req.checkedScope
        let f = try await Self.figure(req, layout: p.layout, year: p.year, place: p.place, row: req.query[String.self, at: "row"] ?? "",
                                      col: req.query[String.self, at: "col"] ?? "", area: req.query[String.self, at: "area"].flatMap { Area(rawValue: $0) })
        let (column, ids, area) = (f.column, f.ids, f.area)
        let shown = try await req.application.registry.store.listRows(scope, ids: Array(ids.prefix(2_000)), on: req.reportDB)
        let rows: [HTML] = shown.map { h in
            "<tr><td><a href=\"\(Path.household(h.id))\">\(h.code)</a></td><td>\(h.headName)</td><td>\(h.village ?? "")</td><td>\(h.memberCount)</td><td>\(Layout.categoryBadge(h.category))</td></tr>"
        }
        return Layout.page(req, title: "Danh sách hộ", """
        <h1>\(column.group.map { "\($0): " } ?? "")\(column.label): \(ids.count) hộ</h1>
        <p>\(p.layout.title.vi) · năm \(p.year) · \(f.rowName)\(area.map { " · \($0.vietnamese)" } ?? "")</p>
        <p class="noprint"><a href="\(Path.report(p.layout.id))?\(p.query)">← Về biểu</a></p>
        \(ids.count > shown.count ? HTML("<p class=\"muted\">Hiển thị \(shown.count) hộ đầu tiên.</p>") : "")
        <div class="scroll"><table><thead><tr><th>Mã hộ</th><th>Chủ hộ</th><th>Thôn/tổ</th><th>Số người</th><th>Phân loại hiện tại</th></tr></thead>
        <tbody>\(rows)</tbody></table></div>
        """)
    }

    func urlEncode(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s }
}
