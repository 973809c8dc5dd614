import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

/// What an import reads of the registry: households by code or id, people by national ID or by
/// (commune, village, birth) block. One statement per chunk, never one per row.
extension Importer.Run {
    static func existing(codes: [String], on sql: any SQLDatabase) async throws -> [Importer.Existing] {
        guard !codes.isEmpty else { return [] }
        return try await rows(matching: "code", codes, on: sql)
    }

    static func existing(ids: [Int], on sql: any SQLDatabase) async throws -> [Importer.Existing] {
        guard !ids.isEmpty else { return [] }
        return try await rows(matching: "id", ids, on: sql)
    }

    /// Households whose `column` is one of `values`: on PostgreSQL one array bind (`= ANY`), a bitmap probe of each
    /// province's index rather than one probe per value and partition.
    static func rows<T: Encodable & Sendable>(matching column: String, _ values: [T], on sql: any SQLDatabase) async throws -> [Importer.Existing] {
        var out: [Importer.Existing] = []
        for part in values.chunks(of: sql.memberLimit) {
            out += try await rows(sql.raw("""
                SELECT id, code, version, facts, commune_code, village, archived_reason FROM households WHERE \(sql.member(column, of: part))
                """), on: sql)
        }
        return out
    }

    static func rows(_ q: SQLRawBuilder, on sql: any SQLDatabase) async throws -> [Importer.Existing] {
        struct Row: Decodable { var id: Int; var code: String; var version: Int; var facts: String; var commune_code: String; var village: String?; var archived_reason: String? }
        return try await q.all(decoding: Row.self).map {
            Importer.Existing(id: $0.id, code: $0.code, version: $0.version, facts: $0.facts, commune: $0.commune_code, village: $0.village, archived: $0.archived_reason)
        }
    }

    /// Registered people by national ID (households not archived).
    static func people(nationalIDs: [String], on sql: any SQLDatabase) async throws -> [String: [Importer.Existing.PersonRef]] {
        guard !nationalIDs.isEmpty else { return [:] }
        struct Row: Decodable { var national_id: String; var household_id: Int; var code: String; var head_name: String; var name_key: String }
        var out: [String: [Importer.Existing.PersonRef]] = [:]
        let postgres = sql.dialect.name == "postgresql"
        for part in nationalIDs.chunks(of: sql.memberLimit) {
            // PostgreSQL: the IDs unnested and joined, since planning `= ANY(…)` against every province's partition
            // estimates each value in each partition (7,000 IDs: 96 ms to plan, 4 ms for the join).
            let people: SQLQueryString = postgres
                ? "unnest(\(bind: part)) AS k (v) JOIN household_people p ON p.national_id = k.v"
                : "household_people p"
            let rows = try await sql.raw("""
                SELECT p.national_id, p.household_id, h.code, h.head_name, p.name_key FROM \(people)
                JOIN households h ON h.id = p.household_id AND h.province_code = p.province_code
                WHERE h.archived_reason IS NULL \(postgres ? "" : "AND p.national_id IN (\(binds: part))" as SQLQueryString) ORDER BY p.household_id
                """).all(decoding: Row.self)
            for r in rows { out[r.national_id, default: []].append(Importer.Existing.PersonRef(householdID: r.household_id, code: r.code, name: r.name_key)) }
        }
        return out
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
            // PostgreSQL: three array binds unnested into the blocks, rather than a VALUES list of 3 binds a row.
            let source: SQLQueryString = postgres
                ? "unnest(\(bind: part.map(\.commune))::text[], \(bind: part.map(\.village))::text[], \(bind: part.map(\.birth))::text[]) AS k (column1, column2, column3)"
                : "(VALUES \(part.map { "(\(bind: $0.commune), \(bind: $0.village), \(bind: $0.birth))" as SQLQueryString }.joined(separator: ", "))) AS k"
            let rows = try await sql.raw("""
                SELECT p.household_id, h.code, p.name_key, p.birth, p.commune_code, p.village
                FROM \(source)
                JOIN household_people p ON p.province_code IN (\(binds: Partitions.provinces(ofCommunes: part.map(\.commune))))
                  AND p.commune_code = k.column1 AND p.birth = k.column3 AND p.village = k.column2
                JOIN households h ON h.id = p.household_id AND h.province_code = p.province_code
                WHERE h.archived_reason IS NULL
                """).all(decoding: Row.self)
            for r in rows {
                out["\(r.commune_code)|\(r.village)|\(r.birth)", default: []].append(
                    Importer.Person(name: r.name_key, display: r.name_key, code: r.code, row: 0, sheet: "", householdID: r.household_id))
            }
        }
        return out
    }
}

/// FNV-1a, 64 bits: a fingerprint of what an import will do, to see that a commit does what was reviewed.
struct Hasher64 {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ s: String) {
        for b in s.utf8 { value = (value ^ UInt64(b)) &* 0x100_0000_01b3 }
        value = (value ^ 0x0A) &* 0x100_0000_01b3
    }
    var hex: String { String(value, radix: 16) }
}
