import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

/// Accounts: sign-in bookkeeping, password changes, and administration. Passwords arrive hashed (the web
/// hashes with bcrypt); every change writes an audit row in the same transaction.
public struct AccountStore: Sendable {
    public let units: AdminUnits
    /// Failed sign-ins before the account locks, and for how long.
    public static let maxFailures = 5
    public static let lockSeconds: TimeInterval = 300

    public init(units: AdminUnits) { self.units = units }

    /// A password shown once (new account, reset): 12 characters without the look-alikes 0/O, 1/l/I.
    public static func oneTimePassword() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var g = SystemRandomNumberGenerator()
        return String((0..<12).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &g)] })
    }

    public func user(id: UUID, on db: any Database) async throws -> User? { try await User.find(id, on: db) }

    /// The account a request is signed in as, read on every page: plain SQL, as Fluent's model reading (reflection
    /// over every field) was a tenth of a list page. Nothing secret is kept (no password hash).
    public func signedIn(id: UUID, on db: any Database) async throws -> SignedInUser? {
        guard let row = try await db.sql.raw("SELECT username, display_name, role, units FROM users WHERE id = \(bind: id)").first() else {
            return nil
        }
        // An account whose role this version does not know signs in as nobody.
        guard let role = Role(rawValue: try row.decode(column: "role", as: String.self)) else { return nil }
        return SignedInUser(id: id, username: try row.decode(column: "username", as: String.self),
                            displayName: try row.decode(column: "display_name", as: String.self), role: role,
                            units: try row.decode(column: "units", as: [String].self))
    }
    public func user(username: String, on db: any Database) async throws -> User? {
        try await User.query(on: db).filter(\.$username == username).first()
    }
    public func count(on db: any Database) async throws -> Int { try await User.query(on: db).count() }

    /// Every account, for an administrator.
    public func list(_ scope: Scope, on db: any Database) async throws -> [User] {
        guard scope.role == .admin else { throw AccessError.forbidden }
        return try await User.query(on: db).sort(\.$username).all()
    }

    /// A wrong password: counts it, and locks the account after `maxFailures` in a row.
    public func recordFailure(_ user: User, now: Date = Date(), on db: any Database) async throws {
        user.failedLogins += 1
        if user.failedLogins >= Self.maxFailures {
            user.lockedUntil = now.addingTimeInterval(Self.lockSeconds)
            user.failedLogins = 0
        }
        try await user.save(on: db)
    }

    /// A correct password: clears the count and any lock.
    public func recordSuccess(_ user: User, on db: any Database) async throws {
        guard user.failedLogins != 0 || user.lockedUntil != nil else { return }
        user.failedLogins = 0
        user.lockedUntil = nil
        try await user.save(on: db)
    }

    /// A new password ends the account's other sessions (a stolen session does not outlive the change).
    public func changePassword(_ user: User, newHash: String, keepingSession keyHash: String? = nil, on db: any Database) async throws {
        user.passwordHash = newHash
        try await db.transaction { tx in
            try await user.save(on: tx)
            try await SessionRows().end(userID: user.id!.uuidString, except: keyHash, on: tx)
            try await AuditEntry(username: user.username, householdID: nil, action: "password.change").create(on: tx)
        }
    }

    /// Checks a new account's fields; the message names the field, in both languages.
    public func validate(username: String, role: String, units codes: [String]) throws -> Role {
        guard username.range(of: "^[a-z0-9._-]{3,32}$", options: .regularExpression) != nil else {
            throw ValidationError("account.username", field: "username",
                                  vi: "Tên đăng nhập chỉ gồm chữ thường không dấu, số, dấu chấm, gạch; 3–32 ký tự.",
                                  en: "A user name has 3–32 lower-case letters without accents, digits, dots or dashes.")
        }
        guard let role = Role(rawValue: role) else {
            throw ValidationError("account.role", field: "role", vi: "Vai trò không hợp lệ.", en: "Unknown role.")
        }
        for u in codes where units.unit(u) == nil {
            throw ValidationError("account.unit", field: "units", vi: "Mã địa bàn '\(u)' không có trong danh mục từ 01/7/2025.",
                                  en: "Unit code '\(u)' is not in the list in force since 1 July 2025.")
        }
        if role != .admin && codes.isEmpty {
            throw ValidationError("account.units", field: "units", vi: "Cần ít nhất một địa bàn cho vai trò \(role.vietnamese).",
                                  en: "The role \(role.english) needs at least one unit.")
        }
        return role
    }

    /// Creates an account (administrators only); the caller shows the one-time password it hashed.
    @discardableResult
    public func create(_ scope: Scope, username: String, displayName: String, role: String, units codes: [String],
                       passwordHash: String, on db: any Database) async throws -> User {
        guard scope.role == .admin else { throw AccessError.forbidden }
        let role = try validate(username: username, role: role, units: codes)
        return try await db.transaction { tx in
            guard try await User.query(on: tx).filter(\.$username == username).first() == nil else {
                throw ValidationError("account.exists", field: "username", vi: "Tên đăng nhập '\(username)' đã có.",
                                      en: "The user name '\(username)' is taken.")
            }
            let user = User(username: username, passwordHash: passwordHash, displayName: displayName.isEmpty ? username : displayName,
                            role: role, units: codes)
            try await user.create(on: tx)
            try await AuditEntry(username: scope.username, householdID: nil, action: "user.create", field: username,
                                 newValue: "\(role.rawValue) \(codes.joined(separator: ","))").create(on: tx)
            return user
        }
    }

    /// Sets a new password (administrators only) and lifts any lock.
    @discardableResult
    public func resetPassword(_ scope: Scope, id: UUID, passwordHash: String, on db: any Database) async throws -> User {
        try await resetPassword(scope, passwordHash: passwordHash, on: db) { try await User.find(id, on: $0) }
    }

    /// The same, for an account named by its user name (the CLI).
    @discardableResult
    public func resetPassword(_ scope: Scope, username: String, passwordHash: String, on db: any Database) async throws -> User {
        try await resetPassword(scope, passwordHash: passwordHash, on: db) { try await User.query(on: $0).filter(\.$username == username).first() }
    }

    private func resetPassword(_ scope: Scope, passwordHash: String, on db: any Database,
                               find: @escaping @Sendable (any Database) async throws -> User?) async throws -> User {
        guard scope.role == .admin else { throw AccessError.forbidden }
        return try await db.transaction { tx in
            guard let user = try await find(tx) else { throw AccessError.notFound }
            user.passwordHash = passwordHash
            user.failedLogins = 0
            user.lockedUntil = nil
            try await user.save(on: tx)
            try await SessionRows().end(userID: user.id!.uuidString, on: tx)
            try await AuditEntry(username: scope.username, householdID: nil, action: "user.resetPassword", field: user.username).create(on: tx)
            return user
        }
    }
}
