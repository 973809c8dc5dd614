import Foundation
import GiamNgheoCore
import GiamNgheoData
import Testing

/// The step rules of the review (regulations §6.3–§6.4): meeting votes, posting days, leaving a step,
/// the public lists and the B1 quick screen.
@Suite struct ReviewRulesTests {
    let qd24: ReviewProcedure = try! BundledData.reviewProcedures().first { $0.id == "VN-QD24-2021" }!
    func d(_ s: String) -> CivilDate { CivilDate(s)! }

    @Test func meetingBelowHalfSendsTheHouseholdBackToTheSurvey() {
        #expect(ReviewRules.afterMeeting(agree: 20, attendees: 40, quorumPercent: 50) == .agreed)
        #expect(ReviewRules.afterMeeting(agree: 19, attendees: 40, quorumPercent: 50) == .returned)
        #expect(ReviewRules.afterMeeting(agree: 11, attendees: 21, quorumPercent: 50) == .agreed)
        #expect(ReviewRules.afterMeeting(agree: 10, attendees: 21, quorumPercent: 50) == .returned)
        #expect(ReviewRules.afterMeeting(agree: 0, attendees: 0, quorumPercent: 50) == .returned)
        #expect(ReviewRules.afterMeeting(agree: 41, attendees: 40, quorumPercent: 50) == .returned)
        #expect(CaseStage.returned.needsSurvey && CaseStage.listed.needsSurvey && !CaseStage.agreed.needsSurvey)
    }

    @Test func postingLastsThreeWorkingDays() {
        // Thursday 19/11/2026 → Thu, Fri, Mon: ends Monday 23/11.
        #expect(ReviewRules.postingEnd(start: d("2026-11-19"), days: 3, dayType: "working") == d("2026-11-23"))
        // Monday → Wednesday.
        #expect(ReviewRules.postingEnd(start: d("2026-11-23"), days: 3, dayType: "working") == d("2026-11-25"))
        // Starting on a Saturday: Mon, Tue, Wed.
        #expect(ReviewRules.postingEnd(start: d("2026-11-21"), days: 3, dayType: "working") == d("2026-11-25"))
        // Calendar days, when the data says so.
        #expect(ReviewRules.postingEnd(start: d("2026-11-21"), days: 3, dayType: nil) == d("2026-11-23"))
        #expect(ReviewRules.postingEnd(start: d("2026-11-21"), days: 0, dayType: "working") == d("2026-11-21"))
    }

    @Test func aStepIsLeftOnlyWhenItsWorkIsDone() {
        let today = d("2026-11-25")
        #expect(!ReviewRules.blockers(leaving: "LIST", stages: [], postingEnds: nil, openComplaints: 0, today: today).isEmpty)
        #expect(ReviewRules.blockers(leaving: "LIST", stages: [.listed], postingEnds: nil, openComplaints: 0, today: today).isEmpty)
        #expect(ReviewRules.blockers(leaving: "SURVEY", stages: [.surveyed, .draft, .returned], postingEnds: nil, openComplaints: 0, today: today)
                == ["Còn 2 hộ chưa hoàn thành phiếu khảo sát."])
        #expect(ReviewRules.blockers(leaving: "SURVEY", stages: [.surveyed, .surveyed], postingEnds: nil, openComplaints: 0, today: today).isEmpty)
        #expect(ReviewRules.blockers(leaving: "MEETING", stages: [.agreed, .surveyed], postingEnds: nil, openComplaints: 0, today: today).count == 1)
        #expect(ReviewRules.blockers(leaving: "MEETING", stages: [.agreed], postingEnds: nil, openComplaints: 0, today: today).isEmpty)
        #expect(ReviewRules.blockers(leaving: "POSTING", stages: [.agreed], postingEnds: nil, openComplaints: 0, today: today) == ["Chưa niêm yết công khai."])
        // The last posting day itself still counts as posting.
        #expect(ReviewRules.blockers(leaving: "POSTING", stages: [.agreed], postingEnds: today, openComplaints: 0, today: today).count == 1)
        #expect(ReviewRules.blockers(leaving: "POSTING", stages: [.agreed], postingEnds: d("2026-11-24"), openComplaints: 1, today: today)
                == ["Còn 1 khiếu nại chưa phúc tra."])
        #expect(ReviewRules.blockers(leaving: "POSTING", stages: [.agreed], postingEnds: d("2026-11-24"), openComplaints: 0, today: today).isEmpty)
    }

    @Test func publicListsFollowTheTransitions() {
        func lists(_ c: Category, _ t: Transition) -> [ReviewList] { ReviewList.allCases.filter { $0.contains(category: c, transition: t) } }
        #expect(lists(.poor, .newlyPoor) == [.poor, .newlyPoor])
        #expect(lists(.poor, .rePoor) == [.poor, .rePoor])
        #expect(lists(.poor, .remainedPoor) == [.poor])
        #expect(lists(.nearPoor, .exitedPoorToNearPoor) == [.nearPoor, .exitedPoor])
        #expect(lists(.notPoor, .exitedPoor) == [.exitedPoor])
        #expect(lists(.nearPoor, .reNearPoor) == [.nearPoor, .newlyNearPoor])
        #expect(lists(.notPoor, .exitedNearPoor) == [.exitedNearPoor])
        #expect(lists(.notPoor, .none).isEmpty)
    }

    /// Phiếu A (Circular 07/2021 Phụ lục II): "có dưới 04 chỉ tiêu từ cột 01 đến cột 09 thì đưa vào danh sách
    /// hộ gia đình cần rà soát": 4 or more of the 9 columns ends the review; the criteria are unconfirmed data.
    @Test func phieuAExcludesFromFourOfNineAndItsCriteriaAreUnconfirmed() throws {
        let a = try #require(qd24.quickScreen)
        #expect(a.formName == "Phiếu A" && a.criteria.count == 9 && a.threshold == 4 && a.ruleVerified == true)
        #expect(!a.verified && a.criteria.allSatisfy { !$0.verified })
        let codes = a.criteria.map(\.code)
        #expect(!a.excludes([]))
        #expect(!a.excludes(Set(codes.prefix(3))))
        #expect(a.excludes(Set(codes.prefix(4))))
        #expect(a.excludes(Set(codes)))
        #expect(!a.excludes(Set(codes.prefix(3) + ["unknown"])), "an unknown code is not a criterion")
        #expect(a.met(["car", "salary", "unknown"]).map(\.code) == ["salary", "car"])
        #expect(a.ruleText.contains("từ 04 chỉ tiêu trở lên") && a.ruleText.contains("cột 09"))
        // Only households that filed Mẫu 01 fill Phiếu A; those on the lists go straight to Phiếu B.
        #expect(a.applies(requestForm: "01") && !a.applies(requestForm: nil) && !a.applies(requestForm: "04"))
        var any = a; any.exclusionRule = "any"
        #expect(any.excludes(["car"]))
    }

    /// A complaint is re-checked "không quá 07 ngày làm việc, kể từ ngày nhận được khiếu nại"; the result is
    /// posted again for 3 working days before the decision (QĐ 967/QĐ-BNNMT).
    @Test func complaintRecheckAndSecondPosting() {
        for r in table("""
        | received   | due        |
        | 2026-11-02 | 2026-11-11 |
        | 2026-11-06 | 2026-11-17 |
        | 2026-11-07 | 2026-11-17 |
        """) {
            #expect(ReviewRules.recheckDue(received: d(r["received"]!), days: 7, dayType: "working") == d(r["due"]!), "\(r)")
        }
        let today = d("2026-11-20"), end = d("2026-11-10")
        // Re-checked but not posted again: the decision waits.
        #expect(ReviewRules.blockers(leaving: "POSTING", stages: [], postingEnds: end, openComplaints: 0, recheckedComplaints: 1,
                                     repostingEnds: nil, today: today).contains { $0.contains("chưa được niêm yết lại") })
        #expect(ReviewRules.blockers(leaving: "POSTING", stages: [], postingEnds: end, openComplaints: 0, recheckedComplaints: 1,
                                     repostingEnds: d("2026-11-20"), today: today).contains { $0.contains("Niêm yết lại kết quả phúc tra đến hết ngày 20/11/2026") })
        #expect(ReviewRules.blockers(leaving: "POSTING", stages: [], postingEnds: end, openComplaints: 0, recheckedComplaints: 1,
                                     repostingEnds: d("2026-11-19"), today: today).isEmpty)
        #expect(ReviewRules.blockers(leaving: "POSTING", stages: [], postingEnds: end, openComplaints: 0, today: today).isEmpty)
        // An open complaint blocks; the second posting is asked only once none is open.
        let open = ReviewRules.blockers(leaving: "POSTING", stages: [], postingEnds: end, openComplaints: 1, recheckedComplaints: 1, today: today)
        #expect(open == ["Còn 1 khiếu nại chưa phúc tra."])
    }
}
