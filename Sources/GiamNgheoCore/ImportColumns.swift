/// Which column of a commune's spreadsheet is which field: the template's headers and the variants
/// communes write (data: `Data/import/columns.csv`), matched accent- and case-insensitively with punctuation
/// ignored. Pure: a header row in, a mapping and its problems (in Vietnamese, naming sheet and column) out.
public struct ImportColumn: Sendable, Equatable {
    public var sheet: String
    public var key: String
    public var header: String
    public var variants: [String]
    public var required: Bool
    public var help: String
    public init(sheet: String, key: String, header: String, variants: [String], required: Bool, help: String) {
        self.sheet = sheet; self.key = key; self.header = header; self.variants = variants; self.required = required; self.help = help
    }
}

public struct ColumnMapping: Sendable, Equatable {
    /// Column index (from 0) → interchange key.
    public var keys: [Int: String] = [:]
    public var unknown: [Int] = []
    public var duplicates: [String: [Int]] = [:]
    public var missing: [ImportColumn] = []

    /// Each problem as a sentence; `blocking` ones stop the import (a required column missing, one field twice).
    public func problems(sheet: String, headers: [String]) -> (blocking: [String], notes: [String]) {
        var blocking: [String] = [], notes: [String] = []
        for c in missing { blocking.append("Trang '\(sheet)': thiếu cột bắt buộc '\(c.header)'.") }
        for (key, columns) in duplicates.sorted(by: { $0.key < $1.key }) {
            blocking.append("Trang '\(sheet)': các cột \(columns.map(ImportColumns.letter).joined(separator: ", ")) cùng là '\(headers[columns[0]])' (\(key)); chỉ giữ một cột.")
        }
        for i in unknown {
            notes.append("Trang '\(sheet)': cột \(ImportColumns.letter(i)) '\(headers[i])' không nhận ra, sẽ bỏ qua.")
        }
        return (blocking, notes)
    }
}

public struct ImportColumns: Sendable {
    public let columns: [ImportColumn]
    let lookup: [String: [String: String]]   // sheet → normalised name → key

    public init(_ columns: [ImportColumn]) {
        self.columns = columns
        var lookup: [String: [String: String]] = [:]
        for c in columns {
            for name in [c.header, c.key] + c.variants { lookup[c.sheet, default: [:]][Self.normal(name)] = c.key }
        }
        self.lookup = lookup
    }

    public func columns(of sheet: String) -> [ImportColumn] { columns.filter { $0.sheet == sheet } }

    /// The header row of `sheet` mapped to keys; empty headers are neither mapped nor reported.
    public func map(sheet: String, headers: [String]) -> ColumnMapping {
        var m = ColumnMapping()
        let names = lookup[sheet] ?? [:]
        var seen: [String: [Int]] = [:]
        for (i, h) in headers.enumerated() {
            let n = Self.normal(h)
            guard !n.isEmpty else { continue }
            // "Thu nhập BQ (đ/người/tháng)": a unit or note in brackets does not change the field.
            if let key = names[n] ?? names[Self.normal(Self.withoutBrackets(h))] { seen[key, default: []].append(i) } else { m.unknown.append(i) }
        }
        for (key, cols) in seen {
            m.keys[cols[0]] = key
            if cols.count > 1 { m.duplicates[key] = cols }
        }
        m.missing = columns(of: sheet).filter { $0.required && seen[$0.key] == nil }
        return m
    }

    /// Accent-folded, lowercase, punctuation as spaces, spaces collapsed: "Họ và tên (*)" → "ho va ten".
    public static func normal(_ s: String) -> String {
        let folded = VietnameseText.fold(s).lowercased()
        var out = "", space = false
        for ch in folded {
            if ch.isLetter || ch.isNumber {
                if space && !out.isEmpty { out.append(" ") }
                out.append(ch); space = false
            } else { space = true }
        }
        return out
    }

    static func withoutBrackets(_ s: String) -> String {
        var out = "", depth = 0
        for ch in s {
            if ch == "(" || ch == "[" { depth += 1 } else if ch == ")" || ch == "]" { depth = max(0, depth - 1) } else if depth == 0 { out.append(ch) }
        }
        return out
    }

    /// 0 → A, 25 → Z, 26 → AA.
    public static func letter(_ index: Int) -> String {
        var n = index + 1, out = ""
        while n > 0 {
            let r = (n - 1) % 26
            out = String(UnicodeScalar(UInt8(65 + r))) + out
            n = (n - 1) / 26
        }
        return out
    }
}
