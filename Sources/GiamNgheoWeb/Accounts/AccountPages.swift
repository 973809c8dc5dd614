import Foundation
import GiamNgheoStorage

/// The sign-in page as values.
struct LoginPage: Sendable {
    var csrf: String
    var username = ""
    var next: String?
    var error: String?
}

/// The password page as values.
struct PasswordPage: Sendable {
    var csrf: String
    var minimumLength: Int
    var error: String?
    var done = false
}

/// The accounts page (administrators) as values.
struct UsersPage: Sendable {
    struct Row: Sendable { var id: String, username: String, displayName: String, role: Role, units: [String] }
    var csrf: String
    var rows: [Row] = []
    /// An error (with the field it names), or the one-time password just set.
    var error: String?
    var created: (username: String, password: String, reset: Bool)?
}

/// The accounts feature's markup, from page values alone.
enum AccountViews {
    static func login(_ p: LoginPage, _ lang: Language) -> HTML {
        func t(_ vi: String, _ en: String) -> String { lang == .en ? en : vi }
        return """
        <div class="card login-card">
        <h1>\(t("Đăng nhập", "Log in"))</h1>\(Components.alert(p.error))
        <form method="post" action="\(Path.login)">
          \(Components.csrfField(p.csrf))
          <input type="hidden" name="next" value="\(p.next ?? "")">
          <p><label>\(t("Tên đăng nhập", "User name"))<br><input class="w-full" name="username" value="\(p.username)" autocomplete="username" required autofocus></label></p>
          <p><label>\(t("Mật khẩu", "Password"))<br><input class="w-full" name="password" type="password" autocomplete="current-password" required></label></p>
          <p><button class="primary" type="submit">\(t("Đăng nhập", "Log in"))</button></p>
        </form></div>
        """
    }

    static func password(_ p: PasswordPage, _ lang: Language) -> HTML {
        func t(_ vi: String, _ en: String) -> String { lang == .en ? en : vi }
        let message: HTML = p.error != nil ? Components.alert(p.error) : (p.done ? "<p class=\"card\">\(t("Đã đổi mật khẩu.", "Password changed."))</p>" : "")
        return """
        <h1>\(t("Đổi mật khẩu", "Change password"))</h1>\(message)
        <form method="post" action="\(Path.accountPassword)" class="card max-28">
          \(Components.csrfField(p.csrf))
          <p><label>\(t("Mật khẩu hiện tại", "Current password"))<br><input class="w-full" type="password" name="current" autocomplete="current-password" required></label></p>
          <p><label>\(t("Mật khẩu mới (ít nhất \(p.minimumLength) ký tự)", "New password (at least \(p.minimumLength) characters)"))<br><input class="w-full" type="password" name="new" autocomplete="new-password" required></label></p>
          <p><label>\(t("Nhập lại mật khẩu mới", "New password again"))<br><input class="w-full" type="password" name="confirm" autocomplete="new-password" required></label></p>
          <p><button class="primary" type="submit">\(t("Đổi mật khẩu", "Change password"))</button></p>
        </form>
        <p><a href="/account/tokens">\(t("Mã truy cập API cho hệ thống khác", "API tokens for other systems"))</a></p>
        """
    }

    static func users(_ p: UsersPage, _ lang: Language) -> HTML {
        func t(_ vi: String, _ en: String) -> String { lang == .en ? en : vi }
        func role(_ r: Role) -> String { lang == .en ? r.english : r.vietnamese }
        let rows: [HTML] = p.rows.map { u in
            """
            <tr><td>\(u.username)</td><td>\(u.displayName)</td><td>\(role(u.role))</td><td>\(u.units.joined(separator: ", "))</td>
            <td><form method="post" action="\(Path.adminUser(u.id, "reset"))">\(Components.csrfField(p.csrf))<button type="submit">\(t("Đặt lại mật khẩu", "Reset password"))</button></form></td></tr>
            """
        }
        var notice = Components.alert(p.error)
        if let c = p.created {
            notice = c.reset
                ? "<p class=\"card\">\(t("Mật khẩu mới của", "New password of")) <b>\(c.username)</b> \(t("(chỉ hiện một lần)", "(shown once)")): <code>\(c.password)</code></p>"
                : "<p class=\"card\">\(t("Đã tạo tài khoản", "Account created:")) <b>\(c.username)</b>. \(t("Mật khẩu (chỉ hiện một lần)", "Password (shown once)")): <code>\(c.password)</code></p>"
        }
        return """
        <h1>\(t("Tài khoản", "Accounts"))</h1>\(notice)
        \(Components.table(head: [t("Tên đăng nhập", "User name"), t("Họ tên", "Name"), t("Vai trò", "Role"), t("Địa bàn", "Units"), ""], rows: rows, empty: ""))
        <h2>\(t("Thêm tài khoản", "Add an account"))</h2>
        <form method="post" action="\(Path.adminUsers)" class="filters">
          \(Components.csrfField(p.csrf))
          <label>\(t("Tên đăng nhập", "User name"))<input name="username" required pattern="[a-z0-9._-]{3,32}"></label>
          <label>\(t("Họ tên", "Name"))<input name="displayName" required></label>
          <label>\(t("Vai trò", "Role"))\(Components.select(name: "role", Role.allCases.map { ($0.rawValue, role($0)) }, selected: nil))</label>
          <label>\(t("Mã địa bàn (tỉnh hoặc xã, cách nhau bởi dấu phẩy)", "Unit codes (province or commune, comma-separated)"))<input name="units" placeholder="46 hoặc 19753"></label>
          <button class="primary" type="submit">\(t("Tạo", "Create"))</button>
        </form>
        """
    }
}
