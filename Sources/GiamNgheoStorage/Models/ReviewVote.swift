import Fluent
import Foundation
import GiamNgheoCore

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
