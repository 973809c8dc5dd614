/// The rules that move one household and one round through the review (Decision 24/2021/QĐ-TTg, the review procedure),
/// pure so that every one of them is unit-tested: what a meeting vote does, when a step may be left,
/// how long the posting lasts, when a complaint's re-check is due, which public list a household belongs on,
/// and what Phiếu A screens out.

/// Where one household stands in a round.
public enum CaseStage: String, Codable, Sendable, CaseIterable {
    /// On the step-1 list, not surveyed yet.
    case listed
    /// Survey started and saved as a draft.
    case draft
    /// Phiếu A (for a request) and Phiếu B unless Phiếu A screened it out finished; a provisional category.
    case surveyed
    /// The village meeting did not reach the share of agreement: survey again, then meet again (§6.3 step 3).
    case returned
    /// The village meeting agreed.
    case agreed
    /// In the chairman's decision (recognised in its category; for regular reviews, possibly refused).
    case decided

    public var vietnamese: String {
        switch self {
        case .listed: return "Chưa khảo sát"
        case .draft: return "Đang khảo sát (nháp)"
        case .surveyed: return "Đã khảo sát"
        case .returned: return "Họp dân chưa thống nhất: khảo sát lại"
        case .agreed: return "Họp dân đã thống nhất"
        case .decided: return "Đã có quyết định"
        }
    }

    /// Whether the household still needs (another) survey before the meeting.
    public var needsSurvey: Bool { self == .listed || self == .draft || self == .returned }
}

/// Phiếu A, quick identification (nhận dạng nhanh đặc điểm hộ gia đình, Circular 07/2021 Phụ lục II): a
/// household meeting at least `threshold` of its criterion columns (4 of 9) is not reviewed further and is not
/// poor or near-poor; fewer goes on to Phiếu B. The rule is confirmed; the 9 criteria are UNCONFIRMED data.
public struct QuickScreen: Codable, Sendable, Equatable {
    public struct Criterion: Codable, Sendable, Equatable {
        public var code: String
        public var vi: String
        public var en: String
        public var verified: Bool
    }
    /// "Phiếu A".
    public var form: String?
    public var title: String?
    /// "request": only households that filed Mẫu 01 fill it; households already on the lists go to Phiếu B.
    public var appliesTo: String?
    public var criteria: [Criterion]
    /// "atLeast" (`threshold` criteria met excludes), or "any" (one excludes).
    public var exclusionRule: String
    public var threshold: Int?
    public var ruleVerified: Bool?
    public var ruleCitation: String?
    /// Whether the criteria are checked against the official text.
    public var verified: Bool

    public var formName: String { form ?? "Phiếu A" }

    /// The criteria met (by code, in the data's order); fewer than the threshold means "go on to Phiếu B".
    public func met(_ answers: Set<String>) -> [Criterion] { criteria.filter { answers.contains($0.code) } }

    public func excludes(_ answers: Set<String>) -> Bool {
        let n = met(answers).count
        switch exclusionRule {
        case "all": return n == criteria.count && n > 0
        case "atLeast": return n >= (threshold ?? 1)
        default: return n > 0
        }
    }

    /// Whether a household in the round fills Phiếu A: one that asked to be reviewed (Mẫu 01) when the
    /// form applies to requests; every household otherwise.
    public func applies(requestForm: String?) -> Bool {
        appliesTo == "request" ? requestForm == "01" : true
    }

    /// The rule in words, for the form and the explanation.
    public var ruleText: String {
        switch exclusionRule {
        case "atLeast":
            let t = threshold ?? 1
            return "Hộ có từ \(String(format: "%02d", t)) chỉ tiêu trở lên (cột 01 đến cột \(String(format: "%02d", criteria.count))) thì không rà soát tiếp; dưới \(String(format: "%02d", t)) chỉ tiêu thì khảo sát bằng Phiếu B."
        case "all": return "Hộ có đủ mọi chỉ tiêu thì không rà soát tiếp."
        default: return "Hộ có một chỉ tiêu thì không rà soát tiếp."
        }
    }
}

/// The public lists posted in step 4 and decided in step 6 (§6.6 categories).
public enum ReviewList: String, Sendable, CaseIterable, Codable {
    case poor, nearPoor, newlyPoor, rePoor, exitedPoor, newlyNearPoor, exitedNearPoor

    public var vietnamese: String {
        switch self {
        case .poor: return "Danh sách hộ nghèo"
        case .nearPoor: return "Danh sách hộ cận nghèo"
        case .newlyPoor: return "Danh sách hộ nghèo phát sinh"
        case .rePoor: return "Danh sách hộ tái nghèo"
        case .exitedPoor: return "Danh sách hộ thoát nghèo"
        case .newlyNearPoor: return "Danh sách hộ cận nghèo phát sinh"
        case .exitedNearPoor: return "Danh sách hộ thoát cận nghèo"
        }
    }

    /// Whether a household with this result (category this year, transition against the years before)
    /// belongs on the list. Exited-to-near-poor households are on both the exited-poor and near-poor lists.
    public func contains(category: Category, transition: Transition) -> Bool {
        switch self {
        case .poor: return category == .poor
        case .nearPoor: return category == .nearPoor
        case .newlyPoor: return transition == .newlyPoor
        case .rePoor: return transition == .rePoor
        case .exitedPoor: return transition.exitsPoverty
        case .newlyNearPoor: return transition == .newlyNearPoor || transition == .reNearPoor
        case .exitedNearPoor: return transition == .exitedNearPoor
        }
    }
}

public enum ReviewRules {
    /// The stage a household reaches from the meeting's count (§6.3 step 3: < quorum → survey again).
    public static func afterMeeting(agree: Int, attendees: Int, quorumPercent: Int) -> CaseStage {
        ReviewProcedure.meetingAgrees(agree: agree, attendees: attendees, quorumPercent: quorumPercent) ? .agreed : .returned
    }

    /// The last day of a posting that starts on `start` and lasts `days` days of `dayType` ("working":
    /// Monday–Friday, the start counting when it is one; otherwise calendar days).
    public static func postingEnd(start: CivilDate, days: Int, dayType: String?) -> CivilDate {
        guard days > 0 else { return start }
        guard dayType == "working" else { return start.adding(days: days - 1) }
        return start.isoWeekday <= 5 ? start.adding(workingDays: days - 1) : start.adding(workingDays: days)
    }

    /// The last day to re-check a complaint: `days` working days from the day after its receipt
    /// ("không quá 07 ngày làm việc, kể từ ngày nhận được khiếu nại", QĐ 967/QĐ-BNNMT).
    public static func recheckDue(received: CivilDate, days: Int, dayType: String?) -> CivilDate {
        dayType == "working" ? received.adding(workingDays: days) : received.adding(days: days)
    }

    /// What stops a round from leaving `step`, in Vietnamese; empty means it may go on.
    /// - stages: where each listed household stands.
    /// - postingEnds: the last posting day (nil before the posting starts); openComplaints: complaints not re-checked.
    /// - recheckedComplaints: complaints re-checked; their results must be posted again (`repostingEnds`, nil
    ///   before that posting starts) for the procedure's days before the decision.
    public static func blockers(leaving step: String, stages: [CaseStage], postingEnds: CivilDate?, openComplaints: Int,
                                recheckedComplaints: Int = 0, repostingEnds: CivilDate? = nil,
                                today: CivilDate) -> [String] {
        var out: [String] = []
        switch ReviewStepCode(rawValue: step) {
        case .list:
            if stages.isEmpty { out.append("Danh sách chưa có hộ nào.") }
        case .survey:
            let left = stages.filter(\.needsSurvey).count
            if left > 0 { out.append("Còn \(left) hộ chưa hoàn thành phiếu khảo sát.") }
        case .meeting:
            let left = stages.filter { $0 != .agreed }.count
            if left > 0 { out.append("Còn \(left) hộ chưa được họp dân thống nhất (khảo sát lại rồi họp lại).") }
        case .posting:
            guard let end = postingEnds else { out.append("Chưa niêm yết công khai."); break }
            if today <= end { out.append("Thời gian niêm yết đến hết ngày \(end.vietnamese).") }
            if openComplaints > 0 { out.append("Còn \(openComplaints) khiếu nại chưa phúc tra.") }
            if recheckedComplaints > 0 && openComplaints == 0 {
                if let r = repostingEnds {
                    if today <= r { out.append("Niêm yết lại kết quả phúc tra đến hết ngày \(r.vietnamese).") }
                } else {
                    out.append("Kết quả phúc tra chưa được niêm yết lại (03 ngày làm việc) trước khi quyết định.")
                }
            }
        default: break
        }
        return out
    }
}
