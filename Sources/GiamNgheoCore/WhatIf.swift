/// What-if re-classification (issue 6 §7): the registry's households under another standard or a draft
/// (other income lines, another deprivation threshold), without touching recorded results. Pure: the storage
/// layer feeds households and their recorded categories; this says what would change and why.
public enum WhatIf {
    /// A draft of a standard: other income lines (đ/person/month) and/or deprivation threshold. Marked
    /// unverified: a draft is not law.
    public static func draft(_ base: PovertyStandard, rural: Int?, urban: Int?, threshold: Int?) -> PovertyStandard {
        guard rural != nil || urban != nil || threshold != nil else { return base }
        var s = base
        s.id = base.id + "+du-thao"
        s.name = LocalizedText(vi: base.name.vi + " (dự thảo: " + [rural.map { "nông thôn \(Format.money($0))" }, urban.map { "thành thị \(Format.money($0))" },
                                                                   threshold.map { "từ \($0) chỉ số" }].compactMap { $0 }.joined(separator: ", ") + ")",
                               en: base.name.en + " (draft)")
        if rural != nil || urban != nil {
            let old = base.incomeLines["income"]
            s.incomeLines["income"] = AreaThreshold(rural: rural ?? old?.rural, urban: urban ?? old?.urban, label: old?.label, verified: false,
                                                     note: "dự thảo để mô phỏng")
        }
        if let threshold { s.deprivationThreshold = VerifiedInt(value: threshold, verified: false, citation: "dự thảo để mô phỏng") }
        return s
    }

    /// Why a household's category would change, in one Vietnamese sentence: income against the new line,
    /// deprivations against the threshold, indicators newly deprived or no longer deprived.
    public static func reason(_ h: Household, before: String, beforeDeprived: [String], after: Classification, standard: PovertyStandard) -> String {
        var parts: [String] = []
        if let income = h.incomePerCapita, let line = standard.incomeLines["income"]?.value(for: after.area) {
            parts.append("thu nhập \(Format.money(income)) \(income <= line ? "≤" : ">") chuẩn \(Format.money(line)) đ/người/tháng (\(after.area.vietnamese))")
        }
        parts.append("thiếu hụt \(after.deprivedCount) chỉ số (ngưỡng \(standard.deprivationThreshold.value))")
        let gained = after.deprived.filter { !beforeDeprived.contains($0) }
        let lost = beforeDeprived.filter { !after.deprived.contains($0) }
        if !gained.isEmpty { parts.append("thêm thiếu hụt " + gained.joined(separator: ", ")) }
        if !lost.isEmpty { parts.append("không còn tính " + lost.joined(separator: ", ")) }
        return parts.joined(separator: "; ")
    }

    public static func label(_ category: String) -> String {
        if let c = Category(rawValue: category) { return c.vietnamese }
        return category == "incomplete" ? "Chưa đủ dữ kiện" : category
    }
}

/// Counts of a what-if run: per unit, recorded category → simulated category.
public struct WhatIfTally: Sendable, Equatable {
    public var matrix: [String: [String: [String: Int]]] = [:]
    public init() {}
    public mutating func add(unit: String, from: String, to: String) { matrix[unit, default: [:]][from, default: [:]][to, default: 0] += 1 }
    public func count(unit: String? = nil, from: String? = nil, to: String? = nil) -> Int {
        var n = 0
        for (u, rows) in matrix where unit == nil || u == unit {
            for (f, cols) in rows where from == nil || f == from { for (t, c) in cols where to == nil || t == to { n += c } }
        }
        return n
    }
    public func changed(unit: String? = nil) -> Int {
        var n = 0
        for (u, rows) in matrix where unit == nil || u == unit { for (f, cols) in rows { for (t, c) in cols where f != t { n += c } } }
        return n
    }
}
