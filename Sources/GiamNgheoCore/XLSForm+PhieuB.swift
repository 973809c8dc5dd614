extension XLSForm {
    /// Phiếu B of `standard`: part B1 (income, or điểm B1 where the standard has a point rule), part B2 (the
    /// living conditions and each member's facts the indicators read), the poverty causes.
    public static func phieuB(_ s: PovertyStandard, causes: [CodeEntry], ethnicGroups: [EthnicGroup], version: String) -> XLSForm {
        var f = XLSForm(kind: .b)
        f.opening(title: ("Phiếu B: rà soát hộ nghèo, hộ cận nghèo theo \(s.name.vi)", "Form B: poor and near-poor household review, \(s.name.en)"))

        f.row("begin_group", "b1", ("Phần B1: thu nhập", "Part B1: income"))
        f.row("integer", "incomePerCapita", ("Thu nhập bình quân (đồng/người/tháng)", "Income per person (VND a month)"),
              required: s.pointRule == nil ? "yes" : "${scoreB1} = ''",
              constraint: (". >= 0", "Thu nhập không được âm.", "Income cannot be negative."))
        if let p = s.pointRule {
            f.row("integer", "scoreB1", ("\(p.incomeScoreName.capitalizedFirst) (nếu đã chấm trên phiếu giấy)", "Score B1 (if scored on paper)"),
                  hint: ("Được dùng thay cho thu nhập. Bảng điểm B1 chưa xác minh với văn bản gốc.",
                         "Used instead of income. The B1 score table is not yet confirmed against the official text."),
                  constraint: (". >= 0", "Điểm không được âm.", "A score cannot be negative."))
        }
        f.row("select_one yesno", "agriculture", ("Hộ làm nông, lâm, ngư, diêm nghiệp", "Works in farming, forestry, fishery or salt-making"), required: "yes")
        f.row("end_group", "b1_end")
        f.row("calculate", "needsB2", calculation: "if(\(needsB2(s)), 'yes', 'no')")
        f.row("note", "b2_skipped", ("Thu nhập trên chuẩn: hộ không thuộc hộ nghèo, hộ cận nghèo; không hỏi phần B2.",
                                     "Income above the line: neither poor nor near-poor; part B2 is not asked."), relevant: "${needsB2} = 'no'")

        f.row("begin_group", "b2", ("Phần B2: mức độ thiếu hụt dịch vụ xã hội cơ bản", "Part B2: deprivation of basic social services"),
              relevant: "${needsB2} = 'yes'")
        for fact in Fact.allCases where fact.scope == .household { f.fact(fact, required: "yes", relevant: nil) }
        f.row("end_group", "b2_end")

        // Members: who they are always; the facts an indicator reads only when part B2 is asked, at the ages it reads them.
        let ages = memberFactAges(s)
        f.row("begin_repeat", "members", ("Nhân khẩu", "Household members"))
        f.row("calculate", "id", calculation: "position(..)")
        f.row("text", "name", ("Họ và tên", "Full name"), required: "yes")
        f.fact(.sex, required: "yes", relevant: nil)
        f.row("date", "birthDate", ("Ngày sinh", "Date of birth"), required: "yes",
              constraint: (". <= today() and . >= date('1900-01-01')", "Ngày sinh phải từ năm 1900 và không sau hôm nay.",
                           "The date of birth must be from 1900 on and not in the future."))
        f.row("calculate", "age", calculation: "if(${birthDate} = '', '', int((decimal-date-time(${surveyedOn}) - decimal-date-time(${birthDate})) div 365.25))")
        f.row("text", "nationalID", ("Số định danh cá nhân (CCCD)", "Personal identification number"),
              constraint: ("regex(., '^[0-9]{12}$')", "Số định danh cá nhân phải gồm đúng 12 chữ số.", "The personal identification number has exactly 12 digits."),
              appearance: "numbers")
        f.fact(.ethnicity, required: "yes", relevant: nil)
        f.fact(.relation, required: "yes", relevant: nil,
               constraint: (". != 'head' or count(../../members[relation = 'head']) <= 1", "Một hộ chỉ có một chủ hộ.", "A household has one head only."))
        for fact in Fact.allCases where fact.scope == .member && ![.sex, .ethnicity, .relation].contains(fact) {
            guard let ranges = ages[fact] else { f.fact(fact, required: nil, relevant: nil); continue }
            f.fact(fact, required: "yes", relevant: (["${needsB2} = 'yes'"] + [ageTest(ranges)].compactMap { $0 }).joined(separator: " and "))
        }
        f.row("end_repeat", "members_end")

        f.row("select_multiple causes", "causes", ("Nguyên nhân nghèo (nguyên nhân chính chọn trước)", "Causes of poverty (main cause first)"),
              hint: causes.allSatisfy(\.verified) ? nil : unconfirmed, relevant: "${needsB2} = 'yes'")

        f.yesNo()
        for fact in Fact.allCases {
            guard let values = Vocabulary.values[fact] else { continue }
            for v in values { f.choice(fact.rawValue, v.code, v.vi, englishValue(v.code)) }
        }
        for g in ethnicGroups { f.choice(Fact.ethnicity.rawValue, g.code, g.name, g.name) }
        for c in causes where c.enabled { f.choice("causes", c.code, c.vi, c.en) }
        f.settings.merge(["form_title": "Phiếu B: rà soát hộ nghèo, hộ cận nghèo", "form_id": f.formID, "version": version]) { $1 }
        return f
    }

    /// One fact's question by its kind: yes/no, a number, one or several codes of its list.
    mutating func fact(_ fact: Fact, required: String?, relevant: String?, constraint: (String, vi: String, en: String)? = nil) {
        let label = (fact.label.capitalizedFirst, Self.englishLabels[fact] ?? fact.rawValue)
        switch fact.kind {
        case .bool: row("select_one yesno", fact.rawValue, label, required: required, relevant: relevant, constraint: constraint)
        case .number:
            row("decimal", fact.rawValue, label, required: required, relevant: relevant,
                constraint: constraint ?? (". > 0", "\(fact.label.capitalizedFirst) phải lớn hơn 0.", "Must be greater than 0."))
        case .code: row("select_one \(fact.rawValue)", fact.rawValue, label, required: required, relevant: relevant, constraint: constraint,
                        appearance: fact == .ethnicity ? "autocomplete" : nil)
        case .codes: row("select_multiple \(fact.rawValue)", fact.rawValue, label, required: required, relevant: relevant, constraint: constraint)
        }
    }

    /// Whether part B2 is needed, as XPath: the area is unknown, the measure is missing, or it falls in a band of
    /// a rule that tests deprivations (the measure is điểm B1 when given, else income).
    static func needsB2(_ s: PovertyStandard) -> String {
        func bands(_ clauses: [ClassificationClause], _ lines: [String: AreaThreshold], _ measure: String) -> String {
            func line(_ name: String) -> String? {
                guard let t = lines[name], let r = t.rural, let u = t.urban else { return nil }   // unknown: the band is open there
                return "if(${household_area} = 'urban', \(u), \(r))"
            }
            let tests = clauses.filter { $0.deprivation != nil }.map { c -> String in
                let parts = [c.above.flatMap(line).map { "\(measure) > \($0)" }, c.atMost.flatMap(line).map { "\(measure) <= \($0)" }].compactMap { $0 }
                return parts.isEmpty ? "true()" : "(" + parts.joined(separator: " and ") + ")"
            }
            var seen = Set<String>()   // poor and near-poor share their band: asked once
            let distinct = tests.filter { seen.insert($0).inserted }
            return distinct.isEmpty ? "false()" : distinct.joined(separator: " or ")
        }
        let income = "${incomePerCapita} = '' or \(bands(s.classification, s.incomeLines, "${incomePerCapita}"))"
        guard let p = s.pointRule else { return "${household_area} = '' or \(income)" }
        return "${household_area} = '' or (${scoreB1} != '' and (\(bands(p.clauses, p.scoreB1, "${scoreB1}")))) or (${scoreB1} = '' and (\(income)))"
    }

    /// The ages at which the standard's indicators read each member fact: [from, below), nil for no bound.
    static func memberFactAges(_ s: PovertyStandard) -> [Fact: [(Int?, Int?)]] {
        var out: [Fact: [(Int?, Int?)]] = [:]
        func meet(_ a: (Int?, Int?), _ b: (Int?, Int?)) -> (Int?, Int?) {
            (a.0.map { x in b.0.map { max(x, $0) } ?? x } ?? b.0, a.1.map { x in b.1.map { min(x, $0) } ?? x } ?? b.1)
        }
        func walk(_ c: Condition, _ range: (Int?, Int?)) {
            switch c {
            case .all(let xs):
                var r = range
                for x in xs {
                    if case .age(let lo, let hi) = x { r = meet(r, (lo, hi)) }
                    if case .workingAge = x { r = meet(r, (15, nil)) }   // the upper bound differs by sex and year: asked above it too
                }
                xs.forEach { walk($0, r) }
            case .any(let xs), .atLeast(_, let xs): xs.forEach { walk($0, range) }
            case .not(let x), .anyMember(let x), .memberShareAbove(let x, _): walk(x, range)
            case .factIs(let f, _), .factIn(let f, _), .factNotIn(let f, _), .containsNoneOf(let f, _), .containsAnyOf(let f, _),
                 .numberBelow(let f, _), .numberAtLeast(let f, _):
                if f.scope == .member { out[f, default: []].append(range) }
            case .perMemberBelow, .age, .workingAge: break
            }
        }
        for i in s.indicators { walk(i.condition, (nil, nil)) }
        return out
    }

    /// The XPath of "age in one of the ranges"; nil when one range is unbounded (every age).
    static func ageTest(_ ranges: [(Int?, Int?)]) -> String? {
        guard !ranges.contains(where: { $0.0 == nil && $0.1 == nil }) else { return nil }
        var seen = Set<String>()
        let tests = ranges.map { r in [r.0.map { "${age} >= \($0)" }, r.1.map { "${age} < \($0)" }].compactMap { $0 }.joined(separator: " and ") }
            .filter { seen.insert($0).inserted }
        return "(${age} = '' or " + tests.map { "(\($0))" }.joined(separator: " or ") + ")"
    }

    static let englishLabels: [Fact: String] = [
        .sex: "Sex", .ethnicity: "Ethnic group", .relation: "Relation to the head", .workingCapacity: "Able to work",
        .employment: "Employment", .healthInsurance: "Has health insurance", .schooling: "School attendance",
        .qualification: "Highest qualification", .nutrition: "Nutrition", .disabled: "Person with a disability",
        .meritorious: "Person of merit", .socialAllowance: "Receives a monthly social allowance",
        .seriousIllnessWithoutCare: "Seriously ill without treatment", .walls: "Walls", .frame: "Frame", .roof: "Roof",
        .floorArea: "Floor area (m²)", .waterSource: "Drinking water source", .latrine: "Latrine", .usesInternet: "Uses the internet",
        .usesTelephone: "Has a telephone subscription", .informationDevices: "Means of access to information",
        .loudspeaker: "Hears the commune or village loudspeaker", .wasteTreatment: "Waste treatment",
    ]

    /// A value code in words ("drilledWell" → "Drilled well"): the codes are English already.
    static func englishValue(_ code: String) -> String {
        var out = ""
        for ch in code {
            if ch.isUppercase && !out.isEmpty { out += " " + ch.lowercased() } else { out.append(ch) }
        }
        return out.capitalizedFirst
    }
}

extension String {
    /// The first letter in capitals, the rest as written.
    public var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
