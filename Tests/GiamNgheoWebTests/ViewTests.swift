@testable import GiamNgheoWeb
import Vapor
import Testing

/// Views render from page values alone: no request, no database.
@Suite struct ViewTests {
    func page(canEdit: Bool) -> VillagesPage {
        var p = VillagesPage(csrf: "tok\"en", commune: "19753", error: nil)
        p.communeName = "Phường Thuận Hóa"
        p.choices = [("19753", "Phường Thuận Hóa"), ("19774", "Phường Phú Xuân")]
        p.rows = [.init(id: 7, name: "Tổ 3 <b>", residentialGroup: true, households: 41, oldCommune: "Phường Vĩnh Ninh", archived: false),
                  .init(id: 8, name: "Thôn Đông", residentialGroup: false, households: 0, oldCommune: "", archived: true)]
        p.canEdit = canEdit
        p.oldCommunes = [("19756", "Phường Vĩnh Ninh")]
        return p
    }

    @Test func theVillagesPageShowsItsRowsEscaped() {
        let html = VillagesView.body(page(canEdit: true), .vi).text
        #expect(html.contains("Thôn, tổ dân phố của Phường Thuận Hóa"))
        #expect(html.contains("Tổ 3 &lt;b&gt;") && !html.contains("Tổ 3 <b>"))
        #expect(html.contains("<td>41</td>") && html.contains("ngừng dùng") && html.contains("Tổ dân phố"))
        #expect(html.contains("action=\"/villages/7/archive\"") && html.contains("action=\"/villages/8/restore\""))
        #expect(html.contains("value=\"tok&quot;en\""), "the CSRF token is escaped like any value")
        #expect(html.contains("<option value=\"19753\" selected>"))
    }

    @Test func readersGetNoForms() {
        let html = VillagesView.body(page(canEdit: false), .vi).text
        #expect(!html.contains("method=\"post\"") && !html.contains("_csrf"))
    }

    @Test func theVillagesPageSpeaksEnglish() {
        let html = VillagesView.body(page(canEdit: true), .en).text
        #expect(html.contains("Villages and residential groups of Phường Thuận Hóa") && html.contains("Residential group"))
        #expect(html.contains("Stop using") && html.contains("Add a village or residential group") && !html.contains("Ngừng dùng"))
    }

    @Test func anEmptyCommuneSaysSo() {
        var p = page(canEdit: false)
        p.rows = []
        #expect(VillagesView.body(p, .vi).text.contains("Chưa khai báo thôn/tổ nào."))
        #expect(VillagesView.body(p, .en).text.contains("No village declared yet."))
    }

    @Test func componentsAddTheCSRFFieldAndEscape() {
        let select = Components.select(name: "k", [("a\"", "<A>")], selected: "a\"", blank: "")
        #expect(select.text == "<select name=\"k\"><option value=\"\"></option><option value=\"a&quot;\" selected>&lt;A&gt;</option></select>")
        #expect(Components.categoryBadge("poor", .en).text == "<span class=\"badge poor\">Poor</span>")
        #expect(Components.pager(next: nil, .vi).text.isEmpty)
    }

    @Test func accountPagesSpeakBothLanguages() {
        var p = PasswordPage(csrf: "t", minimumLength: 10)
        #expect(AccountViews.password(p, .vi).text.contains("Mật khẩu mới (ít nhất 10 ký tự)"))
        #expect(AccountViews.password(p, .en).text.contains("New password (at least 10 characters)"))
        p.done = true
        #expect(AccountViews.password(p, .en).text.contains("Password changed."))
        var u = UsersPage(csrf: "t")
        u.rows = [.init(id: "abc", username: "xa19753", displayName: "Nguyễn <Văn> A", role: .communeOfficer, units: ["19753"])]
        u.created = ("xa19753", "p@ss<1>", false)
        let en = AccountViews.users(u, .en).text
        #expect(en.contains("Commune officer") && en.contains("Nguyễn &lt;Văn&gt; A") && en.contains("<code>p@ss&lt;1&gt;</code>"))
        #expect(en.contains("action=\"/admin/users/abc/reset\"") && en.contains("Reset password"))
        let login = AccountViews.login(LoginPage(csrf: "t", username: "a\"b", next: "/reports", error: "Sai"), .vi).text
        #expect(login.contains("value=\"a&quot;b\"") && login.contains("value=\"/reports\"") && login.contains("role=\"alert\">Sai"))
    }

    @Test func escapingReplacesTheFiveCharactersAndKeepsEverythingElse() {
        #expect(HTML.escape(#"<a href="x">Lê & 'Đào'</a>"#) == "&lt;a href=&quot;x&quot;&gt;Lê &amp; &#39;Đào&#39;&lt;/a&gt;")
        let plain = "Nguyễn Thị Hằng, thôn Đông 😀 e\u{301}"
        #expect(HTML.escape(plain) == plain)
        #expect(HTML.escape("") == "" && HTML.escape("&") == "&amp;" && HTML.escape("ạ>") == "ạ&gt;")
        let name = "Tổ 3 <b>"
        let html: HTML = "<td>\(name)</td><td>\(Optional<String>.none)</td><td>\(42)</td>"
        #expect(html.text == "<td>Tổ 3 &lt;b&gt;</td><td></td><td>42</td>")
    }

    @Test func formFieldsDecodePlusPercentAndLists() {
        let f = Request.fields("q=nguy%E1%BB%85n+th%E1%BB%8B&afterKey=a%09b&empty=&x[]=1&x[]=2&x[]=&flag")
        #expect(f.single["q"] == "nguyễn thị" && f.single["afterKey"] == "a\tb" && f.single["empty"] == "" && f.single["flag"] == "")
        #expect(f.lists["x"] == ["1", "2"])
    }
}
