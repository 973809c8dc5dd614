import FluentSQLiteDriver
import Foundation
import SQLKit

/// SQLite's side of an import's bulk writes: rows as the driver's own values, encoded ahead on every core, and
/// handed to the connection many rows a statement with no SQL builder in between. Through SQLKit each value was
/// boxed, serialised into the statement and encoded again on the writing task (a third of an import's writes).
enum SQLiteRows {
    /// Rows a statement: under SQLite's 32,766 parameters at the widest table (27 columns).
    static let perStatement = 200

    /// The driver's values of a row, encoded as SQLKit encodes them (dates as seconds since 1970, booleans as 0/1).
    static func encode(_ values: [any Encodable & Sendable]) throws -> [SQLiteData] {
        let encoder = SQLiteDataEncoder()
        return try values.map { try value($0, encoder) }
    }

    /// One value: the column types an import writes by a concrete cast each, the encoder for anything else. The
    /// encoder tries a protocol conformance first and wraps an optional in an encoder object: 9 % of an import's CPU.
    /// A cast from an optional unwraps it; a nil of any optional type is SQL NULL, as the encoder gives.
    static func value(_ v: any Encodable & Sendable, _ encoder: SQLiteDataEncoder) throws -> SQLiteData {
        switch v {
        case let s as String: return .text(s)
        case let i as Int: return .integer(i)
        case let b as Bool: return .integer(b ? 1 : 0)
        case let d as Double: return .float(d)
        case let d as Date: return .float(d.timeIntervalSince1970)
        case let o as any OptionalValue where o.wrapped == nil: return .null
        default: return try encoder.encode(v)
        }
    }

    /// The connection under an SQL database, when it is SQLite's.
    static func connection(_ sql: any SQLDatabase) -> (any SQLiteDatabase)? { sql as? any SQLiteDatabase }

    /// The same, where only SQLite can be (PostgreSQL took its own path before).
    static func require(_ sql: any SQLDatabase) throws -> any SQLiteDatabase {
        guard let db = connection(sql) else { throw NotSQLite(dialect: sql.dialect.name) }
        return db
    }

    /// `rows` into `table`, `perStatement` at a time; every row has one value per column.
    static func insert(into table: String, columns: [String], _ rows: [[SQLiteData]], on db: any SQLiteDatabase) async throws {
        guard !rows.isEmpty else { return }
        // OR FAIL: a row that breaks a constraint stops the statement without undoing its earlier rows, so SQLite keeps
        // no statement journal (a copy of every page a statement touches first: the people's two random-order
        // indexes made it most of their write). The import's transaction is undone as a whole on any error.
        let head = "INSERT OR FAIL INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        let tuple = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        var text = ("", 0)   // the statement for a full batch, made once per call
        for start in stride(from: 0, to: rows.count, by: perStatement) {
            let part = rows[start..<min(start + perStatement, rows.count)]
            if text.1 != part.count { text = (head + Array(repeating: tuple, count: part.count).joined(separator: ", "), part.count) }
            var binds: [SQLiteData] = []
            binds.reserveCapacity(part.count * columns.count)
            for r in part {
                guard r.count == columns.count else { throw ImportError("Bảng \(table): \(r.count) giá trị cho \(columns.count) cột; không ghi gì.") }
                binds += r
            }
            _ = try await db.query(text.0, binds)
        }
    }

    /// A commit's pages stay in memory while it runs (`bulk`). With the default 2 MB cache an import's pages spilled
    /// into the WAL every few chunks and were read back for the next chunk's lookups. 256 MB at most, set back when
    /// the import ends (dirty pages are never dropped by a smaller cache: they go out with the commit either way).
    /// Nothing on PostgreSQL.
    static func pageCache(bulk: Bool, on sql: any SQLDatabase) async throws {
        guard let db = connection(sql) else { return }
        _ = try await db.query("PRAGMA cache_size = \(bulk ? -262_144 : -2_000)", [])
    }

    /// The largest id of a table (0 when empty). An import numbers its new rows from here: it holds SQLite's write
    /// lock for its whole transaction, so no other writer can take the same ids, and it need not read them back.
    static func lastID(of table: String, on db: any SQLiteDatabase) async throws -> Int {
        try await db.query("SELECT COALESCE(MAX(id), 0) FROM \(table)", []).first?.columns.first?.data.integer.map { Int($0) } ?? 0
    }
}

/// A path written for SQLite reached another database (a programming error, named rather than crashing).
struct NotSQLite: Error, CustomStringConvertible {
    var dialect: String
    var description: String { "Cơ sở dữ liệu \(dialect) không phải SQLite: thao tác này chỉ dành cho SQLite." }
}

/// Secondary indexes an import of an empty registry drops, and builds again before it commits: one sort per index
/// instead of a B-tree descent per row written. The import's own lookups (codes, national IDs, birth blocks, the
/// years' key) keep theirs. SQLite's DDL is transactional: if the import fails, the indexes are back as they were.
struct DeferredIndexes: Sendable {
    static let names = ["households_commune_sort", "households_commune_category", "households_sort", "households_category_sort",
                        "people_household", "audit_household", "household_years_year", "household_years_recognised"]
    /// Each dropped index's name and its own CREATE statement, as the schema holds it.
    var dropped: [(name: String, sql: String)] = []

    /// Drops them when the registry is empty (SQLite only); does nothing otherwise.
    static func dropIfEmpty(on sql: any SQLDatabase) async throws -> DeferredIndexes {
        guard let db = SQLiteRows.connection(sql) else { return DeferredIndexes() }
        guard try await db.query("SELECT 1 FROM households LIMIT 1", []).isEmpty else { return DeferredIndexes() }
        let list = names.map { "'\($0)'" }.joined(separator: ", ")
        let rows = try await db.query("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND name IN (\(list))", [])
        var out = DeferredIndexes()
        for r in rows {
            guard let name = r.column("name")?.string, let create = r.column("sql")?.string else { continue }
            _ = try await db.query("DROP INDEX \(name)", [])
            out.dropped.append((name, create))
        }
        return out
    }

    /// Builds every dropped index again, in the order they were read.
    func restore(on sql: any SQLDatabase) async throws {
        guard let db = SQLiteRows.connection(sql) else { return }
        for (_, create) in dropped { _ = try await db.query(create, []) }
    }
}
