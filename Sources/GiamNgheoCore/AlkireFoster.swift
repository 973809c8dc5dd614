/// An exact fraction: AF indices are ratios of integer counts, so they are kept exact and only
/// turned into decimals for display (a float dot product can misclassify at exactly k).
public struct Fraction: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let numerator: Int
    public let denominator: Int

    public init(_ n: Int, _ d: Int) {
        precondition(d != 0, "mẫu số bằng 0")
        let g = Fraction.gcd(abs(n), abs(d))
        let sign = d < 0 ? -1 : 1
        numerator = g == 0 ? 0 : sign * n / g
        denominator = g == 0 ? 1 : sign * d / g
    }

    static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

    public var double: Double { Double(numerator) / Double(denominator) }
    public static func < (a: Fraction, b: Fraction) -> Bool { a.numerator * b.denominator < b.numerator * a.denominator }
    public static func + (a: Fraction, b: Fraction) -> Fraction {
        Fraction(a.numerator * b.denominator + b.numerator * a.denominator, a.denominator * b.denominator)
    }
    public static func * (a: Fraction, b: Fraction) -> Fraction { Fraction(a.numerator * b.numerator, a.denominator * b.denominator) }
    public var description: String { "\(numerator)/\(denominator)" }
}

/// The Alkire–Foster adjusted headcount ratio and its partial indices (Alkire and Foster, J. Public Economics 95, 2011), computed
/// from integer counts. Vietnam's rule is AF with equal weights and k = 3 of 12, plus an income
/// condition AF does not have; these indices describe the registry, they do not classify.
public struct AFMeasures: Sendable, Equatable {
    public var households: Int
    public var poor: Int
    /// H: share of units that are poor.
    public var headcount: Fraction
    /// A: average weighted deprivation share among the poor.
    public var intensity: Fraction
    /// M0 = H × A.
    public var adjustedHeadcount: Fraction
    /// Uncensored headcount per indicator: share deprived.
    public var uncensored: [Fraction]
    /// Censored headcount per indicator: share poor and deprived.
    public var censored: [Fraction]
    /// Percentage contribution of each indicator to M0 (sums to 1 when M0 > 0).
    public var contribution: [Fraction]
}

public enum AlkireFoster {
    /// `rows[i][j]`: unit i deprived in indicator j. `weights` are integers (equal by default);
    /// a unit is poor when its weighted count reaches `cutoff` (in the same integer units).
    public static func measure(_ rows: [[Bool]], cutoff: Int, weights: [Int]? = nil) -> AFMeasures {
        let d = rows.first?.count ?? 0
        let w = weights ?? Array(repeating: 1, count: d)
        let total = w.reduce(0, +)
        let n = rows.count
        var poor = 0, poorScore = 0
        var dep = Array(repeating: 0, count: d), poorDep = Array(repeating: 0, count: d)
        for r in rows {
            var score = 0
            for j in 0..<d where r[j] { score += w[j]; dep[j] += 1 }
            if score >= cutoff {
                poor += 1; poorScore += score
                for j in 0..<d where r[j] { poorDep[j] += 1 }
            }
        }
        let safeN = max(n, 1)
        return AFMeasures(
            households: n, poor: poor,
            headcount: Fraction(poor, safeN),
            intensity: poor == 0 ? Fraction(0, 1) : Fraction(poorScore, poor * total),
            adjustedHeadcount: Fraction(poorScore, safeN * max(total, 1)),
            uncensored: dep.map { Fraction($0, safeN) },
            censored: poorDep.map { Fraction($0, safeN) },
            contribution: (0..<d).map { j in poorScore == 0 ? Fraction(0, 1) : Fraction(w[j] * poorDep[j], poorScore) })
    }
}

extension AlkireFoster {
    /// The same measures from counts, as the report summaries keep them (equal weights): households by number
    /// of deprivations, and deprived in each indicator by that number. Exact for any integer cut-off, so a
    /// province's indices need no household read (issue 6 §6).
    public static func measure(households n: Int, byScore: [Int: Int], byScoreIndicator: [Int: [String: Int]],
                               byIndicator: [String: Int], indicators: [String], cutoff: Int) -> AFMeasures {
        let d = indicators.count
        let k = max(cutoff, 1)
        var poor = 0, poorScore = 0
        for (s, count) in byScore where s >= k { poor += count; poorScore += s * count }
        var censored: [String: Int] = [:]
        for (s, byInd) in byScoreIndicator where s >= k { for (j, c) in byInd { censored[j, default: 0] += c } }
        let safeN = max(n, 1)
        return AFMeasures(
            households: n, poor: poor,
            headcount: Fraction(poor, safeN),
            intensity: poor == 0 ? Fraction(0, 1) : Fraction(poorScore, poor * max(d, 1)),
            adjustedHeadcount: Fraction(poorScore, safeN * max(d, 1)),
            uncensored: indicators.map { Fraction(byIndicator[$0] ?? 0, safeN) },
            censored: indicators.map { Fraction(censored[$0] ?? 0, safeN) },
            contribution: indicators.map { poorScore == 0 ? Fraction(0, 1) : Fraction(censored[$0] ?? 0, poorScore) })
    }

    /// Absolute contribution of each indicator: weight share × censored headcount (Σ = M0).
    public static func absoluteContribution(_ m: AFMeasures, weights: [Int]? = nil) -> [Fraction] {
        let w = weights ?? Array(repeating: 1, count: m.censored.count)
        let total = max(w.reduce(0, +), 1)
        return zip(w, m.censored).map { Fraction($0, total) * $1 }
    }
}

extension AlkireFoster {
    /// AF over report summary cells (one unit's, or a subgroup's): households whose deprivations are known,
    /// i.e. every classified household; those not classified yet ("incomplete") are left out and counted, as
    /// as the OPHI guidance asks (a missing indicator is flagged, never silently "not deprived").
    public static func measure(cells: [CellCount], indicators: [String], cutoff: Int,
                               include: (CellCount) -> Bool = { _ in true }) -> (measures: AFMeasures, excluded: Int) {
        var n = 0, excluded = 0
        var byScore: [Int: Int] = [:], bySI: [Int: [String: Int]] = [:], byInd: [String: Int] = [:]
        for c in cells where include(c) {
            if c.category == "incomplete" { if c.dim == "all" { excluded += c.households }; continue }
            switch c.dim {
            case "score": if let s = Int(c.key) { byScore[s, default: 0] += c.households; n += c.households }
            case "indicator": byInd[c.key, default: 0] += c.households
            case "scoreIndicator":
                let parts = c.key.split(separator: ":", maxSplits: 1)
                if parts.count == 2, let s = Int(parts[0]) { bySI[s, default: [:]][String(parts[1]), default: 0] += c.households }
            default: break
            }
        }
        return (measure(households: n, byScore: byScore, byScoreIndicator: bySI, byIndicator: byInd, indicators: indicators, cutoff: cutoff), excluded)
    }
}
