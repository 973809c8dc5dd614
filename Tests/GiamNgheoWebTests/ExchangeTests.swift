import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import GiamNgheoWeb
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
}
