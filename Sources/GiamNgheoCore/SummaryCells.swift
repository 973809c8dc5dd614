/// What one household contributes to the maintained report summaries in one review year. Every report
/// figure is a sum of these integer cells, so a province is the sum of its communes by construction
/// (issue 6; transitions as docs/glossary.md names them). Pure: the storage layer loads subjects, adds or subtracts
/// their cells in the same transaction as the change, and `verify-summaries` recomputes them.
public struct SummarySubject: Sendable, Equatable {
    /// The household (0 when not needed): lets a drill-down list exactly the households a cell counts.
    public var household: Int = 0
    public var year: Int
    public var commune: String
    /// The commune before 1 July 2025, when known ("" otherwise): the 2024 structure is summed from it.
    public var oldCommune: String
    public var village: String
    public var standard: String
    /// The category this year, or `SummarySubject.archived` for a household that left the registry.
    public var category: String
    public var urban: Bool
    public var minority: Bool
    public var persons: Int
    /// Full detail (indicators, causes, traits) exists only for the registry's current state; earlier years
    /// carry the category and its movement only.
    public var current: Bool
    /// Whether the deprivations of this year are known (always for the current state; for an earlier year
    /// when its review recorded them): the score and indicator cells, hence AF over time.
    public var scored: Bool
    public var deprived: [String]
    public var causes: [String]
    public var traits: [String]
    /// The head's ethnic group (code; "" unknown): form 9 by ethnic group, and DTTC (forms 12, 13).
    public var ethnicity: String = ""
    /// Children (< 16) of the household by what form 11 counts (`ChildDeprivation` keys → number of children).
    public var children: [String: Int] = [:]
    /// The category the year before ("none" when the household was not on any list).
    public var previous: String
    public var transition: Transition?

    public static let archived = "archived"

    public init(year: Int, commune: String, oldCommune: String = "", village: String, standard: String, category: String,
                urban: Bool, minority: Bool, persons: Int, current: Bool, deprived: [String] = [], causes: [String] = [],
                traits: [String] = [], previous: String = "none", transition: Transition? = nil) {
        self.year = year; self.commune = commune; self.oldCommune = oldCommune; self.village = village
        self.standard = standard; self.category = category; self.urban = urban; self.minority = minority
        self.persons = persons; self.current = current; self.scored = current; self.deprived = deprived; self.causes = causes
        self.traits = traits; self.previous = previous; self.transition = transition
    }
}

/// One summary cell: counts of households and persons for a key.
public struct SummaryKey: Hashable, Sendable, Comparable {
    public var year: Int
    public var commune: String
    public var oldCommune: String
    /// A village name, or `SummaryKey.communeTotal` for the commune's own total row (what province-level
    /// reports read, so that they sum communes rather than villages).
    public var village: String
    public var standard: String
    public var category: String
    public var urban: Bool
    public var minority: Bool
    public var dim: SummaryDimension
    public var key: String

    public static let communeTotal = "*"

    public init(year: Int, commune: String, oldCommune: String, village: String, standard: String, category: String,
                urban: Bool, minority: Bool, dim: SummaryDimension, key: String) {
        self.year = year; self.commune = commune; self.oldCommune = oldCommune; self.village = village
        self.standard = standard; self.category = category; self.urban = urban; self.minority = minority
        self.dim = dim; self.key = key
    }

    /// Field by field, without building arrays: an import's upsert sorts a few hundred thousand keys.
    public static func < (a: SummaryKey, b: SummaryKey) -> Bool {
        if a.year != b.year { return a.year < b.year }
        if a.commune != b.commune { return a.commune < b.commune }
        if a.oldCommune != b.oldCommune { return a.oldCommune < b.oldCommune }
        if a.village != b.village { return a.village < b.village }
        if a.standard != b.standard { return a.standard < b.standard }
        if a.category != b.category { return a.category < b.category }
        if a.dim != b.dim { return a.dim.rawValue < b.dim.rawValue }
        if a.key != b.key { return a.key < b.key }
        if a.urban != b.urban { return !a.urban }
        return !a.minority && b.minority
    }
}

public enum SummaryDimension: String, Sendable, CaseIterable, Codable {
    /// Every household once ("" key).
    case all
    /// One per deprived indicator (key: indicator code).
    case indicator
    /// Number of deprived indicators (key: "0"…"12"): AF headcounts at any integer cut-off.
    case score
    /// Deprived indicator by deprivation count (key: "count:code"): AF censored headcounts at any cut-off.
    case scoreIndicator
    /// Each poverty cause, and the main (first) one.
    case cause, mainCause
    /// Household characteristics (key: `HouseholdTrait` raw value).
    case trait
    /// The head's ethnic group (key: its code): form 9.
    case ethnicity
    /// Children (< 16): key a `ChildDeprivation`; persons are the children counted, households those with any.
    case child
    /// The movement of the year, "previous>transition" (previous: last year's category or "none"; transition:
    /// the §6.6 `Transition`, "" for a household that left): with this year's category it gives every
    /// column of the movement tables (report form 2, 3, Circular 07/2021/TT-BLĐTBXH) from one cell, so they reconcile exactly.
    case movement
}

/// Characteristics the official tables count (report form 8, 12; issue 6 (d, Circular 07/2021/TT-BLĐTBXH)).
public enum HouseholdTrait: String, Sendable, CaseIterable, Codable {
    case meritorious, socialAssistance, noWorkingCapacity, elderly, disabled, children, femaleHead, agriculture

    public var vietnamese: String {
        switch self {
        case .meritorious: return "Có người có công"
        case .socialAssistance: return "Có người hưởng trợ cấp xã hội"
        case .noWorkingCapacity: return "Không có khả năng lao động"
        case .elderly: return "Có người cao tuổi (≥ 60)"
        case .disabled: return "Có người khuyết tật"
        case .children: return "Có trẻ em (< 16)"
        case .femaleHead: return "Chủ hộ là nữ"
        case .agriculture: return "Làm nông, lâm, ngư nghiệp"
        }
    }

    /// The traits of a household on a date; an unknown fact never counts as the trait.
    public static func of(_ h: Household, flags: Flags?, on date: CivilDate) -> [HouseholdTrait] {
        var t: [HouseholdTrait] = []
        if flags?.meritoriousPerson == true || h.members.contains(where: { $0.meritorious == true }) { t.append(.meritorious) }
        if flags?.socialAssistance == true || h.members.contains(where: { $0.socialAllowance == true }) { t.append(.socialAssistance) }
        if flags?.noWorkingCapacity == true { t.append(.noWorkingCapacity) }
        let ages = h.members.compactMap { $0.age(on: date) }
        if ages.contains(where: { $0 >= 60 }) { t.append(.elderly) }
        if h.members.contains(where: { $0.disabled == true }) { t.append(.disabled) }
        if ages.contains(where: { $0 < 16 }) { t.append(.children) }
        if h.head?.sex == "female" { t.append(.femaleHead) }
        if h.agriculture == true { t.append(.agriculture) }
        return t
    }
}

public enum SummaryCells {
    /// The keys one subject adds one household (and its persons) to, at its village and at the commune total.
    public static func keys(_ s: SummarySubject) -> [SummaryKey] { weightedKeys(s).map(\.key) }

    /// The keys with the persons each adds: the household's members, or for a child key its children counted.
    public static func weightedKeys(_ s: SummarySubject) -> [(key: SummaryKey, persons: Int)] {
        var pairs: [(SummaryDimension, String)] = [(.movement, s.previous + ">" + (s.transition?.rawValue ?? ""))]
        var weights: [String: Int] = [:]
        if s.category != SummarySubject.archived {
            pairs.append((.all, ""))
            if s.scored {
                let n = s.deprived.count
                pairs.append((.score, String(n)))
                for d in s.deprived { pairs.append((.indicator, d)); pairs.append((.scoreIndicator, "\(n):\(d)")) }
            }
            if s.current {
                for c in s.causes { pairs.append((.cause, c)) }
                if let main = s.causes.first { pairs.append((.mainCause, main)) }
                for t in s.traits { pairs.append((.trait, t)) }
                if !s.ethnicity.isEmpty { pairs.append((.ethnicity, s.ethnicity)) }
                for (k, n) in s.children.sorted(by: { $0.key < $1.key }) where n > 0 {
                    pairs.append((.child, k)); weights[k] = n
                }
            }
        }
        var out: [(key: SummaryKey, persons: Int)] = []
        out.reserveCapacity(pairs.count * 2)
        for village in [s.village, SummaryKey.communeTotal] {
            for (dim, key) in pairs {
                out.append((SummaryKey(year: s.year, commune: s.commune, oldCommune: s.oldCommune, village: village,
                                       standard: s.standard, category: s.category, urban: s.urban, minority: s.minority,
                                       dim: dim, key: key),
                            dim == .child ? weights[key] ?? 0 : s.persons))
            }
        }
        return out
    }

    /// Households and persons per key, summed over subjects with a sign (+1 added, -1 removed); zero cells dropped.
    public static func tally(_ subjects: [(SummarySubject, Int)]) -> [SummaryKey: (households: Int, persons: Int)] {
        var out: [SummaryKey: (households: Int, persons: Int)] = [:]
        for (s, sign) in subjects {
            for (k, persons) in weightedKeys(s) {
                let v = out[k] ?? (0, 0)
                out[k] = (v.households + sign, v.persons + sign * persons)
            }
        }
        return out.filter { $0.value.households != 0 || $0.value.persons != 0 }
    }

    /// A household's subjects: its current state in `year` and one per earlier recorded year.
    /// `history` is category by year (earlier years; the current year's entry, if any, is ignored).
    public static func subjects(year: Int, commune: String, oldCommune: String, village: String, standard: String,
                                category: String, archived: Bool, urban: Bool, minority: Bool, persons: Int,
                                deprived: [String], causes: [String], traits: [String], ethnicity: String = "",
                                children: [String: Int] = [:],
                                history: [Int: (category: String, standard: String, deprived: [String]?)]) -> [SummarySubject] {
        var categories: [Int: Category] = [:]
        for (y, c) in history where y < year { if let cat = Category(rawValue: c.category) { categories[y] = cat } }
        func previous(_ y: Int) -> String { history[y - 1].map(\.category) ?? "none" }
        var out: [SummarySubject] = []
        for (y, c) in history where y < year {
            var past = SummarySubject(year: y, commune: commune, oldCommune: oldCommune, village: village, standard: c.standard,
                                      category: c.category, urban: urban, minority: minority, persons: persons, current: false,
                                      deprived: c.deprived ?? [], previous: previous(y), transition: Transition.of(year: y, history: categories))
            past.scored = c.deprived != nil
            out.append(past)
        }
        var now = categories
        let nowCategory = archived ? SummarySubject.archived : category
        if let c = Category(rawValue: category), !archived { now[year] = c } else { now[year] = .notPoor }
        var current = SummarySubject(year: year, commune: commune, oldCommune: oldCommune, village: village, standard: standard,
                                     category: nowCategory, urban: urban, minority: minority, persons: persons, current: true,
                                     deprived: deprived, causes: causes, traits: traits, previous: previous(year),
                                     transition: archived ? nil : Transition.of(year: year, history: now))
        current.ethnicity = ethnicity; current.children = children
        out.append(current)
        return out
    }
}

/// What form 11 counts of the children (< 16) of poor and near-poor households (report form 11, Circular 07/2021/TT-BLĐTBXH):
/// without health insurance or malnourished (health), not attending school at 3 to under 16 (education).
/// An unknown fact never counts. UNCONFIRMED layout (the form's own definitions were not available).
public enum ChildDeprivation: String, Sendable, CaseIterable {
    case all, noInsurance, malnutrition, health, notAttending

    public var vietnamese: String {
        switch self {
        case .all: return "Số trẻ em (dưới 16 tuổi)"
        case .noInsurance: return "Không có BHYT"
        case .malnutrition: return "Suy dinh dưỡng"
        case .health: return "Thiếu hụt y tế (không BHYT hoặc suy dinh dưỡng)"
        case .notAttending: return "Không đi học đúng bậc (3 đến dưới 16 tuổi)"
        }
    }

    /// Children counted per key on a date.
    public static func counts(_ h: Household, on date: CivilDate) -> [String: Int] {
        var out: [String: Int] = [:]
        for m in h.members {
            guard let age = m.age(on: date), age < 16 else { continue }
            out["all", default: 0] += 1
            let noInsurance = m.healthInsurance == false
            let malnourished = m.nutrition == "stunted" || m.nutrition == "underweight"
            if noInsurance { out["noInsurance", default: 0] += 1 }
            if malnourished { out["malnutrition", default: 0] += 1 }
            if noInsurance || malnourished { out["health", default: 0] += 1 }
            if age >= 3 && (m.schooling == "notAttending" || m.schooling == "attendingBelowLevel") { out["notAttending", default: 0] += 1 }
        }
        return out
    }

    /// The tokens stored with a household for the summaries ("child:all:3", "eth:31"), beside its traits.
    public static func tokens(_ h: Household, on date: CivilDate) -> [String] {
        var out: [String] = []
        if let e = h.head?.ethnicity { out.append("eth:" + e) }   // the head, as the minority flag
        for (k, n) in counts(h, on: date).sorted(by: { $0.key < $1.key }) where n > 0 { out.append("child:\(k):\(n)") }
        return out
    }

    /// Splits a stored list into traits, the head's ethnic group and the children's counts.
    public static func split(_ stored: [String]) -> (traits: [String], ethnicity: String, children: [String: Int]) {
        var traits: [String] = [], ethnicity = "", children: [String: Int] = [:]
        for t in stored {
            if t.hasPrefix("eth:") { ethnicity = String(t.dropFirst(4)) }
            else if t.hasPrefix("child:") {
                let parts = t.split(separator: ":")
                if parts.count == 3, let n = Int(parts[2]) { children[String(parts[1])] = n }
            } else { traits.append(t) }
        }
        return (traits, ethnicity, children)
    }
}
