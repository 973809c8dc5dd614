import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

/// Support plans, the support ledger, livelihood models, the "Vì người nghèo" fund and budgets (issue 7).
/// Every table carries the commune (or the province, for a province's fund and budgets) so that every
/// query is scoped like the registry.
public struct CreateSupport: AsyncMigration {
    public init() {}
    public func prepare(on db: any Database) async throws {
        try await db.schema("support_plans")
            .field("id", .int, .identifier(auto: true))
            .field("household_id", .int, .required).field("year", .int, .required).field("commune_code", .string, .required)
            .field("commitment", .int, .required).field("helper_name", .string).field("helper_org", .string).field("helper_contact", .string)
            .field("note", .string).field("updated_by", .string, .required).field("updated_at", .datetime, .required).field("version", .int, .required)
            .unique(on: "household_id", "year").create()
        try await db.schema("support_needs")
            .field("id", .int, .identifier(auto: true))
            .field("plan_id", .int, .required).field("household_id", .int, .required).field("indicator", .string).field("cause", .string)
            .field("policy_code", .string).field("description", .string).create()
        try await db.schema("support_visits")
            .field("id", .int, .identifier(auto: true))
            .field("household_id", .int, .required).field("visited_on", .string, .required).field("visitor", .string, .required)
            .field("note", .string, .required).field("created_by", .string, .required).field("created_at", .datetime, .required).create()
        try await db.schema("support_records")
            .field("id", .int, .identifier(auto: true))
            .field("household_id", .int, .required).field("member_id", .string).field("member_name", .string)
            .field("commune_code", .string, .required).field("village", .string)
            .field("policy_code", .string, .required).field("programme_code", .string).field("form", .string, .required)
            .field("amount", .int64, .required).field("quantity", .string).field("given_on", .string, .required).field("year", .int, .required)
            .field("source", .string, .required).field("indicator", .string).field("cause", .string).field("note", .string)
            .field("eligible", .int, .required).field("eligibility_note", .string, .required).field("override_reason", .string)
            .field("batch_id", .int).field("recorded_by", .string, .required).field("recorded_at", .datetime, .required)
            .field("voided_reason", .string).create()
        try await db.schema("support_batches")
            .field("id", .int, .identifier(auto: true))
            .field("created_by", .string, .required).field("created_at", .datetime, .required).field("file_name", .string, .required)
            .field("status", .string, .required).field("rows", .string, .required).field("problems", .string, .required)
            .field("communes", .string, .required).field("committed_at", .datetime).create()
        try await db.schema("livelihood_models")
            .field("id", .int, .identifier(auto: true))
            .field("commune_code", .string, .required).field("village", .string).field("name", .string, .required).field("kind", .string, .required)
            .field("programme_code", .string).field("start_year", .int, .required).field("budget", .int64, .required).field("source", .string, .required)
            .field("description", .string).field("created_by", .string, .required).field("version", .int, .required).create()
        try await db.schema("model_participants")
            .field("id", .int, .identifier(auto: true))
            .field("model_id", .int, .required).field("household_id", .int, .required).field("joined_year", .int, .required)
            .unique(on: "model_id", "household_id").create()
        try await db.schema("model_results")
            .field("id", .int, .identifier(auto: true))
            .field("model_id", .int, .required).field("year", .int, .required).field("output", .string, .required)
            .field("revenue", .int64).field("note", .string).field("recorded_by", .string, .required).create()
        try await db.schema("fund_entries")
            .field("id", .int, .identifier(auto: true))
            .field("unit_code", .string, .required).field("entry_date", .string, .required).field("kind", .string, .required)
            .field("amount", .int64, .required).field("party", .string, .required).field("note", .string)
            .field("recorded_by", .string, .required).field("recorded_at", .datetime, .required).create()
        try await db.schema("support_budgets")
            .field("id", .int, .identifier(auto: true))
            .field("unit_code", .string, .required).field("year", .int, .required).field("programme_code", .string, .required)
            .field("source", .string, .required).field("amount", .int64, .required).field("note", .string).field("created_by", .string, .required).create()
        let sql = db.sql
        try await sql.raw("CREATE INDEX support_records_commune ON support_records (commune_code, year)").run()
        try await sql.raw("CREATE INDEX support_records_household ON support_records (household_id)").run()
    }
    public func revert(on db: any Database) async throws {
        for t in ["support_plans", "support_needs", "support_visits", "support_records", "support_batches", "livelihood_models",
                  "model_participants", "model_results", "fund_entries", "support_budgets"] { try await db.schema(t).delete() }
    }
}
