/// Official report tables as data (issue 6 §1; Circular 07/2021/TT-BLĐTBXH): a layout names its columns as sums of
/// summary cells, so the province's figure is the sum of its communes' by construction, and rates are
/// computed from counts with the denominator they state. The layouts shipped are UNCONFIRMED (the
/// Circular's forms were not available, the appendices of Circular 07/2021/TT-BLĐTBXH) and carry `verified: false`.
public struct ReportLayout: Codable, Sendable, Equatable {
    public var id: String
    public var number: String?
    public var title: LocalizedText
    public var verified: Bool
    public var source: String?
    public var note: String?
    /// "households", "persons", or both (two rows per unit, as the forms have).
    public var measures: [ReportMeasure]
    public var columns: [ReportColumn]
    /// Whether rows break down by urban/rural area within each unit.
    public var splitArea: Bool?

    public init(id: String, number: String?, title: LocalizedText, verified: Bool, source: String?, note: String?,
                measures: [ReportMeasure], columns: [ReportColumn], splitArea: Bool?) {
        self.id = id; self.number = number; self.title = title; self.verified = verified; self.source = source
        self.note = note; self.measures = measures; self.columns = columns; self.splitArea = splitArea
    }
}

public enum ReportMeasure: String, Codable, Sendable, CaseIterable {
    case households, persons
    public var vietnamese: String { self == .households ? "Hộ" : "Nhân khẩu" }
}

/// One sum of summary cells: categories (any of; all when absent), a dimension, a key pattern ("x", "x*",
/// "*x" or "*"), keys to leave out, and optional minority / urban subsets.
public struct CellTerm: Codable, Sendable, Equatable, Hashable {
    public var categories: [String]?
    public var dim: String
    public var key: String?
    public var except: [String]?
    public var minority: Bool?
    public var urban: Bool?

    public init(categories: [String]? = nil, dim: String, key: String? = nil, except: [String]? = nil, minority: Bool? = nil, urban: Bool? = nil) {
        self.categories = categories; self.dim = dim; self.key = key; self.except = except; self.minority = minority; self.urban = urban
    }

    public func matches(category: String, dim d: String, key k: String, minority m: Bool, urban u: Bool) -> Bool {
        guard d == dim else { return false }
        if let categories, !categories.contains(category) { return false }
        if let minority, minority != m { return false }
        if let urban, urban != u { return false }
        if let except, except.contains(k) { return false }
        guard let key, key != "*" else { return true }
        if key.hasSuffix("*") { return k.hasPrefix(key.dropLast()) }
        if key.hasPrefix("*") { return k.hasSuffix(key.dropFirst()) }
        return k == key
    }
}

public struct ReportColumn: Codable, Sendable, Equatable {
    public var id: String
    public var label: String
    /// The header above a run of columns ("Hộ nghèo", "Giảm trong năm", …).
    public var group: String?
    /// A count: the sum of these terms.
    public var sum: [CellTerm]?
    /// A rate in %: column `of` over column `per` (both counts of this row).
    public var rate: Rate?
    /// A template repeated per item of a list given when the layout is resolved ("indicator", "cause",
    /// "trait"): `{item}` in label, id and keys is replaced by the item's code (label: its name).
    public var forEach: String?

    public struct Rate: Codable, Sendable, Equatable {
        public var of: String
        public var per: String
        public init(of: String, per: String) { self.of = of; self.per = per }
    }

    public init(id: String, label: String, group: String? = nil, sum: [CellTerm]? = nil, rate: Rate? = nil, forEach: String? = nil) {
        self.id = id; self.label = label; self.group = group; self.sum = sum; self.rate = rate; self.forEach = forEach
    }
}

/// A summary cell as the reports see it.
public struct CellCount: Sendable, Equatable {
    public var category: String
    public var urban: Bool
    public var minority: Bool
    public var dim: String
    public var key: String
    public var households: Int
    public var persons: Int

    public init(category: String, urban: Bool, minority: Bool, dim: String, key: String, households: Int, persons: Int) {
        self.category = category; self.urban = urban; self.minority = minority; self.dim = dim; self.key = key
        self.households = households; self.persons = persons
    }
}

/// One row unit of a report: a province, commune, district, old commune or village and its cells.
public struct ReportUnit: Sendable {
    public var code: String
    public var name: String
    /// Where a click on this row's counts leads ("units" of the next level, or "households").
    public var drill: String?
    public var cells: [CellCount]
    public init(code: String, name: String, drill: String? = nil, cells: [CellCount]) {
        self.code = code; self.name = name; self.drill = drill; self.cells = cells
    }
}

public enum ReportValue: Sendable, Equatable {
    case count(Int)
    case rate(Int, Int)
    /// The rate as printed: "12,34" (two decimals, Vietnamese comma); "-" when the denominator is zero.
    public var text: String {
        switch self {
        case .count(let n): return Format.money(n)
        case .rate:
            guard let h = hundredths else { return "-" }
            return "\(h / 100),\(String(format: "%02d", h % 100))"
        }
    }
    /// A rate in hundredths of a per cent, rounded half up on integers (no floating-point drift between levels);
    /// nil for a count or a zero denominator.
    public var hundredths: Int? {
        guard case .rate(let a, let b) = self, b != 0 else { return nil }
        return (a * 10_000 * 2 + b) / (2 * b)
    }
    /// The rate as a number of per cent, the printed figure exactly (12.34 for "12,34"); what files and the API carry.
    public var percent: Double? { hundredths.map { Double($0) / 100 } }
    public var count: Int? { if case .count(let n) = self { return n }; return nil }
}

public struct ReportRow: Sendable {
    public var unit: String
    public var name: String
    public var measure: ReportMeasure
    public var area: Area?
    public var drill: String?
    public var values: [ReportValue]
    public var isTotal: Bool
}

public struct ReportTable: Sendable {
    public var layout: ReportLayout
    public var columns: [ReportColumn]
    public var rows: [ReportRow]
    /// The rates' denominators in words, printed under the table.
    public var rateNotes: [String]
}

public enum Reports {
    /// The layout's columns with `forEach` templates expanded over the given lists (code, name).
    public static func resolve(_ layout: ReportLayout, lists: [String: [(code: String, name: String)]]) -> [ReportColumn] {
        var out: [ReportColumn] = []
        for var c in layout.columns {
            // "{listed:ethnicity}" in `except`: the codes the list gave its own columns ("other" is the rest).
            c.sum = c.sum?.map { t in
                var t = t
                t.except = t.except?.flatMap { x -> [String] in
                    guard x.hasPrefix("{listed:"), x.hasSuffix("}") else { return [x] }
                    return (lists[String(x.dropFirst(8).dropLast())] ?? []).map(\.code)
                }
                return t
            }
            guard let each = c.forEach else { out.append(c); continue }
            for item in lists[each] ?? [] {
                func sub(_ s: String) -> String { s.replacingOccurrences(of: "{item}", with: item.code) }
                var x = c
                x.forEach = nil
                x.id = sub(c.id)
                x.label = c.label.replacingOccurrences(of: "{item}", with: item.code).replacingOccurrences(of: "{name}", with: item.name)
                x.sum = c.sum?.map { t in var t = t; t.key = t.key.map(sub); return t }
                x.rate = c.rate.map { ReportColumn.Rate(of: sub($0.of), per: sub($0.per)) }
                out.append(x)
            }
        }
        return out
    }

    /// The count of one column over some cells.
    public static func count(_ terms: [CellTerm], _ cells: [CellCount], measure: ReportMeasure, area: Area? = nil) -> Int {
        var n = 0
        for c in cells {
            if let area, c.urban != (area == .urban) { continue }
            for t in terms where t.matches(category: c.category, dim: c.dim, key: c.key, minority: c.minority, urban: c.urban) {
                n += measure == .households ? c.households : c.persons
            }
        }
        return n
    }

    /// The table: a total row (the sum of the units' cells, so exactly the sum of the rows) then one row
    /// (or one per measure and area) per unit.
    public static func table(_ layout: ReportLayout, columns: [ReportColumn], units: [ReportUnit], totalName: String) -> ReportTable {
        let areas: [Area?] = layout.splitArea == true ? [nil, .urban, .rural] : [nil]
        func rows(code: String, name: String, drill: String?, cells all: [CellCount], total: Bool) -> [ReportRow] {
            var out: [ReportRow] = []
            // Each column looks only at the cells of its dimensions.
            var byDim: [String: [CellCount]] = [:]
            for c in all { byDim[c.dim, default: []].append(c) }
            func count(_ terms: [CellTerm], measure: ReportMeasure, area: Area?) -> Int {
                var n = 0
                for dim in Set(terms.map(\.dim)) {
                    n += Reports.count(terms.filter { $0.dim == dim }, byDim[dim] ?? [], measure: measure, area: area)
                }
                return n
            }
            for measure in layout.measures {
                for area in areas {
                    var counts: [String: Int] = [:]
                    var values: [ReportValue] = []
                    for c in columns {
                        if let sum = c.sum {
                            let n = count(sum, measure: measure, area: area)
                            counts[c.id] = n
                            values.append(.count(n))
                        } else if let r = c.rate {
                            values.append(.rate(counts[r.of] ?? 0, counts[r.per] ?? 0))
                        } else {
                            values.append(.count(0))
                        }
                    }
                    out.append(ReportRow(unit: code, name: name, measure: measure, area: area, drill: drill, values: values, isTotal: total))
                }
            }
            return out
        }
        var all: [ReportRow] = rows(code: "", name: totalName, drill: nil, cells: units.flatMap(\.cells), total: true)
        for u in units { all += rows(code: u.code, name: u.name, drill: u.drill, cells: u.cells, total: false) }
        let labels = Dictionary(columns.map { ($0.id, $0.label) }, uniquingKeysWith: { a, _ in a })
        var notes: [String] = []
        for c in columns { if let r = c.rate {
            let note = "\(c.label): \(labels[r.of] ?? r.of) / \(labels[r.per] ?? r.per) × 100"
            if !notes.contains(note) { notes.append(note) }
        } }
        return ReportTable(layout: layout, columns: columns, rows: all, rateNotes: notes)
    }
}
