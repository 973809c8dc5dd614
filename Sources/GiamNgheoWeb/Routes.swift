import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import Vapor

func routes(_ app: Application) throws {
    app.get("health") { req async throws -> Response in
        // Touch the database so "healthy" means it answers, not just that the process is up.
        _ = try await User.query(on: req.db).count()
        let res = Response(status: .ok)
        var body = ["status": "ok"]
        // A supervisor (or a test) that started this process with an id checks it is talking to it.
        if let id = Environment.get("GIAMNGHEO_INSTANCE_ID"), !id.isEmpty { body["instance"] = id }
        try res.content.encode(body)
        return res
    }
    app.get { req async throws -> Response in
        req.redirect(to: req.scope == nil ? "/login" : "/dashboard")
    }
    app.get("lang", ":code", use: LanguageController().set)
    app.get("app.js") { _ async throws -> Response in
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "application", subType: "javascript", parameters: ["charset": "utf-8"])
        headers.add(name: "Cache-Control", value: "max-age=300")
        return Response(status: .ok, headers: headers, body: .init(string: Layout.script))
    }
    let auth = AuthController()
    app.get("login", use: auth.form)
    app.post("login", use: auth.login)
    app.post("logout", use: auth.logout)
    let households = HouseholdController()
    app.get("households", use: households.list)
    app.get("households", "new", use: households.newForm)
    app.get("households", "export", use: ExportController().export)
    app.get("households", "template", use: TemplateController().template)
    app.post("households", "new", use: households.create)
    app.get("households", ":id", use: households.show)
    app.get("households", ":id", "edit", use: households.editForm)
    app.post("households", ":id", "edit", use: households.save)
    app.post("households", ":id", "archive", use: households.archive)
    app.post("households", ":id", "reveal", use: households.reveal)
    app.post("households", ":id", "head", use: households.changeHead)
    app.get("households", ":id", "members", "new", use: households.memberForm)
    app.post("households", ":id", "members", "new", use: households.saveMember)
    app.get("households", ":id", "members", ":mid", use: households.memberForm)
    app.post("households", ":id", "members", ":mid", use: households.saveMember)
    app.post("households", ":id", "members", ":mid", "remove", use: households.removeMember)
    app.get("households", ":id", "move", use: households.moveForm)
    app.post("households", ":id", "move", use: households.move)
    app.get("households", ":id", "split", use: households.splitForm)
    app.post("households", ":id", "split", use: households.split)
    app.get("dashboard", use: DashboardController().show)
    let reports = ReportController()
    app.get("reports", use: reports.index)
    app.get("reports", "go", use: reports.go)
    let lists = DetailedListController()
    app.get("reports", "lists", "go", use: lists.go)
    app.get("reports", "lists", ":kind", use: lists.show)
    app.get("reports", "lists", ":kind", "xlsx", use: lists.xlsx)
    app.get("reports", ":id", use: reports.show)
    app.get("reports", ":id", "xlsx", use: reports.xlsx)
    app.get("reports", ":id", "households", use: reports.households)
    app.get("analytics", use: AnalyticsController().show)
    app.get("analytics", "xlsx", use: AnalyticsController().xlsx)
    app.get("whatif", use: WhatIfController().show)
    app.get("whatif", "export", use: WhatIfController().export)
    let targets = TargetController()
    app.get("targets", use: targets.list)
    app.get("targets", "xlsx", use: targets.xlsx)
    app.post("targets", use: targets.add)
    app.post("targets", "import", use: targets.importFile)
    app.post("targets", ":id", "delete", use: targets.delete)
    let support = SupportController(), monitor = SupportMonitorController()
    app.get("support", use: support.list)
    app.get("support", "new", use: support.newForm)
    app.post("support", use: support.create)
    app.get("support", "export.csv", use: support.export)
    app.get("support", "export.xlsx", use: support.export)
    app.get("support", "template.csv", use: support.template)
    app.post("support", ":id", "void", use: support.void)
    app.get("support", ":id", "edit", use: support.editForm)
    app.on(.POST, "support", "import", body: .collect(maxSize: "20mb"), use: support.upload)
    app.get("support", "import", ":id", use: support.showBatch)
    app.post("support", "import", ":id", "commit", use: support.commitBatch)
    app.post("support", "import", ":id", "cancel", use: support.cancelBatch)
    app.get("support", "disclosure", use: support.disclosure)
    app.get("support", "monitoring", use: monitor.show)
    app.get("support", "catalogue", use: monitor.catalogue)
    app.get("support", "helpers", use: HelperController().show)
    app.post("support", "helpers", use: HelperController().save)
    app.post("budgets", use: monitor.addBudget)
    app.get("households", ":id", "plan", use: support.plan)
    app.post("households", ":id", "plan", use: support.savePlan)
    app.post("households", ":id", "visits", use: support.addVisit)
    app.get("models", use: monitor.models)
    app.post("models", use: monitor.createModel)
    app.get("models", ":id", use: monitor.model)
    app.post("models", ":id", "participants", use: monitor.addParticipant)
    app.post("models", ":id", "results", use: monitor.addResult)
    app.get("fund", use: monitor.fund)
    app.post("fund", use: monitor.addFund)
    // Public, without login: aggregated figures and masked lists only (issue 7 §6).
    app.get("public", use: monitor.publicIndex)
    app.get("public", ":commune", use: monitor.publicCommune)
    let reviews = ReviewController()
    app.get("reviews", use: reviews.list)
    app.post("reviews", "open", use: reviews.openRounds)
    app.get("reviews", ":id", use: reviews.show)
    app.post("reviews", ":id", "requests", use: reviews.addRequest)
    app.get("reviews", "progress", use: reviews.progress)
    app.post("reviews", "regular", use: reviews.openRegular)
    app.post("reviews", ":id", "advance", use: reviews.advance)
    app.get("reviews", ":id", "forms", use: reviews.printableForms)
    app.get("reviews", "cases", ":id", use: reviews.surveyForm)
    app.post("reviews", "cases", ":id", use: reviews.saveSurvey)
    app.post("reviews", "cases", ":id", "preview", use: reviews.preview)
    app.post("reviews", ":id", "meetings", use: reviews.recordMeeting)
    app.get("reviews", "meetings", ":id", "minutes", use: reviews.minutes)
    app.post("reviews", ":id", "posting", use: reviews.startPosting)
    app.post("reviews", ":id", "reposting", use: reviews.startReposting)
    app.post("reviews", ":id", "complaints", use: reviews.addComplaint)
    app.post("reviews", "complaints", ":id", "resolve", use: reviews.resolveComplaint)
    app.get("reviews", ":id", "lists", use: reviews.printableList)
    app.post("reviews", ":id", "decision", use: reviews.recognise)
    app.get("reviews", ":id", "certificates", use: reviews.certificates)
    app.get("reviews", ":id", "refusals", use: reviews.refusals)
    app.post("reviews", ":id", "status", use: reviews.setStatus)
    let exportJobs = ExportJobController()
    app.post("exports", use: exportJobs.start)
    app.get("exports", ":id", use: exportJobs.show)
    app.get("exports", ":id", "progress", use: exportJobs.progress)
    app.get("exports", ":id", "file", use: exportJobs.file)
    app.post("exports", ":id", "cancel", use: exportJobs.cancel)
    let imports = ImportController()
    app.get("imports", use: imports.list)
    app.on(.POST, "imports", body: .collect(maxSize: ByteCount(value: ImportController.uploadLimit)), use: imports.upload)
    app.post("imports", "thresholds", use: imports.setThresholds)
    app.get("imports", ":id", use: imports.show)
    app.get("imports", ":id", "progress", use: imports.progress)
    app.get("imports", ":id", "file", use: imports.file)
    app.get("imports", ":id", "issues.csv", use: imports.issuesCSV)
    app.post("imports", ":id", "commit", use: imports.commit)
    app.post("imports", ":id", "cancel", use: imports.cancel)
    app.post("imports", ":id", "decide", use: imports.decide)
    app.post("imports", ":id", "recheck", use: imports.recheck)
    let villages = VillageController()
    app.get("villages", use: villages.list)
    app.post("villages", use: villages.add)
    app.post("villages", ":id", "archive", use: villages.setArchived(true))
    app.post("villages", ":id", "restore", use: villages.setArchived(false))
    let accounts = AccountController()
    app.get("account", "password", use: accounts.passwordForm)
    app.post("account", "password", use: accounts.changePassword)
    app.get("admin", "users", use: accounts.users)
    app.post("admin", "users", use: accounts.createUser)
    app.post("admin", "users", ":id", "reset", use: accounts.resetPassword)
}

struct AuthController {
    struct LoginForm: Content { var username: String; var password: String; var next: String? }

    func form(req: Request) async throws -> HTML {
        page(req, error: nil, username: "", next: req.query[String.self, at: "next"])
    }

    func page(_ req: Request, error: String?, username: String, next: String?) -> HTML {
        let err: HTML = error.map { "<p class=\"error\" role=\"alert\">\($0)</p>" } ?? ""
        return Layout.page(req, title: req.t("Đăng nhập", "Log in"), """
        <div class="card" style="max-width:26rem;margin:2rem auto">
        <h1>\(req.t("Đăng nhập", "Log in"))</h1>\(err)
        <form method="post" action="/login">
          <input type="hidden" name="_csrf" value="\(req.csrfToken)">
          <input type="hidden" name="next" value="\(next ?? "")">
          <p><label>\(req.t("Tên đăng nhập", "User name"))<br><input name="username" value="\(username)" autocomplete="username" required autofocus style="width:100%"></label></p>
          <p><label>\(req.t("Mật khẩu", "Password"))<br><input name="password" type="password" autocomplete="current-password" required style="width:100%"></label></p>
          <p><button class="primary" type="submit">\(req.t("Đăng nhập", "Log in"))</button></p>
        </form></div>
        """)
    }

    func login(req: Request) async throws -> Response {
        let form = try req.content.decode(LoginForm.self)
        let fail = { (message: String) async throws -> Response in
            let res = try await page(req, error: message, username: form.username, next: form.next).encodeResponse(for: req)
            res.status = .unauthorized
            return res
        }
        guard let user = try await User.query(on: req.db).filter(\.$username == form.username).first() else {
            return try await fail("Tên đăng nhập hoặc mật khẩu không đúng.")
        }
        if let until = user.lockedUntil, until > Date() {
            return try await fail("Tài khoản tạm khóa do đăng nhập sai nhiều lần. Hãy thử lại sau \(Int(until.timeIntervalSinceNow / 60) + 1) phút.")
        }
        guard try await req.password.async.verify(form.password, created: user.passwordHash) else {
            user.failedLogins += 1
            if user.failedLogins >= LoginThrottle.maxFailures {
                user.lockedUntil = Date().addingTimeInterval(LoginThrottle.lockSeconds)
                user.failedLogins = 0
            }
            try await user.save(on: req.db)
            return try await fail("Tên đăng nhập hoặc mật khẩu không đúng.")
        }
        if user.failedLogins != 0 || user.lockedUntil != nil {
            user.failedLogins = 0
            user.lockedUntil = nil
            try await user.save(on: req.db)
        }
        // A new session id at login prevents session fixation: drop the old record, let the
        // sessions middleware issue a fresh id for the signed-in session.
        if let old = req.session.id { try await req.application.sessions.driver.deleteSession(old, for: req).get() }
        req.session.id = nil
        req.session.data = SessionData()
        req.session.data["uid"] = user.id!.uuidString
        req.session.data["csrf"] = [UInt8].random(count: 24).base64
        let next = form.next.flatMap { $0.hasPrefix("/") && !$0.hasPrefix("//") ? $0 : nil } ?? "/dashboard"
        return req.redirect(to: next)
    }

    func logout(req: Request) async throws -> Response {
        req.session.destroy()
        return req.redirect(to: "/login")
    }
}
