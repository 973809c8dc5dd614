import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoStorage
import GiamNgheoWeb
import Testing
import Vapor
import VaporTesting

/// The review's first step: the province opens the year's rounds; a commune sees its list and records requests.
@Suite(.serialized) struct ReviewTests {
    @Test func provinceOpensRoundsAndTheCommuneListsItsHouseholds() async throws {
        try await withTestApp(households: 80) { app, accounts in
            let officer = accounts.first(.communeOfficer)
            let commune = officer.units[0]
            // A commune officer cannot open the province's rounds.
            var o = Browser(app)
            try await o.login(officer)
            #expect(try await o.post("/reviews/open", ["province": "46", "year": "2026"]).status == .forbidden)
            var p = Browser(app)
            try await p.login(accounts.first(.provinceOfficer))
            _ = try await p.get("/reviews")
            let unknown = try await p.post("/reviews/open", ["province": "99", "year": "2026"])
            #expect(unknown.status == .unprocessableEntity && unknown.body.contains("Mã tỉnh/thành phố &#39;99&#39; không có"))
            let opened = try await p.post("/reviews/open", ["province": "46", "year": "2026"])
            let communes = app.registry.units.communes(ofProvince: "46").count
            #expect(opened.status == .ok && opened.body.contains("Đã mở \(communes) kỳ rà soát mới."))
            #expect(try await ReviewRound.query(on: app.db).count() == communes)
            // Opening again changes nothing.
            #expect(try await p.post("/reviews/open", ["province": "46", "year": "2026"]).body.contains("Đã mở 0 kỳ rà soát mới."))
            let round = try #require(try await ReviewRound.query(on: app.db).filter(\.$communeCode == commune).first())
            #expect(round.standard == "vn-nd07-2022" && round.startsOn == "2026-09-01" && round.endsOn == "2026-12-14" && round.step == "LIST")
            // The commune sees only its own round; its list is its poor and near-poor households.
            let mine = try await o.get("/reviews")
            #expect(mine.body.contains("/reviews/\(round.id!)") && mine.body.components(separatedBy: "<td><a href=\"/reviews/").count == 2)
            let page = try await o.get("/reviews/\(round.id!)")
            #expect(page.status == .ok && !page.body.contains("Báo cáo, xin ý kiến Chủ tịch UBND cấp huyện"))
            #expect(page.body.contains("ít nhất 50 % người dự họp đồng ý") && page.body.contains("biên bản 2 bản"))
            // Posting as QĐ 967/QĐ-BNNMT gives it: 3 working days, re-check within 7 working days, posted again for 3.
            #expect(page.body.contains("3 ngày làm việc") && page.body.contains("không quá 7 ngày làm việc kể từ ngày nhận")
                    && page.body.contains("niêm yết lại kết quả phúc tra 3 ngày làm việc"))
            let poorOrNear = try await HouseholdRecord.query(on: app.db).filter(\.$communeCode == commune)
                .filter(\.$category ~~ ["poor", "nearPoor"]).all()
            #expect(page.body.contains("(\(poorOrNear.count) hộ)"))
            // A household brings Form 01: it joins the list with the date and channel.
            let other = try #require(try await HouseholdRecord.query(on: app.db).filter(\.$communeCode == commune)
                .filter(\.$category == "notPoor").first())
            let future = try await o.post("/reviews/\(round.id!)/requests", ["household": other.code, "form": "01", "receivedOn": "20/12/2026", "channel": "direct"])
            #expect(future.status == .unprocessableEntity && future.body.contains("ở sau ngày hôm nay"))
            let added = try await o.post("/reviews/\(round.id!)/requests", ["household": other.code, "form": "01", "receivedOn": "15/09/2026", "channel": "post"])
            #expect(added.status == .seeOther)
            let after = try await o.get("/reviews/\(round.id!)")
            #expect(after.body.contains("(\(poorOrNear.count + 1) hộ)") && after.body.contains("Mẫu số 01 nhận 15/09/2026 (qua bưu điện)"))
            // Another commune's household cannot be recorded here; another commune's round is not found.
            let foreign = try await HouseholdRecord.query(on: app.db).filter(\.$communeCode != commune).first()!
            let refused = try await o.post("/reviews/\(round.id!)/requests", ["household": foreign.code, "form": "04", "receivedOn": "15/09/2026", "channel": "direct"])
            #expect(refused.status == .unprocessableEntity && refused.body.contains("Không tìm thấy hộ"))
            let otherRound = try await ReviewRound.query(on: app.db).filter(\.$communeCode != commune).first()!
            #expect(try await o.get("/reviews/\(otherRound.id!)").status == .notFound)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "review.request").count() == 1)
        }
    }
}
