import Fluent
import Foundation
import GiamNgheoCore

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
    /// The phone submissions (instance IDs) the case's Phiếu A and Phiếu B drafts came from; nil when typed on the web.
    @OptionalField(key: "submission_a") public var submissionA: String?
    @OptionalField(key: "submission_b") public var submissionB: String?
    @Field(key: "version") public var version: Int

    public init() {}
    public var caseStage: CaseStage { CaseStage(rawValue: stage) ?? .listed }
    /// The category the case stands at: a re-check's outcome over the survey's proposal.
    public var category: String? { finalCategory ?? proposedCategory }
}
