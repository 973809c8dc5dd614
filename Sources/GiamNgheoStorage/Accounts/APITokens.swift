import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

/// Bearer tokens of the JSON API. The caller hashes the token (SHA-256 of its text): this store never sees one.
/// Creating and revoking are audited as the account's own actions.
public struct APITokenStore: Sendable {
    public init() {}

    public struct Token: Sendable, Equatable {
        public var id: Int, name: String, prefix: String, createdAt: Date, lastUsedAt: Date?, revokedAt: Date?
    }
    struct Row: Decodable { var id: Int; var name: String; var prefix: String; var created_at: Int64; var last_used_at: Int64?; var revoked_at: Int64? }

    /// A new token's text: "gn_" and 40 letters and digits from the system's secure generator (238 bits).
    public static func newText() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var rng = SystemRandomNumberGenerator()
        return "gn_" + String((0..<40).map { _ in alphabet[Int(rng.next(upperBound: UInt64(alphabet.count)))] })
    }

    public func create(user: User, name: String, hash: String, prefix: String, now: Date = Date(), on db: any Database) async throws {
        let label = name.trimmingCharacters(in: .whitespaces)
        guard !label.isEmpty, label.count <= 80 else {
            throw ValidationError("token.name", field: "name", vi: "Đặt tên cho mã truy cập (tối đa 80 ký tự), ví dụ tên hệ thống dùng nó.",
                                  en: "Name the token (80 characters at most), e.g. the system that uses it.")
        }
        try await db.transaction { tx in
            try await tx.sql.insert(into: "api_tokens").columns("user_id", "name", "token_hash", "prefix", "created_at")
                .values(SQLBind(user.id!.uuidString), SQLBind(label), SQLBind(hash), SQLBind(prefix), SQLBind(Int64(now.timeIntervalSince1970))).run()
            try await AuditEntry(username: user.username, householdID: nil, action: "api.token", field: label, newValue: "tạo \(prefix)…").create(on: tx)
        }
    }

    public func list(user: User, on db: any Database) async throws -> [Token] {
        try await db.sql.select().columns("id", "name", "prefix", "created_at", "last_used_at", "revoked_at").from("api_tokens")
            .where("user_id", .equal, user.id!.uuidString).orderBy("id").all(decoding: Row.self).map {
                Token(id: $0.id, name: $0.name, prefix: $0.prefix, createdAt: Date(timeIntervalSince1970: TimeInterval($0.created_at)),
                      lastUsedAt: $0.last_used_at.map { Date(timeIntervalSince1970: TimeInterval($0)) },
                      revokedAt: $0.revoked_at.map { Date(timeIntervalSince1970: TimeInterval($0)) })
            }
    }

    /// Revokes one of the account's own tokens (another's is not found).
    public func revoke(user: User, id: Int, now: Date = Date(), on db: any Database) async throws {
        try await db.transaction { tx in
            let done = try await tx.sql.update("api_tokens").set("revoked_at", to: SQLBind(Int64(now.timeIntervalSince1970)))
                .where("id", .equal, id).where("user_id", .equal, user.id!.uuidString).where("revoked_at", .is, SQLLiteral.null)
                .returning("prefix").all()
            guard let prefix = try done.first?.decode(column: "prefix", as: String.self) else { throw AccessError.notFound }
            try await AuditEntry(username: user.username, householdID: nil, action: "api.token", field: "\(prefix)…", newValue: "thu hồi").create(on: tx)
        }
    }

    /// The account a live token acts as, and whether its last use should be noted (`touch`: at most once a minute,
    /// so that reads stay reads).
    public func account(hash: String, now: Date = Date(), on db: any Database) async throws -> (user: User, token: Int, stale: Bool)? {
        struct Hit: Decodable { var id: Int; var user_id: String; var last_used_at: Int64? }
        guard let hit = try await db.sql.select().columns("id", "user_id", "last_used_at").from("api_tokens")
            .where("token_hash", .equal, hash).where("revoked_at", .is, SQLLiteral.null).first(decoding: Hit.self),
            let uid = UUID(uuidString: hit.user_id), let user = try await User.find(uid, on: db) else { return nil }
        return (user, hit.id, (hit.last_used_at ?? 0) < Int64(now.timeIntervalSince1970) - 60)
    }

    public func touch(token id: Int, now: Date = Date(), on db: any Database) async throws {
        try await db.sql.update("api_tokens").set("last_used_at", to: SQLBind(Int64(now.timeIntervalSince1970))).where("id", .equal, id).run()
    }
}
