import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoReports
import GiamNgheoData
import GiamNgheoStorage
import Vapor

/// Steps 4 and 6 and the way up: posting with complaints, the decision with its lists, certificates and
/// written refusals, the submission to the province and the province's view of every commune.
extension ReviewController {
    static func date(_ f: [String: String], _ key: String, _ label: String) throws -> CivilDate {
        let text = (f[key] ?? "").trimmingCharacters(in: .whitespaces)
        guard let d = CivilDate(text) else { throw ValidationError(text: "\(label) '\(text)' không hợp lệ (dd/mm/yyyy).") }
        return d
    }

    func roundID(_ req: Request) throws -> Int {
        guard let id = req.parameters.get("id", as: Int.self) else { throw AccessError.notFound }
        return id
    }

    /// A POST on a round: its scope, id and form, the change, then back to the round (or the round again
    /// with the refusal in Vietnamese).
    func onRound(_ req: Request, _ change: (Scope, Int, [String: String], RegistryServices) async throws -> Void) async throws -> Response {
        let scope = try req.checkedScope
        let id = try roundID(req)
        let f = req.formFields().single
        let services = req.application.registry
        return try await refusedShowsRound(req, scope, id) { try await change(scope, id, f, services) }
    }

    func advance(req: Request) async throws -> Response {
        try await onRound(req) { scope, id, f, services in
            try await services.reviews.advance(scope, roundID: id, expectedVersion: try HouseholdController.version(f),
                                               today: services.referenceDate, on: req.db)
        }
    }

    func openRegular(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        let f = req.formFields().single
        let services = req.application.registry
        guard let year = Int(f["year"] ?? ""), let month = Int(f["month"] ?? "") else { throw ValidationError("period", field: "period", vi: "Tháng, năm không hợp lệ.", en: "The month and year are not valid.") }
        do {
            let r = try await services.reviews.openRegularRound(scope, commune: (f["commune"] ?? "").trimmingCharacters(in: .whitespaces),
                                                                year: year, month: month, on: req.db)
            return req.redirect(to: Path.review(r.id!))
        } catch let e as ValidationError {
            let m = req.text(e.message)
            let res = try await page(req, scope, year: year, message: "<p class=\"error\" role=\"alert\">\(m)</p>").encodeResponse(for: req)
            res.status = .unprocessableEntity
            return res
        }
    }

    // MARK: step 4

    func postingPanel(_ req: Request, _ scope: Scope, _ work: RoundWork) async throws -> HTML {
        let services = req.application.registry
        let (round, cases, records) = (work.round, work.cases, work.records)
        let runs = (scope.role == .communeOfficer || scope.role == .admin) && round.decisionNumber == nil && round.stepCode == .posting
        let id = round.id!
        guard let from = round.postingFrom.flatMap({ CivilDate($0) }), let to = round.postingTo.flatMap({ CivilDate($0) }) else {
            return runs ? """
            <h2>Bước 4: niêm yết, thông báo công khai</h2>
            <form method="post" action="\(Path.review(id, "posting"))" class="filters noprint">
              \(req.csrfField)<input type="hidden" name="version" value="\(round.version)">
              <label>Ngày bắt đầu niêm yết<input name="from" value="\(services.referenceDate.vietnamese)" required size="10"></label>
              <button class="primary" type="submit">Bắt đầu niêm yết</button>
            </form>
            """ : ""
        }
        let complaints = try await services.reviews.complaints(scope, round: round, on: req.db)
        let today = services.referenceDate
        let step = try services.reviews.steps(of: round).first { $0.stepCode == .posting }
        let places = step?.places ?? ["Trụ sở Ủy ban nhân dân cấp xã", "Nhà văn hóa hoặc nhà sinh hoạt cộng đồng thôn"]
        let categories: [(code: String, vi: String)] = [("", "Giữ nguyên")] + Category.allCases.map { ($0.rawValue, $0.vietnamese) }
        let rows: [HTML] = complaints.map { k in
            let r = k.caseID.flatMap { cid in cases.first { $0.id == cid } }.flatMap { records[$0.householdID] }
            let resolve: HTML = k.status == "open" && runs ? """
                <form method="post" action="\(Path.complaint(k.id!, "resolve"))" class="noprint">
                  \(req.csrfField)
                  <label>Kết quả phúc tra<input name="outcome" required></label>
                  <label>Phân loại sau phúc tra<select name="category">\(categories.map { HTML("<option value=\"\($0.code)\">\($0.vi)</option>") })</select></label>
                  <label>Ngày phúc tra<input name="recheckedOn" value="\(services.referenceDate.vietnamese)" size="10"></label>
                  <button type="submit">Ghi kết quả phúc tra</button>
                </form>
                """ : ""
            let due = CivilDate(k.receivedOn).map { services.reviews.recheckDue($0) }
            let late = k.status == "open" && due.map { today > $0 } == true
            return """
            <tr><td>\(CivilDate(k.receivedOn)?.vietnamese)</td><td class="\(late ? "error" : "")">\(due?.vietnamese)\(late ? " (quá hạn)" : "")</td><td>\(k.complainant)</td><td>\(r.map { "\($0.code) \($0.headName)" })</td><td>\(k.content)</td>
            <td>\(k.status == "open" ? "Chưa phúc tra" : "Đã phúc tra \(CivilDate(k.recheckedOn ?? "")?.vietnamese ?? ""): \(k.outcome ?? "")\(k.newCategory.flatMap { Category(rawValue: $0) }.map { " → \($0.vietnamese)" } ?? "")")\(resolve)</td></tr>
            """
        }
        let lists: [HTML] = ReviewList.allCases.map { l in HTML("<a href=\"\(Path.review(id, "lists"))?list=\(l.rawValue)\" target=\"_blank\">\(l.vietnamese)</a>") }
        let villages = Array(Set(cases.compactMap(\.village))).sorted()
        let complaintForm: HTML = runs ? """
            <h3>Ghi nhận khiếu nại</h3>
            <form method="post" action="\(Path.review(id, "complaints"))" class="filters noprint">
              \(req.csrfField)
              <label>Người khiếu nại<input name="complainant" required></label>
              <label>Về hộ (mã hộ, nếu có)<input name="household" size="14"></label>
              <label>Nội dung<input name="content" required size="30"></label>
              <label>Ngày nhận<input name="receivedOn" value="\(services.referenceDate.vietnamese)" size="10"></label>
              <button type="submit">Ghi nhận</button>
            </form>
            """ : ""
        let open = complaints.filter { $0.status == "open" }.count
        let rechecked = complaints.count - open
        let repostFrom = round.repostingFrom.flatMap { CivilDate($0) }, repostTo = round.repostingTo.flatMap { CivilDate($0) }
        let reposting: HTML
        if let rf = repostFrom, let rt = repostTo {
            reposting = "<p>Niêm yết lại kết quả phúc tra từ <b>\(rf.vietnamese)</b> đến hết <b>\(rt.vietnamese)</b> (\(step?.repostingDays ?? 3) ngày làm việc).</p>"
        } else if rechecked > 0 && open == 0 && runs {
            reposting = """
            <form method="post" action="\(Path.review(id, "reposting"))" class="filters noprint">
              \(req.csrfField)<input type="hidden" name="version" value="\(round.version)">
              <label>Ngày bắt đầu niêm yết lại kết quả phúc tra<input name="from" value="\(today.vietnamese)" required size="10"></label>
              <button class="primary" type="submit">Niêm yết lại (\(step?.repostingDays ?? 3) ngày làm việc)</button>
            </form>
            """
        } else { reposting = "" }
        let blockers = ReviewRules.blockers(leaving: ReviewStepCode.posting.rawValue, stages: [], postingEnds: to, openComplaints: open,
                                            recheckedComplaints: rechecked, repostingEnds: repostTo, today: today)
        let blocking: HTML = round.stepCode == .posting && round.decisionNumber == nil
            ? (blockers.isEmpty ? "<p class=\"ok\">Đã hết thời gian niêm yết và khiếu nại: có thể chuyển sang bước quyết định.</p>"
               : "<p><b>Chưa chuyển sang quyết định được:</b> \(blockers.joined(separator: " "))</p>") : ""
        return """
        <h2>Bước 4: niêm yết, thông báo công khai</h2>
        <p>Niêm yết từ <b>\(from.vietnamese)</b> đến hết <b>\(to.vietnamese)</b> (\(step?.days ?? 3) ngày làm việc) tại: \(places.joined(separator: "; ")).
        Khiếu nại được phúc tra trong không quá \(step?.complaintRecheckDays ?? 7) ngày làm việc kể từ ngày nhận; kết quả phúc tra được niêm yết lại \(step?.repostingDays ?? 3) ngày làm việc trước khi quyết định.</p>
        \(reposting)
        \(blocking)
        <p class="noprint">In danh sách (trụ sở UBND xã): \(lists.joined(separator: " · "))</p>
        <p class="noprint">In cho nhà văn hóa thôn/tổ: \(villages.map { v in HTML("<a href=\"\(Path.review(id, "lists"))?list=poor&village=\(v.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? v)\" target=\"_blank\">\(v)</a>") }.joined(separator: " · "))</p>
        <h3>Khiếu nại (\(complaints.count))</h3>
        <div class="scroll"><table><thead><tr><th>Ngày nhận</th><th>Hạn phúc tra</th><th>Người khiếu nại</th><th>Hộ</th><th>Nội dung</th><th>Phúc tra</th></tr></thead>
        <tbody>\(rows.isEmpty ? [HTML("<tr><td colspan=\"6\">Chưa có khiếu nại.</td></tr>")] : rows)</tbody></table></div>
        \(complaintForm)
        """
    }

    func startPosting(req: Request) async throws -> Response {
        try await onRound(req) { scope, id, f, services in
            try await services.reviews.startPosting(scope, roundID: id, from: try Self.date(f, "from", "Ngày bắt đầu niêm yết"),
                                                    expectedVersion: try HouseholdController.version(f), on: req.db)
        }
    }

    func startReposting(req: Request) async throws -> Response {
        try await onRound(req) { scope, id, f, services in
            try await services.reviews.startReposting(scope, roundID: id, from: try Self.date(f, "from", "Ngày bắt đầu niêm yết lại"),
                                                      expectedVersion: try HouseholdController.version(f), on: req.db)
        }
    }

    func addComplaint(req: Request) async throws -> Response {
        try await onRound(req) { scope, id, f, services in
            try await services.reviews.addComplaint(scope, roundID: id, householdCode: f["household"], complainant: f["complainant"] ?? "",
                                                    content: f["content"] ?? "", receivedOn: try Self.date(f, "receivedOn", "Ngày nhận khiếu nại"),
                                                    today: services.referenceDate, on: req.db)
        }
    }

    func resolveComplaint(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        guard let kid = req.parameters.get("id", as: Int.self), let k = try await ReviewComplaint.find(kid, on: req.db) else { throw AccessError.notFound }
        let f = req.formFields().single
        let services = req.application.registry
        return try await refusedShowsRound(req, scope, k.roundID) {
            try await services.reviews.resolveComplaint(scope, complaintID: kid, outcome: f["outcome"] ?? "",
                                                        newCategory: Category(rawValue: f["category"] ?? ""),
                                                        recheckedOn: try Self.date(f, "recheckedOn", "Ngày phúc tra"), today: services.referenceDate, on: req.db)
        }
    }

    /// A posted (or decided) list on A4: national ID and birth date masked, as posting requires.
    func printableList(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        let id = try roundID(req)
        let services = req.application.registry
        let round = try await services.reviews.round(scope, id: id, on: req.db)
        guard let list = ReviewList(rawValue: req.query[String.self, at: "list"] ?? "poor") else { throw AccessError.notFound }
        let village = req.query[String.self, at: "village"]
        let results = try await services.reviews.results(scope, round: round, on: req.db)
            .filter { $0.on(list) && $0.reviewCase.refusal == nil && (village == nil || $0.reviewCase.village == village) }
        let records = try await records(req, results.map(\.reviewCase.householdID))
        if let format = req.query[String.self, at: "format"] {
            // The same list as a spreadsheet: same columns, same masking, numbers as numbers.
            let header = ["TT", "Họ tên chủ hộ", "Mã hộ", "Thôn/tổ", "Năm sinh", "Dân tộc", "Số CCCD", "Số nhân khẩu", "Chỉ số thiếu hụt", "Ghi chú"]
            let rows: [[Cell]] = results.enumerated().map { i, x in
                let r = records[x.reviewCase.householdID]
                let h = r.flatMap { try? services.store.household($0, parser: services.parser) }
                let head = h?.members.first { $0.relation == "head" } ?? h?.members.first
                let year: Int? = head?.birthDate?.year ?? head?.birthYear
                let ethnicity: String = head?.ethnicity.flatMap { BundledData.ethnicGroups.group($0)?.name } ?? ""
                let deprived: String = (x.reviewCase.deprived ?? "").trimmingCharacters(in: CharacterSet(charactersIn: ",")).replacingOccurrences(of: ",", with: ", ")
                var cells: [Cell] = [.number(i + 1), .text(r?.headName ?? ""), .text(r?.code ?? ""), .text(x.reviewCase.village ?? "")]
                cells.append(year.map { Cell.number($0) } ?? Cell.empty)
                cells += [.text(ethnicity), .text(Layout.maskedID(head?.nationalID, reveal: false)), .number(h?.members.count ?? 0),
                          .text(deprived), .text(x.transition.vietnamese)]
                return cells
            }
            let name = "\(list.rawValue)-\(round.communeCode)-\(round.year)"
            return try await SheetResponse.make(req, format: format, name: name, sheet: list.vietnamese, header: header, rows: rows)
        }
        let rows: [HTML] = results.enumerated().map { i, x in
            let r = records[x.reviewCase.householdID]
            let h = r.flatMap { try? services.store.household($0, parser: services.parser) }
            let head = h?.members.first { $0.relation == "head" } ?? h?.members.first
            let born = head?.birthDate.map { "**/**/\($0.year)" } ?? head?.birthYear.map(String.init) ?? ""
            return """
            <tr><td>\(i + 1)</td><td>\(r?.headName ?? "")</td><td>\(r?.code ?? "")</td><td>\(x.reviewCase.village ?? "")</td><td>\(born)</td>
            <td>\(head?.ethnicity.flatMap { BundledData.ethnicGroups.group($0)?.name })</td><td>\(Layout.maskedID(head?.nationalID, reveal: false))</td>
            <td>\(h?.members.count ?? 0)</td><td>\(x.reviewCase.deprived?.replacingOccurrences(of: ",", with: ", ") ?? "")</td><td>\(x.transition.vietnamese)</td></tr>
            """
        }
        let complaints = try await services.reviews.complaints(scope, round: round, on: req.db).filter { $0.status == "resolved" }
        let commune = services.units.unit(round.communeCode)?.name ?? round.communeCode
        // The notice names where it is posted and for how long (QĐ 24/2021 Art. 4(4); QĐ 967/QĐ-BNNMT).
        let posting = try services.reviews.steps(of: round).first { $0.stepCode == .posting }
        let places = (posting?.places ?? []).filter { village == nil || !$0.contains("Ủy ban") }
        let reposted = round.repostingFrom.flatMap { CivilDate($0) }.map { f in
            "; niêm yết lại kết quả phúc tra từ \(f.vietnamese) đến \(CivilDate(round.repostingTo ?? "")?.vietnamese ?? "…")" } ?? ""
        let basis: HTML = round.decisionNumber.map { HTML("(Kèm theo Quyết định số \($0) ngày \(CivilDate(round.decisionDate ?? "")?.vietnamese ?? "") của Chủ tịch UBND \(commune) (Mẫu số 02))") }
            ?? HTML("Niêm yết \(posting?.days ?? 3) ngày làm việc, từ \(CivilDate(round.postingFrom ?? "")?.vietnamese ?? "…") đến \(CivilDate(round.postingTo ?? "")?.vietnamese ?? "…")\(reposted)\(places.isEmpty ? HTML("") : HTML("<br>Nơi niêm yết: \(places.joined(separator: "; "))"))")
        let recheck: HTML = complaints.isEmpty ? "" : """
            <p><b>Kết quả phúc tra khiếu nại:</b></p><ul>\(complaints.map { HTML("<li>\(CivilDate($0.recheckedOn ?? "")?.vietnamese ?? ""): \($0.outcome ?? "")</li>") })</ul>
            """
        return try await Layout.page(req, title: list.vietnamese, """
        <p class="noprint"><a href="\(Path.review(id))">Về vòng rà soát</a> · <button type="button" data-print>In</button>
        · <a href="\(Path.review(id, "lists"))?list=\(list.rawValue)&amp;format=xlsx\(village.map { HTML("&amp;village=\($0)") } ?? "")">Excel (.xlsx)</a>
        · <a href="\(Path.review(id, "lists"))?list=\(list.rawValue)&amp;format=csv\(village.map { HTML("&amp;village=\($0)") } ?? "")">CSV</a></p>
        <section class="doc landscape">
        <table class="doc-head"><tr><td>UBND \(commune.uppercased())<br><b>BAN CHỈ ĐẠO RÀ SOÁT</b></td>
        <td><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br><b>Độc lập - Tự do - Hạnh phúc</b></td></tr></table>
        <p class="center"><b>\(list.vietnamese.uppercased()) NĂM \(round.year)</b>\(village.map { HTML("<br>\($0)") } ?? "")<br>\(basis)</p>
        <table><thead><tr><th>TT</th><th>Họ tên chủ hộ</th><th>Mã hộ</th><th>Thôn/tổ</th><th>Ngày sinh</th><th>Dân tộc</th><th>Số CCCD</th><th>Số nhân khẩu</th><th>Chỉ số thiếu hụt</th><th>Ghi chú</th></tr></thead>
        <tbody>\(rows.isEmpty ? [HTML("<tr><td colspan=\"10\">Không có hộ nào.</td></tr>")] : rows)</tbody></table>
        <p>Tổng số: \(results.count) hộ.</p>
        \(recheck)
        <table class="signatures"><tr><td></td><td>\(commune), ngày … tháng … năm \(round.year)<br><b>\(round.decisionNumber == nil ? "TRƯỞNG BAN CHỈ ĐẠO" : "CHỦ TỊCH")</b><br>(ký, ghi rõ họ tên, đóng dấu)</td></tr></table>
        </section>
        """).encodeResponse(for: req)
    }

    // MARK: step 6

    func decisionPanel(_ req: Request, _ scope: Scope, _ round: ReviewRound) -> HTML {
        let id = round.id!
        if let number = round.decisionNumber {
            let lists: [HTML] = ReviewList.allCases.map { l in HTML("<a href=\"\(Path.review(id, "lists"))?list=\(l.rawValue)\" target=\"_blank\">\(l.vietnamese)</a>") }
            return """
            <h2>Bước \(round.roundKind == .periodic ? "6" : "4"): công nhận</h2>
            <p class="card">Quyết định số <b>\(number)</b> ngày \(CivilDate(round.decisionDate ?? "")?.vietnamese ?? "") (ghi bởi \(round.decidedBy ?? "")). Kết quả năm \(round.year) của vòng này đã khóa; điều chỉnh qua kỳ rà soát thường xuyên.</p>
            <p>Danh sách kèm theo quyết định: \(lists.joined(separator: " · "))</p>
            <p><a href="\(Path.review(id, "certificates"))" target="_blank">In giấy chứng nhận hộ nghèo, hộ cận nghèo</a>
            \(round.roundKind == .regular ? HTML(" · <a href=\"\(Path.review(id, "refusals"))\" target=\"_blank\">In văn bản trả lời hộ không đủ điều kiện</a>") : "")</p>
            """
        }
        guard round.stepCode == .recognition, scope.role == .communeOfficer || scope.role == .admin, round.roundStatus != .approved else { return "" }
        let deadline = round.roundKind == .periodic ? "trước 14/12" : "trong 15 ngày kể từ \(CivilDate(round.startsOn)?.vietnamese ?? "")"
        return """
        <h2>Công nhận hộ nghèo, hộ cận nghèo, hộ thoát nghèo, hộ thoát cận nghèo</h2>
        <p class="muted">Chủ tịch UBND xã quyết định \(deadline). Sau khi ghi quyết định, kết quả được khóa và cấp giấy chứng nhận.</p>
        <form method="post" action="\(Path.review(id, "decision"))" class="filters noprint">
          \(req.csrfField)<input type="hidden" name="version" value="\(round.version)">
          <label>Số quyết định<input name="number" required placeholder="125/QĐ-UBND"></label>
          <label>Ngày quyết định<input name="date" value="\(req.application.registry.referenceDate.vietnamese)" required size="10"></label>
          <button class="primary" type="submit">Ghi quyết định công nhận</button>
        </form>
        """
    }

    func recognise(req: Request) async throws -> Response {
        try await onRound(req) { scope, id, f, services in
            try await services.reviews.recognise(scope, roundID: id, number: f["number"] ?? "", date: try Self.date(f, "date", "Ngày quyết định"),
                                                 expectedVersion: try HouseholdController.version(f), today: services.referenceDate, on: req.db)
        }
    }

    /// A printed document of a round: the round in scope, the cases it prints (one with `?case=`), their households.
    func document(_ req: Request, _ keep: (ReviewCase) -> Bool) async throws -> (Scope, ReviewRound, [ReviewCase], [Int: HouseholdRecord]) {
        let scope = try req.checkedScope
        let services = req.application.registry
        let round = try await services.reviews.round(scope, id: try roundID(req), on: req.db)
        var cases = try await services.reviews.cases(scope, round: round, on: req.db).filter(keep)
        if let one = req.query[Int.self, at: "case"] { cases = cases.filter { $0.id == one } }
        return (scope, round, cases, try await records(req, cases.map(\.householdID)))
    }

    /// Giấy chứng nhận hộ nghèo / hộ cận nghèo (Decision 24's appendix, regulations §5.2), one per page.
    func certificates(req: Request) async throws -> HTML {
        let (scope, round, cases, records) = try await document(req) { $0.certificateNo != nil }
        let id = round.id!
        let services = req.application.registry
        let unit = services.units.unit(round.communeCode)
        let commune = unit?.name ?? round.communeCode
        let province = unit?.parentCode.flatMap { services.units.unit($0)?.name } ?? ""
        let basis = services.store.engine.catalogue.standard(id: round.standard)?.legalBasis.first?.text ?? round.standard
        let reveal = scope.role.seesNationalID
        let sheets: [HTML] = cases.compactMap { c in
            guard let r = records[c.householdID], let h = try? services.store.household(r, parser: services.parser) else { return nil }
            let head = h.members.first { $0.relation == "head" } ?? h.members.first
            let poor = c.finalCategory == Category.poor.rawValue
            let members: [HTML] = h.members.enumerated().map { i, m in
                let year = m.birthDate.map { String($0.year) } ?? m.birthYear.map(String.init) ?? ""
                return "<tr><td>\(i + 1)</td><td>\(m.name)</td><td>\(m.ethnicity.flatMap { BundledData.ethnicGroups.group($0)?.name })</td><td>\(m.relation.map { Vocabulary.label(.relation, $0) })</td><td>\(m.sex == "male" ? year : "")</td><td>\(m.sex == "female" ? year : "")</td><td></td></tr>"
            }
            let day = CivilDate(round.decisionDate ?? "")
            return """
            <section class="doc sheet">
            <table class="doc-head"><tr><td>UBND \(commune.uppercased())<br>Số: \(c.certificateNo ?? "")</td>
            <td><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br><b>Độc lập - Tự do - Hạnh phúc</b><br><i>\(commune), ngày \(day?.day ?? 0) tháng \(day?.month ?? 0) năm \(day?.year ?? round.year)</i></td></tr></table>
            <p class="center"><b>GIẤY CHỨNG NHẬN \(poor ? "HỘ NGHÈO" : "HỘ CẬN NGHÈO")</b><br>(theo kết quả rà soát \(round.roundKind == .periodic ? "định kỳ" : "thường xuyên tháng \(round.month)") năm \(round.year))</p>
            <p>Căn cứ \(basis);<br>Căn cứ kết quả rà soát hộ nghèo, hộ cận nghèo năm \(round.year) và Quyết định số \(round.decisionNumber ?? "") của Chủ tịch UBND \(commune),</p>
            <p class="center"><b>CHỦ TỊCH ỦY BAN NHÂN DÂN \(commune.uppercased()) CHỨNG NHẬN</b></p>
            <p>Hộ ông/bà: <b>\(head?.name ?? r.headName)</b> · Dân tộc: \(head?.ethnicity.flatMap { BundledData.ethnicGroups.group($0)?.name } ?? "")<br>
            Số CCCD/định danh cá nhân: \(Layout.maskedID(head?.nationalID, reveal: reveal)) · Ngày cấp: ……………<br>
            Nơi thường trú: \(r.village), \(commune), \(province)<br>
            Là <b>\(poor ? "hộ nghèo" : "hộ cận nghèo")</b> (mã hộ \(r.code)).</p>
            <table><thead><tr><th rowspan="2">TT</th><th rowspan="2">Họ và tên</th><th rowspan="2">Dân tộc</th><th rowspan="2">Quan hệ với chủ hộ</th><th colspan="2">Năm sinh</th><th rowspan="2">Ghi chú (biến động)</th></tr>
            <tr><th>Nam</th><th>Nữ</th></tr></thead><tbody>\(members)</tbody></table>
            <table class="signatures"><tr><td></td><td><b>CHỦ TỊCH</b><br>(ký, ghi rõ họ tên, đóng dấu)</td></tr></table>
            </section>
            """
        }
        return Layout.page(req, title: "Giấy chứng nhận", """
        <p class="noprint"><a href="\(Path.review(id))">Về vòng rà soát</a> · \(sheets.count) giấy · <button type="button" data-print>In</button></p>
        \(sheets.isEmpty ? [HTML("<p>Chưa có giấy chứng nhận nào (chưa có quyết định công nhận, hoặc không có hộ nghèo, cận nghèo).</p>")] : sheets)
        """)
    }

    /// A regular review's written replies to households whose request is not granted, with the reasons (Art. 5).
    func refusals(req: Request) async throws -> HTML {
        let (_, round, cases, records) = try await document(req) { $0.refusal != nil }
        let id = round.id!
        let services = req.application.registry
        let commune = services.units.unit(round.communeCode)?.name ?? round.communeCode
        let letters: [HTML] = cases.map { c in
            let r = records[c.householdID]
            return """
            <section class="doc sheet">
            <table class="doc-head"><tr><td>UBND \(commune.uppercased())</td><td><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br><b>Độc lập - Tự do - Hạnh phúc</b></td></tr></table>
            <p class="center"><b>V/v trả lời đơn đề nghị (Mẫu số \(c.requestForm ?? ""))</b></p>
            <p>Kính gửi: Ông/bà \(r?.headName ?? ""), \(r?.village ?? ""), \(commune).</p>
            <p>Ủy ban nhân dân \(commune) đã tổ chức rà soát theo đơn của hộ (\(c.reasons)). Theo kết quả rà soát tháng \(round.month)/\(round.year) và Quyết định số \(round.decisionNumber ?? ""),
            đề nghị của hộ <b>không được chấp thuận</b>. Lý do: \(c.refusal ?? "").</p>
            <p>Nếu không đồng ý, hộ có quyền khiếu nại theo quy định của pháp luật.</p>
            <table class="signatures"><tr><td></td><td><b>CHỦ TỊCH</b><br>(ký, ghi rõ họ tên, đóng dấu)</td></tr></table>
            </section>
            """
        }
        return Layout.page(req, title: "Văn bản trả lời", """
        <p class="noprint"><a href="\(Path.review(id))">Về vòng rà soát</a> · <button type="button" data-print>In</button></p>
        \(letters.isEmpty ? [HTML("<p>Không có đề nghị nào bị từ chối.</p>")] : letters)
        """)
    }

    // MARK: submission and approval

    static func statusText(_ s: String) -> String {
        switch s {
        case "submitted": return "Đã gửi tỉnh, chờ duyệt"
        case "returned": return "Tỉnh trả lại"
        case "approved": return "Tỉnh đã phê duyệt (đã khóa)"
        default: return "Đang thực hiện"
        }
    }

    func statusBox(_ req: Request, _ scope: Scope, _ round: ReviewRound) -> HTML {
        let hidden: HTML = "\(req.csrfField)<input type=\"hidden\" name=\"version\" value=\"\(round.version)\">"
        var actions: HTML = ""
        let runs = scope.role == .communeOfficer || scope.role == .admin
        let province = scope.role == .provinceOfficer || scope.role == .admin
        if runs && round.decisionNumber != nil && (round.roundStatus == .open || round.roundStatus == .returned) {
            actions = """
            <form method="post" action="\(Path.review(round.id!, "status"))" class="filters noprint">\(hidden)<input type="hidden" name="status" value="submitted">
            <button class="primary" type="submit">Gửi kết quả lên tỉnh</button></form>
            """
        }
        if province && round.roundStatus == .submitted {
            actions = """
            <form method="post" action="\(Path.review(round.id!, "status"))" class="filters noprint">\(hidden)
            <label>Ý kiến (bắt buộc khi trả lại)<input name="note" size="40"></label>
            <button type="submit" name="status" value="returned">Trả lại xã</button>
            <button class="primary" type="submit" name="status" value="approved">Phê duyệt và khóa</button></form>
            """
        }
        return """
        <div class="card"><b>Trạng thái gửi, duyệt:</b> \(Self.statusText(round.status))\(round.statusNote.map { HTML(" · Ý kiến: \($0)") } ?? "")
        \(round.approvedBy.map { HTML(" · duyệt bởi \($0)") } ?? "")\(actions)</div>
        """
    }

    func setStatus(req: Request) async throws -> Response {
        try await onRound(req) { scope, id, f, services in
            try await services.reviews.setStatus(scope, roundID: id, to: f["status"] ?? "", note: f["note"].flatMap { $0.isEmpty ? nil : $0 },
                                                 expectedVersion: try HouseholdController.version(f), on: req.db)
        }
    }

    /// Where every commune of the scope stands: a table and a chart of rounds per step.
    func progress(req: Request) async throws -> HTML {
        let scope = try req.checkedScope
        let services = req.application.registry
        let year = req.query[Int.self, at: "year"] ?? services.referenceDate.year
        let progress = try await services.reviews.progress(scope, year: year, on: req.db).filter { $0.round.roundKind == .periodic }
        func stage(_ r: ReviewRound) -> String {
            if r.roundStatus == .approved { return "Tỉnh đã duyệt" }
            if r.roundStatus == .submitted { return "Đã gửi tỉnh" }
            if r.decisionNumber != nil { return "Đã công nhận" }
            return services.reviews.procedure.periodicSteps.first { $0.code == r.step }.map { "Bước \($0.n): \($0.vi)" } ?? r.step
        }
        var byStage: [String: Int] = [:]
        for p in progress { byStage[stage(p.round), default: 0] += 1 }
        let order = services.reviews.procedure.periodicSteps.map { "Bước \($0.n): \($0.vi)" } + ["Đã công nhận", "Đã gửi tỉnh", "Tỉnh đã duyệt"]
        // Short labels on the chart ("Bước 2"); the table beside it names each step in full.
        let bars = order.filter { byStage[$0] != nil }.map { key in
            SVGChart.Bar(label: key.components(separatedBy: ":").first ?? key, value: Double(byStage[key]!), text: "\(byStage[key]!) xã")
        }
        let rows: [HTML] = progress.map { p in
            let n = p.stages.values.reduce(0, +)
            return """
            <tr><td><a href="\(Path.review(p.round.id!))">\(services.units.unit(p.round.communeCode)?.name ?? p.round.communeCode)</a></td><td>\(stage(p.round))</td>
            <td>\(n)</td><td>\(p.stages.filter { !$0.key.needsSurvey }.values.reduce(0, +))</td><td>\(p.stages[.agreed] ?? 0)</td><td>\(p.stages[.decided] ?? 0)</td>
            <td>\(Self.statusText(p.round.status))\(p.round.statusNote.map { HTML(": \($0)") } ?? "")</td></tr>
            """
        }
        return Layout.page(req, title: "Tiến độ rà soát \(year)", """
        <h1>Tiến độ rà soát định kỳ năm \(year)</h1>
        \(bars.isEmpty ? HTML("<p>Chưa mở kỳ rà soát nào.</p>") : SVGChart.horizontalBars(bars, title: "Số xã/phường theo bước rà soát năm \(year)"))
        <div class="scroll"><table class="compact"><thead><tr><th>Đang ở</th><th>Số xã/phường</th></tr></thead>
        <tbody>\(order.filter { byStage[$0] != nil }.map { HTML("<tr><td>\($0)</td><td>\(byStage[$0]!)</td></tr>") })</tbody></table></div>
        <h2>Từng xã/phường</h2>
        <div class="scroll"><table><thead><tr><th>Xã/phường</th><th>Đang ở</th><th>Số hộ rà soát</th><th>Đã khảo sát</th><th>Họp dân thống nhất</th><th>Đã công nhận</th><th>Gửi, duyệt</th></tr></thead>
        <tbody>\(rows.isEmpty ? [HTML("<tr><td colspan=\"7\">Chưa có.</td></tr>")] : rows)</tbody></table></div>
        """)
    }
}
