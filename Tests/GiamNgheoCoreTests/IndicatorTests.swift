import Testing
import GiamNgheoCore

/// Each NĐ07 indicator's rule at its boundaries (ages on the reference date, "từ đủ" inclusive).
@Suite struct IndicatorTests {
    func codes(_ members: [Member], living: LivingConditions = goodLiving, _ s: PovertyStandard = nd07) throws -> Set<String> {
        Set(try deprived(household(members, living: living), s))
    }

    @Test func healthInsuranceFromAgeSix() throws {
        var five = member("2", age: 6, relation: "child", daysLater: 1)   // turns 6 tomorrow
        five.healthInsurance = false
        #expect(!(try codes([member(), five])).contains("YT2"))
        var six = member("2", age: 6, relation: "child")                  // turns 6 on the reference date
        six.healthInsurance = false
        #expect(try codes([member(), six]).contains("YT2"))
        var adult = member(); adult.healthInsurance = false
        #expect(try codes([adult]).contains("YT2"))
    }

    @Test func nutritionOnlyForChildrenUnderSixteen() throws {
        for (age, status, expected) in [(15, "stunted", true), (0, "underweight", true), (15, "normal", false), (16, "stunted", false)] {
            var c = member("2", age: age, relation: "child"); c.nutrition = status
            #expect(try codes([member(), c]).contains("YT1") == expected, "age \(age) \(status)")
        }
    }

    @Test func adultEducation() throws {
        for r in table("""
        | age | schooling    | qualification     | deprived |
        | 15  | notAttending | primary           | no       |
        | 16  | notAttending | primary           | yes      |
        | 16  | attending    | primary           | no       |
        | 16  | notAttending | lowerSecondary    | no       |
        | 17  | notAttending | none              | yes      |
        | 18  | notAttending | lowerSecondary    | yes      |
        | 18  | notAttending | upperSecondary    | no       |
        | 18  | notAttending | elementaryVocational | no    |
        | 25  | notAttending | trainedOnTheJob   | no       |
        | 25  | attending    | lowerSecondary    | no       |
        | 30  | notAttending | lowerSecondary    | yes      |
        | 31  | notAttending | none              | no       |
        """) {
            var m = member("2", age: Int(r["age"]!)!, relation: "child")
            m.schooling = r["schooling"]; m.qualification = r["qualification"]
            #expect(try codes([member(age: 60), m]).contains("GD1") == (r["deprived"] == "yes"), "\(r)")
        }
    }

    @Test func childSchoolAttendance() throws {
        for r in table("""
        | age | schooling           | deprived |
        | 2   | notAttending        | no       |
        | 3   | notAttending        | yes      |
        | 10  | attendingBelowLevel | yes      |
        | 10  | attending           | no       |
        | 15  | notAttending        | yes      |
        | 16  | notAttending        | no       |
        """) {
            var c = member("2", age: Int(r["age"]!)!, relation: "child"); c.schooling = r["schooling"]
            #expect(try codes([member(), c]).contains("GD2") == (r["deprived"] == "yes"), "\(r)")
        }
    }

    /// A child turning 16 on the reference date has left GD2's range and entered GD1's.
    @Test func childTurningSixteenOnTheReferenceDate() throws {
        var c = member("2", age: 16, relation: "child")
        c.schooling = "notAttending"; c.qualification = "primary"
        #expect(try codes([member(), c]) == ["GD1"])
        var younger = member("2", age: 16, relation: "child", daysLater: 1)   // still 15
        younger.schooling = "notAttending"; younger.qualification = "primary"; younger.nutrition = "normal"
        #expect(try codes([member(), younger]) == ["GD2"])
    }

    /// VL1 counts members of working age: 15 to the statutory retirement age by sex and year (Labour Code
    /// 2019 Art. 169, Decree 135/2020): on 01/11/2026 men under 61 years 6 months, women under 57.
    @Test func employment() throws {
        for r in table("""
        | age | sex    | employment          | deprived |
        | 14  | male   | unemployed          | no       |
        | 15  | female | unemployed          | yes      |
        | 40  | male   | wageWithoutContract | yes      |
        | 40  | male   | wageWithContract    | no       |
        | 40  | female | selfEmployed        | no       |
        | 59  | male   | wageWithoutContract | yes      |
        | 60  | male   | unemployed          | yes      |
        | 61  | male   | unemployed          | yes      |
        | 62  | male   | unemployed          | no       |
        | 56  | female | unemployed          | yes      |
        | 57  | female | unemployed          | no       |
        """) {
            var m = member(age: Int(r["age"]!)!); m.employment = r["employment"]; m.sex = r["sex"]
            #expect(try codes([m]).contains("VL1") == (r["deprived"] == "yes"), "\(r)")
        }
    }

    @Test func dependantsMoreThanHalf() throws {
        let kid = { (id: String) in member(id, age: 5, relation: "child") }
        // 2 of 4 is exactly 50 %: not more than half.
        #expect(!(try codes([member(), member("2", relation: "spouse"), kid("3"), kid("4")])).contains("VL2"))
        #expect(try codes([member(), kid("2"), kid("3"), kid("4")]).contains("VL2"))
        var elderly = member("2", age: 60, relation: "parent"); elderly.socialAllowance = true
        var elderlyNoAllowance = member("3", age: 70, relation: "parent"); elderlyNoAllowance.socialAllowance = false
        #expect(try codes([member(), elderly, kid("4")]).contains("VL2"))
        #expect(!(try codes([member(), elderlyNoAllowance, kid("4")])).contains("VL2"))
        var disabled = member("2", age: 30, relation: "sibling"); disabled.disabled = true; disabled.socialAllowance = true
        #expect(try codes([member(), disabled, kid("3")]).contains("VL2"))
    }

    @Test func housingQuality() throws {
        var one = goodLiving; one.roof = "nonDurable"
        #expect(!(try codes([member()], living: one)).contains("NO1"))
        var two = one; two.walls = "nonDurable"
        #expect(try codes([member()], living: two).contains("NO1"))
    }

    @Test func floorAreaPerPersonBelowEight() throws {
        let four = [member(), member("2", relation: "spouse"), member("3", age: 5, relation: "child"), member("4", age: 3, relation: "child")]
        var exactly = goodLiving; exactly.floorArea = 32
        #expect(!(try codes(four, living: exactly)).contains("NO2"))
        var below = goodLiving; below.floorArea = 31.9
        #expect(try codes(four, living: below).contains("NO2"))
        var odd = goodLiving; odd.floorArea = 23.9   // 7.966… for 3 people
        #expect(try codes(Array(four.prefix(3)), living: odd).contains("NO2"))
    }

    @Test func waterSanitationInformation() throws {
        for r in table("""
        | field        | value              | indicator | deprived |
        | waterSource  | piped              | NS1       | no       |
        | waterSource  | rainwater          | NS1       | no       |
        | waterSource  | surfaceWater       | NS1       | yes      |
        | waterSource  | unprotectedDugWell | NS1       | yes      |
        | latrine      | semiSeptic         | NS2       | no       |
        | latrine      | simplePit          | NS2       | yes      |
        | latrine      | none               | NS2       | yes      |
        | usesInternet | false              | TT1       | yes      |
        """) {
            var l = goodLiving
            switch r["field"]! {
            case "waterSource": l.waterSource = r["value"]
            case "latrine": l.latrine = r["value"]
            default: l.usesInternet = r["value"] == "true"
            }
            #expect(try codes([member()], living: l).contains(r["indicator"]!) == (r["deprived"] == "yes"), "\(r)")
        }
        var none = goodLiving; none.informationDevices = []; none.loudspeaker = false
        #expect(try codes([member()], living: none).contains("TT2"))
        var basic = none; basic.informationDevices = ["basicPhone"]
        #expect(try codes([member()], living: basic).contains("TT2"))
        var radio = none; radio.informationDevices = ["radio"]
        #expect(!(try codes([member()], living: radio)).contains("TT2"))
        var hears = none; hears.loudspeaker = true
        #expect(!(try codes([member()], living: hears)).contains("TT2"))
    }

    @Test func nd351WasteIndicatorAndNoInformationMeans() throws {
        var l = goodLiving; l.wasteTreatment = "burnedOrDumped"; l.informationDevices = []; l.loudspeaker = false
        let d = try codes([member()], living: l, nd351)
        #expect(d.contains("MT1"))
        #expect(!d.contains("TT2"))
        #expect(nd351.indicators.count == 12 && nd07.indicators.count == 12 && qd59.indicators.count == 10)
    }

    @Test func qd59Indicators() throws {
        var l = goodLiving; l.usesInternet = false
        #expect(!(try codes([member()], living: l, qd59)).contains("T1"))   // still has a phone subscription
        l.usesTelephone = false
        #expect(try codes([member()], living: l, qd59).contains("T1"))
        var ill = member(); ill.seriousIllnessWithoutCare = true
        #expect(try codes([ill], qd59).contains("Y1"))
        var teen = member("2", age: 15, relation: "child"); teen.schooling = "notAttending"; teen.qualification = "primary"
        #expect(try codes([member(), teen], qd59).contains("G1"))
    }

    /// No children: child indicators do not apply, so the household is not deprived in them.
    @Test func indicatorsThatDoNotApplyAreNotDeprived() throws {
        var a = member(age: 40); a.nutrition = nil; a.schooling = nil
        let d = try codes([a])
        #expect(d.isEmpty)
    }

    @Test func missingFactIsAnErrorOnlyWhenItDecides() throws {
        // A 3-year-old without a health-insurance answer: YT2 starts at 6, so it does not matter.
        var small = member("2", age: 3, relation: "child"); small.healthInsurance = nil
        #expect(throws: Never.self) { try codes([member(), small]) }
        // An adult without it: YT2 cannot be decided.
        var adult = member(); adult.healthInsurance = nil
        #expect(throws: ClassificationError(household: "H", field: "members[1].healthInsurance",
                                            message: "thiếu có bảo hiểm y tế, nhân khẩu Nguyễn Văn 1 (1), cần để xác định chỉ số YT2 (Bảo hiểm y tế)")) {
            try codes([adult])
        }
        // Yet if another member already decides YT2, the unknown one does not matter.
        var uninsured = member("2", relation: "spouse"); uninsured.healthInsurance = false
        #expect(try codes([adult, uninsured]).contains("YT2"))
        var noBirth = member(); noBirth.birthDate = nil
        #expect(throws: ClassificationError.self) { try codes([noBirth]) }
        var noWater = goodLiving; noWater.waterSource = nil
        #expect(throws: ClassificationError(household: "H", field: "waterSource",
                                            message: "thiếu nguồn nước sinh hoạt, cần để xác định chỉ số NS1 (Nguồn nước sinh hoạt)")) {
            try codes([member()], living: noWater)
        }
    }

    @Test func noMembersNeedsDirectAnswers() {
        var h = Household(code: "E", area: .rural, incomePerCapita: 1, living: goodLiving)
        #expect(throws: ClassificationError.self) { try classify(h) }
        h.deprivedList = []
        #expect(throws: Never.self) { try classify(h) }
    }

    @Test func directAnswersOverrideFacts() throws {
        var h = household([member()])
        h.answers = ["TT1": true, "YT2": true]
        #expect(try classify(h).deprived == ["TT1", "YT2"])
        h.answers = ["TT1": false]
        h.living.usesInternet = false
        #expect(try classify(h).deprived == [])
    }

    @Test func birthYearOnlyGivesAgeByYear() throws {
        var m = member("2", age: 6, relation: "child"); m.birthDate = nil; m.birthYear = refDate.year - 6; m.healthInsurance = false
        #expect(try codes([member(), m]).contains("YT2"))
    }
}
