import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoReports
import GiamNgheoStorage
@testable import GiamNgheoWeb
import Testing
import Vapor
import VaporTesting

/// Issue 21 §2: ten households' Phiếu B from ODK Central and from KoboToolbox go into a round as drafts through the
/// round page; the same export again changes nothing; a different submission for a household waits for a choice.
@Suite(.serialized) struct SurveySubmissionTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/survey")

    /// A round at its survey step, signed in as its commune's officer, with its first ten households.
    func surveying(_ app: Application, _ accounts: [Account]) async throws -> (round: Int, officer: Browser, households: [HouseholdRecord]) {
        var (round, o, commune) = try await openedRound(app, accounts)
        // Households that asked to be reviewed (Mẫu 04 here: they are surveyed with Phiếu B) fill the list up to ten.
        let others = try await HouseholdRecord.query(on: app.db).filter(\.$communeCode == commune).filter(\.$category == "notPoor").sort(\.$id).all()
        for h in others.prefix(10) {
            _ = try await o.post("/reviews/\(round.id!)/requests", ["household": h.code, "form": "04", "receivedOn": "05/09/2026", "channel": "direct"])
        }
        _ = try await o.get("/reviews/\(round.id!)")
        #expect(try await o.post("/reviews/\(round.id!)/advance", ["version": "\(try await ReviewRound.find(round.id!, on: app.db)!.version)"]).status == .seeOther)
        let cases = try await ReviewCase.query(on: app.db).filter(\.$roundID == round.id!).sort(\.$id).all()
        try #require(cases.count >= 10, "the round needs ten households, has \(cases.count)")
        var records: [HouseholdRecord] = []
        for c in cases.prefix(10) { records.append(try #require(try await HouseholdRecord.find(c.householdID, on: app.db))) }
        return (round.id!, o, records)
    }

    /// A fixture with its placeholders filled from the registry: {H01} the first household's code, {H01.1.name} its
    /// head's name (birth date, personal ID likewise).
    func filled(_ path: String, _ households: [HouseholdRecord], parser: HouseholdParser) throws -> Data {
        var text = try String(contentsOf: Self.fixtures.appendingPathComponent(path), encoding: .utf8)
        for (i, r) in households.enumerated() {
            let tag = String(format: "H%02d", i + 1)
            let h = try parser.parse(jsonLine: r.facts, line: 1)
            let head = h.members.first { $0.relation == "head" } ?? h.members[0]
            let born = head.birthDate?.description ?? head.birthYear.map { "\($0)-01-01" } ?? ""
            text = text.replacingOccurrences(of: "{\(tag).1.name}", with: head.name ?? "")
                .replacingOccurrences(of: "{\(tag).1.birthDate}", with: born)
                .replacingOccurrences(of: "{\(tag).1.nationalID}", with: head.nationalID ?? "")
                .replacingOccurrences(of: "{\(tag)}", with: r.code)
        }
        return Data(text.utf8)
    }

    /// The page's hidden token and fingerprint, to commit what was checked.
    func hidden(_ body: String, _ name: String) -> String? {
        guard let r = body.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = body[r.upperBound...]
        return String(rest[..<rest.firstIndex(of: "\"")!])
    }

    /// An upload checked and never committed is removed a day later; a fresh one stays.
    @Test func abandonedUploadsGoAfterADay() throws {
        let fresh = TemporaryFiles.url("survey-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: fresh, withIntermediateDirectories: true)
        ReviewController.removeAbandonedUploads()
        #expect(FileManager.default.fileExists(atPath: fresh.path))
        ReviewController.removeAbandonedUploads(now: Date().addingTimeInterval(2 * 86_400))
        #expect(!FileManager.default.fileExists(atPath: fresh.path))
    }

    @Test func odkCentralExportBecomesDraftsOnce() async throws {
        try await withTestApp(households: 200) { app, accounts in
            var (round, o, households) = try await surveying(app, accounts)
            let parser = app.registry.parser
            let files = [("files[]", "giamngheo_phieu_b.csv", try filled("odk/giamngheo_phieu_b.csv", households, parser: parser)),
                         ("files[]", "giamngheo_phieu_b-members.csv", try filled("odk/giamngheo_phieu_b-members.csv", households, parser: parser))]
            let versions = households.map(\.version)
            let check = try await o.upload("/reviews/\(round)/submissions", files: files)
            #expect(check.status == .ok && check.body.contains("Chưa ghi gì: 10 phiếu sẽ thành nháp, 0 không đổi, 0 hộ cần chọn, 0 lỗi"), "\(check.body.prefix(3000))")
            #expect(try await ReviewCase.query(on: app.db).filter(\.$roundID == round).filter(\.$submissionB != nil).count() == 0, "a check writes nothing")
            var token = try #require(hidden(check.body, "token")), fingerprint = try #require(hidden(check.body, "fingerprint"))
            // Someone saves one of these households' case between the check and the commit: the commit is refused.
            let touched = try #require(try await ReviewCase.query(on: app.db).filter(\.$householdID == households[4].id!).filter(\.$roundID == round).first())
            touched.version += 1
            try await touched.save(on: app.db)
            let stale = try await o.post("/reviews/\(round)/submissions/commit", ["token": token, "fingerprint": fingerprint])
            #expect(stale.status == .unprocessableEntity && stale.body.contains("đã thay đổi kể từ lần kiểm tra"))
            #expect(try await ReviewCase.query(on: app.db).filter(\.$roundID == round).filter(\.$submissionB != nil).count() == 0)
            (token, fingerprint) = (try #require(hidden(stale.body, "token")), try #require(hidden(stale.body, "fingerprint")))
            let done = try await o.post("/reviews/\(round)/submissions/commit", ["token": token, "fingerprint": fingerprint])
            #expect(done.status == .ok && done.body.contains("Đã ghi 10 phiếu nháp"), "\(done.body.prefix(2000))")
            // Drafts on the cases, the registry untouched until each is finished; one audit line each.
            let cases = try await ReviewCase.query(on: app.db).filter(\.$roundID == round).filter(\.$submissionB != nil).all()
            #expect(cases.count == 10 && cases.allSatisfy { $0.caseStage == .draft && $0.enumerator == "Lò Thị Mai" && $0.draft != nil })
            for (r, v) in zip(households, versions) { #expect(try await HouseholdRecord.find(r.id!, on: app.db)!.version == v) }
            let third = try #require(cases.first { $0.householdID == households[2].id })
            let drafted = try parser.parse(jsonLine: third.draft!, line: 1)
            #expect(drafted.members.contains { $0.name == "Lò Văn Tí" && $0.relation == "child" } && drafted.incomePerCapita == 1_250_000)
            #expect(third.surveyedOn == "2026-10-13")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "review.draft").count() == 10)
            // The draft opens on the survey page with the phone's answers.
            let page = try await o.get("/reviews/cases/\(third.id!)")
            #expect(page.status == .ok && page.body.contains("Lò Văn Tí") && page.body.contains("1250000"))

            // The same export again: nothing to write, no commit offered, nothing changes.
            let again = try await o.upload("/reviews/\(round)/submissions", files: files)
            #expect(again.body.contains("0 phiếu sẽ thành nháp, 10 không đổi") && !again.body.contains("submissions/commit"))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "review.draft").count() == 10)

            // The committed upload is gone: its token cannot be used again.
            #expect(try await o.post("/reviews/\(round)/submissions/commit", ["token": token, "fingerprint": fingerprint]).status == .unprocessableEntity)

            // Another commune's round: not found.
            let other = try #require(try await ReviewRound.query(on: app.db).filter(\.$id != round).first())
            #expect(try await o.upload("/reviews/\(other.id!)/submissions", files: files).status == .notFound)
        }
    }

    @Test func koboExportGoesInAndAResubmissionWaitsForAChoice() async throws {
        try await withTestApp(households: 200) { app, accounts in
            var (round, o, households) = try await surveying(app, accounts)
            let parser = app.registry.parser
            // The workbook as KoboToolbox writes it: the main sheet named after the form, a sheet for the repeat.
            func workbook(_ main: Data, _ members: Data) throws -> Data {
                let x = try XLSXWriter()
                for (name, data) in [("Phiếu B rà soát hộ nghèo, hộ cậ", main), ("members", members)] {
                    let rows = CSV.parse(String(decoding: data, as: UTF8.self)).filter { $0.contains { !$0.isEmpty } }
                    try x.startSheet(name, header: rows[0])
                    for r in rows.dropFirst() { try x.append(r.map { $0.isEmpty ? .empty : .text($0) }) }
                }
                let url = FileManager.default.temporaryDirectory.appendingPathComponent("kobo-\(UUID()).xlsx")
                defer { try? FileManager.default.removeItem(at: url) }
                try x.finish(to: url)
                return try Data(contentsOf: url)
            }
            var main = try filled("kobo/Phiếu B rà soát hộ nghèo, hộ cậ.csv", households, parser: parser)
            let members = try filled("kobo/members.csv", households, parser: parser)
            let first = try await o.upload("/reviews/\(round)/submissions", files: [("files[]", "phieu-b.xlsx", try workbook(main, members))])
            #expect(first.body.contains("10 phiếu sẽ thành nháp, 0 không đổi, 0 hộ cần chọn, 0 lỗi"), "\(first.body.prefix(3000))")
            let done = try await o.post("/reviews/\(round)/submissions/commit", ["token": hidden(first.body, "token")!, "fingerprint": hidden(first.body, "fingerprint")!])
            #expect(done.body.contains("Đã ghi 10 phiếu nháp"))
            #expect(try await o.upload("/reviews/\(round)/submissions", files: [("files[]", "phieu-b.xlsx", try workbook(main, members))]).body
                .contains("0 phiếu sẽ thành nháp, 10 không đổi"))

            // The enumerator sends household 1 again (a new instance, a new income): it is listed, not applied.
            var text = String(decoding: main, as: UTF8.self)
            text = text.replacingOccurrences(of: "6f1c2a7e-3b4d-4c5e-9f60-000000000001", with: "0b5e8d1a-7c2f-4e3a-8b9c-0000000000aa")
                .replacingOccurrences(of: ",1150000,", with: ",1190000,")
            main = Data(text.utf8)
            let key = "B:\(households[0].code)"
            let resent = try await o.upload("/reviews/\(round)/submissions", files: [("files[]", "phieu-b.xlsx", try workbook(main, members))])
            #expect(resent.body.contains("0 phiếu sẽ thành nháp, 9 không đổi, 1 hộ cần chọn, 0 lỗi") && resent.body.contains("name=\"choice.\(key)\""))
            // Committing without a choice is refused and nothing changes; choosing the new one replaces the draft.
            let token = hidden(resent.body, "token")!, fingerprint = hidden(resent.body, "fingerprint")!
            let unchosen = try await o.post("/reviews/\(round)/submissions/commit", ["token": token, "fingerprint": fingerprint])
            #expect(unchosen.status == .unprocessableEntity && unchosen.body.contains("chưa chọn"))
            let chosen = try await o.post("/reviews/\(round)/submissions/commit",
                                          ["token": token, "fingerprint": fingerprint, "choice.\(key)": "uuid:0b5e8d1a-7c2f-4e3a-8b9c-0000000000aa"])
            #expect(chosen.body.contains("Đã ghi 1 phiếu nháp"), "\(chosen.body.prefix(2000))")
            let c = try #require(try await ReviewCase.query(on: app.db).filter(\.$householdID == households[0].id!).filter(\.$roundID == round).first())
            let redrafted = try parser.parse(jsonLine: c.draft!, line: 1)
            #expect(c.submissionB == "uuid:0b5e8d1a-7c2f-4e3a-8b9c-0000000000aa" && redrafted.incomePerCapita == 1_190_000)
            // Another user cannot commit this officer's upload.
            var v = Browser(app)
            try await v.login(accounts.first(.admin))
            #expect(try await v.post("/reviews/\(round)/submissions/commit", ["token": token, "fingerprint": fingerprint]).status == .unprocessableEntity)
        }
    }
}
