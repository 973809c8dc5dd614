import Fluent
import Foundation
import GiamNgheoData
import SQLKit

/// Households drawn from an existing registry for a load test, and their versions read back after it (the
/// lost-update check of `bench season`). Opened bare, beside the running server.
public enum RegistrySample {
    public struct Household: Sendable { public var id: Int; public var version: Int; public var commune: String }

    public static func households(_ choice: DatabaseChoice, province: String, limit: Int) async throws -> [Household] {
        let communes = BundledData.adminUnits.communes(ofProvince: province).map(\.code)
        return try await Backup.withBare(choice) { db in
            struct Row: Decodable { var id: Int; var version: Int; var commune_code: String }
            return try await db.sql.select().columns("id", "version", "commune_code").from(HouseholdRecord.schema)
                .whereCommunes(communes).where("archived_reason", .is, SQLLiteral.null)
                .orderBy(SQLFunction("random")).limit(limit).all(decoding: Row.self)
                .map { Household(id: $0.id, version: $0.version, commune: $0.commune_code) }
        }
    }

    public static func versions(_ choice: DatabaseChoice, ids: [Int]) async throws -> [Int: Int] {
        try await Backup.withBare(choice) { db in
            struct Row: Decodable { var id: Int; var version: Int }
            var out: [Int: Int] = [:]
            for part in ids.chunks(of: 500) {
                for r in try await db.sql.select().columns("id", "version").from(HouseholdRecord.schema)
                    .where("id", .in, part).all(decoding: Row.self) { out[r.id] = r.version }
            }
            return out
        }
    }
}
