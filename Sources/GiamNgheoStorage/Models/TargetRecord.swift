import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

/// A reduction target of a unit for a year, or a figure the unit reported (kind "actual", e.g. a plan's
/// baseline or a ward's series from before the registry) (issue 6 §4).
public final class TargetRecord: Model, @unchecked Sendable {
    public static let schema = "targets"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "year") public var year: Int
    @Field(key: "kind") public var kind: String
    /// "2025" (province, commune) or "2024" (province, district, commune): the units' structure.
    @Field(key: "structure") public var structure: String
    /// Unit codes as ",474,475," (several units when an old unit is now split); "," when the printed unit
    /// matches no unit of the list (kept, shown, not followed).
    @Field(key: "unit_codes") public var unitCodes: String
    @Field(key: "unit_name") public var unitName: String
    @Field(key: "measure") public var measure: String
    @OptionalField(key: "baseline") public var baseline: Int?
    @OptionalField(key: "reduction") public var reduction: Int?
    @OptionalField(key: "end_households") public var endHouseholds: Int?
    /// Hundredths of a percent: 1,76 % → 176.
    @OptionalField(key: "end_rate") public var endRate: Int?
    @OptionalField(key: "standard") public var standard: String?
    @OptionalField(key: "note") public var note: String?
    @OptionalField(key: "source") public var source: String?
    @Field(key: "created_by") public var createdBy: String
    @Field(key: "version") public var version: Int
    public init() {}

    public var codes: [String] { unitCodes.split(separator: ",").map(String.init) }
    public var unitStructure: UnitStructure { structure == "2024" ? .y2024 : .y2025 }
    public var spec: TargetSpec? {
        TargetMeasure(rawValue: measure).map { TargetSpec(measure: $0, reduction: reduction, endHouseholds: endHouseholds, endRate: endRate) }
    }
}
