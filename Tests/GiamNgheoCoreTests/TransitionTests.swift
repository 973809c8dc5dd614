import GiamNgheoCore
import GiamNgheoTestSupport
import Testing

/// Transitions by year (regulations §6.6), as the tables of the seeds count them.
@Suite struct TransitionTests {
    func history(_ s: String) -> [Int: Category] {
        // "2022:P 2023:N 2024:-" — P poor, N near-poor, M middle income, - not poor
        var h: [Int: Category] = [:]
        for part in s.split(separator: " ") {
            let kv = part.split(separator: ":")
            let c: Category
            switch kv[1] { case "P": c = .poor; case "N": c = .nearPoor; case "M": c = .middleIncome; default: c = .notPoor }
            h[Int(kv[0])!] = c
        }
        return h
    }

    @Test func eachYearAgainstTheYearsBefore() {
        for r in table("""
        | history                          | year | transition           |
        | 2024:P                           | 2024 | newlyPoor            |
        | 2023:- 2024:P                    | 2024 | newlyPoor            |
        | 2023:P 2024:P                    | 2024 | remainedPoor         |
        | 2022:P 2023:- 2024:P             | 2024 | rePoor               |
        | 2021:P 2022:N 2023:N 2024:P      | 2024 | rePoor               |
        | 2022:N 2023:- 2024:P             | 2024 | newlyPoor            |
        | 2023:P 2024:N                    | 2024 | exitedPoorToNearPoor |
        | 2023:P 2024:-                    | 2024 | exitedPoor           |
        | 2023:P 2024:M                    | 2024 | exitedPoor           |
        | 2023:N 2024:N                    | 2024 | remainedNearPoor     |
        | 2023:- 2024:N                    | 2024 | newlyNearPoor        |
        | 2022:N 2023:- 2024:N             | 2024 | reNearPoor           |
        | 2023:N 2024:-                    | 2024 | exitedNearPoor       |
        | 2023:- 2024:-                    | 2024 | none                 |
        | 2023:P 2025:P                    | 2025 | rePoor               |
        """) {
            let t = Transition.of(year: Int(r["year"]!)!, history: history(r["history"]!))
            #expect(t?.rawValue == r["transition"], "\(r)")
        }
        // A year not reviewed has no transition.
        #expect(Transition.of(year: 2025, history: history("2024:P")) == nil)
        // Exits from poverty are the events that open the "recently exited" window.
        #expect(Transition.allCases.filter(\.exitsPoverty) == [.exitedPoorToNearPoor, .exitedPoor])
    }

    @Test func recentlyExitedWindow() {
        let exit = CivilDate(year: 2023, month: 12, day: 14)!
        #expect(Transition.recentlyExited(exitDecided: exit, asOf: CivilDate(year: 2026, month: 12, day: 13)!))
        #expect(!Transition.recentlyExited(exitDecided: exit, asOf: CivilDate(year: 2026, month: 12, day: 14)!))
        #expect(!Transition.recentlyExited(exitDecided: exit, asOf: CivilDate(year: 2023, month: 12, day: 13)!))
        #expect(Transition.recentlyExited(exitDecided: exit, asOf: CivilDate(year: 2024, month: 12, day: 14)!, windowMonths: 12) == false)
        #expect(Transition.recentlyExited(exitDecided: exit, asOf: CivilDate(year: 2024, month: 12, day: 13)!, windowMonths: 12))
    }
}

/// The cut-off a query uses agrees with the rule itself, day by day over years, leap days included.
@Suite struct RecentlyExitedCutoffTests {
    @Test func cutoffAgreesWithTheRule() {
        let start = CivilDate(year: 2023, month: 1, day: 1)!
        for window in [1, 12, 36] {
            for asOfStep in stride(from: 0, to: 1500, by: 37) {
                let asOf = start.adding(days: asOfStep + 900)
                let cut = Transition.recentlyExitedCutoff(asOf: asOf, windowMonths: window)
                for back in stride(from: 0, to: window * 31 + 40, by: 1) {
                    let decided = asOf.adding(days: -back)
                    #expect((decided > cut.afterDay) == Transition.recentlyExited(exitDecided: decided, asOf: asOf, windowMonths: window),
                            "\(decided) as of \(asOf), \(window) months")
                }
                // A year-only exit counts as decided on 14/12 of its year.
                for y in asOf.year - 4...asOf.year {
                    let d = CivilDate(year: y, month: 12, day: 14)!
                    guard d <= asOf else { continue }
                    #expect((y >= cut.minYear) == Transition.recentlyExited(exitDecided: d, asOf: asOf, windowMonths: window))
                }
            }
        }
    }
}
