import Foundation

/// RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF, an optional UTF-8 BOM.
/// Small and dependency-free because the core must stay pure and the files are ours or Excel's.
public enum CSV {
    public static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var chars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        var first = true
        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return chars.next()
        }
        while let c = next() {
            if first { first = false; if c == "\u{FEFF}" { continue } }
            if inQuotes {
                if c == "\"" {
                    if let n = next() {
                        if n == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = n }
                    } else { inQuotes = false }
                } else { field.unicodeScalars.append(c) }
                continue
            }
            switch c {
            case "\"": inQuotes = true
            case ",": row.append(field); field = ""
            case "\r": break
            case "\n": row.append(field); field = ""; rows.append(row); row = []
            default: field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }

    /// Rows as dictionaries keyed by the header row; blank lines are skipped.
    public static func records(_ text: String) -> (header: [String], rows: [[String: String]]) {
        let all = parse(text)
        guard let header = all.first else { return ([], []) }
        var out: [[String: String]] = []
        out.reserveCapacity(all.count)
        for r in all.dropFirst() where !(r.count == 1 && r[0].isEmpty) {
            var d: [String: String] = [:]
            for (i, h) in header.enumerated() where i < r.count { d[h] = r[i] }
            out.append(d)
        }
        return (header, out)
    }

    public static func escape(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    public static func line(_ fields: [String]) -> String { fields.map(escape).joined(separator: ",") + "\n" }
}

/// RFC 4180 CSV read from UTF-8 bytes in pieces, so that a file of any size is read with constant memory:
/// `feed` each piece, then `finish`; each complete record comes out with its number (the header is 1, as
/// Excel numbers rows). A UTF-8 BOM at the start is skipped.
public struct CSVStream: Sendable {
    var field: [UInt8] = []
    var row: [String] = []
    var inQuotes = false
    var quoteSeen = false     // a quote inside a quoted field: either the end or the first of a doubled pair
    var started = false
    var bomCheck: [UInt8] = []
    public private(set) var records = 0

    public init() {}

    public mutating func feed(_ bytes: some Sequence<UInt8>, _ emit: (Int, [String]) throws -> Void) rethrows {
        let whole: Bool? = try bytes.withContiguousStorageIfAvailable { buffer in
            var i = 0
            while !started && i < buffer.count { try lead(buffer[i], emit); i += 1 }
            try run(UnsafeBufferPointer(rebasing: buffer[i...]), emit)
            return true
        }
        if whole != nil { return }
        for b in bytes { if started { try step(b, emit) } else { try lead(b, emit) } }
    }

    /// A byte before the first record's first: a UTF-8 BOM is skipped.
    mutating func lead(_ b: UInt8, _ emit: (Int, [String]) throws -> Void) rethrows {
        bomCheck.append(b)
        if bomCheck.count < 3 && [0xEF, 0xBB, 0xBF].starts(with: bomCheck) { return }
        started = true
        let held = bomCheck; bomCheck = []
        if held == [0xEF, 0xBB, 0xBF] { return }
        for h in held { try step(h, emit) }
    }

    /// As `step` byte by byte, but the run of bytes up to the next one that ends or quotes a field is appended at
    /// once: a province's members file is half a gigabyte.
    mutating func run(_ bytes: UnsafeBufferPointer<UInt8>, _ emit: (Int, [String]) throws -> Void) rethrows {
        var i = 0
        let n = bytes.count
        while i < n {
            if !quoteSeen {
                var j = i
                if inQuotes {
                    while j < n && bytes[j] != 0x22 { j += 1 }
                } else {
                    while j < n, case let b = bytes[j], b != 0x22 && b != 0x2C && b != 0x0D && b != 0x0A { j += 1 }
                }
                if j > i { field.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<j])); i = j; if i == n { break } }
            }
            try step(bytes[i], emit)
            i += 1
        }
    }

    public mutating func finish(_ emit: (Int, [String]) throws -> Void) rethrows {
        if !started { started = true; let held = bomCheck; bomCheck = []; for h in held where held != [0xEF, 0xBB, 0xBF] { try step(h, emit) } }
        if !field.isEmpty || !row.isEmpty || quoteSeen { endField(); try endRow(emit) }
    }

    mutating func step(_ b: UInt8, _ emit: (Int, [String]) throws -> Void) rethrows {
        if inQuotes {
            if quoteSeen {
                quoteSeen = false
                if b == 0x22 { field.append(0x22); return }
                inQuotes = false   // the closing quote; this byte is read outside the quotes
            } else if b == 0x22 { quoteSeen = true; return } else { field.append(b); return }
        }
        switch b {
        case 0x22 where field.isEmpty: inQuotes = true
        case 0x2C: endField()
        case 0x0D: break
        case 0x0A: endField(); try endRow(emit)
        default: field.append(b)
        }
    }

    mutating func endField() {
        let s = String(decoding: field, as: UTF8.self)
        // Vietnamese typed on a Mac or a phone may arrive decomposed; the registry compares composed text.
        // Combining marks U+0300–U+036F are the UTF-8 bytes CC 80 … CD AF: without them the text is already composed.
        row.append(field.contains(where: { $0 == 0xCC || $0 == 0xCD }) ? s.precomposedStringWithCanonicalMapping : s)
        field.removeAll(keepingCapacity: true)
    }

    mutating func endRow(_ emit: (Int, [String]) throws -> Void) rethrows {
        records += 1
        let r = row; row = []
        if quoteSeen { quoteSeen = false; inQuotes = false }
        try emit(records, r)
    }
}
