import Fluent
import Foundation
import GiamNgheoCore

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
