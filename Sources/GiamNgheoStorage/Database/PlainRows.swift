import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import GiamNgheoCore
import SQLKit

/// A query's row read by position straight from the driver, for reads of many small rows (a report's cells): SQLKit
/// decodes a row through Codable's keyed containers, looking each column up by name, which was 40 % of a report
/// table's time at a province of 200,000 households.
struct PlainRow {
    private enum Storage { case json([JSONText.Value]), postgres(PostgresRandomAccessRow) }
    private let storage: Storage
    private let columns: [String]

    init(json values: [JSONText.Value], columns: [String]) { storage = .json(values); self.columns = columns }
    init(_ row: PostgresRow, columns: [String]) { storage = .postgres(row.makeRandomAccess()); self.columns = columns }

    func int(_ i: Int) throws -> Int {
        switch storage {
        case .json(let v): guard i < v.count, let x = v[i].int else { throw unreadable(i, "int") }; return x
        case .postgres(let r): return try r[i].decode(Int.self)
        }
    }

    func string(_ i: Int) throws -> String {
        switch storage {
        case .json(let v): guard i < v.count, let x = v[i].string else { throw unreadable(i, "text") }; return x
        case .postgres(let r): return try r[i].decode(String.self)
        }
    }

    /// NULL as nil.
    func optionalString(_ i: Int) throws -> String? { try optional(i, "text", \.string) { try $0.decode(String?.self) } }

    func optionalInt(_ i: Int) throws -> Int? { try optional(i, "int", \.int) { try $0.decode(Int?.self) } }

    private func optional<T>(_ i: Int, _ type: String, _ json: (JSONText.Value) -> T?, _ pg: (PostgresCell) throws -> T?) throws -> T? {
        switch storage {
        case .json(let v):
            guard i < v.count else { throw unreadable(i, type) }
            if case .null = v[i] { return nil }
            guard let x = json(v[i]) else { throw unreadable(i, type) }
            return x
        case .postgres(let r): return try pg(r[i])
        }
    }

    /// SQLite keeps booleans as 0 and 1.
    func optionalBool(_ i: Int) throws -> Bool? {
        try optional(i, "bool", { v in v.bool ?? v.int.flatMap { $0 == 0 ? false : $0 == 1 ? true : nil } }) { try $0.decode(Bool?.self) }
    }

    func bool(_ i: Int) throws -> Bool {
        guard let b = try optionalBool(i) else { throw unreadable(i, "bool") }
        return b
    }

    /// SQLite keeps dates as seconds since 1970 (Fluent's encoding) or as text (`CURRENT_TIMESTAMP`, ISO 8601): read
    /// as its driver reads them.
    func optionalDate(_ i: Int) throws -> Date? {
        switch storage {
        case .json(let v):
            guard i < v.count else { throw unreadable(i, "date") }
            let data: SQLiteData
            switch v[i] {
            case .null: return nil
            case .int(let n): data = .integer(n)
            case .double(let d): data = .float(d)
            case .string(let s): data = .text(s)
            default: throw unreadable(i, "date")
            }
            guard let d = Date(sqliteData: data) else { throw unreadable(i, "date") }
            return d
        case .postgres(let r): return try r[i].decode(Date?.self)
        }
    }

    func date(_ i: Int) throws -> Date {
        guard let d = try optionalDate(i) else { throw unreadable(i, "date") }
        return d
    }

    private func unreadable(_ i: Int, _ type: String) -> any Error {
        UnreadableColumn(column: i < columns.count ? columns[i] : "#\(i)", type: type)
    }
}

/// A stored value that is not of the type its column should hold (a file edited by hand).
struct UnreadableColumn: Error, CustomStringConvertible {
    var column: String
    var type: String
    var description: String { "Cột \(column) trong cơ sở dữ liệu không đọc được thành \(type)." }
}

enum PlainRows {
    /// The rows of `query` (SQLKit builds and binds it), each turned into a value by `read`, in the order returned.
    /// `columns`: the names of the query's columns, in order (aliases where they are expressions).
    ///
    /// SQLite's driver hands each row to the event loop on its own (a task and a wake-up per row: a third of a report
    /// table's time), so there the rows come back as one JSON array built by SQLite and read here in one pass.
    /// `order`: the query's ORDER BY over its result columns (`"sort_key, id"`), when the order matters. SQLite's
    /// aggregate does not promise to keep the order of the rows it is fed, so there it sorts them itself.
    static func all<T>(_ query: any SQLExpression, columns: [String], order: String? = nil, on sql: any SQLDatabase,
                       _ read: (PlainRow) throws -> T) async throws -> [T] {
        let (text, binds) = sql.serialize(query)
        if let pg = CopyIn.postgres(sql) {
            let encoder = PostgresDataEncoder()
            let result = try await pg.query(text, try binds.map { try encoder.encode($0) }).get()
            return try result.rows.map { try read(PlainRow($0, columns: columns)) }
        }
        let wrapped = "SELECT json_group_array(json_array(\(columns.map { "\"\($0)\"" }.joined(separator: ", ")))\(order.map { " ORDER BY \($0)" } ?? "")) FROM (\(text))"
        let rows = try await SQLiteRows.require(sql).query(wrapped, try SQLiteRows.encode(binds))
        guard let json = rows.first?.columns.first?.data.string, let all = JSONText.parse(json)?.array else {
            throw UnreadableColumn(column: columns.joined(separator: ", "), type: "JSON")
        }
        return try all.map { row in try read(PlainRow(json: row.array ?? [], columns: columns)) }
    }
}
