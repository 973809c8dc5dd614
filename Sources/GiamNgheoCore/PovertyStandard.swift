public enum Area: String, Codable, Sendable, CaseIterable {
    case rural, urban
    public var vietnamese: String { self == .rural ? "nông thôn" : "thành thị" }
    /// The standard's own word: Decree 351/2025 says "khu vực đô thị" where Decree 07/2021 said "thành thị".
    public func vietnamese(_ s: PovertyStandard) -> String { self == .urban ? s.urbanTerm ?? vietnamese : vietnamese }
}

public enum Category: String, Codable, Sendable, CaseIterable {
    case poor, nearPoor, middleIncome, notPoor
    public var vietnamese: String {
        switch self {
        case .poor: return "Hộ nghèo"
        case .nearPoor: return "Hộ cận nghèo"
        case .middleIncome: return "Hộ có mức sống trung bình (làm NLNDN)"
        case .notPoor: return "Không thuộc diện nghèo, cận nghèo"
        }
    }
    /// Lower is worse off; used by the monotonicity property (more deprivation never improves the category).
    public var severity: Int {
        switch self { case .poor: return 0; case .nearPoor: return 1; case .middleIncome: return 2; case .notPoor: return 3 }
    }
}

/// QĐ59/2015 reports poor households in two tiers (Decision 59/2015/QĐ-TTg).
public enum PoorSubtype: String, Codable, Sendable {
    case income, deprivation
    public var vietnamese: String { self == .income ? "nghèo về thu nhập" : "nghèo thiếu hụt dịch vụ xã hội cơ bản" }
}

public struct LocalizedText: Codable, Sendable, Equatable {
    public var vi: String
    public var en: String
    public init(vi: String, en: String) { self.vi = vi; self.en = en }
}

/// A legal text a value rests on, and whether the team has checked it against the official text.
public struct Citation: Codable, Sendable, Equatable {
    public var text: String
    public var sources: [String]?
    public var verified: Bool
    public init(text: String, sources: [String]? = nil, verified: Bool) {
        self.text = text; self.sources = sources; self.verified = verified
    }
}

/// A threshold per area: VND per person per month for income lines, points for điểm B1.
/// `nil` for an area means the law's value is not known; using it is an error, never a guess.
public struct AreaThreshold: Codable, Sendable, Equatable {
    public var rural: Int?
    public var urban: Int?
    public var label: LocalizedText?
    public var verified: Bool
    public var note: String?
    public init(rural: Int?, urban: Int?, label: LocalizedText? = nil, verified: Bool, note: String? = nil) {
        self.rural = rural; self.urban = urban; self.label = label; self.verified = verified; self.note = note
    }
    public func value(for area: Area) -> Int? { area == .rural ? rural : urban }
}

public struct VerifiedInt: Codable, Sendable, Equatable {
    public var value: Int
    public var verified: Bool
    public var citation: String?
    public init(value: Int, verified: Bool, citation: String? = nil) {
        self.value = value; self.verified = verified; self.citation = citation
    }
}

public enum DeprivationTest: String, Codable, Sendable {
    case atLeastThreshold, belowThreshold
}

/// One row of a classification rule, evaluated in order; the first row that holds decides.
/// `above`/`atMost` name thresholds of the same table: bounds are `(above, atMost]` (Decree 07/2021/NĐ-CP, Decision 59/2015/QĐ-TTg).
public struct ClassificationClause: Codable, Sendable, Equatable {
    public var category: Category
    public var subtype: PoorSubtype?
    public var above: String?
    public var atMost: String?
    public var deprivation: DeprivationTest?
    public var verified: Bool
    public var citation: String?
    /// The row in words, e.g. "thu nhập ≤ X và số chỉ số thiếu hụt ≥ 3"; `bound` renders a named threshold.
    public func describe(what: String, deprivation b: String, threshold: Int, bound: (String) -> String) -> String {
        var parts: [String] = []
        switch (above, atMost) {
        case let (lo?, hi?): parts.append("\(bound(lo)) < \(what) ≤ \(bound(hi))")
        case let (nil, hi?): parts.append("\(what) ≤ \(bound(hi))")
        case let (lo?, nil): parts.append("\(what) > \(bound(lo))")
        default: parts.append("mọi mức \(what)")
        }
        switch deprivation {
        case .atLeastThreshold?: parts.append("\(b) ≥ \(threshold)")
        case .belowThreshold?: parts.append("\(b) < \(threshold)")
        case nil: break
        }
        return parts.joined(separator: " và ")
    }

    public init(category: Category, subtype: PoorSubtype? = nil, above: String? = nil, atMost: String? = nil,
                deprivation: DeprivationTest? = nil, verified: Bool, citation: String? = nil) {
        self.category = category; self.subtype = subtype; self.above = above; self.atMost = atMost
        self.deprivation = deprivation; self.verified = verified; self.citation = citation
    }
}

/// The point method of Phiếu B (Circular 07/2021 Art. 2, Phụ lục III): điểm B1 (income proxy) against
/// per-area maxima, điểm B2 = points per deprived indicator against a threshold. The names B1/B2 are
/// those of the scores on Phiếu B, not of two forms (the forms are Phiếu A and Phiếu B).
public struct PointRule: Codable, Sendable, Equatable {
    public var scoreB1: [String: AreaThreshold]
    public var pointsPerIndicator: VerifiedInt
    public var scoreB2Threshold: VerifiedInt
    public var clauses: [ClassificationClause]
    public var citation: Citation
    /// What the form calls the two scores ("điểm B1"/"điểm B2" unless a standard says otherwise).
    public var scoreNames: ScoreNames?

    public struct ScoreNames: Codable, Sendable, Equatable {
        public var income: String
        public var deprivation: String
    }
    public var incomeScoreName: String { scoreNames?.income ?? "điểm B1" }
    public var deprivationScoreName: String { scoreNames?.deprivation ?? "điểm B2" }

    enum CodingKeys: String, CodingKey { case scoreB1, pointsPerIndicator, scoreB2Threshold, clauses, citation, scoreNames }
    /// Files written before December 2026 said "scoreA"/"scoreBThreshold"; an administrator's local
    /// standard in that form still loads.
    enum LegacyKeys: String, CodingKey { case scoreA, scoreBThreshold }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let old = try decoder.container(keyedBy: LegacyKeys.self)
        scoreB1 = try c.decodeIfPresent([String: AreaThreshold].self, forKey: .scoreB1)
            ?? old.decode([String: AreaThreshold].self, forKey: .scoreA)
        pointsPerIndicator = try c.decode(VerifiedInt.self, forKey: .pointsPerIndicator)
        scoreB2Threshold = try c.decodeIfPresent(VerifiedInt.self, forKey: .scoreB2Threshold)
            ?? old.decode(VerifiedInt.self, forKey: .scoreBThreshold)
        clauses = try c.decode([ClassificationClause].self, forKey: .clauses)
        citation = try c.decode(Citation.self, forKey: .citation)
        scoreNames = try c.decodeIfPresent(ScoreNames.self, forKey: .scoreNames)
    }
}

/// Working age ("độ tuổi lao động"): from `from` years to the statutory retirement age, which rises by
/// sex and year (Labour Code 2019 Art. 169; Decree 135/2020/NĐ-CP Art. 4). Data, so a correction is a
/// file; whether the poverty indicators count people by this range is not confirmed.
public struct WorkingAge: Codable, Sendable, Equatable {
    /// The retirement age of one sex: `months` in `year`, then `stepMonths` more each year up to `maxMonths`.
    public struct Retirement: Codable, Sendable, Equatable {
        public var year: Int
        public var months: Int
        public var stepMonths: Int
        public var maxMonths: Int
        public init(year: Int, months: Int, stepMonths: Int, maxMonths: Int) {
            self.year = year; self.months = months; self.stepMonths = stepMonths; self.maxMonths = maxMonths
        }
        /// The retirement age in months for people reaching it in `y` (the first year's value before it).
        public func months(in y: Int) -> Int { min(maxMonths, months + max(0, y - year) * stepMonths) }
    }
    public var from: Int
    public var male: Retirement
    public var female: Retirement
    public var verified: Bool
    public var citation: String?
    public init(from: Int, male: Retirement, female: Retirement, verified: Bool, citation: String? = nil) {
        self.from = from; self.male = male; self.female = female; self.verified = verified; self.citation = citation
    }

    /// Whether a person of `ageMonths` completed months is of working age in `year`; `sex` "male"/"female",
    /// nil when unknown (then nil when the answer depends on it).
    public func contains(ageMonths: Int, sex: String?, year: Int) -> Bool? {
        if ageMonths < from * 12 { return false }
        let m = male.months(in: year), f = female.months(in: year)
        switch sex {
        case "male": return ageMonths < m
        case "female": return ageMonths < f
        default:
            if ageMonths < min(m, f) { return true }
            if ageMonths >= max(m, f) { return false }
            return nil
        }
    }

    /// For a person on a date: completed months from the birth date (whole years from a birth year alone);
    /// nil when the birth is unknown or the answer depends on an unknown sex.
    public func contains(birthDate: CivilDate?, birthYear: Int?, sex: String?, on date: CivilDate) -> Bool? {
        guard let months = Self.ageMonths(birthDate: birthDate, birthYear: birthYear, on: date) else { return nil }
        return contains(ageMonths: months, sex: sex == "male" || sex == "female" ? sex : nil, year: date.year)
    }

    /// Completed months of age on a date; whole years from a birth year alone; nil without either.
    public static func ageMonths(birthDate: CivilDate?, birthYear: Int?, on date: CivilDate) -> Int? {
        if let b = birthDate { return (date.year - b.year) * 12 + (date.month - b.month) - (date.day < b.day ? 1 : 0) }
        return birthYear.map { (date.year - $0) * 12 }
    }

    /// "15 tuổi đến dưới 61 tuổi 6 tháng (nam), 57 tuổi (nữ)" for a year.
    public func describe(year: Int) -> String {
        func age(_ months: Int) -> String { months % 12 == 0 ? "\(months / 12) tuổi" : "\(months / 12) tuổi \(months % 12) tháng" }
        return "từ đủ \(from) tuổi đến dưới \(age(male.months(in: year))) (nam), \(age(female.months(in: year))) (nữ) năm \(year)"
    }
}

public struct Dimension: Codable, Sendable, Equatable {
    public var code: String
    public var name: LocalizedText
    public init(code: String, name: LocalizedText) { self.code = code; self.name = name }
}

public struct Indicator: Codable, Sendable, Equatable {
    public var code: String
    public var dimension: String
    public var name: LocalizedText
    /// What the rule means, in words, for the explanation and the printed standard.
    public var rule: LocalizedText
    public var condition: Condition
    public var verified: Bool
    public var citation: String?
    public var note: String?
    public init(code: String, dimension: String, name: LocalizedText, rule: LocalizedText, condition: Condition,
                verified: Bool, citation: String? = nil, note: String? = nil) {
        self.code = code; self.dimension = dimension; self.name = name; self.rule = rule; self.condition = condition
        self.verified = verified; self.citation = citation; self.note = note
    }
}

/// A poverty standard as versioned data (Decision 59/2015/QĐ-TTg, Decree 07/2021/NĐ-CP, Decree 351/2025/NĐ-CP).
public struct PovertyStandard: Codable, Sendable, Equatable {
    public var id: String
    public var kind: Kind
    public var name: LocalizedText
    public var legalBasis: [Citation]
    public var validFrom: CivilDate
    public var validTo: CivilDate
    /// For a local standard: the national standard it raises, and its province (2025 code).
    public var extends: String?
    public var province: String?
    public var sources: [String]?
    public var incomeLines: [String: AreaThreshold]
    public var deprivationThreshold: VerifiedInt
    public var classification: [ClassificationClause]
    /// Middle income is recognised only for agriculture/forestry/fishery/salt households (Decision 24 Art. 6).
    public var middleIncomeRequiresAgriculture: Bool
    public var pointRule: PointRule?
    public var dimensions: [Dimension]
    public var indicators: [Indicator]
    public var notes: [String]?
    /// The standard's word for urban areas ("đô thị" from Decree 351/2025); nil: "thành thị".
    public var urbanTerm: String?
    /// Working age for the `workingAge` condition (VL1); nil: the condition cannot be used.
    public var workingAge: WorkingAge?

    public enum Kind: String, Codable, Sendable { case national, local }

    public func indicator(_ code: String) -> Indicator? { indicators.first { $0.code == code } }

    public func covers(_ date: CivilDate) -> Bool { validFrom <= date && date <= validTo }

    /// Everything in the standard that still needs checking against the official text.
    public var unverifiedItems: [String] {
        var out: [String] = []
        for c in legalBasis where !c.verified { out.append("căn cứ: \(c.text)") }
        for (name, line) in incomeLines.sorted(by: { $0.key < $1.key }) where !line.verified { out.append("ngưỡng \(name)") }
        if !deprivationThreshold.verified { out.append("số chỉ số thiếu hụt tối thiểu") }
        for (i, c) in classification.enumerated() where !c.verified { out.append("quy tắc phân loại dòng \(i + 1) (\(c.category.rawValue))") }
        if let p = pointRule {
            for (name, t) in p.scoreB1.sorted(by: { $0.key < $1.key }) where !t.verified { out.append("điểm B1 \(name)") }
            if !p.pointsPerIndicator.verified { out.append("điểm B2 mỗi chỉ số") }
            if !p.scoreB2Threshold.verified { out.append("ngưỡng điểm B2") }
        }
        if let w = workingAge, !w.verified { out.append("độ tuổi lao động") }
        for i in indicators where !i.verified { out.append("chỉ số \(i.code)") }
        return out
    }

    /// Refuses a standard whose parts do not fit together, with the field named.
    public func validate() throws {
        let where_ = "chuẩn \(id)"
        guard validFrom <= validTo else { throw StandardError("\(where_): validFrom sau validTo") }
        func checkClauses(_ clauses: [ClassificationClause], lines: [String: AreaThreshold], table: String) throws {
            for (i, c) in clauses.enumerated() {
                for name in [c.above, c.atMost].compactMap({ $0 }) where lines[name] == nil {
                    throw StandardError("\(where_): \(table) dòng \(i + 1) dùng ngưỡng '\(name)' không có trong \(table == "classification" ? "incomeLines" : "pointRule.scoreB1")")
                }
                if c.subtype != nil && c.category != .poor {
                    throw StandardError("\(where_): \(table) dòng \(i + 1): chỉ hộ nghèo có phân loại con")
                }
            }
        }
        try checkClauses(classification, lines: incomeLines, table: "classification")
        if let p = pointRule { try checkClauses(p.clauses, lines: p.scoreB1, table: "pointRule") }
        var seen = Set<String>()
        let dims = Set(dimensions.map(\.code))
        for ind in indicators {
            guard seen.insert(ind.code).inserted else { throw StandardError("\(where_): mã chỉ số trùng '\(ind.code)'") }
            guard dims.contains(ind.dimension) else {
                throw StandardError("\(where_): chỉ số \(ind.code) thuộc chiều '\(ind.dimension)' không có trong dimensions")
            }
            try ind.condition.validate(scope: .household, path: "\(where_), chỉ số \(ind.code)")
            if ind.condition.usesWorkingAge && workingAge == nil {
                throw StandardError("\(where_): chỉ số \(ind.code) dùng 'workingAge' nhưng chuẩn không có bảng 'workingAge'")
            }
        }
        if kind == .local && (extends == nil || province == nil) {
            throw StandardError("\(where_): chuẩn địa phương cần 'extends' và 'province'")
        }
    }
}
