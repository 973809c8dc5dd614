import GiamNgheoCore
import GiamNgheoStorage
import Vapor

/// The page frame: Vietnamese, readable at 1366×768 and on a phone, printable on A4.
enum Layout {
    static func page(_ req: Request, title: String, _ body: HTML) -> HTML {
        let nav: HTML
        if let user = req.currentUser {
            // The menu is what the mounted features declared, minus what this role may not open.
            let entries: [HTML] = req.application.navigation.filter { $0.access.admits(user.role) }
                .map { "<a href=\"\($0.path)\">\(req.t($0.vi, $0.en))</a>" }
            nav = """
            \(entries)
            <span class="who"><a href="\(Path.accountPassword)" title="\(req.t("Đổi mật khẩu", "Change password"))">\(user.displayName)</a> · \(req.language == .en ? user.role.english : user.role.vietnamese)</span>
            \(Components.postForm(req, action: Path.logout, "<button type=\"submit\">\(req.t("Đăng xuất", "Log out"))</button>"))
            """
        } else { nav = "" }
        let other: HTML = req.language == .en
            ? "<a class=\"lang\" href=\"\(Path.language("vi"))\" lang=\"vi\">Tiếng Việt</a>"
            : "<a class=\"lang\" href=\"\(Path.language("en"))\" lang=\"en\">English</a>"
        return """
        <!doctype html>
        <html lang="\(req.language.rawValue)"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title) · GiamNgheo</title><link rel="stylesheet" href="\(Path.appCSS)"><script src="\(Path.appJS)" defer></script></head>
        <body><header><a href="\(Path.root)">GiamNgheo</a>\(nav)\(other)</header><main>\(body)</main></body></html>
        """
    }

    static func categoryBadge(_ category: String, _ lang: Language = .vi) -> HTML { Components.categoryBadge(category, lang) }
    static var unverifiedBadge: HTML { Components.unverifiedBadge }

    /// `0461•••••789`: enough to tell people apart on a list, not enough to misuse.
    static func maskedID(_ id: String?, reveal: Bool) -> String {
        guard let id else { return "" }
        return reveal ? id : Format.maskedID(id)
    }
}
