import Testing
import GiamNgheoCore

/// Every boundary of every standard's classification rule, as readable tables.
/// Bounds are (lower, upper]: "từ … trở xuống" is inclusive (Decree 07/2021/NĐ-CP, Decision 59/2015/QĐ-TTg).
@Suite struct ClassificationRuleTests {
    func run(_ rows: [[String: String]], _ s: PovertyStandard) throws {
        for r in rows {
            let n = Int(r["deprived"]!)!
            let codes = Array(s.indicators.map(\.code).prefix(n))
            let area = Area(rawValue: r["area"]!)!
            let agri = r["agri"] == "yes"
            let income = Int(r["income"]!.replacingOccurrences(of: "_", with: ""))!
            let c = try classify(direct(codes, income: income, area: area, agriculture: agri), s)
            let expected = r["category"]!
            #expect(c.category.rawValue == expected, "\(s.id) \(r)")
            #expect((c.subtype?.rawValue ?? "-") == (r["subtype"] ?? "-"), "\(s.id) \(r)")
            #expect(c.deprivedCount == n)
        }
    }

    @Test func nd07Rule() throws {
        try run(table("""
        | area  | income    | deprived | agri | category     |
        | rural | 0         | 0        | no   | nearPoor     |
        | rural | 1_500_000 | 3        | no   | poor         |
        | rural | 1_500_000 | 2        | no   | nearPoor     |
        | rural | 1_499_999 | 12       | no   | poor         |
        | rural | 1_500_001 | 3        | yes  | middleIncome |
        | rural | 1_500_001 | 12       | no   | notPoor      |
        | rural | 2_250_000 | 0        | yes  | middleIncome |
        | rural | 2_250_001 | 0        | yes  | notPoor      |
        | urban | 2_000_000 | 3        | no   | poor         |
        | urban | 2_000_000 | 2        | no   | nearPoor     |
        | urban | 2_000_001 | 5        | yes  | middleIncome |
        | urban | 3_000_000 | 0        | yes  | middleIncome |
        | urban | 3_000_001 | 0        | yes  | notPoor      |
        | urban | 1_500_001 | 3        | no   | poor         |
        """), nd07)
    }

    @Test func qd59HasAnIncomePoorTier() throws {
        try run(table("""
        | area  | income    | deprived | agri | category     | subtype     |
        | rural | 700_000   | 0        | no   | poor         | income      |
        | rural | 700_001   | 3        | no   | poor         | deprivation |
        | rural | 700_001   | 2        | no   | nearPoor     | -           |
        | rural | 1_000_000 | 3        | no   | poor         | deprivation |
        | rural | 1_000_000 | 0        | no   | nearPoor     | -           |
        | rural | 1_000_001 | 3        | yes  | middleIncome | -           |
        | rural | 1_000_001 | 3        | no   | notPoor      | -           |
        | rural | 1_500_001 | 0        | yes  | notPoor      | -           |
        | urban | 900_000   | 0        | no   | poor         | income      |
        | urban | 900_001   | 3        | no   | poor         | deprivation |
        | urban | 1_300_000 | 2        | no   | nearPoor     | -           |
        | urban | 1_300_001 | 0        | yes  | middleIncome | -           |
        | urban | 1_950_000 | 0        | yes  | middleIncome | -           |
        | urban | 1_950_001 | 0        | yes  | notPoor      | -           |
        """), qd59)
    }

    @Test func nd351Rule() throws {
        try run(table("""
        | area  | income    | deprived | agri | category |
        | rural | 2_200_000 | 3        | no   | poor     |
        | rural | 2_200_000 | 2        | no   | nearPoor |
        | rural | 2_200_001 | 3        | yes  | notPoor  |
        | urban | 2_800_000 | 3        | no   | poor     |
        | urban | 2_800_001 | 0        | no   | notPoor  |
        """), nd351)
    }

    @Test func nd351CannotRecogniseMiddleIncomeAndSaysWhy() throws {
        let c = try classify(direct([], income: 2_300_000, agriculture: true), nd351, explain: true)
        #expect(c.category == .notPoor)
        #expect(c.explanation!.notes.contains { $0.contains("middleIncomeUpper") })
    }

    @Test func middleIncomeNeedsAgricultureAndTheExplanationSaysSo() throws {
        let c = try classify(direct([], income: 1_600_000, agriculture: false), nd07, explain: true)
        #expect(c.category == .notPoor)
        #expect(c.explanation!.notes.contains { $0.contains("không làm nông, lâm, ngư, diêm nghiệp") })
        var unknown = direct([], income: 1_600_000)
        unknown.agriculture = nil
        let u = try classify(unknown, nd07, explain: true)
        #expect(u.category == .notPoor)
        #expect(u.explanation!.notes.contains { $0.contains("không có thông tin") })
    }

    /// Circular 07/2021 point rule: A ≤ 140 rural / 175 urban, B = 10 per indicator, poor iff B ≥ 30.
    @Test func nd07PointRule() throws {
        for r in table("""
        | area  | A   | deprived | category | scoreB2 |
        | rural | 140 | 3        | poor     | 30     |
        | rural | 140 | 2        | nearPoor | 20     |
        | rural | 141 | 12       | notPoor  | 120    |
        | rural | 0   | 0        | nearPoor | 0      |
        | urban | 175 | 3        | poor     | 30     |
        | urban | 175 | 2        | nearPoor | 20     |
        | urban | 176 | 3        | notPoor  | 30     |
        """) {
            let codes = Array(nd07.indicators.map(\.code).prefix(Int(r["deprived"]!)!))
            let c = try classify(direct(codes, scoreB1: Int(r["A"]!)!, area: Area(rawValue: r["area"]!)!), nd07)
            #expect(c.category.rawValue == r["category"], "\(r)")
            #expect(c.scoreB2 == Int(r["scoreB2"]!), "\(r)")
        }
    }

    /// Circular 17/2016 as amended by 14/2018: B1 ≤ 120/140 income-poor; up to 150/175 with B2 ≥ 30 poor.
    @Test func qd59PointRule() throws {
        for r in table("""
        | area  | B1  | deprived | category | subtype     |
        | rural | 120 | 0        | poor     | income      |
        | rural | 121 | 3        | poor     | deprivation |
        | rural | 150 | 2        | nearPoor | -           |
        | rural | 151 | 5        | notPoor  | -           |
        | urban | 140 | 0        | poor     | income      |
        | urban | 141 | 3        | poor     | deprivation |
        | urban | 175 | 2        | nearPoor | -           |
        | urban | 176 | 0        | notPoor  | -           |
        """) {
            let codes = Array(qd59.indicators.map(\.code).prefix(Int(r["deprived"]!)!))
            let c = try classify(direct(codes, scoreB1: Int(r["B1"]!)!, area: Area(rawValue: r["area"]!)!), qd59)
            #expect(c.category.rawValue == r["category"], "\(r)")
            #expect((c.subtype?.rawValue ?? "-") == r["subtype"], "\(r)")
        }
    }

    @Test func nd351PointRuleIsNotKnownSoScoreB1IsRefused() {
        #expect(throws: ClassificationError(household: "D", field: "scoreB1",
                                            message: "chuẩn vn-nd351-2027 chưa có giá trị ngưỡng 'aMax' cho khu vực nông thôn (chưa xác minh); không phân loại được")) {
            try classify(direct(["VL1"], scoreB1: 100), nd351)
        }
    }

    @Test func scoreB1TakesPrecedenceOverIncome() throws {
        var h = direct(["VL1", "YT2", "NO2"], income: 5_000_000, scoreB1: 120)
        h.code = "both"
        #expect(try classify(h).category == .poor)
    }

    @Test func missingIncomeAndAreaAreNamed() {
        #expect(throws: ClassificationError(household: "D", field: "incomePerCapita",
                                            message: "thiếu thu nhập bình quân đầu người/tháng ('incomePerCapita') hoặc điểm B1 ('scoreB1')")) {
            try classify(direct([]))
        }
        var noArea = direct([], income: 1)
        noArea.area = nil
        #expect(throws: ClassificationError.self) { try classify(noArea) }
        #expect(throws: ClassificationError(household: "D", field: "incomePerCapita", message: "thu nhập bình quân không được âm (-1)")) {
            try classify(direct([], income: -1))
        }
    }

    @Test func unknownIndicatorInDirectListIsRefused() {
        #expect(throws: ClassificationError.self) { try classify(direct(["XX9"], income: 1)) }
        // TT2 exists in NĐ07 but was removed in NĐ351.
        #expect(throws: ClassificationError.self) { try classify(direct(["TT2"], income: 1), nd351) }
        #expect(throws: Never.self) { try classify(direct(["TT2"], income: 1), nd07) }
    }
}
