import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

public struct CreateTargets: AsyncMigration {
    public init() {}
    public func prepare(on db: any Database) async throws {
        try await db.schema(TargetRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("year", .int, .required).field("kind", .string, .required).field("structure", .string, .required)
            .field("unit_codes", .string, .required).field("unit_name", .string, .required).field("measure", .string, .required)
            .field("baseline", .int).field("reduction", .int).field("end_households", .int).field("end_rate", .int)
            .field("standard", .string).field("note", .string).field("source", .string)
            .field("created_by", .string, .required).field("version", .int, .required)
            .create()
    }
    public func revert(on db: any Database) async throws { try await db.schema(TargetRecord.schema).delete() }
}
