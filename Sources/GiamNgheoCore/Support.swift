/// Support plans, programmes and the support ledger (issue 7; Decision 90/QĐ-TTg of 2022, the national target programme). Pure: the
/// catalogue is data (CSV shipped in GiamNgheoData, replaceable by an administrator's file), eligibility
/// is a small rule language over the household's status on the day of the support.

/// One node of the programme tree: programme → project / component → sub-project / content (§8).
public struct ProgrammeItem: Sendable, Equatable, Codable {
    public var code: String
    public var parent: String?
    /// programme, project (Dự án; Hợp phần of the merged programme), subProject (Tiểu dự án), component (nội dung
    /// thành phần), local (the commune's or province's own lines): glossary names.
    public var level: String
    public var title: String
    public var validFrom: Int
    public var validTo: Int
    public var verified: Bool
    public var source: String
    public init(code: String, parent: String?, level: String, title: String, validFrom: Int, validTo: Int, verified: Bool, source: String) {
        self.code = code; self.parent = parent; self.level = level; self.title = title
        self.validFrom = validFrom; self.validTo = validTo; self.verified = verified; self.source = source
    }
    public func covers(year: Int) -> Bool { (validFrom...validTo).contains(year) }
}

/// What a support is paid from (issue 7 §3).
public enum FundingSource: String, Sendable, CaseIterable, Codable {
    case central, local, credit, fund, donor, people
    public var vietnamese: String {
        switch self {
        case .central: return "Ngân sách trung ương"
        case .local: return "Ngân sách địa phương"
        case .credit: return "Vốn tín dụng chính sách"
        case .fund: return "Quỹ Vì người nghèo"
        case .donor: return "Nhà tài trợ, xã hội hóa"
        case .people: return "Người dân đóng góp"
        }
    }
    /// Accepts the code or the Vietnamese label, with or without diacritics ("ngan sach trung uong").
    public static func parse(_ s: String) -> FundingSource? {
        let f = VietnameseText.fold(s)
        if f.isEmpty { return nil }
        if let v = FundingSource(rawValue: s.trimmingCharacters(in: .whitespaces)) { return v }
        let aliases: [(String, FundingSource)] = [("trung uong", .central), ("tw", .central), ("dia phuong", .local), ("ndp", .local),
                                                   ("tin dung", .credit), ("nhcsxh", .credit), ("vay", .credit), ("quy", .fund),
                                                   ("tai tro", .donor), ("xa hoi hoa", .donor), ("nguoi dan", .people), ("dong gop", .people)]
        return aliases.first { f.contains($0.0) }?.1
    }
}

/// Cash, goods or services, or a loan (a loan's amount is lent, not spent).
public enum SupportForm: String, Sendable, CaseIterable, Codable {
    case cash, kind, credit, service
    public var vietnamese: String {
        switch self { case .cash: return "Tiền mặt"; case .kind: return "Hiện vật"; case .credit: return "Cho vay"; case .service: return "Dịch vụ" }
    }
    public static func parse(_ s: String) -> SupportForm? {
        if let v = SupportForm(rawValue: s.trimmingCharacters(in: .whitespaces)) { return v }
        let f = VietnameseText.fold(s)
        if f.contains("tien") { return .cash }
        if f.contains("hien vat") { return .kind }
        if f.contains("vay") { return .credit }
        if f.contains("dich vu") { return .service }
        return nil
    }
}

/// A household's status on one day, as far as eligibility needs it.
public struct EligibilityFacts: Sendable, Equatable {
    public var category: Category?
    /// The last recognised exit from poverty (poor → not poor) on or before the day.
    public var exitedPoor: CivilDate?
    /// The last recognised exit from near-poverty (near-poor → neither poor nor near-poor).
    public var exitedNearPoor: CivilDate?
    public var minority: Bool
    public var meritorious: Bool
    /// The transition of the last recognition on or before the day (newly poor, re-poor, …: §6.6).
    public var transition: Transition?
    public init(category: Category?, exitedPoor: CivilDate? = nil, exitedNearPoor: CivilDate? = nil, minority: Bool = false, meritorious: Bool = false,
                transition: Transition? = nil) {
        self.category = category; self.exitedPoor = exitedPoor; self.exitedNearPoor = exitedNearPoor
        self.minority = minority; self.meritorious = meritorious; self.transition = transition
    }
}

/// The recognised categories of a household by review year, and when each took effect (the chairman's
/// decision, or 14/12 of the year when no date was recorded: regulations §6.2).
public struct StatusTimeline: Sendable {
    public struct Entry: Sendable, Equatable {
        public var year: Int, category: Category, effective: CivilDate
        public init(year: Int, category: Category, decided: CivilDate?) {
            self.year = year; self.category = category
            self.effective = decided ?? CivilDate(year: year, month: 12, day: 14)!
        }
    }
    public let entries: [Entry]
    /// The live registry's category: used when the household has no recognised year at all.
    public let current: Category?
    public init(entries: [Entry], current: Category?) {
        self.entries = entries.sorted { $0.year < $1.year }
        self.current = current
    }

    public func facts(on day: CivilDate, minority: Bool = false, meritorious: Bool = false) -> EligibilityFacts {
        let known = entries.filter { $0.effective <= day }
        // No recognition at all (a registry without history): the live category. Recognitions, but none yet on
        // that day: the household was on no list then.
        let category = entries.isEmpty ? current : known.last?.category
        var out = EligibilityFacts(category: category, minority: minority, meritorious: meritorious)
        if let last = known.last {
            out.transition = Transition.of(year: last.year, history: Dictionary(known.map { ($0.year, $0.category) }, uniquingKeysWith: { _, b in b }))
        }
        for (a, b) in zip(known, known.dropFirst()) {
            if a.category == .poor && b.category != .poor { out.exitedPoor = b.effective }
            if a.category == .nearPoor && b.category != .nearPoor && b.category != .poor { out.exitedNearPoor = b.effective }
        }
        return out
    }
}

/// Who a policy is for: alternatives separated by `|`, each a conjunction of atoms joined by `&`.
/// Atoms: poor, nearPoor, middleIncome, notPoor, exitedPoor<N, exitedNearPoor<N (exited within N months),
/// a transition of the last recognition (newlyPoor, rePoor, exitedPoor, …: `Transition`), minority, meritorious, any. Example "poor|nearPoor|exitedPoor<36" (issue 7 §2).
public struct EligibilityRule: Sendable, Equatable, CustomStringConvertible {
    public enum Atom: Sendable, Equatable {
        case category(Category), exitedPoor(months: Int), exitedNearPoor(months: Int), transition(Transition), minority, meritorious, any
        public var vietnamese: String {
            switch self {
            case .category(let c): return c == .middleIncome ? "hộ có mức sống trung bình" : c.vietnamese.lowercased()
            case .exitedPoor(let m): return "hộ thoát nghèo trong \(m) tháng"
            case .exitedNearPoor(let m): return "hộ thoát cận nghèo trong \(m) tháng"
            case .transition(let t): return "\(t.vietnamese.lowercased()) (lần công nhận gần nhất)"
            case .minority: return "chủ hộ là người dân tộc thiểu số"
            case .meritorious: return "hộ có người có công"
            case .any: return "mọi hộ"
            }
        }
        var source: String {
            switch self {
            case .category(let c): return c.rawValue
            case .exitedPoor(let m): return "exitedPoor<\(m)"
            case .exitedNearPoor(let m): return "exitedNearPoor<\(m)"
            case .transition(let t): return t.rawValue
            case .minority: return "minority"
            case .meritorious: return "meritorious"
            case .any: return "any"
            }
        }
        func holds(_ f: EligibilityFacts, on day: CivilDate) -> Bool {
            switch self {
            case .category(let c): return f.category == c
            case .exitedPoor(let m):
                return f.category != .poor && f.exitedPoor.map { Transition.recentlyExited(exitDecided: $0, asOf: day, windowMonths: m) } == true
            case .exitedNearPoor(let m):
                return f.category != .poor && f.category != .nearPoor
                    && f.exitedNearPoor.map { Transition.recentlyExited(exitDecided: $0, asOf: day, windowMonths: m) } == true
            case .transition(let t): return f.transition == t
            case .minority: return f.minority
            case .meritorious: return f.meritorious
            case .any: return true
            }
        }
    }
    public let alternatives: [[Atom]]

    public init(_ text: String) throws {
        var alts: [[Atom]] = []
        for alt in text.split(separator: "|", omittingEmptySubsequences: false) {
            var atoms: [Atom] = []
            for raw in alt.split(separator: "&", omittingEmptySubsequences: false) {
                let a = raw.trimmingCharacters(in: .whitespaces)
                if let c = Category(rawValue: a) { atoms.append(.category(c)) }
                else if a == "minority" { atoms.append(.minority) }
                else if a == "meritorious" { atoms.append(.meritorious) }
                else if a == "any" { atoms.append(.any) }
                else if a.hasPrefix("exitedPoor<") || a.hasPrefix("exitedNearPoor<") || a.hasPrefix("recentlyExited<") {
                    guard let m = Int(a.split(separator: "<").last ?? ""), (1...240).contains(m) else {
                        throw StandardError("điều kiện '\(a)': số tháng phải từ 1 đến 240")
                    }
                    // "recentlyExited" (glossary: hộ mới thoát nghèo) is an exit from poverty within the window.
                    atoms.append(a.hasPrefix("exitedNearPoor") ? .exitedNearPoor(months: m) : .exitedPoor(months: m))
                } else if let t = Transition(rawValue: a), t != .none {
                    atoms.append(.transition(t))
                } else {
                    throw StandardError("điều kiện '\(a)' không hiểu; dùng poor, nearPoor, middleIncome, notPoor, exitedPoor<N, exitedNearPoor<N, rePoor, newlyPoor…, minority, meritorious, any")
                }
            }
            if atoms.isEmpty { throw StandardError("điều kiện đối tượng '\(text)' có vế rỗng") }
            alts.append(atoms)
        }
        if alts.isEmpty { throw StandardError("điều kiện đối tượng rỗng") }
        alternatives = alts
    }

    public var description: String { alternatives.map { $0.map(\.source).joined(separator: "&") }.joined(separator: "|") }
    /// "hộ nghèo hoặc hộ cận nghèo"; a ";" separates alternatives only when one of them is a "và" (to read unambiguously).
    public var vietnamese: String {
        let parts = alternatives.map { $0.map(\.vietnamese).joined(separator: " và ") }
        return parts.joined(separator: alternatives.contains { $0.count > 1 } ? "; hoặc " : " hoặc ")
    }

    public func holds(_ f: EligibilityFacts, on day: CivilDate) -> Bool {
        alternatives.contains { $0.allSatisfy { $0.holds(f, on: day) } }
    }
}

/// Who within an eligible household a person's support is for, beyond age: member facts of the registry
/// ("schooling=attending|attendingBelowLevel" for tuition, "workingCapacity=true" for vocational training).
/// Every listed fact must hold, with any of its values. An unknown fact never excludes a member (as an unknown
/// age does not): the registry is often incomplete, and the record still shows what was checked.
public struct MemberCondition: Sendable, Equatable {
    public var terms: [(fact: Fact, values: Set<String>)]
    public static func == (a: MemberCondition, b: MemberCondition) -> Bool {
        a.terms.map(\.fact) == b.terms.map(\.fact) && a.terms.map(\.values) == b.terms.map(\.values)
    }
    public var isEmpty: Bool { terms.isEmpty }
    public init() { terms = [] }

    /// `fact=v1|v2;fact2=v`: facts must be member facts, values codes of the fact (or true/false for a yes/no fact).
    public init(_ text: String) throws {
        terms = []
        for part in text.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, let fact = Fact(rawValue: kv[0]), fact.scope == .member else {
                throw StandardError("điều kiện thành viên '\(part)': cần dạng fact=giá trị với fact là thông tin của thành viên")
            }
            let values = Set(kv[1].split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            let allowed: Set<String>
            switch fact.kind {
            case .bool: allowed = ["true", "false"]
            case .code(let codes) where !codes.isEmpty: allowed = Set(codes)
            default: allowed = values
            }
            guard !values.isEmpty, values.isSubset(of: allowed) else {
                throw StandardError("điều kiện thành viên '\(part)': giá trị phải là \(allowed.sorted().joined(separator: ", "))")
            }
            terms.append((fact, values))
        }
    }

    /// `value(fact)`: the member's value as text ("true"/"false" for yes/no facts), nil when not recorded.
    public func holds(_ value: (Fact) -> String?) -> Bool {
        terms.allSatisfy { t in value(t.fact).map { t.values.contains($0) } ?? true }
    }
    /// The first term a member fails, in words to follow "dành cho người …": "có khả năng lao động; người nhận:
    /// không có khả năng lao động".
    public func failure(_ value: (Fact) -> String?) -> String? {
        for t in terms { if let v = value(t.fact), !t.values.contains(v) { return "\(describe(t)); người nhận: \(Self.state(t.fact, v))" } }
        return nil
    }
    /// "có tình trạng đi học là Đang đi học đúng cấp học hoặc …", "có khả năng lao động": follows "người".
    public var vietnamese: String { terms.map(describe).joined(separator: " và ") }
    func describe(_ t: (fact: Fact, values: Set<String>)) -> String {
        if case .bool = t.fact.kind, t.values.count == 1 { return Self.state(t.fact, t.values.first!) }
        return "có \(t.fact.label) là \(t.values.sorted().map { Self.state(t.fact, $0) }.joined(separator: " hoặc "))"
    }
    /// A value in words: a code's label, or the yes/no fact's label, negated for "false".
    static func state(_ fact: Fact, _ v: String) -> String {
        if case .bool = fact.kind {
            // "có khả năng lao động" / "không có …"; "là người khuyết tật" / "không phải người khuyết tật".
            let noun = fact.label.hasPrefix("người ")
            return v == "true" ? (noun ? "là " : "") + fact.label : (noun ? "không phải " : "không ") + fact.label
        }
        return Vocabulary.label(fact, v)
    }
    /// A registry member's value of a fact as the condition reads it.
    public static func value(of m: Member) -> (Fact) -> String? {
        { fact in
            switch m.value(fact) {
            case .bool(let b): return b.map { $0 ? "true" : "false" }
            case .text(let t): return t
            default: return nil
            }
        }
    }
}

/// A support policy (health-insurance subsidy, tuition exemption, preferential credit, housing…) with the
/// rule of who may receive it and, where a plan names one, the share of them that should (§10; seeds).
public struct SupportPolicy: Sendable, Equatable {
    public var code: String
    public var name: String
    public var english: String
    /// household or person: whom one record supports, and what coverage counts.
    public var unit: String
    public var form: SupportForm
    public var eligibility: EligibilityRule
    /// Deprivation indicators and poverty causes the policy addresses (defaults of a record).
    public var indicators: [String]
    public var causes: [String]
    /// Programme items the policy is usually paid from, by period (the record's year picks one).
    public var programmes: [String]
    /// Percent of eligible households (persons) a plan wants reached, and where that target comes from.
    public var coverageTarget: Int?
    public var targetSource: String
    /// For a person's support: the ages (on the day) it is for, e.g. 3–22 for tuition; nil = any age.
    public var ages: ClosedRange<Int>?
    /// For a person's support: only members of working age (ages `workingAge` in the file): 15 to the statutory
    /// retirement age by sex and year (Labour Code 2019 Art. 169; Decree 135/2020), not a fixed 60.
    public var workingAge: WorkingAge?
    /// A member fact of the registry that also proves coverage (healthInsurance).
    public var registryFact: String?
    /// The support column of the detailed lists (forms 14/15) a record of this policy ticks.
    public var listGroup: SupportGroup = .other
    /// For a person's support: member facts the person must have (tuition: attending school).
    public var memberCondition = MemberCondition()
    /// Whom the target counts: every eligible household (`eligible`), or only those whose plan for the year records a
    /// need for this policy (`need`): the plans' "100 % of those who need a loan / training" (seeds 000, 002, 004).
    public var coverageOfNeed = false
    public var verified: Bool
    public var source: String

    public var perPerson: Bool { unit == "person" }
    /// A person's support whose receiver must be named: it depends on who (age or member facts).
    public var needsReceiver: Bool { perPerson && (ages != nil || workingAge != nil || !memberCondition.isEmpty) }
    /// Whether a member of that age (unknown age: yes) is one the policy is for.
    public func covers(age: Int?) -> Bool { guard let ages, let age else { return true }; return ages.contains(age) }
    /// Whether a member is one the policy is for by age: its range, or working age by sex and year; an unknown
    /// birth or sex does not exclude anyone.
    public func covers(birthDate: CivilDate?, birthYear: Int?, sex: String?, on day: CivilDate) -> Bool {
        if let w = workingAge { return w.contains(birthDate: birthDate, birthYear: birthYear, sex: sex, on: day) ?? true }
        return covers(age: birthDate.map { $0.age(on: day) } ?? birthYear.map { day.year - $0 })
    }
    /// Whom the policy is for by age, in words.
    public var agesText: String? {
        if let w = workingAge { return "người trong độ tuổi lao động (từ đủ \(w.from) tuổi đến tuổi nghỉ hưu theo giới và năm)" }
        return ages.map { "người \($0.lowerBound)–\($0.upperBound) tuổi" }
    }
    public func programme(for year: Int, in items: [ProgrammeItem]) -> ProgrammeItem? {
        programmes.lazy.compactMap { c in items.first { $0.code == c } }.first { $0.covers(year: year) }
    }
}

/// The whole catalogue, read from CSV; a bad row stops the load with its line and field named.
public struct SupportCatalogue: Sendable {
    public var programmes: [ProgrammeItem]
    public var policies: [SupportPolicy]

    public init(programmes: [ProgrammeItem], policies: [SupportPolicy]) { self.programmes = programmes; self.policies = policies }

    /// `workingAge`: the table for policies whose `ages` is `workingAge`.
    public static func parse(programmesCSV: String, policiesCSV: String, workingAge: WorkingAge? = nil) throws -> SupportCatalogue {
        var items: [ProgrammeItem] = []
        for (i, r) in CSV.records(programmesCSV).rows.enumerated() {
            func v(_ k: String) -> String { (r[k] ?? "").trimmingCharacters(in: .whitespaces) }
            guard !v("code").isEmpty, !v("title").isEmpty, let from = Int(v("from")), let to = Int(v("to")), from <= to else {
                throw StandardError("danh mục chương trình, dòng \(i + 2): cần code, title, from ≤ to")
            }
            items.append(ProgrammeItem(code: v("code"), parent: v("parent").isEmpty ? nil : v("parent"), level: v("level"), title: v("title"),
                                       validFrom: from, validTo: to, verified: v("verified") == "true", source: v("source")))
        }
        let codes = Set(items.map(\.code))
        for p in items { if let parent = p.parent, !codes.contains(parent) { throw StandardError("danh mục chương trình: '\(p.code)' có cấp trên '\(parent)' không có") } }
        var policies: [SupportPolicy] = []
        for (i, r) in CSV.records(policiesCSV).rows.enumerated() {
            func v(_ k: String) -> String { (r[k] ?? "").trimmingCharacters(in: .whitespaces) }
            func list(_ k: String) -> [String] { v(k).split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
            let line = "danh mục chính sách, dòng \(i + 2)"
            guard !v("code").isEmpty, !v("name").isEmpty else { throw StandardError("\(line): cần code và name") }
            guard v("unit") == "household" || v("unit") == "person" else { throw StandardError("\(line): unit phải là household hoặc person") }
            guard let form = SupportForm(rawValue: v("form")) else { throw StandardError("\(line): form phải là cash, kind, credit hoặc service") }
            let rule: EligibilityRule
            do { rule = try EligibilityRule(v("eligibility")) } catch { throw StandardError("\(line): \(error)") }
            for p in list("programmes") where !codes.contains(p) { throw StandardError("\(line): chương trình '\(p)' không có trong danh mục") }
            var ages: ClosedRange<Int>? = nil
            var working: WorkingAge? = nil
            if v("ages") == "workingAge" {
                guard let workingAge else { throw StandardError("\(line): ages 'workingAge' cần bảng độ tuổi lao động của chuẩn nghèo") }
                working = workingAge
            } else if !v("ages").isEmpty {
                let b = v("ages").split(separator: "-").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard b.count == 2, b[0] <= b[1] else { throw StandardError("\(line): ages '\(v("ages"))' phải có dạng 3-22") }
                ages = b[0]...b[1]
            }
            let basis = v("coverage_basis")
            guard basis.isEmpty || basis == "eligible" || basis == "need" else {
                throw StandardError("\(line): coverage_basis '\(basis)' phải là eligible hoặc need")
            }
            // Optional column (an administrator's older file has none): "khác" when empty.
            var group = SupportGroup.other
            if !v("list_group").isEmpty {
                guard let g = SupportGroup.parse(v("list_group")) else {
                    throw StandardError("\(line): list_group '\(v("list_group"))' phải là một trong \(SupportGroup.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                group = g
            }
            var condition = MemberCondition()
            do { condition = try MemberCondition(v("member_condition")) } catch { throw StandardError("\(line): \(error)") }
            if !condition.isEmpty && v("unit") != "person" { throw StandardError("\(line): member_condition chỉ dùng cho chính sách theo người (unit=person)") }
            policies.append(SupportPolicy(code: v("code"), name: v("name"), english: v("en"), unit: v("unit"), form: form, eligibility: rule,
                                          indicators: list("indicators"), causes: list("causes"), programmes: list("programmes"),
                                          coverageTarget: Int(v("coverage_target")), targetSource: v("target_source"), ages: ages,
                                          registryFact: v("registry_fact").isEmpty ? nil : v("registry_fact"),
                                          listGroup: group, memberCondition: condition, coverageOfNeed: basis == "need", verified: v("verified") == "true", source: v("source")))
            policies[policies.count - 1].workingAge = working
        }
        if Set(policies.map(\.code)).count != policies.count { throw StandardError("danh mục chính sách: mã trùng") }
        return SupportCatalogue(programmes: items, policies: policies)
    }

    public func policy(_ code: String) -> SupportPolicy? { policies.first { $0.code == code } }
    public func programme(_ code: String) -> ProgrammeItem? { programmes.first { $0.code == code } }
    public func children(of code: String?) -> [ProgrammeItem] { programmes.filter { $0.parent == code } }
    /// "Dự án 3 › Tiểu dự án 1": the path from the programme, for a list.
    public func path(_ code: String) -> [ProgrammeItem] {
        var out: [ProgrammeItem] = []
        var c: String? = code
        while let k = c, let p = programme(k), !out.contains(p) { out.insert(p, at: 0); c = p.parent }
        return out
    }
    /// The item and all below it (budgets of a project include its sub-projects' spending).
    public func subtree(_ code: String) -> Set<String> {
        var out: Set<String> = [code]
        var frontier = [code]
        while let c = frontier.popLast() { for k in children(of: c) where out.insert(k.code).inserted { frontier.append(k.code) } }
        return out
    }
}

/// The eligibility check of one support (issue 7 §3): eligible or not, in words an official can act on.
public struct EligibilityCheck: Sendable, Equatable {
    public var eligible: Bool
    public var explanation: String
    /// `age`: the receiving member's age on the day, for a person's support.
    /// `member`: the receiving member's facts (`MemberCondition.value(of:)`), for a person's support.
    /// `inWorkingAge`: whether the receiver is of working age on the day (nil unknown), for a working-age policy.
    public static func check(_ policy: SupportPolicy, facts f: EligibilityFacts, on day: CivilDate, age: Int? = nil,
                             member: ((Fact) -> String?)? = nil, inWorkingAge: Bool? = nil) -> EligibilityCheck {
        if policy.workingAge != nil, inWorkingAge == false, policy.eligibility.holds(f, on: day) {
            return EligibilityCheck(eligible: false, explanation: "Không đúng đối tượng của \"\(policy.name)\": dành cho \(policy.agesText ?? ""); người nhận ngoài độ tuổi này ngày \(day.vietnamese).")
        }
        if let ages = policy.ages, let age, !ages.contains(age), policy.eligibility.holds(f, on: day) {
            return EligibilityCheck(eligible: false, explanation: "Không đúng đối tượng của \"\(policy.name)\": dành cho người từ \(ages.lowerBound) đến \(ages.upperBound) tuổi; người nhận \(age) tuổi ngày \(day.vietnamese).")
        }
        if let member, let why = policy.memberCondition.failure(member), policy.eligibility.holds(f, on: day) {
            return EligibilityCheck(eligible: false, explanation: "Không đúng đối tượng của \"\(policy.name)\": dành cho người \(why).")
        }
        if policy.eligibility.holds(f, on: day) {
            return EligibilityCheck(eligible: true, explanation: "Đúng đối tượng: \(policy.eligibility.vietnamese).")
        }
        var status = f.category.map { "là \($0 == .middleIncome ? "hộ có mức sống trung bình" : $0.vietnamese.lowercased())" } ?? "chưa được xếp loại"
        if let e = f.exitedPoor { status += ", thoát nghèo ngày \(e.vietnamese)" }
        if let e = f.exitedNearPoor { status += ", thoát cận nghèo ngày \(e.vietnamese)" }
        return EligibilityCheck(eligible: false, explanation: "Không đúng đối tượng của \"\(policy.name)\" (dành cho: \(policy.eligibility.vietnamese)); ngày \(day.vietnamese) hộ \(status).")
    }
}

/// Names on public lists (issue 7 §6). Posting lists in the village show the head's name but never ID
/// numbers or birth dates; the public web page shows initials only, so no one is identified by it.
public enum Disclosure {
    /// "Nguyễn Văn An" → "N.V.A."
    public static func initials(_ name: String) -> String {
        let parts = name.split(whereSeparator: { $0 == " " || $0 == "\t" })
        return parts.compactMap { $0.first.map { String($0).uppercased() + "." } }.joined()
    }
}

/// Share of a group reached, kept as two integers (the rate is computed when printed).
public struct Coverage: Sendable, Equatable {
    public var eligible: Int
    public var reached: Int
    public var target: Int?
    public init(eligible: Int, reached: Int, target: Int?) { self.eligible = eligible; self.reached = reached; self.target = target }
    /// Below the plan's target (reached/eligible < target %), compared in integers.
    public var belowTarget: Bool { guard let t = target, eligible > 0 else { return false }; return reached * 100 < t * eligible }
}

/// Which support preceded exits from poverty (issue 7 §7): for the households that exited in a year and
/// those that stayed poor, the share that received each kind of support in the years before.
public enum SupportBeforeExit {
    public struct Received: Sendable, Equatable, Hashable {
        public var household: Int, year: Int, key: String, amount: Int
        public init(household: Int, year: Int, key: String, amount: Int) { self.household = household; self.year = year; self.key = key; self.amount = amount }
    }
    public struct Row: Sendable, Equatable {
        public var key: String
        public var exited: Int, exitedAmount: Int
        public var stayed: Int, stayedAmount: Int
        public init(key: String, exited: Int, exitedAmount: Int, stayed: Int, stayedAmount: Int) {
            self.key = key; self.exited = exited; self.exitedAmount = exitedAmount; self.stayed = stayed; self.stayedAmount = stayedAmount
        }
    }
    /// `exited` and `stayed` are household ids; support of years `fromYear...toYear` counts. A household
    /// counts once per key however often it received it; amounts add up.
    public static func compare(exited: Set<Int>, stayed: Set<Int>, received: [Received], fromYear: Int, toYear: Int) -> [Row] {
        var ex: [String: Set<Int>] = [:], st: [String: Set<Int>] = [:], exA: [String: Int] = [:], stA: [String: Int] = [:]
        for r in received where (fromYear...toYear).contains(r.year) {
            if exited.contains(r.household) { ex[r.key, default: []].insert(r.household); exA[r.key, default: 0] += r.amount }
            else if stayed.contains(r.household) { st[r.key, default: []].insert(r.household); stA[r.key, default: 0] += r.amount }
        }
        let keys = Set(ex.keys).union(st.keys)
        return keys.map { k in Row(key: k, exited: ex[k]?.count ?? 0, exitedAmount: exA[k] ?? 0, stayed: st[k]?.count ?? 0, stayedAmount: stA[k] ?? 0) }
            .sorted { $0.exited != $1.exited ? $0.exited > $1.exited : $0.key < $1.key }
    }
}
