import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoStorage
import Vapor

/// First start: a real province (Thành phố Huế, 46) filled by the generator, one account per role.
enum DemoSeeder {
    /// The seed documents' targets and figures, and this year's sample targets for every commune of the demo
    /// (reduce the poor households by a sixth, at least one): enough for some to be on track and some not.
    static func seedTargets(_ app: Application) async throws {
        let units = app.registry.units
        let scope = Scope(username: "demo", role: .admin, units: [], adminUnits: units)
        let targets = TargetStore(store: app.registry.store)
        try await targets.importCSV(scope, text: BundledData.seedTargetsCSV, on: app.db)
        let year = app.registry.referenceDate.year
        let data = ReportData(units: units)
        var csv = "year,structure,unit_codes,kind,measure,baseline,reduction,end_rate_pct,note,source\n"
        for commune in try await data.communesWithHouseholds(on: app.db) {
            let cells = try await data.rows(year: year, place: .init(structure: .y2025, unit: commune), scope: scope, on: app.db).flatMap(\.cells)
            let start = Reports.count(TargetMeasure.poor.startTerms!, cells, measure: .households)
            guard start > 0 else { continue }
            let reduction = max(1, start / 6)
            let total = Reports.count([CellTerm(dim: "all")], cells, measure: .households)
            let rate = (start - reduction) * 10_000 / max(total, 1)
            csv += "\(year),2025,\(commune),target,poor,\(start),\(reduction),\(rate / 100).\(String(format: "%02d", rate % 100)),Chỉ tiêu mẫu của dữ liệu demo,Dữ liệu demo\n"
        }
        try await targets.importCSV(scope, text: csv, on: app.db)
    }

    /// Plans, supports, a livelihood model, the fund and budgets for the demo's communes (issue 7), so that the
    /// ledger, the disclosure lists and monitoring have something to show. Demo only: supports two years back go
    /// mostly to the households that then exited (livelihood, training), so "support before exit" shows a contrast;
    /// one support is recorded for a household the policy is not for, with its reason.
    static func seedSupport(_ app: Application, communes: [String]) async throws {
        let support = app.registry.support!
        let scope = Scope(username: "demo", role: .admin, units: [], adminUnits: app.registry.units)
        typealias H = DemoHistory.Household
        let ref = app.registry.referenceDate
        let year = ref.year
        let cat = support.catalogue
        for commune in communes {
            let hs = try await DemoHistory.households(commune: commune, on: app.db)
            let listed = try await DemoHistory.recognisedYears(on: app.db)
            var inputs: [(line: Int, input: SupportInput)] = []
            func add(_ h: H, _ policy: String, _ amount: Int, _ date: CivilDate, _ source: String, quantity: String = "", reason: String = "", member: String = "") {
                // An administrator's catalogue may not have the demo's policies.
                guard cat.policy(policy) != nil else { return }
                var i = SupportInput()
                i.household = h.code; i.policy = policy; i.amount = String(amount); i.date = date.description; i.source = source
                i.quantity = quantity; i.reason = reason; i.member = member
                inputs.append((inputs.count + 1, i))
            }
            let jan = CivilDate(year: year, month: 1, day: 15)!, tet = CivilDate(year: year, month: 1, day: 25)!
            let mid = min(CivilDate(year: year, month: 6, day: 10)!, ref), march = min(CivilDate(year: year, month: 3, day: 5)!, ref)
            let lastYear = CivilDate(year: year - 1, month: 5, day: 20)!
            var planned: [(H, Bool)] = []
            for h in hs {
                // During a year the list in force is the one recognised at the end of the year before.
                let now = listed[h.id]?[year - 1], before = listed[h.id]?[year - 2]
                switch now {
                case "poor":
                    add(h, "bhyt-ngheo", 0, jan, "central", quantity: "thẻ BHYT")
                    add(h, "quatet", 500_000, tet, h.id % 2 == 0 ? "fund" : "local")
                    if h.id % 3 == 0 { add(h, "tindung-ngheo", 50_000_000, mid, "credit") }
                    if h.id % 5 == 0 { add(h, "nhao", 40_000_000, mid, "central") }
                    planned.append((h, h.id % 3 == 1))
                case "nearPoor":
                    add(h, "bhyt-cannngheo", 0, jan, "central", quantity: "thẻ BHYT")
                    if h.id % 4 == 0 { add(h, "tindung-cannngheo", 40_000_000, mid, "credit") }
                    planned.append((h, false))
                default:
                    if before == "poor" {
                        add(h, "bhyt-thoatngheo", 0, jan, "local", quantity: "thẻ BHYT")
                        if h.id % 3 == 0 { add(h, "tindung-thoatngheo", 30_000_000, march, "credit") }
                    }
                }
                // Last year, under the list of the year before: the households that then exited got livelihood
                // support and training more often than those that stayed poor.
                if before == "poor" {
                    if now != "poor" {
                        add(h, "sinhke", 8_000_000, lastYear, "central", quantity: "giống, vật tư")
                        // Training is for a person the policy is for (working age, able to work): the first such member.
                        let training = cat.policy("nghe-vieclam")
                        let worker = (try? app.registry.store.household(facts: h.facts))?.members.first { m in
                            training.map { $0.covers(birthDate: m.birthDate, birthYear: m.birthYear, sex: m.sex, on: lastYear) && $0.memberCondition.holds(MemberCondition.value(of: m)) } ?? false
                        }
                        if h.id % 2 == 1, let worker { add(h, "nghe-vieclam", 3_000_000, lastYear, "central", member: worker.id) }
                    } else if h.id % 4 == 1 {
                        add(h, "sinhke", 8_000_000, lastYear, "central", quantity: "giống, vật tư")
                    } else {
                        add(h, "quatet", 300_000, lastYear, "local")
                    }
                }
            }
            if let other = hs.first(where: { h in h.category == "notPoor" && listed[h.id]?[year - 1] == "notPoor" && listed[h.id]?[year - 2] == "notPoor" }) {
                add(other, "quatet", 500_000, tet, "fund", reason: "Hộ có hoàn cảnh đặc biệt khó khăn (chủ hộ ốm nặng), UBND xã quyết định hỗ trợ")
            }
            let (rows, problems) = try await support.prepare(scope, inputs, on: app.db)
            guard problems.isEmpty, rows.allSatisfy({ $0.eligible || $0.reason != nil }) else {
                throw StandardError("dữ liệu hỗ trợ demo: \((problems.map(\.text) + rows.filter { !$0.eligible && $0.reason == nil }.map(\.eligibilityNote)).prefix(3).joined(separator: "; "))")
            }
            _ = try await app.registry.store.writing(app.db) { tx in try await support.insertDemo(rows, scope: scope, on: tx) }
            let orgs = ["Hội Liên hiệp Phụ nữ", "Hội Nông dân", "Hội Cựu chiến binh", "Đoàn Thanh niên"]
            for (i, (h, commits)) in planned.prefix(40).enumerated() {
                let org = orgs[i % orgs.count]
                // Needs: livelihood for everyone planned; a loan for two households in three (the policy bank lends to
                // some of them: coverage of those in need then shows both reached and waiting households).
                var needs: [SupportStore.Need] = cat.policy("sinhke") == nil ? [] : [.init(indicator: nil, cause: nil, policy_code: "sinhke", description: "Hỗ trợ giống, vật tư")]
                let loan = listed[h.id]?[year - 1] == "nearPoor" ? "tindung-cannngheo" : "tindung-ngheo"
                if h.id % 3 != 2, cat.policy(loan) != nil { needs.append(.init(indicator: nil, cause: "2", policy_code: loan, description: "Vay vốn phát triển sản xuất")) }
                try await support.savePlan(scope, householdID: h.id, year: year, .init(commitment: commits, helperName: "Cán bộ \(org)", helperOrg: org, helperContact: "",
                                                                                 note: "", needs: needs),
                                           expectedVersion: 0, on: app.db)
            }
            try await support.addFundEntry(scope, unit: commune, date: CivilDate(year: year, month: 1, day: 5)!.description, kind: "donation", amount: "30000000",
                                           party: "Doanh nghiệp, nhà hảo tâm trên địa bàn", note: "Tháng cao điểm Vì người nghèo", on: app.db)
            try await support.addFundEntry(scope, unit: commune, date: CivilDate(year: year - 1, month: 11, day: 18)!.description, kind: "donation", amount: "12500000",
                                           party: "Cán bộ, công chức xã ủng hộ", note: "", on: app.db)
            let model = try await support.createModel(scope, commune: commune, village: nil, name: "Nuôi bò sinh sản", kind: "Chăn nuôi",
                                                      programme: cat.programme("GNBV2125.DA2") == nil ? nil : "GNBV2125.DA2",
                                                      startYear: year - 2, budget: "240000000", source: "central", description: "Hỗ trợ bò giống và kỹ thuật cho hộ nghèo, cận nghèo", on: app.db)
            for h in hs.filter({ listed[$0.id]?[year - 2] == "poor" }).prefix(6) {
                try await support.addParticipant(scope, modelID: model, household: h.code, year: year - 2, on: app.db)
            }
            try await support.addResult(scope, modelID: model, year: year - 1, output: "6 bê con; 2 hộ tham gia thoát nghèo", revenue: "90000000", note: "", on: app.db)
            for (programme, source, amount) in [("MTQG2635.TP1.ND03", "central", "150000000"), ("NSDP", "local", "60000000")]
            where cat.programme(programme)?.covers(year: year) == true {
                try await support.addBudget(scope, unit: commune, year: year, programme: programme, source: source, amount: amount, note: "", on: app.db)
            }
        }
    }

    /// Only ever into an empty database: no account and no household. A registry imported before the first
    /// start keeps its households untouched and gets a notice instead (the operator creates the accounts).
    static func seedIfEmpty(_ app: Application, config: AppConfig) async throws -> [DemoAccount] {
        guard try await AccountStore(units: app.registry.units).count(on: app.db) == 0 else { return [] }
        if try await app.registry.store.hasHouseholds(on: app.db) {
            app.startNotices.append("Sổ hộ đã có hộ gia đình nên không nạp dữ liệu mẫu (dữ liệu mẫu chỉ nạp vào cơ sở dữ liệu trống).")
            return []
        }
        let gen = BundledData.generator()
        var households: [Household] = []
        let options = GeneratorOptions(province: "46", households: config.demoHouseholds, seed: config.demoSeed,
                                       referenceDate: app.registry.referenceDate)
        try gen.generate(options) { households.append($0) }
        _ = try await app.registry.store.bulkInsert(households, on: app.db)
        try await DemoHistory.seed(app.db, year: app.registry.referenceDate.year)
        try await seedTargets(app)
        let communes = try gen.communes(for: options)
        try await seedSupport(app, communes: communes.prefix(4).map(\.code))
        let first = communes[0].code, second = communes[1].code
        let accounts: [(String, String, Role, [String])] = [
            ("admin", "Quản trị hệ thống", .admin, []),
            ("tinh46", "Cán bộ Sở Nông nghiệp và Môi trường Huế", .provinceOfficer, ["46"]),
            ("xa\(first)", "Cán bộ \(communes[0].name)", .communeOfficer, [first]),
            ("thon\(first)", "Trưởng thôn, \(communes[0].name)", .villageHead, [first]),
            ("xa\(second)", "Cán bộ \(communes[1].name)", .communeOfficer, [second]),
            ("kiemtra", "Kiểm tra, giám sát", .auditor, ["46"]),
        ]
        var out: [DemoAccount] = []
        for (username, name, role, units) in accounts {
            let password = AccountStore.oneTimePassword()
            let hash = try await app.password.async.hash(password)
            try await User(username: username, passwordHash: hash, displayName: name, role: role, units: units).create(on: app.db)
            out.append(DemoAccount(username: username, password: password, role: role, units: units))
        }
        return out
    }
}
