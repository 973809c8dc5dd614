import Testing
import GiamNgheoCore

/// Income decides first (Decree 07/2021 Art. 3; Decree 351/2025): poor and near-poor both need income at or
/// below the line, so a household above it is "not poor" (or "middle income" when it farms, within the
/// band) from its income alone, and no deprivation fact is asked for.
@Suite struct IncomeDecidesFirstTests {
    func incomeOnly(_ income: Int, area: Area = .rural, agriculture: Bool? = nil) -> Household {
        var h = Household(code: "I", area: area, incomePerCapita: income)
        h.agriculture = agriculture
        return h
    }

    @Test func aboveTheLineNeedsNoIndicator() throws {
        for r in table("""
        | area  | income    | agriculture | category     |
        | rural | 1500001   | -           | notPoor      |
        | rural | 2250000   | yes         | middleIncome |
        | rural | 2250000   | no          | notPoor      |
        | rural | 2250001   | yes         | notPoor      |
        | rural | 3000000   | -           | notPoor      |
        | urban | 2000001   | yes         | middleIncome |
        | urban | 3000000   | yes         | middleIncome |
        | urban | 3000001   | yes         | notPoor      |
        """) {
            let agri: Bool? = r["agriculture"] == "-" ? nil : r["agriculture"] == "yes"
            let c = try classify(incomeOnly(Int(r["income"]!)!, area: Area(rawValue: r["area"]!)!, agriculture: agri), explain: true)
            #expect(c.category.rawValue == r["category"], "\(r)")
            #expect(!c.indicatorsNeeded && c.deprived.isEmpty, "\(r)")
            #expect(c.unknownIndicators.count == 12, "\(r)")
            #expect(c.explanation!.notes.contains { $0.hasPrefix("Không cần xét các chỉ số thiếu hụt") }, "\(r)")
        }
    }

    @Test func atOrBelowTheLineStillNeedsTheIndicators() {
        #expect(throws: ClassificationError(household: "I", field: "members",
                                            message: "thiếu danh sách nhân khẩu để xác định chỉ số VL1 (Việc làm); hoặc trả lời trực tiếp bằng 'deprived'")) {
            try classify(incomeOnly(1_500_000))
        }
        #expect(throws: ClassificationError.self) { try classify(incomeOnly(2_000_000, area: .urban)) }
    }

    @Test func theExplanationSaysWhy() throws {
        let c = try classify(incomeOnly(3_000_000), explain: true)
        let note = c.explanation!.notes.first { $0.hasPrefix("Không cần xét") }!
        #expect(note.contains("3.000.000") && note.contains("1.500.000") && note.contains("nông thôn"))
        #expect(c.explanation!.summary.vi.contains("không cần xét chỉ số thiếu hụt"))
        #expect(c.explanation!.indicators.allSatisfy { $0.source == "notNeeded" })
    }

    /// Facts that are given still show in the deprivation profile; missing ones are not asked for.
    @Test func partialFactsAboveTheLineAreKeptNotRequired() throws {
        var m = member(); m.healthInsurance = false; m.employment = nil
        var living = goodLiving; living.waterSource = nil
        let c = try classify(household([m], living: living, income: 5_000_000))
        #expect(c.category == .notPoor)
        #expect(c.deprived == ["YT2"])
        #expect(Set(c.unknownIndicators) == ["VL1", "NS1"])
        // The same household at the line: the missing facts are needed and named.
        #expect(throws: ClassificationError.self) { try classify(household([m], living: living, income: 1_500_000)) }
    }

    @Test func pointMethodAboveTheB1Maximum() throws {
        var h = Household(code: "P", area: .rural, scoreB1: 141)
        #expect(try classify(h).category == .notPoor)
        h.area = .urban; h.scoreB1 = 175
        #expect(throws: ClassificationError.self) { try classify(h) }
        h.scoreB1 = 176
        #expect(try classify(h).category == .notPoor)
    }

    /// QĐ59 had an income-poor tier: at or below the poverty line the household is poor from income alone.
    @Test func qd59IncomePoorNeedsNoIndicatorEither() throws {
        let c = try classify(incomeOnly(700_000), qd59)
        #expect(c.category == .poor && c.subtype == .income && !c.indicatorsNeeded)
        #expect(throws: ClassificationError.self) { try classify(incomeOnly(700_001), qd59) }
        #expect(try classify(incomeOnly(1_000_001), qd59).category == .notPoor)
    }

    @Test func decree351SaysDoThi() throws {
        let c = try classify(incomeOnly(2_800_001, area: .urban), nd351, explain: true)
        #expect(c.category == .notPoor)
        #expect(c.explanation!.notes.contains { $0.contains("đô thị") })
        #expect(!c.explanation!.summary.vi.contains("thành thị"))
        let old = try classify(incomeOnly(2_000_001, area: .urban), nd07, explain: true)
        #expect(old.explanation!.summary.vi.contains("thành thị"))
    }

    /// Decree 351's middle band is not known: said for a household above the line, not for a poor one.
    @Test func aBandTheStandardCannotBoundIsNotedOnlyWhereItMatters() throws {
        var h = Household(code: "P", area: .rural, incomePerCapita: 2_000_000)
        h.deprivedList = ["VL1", "YT2", "NO1"]
        let poor = try classify(h, nd351, explain: true)
        #expect(poor.category == .poor && !poor.explanation!.notes.contains { $0.contains("mức sống trung bình") })
        let above = try classify(incomeOnly(2_300_000), nd351, explain: true)
        #expect(above.category == .notPoor && above.explanation!.notes.contains { $0.contains("không xác định được hộ có mức sống trung bình") })
    }

    @Test func jsonSaysIndicatorsWereNotNeeded() throws {
        let json = String(decoding: try JSONEncoderForTests.encode(try classify(incomeOnly(3_000_000))), as: UTF8.self)
        #expect(json.contains("\"indicatorsNeeded\":false") && json.contains("\"category\":\"notPoor\"") && json.contains("\"scoreB2\":null"))
    }
}

/// Working age by sex and year (Labour Code 2019 Art. 169; Decree 135/2020 Art. 4), as data.
@Suite struct WorkingAgeTests {
    let table_ = nd07.workingAge!

    @Test func retirementAgeRisesBySexAndYear() {
        for r in table("""
        | year | male | female |
        | 2020 | 723  | 664    |
        | 2021 | 723  | 664    |
        | 2022 | 726  | 668    |
        | 2026 | 738  | 684    |
        | 2028 | 744  | 692    |
        | 2035 | 744  | 720    |
        | 2040 | 744  | 720    |
        """) {
            let y = Int(r["year"]!)!
            #expect(table_.male.months(in: y) == Int(r["male"]!)!, "\(r)")
            #expect(table_.female.months(in: y) == Int(r["female"]!)!, "\(r)")
        }
        #expect(!table_.verified)
        #expect(nd07.unverifiedItems.contains("độ tuổi lao động"))
    }

    @Test func boundariesInMonths() {
        #expect(table_.contains(ageMonths: 179, sex: "male", year: 2026) == false)
        #expect(table_.contains(ageMonths: 180, sex: "male", year: 2026) == true)
        #expect(table_.contains(ageMonths: 737, sex: "male", year: 2026) == true)
        #expect(table_.contains(ageMonths: 738, sex: "male", year: 2026) == false)
        #expect(table_.contains(ageMonths: 683, sex: "female", year: 2026) == true)
        #expect(table_.contains(ageMonths: 684, sex: "female", year: 2026) == false)
        // Sex unknown: decided below both ages and above both, unknown between.
        #expect(table_.contains(ageMonths: 600, sex: nil, year: 2026) == true)
        #expect(table_.contains(ageMonths: 700, sex: nil, year: 2026) == nil)
        #expect(table_.contains(ageMonths: 800, sex: nil, year: 2026) == false)
    }

    @Test func memberBornSixtyOneYearsSixMonthsBeforeIsOut() throws {
        var m = member(); m.employment = "unemployed"
        m.birthDate = CivilDate(year: 1965, month: 5, day: 1)   // 61 y 6 m on 01/11/2026
        #expect(try !deprived(household([m])).contains("VL1"))
        m.birthDate = CivilDate(year: 1965, month: 5, day: 2)   // one day short
        #expect(try deprived(household([m])).contains("VL1"))
    }

    @Test func unknownSexBetweenTheTwoAgesIsAsked() throws {
        var m = member(age: 58); m.employment = "unemployed"; m.sex = nil
        #expect(throws: ClassificationError(household: "H", field: "members[1].sex",
                                            message: "thiếu giới tính, nhân khẩu Nguyễn Văn 1 (1), cần để xác định chỉ số VL1 (Việc làm)")) {
            try classify(household([m]))
        }
        m.birthDate = born(40)
        #expect(try deprived(household([m])).contains("VL1"))
    }
}
