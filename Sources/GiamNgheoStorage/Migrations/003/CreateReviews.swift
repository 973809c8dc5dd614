import Fluent
import SQLKit

/// 003: review rounds per commune and the households' requests to be reviewed (Mẫu 01) or recognised
/// as out of poverty (Mẫu 04).
public struct CreateReviewRounds: AsyncMigration {
    public init() {}
    public func prepare(on db: any Database) async throws {
        try await db.schema(ReviewRound.schema)
            .field("id", .int, .identifier(auto: true))
            .field("commune_code", .string, .required)
            .field("year", .int, .required)
            .field("kind", .string, .required)
            .field("month", .int, .required)
            .field("procedure", .string, .required)
            .field("standard", .string, .required)
            .field("starts_on", .string, .required)
            .field("ends_on", .string, .required)
            .field("step", .string, .required)
            .field("opened_by", .string, .required)
            .unique(on: "commune_code", "year", "kind", "month")
            .create()
    }
    public func revert(on db: any Database) async throws { try await db.schema(ReviewRound.schema).delete() }
}

public struct CreateReviewRequests: AsyncMigration {
    public init() {}
    public func prepare(on db: any Database) async throws {
        try await db.schema(ReviewRequest.schema)
            .field("id", .int, .identifier(auto: true))
            .field("household_id", .int, .required)
            .field("commune_code", .string, .required)
            .field("form", .string, .required)
            .field("received_on", .string, .required)
            .field("channel", .string, .required)
            .field("note", .string)
            .field("recorded_by", .string, .required)
            .create()
        try await db.sql.raw("CREATE INDEX review_requests_commune ON review_requests (commune_code, received_on)").run()
    }
    public func revert(on db: any Database) async throws { try await db.schema(ReviewRequest.schema).delete() }
}
