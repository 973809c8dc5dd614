import Fluent
import Foundation
import GiamNgheoCore

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

/// A round's way up the hierarchy.
public enum RoundStatus: String, Sendable, CaseIterable { case open, submitted, returned, approved }
/// The periodic round of a year, or a regular (monthly) one.
public enum RoundKind: String, Sendable, CaseIterable { case periodic, regular }

extension ReviewRound {
    public var stepCode: ReviewStepCode? { ReviewStepCode(rawValue: step) }
    public var roundStatus: RoundStatus { RoundStatus(rawValue: status) ?? .open }
    public var roundKind: RoundKind { RoundKind(rawValue: kind) ?? .periodic }
}
