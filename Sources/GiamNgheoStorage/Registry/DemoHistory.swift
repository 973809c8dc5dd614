import Fluent
import SQLKit

public enum DemoHistory {
    /// The villages the generated households live in, and two earlier review years so that history,
    /// "recently exited" and transitions have something to show. Earlier years follow the current category
    /// except for a deterministic tenth that was poor two years back (its exit recognised last year), a
    /// ninety-seventh that was poor last year (exited this year, so that this year's targets show progress) and
    /// a twentieth that was near-poor (now newly poor). Demo data only: real history comes from the review or an import.
    public static func seed(_ db: any Database, year: Int) async throws {
        let sql = db.sql
        try await sql.raw("""
            INSERT INTO villages (commune_code, name, kind, archived)
            SELECT DISTINCT commune_code, village, CASE WHEN village LIKE 'Tổ%' THEN 'to' ELSE 'thon' END, \(bind: false)
            FROM households WHERE village IS NOT NULL
            """).run()
        for (back, standard) in [(1, "vn-nd07-2022"), (2, "vn-nd07-2022")] {
            try await sql.raw("""
                INSERT INTO household_years (household_id, year, category, standard, recognised, source, deprived)
                SELECT id, \(bind: year - back),
                  CASE WHEN id % 10 = 3 AND category <> 'poor' AND \(bind: back) = 2 THEN 'poor'
                       WHEN id % 97 = 5 AND category <> 'poor' AND \(bind: back) = 1 THEN 'poor'
                       WHEN id % 20 = 7 AND category = 'poor' THEN 'nearPoor'
                       ELSE category END,
                  \(bind: standard), \(bind: true), 'history', deprived FROM households
                """).run()
        }
        // The story households (codes "…-S01"…) get a chosen history, so that each transition of §6.6
        // shows on a known household: (two years back, last year) per story.
        for (story, earlier, last) in storyHistory {
            for (back, category) in [(2, earlier), (1, last)] {
                try await sql.raw("""
                    UPDATE household_years SET category = \(bind: category)
                    WHERE year = \(bind: year - back) AND household_id IN (SELECT id FROM households WHERE code LIKE \(bind: "%-" + story))
                    """).run()
            }
        }
        struct C: Decodable { var commune_code: String }
        let communes = try await sql.raw("SELECT DISTINCT commune_code FROM households").all(decoding: C.self).map(\.commune_code)
        try await Summaries.rebuild(communes: communes, year: year, on: db)
    }

    /// Story → (category two years back, last year). With this year's categories from the generator's
    /// stories this gives: S01 re-poor, S02 exited poverty, S03 exited to near-poor, S04 re-near-poor,
    /// S05 newly poor, S06 exited near-poverty, S07 remained poor, S08 remained near-poor, S09 newly near-poor.
    public static let storyHistory: [(String, String, String)] = [
        ("S01", "poor", "nearPoor"), ("S02", "poor", "poor"), ("S03", "poor", "poor"), ("S04", "nearPoor", "notPoor"),
        ("S05", "notPoor", "notPoor"), ("S06", "nearPoor", "nearPoor"), ("S07", "poor", "poor"), ("S08", "nearPoor", "nearPoor"),
        ("S09", "notPoor", "notPoor"),
    ]

}

extension DemoHistory {
    /// A demo household as the support seeding reads it.
    public struct Household: Decodable, Sendable {
        public var id: Int, code: String, commune_code: String, category: String, head_name: String, facts: String
    }

    /// The commune's households in the registry, in id order (demo seeding only).
    public static func households(commune: String, on db: any Database) async throws -> [Household] {
        try await db.sql.raw("""
            SELECT id, code, commune_code, category, head_name, facts FROM households WHERE commune_code = \(bind: commune) AND archived_reason IS NULL ORDER BY id
            """).all(decoding: Household.self)
    }

    /// Every recognised year's category by household and year (demo seeding only).
    public static func recognisedYears(on db: any Database) async throws -> [Int: [Int: String]] {
        struct Y: Decodable { var household_id: Int; var year: Int; var category: String }
        var listed: [Int: [Int: String]] = [:]
        for y in try await db.sql.raw("SELECT household_id, year, category FROM household_years WHERE recognised").all(decoding: Y.self) {
            listed[y.household_id, default: [:]][y.year] = y.category
        }
        return listed
    }
}
