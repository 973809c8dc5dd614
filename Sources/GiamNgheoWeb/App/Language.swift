import Vapor

/// Vietnamese first; English as a second language for the page frame and the main pages.
/// The choice lives in a cookie so it works before login too.
enum Language: String { case vi, en }

extension Request {
    private struct LanguageKey: StorageKey { typealias Value = Language }

    /// Read from the cookie once per request: a page asks for it in every `t(…)`, and Vapor parses the whole
    /// Cookie header on each `cookies` access (a fifth of a list page's time when it was not kept).
    var language: Language {
        if let known = storage[LanguageKey.self] { return known }
        let lang = cookies["lang"].flatMap { Language(rawValue: $0.string) } ?? .vi
        storage[LanguageKey.self] = lang
        return lang
    }

    /// The text in the reader's language: `req.t("Hộ gia đình", "Households")`.
    func t(_ vi: String, _ en: String) -> String { language == .en ? en : vi }
}

struct LanguageController {
    /// `/lang/en` or `/lang/vi`: sets the cookie and goes back to the page it came from (same site only).
    func set(req: Request) async throws -> Response {
        let lang = Language(rawValue: req.parameters.get("code") ?? "") ?? .vi
        var back = "/"
        if let referer = req.headers.first(name: .referer), let url = URLComponents(string: referer),
           url.host == nil || url.host == req.headers.first(name: .host)?.split(separator: ":").first.map(String.init) {
            back = url.percentEncodedPath.isEmpty ? "/" : url.percentEncodedPath + (url.percentEncodedQuery.map { "?" + $0 } ?? "")
        }
        let res = req.redirect(to: back)
        res.cookies["lang"] = HTTPCookies.Value(string: lang.rawValue, maxAge: 365 * 24 * 3600, path: "/", isHTTPOnly: true, sameSite: .lax)
        return res
    }
}
