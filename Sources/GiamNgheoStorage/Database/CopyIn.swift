import Foundation
import Logging
import NIOCore
import PostgresNIO
import SQLKit

/// Bulk rows into PostgreSQL through `COPY … FROM STDIN` (text format) on the connection of the current
/// transaction, so that they commit or roll back with everything else the caller writes. An import of a
/// province sends its households, people and audit lines this way instead of as multi-row INSERTs: the server
/// parses no statement and binds no parameter per row.
enum CopyIn {
    /// The PostgreSQL side of this database, or nil (SQLite: the caller inserts as before).
    static func postgres(_ sql: any SQLDatabase) -> (any PostgresDatabase)? {
        sql.dialect.name == "postgresql" ? sql as? any PostgresDatabase : nil
    }

    /// Streams the rows in pieces of about 1 MB. Each value is a String, Int, Bool, Double, Date or UUID, or nil
    /// (NULL), possibly wrapped in an Optional.
    static func rows(into table: String, columns: [String], _ rows: [[any Encodable & Sendable]],
                     on pg: any PostgresDatabase, logger: Logger = Logger(label: "giamngheo.copy")) async throws {
        try await lines(into: table, columns: columns, count: rows.count, on: pg, logger: logger) { i, buffer, lastTime in
            line(rows[i], to: &buffer, lastTime: &lastTime)
        }
    }

    /// Streams `count` rows in pieces of about 1 MB, row `i` written by `row` (its fields, without the newline).
    static func lines(into table: String, columns: [String], count: Int, on pg: any PostgresDatabase,
                      logger: Logger = Logger(label: "giamngheo.copy"),
                      _ row: @escaping @Sendable (Int, inout ByteBuffer, inout (Date, String)?) -> Void) async throws {
        guard count > 0 else { return }
        try await pg.withConnection { conn in
            pg.eventLoop.makeFutureWithTask {
                try await conn.copyFrom(table: table, columns: columns, logger: logger) { writer in
                    var buffer = ByteBuffer()
                    buffer.reserveCapacity(1 << 20)
                    var lastTime: (Date, String)? = nil   // a bulk write stamps its rows with one time
                    for i in 0..<count {
                        row(i, &buffer, &lastTime)
                        buffer.writeInteger(UInt8(ascii: "\n"))
                        if buffer.readableBytes >= 1 << 20 {
                            try await writer.write(buffer)
                            buffer.clear()
                        }
                    }
                    if buffer.readableBytes > 0 { try await writer.write(buffer) }
                }
            }
        }.get()
    }

    /// Fields in COPY's text format, tab-separated.
    static func line(_ values: [any Encodable & Sendable], to buffer: inout ByteBuffer, lastTime: inout (Date, String)?) {
        for (i, value) in values.enumerated() {
            if i > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
            append(value, to: &buffer, lastTime: &lastTime)
        }
    }

    /// The same, as bytes: for rows encoded ahead of their write, on every core (an import's households).
    static func text(_ values: [any Encodable & Sendable]) -> [UInt8] {
        var buffer = ByteBuffer()
        var lastTime: (Date, String)? = nil
        line(values, to: &buffer, lastTime: &lastTime)
        return Array(buffer.readableBytesView)
    }

    /// One field in COPY's text format: `\N` for NULL; backslash, tab, newline and carriage return escaped.
    static func append(_ value: Any, to buffer: inout ByteBuffer, lastTime: inout (Date, String)?) {
        // The concrete types first: a cast from `Any` sees through an Optional that holds a value, and asking every
        // value whether it conforms to `OptionalValue` cost a protocol lookup per field (5 % of an import's CPU).
        switch value {
        case let s as String: escaped(s, to: &buffer)
        case let n as Int: buffer.writeString(String(n))
        case let b as Bool: buffer.writeStaticString(b ? "t" : "f")
        case let d as Date:
            if let (t, text) = lastTime, t == d { buffer.writeString(text); break }
            let text = timestamp(d)
            lastTime = (d, text)
            buffer.writeString(text)
        case let n as Int64: buffer.writeString(String(n))
        case let n as Int32: buffer.writeString(String(n))
        case let d as Double: buffer.writeString(String(d))
        case let u as UUID: buffer.writeString(u.uuidString)
        default:
            if let o = value as? any OptionalValue {
                guard let wrapped = o.wrapped else { buffer.writeStaticString("\\N"); return }
                append(wrapped, to: &buffer, lastTime: &lastTime)
                return
            }
            escaped(String(describing: value), to: &buffer)
        }
    }

    static func escaped(_ s: String, to buffer: inout ByteBuffer) {
        var s = s
        s.withUTF8 { bytes in
            // Nothing to escape (almost always): the bytes as they are, in one copy.
            guard bytes.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) else {
                buffer.writeBytes(bytes); return
            }
            for b in bytes {
                switch b {
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
                case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
                case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
                default: buffer.writeInteger(b)
                }
            }
        }
    }

    /// `2026-12-03 13:00:00.123456+00`: what a timestamptz column reads, to the microsecond.
    static func timestamp(_ d: Date) -> String {
        let micros = Int64((d.timeIntervalSince1970 * 1_000_000).rounded())
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = micros - seconds * 1_000_000
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d.%06d+00", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(fraction))
    }
}

/// Lets `CopyIn` see through an Optional held as `Any`.
protocol OptionalValue { var wrapped: Any? { get } }
extension Optional: OptionalValue {
    var wrapped: Any? { self.map { $0 as Any } }
}
