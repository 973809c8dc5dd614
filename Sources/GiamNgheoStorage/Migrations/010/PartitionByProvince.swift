import Fluent
import SQLKit

/// 010: households, their people, the summary cells and the audit trail carry their province (`Partitions`).
/// - Both databases: the column, filled from the commune (the audit trail from its household).
/// - PostgreSQL: each table is rebuilt as LIST-partitioned by it, one partition per province and a default one,
///   so that a province's pages read its partition only and the nation's registry is 34 tables of one province's
///   size. A primary key or unique index of a partitioned table must contain the partition key: ids stay unique
///   through their sequence (the key is (id, province)), a household's code is unique within its province (the
///   writers check codes across the nation before writing, as before), and a summary cell's key gains the province.
/// - SQLite keeps its tables; the cells gain the same unique key so that one upsert serves both.
public struct PartitionByProvince: AsyncMigration {
    public init() {}

    struct Table { var name: String; var fromCommune: Bool; var id: Bool; var uniques: [(String, [String])] }
    static let cellKey = ["province_code"] + Summaries.keyColumns
    static let tables = [
        Table(name: HouseholdRecord.schema, fromCommune: true, id: true, uniques: [("households_code", ["code", "province_code"])]),
        Table(name: People.table, fromCommune: true, id: false, uniques: []),
        Table(name: Summaries.table, fromCommune: true, id: false, uniques: [("report_cells_key", cellKey)]),
        Table(name: AuditEntry.schema, fromCommune: false, id: true, uniques: []),
    ]

    public func prepare(on db: any Database) async throws {
        try await db.transaction { tx in
            let sql = tx.sql
            for t in Self.tables { try await sql.raw("ALTER TABLE \(ident: t.name) ADD COLUMN province_code TEXT").run() }
            try await Self.fill(on: sql)
            guard sql.dialect.name == "postgresql" else {
                try await sql.raw("CREATE UNIQUE INDEX report_cells_key ON report_cells (\(unsafeRaw: Self.cellKey.joined(separator: ", ")))").run()
                return
            }
            for t in Self.tables { try await Self.partition(t, on: sql) }
        }
    }

    /// The province of every row: households, people and cells from their commune, audit lines from their household.
    static func fill(on sql: any SQLDatabase) async throws {
        try await sql.raw("CREATE TABLE partition_communes (commune_code TEXT PRIMARY KEY, province_code TEXT NOT NULL)").run()
        let pairs = Partitions.byCommune.sorted { $0.key < $1.key }
        for part in pairs.chunks(of: 400) {
            var q = sql.insert(into: "partition_communes").columns("commune_code", "province_code")
            for (c, p) in part { q = q.values(SQLBind(c), SQLBind(p)) }
            try await q.run()
        }
        for t in tables where t.fromCommune {
            try await sql.raw("""
                UPDATE \(ident: t.name) SET province_code = COALESCE((SELECT m.province_code FROM partition_communes m
                WHERE m.commune_code = \(ident: t.name).commune_code), \(bind: Partitions.none))
                """).run()
        }
        try await sql.raw("""
            UPDATE audit_entries SET province_code = COALESCE((SELECT h.province_code FROM households h
            WHERE h.id = audit_entries.household_id), \(bind: Partitions.none))
            """).run()
        try await sql.raw("DROP TABLE partition_communes").run()
    }

    /// PostgreSQL: the table rebuilt as partitioned, with its rows, its own indexes, a sequence for its ids and
    /// unique keys that include the province.
    static func partition(_ t: Table, on sql: any SQLDatabase) async throws {
        struct Index: Decodable { var def: String }
        // The table's indexes other than its constraints' (the primary key, Fluent's unique keys): re-created on
        // the partitioned table, which passes each down to its partitions.
        let indexes = try await sql.raw("""
            SELECT pg_get_indexdef(x.indexrelid) AS def FROM pg_index x
            WHERE x.indrelid = to_regclass(\(bind: t.name))
            AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            """).all(decoding: Index.self)
        let old = t.name + "_unpartitioned"
        try await sql.raw("ALTER TABLE \(ident: t.name) RENAME TO \(ident: old)").run()
        try await sql.raw("CREATE TABLE \(ident: t.name) (LIKE \(ident: old) INCLUDING DEFAULTS) PARTITION BY LIST (province_code)").run()
        try await sql.raw("ALTER TABLE \(ident: t.name) ALTER COLUMN province_code SET DEFAULT ''").run()
        try await sql.raw("ALTER TABLE \(ident: t.name) ALTER COLUMN province_code SET NOT NULL").run()
        for p in Partitions.provinces {
            try await sql.raw("CREATE TABLE \(ident: "\(t.name)_p\(p)") PARTITION OF \(ident: t.name) FOR VALUES IN (\(literal: p))").run()
        }
        try await sql.raw("CREATE TABLE \(ident: "\(t.name)_other") PARTITION OF \(ident: t.name) DEFAULT").run()
        try await sql.raw("INSERT INTO \(ident: t.name) SELECT * FROM \(ident: old)").run()
        try await sql.raw("DROP TABLE \(ident: old)").run()
        if t.id {
            let seq = t.name + "_id_seq"
            try await sql.raw("CREATE SEQUENCE \(ident: seq) OWNED BY \(ident: t.name).id").run()
            try await sql.raw("SELECT setval(\(literal: seq), COALESCE((SELECT max(id) FROM \(ident: t.name)), 0) + 1, false)").run()
            try await sql.raw("ALTER TABLE \(ident: t.name) ALTER COLUMN id SET DEFAULT nextval(\(literal: seq))").run()
            try await sql.raw("ALTER TABLE \(ident: t.name) ADD PRIMARY KEY (id, province_code)").run()
        }
        for (name, columns) in t.uniques {
            try await sql.raw("CREATE UNIQUE INDEX \(ident: name) ON \(ident: t.name) (\(unsafeRaw: columns.joined(separator: ", ")))").run()
        }
        for i in indexes { try await sql.raw("\(unsafeRaw: i.def)").run() }
    }

    /// Not reverted: the partitioned tables hold the same rows and serve every earlier version's queries.
    public func revert(on db: any Database) async throws {}
}
