import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import Vapor

/// Sign-in and sign-out: the only pages besides the public ones that need no session.
struct AuthController: Feature {
    func boot(routes: any RoutesBuilder) throws {
        let r = routes.access(.anyone)
        r.get("login", use: form)
        r.post("login", use: login)
        r.post("logout", use: logout)
    }

    struct LoginForm: Content { var username: String; var password: String; var next: String? }

    func form(req: Request) async throws -> HTML {
        page(req, LoginPage(csrf: req.csrfToken, next: req.query[String.self, at: "next"]))
    }

    func page(_ req: Request, _ page: LoginPage) -> HTML {
        Layout.page(req, title: req.t("Đăng nhập", "Log in"), AccountViews.login(page, req.language))
    }

    func login(req: Request) async throws -> Response {
        let form = try req.content.decode(LoginForm.self)
        let accounts = AccountStore(units: req.application.registry.units)
        let fail = { (message: String) async throws -> Response in
            let res = try await page(req, LoginPage(csrf: req.csrfToken, username: form.username, next: form.next, error: message)).encodeResponse(for: req)
            res.status = .unauthorized
            return res
        }
        let wrong = req.t("Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong user name or password.")
        guard let user = try await accounts.user(username: form.username, on: req.db) else {
            req.logger.notice("sign-in refused: no account '\(form.username)' from \(req.clientAddress)")
            return try await fail(wrong)
        }
        if let until = user.lockedUntil, until > Date() {
            let minutes = Int(until.timeIntervalSinceNow / 60) + 1
            return try await fail(req.t("Tài khoản tạm khóa do đăng nhập sai nhiều lần. Hãy thử lại sau \(minutes) phút.",
                                        "The account is locked after repeated failed sign-ins. Try again in \(minutes) minutes."))
        }
        guard try await req.password.async.verify(form.password, created: user.passwordHash) else {
            try await accounts.recordFailure(user, on: req.db)
            req.logger.notice("sign-in refused: wrong password for '\(user.username)' from \(req.clientAddress)")
            return try await fail(wrong)
        }
        try await accounts.recordSuccess(user, on: req.db)
        req.logger.info("signed in: '\(user.username)' from \(req.clientAddress)")
        // A new session id at login prevents session fixation: drop the old record, let the
        // sessions middleware issue a fresh id for the signed-in session.
        if let old = req.session.id { try await req.application.sessions.driver.deleteSession(old, for: req).get() }
        req.session.id = nil
        req.session.data = SessionData()
        req.session.data["uid"] = user.id!.uuidString
        req.session.data["csrf"] = [UInt8].random(count: 24).base64
        let next = form.next.flatMap { $0.hasPrefix("/") && !$0.hasPrefix("//") ? $0 : nil } ?? Path.dashboard
        return req.redirect(to: next)
    }

    func logout(req: Request) async throws -> Response {
        req.session.destroy()
        return req.redirect(to: Path.login)
    }
}
