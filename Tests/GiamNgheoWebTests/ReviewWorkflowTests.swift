import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoStorage
import GiamNgheoWeb
import Testing
import Vapor
import VaporTesting

/// A periodic round from the list to the province's approval, a regular round with a refusal, and the
/// rules that guard them: step gates, the 50 % meeting rule, complaints, locks, scope and stale versions.
@Suite(.serialized) struct ReviewWorkflowTests {
    func version(_ app: Application, _ id: Int) async throws -> String { "\(try await ReviewRound.find(id, on: app.db)!.version)" }
    func caseOf(_ app: Application, _ round: Int, _ household: Int) async throws -> ReviewCase {
        try await ReviewCase.query(on: app.db).filter(\.$roundID == round).filter(\.$householdID == household).first()!
    }
    func finish(_ b: inout Browser, _ app: Application, _ c: ReviewCase, _ extra: [String: String] = [:]) async throws -> (status: HTTPStatus, body: String, location: String?) {
        let h = try await HouseholdRecord.find(c.householdID, on: app.db)!
        let fresh = try await ReviewCase.find(c.id!, on: app.db)!
        var form = ["enumerator": "Lò Thị Mai", "surveyedOn": "20/10/2026", "action": "finish", "version": "\(h.version)", "caseVersion": "\(fresh.version)"]
        for (k, v) in extra { form[k] = v }
        return try await b.post("/reviews/cases/\(c.id!)", form)
    }

    @Test func aPeriodicRoundFromTheListToTheProvincesApproval() async throws {
        try await withTestApp(households: 60) { app, accounts in
            let officer = accounts.first(.communeOfficer)
            let commune = officer.units[0]
            var p = Browser(app)
            try await p.login(accounts.first(.provinceOfficer))
            _ = try await p.get("/reviews")
            _ = try await p.post("/reviews/open", ["province": "46", "year": "2026"])
            let round = try #require(try await ReviewRound.query(on: app.db).filter(\.$communeCode == commune).first()).id!
            var o = Browser(app)
            try await o.login(officer)
            _ = try await o.get("/reviews/\(round)")
            // A household not on the list asks to be reviewed (Mẫu 01).
            let asking = try #require(try await HouseholdRecord.query(on: app.db).filter(\.$communeCode == commune).filter(\.$category == "notPoor").first())
            _ = try await o.post("/reviews/\(round)/requests", ["household": asking.code, "form": "01", "receivedOn": "05/09/2026", "channel": "online"])
            // Village heads survey but do not move the round.
            var v = Browser(app)
            try await v.login(accounts.first { $0.role == .villageHead && $0.units.contains(commune) } ?? accounts.first(.villageHead))
            // Leaving step 1 turns the list into cases; a stale version is refused.
            _ = try await o.get("/reviews/\(round)")
            let stale = try await o.post("/reviews/\(round)/advance", ["version": "7"])
            #expect(stale.status == .conflict && stale.body.contains("Người khác vừa thay đổi"))
            #expect(try await o.post("/reviews/\(round)/advance", ["version": try await version(app, round)]).status == .seeOther)
            let cases = try await ReviewCase.query(on: app.db).filter(\.$roundID == round).all()
            let listed = try await HouseholdRecord.query(on: app.db).filter(\.$communeCode == commune).filter(\.$category ~~ ["poor", "nearPoor"]).count()
            #expect(cases.count == listed + 1 && cases.allSatisfy { $0.stage == "listed" })
            #expect(try await caseOf(app, round, asking.id!).requestForm == "01")
            // The survey form is pre-filled, shows Phiếu B (B1, B2) with its badge and the provisional result;
            // a household already on the lists goes straight to Phiếu B, the one that asked (Mẫu 01) fills Phiếu A.
            let first = cases.first { $0.requestForm == nil }!
            let form = try await o.get("/reviews/cases/\(first.id!)")
            #expect(form.status == .ok && form.body.contains("Phiếu B, phần B1") && form.body.contains("phần B2") && form.body.contains("chưa xác minh") && form.body.contains("Kết quả tạm tính"))
            #expect(!form.body.contains("name=\"phieuA[]\"") && form.body.contains("khảo sát thẳng bằng Phiếu B"))
            let askingForm = try await o.get("/reviews/cases/\(try await caseOf(app, round, asking.id!).id!)").body
            #expect(askingForm.contains("Phiếu A: nhận dạng nhanh") && askingForm.components(separatedBy: "name=\"phieuA[]\"").count == 10)
            #expect(askingForm.contains("từ 04 chỉ tiêu trở lên"))
            // Cannot leave the survey step with households not surveyed.
            let early = try await o.post("/reviews/\(round)/advance", ["version": try await version(app, round)])
            #expect(early.status == .unprocessableEntity && early.body.contains("chưa hoàn thành phiếu khảo sát"))
            // A draft keeps the answers out of the registry.
            let before = try await HouseholdRecord.find(first.householdID, on: app.db)!
            let draft = try await o.post("/reviews/cases/\(first.id!)", ["enumerator": "Lò Thị Mai", "surveyedOn": "20/10/2026", "action": "draft",
                "version": "\(before.version)", "caseVersion": "0", "incomePerCapita": "1234567"])
            #expect(draft.status == .seeOther)
            #expect(try await HouseholdRecord.find(first.householdID, on: app.db)!.version == before.version)
            #expect(try await o.get("/reviews/cases/\(first.id!)").body.contains("1234567"))
            // Finishing needs the enumerator; the message names it.
            let noName = try await finish(&o, app, first, ["enumerator": ""])
            #expect(noName.status == .unprocessableEntity && noName.body.contains("Cần ghi tên rà soát viên"))
            // The live preview answers with the provisional category.
            let preview = try await o.post("/reviews/cases/\(first.id!)/preview", ["incomePerCapita": "9000000"])
            #expect(preview.status == .ok && preview.body.contains("Kết quả tạm tính"))
            // A điểm B1 from the paper form measures the household instead of the income (regulations §5.1).
            let scored = try await o.post("/reviews/cases/\(first.id!)/preview", ["incomePerCapita": "9000000", "scoreB1": "200"])
            #expect(scored.body.contains("Không thuộc diện") && scored.body.lowercased().contains("điểm b1"))
            #expect(scored.body.contains("không cần xét chỉ số thiếu hụt"))
            // The household that asked becomes poor: low income and deprivations.
            for c in cases {
                let extra: [String: String] = c.householdID == asking.id! ? ["incomePerCapita": "900000", "walls": "nonDurable", "frame": "nonDurable", "roof": "nonDurable",
                                                                            "waterSource": "surfaceWater", "latrine": "none", "floorArea": "10"] : [:]
                var b = c.id! % 2 == 0 ? v : o
                let r = try await finish(&b, app, c, extra)
                #expect(r.status == .seeOther, "survey \(c.id!): \(r.body.components(separatedBy: "role=\"alert\"").dropFirst().first?.prefix(400) ?? "")")
                if c.id! % 2 == 0 { v = b } else { o = b }
            }
            // Printed forms: one sheet per household filled in, or as many blank ones as asked.
            // Phiếu B for every household; Phiếu A only for the one that asked (and on every blank copy).
            let printed = try await o.get("/reviews/\(round)/forms?filled=1").body
            #expect(printed.components(separatedBy: "<b>PHIẾU B</b>").count == cases.count + 1)
            #expect(printed.components(separatedBy: "<b>PHIẾU A</b>").count == 2 && printed.contains("Phụ lục II") && printed.contains("Phụ lục III"))
            let blank = try await o.get("/reviews/\(round)/forms?filled=0&copies=3").body
            #expect(blank.components(separatedBy: "<b>PHIẾU B</b>").count == 4 && blank.components(separatedBy: "<b>PHIẾU A</b>").count == 4)
            #expect(try await o.get("/reviews/\(round)/forms?filled=1&case=\(first.id!)").body.contains(try await HouseholdRecord.find(first.householdID, on: app.db)!.code))
            let asked = try await caseOf(app, round, asking.id!)
            #expect(asked.stage == "surveyed" && asked.enumerator == "Lò Thị Mai" && asked.surveyedOn == "2026-10-20")
            // A village head cannot move the round.
            #expect(try await v.post("/reviews/\(round)/advance", ["version": try await version(app, round)]).status == .forbidden)
            #expect(try await o.post("/reviews/\(round)/advance", ["version": try await version(app, round)]).status == .seeOther)
            // The meeting: one household below 50 % goes back to the survey.
            let surveyed = try await ReviewCase.query(on: app.db).filter(\.$roundID == round).all()
            let failing = surveyed[0]
            func meeting(_ votes: [ReviewCase], _ agree: (ReviewCase) -> Int) async throws -> (status: HTTPStatus, body: String, location: String?) {
                var f = ["village": votes[0].village ?? "", "heldOn": "25/10/2026", "place": "Nhà văn hóa thôn", "chair": "Hồ Văn Nam",
                         "secretary": "Lê Thị Hoa", "attendees": "30", "attendeeNames": "Hồ Văn Nam\nLê Thị Hoa"]
                for c in votes { f["agree.\(c.id!)"] = "\(agree(c))" }
                return try await o.post("/reviews/\(round)/meetings", f)
            }
            // Each village meets on its own: a household of another village is refused by name.
            if let other = surveyed.first(where: { $0.village != failing.village }) {
                let mixed = try await meeting([failing, other]) { _ in 20 }
                #expect(mixed.status == .unprocessableEntity && mixed.body.contains("mỗi thôn/tổ họp riêng"))
            }
            let tooMany = try await meeting([failing]) { _ in 31 }
            #expect(tooMany.status == .unprocessableEntity && tooMany.body.contains("phải từ 0 đến số người dự họp (30)"))
            for village in Set(surveyed.map(\.village)) {
                #expect(try await meeting(surveyed.filter { $0.village == village }) { $0.id == failing.id ? 14 : 15 }.status == .seeOther)
            }
            #expect(try await ReviewCase.find(failing.id!, on: app.db)!.stage == "returned")
            #expect(try await ReviewCase.query(on: app.db).filter(\.$roundID == round).filter(\.$stage == "agreed").count() == surveyed.count - 1)
            let blocked = try await o.post("/reviews/\(round)/advance", ["version": try await version(app, round)])
            #expect(blocked.status == .unprocessableEntity && blocked.body.contains("Còn 1 hộ chưa được họp dân thống nhất"))
            // An agreed household is not surveyed again; the returned one is, then meets again.
            #expect(try await finish(&o, app, surveyed[1]).body.contains("đã được họp dân thống nhất"))
            #expect(try await finish(&o, app, failing).status == .seeOther)
            #expect(try await meeting([try await ReviewCase.find(failing.id!, on: app.db)!]) { _ in 25 }.status == .seeOther)
            let minutesID = try #require(try await ReviewVote.query(on: app.db).filter(\.$caseID == failing.id!).filter(\.$result == "returned").first()).meetingID
            let minutes = try await o.get("/reviews/meetings/\(minutesID)/minutes")
            #expect(minutes.body.components(separatedBy: "BIÊN BẢN HỌP DÂN").count == 3 && minutes.body.contains("Chưa đạt 50 %: rà soát lại"))
            #expect(try await o.post("/reviews/\(round)/advance", ["version": try await version(app, round)]).status == .seeOther)
            // Posting: three working days from Wednesday 28/10 → Friday 30/10; a complaint must be re-checked.
            #expect(try await o.post("/reviews/\(round)/posting", ["from": "28/10/2026", "version": try await version(app, round)]).status == .seeOther)
            #expect(try await ReviewRound.find(round, on: app.db)!.postingTo == "2026-10-30")
            let poorList = try await o.get("/reviews/\(round)/lists?list=poor")
            #expect(poorList.body.contains("DANH SÁCH HỘ NGHÈO NĂM 2026") && poorList.body.contains(asking.headName) && !poorList.body.contains("Cần ghi"))
            // The notice says where it is posted and for how long.
            #expect(poorList.body.contains("Niêm yết 3 ngày làm việc, từ 28/10/2026 đến 30/10/2026") && poorList.body.contains("Nơi niêm yết: Nhà văn hóa")
                    && poorList.body.contains("Đài truyền thanh cấp xã (nếu có)"))
            // National IDs are masked on the posted list.
            let anyID = try #require(try app.registry.store.household(asking, parser: app.registry.parser).members.compactMap(\.nationalID).first)
            #expect(!poorList.body.contains(anyID))
            let newly = try await o.get("/reviews/\(round)/lists?list=newlyPoor")
            #expect(newly.body.contains(asking.headName))
            // The same list for Excel: same households, the ID still masked, an unknown format refused.
            let csv = try await o.get("/reviews/\(round)/lists?list=poor&format=csv").body
            #expect(csv.hasPrefix("\u{FEFF}TT,Họ tên chủ hộ,Mã hộ") && csv.contains(asking.code) && !csv.contains(anyID))
            #expect(try await o.get("/reviews/\(round)/lists?list=poor&format=pdf").status == .unprocessableEntity)
            _ = try await o.post("/reviews/\(round)/complaints", ["complainant": "Nguyễn Văn Tố", "household": asking.code, "content": "Hộ có xe tải", "receivedOn": "28/10/2026"])
            // Re-check due within 7 working days of receipt: Wednesday 28/10 → Friday 06/11.
            #expect(try await o.get("/reviews/\(round)").body.contains("06/11/2026"))
            let pending = try await o.post("/reviews/\(round)/advance", ["version": try await version(app, round)])
            #expect(pending.status == .unprocessableEntity && pending.body.contains("Còn 1 khiếu nại chưa phúc tra"))
            let complaint = try #require(try await ReviewComplaint.query(on: app.db).first())
            #expect(try await o.post("/reviews/complaints/\(complaint.id!)/resolve", ["outcome": "Xe tải của người thuê, hộ vẫn nghèo nhưng thu nhập cao hơn", "category": "nearPoor", "recheckedOn": "28/10/2026"]).status == .seeOther)
            #expect(try await caseOf(app, round, asking.id!).finalCategory == "nearPoor")
            #expect(try await o.get("/reviews/\(round)/lists?list=nearPoor").body.contains("Kết quả phúc tra khiếu nại"))
            // The re-check result is posted again for 3 working days before the decision.
            let notReposted = try await o.post("/reviews/\(round)/advance", ["version": try await version(app, round)])
            #expect(notReposted.status == .unprocessableEntity && notReposted.body.contains("chưa được niêm yết lại"))
            let tooEarly = try await o.post("/reviews/\(round)/reposting", ["from": "27/10/2026", "version": try await version(app, round)])
            #expect(tooEarly.status == .unprocessableEntity && tooEarly.body.contains("từ ngày phúc tra cuối cùng"))
            #expect(try await o.post("/reviews/\(round)/reposting", ["from": "28/10/2026", "version": try await version(app, round)]).status == .seeOther)
            #expect(try await ReviewRound.find(round, on: app.db)!.repostingTo == "2026-10-30")
            #expect(try await o.get("/reviews/\(round)").body.contains("Niêm yết lại kết quả phúc tra từ"))
            #expect(try await o.post("/reviews/\(round)/advance", ["version": try await version(app, round)]).status == .seeOther)
            // The decision: recognised years, transitions and certificates.
            let early2 = try await o.post("/reviews/\(round)/decision", ["number": "125/QĐ-UBND", "date": "30/10/2026", "version": try await version(app, round)])
            #expect(early2.status == .unprocessableEntity && early2.body.contains("sau ngày hết niêm yết"))
            #expect(try await o.post("/reviews/\(round)/decision", ["number": "125/QĐ-UBND", "date": "01/11/2026", "version": try await version(app, round)]).status == .seeOther)
            let decided = try await caseOf(app, round, asking.id!)
            #expect(decided.stage == "decided" && decided.transition == "newlyNearPoor" && decided.certificateNo != nil)
            let year = try #require(try await HouseholdYear.query(on: app.db).filter(\.$householdID == asking.id!).filter(\.$year == 2026).first())
            #expect(year.recognised && year.source == "review" && year.category == "nearPoor")
            let all = try await ReviewCase.query(on: app.db).filter(\.$roundID == round).all()
            let certified = all.filter { $0.finalCategory == "poor" || $0.finalCategory == "nearPoor" }
            #expect(Set(all.compactMap(\.certificateNo)).count == certified.count)
            let certs = try await o.get("/reviews/\(round)/certificates")
            #expect(certs.body.components(separatedBy: "GIẤY CHỨNG NHẬN HỘ").count == certified.count + 1 && certs.body.contains("125/QĐ-UBND"))
            // Locked: no survey, no second decision; a registry edit keeps the recognised year.
            #expect(try await finish(&o, app, decided).body.contains("kết quả đã khóa"))
            // Up the hierarchy: submit, returned with a comment, submit again, approved and locked.
            #expect(try await p.post("/reviews/\(round)/status", ["status": "approved", "version": try await version(app, round)]).body.contains("chưa gửi kết quả"))
            #expect(try await o.post("/reviews/\(round)/status", ["status": "submitted", "version": try await version(app, round)]).status == .seeOther)
            _ = try await p.get("/reviews/\(round)")
            let noNote = try await p.post("/reviews/\(round)/status", ["status": "returned", "version": try await version(app, round)])
            #expect(noNote.body.contains("Cần ghi lý do trả lại"))
            #expect(try await p.post("/reviews/\(round)/status", ["status": "returned", "note": "Thiếu biên bản thôn 2", "version": try await version(app, round)]).status == .seeOther)
            #expect(try await o.get("/reviews/\(round)").body.contains("Thiếu biên bản thôn 2"))
            #expect(try await o.post("/reviews/\(round)/status", ["status": "submitted", "version": try await version(app, round)]).status == .seeOther)
            #expect(try await o.post("/reviews/\(round)/status", ["status": "approved", "version": try await version(app, round)]).status == .forbidden)
            #expect(try await p.post("/reviews/\(round)/status", ["status": "approved", "version": try await version(app, round)]).status == .seeOther)
            let progress = try await p.get("/reviews/progress?year=2026")
            #expect(progress.body.contains("<svg") && progress.body.contains("Tỉnh đã duyệt"))
            #expect(try await o.post("/reviews/\(round)/status", ["status": "submitted", "version": try await version(app, round)]).body.contains("đã được tỉnh phê duyệt và khóa"))
            // Scope: another commune's officer sees none of it.
            if let stranger = accounts.first(where: { $0.role == .communeOfficer && $0.units[0] != commune }) {
                var s = Browser(app)
                try await s.login(stranger)
                #expect(try await s.get("/reviews/\(round)").status == .notFound)
                #expect(try await s.get("/reviews/cases/\(decided.id!)").status == .notFound)
                #expect(try await s.get("/reviews/\(round)/certificates").status == .notFound)
            }
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "review.decision").count() == all.count)
        }
    }

    @Test func aRegularRoundAnswersRequestsAndRefusesInWriting() async throws {
        try await withTestApp(households: 60) { app, accounts in
            let officer = accounts.first(.communeOfficer)
            let commune = officer.units[0]
            var o = Browser(app)
            try await o.login(officer)
            _ = try await o.get("/reviews")
            // A household poor now and recognised poor last year.
            let poorLastYear = Set(try await HouseholdYear.query(on: app.db).filter(\.$year == 2025).filter(\.$category == "poor").all().map(\.householdID))
            let poor = try #require(try await HouseholdRecord.query(on: app.db).filter(\.$communeCode == commune).filter(\.$category == "poor").all()
                .first { poorLastYear.contains($0.id!) })
            let rich = try #require(try await HouseholdRecord.query(on: app.db).filter(\.$communeCode == commune).filter(\.$category == "notPoor").first())
            // Requests arrive before the round opens; the round takes them up.
            let opened = try await o.post("/reviews/regular", ["commune": commune, "year": "2026", "month": "10"])
            let round = try #require(opened.location.flatMap { Int($0.split(separator: "/").last ?? "") })
            #expect(try await ReviewRound.find(round, on: app.db)!.step == "SURVEY")
            _ = try await o.get("/reviews/\(round)")
            _ = try await o.post("/reviews/\(round)/requests", ["household": poor.code, "form": "04", "receivedOn": "16/10/2026", "channel": "direct"])
            _ = try await o.post("/reviews/\(round)/requests", ["household": rich.code, "form": "01", "receivedOn": "16/10/2026", "channel": "online"])
            let cases = try await ReviewCase.query(on: app.db).filter(\.$roundID == round).all()
            #expect(cases.count == 2 && Set(cases.compactMap(\.requestForm)) == ["01", "04"])
            let typo = try await o.post("/reviews/regular", ["commune": "99999", "year": "2026", "month": "10"])
            #expect(typo.status == .unprocessableEntity && typo.body.contains("Mã xã/phường &#39;99999&#39; không có trong danh mục 2025"))
            // Opening the same month again returns the same round.
            #expect(try await o.post("/reviews/regular", ["commune": commune, "year": "2026", "month": "10"]).location == "/reviews/\(round)")
            let exit = try await caseOf(app, round, poor.id!), ask = try await caseOf(app, round, rich.id!)
            _ = try await o.get("/reviews/cases/\(exit.id!)")
            #expect(try await finish(&o, app, exit, ["incomePerCapita": "8000000"]).status == .seeOther)
            #expect(try await finish(&o, app, ask).status == .seeOther)
            #expect(try await o.post("/reviews/\(round)/advance", ["version": try await version(app, round)]).status == .seeOther)
            var f = ["village": exit.village ?? "", "heldOn": "20/10/2026", "place": "Nhà văn hóa", "chair": "A", "secretary": "B", "attendees": "20"]
            f["agree.\(exit.id!)"] = "12"; f["agree.\(ask.id!)"] = "12"
            if exit.village != ask.village { f.removeValue(forKey: "agree.\(ask.id!)") }
            #expect(try await o.post("/reviews/\(round)/meetings", f).status == .seeOther)
            if exit.village != ask.village {
                var g = f; g["village"] = ask.village ?? ""; g.removeValue(forKey: "agree.\(exit.id!)"); g["agree.\(ask.id!)"] = "12"
                #expect(try await o.post("/reviews/\(round)/meetings", g).status == .seeOther)
            }
            #expect(try await o.post("/reviews/\(round)/advance", ["version": try await version(app, round)]).status == .seeOther)
            #expect(try await o.post("/reviews/\(round)/posting", ["from": "22/10/2026", "version": try await version(app, round)]).status == .seeOther)
            #expect(try await o.post("/reviews/\(round)/advance", ["version": try await version(app, round)]).status == .seeOther)
            // Opened 15/10, due within 15 days: on 01/11 the page says the decision is late.
            #expect(try await o.get("/reviews/\(round)").body.contains("Đã quá hạn quyết định công nhận (30/10/2026)"))
            #expect(try await o.post("/reviews/\(round)/decision", ["number": "7/QĐ-UBND", "date": "30/10/2026", "version": try await version(app, round)]).status == .seeOther)
            #expect(!(try await o.get("/reviews/\(round)").body.contains("Đã quá hạn")))
            let exited = try await caseOf(app, round, poor.id!), refused = try await caseOf(app, round, rich.id!)
            #expect(exited.refusal == nil && exited.finalCategory == "notPoor" && ["exitedPoor", "exitedPoorToNearPoor"].contains(exited.transition ?? ""))
            #expect(refused.refusal?.contains("không thuộc diện hộ nghèo, hộ cận nghèo") == true && refused.certificateNo == nil)
            let letters = try await o.get("/reviews/\(round)/refusals")
            #expect(letters.body.contains("không được chấp thuận") && letters.body.contains(rich.headName))
            #expect(try await HouseholdYear.query(on: app.db).filter(\.$householdID == poor.id!).filter(\.$year == 2026).first()?.source == "review")
            #expect(try await o.get("/reviews/\(round)/lists?list=exitedPoor").body.contains(poor.headName))
            // The exit's decision date (30/10/2026) starts its "recently exited" window: in it a month later.
            #expect(try await o.get("/households?recentlyExited=1&window=1").body.contains(poor.code))
            // The periodic round's list leaves out the requests this regular round has answered.
            var p = Browser(app)
            try await p.login(accounts.first(.provinceOfficer))
            _ = try await p.get("/reviews")
            _ = try await p.post("/reviews/open", ["province": "46", "year": "2026"])
            let periodic = try #require(try await ReviewRound.query(on: app.db).filter(\.$communeCode == commune).filter(\.$kind == "periodic").first())
            #expect(!(try await o.get("/reviews/\(periodic.id!)").body.contains("Mẫu số 01 nhận 16/10/2026")))
        }
    }

    /// The demo's story households carry a chosen history; a round run without changes recognises this
    /// year's categories and each story shows its transition (regulations §6.6), the same before and after.
    @Test func storyHouseholdsShowEveryTransitionAcrossTwoYears() async throws {
        try await withTestApp(households: 40) { app, accounts in
            let s01 = try #require(try await HouseholdRecord.query(on: app.db).filter(\.$code, .custom("LIKE"), "%-S01").first())
            let commune = s01.communeCode
            var a = Browser(app)
            try await a.login(accounts.first(.admin))
            _ = try await a.get("/reviews")
            _ = try await a.post("/reviews/open", ["province": "46", "year": "2026"])
            let round = try #require(try await ReviewRound.query(on: app.db).filter(\.$communeCode == commune).first()).id!
            let expected: [String: Transition] = ["S01": .rePoor, "S02": .exitedPoor, "S03": .exitedPoorToNearPoor, "S04": .reNearPoor,
                                                  "S05": .newlyPoor, "S07": .remainedPoor, "S08": .remainedNearPoor, "S09": .newlyNearPoor]
            let stories = try await HouseholdRecord.query(on: app.db).filter(\.$communeCode == commune).all()
                .filter { $0.code.contains("-S") }
            func story(_ r: HouseholdRecord) -> String { String(r.code.suffix(3)) }
            #expect(stories.filter { expected[story($0)] != nil }.count == expected.count)
            // Before the review: this year's provisional category against the recognised years.
            for r in stories {
                guard let want = expected[story(r)] else { continue }
                let page = try await a.get("/households/\(r.id!)")
                #expect(page.body.contains(want.vietnamese), "\(r.code) should show \(want.vietnamese)")
            }
            // Households exited this year are not on the current lists; they ask to be confirmed (Mẫu 04).
            _ = try await a.get("/reviews/\(round)")
            for r in stories where story(r) == "S02" {
                _ = try await a.post("/reviews/\(round)/requests", ["household": r.code, "form": "04", "receivedOn": "02/09/2026", "channel": "direct"])
            }
            #expect(try await a.post("/reviews/\(round)/advance", ["version": try await version(app, round)]).status == .seeOther)
            let cases = try await ReviewCase.query(on: app.db).filter(\.$roundID == round).all()
            for c in cases {
                var b = a
                #expect(try await finish(&b, app, c).status == .seeOther)
                a = b
            }
            #expect(try await a.post("/reviews/\(round)/advance", ["version": try await version(app, round)]).status == .seeOther)
            for village in Set(cases.compactMap(\.village)) {
                var f = ["village": village, "heldOn": "25/10/2026", "place": "Nhà văn hóa", "chair": "A", "secretary": "B", "attendees": "10"]
                for c in cases where c.village == village { f["agree.\(c.id!)"] = "10" }
                #expect(try await a.post("/reviews/\(round)/meetings", f).status == .seeOther)
            }
            #expect(try await a.post("/reviews/\(round)/advance", ["version": try await version(app, round)]).status == .seeOther)
            #expect(try await a.post("/reviews/\(round)/posting", ["from": "26/10/2026", "version": try await version(app, round)]).status == .seeOther)
            #expect(try await a.post("/reviews/\(round)/advance", ["version": try await version(app, round)]).status == .seeOther)
            #expect(try await a.post("/reviews/\(round)/decision", ["number": "1/QĐ-UBND", "date": "01/11/2026", "version": try await version(app, round)]).status == .seeOther)
            for r in stories {
                guard let want = expected[story(r)], let c = try await ReviewCase.query(on: app.db).filter(\.$roundID == round).filter(\.$householdID == r.id!).first() else { continue }
                #expect(c.transition == want.rawValue, "\(r.code): \(c.transition ?? "-") ≠ \(want)")
            }
            // Every story but the non-poor ones was in the round; the exited household is on the exited list.
            #expect(Set(cases.map(\.householdID)).isSuperset(of: stories.filter { expected[story($0)] != nil }.map { $0.id! }))
            let exited = try await a.get("/reviews/\(round)/lists?list=exitedPoor")
            #expect(stories.filter { story($0) == "S02" || story($0) == "S03" }.allSatisfy { exited.body.contains($0.headName) })
        }
    }

    /// The registry's concurrency rules hold for rounds on a real SQLite file: ten officers moving one round
    /// from the version they saw, one lands; ten enumerators finishing one survey, one lands; surveys of
    /// different households at once all land.
    @Test func roundsUnderConcurrentWrites() async throws {
        try await withTestApp(households: 60, sqliteFile: true) { app, accounts in
            let reviews = app.registry.reviews
            let scope = Scope(username: "t", role: .admin, units: [], adminUnits: app.registry.units)
            let commune = accounts.first(.communeOfficer).units[0]
            _ = try await reviews.openPeriodicRounds(scope, province: "46", year: 2026, on: app.db)
            let round = try #require(try await ReviewRound.query(on: app.db).filter(\.$communeCode == commune).first())
            let today = app.registry.referenceDate
            func outcomes(_ n: Int, _ body: @escaping @Sendable () async throws -> Void) async -> [String] {
                await withTaskGroup(of: String.self) { group in
                    for _ in 0..<n {
                        group.addTask {
                            do { try await body(); return "ok" }
                            catch is VersionConflict { return "conflict" }
                            catch { return "\(error)" }
                        }
                    }
                    return await group.reduce(into: [String]()) { $0.append($1) }
                }
            }
            let moved = await outcomes(10) { _ = try await reviews.advance(scope, roundID: round.id!, expectedVersion: 0, today: today, on: app.db) }
            #expect(moved.filter { $0 == "ok" }.count == 1 && moved.filter { $0 == "conflict" }.count == 9, "\(moved)")
            let cases = try await ReviewCase.query(on: app.db).filter(\.$roundID == round.id!).all()
            #expect(cases.count == Set(cases.map(\.householdID)).count && !cases.isEmpty)
            let parser = app.registry.parser, store = app.registry.store
            let first = cases[0]
            let record = try await HouseholdRecord.find(first.householdID, on: app.db)!
            let h = try store.household(record, parser: parser)
            let input = ReviewStore.SurveyInput(household: h, quickScreen: [], enumerator: "A", surveyedOn: today, finish: true,
                                                householdVersion: record.version, caseVersion: 0)
            let surveyed = await outcomes(10) { try await reviews.saveSurvey(scope, caseID: first.id!, input, today: today, on: app.db) }
            #expect(surveyed.filter { $0 == "ok" }.count == 1 && surveyed.filter { $0 == "conflict" }.count == 9, "\(surveyed)")
            let rest = try await withThrowingTaskGroup(of: Int.self) { group in
                for c in cases.dropFirst() {
                    let r = try await HouseholdRecord.find(c.householdID, on: app.db)!
                    let h = try store.household(r, parser: parser)
                    let input = ReviewStore.SurveyInput(household: h, quickScreen: [], enumerator: "B", surveyedOn: today, finish: true,
                                                        householdVersion: r.version, caseVersion: 0)
                    group.addTask { try await reviews.saveSurvey(scope, caseID: c.id!, input, today: today, on: app.db).version }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(rest.count == cases.count - 1 && rest.allSatisfy { $0 == 1 })
            #expect(try await ReviewCase.query(on: app.db).filter(\.$roundID == round.id!).filter(\.$stage == "surveyed").count() == cases.count)
            #expect(try await app.registry.store.verifySummaries(on: app.db).isEmpty)
        }
    }

    /// A round classifies under its own standard: a 2027 round uses NĐ351 even while today's date picks NĐ07.
    @Test func aRoundUsesItsOwnStandard() async throws {
        try await withTestApp(households: 40) { app, _ in
            let reviews = app.registry.reviews
            var h = Household(code: "X", area: .urban, commune: nil, incomePerCapita: 2_500_000)
            h.deprivedList = ["YT1", "NO1", "NS1"]
            let now = reviews.provisional(h, quickScreen: [])
            let later = reviews.provisional(h, quickScreen: [], standard: "vn-nd351-2027")
            // 2,500,000 in a ward with 3 deprivations: above NĐ07's urban line (2,000,000), under NĐ351's (2,800,000).
            #expect(now.category == "notPoor" && later.category == "poor" && later.explanation.contains("2.800.000"))
            let scope = Scope(username: "t", role: .admin, units: [], adminUnits: app.registry.units)
            _ = try await reviews.openPeriodicRounds(scope, province: "46", year: 2027, on: app.db)
            #expect(try await ReviewRound.query(on: app.db).filter(\.$year == 2027).all().allSatisfy { $0.standard == "vn-nd351-2027" })
        }
    }
}
