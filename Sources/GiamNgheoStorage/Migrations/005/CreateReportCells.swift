import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

public struct CreateReportCells: AsyncMigration {
    public init() {}
    public func prepare(on db: any Database) async throws {
        let sql = db.sql
        // What the summaries need from each household, derived when it is written (HouseholdStore.row).
        try await sql.raw("ALTER TABLE households ADD COLUMN old_commune_code TEXT").run()
        try await sql.raw("ALTER TABLE households ADD COLUMN urban BOOLEAN").run()
        try await sql.raw("ALTER TABLE households ADD COLUMN traits TEXT").run()
        // Each year's deprivations, as recorded: AF indices over time (issue 6 §6).
        try await sql.raw("ALTER TABLE household_years ADD COLUMN deprived TEXT").run()
        try await db.schema(Summaries.table)
            .field("year", .int, .required)
            .field("commune_code", .string, .required)
            .field("old_commune_code", .string, .required)
            .field("village", .string, .required)
            .field("standard", .string, .required)
            .field("category", .string, .required)
            .field("urban", .bool, .required)
            .field("minority", .bool, .required)
            .field("dim", .string, .required)
            .field("key", .string, .required)
            .field("households", .int, .required)
            .field("persons", .int, .required)
            .unique(on: "year", "commune_code", "old_commune_code", "village", "standard", "category", "urban", "minority", "dim", "key")
            .create()
        // Reports read one year's commune totals (village "*") for some dimensions: this index finds them
        // without stepping over the villages' cells.
        try await sql.raw("CREATE INDEX report_cells_read ON report_cells (year, village, dim, commune_code)").run()
        try await db.schema("unit_summaries").delete()
    }
    public func revert(on db: any Database) async throws { try await db.schema(Summaries.table).delete() }
}
