import Fluent
import SQLKit

/// The SQL plumbing, named once: every driver the app uses (SQLite, PostgreSQL) is an SQL database.
extension Database {
    /// This database as SQLKit sees it, for bulk work and reports (never per-row ORM calls).
    public var sql: any SQLDatabase { self as! any SQLDatabase }
}

extension Array {
    /// Pieces of at most `size` elements, in order: keeps `IN (…)` lists and multi-row inserts under
    /// the bind limits of both drivers (SQLite 32,766, PostgreSQL 65,535).
    public func chunks(of size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}

/// Column names used by many queries, declared once.
public enum Column {
    public static let communeCode = "commune_code"
    public static let householdID = "household_id"
    public static let archivedReason = "archived_reason"
}

extension SQLDatabase {
    /// `column IN (…)`, one bind per value, on SQLite; `column = ANY($n)`, one array bind, on PostgreSQL, so that
    /// a statement's text, binds and parsing stay the same size however long the list (an import's chunk of 2,000).
    func member<T: Encodable & Sendable>(_ column: String, of values: [T]) -> SQLQueryString {
        dialect.name == "postgresql" ? "\(unsafeRaw: column) = ANY(\(bind: values))" : "\(unsafeRaw: column) IN (\(binds: values))"
    }

    /// How many values one `member` list takes: 500 binds on SQLite, like the other `IN` lists here; on PostgreSQL
    /// the list is one bind, and 50,000 only bounds a statement's size.
    var memberLimit: Int { dialect.name == "postgresql" ? 50_000 : 500 }
}
