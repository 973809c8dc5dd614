import Fluent
import FluentSQLiteDriver
import Foundation
@testable import GiamNgheoStorage
import NIOCore
import SQLKit
import Testing

/// COPY's text format as the import writes it (issue 19 §2): every value comes back as it went in.
@Suite struct CopyInTests {
    @Test func fieldsAreEscapedAndNullsMarked() {
        func text(_ v: any Encodable & Sendable) -> String {
            var b = ByteBuffer()
            var last: (Date, String)? = nil
            CopyIn.append(v, to: &b, lastTime: &last)
            return b.readString(length: b.readableBytes)!
        }
        #expect(text("Nguyễn Văn A") == "Nguyễn Văn A")
        #expect(text("a\tb\nc\\d\re") == "a\\tb\\nc\\\\d\\re")
        #expect(text(nil as String?) == "\\N")
        #expect(text(Optional("x")) == "x")
        #expect(text(42) == "42" && text(true) == "t" && text(false) == "f")
        // Optionals of every type the rows hold: a value is written as itself, nil as NULL.
        #expect(text(Optional(5)) == "5" && text(nil as Int?) == "\\N" && text(Optional(false)) == "f" && text(nil as Bool?) == "\\N")
        #expect(text(Optional(Optional("y"))) == "y" && text(Optional(nil as String?)) == "\\N" && text(nil as Date?) == "\\N")
        #expect(text(Date(timeIntervalSince1970: 1_764_766_800.25)) == "2025-12-03 13:00:00.250000+00")
        #expect(CopyIn.timestamp(Date(timeIntervalSince1970: -0.5)) == "1969-12-31 23:59:59.500000+00")
    }

    /// SQLite's side: the import's cast per type gives what the driver's encoder gives, for every type a row holds.
    @Test func sqliteValuesAreTheEncodersOwn() throws {
        let encoder = SQLiteDataEncoder()
        let values: [any Encodable & Sendable] = [
            "Nguyễn Văn A", "", 42, -1, true, false, 2.5, Date(timeIntervalSince1970: 1_764_766_800.25),
            Optional("x"), nil as String?, Optional(5), nil as Int?, Optional(false), nil as Bool?, nil as Date?,
            Optional(Date(timeIntervalSince1970: 0)), Optional(Optional("y")), Optional(nil as String?), nil as Double?,
            Int32(7), ["a", "b"],
        ]
        for v in values { #expect(try SQLiteRows.value(v, encoder) == encoder.encode(v), "\(v)") }
    }

    @Test func rowsRoundTripThroughPostgreSQL() async throws {
        try await withRegistry(households: 1) { r in
            guard let pg = CopyIn.postgres(r.db.sql) else {
                #expect(r.db.sql.dialect.name == "sqlite")   // SQLite: the importer's INSERT path, tested elsewhere
                return
            }
            let values: [[any Encodable & Sendable]] = [
                ["Trần Thị \\ Hoa\tthôn 1\nxã 2", 7, true, nil as String?, Date(timeIntervalSince1970: 1_764_766_800.5)],
                ["", -1, false, "Đắk Lắk", Date(timeIntervalSince1970: 0)],
            ]
            try await r.db.transaction { tx in
                try await tx.sql.raw("CREATE TEMP TABLE copy_check (t TEXT, n BIGINT, b BOOLEAN, o TEXT, at TIMESTAMPTZ) ON COMMIT DROP").run()
                try await CopyIn.rows(into: "copy_check", columns: ["t", "n", "b", "o", "at"], values, on: CopyIn.postgres(tx.sql)!)
                struct Row: Decodable { var t: String; var n: Int; var b: Bool; var o: String?; var at: Date }
                let rows = try await tx.sql.raw("SELECT t, n, b, o, at FROM copy_check ORDER BY n DESC").all(decoding: Row.self)
                #expect(rows.count == 2)
                #expect(rows[0].t == "Trần Thị \\ Hoa\tthôn 1\nxã 2" && rows[0].n == 7 && rows[0].b && rows[0].o == nil)
                #expect(abs(rows[0].at.timeIntervalSince1970 - 1_764_766_800.5) < 0.000_01)
                #expect(rows[1].t == "" && rows[1].o == "Đắk Lắk" && rows[1].at.timeIntervalSince1970 == 0)
            }
            _ = pg
        }
    }

    /// An import's fingerprint hashes a line given in parts as the line itself.
    @Test func fingerprintOfPartsIsTheFingerprintOfTheLine() {
        var parts = Hasher64(), whole = Hasher64()
        parts.add("N", "20194-000001", "|", "{\"code\":\"Đặng\"}"); parts.add("D7")
        whole.add("N20194-000001|{\"code\":\"Đặng\"}"); whole.add("D7")
        #expect(parts.hex == whole.hex && parts.hex != Hasher64().hex)
    }
}
