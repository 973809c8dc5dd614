import Testing
import GiamNgheoCore

/// Laws that must hold for every household, checked over many seeded random cases.
@Suite struct PropertyTests {
    static let standards = [qd59, nd07, nd351]

    /// One more deprivation never moves a household from poor to non-poor (nor to a better category).
    @Test(arguments: standards.map(\.id)) func oneMoreDeprivationNeverImproves(_ id: String) throws {
        let s = catalogue.standard(id: id)!
        var rng = SeededRandom(seed: 42)
        let codes = s.indicators.map(\.code)
        for _ in 0..<3000 {
            let subset = codes.filter { _ in rng.chance(0.25) }
            let area: Area = rng.chance(0.5) ? .rural : .urban
            let income = rng.int(0...3_500_000)
            let agri = rng.chance(0.5)
            let before = try classify(direct(subset, income: income, area: area, agriculture: agri), s)
            for extra in codes where !subset.contains(extra) {
                let after = try classify(direct(subset + [extra], income: income, area: area, agriculture: agri), s)
                #expect(after.category.severity <= before.category.severity, "\(s.id) \(subset)+\(extra) \(income)")
                if before.category == .poor { #expect(after.category == .poor) }
            }
        }
    }

    /// Less income never improves the category (agriculture households, so middle income counts).
    @Test(arguments: standards.map(\.id)) func lessIncomeNeverImproves(_ id: String) throws {
        let s = catalogue.standard(id: id)!
        var rng = SeededRandom(seed: 7)
        for _ in 0..<2000 {
            let subset = s.indicators.map(\.code).filter { _ in rng.chance(0.3) }
            let area: Area = rng.chance(0.5) ? .rural : .urban
            let a = rng.int(0...4_000_000), b = rng.int(0...4_000_000)
            let lo = try classify(direct(subset, income: min(a, b), area: area, agriculture: true), s)
            let hi = try classify(direct(subset, income: max(a, b), area: area, agriculture: true), s)
            #expect(lo.category.severity <= hi.category.severity, "\(s.id) \(min(a, b)) vs \(max(a, b))")
        }
    }

    /// Income exactly at a line is inside it ("từ … trở xuống"): the household is poor or near-poor.
    @Test(arguments: standards.map(\.id)) func incomeAtTheLineIsInside(_ id: String) throws {
        let s = catalogue.standard(id: id)!
        let lineName = s.incomeLines["income"] != nil ? "income" : "nearPoverty"
        for area in Area.allCases {
            let line = s.incomeLines[lineName]!.value(for: area)!
            for n in 0...s.indicators.count {
                let c = try classify(direct(Array(s.indicators.map(\.code).prefix(n)), income: line, area: area), s)
                #expect(c.category == (n >= 3 ? .poor : .nearPoor), "\(s.id) \(area) \(n)")
                let above = try classify(direct(Array(s.indicators.map(\.code).prefix(n)), income: line + 1, area: area), s)
                #expect(above.category == .notPoor, "\(s.id) \(area) \(n)")
            }
        }
    }

    /// The direct-answer path and the fact path agree: classifying a generated household from its
    /// facts, then from only its deprivation list, gives the same category.
    @Test func factsAndDirectListAgree() throws {
        let gen = generator
        var checked = 0
        try gen.generate(.init(province: "46", households: 1500, seed: 3, referenceDate: refDate, includeStories: false)) { h in
            let fromFacts = try classify(h)
            var d = Household(code: h.code, area: h.area, incomePerCapita: h.incomePerCapita, agriculture: h.agriculture, size: h.members.count)
            d.deprivedList = fromFacts.deprived
            let fromList = try classify(d)
            #expect(fromList.category == fromFacts.category && fromList.deprived == fromFacts.deprived)
            checked += 1
        }
        #expect(checked == 1500)
    }
}
