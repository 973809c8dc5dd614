import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoStorage
import Vapor

/// Step 2 on screen: Phiếu A (quick identification, Circular 07/2021 Phụ lục II: 9 criterion columns as data,
/// for households that filed Mẫu 01) and Phiếu B (Phụ lục III: part B1 the income measure, điểm B1 where a
/// score table is loaded, otherwise income per person; part B2 the deprivation questions giving điểm B2),
/// pre-filled from the registry, savable as a draft, with the provisional result shown
/// as the form is filled; and the same forms printed, blank or filled.
extension ReviewController {
    struct SurveyContext {
        var reviewCase: ReviewCase
        var round: ReviewRound
        var record: HouseholdRecord
        var household: Household
        var quickScreen: Set<String>
        var enumerator: String?
        var surveyedOn: String?
        var errors = FormErrors()
    }

    func surveyContext(_ req: Request, _ scope: Scope) async throws -> SurveyContext {
        guard let id = req.parameters.get("id", as: Int.self) else { throw AccessError.notFound }
        let services = req.application.registry
        let (c, r) = try await services.reviews.reviewCase(scope, id: id, on: req.db)
        let record = try await services.store.get(scope, id: c.householdID, on: req.db)
        var h = try services.store.household(record, parser: services.parser)
        // A draft shows what was typed, not the registry (which it has not touched).
        if let d = c.draft, let drafted = try? services.parser.parse(jsonLine: d, line: 1) { h = drafted }
        return SurveyContext(reviewCase: c, round: r, record: record, household: h,
                             quickScreen: Set((c.quickScreen ?? "").split(separator: ",").map(String.init)),
                             enumerator: c.enumerator ?? req.currentUser?.displayName, surveyedOn: CivilDate(c.surveyedOn ?? "")?.vietnamese)
    }

    func surveyForm(req: Request) async throws -> HTML {
        let scope = try req.checkedScope
        return surveyPage(req, try await surveyContext(req, scope))
    }

    /// The provisional result box: category and why, or what the rule still needs.
    func provisionalBox(_ req: Request, _ h: Household, quickScreen: Set<String>, standard: String) -> HTML {
        let p = req.application.registry.reviews.provisional(h, quickScreen: quickScreen, standard: standard)
        let deprived = p.deprived.isEmpty ? "" : " Chỉ số thiếu hụt: \(p.deprived.joined(separator: ", ")) (điểm B2 = \(10 * p.deprived.count))."
        return "<b>Kết quả tạm tính:</b> \(Layout.categoryBadge(p.category, req.language)) \(p.explanation)\(deprived)"
    }

    /// Phiếu A's criterion columns (cột 01–09), ticked on screen or on paper, with its rule.
    func quickScreenFields(_ req: Request, _ answers: Set<String>, printable: Bool = false) -> HTML {
        guard let a = req.application.registry.reviews.procedure.quickScreen else { return "<p class=\"muted\">Quy trình không có Phiếu A.</p>" }
        let items: [HTML] = a.criteria.enumerated().map { i, c in
            let col = String(format: "%02d", i + 1)
            return printable
                ? "<tr><td class=\"num\">\(col)</td><td>\(c.vi)</td><td class=\"center\">\(answers.contains(c.code) ? "☒" : "☐")</td></tr>"
                : "<li><label><input type=\"checkbox\" name=\"phieuA[]\" value=\"\(c.code)\" \(answers.contains(c.code) ? "checked" : "")> Cột \(col): \(c.vi)</label> \(c.verified ? "" : Layout.unverifiedBadge)</li>"
        }
        let rule: HTML = "<p class=\"muted\">\(a.ruleText) \(a.verified ? "" : HTML("Danh mục chỉ tiêu \(Layout.unverifiedBadge)"))</p>"
        return printable
            ? "<table><thead><tr><th>Cột</th><th>Chỉ tiêu</th><th>Có</th></tr></thead><tbody>\(items)</tbody></table>\(rule)"
            : "\(rule)<ul class=\"plain\">\(items)</ul>"
    }

    func surveyPage(_ req: Request, _ ctx: SurveyContext) -> HTML {
        let services = req.application.registry
        let c = ctx.reviewCase, h = ctx.household, e = ctx.errors
        let standard = services.store.engine.catalogue.standard(id: ctx.round.standard)
        let standardName = standard?.name.vi ?? ctx.round.standard
        let usesFormA = services.reviews.procedure.quickScreen?.applies(requestForm: c.requestForm) ?? false
        let editable = ctx.round.decisionNumber == nil && ctx.round.roundStatus != .approved && c.caseStage != .agreed && c.caseStage != .decided
        return Layout.page(req, title: "Phiếu khảo sát hộ \(ctx.record.code)", """
        <h1>Phiếu khảo sát hộ \(ctx.record.code): \(ctx.record.headName)</h1>
        <p class="muted">\(ctx.record.village), vòng rà soát \(ctx.round.roundKind == .periodic ? "định kỳ" : "thường xuyên tháng \(ctx.round.month)") năm \(ctx.round.year);
        \(c.reasons). Trạng thái: <b>\(c.caseStage.vietnamese)</b>. <a href="\(Path.review(ctx.round.id!))">Về vòng rà soát</a> ·
        <a href="\(Path.review(ctx.round.id!, "forms"))?case=\(c.id!)&filled=1" target="_blank">In phiếu</a></p>
        \(e.summary)
        <form method="post" action="\(Path.reviewCase(c.id!))" id="survey" data-preview="\(Path.reviewCase(c.id!, "preview"))" novalidate>
          \(req.csrfField)
          <input type="hidden" name="version" value="\(ctx.record.version)">
          <input type="hidden" name="caseVersion" value="\(c.version)">
          <div class="form-grid">
            <div>\(Field.text("Rà soát viên", "enumerator", ctx.enumerator, e, attrs: "required"))</div>
            <div>\(Field.text("Ngày khảo sát (dd/mm/yyyy)", "surveyedOn", ctx.surveyedOn ?? services.referenceDate.vietnamese, e, attrs: "required"))</div>
          </div>
          \(usesFormA
            ? HTML("<h2>Phiếu A: nhận dạng nhanh đặc điểm hộ gia đình</h2><p class=\"muted\">Hộ có giấy đề nghị rà soát (Mẫu số 01).</p>\(quickScreenFields(req, ctx.quickScreen))")
            : HTML("<p class=\"muted\">Hộ thuộc danh sách hộ nghèo, hộ cận nghèo đang quản lý: khảo sát thẳng bằng Phiếu B (Phiếu A chỉ dùng cho hộ có giấy đề nghị, Mẫu số 01).</p>"))
          <h2>Phiếu B, phần B1: thu nhập (điểm B1)</h2>
          <p class="muted">Chuẩn áp dụng: \(standardName). Bảng điểm B1 (Phụ lục III, IV) chưa được nạp \(Layout.unverifiedBadge): ghi thu nhập
          bình quân đầu người; nếu đã chấm điểm B1 trên phiếu giấy, ghi điểm B1 (được dùng thay cho thu nhập). Hộ có thu nhập trên chuẩn
          nghèo không cần trả lời phần B2. Tên gọi điểm B1/B2 theo thực tiễn \(Layout.unverifiedBadge).</p>
          <div class="form-grid">
            <div>\(Field.text("Thu nhập bình quân (đồng/người/tháng)", "incomePerCapita", h.incomePerCapita.map(String.init), e, attrs: "inputmode=\"numeric\""))</div>
            <div>\(Field.text("Điểm B1 (nếu đã chấm)", "scoreB1", h.scoreB1.map(String.init), e, attrs: "inputmode=\"numeric\""))</div>
            <div>\(Field.yesNo("Làm nông, lâm, ngư, diêm nghiệp", "agriculture", h.agriculture, e))</div>
          </div>
          <h2>Phiếu B, phần B2: mức độ thiếu hụt dịch vụ xã hội cơ bản (điểm B2)</h2>
          \(Field.living(h.living, e))
          <h3>Nhân khẩu (\(h.members.count))</h3>
          \(HouseholdController.memberFacts(h, e, link: nil))
          <h3>Nguyên nhân nghèo</h3>
          \(Field.causes(h.causes, e))
          <div class="card" id="provisional" aria-live="polite">\(provisionalBox(req, h, quickScreen: ctx.quickScreen, standard: ctx.round.standard))</div>
          \(editable ? HTML("""
          <p><button type="submit" name="action" value="draft">Lưu nháp</button>
          <button class="primary" type="submit" name="action" value="finish">Hoàn thành phiếu</button></p>
          """) : HTML("<p class=\"muted\">Phiếu không còn sửa được ở trạng thái này.</p>"))
        </form>
        """)
    }

    /// Applies the posted Phiếu B to the household (the registry's own form reader) and parses it.
    func surveyed(_ req: Request, _ ctx: SurveyContext, _ form: (single: [String: String], lists: [String: [String]])) throws -> Household {
        let services = req.application.registry
        var dict = Interchange.dictionary(ctx.household)
        HouseholdController().applyHouseholdForm(form, to: &dict)
        if let a = form.single["scoreB1"] {
            // An empty box clears a score typed before; the income then measures the household.
            if a.trimmingCharacters(in: .whitespaces).isEmpty { dict.removeValue(forKey: "scoreB1"); dict.removeValue(forKey: "scoreA") } else { dict["scoreB1"] = a; dict.removeValue(forKey: "scoreA") }
        }
        return try services.parser.parse(dict, fallbackCode: ctx.record.code)
    }

    func preview(req: Request) async throws -> HTML {
        let scope = try req.checkedScope
        let ctx = try await surveyContext(req, scope)
        let form = req.formFields()
        let b1 = Set(form.lists["phieuA"] ?? [])
        do {
            return provisionalBox(req, try surveyed(req, ctx, form), quickScreen: b1, standard: ctx.round.standard)
        } catch let e as ClassificationError {
            return "<b>Kết quả tạm tính:</b> chưa tính được: \(e.message) (trường \(e.field))."
        }
    }

    func saveSurvey(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        var ctx = try await surveyContext(req, scope)
        let services = req.application.registry
        let form = req.formFields()
        let f = form.single
        ctx.quickScreen = Set(form.lists["phieuA"] ?? [])
        ctx.enumerator = f["enumerator"]; ctx.surveyedOn = f["surveyedOn"]
        let finish = f["action"] == "finish"
        do {
            let h = try surveyed(req, ctx, form)
            ctx.household = h
            let date = (f["surveyedOn"] ?? "").trimmingCharacters(in: .whitespaces)
            let day = CivilDate(date)
            if !date.isEmpty && day == nil { throw ClassificationError(household: h.code, field: "surveyedOn", message: "ngày '\(date)' không hợp lệ (dd/mm/yyyy)") }
            try await services.reviews.saveSurvey(scope, caseID: ctx.reviewCase.id!, .init(
                household: h, quickScreen: ctx.quickScreen, enumerator: f["enumerator"] ?? "", surveyedOn: day, finish: finish,
                householdVersion: try HouseholdController.version(f), caseVersion: Int(f["caseVersion"] ?? "") ?? -1), today: services.referenceDate, on: req.db)
            return req.redirect(to: finish ? Path.review(ctx.round.id!) : Path.reviewCase(ctx.reviewCase.id!) + "?saved=1")
        } catch let e as ClassificationError {
            ctx.errors.add(e, memberInput: { id, key in "m.\(id).\(key)" })
        } catch let p as FormProblems {
            for e in p.errors { ctx.errors.add(e, memberInput: { id, key in "m.\(id).\(key)" }) }
        } catch let e as ValidationError {
            ctx.errors.general.append(req.text(e.message))
        } catch is VersionConflict {
            ctx.errors.general.append(req.t("Người khác vừa lưu hộ hoặc phiếu này; phiếu đã được nạp lại với dữ liệu mới nhất. Nhập lại thay đổi của bạn nếu vẫn cần.",
                                            "Someone else has just saved this household or form; it was reloaded with the latest data. Enter your change again if still needed."))
            let fresh = try await surveyContext(req, scope)
            ctx.reviewCase = fresh.reviewCase; ctx.record = fresh.record; ctx.household = fresh.household
            let res = try await surveyPage(req, ctx).encodeResponse(for: req)
            res.status = .conflict
            return res
        }
        let res = try await surveyPage(req, ctx).encodeResponse(for: req)
        res.status = .unprocessableEntity
        return res
    }

    /// Printable Phiếu A (households with a request, Phụ lục II) and Phiếu B (Phụ lục III), one A4 page each: blank (to fill by hand) or filled from the registry.
    func printableForms(req: Request) async throws -> HTML {
        let filled = req.query[String.self, at: "filled"] == "1"
        let (_, round, cases, records) = try await document(req) { _ in filled }
        let id = round.id!
        let services = req.application.registry
        let commune = services.units.unit(round.communeCode)?.name ?? round.communeCode
        var sheets: [HTML] = []
        // Blank forms to fill by hand, up to 50 copies at once.
        let blankCount = filled ? 0 : min(50, max(1, req.query[Int.self, at: "copies"] ?? 1))
        for c in cases {
            guard let rec = records[c.householdID], let h = try? services.store.household(rec, parser: services.parser) else { continue }
            sheets.append(sheet(req, commune: commune, record: rec, household: h, reviewCase: c))
        }
        for _ in 0..<blankCount { sheets.append(sheet(req, commune: commune, record: nil, household: nil, reviewCase: nil)) }
        return Layout.page(req, title: "Phiếu A, Phiếu B", """
        <p class="noprint"><a href="\(Path.review(id))">Về vòng rà soát</a> · <button type="button" data-print>In</button></p>
        \(sheets)
        """)
    }

    func sheet(_ req: Request, commune: String, record: HouseholdRecord?, household h: Household?, reviewCase c: ReviewCase?) -> HTML {
        func v(_ s: String?) -> HTML { HTML("\(s ?? "")") }
        let blank = "………………………"
        let living = h?.living
        let rows: [(String, String?)] = [
            ("Thu nhập bình quân (đồng/người/tháng)", h?.incomePerCapita.map { Format.money($0) }),
            ("Tường nhà", living?.walls.map { Vocabulary.label(.walls, $0) }), ("Khung nhà", living?.frame.map { Vocabulary.label(.frame, $0) }),
            ("Mái nhà", living?.roof.map { Vocabulary.label(.roof, $0) }), ("Diện tích nhà ở (m²)", living?.floorArea.map { "\($0)" }),
            ("Nguồn nước sinh hoạt", living?.waterSource.map { Vocabulary.label(.waterSource, $0) }),
            ("Nhà tiêu", living?.latrine.map { Vocabulary.label(.latrine, $0) }),
            ("Sử dụng dịch vụ viễn thông", living?.usesTelephone.map { $0 ? "có" : "không" }),
            ("Phương tiện tiếp cận thông tin", living?.informationDevices.map { $0.isEmpty ? "không có" : $0.map { Vocabulary.label(.informationDevices, $0) }.joined(separator: ", ") }),
        ]
        let memberRows: [HTML] = (h?.members ?? []).map { m in
            "<tr><td>\(m.name)</td><td>\(m.relation.map { Vocabulary.label(.relation, $0) })</td><td>\(m.birthYear.map(String.init) ?? m.birthDate.map { String($0.year) })</td><td>\(m.healthInsurance.map { $0 ? "có" : "không" })</td><td>\(m.schooling.map { Vocabulary.label(.schooling, $0) })</td><td>\(m.employment.map { Vocabulary.label(.employment, $0) })</td></tr>"
        } + (h == nil ? Array(repeating: HTML("<tr><td>&nbsp;</td><td></td><td></td><td></td><td></td><td></td></tr>"), count: 6) : [])
        let header: HTML = """
        <p>Xã/phường: \(commune) · Thôn/tổ: \(v(record?.village ?? blank)) · Mã hộ: \(v(record?.code ?? blank))<br>
        Họ tên chủ hộ: \(v(record?.headName ?? blank)) · Rà soát viên: \(v(c?.enumerator ?? blank)) · Ngày: \(v(c?.surveyedOn.flatMap { CivilDate($0)?.vietnamese } ?? blank))</p>
        """
        // Phiếu A only for a household that asked (Mẫu 01), or blank to fill by hand.
        let formA = c == nil || (req.application.registry.reviews.procedure.quickScreen?.applies(requestForm: c?.requestForm) ?? false)
        let pageA: HTML = formA ? """
        <section class="doc sheet">
        <p class="center"><b>PHIẾU A</b><br><b>NHẬN DẠNG NHANH ĐẶC ĐIỂM HỘ GIA ĐÌNH</b><br><i>(Phụ lục II, Thông tư 07/2021/TT-BLĐTBXH)</i> \(Layout.unverifiedBadge)</p>
        \(header)
        \(quickScreenFields(req, Set((c?.quickScreen ?? "").split(separator: ",").map(String.init)), printable: true))
        <table class="signatures"><tr><td>Chủ hộ<br>(ký, ghi rõ họ tên)</td><td>Rà soát viên<br>(ký, ghi rõ họ tên)</td></tr></table>
        </section>
        """ : ""
        return """
        \(pageA)
        <section class="doc sheet">
        <p class="center"><b>PHIẾU B</b><br><b>KHẢO SÁT, THU THẬP THÔNG TIN HỘ GIA ĐÌNH</b><br><i>(Phụ lục III, Thông tư 07/2021/TT-BLĐTBXH)</i> \(Layout.unverifiedBadge)</p>
        \(header)
        <p><b>B1. Thu nhập (điểm B1)</b>: \(v(h?.scoreB1.map { "\($0) điểm" } ?? h?.incomePerCapita.map { "\(Format.money($0)) đồng/người/tháng" }))</p>
        <p><b>B2. Mức độ thiếu hụt dịch vụ xã hội cơ bản (điểm B2: 10 điểm mỗi chỉ số)</b></p>
        <table><tbody>\(rows.map { HTML("<tr><th class=\"w-45\">\($0.0)</th><td>\($0.1 ?? "")</td></tr>") })</tbody></table>
        <table><thead><tr><th>Họ và tên</th><th>Quan hệ</th><th>Năm sinh</th><th>BHYT</th><th>Đi học</th><th>Việc làm</th></tr></thead><tbody>\(memberRows)</tbody></table>
        <p>Kết quả: \(c?.proposedCategory.map { HTML("\(Category(rawValue: $0)?.vietnamese ?? $0): \(c?.explanation ?? "")") } ?? HTML("☐ Hộ nghèo ☐ Hộ cận nghèo ☐ Không thuộc diện"))</p>
        <table class="signatures"><tr><td>Chủ hộ<br>(ký, ghi rõ họ tên)</td><td>Rà soát viên<br>(ký, ghi rõ họ tên)</td></tr></table>
        </section>
        """
    }
}
