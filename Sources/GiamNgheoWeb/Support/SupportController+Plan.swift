import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoReports
import GiamNgheoStorage
import Vapor

/// A household's support plan (needs, helper) and the visits recorded against it.
extension SupportController {
    // MARK: the household's plan

    func plan(req: Request) async throws -> HTML {
        let scope = try req.checkedScope
        guard let id = req.parameters.get("id", as: Int.self) else { throw Abort(.notFound) }
        return try await planPage(req, scope, id: id, error: nil)
    }

    func planPage(_ req: Request, _ scope: Scope, id: Int, error: String?) async throws -> HTML {
        let services = req.application.registry
        let r = try await services.store.get(scope, id: id, on: req.db)
        let h = try services.store.household(r, parser: services.parser)
        let year = req.query[Int.self, at: "year"] ?? services.referenceDate.year
        let cat = req.support.catalogue
        let plan = try await req.support.plan(scope, household: r, year: year, on: req.db)
        var f = SupportStore.RecordFilter()
        f.household = id
        f.includeVoided = true
        let records = try await req.support.records(scope, f, on: req.db)
        let status = try await req.support.statuses([id], on: req.db)[id]
        let today = services.referenceDate
        let facts = status?.facts(on: today) ?? EligibilityFacts(category: Category(rawValue: r.category))
        let eligibleNow: [HTML] = cat.policies.filter { $0.eligibility.holds(facts, on: today) && $0.code != "khac" }.map { p in
            "<li><a href=\"\(Path.supportNew)?household=\(r.code)&policy=\(p.code)\">\(p.name)</a> \(p.verified ? "" : Layout.unverifiedBadge)</li>"
        }
        let deprived = r.deprived.split(separator: ",").map(String.init)
        let standard = try? services.store.engine.catalogue.standard(id: r.standard)
        let causes = h.causes ?? []
        // A year without a plan starts from last year's (helper, needs still matching a deprivation or cause, free
        // needs); nothing is written until the official saves, and the commitment is asked again.
        var carried: SupportStore.SupportPlan? = nil
        if plan.row == nil {
            // A failing read is an error, not silently an empty form.
            var before = try await req.support.plan(scope, household: r, year: year - 1, on: req.db)
            if before.row != nil {
                before.row?.commitment = 0
                before.row?.note = nil
                before.needs = before.needs.filter { n in (n.indicator.map { deprived.contains($0) } ?? true) && (n.cause.map { causes.contains($0) } ?? true) }
                carried = before
            }
        }
        let planNeeds = carried?.needs ?? plan.needs
        // One need row per deprived indicator and per cause, then what was planned before, then two free rows.
        var needRows: [SupportStore.Need] = deprived.map { d in planNeeds.first { $0.indicator == d } ?? .init(indicator: d, cause: nil, policy_code: nil, description: nil) }
        needRows += causes.map { c in planNeeds.first { $0.cause == c && $0.indicator == nil } ?? .init(indicator: nil, cause: c, policy_code: nil, description: nil) }
        needRows += planNeeds.filter { n in !needRows.contains(n) }
        needRows += [.init(indicator: nil, cause: nil, policy_code: nil, description: nil), .init(indicator: nil, cause: nil, policy_code: nil, description: nil)]
        let needs: [HTML] = needRows.enumerated().map { i, n in
            let what: HTML
            if let d = n.indicator { what = "Thiếu hụt \(d): \(standard?.indicator(d)?.name.vi ?? "")" }
            else if let c = n.cause { what = "Nguyên nhân: \(BundledData.povertyCauses.first { $0.code == c }?.vi ?? c)" }
            else { what = "Nhu cầu khác" }
            let suggested = cat.policies.filter { p in (n.indicator.map { p.indicators.contains($0) } ?? false) || (n.cause.map { p.causes.contains($0) } ?? false) }
            let options: [HTML] = cat.policies.map { p in
                "<option value=\"\(p.code)\" \(p.code == n.policy_code ? "selected" : "")>\(suggested.contains(p) ? "★ " : "")\(p.name)</option>"
            }
            return """
            <tr><td>\(what)<input type="hidden" name="need_indicator_\(i)" value="\(n.indicator)"><input type="hidden" name="need_cause_\(i)" value="\(n.cause)"></td>
            <td><select name="need_policy_\(i)" aria-label="Chính sách cần"><option value="">—</option>\(options)</select></td>
            <td><input class="w-full" name="need_text_\(i)" value="\(n.description)" aria-label="Nội dung cần hỗ trợ"></td></tr>
            """
        }
        let visits: [HTML] = plan.visits.map { v in "<tr><td>\(CivilDate(v.visited_on)?.vietnamese ?? v.visited_on)</td><td>\(v.visitor)</td><td>\(v.note)</td></tr>" }
        var total = 0
        let recordRows: [HTML] = records.map { s in
            if s.voided_reason == nil && s.form != SupportForm.credit.rawValue { total += s.amount }
            return """
            <tr\(raw: s.eligible == 0 ? " class=\"flag\"" : "")><td>\(CivilDate(s.given_on)?.vietnamese ?? s.given_on)</td><td>\(s.member_name)</td><td>\(Self.policyName(req, s.policy_code))</td>
            <td>\(SupportForm(rawValue: s.form)?.vietnamese ?? s.form)\(s.quantity.map { " · \($0)" } ?? "")</td><td class="num">\(Self.money(s.amount))</td><td>\(FundingSource(rawValue: s.source)?.vietnamese ?? s.source)</td>
            <td>\(Self.eligibilityCell(s))\(s.voided_reason.map { HTML("<br><small class=\"flagtext\">Đã huỷ: \($0)</small>") } ?? (scope.canWrite ? HTML("<br><a class=\"noprint\" href=\"\(Path.supportRecord(s.id, "edit"))\">\(req.t("Sửa", "Correct"))</a>") : ""))</td></tr>
            """
        }
        let saved = plan.row
        let v = saved ?? carried?.row
        let write = scope.canWrite
        let years: HTML = "<p class=\"noprint\">\(req.t("Năm", "Year")): <a href=\"\(Path.household(id, "plan"))?year=\(year - 1)\">← \(year - 1)</a> · <b>\(year)</b> · <a href=\"\(Path.household(id, "plan"))?year=\(year + 1)\">\(year + 1) →</a></p>"
        let err: HTML = error.map { "<p class=\"error\" role=\"alert\">\($0)</p>" } ?? ""
        return Layout.page(req, title: "Kế hoạch hỗ trợ hộ \(r.code)", """
        \(Self.subnav(req, ""))
        <h1>Kế hoạch hỗ trợ năm \(year): hộ \(r.code), \(r.headName) \(Layout.categoryBadge(r.category, req.language))</h1>
        <p><a href="\(Path.household(id))">Hồ sơ hộ</a> · Thôn: \(r.village) · Thiếu hụt: \(deprived.isEmpty ? "không" : deprived.joined(separator: ", ")) ·
        Nguyên nhân: \(causes.isEmpty ? "chưa ghi" : causes.map { c in BundledData.povertyCauses.first { $0.code == c }?.vi ?? c }.joined(separator: "; ")) \(BundledData.povertyCauses.contains { !$0.verified } ? Layout.unverifiedBadge : "")
        \(write ? HTML("(<a href=\"\(Path.household(id, "edit"))\">sửa nguyên nhân</a>)") : "")</p>
        \(years)\(err)
        \(carried != nil && write ? HTML("<p class=\"card\" role=\"status\">Chưa có kế hoạch năm \(year): đã điền sẵn người giúp đỡ và các nhu cầu còn phù hợp từ kế hoạch năm \(year - 1). Kiểm tra, sửa rồi bấm <b>Lưu kế hoạch</b>; hộ cần đăng ký thoát nghèo lại cho năm \(year).</p>") : "")
        <form method="post" action="\(Path.household(id, "plan"))?year=\(year)" class="card">
          \(req.csrfField)<input type="hidden" name="version" value="\(saved?.version ?? 0)">
          <p><label class="check"><input type="checkbox" name="commitment" value="1" \(v?.commitment == 1 ? "checked" : "") \(write ? "" : "disabled")> Hộ đăng ký thoát nghèo trong năm \(year)</label></p>
          <div class="form-grid">
            <div><label for="helper_name">Người được phân công giúp đỡ</label><input id="helper_name" name="helper_name" value="\(v?.helper_name)"></div>
            <div><label for="helper_org">Cơ quan, đoàn thể</label><input id="helper_org" name="helper_org" value="\(v?.helper_org)" list="orgs"><datalist id="orgs">\(HelperController.orgs.map { HTML("<option value=\"\($0)\">") })</datalist></div>
            <div><label for="helper_contact">Liên hệ</label><input id="helper_contact" name="helper_contact" value="\(v?.helper_contact)"></div>
            <div><label for="note">Ghi chú</label><input id="note" name="note" value="\(v?.note)"></div>
          </div>
          <h2>\(req.t("Nhu cầu hỗ trợ theo chỉ số thiếu hụt và nguyên nhân", "Support needed per deprivation and cause"))</h2>
          <p class="muted">★ chính sách giải quyết đúng chỉ số hoặc nguyên nhân này.</p>
          <div class="scroll"><table><thead><tr><th>\(req.t("Thiếu hụt / nguyên nhân", "Deprivation / cause"))</th><th>\(req.t("Chính sách cần", "Policy needed"))</th><th>\(req.t("Nội dung", "Content"))</th></tr></thead><tbody>\(needs)</tbody></table></div>
          <input type="hidden" name="need_count" value="\(needRows.count)">
          \(write ? HTML("<p><button class=\"primary\" type=\"submit\">\(req.t("Lưu kế hoạch", "Save the plan"))</button> \(saved.map { "Lưu lần cuối bởi \($0.updated_by)" } ?? "Chưa có kế hoạch năm \(year).")</p>") : "")
        </form>
        <h2>\(req.t("Chính sách hộ đang được hưởng", "Policies the household is entitled to")) (\(today.vietnamese))</h2>
        \(eligibleNow.isEmpty ? HTML("<p class=\"muted\">Hộ không thuộc đối tượng chính sách nào trong danh mục.</p>") : HTML("<ul>\(eligibleNow)</ul>"))
        <h2 id="support">\(req.t("Hỗ trợ đã nhận", "Support received"))</h2>
        \(write ? HTML("<p class=\"noprint\"><a class=\"button primary\" href=\"\(Path.supportNew)?household=\(r.code)\">Ghi hỗ trợ cho hộ này</a></p>") : "")
        <div class="scroll"><table><thead><tr><th>\(req.t("Ngày", "Date"))</th><th>\(req.t("Người nhận", "Receiver"))</th><th>\(req.t("Chính sách", "Policy"))</th><th>\(req.t("Hình thức", "Form"))</th><th>\(req.t("Số tiền (đ)", "Amount (VND)"))</th><th>\(req.t("Nguồn", "Source"))</th><th>\(req.t("Đối tượng", "Eligibility"))</th></tr></thead>
        <tbody>\(recordRows.isEmpty ? ["<tr><td colspan=\"7\">Chưa có.</td></tr>"] : recordRows)</tbody>
        <tfoot><tr class="total"><td colspan="4">Tổng (không kể cho vay)</td><td class="num">\(Self.money(total))</td><td colspan="2"></td></tr></tfoot></table></div>
        <h2>\(req.t("Theo dõi, thăm hộ", "Follow-up visits"))</h2>
        <div class="scroll"><table><thead><tr><th>\(req.t("Ngày", "Date"))</th><th>\(req.t("Người thăm", "Visitor"))</th><th>\(req.t("Nội dung", "Content"))</th></tr></thead><tbody>\(visits.isEmpty ? ["<tr><td colspan=\"3\">Chưa có.</td></tr>"] : visits)</tbody></table></div>
        \(write ? HTML("""
        <form method="post" action="\(Path.household(id, "visits"))" class="filters noprint">\(req.csrfField)
          <label>Ngày<input class="w-8" name="date" value="\(today.vietnamese)" required></label><label>Người thăm<input name="visitor" value="\(v?.helper_name)" required></label>
          <label class="grow">Nội dung<input name="note" required></label><button type="submit">\(req.t("Ghi lần thăm", "Record the visit"))</button></form>
        """) : "")
        """)
    }

    func savePlan(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        guard let id = req.parameters.get("id", as: Int.self) else { throw Abort(.notFound) }
        let year = req.query[Int.self, at: "year"] ?? req.application.registry.referenceDate.year
        let form = try req.content.decode([String: String].self)
        let count = min(Int(form["need_count"] ?? "") ?? 0, 200)
        let needs: [SupportStore.Need] = (0..<count).map { i in
            func v(_ k: String) -> String? { form["\(k)_\(i)"].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) } }
            return .init(indicator: v("need_indicator"), cause: v("need_cause"), policy_code: v("need_policy"), description: v("need_text"))
        }
        let input = SupportStore.PlanInput(commitment: form["commitment"] == "1", helperName: form["helper_name"] ?? "", helperOrg: form["helper_org"] ?? "",
                                           helperContact: form["helper_contact"] ?? "", note: form["note"] ?? "", needs: needs)
        try await req.support.savePlan(scope, householdID: id, year: year, input, expectedVersion: Int(form["version"] ?? "") ?? 0, on: req.db)
        return req.redirect(to: "\(Path.household(id, "plan"))?year=\(year)")
    }

    func addVisit(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        guard let id = req.parameters.get("id", as: Int.self) else { throw Abort(.notFound) }
        let form = try req.content.decode([String: String].self)
        try await req.support.addVisit(scope, householdID: id, date: form["date"] ?? "", visitor: form["visitor"] ?? "", note: form["note"] ?? "", on: req.db)
        return req.redirect(to: "\(Path.household(id, "plan"))")
    }

    /// The household page's short block (of a household read within the scope): helper, this year's commitment, supports received.
    static func householdSummary(_ req: Request, household r: HouseholdRecord) async throws -> HTML {
        let householdID = r.id!
        let year = req.application.registry.referenceDate.year
        let s = try await req.support.summary(household: r, year: year, on: req.db)
        let helper = [s.helperName, s.helperOrg].compactMap { $0 }.joined(separator: ", ")
        return """
        <h2>\(req.t("Kế hoạch và hỗ trợ", "Plan and support"))</h2>
        <p>Người giúp đỡ năm \(year): \(helper.isEmpty ? "chưa phân công" : helper)\(s.commitment ? " · đã đăng ký thoát nghèo" : "") ·
        \(s.records) khoản hỗ trợ, \(Self.money(s.total)) đồng\(s.anyIneligible ? " · có khoản không đúng đối tượng" : "") ·
        <a href="\(Path.household(householdID, "plan"))">Xem kế hoạch, ghi hỗ trợ</a></p>
        """
    }
}
