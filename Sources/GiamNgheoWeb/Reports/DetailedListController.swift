import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoReports
import GiamNgheoStorage
import Vapor

/// Forms 14 and 15 (Circular 07/2021/TT-BLĐTBXH; layouts in data/report-layouts): the detailed lists of near-poor and poor households of a commune,
/// one row per member, with the support received in the year from the ledger. A4 landscape print and xlsx.
struct DetailedListController: Feature {
    func boot(routes: any RoutesBuilder) throws {
        let r = routes.access(.signedIn)
        r.get("reports", "lists", "go", use: go)
        r.get("reports", "lists", ":kind", use: show)
        r.get("reports", "lists", ":kind", "xlsx", use: xlsx)
    }

    struct Params {
        var kind: DetailedList.Kind
        var year: Int
        var commune: String?
        var village: String?
        var query: String { "year=\(year)&commune=\(commune ?? "")" + (village.map { "&village=\(urlEncode($0))" } ?? "") }
    }

    func params(_ req: Request) throws -> Params {
        guard let kind = DetailedList.Kind(slug: req.parameters.get("kind") ?? "") else { throw Abort(.notFound) }
        let scope = try req.checkedScope
        var commune = req.query[String.self, at: "commune"].flatMap { $0.isEmpty ? nil : $0 }
        // A commune's own officer needs no chooser.
        if commune == nil, let mine = scope.communes, mine.count == 1 { commune = mine.first }
        if let c = commune {
            guard req.application.registry.units.unit(c)?.level == .commune else {
                throw ValidationError("commune.unknown", field: "commune", vi: "Mã xã/phường '\(c)' không có trong danh mục 2025.", en: "Commune code '\(c)' is not in the 2025 list.")
            }
            guard scope.allows(commune: c) else { throw AccessError.forbidden }
        }
        return Params(kind: kind, year: req.query[Int.self, at: "year"] ?? req.application.registry.store.summaryYear,
                      commune: commune, village: req.query[String.self, at: "village"].flatMap { $0.isEmpty ? nil : $0 })
    }

    func entries(_ req: Request, _ p: Params, commune: String) async throws -> [DetailedList.Entry] {
        let services = req.application.registry
        return try await services.support!.detailedList(p.kind, year: p.year, commune: commune, village: nil, scope: try req.checkedScope,
                                                        localIndigenous: services.localIndigenous, on: req.reportDB)
    }

    static let markHeads = ["Mới", "Tái", "Cũ"]

    func show(req: Request) async throws -> HTML {
        let p = try params(req)
        let services = req.application.registry
        let units = services.units
        let scope = try req.checkedScope
        let years = try await Summaries.years(on: req.reportDB)
        let yearOptions: [HTML] = (years.isEmpty ? [p.year] : years).map { y in "<option\(raw: y == p.year ? " selected" : "")>\(y)</option>" }
        let kindOptions: [HTML] = DetailedList.Kind.allCases.map { k in
            "<option value=\"\(k.slug)\"\(raw: k == p.kind ? " selected" : "")>Biểu \(k.formNumber): \(req.t(k.title, k.english))</option>"
        }
        // A commune's officer has nothing to choose; others choose among the communes with households.
        let communes: [String]
        if let mine = scope.communes, mine.count == 1 { communes = Array(mine) }
        else { communes = try await ReportData(units: units).communesWithHouseholds(on: req.reportDB).filter { scope.allows(commune: $0) } }
        let communeOptions: [HTML] = communes.map { c in
            "<option value=\"\(c)\"\(raw: c == p.commune ? " selected" : "")>\(units.unit(c)?.name ?? c)</option>"
        }
        guard let commune = p.commune else {
            return Layout.page(req, title: p.kind.title, """
            <h1>Biểu \(p.kind.formNumber). \(req.t(p.kind.title, p.kind.english))</h1>
            <form class="filters" method="get" action="\(Path.detailedListGo)">
              <label>\(req.t("Danh sách", "List")) <select name="kind">\(kindOptions)</select></label>
              <label>\(req.t("Năm", "Year")) <select name="year">\(yearOptions)</select></label>
              <label>\(req.t("Xã/phường", "Commune")) <select name="commune" required><option value="">—</option>\(communeOptions)</select></label>
              <button type="submit">\(req.t("Xem", "Show"))</button>
            </form>
            <p>\(req.t("Danh sách chi tiết lập cho từng xã/phường: hãy chọn một xã/phường.", "The detailed list is made per commune: choose one."))</p>
            """)
        }
        let all = try await entries(req, p, commune: commune)
        let villages = Array(Set(all.map(\.village))).sorted { VietnameseText.fold($0) < VietnameseText.fold($1) }
        let shown = p.village.map { v in all.filter { $0.village == v } } ?? all
        let villageOptions: [HTML] = villages.map { v in "<option value=\"\(v)\"\(raw: v == p.village ? " selected" : "")>\(v.isEmpty ? "(chưa ghi thôn)" : v)</option>" }
        let unit = units.unit(commune)
        let communeName = unit?.name ?? commune
        let provinceName = unit?.parentCode.flatMap { units.unit($0)?.name } ?? ""
        let label = p.kind == .poor ? "Hộ nghèo" : "Hộ cận nghèo"
        let groups = SupportGroup.allCases
        var number = 0
        var body: [HTML] = []
        for (village, entries) in DetailedList.byVillage(shown) {
            let persons = entries.reduce(0) { $0 + $1.persons }
            body.append("<tr class=\"group\"><td colspan=\"\(20)\">\(village.isEmpty ? "(chưa ghi thôn/tổ)" : village): \(entries.count) hộ, \(persons) nhân khẩu</td></tr>")
            for e in entries {
                number += 1
                let lines = max(e.members.count, 1)
                let span = HTML(unsafe: lines > 1 ? " rowspan=\"\(lines)\"" : "")
                let marks: [HTML] = (0..<3).map { i in "<td class=\"center\"\(span)>\(e.mark?.column == i ? e.mark!.text : "")</td>" }
                let flags: [HTML] = [e.meritorious, e.localIndigenous, e.noWorkingCapacity].map { "<td class=\"center\"\(span)>\($0 ? "x" : "")</td>" }
                let support: [HTML] = groups.map { g in
                    let names = (e.supportPolicies[g] ?? []).map { services.support!.catalogue.policy($0)?.name ?? $0 }.joined(separator: "; ")
                    return e.supports.contains(g) ? "<td class=\"center\"\(span) data-group=\"\(g.rawValue)\" title=\"\(names)\">x</td>" : "<td\(span)></td>"
                }
                let household: HTML = "<td class=\"num\"\(span)>\(number)<br><a class=\"muted\" href=\"\(Path.household(e.household))\">\(e.code)</a></td>"
                if e.members.isEmpty {
                    body.append("<tr class=\"first household\">\(household)<td></td><td>\(e.headName) <span class=\"muted\">(\(e.persons) nhân khẩu, chưa có danh sách thành viên)</span></td><td></td><td></td><td></td><td></td>\(marks)\(flags)\(support)</tr>")
                    continue
                }
                for (i, m) in e.members.enumerated() {
                    let year = m.birthYear.map(String.init) ?? ""
                    let born: HTML = m.sex == "male" ? "<td class=\"num\">\(year)</td><td></td>" : m.sex == "female" ? "<td></td><td class=\"num\">\(year)</td>"
                        : "<td class=\"num\" colspan=\"2\" title=\"Chưa ghi giới tính\">\(year)\(raw: year.isEmpty ? "" : " (?)")</td>"
                    let lead: HTML = i == 0 ? household : ""
                    let tail: HTML = i == 0 ? "\(marks)\(flags)\(support)" : ""
                    body.append("<tr\(raw: i == 0 ? " class=\"first household\"" : "")>\(lead)<td class=\"num\">\(m.number)</td><td>\(m.name)</td>\(born)<td>\(m.ethnicity)</td><td>\(m.relation)</td>\(tail)</tr>")
                }
            }
        }
        let persons = shown.reduce(0) { $0 + $1.persons }
        func count(_ f: (DetailedList.Entry) -> Bool) -> Int { shown.filter(f).count }
        let totalMarks: [HTML] = (0..<3).map { i in "<td class=\"num\">\(count { $0.mark?.column == i })</td>" }
        let totalFlags: [HTML] = [count(\.meritorious), count(\.localIndigenous), count(\.noWorkingCapacity)].map { "<td class=\"num\">\($0)</td>" }
        let totalSupport: [HTML] = groups.map { g in "<td class=\"num\">\(count { $0.supports.contains(g) })</td>" }
        let total: HTML = "<tr class=\"total\"><td colspan=\"7\"><b>Tổng cộng: \(shown.count) hộ, \(persons) nhân khẩu</b></td>\(totalMarks)\(totalFlags)\(totalSupport)</tr>"
        let supportHeads: [HTML] = groups.map { "<th>\(req.t($0.vietnamese, $0.english))</th>" }
        let fromPoor = p.kind == .nearPoor ? count { $0.mark == .fromPoor } : 0
        let dttcSource = services.localIndigenous.entries.contains { !$0.verified }
        let query = p.query
        return Layout.page(req, title: "\(p.kind.title) \(p.year)", """
        <section class="doc landscape report detailed-list">
        <form class="filters noprint" method="get" action="\(Path.detailedListGo)">
          <label>\(req.t("Danh sách", "List")) <select name="kind">\(kindOptions)</select></label>
          <label>\(req.t("Năm", "Year")) <select name="year">\(yearOptions)</select></label>
          \(communes.count > 1 ? HTML("<label>\(req.t("Xã/phường", "Commune")) <select name=\"commune\">\(communeOptions)</select></label>") : HTML("<input type=\"hidden\" name=\"commune\" value=\"\(commune)\">"))
          <label>\(req.t("Thôn/tổ", "Village")) <select name="village"><option value="">\(req.t("Tất cả", "All"))</option>\(villageOptions)</select></label>
          <button type="submit">\(req.t("Xem", "Show"))</button>
          <a href="\(Path.detailedList(p.kind.slug, "xlsx"))?\(query)">\(req.t("Tải xlsx", "Download xlsx"))</a>
          <button type="button" data-print>\(req.t("In (A4 ngang)", "Print (A4 landscape)"))</button>
          <a href="\(Path.report("ket-qua"))?year=\(p.year)&structure=2025&unit=\(commune)">\(req.t("Biểu 1 của xã", "The commune's form 1"))</a>
        </form>
        <table class="doc-head"><tr><td>UBND \(communeName.uppercased())<br>\(provinceName)</td>
        <td><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br><b>Độc lập - Tự do - Hạnh phúc</b></td></tr></table>
        <h1 class="center">Biểu \(p.kind.formNumber). \(p.kind.title.uppercased()) NĂM \(p.year) \(Layout.unverifiedBadge)</h1>
        <p class="center">\(communeName)\(p.village.map { HTML(" · \($0)") } ?? "")</p>
        <div class="scroll"><table class="report-table"><thead>
        <tr><th rowspan="2">TT hộ<br><small>mã hộ</small></th><th rowspan="2">TT NK</th><th rowspan="2">Họ và tên</th><th colspan="2">Năm sinh</th>
        <th rowspan="2">Dân tộc</th><th rowspan="2">Quan hệ với chủ hộ</th><th colspan="3">\(label)</th>
        <th rowspan="2" title="Hộ có người có công với cách mạng">CSCC</th><th rowspan="2" title="Dân tộc thiểu số tại chỗ (chủ hộ)">DTTC</th>
        <th rowspan="2" title="Hộ không có người có khả năng lao động">KCKNLĐ</th><th colspan="\(groups.count)">\(req.t("Hỗ trợ đã nhận trong năm", "Support received this year"))</th></tr>
        <tr><th>Nam</th><th>Nữ</th>\(Self.markHeads.map { HTML("<th>\($0)</th>") })\(supportHeads)</tr>
        </thead><tbody>\(body)\(total)</tbody></table></div>
        <ul class="muted">
          <li>Danh sách gồm đúng các hộ mà Biểu 1 năm \(p.year) đếm là \(label.lowercased()) của xã (cùng một nguồn số liệu tổng hợp); số nhân khẩu như Biểu 1.\(p.year < services.store.summaryYear ? " Năm đã qua: phân loại theo danh sách đã công nhận năm đó; thành viên theo sổ hộ hiện tại." : "")</li>
          <li>Mới / Tái / Cũ: diễn biến so với danh sách năm trước (quy tắc §6.6).\(fromPoor > 0 ? HTML(" \(fromPoor) hộ ghi \"x (từ nghèo)\": hộ nghèo năm trước nay là hộ cận nghèo.") : "")</li>
          <li>Hỗ trợ đã nhận: các khoản ghi trong Sổ theo dõi hỗ trợ năm \(p.year), không tính khoản đã hủy; mỗi chính sách thuộc một nhóm theo danh mục chính sách (rê chuột lên dấu x để xem chính sách).</li>
          <li>DTTC: chủ hộ thuộc dân tộc tại chỗ của tỉnh (trước 01/7/2025) theo danh mục do quản trị viên cập nhật\(dttcSource ? " (danh mục chưa xác minh)" : "").</li>
          <li>Mẫu biểu theo bộ 15 biểu xuất từ cơ sở dữ liệu rà soát (Circular 07/2021/TT-BLĐTBXH; layouts in data/report-layouts), chưa đối chiếu Phụ lục Thông tư 07/2021.</li>
        </ul>
        <table class="signatures"><tr><td><b>NGƯỜI LẬP BIỂU</b><br>(ký, ghi rõ họ tên)</td><td><i>\(communeName), ngày … tháng … năm …</i><br><b>TM. ỦY BAN NHÂN DÂN<br>CHỦ TỊCH</b><br>(ký, ghi rõ họ tên, đóng dấu)</td></tr></table>
        </section>
        """)
    }

    /// The chooser posts here (GET).
    func go(req: Request) async throws -> Response {
        let kind = DetailedList.Kind(slug: req.query[String.self, at: "kind"] ?? "") ?? .poor
        var target = Path.detailedList(kind.slug) + "?year=\(req.query[Int.self, at: "year"].map(String.init) ?? "")"
        for k in ["commune", "village"] { if let v = req.query[String.self, at: k], !v.isEmpty { target += "&\(k)=\(urlEncode(v))" } }
        return req.redirect(to: target)
    }

    /// The same list as an xlsx sheet: one row per member, household columns on its first row, numbers as numbers.
    func xlsx(req: Request) async throws -> Response {
        let p = try params(req)
        guard let commune = p.commune else { throw ValidationError("commune.required", field: "commune", vi: "Hãy chọn một xã/phường (tham số commune).", en: "Choose a commune (parameter commune).") }
        let units = req.application.registry.units
        let all = try await entries(req, p, commune: commune)
        let shown = p.village.map { v in all.filter { $0.village == v } } ?? all
        let groups = SupportGroup.allCases
        let x = try XLSXWriter()
        let header = ["TT hộ", "Mã hộ", "Thôn/tổ", "TT NK", "Họ và tên", "Năm sinh (Nam)", "Năm sinh (Nữ)", "Dân tộc", "Quan hệ với chủ hộ"]
            + Self.markHeads + ["CSCC", "DTTC", "KCKNLĐ"] + groups.map { "Hỗ trợ: \($0.vietnamese)" }
        let s = try x.startSheet("Biểu \(p.kind.formNumber)", header: ["Biểu \(p.kind.formNumber). \(p.kind.title) năm \(p.year) (mẫu chưa xác minh)"],
                                 widths: [7, 12, 18, 6, 26, 9, 9, 12, 14] + Array(repeating: 7, count: 6 + groups.count))
        try x.append([.text("\(units.unit(commune)?.name ?? commune)\(p.village.map { " · \($0)" } ?? "")")], to: s)
        try x.append(header.map { .text($0) }, to: s)
        var n = 0
        for (village, entries) in DetailedList.byVillage(shown) {
            for e in entries {
                n += 1
                let marks: [Cell] = (0..<3).map { e.mark?.column == $0 ? .text(e.mark!.text) : .empty }
                let flags: [Cell] = [e.meritorious, e.localIndigenous, e.noWorkingCapacity].map { $0 ? .text("x") : .empty }
                let support: [Cell] = groups.map { e.supports.contains($0) ? .text("x") : .empty }
                let lines = e.members.isEmpty ? [nil] : e.members.map { Optional($0) }
                for (i, m) in lines.enumerated() {
                    var cells: [Cell] = i == 0 ? [.number(n), .text(e.code), .text(village)] : [.empty, .empty, .empty]
                    if let m {
                        let year: Cell = m.birthYear.map { .number($0) } ?? .empty
                        // Under "Nam" or "Nữ" as on the form; an unknown sex is flagged rather than guessed.
                        let born: [Cell] = m.sex == "male" ? [year, .empty] : m.sex == "female" ? [.empty, year]
                            : [m.birthYear.map { .text("\($0) (chưa ghi giới tính)") } ?? .empty, .empty]
                        cells += [.number(m.number), .text(m.name)] + born + [.text(m.ethnicity), .text(m.relation)]
                    } else {
                        cells += [.empty, .text("\(e.headName) (\(e.persons) nhân khẩu, chưa có danh sách thành viên)"), .empty, .empty, .empty, .empty]
                    }
                    if i == 0 { cells += marks + flags + support }
                    try x.append(cells, to: s)
                }
            }
        }
        try x.append([], to: s)
        try x.append([.text("Tổng cộng: \(shown.count) hộ, \(shown.reduce(0) { $0 + $1.persons }) nhân khẩu")], to: s)
        let file = TemporaryFiles.url("list-\(UUID().uuidString).xlsx")
        try x.finish(to: file)
        return try await SheetResponse.xlsx(req, file, filename: "bieu-\(p.kind.formNumber)-\(p.kind.slug)-\(p.year)-\(commune).xlsx")
    }
}

private func urlEncode(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s }
