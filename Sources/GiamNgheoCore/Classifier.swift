/// Bad or missing input for one household: names the household, the field and (if any) the member.
public struct ClassificationError: Error, CustomStringConvertible, Sendable, Equatable {
    public let household: String
    public let field: String
    public let message: String
    public init(household: String, field: String, message: String) {
        self.household = household; self.field = field; self.message = message
    }
    public var description: String { "Hộ \(household), trường '\(field)': \(message)" }
}

public struct Flags: Codable, Sendable, Equatable {
    /// No member able to work ("hộ không có khả năng lao động").
    public var noWorkingCapacity: Bool?
    public var ethnicMinorityHead: Bool?
    public var meritoriousPerson: Bool?
    public var socialAssistance: Bool?
    public init(noWorkingCapacity: Bool? = nil, ethnicMinorityHead: Bool? = nil, meritoriousPerson: Bool? = nil,
                socialAssistance: Bool? = nil) {
        self.noWorkingCapacity = noWorkingCapacity; self.ethnicMinorityHead = ethnicMinorityHead
        self.meritoriousPerson = meritoriousPerson; self.socialAssistance = socialAssistance
    }
}

public struct IndicatorExplanation: Codable, Sendable, Equatable {
    public struct MemberEvidence: Codable, Sendable, Equatable {
        public var id: String
        public var name: String?
        public var facts: [String]
    }
    public var code: String
    public var name: String
    public var dimension: String
    public var deprived: Bool
    /// "facts" when derived from members and living conditions, "answer" when answered directly.
    public var source: String
    public var members: [MemberEvidence]
    public var facts: [String]
    public var rule: String
    public var verified: Bool
    public var citation: String?
}

public struct ThresholdUse: Codable, Sendable, Equatable {
    public var name: String
    public var label: String?
    public var value: Int
    public var verified: Bool
}

public struct Explanation: Codable, Sendable, Equatable {
    public struct StandardRef: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var kind: String
        public var legalBasis: [String]
        public var unverifiedItems: Int
    }
    public struct Rule: Codable, Sendable, Equatable {
        public var category: Category
        public var subtype: PoorSubtype?
        public var text: String
        public var verified: Bool
        public var citation: String?
    }
    public var standard: StandardRef
    public var referenceDate: String
    public var area: Area
    public var areaSource: String?
    /// "incomePerCapita" (VND/person/month) or "scoreB1" (income-proxy points of Phiếu B).
    public var measure: String
    public var value: Int
    public var thresholds: [ThresholdUse]
    public var indicators: [IndicatorExplanation]
    public var deprivedCount: Int
    public var deprivationThreshold: VerifiedInt
    /// Deprivation points of Phiếu B (điểm B2), when the standard has a point rule.
    public var scoreB2: Int?
    /// False when the measure alone decided (income above the line): no indicator fact was needed.
    public var indicatorsNeeded: Bool
    public var rule: Rule
    public var notes: [String]
    public var summary: LocalizedText
}

public struct Classification: Codable, Sendable, Equatable {
    public var code: String
    public var standard: String
    public var referenceDate: String
    public var area: Area
    public var category: Category
    public var subtype: PoorSubtype?
    public var deprived: [String]
    public var deprivedCount: Int
    /// Deprivation points of Phiếu B (điểm B2): points per deprived indicator.
    public var scoreB2: Int?
    /// False when income (or điểm B1) alone decided: the household is above every row that tests
    /// deprivations, so no indicator fact was needed and `deprived` lists only what the facts given show.
    public var indicatorsNeeded: Bool
    /// Indicators whose facts were not given (only when `indicatorsNeeded` is false).
    public var unknownIndicators: [String]
    public var flags: Flags
    public var explanation: Explanation?
}

public struct ClassificationOptions: Sendable {
    /// Ethnic-group codes counted as minorities (every group but Kinh in the official list).
    public var minorityEthnicities: Set<String>?
    public var explain: Bool
    public init(minorityEthnicities: Set<String>? = nil, explain: Bool = false) {
        self.minorityEthnicities = minorityEthnicities; self.explain = explain
    }
}

/// A standard prepared for classifying many households: the indicator codes, conditions and the
/// code set are extracted once instead of copying the Indicator values for every household.
public final class CompiledStandard: Sendable {
    public let standard: PovertyStandard
    let codes: [String]
    let conditions: [Condition]
    let needsMembers: [Bool]
    let codeSet: Set<String>
    /// Rule rows with their thresholds looked up per area: [rural, urban].
    let incomeRows: [[ResolvedClause]]
    let scoreRows: [[ResolvedClause]]

    public init(_ s: PovertyStandard) {
        standard = s
        codes = s.indicators.map(\.code)
        conditions = s.indicators.map(\.condition)
        needsMembers = s.indicators.map(\.condition.needsMembers)
        codeSet = Set(codes)
        func resolve(_ clauses: [ClassificationClause], _ lines: [String: AreaThreshold]) -> [[ResolvedClause]] {
            [Area.rural, Area.urban].map { area in
                clauses.enumerated().map { i, c in
                    func bound(_ name: String?) -> ResolvedClause.Bound {
                        guard let name else { return .none }
                        return lines[name]?.value(for: area).map(ResolvedClause.Bound.value) ?? .missing(name)
                    }
                    return ResolvedClause(index: i, clause: c, lo: bound(c.above), hi: bound(c.atMost))
                }
            }
        }
        incomeRows = resolve(s.classification, s.incomeLines)
        scoreRows = s.pointRule.map { resolve($0.clauses, $0.scoreB1) } ?? [[], []]
    }

    public func classify(_ h: Household, on date: CivilDate, options: ClassificationOptions = .init()) throws -> Classification {
        try Classifier.classify(h, compiled: self, on: date, options: options)
    }
}

/// A class, so that walking the rows per household retains one reference, not every string of the clause.
final class ResolvedClause: Sendable {
    enum Bound: Sendable { case none, value(Int), missing(String) }
    let index: Int
    let clause: ClassificationClause
    let lo: Bound
    let hi: Bound
    init(index: Int, clause: ClassificationClause, lo: Bound, hi: Bound) {
        self.index = index; self.clause = clause; self.lo = lo; self.hi = hi
    }
}

public enum Classifier {
    /// Classifies one household under one standard on one reference date (ages are taken on that date).
    /// For many households, compile the standard once (`CompiledStandard`) and call it instead.
    public static func classify(_ h: Household, standard s: PovertyStandard, on date: CivilDate,
                                options: ClassificationOptions = .init()) throws -> Classification {
        try classify(h, compiled: CompiledStandard(s), on: date, options: options)
    }

    static func classify(_ h: Household, compiled: CompiledStandard, on date: CivilDate,
                         options: ClassificationOptions) throws -> Classification {
        let s = compiled.standard
        func fail(_ field: String, _ msg: String) -> ClassificationError {
            ClassificationError(household: h.code, field: field, message: msg)
        }
        guard let area = h.area else {
            throw fail("area", "thiếu khu vực: cho 'area' (rural/urban) hoặc mã xã/phường 'commune'")
        }
        let hasAnswers = !h.answers.isEmpty || h.deprivedList != nil
        // The first code the standard lacks: the answers' in order, then the list's (no array built per household).
        if hasAnswers, let code = (h.answers.isEmpty ? nil : h.answers.keys.sorted().first { !compiled.codeSet.contains($0) })
            ?? h.deprivedList?.first(where: { !compiled.codeSet.contains($0) }) {
            throw fail("deprived", "chỉ số '\(code)' không có trong chuẩn \(s.id) (có: \(compiled.codes.joined(separator: ", ")))")
        }
        if let n = h.size, n <= 0 { throw fail("size", "số nhân khẩu phải lớn hơn 0") }

        // 1. The measure and its rule table: score B1 when given (the review's point method), else income.
        let measure: String, value: Int, clauses: [ClassificationClause], lines: [String: AreaThreshold]
        let threshold: Int, rows: [ResolvedClause]
        let areaIndex = area == .rural ? 0 : 1
        if let a = h.scoreB1 {
            guard a >= 0 else { throw fail("scoreB1", "điểm B1 không được âm (\(a))") }
            guard let p = s.pointRule else {
                throw fail("scoreB1", "chuẩn \(s.id) chưa có quy tắc chấm điểm B1/B2; hãy cho thu nhập bình quân 'incomePerCapita'")
            }
            measure = "scoreB1"; value = a; clauses = p.clauses; lines = p.scoreB1
            threshold = p.scoreB2Threshold.value; rows = compiled.scoreRows[areaIndex]
        } else if let inc = h.incomePerCapita {
            guard inc >= 0 else { throw fail("incomePerCapita", "thu nhập bình quân không được âm (\(inc))") }
            measure = "incomePerCapita"; value = inc; clauses = s.classification; lines = s.incomeLines
            threshold = s.deprivationThreshold.value; rows = compiled.incomeRows[areaIndex]
        } else {
            throw fail("incomePerCapita", "thiếu thu nhập bình quân đầu người/tháng ('incomePerCapita') hoặc điểm B1 ('scoreB1')")
        }

        // 2. Which rows the measure falls in. Income decides first (Decree 07/2021 Art. 3; Decree 351/2025):
        // the indicators are needed only when a row that tests them can hold, e.g. income at or below the
        // line; above it the household is neither poor nor near-poor whatever its deprivations.
        var notes: [String] = []
        // A band the standard cannot bound yet is noted only if the rows before it did not decide.
        var unbounded: [(index: Int, note: String)] = []
        var inBand: [ResolvedClause] = []
        for row in rows {
            var skip = false
            func bound(_ b: ResolvedClause.Bound) throws -> Int? {
                switch b {
                case .none: return nil
                case .value(let v): return v
                case .missing(let name):
                    // An unknown middle-income bound only means that band cannot be recognised;
                    // an unknown poverty line would silently make everyone non-poor, so it is an error.
                    guard row.clause.category == .middleIncome else {
                        throw fail(measure, "chuẩn \(s.id) chưa có giá trị ngưỡng '\(name)' cho khu vực \(area.vietnamese(s)) (chưa xác minh); không phân loại được")
                    }
                    unbounded.append((row.index, "Chuẩn \(s.id) chưa có giá trị '\(name)' cho khu vực \(area.vietnamese(s)): không xác định được hộ có mức sống trung bình (dòng \(row.index + 1))."))
                    skip = true
                    return nil
                }
            }
            let lo = try bound(row.lo), hi = try bound(row.hi)
            if skip { continue }
            if let lo, value <= lo { continue }
            if let hi, value > hi { continue }
            inBand.append(row)
            if row.clause.deprivation == nil { break }   // the row is a class: no copy of its clause
        }
        let indicatorsNeeded = inBand.contains { $0.clause.deprivation != nil }

        // 3. Indicators: strictly when needed (a missing fact is an error naming it); otherwise whatever
        // the facts given show, for the deprivation profile, and nothing is asked for.
        // A tick-box list answers every indicator, so no evaluator is made (making one copies the household).
        let evaluator = h.deprivedList == nil ? ConditionEvaluator(household: h, date: date, workingAge: s.workingAge) : nil
        var deprived: [String] = []
        var unknown: [String] = []
        var indicatorNotes: [IndicatorExplanation] = []
        if options.explain { indicatorNotes.reserveCapacity(s.indicators.count) }
        for k in compiled.codes.indices {
            let code = compiled.codes[k]
            var isDeprived: Bool
            var known = true
            var trace: Trace? = options.explain ? Trace() : nil
            if hasAnswers, let answer = h.answer(code) {
                isDeprived = answer
                trace = nil
            } else if h.members.isEmpty && compiled.needsMembers[k] {
                let ind = s.indicators[k]
                guard !indicatorsNeeded else {
                    throw fail("members", "thiếu danh sách nhân khẩu để xác định chỉ số \(ind.code) (\(ind.name.vi)); hoặc trả lời trực tiếp bằng 'deprived'")
                }
                isDeprived = false; known = false
            } else {
                switch evaluator!.eval(compiled.conditions[k], member: nil, trace: trace) {
                case .yes: isDeprived = true
                case .no: isDeprived = false
                case .unknown(let m):
                    guard !indicatorsNeeded else {
                        let ind = s.indicators[k]
                        let who = m.memberID.map { id in
                            let member = h.members.first { $0.id == id }
                            return ", nhân khẩu \(member?.displayName ?? id)"
                        } ?? ""
                        let label = Fact(rawValue: m.fact)?.label ?? (m.fact == "birthDate" ? "ngày sinh hoặc năm sinh" : m.fact == "sex" ? "giới tính" : "danh sách nhân khẩu")
                        throw fail(m.memberID == nil ? m.fact : "members[\(m.memberID!)].\(m.fact)",
                                   "thiếu \(label)\(who), cần để xác định chỉ số \(ind.code) (\(ind.name.vi))")
                    }
                    isDeprived = false; known = false
                }
            }
            if isDeprived { deprived.append(code) }
            if !known { unknown.append(code) }
            if options.explain {
                let ind = s.indicators[k]
                indicatorNotes.append(IndicatorExplanation(
                    code: ind.code, name: ind.name.vi, dimension: ind.dimension, deprived: isDeprived,
                    source: !known ? "notNeeded" : h.answer(ind.code) != nil ? "answer" : "facts",
                    members: trace?.members.map { .init(id: $0.id, name: $0.name, facts: $0.facts) } ?? [],
                    facts: !known ? ["chưa có thông tin; không cần để phân loại hộ này"]
                        : (trace?.facts ?? []) + (trace?.counts ?? [])
                        + (!isDeprived && trace != nil && trace!.members.isEmpty && ind.condition.needsMembers
                           ? ["không nhân khẩu nào thỏa điều kiện"] : []),
                    rule: ind.rule.vi, verified: ind.verified, citation: ind.citation))
            }
        }
        deprived.sort()
        let count = deprived.count
        // Điểm B2 is scored when every indicator is known; above the line with facts missing it is not (no
        // B2 part was asked), rather than a 0 that would read as "no deprivation".
        let scoreB2 = indicatorsNeeded || unknown.isEmpty ? s.pointRule.map { $0.pointsPerIndicator.value * count } : nil
        let measured = measure == "scoreB1" ? scoreB2 ?? 0 : count

        var decided: ResolvedClause?
        for row in inBand {
            switch row.clause.deprivation {
            case .atLeastThreshold?: if measured < threshold { continue }
            case .belowThreshold?: if measured >= threshold { continue }
            case nil: break
            }
            decided = row; break
        }
        notes += unbounded.filter { u in decided.map { u.index < $0.index } ?? true }.map(\.note)
        if !indicatorsNeeded && options.explain {   // notes are read only in the explanation
            let what = measure == "scoreB1" ? (s.pointRule?.incomeScoreName ?? "điểm B1") : "thu nhập bình quân"
            let unit = measure == "scoreB1" ? " điểm" : " đồng/người/tháng"
            // The highest bound of a row that tests deprivations: above it, no deprivation can matter.
            let ceiling = rows.filter { $0.clause.deprivation != nil }.compactMap { row -> (String, Int)? in
                if case .value(let v) = row.hi, let name = row.clause.atMost { return (name, v) }
                return nil
            }.max { $0.1 < $1.1 }
            if let (name, v) = ceiling, value > v {
                notes.append("Không cần xét các chỉ số thiếu hụt: \(what) \(Format.money(value))\(unit) cao hơn \(lines[name]?.label?.vi ?? name) \(Format.money(v))\(unit) (\(area.vietnamese(s))), nên hộ không thuộc diện nghèo, cận nghèo dù thiếu hụt bao nhiêu chỉ số.")
            } else {
                notes.append("Không cần xét các chỉ số thiếu hụt: với \(what) \(Format.money(value))\(unit), dòng quy tắc áp dụng không phụ thuộc số chỉ số thiếu hụt.")
            }
        }
        var category = decided?.clause.category ?? .notPoor
        let subtype = decided?.clause.subtype
        if category == .middleIncome && s.middleIncomeRequiresAgriculture && h.agriculture != true {
            category = .notPoor
            notes.append(h.agriculture == nil
                ? "Thu nhập trong khoảng mức sống trung bình, nhưng không có thông tin hộ làm nông, lâm, ngư, diêm nghiệp ('agriculture'): xếp không thuộc diện."
                : "Thu nhập trong khoảng mức sống trung bình, nhưng hộ không làm nông, lâm, ngư, diêm nghiệp: xếp không thuộc diện.")
        }

        let flags = computeFlags(h, minority: options.minorityEthnicities)
        var explanation: Explanation?
        if options.explain {
            let used = Set(clauses.flatMap { [$0.above, $0.atMost].compactMap { $0 } })
            let thresholds = used.sorted().compactMap { name -> ThresholdUse? in
                guard let t = lines[name], let v = t.value(for: area) else { return nil }
                return ThresholdUse(name: name, label: t.label?.vi, value: v, verified: t.verified)
            }
            let ruleText: String
            let ruleVerified: Bool
            if let c = decided?.clause {
                ruleText = describe(c, lines: lines, area: area, areaName: area.vietnamese(s), measure: measure, threshold: threshold, points: s.pointRule)
                ruleVerified = c.verified
            } else {
                ruleText = "không thuộc dòng nào của quy tắc phân loại (hộ nghèo, hộ cận nghèo, hộ có mức sống trung bình)"
                ruleVerified = true
            }
            let thresholdInfo = measure == "scoreB1" ? s.pointRule!.scoreB2Threshold : s.deprivationThreshold
            explanation = Explanation(
                standard: .init(id: s.id, name: s.name.vi, kind: s.kind.rawValue, legalBasis: s.legalBasis.map(\.text),
                                unverifiedItems: s.unverifiedItems.count),
                referenceDate: date.description, area: area, areaSource: h.areaSource, measure: measure, value: value,
                thresholds: thresholds, indicators: indicatorNotes, deprivedCount: count,
                deprivationThreshold: thresholdInfo, scoreB2: scoreB2, indicatorsNeeded: indicatorsNeeded,
                rule: .init(category: category, subtype: subtype, text: ruleText, verified: ruleVerified,
                            citation: decided?.clause.citation),
                notes: notes,
                summary: summary(category: category, subtype: subtype, measure: measure, value: value, area: area,
                                 areaName: area.vietnamese(s), deprived: deprived, indicatorsNeeded: indicatorsNeeded,
                                 rule: ruleText, scoreName: s.pointRule?.incomeScoreName ?? "điểm B1"))
        }
        return Classification(code: h.code, standard: s.id, referenceDate: date.description, area: area,
                              category: category, subtype: subtype, deprived: deprived, deprivedCount: count,
                              scoreB2: scoreB2, indicatorsNeeded: indicatorsNeeded, unknownIndicators: unknown,
                              flags: flags, explanation: explanation)
    }

    static func computeFlags(_ h: Household, minority: Set<String>?) -> Flags {
        guard !h.members.isEmpty else { return Flags() }
        var f = Flags()
        let capacities = h.members.map(\.workingCapacity)
        if capacities.contains(true) { f.noWorkingCapacity = false }
        else if !capacities.contains(nil) { f.noWorkingCapacity = true }
        if let minority, let head = h.head, let e = head.ethnicity { f.ethnicMinorityHead = minority.contains(e) }
        func any(_ xs: [Bool?]) -> Bool? { xs.contains(true) ? true : (xs.contains(nil) ? nil : false) }
        f.meritoriousPerson = any(h.members.map(\.meritorious))
        f.socialAssistance = any(h.members.map(\.socialAllowance))
        return f
    }

    static func describe(_ c: ClassificationClause, lines: [String: AreaThreshold], area: Area, areaName: String,
                         measure: String, threshold: Int, points: PointRule?) -> String {
        let byScore = measure == "scoreB1"
        let unit = byScore ? " điểm" : " đồng/người/tháng"
        return c.describe(what: byScore ? points?.incomeScoreName ?? "điểm B1" : "thu nhập bình quân",
                          deprivation: byScore ? points?.deprivationScoreName ?? "điểm B2" : "số chỉ số thiếu hụt",
                          threshold: threshold) { name in
            let t = lines[name]
            return "\(t?.value(for: area).map { Format.money($0) } ?? "?")\(unit) (\(t?.label?.vi ?? name), \(areaName))"
        }
    }

    static func summary(category: Category, subtype: PoorSubtype?, measure: String, value: Int, area: Area, areaName: String,
                        deprived: [String], indicatorsNeeded: Bool, rule: String, scoreName: String) -> LocalizedText {
        let cat = category.vietnamese + (subtype.map { " (\($0.vietnamese))" } ?? "")
        let v = measure == "scoreB1" ? "\(scoreName) = \(value)" : "thu nhập bình quân \(Format.money(value)) đồng/người/tháng"
        let d = !indicatorsNeeded ? "không cần xét chỉ số thiếu hụt"
            : deprived.isEmpty ? "không thiếu hụt chỉ số nào" : "thiếu hụt \(deprived.count) chỉ số: \(deprived.joined(separator: ", "))"
        let dEn = !indicatorsNeeded ? "deprivations not needed"
            : "\(deprived.count) deprived indicator(s)\(deprived.isEmpty ? "" : ": " + deprived.joined(separator: ", "))"
        let en = "\(category.rawValue)\(subtype.map { " (\($0.rawValue))" } ?? ""): \(measure) \(value), \(area.rawValue), \(dEn)"
        return LocalizedText(vi: "\(cat). Khu vực \(areaName); \(v); \(d). Quy tắc: \(rule).", en: en)
    }
}

extension Condition {
    /// Whether the rule reads the member list (so an empty list must not be taken as "no one is deprived").
    var needsMembers: Bool {
        switch self {
        case .anyMember, .memberShareAbove: return true
        case .all(let xs), .any(let xs), .atLeast(_, let xs): return xs.contains { $0.needsMembers }
        case .not(let x): return x.needsMembers
        default: return false
        }
    }
}

extension Classification {
    enum CodingKeys: String, CodingKey {
        case code, standard, referenceDate, area, category, subtype, deprived, deprivedCount, scoreB2, indicatorsNeeded,
             unknownIndicators, flags, explanation
    }
    /// Writes `subtype` and `scoreB2` as explicit nulls: consumers test for the key, not its absence.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code, forKey: .code); try c.encode(standard, forKey: .standard)
        try c.encode(referenceDate, forKey: .referenceDate); try c.encode(area, forKey: .area)
        try c.encode(category, forKey: .category); try c.encode(subtype, forKey: .subtype)
        try c.encode(deprived, forKey: .deprived); try c.encode(deprivedCount, forKey: .deprivedCount)
        try c.encode(scoreB2, forKey: .scoreB2); try c.encode(indicatorsNeeded, forKey: .indicatorsNeeded)
        if !unknownIndicators.isEmpty { try c.encode(unknownIndicators, forKey: .unknownIndicators) }
        try c.encode(flags, forKey: .flags)
        try c.encodeIfPresent(explanation, forKey: .explanation)
    }
}

extension Flags {
    enum CodingKeys: String, CodingKey { case noWorkingCapacity, ethnicMinorityHead, meritoriousPerson, socialAssistance }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(noWorkingCapacity, forKey: .noWorkingCapacity); try c.encode(ethnicMinorityHead, forKey: .ethnicMinorityHead)
        try c.encode(meritoriousPerson, forKey: .meritoriousPerson); try c.encode(socialAssistance, forKey: .socialAssistance)
    }
}
