import Fluent
import Foundation
import GiamNgheoCore

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
