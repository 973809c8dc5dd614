import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoReports
import GiamNgheoStorage
import GiamNgheoWeb
import Testing
import Vapor
import VaporTesting
import ZIPFoundation

/// Exports of the household list: the list's filters and scope, every page, masked IDs for roles that do
/// not need them, audited; CSV for Excel and an xlsx with households and members.
@Suite(.serialized) struct ExportTests {
    @Test func csvAndXlsxFollowTheFiltersTheScopeAndTheRole() async throws {
        try await withTestApp(households: 2_500) { app, accounts in
            let officer = accounts.first(.communeOfficer)
            let commune = officer.units[0]
            var o = Browser(app)
            try await o.login(officer)
            // The list's buttons post its filters; a short list goes straight to the download.
            let page = try await o.get("/households?category=poor").body
            #expect(page.contains("action=\"/exports?category=poor\"") && page.contains("value=\"xlsx-households\""))
            let direct = try await o.post("/exports?category=poor", ["choice": "csv-members"])
            #expect(direct.status == .seeOther && direct.location == "/households/export?category=poor&format=csv&what=members")
            let mine = try await HouseholdRecord.query(on: app.db).filter(\.$communeCode == commune).filter(\.$archivedReason == nil).all()
            let csv = try await o.get("/households/export?format=csv&what=households")
            #expect(csv.status == .ok && csv.body.hasPrefix("\u{FEFF}Mã hộ,Chủ hộ,Số CCCD chủ hộ"))
            let lines = csv.body.split(separator: "\r\n")
            // Every household of the commune (more than one page of 1,000 when the commune is large), nothing else.
            #expect(lines.count == mine.count + 1)
            #expect(Set(lines.dropFirst().map { String($0.split(separator: ",")[0]) }) == Set(mine.map(\.code)))
            // The commune officer's role needs full ID numbers.
            let ids: [String] = mine.compactMap { r in (try? app.registry.store.household(r, parser: app.registry.parser))?.members.first?.nationalID }
            let someID = try #require(ids.first)
            #expect(csv.body.contains(someID))
            // Filters apply as on the list.
            let poor = mine.filter { $0.category == "poor" }
            #expect(try await o.get("/households/export?format=csv&category=poor").body.split(separator: "\r\n").count == poor.count + 1)
            // Another commune's list is refused before any byte of the file (no header row, no broken stream).
            let otherCommune = accounts.first { $0.role == .communeOfficer && $0.units != accounts.first(.communeOfficer).units }!.units[0]
            for f in ["csv", "xlsx"] {
                let foreign = try await o.get("/households/export?format=\(f)&commune=\(otherCommune)")
                #expect(foreign.status == .forbidden && !foreign.body.contains("Mã hộ,"), "\(f)")
            }
            // A province officer sees the province, with ID numbers and birth dates masked.
            var p = Browser(app)
            try await p.login(accounts.first(.provinceOfficer))
            // The whole province: several pages of 1,000, each household once.
            let province = try await p.get("/households/export?format=csv")
            let codes = province.body.split(separator: "\r\n").dropFirst().map { String($0.split(separator: ",")[0]) }
            let all = try await HouseholdRecord.query(on: app.db).filter(\.$archivedReason == nil).count()
            #expect(all > 2_000 && codes.count == all && Set(codes).count == all)
            let members = try await p.get("/households/export?format=csv&what=members&commune=\(commune)")
            #expect(members.status == .ok && !members.body.contains(someID) && members.body.contains("**/**/"))
            let memberCount = try mine.reduce(0) { $0 + (try app.registry.store.household($1, parser: app.registry.parser)).members.count }
            #expect(members.body.split(separator: "\r\n").count == memberCount + 1)
            // xlsx: two sheets, every household and member, numbers as numbers.
            let file = try await download(app, o, "/households/export?format=xlsx")
            defer { try? FileManager.default.removeItem(at: file) }
            let archive = try Archive(url: file, accessMode: .read)
            var sheet = Data()
            _ = try archive.extract(try #require(archive["xl/worksheets/sheet1.xml"])) { sheet.append($0) }
            let xml = String(decoding: sheet, as: UTF8.self)
            #expect(xml.components(separatedBy: "<row ").count - 1 == mine.count + 1)
            #expect(archive["xl/worksheets/sheet2.xml"] != nil)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "export").count() == 5)
            #expect(try await o.get("/households/export?format=pdf").status == .unprocessableEntity)
        }
    }

    /// A list longer than the inline limit is written in the background: the page shows its progress, the file
    /// is its owner's only, a cancelled export leaves no file, and the finished file is the same as the direct one.
    @Test func longListsExportInTheBackgroundWithProgress() async throws {
        try await withTestApp(households: 600, config: { $0.exportInlineRows = 10 }) { app, accounts in
            var o = Browser(app)
            try await o.login(accounts.first(.communeOfficer))
            let started = try await o.post("/exports", ["choice": "csv-households"])
            #expect(started.status == .seeOther)
            let page = try #require(started.location)
            #expect(page.hasPrefix("/exports/"))
            // Another user cannot see it.
            var other = Browser(app)
            try await other.login(accounts.first(.provinceOfficer))
            #expect(try await other.get(page).status == .notFound)
            #expect(try await other.get(page + "/file").status == .notFound)
            // Progress until done (the job runs on its own task).
            var done = false
            for _ in 0..<200 where !done {
                let p = try await o.get(page + "/progress")
                #expect(p.status == .ok && p.body.contains("\"done\""))
                done = p.body.contains("\"done\":\"true\"")
                if !done { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(done)
            let finished = try await o.get(page)
            #expect(finished.body.contains("Tệp đã sẵn sàng") && finished.body.contains(page + "/file"))
            let file = try await o.get(page + "/file")
            let direct = try await o.get("/households/export?format=csv&what=households")
            #expect(file.status == .ok && file.body == direct.body && file.body.split(separator: "\r\n").count > 10)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "export").count() == 2)
            // Cancelled before it ends (or just after): no file is served, nothing is kept.
            let second = try #require(try await o.post("/exports", ["choice": "xlsx-households"]).location)
            _ = try await o.post(second + "/cancel", [:])
            for _ in 0..<200 {
                if try await o.get(second + "/progress").body.contains("\"done\":\"true\"") { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let shown = try await o.get(second).body
            #expect(shown.contains("Đã huỷ") || shown.contains("Tệp đã sẵn sàng"))
            if shown.contains("Đã huỷ") { #expect(try await o.get(second + "/file").status == .notFound) }
            #expect(try await o.post("/exports", ["choice": "pdf-households"]).status == .unprocessableEntity)
        }
    }

    /// The import template: its headers map back to every field with no problem, its example parses, and the
    /// coded columns offer their lists.
    @Test func theTemplateReadsBackAsItsOwnColumns() async throws {
        try await withTestApp(households: 20) { app, accounts in
            var o = Browser(app)
            try await o.login(accounts.first(.communeOfficer))
            let file = try await download(app, o, "/households/template")
            defer { try? FileManager.default.removeItem(at: file) }
            let reader = try XLSXReader(url: file)
            #expect(reader.sheetNames == ["Hộ gia đình", "Nhân khẩu", "Danh mục"])
            var example: [String: [String: Any]] = [:]
            for (sheet, title) in [("households", "Hộ gia đình"), ("members", "Nhân khẩu")] {
                var rows: [Int: [ReadCell]] = [:]
                try reader.rows(sheet: title) { r, cells in rows[r] = cells }
                let headers = (rows[1] ?? []).map { cell -> String in if case .text(let t) = cell.value { return t }; return "" }
                let mapping = BundledData.importColumns.map(sheet: sheet, headers: headers)
                #expect(mapping.problems(sheet: title, headers: headers).blocking.isEmpty && mapping.unknown.isEmpty)
                #expect(Set(mapping.keys.values) == Set(BundledData.importColumns.columns(of: sheet).map(\.key)))
                #expect(rows[2]?.allSatisfy { if case .text(let t) = $0.value { return t.hasPrefix("Hướng dẫn: ") }; return false } == true)
                for c in rows[3] ?? [] {
                    guard let key = mapping.keys[c.column] else { continue }
                    switch c.value {
                    case .text(let t): example[sheet, default: [:]][key] = t
                    case .number(let n): example[sheet, default: [:]][key] = n
                    case .date(let d): example[sheet, default: [:]][key] = d.description
                    default: break
                    }
                }
            }
            // The example row is a valid household with its head.
            var dict = example["households"]!
            var head = example["members"]!
            head.removeValue(forKey: "householdCode"); head["id"] = "1"
            dict["members"] = [head]
            let h = try app.registry.parser.parse(dict, fallbackCode: "mẫu")
            #expect(h.members.first?.relation == "head" && h.members.first?.sex == "female" && h.incomePerCapita == 1_500_000 && h.causes == ["2", "7"])
            let csv = try await o.get("/households/template?format=csv&sheet=members")
            #expect(csv.body.hasPrefix("\u{FEFF}Mã hộ,Họ và tên,Quan hệ với chủ hộ") && csv.body.contains("Nguyễn Thị Hoa"))
        }
    }
}
