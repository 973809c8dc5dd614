/// The detailed lists of poor and near-poor households (report form forms 15 and 14, Circular 07/2021/TT-BLĐTBXH): one row per member
/// with the household's marks (new / re- / old, person of merit, local indigenous minority, no working capacity)
/// and the support it received in the year by group, from the support ledger (issue 7). Pure: storage passes
/// the households the summaries count for the year (so the list has exactly form 1's households and persons),
/// their transition, and the policies of their supports.

/// The support columns of forms 14/15 ("hỗ trợ đã nhận"): a policy's group is catalogue data (`list_group`).
public enum SupportGroup: String, Sendable, CaseIterable, Codable {
    case health, education, production, credit, housing, other
    public var vietnamese: String {
        switch self {
        case .health: return "Y tế"
        case .education: return "Giáo dục"
        case .production: return "Sản xuất"
        case .credit: return "Tín dụng"
        case .housing: return "Nhà ở"
        case .other: return "Khác"
        }
    }
    public var english: String {
        switch self {
        case .health: return "Health"
        case .education: return "Education"
        case .production: return "Production"
        case .credit: return "Credit"
        case .housing: return "Housing"
        case .other: return "Other"
        }
    }
    /// The code or the Vietnamese label, with or without diacritics ("y te", "Tín dụng").
    public static func parse(_ s: String) -> SupportGroup? {
        let t = s.trimmingCharacters(in: .whitespaces)
        if let g = SupportGroup(rawValue: t) { return g }
        let f = VietnameseText.fold(t)
        return allCases.first { VietnameseText.fold($0.vietnamese) == f }
    }
}

/// "Dân tộc tại chỗ" (DTTC): a household attribute distinct from "minority" (report form notes, Circular 07/2021/TT-BLĐTBXH). The
/// registry does not carry it, so it follows from the head's ethnic group and the groups counted as local
/// indigenous in the province the commune belonged to before 1 July 2025 (the Central Highlands lists):
/// administrator-editable data, UNCONFIRMED.
public struct LocalIndigenousGroups: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var oldProvince: String
        public var name: String
        public var ethnicities: Set<String>
        public var verified: Bool
        public var source: String
    }
    public var entries: [Entry]
    public init(_ entries: [Entry]) { self.entries = entries }

    /// Rows `old_province_code,province_name,ethnic_codes,verified,source`; codes are checked against `groups`.
    public static func parse(_ csv: String, groups: EthnicGroups) throws -> LocalIndigenousGroups {
        var out: [Entry] = []
        for (i, r) in CSV.records(csv).rows.enumerated() {
            func v(_ k: String) -> String { (r[k] ?? "").trimmingCharacters(in: .whitespaces) }
            let line = "danh mục dân tộc tại chỗ, dòng \(i + 2)"
            guard !v("old_province_code").isEmpty else { throw StandardError("\(line): cần old_province_code") }
            var codes: Set<String> = []
            for c in v("ethnic_codes").split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where !c.isEmpty {
                guard let g = groups.code(for: c) else { throw StandardError("\(line): dân tộc '\(c)' không có trong danh mục 54 dân tộc") }
                codes.insert(g)
            }
            out.append(Entry(oldProvince: v("old_province_code"), name: v("province_name"), ethnicities: codes,
                             verified: v("verified") == "true", source: v("source")))
        }
        return LocalIndigenousGroups(out)
    }

    /// The groups counted as local indigenous in any of these (old) provinces.
    public func ethnicities(inOldProvinces provinces: Set<String>) -> Set<String> {
        entries.filter { provinces.contains($0.oldProvince) }.reduce(into: Set<String>()) { $0.formUnion($1.ethnicities) }
    }
}

public enum DetailedList {
    /// Form 15 lists poor households, form 14 near-poor ones.
    public enum Kind: String, Sendable, CaseIterable {
        case poor, nearPoor
        public var category: Category { self == .poor ? .poor : .nearPoor }
        public var formNumber: String { self == .poor ? "15" : "14" }
        public var slug: String { self == .poor ? "ngheo" : "can-ngheo" }
        public init?(slug: String) { guard let k = Kind.allCases.first(where: { $0.slug == slug }) else { return nil }; self = k }
        public var title: String { self == .poor ? "Danh sách chi tiết hộ nghèo" : "Danh sách chi tiết hộ cận nghèo" }
        public var english: String { self == .poor ? "Detailed list of poor households" : "Detailed list of near-poor households" }
    }

    /// The form's "new / re- / old" columns; a near-poor household that was poor the year before is new on the
    /// near-poor list (form 3 counts it as "poor who became near-poor"), marked apart so the two can be told.
    public enum Mark: String, Sendable, Equatable {
        case new, again, old, fromPoor
        public var column: Int { switch self { case .new, .fromPoor: return 0; case .again: return 1; case .old: return 2 } }
        public static func of(_ t: Transition?) -> Mark? {
            switch t {
            case .newlyPoor?, .newlyNearPoor?: return .new
            case .rePoor?, .reNearPoor?: return .again
            case .remainedPoor?, .remainedNearPoor?: return .old
            case .exitedPoorToNearPoor?: return .fromPoor
            default: return nil
            }
        }
        /// The text under the column: "x", or "x (từ nghèo)" for a poor household now near-poor.
        public var text: String { self == .fromPoor ? "x (từ nghèo)" : "x" }
    }

    public struct MemberLine: Sendable, Equatable {
        public var number: Int
        public var name: String
        /// The year of birth goes under "Nam" or "Nữ" (the forms' habit); unknown sex: under neither, shown apart.
        public var birthYear: Int?
        public var sex: String?
        public var ethnicity: String
        public var relation: String
    }

    public struct Entry: Sendable, Equatable {
        public var household: Int
        public var code: String
        /// The registry's head name (the only name when no member list was entered).
        public var headName: String
        public var village: String
        public var mark: Mark?
        public var meritorious: Bool
        public var localIndigenous: Bool
        public var noWorkingCapacity: Bool
        public var supports: Set<SupportGroup>
        /// Which policies made each mark (a tooltip on the page, the audit of the "x").
        public var supportPolicies: [SupportGroup: [String]]
        public var members: [MemberLine]
        /// The persons the summaries count (the member list, or the declared size when there is none).
        public var persons: Int
    }

    /// One household's entry. `ethnicityName` turns a stored code into its name; `relationName` a relation code.
    public static func entry(id: Int, code: String, headName: String, village: String, household h: Household, flags: Flags?, transition: Transition?,
                             persons: Int, localIndigenous: Set<String>, supportPolicies: [String], catalogue: SupportCatalogue,
                             ethnicityCode: (String) -> String?, ethnicityName: (String) -> String,
                             relationName: (String) -> String) -> Entry {
        var groups: [SupportGroup: [String]] = [:]
        for p in supportPolicies {
            let g = catalogue.policy(p)?.listGroup ?? .other
            if !(groups[g]?.contains(p) ?? false) { groups[g, default: []].append(p) }
        }
        let head = h.head ?? h.members.first
        let indigenous = head?.ethnicity.flatMap(ethnicityCode).map { localIndigenous.contains($0) } ?? false
        let members = h.members.enumerated().map { i, m in
            MemberLine(number: i + 1, name: m.name ?? "", birthYear: m.birthDate?.year ?? m.birthYear, sex: m.sex,
                       ethnicity: m.ethnicity.map(ethnicityName) ?? "", relation: m.relation.map(relationName) ?? "")
        }
        return Entry(household: id, code: code, headName: headName, village: village, mark: Mark.of(transition),
                     meritorious: flags?.meritoriousPerson == true || h.members.contains { $0.meritorious == true },
                     localIndigenous: indigenous, noWorkingCapacity: flags?.noWorkingCapacity == true,
                     supports: Set(groups.keys), supportPolicies: groups, members: members, persons: persons)
    }

    /// Villages in order, each with its households in code order: the printed list's grouping.
    public static func byVillage(_ entries: [Entry]) -> [(village: String, entries: [Entry])] {
        let grouped = Dictionary(grouping: entries, by: \.village)
        return grouped.keys.sorted { VietnameseText.fold($0) < VietnameseText.fold($1) }.map { v in
            (v, grouped[v]!.sorted { $0.code < $1.code })
        }
    }
}
