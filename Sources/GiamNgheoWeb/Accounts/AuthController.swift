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
        page(req, error: nil, username: "", next: req.query[String.self, at: "next"])
    }

    func page(_ req: Request, error: String?, username: String, next: String?) -> HTML {
        let err: HTML = error.map { "<p class=\"error\" role=\"alert\">\($0)</p>" } ?? ""
        return Layout.page(req, title: req.t("Đăng nhập", "Log in"), """
        <div class="card login-card">
        <h1>\(req.t("Đăng nhập", "Log in"))</h1>\(err)
        <form method="post" action="\(Path.login)">
          \(req.csrfField)
          <input type="hidden" name="next" value="\(next ?? "")">
          <p><label>\(req.t("Tên đăng nhập", "User name"))<br><input class="w-full" name="username" value="\(username)" autocomplete="username" required autofocus></label></p>
          <p><label>\(req.t("Mật khẩu", "Password"))<br><input class="w-full" name="password" type="password" autocomplete="current-password" required></label></p>
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
        let next = form.next.flatMap { $0.hasPrefix("/") && !$0.hasPrefix("//") ? $0 : nil } ?? Path.dashboard
        return req.redirect(to: next)
    }

    func logout(req: Request) async throws -> Response {
        req.session.destroy()
        return req.redirect(to: Path.login)
    }
}
