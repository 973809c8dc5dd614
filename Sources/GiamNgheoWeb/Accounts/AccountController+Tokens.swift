import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import Vapor

/// The account's API tokens (`/api/v1`, docs/api.md): made here or with `giamngheo tokens create`, shown once,
/// revoked here. A token acts as this account: same role, same area, same audit trail.
extension AccountController {
    func account(_ req: Request) async throws -> User {
        guard let signedIn = req.currentUser, let user = try await accounts(req).user(id: signedIn.id, on: req.db) else { throw AccessError.forbidden }
        return user
    }

    func tokensPage(req: Request) async throws -> HTML {
        try await tokensPage(req, created: nil, error: nil)
    }

    func tokensPage(_ req: Request, created: String?, error: String?) async throws -> HTML {
        let user = try await account(req)
        let tokens = try await APITokenStore().list(user: user, on: req.db)
        func when(_ d: Date?) -> String { d.map(ImportController.date) ?? "—" }
        let rows: [HTML] = tokens.map { t in
            let action: HTML = t.revokedAt == nil
                ? "<form method=\"post\" action=\"/account/tokens/\(t.id)/revoke\">\(req.csrfField)<button type=\"submit\">\(req.t("Thu hồi", "Revoke"))</button></form>"
                : "\(req.t("Đã thu hồi \(when(t.revokedAt))", "Revoked \(when(t.revokedAt))"))"
            return "<tr><td>\(t.name)</td><td><code>\(t.prefix)…</code></td><td>\(when(t.createdAt))</td><td>\(when(t.lastUsedAt))</td><td>\(action)</td></tr>"
        }
        return Layout.page(req, title: req.t("Mã truy cập API", "API tokens"), """
        <h1>\(req.t("Mã truy cập API", "API tokens"))</h1>
        <p class="muted">\(req.t("Hệ thống khác và kịch bản gọi /api/v1 bằng mã này (Authorization: Bearer …), thay mặt tài khoản của bạn: cùng vai trò, cùng địa bàn, cùng nhật ký. Mô tả: /api/v1/openapi.json.",
                                 "Other systems and scripts call /api/v1 with a token (Authorization: Bearer …) as your account: same role, same area, same audit trail. Description: /api/v1/openapi.json."))</p>
        \(error.map { HTML("<div class=\"flash error\" role=\"alert\">\($0)</div>") } ?? "")
        \(created.map { HTML("""
        <div class="card" role="status"><p><b>\(req.t("Mã mới (chỉ hiện lần này; hãy sao chép và giữ kín):", "New token (shown only now; copy it and keep it secret):"))</b></p>
        <p><code>\($0)</code></p></div>
        """) } ?? "")
        <form method="post" action="/account/tokens" class="filters">
          \(req.csrfField)
          <label>\(req.t("Tên gợi nhớ (hệ thống dùng mã)", "Name (the system that uses it)"))<input name="name" required maxlength="80"></label>
          <button class="primary" type="submit">\(req.t("Tạo mã", "Create token"))</button>
        </form>
        <div class="scroll"><table><thead><tr><th>\(req.t("Tên", "Name"))</th><th>\(req.t("Mã", "Token"))</th><th>\(req.t("Tạo lúc", "Created"))</th>
        <th>\(req.t("Dùng lần cuối", "Last used"))</th><th></th></tr></thead>
        <tbody>\(rows.isEmpty ? [HTML("<tr><td colspan=\"5\">\(req.t("Chưa có mã nào.", "No token yet."))</td></tr>")] : rows)</tbody></table></div>
        """)
    }

    func createToken(req: Request) async throws -> Response {
        let user = try await account(req)
        let name = req.formFields().single["name"] ?? ""
        do {
            let token = try await APITokens.issue(to: user, name: name, on: req.db)
            return try await tokensPage(req, created: token, error: nil).encodeResponse(for: req)
        } catch let e as ValidationError {
            let res = try await tokensPage(req, created: nil, error: req.text(e.message)).encodeResponse(for: req)
            res.status = .unprocessableEntity
            return res
        }
    }

    func revokeToken(req: Request) async throws -> Response {
        let user = try await account(req)
        guard let id = req.parameters.get("id", as: Int.self) else { throw AccessError.notFound }
        try await APITokenStore().revoke(user: user, id: id, on: req.db)
        return req.redirect(to: "/account/tokens")
    }
}
