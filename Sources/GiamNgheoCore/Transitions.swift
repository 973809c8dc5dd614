/// What a household's recognised category in one review year means against the years before it
/// (the project's derived-status rule, docs/glossary.md): newly poor, re-poor, exited, … Pure: the
/// recognised categories by year in, one transition out. The look-back for "re-" is the whole history
/// given (its horizon is UNCONFIRMED; callers choose what history to pass).
public enum Transition: String, Sendable, CaseIterable, Codable {
    case newlyPoor, rePoor, remainedPoor
    case exitedPoorToNearPoor, exitedPoor
    case newlyNearPoor, reNearPoor, remainedNearPoor, exitedNearPoor
    /// Not poor or near-poor, and was not the year before either.
    case none

    public var vietnamese: String {
        switch self {
        case .newlyPoor: return "Hộ nghèo phát sinh"
        case .rePoor: return "Hộ tái nghèo"
        case .remainedPoor: return "Hộ nghèo cũ"
        case .exitedPoorToNearPoor: return "Hộ thoát nghèo (thành hộ cận nghèo)"
        case .exitedPoor: return "Hộ thoát nghèo"
        case .newlyNearPoor: return "Hộ cận nghèo phát sinh"
        case .reNearPoor: return "Hộ tái cận nghèo"
        case .remainedNearPoor: return "Hộ cận nghèo cũ"
        case .exitedNearPoor: return "Hộ thoát cận nghèo"
        case .none: return "Không thuộc diện"
        }
    }

    /// Whether this event takes the household out of poverty (for the "recently exited" window).
    public var exitsPoverty: Bool { self == .exitedPoor || self == .exitedPoorToNearPoor }

    /// The transition of `year`, from the recognised categories by year. A year with no recognised
    /// category (not reviewed, not yet living here) counts as "not poor, not near-poor".
    public static func of(year: Int, history: [Int: Category]) -> Transition? {
        guard let now = history[year] else { return nil }
        let before = history[year - 1]
        let poorNow = now == .poor, nearNow = now == .nearPoor
        let poorBefore = before == .poor, nearBefore = before == .nearPoor
        // An exit event in an earlier year: poor (near-poor) one year, no longer the next.
        let first = history.keys.min() ?? year
        func exitedBefore(_ c: Category) -> Bool {
            // Years with no record in between count as "not on the list", so they end a spell too.
            (first + 1..<max(first + 1, year)).contains { y in history[y - 1] == c && history[y] != c }
        }
        switch (poorNow, nearNow) {
        case (true, _):
            if poorBefore { return .remainedPoor }
            return exitedBefore(.poor) ? .rePoor : .newlyPoor
        case (_, true):
            if poorBefore { return .exitedPoorToNearPoor }
            if nearBefore { return .remainedNearPoor }
            return exitedBefore(.nearPoor) ? .reNearPoor : .newlyNearPoor
        default:
            if poorBefore { return .exitedPoor }
            if nearBefore { return .exitedNearPoor }
            return Transition.none
        }
    }

    /// "Hộ mới thoát nghèo": out of poverty by a recognition decided on `exitDecided`, still within
    /// `windowMonths` (36 by default, regulations §6.6; configurable per support policy) on `asOf`.
    /// The same window as a cut-off a query can use: an exit decided on a day after `afterDay` is within it.
    /// For an exit known only by its review year (no decision date), the periodic deadline (14/12) is taken
    /// as its day, so years from `minYear` on are within it.
    public static func recentlyExitedCutoff(asOf: CivilDate, windowMonths: Int = 36) -> (afterDay: CivilDate, minYear: Int) {
        let months = asOf.year * 12 + (asOf.month - 1) - windowMonths
        let year = months >= 0 ? months / 12 : (months - 11) / 12
        let month = months - year * 12 + 1
        // The same day `windowMonths` earlier, clamped to the month's end (31/03 − 1 month → 28/02).
        let after = CivilDate(year: year, month: month, day: min(asOf.day, CivilDate.daysIn(month: month, year: year)))!
        let minYear = (after.month, after.day) < (12, 14) ? after.year : after.year + 1
        return (after, minYear)
    }

    public static func recentlyExited(exitDecided: CivilDate, asOf: CivilDate, windowMonths: Int = 36) -> Bool {
        guard asOf >= exitDecided else { return false }
        let months = (asOf.year - exitDecided.year) * 12 + (asOf.month - exitDecided.month) - (asOf.day < exitDecided.day ? 1 : 0)
        return months < windowMonths
    }
}
