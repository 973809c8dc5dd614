import Fluent
import Foundation
import GiamNgheoCore

public final class User: Model, @unchecked Sendable {
    public static let schema = "users"
    @ID(key: .id) public var id: UUID?
    @Field(key: "username") public var username: String
    @Field(key: "password_hash") public var passwordHash: String
    @Field(key: "display_name") public var displayName: String
    @Enum(key: "role") public var role: Role
    /// Unit codes (2025 structure): a province code covers all its communes.
    @Field(key: "units") public var units: [String]
    @Field(key: "failed_logins") public var failedLogins: Int
    @OptionalField(key: "locked_until") public var lockedUntil: Date?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
    public init(username: String, passwordHash: String, displayName: String, role: Role, units: [String]) {
        self.username = username; self.passwordHash = passwordHash; self.displayName = displayName
        self.role = role; self.units = units; self.failedLogins = 0
    }
}

/// What a page needs of the signed-in account (`AccountStore.signedIn`); changes go through `User`.
public struct SignedInUser: Sendable {
    public var id: UUID
    public var username: String
    public var displayName: String
    public var role: Role
    public var units: [String]

    init(id: UUID, username: String, displayName: String, role: Role, units: [String]) {
        self.id = id; self.username = username; self.displayName = displayName; self.role = role; self.units = units
    }

    public init(_ user: User) {
        id = user.id!; username = user.username; displayName = user.displayName; role = user.role; units = user.units
    }
}
