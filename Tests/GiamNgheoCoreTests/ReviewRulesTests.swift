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

    @Test func quickScreenExcludesOnAnyCriterionAndSaysItIsUnconfirmed() throws {
        let b1 = try #require(qd24.quickScreen)
        #expect(!b1.verified && b1.criteria.count >= 3 && b1.criteria.allSatisfy { !$0.verified })
        #expect(!b1.excludes([]))
        #expect(b1.excludes(["car"]))
        #expect(b1.met(["car", "salary", "unknown"]).map(\.code) == ["salary", "car"])
        var all = b1; all.exclusionRule = "all"
        #expect(!all.excludes(["car"]) && all.excludes(Set(b1.criteria.map(\.code))))
    }
}
