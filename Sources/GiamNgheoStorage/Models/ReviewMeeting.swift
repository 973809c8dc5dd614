import Fluent
import Foundation
import GiamNgheoCore

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
