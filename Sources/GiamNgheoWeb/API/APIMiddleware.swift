import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import NIOConcurrencyHelpers
import Vapor

/// An error of the API itself (no or a bad token, too many calls, a malformed request).
struct APIError: Error {
    var status: HTTPResponseStatus
    var code: String
    var vi: String
    var en: String
    var field: String? = nil
    var headers: HTTPHeaders = [:]

    static let unauthorized = APIError(status: .unauthorized, code: "auth.token", vi: "Thiếu mã truy cập hoặc mã không còn hiệu lực (Authorization: Bearer …).",
                                       en: "Missing, unknown or revoked token (Authorization: Bearer …).", headers: ["WWW-Authenticate": "Bearer"])
    static func badRequest(_ field: String, vi: String, en: String) -> APIError {
        APIError(status: .badRequest, code: "request.\(field)", vi: vi, en: en, field: field)
    }
}

/// Every error of an API route as JSON, with the pages' own Vietnamese and English messages; never a stack trace.
struct APIErrorMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do { return try await next.respond(to: req) } catch {
            let e = Self.describe(error, req)
            if e.status == .internalServerError { req.logger.error("API \(req.method) \(req.url.path): \(String(reflecting: error))") }
            let body: JSON = .object([("error", .object([("code", .string(e.code)), ("vi", .string(e.vi)), ("en", .string(e.en)), ("field", .text(e.field))]))])
            return try await APIReply(status: e.status, body: body, headers: e.headers).encodeResponse(for: req)
        }
    }

    static func describe(_ error: any Error, _ req: Request) -> APIError {
        switch error {
        case let e as APIError: return e
        case let e as AccessError: return APIError(status: e.status, code: e.message.code, vi: e.message.vi, en: e.message.en)
        case let e as ValidationError: return APIError(status: .unprocessableEntity, code: e.message.code, vi: e.message.vi, en: e.message.en, field: e.field)
        case is VersionConflict:
            return APIError(status: .conflict, code: "conflict", vi: VersionConflict.message.vi, en: VersionConflict.message.en)
        case let e as ClassificationError:
            return APIError(status: .unprocessableEntity, code: "household.\(e.field)", vi: e.description, en: e.description, field: e.field)
        case is DecodingError:
            return APIError(status: .badRequest, code: "request.body", vi: "Nội dung gửi lên không phải JSON đúng dạng.", en: "The request body is not the expected JSON.")
        case let e as any AbortError:
            return APIError(status: e.status, code: "http.\(e.status.code)", vi: e.reason, en: e.reason, headers: e.headers)
        default:
            return APIError(status: .internalServerError, code: "server", vi: "Lỗi máy chủ; đã ghi nhật ký.", en: "Server error; it has been logged.")
        }
    }
}

/// A bearer token instead of a session: the request acts as the token's account, with its scope. A session
/// cookie counts for nothing here (so the API needs no CSRF token).
struct APIAuthMiddleware: AsyncMiddleware {
    let limiter: APIRateLimiter

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        req.storage[CurrentUserKey.self] = nil
        guard let header = req.headers.first(name: .authorization), header.lowercased().hasPrefix("bearer "), header.count > 7 else {
            throw APIError.unauthorized
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        let hash = SHA256.hash(data: Data(token.utf8)).hex
        let tokens = APITokenStore()
        guard let (user, id, stale) = try await tokens.account(hash: hash, on: req.db) else { throw APIError.unauthorized }
        if let wait = limiter.take(id) {
            throw APIError(status: .tooManyRequests, code: "rate", vi: "Quá nhiều yêu cầu: thử lại sau \(wait) giây.",
                           en: "Too many requests: try again in \(wait) seconds.", headers: ["Retry-After": String(wait)])
        }
        // A parameter given twice is refused rather than one of its values picked silently.
        let names = (URLComponents(string: req.url.string)?.queryItems ?? []).map(\.name)
        if let twice = names.first(where: { n in names.filter { $0 == n }.count > 1 }) {
            throw APIError.badRequest(twice, vi: "Tham số '\(twice)' được gửi nhiều lần.", en: "Parameter '\(twice)' was sent more than once.")
        }
        if stale { try await req.application.registry.store.writing(req.db) { try await tokens.touch(token: id, on: $0) } }
        let signed = SignedInUser(user)
        req.storage[CurrentUserKey.self] = (signed, Scope(username: user.username, role: user.role, units: user.units, adminUnits: req.application.registry.units))
        return try await next.respond(to: req)
    }
}

struct APILimiterKey: StorageKey { typealias Value = APIRateLimiter }

/// Calls per token and minute (a fixed window): enough for a province's system, not for a runaway loop.
final class APIRateLimiter: Sendable {
    let perMinute: Int
    private let windows = NIOLockedValueBox([Int: (start: Int, count: Int)]())
    init(perMinute: Int) { self.perMinute = perMinute }

    /// nil when the call may go ahead; else the seconds until the next window.
    func take(_ token: Int, now: Date = Date()) -> Int? {
        let t = Int(now.timeIntervalSince1970), minute = t - t % 60
        return windows.withLockedValue { w in
            var entry = w[token] ?? (minute, 0)
            if entry.start != minute { entry = (minute, 0) }
            guard entry.count < perMinute else { return minute + 60 - t }
            entry.count += 1
            w[token] = entry
            return nil
        }
    }
}

/// Issues a token: its text is shown once (the CLI's last line, the account page once); only its hash is kept.
public enum APITokens {
    public static func issue(to user: User, name: String, on db: any Database) async throws -> String {
        let text = APITokenStore.newText()
        try await APITokenStore().create(user: user, name: name, hash: SHA256.hash(data: Data(text.utf8)).hex, prefix: String(text.prefix(8)), on: db)
        return text
    }
}
