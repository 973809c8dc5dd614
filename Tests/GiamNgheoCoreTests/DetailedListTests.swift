import GiamNgheoCore
import GiamNgheoData
import Testing

/// Forms 14/15: marks from the year's transition, support columns from the ledger's policies, DTTC from data.
@Suite struct DetailedListTests {
    let catalogue = try! BundledData.supportCatalogue()
    let groups = BundledData.ethnicGroups

    func entry(_ h: Household, transition: Transition? = .remainedPoor, flags: Flags? = nil, policies: [String] = [],
               indigenous: Set<String> = []) -> DetailedList.Entry {
        DetailedList.entry(id: 7, code: "X-1", headName: "Chủ hộ", village: "Thôn 1", household: h, flags: flags, transition: transition,
                           persons: h.memberCount ?? 0, localIndigenous: indigenous, supportPolicies: policies, catalogue: catalogue,
                           ethnicityCode: { groups.code(for: $0) }, ethnicityName: { groups.code(for: $0).flatMap { groups.group($0)?.name } ?? $0 },
                           relationName: { Vocabulary.label(.relation, $0) })
    }

    @Test func marksFollowTheTransitionOfTheYear() {
        #expect(DetailedList.Mark.of(.newlyPoor) == .new && DetailedList.Mark.of(.newlyNearPoor) == .new)
        #expect(DetailedList.Mark.of(.rePoor) == .again && DetailedList.Mark.of(.reNearPoor) == .again)
        #expect(DetailedList.Mark.of(.remainedPoor) == .old && DetailedList.Mark.of(.remainedNearPoor) == .old)
        // A poor household now near-poor is new on the near-poor list, but told apart (form 3 counts it on its own).
        #expect(DetailedList.Mark.of(.exitedPoorToNearPoor) == .fromPoor && DetailedList.Mark.fromPoor.column == 0)
        #expect(DetailedList.Mark.fromPoor.text == "x (từ nghèo)" && DetailedList.Mark.new.text == "x")
        // Households that are on neither list have no mark (they are not on these lists at all).
        #expect(DetailedList.Mark.of(.exitedPoor) == nil && DetailedList.Mark.of(Transition.none) == nil && DetailedList.Mark.of(nil) == nil)
        #expect(DetailedList.Kind(slug: "can-ngheo") == .nearPoor && DetailedList.Kind.poor.formNumber == "15" && DetailedList.Kind(slug: "x") == nil)
    }

    @Test func supportColumnsComeFromThePoliciesOfTheYearsRecords() {
        let h = Household(code: "X-1", members: [Member(id: "1", name: "A", relation: "head")])
        let e = entry(h, policies: ["bhyt-ngheo", "tindung-ngheo", "bhyt-ngheo", "nhao", "khong-co-trong-danh-muc"])
        #expect(e.supports == [.health, .credit, .housing, .other])
        // Each mark keeps the policies that made it, once each (the page's tooltip).
        #expect(e.supportPolicies[.health] == ["bhyt-ngheo"] && e.supportPolicies[.other] == ["khong-co-trong-danh-muc"])
        #expect(entry(h).supports.isEmpty)
        // The shipped catalogue puts every policy in a column: BHYT and nutrition in health, tuition in education,
        // loans in credit, livelihood and jobs in production, housing in housing.
        #expect(catalogue.policies.filter { $0.code.hasPrefix("bhyt") }.allSatisfy { $0.listGroup == .health })
        #expect(catalogue.policies.filter { $0.code.hasPrefix("tindung") }.allSatisfy { $0.listGroup == .credit })
        #expect(catalogue.policy("hocphi")?.listGroup == .education && catalogue.policy("sinhke")?.listGroup == .production)
        #expect(Set(catalogue.policies.map(\.listGroup)) == Set(SupportGroup.allCases))
    }

    @Test func membersRowsAndHouseholdMarks() {
        let h = Household(code: "X-1", members: [
            Member(id: "1", name: "Y Bhă Niê", birthDate: CivilDate(year: 1970, month: 5, day: 2), sex: "male", ethnicity: "Ê Đê", relation: "head", meritorious: false),
            Member(id: "2", name: "H'Linh", birthYear: 1975, sex: "female", ethnicity: "12", relation: "spouse"),
            Member(id: "3", name: "Y Khoa", sex: nil, ethnicity: "Ê-đê", relation: "child", meritorious: true),
        ])
        let dakLak = (try? LocalIndigenousGroups.parse("old_province_code,province_name,ethnic_codes,verified,source\n66,Đắk Lắk,Ê-đê;10,false,x\n", groups: groups))!
        let e = entry(h, flags: Flags(noWorkingCapacity: true), indigenous: dakLak.ethnicities(inOldProvinces: ["66"]))
        #expect(e.members.map(\.number) == [1, 2, 3] && e.members.map(\.birthYear) == [1970, 1975, nil])
        #expect(e.members.map(\.ethnicity) == ["Ê-đê", "Ê-đê", "Ê-đê"] && e.members[0].relation == "Chủ hộ" && e.members[1].sex == "female")
        // DTTC by the head's group in the province's list; person of merit from any member; no working capacity from the flags.
        #expect(e.localIndigenous && e.meritorious && e.noWorkingCapacity && e.mark == .old)
        #expect(!entry(h, indigenous: dakLak.ethnicities(inOldProvinces: ["46"])).localIndigenous)
        var kinh = h
        kinh.members[0].ethnicity = "Kinh"
        #expect(!entry(kinh, indigenous: dakLak.ethnicities(inOldProvinces: ["66"])).localIndigenous)
        #expect(!entry(Household(code: "X-2", size: 4)).localIndigenous && entry(Household(code: "X-2", size: 4)).persons == 4)
    }

    @Test func localIndigenousListIsDataAndRefusesUnknownGroups() throws {
        let shipped = try BundledData.localIndigenous()
        // The Central Highlands' five old provinces, every row unconfirmed.
        #expect(Set(shipped.entries.map(\.oldProvince)) == ["62", "64", "66", "67", "68"] && shipped.entries.allSatisfy { !$0.verified })
        #expect(shipped.ethnicities(inOldProvinces: ["64"]) == ["10", "13"])
        #expect(shipped.ethnicities(inOldProvinces: ["67", "68"]).isSuperset(of: ["20", "28", "16"]))
        #expect(shipped.ethnicities(inOldProvinces: ["46"]).isEmpty)
        #expect(throws: StandardError("danh mục dân tộc tại chỗ, dòng 3: dân tộc 'Xyz' không có trong danh mục 54 dân tộc")) {
            try LocalIndigenousGroups.parse("old_province_code,province_name,ethnic_codes,verified,source\n66,A,12,false,x\n67,B,Xyz,false,x\n", groups: groups)
        }
    }

    @Test func policyListGroupIsOptionalButChecked() throws {
        let programmes = "code,parent,level,title,from,to,verified,source\nA,,programme,Chương trình A,2021,2025,true,x\n"
        let head = "code,name,en,unit,form,eligibility,indicators,causes,programmes,coverage_target,target_source,ages,registry_fact"
        let old = try SupportCatalogue.parse(programmesCSV: programmes, policiesCSV: head + ",verified,source\np,Chính sách,P,household,cash,poor,,,A,,,,,true,x\n")
        #expect(old.policy("p")?.listGroup == .other)
        let named = try SupportCatalogue.parse(programmesCSV: programmes, policiesCSV: head + ",list_group,verified,source\np,Chính sách,P,household,cash,poor,,,A,,,,,Tín dụng,true,x\n")
        #expect(named.policy("p")?.listGroup == .credit)
        #expect(throws: StandardError("danh mục chính sách, dòng 2: list_group 'vay' phải là một trong health, education, production, credit, housing, other")) {
            try SupportCatalogue.parse(programmesCSV: programmes, policiesCSV: head + ",list_group,verified,source\np,Chính sách,P,household,cash,poor,,,A,,,,,vay,true,x\n")
        }
    }

    @Test func villagesInOrderHouseholdsByCode() {
        func e(_ code: String, _ village: String) -> DetailedList.Entry {
            var x = entry(Household(code: code, size: 1)); x.code = code; x.village = village; return x
        }
        let grouped = DetailedList.byVillage([e("B", "Thôn Đông"), e("A", "Thôn Đông"), e("C", "Thôn An"), e("D", "")])
        #expect(grouped.map(\.village) == ["", "Thôn An", "Thôn Đông"] && grouped[2].entries.map(\.code) == ["A", "B"])
    }
}
