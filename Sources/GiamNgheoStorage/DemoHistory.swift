import Fluent
import SQLKit

public enum DemoHistory {
    /// The villages the generated households live in, and two earlier review years so that history,
    /// "recently exited" and transitions have something to show. Earlier years follow the current category
    /// except for a deterministic tenth that was poor (now exited) and a twentieth that was near-poor
    /// (now newly poor). Demo data only: real history comes from the review or an import.
    public static func seed(_ db: any Database, year: Int) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("""
            INSERT INTO villages (commune_code, name, kind, archived)
            SELECT DISTINCT commune_code, village, CASE WHEN village LIKE 'Tổ%' THEN 'to' ELSE 'thon' END, \(bind: false)
            FROM households WHERE village IS NOT NULL
            """).run()
        for (back, standard) in [(1, "vn-nd07-2022"), (2, "vn-nd07-2022")] {
            try await sql.raw("""
                INSERT INTO household_years (household_id, year, category, standard, recognised, source)
                SELECT id, \(bind: year - back),
                  CASE WHEN id % 10 = 3 AND category <> 'poor' THEN 'poor'
                       WHEN id % 20 = 7 AND category = 'poor' THEN 'nearPoor'
                       ELSE category END,
                  \(bind: standard), \(bind: true), 'history' FROM households
                """).run()
        }
    }

}
