import Foundation

/// The villages page as values: what the view shows, nothing it could query.
struct VillagesPage: Sendable {
    struct Row: Sendable {
        var id: Int
        var name: String
        var residentialGroup: Bool
        var households: Int
        /// The 2024 commune it belonged to, as a path ("Xã A, Huyện B, Tỉnh C"), or empty.
        var oldCommune: String
        var archived: Bool
    }

    var csrf: String
    var commune: String?
    var communeName = ""
    var error: String?
    /// The communes the user may pick from (more than one: a picker is shown; none: a code field).
    var choices: [(code: String, name: String)] = []
    var rows: [Row] = []
    var canEdit = false
    /// Former communes (2024) the new commune was formed from, for a new village's origin.
    var oldCommunes: [(code: String, name: String)] = []

    init(csrf: String, commune: String?, error: String?) { self.csrf = csrf; self.commune = commune; self.error = error }
}

/// The villages page's markup, from its values alone.
enum VillagesView {
    static func body(_ page: VillagesPage, _ lang: Language) -> HTML {
        func t(_ vi: String, _ en: String) -> String { lang == .en ? en : vi }
        let csrf = Components.csrfField(page.csrf)
        let picker: HTML
        if page.choices.count > 1 {
            picker = """
                <form method="get" action="\(Path.villages)" class="filters"><label>\(t("Xã/phường", "Commune"))\(Components.select(name: "commune", page.choices.map { ($0.code, $0.name) }, selected: page.commune))</label>
                <button type="submit">\(t("Xem", "Show"))</button></form>
                """
        } else if page.choices.isEmpty {
            picker = """
                <form method="get" action="\(Path.villages)" class="filters"><label>\(t("Mã xã/phường (2025)", "Commune code (2025)"))<input name="commune" value="\(page.commune)" inputmode="numeric"></label><button type="submit">\(t("Xem", "Show"))</button></form>
                """
        } else { picker = "" }
        guard let commune = page.commune else { return "<h1>\(t("Thôn, tổ dân phố", "Villages and residential groups"))</h1>\(picker)" }
        let rows: [HTML] = page.rows.map { v in
            let toggle: HTML = page.canEdit ? """
                <form method="post" action="\(Path.village(v.id, v.archived ? "restore" : "archive"))">\(csrf)<button type="submit">\(v.archived ? t("Dùng lại", "Use again") : t("Ngừng dùng", "Stop using"))</button></form>
                """ : ""
            let list = Path.households + "?commune=\(commune)&village=\(v.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? v.name)"
            return """
            <tr><td><a href="\(list)">\(v.name)</a></td><td>\(v.residentialGroup ? t("Tổ dân phố", "Residential group") : t("Thôn", "Village"))</td>
            <td>\(v.households)</td><td>\(v.oldCommune)</td><td>\(v.archived ? t("ngừng dùng", "not in use") : t("đang dùng", "in use"))</td><td class="noprint">\(toggle)</td></tr>
            """
        }
        let add: HTML = page.canEdit ? """
            <h2>\(t("Thêm thôn/tổ dân phố", "Add a village or residential group"))</h2>
            <form method="post" action="\(Path.villages)" class="filters">
              \(csrf)
              <input type="hidden" name="commune" value="\(commune)">
              <label>\(t("Tên", "Name"))<input name="name" required placeholder="Thôn 13"></label>
              <label>\(t("Loại", "Kind"))<select name="kind"><option value="thon">\(t("Thôn (bản, ấp, buôn…)", "Village (thôn, bản, ấp, buôn…)"))</option><option value="to">\(t("Tổ dân phố", "Residential group"))</option></select></label>
              <label>\(t("Thuộc xã/phường cũ (trước 01/07/2025)", "Former commune (before 1 July 2025)"))\(Components.select(name: "oldCommune", page.oldCommunes.map { ($0.code, "\($0.name) (\($0.code))") }, selected: nil, blank: ""))</label>
              <button class="primary" type="submit">\(t("Thêm", "Add"))</button>
            </form>
            """ : ""
        return """
        <h1>\(t("Thôn, tổ dân phố của", "Villages and residential groups of")) \(page.communeName)</h1>
        \(picker)
        \(Components.alert(page.error))
        \(Components.table(head: [t("Tên", "Name"), t("Loại", "Kind"), t("Số hộ", "Households"), t("Xã/phường cũ (cấu trúc 2024)", "Former commune (2024 structure)"), t("Trạng thái", "Status"), ""],
                           rows: rows, empty: t("Chưa khai báo thôn/tổ nào.", "No village declared yet.")))
        \(add)
        """
    }
}
