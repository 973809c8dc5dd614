import Fluent
import GiamNgheoCore
import GiamNgheoStorage
import Vapor

/// Review rounds (rà soát): the province opens the year's rounds; each commune sees its round's steps
/// and the step-1 list, and records the requests households bring.
struct ReviewController: Feature {
    var navigation: [NavEntry] {
        [
            NavEntry(order: 30, path: Path.reviews, vi: "Rà soát", en: "Reviews", access: .signedIn),
        ]
    }

    func boot(routes: any RoutesBuilder) throws {
        // Who may run which step is the review store's rule (ReviewStore.runsReview), checked on every write.
        let r = routes.access(.signedIn)
        r.get("reviews", use: list)
        r.post("reviews", "open", use: openRounds)
        r.get("reviews", "progress", use: progress)
        r.post("reviews", "regular", use: openRegular)
        r.get("reviews", ":id", use: show)
        r.post("reviews", ":id", "requests", use: addRequest)
        r.post("reviews", ":id", "advance", use: advance)
        r.get("reviews", ":id", "forms", use: printableForms)
        r.get("reviews", ":id", "xlsform", use: xlsForm)
        r.get("reviews", ":id", "households.csv", use: formHouseholds)
        r.on(.POST, "reviews", ":id", "submissions", body: .collect(maxSize: ByteCount(value: ImportController.uploadLimit)), use: uploadSubmissions)
        r.post("reviews", ":id", "submissions", "commit", use: commitSubmissions)
        r.get("reviews", "cases", ":id", use: surveyForm)
        r.post("reviews", "cases", ":id", use: saveSurvey)
        r.post("reviews", "cases", ":id", "preview", use: preview)
        r.post("reviews", ":id", "meetings", use: recordMeeting)
        r.get("reviews", "meetings", ":id", "minutes", use: minutes)
        r.post("reviews", ":id", "posting", use: startPosting)
        r.post("reviews", ":id", "reposting", use: startReposting)
        r.post("reviews", ":id", "complaints", use: addComplaint)
        r.post("reviews", "complaints", ":id", "resolve", use: resolveComplaint)
        r.get("reviews", ":id", "lists", use: printableList)
        r.post("reviews", ":id", "decision", use: recognise)
        r.get("reviews", ":id", "certificates", use: certificates)
        r.get("reviews", ":id", "refusals", use: refusals)
        r.post("reviews", ":id", "status", use: setStatus)
    }

    func list(req: Request) async throws -> HTML {
        let scope = try req.checkedScope
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
            <tr><td><a href="\(Path.review(r.id!))">\(services.units.unit(r.communeCode)?.name ?? r.communeCode)</a></td>
            <td>\(r.roundKind == .periodic ? "Định kỳ \(r.year)" : "Thường xuyên \(r.month)/\(r.year)")</td>
            <td>\(CivilDate(r.startsOn)?.vietnamese) – \(CivilDate(r.endsOn)?.vietnamese)</td><td>\(r.standard)</td>
            <td>\(r.decisionNumber != nil ? "Đã công nhận (QĐ \(r.decisionNumber!))" : step.map { "Bước \($0.n): \($0.vi)" } ?? r.step)</td><td>\(Self.statusText(r.status))</td></tr>
            """
        }
        var open: HTML = ""
        if scope.role == .admin || scope.role == .provinceOfficer {
            let provinces = req.currentUser?.units.filter { services.units.unit($0)?.level == .province } ?? []
            let provinceField: HTML = provinces.count == 1
                ? "<input type=\"hidden\" name=\"province\" value=\"\(provinces[0])\">"
                : "<label>Mã tỉnh/thành phố<input name=\"province\" required inputmode=\"numeric\" size=\"4\"></label>"
            open = """
            <form method="post" action="\(Path.reviewsOpen)" class="filters noprint">
              \(req.csrfField)
              \(provinceField)
              <label>Năm<input name="year" value="\(year)" inputmode="numeric" size="5"></label>
              <button class="primary" type="submit">Mở kỳ rà soát định kỳ cho tất cả xã/phường</button>
            </form>
            """
        }
        var regular: HTML = ""
        if scope.role != .auditor && scope.role != .villageHead {
            let communes = try HouseholdController().communeChoices(req, scope)
            let communeField: HTML = communes.isEmpty || communes.count > 200
                ? "<label>Mã xã/phường<input name=\"commune\" required inputmode=\"numeric\" size=\"6\"></label>"
                : "<label>Xã/phường<select name=\"commune\">\(communes.map { HTML("<option value=\"\($0.code)\">\($0.vi)</option>") })</select></label>"
            let month = services.referenceDate.month
            regular = """
            <h2>Rà soát thường xuyên (hằng tháng, từ ngày 15)</h2>
            <form method="post" action="\(Path.reviewsRegular)" class="filters noprint">
              \(req.csrfField)
              \(communeField)
              <label>Tháng<select name="month">\((1...12).map { HTML("<option value=\"\($0)\" \($0 == month ? "selected" : "")>\($0)</option>") })</select></label>
              <label>Năm<input name="year" value="\(year)" inputmode="numeric" size="5"></label>
              <button type="submit">Mở (hoặc vào) kỳ rà soát thường xuyên</button>
            </form>
            """
        }
        return Layout.page(req, title: "Rà soát \(year)", """
        <h1>Rà soát hộ nghèo, hộ cận nghèo năm \(year)</h1>
        <p class="muted">Quy trình: \(services.reviews.procedure.name.vi)</p>
        \(message ?? "")
        <p><a href="\(Path.reviewsProgress)?year=\(year)">Tiến độ rà soát của các xã/phường (bảng, biểu đồ)</a></p>
        \(open)
        <div class="scroll"><table><thead><tr><th>Xã/phường</th><th>Kỳ</th><th>Thời gian</th><th>Chuẩn</th><th>Đang ở bước</th><th>Gửi, duyệt</th></tr></thead>
        <tbody>\(rows.isEmpty ? [HTML("<tr><td colspan=\"6\">Chưa mở kỳ rà soát nào.</td></tr>")] : rows)</tbody></table></div>
        \(regular)
        """)
    }

    func openRounds(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        let f = req.formFields().single
        guard let year = f["year"].flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), (2016...2100).contains(year) else {
            throw ValidationError("review.year", field: "year", vi: "Năm rà soát không hợp lệ.", en: "The review year is not valid.")
        }
        do {
            let n = try await req.application.registry.reviews.openPeriodicRounds(scope, province: (f["province"] ?? "").trimmingCharacters(in: .whitespaces),
                                                                                  year: year, on: req.db)
            return try await page(req, scope, year: year, message: "<p class=\"card\" role=\"status\">Đã mở \(n) kỳ rà soát mới.</p>").encodeResponse(for: req)
        } catch let e as ValidationError {
            let m = req.text(e.message)
            let res = try await page(req, scope, year: year, message: "<p class=\"error\" role=\"alert\">\(m)</p>").encodeResponse(for: req)
            res.status = .unprocessableEntity
            return res
        }
    }

    func show(req: Request) async throws -> HTML {
        let scope = try req.checkedScope
        guard let id = req.parameters.get("id", as: Int.self) else { throw AccessError.notFound }
        return try await roundPage(req, scope, id: id, error: nil)
    }

    func addRequest(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        guard let id = req.parameters.get("id", as: Int.self) else { throw AccessError.notFound }
        let services = req.application.registry
        let round = try await services.reviews.round(scope, id: id, on: req.db)
        let f = req.formFields().single
        do {
            guard let date = CivilDate((f["receivedOn"] ?? "").trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("request.date", field: "receivedOn", vi: "Ngày nhận đơn '\(f["receivedOn"] ?? "")' không hợp lệ (dd/mm/yyyy).", en: "Date received '\(f["receivedOn"] ?? "")' is not valid (dd/mm/yyyy).")
            }
            try await services.reviews.addRequest(scope, householdCode: (f["household"] ?? "").trimmingCharacters(in: .whitespaces),
                                                  form: f["form"] ?? "", receivedOn: date, channel: f["channel"] ?? "",
                                                  note: f["note"], today: services.referenceDate, into: round, on: req.db)
        } catch let e as ValidationError {
            let m = req.text(e.message)
            let res = try await roundPage(req, scope, id: id, error: m).encodeResponse(for: req)
            res.status = .unprocessableEntity
            return res
        }
        return req.redirect(to: Path.review(id))
    }
}
