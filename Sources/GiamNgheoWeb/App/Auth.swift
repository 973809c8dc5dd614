import Fluent
import Foundation
import GiamNgheoStorage
import Vapor

struct CurrentUserKey: StorageKey { typealias Value = (user: SignedInUser, scope: Scope) }

extension Request {
    var currentUser: SignedInUser? { storage[CurrentUserKey.self]?.user }
    var scope: Scope? { storage[CurrentUserKey.self]?.scope }
}

/// Loads the signed-in user from the session on every request.
struct CurrentUserMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let raw = req.session.data["uid"], let id = UUID(uuidString: raw), let user = try await AccountStore(units: req.application.registry.units).signedIn(id: id, on: req.db) {
            let scope = Scope(username: user.username, role: user.role, units: user.units, adminUnits: req.application.registry.units)
            req.storage[CurrentUserKey.self] = (user, scope)
        }
        return try await next.respond(to: req)
    }
}

/// Vapor has no CSRF protection: one token per session, sent back as a hidden field or header on
/// every unsafe request, compared in constant time.
struct CSRFMiddleware: AsyncMiddleware {
    static let field = "_csrf"

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // The API authenticates by bearer token only, never by the session cookie: nothing there to forge.
        if req.method != .GET && req.method != .HEAD && req.method != .OPTIONS && !req.url.path.hasPrefix("/api/") {
            // A body that did not arrive with the headers is still a stream here (routes collect it only
            // after the middleware): collect it first, or the token is not found and a valid form gets 403.
            if req.body.data == nil {
                // Uploads (multipart) may be large: their own limit, with a message saying what to do instead.
                let upload = req.headers.contentType?.type == "multipart"
                let limit = upload ? ImportController.uploadLimit : req.application.routes.defaultMaxBodySize.value
                do { _ = try await req.body.collect(max: limit).get() } catch let e as any AbortError where e.status == .payloadTooLarge {
                    throw Abort(.payloadTooLarge, reason: upload
                        ? "Tệp lớn hơn \(ImportController.uploadLimit >> 20) MB: hãy chia nhỏ theo xã/phường, hoặc dùng lệnh giamngheo import trên máy chủ."
                        : "Biểu mẫu quá lớn.")
                }
            }
            let sent = req.headers.first(name: "X-CSRF-Token") ?? (try? req.content.get(String.self, at: Self.field))
            guard let expected = req.session.data["csrf"], let sent, constantTimeEqual(sent, expected) else {
                throw Abort(.forbidden, reason: "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Hãy tải lại trang và thử lại.")
            }
        }
        return try await next.respond(to: req)
    }

    func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

extension Request {
    /// This session's CSRF token, created on first use.
    var csrfToken: String {
        if let t = session.data["csrf"] { return t }
        let t = [UInt8].random(count: 24).base64
        session.data["csrf"] = t
        return t
    }
}
