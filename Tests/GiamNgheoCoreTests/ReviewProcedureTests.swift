import Foundation
import GiamNgheoCore
import GiamNgheoData
import Testing

/// The review procedure as data (regulations §6, §11.4): windows, steps by date, the meeting's rule.
@Suite struct ReviewProcedureTests {
    let qd24: ReviewProcedure = try! BundledData.reviewProcedures().first { $0.id == "VN-QD24-2021" }!

    func d(_ s: String) -> CivilDate { CivilDate(s)! }

    @Test func windowsAndStepsByDate() throws {
        let y2026 = try qd24.window(.periodic(year: 2026))
        #expect(y2026.start == d("2026-09-01") && y2026.end == d("2026-12-14"))
        // The district step ends with the districts (01/07/2025).
        #expect(try qd24.steps(.periodic(year: 2026)).map(\.code) == ["LIST", "SURVEY", "MEETING", "POSTING", "RECOGNITION"])
        #expect(try qd24.steps(.periodic(year: 2024)).map(\.code) == ["LIST", "SURVEY", "MEETING", "POSTING", "DISTRICT_OPINION", "RECOGNITION"])
        // Regular rounds: from the 15th, decision within 15 days; steps 2–4 then the decision.
        let march = try qd24.window(.regular(year: 2026, month: 3))
        #expect(march.start == d("2026-03-15") && march.end == d("2026-03-30"))
        #expect(try qd24.steps(.regular(year: 2026, month: 3)).map(\.code) == ["SURVEY", "MEETING", "POSTING", "RECOGNITION"])
        #expect(throws: StandardError.self) { try qd24.window(.regular(year: 2026, month: 13)) }
        // Posting (QĐ 967/QĐ-BNNMT): 3 working days, complaints re-checked within 7 working days of receipt,
        // the re-check result posted again for 3 working days.
        let posting = try #require(qd24.periodicSteps.first { $0.code == "POSTING" })
        #expect(posting.verified && posting.days == 3 && posting.dayType == "working")
        #expect(posting.complaintRecheckDays == 7 && posting.repostingDays == 3)
        #expect(posting.places?.count == 3 && posting.places?.contains { $0.contains("Nhà văn hóa") } == true)
        #expect(qd24.periodicSteps.first { $0.code == "MEETING" }?.quorumPercent == 50)
        #expect(qd24.periodicSteps.first { $0.code == "MEETING" }?.minutesCopies == 2)
        #expect(qd24.requestForms["review"] == "Mẫu số 01" && qd24.requestForms["decision"] == "Mẫu số 02")
        #expect(qd24.requestForms["certificate"] == "Mẫu số 03" && qd24.requestForms["exit"] == "Mẫu số 04")
    }

    @Test func meetingNeedsHalfOfTheAttendees() {
        for (agree, attendees, ok) in [(5, 10, true), (4, 9, false), (5, 9, true), (0, 0, false), (10, 10, true), (11, 10, false), (49, 100, false)] {
            #expect(ReviewProcedure.meetingAgrees(agree: agree, attendees: attendees, quorumPercent: 50) == ok, "\(agree)/\(attendees)")
        }
    }

    @Test func dateArithmetic() {
        for s in ["1970-01-01", "2000-02-29", "2024-12-31", "2026-11-23", "1899-03-01", "2100-03-01"] {
            #expect(CivilDate(dayNumber: d(s).dayNumber) == d(s))
        }
        #expect(d("1970-01-01").dayNumber == 0 && d("2026-11-23").isoWeekday == 1 && d("2026-11-22").isoWeekday == 7)
        #expect(d("2024-02-28").adding(days: 2) == d("2024-03-01"))
        // Posting for 3 working days from a Friday ends on the Wednesday (holidays are not known here).
        #expect(d("2026-11-20").adding(workingDays: 3) == d("2026-11-25"))
    }
}

/// An administrator's copy of a procedure (Phiếu A's criteria once confirmed) replaces the shipped one by id.
@Suite struct ProcedureOverrideTests {
    @Test func anAdministratorsFileReplacesTheShippedProcedure() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("procedures-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var mine = try #require(try BundledData.reviewProcedures().first { $0.id == "VN-QD24-2021" })
        mine.quickScreen?.criteria[0].vi = "Tiêu chí đã xác minh"
        mine.quickScreen?.criteria[0].verified = true
        try JSONEncoder().encode(mine).write(to: dir.appendingPathComponent("qd24.json"))
        let loaded = try BundledData.reviewProcedures(directory: dir.path)
        #expect(loaded.count == 1 && loaded[0].quickScreen?.criteria[0].vi == "Tiêu chí đã xác minh")
        try Data("{".utf8).write(to: dir.appendingPathComponent("broken.json"))
        #expect(throws: StandardError.self) { try BundledData.reviewProcedures(directory: dir.path) }
    }
}
