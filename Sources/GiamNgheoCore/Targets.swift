/// Reduction targets and their progress (issue 6 §4): a target names a group of households (poor, near-poor,
/// or a subgroup) and any of: a reduction during the year, a count at the end, a rate at the end. Progress
/// comes from the live registry; the projection is the simple one the issue asks for: the reduction so far,
/// extended over the months elapsed.
public enum TargetMeasure: String, Sendable, CaseIterable, Codable {
    case poor, nearPoor, poorMinority, poorNoWorkingCapacity, nearPoorMinority

    public var vietnamese: String {
        switch self {
        case .poor: return "Hộ nghèo"
        case .nearPoor: return "Hộ cận nghèo"
        case .poorMinority: return "Hộ nghèo DTTS"
        case .poorNoWorkingCapacity: return "Hộ nghèo không có khả năng lao động"
        case .nearPoorMinority: return "Hộ cận nghèo DTTS"
        }
    }

    var category: String { self == .nearPoor || self == .nearPoorMinority ? "nearPoor" : "poor" }
    var minority: Bool? { self == .poorMinority || self == .nearPoorMinority ? true : nil }

    /// The summary cells of the group at the end (now) and at the start of the year (last year's category).
    public var endTerms: [CellTerm] {
        if self == .poorNoWorkingCapacity { return [CellTerm(categories: ["poor"], dim: "trait", key: HouseholdTrait.noWorkingCapacity.rawValue)] }
        return [CellTerm(categories: [category], dim: "all", minority: minority)]
    }
    /// Households that were in the group last year; nil for a trait, whose value last year is not kept (such a
    /// target is judged on its end-of-year count).
    public var startTerms: [CellTerm]? {
        if self == .poorNoWorkingCapacity { return nil }
        return [CellTerm(dim: "movement", key: category + ">*", minority: minority)]
    }
}

public struct TargetSpec: Sendable, Equatable {
    public var measure: TargetMeasure
    /// Reduce by at least this many households during the year.
    public var reduction: Int?
    /// At most this many at the end of the year.
    public var endHouseholds: Int?
    /// At most this rate at the end, in hundredths of a percent (1,76 % → 176).
    public var endRate: Int?
    public init(measure: TargetMeasure, reduction: Int? = nil, endHouseholds: Int? = nil, endRate: Int? = nil) {
        self.measure = measure; self.reduction = reduction; self.endHouseholds = endHouseholds; self.endRate = endRate
    }
}

public enum TargetStatus: String, Sendable {
    case achieved, missed, onTrack, offTrack, notStarted, noData
    public var vietnamese: String {
        switch self {
        case .achieved: return "Đạt"
        case .missed: return "Không đạt"
        case .onTrack: return "Đúng tiến độ"
        case .offTrack: return "Có nguy cơ không đạt"
        case .notStarted: return "Chưa đến kỳ"
        case .noData: return "Không có số liệu"
        }
    }
    public var flagged: Bool { self == .offTrack || self == .missed }
}

public struct TargetEvaluation: Sendable, Equatable {
    public var start: Int
    public var now: Int
    public var total: Int
    public var reductionSoFar: Int
    public var projectedReduction: Int
    public var projectedEnd: Int
    public var status: TargetStatus
    /// Why it is off track (or missed), one sentence per failing part of the target.
    public var reasons: [String]
}

public enum TargetProgress {
    /// `months`: months of the target year elapsed on the reference date (12 once the year is over).
    /// `start` is nil when the registry has no previous year: a reduction cannot be measured then, and the
    /// end-of-year parts are judged on today's count.
    public static func evaluate(_ t: TargetSpec, start known: Int?, now: Int, total: Int, months: Int) -> TargetEvaluation {
        guard let start = known else {
            var e = evaluate(TargetSpec(measure: t.measure, endHouseholds: t.endHouseholds, endRate: t.endRate), start: now, now: now, total: total, months: months)
            if t.reduction != nil || (t.endHouseholds == nil && t.endRate == nil) {
                e.status = .noData
                e.reasons.insert("Sổ hộ chưa có số liệu năm trước nên chưa tính được số hộ giảm.", at: 0)
            }
            return e
        }
        let soFar = start - now
        guard months > 0 else {
            return TargetEvaluation(start: start, now: now, total: total, reductionSoFar: soFar, projectedReduction: 0, projectedEnd: now,
                                    status: .notStarted, reasons: [])
        }
        guard total > 0 else {
            return TargetEvaluation(start: start, now: now, total: total, reductionSoFar: soFar, projectedReduction: soFar, projectedEnd: now,
                                    status: .noData, reasons: ["Sổ hộ của đơn vị chưa có hộ nào."])
        }
        let m = min(months, 12)
        // Integer projection, rounded towards zero: a reduction of 5 in 11 months projects to 5 × 12 / 11 = 5.
        let projected = m == 12 ? soFar : soFar * 12 / m
        let end = max(0, start - projected)
        var reasons: [String] = []
        if let r = t.reduction, projected < r {
            reasons.append("Giảm \(soFar) hộ sau \(m) tháng, dự kiến cả năm \(projected) hộ, chỉ tiêu giảm ít nhất \(r) hộ.")
        }
        if let e = t.endHouseholds, end > e {
            reasons.append("Dự kiến cuối năm còn \(end) hộ, chỉ tiêu không quá \(e) hộ.")
        }
        if let rate = t.endRate, end * 10_000 > rate * total {
            reasons.append("Dự kiến tỷ lệ cuối năm \(ReportValue.rate(end, total).text) %, chỉ tiêu không quá \(ReportValue.rate(rate, 10_000).text) %.")
        }
        let status: TargetStatus = m == 12 ? (reasons.isEmpty ? .achieved : .missed) : (reasons.isEmpty ? .onTrack : .offTrack)
        return TargetEvaluation(start: start, now: now, total: total, reductionSoFar: soFar, projectedReduction: projected,
                                projectedEnd: end, status: status, reasons: reasons)
    }
}
