import Fluent
import Foundation
import GiamNgheoCore
import PostgresNIO
import SQLKit

/// The maintained report summaries: household and person counts per (year, commune, old commune, village,
/// standard, category, urban, minority, dimension, key) (issue 6 §3). Every change to a household adds and
/// subtracts its cells in the same transaction; bulk loads rebuild the communes they touched. Reports at
/// any level read these cells, never the households.
public enum Summaries {
    public static let table = "report_cells"
    static let keyColumns = ["year", "commune_code", "old_commune_code", "village", "standard", "category", "urban", "minority", "dim", "key"]

    /// One stored cell.
    public struct Cell: Decodable, Sendable, Hashable {
        public var year: Int
        public var commune_code: String
        public var old_commune_code: String
        public var village: String
        public var standard: String
        public var category: String
        public var urban: Bool
        public var minority: Bool
        public var dim: String
        public var key: String
        public var households: Int
        public var persons: Int
    }

    // MARK: - subjects: what the households contribute

    struct SubjectRow: Decodable {
        var id: Int
        var commune_code: String
        var old_commune_code: String?
        var village: String?
        var standard: String
        var category: String
        var archived_reason: String?
        var urban: Bool?
        var ethnic_minority_head: Bool
        var member_count: Int
        var deprived: String
        var causes: String?
        var traits: String?
    }
    struct HistoryRow: Decodable { var household_id: Int; var year: Int; var category: String; var standard: String; var deprived: String? }
    /// A household about to be written: its row holds the columns its subjects are counted from.
    static func subjectRow(_ r: HouseholdRecord, id: Int) -> SubjectRow {
        SubjectRow(id: id, commune_code: r.communeCode, old_commune_code: r.oldCommuneCode, village: r.village, standard: r.standard,
                   category: r.category, archived_reason: r.archivedReason, urban: r.urban, ethnic_minority_head: r.ethnicMinorityHead,
                   member_count: r.memberCount, deprived: r.deprived, causes: r.causes, traits: r.traits)
    }
    static let subjectColumns = ["id", "commune_code", "old_commune_code", "village", "standard", "category", "archived_reason",
                                 "urban", "ethnic_minority_head", "member_count", "deprived", "causes", "traits"]

    static func list(_ s: String?) -> [String] { (s ?? "").split(separator: ",").map(String.init) }

    /// The subjects of households selected by `filter` (their ids or their communes), with their earlier years.
    /// `provinces`: the households' provinces when the caller knows them, so that PostgreSQL reads their partitions only.
    public static func subjects(year: Int, ids: [Int]? = nil, communes: [String]? = nil, provinces: [String]? = nil,
                                on sql: any SQLDatabase) async throws -> [SummarySubject] {
        var q = sql.select().columns(subjectColumns.map { SQLColumn($0) }).from(HouseholdRecord.schema)
        if let ids { q = q.where("id", .in, ids) }
        if let provinces { q = q.where("province_code", .in, provinces) }
        if let communes { q = q.whereCommunes(communes) }
        let rows = try await q.all(decoding: SubjectRow.self)
        guard !rows.isEmpty else { return [] }
        var h = sql.select().columns(SQLColumn("household_id", table: "y"), SQLColumn("year", table: "y"), SQLColumn("category", table: "y"),
                                     SQLColumn("standard", table: "y"), SQLColumn("deprived", table: "y"))
            .from(SQLAlias(SQLIdentifier(HouseholdYear.schema), as: SQLIdentifier("y")))
            .where(SQLColumn("year", table: "y"), .lessThan, SQLBind(year))
        if let ids {
            h = h.where(SQLColumn("household_id", table: "y"), .in, SQLBind.group(ids))
        } else if let communes {
            h = h.join(SQLAlias(SQLIdentifier(HouseholdRecord.schema), as: SQLIdentifier("h")),
                       on: SQLColumn("id", table: "h"), .equal, SQLColumn("household_id", table: "y"))
                .whereCommunes(communes, table: "h")
        }
        var history: [Int: [Int: (category: String, standard: String, deprived: [String]?)]] = [:]
        for r in try await h.all(decoding: HistoryRow.self) {
            history[r.household_id, default: [:]][r.year] = (r.category, r.standard, r.deprived.map { list($0) })
        }
        var out: [SummarySubject] = []
        out.reserveCapacity(rows.count * 3)
        for r in rows { out += subjects(of: r, year: year, history: history[r.id] ?? [:]) }
        return out
    }

    /// One household's subjects from its stored columns.
    static func subjects(of r: SubjectRow, year: Int, history: [Int: (category: String, standard: String, deprived: [String]?)]) -> [SummarySubject] {
        let detail = ChildDeprivation.split(list(r.traits))
        var out = SummaryCells.subjects(
            year: year, commune: r.commune_code, oldCommune: r.old_commune_code ?? "", village: r.village ?? "",
            standard: r.standard, category: r.category, archived: r.archived_reason != nil, urban: r.urban ?? false,
            minority: r.ethnic_minority_head, persons: r.member_count, deprived: list(r.deprived), causes: list(r.causes),
            traits: detail.traits, ethnicity: detail.ethnicity, children: detail.children, history: history)
        for i in out.indices { out[i].household = r.id }
        return out
    }

    /// The subjects of one review year as the summaries count it, for readers that ask for any year: the summaries'
    /// latest year is the registry's live state and every earlier year comes from the recognised history, so the
    /// subjects are built as of the latest year and filtered. (Building them as of an earlier year would give that
    /// year the live category.) `latest`: `latestYear(on:)`, read once by the caller.
    public static func subjects(ofYear year: Int, latest: Int?, communes: [String], on sql: any SQLDatabase) async throws -> [SummarySubject] {
        try await subjects(year: max(year, latest ?? year), communes: communes, on: sql).filter { $0.year == year }
    }

    /// The latest year the summaries hold (the registry's current review year), nil when there are none.
    public static func latestYear(on db: any Database) async throws -> Int? {
        struct Y: Decodable { var year: Int? }
        return try await db.sql.raw("SELECT MAX(year) AS year FROM report_cells").first(decoding: Y.self)?.year
    }

    // MARK: - keeping them in step

    /// Runs `body` (a change to these households, inside the caller's transaction) and moves the households'
    /// cells from their state before to their state after: one read before, one after, one upsert.
    public static func tracking<T: Sendable>(_ ids: [Int], year: Int, provinces: [String]? = nil, on tx: any Database,
                                             _ body: () async throws -> T) async throws -> T {
        let sql = tx.sql
        let before = try await subjects(year: year, ids: ids, provinces: provinces, on: sql)
        let result = try await body()
        let after = try await subjects(year: year, ids: ids, provinces: provinces, on: sql)
        try await add(SummaryCells.tally(before.map { ($0, -1) } + after.map { ($0, 1) }), on: sql)
        return result
    }

    /// Adds the cells of households just inserted.
    public static func added(_ ids: [Int], year: Int, on tx: any Database) async throws {
        let sql = tx.sql
        try await add(SummaryCells.tally(try await subjects(year: year, ids: ids, on: sql).map { ($0, 1) }), on: sql)
    }

    /// Adds deltas to cells (an upsert both SQLite and PostgreSQL understand), a few hundred rows per statement.
    /// `inTransaction`: `sql` is a transaction's (one connection), so PostgreSQL may COPY many cells into a table of it.
    static func add(_ deltas: [SummaryKey: (households: Int, persons: Int)], on sql: any SQLDatabase, inTransaction: Bool = false) async throws {
        let items = deltas.sorted { $0.key < $1.key }
        if inTransaction, items.count > 3_000, let pg = CopyIn.postgres(sql) { return try await addByCopy(items, on: sql, pg) }
        for part in items.chunks(of: 300) {
            var values: [SQLQueryString] = []
            for (k, v) in part {
                values.append("(\(bind: Partitions.province(ofCommune: k.commune)), \(bind: k.year), \(bind: k.commune), \(bind: k.oldCommune), \(bind: k.village), \(bind: k.standard), \(bind: k.category), \(bind: k.urban), \(bind: k.minority), \(bind: k.dim.rawValue), \(bind: k.key), \(bind: v.households), \(bind: v.persons))")
            }
            try await sql.raw("""
                INSERT INTO report_cells (province_code, year, commune_code, old_commune_code, village, standard, category, urban, minority, dim, key, households, persons)
                VALUES \(values.joined(separator: ", "))
                ON CONFLICT (province_code, year, commune_code, old_commune_code, village, standard, category, urban, minority, dim, key)
                DO UPDATE SET households = report_cells.households + excluded.households, persons = report_cells.persons + excluded.persons
                """).run()
        }
    }

    /// PostgreSQL, an import's many cells: COPY into a table of the transaction, then one upsert that takes the
    /// rows in the same order as `add` (`n`), so that it never locks two cells in the opposite order to a save.
    /// Hundreds of multi-row INSERTs of 13 parameters a row took 4.5 s of a 100,000-household import.
    static func addByCopy(_ items: [(key: SummaryKey, value: (households: Int, persons: Int))], on sql: any SQLDatabase,
                          _ pg: any PostgresDatabase) async throws {
        let columns = ["province_code", "year", "commune_code", "old_commune_code", "village", "standard", "category", "urban",
                       "minority", "dim", "key", "households", "persons"]
        let list = columns.joined(separator: ", ")
        try await sql.raw("""
            CREATE TEMP TABLE IF NOT EXISTS summary_deltas ON COMMIT DROP AS
            SELECT 0::bigint AS n, \(unsafeRaw: list) FROM report_cells WITH NO DATA
            """).run()
        try await sql.raw("TRUNCATE summary_deltas").run()
        let rows: [[any Encodable & Sendable]] = items.enumerated().map { n, item in
            let k = item.key
            return [n, Partitions.province(ofCommune: k.commune), k.year, k.commune, k.oldCommune, k.village, k.standard, k.category,
                    k.urban, k.minority, k.dim.rawValue, k.key, item.value.households, item.value.persons]
        }
        try await CopyIn.rows(into: "summary_deltas", columns: ["n"] + columns, rows, on: pg)
        try await sql.raw("""
            INSERT INTO report_cells (\(unsafeRaw: list)) SELECT \(unsafeRaw: list) FROM summary_deltas ORDER BY n
            ON CONFLICT (\(unsafeRaw: columns.dropLast(2).joined(separator: ", ")))
            DO UPDATE SET households = report_cells.households + excluded.households, persons = report_cells.persons + excluded.persons
            """).run()
    }

    /// Recomputes the cells of some communes (every year) from their households: after a bulk load.
    public static func rebuild(communes: [String], year: Int, on db: any Database) async throws {
        guard !communes.isEmpty else { return }
        let sql = db.sql
        // A few communes at a time: a province's rebuild stays within a few hundred MB.
        for chunk in communes.sorted().chunks(of: 4) {
            try await sql.delete(from: table).whereCommunes(chunk).run()
            let subjects = try await subjects(year: year, communes: chunk, on: sql)
            try await add(SummaryCells.tally(subjects.map { ($0, 1) }), on: sql)
        }
    }

    /// Every commune that has households or cells, rebuilt.
    public static func rebuildAll(year: Int, on db: any Database) async throws {
        try await rebuild(communes: try await allCommunes(on: db), year: year, on: db)
    }

    static func allCommunes(on db: any Database) async throws -> [String] {
        struct C: Decodable { var commune_code: String }
        let sql = db.sql
        return Set(try await sql.raw("SELECT DISTINCT commune_code FROM households").all(decoding: C.self).map(\.commune_code)
            + (try await sql.raw("SELECT DISTINCT commune_code FROM report_cells").all(decoding: C.self).map(\.commune_code))).sorted()
    }

    /// Differences between the maintained cells and a fresh count from the households (empty when consistent),
    /// one line per differing cell: "year commune/village category dim=key: kept → recomputed".
    public static func verify(year: Int, on db: any Database) async throws -> [String] {
        let sql = db.sql
        let communes = try await allCommunes(on: db)
        var out: [String] = []
        for chunk in communes.sorted().chunks(of: 20) {
            let fresh = SummaryCells.tally(try await subjects(year: year, communes: chunk, on: sql).map { ($0, 1) })
            var kept: [SummaryKey: (households: Int, persons: Int)] = [:]
            for c in try await sql.select().columns(["*"]).from(table).whereCommunes(chunk).all(decoding: Cell.self)
            where c.households != 0 || c.persons != 0 {
                guard let dim = SummaryDimension(rawValue: c.dim) else { out.append("ô lạ: \(c.dim)"); continue }
                kept[SummaryKey(year: c.year, commune: c.commune_code, oldCommune: c.old_commune_code, village: c.village, standard: c.standard,
                                category: c.category, urban: c.urban, minority: c.minority, dim: dim, key: c.key)] = (c.households, c.persons)
            }
            for k in Set(fresh.keys).union(kept.keys).sorted() {
                let a = kept[k] ?? (0, 0), b = fresh[k] ?? (0, 0)
                if a != b {
                    out.append("\(k.year) \(k.commune)/\(k.village) \(k.category) \(k.dim.rawValue)=\(k.key): \(a.households) hộ, \(a.persons) người → \(b.households) hộ, \(b.persons) người")
                }
            }
        }
        return out
    }

    // MARK: - reading

    /// A cell's columns as read, in order.
    static let cellColumns = ["year", "commune_code", "old_commune_code", "village", "standard", "category", "urban", "minority",
                              "dim", "key", "households", "persons"]

    /// The cells of some communes in a year: their commune totals, or one commune's villages.
    /// `oldCommunes: false` sums old communes and standards away in SQL. Measured on a province of 1 M
    /// households: it pays for the communes' totals (decoding a third of the rows costs more than the GROUP BY)
    /// and not for one commune's villages (the GROUP BY's sort costs more than the rows it saves).
    /// `categories`: only these categories' cells, but every `all` cell (a unit's row stays when it has none of them);
    /// applied only when `dims` reads the `all` cells.
    public static func cells(year: Int, communes: [String], villages: Bool, dims: [SummaryDimension]? = nil,
                             categories: [String]? = nil, oldCommunes: Bool = true, on db: any Database) async throws -> [Cell] {
        guard !communes.isEmpty else { return [] }
        let sql = db.sql
        let keys = ["year", "commune_code", "village", "category", "urban", "minority", "dim", "key"]
        var out: [Cell] = []
        for chunk in communes.sorted().chunks(of: 500) {
            // The same columns in the same order either way (read by position below); without the old communes,
            // summed over them.
            var q = sql.select()
            if oldCommunes {
                q = q.columns(Self.cellColumns)
            } else {
                q = q.columns(["year", "commune_code"]).column(SQLRaw("CAST('' AS TEXT)"), as: "old_commune_code").column("village")
                    .column(SQLRaw("MIN(standard)"), as: "standard").columns(["category", "urban", "minority", "dim", "key"])
                    .column(SQLRaw("CAST(SUM(households) AS BIGINT)"), as: "households").column(SQLRaw("CAST(SUM(persons) AS BIGINT)"), as: "persons")
            }
            q = q.from(table).where("year", .equal, year).whereCommunes(chunk)
            q = villages ? q.where("village", .notEqual, SummaryKey.communeTotal) : q.where("village", .equal, SummaryKey.communeTotal)
            if let dims { q = q.where("dim", .in, dims.map(\.rawValue)) }
            if let categories, dims?.contains(.all) ?? true {
                q = q.where(group: { $0.where("dim", .equal, SummaryDimension.all.rawValue).orWhere("category", .in, categories) })
            }
            if !oldCommunes { for c in keys { q = q.groupBy(c) } }
            // By position, in the order of the columns above (tens of thousands of cells at a province).
            out += try await PlainRows.all(q.query, columns: Self.cellColumns, on: sql) { r in
                Cell(year: try r.int(0), commune_code: try r.string(1), old_commune_code: try r.string(2), village: try r.string(3),
                     standard: try r.string(4), category: try r.string(5), urban: try r.bool(6), minority: try r.bool(7),
                     dim: try r.string(8), key: try r.string(9), households: try r.int(10), persons: try r.int(11))
            }
        }
        return out
    }

    /// The standard most of a year's households were classified under.
    public static func standard(year: Int, on db: any Database) async throws -> String? {
        struct R: Decodable { var standard: String; var n: Int }
        return try await db.sql.raw("""
            SELECT standard, CAST(SUM(households) AS BIGINT) AS n FROM report_cells WHERE year = \(bind: year) AND dim = 'all'
            AND village = \(bind: SummaryKey.communeTotal) GROUP BY standard ORDER BY n DESC
            """).all(decoding: R.self).first?.standard
    }

    /// The years that have cells.
    public static func years(on db: any Database) async throws -> [Int] {
        struct Y: Decodable { var year: Int }
        // A skip scan over the (year, …) index: one probe per year. DISTINCT read every cell (76 ms per report page
        // at 1 M households on PostgreSQL, measured by `bench season`).
        return try await db.sql.raw("""
            WITH RECURSIVE y(year) AS (
              SELECT min(year) FROM report_cells
              UNION ALL
              SELECT (SELECT min(r.year) FROM report_cells r WHERE r.year > y.year) FROM y WHERE y.year IS NOT NULL)
            SELECT year FROM y WHERE year IS NOT NULL ORDER BY year
            """).all(decoding: Y.self).map(\.year)
    }

    public struct Row: Decodable, Sendable {
        public var key: String
        public var category: String
        public var households: Int
    }

    /// Households by commune (or by village within one commune) and category this year, within the scope.
    public static func counts(_ scope: Scope, commune: String?, year: Int, on db: any Database) async throws -> [Row] {
        if let commune {
            guard scope.allows(commune: commune) else { throw AccessError.forbidden }
        }
        let sql = db.sql
        var q = sql.select().column(SQLColumn(commune == nil ? "commune_code" : "village"), as: "key").column("category")
            .column(SQLRaw("CAST(SUM(households) AS BIGINT)"), as: "households")
            .from(table).where("year", .equal, year).where("dim", .equal, SummaryDimension.all.rawValue)
        if let commune {
            q = q.whereCommunes([commune]).where("village", .notEqual, SummaryKey.communeTotal)
                .groupBy("village").groupBy("category")
        } else {
            q = q.where("village", .equal, SummaryKey.communeTotal)
            if let communes = scope.communes {
                guard !communes.isEmpty else { return [] }
                q = q.whereCommunes(communes)
            }
            q = q.groupBy("commune_code").groupBy("category")
        }
        return try await q.all(decoding: Row.self)
    }
}
