import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

/// The first summaries (commune, village, category), replaced by `report_cells`; kept so that databases
/// created before keep their migration history.
public struct CreateUnitSummaries: AsyncMigration {
    public init() {}
    public func prepare(on db: any Database) async throws {
        try await db.schema("unit_summaries")
            .field("commune_code", .string, .required).field("village", .string, .required)
            .field("category", .string, .required).field("households", .int, .required)
            .unique(on: "commune_code", "village", "category").create()
    }
    public func revert(on db: any Database) async throws { try await db.schema("unit_summaries").delete() }
}
