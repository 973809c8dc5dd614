import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoStorage
import Vapor

/// A round's page: its steps and, for the step it is at, the work to do (list, survey, meeting, posting
/// and complaints, decision), then the submission upward.
extension ReviewController {
    func roundPage(_ req: Request, _ scope: Scope, id: Int, error: String?) async throws -> HTML {
        let services = req.application.registry
        let reviews = services.reviews
        let round = try await reviews.round(scope, id: id, on: req.db)
        let steps = try reviews.steps(of: round)
        let decided = round.decisionNumber != nil
        let stepItems: [HTML] = steps.map { s in
            var details: [String] = []
            if let q = s.quorumPercent { details.append("ít nhất \(q) % người dự họp đồng ý") }
            if let c = s.minutesCopies { details.append("biên bản \(c) bản") }
            if let d = s.days { details.append("\(d) ngày \(s.dayType == "working" ? "làm việc" : "")") }
            if let d = s.complaintRecheckDays { details.append("phúc tra khiếu nại trong không quá \(d) ngày \(s.dayType == "working" ? "làm việc " : "")kể từ ngày nhận") }
            if let d = s.repostingDays { details.append("niêm yết lại kết quả phúc tra \(d) ngày \(s.dayType == "working" ? "làm việc" : "")") }
            let current = s.code == round.step && !decided
            return """
            <li class="\(current ? "current" : "")"><b>\(s.vi)</b> \(s.verified ? "" : Layout.unverifiedBadge)
            \(details.isEmpty ? "" : HTML("<span class=\"muted\">(\(details.joined(separator: "; ")))</span>"))\(current ? HTML(" ← đang ở bước này") : "")</li>
            """
        }
        let commune = services.units.unit(round.communeCode)?.name ?? round.communeCode
        let csrf: HTML = "\(req.csrfField)<input type=\"hidden\" name=\"version\" value=\"\(round.version)\">"
        let runs = scope.role == .communeOfficer || scope.role == .admin
        let advance: HTML = runs && !decided && round.stepCode != .recognition && round.roundStatus != .approved ? """
            <form method="post" action="\(Path.review(id, "advance"))" class="noprint">\(csrf)
            <button class="primary" type="submit">Kết thúc bước này, chuyển sang bước sau</button></form>
            """ : ""
        // Read once for every panel of the page.
        let cases = try await reviews.cases(scope, round: round, on: req.db)
        let work = RoundWork(round: round, cases: cases, records: try await records(req, cases.map(\.householdID)),
                             meetings: try await reviews.meetings(scope, round: round, on: req.db))
        var panel: [HTML] = []
        if round.stepCode == .list && !decided {
            panel.append(try await listPanel(req, scope, round))
        } else {
            panel.append(casesPanel(req, scope, work))
        }
        if round.roundKind == .regular && round.stepCode == .survey { panel.append(requestForm(req, scope, round)) }
        if round.stepCode == .meeting || !work.meetings.isEmpty { panel.append(try meetingPanel(req, scope, work)) }
        if round.stepCode == .posting || round.postingFrom != nil { panel.append(try await postingPanel(req, scope, work)) }
        if round.stepCode == .recognition || decided { panel.append(decisionPanel(req, scope, round)) }
        return Layout.page(req, title: "Rà soát \(commune)", """
        <h1>Rà soát \(round.roundKind == .periodic ? "định kỳ" : "thường xuyên tháng \(round.month)") năm \(round.year): \(commune)</h1>
        <p class="muted">Từ \(CivilDate(round.startsOn)?.vietnamese) đến \(CivilDate(round.endsOn)?.vietnamese); chuẩn \(round.standard); quy trình \(round.procedure).
        \(round.roundKind == .regular ? "Quyết định công nhận trong 15 ngày kể từ ngày bắt đầu rà soát." : "")</p>
        \(statusBox(req, scope, round))
        \(overdue(req, round))
        <h2>Các bước</h2><ol>\(stepItems)</ol>
        \(error.map { HTML("<p class=\"error\" role=\"alert\">\($0)</p>") } ?? "")
        \(panel)
        \(advance)
        """)
    }

    /// The decision is due by 14/12 (periodic) or within 15 days of the start (regular): say so once it is late.
    func overdue(_ req: Request, _ round: ReviewRound) -> HTML {
        guard round.decisionNumber == nil else { return "" }
        let steps = (try? req.application.registry.reviews.steps(of: round)) ?? []
        let due: CivilDate?
        if round.roundKind == .periodic, let d = steps.first(where: { $0.stepCode == .recognition })?.deadline {
            due = try? ReviewProcedure.day(d, round.year)
        } else { due = CivilDate(round.endsOn) }
        guard let due, req.application.registry.referenceDate > due else { return "" }
        return "<p class=\"error\" role=\"status\">Đã quá hạn quyết định công nhận (\(due.vietnamese)).</p>"
    }

    func listPanel(_ req: Request, _ scope: Scope, _ round: ReviewRound) async throws -> HTML {
        let listed = try await req.application.registry.reviews.list(scope, round: round, on: req.db)
        let rows: [HTML] = listed.map { l in
            """
            <tr><td><a href="\(Path.household(l.household.id))">\(l.household.code)</a></td><td>\(l.household.headName)</td>
            <td>\(l.household.village)</td><td>\(Layout.categoryBadge(l.household.category, req.language))</td><td>\(l.reasons.joined(separator: "; "))</td></tr>
            """
        }
        return """
        <h2>Bước 1: danh sách hộ cần rà soát (\(listed.count) hộ)</h2>
        <div class="scroll"><table><thead><tr><th>Mã hộ</th><th>Chủ hộ</th><th>Thôn/tổ</th><th>Phân loại hiện tại</th><th>Lý do có tên</th></tr></thead>
        <tbody>\(rows.isEmpty ? [HTML("<tr><td colspan=\"5\">Chưa có hộ nào.</td></tr>")] : rows)</tbody></table></div>
        \(requestForm(req, scope, round))
        """
    }

    func requestForm(_ req: Request, _ scope: Scope, _ round: ReviewRound) -> HTML {
        guard scope.canWrite, round.decisionNumber == nil else { return "" }
        return """
        <h2>Ghi nhận đơn của hộ</h2>
        <form method="post" action="\(Path.review(round.id!, "requests"))" class="filters noprint">
          \(req.csrfField)
          <label>Mã hộ<input name="household" required size="14"></label>
          <label>Mẫu đơn<select name="form">\(ReviewStore.forms.map { HTML("<option value=\"\($0.code)\">\($0.vi)</option>") })</select></label>
          <label>Ngày nhận<input name="receivedOn" required placeholder="dd/mm/yyyy" value="\(req.application.registry.referenceDate.vietnamese)" size="10"></label>
          <label>Hình thức<select name="channel">\(ReviewStore.channels.map { HTML("<option value=\"\($0.code)\">\($0.vi)</option>") })</select></label>
          <label>Ghi chú<input name="note" size="20"></label>
          <button class="primary" type="submit">Ghi nhận</button>
        </form>
        """
    }

    /// What a round's page shows, read once: its cases, their households and its meetings.
    struct RoundWork {
        var round: ReviewRound
        var cases: [ReviewCase]
        var records: [Int: HouseholdRecord]
        var meetings: [(ReviewMeeting, [ReviewVote])]
    }

    /// The households of the round with their survey, meeting and decision.
    func casesPanel(_ req: Request, _ scope: Scope, _ work: RoundWork) -> HTML {
        let (round, cases, records) = (work.round, work.cases, work.records)
        let surveying = round.decisionNumber == nil && (round.stepCode == .survey || round.stepCode == .meeting)
        let rows: [HTML] = cases.map { c in
            let r = records[c.householdID]
            let action: HTML = surveying && scope.canWrite && c.caseStage != .agreed
                ? "<a href=\"\(Path.reviewCase(c.id!))\">\(c.caseStage.needsSurvey ? "Khảo sát" : "Sửa phiếu")</a>" : ""
            return """
            <tr><td><a href="\(Path.household(c.householdID))">\(r?.code ?? "")</a></td><td>\(r?.headName ?? "")</td><td>\(c.village ?? "")</td>
            <td>\(c.caseStage.vietnamese)</td><td>\(c.category.map { Layout.categoryBadge($0, req.language) } ?? "")</td>
            <td class="hide-sm">\(c.explanation ?? c.reasons)</td>
            <td>\(c.transition.flatMap { Transition(rawValue: $0)?.vietnamese })\(c.refusal.map { HTML("Từ chối: \($0)") } ?? "")</td><td class="noprint">\(action)</td></tr>
            """
        }
        let done = cases.filter { !$0.caseStage.needsSurvey }.count
        return """
        <h2>Hộ trong vòng rà soát (\(cases.count) hộ; \(done) đã khảo sát)</h2>
        <p class="noprint"><a href="\(Path.review(round.id!, "forms"))?filled=0&copies=1" target="_blank">In Phiếu A, Phiếu B trắng</a> ·
        <a href="\(Path.review(round.id!, "forms"))?filled=1" target="_blank">In phiếu đã điền của cả vòng</a></p>
        <p class="noprint">Phiếu cho điện thoại (ODK Collect, KoboToolbox):
        <a href="\(Path.review(round.id!, "xlsform"))?form=A">Phiếu A (XLSForm)</a>, <a href="\(Path.review(round.id!, "households.csv"))?form=A">danh sách hộ của Phiếu A</a> ·
        <a href="\(Path.review(round.id!, "xlsform"))?form=B">Phiếu B (XLSForm)</a>, <a href="\(Path.review(round.id!, "households.csv"))?form=B">danh sách hộ của Phiếu B</a>
        (tải phiếu lên máy chủ cùng tệp households.csv đính kèm).</p>
        \(surveying && scope.canWrite ? HTML("""
        <form method="post" action="\(Path.review(round.id!, "submissions"))" enctype="multipart/form-data" class="filters noprint">
          \(req.csrfField)
          <label>Phiếu từ điện thoại (ODK Central: tệp .zip hoặc các tệp .csv; KoboToolbox: tệp .xlsx)
          <input type="file" name="files[]" multiple required accept=".zip,.csv,.xlsx"></label>
          <button type="submit">Kiểm tra phiếu</button>
        </form>
        """) : "")
        <div class="scroll"><table><thead><tr><th>Mã hộ</th><th>Chủ hộ</th><th>Thôn/tổ</th><th>Trạng thái</th><th>Phân loại</th><th class="hide-sm">Căn cứ</th><th>Diễn biến</th><th class="noprint"></th></tr></thead>
        <tbody>\(rows.isEmpty ? [HTML("<tr><td colspan=\"8\">Chưa có hộ nào.</td></tr>")] : rows)</tbody></table></div>
        """
    }

    func records(_ req: Request, _ ids: [Int]) async throws -> [Int: HouseholdRecord] {
        guard !ids.isEmpty else { return [:] }
        var out: [Int: HouseholdRecord] = [:]
        for chunk in ids.chunks(of: 500) {
            for r in try await HouseholdRecord.query(on: req.db).filter(\.$id ~~ chunk).all() { out[r.id!] = r }
        }
        return out
    }

    // MARK: step 3

    func meetingPanel(_ req: Request, _ scope: Scope, _ work: RoundWork) throws -> HTML {
        let services = req.application.registry
        let (round, cases, records, meetings) = (work.round, work.cases, work.records, work.meetings)
        let held: [HTML] = meetings.map { m, votes in
            let agreed = votes.filter { $0.result == CaseStage.agreed.rawValue }.count
            return "<li>\(CivilDate(m.heldOn)?.vietnamese) · \(m.village) · \(m.place) · chủ trì \(m.chair) · \(m.attendees) người dự · \(agreed)/\(votes.count) hộ thống nhất · <a href=\"\(Path.meeting(m.id!, "minutes"))\" target=\"_blank\">Biên bản (\(2) bản)</a></li>"
        }
        var form: HTML = ""
        let ready = cases.filter { $0.caseStage == .surveyed }
        if round.stepCode == .meeting && round.decisionNumber == nil && (scope.role == .communeOfficer || scope.role == .admin) {
            // One meeting per village: the form is for one village at a time (chosen, or the first waiting).
            let villages = Array(Set(ready.map { $0.village ?? "" })).sorted()
            let village = req.query[String.self, at: "village"].flatMap { villages.contains($0) ? $0 : nil } ?? villages.first
            let here = ready.filter { ($0.village ?? "") == village }
            let votes: [HTML] = here.map { c in
                let r = records[c.householdID]
                return """
                <tr><td>\(r?.code ?? "")</td><td>\(r?.headName ?? "")</td><td>\(c.category.map { Layout.categoryBadge($0, req.language) } ?? "")</td>
                <td class="hide-sm">\(c.explanation ?? "")</td>
                <td><input name="agree.\(c.id!)" inputmode="numeric" size="5" aria-label="Số người đồng ý: \(r?.headName ?? "")"></td></tr>
                """
            }
            let chooser: [HTML] = villages.map { v in
                v == village ? HTML("<b>\(v)</b>") : HTML("<a href=\"\(Path.review(round.id!))?village=\(v.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? v)\">\(v)</a>")
            }
            form = ready.isEmpty ? "<p class=\"muted\">Không có hộ nào đang chờ họp dân.</p>" : """
            <h3>Ghi kết quả cuộc họp: \(village ?? "")</h3>
            <p class="noprint">Thôn/tổ còn hộ chờ họp: \(chooser.joined(separator: " · "))</p>
            <form method="post" action="\(Path.review(round.id!, "meetings"))" class="noprint" id="meeting">
              \(req.csrfField)
              <input type="hidden" name="village" value="\(village ?? "")">
              <div class="form-grid">
                <div><label>Ngày họp (dd/mm/yyyy)<input name="heldOn" value="\(services.referenceDate.vietnamese)" required></label></div>
                <div><label>Địa điểm<input name="place" required></label></div>
                <div><label>Chủ trì (trưởng thôn)<input name="chair" required></label></div>
                <div><label>Thư ký<input name="secretary" required></label></div>
                <div><label>Số người dự họp<input name="attendees" inputmode="numeric" required></label></div>
              </div>
              <label>Thành phần, người dự họp (mỗi người một dòng)<br><textarea class="w-full" name="attendeeNames" rows="3"></textarea></label>
              <p class="muted">Ghi số người đồng ý cho các hộ được đưa ra họp; để trống hộ chưa bàn. Dưới \(try reviewsQuorum(req, round)) % số người dự họp đồng ý thì hộ được rà soát lại.</p>
              <div class="scroll"><table><thead><tr><th>Mã hộ</th><th>Chủ hộ</th><th>Kết quả khảo sát</th><th class="hide-sm">Căn cứ</th><th>Số người đồng ý</th></tr></thead><tbody>\(votes)</tbody></table></div>
              <button class="primary" type="submit">Lưu kết quả họp</button>
            </form>
            """
        }
        return """
        <h2>Bước 3: họp dân thống nhất kết quả</h2>
        \(held.isEmpty ? HTML("<p class=\"muted\">Chưa có cuộc họp nào.</p>") : HTML("<ul>\(held)</ul>"))
        \(form)
        """
    }

    func reviewsQuorum(_ req: Request, _ round: ReviewRound) throws -> Int {
        try req.application.registry.reviews.steps(of: round).first { $0.stepCode == .meeting }?.quorumPercent ?? 50
    }

    func recordMeeting(req: Request) async throws -> Response {
        try await onRound(req) { scope, id, f, services in
            guard let day = CivilDate((f["heldOn"] ?? "").trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("meeting.date", field: "heldOn", vi: "Ngày họp '\(f["heldOn"] ?? "")' không hợp lệ (dd/mm/yyyy).", en: "Meeting date '\(f["heldOn"] ?? "")' is not valid (dd/mm/yyyy).")
            }
            guard let attendees = Int((f["attendees"] ?? "").trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("meeting.attendees", field: "attendees", vi: "Số người dự họp '\(f["attendees"] ?? "")' không phải là số.", en: "Number of attendees '\(f["attendees"] ?? "")' is not a number.")
            }
            var votes: [Int: Int] = [:]
            for (k, v) in f where k.hasPrefix("agree.") {
                let text = v.trimmingCharacters(in: .whitespaces)
                guard !text.isEmpty, let caseID = Int(k.dropFirst(6)) else { continue }
                guard let n = Int(text) else { throw ValidationError("meeting.agree", field: "agree", vi: "Số người đồng ý '\(text)' không phải là số.", en: "Number agreeing '\(text)' is not a number.") }
                votes[caseID] = n
            }
            try await services.reviews.recordMeeting(scope, roundID: id, .init(
                village: f["village"] ?? "", heldOn: day, place: f["place"] ?? "", chair: f["chair"] ?? "", secretary: f["secretary"] ?? "",
                attendees: attendees, attendeeNames: f["attendeeNames"], votes: votes), today: services.referenceDate, on: req.db)
        }
    }

    /// Runs a change and goes back to the round; a refusal shows the round again with its message.
    func refusedShowsRound(_ req: Request, _ scope: Scope, _ id: Int, _ change: () async throws -> Void) async throws -> Response {
        do {
            try await change()
            return req.redirect(to: Path.review(id))
        } catch let e as ValidationError {
            let res = try await roundPage(req, scope, id: id, error: req.text(e.message)).encodeResponse(for: req)
            res.status = .unprocessableEntity
            return res
        } catch is VersionConflict {
            let message = req.t("Người khác vừa thay đổi vòng rà soát này; trang đã được nạp lại, hãy thực hiện lại nếu vẫn cần.",
                                "Someone else has just changed this review round; the page was reloaded, do it again if still needed.")
            let res = try await roundPage(req, scope, id: id, error: message).encodeResponse(for: req)
            res.status = .conflict
            return res
        }
    }

    /// The minutes in the usual layout, printed twice (one copy for the village, one for the commune).
    func minutes(req: Request) async throws -> HTML {
        let scope = try req.checkedScope
        guard let id = req.parameters.get("id", as: Int.self), let m = try await ReviewMeeting.find(id, on: req.db) else { throw AccessError.notFound }
        let services = req.application.registry
        let round = try await services.reviews.round(scope, id: m.roundID, on: req.db)
        let votes = try await ReviewVote.query(on: req.db).filter(\.$meetingID == id).all()
        let cases = try await services.reviews.cases(scope, round: round, on: req.db)
        let records = try await records(req, cases.map(\.householdID))
        let quorum = try reviewsQuorum(req, round)
        let copies = try services.reviews.steps(of: round).first { $0.stepCode == .meeting }?.minutesCopies ?? 2
        let commune = services.units.unit(round.communeCode)?.name ?? round.communeCode
        let rows: [HTML] = votes.enumerated().map { i, v in
            let c = cases.first { $0.id == v.caseID }
            let r = c.flatMap { records[$0.householdID] }
            return """
            <tr><td>\(i + 1)</td><td>\(r?.headName ?? "")</td><td>\(r?.code ?? "")</td><td>\(c?.proposedCategory.flatMap { Category(rawValue: $0)?.vietnamese })</td>
            <td>\(v.agree)/\(m.attendees) (\(m.attendees > 0 ? 100 * v.agree / m.attendees : 0) %)</td><td>\(v.result == "agreed" ? "Thống nhất" : "Chưa đạt \(quorum) %: rà soát lại")</td></tr>
            """
        }
        let day = CivilDate(m.heldOn)
        let one: HTML = """
        <section class="doc sheet">
        <table class="doc-head"><tr><td>\(commune.uppercased())<br><b>\(m.village.uppercased())</b></td>
        <td><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br><b>Độc lập - Tự do - Hạnh phúc</b></td></tr></table>
        <p class="center"><b>BIÊN BẢN HỌP DÂN</b><br>Thống nhất kết quả rà soát hộ nghèo, hộ cận nghèo năm \(round.year)</p>
        <p>Hôm nay, ngày \(day.map { "\($0.day) tháng \($0.month) năm \($0.year)" } ?? m.heldOn), tại \(m.place), \(m.village) tổ chức họp dân thống nhất kết quả rà soát.</p>
        <p>Chủ trì: \(m.chair) (trưởng thôn/tổ). Thư ký: \(m.secretary). Số người dự họp: \(m.attendees).</p>
        \(m.attendeeNames.map { HTML("<p>Thành phần: \($0.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "; "))</p>") } ?? "")
        <p>Kết quả lấy ý kiến (cần ít nhất \(quorum) % số người dự họp đồng ý):</p>
        <table><thead><tr><th>TT</th><th>Chủ hộ</th><th>Mã hộ</th><th>Kết quả rà soát</th><th>Số người đồng ý</th><th>Kết luận</th></tr></thead><tbody>\(rows)</tbody></table>
        <p>Biên bản lập thành \(copies) bản: 01 bản lưu tại thôn/tổ, 01 bản gửi Ban Chỉ đạo rà soát cấp xã.</p>
        <table class="signatures"><tr><td>Thư ký<br>(ký, ghi rõ họ tên)<br><br><br>\(m.secretary)</td><td>Đại diện các hộ<br>(ký, ghi rõ họ tên)</td><td>Chủ trì<br>(ký, ghi rõ họ tên)<br><br><br>\(m.chair)</td></tr></table>
        </section>
        """
        return Layout.page(req, title: "Biên bản họp dân \(m.village)", """
        <p class="noprint"><a href="\(Path.review(round.id!))">Về vòng rà soát</a> · <button type="button" data-print>In \(copies) bản</button></p>
        \(Array(repeating: one, count: copies))
        """)
    }
}
