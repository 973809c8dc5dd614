import Fluent
import Foundation
import GiamNgheoCore

/// A household as stored: its facts as the interchange JSON (the engine's input, one document per
/// household), plus the columns lists, filters, search and sorting need, kept in step on every save.
public final class HouseholdRecord: Model, @unchecked Sendable {
    public static let schema = "households"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "code") public var code: String
    @Field(key: "commune_code") public var communeCode: String
    /// The commune's province (2025): the partition key on PostgreSQL (`Partitions`), written with the commune.
    @OptionalField(key: "province_code") public var provinceCode: String?
    /// The partition the row is in, or goes to: as stored, else derived from the commune (a row not yet written).
    public var province: String { provinceCode ?? Partitions.province(ofCommune: communeCode) }
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

extension HouseholdRecord {
    /// The category as the engine's enum; nil while the household is `incomplete`.
    public var categoryValue: Category? { Category(rawValue: category) }
}
