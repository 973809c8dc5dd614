import Testing
import Foundation
import GiamNgheoCore

@Suite struct StandardDataTests {
    @Test func choosesTheStandardByDate() {
        for r in table("""
        | date       | standard      |
        | 2016-01-01 | vn-qd59-2016  |
        | 2021-12-31 | vn-qd59-2016  |
        | 2022-01-01 | vn-nd07-2022  |
        | 2026-12-31 | vn-nd07-2022  |
        | 2027-01-01 | vn-nd351-2027 |
        | 2030-12-31 | vn-nd351-2027 |
        | 2015-12-31 | none          |
        | 2031-01-01 | none          |
        """) {
            #expect((catalogue.standard(for: CivilDate(r["date"]!)!)?.id ?? "none") == r["standard"], "\(r)")
        }
    }

    @Test func shippedStandardsCarryTheLawsFigures() throws {
        #expect(nd07.incomeLines["income"]!.rural == 1_500_000 && nd07.incomeLines["income"]!.urban == 2_000_000)
        #expect(nd07.incomeLines["middleIncomeUpper"]!.rural == 2_250_000 && nd07.incomeLines["middleIncomeUpper"]!.urban == 3_000_000)
        #expect(nd351.incomeLines["income"]!.rural == 2_200_000 && nd351.incomeLines["income"]!.urban == 2_800_000)
        #expect(qd59.incomeLines["poverty"]!.rural == 700_000 && qd59.incomeLines["nearPoverty"]!.urban == 1_300_000)
        #expect(nd07.pointRule!.scoreB1["aMax"]!.rural == 140 && nd07.pointRule!.scoreB1["aMax"]!.urban == 175)
        #expect(nd07.pointRule!.pointsPerIndicator.value == 10 && nd07.pointRule!.scoreB2Threshold.value == 30)
        #expect(nd07.indicators.map(\.code) == ["VL1", "VL2", "YT1", "YT2", "GD1", "GD2", "NO1", "NO2", "NS1", "NS2", "TT1", "TT2"])
        #expect(nd07.dimensions.count == 6 && qd59.dimensions.count == 5)
        // What the spec marks UNCONFIRMED is flagged, what it confirms is not.
        #expect(nd07.indicators.allSatisfy { !$0.verified })
        #expect(!qd59.incomeLines["middleIncomeUpper"]!.verified && qd59.incomeLines["poverty"]!.verified)
        #expect(!nd351.incomeLines["middleIncomeUpper"]!.verified && nd351.incomeLines["income"]!.verified)
        #expect(nd07.unverifiedItems.contains("chỉ số YT2"))
    }

    @Test func standardsRoundTripThroughJSON() throws {
        for s in catalogue.standards {
            let data = try JSONEncoder().encode(s)
            #expect(try StandardCatalogue.decode(data, name: s.id) == s)
        }
    }

    func edited(_ change: (inout [String: Any]) -> Void) throws -> PovertyStandard {
        var obj = try JSONSerialization.jsonObject(with: JSONEncoder().encode(nd07)) as! [String: Any]
        change(&obj)
        let s = try StandardCatalogue.decode(JSONSerialization.data(withJSONObject: obj), name: "edited.json")
        try s.validate()
        return s
    }

    @Test func anAdministratorCanCorrectAnAgeBoundWithoutCode() throws {
        // Change YT2's "from 6" to "from 7": a 6-year-old without insurance is then not deprived.
        let s = try edited { obj in
            var inds = obj["indicators"] as! [[String: Any]]
            let i = inds.firstIndex { $0["code"] as? String == "YT2" }!
            inds[i]["condition"] = ["anyMember": ["all": [["age": ["atLeast": 7]], ["fact": "healthInsurance", "is": false]]]]
            obj["indicators"] = inds
        }
        var six = member("2", age: 6, relation: "child"); six.healthInsurance = false
        #expect(try deprived(household([member(), six]), nd07).contains("YT2"))
        #expect(!(try deprived(household([member(), six]), s)).contains("YT2"))
    }

    @Test func invalidEditsAreRefusedWithTheFieldNamed() throws {
        #expect(throws: StandardError("chuẩn vn-nd07-2022, chỉ số NS1: giá trị 'tapWater' không có trong danh mục của 'waterSource' (piped, drilledWell, protectedDugWell, protectedSpring, rainwater, bottled, unprotectedDugWell, unprotectedSpring, surfaceWater, tanker, other)")) {
            try edited { obj in
                var inds = obj["indicators"] as! [[String: Any]]
                let i = inds.firstIndex { $0["code"] as? String == "NS1" }!
                inds[i]["condition"] = ["fact": "waterSource", "notIn": ["tapWater"]]
                obj["indicators"] = inds
            }
        }
        #expect(throws: StandardError("chuẩn vn-nd07-2022, chỉ số YT2: dữ kiện 'healthInsurance' thuộc phạm vi member, không dùng được ở cấp hộ (cần đặt trong anyMember/memberShare)")) {
            try edited { obj in
                var inds = obj["indicators"] as! [[String: Any]]
                let i = inds.firstIndex { $0["code"] as? String == "YT2" }!
                inds[i]["condition"] = ["fact": "healthInsurance", "is": false]
                obj["indicators"] = inds
            }
        }
        #expect(throws: StandardError("chuẩn vn-nd07-2022: classification dòng 1 dùng ngưỡng 'povertyLine' không có trong incomeLines")) {
            try edited { obj in
                var cl = obj["classification"] as! [[String: Any]]
                cl[0]["atMost"] = "povertyLine"
                obj["classification"] = cl
            }
        }
        #expect(throws: StandardError.self) {
            try edited { obj in
                var inds = obj["indicators"] as! [[String: Any]]
                inds[0]["condition"] = ["fact": "incomeOfCat", "is": true]
                obj["indicators"] = inds
            }
        }
    }

    @Test func overlappingNationalStandardsAreRefused() throws {
        var copy = nd07; copy.id = "vn-other"
        #expect(throws: StandardError("chuẩn vn-other trùng thời gian hiệu lực với vn-nd07-2022")) {
            _ = try StandardCatalogue([nd07, copy])
        }
    }

    /// Bắc Ninh's 2025 local standard: 1,750,000 rural / 2,250,000 urban with the same indicators (Decree 07/2021/NĐ-CP lets a province set a higher standard).
    @Test func provincialLocalStandard() throws {
        let spec = LocalStandardSpec(
            id: "bn-2025", name: .init(vi: "Chuẩn nghèo Bắc Ninh 2025", en: "Bắc Ninh 2025"), extends: "vn-nd07-2022",
            province: "24", legalBasis: [Citation(text: "Nghị quyết HĐND tỉnh Bắc Ninh", verified: false)],
            validFrom: CivilDate("2025-01-01")!, validTo: CivilDate("2025-12-31")!,
            incomeLines: ["income": AreaThreshold(rural: 1_750_000, urban: 2_250_000, verified: false),
                          "middleIncomeUpper": AreaThreshold(rural: 2_625_000, urban: 3_375_000, verified: false)],
            deprivationThreshold: nil, additionalDimensions: nil, additionalIndicators: nil, notes: nil)
        var cat = catalogue
        try cat.add(local: spec)
        let d = CivilDate("2025-10-01")!
        #expect(cat.standard(for: d, province: "24")?.id == "bn-2025")
        #expect(cat.standard(for: d, province: "46")?.id == "vn-nd07-2022")
        #expect(cat.standard(for: CivilDate("2026-10-01")!, province: "24")?.id == "vn-nd07-2022")
        let bn = cat.standard(id: "bn-2025")!
        let h = direct(["VL1", "YT2", "NO2"], income: 1_700_000)
        #expect(try classify(h, bn).category == .poor)
        #expect(try classify(h, nd07).category == .notPoor)
        #expect(bn.pointRule == nil)   // điểm B1 is calibrated to the national lines
        var lower = spec; lower.id = "bn-low"
        lower.incomeLines = ["income": AreaThreshold(rural: 1_400_000, urban: 2_250_000, verified: false)]
        #expect(throws: StandardError("chuẩn địa phương bn-low: ngưỡng 'income' nông thôn 1.400.000 thấp hơn chuẩn quốc gia 1.500.000")) {
            try cat.add(local: lower)
        }
        var extra = spec; extra.id = "bn-extra"; extra.validFrom = CivilDate("2024-01-01")!; extra.validTo = CivilDate("2024-12-31")!
        extra.additionalIndicators = [Indicator(code: "DP1", dimension: "housing", name: .init(vi: "Nhà tạm", en: "Temporary house"),
                                                rule: .init(vi: "mái không bền chắc", en: "non-durable roof"),
                                                condition: .factIs(.roof, .text("nonDurable")), verified: false, citation: nil, note: nil)]
        try cat.add(local: extra)
        var l = goodLiving; l.roof = "nonDurable"
        #expect(try deprived(household([member()], living: l), cat.standard(id: "bn-extra")!) == ["DP1"])
    }
}
