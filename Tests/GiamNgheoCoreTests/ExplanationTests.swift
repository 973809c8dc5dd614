import Testing
import GiamNgheoCore

@Suite struct ExplanationTests {
    @Test func explanationNamesMembersFactsRuleAndVerification() throws {
        var kid = member("2", age: 8, relation: "child"); kid.healthInsurance = false
        var l = goodLiving; l.floorArea = 15; l.usesInternet = false
        let c = try classify(household([member(), kid], living: l, income: 1_200_000), explain: true)
        #expect(c.category == .poor && c.deprived == ["NO2", "TT1", "YT2"])
        let e = try #require(c.explanation)
        #expect(e.standard.id == "vn-nd07-2022")
        #expect(e.measure == "incomePerCapita" && e.value == 1_200_000)
        #expect(e.thresholds.contains { $0.name == "income" && $0.value == 1_500_000 && $0.verified })
        let yt2 = try #require(e.indicators.first { $0.code == "YT2" })
        #expect(yt2.deprived && yt2.source == "facts" && !yt2.verified)
        #expect(yt2.members.map(\.id) == ["2"])
        #expect(yt2.members[0].facts == ["tuổi: 8", "có bảo hiểm y tế: không"])
        let no2 = try #require(e.indicators.first { $0.code == "NO2" })
        #expect(no2.facts == ["diện tích nhà ở (m²): 15 ÷ 2 người = 7,5 (ngưỡng < 8)"])
        let yt1 = try #require(e.indicators.first { $0.code == "YT1" })
        #expect(!yt1.deprived && yt1.facts == ["không nhân khẩu nào thỏa điều kiện"])
        #expect(e.rule.category == .poor && e.rule.verified)
        #expect(e.rule.text == "thu nhập bình quân ≤ 1.500.000 đồng/người/tháng (chuẩn nghèo về thu nhập, nông thôn) và số chỉ số thiếu hụt ≥ 3")
        #expect(e.rule.citation == "NĐ 07/2021 Điều 3 khoản 1 điểm a [S3, S2]")
        #expect(e.summary.vi.hasPrefix("Hộ nghèo. Khu vực nông thôn; thu nhập bình quân 1.200.000 đồng/người/tháng; thiếu hụt 3 chỉ số: NO2, TT1, YT2."))
        #expect(e.indicators.count == 12)
    }

    @Test func directAnswersAreMarkedAsSuch() throws {
        let c = try classify(direct(["VL1"], income: 1_000_000), explain: true)
        #expect(c.explanation!.indicators.allSatisfy { $0.source == "answer" })
        #expect(c.explanation!.indicators.first { $0.code == "VL1" }!.deprived)
    }

    @Test func withoutExplainThereIsNone() throws {
        #expect(try classify(direct([], income: 1)).explanation == nil)
    }

    @Test func flags() throws {
        var old = member(age: 82); old.workingCapacity = false; old.socialAllowance = true; old.meritorious = true
        old.ethnicity = "31"
        let c = try classify(household([old]))
        #expect(c.flags == Flags(noWorkingCapacity: true, ethnicMinorityHead: true, meritoriousPerson: true, socialAssistance: true))
        let d = try classify(household([member()]))
        #expect(d.flags == Flags(noWorkingCapacity: false, ethnicMinorityHead: false, meritoriousPerson: false, socialAssistance: false))
        // Without member detail the flags are unknown, not false.
        #expect(try classify(direct([], income: 1)).flags == Flags())
        var unknown = member(); unknown.workingCapacity = nil
        #expect(try classify(household([unknown])).flags.noWorkingCapacity == nil)
    }

    @Test func jsonOutputHasExplicitNulls() throws {
        let c = try classify(direct(["VL1"], income: 1))
        let json = String(decoding: try JSONEncoderForTests.encode(c), as: UTF8.self)
        #expect(json.contains("\"subtype\":null"))
        #expect(json.contains("\"deprived\":[\"VL1\"]"))
        #expect(json.contains("\"scoreB2\":10"))
        #expect(!json.contains("explanation"))
    }
}

import Foundation
enum JSONEncoderForTests {
    static func encode<T: Encodable>(_ v: T) throws -> Data {
        let e = JSONEncoder(); e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try e.encode(v)
    }
}
