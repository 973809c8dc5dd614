import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoReports
import GiamNgheoStorage
@testable import GiamNgheoWeb
import SQLKit
import Testing
import Vapor

/// Issue 7: plans, the support ledger with its eligibility warnings and staged import, the fund, monitoring,
/// and the public page that shows who got what without identifying anyone.
@Suite(.serialized) struct SupportWebTests {
    struct H: Decodable { var id: Int; var code: String; var head_name: String; var commune_code: String; var category: String; var facts: String }

    /// A household of the commune whose recognised category last year (the list in force now) is `listed`.
    static func household(_ app: Application, commune: String, listed: String?, current: String? = nil) async throws -> H {
        let sql = app.db as! any SQLDatabase
        let rows = try await sql.raw("""
            SELECT h.id, h.code, h.head_name, h.commune_code, h.category, h.facts FROM households h JOIN household_years y ON y.household_id = h.id
            WHERE h.commune_code = \(bind: commune) AND y.year = 2025 AND y.recognised AND (y.category = \(bind: listed ?? "") OR \(bind: listed == nil))
            AND h.archived_reason IS NULL ORDER BY h.id
            """).all(decoding: H.self)
        return try #require(rows.first { current == nil || $0.category == current! })
    }

    /// The demo's first commune officer, signed in, with their commune.
    static func signedIn(_ app: Application, _ accounts: [Account]) async throws -> (Account, String, Browser) {
        let officer = accounts.first(.communeOfficer)
        var b = Browser(app)
        try await b.login(officer)
        return (officer, officer.units[0], b)
    }

    static func count(_ app: Application, _ where: String) async throws -> Int {
        struct N: Decodable { var n: Int }
        return try await (app.db as! any SQLDatabase).raw(SQLQueryString("SELECT COUNT(*) AS n FROM support_records WHERE " + `where`)).first(decoding: N.self)!.n
    }

    @Test func planSupportWarningDisclosureAndPublicPage() async throws {
        try await withTestApp(households: 300) { app, accounts in
            var (_, commune, b) = try await Self.signedIn(app, accounts)
            let poor = try await Self.household(app, commune: commune, listed: "poor")
            // The plan: commitment, helper, needs per deprived indicator; saved, then a stale save is refused.
            let page = try await b.get("/households/\(poor.id)/plan")
            #expect(page.status == .ok && page.body.contains("Nhu cầu hỗ trợ theo chỉ số thiếu hụt"))
            let version = try #require(page.body.range(of: "name=\"version\" value=\"").map { String(page.body[$0.upperBound...].prefix { $0 != "\"" }) })
            let saved = try await b.post("/households/\(poor.id)/plan?year=2026", ["version": version, "commitment": "1", "helper_name": "Lê Thị Hằng",
                                                                                   "helper_org": "Hội Liên hiệp Phụ nữ", "need_count": "1", "need_indicator_0": "YT2",
                                                                                   "need_policy_0": "bhyt-ngheo", "need_text_0": "Thẻ BHYT cho cả hộ"])
            #expect(saved.status == .seeOther)
            let stale = try await b.post("/households/\(poor.id)/plan?year=2026", ["version": version, "helper_name": "Người khác", "need_count": "0"])
            #expect(stale.status == .conflict)
            let plan = try await b.get("/households/\(poor.id)/plan")
            #expect(plan.body.contains("Lê Thị Hằng") && plan.body.contains("Thẻ BHYT cho cả hộ") && !plan.body.contains("Người khác"))
            let visit = try await b.post("/households/\(poor.id)/visits", ["date": "20/10/2026", "visitor": "Lê Thị Hằng", "note": "Hướng dẫn làm hồ sơ vay vốn"])
            #expect(visit.status == .seeOther)
            #expect(try await b.get("/households/\(poor.id)/plan").body.contains("Hướng dẫn làm hồ sơ vay vốn"))

            // An eligible support is recorded at once and shows on the household's plan.
            let before = try await Self.count(app, "household_id = \(poor.id)")
            let ok = try await b.post("/support", ["household": poor.code, "policy": "tindung-ngheo", "amount": "47.300.000", "date": "01/10/2026", "source": "credit"])
            #expect(ok.status == .seeOther && ok.location == "/households/\(poor.id)/plan#support")
            #expect(try await Self.count(app, "household_id = \(poor.id)") == before + 1)

            // An ineligible one: warned with the reason, nothing written until a reason is given.
            let rich = try await Self.household(app, commune: commune, listed: "notPoor", current: "notPoor")
            let richBefore = try await Self.count(app, "household_id = \(rich.id)")
            let warned = try await b.post("/support", ["household": rich.code, "policy": "tindung-ngheo", "amount": "30000000", "date": "02/10/2026", "source": "credit"])
            #expect(warned.status == .ok && warned.body.contains("Cảnh báo: hộ không đúng đối tượng") && warned.body.contains("dành cho: hộ nghèo"))
            #expect(try await Self.count(app, "household_id = \(rich.id)") == richBefore)
            let kept = try await b.post("/support", ["household": rich.code, "policy": "tindung-ngheo", "amount": "30000000", "date": "02/10/2026", "source": "credit",
                                                     "reason": "Quyết định riêng của UBND xã số 12/QĐ-UBND"])
            #expect(kept.status == .seeOther)
            #expect(try await Self.count(app, "household_id = \(rich.id) AND eligible = 0 AND override_reason LIKE 'Quyết định riêng%'") == 1)
            // The household page's block agrees with the ledger: helper, commitment, records, a total without credit.
            struct Sum: Decodable { var n: Int; var total: Int }
            let ledger = try await (app.db as! any SQLDatabase).raw("""
                SELECT CAST(COUNT(*) AS BIGINT) AS n, CAST(COALESCE(SUM(CASE WHEN form <> 'credit' THEN amount ELSE 0 END), 0) AS BIGINT) AS total
                FROM support_records WHERE household_id = \(bind: poor.id) AND voided_reason IS NULL
                """).first(decoding: Sum.self)!
            let shown = try await b.get("/households/\(poor.id)").body
            #expect(ledger.n > 0 && shown.contains("Người giúp đỡ năm 2026: Lê Thị Hằng, Hội Liên hiệp Phụ nữ · đã đăng ký thoát nghèo"))
            #expect(shown.contains("\(ledger.n) khoản hỗ trợ, \(SupportController.money(ledger.total)) đồng") && !shown.contains("có khoản không đúng đối tượng"), "\(ledger)")
            let richPage = try await b.get("/households/\(rich.id)").body
            #expect(richPage.contains("chưa phân công") && richPage.contains("có khoản không đúng đối tượng"))
            let flagged = try await b.get("/support?ineligible=1&commune=\(commune)")
            #expect(flagged.body.contains(rich.code) && flagged.body.contains("Quyết định riêng của UBND xã số 12/QĐ-UBND"))

            // Bad input: a clear message naming the field, nothing written.
            let bad = try await b.post("/support", ["household": poor.code, "policy": "tindung-ngheo", "amount": "năm mươi", "date": "31/02/2026", "source": ""])
            #expect(bad.status == .unprocessableEntity && bad.body.contains("số tiền &#39;năm mươi&#39; không hợp lệ") && bad.body.contains("&#39;31/02/2026&#39; không hợp lệ"))
            #expect(try await Self.count(app, "household_id = \(poor.id)") == before + 1)

            // The village's posting list: head's name, support, amount, date; no ID number, no birth date.
            let village = try #require(try await app.registry.store.get(Scope(username: "t", role: .admin, units: [], adminUnits: app.registry.units), id: poor.id, on: app.db).village)
            let posting = try await b.get("/support/disclosure?commune=\(commune)&village=\(village.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&from=01/01/2026&to=31/10/2026")
            #expect(posting.status == .ok && posting.body.contains("DANH SÁCH CÔNG KHAI CÁC KHOẢN HỖ TRỢ") && posting.body.contains(poor.head_name))
            #expect(posting.body.contains("47.300.000") && posting.body.contains("01/10/2026"))
            let head = try app.registry.store.household(facts: poor.facts).head
            if let nid = head?.nationalID { #expect(!posting.body.contains(nid)) }

            // The public page, without logging in: figures and lists, no personal identifiers at all.
            var anonymous = Browser(app)
            let pub = try await anonymous.get("/public/\(commune)")
            #expect(pub.status == .ok && pub.body.contains("Công khai hỗ trợ giảm nghèo") && pub.body.contains("Quỹ Vì người nghèo"))
            #expect(pub.body.contains(Disclosure.initials(poor.head_name)) && pub.body.contains("47.300.000"))
            try await Self.expectNoPersonalData(app, pub.body, commune: commune)
            let byVillage = try await anonymous.get("/public/\(commune)?village=\(village.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
            #expect(byVillage.body.contains("Thôn, tổ: \(village) ·") && byVillage.body.contains("47.300.000") && byVillage.body.contains("<b>\(village)</b>"))
            try await Self.expectNoPersonalData(app, byVillage.body, commune: commune)
            #expect(try await anonymous.get("/support").location?.hasPrefix("/login") == true)
            #expect(try await anonymous.get("/public").body.contains("/public/\(commune)"))
            #expect(try await anonymous.get("/public/99999").status == .notFound)

            // A voided record leaves the public list; the audit trail keeps both.
            struct I: Decodable { var id: Int }
            let id = try #require(try await (app.db as! any SQLDatabase).raw("SELECT id FROM support_records WHERE household_id = \(bind: poor.id) AND policy_code = 'tindung-ngheo'")
                .first(decoding: I.self)?.id)
            #expect(try await b.post("/support/\(id)/void", ["reason": ""]).status == .unprocessableEntity)
            #expect(try await b.post("/support/\(id)/void", ["reason": "Ghi nhầm hộ"]).status == .seeOther)
            let after = try await anonymous.get("/public/\(commune)")
            #expect(!after.body.contains("47.300.000"))
            let audit = try await AuditEntry.query(on: app.db).filter(\.$householdID == poor.id).all().map(\.action)
            #expect(audit.contains("support.record") && audit.contains("support.void") && audit.contains("support.plan") && audit.contains("support.visit"))
        }
    }

    /// Nothing that identifies a person: no head's name, household code, national ID or birth date of any
    /// household of the commune appears on the public page.
    static func expectNoPersonalData(_ app: Application, _ body: String, commune: String) async throws {
        let sql = app.db as! any SQLDatabase
        let rows = try await sql.raw("SELECT id, code, head_name, commune_code, category, facts FROM households WHERE commune_code = \(bind: commune)").all(decoding: H.self)
        #expect(!rows.isEmpty)
        for r in rows {
            #expect(!body.contains(r.code), "household code \(r.code) on the public page")
            if r.head_name.split(separator: " ").count > 1 { #expect(!body.contains(r.head_name), "name of \(r.code) on the public page") }
            let h = try app.registry.store.household(facts: r.facts)
            for m in h.members {
                if let nid = m.nationalID { #expect(!body.contains(nid)) }
                if let name = m.name, name.split(separator: " ").count > 1 { #expect(!body.contains(name)) }
                if let bd = m.birthDate { #expect(!body.contains(bd.vietnamese)) }
            }
        }
    }

    @Test func stagedImportIsAllOrNothingAndIneligibleRowsNeedAReason() async throws {
        try await withTestApp(households: 300) { app, accounts in
            var (officer, commune, b) = try await Self.signedIn(app, accounts)
            let poor = try await Self.household(app, commune: commune, listed: "poor")
            let near = try await Self.household(app, commune: commune, listed: "nearPoor")
            let rich = try await Self.household(app, commune: commune, listed: "notPoor", current: "notPoor")
            let other = try #require(accounts.named("xa").first { $0.units != officer.units }).units[0]
            let foreign = try await Self.household(app, commune: other, listed: nil)
            let start = try await Self.count(app, "1 = 1")
            func csv(_ rows: [String]) -> Data { Data(("Mã hộ,Chính sách,Số tiền,Ngày,Nguồn kinh phí,Lý do\n" + rows.joined(separator: "\n") + "\n").utf8) }

            // Errors name their rows; the batch cannot be committed and nothing is written.
            let bad = try await b.upload("/support/import", files: [("file", "ho-tro.csv", csv([
                "\(poor.code),quatet,500.000,20/01/2026,quỹ,",
                "\(foreign.code),quatet,500.000,20/01/2026,quỹ,",
                "KHONG-CO,quatet,500.000,20/01/2026,quỹ,",
                "\(near.code),chinh-sach-la,1,20/01/2026,quỹ,",
                "\(near.code),quatet,500.000,20/13/2026,quỹ,",
                "\(poor.id),quatet,500.000,20/01/2026,quỹ,"]))])
            #expect(bad.status == .seeOther)
            let badPage = try await b.get(try #require(bad.location))
            #expect(badPage.body.contains("Dòng 3: mã hộ &#39;\(foreign.code)&#39; không có trong sổ hộ của địa bàn bạn phụ trách"))
            #expect(badPage.body.contains("Dòng 4: mã hộ &#39;KHONG-CO&#39;") && badPage.body.contains("Dòng 5: chính sách &#39;chinh-sach-la&#39;"))
            #expect(badPage.body.contains("Dòng 6: ngày &#39;20/13/2026&#39; không hợp lệ") && !badPage.body.contains("/commit"))
            // An internal id is not a household code: never matched to some household.
            #expect(badPage.body.contains("Dòng 7: mã hộ &#39;\(poor.id)&#39; không có trong sổ hộ"))
            let badID = bad.location!.split(separator: "/").last!
            #expect(try await b.post("/support/import/\(badID)/commit", [:]).status == .unprocessableEntity)
            #expect(try await Self.count(app, "1 = 1") == start)

            // A clean file with one ineligible row: committing asks for the reason, then writes every row.
            let good = try await b.upload("/support/import", files: [("file", "ho-tro.csv", csv([
                "\(poor.code),quatet,500.000,20/01/2026,quỹ,",
                "\(near.code),quatet,300000,21/01/2026,ngân sách địa phương,",
                "\(rich.code),quatet,500.000,22/01/2026,quỹ,"]))])
            let goodPage = try await b.get(try #require(good.location))
            #expect(goodPage.body.contains("1 dòng không đúng đối tượng") && goodPage.body.contains(rich.code))
            let goodID = good.location!.split(separator: "/").last!
            let noReason = try await b.post("/support/import/\(goodID)/commit", [:])
            #expect(noReason.status == .unprocessableEntity && noReason.body.contains("chưa có lý do (dòng 4)"))
            #expect(try await Self.count(app, "1 = 1") == start)
            #expect(try await b.post("/support/import/\(goodID)/commit", ["reason": "Hộ gặp thiên tai, UBND xã quyết định"]).status == .seeOther)
            #expect(try await Self.count(app, "1 = 1") == start + 3)
            #expect(try await Self.count(app, "batch_id = \(goodID) AND eligible = 0 AND override_reason = 'Hộ gặp thiên tai, UBND xã quyết định'") == 1)
            // A second commit of the same file is refused: nothing is written twice.
            #expect(try await b.post("/support/import/\(goodID)/commit", ["reason": "x"]).status == .unprocessableEntity)
            #expect(try await Self.count(app, "1 = 1") == start + 3)

            // An xlsx works the same way (header row found below a title row).
            let x = try Self.xlsx(title: "Danh sách hỗ trợ tháng 2", rows: [["Mã hộ", "Chính sách", "Số tiền", "Ngày", "Nguồn"],
                                                                            [poor.code, "Hỗ trợ tiền điện cho hộ nghèo", "150000", "05/02/2026", "địa phương"]])
            let xl = try await b.upload("/support/import", files: [("file", "ho-tro.xlsx", x)])
            let xlID = xl.location!.split(separator: "/").last!
            #expect(try await b.post("/support/import/\(xlID)/commit", [:]).status == .seeOther)
            #expect(try await Self.count(app, "batch_id = \(xlID) AND policy_code = 'tiendien' AND amount = 150000") == 1)

            // The ledger finds a head by name without accents (đ → d), and downloads as xlsx with amounts as numbers.
            let folded = VietnameseText.fold(poor.head_name).uppercased()
            let found = try await b.get("/support?commune=\(commune)&q=\(folded.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
            #expect(found.body.contains(poor.code) && !found.body.contains(rich.code))
            let file = try await download(app, b, "/support/export.xlsx?commune=\(commune)")
            defer { try? FileManager.default.removeItem(at: file) }
            var amounts: [Int] = []
            _ = try XLSXReader(url: file).rows(sheet: "Sổ hỗ trợ") { n, cells in
                if n > 1, let c = cells.first(where: { $0.column == 8 }), case .number(let v) = c.value { amounts.append(Int(v) ?? -1) }
            }
            let recorded = try await Self.count(app, "commune_code = '\(commune)' AND voided_reason IS NULL")
            #expect(amounts.contains(150_000) && amounts.count == recorded)
            // The disclosure list prints one sheet per village.
            let villages = Set(try await app.registry.support!.records(nil, { var f = SupportStore.RecordFilter(); f.communes = [commune]
                f.from = CivilDate(year: 2026, month: 1, day: 1); f.to = CivilDate(year: 2026, month: 11, day: 1); f.limit = 100_000; return f }(), on: app.db).compactMap(\.village))
            let sheets = try await b.get("/support/disclosure?commune=\(commune)").body.components(separatedBy: "class=\"doc sheet\"").count - 1
            #expect(villages.count > 1 && sheets == villages.count)

            // The province reads but does not record supports.
            var p = Browser(app)
            try await p.login(accounts.first(.provinceOfficer))
            #expect(try await p.get("/support?commune=\(commune)").body.contains(poor.code))
            #expect(try await p.post("/support", ["household": poor.code, "policy": "quatet", "amount": "1", "date": "01/02/2026", "source": "local"]).status == .forbidden)
            // Another commune's officer does not see this commune's records.
            var o = Browser(app)
            try await o.login(try #require(accounts.named("xa").first { $0.units != officer.units }))
            #expect(try await o.get("/support?commune=\(commune)").status == .notFound)
            #expect(!(try await o.get("/support").body.contains(poor.code)))
        }
    }

    /// A workbook as an office program would send it: a title row, then the header and the rows.
    static func xlsx(title: String, rows: [[String]]) throws -> Data {
        let w = try XLSXWriter()
        let sheet = try w.startSheet("Hỗ trợ", header: [title], widths: [20])
        for r in rows { try w.append(r.map { GiamNgheoReports.Cell.text($0) }, to: sheet) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("giamngheo-\(UUID().uuidString).xlsx")
        defer { try? FileManager.default.removeItem(at: url) }
        try w.finish(to: url)
        return try Data(contentsOf: url)
    }
}
