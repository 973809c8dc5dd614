import Fluent
import Foundation
import GiamNgheoCore

/// Roles as the glossary names them; what each may see and do is decided in `Scope`, not in views.
public enum Role: String, Codable, CaseIterable, Sendable {
    case admin, provinceOfficer, communeOfficer, villageHead, auditor

    public var vietnamese: String {
        switch self {
        case .admin: return "Quản trị hệ thống"
        case .provinceOfficer: return "Cán bộ tỉnh"
        case .communeOfficer: return "Cán bộ xã"
        case .villageHead: return "Trưởng thôn / rà soát viên"
        case .auditor: return "Kiểm tra, giám sát (chỉ xem)"
        }
    }
    public var english: String {
        switch self {
        case .admin: return "System administrator"
        case .provinceOfficer: return "Province officer"
        case .communeOfficer: return "Commune officer"
        case .villageHead: return "Village head / enumerator"
        case .auditor: return "Auditor (read only)"
        }
    }
    public var canWrite: Bool { self == .admin || self == .communeOfficer || self == .villageHead }
    /// Roles whose work needs the full national ID number (issuing certificates, checking identity).
    public var seesNationalID: Bool { self == .admin || self == .communeOfficer }
}

public final class User: Model, @unchecked Sendable {
    public static let schema = "users"
    @ID(key: .id) public var id: UUID?
    @Field(key: "username") public var username: String
    @Field(key: "password_hash") public var passwordHash: String
    @Field(key: "display_name") public var displayName: String
    @Enum(key: "role") public var role: Role
    /// Unit codes (2025 structure): a province code covers all its communes.
    @Field(key: "units") public var units: [String]
    @Field(key: "failed_logins") public var failedLogins: Int
    @OptionalField(key: "locked_until") public var lockedUntil: Date?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
    public init(username: String, passwordHash: String, displayName: String, role: Role, units: [String]) {
        self.username = username; self.passwordHash = passwordHash; self.displayName = displayName
        self.role = role; self.units = units; self.failedLogins = 0
    }
}

/// A household as stored: its facts as the interchange JSON (the engine's input, one document per
/// household), plus the columns lists, filters, search and sorting need, kept in step on every save.
public final class HouseholdRecord: Model, @unchecked Sendable {
    public static let schema = "households"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "code") public var code: String
    @Field(key: "commune_code") public var communeCode: String
    @OptionalField(key: "village") public var village: String?
    @Field(key: "head_name") public var headName: String
    /// Folded given name, then folded full name, then code: Vietnamese lists sort by tên, then họ.
    @Field(key: "sort_key") public var sortKey: String
    /// Folded names, codes and national IDs of everyone in the household, for accent-insensitive search.
    @Field(key: "search_text") public var searchText: String
    @Field(key: "facts") public var facts: String
    @Field(key: "category") public var category: String
    @OptionalField(key: "subtype") public var subtype: String?
    @Field(key: "deprived") public var deprived: String
    @Field(key: "deprived_count") public var deprivedCount: Int
    @Field(key: "standard") public var standard: String
    @OptionalField(key: "income_per_capita") public var incomePerCapita: Int?
    @Field(key: "ethnic_minority_head") public var ethnicMinorityHead: Bool
    @Field(key: "meritorious") public var meritorious: Bool
    @Field(key: "no_working_capacity") public var noWorkingCapacity: Bool
    @Field(key: "member_count") public var memberCount: Int
    /// Poverty-cause codes as ",1,3," (main cause first) for the cause filter; nil when not recorded.
    @OptionalField(key: "causes") public var causes: String?
    /// The commune before 1 July 2025 when known: reports in the 2024 structure are summed from it.
    @OptionalField(key: "old_commune_code") public var oldCommuneCode: String?
    @OptionalField(key: "urban") public var urban: Bool?
    /// Characteristics the official tables count (`HouseholdTrait`), as ",elderly,femaleHead,".
    @OptionalField(key: "traits") public var traits: String?
    /// Optimistic concurrency: a save must name the version it read.
    @Field(key: "version") public var version: Int
    @OptionalField(key: "archived_reason") public var archivedReason: String?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}

    /// The category of a household the engine cannot classify yet (a needed fact is missing).
    public static let incomplete = "incomplete"
}

/// Field-level audit trail: written in the same transaction as the change, never updated.
public final class AuditEntry: Model, @unchecked Sendable {
    public static let schema = "audit_entries"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "at") public var at: Date
    @Field(key: "username") public var username: String
    @OptionalField(key: "household_id") public var householdID: Int?
    @Field(key: "action") public var action: String
    @OptionalField(key: "field") public var field: String?
    @OptionalField(key: "old_value") public var oldValue: String?
    @OptionalField(key: "new_value") public var newValue: String?
    @OptionalField(key: "reason") public var reason: String?

    public init() {}
    public init(username: String, householdID: Int?, action: String, field: String? = nil,
                oldValue: String? = nil, newValue: String? = nil, reason: String? = nil) {
        self.at = Date(); self.username = username; self.householdID = householdID; self.action = action
        self.field = field; self.oldValue = oldValue; self.newValue = newValue; self.reason = reason
    }
}

/// A village (thôn) or residential group (tổ dân phố) of a commune, kept by the commune itself:
/// the official lists stop at the commune.
public final class Village: Model, @unchecked Sendable {
    public static let schema = "villages"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "commune_code") public var communeCode: String
    @Field(key: "name") public var name: String
    /// "thon" (rural village, bản, ấp, buôn…) or "to" (tổ dân phố).
    @Field(key: "kind") public var kind: String
    /// The 2024 commune the village belonged to before the 2025 merger, to attach history.
    @OptionalField(key: "old_commune_code") public var oldCommuneCode: String?
    @Field(key: "archived") public var archived: Bool

    public init() {}
    public init(communeCode: String, name: String, kind: String, oldCommuneCode: String?) {
        self.communeCode = communeCode; self.name = name; self.kind = kind
        self.oldCommuneCode = oldCommuneCode; self.archived = false
    }
}

/// A household's category in one year: provisional (computed on every save) until the review
/// recognises it (the chairman's decision, issue "review workflow").
public final class HouseholdYear: Model, @unchecked Sendable {
    public static let schema = "household_years"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "household_id") public var householdID: Int
    @Field(key: "year") public var year: Int
    @Field(key: "category") public var category: String
    @Field(key: "standard") public var standard: String
    @Field(key: "recognised") public var recognised: Bool
    /// "computed" (registry save), "review" (recognised in a review), "history" (loaded from earlier lists).
    @Field(key: "source") public var source: String
    /// The deprived indicators of that year (",VL1,YT2,"), when recorded.
    @OptionalField(key: "deprived") public var deprived: String?
    @OptionalField(key: "decided_at") public var decidedAt: Date?

    public init() {}
}

/// One review round of one commune: the periodic round of a year (month 0) or a regular monthly round.
public final class ReviewRound: Model, @unchecked Sendable {
    public static let schema = "review_rounds"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "commune_code") public var communeCode: String
    @Field(key: "year") public var year: Int
    /// "periodic" or "regular".
    @Field(key: "kind") public var kind: String
    /// 0 for the periodic round; 1–12 for a regular one.
    @Field(key: "month") public var month: Int
    @Field(key: "procedure") public var procedure: String
    /// The poverty standard chosen by the round's dates (2026 still NĐ07; 2027 NĐ351).
    @Field(key: "standard") public var standard: String
    @Field(key: "starts_on") public var startsOn: String
    @Field(key: "ends_on") public var endsOn: String
    /// The step the round is at (a step code of the procedure).
    @Field(key: "step") public var step: String
    @Field(key: "opened_by") public var openedBy: String
    /// Step 4: the posting's first and last day (ISO).
    @OptionalField(key: "posting_from") public var postingFrom: String?
    @OptionalField(key: "posting_to") public var postingTo: String?
    /// Step 4: the re-check results' second posting (3 working days), when a complaint was re-checked.
    @OptionalField(key: "reposting_from") public var repostingFrom: String?
    @OptionalField(key: "reposting_to") public var repostingTo: String?
    /// Step 6: the chairman's decision; once set, the round's results are locked.
    @OptionalField(key: "decision_number") public var decisionNumber: String?
    @OptionalField(key: "decision_date") public var decisionDate: String?
    @OptionalField(key: "decided_by") public var decidedBy: String?
    /// Up the hierarchy: "open", "submitted", "returned" (with a note), "approved" (locked).
    @Field(key: "status") public var status: String
    @OptionalField(key: "status_note") public var statusNote: String?
    @OptionalField(key: "submitted_by") public var submittedBy: String?
    @OptionalField(key: "approved_by") public var approvedBy: String?
    @Field(key: "version") public var version: Int

    public init() {}
}

/// One household in one round: its survey (Phiếu A for a request, Phiếu B), the meeting's verdict, complaints' outcome and the
/// decision (category, certificate number or the written refusal).
public final class ReviewCase: Model, @unchecked Sendable {
    public static let schema = "review_cases"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "round_id") public var roundID: Int
    @Field(key: "household_id") public var householdID: Int
    @Field(key: "commune_code") public var communeCode: String
    @OptionalField(key: "village") public var village: String?
    /// Why it is on the list, "; "-joined.
    @Field(key: "reasons") public var reasons: String
    /// "01" or "04" when the household asked (regular reviews answer it; a refusal is written).
    @OptionalField(key: "request_form") public var requestForm: String?
    /// A `CaseStage` raw value.
    @Field(key: "stage") public var stage: String
    /// Phiếu A criteria met, ","-joined codes ("" = none met); nil before Phiếu A is answered or when it does not apply.
    @OptionalField(key: "quick_screen") public var quickScreen: String?
    /// A survey saved as a draft: the household as an interchange JSON line (registry untouched until finished).
    @OptionalField(key: "draft") public var draft: String?
    @OptionalField(key: "enumerator") public var enumerator: String?
    @OptionalField(key: "surveyed_on") public var surveyedOn: String?
    @OptionalField(key: "proposed_category") public var proposedCategory: String?
    @OptionalField(key: "explanation") public var explanation: String?
    /// Deprived indicator codes, ","-joined.
    @OptionalField(key: "deprived") public var deprived: String?
    /// Set by a complaint's re-check, then by the decision.
    @OptionalField(key: "final_category") public var finalCategory: String?
    @OptionalField(key: "transition") public var transition: String?
    @OptionalField(key: "certificate_no") public var certificateNo: String?
    @OptionalField(key: "refusal") public var refusal: String?
    @Field(key: "version") public var version: Int

    public init() {}
    public var caseStage: CaseStage { CaseStage(rawValue: stage) ?? .listed }
    /// The category the case stands at: a re-check's outcome over the survey's proposal.
    public var category: String? { finalCategory ?? proposedCategory }
}

public final class ReviewMeeting: Model, @unchecked Sendable {
    public static let schema = "review_meetings"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "round_id") public var roundID: Int
    @Field(key: "village") public var village: String
    @Field(key: "held_on") public var heldOn: String
    @Field(key: "place") public var place: String
    @Field(key: "chair") public var chair: String
    @Field(key: "secretary") public var secretary: String
    @Field(key: "attendees") public var attendees: Int
    @OptionalField(key: "attendee_names") public var attendeeNames: String?
    @Field(key: "recorded_by") public var recordedBy: String
    public init() {}
}

public final class ReviewVote: Model, @unchecked Sendable {
    public static let schema = "review_votes"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "meeting_id") public var meetingID: Int
    @Field(key: "case_id") public var caseID: Int
    @Field(key: "agree") public var agree: Int
    /// "agreed" or "returned".
    @Field(key: "result") public var result: String
    public init() {}
}

public final class ReviewComplaint: Model, @unchecked Sendable {
    public static let schema = "review_complaints"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "round_id") public var roundID: Int
    @OptionalField(key: "case_id") public var caseID: Int?
    @Field(key: "complainant") public var complainant: String
    @Field(key: "content") public var content: String
    @Field(key: "received_on") public var receivedOn: String
    /// "open" or "resolved".
    @Field(key: "status") public var status: String
    @OptionalField(key: "rechecked_on") public var recheckedOn: String?
    @OptionalField(key: "outcome") public var outcome: String?
    @OptionalField(key: "new_category") public var newCategory: String?
    @Field(key: "recorded_by") public var recordedBy: String
    public init() {}
}

/// A household's request (Mẫu số 01: to be reviewed; Mẫu số 04: to be recognised as out of poverty),
/// with the date and the channel it came by.
public final class ReviewRequest: Model, @unchecked Sendable {
    public static let schema = "review_requests"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "household_id") public var householdID: Int
    @Field(key: "commune_code") public var communeCode: String
    /// "01" or "04".
    @Field(key: "form") public var form: String
    @Field(key: "received_on") public var receivedOn: String
    /// "direct", "post" or "online".
    @Field(key: "channel") public var channel: String
    @OptionalField(key: "note") public var note: String?
    @Field(key: "recorded_by") public var recordedBy: String
    /// The round that took the request up (nil while it waits for one).
    @OptionalField(key: "round_id") public var roundID: Int?

    public init() {}
}
