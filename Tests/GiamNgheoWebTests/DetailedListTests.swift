import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoReports
import GiamNgheoStorage
@testable import GiamNgheoWeb
import SQLKit
import Testing
import Vapor

/// Forms 14/15: the detailed lists have exactly form 1's households and persons, tick the support the ledger
/// recorded that year (a voided record ticks nothing), download as xlsx, and stay within the user's communes.
@Suite(.serialized) struct DetailedListWebTests {
    struct Figure: Decodable { var households: Int?; var persons: Int? }

    /// What form 1 counts for the commune: its total cells in the summaries.
    static func form1(_ app: Application, commune: String, year: Int, category: String) async throws -> (Int, Int) {
        let f = try await (app.db as! any SQLDatabase).raw("""
            SELECT CAST(SUM(households) AS BIGINT) AS households, CAST(SUM(persons) AS BIGINT) AS persons FROM report_cells
            WHERE year = \(bind: year) AND commune_code = \(bind: commune) AND village = '*' AND dim = 'all' AND category = \(bind: category)
            """).first(decoding: Figure.self)
        return (f?.households ?? 0, f?.persons ?? 0)
    }

    static func total(_ body: String) -> (Int, Int)? {
        guard let r = body.range(of: "Tổng cộng: ") else { return nil }
        let words = body[r.upperBound...].prefix(60).split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        return words.count >= 2 ? (words[0], words[1]) : nil
    }

    @Test func listsAgreeWithForm1AndTickTheLedgersSupport() async throws {
        try await withTestApp(households: 300) { app, accounts in
            var (_, commune, b) = try await SupportWebTests.signedIn(app, accounts)
            let year = app.registry.store.summaryYear
            for kind in DetailedList.Kind.allCases {
                let page = try await b.get("/reports/lists/\(kind.slug)?year=\(year)")
                #expect(page.status == .ok && page.body.contains("Biểu \(kind.formNumber)") && page.body.contains("chưa xác minh"))
                let expected = try await Self.form1(app, commune: commune, year: year, category: kind.category.rawValue)
                let shown = try #require(Self.total(page.body))
                #expect(shown == expected, "\(kind): list \(shown), form 1 \(expected)")
                #expect(expected.0 > 0, "the demo commune has \(kind) households")
            }
            // Earlier years read the recognised history (not today's category), and agree with form 1 too; so does
            // form 1's own drill-down to the households behind the figure.
            var differs = false
            for y in try await Summaries.years(on: app.db) where y < year {
                let expected = try await Self.form1(app, commune: commune, year: y, category: "poor")
                let shown = try #require(Self.total(try await b.get("/reports/lists/ngheo?year=\(y)").body))
                #expect(shown == expected, "\(y): list \(shown), form 1 \(expected)")
                let drill = try await b.get("/reports/ket-qua/households?year=\(y)&structure=2025&unit=\(commune)&row=&col=poor&area=")
                #expect(drill.body.contains(": \(expected.0) hộ</h1>"), "\(y): drill-down of form 1's poor households")
                if expected != (try await Self.form1(app, commune: commune, year: year, category: "poor")) { differs = true }
            }
            #expect(differs, "the demo's history differs from this year somewhere, so the check above can fail")

            // A loan recorded this year ticks "Tín dụng" on the household's row; voided, the tick goes.
            let poor = try await SupportWebTests.household(app, commune: commune, listed: "poor", current: "poor")
            func creditTicked(_ body: String) -> Bool {
                guard let at = body.range(of: ">\(poor.code)</a>") else { Issue.record("household \(poor.code) not on the list"); return false }
                return body[at.upperBound...].components(separatedBy: "</tr>")[0].contains("data-group=\"credit\"")
            }
            struct ID: Decodable { var id: Int }
            func live() async throws -> [Int] {
                try await (app.db as! any SQLDatabase).raw("SELECT id FROM support_records WHERE household_id = \(bind: poor.id) AND voided_reason IS NULL")
                    .all(decoding: ID.self).map(\.id)
            }
            for id in try await live() { #expect(try await b.post("/support/\(id)/void", ["reason": "Thử danh sách"]).status == .seeOther) }
            #expect(creditTicked(try await b.get("/reports/lists/ngheo?year=\(year)").body) == false)
            let ok = try await b.post("/support", ["household": poor.code, "policy": "tindung-ngheo", "amount": "20000000", "date": "01/10/\(year)",
                                                   "source": "credit", "reason": "Thử danh sách"])
            #expect(ok.status == .seeOther)
            #expect(creditTicked(try await b.get("/reports/lists/ngheo?year=\(year)").body))
            let recorded = try await live()
            #expect(recorded.count == 1)
            #expect(try await b.post("/support/\(recorded[0])/void", ["reason": "Ghi nhầm"]).status == .seeOther)
            #expect(creditTicked(try await b.get("/reports/lists/ngheo?year=\(year)").body) == false)

            // xlsx: one row per member, the household's code, the same total.
            let file = try await download(app, b, "/reports/lists/ngheo/xlsx?year=\(year)&commune=\(commune)")
            defer { try? FileManager.default.removeItem(at: file) }
            let reader = try XLSXReader(url: file)
            var texts: [String] = []
            var households = 0
            try reader.rows(sheet: "Biểu 15") { r, cells in
                for c in cells { if case .text(let t) = c.value { texts.append(t) } }
                if case .number? = cells.first(where: { $0.column == 0 })?.value { households += 1 }
            }
            let expected = try await Self.form1(app, commune: commune, year: year, category: "poor")
            #expect(households == expected.0 && texts.contains(poor.code))
            #expect(texts.contains("Tổng cộng: \(expected.0) hộ, \(expected.1) nhân khẩu"))

            // Another commune's list is not this officer's; an unknown code is named.
            let other = try #require(accounts.first { $0.role == .communeOfficer && $0.units != [commune] }?.units.first)
            #expect(try await b.get("/reports/lists/ngheo?commune=\(other)").status == .forbidden)
            let unknown = try await b.get("/reports/lists/ngheo?commune=99999")
            #expect(unknown.status == .unprocessableEntity && unknown.body.contains("99999"))
            #expect(try await b.get("/reports/lists/khac").status == .notFound)

            // The province officer chooses a commune first, then sees the same list.
            var p = Browser(app)
            try await p.login(accounts.first(.provinceOfficer))
            let chooser = try await p.get("/reports/lists/ngheo?year=\(year)")
            #expect(chooser.status == .ok && chooser.body.contains("hãy chọn một xã/phường"))
            let chosen = try #require(Self.total(try await p.get("/reports/lists/ngheo?year=\(year)&commune=\(commune)").body))
            #expect(chosen == expected)
        }
    }
}
