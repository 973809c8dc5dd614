import Fluent
import SQLKit
import Foundation
import GiamNgheoCore

/// Field-level audit trail: written in the same transaction as the change, never updated.
public final class AuditEntry: Model, @unchecked Sendable {
    public static let schema = "audit_entries"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "at") public var at: Date
    @Field(key: "username") public var username: String
    @OptionalField(key: "household_id") public var householdID: Int?
    @Field(key: "action") public var action: String
    @OptionalField(key: "field") public var field: String?
    @OptionalField(key: "old_value") public var oldValue: String?
    @OptionalField(key: "new_value") public var newValue: String?
    @OptionalField(key: "reason") public var reason: String?
    /// The household's province (the partition key, `Partitions`); `Partitions.none` for an action on no household.
    /// Filled on create by `AuditProvince` when the writer did not know it.
    @OptionalField(key: "province_code") public var province: String?

    public init() {}

    /// A household's lines follow it to another province's partition (a commune changed to another province's),
    /// so that its page reads one partition.
    static func move(households ids: [Int], from old: String, to new: String, on sql: any SQLDatabase) async throws {
        guard old != new, !ids.isEmpty else { return }
        try await sql.update(schema).set("province_code", to: new)
            .where("province_code", .equal, old).where("household_id", .in, ids).run()
    }
    public init(username: String, householdID: Int?, action: String, field: String? = nil,
                oldValue: String? = nil, newValue: String? = nil, reason: String? = nil, province: String? = nil) {
        self.at = Date(); self.username = username; self.householdID = householdID; self.action = action
        self.field = field; self.oldValue = oldValue; self.newValue = newValue; self.reason = reason; self.province = province
    }
}

/// Gives each new audit line its household's province (one indexed read), so that no writer has to and a line
/// is never filed under the wrong partition. Registered with every database (`DatabaseChoice.register`).
struct AuditProvince: AsyncModelMiddleware {
    func create(model: AuditEntry, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        if model.province == nil {
            if let id = model.householdID {
                struct Row: Decodable { var province_code: String? }
                let row = try await db.sql.select().column("province_code").from(HouseholdRecord.schema).where("id", .equal, id)
                    .first(decoding: Row.self)
                model.province = row?.province_code ?? Partitions.none
            } else {
                model.province = Partitions.none
            }
        }
        try await next.create(model, on: db)
    }
}
