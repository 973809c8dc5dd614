import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoReports
import GiamNgheoStorage
import GiamNgheoWeb
import Testing
import Vapor
import VaporTesting

/// Issue 21 §1: a round's phone forms and the household list they choose from, downloaded from the round page.
@Suite(.serialized) struct FieldFormTests {
    @Test func aRoundGivesItsFormsAndItsHouseholds() async throws {
        try await withTestApp(households: 60) { app, accounts in
            var (round, o, commune) = try await openedRound(app, accounts)
            let asking = try #require(try await HouseholdRecord.query(on: app.db).filter(\.$communeCode == commune).filter(\.$category == "notPoor").first())
            _ = try await o.post("/reviews/\(round.id!)/requests", ["household": asking.code, "form": "01", "receivedOn": "05/09/2026", "channel": "online"])
            _ = try await o.get("/reviews/\(round.id!)")
            #expect(try await o.post("/reviews/\(round.id!)/advance", ["version": "\(try await ReviewRound.find(round.id!, on: app.db)!.version)"]).status == .seeOther)
            let page = try await o.get("/reviews/\(round.id!)")
            #expect(page.body.contains("/reviews/\(round.id!)/xlsform?form=B") && page.body.contains("/reviews/\(round.id!)/households.csv?form=A"))

            // The list: Phiếu A's is the household that filed Mẫu 01; Phiếu B's every household of the round.
            let cases = try await ReviewCase.query(on: app.db).filter(\.$roundID == round.id!).all()
            let a = try await o.get("/reviews/\(round.id!)/households.csv?form=A")
            let aLines = a.body.split(separator: "\r\n")
            #expect(a.status == .ok && aLines.first == "name,label,area,village" && aLines.count == 2 && aLines[1].hasPrefix(asking.code + ","))
            let b = try await o.get("/reviews/\(round.id!)/households.csv?form=B").body.split(separator: "\r\n")
            #expect(b.count == cases.count + 1)
            #expect(b.dropFirst().allSatisfy { $0.contains(",rural,") || $0.contains(",urban,") }, "every household carries its area")

            // The form: an XLSForm of the round's standard, read back with our reader.
            let file = try await download(app, o, "/reviews/\(round.id!)/xlsform?form=B")
            defer { try? FileManager.default.removeItem(at: file) }
            let reader = try XLSXReader(url: file)
            #expect(reader.sheetNames == ["survey", "choices", "settings"])
            var names: [String] = []
            try reader.rows(sheet: "survey") { _, cells in
                if cells.count > 1, case .text(let n) = cells[1].value { names.append(n) }
            }
            #expect(names.contains("household") && names.contains("members") && names.contains("incomePerCapita") && names.contains("nutrition"))
            #expect(try await o.get("/reviews/\(round.id!)/xlsform?form=C").status == .unprocessableEntity)

            // Another commune's round is not found, neither its form nor its households.
            let other = try #require(try await ReviewRound.query(on: app.db).filter(\.$communeCode != commune).first())
            #expect(try await o.get("/reviews/\(other.id!)/households.csv?form=B").status == .notFound)
            #expect(try await o.get("/reviews/\(other.id!)/xlsform?form=B").status == .notFound)
        }
    }
}
