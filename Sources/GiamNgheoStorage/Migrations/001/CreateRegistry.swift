import Fluent
import SQLKit

/// 001: accounts, households, audit trail, and the indexes the list and search use.
public struct CreateUser: AsyncMigration {
    public init() {}
    public func prepare(on db: any Database) async throws {
        try await db.schema(User.schema)
            .id()
            .field("username", .string, .required)
            .field("password_hash", .string, .required)
            .field("display_name", .string, .required)
            .field("role", .string, .required)
            .field("units", .array(of: .string), .required)
            .field("failed_logins", .int, .required)
            .field("locked_until", .datetime)
            .field("created_at", .datetime)
            .unique(on: "username")
            .create()
    }
    public func revert(on db: any Database) async throws { try await db.schema(User.schema).delete() }
}

public struct CreateHousehold: AsyncMigration {
    public init() {}
    public func prepare(on db: any Database) async throws {
        try await db.schema(HouseholdRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("code", .string, .required)
            .field("commune_code", .string, .required)
            .field("village", .string)
            .field("head_name", .string, .required)
            .field("sort_key", .string, .required)
            .field("search_text", .string, .required)
            .field("facts", .string, .required)
            .field("category", .string, .required)
            .field("subtype", .string)
            .field("deprived", .string, .required)
            .field("deprived_count", .int, .required)
            .field("standard", .string, .required)
            .field("income_per_capita", .int)
            .field("ethnic_minority_head", .bool, .required)
            .field("meritorious", .bool, .required)
            .field("no_working_capacity", .bool, .required)
            .field("member_count", .int, .required)
            .field("version", .int, .required)
            .field("archived_reason", .string)
            .field("updated_at", .datetime)
            .unique(on: "code")
            .create()
        // Keyset pagination within a commune walks this index: page 500 costs what page 1 costs.
        let sql = db.sql
        try await sql.raw("CREATE INDEX households_commune_sort ON households (commune_code, sort_key, id)").run()
        try await sql.raw("CREATE INDEX households_commune_category ON households (commune_code, category)").run()
    }
    public func revert(on db: any Database) async throws { try await db.schema(HouseholdRecord.schema).delete() }
}

public struct CreateAuditEntry: AsyncMigration {
    public init() {}
    public func prepare(on db: any Database) async throws {
        try await db.schema(AuditEntry.schema)
            .field("id", .int, .identifier(auto: true))
            .field("at", .datetime, .required)
            .field("username", .string, .required)
            .field("household_id", .int)
            .field("action", .string, .required)
            .field("field", .string)
            .field("old_value", .string)
            .field("new_value", .string)
            .field("reason", .string)
            .create()
        try await db.sql.raw("CREATE INDEX audit_household ON audit_entries (household_id, id)").run()
    }
    public func revert(on db: any Database) async throws { try await db.schema(AuditEntry.schema).delete() }
}

public enum RegistryMigrations {
    public static let all: [any Migration] = [CreateUser(), CreateHousehold(), CreateAuditEntry(), CreateUnitSummaries(),
                                               CreateVillages(), CreateHouseholdYears(), AddHouseholdCauses(),
                                               CreateReviewRounds(), CreateReviewRequests(), CreateReviewWorkflow(), CreateImports(),
                                               CreateReportCells(), CreateTargets(), CreateSupport(), AddReposting(),
                                               RederiveSummaryDetail(), CreateWebSessions(),
                                               IndexSearchAndFilters(), PartitionByProvince(), IndexRecognisedYears(), AddSurveySubmissions(),
                                               CreateAPITokens()]
}
