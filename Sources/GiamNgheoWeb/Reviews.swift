import Fluent
import GiamNgheoCore
import GiamNgheoStorage
import Vapor

/// Review rounds (rà soát): the province opens the year's rounds; each commune sees its round's steps
/// and the step-1 list, and records the requests households bring.
struct ReviewController {
    func list(req: Request) async throws -> HTML {
        let scope = try req.requireScope()
        let services = req.application.registry
        let year = req.query[Int.self, at: "year"] ?? services.referenceDate.year
        return try await page(req, scope, year: year, message: nil)
    }

    func page(_ req: Request, _ scope: Scope, year: Int, message: HTML?) async throws -> HTML {
        let services = req.application.registry
        let rounds = try await services.reviews.rounds(scope, year: year, on: req.db)
        let rows: [HTML] = rounds.map { r in
            let step = services.reviews.procedure.periodicSteps.first { $0.code == r.step }
            return """
            <tr><td><a href="/reviews/\(r.id!)">\(services.units.unit(r.communeCode)?.name ?? r.communeCode)</a></td>
            <td>\(r.kind == "periodic" ? "Định kỳ \(r.year)" : "Thường xuyên \(r.month)/\(r.year)")</td>
            <td>\(CivilDate(r.startsOn)?.vietnamese) – \(CivilDate(r.endsOn)?.vietnamese)</td><td>\(r.standard)</td>
            <td>\(step.map { "Bước \($0.n): \($0.vi)" } ?? r.step)</td></tr>
            """
        }
        var open: HTML = ""
        if scope.role == .admin || scope.role == .provinceOfficer {
            let provinces = req.currentUser?.units.filter { services.units.unit($0)?.level == .province } ?? []
            let provinceField: HTML = provinces.count == 1
                ? "<input type=\"hidden\" name=\"province\" value=\"\(provinces[0])\">"
                : "<label>Mã tỉnh/thành phố<input name=\"province\" required inputmode=\"numeric\" size=\"4\"></label>"
            open = """
            <form method="post" action="/reviews/open" class="filters noprint">
              <input type="hidden" name="_csrf" value="\(req.csrfToken)">
              \(provinceField)
              <label>Năm<input name="year" value="\(year)" inputmode="numeric" size="5"></label>
              <button class="primary" type="submit">Mở kỳ rà soát định kỳ cho tất cả xã/phường</button>
            </form>
            """
        }
        return Layout.page(req, title: "Rà soát \(year)", """
        <h1>Rà soát hộ nghèo, hộ cận nghèo năm \(year)</h1>
        <p class="muted">Quy trình: \(services.reviews.procedure.name.vi)</p>
        \(message ?? "")
        \(open)
        <div class="scroll"><table><thead><tr><th>Xã/phường</th><th>Kỳ</th><th>Thời gian</th><th>Chuẩn</th><th>Đang ở bước</th></tr></thead>
        <tbody>\(rows.isEmpty ? [HTML("<tr><td colspan=\"5\">Chưa mở kỳ rà soát nào.</td></tr>")] : rows)</tbody></table></div>
        """)
    }

    func openRounds(req: Request) async throws -> Response {
        let scope = try req.requireScope()
        let f = req.formFields().single
        guard let year = f["year"].flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), (2016...2100).contains(year) else {
            throw ScopeError(.invalid("Năm rà soát không hợp lệ."))
        }
        do {
            let n = try await req.application.registry.reviews.openPeriodicRounds(scope, province: (f["province"] ?? "").trimmingCharacters(in: .whitespaces),
                                                                                  year: year, on: req.db)
            return try await page(req, scope, year: year, message: "<p class=\"card\" role=\"status\">Đã mở \(n) kỳ rà soát mới.</p>").encodeResponse(for: req)
        } catch let e as ScopeError {
            guard case .invalid(let m) = e.kind else { throw e }
            let res = try await page(req, scope, year: year, message: "<p class=\"error\" role=\"alert\">\(m)</p>").encodeResponse(for: req)
            res.status = .unprocessableEntity
            return res
        }
    }

    func show(req: Request) async throws -> HTML {
        let scope = try req.requireScope()
        guard let id = req.parameters.get("id", as: Int.self) else { throw ScopeError(.notFound) }
        return try await roundPage(req, scope, id: id, error: nil)
    }

    func roundPage(_ req: Request, _ scope: Scope, id: Int, error: String?) async throws -> HTML {
        let services = req.application.registry
        let reviews = services.reviews
        let round = try await reviews.round(scope, id: id, on: req.db)
        let kind: ReviewProcedure.Round = round.kind == "periodic" ? .periodic(year: round.year) : .regular(year: round.year, month: round.month)
        let steps: [HTML] = try reviews.procedure.steps(kind).map { s in
            var details: [String] = []
            if let q = s.quorumPercent { details.append("ít nhất \(q) % người dự họp đồng ý") }
            if let c = s.minutesCopies { details.append("biên bản \(c) bản") }
            if let d = s.days { details.append("\(d) ngày \(s.dayType == "working" ? "làm việc" : "")") }
            if let d = s.complaintRecheckDays { details.append("phúc tra khiếu nại trong \(d) ngày") }
            return """
            <li class="\(s.code == round.step ? "current" : "")"><b>\(s.vi)</b> \(s.verified ? "" : Layout.unverifiedBadge)
            \(details.isEmpty ? "" : HTML("<span class=\"muted\">(\(details.joined(separator: "; ")))</span>"))\(s.code == round.step ? HTML(" ← đang ở bước này") : "")</li>
            """
        }
        let listed = try await reviews.list(scope, round: round, on: req.db)
        let rows: [HTML] = listed.map { l in
            """
            <tr><td><a href="/households/\(l.household.id)">\(l.household.code)</a></td><td>\(l.household.headName)</td>
            <td>\(l.household.village)</td><td>\(Layout.categoryBadge(l.household.category, req.language))</td><td>\(l.reasons.joined(separator: "; "))</td></tr>
            """
        }
        let requestForm: HTML = scope.canWrite ? """
            <h2>Ghi nhận đơn của hộ</h2>
            <form method="post" action="/reviews/\(round.id!)/requests" class="filters noprint">
              <input type="hidden" name="_csrf" value="\(req.csrfToken)">
              <label>Mã hộ<input name="household" required size="14"></label>
              <label>Mẫu đơn<select name="form">\(ReviewStore.forms.map { HTML("<option value=\"\($0.code)\">\($0.vi)</option>") })</select></label>
              <label>Ngày nhận<input name="receivedOn" required placeholder="dd/mm/yyyy" value="\(services.referenceDate.vietnamese)" size="10"></label>
              <label>Hình thức<select name="channel">\(ReviewStore.channels.map { HTML("<option value=\"\($0.code)\">\($0.vi)</option>") })</select></label>
              <label>Ghi chú<input name="note" size="20"></label>
              <button class="primary" type="submit">Ghi nhận</button>
            </form>
            """ : ""
        let commune = services.units.unit(round.communeCode)?.name ?? round.communeCode
        return Layout.page(req, title: "Rà soát \(commune)", """
        <h1>Rà soát \(round.kind == "periodic" ? "định kỳ" : "thường xuyên") năm \(round.year): \(commune)</h1>
        <p class="muted">Từ \(CivilDate(round.startsOn)?.vietnamese) đến \(CivilDate(round.endsOn)?.vietnamese); chuẩn \(round.standard); quy trình \(round.procedure).</p>
        <h2>Các bước</h2><ol>\(steps)</ol>
        \(error.map { HTML("<p class=\"error\" role=\"alert\">\($0)</p>") } ?? "")
        <h2>Bước 1: danh sách hộ cần rà soát (\(listed.count) hộ)</h2>
        <div class="scroll"><table><thead><tr><th>Mã hộ</th><th>Chủ hộ</th><th>Thôn/tổ</th><th>Phân loại hiện tại</th><th>Lý do có tên</th></tr></thead>
        <tbody>\(rows.isEmpty ? [HTML("<tr><td colspan=\"5\">Chưa có hộ nào.</td></tr>")] : rows)</tbody></table></div>
        \(requestForm)
        """)
    }

    func addRequest(req: Request) async throws -> Response {
        let scope = try req.requireScope()
        guard let id = req.parameters.get("id", as: Int.self) else { throw ScopeError(.notFound) }
        let services = req.application.registry
        _ = try await services.reviews.round(scope, id: id, on: req.db)
        let f = req.formFields().single
        do {
            guard let date = CivilDate((f["receivedOn"] ?? "").trimmingCharacters(in: .whitespaces)) else {
                throw ScopeError(.invalid("Ngày nhận đơn '\(f["receivedOn"] ?? "")' không hợp lệ (dd/mm/yyyy)."))
            }
            try await services.reviews.addRequest(scope, householdCode: (f["household"] ?? "").trimmingCharacters(in: .whitespaces),
                                                  form: f["form"] ?? "", receivedOn: date, channel: f["channel"] ?? "",
                                                  note: f["note"], today: services.referenceDate, on: req.db)
        } catch let e as ScopeError {
            guard case .invalid(let m) = e.kind else { throw e }
            let res = try await roundPage(req, scope, id: id, error: m).encodeResponse(for: req)
            res.status = .unprocessableEntity
            return res
        }
        return req.redirect(to: "/reviews/\(id)")
    }
}
