import Fluent
import Foundation
import GiamNgheoCore

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
