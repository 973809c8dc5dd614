import Fluent
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

    public init() {}
    public init(username: String, householdID: Int?, action: String, field: String? = nil,
                oldValue: String? = nil, newValue: String? = nil, reason: String? = nil) {
        self.at = Date(); self.username = username; self.householdID = householdID; self.action = action
        self.field = field; self.oldValue = oldValue; self.newValue = newValue; self.reason = reason
    }
}
