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
        let admin = routes.access(.admin)
        admin.get("admin", "users", use: users)
        admin.post("admin", "users", use: createUser)
        admin.post("admin", "users", ":id", "reset", use: resetPassword)
    }

    static let minimumPasswordLength = 10

    func passwordForm(req: Request) async throws -> HTML {
        return passwordPage(req, error: nil, done: false)
    }

    func passwordPage(_ req: Request, error: String?, done: Bool) -> HTML {
        let message: HTML = error.map { "<p class=\"error\" role=\"alert\">\($0)</p>" } ?? (done ? "<p class=\"card\">Đã đổi mật khẩu.</p>" : "")
        return Layout.page(req, title: "Đổi mật khẩu", """
        <h1>Đổi mật khẩu</h1>\(message)
        <form method="post" action="\(Path.accountPassword)" class="card max-28">
          \(req.csrfField)
          <p><label>Mật khẩu hiện tại<br><input class="w-full" type="password" name="current" autocomplete="current-password" required></label></p>
          <p><label>Mật khẩu mới (ít nhất \(Self.minimumPasswordLength) ký tự)<br><input class="w-full" type="password" name="new" autocomplete="new-password" required></label></p>
          <p><label>Nhập lại mật khẩu mới<br><input class="w-full" type="password" name="confirm" autocomplete="new-password" required></label></p>
          <p><button class="primary" type="submit">Đổi mật khẩu</button></p>
        </form>
        """)
    }

    func changePassword(req: Request) async throws -> Response {
        guard let user = req.currentUser else { throw Abort(.unauthorized) }
        let form = try req.content.decode([String: String].self)
        func fail(_ m: String) async throws -> Response {
            let res = try await passwordPage(req, error: m, done: false).encodeResponse(for: req)
            res.status = .unprocessableEntity
            return res
        }
        guard try await req.password.async.verify(form["current"] ?? "", created: user.passwordHash) else {
            return try await fail("Mật khẩu hiện tại không đúng.")
        }
        let new = form["new"] ?? ""
        guard new.count >= Self.minimumPasswordLength else { return try await fail("Mật khẩu mới phải có ít nhất \(Self.minimumPasswordLength) ký tự.") }
        guard new == form["confirm"] else { return try await fail("Hai lần nhập mật khẩu mới không khớp.") }
        user.passwordHash = try await req.password.async.hash(new)
        try await req.db.transaction { tx in
            try await user.save(on: tx)
            try await AuditEntry(username: user.username, householdID: nil, action: "password.change").create(on: tx)
        }
        return try await passwordPage(req, error: nil, done: true).encodeResponse(for: req)
    }

    func users(req: Request) async throws -> HTML {
                return try await usersPage(req, notice: nil)
    }

    func usersPage(_ req: Request, notice: HTML?) async throws -> HTML {
        let users = try await User.query(on: req.db).sort(\.$username).all()
        let rows: [HTML] = users.map { u in
            """
            <tr><td>\(u.username)</td><td>\(u.displayName)</td><td>\(u.role.vietnamese)</td><td>\(u.units.joined(separator: ", "))</td>
            <td><form method="post" action="\(Path.adminUser(u.id!.uuidString, "reset"))">\(req.csrfField)<button type="submit">Đặt lại mật khẩu</button></form></td></tr>
            """
        }
        let roles: [HTML] = Role.allCases.map { "<option value=\"\($0.rawValue)\">\($0.vietnamese)</option>" }
        return Layout.page(req, title: "Tài khoản", """
        <h1>Tài khoản</h1>\(notice ?? "")
        <div class="scroll"><table><thead><tr><th>Tên đăng nhập</th><th>Họ tên</th><th>Vai trò</th><th>Địa bàn</th><th></th></tr></thead><tbody>\(rows)</tbody></table></div>
        <h2>Thêm tài khoản</h2>
        <form method="post" action="\(Path.adminUsers)" class="filters">
          \(req.csrfField)
          <label>Tên đăng nhập<input name="username" required pattern="[a-z0-9._-]{3,32}"></label>
          <label>Họ tên<input name="displayName" required></label>
          <label>Vai trò<select name="role">\(roles)</select></label>
          <label>Mã địa bàn (tỉnh hoặc xã, cách nhau bởi dấu phẩy)<input name="units" placeholder="46 hoặc 19753"></label>
          <button class="primary" type="submit">Tạo</button>
        </form>
        """)
    }

    func createUser(req: Request) async throws -> Response {
        let admin = try req.checkedScope
        let form = try req.content.decode([String: String].self)
        let username = (form["username"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        let units = (form["units"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        func fail(_ m: String) async throws -> Response {
            let res = try await usersPage(req, notice: "<p class=\"error\" role=\"alert\">\(m)</p>").encodeResponse(for: req)
            res.status = .unprocessableEntity
            return res
        }
        guard username.range(of: "^[a-z0-9._-]{3,32}$", options: .regularExpression) != nil else {
            return try await fail("Tên đăng nhập chỉ gồm chữ thường không dấu, số, dấu chấm, gạch; 3–32 ký tự.")
        }
        guard let role = Role(rawValue: form["role"] ?? "") else { return try await fail("Vai trò không hợp lệ.") }
        for u in units where req.application.registry.units.unit(u) == nil {
            return try await fail("Mã địa bàn '\(u)' không có trong danh mục từ 01/7/2025.")
        }
        if role != .admin && units.isEmpty { return try await fail("Cần ít nhất một địa bàn cho vai trò \(role.vietnamese).") }
        guard try await User.query(on: req.db).filter(\.$username == username).first() == nil else {
            return try await fail("Tên đăng nhập '\(username)' đã có.")
        }
        let password = DemoSeeder.randomPassword()
        let user = User(username: username, passwordHash: try await req.password.async.hash(password),
                        displayName: form["displayName"] ?? username, role: role, units: units)
        try await req.db.transaction { tx in
            try await user.create(on: tx)
            try await AuditEntry(username: admin.username, householdID: nil, action: "user.create", field: username,
                                 newValue: "\(role.rawValue) \(units.joined(separator: ","))").create(on: tx)
        }
        return try await usersPage(req, notice: "<p class=\"card\">Đã tạo tài khoản <b>\(username)</b>. Mật khẩu (chỉ hiện một lần): <code>\(password)</code></p>").encodeResponse(for: req)
    }

    func resetPassword(req: Request) async throws -> Response {
        let admin = try req.checkedScope
        guard let id = req.parameters.get("id", as: UUID.self), let user = try await User.find(id, on: req.db) else { throw Abort(.notFound) }
        let password = DemoSeeder.randomPassword()
        user.passwordHash = try await req.password.async.hash(password)
        user.failedLogins = 0
        user.lockedUntil = nil
        try await req.db.transaction { tx in
            try await user.save(on: tx)
            try await AuditEntry(username: admin.username, householdID: nil, action: "user.resetPassword", field: user.username).create(on: tx)
        }
        return try await usersPage(req, notice: "<p class=\"card\">Mật khẩu mới của <b>\(user.username)</b> (chỉ hiện một lần): <code>\(password)</code></p>").encodeResponse(for: req)
    }
}
