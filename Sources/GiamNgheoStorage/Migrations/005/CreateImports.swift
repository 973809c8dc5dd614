import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

/// 005: imports and duplicates. `household_people` indexes every registered person by national ID and by
/// (commune, birth) so that duplicates are found with an index, not by reading every household;
/// `import_batches` keeps each uploaded file's review and who committed it; `import_matches` is the
/// adjudication queue; `settings` holds the administrator's duplicate thresholds.
public struct CreateImports: AsyncMigration {
    public init() {}
    public func prepare(on db: any Database) async throws {
        let sql = db.sql
        try await db.schema(People.table)
            .field("household_id", .int, .required)
            .field("member_id", .string, .required)
            .field("national_id", .string)
            .field("name_key", .string, .required)
            .field("birth", .string)
            .field("commune_code", .string, .required)
            .field("village", .string, .required)
            .create()
        try await sql.raw("CREATE INDEX people_household ON household_people (household_id)").run()
        try await sql.raw("CREATE INDEX people_national_id ON household_people (national_id)").run()
        try await sql.raw("CREATE INDEX people_block ON household_people (commune_code, birth)").run()
        try await db.schema("import_batches")
            .field("id", .int, .identifier(auto: true))
            .field("created_at", .datetime, .required)
            .field("created_by", .string, .required)
            .field("file_name", .string, .required)
            .field("file_sha256", .string, .required)
            .field("file_bytes", .int64, .required)
            .field("stored_path", .string, .required)
            .field("status", .string, .required)
            .field("report", .string, .required)
            .field("fingerprint", .string, .required)
            .field("committed_by", .string)
            .field("committed_at", .datetime)
            .field("communes", .string, .required)
            .create()
        try await db.schema("import_matches")
            .field("id", .int, .identifier(auto: true))
            .field("batch_id", .int, .required)
            .field("match_key", .string, .required)
            .field("decision", .string, .required)
            .field("decided_by", .string, .required)
            .field("decided_at", .datetime, .required)
            .unique(on: "batch_id", "match_key")
            .create()
        try await db.schema("settings")
            .field("key", .string, .identifier(auto: false))
            .field("value", .string, .required)
            .field("updated_by", .string)
            .field("updated_at", .datetime)
            .create()
        // People of the households already registered.
        var last = 0
        while true {
            struct Row: Decodable { var id: Int; var facts: String; var commune_code: String; var village: String? }
            let rows = try await sql.select().columns("id", "facts", "commune_code", "village").from(HouseholdRecord.schema)
                .where("id", .greaterThan, last).orderBy("id").limit(1000).all(decoding: Row.self)
            guard let end = rows.last else { break }
            let parser = HouseholdParser()
            let pairs = rows.compactMap { r -> (Int, Household)? in
                guard let h = try? parser.parse(jsonLine: r.facts, line: 0) else { return nil }
                return (r.id, h)
            }
            try await People.insert(pairs, before010: true, on: sql)
            last = end.id
        }
    }
    public func revert(on db: any Database) async throws {
        for t in ["settings", "import_matches", "import_batches", People.table] { try await db.schema(t).delete() }
    }
}

/// Every registered person, by household: rewritten with the household in the same transaction.
public enum People {
    public static let table = "household_people"

    /// The province (the partition key, migration 010) is last: migration 005 writes the others only.
    static let columns = ["household_id", "member_id", "national_id", "name_key", "birth", "commune_code", "village", "province_code"]

    static func rows(_ id: Int, _ h: Household) -> [[any Encodable & Sendable]] {
        let province = Partitions.province(ofCommune: h.commune)
        return h.members.map { m in
            let key = PersonKey(m, commune: h.commune, village: h.village)
            return [id, m.id, m.nationalID, VietnameseText.fold(m.name ?? ""), key?.birth, h.commune ?? "", VietnameseText.fold(h.village ?? ""), province]
        }
    }

    /// Multi-row inserts, a few hundred people per statement.
    static func insert(_ households: [(Int, Household)], before010: Bool = false, on sql: any SQLDatabase) async throws {
        let all = households.flatMap { rows($0.0, $0.1) }
        let width = before010 ? columns.count - 1 : columns.count
        for start in stride(from: 0, to: all.count, by: 400) {
            var q = sql.insert(into: table).columns(Array(columns.prefix(width)))
            for r in all[start..<min(start + 400, all.count)] { q = q.values(r.prefix(width).map { SQLBind($0) }) }
            try await q.run()
        }
    }

    /// `province`: where the household's people were filed (its province before this change).
    static func replace(_ id: Int, _ h: Household, province: String, on sql: any SQLDatabase) async throws {
        try await sql.delete(from: table).where("province_code", .equal, province).where("household_id", .equal, id).run()
        try await insert([(id, h)], on: sql)
    }
}
