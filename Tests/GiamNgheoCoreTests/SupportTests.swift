import GiamNgheoCore
import GiamNgheoData
import Testing

/// Issue 7: the support catalogue as data, eligibility on the day of the support, and the monitoring arithmetic.
@Suite struct SupportTests {
    func d(_ s: String) -> CivilDate { CivilDate(s)! }

    @Test func bundledCatalogueLoadsWithTheProgrammesOfBothPeriods() throws {
        let c = try BundledData.supportCatalogue()
        // NTP 2021–2025: projects 1–7 (§8.1); the merged programme 2026–2030: components 1 (10 contents) and 2 (5).
        #expect(c.children(of: "GNBV2125").map(\.code) == (1...7).map { "GNBV2125.DA\($0)" })
        #expect(c.children(of: "MTQG2635.TP1").count == 10 && c.children(of: "MTQG2635.TP2").count == 5)
        #expect(c.programme("GNBV2125.DA4.TDA1")?.verified == true && c.programme("GNBV2125.DA3.TDA1")?.verified == false)
        // Levels by the glossary: programme → project → subProject; the merged programme's contents are components.
        #expect(c.programme("GNBV2125.DA3.TDA1")?.level == "subProject" && c.programme("MTQG2635.TP1.ND01")?.level == "component")
        #expect(c.programme("MTQG2635.TP2")?.level == "project" && c.programme("GNBV2125")?.level == "programme")
        #expect(c.path("GNBV2125.DA3.TDA2").map(\.code) == ["GNBV2125", "GNBV2125.DA3", "GNBV2125.DA3.TDA2"])
        #expect(c.subtree("GNBV2125.DA4") == ["GNBV2125.DA4", "GNBV2125.DA4.TDA1", "GNBV2125.DA4.TDA2", "GNBV2125.DA4.TDA3"])
        // Every policy's programme items exist; housing is paid from project 5 until 2025 and from the merged programme after.
        let housing = try #require(c.policy("nhao"))
        #expect(housing.programme(for: 2024, in: c.programmes)?.code == "GNBV2125.DA5")
        #expect(housing.programme(for: 2027, in: c.programmes)?.code == "MTQG2635.TP1.ND02")
        #expect(c.policy("hocphi")?.ages == 3...22 && c.policy("bhyt-ngheo")?.coverageTarget == 100)
        // Unconfirmed items are flagged, never silently trusted.
        #expect(c.policies.contains { !$0.verified } && c.programmes.contains { !$0.verified })
    }

    @Test func catalogueRowsThatDoNotReadAreNamed() {
        let programmes = "code,parent,level,title,from,to,verified,source\nA,,programme,Chương trình A,2021,2025,true,x\n"
        let header = "code,name,en,unit,form,eligibility,indicators,causes,programmes,coverage_target,target_source,ages,registry_fact,verified,source\n"
        func err(_ row: String) -> String {
            do { _ = try SupportCatalogue.parse(programmesCSV: programmes, policiesCSV: header + row); return "" } catch { return "\(error)" }
        }
        #expect(err("p,Tên,,household,cash,poor|nearPoor,,,A,,,,,true,\n") == "")
        #expect(err("p,Tên,,family,cash,poor,,,,,,,,true,\n").contains("dòng 2: unit"))
        #expect(err("p,Tên,,household,gift,poor,,,,,,,,true,\n").contains("form"))
        #expect(err("p,Tên,,household,cash,rich,,,,,,,,true,\n").contains("'rich' không hiểu"))
        #expect(err("p,Tên,,household,cash,poor,,,B,,,,,true,\n").contains("chương trình 'B'"))
        #expect(err("p,Tên,,person,cash,poor,,,,,,22-3,,true,\n").contains("ages"))
        #expect((try? SupportCatalogue.parse(programmesCSV: programmes + "B,Z,project,Dự án,2021,2025,true,x\n", policiesCSV: header)) == nil)
    }

    @Test func rulesParseAndSayWhoTheyAreFor() throws {
        let r = try EligibilityRule("nearPoor|exitedPoor<36")
        #expect(r.description == "nearPoor|exitedPoor<36")
        #expect(r.vietnamese == "hộ cận nghèo hoặc hộ thoát nghèo trong 36 tháng")
        // With a "và" among the alternatives, a ";" keeps them apart.
        #expect(try EligibilityRule("nearPoor&minority|meritorious").vietnamese.contains("; hoặc "))
        #expect(try EligibilityRule("poor & minority").alternatives == [[.category(.poor), .minority]])
        // The glossary's name for "hộ mới thoát nghèo" reads as an exit from poverty within the window.
        #expect(try EligibilityRule("recentlyExited<36") == EligibilityRule("exitedPoor<36"))
        for bad in ["", "poor|", "exitedPoor<0", "exitedPoor<abc", "giàu"] { #expect(throws: StandardError.self) { try EligibilityRule(bad) } }
    }

    /// "Near-poor or exited within 36 months" (issue 7 §2): the window counts from the recognised exit, to the day.
    @Test func recentlyExitedWindowCountsFromTheRecognisedExit() throws {
        let rule = try EligibilityRule("nearPoor|exitedPoor<36")
        let t = StatusTimeline(entries: [.init(year: 2023, category: .poor, decided: d("2023-12-10")),
                                         .init(year: 2024, category: .notPoor, decided: d("2024-12-10")),
                                         .init(year: 2025, category: .notPoor, decided: nil)], current: .notPoor)
        // Before the exit was recognised the household was on the poor list: not this rule.
        let before = t.facts(on: d("2024-12-09"))
        #expect(before.category == .poor && before.exitedPoor == nil && !rule.holds(before, on: d("2024-12-09")))
        let after = t.facts(on: d("2025-06-01"))
        #expect(after.category == .notPoor && after.exitedPoor == d("2024-12-10") && rule.holds(after, on: d("2025-06-01")))
        #expect(rule.holds(t.facts(on: d("2027-12-09")), on: d("2027-12-09")))
        #expect(!rule.holds(t.facts(on: d("2027-12-10")), on: d("2027-12-10")))
        // A year without a decision date takes effect on 14/12 of its year (§6.2).
        #expect(t.entries.last?.effective == d("2025-12-14"))
        // Re-poor: no longer "recently exited", whatever the window.
        let again = StatusTimeline(entries: t.entries + [.init(year: 2026, category: .poor, decided: d("2026-12-01"))], current: .poor)
        #expect(!rule.holds(again.facts(on: d("2026-12-20")), on: d("2026-12-20")))
        // Transitions of the last recognition are conditions too (e.g. a top-up for re-poor households).
        #expect(again.facts(on: d("2026-12-20")).transition == .rePoor && after.transition == .exitedPoor)
        let rePoor = try EligibilityRule("rePoor")
        #expect(rePoor.holds(again.facts(on: d("2026-12-20")), on: d("2026-12-20")) && !rePoor.holds(after, on: d("2025-06-01")))
        #expect(rePoor.vietnamese == "hộ tái nghèo (lần công nhận gần nhất)")
        // Near-poor → neither: an exit from near-poverty; poor → near-poor is an exit from poverty.
        let near = StatusTimeline(entries: [.init(year: 2024, category: .poor, decided: d("2024-12-01")), .init(year: 2025, category: .nearPoor, decided: d("2025-12-01")),
                                            .init(year: 2026, category: .middleIncome, decided: d("2026-12-01"))], current: .middleIncome)
        let f = near.facts(on: d("2026-12-31"))
        #expect(f.exitedPoor == d("2025-12-01") && f.exitedNearPoor == d("2026-12-01"))
        #expect(try EligibilityRule("exitedNearPoor<36").holds(f, on: d("2026-12-31")))
    }

    @Test func theListInForceIsTheLastRecognisedOne() {
        let t = StatusTimeline(entries: [.init(year: 2025, category: .poor, decided: d("2025-12-05"))], current: .notPoor)
        // Before the first recognition the household was on no list; after it, the list holds until the next one,
        // whatever the live registry now computes.
        #expect(t.facts(on: d("2025-06-01")).category == nil)
        #expect(t.facts(on: d("2026-06-01")).category == .poor)
        // A registry without any recognised year falls back to the live category.
        #expect(StatusTimeline(entries: [], current: .nearPoor).facts(on: d("2026-06-01")).category == .nearPoor)
    }

    @Test func checksExplainIneligibilityInVietnamese() throws {
        let c = try BundledData.supportCatalogue()
        let loan = try #require(c.policy("tindung-ngheo"))
        let ok = EligibilityCheck.check(loan, facts: .init(category: .poor), on: d("2026-03-01"))
        #expect(ok.eligible && ok.explanation == "Đúng đối tượng: hộ nghèo.")
        let no = EligibilityCheck.check(loan, facts: .init(category: .notPoor, exitedPoor: d("2021-12-14")), on: d("2026-03-01"))
        #expect(!no.eligible)
        #expect(no.explanation == "Không đúng đối tượng của \"Cho vay hộ nghèo (Ngân hàng Chính sách xã hội)\" (dành cho: hộ nghèo); ngày 01/03/2026 hộ là không thuộc diện nghèo, cận nghèo, thoát nghèo ngày 14/12/2021.")
        // A person's support checks the person's age too.
        let tuition = try #require(c.policy("hocphi"))
        #expect(EligibilityCheck.check(tuition, facts: .init(category: .poor), on: d("2026-09-05"), age: 10).eligible)
        let adult = EligibilityCheck.check(tuition, facts: .init(category: .poor), on: d("2026-09-05"), age: 40)
        #expect(!adult.eligible && adult.explanation.contains("từ 3 đến 22 tuổi; người nhận 40 tuổi"))
        // Minority and meritorious conditions read from the household.
        let rule = try EligibilityRule("nearPoor&minority|meritorious")
        #expect(rule.holds(.init(category: .nearPoor, minority: true), on: d("2026-01-01")))
        #expect(!rule.holds(.init(category: .nearPoor, minority: false), on: d("2026-01-01")))
        #expect(rule.holds(.init(category: .notPoor, meritorious: true), on: d("2026-01-01")))
    }

    /// Vocational training is for members of working age: 15 to the statutory retirement age by sex and year
    /// (Labour Code 2019 Art. 169; Decree 135/2020), not 15–60 for both sexes.
    @Test func trainingIsForWorkingAgeBySexAndYear() throws {
        let c = try BundledData.supportCatalogue()
        let training = try #require(c.policy("nghe-vieclam"))
        #expect(training.workingAge != nil && training.ages == nil && training.needsReceiver)
        let day = d("2026-09-05")
        // A man of 61 years 3 months in 2026 is still of working age (until 61 y 6 m); a woman of 58 is not (57 y).
        #expect(training.covers(birthDate: d("1965-06-01"), birthYear: nil, sex: "male", on: day))
        #expect(!training.covers(birthDate: d("1968-03-01"), birthYear: nil, sex: "female", on: day))
        #expect(!training.covers(birthDate: d("2012-03-01"), birthYear: nil, sex: "male", on: day))
        // Sex unknown between the two ages: not excluded (an unrecorded fact never excludes).
        #expect(training.covers(birthDate: d("1968-03-01"), birthYear: nil, sex: nil, on: day))
        let no = EligibilityCheck.check(training, facts: .init(category: .poor), on: day, inWorkingAge: false)
        #expect(!no.eligible && no.explanation.contains("độ tuổi lao động"))
        #expect(EligibilityCheck.check(training, facts: .init(category: .poor), on: day, inWorkingAge: true).eligible)
        #expect(throws: StandardError.self) {
            try SupportCatalogue.parse(programmesCSV: "code,parent,level,title,from,to,verified,source\nA,,programme,A,2021,2025,true,x\n",
                                       policiesCSV: "code,name,en,unit,form,eligibility,programmes,ages\np,P,P,person,cash,poor,A,workingAge\n")
        }
    }

    @Test func memberConditionsSayWhoWithinTheHousehold() throws {
        let c = try BundledData.supportCatalogue()
        let tuition = try #require(c.policy("hocphi"))
        #expect(tuition.needsReceiver && tuition.memberCondition.terms.map(\.fact) == [.schooling])
        #expect(c.policy("nghe-vieclam")?.memberCondition == (try MemberCondition("workingCapacity=true")))
        #expect(c.policy("bhyt-ngheo")?.needsReceiver == false && c.policy("tindung-ngheo")?.needsReceiver == false)
        let pupil = Member(id: "3", name: "Lê Văn Tí", birthYear: 2016, schooling: "attending")
        let dropped = Member(id: "4", name: "Lê Thị Tèo", birthYear: 2012, schooling: "notAttending")
        let unknown = Member(id: "5", name: "Lê Văn Tý", birthYear: 2014)
        let day = d("2026-09-05")
        #expect(EligibilityCheck.check(tuition, facts: .init(category: .poor), on: day, age: 10, member: MemberCondition.value(of: pupil)).eligible)
        // An unrecorded fact does not exclude (as an unknown age does not); a recorded one that fails does, with the reason.
        #expect(EligibilityCheck.check(tuition, facts: .init(category: .poor), on: day, age: 12, member: MemberCondition.value(of: unknown)).eligible)
        let no = EligibilityCheck.check(tuition, facts: .init(category: .poor), on: day, age: 14, member: MemberCondition.value(of: dropped))
        #expect(!no.eligible)
        #expect(no.explanation == "Không đúng đối tượng của \"\(tuition.name)\": dành cho người có tình trạng đi học là Đang đi học đúng cấp học hoặc Đang đi học nhưng không đúng cấp học theo độ tuổi; người nhận: Không đi học.")
        // The household's own eligibility comes first: a not-poor household is told that, not the member's schooling.
        #expect(EligibilityCheck.check(tuition, facts: .init(category: .notPoor), on: day, age: 14, member: MemberCondition.value(of: dropped)).explanation.contains("(dành cho: hộ nghèo"))
        let training = try #require(c.policy("nghe-vieclam"))
        var unable = pupil
        unable.workingCapacity = false
        #expect(EligibilityCheck.check(training, facts: .init(category: .poor), on: day, age: 30, member: MemberCondition.value(of: unable)).explanation
                .hasSuffix("dành cho người có khả năng lao động; người nhận: không có khả năng lao động."))
        #expect(try MemberCondition("disabled=true").vietnamese == "là người khuyết tật" && (try MemberCondition("disabled=false")).vietnamese == "không phải người khuyết tật")
        // Only member facts, only their codes; a household's policy cannot have one.
        #expect(throws: StandardError("điều kiện thành viên 'roof=durable': cần dạng fact=giá trị với fact là thông tin của thành viên")) { try MemberCondition("roof=durable") }
        #expect(throws: StandardError("điều kiện thành viên 'schooling=yes': giá trị phải là attending, attendingBelowLevel, notAttending")) { try MemberCondition("schooling=yes") }
        #expect(throws: StandardError("điều kiện thành viên 'disabled=1': giá trị phải là false, true")) { try MemberCondition("disabled=1") }
        let programmes = "code,parent,level,title,from,to,verified,source\nA,,programme,Chương trình A,2021,2025,true,x\n"
        #expect(throws: StandardError("danh mục chính sách, dòng 2: member_condition chỉ dùng cho chính sách theo người (unit=person)")) {
            try SupportCatalogue.parse(programmesCSV: programmes, policiesCSV: "code,name,en,unit,form,eligibility,programmes,member_condition\np,P,P,household,cash,poor,A,disabled=true\n")
        }
    }

    @Test func targetsOfThoseInNeedAreData() throws {
        let c = try BundledData.supportCatalogue()
        // Loans and training: "100 % of those who qualify and need it" (seeds 000, 002, 004); health insurance: everyone.
        for code in ["tindung-ngheo", "tindung-cannngheo", "tindung-thoatngheo", "nghe-vieclam"] {
            #expect(c.policy(code)?.coverageOfNeed == true && c.policy(code)?.coverageTarget == 100, "\(code)")
        }
        #expect(c.policy("bhyt-ngheo")?.coverageOfNeed == false && c.policy("hocphi")?.coverageOfNeed == false)
        let programmes = "code,parent,level,title,from,to,verified,source\nA,,programme,Chương trình A,2021,2025,true,x\n"
        let head = "code,name,en,unit,form,eligibility,programmes,coverage_basis\n"
        #expect(try SupportCatalogue.parse(programmesCSV: programmes, policiesCSV: head + "p,P,P,household,credit,poor,A,need\n").policy("p")?.coverageOfNeed == true)
        #expect(try SupportCatalogue.parse(programmesCSV: programmes, policiesCSV: head + "p,P,P,household,credit,poor,A,\n").policy("p")?.coverageOfNeed == false)
        #expect(throws: StandardError("danh mục chính sách, dòng 2: coverage_basis 'ai cần' phải là eligible hoặc need")) {
            try SupportCatalogue.parse(programmesCSV: programmes, policiesCSV: head + "p,P,P,household,credit,poor,A,ai cần\n")
        }
    }

    @Test func publicNamesAreInitialsOnly() {
        #expect(Disclosure.initials("Nguyễn Văn An") == "N.V.A.")
        #expect(Disclosure.initials("đặng  thị  ánh") == "Đ.T.Á.")
        #expect(Disclosure.initials("") == "")
    }

    @Test func fundingSourcesAndFormsReadAsOfficialsWriteThem() {
        #expect(FundingSource.parse("Ngân sách trung ương") == .central && FundingSource.parse("ngan sach dia phuong") == .local)
        #expect(FundingSource.parse("NHCSXH") == .credit && FundingSource.parse("Quỹ Vì người nghèo") == .fund && FundingSource.parse("xã hội hóa") == .donor)
        #expect(FundingSource.parse("fund") == .fund && FundingSource.parse("") == nil && FundingSource.parse("ngoài hành tinh") == nil)
        #expect(SupportForm.parse("Tiền mặt") == .cash && SupportForm.parse("hiện vật") == .kind && SupportForm.parse("cho vay") == .credit && SupportForm.parse("x") == nil)
    }

    @Test func coverageBelowTargetInIntegers() {
        #expect(Coverage(eligible: 3, reached: 2, target: 67).belowTarget)      // 66.67 % < 67 %
        #expect(!Coverage(eligible: 3, reached: 2, target: 66).belowTarget)
        #expect(!Coverage(eligible: 0, reached: 0, target: 100).belowTarget)
        #expect(!Coverage(eligible: 5, reached: 1, target: nil).belowTarget)
        #expect(Coverage(eligible: 200, reached: 199, target: 100).belowTarget)
    }

    @Test func supportBeforeExitCountsHouseholdsOncePerKindWithinTheYears() {
        let received: [SupportBeforeExit.Received] = [
            .init(household: 1, year: 2024, key: "sinhke", amount: 5), .init(household: 1, year: 2025, key: "sinhke", amount: 7),
            .init(household: 2, year: 2025, key: "sinhke", amount: 3), .init(household: 3, year: 2025, key: "quatet", amount: 1),
            .init(household: 4, year: 2025, key: "sinhke", amount: 2), .init(household: 1, year: 2021, key: "quatet", amount: 9),
            .init(household: 9, year: 2025, key: "sinhke", amount: 100),   // neither group
        ]
        let rows = SupportBeforeExit.compare(exited: [1, 2], stayed: [3, 4, 5], received: received, fromYear: 2023, toYear: 2025)
        #expect(rows.count == 2)
        #expect(rows[0] == .init(key: "sinhke", exited: 2, exitedAmount: 15, stayed: 1, stayedAmount: 2))
        #expect(rows[1] == .init(key: "quatet", exited: 0, exitedAmount: 0, stayed: 1, stayedAmount: 1))
    }
}
