import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

/// One person who seems to be registered in two households.
public struct RegistryDuplicate: Sendable, Equatable {
    public var kind: String          // "id", "certain", "possible"
    public var score: Double
    public var first: (code: String, name: String)
    public var second: (code: String, name: String)
    public var detail: String
    public static func == (a: Self, b: Self) -> Bool {
        a.kind == b.kind && a.first.code == b.first.code && a.second.code == b.second.code && a.first.name == b.first.name && a.second.name == b.second.name
    }
}

/// Duplicates already in the registry (`giamngheo dedup`): the same national ID in two households, and
/// people with the same birth in the same village whose folded names score above the "possible" threshold.
/// Reads the person index in (commune, birth) order, one block at a time. A person is stored in their household's
/// province (`Partitions`), and every join says so: on PostgreSQL each household is then probed in one partition
/// rather than in all 35.
public enum RegistryDuplicates {
    public static func scan(_ scope: Scope, thresholds: DuplicateThresholds, on db: any Database) async throws -> [RegistryDuplicate] {
        let sql = db.sql
        var out: [RegistryDuplicate] = []
        struct IDRow: Decodable { var national_id: String; var code: String; var name_key: String; var commune_code: String }
        let idRows = try await sql.raw("""
            SELECT p.national_id, h.code, p.name_key, p.commune_code FROM household_people p
            JOIN households h ON h.id = p.household_id AND h.province_code = p.province_code
            WHERE h.archived_reason IS NULL AND p.national_id IN (
              SELECT p2.national_id FROM household_people p2 JOIN households h2 ON h2.id = p2.household_id AND h2.province_code = p2.province_code
              WHERE h2.archived_reason IS NULL AND p2.national_id IS NOT NULL
              GROUP BY p2.national_id HAVING COUNT(DISTINCT p2.household_id) > 1)
            ORDER BY p.national_id, h.code
            """).all(decoding: IDRow.self)
        var byID: [String: [IDRow]] = [:]
        for r in idRows where scope.allows(commune: r.commune_code) { byID[r.national_id, default: []].append(r) }
        for (nid, rows) in byID.sorted(by: { $0.key < $1.key }) where rows.count > 1 {
            for other in rows.dropFirst() {
                out.append(RegistryDuplicate(kind: "id", score: 1, first: (rows[0].code, rows[0].name_key), second: (other.code, other.name_key),
                                             detail: "cùng số định danh \(Format.maskedID(nid))"))
            }
        }
        struct P: Decodable { var household_id: Int; var code: String; var name_key: String; var birth: String; var commune_code: String; var village: String }
        let communes: [String]
        if let c = scope.communes { communes = c.sorted() } else {
            struct C: Decodable { var commune_code: String }
            communes = try await sql.raw("SELECT DISTINCT commune_code FROM household_people").all(decoding: C.self).map(\.commune_code).sorted()
        }
        for commune in communes {
            let rows = try await people(of: commune, on: sql).all(decoding: P.self)
            var i = 0
            while i < rows.count {
                var j = i
                while j < rows.count && rows[j].birth == rows[i].birth && rows[j].village == rows[i].village { j += 1 }
                if j - i > 1 {
                    for a in i..<j {
                        for b in (a + 1)..<j where rows[a].household_id != rows[b].household_id {
                            let s = NameSimilarity.score(rows[a].name_key, rows[b].name_key)
                            let v = thresholds.verdict(s)
                            guard v != .different else { continue }
                            out.append(RegistryDuplicate(kind: v.rawValue, score: s, first: (rows[a].code, rows[a].name_key),
                                                         second: (rows[b].code, rows[b].name_key), detail: "cùng năm/ngày sinh \(rows[a].birth), cùng thôn"))
                        }
                    }
                }
                i = j
            }
        }
        return out
    }

    /// A commune's registered people with a birth, in (birth, village) blocks, read from its province's partition
    /// only (`QueryPlanTests` checks the plan).
    static func people(of commune: String, on sql: any SQLDatabase) -> SQLRawBuilder {
        sql.raw("""
            SELECT p.household_id, h.code, p.name_key, p.birth, p.commune_code, p.village FROM household_people p
            JOIN households h ON h.id = p.household_id AND h.province_code = p.province_code
            WHERE h.archived_reason IS NULL AND p.province_code = \(bind: Partitions.province(ofCommune: commune))
              AND p.commune_code = \(bind: commune) AND p.birth IS NOT NULL
            ORDER BY p.birth, p.village
            """)
    }
}
