import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoStorage
import Vapor

/// The public figures of each commune, without login: aggregated counts and masked lists only, never a
/// personal identifier (Decision 24/2021 asks results to be made public; the law on personal data limits how).
struct PublicController: Feature {
    func boot(routes: any RoutesBuilder) throws {
        let r = routes.access(.anyone)
        r.get("public", use: publicIndex)
        r.get("public", ":commune", use: publicCommune)
    }

    /// The communes that publish: those with households in the registry.
    func publicIndex(req: Request) async throws -> HTML {
        let rows = try await req.application.registry.store.publishingCommunes(on: req.db).map(\.commune)
        let units = req.application.registry.units
        let items: [HTML] = rows.map { c in "<li><a href=\"\(Path.publicCommune(c))\">\(units.unit(c)?.name ?? c)</a>\(units.unit(c)?.parentCode.flatMap { units.unit($0)?.name }.map { ", \($0)" } ?? "")</li>" }
        return Layout.page(req, title: "Công khai hỗ trợ giảm nghèo", """
        <h1>Công khai hỗ trợ giảm nghèo</h1>
        <p>Trang công khai của từng xã, phường: số hộ nghèo, cận nghèo, các khoản hỗ trợ đã chi và Quỹ Vì người nghèo. Không có thông tin cá nhân.</p>
        <ul>\(items)</ul>
        """)
    }

    func publicCommune(req: Request) async throws -> HTML {
        guard let code = req.parameters.get("commune"), let unit = req.application.registry.units.unit(code), unit.level == .commune else { throw Abort(.notFound) }
        let support = req.support
        let today = req.application.registry.referenceDate
        let year = req.query[Int.self, at: "year"].flatMap { (2016...today.year).contains($0) ? $0 : nil } ?? today.year
        let figures = try await support.publicFigures(commune: code, year: year, on: req.db)
        var f = SupportStore.RecordFilter()
        f.communes = [code]
        f.village = req.query[String.self, at: "village"]
        f.from = CivilDate(year: year, month: 1, day: 1)
        f.to = min(CivilDate(year: year, month: 12, day: 31)!, today)
        f.limit = 5000
        let records = try await support.records(nil, f, on: req.db)
        let villages = try await support.villagesWithSupport(commune: code, year: year, on: req.db)
        let policyRows: [HTML] = figures.byPolicy.map { p in "<tr><td>\(p.policy)</td><td class=\"num\">\(p.households)</td><td class=\"num\">\(Format.money(p.amount))</td></tr>" }
        let villageLinks: [HTML] = villages.map { v in v == f.village ? "<b>\(v)</b>" : "<a href=\"\(Path.publicCommune(code))?year=\(year)&village=\(v.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? v)\">\(v)</a>" }
        let models = try await support.models(nil, communes: [code], on: req.db)
        let modelRows: [HTML] = models.map { m in "<li>\(m.name) (\(m.kind), từ năm \(m.start_year), kinh phí \(Format.money(m.budget)) đ)</li>" }
        return Layout.page(req, title: "Công khai: \(unit.name)", """
        <h1>Công khai hỗ trợ giảm nghèo: \(unit.name)</h1>
        <p class="noprint">Năm: \(Array(max(2022, today.year - 4)...today.year).map { y in y == year ? HTML("<b>\(y)</b>") : HTML("<a href=\"\(Path.publicCommune(code))?year=\(y)\">\(y)</a>") }.joined(separator: " · "))</p>
        <div class="grid"><div class="card">Tổng số hộ<br><b>\(Format.money(figures.households))</b></div>
        <div class="card">Hộ nghèo (hiện nay)<br><b>\(Format.money(figures.poor))</b> (\(ReportValue.rate(figures.poor, figures.households).text) %)</div>
        <div class="card">Hộ cận nghèo (hiện nay)<br><b>\(Format.money(figures.nearPoor))</b> (\(ReportValue.rate(figures.nearPoor, figures.households).text) %)</div>
        <div class="card">Quỹ Vì người nghèo<br>thu \(Format.money(figures.donations)) đ · chi \(Format.money(figures.payouts)) đ · dư <b>\(Format.money(figures.balance)) đ</b></div></div>
        <h2>Hỗ trợ năm \(year) theo chính sách</h2>
        <div class="scroll"><table><thead><tr><th>\(req.t("Chính sách", "Policy"))</th><th>\(req.t("Số hộ nhận", "Households reached"))</th><th>\(req.t("Giá trị (đ)", "Value (VND)"))</th></tr></thead><tbody>\(policyRows.isEmpty ? ["<tr><td colspan=\"3\">Chưa có.</td></tr>"] : policyRows)</tbody></table></div>
        \(modelRows.isEmpty ? "" : HTML("<h2>\(req.t("Mô hình giảm nghèo", "Livelihood models"))</h2><ul>\(modelRows)</ul>"))
        <h2>\(req.t("Danh sách các khoản hỗ trợ", "Supports"))</h2>
        <p class="noprint">Thôn, tổ: \(f.village == nil ? HTML("<b>Tất cả</b>") : HTML("<a href=\"\(Path.publicCommune(code))?year=\(year)\">Tất cả</a>")) \(villageLinks.isEmpty ? "" : HTML(unsafe: "· " + villageLinks.joined(separator: " · ").text))</p>
        \(SupportController.disclosureDoc(req, records, communeName: unit.name, village: f.village, from: f.from!, to: f.to!, mask: true, toggle: false))
        <p class="muted">Tên chủ hộ chỉ hiện chữ cái đầu; không công bố số định danh, ngày sinh hay thành viên hộ.</p>
        """)
    }
}
