import Testing
@testable import GiamNgheoCore
import GiamNgheoData

/// The phone forms made from the data in force (pyxform itself checks them in CI: scripts/check-xlsform.py).
@Suite struct XLSFormTests {
    let screen = try! BundledData.reviewProcedures().first { $0.id == "VN-QD24-2021" }!.quickScreen!
    func standard(_ id: String) -> PovertyStandard { catalogue.standard(id: id)! }
    func phieuB(_ id: String) -> XLSForm {
        XLSForm.phieuB(standard(id), causes: BundledData.povertyCauses, ethnicGroups: BundledData.ethnicGroups.groups, version: "20261206")
    }
    func row(_ f: XLSForm, _ name: String) -> [String: String]? { f.survey.first { $0["name"] == name } }

    /// Every label, hint and message in both languages; every list a question names is in the choices; names unique.
    @Test func formsAreWellFormed() throws {
        let forms = [XLSForm.phieuA(screen, version: "1")] + ["vn-qd59-2016", "vn-nd07-2022", "vn-nd351-2027"].map(phieuB)
        for f in forms {
            let names = f.survey.compactMap { $0["name"] }
            #expect(Set(names).count == names.count, "\(f.formID): a name twice")
            let lists = Set(f.choices.compactMap { $0["list_name"] })
            for r in f.survey {
                for base in ["label", "hint", "constraint_message", "required_message"] {
                    #expect((r["\(base)::\(XLSForm.vi)"] == nil) == (r["\(base)::\(XLSForm.en)"] == nil), "\(f.formID) \(r["name"]!): \(base) in one language")
                }
                let type = r["type"]!.split(separator: " ")
                if type.count == 2, type[0] == "select_one" || type[0] == "select_multiple" { #expect(lists.contains(String(type[1])), "\(f.formID): no list \(type[1])") }
            }
            #expect(f.settings["form_id"] == f.formID && f.settings["version"] != nil && f.settings["default_language"] == XLSForm.vi)
        }
    }

    /// Phiếu A: the 9 criterion columns, each required yes/no, the rule 4 of 9 (Circular 07/2021 Phụ lục II), the
    /// unconfirmed criteria marked.
    @Test func phieuAHoldsTheRule() throws {
        let f = XLSForm.phieuA(screen, version: "1")
        let criteria = f.survey.filter { $0["name"]!.hasPrefix("a_") && $0["type"] == "select_one yesno" }
        #expect(criteria.count == 9 && criteria.allSatisfy { $0["required"] == "yes" && $0["hint::\(XLSForm.vi)"]?.contains("Chưa xác minh") == true })
        #expect(row(f, "excluded")?["calculation"] == "if(${criteriaMet} >= 4, 'yes', 'no')")
        #expect(row(f, "household")?["type"] == "select_one_from_file households.csv")
    }

    /// Income decides first: part B2 is asked only in a band whose rule tests deprivations (Decree 07/2021 Art. 3:
    /// at or under the line; Decision 59/2015: between the poverty and near-poverty lines), or when unknown.
    @Test func partB2FollowsTheIncomeBands() throws {
        let nd07 = try #require(row(phieuB("vn-nd07-2022"), "needsB2")?["calculation"])
        #expect(nd07.contains("${incomePerCapita} <= if(${household_area} = 'urban', 2000000, 1500000)"))
        #expect(nd07.contains("${scoreB1} <= if(${household_area} = 'urban', 175, 140)"))
        #expect(nd07.hasPrefix("if(${household_area} = '' or") && nd07.contains("${incomePerCapita} = ''"))
        #expect(nd07.components(separatedBy: "2000000").count == 2, "the shared band of poor and near-poor is written once")
        let qd59 = try #require(row(phieuB("vn-qd59-2016"), "needsB2")?["calculation"])
        #expect(qd59.contains("(${incomePerCapita} > if(${household_area} = 'urban', 900000, 700000) and ${incomePerCapita} <= if(${household_area} = 'urban', 1300000, 1000000))"))
        #expect(row(phieuB("vn-nd07-2022"), "b2")?["relevant"] == "${needsB2} = 'yes'")
    }

    /// A member's question is asked at the ages the standard's indicators read it (Decree 07/2021 Art. 3 §1 b).
    @Test func memberQuestionsFollowTheIndicatorsAges() throws {
        let ages = XLSForm.memberFactAges(standard("vn-nd07-2022"))
        #expect(XLSForm.ageTest(ages[.nutrition]!) == "(${age} = '' or (${age} < 16))")
        #expect(XLSForm.ageTest(ages[.healthInsurance]!) == "(${age} = '' or (${age} >= 6))")
        #expect(XLSForm.ageTest(ages[.employment]!) == "(${age} = '' or (${age} >= 15))")
        #expect(XLSForm.ageTest(ages[.disabled]!) == nil, "read at every age (dependants, VL2)")
        let f = phieuB("vn-nd07-2022")
        #expect(row(f, "nutrition")?["relevant"] == "${needsB2} = 'yes' and (${age} = '' or (${age} < 16))")
        #expect(row(f, "name")?["relevant"] == nil && row(f, "sex")?["relevant"] == nil)
        #expect(row(f, "nationalID")?["constraint"] == "regex(., '^[0-9]{12}$')")
        #expect(row(f, "birthDate")?["constraint"]?.contains(". <= today()") == true)
        #expect(row(f, "relation")?["constraint"]?.contains("count(../../members[relation = 'head']) <= 1") == true)
        #expect(f.choices.filter { $0["list_name"] == "ethnicity" }.count == 54)
    }
}
