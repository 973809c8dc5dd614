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

/// Issue 7 continued: the fund, monitoring, livelihood models, the policy catalogue, plans across years, tuition,
/// helpers for a village, corrections.
extension SupportWebTests {
    @Test func fundBalanceCountsSupportsPaidFromIt() async throws {
        try await withTestApp(households: 200) { app, accounts in
            let officer = accounts.first(.communeOfficer)
            let commune = officer.units[0]
            let support = app.registry.support!
            let scope = officer.scope(app)
            let before = try await support.fund(scope, unit: commune, on: app.db)
            #expect(before.balance == before.donations - before.payouts && before.donations == 42_500_000)
            let demoPayouts = before.supportPayouts.reduce(0) { $0 + $1.amount }
            #expect(before.payouts == demoPayouts && demoPayouts > 0)
            var b = Browser(app)
            try await b.login(officer)
            #expect(try await b.post("/fund", ["unit": commune, "date": "10/10/2026", "kind": "donation", "amount": "2.000.000", "party": "Hội doanh nhân"]).status == .seeOther)
            let tooMuch = try await b.post("/fund", ["unit": commune, "date": "10/10/2026", "kind": "payout", "amount": "999.000.000", "party": "Chi"])
            #expect(tooMuch.status == .unprocessableEntity && tooMuch.body.contains("lớn hơn số dư quỹ"))
            #expect(try await b.post("/fund", ["unit": commune, "date": "11/10/2026", "kind": "payout", "amount": "1.000.000", "party": "Thăm hỏi hộ ốm"]).status == .seeOther)
            let after = try await support.fund(scope, unit: commune, on: app.db)
            #expect(after.balance == before.balance + 1_000_000)
            #expect(try await b.get("/fund").body.contains(Format.money(after.balance)))
            // The public page sums the same fund in SQL.
            let figures = try await support.publicFigures(commune: commune, year: 2026, on: app.db)
            #expect(figures.donations == after.donations && figures.payouts == after.payouts && figures.balance == after.balance)
            // The province fund is the province's: a commune officer may not write it.
            #expect(try await b.post("/fund", ["unit": "46", "date": "10/10/2026", "kind": "donation", "amount": "1", "party": "x"]).status == .forbidden)
        }
    }

    /// Coverage and "support before exit" agree with counts taken straight from the tables.
    @Test func monitoringFiguresMatchTheRegistryAndLedger() async throws {
        try await withTestApp(households: 400) { app, accounts in
            let officer = accounts.first(.communeOfficer)
            let commune = officer.units[0]
            let support = app.registry.support!
            let scope = officer.scope(app)
            let day = app.registry.referenceDate
            let report = try await support.coverage(scope, communes: nil, on: day, on: app.db)
            struct N: Decodable { var n: Int }
            let sql = app.db as! any SQLDatabase
            func n(_ q: String) async throws -> Int { try await sql.raw(SQLQueryString(q)).first(decoding: N.self)!.n }
            // The poor list in force on the day is the one recognised for 2025.
            let poorListed = try await n("SELECT COUNT(*) AS n FROM household_years y JOIN households h ON h.id = y.household_id WHERE h.commune_code = '\(commune)' AND h.archived_reason IS NULL AND y.year = 2025 AND y.recognised AND y.category = 'poor'")
            // Livelihood support counts every household on the list; loans only those whose plan records the need
            // (the plans' "100 % of those who qualify and need a loan").
            let livelihood0 = try #require(report.policies.first { $0.policy.code == "sinhke" })
            #expect(poorListed > 0 && livelihood0.households.eligible >= poorListed)
            let loans = try #require(report.policies.first { $0.policy.code == "tindung-ngheo" })
            let inNeed = "SELECT n.household_id FROM support_needs n JOIN support_plans p ON p.id = n.plan_id JOIN household_years y ON y.household_id = n.household_id AND y.year = 2025 AND y.recognised AND y.category = 'poor' WHERE p.year = 2026 AND p.commune_code = '\(commune)' AND n.policy_code = 'tindung-ngheo'"
            let needing = try await n("SELECT COUNT(DISTINCT household_id) AS n FROM (\(inNeed)) t")
            #expect(needing > 0 && loans.households.eligible == needing && loans.households.eligible < poorListed)
            let got = try await n("SELECT COUNT(DISTINCT household_id) AS n FROM support_records WHERE commune_code = '\(commune)' AND policy_code = 'tindung-ngheo' AND year = 2026 AND voided_reason IS NULL AND household_id IN (\(inNeed))")
            #expect(loans.households.reached == got && loans.households.target == 100)
            // Health insurance counts people: a card in the registry or a record in the ledger.
            let bhyt = try #require(report.policies.first { $0.policy.code == "bhyt-ngheo" })
            #expect(bhyt.persons.eligible >= bhyt.households.eligible && bhyt.persons.reached <= bhyt.persons.eligible && bhyt.persons.reached > 0)
            #expect(report.helpers.reached <= report.helpers.eligible && report.helpers.reached > 0)
            // Tuition counts the members it is for: aged 3–22 on the day and attending school (or not recorded),
            // in households on the poor or near-poor list in force, counted here from the registry directly.
            struct F: Decodable { var facts: String }
            var pupils = 0
            for r in try await sql.raw(SQLQueryString("SELECT h.facts FROM households h JOIN household_years y ON y.household_id = h.id WHERE h.commune_code = '\(commune)' AND h.archived_reason IS NULL AND y.year = 2025 AND y.recognised AND y.category IN ('poor', 'nearPoor')")).all(decoding: F.self) {
                pupils += try app.registry.store.household(facts: r.facts).members.filter { m in
                    (SupportStore.age(m, on: day).map { (3...22).contains($0) } ?? true) && (m.schooling == nil || m.schooling!.hasPrefix("attending"))
                }.count
            }
            let tuition = try #require(report.policies.first { $0.policy.code == "hocphi" })
            #expect(pupils > 0 && tuition.persons.eligible == pupils)

            let exit = try await support.beforeExit(scope, communes: nil, year: 2025, on: app.db)
            let exited = try await n("SELECT COUNT(*) AS n FROM household_years y JOIN household_years p ON p.household_id = y.household_id AND p.year = 2024 JOIN households h ON h.id = y.household_id WHERE h.commune_code = '\(commune)' AND y.year = 2025 AND p.category = 'poor' AND y.category <> 'poor'")
            #expect(exit.exited == exited && exit.exited > 0)
            let livelihood = try #require(exit.byPolicy.first { $0.key == "sinhke" })
            // Demo: every household that exited got livelihood support the year before; a quarter of those that stayed did.
            #expect(livelihood.exited == exit.exited && livelihood.stayed < max(exit.stayed, 1))
            var b = Browser(app)
            try await b.login(officer)
            let page = try await b.get("/support/monitoring")
            #expect(page.status == .ok && page.body.contains("Độ bao phủ chính sách") && page.body.contains("Hỗ trợ trước khi thoát nghèo"))
            // The commune's dashboard: the year's ledger in a few numbers, and the helper coverage monitoring shows.
            let records = try await n("SELECT COUNT(*) AS n FROM support_records WHERE commune_code = '\(commune)' AND year = 2026 AND voided_reason IS NULL")
            let reachedHouseholds = try await n("SELECT COUNT(DISTINCT household_id) AS n FROM support_records WHERE commune_code = '\(commune)' AND year = 2026 AND voided_reason IS NULL")
            let dashboard = try await b.get("/dashboard")
            #expect(records > 0 && dashboard.body.contains("\(Format.money(records)) khoản cho \(Format.money(reachedHouseholds)) hộ"))
            #expect(dashboard.body.contains("\(report.helpers.reached)/\(report.helpers.eligible) hộ nghèo, cận nghèo"))
            #expect(page.body.contains("Rà soát năm 2025") && page.body.contains("Kinh phí và giải ngân"))
            // Budgets: only the unit's keepers add them; an unknown programme is named.
            let badBudget = try await b.post("/budgets", ["unit": commune, "year": "2026", "programme": "KHONG", "source": "central", "amount": "1000000"])
            #expect(badBudget.status == .unprocessableEntity && badBudget.body.contains("hương trình &#39;KHONG&#39; không có trong danh mục"))
            #expect(try await b.post("/budgets", ["unit": commune, "year": "2026", "programme": "MTQG2635.TP1.ND04", "source": "central", "amount": "1000000"]).status == .seeOther)
            #expect(try await b.get("/support/monitoring").body.contains("Nguồn nhân lực và việc làm bền vững"))
            // The province follows every commune: one row a commune, the per-commune figures adding up to the province's.
            let provinceScope = Scope(username: "p", role: .provinceOfficer, units: ["46"], adminUnits: app.registry.units)
            let all = try await support.coverage(provinceScope, communes: nil, on: day, on: app.db)
            let loansByCommune = all.byCommune.values.compactMap { $0.first { $0.policy.code == "tindung-ngheo" }?.households.eligible }.reduce(0, +)
            #expect(all.byCommune.count > 1 && loansByCommune == all.policies.first { $0.policy.code == "tindung-ngheo" }!.households.eligible)
            #expect(all.helpersByCommune.values.map(\.eligible).reduce(0, +) == all.helpers.eligible)
            #expect(all.byCommune[commune]?.first { $0.policy.code == "tindung-ngheo" }?.households == loans.households)
            var p = Browser(app)
            try await p.login(accounts.first(.provinceOfficer))
            let province = try await p.get("/support/monitoring")
            #expect(province.body.contains("Theo xã, phường") && province.body.contains("/support/monitoring?year=2026&commune=\(commune)"))
        }
    }

    @Test func livelihoodModelsKeepParticipantsAndResults() async throws {
        try await withTestApp(households: 200) { app, accounts in
            var (_, commune, b) = try await Self.signedIn(app, accounts)
            let bad = try await b.post("/models", ["commune": commune, "name": "", "kind": "Chăn nuôi", "start_year": "2026", "budget": "abc", "source": "central"])
            #expect(bad.status == .unprocessableEntity && bad.body.contains("Cần tên mô hình") && bad.body.contains("kinh phí &#39;abc&#39;"))
            let made = try await b.post("/models", ["commune": commune, "name": "Trồng dược liệu", "kind": "Dược liệu", "programme": "MTQG2635.TP1.ND03",
                                                    "start_year": "2026", "budget": "120.000.000", "source": "central"])
            let path = try #require(made.location)
            let poor = try await Self.household(app, commune: commune, listed: "poor")
            #expect(try await b.post(path + "/participants", ["household": poor.code, "year": "2026"]).status == .seeOther)
            #expect(try await b.post(path + "/participants", ["household": poor.code, "year": "2026"]).status == .unprocessableEntity)
            #expect(try await b.post(path + "/results", ["year": "2026", "output": "2 ha sâm, 3 hộ có thu nhập tăng", "revenue": "45.000.000"]).status == .seeOther)
            let page = try await b.get(path)
            #expect(page.body.contains("Trồng dược liệu") && page.body.contains(poor.code) && page.body.contains("2 ha sâm") && page.body.contains("45.000.000"))
            let list = try await b.get("/models")
            #expect(list.body.contains("Trồng dược liệu"), "\(list.status) \(list.body.suffix(600))")
            let modelID = try #require(Int(path.split(separator: "/").last!))
            let counts = try await app.registry.support!.participantCounts(modelIDs: [modelID], on: app.db)
            #expect(counts[modelID]?.households == 1 && counts[modelID]?.notPoor == (poor.category == "poor" ? 0 : 1))
            // The public page lists models without households.
            var anonymous = Browser(app)
            let pub = try await anonymous.get("/public/\(commune)")
            #expect(pub.body.contains("Trồng dược liệu") && !pub.body.contains(poor.code))
        }
    }

    @Test func anAdministratorsCatalogueReplacesTheShippedOne() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("giamngheo-support-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
        code,name,en,unit,form,eligibility,indicators,causes,programmes,coverage_target,target_source,ages,registry_fact,verified,source
        tinh-ho-tro,Hỗ trợ riêng của tỉnh cho hộ cận nghèo DTTS,,household,cash,nearPoor&minority,,,NSDP,,,,,false,Nghị quyết HĐND tỉnh
        """.write(to: dir.appendingPathComponent("policies.csv"), atomically: true, encoding: .utf8)
        try await withTestApp(households: 30, config: { $0.supportDirectory = dir.path }) { app, accounts in
            #expect(app.registry.support!.catalogue.policies.map(\.code) == ["tinh-ho-tro"])
            var b = Browser(app)
            try await b.login(accounts.first(.provinceOfficer))
            let page = try await b.get("/support/catalogue")
            #expect(page.body.contains("Hỗ trợ riêng của tỉnh cho hộ cận nghèo DTTS") && page.body.contains("chưa xác minh") && page.body.contains("Dự án 5"))
        }
    }

    @Test func aNewYearsPlanStartsFromLastYearsUntilSaved() async throws {
        try await withTestApp(households: 300) { app, accounts in
            var (_, commune, b) = try await Self.signedIn(app, accounts)
            // Years the demo has no plans for (it plans the current year).
            let poor = try await Self.household(app, commune: commune, listed: "poor", current: "poor")
            struct N: Decodable { var n: Int }
            func plans(_ year: Int) async throws -> Int {
                try await (app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM support_plans WHERE household_id = \(bind: poor.id) AND year = \(bind: year)")
                    .first(decoding: N.self)!.n
            }
            let first = try await b.get("/households/\(poor.id)/plan?year=2027")
            let indicator = try #require(first.body.range(of: "name=\"need_indicator_0\" value=\"").map { String(first.body[$0.upperBound...].prefix { $0 != "\"" }) })
            let saved = try await b.post("/households/\(poor.id)/plan?year=2027", [
                "version": "0", "commitment": "1", "helper_name": "Phan Văn Lực", "helper_org": "Hội Nông dân", "note": "Ghi chú năm cũ",
                "need_count": "3", "need_indicator_0": indicator, "need_policy_0": "sinhke", "need_text_0": "Giống bò sinh sản",
                "need_indicator_1": "ZZ9", "need_text_1": "Chỉ số đã hết thiếu hụt", "need_text_2": "Sửa mái nhà"])
            #expect(saved.status == .seeOther)
            // 2028 has no plan: the form is filled from 2027, says so, asks the commitment again, writes nothing yet.
            let next = try await b.get("/households/\(poor.id)/plan?year=2028")
            #expect(next.status == .ok && next.body.contains("đã điền sẵn người giúp đỡ"))
            #expect(next.body.contains("value=\"Phan Văn Lực\"") && next.body.contains("Giống bò sinh sản") && next.body.contains("Sửa mái nhà"))
            #expect(!next.body.contains("Chỉ số đã hết thiếu hụt") && !next.body.contains("Ghi chú năm cũ"))
            #expect(next.body.contains("name=\"version\" value=\"0\"") && !next.body.contains("name=\"commitment\" value=\"1\" checked"))
            #expect(try await plans(2028) == 0)
            // Saved, 2028 is its own plan; 2027 is unchanged.
            #expect(try await b.post("/households/\(poor.id)/plan?year=2028", ["version": "0", "helper_name": "Phan Văn Lực", "need_count": "0"]).status == .seeOther)
            #expect(try await plans(2028) == 1)
            #expect(try await plans(2027) == 1)
            let after = try await b.get("/households/\(poor.id)/plan?year=2028")
            #expect(!after.body.contains("đã điền sẵn") && !after.body.contains("Giống bò sinh sản"))
            #expect(try await b.get("/households/\(poor.id)/plan?year=2027").body.contains("Giống bò sinh sản"))
        }
    }

    @Test func tuitionIsForTheMembersAtSchool() async throws {
        try await withTestApp(households: 300) { app, accounts in
            var (officer, commune, b) = try await Self.signedIn(app, accounts)
            let scope = officer.scope(app)
            let day = app.registry.referenceDate
            // A household on the list in force with a school-age member; that member is recorded as not at school.
            struct R: Decodable { var id: Int; var code: String }
            let rows = try await (app.db as! any SQLDatabase).raw("""
                SELECT h.id, h.code FROM households h JOIN household_years y ON y.household_id = h.id
                WHERE h.commune_code = \(bind: commune) AND y.year = 2025 AND y.recognised AND y.category IN ('poor', 'nearPoor') AND h.archived_reason IS NULL ORDER BY h.id
                """).all(decoding: R.self)
            var found: (R, HouseholdRecord, Member)? = nil
            for r in rows {
                let rec = try await app.registry.store.get(scope, id: r.id, on: app.db)
                if let m = try app.registry.store.household(rec, parser: app.registry.parser).members.first(where: { SupportStore.age($0, on: day).map { (6...17).contains($0) } ?? false }) {
                    found = (r, rec, m); break
                }
            }
            let (h, rec, child) = try #require(found)
            var household = try app.registry.store.household(rec, parser: app.registry.parser)
            let i = household.members.firstIndex { $0.id == child.id }!
            household.members[i].schooling = "notAttending"
            _ = try await app.registry.store.save(scope, id: h.id, household: household, expectedVersion: rec.version, reason: "Thử chính sách học phí", on: app.db)
            // Without a receiver the record is refused, naming whom the policy is for.
            let noOne = try await b.post("/support", ["household": h.code, "policy": "hocphi", "amount": "1500000", "date": "05/09/2026", "source": "central"])
            #expect(noOne.status == .unprocessableEntity && noOne.body.contains("cần ghi người nhận") && noOne.body.contains("tình trạng đi học"))
            // For the child who does not attend: a warning with the reason, nothing written until a reason is given.
            let warned = try await b.post("/support", ["household": h.code, "member": child.id, "policy": "hocphi", "amount": "1500000", "date": "05/09/2026", "source": "central"])
            #expect(warned.status == .ok && warned.body.contains("người nhận: Không đi học"))
            #expect(try await Self.count(app, "household_id = \(h.id) AND policy_code = 'hocphi'") == 0)
            // Back at school, the same support is eligible and recorded at once.
            let now = try await app.registry.store.get(scope, id: h.id, on: app.db)
            household.members[i].schooling = "attending"
            _ = try await app.registry.store.save(scope, id: h.id, household: household, expectedVersion: now.version, reason: "Đi học lại", on: app.db)
            let ok = try await b.post("/support", ["household": h.code, "member": child.id, "policy": "hocphi", "amount": "1500000", "date": "05/09/2026", "source": "central"])
            #expect(ok.status == .seeOther)
            #expect(try await Self.count(app, "household_id = \(h.id) AND policy_code = 'hocphi' AND eligible = 1 AND member_id = '\(child.id)'") == 1)
        }
    }

    @Test func helpersAreAssignedForAWholeVillageAtOnce() async throws {
        try await withTestApp(households: 300) { app, accounts in
            var (officer, commune, b) = try await Self.signedIn(app, accounts)
            let scope = officer.scope(app)
            let day = app.registry.referenceDate
            func helpers() async throws -> Coverage { try await app.registry.support!.coverage(scope, communes: [commune], on: day, on: app.db).helpers }
            // The demo assigns everyone; two plans lose their helper so the sheet has something to fill.
            try await (app.db as! any SQLDatabase).raw("""
                UPDATE support_plans SET helper_name = NULL, helper_org = NULL WHERE id IN
                (SELECT id FROM support_plans WHERE commune_code = \(bind: commune) AND year = \(bind: day.year) ORDER BY id DESC LIMIT 2)
                """).run()
            let before = try await helpers()
            // The sheet lists exactly the households monitoring counts (poor and near-poor on the list in force).
            let page = try await b.get("/support/helpers")
            #expect(page.status == .ok && page.body.contains("\(before.reached)/\(before.eligible) hộ nghèo, cận nghèo"))
            func field(_ name: String, _ body: String) -> String? {
                body.range(of: "name=\"\(name)\" value=\"").map { String(body[$0.upperBound...].prefix { $0 != "\"" }) }
            }
            let count = try #require(Int(field("count", page.body) ?? ""))
            #expect(count == before.eligible && count > 2)
            // Two households without a helper, and one with a plan and needs (the demo's), whose needs must stay.
            let rows = (0..<count).map { i in (i, field("id_\(i)", page.body)!, field("version_\(i)", page.body)!, field("was_name_\(i)", page.body) ?? "") }
            let empty = rows.filter { $0.3.isEmpty }.prefix(2)
            let planned = try #require(rows.first { !$0.3.isEmpty })
            #expect(empty.count == 2)
            struct N: Decodable { var n: Int }
            func needs(_ id: String) async throws -> Int {
                try await (app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM support_needs WHERE household_id = \(unsafeRaw: id)").first(decoding: N.self)!.n
            }
            let plannedNeeds = try await needs(planned.1)
            var form: [String: String] = ["count": String(count)]
            for r in rows { form["id_\(r.0)"] = r.1; form["version_\(r.0)"] = r.2; form["was_name_\(r.0)"] = r.3; form["name_\(r.0)"] = r.3 }
            for r in empty { form["name_\(r.0)"] = "Hồ Thị Xuân"; form["org_\(r.0)"] = "Hội Liên hiệp Phụ nữ" }
            form["name_\(planned.0)"] = "Ngô Văn Tài"
            form["was_org_\(planned.0)"] = field("was_org_\(planned.0)", page.body) ?? ""
            form["org_\(planned.0)"] = "Hội Nông dân"
            // A row read at a stale version refuses the whole save, naming the household; nothing is written.
            var stale = form
            stale["version_\(planned.0)"] = String((Int(planned.2) ?? 0) + 7)
            let refused = try await b.post("/support/helpers", stale)
            #expect(refused.status == .conflict && refused.body.contains("vừa được người khác sửa; chưa lưu dòng nào"))
            #expect(try await helpers() == before)
            // The real save: three rows changed, the untouched rows left alone, the planned household's needs kept.
            let saved = try await b.post("/support/helpers", form)
            #expect(saved.status == .seeOther)
            let after = try await helpers()
            #expect(after.eligible == before.eligible && after.reached == before.reached + 2)
            #expect(try await needs(planned.1) == plannedNeeds)
            let plan = try await b.get("/households/\(planned.1)/plan")
            #expect(plan.body.contains("value=\"Ngô Văn Tài\"") && plan.body.contains("value=\"Hội Nông dân\""))
            let audit = try await AuditEntry.query(on: app.db).filter(\.$action == "support.helper").count()
            #expect(audit == 3)
            // The same form sent again was read before that save: its changed rows are stale now, so it is refused
            // rather than overwriting.
            #expect(try await b.post("/support/helpers", form).status == .conflict)
            // English as the second language: the sheet and monitoring speak it after the switch.
            _ = try await b.get("/lang/en")
            #expect(try await b.get("/support/helpers").body.contains("Helpers for poor and near-poor households"))
            let english = try await b.get("/support/monitoring")
            #expect(english.body.contains("Budgets and disbursement") && english.body.contains("Eligible households"))
            // The province reads the sheet but cannot save it.
            var p = Browser(app)
            try await p.login(accounts.first(.provinceOfficer))
            #expect(try await p.get("/support/helpers?commune=\(commune)").status == .ok)
            #expect(try await p.post("/support/helpers?commune=\(commune)", form).status == .forbidden)
        }
    }

    @Test func aCorrectionVoidsAndRewritesInOneSave() async throws {
        try await withTestApp(households: 300) { app, accounts in
            var (_, commune, b) = try await Self.signedIn(app, accounts)
            let poor = try await Self.household(app, commune: commune, listed: "poor", current: "poor")
            #expect(try await b.post("/support", ["household": poor.code, "policy": "nhao", "amount": "4.000.000", "date": "01/09/2026", "source": "central"]).status == .seeOther)
            struct R: Decodable { var id: Int; var amount: Int; var voided_reason: String? }
            func records() async throws -> [R] {
                try await (app.db as! any SQLDatabase).raw("SELECT id, amount, voided_reason FROM support_records WHERE household_id = \(bind: poor.id) AND policy_code = 'nhao' ORDER BY id").all(decoding: R.self)
            }
            let first = try #require(try await records().last)
            let edit = try await b.get("/support/\(first.id)/edit")
            #expect(edit.status == .ok && edit.body.contains("Sửa khoản hỗ trợ #\(first.id)") && edit.body.contains("value=\"4000000\"") && edit.body.contains("value=\"01/09/2026\""))
            var form = ["household": poor.code, "policy": "nhao", "amount": "40.000.000", "date": "01/09/2026", "source": "central", "replaces": String(first.id)]
            // Without a reason: refused, nothing changes.
            let noWhy = try await b.post("/support", form)
            #expect(noWhy.status == .unprocessableEntity && noWhy.body.contains("Cần ghi lý do sửa"))
            #expect(try await records().count == 1)
            form["correction"] = "Ghi nhầm số tiền (thiếu một số 0)"
            #expect(try await b.post("/support", form).status == .seeOther)
            let after = try await records()
            #expect(after.count == 2 && after[0].voided_reason == "Sửa: Ghi nhầm số tiền (thiếu một số 0)" && after[1].amount == 40_000_000 && after[1].voided_reason == nil)
            // The same correction again (a double submit): refused, no third record.
            let twice = try await b.post("/support", form)
            #expect(twice.status == .unprocessableEntity && twice.body.contains("đã bị huỷ hoặc sửa trước đó"))
            #expect(try await records().count == 2)
            #expect(try await b.get("/support/\(first.id)/edit").status == .unprocessableEntity)
            // The ledger offers the correction for live records only.
            let ledger = try await b.get("/support?commune=\(commune)&voided=1")
            #expect(ledger.body.contains("/support/\(after[1].id)/edit") && !ledger.body.contains("/support/\(first.id)/edit"))
        }
    }
}
