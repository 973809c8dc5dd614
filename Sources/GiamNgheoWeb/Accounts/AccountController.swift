import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import Vapor

/// Password change for everyone; account administration for system administrators.
struct AccountController: Feature {
    var navigation: [NavEntry] {
        [
            NavEntry(order: 900, path: Path.adminUsers, vi: "Tài khoản", en: "Accounts", access: .admin),
        ]
    }

    func boot(routes: any RoutesBuilder) throws {
        let signedIn = routes.access(.signedIn)
        signedIn.get("account", "password", use: passwordForm)
        signedIn.post("account", "password", use: changePassword)
        signedIn.get("account", "tokens", use: tokensPage)
        signedIn.post("account", "tokens", use: createToken)
        signedIn.post("account", "tokens", ":id", "revoke", use: revokeToken)
        let admin = routes.access(.admin)
        admin.get("admin", "users", use: users)
        admin.post("admin", "users", use: createUser)
        admin.post("admin", "users", ":id", "reset", use: resetPassword)
    }

    static let minimumPasswordLength = 10

    func accounts(_ req: Request) -> AccountStore { AccountStore(units: req.application.registry.units) }

    func passwordForm(req: Request) async throws -> HTML {
        passwordPage(req, PasswordPage(csrf: req.csrfToken, minimumLength: Self.minimumPasswordLength))
    }

    func passwordPage(_ req: Request, _ page: PasswordPage) -> HTML {
        Layout.page(req, title: req.t("Đổi mật khẩu", "Change password"), AccountViews.password(page, req.language))
    }

    func changePassword(req: Request) async throws -> Response {
        guard let signedIn = req.currentUser, let user = try await accounts(req).user(id: signedIn.id, on: req.db) else {
            throw AccessError.forbidden
        }
        let form = try req.content.decode([String: String].self)
        var page = PasswordPage(csrf: req.csrfToken, minimumLength: Self.minimumPasswordLength)
        func fail(_ vi: String, _ en: String) async throws -> Response {
            page.error = req.t(vi, en)
            let res = try await passwordPage(req, page).encodeResponse(for: req)
            res.status = .unprocessableEntity
            return res
        }
        guard try await req.password.async.verify(form["current"] ?? "", created: user.passwordHash) else {
            return try await fail("Mật khẩu hiện tại không đúng.", "The current password is wrong.")
        }
        let new = form["new"] ?? ""
        guard new.count >= Self.minimumPasswordLength else {
            return try await fail("Mật khẩu mới phải có ít nhất \(Self.minimumPasswordLength) ký tự.",
                                  "The new password needs at least \(Self.minimumPasswordLength) characters.")
        }
        guard new == form["confirm"] else { return try await fail("Hai lần nhập mật khẩu mới không khớp.", "The two new passwords differ.") }
        try await accounts(req).changePassword(user, newHash: try await req.password.async.hash(new), keepingSession: req.sessionKeyHash, on: req.db)
        page.done = true
        return try await passwordPage(req, page).encodeResponse(for: req)
    }

    func users(req: Request) async throws -> HTML {
        try await usersPage(req, UsersPage(csrf: req.csrfToken))
    }

    func usersPage(_ req: Request, _ page: UsersPage) async throws -> HTML {
        var page = page
        page.rows = try await accounts(req).list(try req.checkedScope, on: req.db).map {
            UsersPage.Row(id: $0.id!.uuidString, username: $0.username, displayName: $0.displayName, role: $0.role, units: $0.units)
        }
        return Layout.page(req, title: req.t("Tài khoản", "Accounts"), AccountViews.users(page, req.language))
    }

    func createUser(req: Request) async throws -> Response {
        let admin = try req.checkedScope
        let form = try req.content.decode([String: String].self)
        let username = (form["username"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        let units = (form["units"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var page = UsersPage(csrf: req.csrfToken)
        let password = AccountStore.oneTimePassword()
        do {
            // Checked before hashing: bcrypt is slow on purpose, a typo should not wait for it.
            _ = try accounts(req).validate(username: username, role: form["role"] ?? "", units: units)
            try await accounts(req).create(admin, username: username, displayName: form["displayName"] ?? "", role: form["role"] ?? "",
                                           units: units, passwordHash: try await req.password.async.hash(password), on: req.db)
        } catch let e as ValidationError {
            page.error = req.text(e.message)
            let res = try await usersPage(req, page).encodeResponse(for: req)
            res.status = .unprocessableEntity
            return res
        }
        page.created = (username, password, false)
        return try await usersPage(req, page).encodeResponse(for: req)
    }

    func resetPassword(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: UUID.self) else { throw AccessError.notFound }
        let password = AccountStore.oneTimePassword()
        let user = try await accounts(req).resetPassword(try req.checkedScope, id: id, passwordHash: try await req.password.async.hash(password), on: req.db)
        var page = UsersPage(csrf: req.csrfToken)
        page.created = (user.username, password, true)
        return try await usersPage(req, page).encodeResponse(for: req)
    }
}
