import Fluent
import Foundation
import SQLKit

/// Household counts per (commune, village, category), kept in step with every change in the same
/// transaction, so that dashboards and reports read a few hundred rows instead of every household.
public enum Summaries {
    public static let table = "unit_summaries"

    /// Adds `delta` households to one cell (an upsert both SQLite and PostgreSQL understand).
    static func add(_ delta: Int, commune: String, village: String?, category: String, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("""
            INSERT INTO unit_summaries (commune_code, village, category, households)
            VALUES (\(bind: commune), \(bind: village ?? ""), \(bind: category), \(bind: delta))
            ON CONFLICT (commune_code, village, category) DO UPDATE SET households = unit_summaries.households + excluded.households
            """).run()
    }

    /// Rebuilds the cells of some communes from the households themselves (after a bulk load).
    public static func rebuild(communes: [String], on db: any Database) async throws {
        guard !communes.isEmpty else { return }
        let sql = db as! any SQLDatabase
        for chunk in stride(from: 0, to: communes.count, by: 200).map({ Array(communes[$0..<min($0 + 200, communes.count)]) }) {
            try await sql.delete(from: table).where("commune_code", .in, chunk).run()
            try await sql.raw("""
                INSERT INTO unit_summaries (commune_code, village, category, households)
                SELECT commune_code, COALESCE(village, ''), category, COUNT(*) FROM households
                WHERE archived_reason IS NULL AND commune_code IN (\(binds: chunk))
                GROUP BY commune_code, COALESCE(village, ''), category
                """).run()
        }
    }

    public struct Row: Decodable, Sendable {
        public var key: String
        public var category: String
        public var households: Int
    }

    /// Counts by commune (or by village within one commune) and category, within the scope.
    public static func counts(_ scope: Scope, commune: String?, on db: any Database) async throws -> [Row] {
        let sql = db as! any SQLDatabase
        // SUM of a bigint is numeric on PostgreSQL: cast so both databases return an integer.
        if let commune {
            guard scope.allows(commune: commune) else { throw ScopeError(.forbidden) }
            return try await sql.raw("""
                SELECT village AS key, category, CAST(SUM(households) AS BIGINT) AS households FROM unit_summaries
                WHERE commune_code = \(bind: commune) GROUP BY village, category
                """).all(decoding: Row.self)
        }
        if let communes = scope.communes {
            guard !communes.isEmpty else { return [] }
            return try await sql.raw("""
                SELECT commune_code AS key, category, CAST(SUM(households) AS BIGINT) AS households FROM unit_summaries
                WHERE commune_code IN (\(binds: communes.sorted())) GROUP BY commune_code, category
                """).all(decoding: Row.self)
        }
        return try await sql.raw("""
            SELECT commune_code AS key, category, CAST(SUM(households) AS BIGINT) AS households FROM unit_summaries
            GROUP BY commune_code, category
            """).all(decoding: Row.self)
    }

    /// Differences between the maintained cells and a fresh count (empty when consistent).
    public static func verify(on db: any Database) async throws -> [String] {
        let sql = db as! any SQLDatabase
        struct Cell: Decodable, Hashable { var commune_code: String; var village: String; var category: String; var households: Int }
        let kept = try await sql.raw("SELECT commune_code, village, category, households FROM unit_summaries WHERE households <> 0").all(decoding: Cell.self)
        let fresh = try await sql.raw("""
            SELECT commune_code, COALESCE(village, '') AS village, category, COUNT(*) AS households FROM households
            WHERE archived_reason IS NULL GROUP BY commune_code, COALESCE(village, ''), category
            """).all(decoding: Cell.self)
        let a = Set(kept), b = Set(fresh)
        return a.symmetricDifference(b).map { "\($0.commune_code)/\($0.village)/\($0.category): \($0.households)" }.sorted()
    }
}

public struct CreateUnitSummaries: AsyncMigration {
    public init() {}
    public func prepare(on db: any Database) async throws {
        try await db.schema(Summaries.table)
            .field("commune_code", .string, .required)
            .field("village", .string, .required)
            .field("category", .string, .required)
            .field("households", .int, .required)
            .unique(on: "commune_code", "village", "category")
            .create()
    }
    public func revert(on db: any Database) async throws { try await db.schema(Summaries.table).delete() }
}
