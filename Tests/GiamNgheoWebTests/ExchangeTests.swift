import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import GiamNgheoReports
@testable import GiamNgheoWeb
import Testing
import Vapor
import VaporTesting
import ZIPFoundation

/// Issue 21 §4: a year's exchange files (docs/exchange.md) from the report page: the account's households, their
/// members, the recognised list and every form, each file as its manifest describes it.
@Suite(.serialized) struct ExchangeTests {
    func zip(_ app: Application, _ b: Browser, _ path: String) async throws -> Archive {
        try Archive(data: try await downloadBytes(app, b, path, type: "zip"), accessMode: .read)
    }

    func read(_ a: Archive, _ name: String) throws -> Data {
        var d = Data()
        _ = try a.extract(try #require(a[name], "\(name) is missing"), consumer: { d.append($0) })
        return d
    }

    func rows(_ data: Data) -> [[String]] {
        CSV.parse(String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\u{FEFF}", with: "")).filter { $0.contains { !$0.isEmpty } }
    }

    @Test func aCommunesYearAsFilesWithTheirManifest() async throws {
        try await withTestApp(households: 120) { app, accounts in
            let officer = accounts.first(.communeOfficer), head = accounts.first { $0.role == .villageHead && $0.units == officer.units }!
            var o = Browser(app)
            try await o.login(officer)
            let page = try await o.get("/reports/ket-qua?year=2026").body
            #expect(page.contains("href=\"/reports/exchange?year=2026&unit=\(officer.units[0])\""))
            let a = try await zip(app, o, "/reports/exchange?year=2026&unit=\(officer.units[0])")
            let manifest = try #require(try JSONSerialization.jsonObject(with: try read(a, "manifest.json")) as? [String: Any])
            #expect(manifest["format"] as? String == "giamngheo-exchange" && manifest["year"] as? Int == 2026 && manifest["nationalIDs"] as? String == "full")
            let files = try #require(manifest["files"] as? [[String: Any]])
            for f in files {
                let name = try #require(f["name"] as? String)
                let data = try read(a, name)
                let table = rows(data)
                #expect(table.first == f["columns"] as? [String], "\(name) header")
                #expect(table.count - 1 == f["rows"] as? Int, "\(name) rows")
                #expect(SHA256.hash(data: data).hex == f["sha256"] as? String, "\(name) SHA-256")
            }
            let households = rows(try read(a, "households.csv"))
            let expected = try await HouseholdRecord.query(on: app.db).filter(\.$communeCode == officer.units[0]).filter(\.$archivedReason == nil).count()
            #expect(households.count - 1 == expected && households.dropFirst().allSatisfy { $0[1] == officer.units[0] })
            #expect(files.contains { $0["name"] as? String == "reports/ket-qua.csv" } && files.contains { ($0["name"] as? String ?? "").hasPrefix("lists/15-") })
            #expect((manifest["reports"] as? [Any])?.count == app.registry.reportLayouts.count)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "export").filter(\.$username == officer.username).count() == 1)

            // A village head's file masks personal IDs; another commune is refused.
            var v = Browser(app)
            try await v.login(head)
            let masked = try await zip(app, v, "/reports/exchange?year=2026&unit=\(officer.units[0])")
            let members = rows(try read(masked, "members.csv"))
            let ids = members.dropFirst().map { $0[8] }.filter { !$0.isEmpty }
            #expect(!ids.isEmpty && ids.allSatisfy { $0.contains("•••••") })
            let other = try #require(try await HouseholdRecord.query(on: app.db).filter(\.$communeCode != officer.units[0]).first()).communeCode
            #expect(try await o.get("/reports/exchange?year=2026&unit=\(other)").status == .forbidden)
        }
    }

    /// The same tables as one workbook for people: a sheet per file (the first says what each is), numbers as
    /// numbers, and a table longer than a sheet continued on the next.
    @Test func theSameYearAsOneWorkbook() async throws {
        try await withTestApp(households: 60) { app, accounts in
            let officer = accounts.first(.communeOfficer)
            var o = Browser(app)
            try await o.login(officer)
            #expect(try await o.get("/reports/ket-qua?year=2026").body.contains("href=\"/reports/exchange?year=2026&unit=\(officer.units[0])&format=xlsx\""))
            let url = try await download(app, o, "/reports/exchange?year=2026&unit=\(officer.units[0])&format=xlsx")
            defer { try? FileManager.default.removeItem(at: url) }
            let book = try XLSXReader(url: url)
            let names = book.sheets.map(\.name)
            #expect(names.first == "Giới thiệu" && names.contains("households") && names.contains("members") && names.contains("bieu-15"), "\(names)")
            var households = 0, numbers = 0
            _ = try book.rows(sheet: "households") { n, cells in
                guard n > 1 else { return }
                households += 1
                if cells.contains(where: { $0.column == 6 && { if case .number = $0.value { return true } else { return false } }($0) }) { numbers += 1 }
            }
            let expected = try await HouseholdRecord.query(on: app.db).filter(\.$communeCode == officer.units[0]).filter(\.$archivedReason == nil).count()
            #expect(households == expected && numbers == expected, "member_count written as numbers")
            var listed: [String: Int] = [:]
            _ = try book.rows(sheet: "Giới thiệu") { n, cells in
                guard n > 1, cells.count > 2, case .text(let sheet) = cells[1].value else { return }
                if case .number(let rows) = cells[2].value { listed[sheet] = Int(rows) }
            }
            #expect(listed["households"] == expected, "\(listed)")

            // Past a sheet's rows the table goes on in "members (2)", "members (3)", …, nothing lost.
            let scope = Scope(username: officer.username, role: officer.role, units: officer.units, adminUnits: app.registry.units)
            var small = ExchangePackage(scope: scope, services: app.registry, db: app.db)
            small.sheetRows = 10
            let file = TemporaryFiles.url("exchange-test-\(UUID().uuidString).xlsx")
            defer { try? FileManager.default.removeItem(at: file) }
            let summary = try await small.write(year: 2026, unit: officer.units[0], to: file, format: .xlsx)
            let split = try XLSXReader(url: file)
            let parts = split.sheets.map(\.name).filter { $0 == "members" || $0.hasPrefix("members (") }
            var members = 0
            for p in parts { _ = try split.rows(sheet: p) { n, _ in if n > 1 { members += 1 } } }
            // …each right after the one before it.
            let names2 = split.sheets.map(\.name), first = try #require(names2.firstIndex(of: "members"))
            #expect(Array(names2[first..<first + parts.count]) == parts, "\(names2)")
            #expect(parts.count == (summary.members + 9) / 10 && parts.count > 1 && members == summary.members, "\(parts) \(members) \(summary.members)")
        }
    }

    /// A unit bigger than the inline limit (a province) is written in the background: a link only shows the button,
    /// its POST starts the job, the export page follows it, and the file is its owner's.
    @Test func aBigUnitsFilesAreWrittenInTheBackground() async throws {
        try await withTestApp(households: 60, config: { $0.exportInlineRows = 5 }) { app, accounts in
            let officer = accounts.first(.communeOfficer)
            var o = Browser(app)
            try await o.login(officer)
            let path = "/reports/exchange?year=2026&unit=\(officer.units[0])"
            let confirm = try await o.get(path)
            #expect(confirm.status == .ok && confirm.body.contains("Lập tệp") && confirm.body.contains("method=\"post\""))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "export").count() == 0)
            let job = try #require(try await o.post(path, [:]).location)
            #expect(job.hasPrefix("/exports/"))
            var done = false
            for _ in 0..<400 where !done {
                done = try await o.get(job + "/progress").body.contains("\"done\":\"true\"")
                if !done { try await Task.sleep(for: .milliseconds(50)) }
            }
            let finished = try await o.get(job).body
            #expect(done && finished.contains("Tệp đã sẵn sàng"))
            let a = try Archive(data: try await downloadBytes(app, o, job + "/file", type: "zip"), accessMode: .read)
            let manifest = try #require(try JSONSerialization.jsonObject(with: try read(a, "manifest.json")) as? [String: Any])
            let expected = try await HouseholdRecord.query(on: app.db).filter(\.$communeCode == officer.units[0]).filter(\.$archivedReason == nil).count()
            #expect(((manifest["files"] as? [[String: Any]])?.first?["rows"] as? Int) == expected)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "export").count() == 1)
            var other = Browser(app)
            try await other.login(accounts.first(.provinceOfficer))
            #expect(try await other.get(job + "/file").status == .notFound)
        }
    }
}
