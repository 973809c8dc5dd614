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

/// Issue 6: the official tables add up from village to nation, in both structures, reconcile their movements,
/// and every figure lists exactly its households.
@Suite(.serialized) struct ReportTests {
    static func table(_ app: Application, _ scope: Scope, _ id: String, _ place: ReportData.Place, year: Int = 2026,
                      scanning: Bool = false) async throws -> (ReportTable, [ReportUnit]) {
        let layout = try #require(try BundledData.reportLayouts().first { $0.id == id })
        let data = app.registry.reportData
        let units = try await data.rows(year: year, place: place, scope: scope, on: app.db)
        let standard = try BundledData.catalogue().standard(id: "vn-nd07-2022")
        return (try await data.table(layout, year: year, place: place, scope: scope, standard: standard, scanning: scanning, on: app.db), units)
    }

    /// Every count column of the total row is the sum of the unit rows, per measure and area.
    static func expectTotalsAddUp(_ t: ReportTable) {
        for total in t.rows where total.isTotal {
            let children = t.rows.filter { !$0.isTotal && $0.measure == total.measure && $0.area == total.area }
            for (j, c) in t.columns.enumerated() where c.sum != nil {
                let sum = children.reduce(0) { $0 + ($1.values[j].count ?? 0) }
                #expect(total.values[j].count == sum, "\(t.layout.id) \(c.id) \(total.measure)")
            }
        }
    }

    @Test func tablesAddUpAcrossLevelsStructuresAndMovements() async throws {
        try await withTestApp(households: 900) { app, accounts in
            let admin = Scope(username: "admin", role: .admin, units: [], adminUnits: app.registry.units)
            let layouts = try BundledData.reportLayouts()
            #expect(layouts.count >= 7 && layouts.allSatisfy { !$0.verified })
            for layout in layouts {
                let (p25, _) = try await Self.table(app, admin, layout.id, .init(structure: .y2025, unit: "46"))
                let (p24, rows24) = try await Self.table(app, admin, layout.id, .init(structure: .y2024, unit: "46"))
                let (nation, _) = try await Self.table(app, admin, layout.id, .init(structure: .y2025, unit: ""))
                let (nation24, _) = try await Self.table(app, admin, layout.id, .init(structure: .y2024, unit: ""))
                Self.expectTotalsAddUp(p25); Self.expectTotalsAddUp(p24); Self.expectTotalsAddUp(nation)
                // The summaries give exactly what reading every household gives.
                let (scanned, _) = try await Self.table(app, admin, layout.id, .init(structure: .y2025, unit: "46"), scanning: true)
                #expect(scanned.rows.map(\.values) == p25.rows.map(\.values), "\(layout.id)")
                // The same households under either coding, and the nation is this one province.
                let totals = { (t: ReportTable) in t.rows.filter(\.isTotal).map { $0.values.map(\.text) } }
                #expect(totals(p25) == totals(p24) && totals(p25) == totals(nation) && totals(p25) == totals(nation24), "\(layout.id)")
                #expect(p25.rows.contains { $0.isTotal && $0.values.contains { ($0.count ?? 0) > 0 } })
                // An old district's table sums to its row in the province's 2024 table.
                let district = try #require(rows24.first { app.registry.units.unit($0.code, in: .y2024)?.level == .district })
                let (d, _) = try await Self.table(app, admin, layout.id, .init(structure: .y2024, unit: district.code))
                Self.expectTotalsAddUp(d)
                let dRow = p24.rows.first { $0.unit == district.code && $0.measure == d.rows[0].measure && $0.area == nil }
                #expect(d.rows[0].values == dRow?.values, "\(layout.id) \(district.code)")
                // A commune's village table sums to its row in the province table.
                let commune = try #require(p25.rows.first { !$0.isTotal && ($0.values.first?.count ?? 0) > 0 })
                let (c, _) = try await Self.table(app, admin, layout.id, .init(structure: .y2025, unit: commune.unit))
                Self.expectTotalsAddUp(c)
                #expect(c.rows[0].values == commune.values, "\(layout.id) \(commune.unit)")
            }
            // Movements reconcile on every row: end = start − decreases + increases.
            for (id, down, up) in [("dien-bien-ngheo", ["toOther", "above", "otherDown"], ["fromNear", "re", "new"]),
                                   ("dien-bien-can-ngheo", ["toOther", "above", "otherDown"], ["fromPoor", "re", "new"])] {
                let (t, _) = try await Self.table(app, admin, id, .init(structure: .y2025, unit: "46"))
                let ix = Dictionary(uniqueKeysWithValues: t.columns.enumerated().map { ($1.id, $0) })
                for r in t.rows {
                    func v(_ c: String) -> Int { r.values[ix[c]!].count! }
                    #expect(v("end") == v("start") - down.map(v).reduce(0, +) + up.map(v).reduce(0, +), "\(id) \(r.unit)")
                }
                #expect(t.rows[0].values[ix["start"]!].count! > 0 && up.map { t.rows[0].values[ix[$0]!].count! }.reduce(0, +) > 0)
            }
        }
    }

    /// Forms 9, 11, 12 and 13 against the households themselves: children of poor households by what form 11
    /// counts, DTTC by the province's list (data), Kinh + DTTS = total, the groups' columns + other = DTTS.
    @Test func formsNineElevenTwelveAndThirteenCountTheRegistry() async throws {
        try await withTestApp(households: 600) { app, accounts in
            let admin = Scope(username: "admin", role: .admin, units: [], adminUnits: app.registry.units)
            // As an administrator's file would: Tà-ôi and Cơ-tu are local indigenous groups of old province 46.
            app.registry.localIndigenous = try LocalIndigenousGroups.parse(
                "old_province_code,province_name,ethnic_codes,verified,source\n46,Thừa Thiên Huế,31;26,false,test\n", groups: BundledData.ethnicGroups)
            let place = ReportData.Place(structure: .y2025, unit: "46")
            let layouts = try BundledData.reportLayouts()
            #expect(Set(layouts.compactMap(\.number)).isSuperset(of: ["1", "2", "3", "4–5", "6–7", "8", "9", "10", "11", "12", "13"]))
            var children = 0, notAttending = 0, withChildren = 0, dttc = 0, minority = 0
            for r in try await HouseholdRecord.query(on: app.db).filter(\.$archivedReason == nil).filter(\.$category == "poor").all() {
                let h = try app.registry.store.household(r, parser: app.registry.parser)
                let c = ChildDeprivation.counts(h, on: app.registry.referenceDate)
                children += c["all"] ?? 0; notAttending += c["notAttending"] ?? 0; withChildren += (c["all"] ?? 0) > 0 ? 1 : 0
                if let e = h.head?.ethnicity, ["31", "26"].contains(e) { dttc += 1 }
                if r.ethnicMinorityHead { minority += 1 }
            }
            #expect(children > 0 && dttc > 0)
            func total(_ t: ReportTable, _ measure: ReportMeasure, _ col: String) throws -> Int {
                let j = try #require(t.columns.firstIndex { $0.id == col }, "\(col)")
                return try #require(t.rows.first { $0.isTotal && $0.measure == measure && $0.area == nil }?.values[j].count)
            }
            let (t11, _) = try await Self.table(app, admin, "tre-em", place)
            #expect(try total(t11, .persons, "poorall") == children)
            #expect(try total(t11, .persons, "poornotAttending") == notAttending)
            #expect(try total(t11, .households, "poorall") == withChildren)
            let (t12, _) = try await Self.table(app, admin, "chuan-da-chieu-ngheo", place)
            #expect(try total(t12, .households, "local") == dttc)
            #expect(try total(t12, .households, "minority") == minority)
            #expect(try total(t12, .households, "kinh") + minority == total(t12, .households, "n"))
            #expect(try total(t12, .households, "totalLocal") >= dttc)
            let (t9, _) = try await Self.table(app, admin, "dan-toc", place)
            let groups = t9.columns.filter { $0.id.hasPrefix("poor") && Int($0.id.dropFirst(4)) != nil }.map(\.id)
            #expect(!groups.isEmpty && groups.count <= 8)
            #expect(try groups.map { try total(t9, .households, $0) }.reduce(0, +) + total(t9, .households, "poorOther") == minority)
            #expect(try total(t9, .households, "poorKinh") + minority == total(t9, .households, "poor"))
            // A commune's form 9 has its province's columns, so it is its row there; its drill-down lists its households.
            let commune = accounts.first(.communeOfficer).units[0]
            let (c9, _) = try await Self.table(app, admin, "dan-toc", .init(structure: .y2025, unit: commune))
            #expect(c9.columns.map(\.id) == t9.columns.map(\.id))
            // A DTTC figure lists exactly its households.
            let (c12, _) = try await Self.table(app, admin, "chuan-da-chieu-ngheo", .init(structure: .y2025, unit: commune))
            let local = try #require(c12.columns.first { $0.id == "local" }?.sum)
            let ids = try await app.registry.reportData.households(year: 2026, communes: [commune], oldCommune: nil, village: nil,
                                                                   terms: local, area: nil, scope: admin, on: app.db)
            #expect(try ids.count == total(c12, .households, "local"))
            var b = Browser(app)
            try await b.login(accounts.first(.provinceOfficer))
            let page = try await b.get("/reports/chuan-da-chieu-ngheo?year=2026&structure=2025&unit=46")
            #expect(page.status == .ok && page.body.contains("Biểu 12") && page.body.contains("DTTC"))
            let drill = try await b.get("/reports/dan-toc/households?year=2026&structure=2025&unit=46&row=\(commune)&col=poorOther&area=")
            #expect(drill.status == .ok)
        }
    }

    @Test func everyFigureListsExactlyItsHouseholdsAndFollowsChanges() async throws {
        try await withTestApp(households: 300) { app, accounts in
            let officer = accounts.first(.communeOfficer)
            let scope = officer.scope(app)
            let commune = officer.units[0]
            let place = ReportData.Place(structure: .y2025, unit: commune)
            let (t, _) = try await Self.table(app, scope, "ket-qua", place)
            let data = ReportData(units: app.registry.units)
            for id in ["poor", "nearPoor", "poorMinority", "middle"] {
                let j = try #require(t.columns.firstIndex { $0.id == id })
                let terms = try #require(t.columns[j].sum)
                let ids = try await data.households(year: 2026, communes: [commune], oldCommune: nil, village: nil, terms: terms, area: nil, scope: scope, on: app.db)
                #expect(ids.count == t.rows[0].values[j].count, "\(id)")
                let category = id == "middle" ? "middleIncome" : (id == "nearPoor" ? "nearPoor" : "poor")
                let direct = try await HouseholdRecord.query(on: app.db).filter(\.$communeCode == commune).filter(\.$archivedReason == nil)
                    .filter(\.$category == category).count()
                if id != "poorMinority" { #expect(ids.count == direct, "\(id)") }
            }
            // Archiving a poor household moves it from "end" to "other decreases" in the same transaction.
            let (before, _) = try await Self.table(app, scope, "dien-bien-ngheo", place)
            let candidates = try await HouseholdRecord.query(on: app.db).filter(\.$communeCode == commune)
                .filter(\.$category == "poor").filter(\.$archivedReason == nil).sort(\.$id).all()
            let lastYear = try await HouseholdYear.query(on: app.db).filter(\.$year == 2025).filter(\.$category == "poor").all()
            let poor = try #require(candidates.first { r in lastYear.contains { $0.householdID == r.id } })
            try await app.registry.store.archive(scope, id: poor.id!, expectedVersion: poor.version, reason: "Chuyển đi nơi khác", on: app.db)
            let (after, _) = try await Self.table(app, scope, "dien-bien-ngheo", place)
            let ix = Dictionary(uniqueKeysWithValues: after.columns.enumerated().map { ($1.id, $0) })
            #expect(after.rows[0].values[ix["otherDown"]!].count! == before.rows[0].values[ix["otherDown"]!].count! + 1)
            #expect(after.rows[0].values[ix["end"]!].count! == before.rows[0].values[ix["end"]!].count! - 1)
            #expect(after.rows[0].values[ix["start"]!] == before.rows[0].values[ix["start"]!])
            #expect(try await app.registry.store.verifySummaries(on: app.db).isEmpty)
            // Another commune is out of this officer's scope.
            let other = try #require(app.registry.units.communes(ofProvince: "46").map(\.code).first { $0 != commune })
            await #expect(throws: AccessError.forbidden) {
                _ = try await data.rows(year: 2026, place: .init(structure: .y2025, unit: other), scope: scope, on: app.db)
            }
        }
    }

    @Test func pagesPrintAndDownloadTheSameTable() async throws {
        try await withTestApp(households: 200) { app, accounts in
            var b = Browser(app)
            try await b.login(accounts.first(.provinceOfficer))
            let page = try await b.get("/reports/ket-qua?year=2026&structure=2025&unit=46")
            #expect(page.status == .ok && page.body.contains("chưa xác minh") && page.body.contains("landscape") && page.body.contains("Tổng cộng"))
            let old = try await b.get("/reports/dien-bien-ngheo?year=2026&structure=2024&unit=46")
            #expect(old.status == .ok && old.body.contains("Tái nghèo"))
            let bad = try await b.get("/reports/ket-qua?unit=99999")
            #expect(bad.status == .unprocessableEntity && bad.body.contains("99999") && !bad.body.contains("Fatal"))
            let file = try await download(app, b, "/reports/ket-qua/xlsx?year=2026&structure=2025&unit=46")
            defer { try? FileManager.default.removeItem(at: file) }
            let reader = try XLSXReader(url: file)
            var rows: [Int: [ReadCell]] = [:]
            try reader.rows(sheet: reader.sheetNames[0]) { r, cells in rows[r] = cells }
            // Row 5 is the total (households, both areas); its first count is every household of the province.
            let total = try await HouseholdRecord.query(on: app.db).filter(\.$archivedReason == nil).count()
            let first = rows[5]?.first { $0.column == 4 }
            if case .number(let n)? = first?.value { #expect(Int(n) == total) } else { Issue.record("no total in the sheet: \(String(describing: rows[5]))") }
            // The drill-down of a commune's poor households.
            let commune = accounts.first(.communeOfficer).units[0]
            let list = try await b.get("/reports/ket-qua/households?year=2026&structure=2025&unit=46&row=\(commune)&col=poor&area=")
            let poor = try await HouseholdRecord.query(on: app.db).filter(\.$communeCode == commune).filter(\.$category == "poor").filter(\.$archivedReason == nil).count()
            #expect(list.status == .ok && list.body.contains(": \(poor) hộ"))
        }
    }

    @Test func analyticsDecomposeExactlyAndRefuseABadCutoff() async throws {
        try await withTestApp(households: 300) { app, accounts in
            let admin = Scope(username: "admin", role: .admin, units: [], adminUnits: app.registry.units)
            let data = ReportData(units: app.registry.units)
            let indicators = try #require(try BundledData.catalogue().standard(id: "vn-nd07-2022")).indicators.map(\.code)
            for by in ReportData.AFBreakdown.allCases {
                let (total, parts) = try await data.alkireFoster(year: 2026, place: .init(structure: .y2025, unit: "46"), scope: admin,
                                                                 indicators: indicators, cutoff: 3, by: by, on: app.db)
                #expect(total.measures.households > 0 && total.measures.poor > 0)
                #expect(parts.map(\.measures.households).reduce(0, +) == total.measures.households)
                let recomposed = parts.reduce(Fraction(0, 1)) { $0 + Fraction($1.measures.households, total.measures.households) * $1.measures.adjustedHeadcount }
                #expect(recomposed == total.measures.adjustedHeadcount, "\(by)")
            }
            // Equal integer weights read from the households give what the summaries give.
            let (total, _) = try await data.alkireFoster(year: 2026, place: .init(structure: .y2025, unit: "46"), scope: admin,
                                                         indicators: indicators, cutoff: 3, by: .unit, on: app.db)
            let scanned = try await data.alkireFosterWeighted(year: 2026, place: .init(structure: .y2025, unit: "46"), scope: admin,
                                                              indicators: indicators, weights: Array(repeating: 2, count: 12), cutoff: 6, on: app.db)
            #expect(scanned.headcount == total.measures.headcount && scanned.adjustedHeadcount == total.measures.adjustedHeadcount)
            var b = Browser(app)
            try await b.login(accounts.first(.provinceOfficer))
            let page = try await b.get("/analytics?by=minority")
            #expect(page.status == .ok && page.body.contains("M0 = H × A") && page.body.contains("kiểm tra trên phân số chính xác") && page.body.contains("<svg"))
            let bad = try await b.get("/analytics?k=13")
            #expect(bad.status == .unprocessableEntity && bad.body.contains("Ngưỡng k"))
            let weights = try await b.get("/analytics?weights=VL1%3Dx")
            #expect(weights.status == .unprocessableEntity && weights.body.contains("VL1=x"))
            // The same figures as a workbook.
            let file = try await download(app, b, "/analytics/xlsx?unit=46&k=3&by=unit")
            defer { try? FileManager.default.removeItem(at: file) }
            let reader = try XLSXReader(url: file)
            #expect(reader.sheetNames == ["Chỉ số", "Theo chỉ số", "Phân rã"])
            var rows: [Int: [ReadCell]] = [:]
            try reader.rows(sheet: "Chỉ số") { r, cells in rows[r] = cells }
            if case .text(let exact)? = rows[4]?.first(where: { $0.column == 2 })?.value { #expect(exact == total.measures.adjustedHeadcount.description) }
            else { Issue.record("no M0 in the workbook") }
        }
    }

    @Test func targetsFromTheSeedsProgressAndImportAllOrNothing() async throws {
        try await withTestApp(households: 400) { app, accounts in
            let province = Scope(username: "tinh46", role: .provinceOfficer, units: ["46"], adminUnits: app.registry.units)
            let targets = TargetStore(store: app.registry.store)
            // The Huế 2024 appendix (10 units: baseline figures and targets) and the ward series are loaded.
            let y2024 = try await targets.list(province, year: 2024, on: app.db)
            #expect(y2024.filter { $0.kind == "target" && $0.source?.contains("03/KH-UBND") == true }.count == 10)
            let whole = try #require(y2024.first { $0.unitName == "Toàn tỉnh" && $0.kind == "target" })
            #expect(whole.baseline == 7540 && whole.reduction == 1595 && whole.endHouseholds == 5945 && whole.endRate == 176 && whole.codes == ["46"])
            #expect(y2024.first { $0.unitName == "Huyện Nam Đông" && $0.kind == "target" }?.codes.isEmpty == true)
            let series = try await targets.list(province, year: 2016, on: app.db)
            #expect(series.first?.unitName.contains("Hương Xuân") == true && series.first?.endHouseholds == 230 && series.first?.standard == "vn-qd59-2016")
            // This year's sample targets: progress from the summaries, some flagged.
            let now = try await targets.list(province, year: 2026, on: app.db)
            #expect(!now.isEmpty)
            var flagged = 0, onTrack = 0
            for t in now {
                let p = try #require(try await targets.progress(t, scope: province, reference: app.registry.referenceDate, on: app.db))
                let commune = t.codes[0]
                let direct = try await HouseholdRecord.query(on: app.db).filter(\.$communeCode == commune).filter(\.$category == "poor")
                    .filter(\.$archivedReason == nil).count()
                #expect(p.now == direct && p.start == t.baseline)
                if p.status.flagged { flagged += 1 } else if p.status == .onTrack { onTrack += 1 }
            }
            #expect(flagged > 0 && onTrack > 0, "flagged \(flagged), on track \(onTrack)")
            // A file with a bad row adds nothing and names the row and field.
            let before = try await TargetRecord.query(on: app.db).count()
            let bad = "year,structure,unit_codes,measure,reduction,end_rate_pct\n2027,2025,19753,poor,3,\n2027,2025,99999,poor,x,1.234\n"
            do {
                try await targets.importCSV(province, text: bad, on: app.db)
                Issue.record("a bad file was accepted")
            } catch let e as ValidationError {
                let text = e.message.vi
                #expect(text.contains("Dòng 3: mã đơn vị '99999'") && text.contains("Dòng 3: số giảm 'x'") && text.contains("tỷ lệ '1.234'"), "\(text)")
            }
            #expect(try await TargetRecord.query(on: app.db).count() == before)
            // Communes read their targets; they do not set them.
            var commune = Browser(app)
            try await commune.login(accounts.first(.communeOfficer))
            let page = try await commune.get("/targets?year=2026")
            #expect(page.status == .ok && page.body.contains("Chỉ tiêu mẫu") && !page.body.contains("Thêm chỉ tiêu"))
            let refused = try await commune.post("/targets", ["year": "2027", "unit_codes": accounts.first(.communeOfficer).units[0], "measure": "poor", "reduction": "2"])
            #expect(refused.status == .forbidden)
            var b = Browser(app)
            try await b.login(accounts.first(.provinceOfficer))
            let added = try await b.post("/targets", ["year": "2027", "structure": "2025", "unit_codes": accounts.first(.communeOfficer).units[0], "measure": "poorMinority", "end_rate_pct": "0,5"])
            #expect(added.status == .seeOther || added.status == .found)
            #expect(try await TargetRecord.query(on: app.db).filter(\.$year == 2027).first()?.endRate == 50)
            let list = try await b.get("/targets?year=2026")
            #expect(list.body.contains("nguy cơ không đạt") && list.body.contains("× 12 / 11"))
            let file = try await download(app, b, "/targets/xlsx?year=2026")
            defer { try? FileManager.default.removeItem(at: file) }
            var rows: [Int: [ReadCell]] = [:]
            try XLSXReader(url: file).rows(sheet: "Chỉ tiêu 2026") { r, cells in rows[r] = cells }
            #expect(rows.count == now.count + 1)
        }
    }

    @Test func whatIfReclassifiesWithoutTouchingTheRegistryAndSaysWhy() async throws {
        try await withTestApp(households: 300) { app, accounts in
            let province = Scope(username: "tinh46", role: .provinceOfficer, units: ["46"], adminUnits: app.registry.units)
            let catalogue = app.registry.store.engine.catalogue
            let nd07 = try #require(catalogue.standard(id: "vn-nd07-2022"))
            let before = try await HouseholdRecord.query(on: app.db).all().map { "\($0.id!):\($0.category):\($0.version)" }
            let runner = WhatIfRunner(store: app.registry.store)
            // The current standard on the current registry changes nothing.
            let same = try await runner.run(province, place: .init(structure: .y2025, unit: "46"), standard: nd07, on: app.db)
            #expect(same.changed() == 0 && same.count() == before.count)
            // NĐ07 with the NĐ351 lines (2.2 M / 2.8 M): only more poor or near-poor, each change with its reason.
            let draft = WhatIf.draft(nd07, rural: 2_200_000, urban: 2_800_000, threshold: nil)
            #expect(draft.id == "vn-nd07-2022+du-thao" && draft.incomeLines["income"]?.verified == false)
            var changes: [WhatIfRunner.Change] = []
            let t = try await runner.run(province, place: .init(structure: .y2025, unit: "46"), standard: draft, on: app.db) { changes.append($0) }
            #expect(t.changed() == changes.count && t.changed() > 0)
            // Small pages (keyset over the commune's sort key) see the same households in the same order.
            var paged: [String] = []
            let small = try await runner.run(province, place: .init(structure: .y2025, unit: "46"), standard: draft, pageSize: 7, on: app.db) { paged.append($0.code) }
            #expect(small == t && paged == changes.map(\.code))
            #expect(t.count(to: "poor") >= t.count(from: "poor") && t.count(to: "nearPoor") > t.count(from: "nearPoor"))
            #expect(changes.allSatisfy { $0.from != $0.to && $0.reason.contains("chuẩn") && Category(rawValue: $0.to)!.severity <= Category(rawValue: $0.from)!.severity })
            // Per commune, the tallies add up to the province.
            #expect(t.matrix.keys.reduce(0) { $0 + t.count(unit: $1) } == t.count())
            // Nothing recorded changed.
            #expect(try await HouseholdRecord.query(on: app.db).all().map { "\($0.id!):\($0.category):\($0.version)" } == before)
            #expect(try await app.registry.store.verifySummaries(on: app.db).isEmpty)
            // The page and the export agree.
            var b = Browser(app)
            try await b.login(accounts.first(.provinceOfficer))
            let page = try await b.get("/whatif?standard=vn-nd07-2022&rural=2200000&urban=2800000")
            #expect(page.status == .ok && page.body.contains("Đổi phân loại") && page.body.contains("\(Format.money(t.changed())) hộ"))
            let csv = try await b.get("/whatif/export?unit=46&standard=vn-nd07-2022&rural=2200000&urban=2800000&format=csv")
            #expect(csv.status == .ok && csv.body.split(separator: "\r\n", omittingEmptySubsequences: true).count == t.changed() + 1)
            let bad = try await b.get("/whatif?rural=abc")
            #expect(bad.status == .unprocessableEntity && bad.body.contains("abc"))
        }
    }

    @Test func dashboardsShowTrendTargetsAndProfileEachWithItsTable() async throws {
        try await withTestApp(households: 300) { app, accounts in
            var b = Browser(app)
            try await b.login(accounts.first(.provinceOfficer))
            let page = try await b.get("/dashboard")
            #expect(page.status == .ok && page.body.contains("Qua các năm") && page.body.contains("Chỉ tiêu năm 2026") && page.body.contains("Thiếu hụt theo chỉ số"))
            // Each chart is an accessible SVG followed by its table.
            let charts = page.body.components(separatedBy: "<svg").count - 1
            #expect(charts >= 4 && page.body.components(separatedBy: "role=\"img\" aria-labelledby=").count - 1 == charts)
            #expect(page.body.components(separatedBy: "<table").count - 1 >= charts)
            // Hương Xuân (old structure): its reported series across the change of standard in 2021, marked as such.
            let ward = try await b.get("/dashboard?unit=20017&structure=2024")
            #expect(ward.status == .ok && ward.body.contains("Đổi chuẩn: vn-nd07-2022") && ward.body.contains("<td>2016</td><td>vn-qd59-2016</td>"))
            #expect(!ward.body.contains("Phường Kim Trà"))   // the 2025 unit with the same code is another unit
        }
    }

    @Test func anAdministratorLoadsLayoutsAsData() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("layouts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // The confirmed form 1 (here: a title and two columns) replaces the shipped one; a new table is added.
        let json = """
        [{"id":"ket-qua","number":"01/TT","verified":true,"title":{"vi":"Biểu chính thức đã xác minh","en":"Confirmed"},
          "measures":["households"],"columns":[{"id":"n","label":"Tổng số hộ","sum":[{"dim":"all"}]},
          {"id":"p","label":"Hộ nghèo","sum":[{"dim":"all","categories":["poor"]}]},{"id":"r","label":"Tỷ lệ","rate":{"of":"p","per":"n"}}]},
         {"id":"ngheo-dtts","verified":false,"title":{"vi":"Hộ nghèo dân tộc thiểu số theo thành thị, nông thôn","en":"Minority poor"},
          "measures":["households","persons"],"splitArea":true,"columns":[{"id":"p","label":"Hộ nghèo DTTS","sum":[{"dim":"all","categories":["poor"],"minority":true}]}]}]
        """
        try Data(json.utf8).write(to: dir.appendingPathComponent("thong-tu.json"))
        try await withTestApp(households: 100, config: { $0.reportLayoutsDirectory = dir.path }) { app, accounts in
            var b = Browser(app)
            try await b.login(accounts.first(.provinceOfficer))
            let page = try await b.get("/reports/ket-qua?unit=46")
            #expect(page.status == .ok && page.body.contains("Biểu 01/TT. Biểu chính thức đã xác minh") && !page.body.contains("badge unverified"))
            let added = try await b.get("/reports/ngheo-dtts?unit=46")
            #expect(added.status == .ok && added.body.contains("Hộ nghèo DTTS") && added.body.contains("thành thị"))
        }
        try Data("[{\"id\": 1}]".utf8).write(to: dir.appendingPathComponent("hong.json"))
        await #expect(throws: (any Error).self) { try await withTestApp(households: 10, config: { $0.reportLayoutsDirectory = dir.path }) { _, _ in } }
    }

    @Test func aRegistryFromBeforeTheSummariesGetsThemDerivedOnce() async throws {
        try await withTestApp(households: 120) { app, accounts in
            let sql = app.db as! any SQLDatabase
            let traits = try await HouseholdRecord.query(on: app.db).sort(\.$id).all().map { "\($0.id!):\($0.traits ?? "")" }
            // As a database migrated from before: no derived columns, no cells.
            try await sql.raw("UPDATE households SET traits = NULL, urban = NULL, old_commune_code = NULL").run()
            try await sql.raw("DELETE FROM report_cells").run()
            #expect(try await app.registry.store.verifySummaries(on: app.db).isEmpty == false)
            let n = try await app.registry.store.backfillDerived(on: app.db)
            #expect(n == traits.count)
            #expect(try await HouseholdRecord.query(on: app.db).sort(\.$id).all().map { "\($0.id!):\($0.traits ?? "")" } == traits)
            #expect(try await app.registry.store.verifySummaries(on: app.db).isEmpty)
            #expect(try await app.registry.store.backfillDerived(on: app.db) == 0)
        }
    }
}
