import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoReports
import GiamNgheoStorage
import Vapor

/// What-if simulation (issue 6 §7): the registry of a unit under another standard or a draft, per unit and
/// per household with the reason; exported as CSV or xlsx. Nothing recorded changes.
struct WhatIfController: Feature {
    var navigation: [NavEntry] {
        [
            NavEntry(order: 60, path: Path.whatIf, vi: "Mô phỏng", en: "What-if", access: .signedIn),
        ]
    }

    func boot(routes: any RoutesBuilder) throws {
        let r = routes.access(.signedIn)
        r.get("whatif", use: show)
        r.get("whatif", "export", use: export)
    }

    struct Setup {
        var place: ReportData.Place
        var standard: PovertyStandard
        var query: String
    }

    func setup(_ req: Request) throws -> Setup {
        let registry = req.application.registry
        let catalogue = registry.store.engine.catalogue
        let unit = try req.reportPlace(allowed: [.y2025]).unit
        let current = catalogue.standard(for: registry.referenceDate)
        let id = req.query[String.self, at: "standard"] ?? catalogue.standards.first { $0.validFrom > registry.referenceDate }?.id ?? current?.id ?? ""
        guard let base = catalogue.standard(id: id) else { throw ValidationError("standard.unknown", field: "standard", vi: "Không có chuẩn nghèo '\(id)'.", en: "No poverty standard '\(id)'.") }
        func amount(_ key: String) throws -> Int? {
            guard let s = req.query[String.self, at: key]?.replacingOccurrences(of: ".", with: "").trimmingCharacters(in: .whitespaces), !s.isEmpty else { return nil }
            guard let n = Int(s), n > 0, n < 100_000_000 else { throw ValidationError("whatif.line", field: "line", vi: "Chuẩn thu nhập '\(s)' phải là số đồng/người/tháng.", en: "Income line '\(s)' must be a number of dong per person per month.") }
            return n
        }
        let rural = try amount("rural"), urban = try amount("urban")
        let k = try req.query[String.self, at: "k"].flatMap { $0.isEmpty ? nil : $0 }.map { s -> Int in
            guard let v = Int(s), (1...base.indicators.count).contains(v) else { throw ValidationError("whatif.threshold", field: "k", vi: "Ngưỡng thiếu hụt '\(s)' phải từ 1 đến \(base.indicators.count).", en: "Deprivation threshold '\(s)' must be from 1 to \(base.indicators.count).") }
            return v
        }
        let standard = WhatIf.draft(base, rural: rural, urban: urban, threshold: k)
        let query = "unit=\(unit)&standard=\(base.id)&rural=\(rural.map(String.init) ?? "")&urban=\(urban.map(String.init) ?? "")&k=\(k.map(String.init) ?? "")"
        return Setup(place: .init(structure: .y2025, unit: unit), standard: standard, query: query)
    }

    func show(req: Request) async throws -> HTML {
        let scope = try req.checkedScope
        let s = try setup(req)
        let registry = req.application.registry
        let units = registry.units
        // A page runs the simulation while it waits: a province at national scale belongs to the command line.
        let size = try await ReportData(units: units).rows(year: registry.store.summaryYear, place: s.place, scope: scope, on: req.db)
            .flatMap(\.cells).reduce(0) { $0 + ($1.dim == "all" ? $1.households : 0) }
        guard size <= 300_000 else {
            throw ValidationError("whatif.tooLarge", field: "unit", vi: "Đơn vị có \(Format.money(size)) hộ: hãy chọn một xã/phường, hoặc chạy 'giamngheo whatif' trên máy chủ.", en: "The unit has \(Format.money(size)) households: choose one commune, or run 'giamngheo whatif' on the server.")
        }
        var changes: [WhatIfRunner.Change] = []
        let tally = try await WhatIfRunner(store: registry.store).run(scope, place: s.place, standard: s.standard, on: req.db) { c in
            if changes.count < 300 { changes.append(c) }
        }
        let categories = ["poor", "nearPoor", "middleIncome", "notPoor", "incomplete"]
        let unitCodes = tally.matrix.keys.sorted()
        let unitRows: [HTML] = unitCodes.map { u in
            let name = units.unit(u)?.name ?? u
            let link: HTML = units.unit(u)?.level == .commune && s.place.unit != u ? "<a href=\"\(Path.whatIf)?\(s.query.replacingOccurrences(of: "unit=\(s.place.unit)", with: "unit=\(u)"))\">\(name)</a>" : "\(name)"
            return "<tr><td>\(link)</td><td class=\"num\">\(Format.money(tally.count(unit: u)))</td><td class=\"num\">\(tally.count(unit: u, from: "poor"))</td><td class=\"num\">\(tally.count(unit: u, to: "poor"))</td><td class=\"num\">\(tally.count(unit: u, from: "nearPoor"))</td><td class=\"num\">\(tally.count(unit: u, to: "nearPoor"))</td><td class=\"num\">\(tally.count(unit: u, to: "incomplete"))</td><td class=\"num\"><b>\(tally.changed(unit: u))</b></td></tr>"
        }
        let header: HTML = HTML(unsafe: "<tr><th>Hiện ghi nhận \\ Mô phỏng</th>" + categories.map { "<th>\(WhatIf.label($0))</th>" }.joined() + "</tr>")
        let matrix: [HTML] = categories.map { from in
            HTML(unsafe: "<tr><th>\(WhatIf.label(from))</th>" + categories.map { to in "<td class=\"num\">\(tally.count(from: from, to: to))</td>" }.joined() + "</tr>")
        }
        let changeRows: [HTML] = changes.map { c in
            "<tr><td><a href=\"\(Path.household(c.id))\">\(c.code)</a></td><td>\(c.headName)</td><td>\(c.village)</td><td>\(WhatIf.label(c.from))</td><td>\(WhatIf.label(c.to))</td><td><small>\(c.reason)</small></td></tr>"
        }
        let options: [HTML] = registry.store.engine.catalogue.standards.map { st in
            "<option value=\"\(st.id)\"\(raw: s.standard.id.hasPrefix(st.id) ? " selected" : "")>\(st.name.vi)</option>"
        }
        let placeName = units.unit(s.place.unit).map { units.path(of: $0) } ?? "Toàn quốc"
        let line = s.standard.incomeLines["income"]
        return Layout.page(req, title: req.t("Mô phỏng chuẩn nghèo", "What-if"), """
        <section class="doc">
        <form class="filters noprint" method="get" action="\(Path.whatIf)">
          <input type="hidden" name="unit" value="\(s.place.unit)">
          <label>Chuẩn <select name="standard">\(options)</select></label>
          <label>Chuẩn thu nhập nông thôn (đ) <input name="rural" inputmode="numeric" placeholder="\(line?.rural.map(String.init) ?? "")" value="\(req.query[String.self, at: "rural"] ?? "")"></label>
          <label>Thành thị (đ) <input name="urban" inputmode="numeric" placeholder="\(line?.urban.map(String.init) ?? "")" value="\(req.query[String.self, at: "urban"] ?? "")"></label>
          <label>Ngưỡng thiếu hụt <input class="w-4" name="k" type="number" min="1" max="\(s.standard.indicators.count)" value="\(req.query[String.self, at: "k"] ?? "")"></label>
          <button type="submit">Mô phỏng</button>
          <a href="\(Path.whatIfExport)?\(s.query)&format=csv">Tải CSV</a> <a href="\(Path.whatIfExport)?\(s.query)&format=xlsx">Tải xlsx</a>
        </form>
        <h1>Mô phỏng: \(placeName) theo \(s.standard.name.vi)</h1>
        <p>Chuẩn thu nhập: nông thôn \(line?.rural.map { Format.money($0) } ?? "?") đ, \(Area.urban.vietnamese(s.standard)) \(line?.urban.map { Format.money($0) } ?? "?") đ/người/tháng; nghèo khi thiếu hụt từ \(s.standard.deprivationThreshold.value)/\(s.standard.indicators.count) chỉ số. \(s.standard.id.hasSuffix("+du-thao") || s.standard.unverifiedItems.count > 0 ? Layout.unverifiedBadge : "")</p>
        <p class="muted">Chỉ là mô phỏng: kết quả đã ghi nhận của các hộ không thay đổi. Hộ thiếu dữ kiện mà chuẩn mới cần được tách riêng ("Chưa đủ dữ kiện").</p>
        <div class="grid"><div class="card"><b>Số hộ</b><br>\(Format.money(tally.count()))</div>
        <div class="card"><b>Hộ nghèo</b><br>\(tally.count(from: "poor")) → \(tally.count(to: "poor"))</div>
        <div class="card"><b>Hộ cận nghèo</b><br>\(tally.count(from: "nearPoor")) → \(tally.count(to: "nearPoor"))</div>
        <div class="card"><b>Đổi phân loại</b><br>\(Format.money(tally.changed())) hộ</div></div>
        <h2>Ma trận chuyển</h2>
        <div class="scroll"><table>\(header)\(matrix)</table></div>
        <h2>Theo đơn vị</h2>
        <div class="scroll"><table><thead><tr><th>Đơn vị</th><th>Số hộ</th><th>Nghèo hiện nay</th><th>Nghèo mô phỏng</th><th>Cận nghèo hiện nay</th><th>Cận nghèo mô phỏng</th><th>Thiếu dữ kiện</th><th>Đổi phân loại</th></tr></thead><tbody>\(unitRows)</tbody></table></div>
        <h2>Hộ đổi phân loại\(tally.changed() > changes.count ? " (\(changes.count) hộ đầu; đủ danh sách trong tệp tải về)" : "")</h2>
        <div class="scroll"><table><thead><tr><th>Mã hộ</th><th>Chủ hộ</th><th>Thôn/tổ</th><th>Hiện nay</th><th>Mô phỏng</th><th>Vì sao</th></tr></thead><tbody>\(changeRows)</tbody></table></div>
        </section>
        """)
    }

    /// Every household that would change, with its reason: CSV for Excel or xlsx.
    func export(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        let s = try setup(req)
        let registry = req.application.registry
        let format = req.query[String.self, at: "format"] ?? "csv"
        let header = ["Mã hộ", "Chủ hộ", "Mã xã", "Xã/phường", "Thôn/tổ", "Hiện nay", "Mô phỏng", "Vì sao"]
        let name = "mo-phong-\(s.standard.id)-\(s.place.unit.isEmpty ? "toan-quoc" : s.place.unit)"
        let units = registry.units
        func cells(_ c: WhatIfRunner.Change) -> [Cell] {
            [.text(c.code), .text(c.headName), .text(c.commune), .text(units.unit(c.commune)?.name ?? ""), .text(c.village),
             .text(WhatIf.label(c.from)), .text(WhatIf.label(c.to)), .text(c.reason)]
        }
        let file = TemporaryFiles.url("whatif-\(UUID().uuidString).\(format == "xlsx" ? "xlsx" : "csv")")
        if format == "xlsx" {
            let x = try XLSXWriter()
            let sheet = try x.startSheet("Mô phỏng", header: header, widths: [16, 24, 8, 22, 16, 16, 16, 70])
            _ = try await WhatIfRunner(store: registry.store).run(scope, place: s.place, standard: s.standard, on: req.db) { c in try x.append(cells(c), to: sheet) }
            try x.finish(to: file)
            return try await SheetResponse.xlsx(req, file, filename: name + ".xlsx")
        }
        FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        handle.write(Data((CSVWriter.byteOrderMark + CSVWriter.line(header.map { .text($0) })).utf8))
        _ = try await WhatIfRunner(store: registry.store).run(scope, place: s.place, standard: s.standard, on: req.db) { c in
            handle.write(Data(CSVWriter.line(cells(c)).utf8))
        }
        try handle.close()
        let res = try await req.fileio.asyncStreamFile(at: file.path, mediaType: HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"]),
                                                      onCompleted: { _ in try? FileManager.default.removeItem(at: file) })
        res.headers.contentDisposition = .init(.attachment, filename: name + ".csv")
        return res
    }
}
