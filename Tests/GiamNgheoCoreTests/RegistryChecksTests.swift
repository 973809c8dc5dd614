import GiamNgheoCore
import Testing

/// Checks a kept record needs beyond the parser's: the ones that depend on today's date.
@Suite struct RegistryChecksTests {
    let today = CivilDate(year: 2026, month: 11, day: 23)!

    func problems(_ members: [Member]) -> [String] {
        RegistryChecks.problems(Household(code: "H", members: members), today: today).map { "\($0.field): \($0.message)" }
    }

    @Test func birthDatesAndHeadsAndNames() {
        #expect(problems([Member(id: "1", name: "A", birthDate: CivilDate(year: 2026, month: 11, day: 23)!, relation: "head")]).isEmpty)
        #expect(problems([Member(id: "1", name: "A", birthDate: CivilDate(year: 2026, month: 11, day: 24)!, relation: "head")])
                == ["members[1].birthDate: ngày sinh 24/11/2026 ở sau ngày hôm nay"])
        #expect(problems([Member(id: "1", name: "A", birthYear: 2027, relation: "head")]) == ["members[1].birthDate: năm sinh 2027 ở sau năm hiện tại"])
        #expect(problems([Member(id: "1", name: "A", relation: "child")]) == ["members.relation: hộ chưa có chủ hộ: chọn một người là chủ hộ"])
        #expect(problems([Member(id: "1", relation: "head")]) == ["members[1].name: cần ghi họ và tên"])
        #expect(problems([Member(id: "1", name: "A", relation: "head", nationalID: "046185001234"),
                          Member(id: "2", name: "B", relation: "child", nationalID: "046185001234")])
                == ["members[2].nationalID: số định danh trùng với nhân khẩu 1 trong cùng hộ"])
        // A household known only by its size (no member list) has nothing to check here.
        #expect(RegistryChecks.problems(Household(code: "H", size: 4), today: today).isEmpty)
    }

    @Test func causesRoundTripWithTheMainCauseFirst() throws {
        var h = Household(code: "H", area: .rural, incomePerCapita: 1, deprivedList: [])
        h.causes = ["7", "2"]
        let back = try HouseholdParser().parse(jsonLine: Interchange.jsonLine(h), line: 1)
        #expect(back.causes == ["7", "2"])
    }
}
