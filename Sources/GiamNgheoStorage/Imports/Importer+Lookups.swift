import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

/// What an import reads of the registry: households by code or id, people by national ID or by
/// (commune, village, birth) block. One statement per chunk, never one per row.
extension Importer.Run {
    /// PostgreSQL compiles a statement whose estimated cost passes `jit_above_cost`; a lookup of a chunk's people
    /// probes 35 partitions per key, so its estimate passes it although it runs in milliseconds, and compiling
    /// took 4.3 s a statement (6,000 IDs at 100,000 households). For the import's transaction only.
    static func withoutJIT(_ sql: any SQLDatabase) async throws {
        guard sql.dialect.name == "postgresql" else { return }
        try await sql.raw("SET LOCAL jit = off").run()
    }

    /// `holding`: the provinces that hold households (PostgreSQL, read once per chunk), nil on SQLite.
    static func existing(codes: [String], in holding: [String]?, on sql: any SQLDatabase) async throws -> [Importer.Existing] {
        try await rows(matching: "code", codes, in: holding, on: sql)
    }

    static func existing(ids: [Int], in holding: [String]?, on sql: any SQLDatabase) async throws -> [Importer.Existing] {
        try await rows(matching: "id", ids, in: holding, on: sql)
    }

    /// Households whose `column` is one of `values`.
    static func rows<T: Encodable & Sendable>(matching column: String, _ values: [T], in holding: [String]?,
                                              on sql: any SQLDatabase) async throws -> [Importer.Existing] {
        guard !values.isEmpty, holding?.isEmpty != true else { return [] }
        var out: [Importer.Existing] = []
        for part in values.chunks(of: sql.memberLimit) { out += try await rows(households(column, part, provinces: holding, on: sql), on: sql) }
        return out
    }

    /// PostgreSQL (`provinces` given): one probe per value of the provinces that hold households; planning `= ANY(…)`
    /// of 2,000 codes against every partition took 24 ms a chunk. SQLite: an `IN` list.
    static func households<T: Encodable & Sendable>(_ column: String, _ values: [T], provinces: [String]?, on sql: any SQLDatabase) -> SQLRawBuilder {
        let select: SQLQueryString = "SELECT id, code, version, facts, commune_code, village, archived_reason FROM households"
        guard let provinces else { return sql.raw("\(select) WHERE \(sql.member(column, of: values))") }
        return sql.raw("""
            SELECT x.* FROM unnest(\(bind: values)) AS k (v),
            \(lateral("\(select) WHERE province_code IN (\(binds: provinces)) AND \(ident: column) = k.v"))
            """)
    }

    static func rows(_ q: SQLRawBuilder, on sql: any SQLDatabase) async throws -> [Importer.Existing] {
        struct Row: Decodable { var id: Int; var code: String; var version: Int; var facts: String; var commune_code: String; var village: String?; var archived_reason: String? }
        return try await q.all(decoding: Row.self).map {
            Importer.Existing(id: $0.id, code: $0.code, version: $0.version, facts: $0.facts, commune: $0.commune_code, village: $0.village, archived: $0.archived_reason)
        }
    }

    /// Registered people by national ID (households not archived).
    /// A person may be registered in any province; on PostgreSQL only the provinces that hold households are probed
    /// (people are filed in their household's; a key probed in all 35 took 20 µs, 7,000 keys a chunk).
    static func people(nationalIDs: [String], in holding: [String]?, on sql: any SQLDatabase) async throws -> [String: [Importer.Existing.PersonRef]] {
        guard !nationalIDs.isEmpty, holding?.isEmpty != true else { return [:] }
        struct Row: Decodable { var national_id: String; var household_id: Int; var code: String; var head_name: String; var name_key: String }
        var out: [String: [Importer.Existing.PersonRef]] = [:]
        for part in nationalIDs.chunks(of: sql.memberLimit) {
            let rows = try await people(nationalIDs: part, provinces: holding ?? [], on: sql).all(decoding: Row.self)
            for r in rows { out[r.national_id, default: []].append(Importer.Existing.PersonRef(householdID: r.household_id, code: r.code, name: r.name_key)) }
        }
        return out
    }

    /// PostgreSQL: one index probe per ID (`lateral`) in each province that holds people. Planning `= ANY(…)` against
    /// every province's partition estimates each value in each partition (7,000 IDs: 96 ms to plan, 4 ms for the
    /// join), and a plain join of the unnested IDs hashed every person of the province once per chunk: quadratic in
    /// the file. SQLite: an `IN` list.
    static func people(nationalIDs part: [String], provinces: [String], on sql: any SQLDatabase) -> SQLRawBuilder {
        let postgres = sql.dialect.name == "postgresql"
        let select: SQLQueryString = """
            SELECT p.national_id, p.household_id, h.code, h.head_name, p.name_key FROM household_people p
            JOIN households h ON h.id = p.household_id AND h.province_code = p.province_code
            WHERE h.archived_reason IS NULL AND \(postgres
                ? "p.province_code IN (\(binds: provinces)) AND p.national_id = k.v"
                : "p.national_id IN (\(binds: part))" as SQLQueryString)
            """
        return sql.raw(postgres ? "SELECT x.* FROM unnest(\(bind: part)) AS k (v), \(lateral(select)) ORDER BY x.household_id"
                                : "\(select) ORDER BY p.household_id")
    }

    /// The provinces whose partition of households has a row, on PostgreSQL (nil on SQLite, which has no partitions):
    /// one probe of each, stopping at its first row. Read once per chunk, since other officials' saves and the
    /// import's own chunks fill new ones.
    static func provincesHoldingHouseholds(on sql: any SQLDatabase) async throws -> [String]? {
        guard sql.dialect.name == "postgresql" else { return nil }
        struct Row: Decodable { var v: String }
        return try await sql.raw("""
            SELECT k.v FROM unnest(\(bind: Partitions.provinces + [Partitions.none])) AS k (v),
            \(lateral("SELECT 1 FROM households WHERE province_code = k.v LIMIT 1"))
            """).all(decoding: Row.self).map(\.v)
    }

    /// Registered people in the same (commune, village, birth) blocks as this chunk's people: the blocks themselves
    /// joined to the people's (commune, birth) index, one probe each. Every commune's people born on any of the
    /// chunk's dates (an IN list by an IN list) read 44,000 rows for 600 at a province of 1 M (PostgreSQL, 95 ms a chunk).
    static func people(blocks keys: [PersonKey], on sql: any SQLDatabase) async throws -> [String: [Importer.Person]] {
        guard !keys.isEmpty else { return [:] }
        struct Row: Decodable { var household_id: Int; var code: String; var name_key: String; var birth: String; var commune_code: String; var village: String }
        var out: [String: [Importer.Person]] = [:]
        var seen = Set<String>()
        let blocks = keys.filter { seen.insert($0.block).inserted }
        let postgres = sql.dialect.name == "postgresql"
        for part in blocks.chunks(of: postgres ? sql.memberLimit : 300) {
            let rows = try await people(blocks: part, on: sql).all(decoding: Row.self)
            for r in rows {
                out["\(r.commune_code)|\(r.village)|\(r.birth)", default: []].append(
                    Importer.Person(name: r.name_key, display: r.name_key, code: r.code, row: 0, sheet: "", householdID: r.household_id))
            }
        }
        return out
    }
}

extension Importer.Run {
    /// PostgreSQL: three array binds unnested into the blocks, rather than a VALUES list of 3 binds a row, and one
    /// index probe per block (`lateral`): joined plainly, the planner sorted the province's people once per chunk.
    static func people(blocks part: [PersonKey], on sql: any SQLDatabase) -> SQLRawBuilder {
        let columns: SQLQueryString = "SELECT p.household_id, h.code, p.name_key, p.birth, p.commune_code, p.village"
        let people: SQLQueryString = """
            household_people p JOIN households h ON h.id = p.household_id AND h.province_code = p.province_code
              AND p.province_code IN (\(binds: Partitions.provinces(ofCommunes: part.map(\.commune))))
              AND p.commune_code = k.column1 AND p.birth = k.column3 AND p.village = k.column2 AND h.archived_reason IS NULL
            """
        return sql.raw(sql.dialect.name == "postgresql"
            ? "SELECT x.* FROM unnest(\(bind: part.map(\.commune))::text[], \(bind: part.map(\.village))::text[], \(bind: part.map(\.birth))::text[]) AS k (column1, column2, column3), \(lateral("\(columns) FROM \(people)"))"
            : "\(columns) FROM (VALUES \(part.map { "(\(bind: $0.commune), \(bind: $0.village), \(bind: $0.birth))" as SQLQueryString }.joined(separator: ", "))) AS k JOIN \(people)")
    }

    /// A subquery run once per key of the outer list, by its index (`OFFSET 0` keeps the planner from merging it into
    /// a join that reads the whole table).
    static func lateral(_ select: SQLQueryString) -> SQLQueryString { "LATERAL (\(select) OFFSET 0) AS x" }
}

/// FNV-1a, 64 bits: a fingerprint of what an import will do, to see that a commit does what was reviewed.
struct Hasher64 {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325
    /// The parts as one line (the same value as their concatenation, without building it: facts are long).
    mutating func add(_ parts: String...) {
        for var s in parts { s.withUTF8 { for b in $0 { value = (value ^ UInt64(b)) &* 0x100_0000_01b3 } } }
        value = (value ^ 0x0A) &* 0x100_0000_01b3
    }
    var hex: String { String(value, radix: 16) }
}
