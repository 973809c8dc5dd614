import GiamNgheoCore
import GiamNgheoStorage
import Vapor

/// The vocabulary pages are built from. A POST form gets its CSRF field from here, never by hand.
enum Components {
    /// A POST form with this session's CSRF token.
    static func postForm(_ req: Request, action: String, class cls: String? = nil, _ body: HTML) -> HTML {
        "<form method=\"post\" action=\"\(action)\"\(cls.map { HTML(" class=\"\($0)\"") } ?? "")>\(req.csrfField)\(body)</form>"
    }

    /// `<select>` with the chosen value marked.
    static func select(name: String, _ options: [(value: String, label: String)], selected: String?, blank: String? = nil) -> HTML {
        let opts: [HTML] = options.map { o in "<option value=\"\(o.value)\"\(o.value == selected ? " selected" : "")>\(o.label)</option>" }
        return "<select name=\"\(name)\">\(blank.map { HTML("<option value=\"\">\($0)</option>") } ?? "")\(opts)</select>"
    }

    /// A scrolling table with a header row; `empty` fills it when there are no rows.
    static func table(head: [String], rows: [HTML], empty: String, class cls: String? = nil) -> HTML {
        let th: [HTML] = head.map { "<th>\($0)</th>" }
        let body: [HTML] = rows.isEmpty ? ["<tr><td colspan=\"\(max(head.count, 1))\">\(empty)</td></tr>"] : rows
        return "<div class=\"scroll\"><table\(cls.map { HTML(" class=\"\($0)\"") } ?? "")><thead><tr>\(th)</tr></thead><tbody>\(body)</tbody></table></div>"
    }

    /// The category of a household as a coloured badge.
    static func categoryBadge(_ category: String, _ lang: Language = .vi) -> HTML {
        let en = lang == .en
        let label: String
        switch Category(rawValue: category) {
        case .poor: label = en ? "Poor" : "Hộ nghèo"
        case .nearPoor: label = en ? "Near-poor" : "Hộ cận nghèo"
        case .middleIncome: label = en ? "Middle income" : "Mức sống trung bình"
        case .notPoor: label = en ? "Not poor" : "Không thuộc diện"
        case nil: label = category == HouseholdRecord.incomplete ? (en ? "Incomplete" : "Chưa đủ thông tin") : (en ? "Not poor" : "Không thuộc diện")
        }
        return "<span class=\"badge \(category)\">\(label)</span>"
    }

    /// Marks an item the law's text could not confirm: administrator-editable, shown as such.
    static let unverifiedBadge: HTML = "<span class=\"badge unverified\" title=\"Chưa đối chiếu văn bản gốc\">chưa xác minh</span>"

    /// "Next page" for keyset lists: the link carries the cursor, nothing is counted again.
    static func pager(next: String?, _ lang: Language) -> HTML {
        guard let next else { return "" }
        return "<p class=\"noprint\"><a href=\"\(next)\">\(lang == .en ? "Next page →" : "Trang sau →")</a></p>"
    }

    /// An error message for the top of a form.
    static func alert(_ message: String?) -> HTML {
        message.map { "<p class=\"error\" role=\"alert\">\($0)</p>" } ?? ""
    }
}

extension Components {
    /// The hidden field that carries the session's CSRF token in a POST form (views get the token as a value).
    static func csrfField(_ token: String) -> HTML { "<input type=\"hidden\" name=\"\(CSRFMiddleware.field)\" value=\"\(token)\">" }
}

extension Request {
    /// The hidden field that carries this session's CSRF token in a POST form.
    var csrfField: HTML { Components.csrfField(csrfToken) }
}
