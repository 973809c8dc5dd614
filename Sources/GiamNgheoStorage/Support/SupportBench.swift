import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

/// Data for `giamngheo bench support` on a generated province (issue 7): recognised lists for the two years
/// before and a ledger of supports at realistic density, each added once, in SQL (INSERT … SELECT).
public enum SupportBench {
    struct N: Decodable { var n: Int }
    static func count(_ sql: any SQLDatabase, _ q: String) async throws -> Int {
        try await sql.raw(SQLQueryString(q)).first(decoding: N.self)?.n ?? 0
    }

    /// Recognised lists of `year − 2` and `year − 1` as the demo's history (a tenth poor two years back and
    /// exited last year), when the registry has none; then per poor household a health-insurance card and a
    /// Tết gift this year, a loan for a third, and livelihood support last year for those poor two years back.
    /// Returns (history rows added, supports added).
    public static func prepare(on db: any Database, year: Int) async throws -> (history: Int, supports: Int) {
        let sql = db.sql
        var history = 0
        if try await count(sql, "SELECT COUNT(*) AS n FROM household_years WHERE recognised AND year = \(year - 1)") == 0 {
            for (back, day) in [(2, "\(year - 2)-12-10"), (1, "\(year - 1)-12-10")] {
                let decided = Date(timeIntervalSince1970: Double(CivilDate(day)!.dayNumber) * 86_400 + 43_200)
                try await sql.raw("""
                    INSERT INTO household_years (household_id, year, category, standard, recognised, source, decided_at, deprived)
                    SELECT id, \(bind: year - back),
                      CASE WHEN id % 10 = 3 AND category <> 'poor' AND \(bind: back) = 2 THEN 'poor'
                           WHEN id % 20 = 7 AND category = 'poor' THEN 'nearPoor' ELSE category END,
                      'vn-nd07-2022', \(bind: true), 'bench', \(bind: decided), deprived FROM households WHERE archived_reason IS NULL
                    """).run()
            }
            history = try await count(sql, "SELECT COUNT(*) AS n FROM household_years WHERE source = 'bench'")
        }
        guard try await count(sql, "SELECT COUNT(*) AS n FROM support_records") == 0 else { return (history, 0) }
        let now = Date()
        func add(_ policy: String, _ programme: String, _ form: String, _ amount: Int, _ day: String, _ source: String, _ listYear: Int, _ category: String,
                 extra: String = "") async throws {
            try await sql.raw("""
                INSERT INTO support_records (household_id, commune_code, village, policy_code, programme_code, form, amount, given_on, year, source,
                  eligible, eligibility_note, recorded_by, recorded_at)
                SELECT h.id, h.commune_code, h.village, \(bind: policy), \(bind: programme), \(bind: form), \(bind: Int64(amount)), \(bind: day),
                  \(bind: Int(day.prefix(4))!), \(bind: source), 1, 'Đúng đối tượng (dữ liệu đo hiệu năng)', 'bench', \(bind: now)
                FROM households h JOIN household_years y ON y.household_id = h.id AND y.year = \(bind: listYear) AND y.recognised AND y.category = \(bind: category)
                WHERE h.archived_reason IS NULL \(unsafeRaw: extra)
                """).run()
        }
        try await add("bhyt-ngheo", "CSXH", "kind", 0, "\(year)-01-15", "central", year - 1, "poor")
        try await add("bhyt-cannngheo", "CSXH", "kind", 0, "\(year)-01-15", "central", year - 1, "nearPoor")
        try await add("quatet", "QUYVNN", "kind", 500_000, "\(year)-01-25", "fund", year - 1, "poor")
        try await add("tindung-ngheo", "CSXH", "credit", 50_000_000, "\(year)-06-10", "credit", year - 1, "poor", extra: "AND h.id % 3 = 0")
        try await add("sinhke", "GNBV2125.DA3.TDA1", "kind", 8_000_000, "\(year - 1)-05-20", "central", year - 2, "poor", extra: "AND (h.id % 10 = 3 OR h.id % 4 = 1)")
        return (history, try await count(sql, "SELECT COUNT(*) AS n FROM support_records"))
    }

    /// A file's worth of supports for households of the province: `n` rows, a tenth for households the policy
    /// is not for (so the check explains them), as the staged import would read them.
    public static func importRows(on db: any Database, n: Int) async throws -> [(line: Int, values: [String: String])] {
        struct R: Decodable { var code: String; var category: String }
        let rows = try await db.sql.raw("SELECT code, category FROM households WHERE archived_reason IS NULL ORDER BY id LIMIT \(unsafeRaw: String(n * 5))")
            .all(decoding: R.self)
        let poor = rows.filter { $0.category == "poor" || $0.category == "nearPoor" }, others = rows.filter { $0.category == "notPoor" }
        var out: [(line: Int, values: [String: String])] = []
        for i in 0..<n {
            let ineligible = i % 10 == 9 || poor.isEmpty
            let h = ineligible ? others[i % max(others.count, 1)] : poor[i % poor.count]
            out.append((i + 2, ["household": h.code, "policy": "quatet", "amount": "300.000", "date": "20/10/2026", "source": "ngân sách địa phương",
                                "reason": ineligible ? "Hoàn cảnh đặc biệt khó khăn" : ""]))
        }
        return out
    }

    /// Removes what a bench import wrote, so the next run measures the same file against the same ledger.
    public static func remove(batch id: Int, on db: any Database) async throws {
        let sql = db.sql
        try await sql.delete(from: "support_records").where("batch_id", .equal, id).run()
        try await sql.delete(from: "audit_entries").where("field", .like, "Hỗ trợ (tệp #\(id),%").run()
        try await sql.delete(from: "support_batches").where("id", .equal, id).run()
    }
}
