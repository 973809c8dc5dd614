import Fluent
import SQLKit

/// 002: villages managed per commune, each household's category by year, and poverty causes as a
/// filterable column.
public struct CreateVillages: AsyncMigration {
    public init() {}
    public func prepare(on db: any Database) async throws {
        try await db.schema(Village.schema)
            .field("id", .int, .identifier(auto: true))
            .field("commune_code", .string, .required)
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("old_commune_code", .string)
            .field("archived", .bool, .required)
            .unique(on: "commune_code", "name")
            .create()
    }
    public func revert(on db: any Database) async throws { try await db.schema(Village.schema).delete() }
}

public struct CreateHouseholdYears: AsyncMigration {
    public init() {}
    public func prepare(on db: any Database) async throws {
        try await db.schema(HouseholdYear.schema)
            .field("id", .int, .identifier(auto: true))
            .field("household_id", .int, .required)
            .field("year", .int, .required)
            .field("category", .string, .required)
            .field("standard", .string, .required)
            .field("recognised", .bool, .required)
            .field("source", .string, .required)
            .field("decided_at", .datetime)
            .unique(on: "household_id", "year")
            .create()
        try await db.sql.raw("CREATE INDEX household_years_year ON household_years (year, category, household_id)").run()
    }
    public func revert(on db: any Database) async throws { try await db.schema(HouseholdYear.schema).delete() }
}

public struct AddHouseholdCauses: AsyncMigration {
    public init() {}
    public func prepare(on db: any Database) async throws {
        try await db.schema(HouseholdRecord.schema).field("causes", .string).update()
        // Lists that span many communes (province, administrator) walk this index in order instead of
        // sorting every household for each page.
        try await db.sql.raw("CREATE INDEX households_sort ON households (sort_key, id)").run()
    }
    public func revert(on db: any Database) async throws {
        try await db.schema(HouseholdRecord.schema).deleteField("causes").update()
    }
}
