import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import Vapor

/// The helper assignment sheet (issue 7 §1; seeds 000/001: every poor and near-poor household has someone assigned
/// to help it): a commune assigns helpers for a whole village at once, as it does in its meeting, instead of
/// opening each household's plan.
struct HelperController: Feature {
    func boot(routes: any RoutesBuilder) throws {
        let r = routes.access(.signedIn)
        r.get("support", "helpers", use: show)
        r.post("support", "helpers", use: save)
    }

    static let orgs = ["Hội Liên hiệp Phụ nữ", "Hội Nông dân", "Hội Cựu chiến binh", "Đoàn Thanh niên", "Mặt trận Tổ quốc", "Công chức UBND xã", "Trưởng thôn"]

    func show(req: Request) async throws -> HTML { try await page(req, error: nil) }

    func page(_ req: Request, error: String?) async throws -> HTML {
        let scope = try req.checkedScope
        let services = req.application.registry
        let year = req.query[Int.self, at: "year"] ?? services.referenceDate.year
        let village = req.query[String.self, at: "village"].flatMap { $0.isEmpty ? nil : $0 }
        let missingOnly = req.query[String.self, at: "missing"] == "1"
        let extra: HTML = """
            <input type="hidden" name="year" value="\(year)">
            <label><span><input type="checkbox" name="missing" value="1" \(missingOnly ? "checked" : "")> \(req.t("Chỉ hộ chưa có người giúp đỡ", "Only households without a helper"))</span></label>
            """
        let chosen = try SupportController.commune(req, scope)
        let picker = try SupportController.communePicker(req, scope, action: Path.supportHelpers, selected: chosen, extra: extra)
        guard let commune = chosen else {
            return Layout.page(req, title: req.t("Phân công giúp đỡ", "Helpers"), """
            \(SupportController.subnav(req, Path.supportHelpers))
            <h1>\(req.t("Phân công người giúp đỡ hộ nghèo, hộ cận nghèo", "Helpers for poor and near-poor households")) \(year)</h1>
            \(picker)<p>\(req.t("Chọn một xã/phường.", "Choose a commune."))</p>
            """)
        }
        let all = try await req.support.helperRows(scope, commune: commune, year: year, on: services.referenceDate, on: req.db)
        let villages = Array(Set(all.map(\.village))).sorted { VietnameseText.fold($0) < VietnameseText.fold($1) }
        var rows = village.map { v in all.filter { $0.village == v } } ?? all
        if missingOnly { rows = rows.filter { $0.helperName.isEmpty } }
        let assigned = all.filter { !$0.helperName.isEmpty }.count
        let write = scope.canWrite
        let lines: [HTML] = rows.enumerated().map { i, r in
            let disabled = HTML(unsafe: write ? "" : " disabled")
            return """
            <tr\(raw: r.helperName.isEmpty ? " class=\"flag\"" : "")><td><a href="\(Path.household(r.householdID, "plan"))?year=\(year)">\(r.code)</a>
            <input type="hidden" name="id_\(i)" value="\(r.householdID)"><input type="hidden" name="version_\(i)" value="\(r.planVersion)">
            <input type="hidden" name="was_name_\(i)" value="\(r.helperName)"><input type="hidden" name="was_org_\(i)" value="\(r.helperOrg)"><input type="hidden" name="was_commit_\(i)" value="\(r.commitment ? "1" : "0")"></td>
            <td>\(r.headName)</td><td class="hide-sm">\(r.village)</td><td>\(Layout.categoryBadge(r.category.rawValue, req.language))</td>
            <td><input name="name_\(i)" value="\(r.helperName)" aria-label="\(req.t("Người giúp đỡ", "Helper")) \(r.code)"\(disabled)></td>
            <td><input name="org_\(i)" value="\(r.helperOrg)" list="orgs" aria-label="\(req.t("Cơ quan, đoàn thể", "Organisation")) \(r.code)"\(disabled)></td>
            <td class="center"><input type="checkbox" name="commit_\(i)" value="1" \(r.commitment ? "checked" : "") aria-label="\(req.t("Đăng ký thoát nghèo", "Commits to exit")) \(r.code)"\(disabled)></td></tr>
            """
        }
        let villageLinks: [HTML] = ([""] + villages).map { v in
            let name = v.isEmpty ? req.t("Tất cả", "All") : v
            let href = Path.supportHelpers + "?commune=\(commune)&year=\(year)\(v.isEmpty ? "" : "&village=\(v.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? v)")\(missingOnly ? "&missing=1" : "")"
            return v == (village ?? "") ? "<b>\(name)</b>" : "<a href=\"\(href)\">\(name)</a>"
        }
        let err: HTML = error.map { "<p class=\"error\" role=\"alert\">\($0)</p>" } ?? ""
        let back = Path.supportHelpers + "?commune=\(commune)&year=\(year)\(village.map { "&village=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)" } ?? "")\(missingOnly ? "&missing=1" : "")"
        return Layout.page(req, title: req.t("Phân công giúp đỡ", "Helpers"), """
        \(SupportController.subnav(req, Path.supportHelpers))
        <h1>\(req.t("Phân công người giúp đỡ hộ nghèo, hộ cận nghèo", "Helpers for poor and near-poor households")) \(year)</h1>
        \(picker)
        <p class="noprint">\(req.t("Thôn, tổ", "Village")): \(villageLinks.joined(separator: " · "))</p>
        <p>\(req.language == .en ? "\(assigned) of \(all.count) poor and near-poor households (list in force on \(services.referenceDate.vietnamese)) have a helper for \(year)." : "\(assigned)/\(all.count) hộ nghèo, cận nghèo (theo danh sách có hiệu lực ngày \(services.referenceDate.vietnamese)) đã có người giúp đỡ năm \(year).") \(req.t("Kế hoạch mục tiêu: 100 %.", "Plans' target: 100 %."))</p>
        \(err)
        <form method="post" action="\(Path.supportHelpers)?commune=\(commune)&year=\(year)">
        \(req.csrfField)<input type="hidden" name="count" value="\(rows.count)"><input type="hidden" name="back" value="\(back)">
        <datalist id="orgs">\(Self.orgs.map { HTML("<option value=\"\($0)\">") })</datalist>
        <div class="scroll"><table><thead><tr><th>\(req.t("Mã hộ", "Code"))</th><th>\(req.t("Chủ hộ", "Head"))</th><th class="hide-sm">\(req.t("Thôn", "Village"))</th><th>\(req.t("Diện", "Category"))</th>
        <th>\(req.t("Người được phân công giúp đỡ", "Helper"))</th><th>\(req.t("Cơ quan, đoàn thể", "Organisation"))</th><th>\(req.t("Đăng ký thoát nghèo", "Commits to exit"))</th></tr></thead>
        <tbody>\(lines.isEmpty ? [HTML("<tr><td colspan=\"7\">\(req.t("Không có hộ nào.", "No households."))</td></tr>")] : lines)</tbody></table></div>
        \(write && !lines.isEmpty ? HTML("<p><button class=\"primary\" type=\"submit\">\(req.t("Lưu phân công", "Save"))</button> <span class=\"muted\">\(req.t("Chỉ những dòng đã sửa được ghi; các nhu cầu trong kế hoạch của hộ giữ nguyên.", "Only the rows you changed are saved; each plan's needs stay as they are."))</span></p>") : "")
        </form>
        """)
    }

    func save(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        guard let commune = try SupportController.commune(req, scope) else { throw ValidationError("commune.required", field: "commune", vi: "Hãy chọn một xã/phường.", en: "Choose a commune.") }
        let year = req.query[Int.self, at: "year"] ?? req.application.registry.referenceDate.year
        let form = try req.content.decode([String: String].self)
        let count = min(Int(form["count"] ?? "") ?? 0, 5_000)
        var edits: [SupportStore.HelperAssignment] = []
        for i in 0..<count {
            guard let id = Int(form["id_\(i)"] ?? "") else { continue }
            func v(_ k: String) -> String { (form["\(k)_\(i)"] ?? "").trimmingCharacters(in: .whitespaces) }
            let commit = form["commit_\(i)"] == "1"
            // Only what the official changed: an untouched row never overwrites someone else's later edit.
            guard v("name") != v("was_name") || v("org") != v("was_org") || commit != (v("was_commit") == "1") else { continue }
            edits.append(.init(householdID: id, helperName: v("name"), helperOrg: v("org"), commitment: commit, expectedVersion: Int(v("version")) ?? 0))
        }
        do {
            _ = try await req.support.assignHelpers(scope, commune: commune, year: year, edits, on: req.db)
        } catch let e as SupportStore.HelperConflict {
            let res = try await page(req, error: e.message).encodeResponse(for: req)
            res.status = .conflict
            return res
        } catch let e as ValidationError {
            let m = req.text(e.message)
            let res = try await page(req, error: m).encodeResponse(for: req)
            res.status = .unprocessableEntity
            return res
        }
        let back = form["back"].flatMap { $0.hasPrefix(Path.supportHelpers + "?") ? $0 : nil } ?? Path.supportHelpers + "?commune=\(commune)&year=\(year)"
        return req.redirect(to: back)
    }
}
