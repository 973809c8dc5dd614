import GiamNgheoStorage
import Vapor

// The stores' error vocabulary as HTTP: each error knows its status; the wording is in both languages.
extension AccessError: AbortError {
    public var status: HTTPResponseStatus { self == .notFound ? .notFound : .forbidden }
    public var reason: String { message.vi }
    var message: Message {
        switch self {
        case .notFound: return Message("access.notFound", vi: "Không có hộ này, hoặc hộ không thuộc địa bàn của bạn.",
                                       en: "No such household, or it is outside your area.")
        case .forbidden: return Message("access.forbidden", vi: "Tài khoản của bạn không được thực hiện thao tác này trên địa bàn này.",
                                        en: "Your account may not do this in this area.")
        }
    }
    var title: Message {
        self == .notFound ? Message("title.notFound", vi: "Không tìm thấy", en: "Not found")
            : Message("title.forbidden", vi: "Không có quyền", en: "Not allowed")
    }
}

extension VersionConflict: AbortError {
    public var status: HTTPResponseStatus { .conflict }
    public var reason: String { Self.message.vi }
    static let message = Message("conflict", vi: "Người khác vừa lưu hộ này. Hãy tải lại trang để xem thay đổi của họ rồi nhập lại.",
                                 en: "Someone else has just saved this household. Reload the page to see their change, then enter yours again.")
    static let title = Message("title.conflict", vi: "Dữ liệu đã thay đổi", en: "Changed meanwhile")
}

extension ValidationError: AbortError {
    public var status: HTTPResponseStatus { .unprocessableEntity }
    public var reason: String { message.vi }
    static let title = Message("title.invalid", vi: "Dữ liệu không hợp lệ", en: "Invalid data")
}

extension Request {
    /// A message in the reader's language.
    func text(_ m: Message) -> String { language == .en ? m.en : m.vi }
}

/// Errors become a friendly page in the reader's language (or JSON for API calls); details go to the log only.
struct FriendlyErrorMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: req)
        } catch let e as AccessError {
            return try await render(req, e.status, req.text(e.title), req.text(e.message))
        } catch let e as VersionConflict {
            return try await render(req, e.status, req.text(VersionConflict.title), req.text(VersionConflict.message))
        } catch let e as ValidationError {
            return try await render(req, e.status, req.text(ValidationError.title), req.text(e.message), field: e.field)
        } catch let abort as any AbortError where abort.status == .seeOther || abort.status == .found || abort.status == .temporaryRedirect {
            return req.redirect(to: abort.headers.first(name: .location) ?? Path.root)
        } catch let abort as any AbortError {
            let message = abort.status == .notFound ? req.t("Không tìm thấy trang.", "Page not found.") : abort.reason
            return try await render(req, abort.status, req.t("Lỗi \(abort.status.code)", "Error \(abort.status.code)"), message)
        } catch where OperatorMessage.isBusy(error) {
            req.logger.warning("\(req.method) \(req.url.path): \(OperatorMessage.describe(error))")
            let res = try await render(req, .serviceUnavailable, req.t("Sổ hộ đang bận", "The registry is busy"),
                                       req.t("Sổ hộ đang được ghi bởi một lần nhập tệp lớn. Chưa có gì thay đổi: hãy quay lại và bấm Lưu sau ít phút.",
                                             "A large file import is being written to the registry. Nothing was changed: go back and save again in a few minutes."))
            res.headers.replaceOrAdd(name: .retryAfter, value: "60")
            return res
        } catch {
            // The operator reads the database's own message (PostgresNIO hides it from plain descriptions);
            // the web user only ever reads the sentence below.
            req.logger.error("\(req.method) \(req.url.path): \(OperatorMessage.describe(error))")
            return try await render(req, .internalServerError, req.t("Đã có lỗi", "Something went wrong"),
                                    req.t("Hệ thống gặp lỗi khi xử lý yêu cầu. Lỗi đã được ghi lại; hãy thử lại sau.",
                                          "The system failed to handle the request. The error was logged; please try again later."))
        }
    }

    func render(_ req: Request, _ status: HTTPStatus, _ title: String, _ message: String, field: String? = nil) async throws -> Response {
        if req.headers.accept.mediaTypes.contains(.json) && !req.headers.accept.mediaTypes.contains(.html) {
            let res = Response(status: status)
            var body = ["error": message]
            if let field { body["field"] = field }
            try res.content.encode(body)
            return res
        }
        let res = try await Layout.page(req, title: title, """
            <h1>\(title)</h1><p class="error">\(message)</p><p><a href="\(Path.root)">\(req.t("Về trang chính", "Back to the start page"))</a></p>
            """).encodeResponse(for: req)
        res.status = status
        return res
    }
}
