import Foundation
import GiamNgheoCore

/// A household's stored row: the columns derived from its facts and classification, and its facts flattened for
/// the field-level audit. Pure functions of the household, shared by every writer (save, bulk insert, import).
extension HouseholdStore {
    /// The derived columns written by both the bulk INSERT and the versioned UPDATE, in one place.
    static func columns(_ r: HouseholdRecord) -> [(String, any Encodable & Sendable)] {
        [("code", r.$code.value), ("commune_code", r.$communeCode.value),
         ("province_code", r.$communeCode.value.map { Partitions.province(ofCommune: $0) }), ("village", r.village), ("head_name", r.$headName.value),
         ("sort_key", r.$sortKey.value), ("search_text", r.$searchText.value), ("facts", r.$facts.value),
         ("category", r.$category.value), ("subtype", r.subtype), ("deprived", r.$deprived.value),
         ("deprived_count", r.$deprivedCount.value), ("standard", r.$standard.value), ("income_per_capita", r.incomePerCapita),
         ("ethnic_minority_head", r.$ethnicMinorityHead.value), ("meritorious", r.$meritorious.value),
         ("no_working_capacity", r.$noWorkingCapacity.value), ("member_count", r.$memberCount.value), ("causes", r.causes),
         ("old_commune_code", r.oldCommuneCode), ("urban", r.urban), ("traits", r.traits)]
    }

    /// The columns of a household that could not be classified yet: category "incomplete", under the
    /// standard that will apply once it is.
    func row(_ h: Household, _ c: Classification?, facts: String? = nil) -> HouseholdRecord {
        let r = Self.row(h, c, pendingStandard: engine.catalogue.standard(for: engine.defaultDate)?.id ?? "", facts: facts,
                         date: engine.defaultDate)
        // The old commune: as recorded, or the only commune the new one was formed from.
        if r.oldCommuneCode == nil, let commune = h.commune {
            let olds = Set(units.predecessors(ofNewCommune: commune).compactMap(\.oldCommuneCode))
            if olds.count == 1 { r.oldCommuneCode = olds.first }
        }
        if c == nil, let commune = h.commune { r.urban = (h.area ?? units.area(ofCommune: commune)) == .urban }
        return r
    }

    /// The stored columns of a household, derived from its facts and classification.
    static func row(_ h: Household, _ c: Classification?, pendingStandard: String = "", facts: String? = nil,
                    date: CivilDate) -> HouseholdRecord {
        let r = HouseholdRecord()
        r.code = h.code
        r.communeCode = h.commune ?? ""
        r.village = h.village
        let head = h.head ?? h.members.first
        r.headName = head?.name ?? h.code
        let folded = VietnameseText.fold(r.headName)
        let given = folded.split(separator: " ").last.map(String.init) ?? folded
        r.sortKey = "\(given) \(folded) \(h.code)"
        var search = [VietnameseText.fold(h.code)]
        for m in h.members {
            if let n = m.name { search.append(VietnameseText.fold(n)) }
            if let id = m.nationalID { search.append(id) }
        }
        r.searchText = " " + search.joined(separator: " | ") + " "
        r.facts = facts ?? Interchange.jsonLine(h)
        r.category = c?.category.rawValue ?? HouseholdRecord.incomplete
        r.subtype = c?.subtype?.rawValue
        r.deprived = "," + (c?.deprived ?? []).joined(separator: ",") + ","
        r.deprivedCount = c?.deprivedCount ?? 0
        r.standard = c?.standard ?? pendingStandard
        r.incomePerCapita = h.incomePerCapita
        r.ethnicMinorityHead = c?.flags.ethnicMinorityHead ?? false
        r.meritorious = c?.flags.meritoriousPerson ?? false
        r.noWorkingCapacity = c?.flags.noWorkingCapacity ?? false
        r.memberCount = h.members.isEmpty ? (h.size ?? 0) : h.members.count
        r.causes = h.causes.map { "," + $0.joined(separator: ",") + "," }
        r.oldCommuneCode = h.oldCommune
        r.urban = c.map { $0.area == .urban } ?? (h.area == .urban)
        let on = c.flatMap { CivilDate($0.referenceDate) } ?? date
        // Traits, then the tokens the summaries read for forms 9, 11–13 (head's ethnic group, children counted).
        r.traits = "," + (HouseholdTrait.of(h, flags: c?.flags, on: on).map(\.rawValue) + ChildDeprivation.tokens(h, on: on)).joined(separator: ",") + ","
        return r
    }

    /// Facts as "path → value" pairs ("members[2].healthInsurance" → "false") for the field-level audit.
    public static func flatten(_ json: String) -> [String: String] {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(json.utf8)) else { return [:] }
        var out: [String: String] = [:]
        func walk(_ v: Any, _ path: String) {
            switch v {
            case let d as [String: Any]:
                for (k, x) in d { walk(x, path.isEmpty ? k : "\(path).\(k)") }
            case let a as [Any]:
                if let members = a as? [[String: Any]], members.allSatisfy({ $0["id"] != nil }) {
                    for m in members { walk(m.filter { $0.key != "id" }, "\(path)[\(m["id"]!)]") }
                } else {
                    out[path] = a.map { "\($0)" }.joined(separator: ";")
                }
            case let n as NSNumber:
                out[path] = String(cString: n.objCType) == "c" ? (n.boolValue ? "true" : "false") : n.stringValue
            default: out[path] = "\(v)"
            }
        }
        walk(obj, "")
        return out
    }

    /// Takes members out of a household for a move or a split: they must all belong to it, the head stays,
    /// and someone remains.
    static func detach(_ memberIDs: [String], from h: inout Household, headStays: String) throws -> [Member] {
        let moving = h.members.filter { memberIDs.contains($0.id) }
        guard moving.count == Set(memberIDs).count else { throw ValidationError("members.foreign", field: "members", vi: "Có nhân khẩu không thuộc hộ \(h.code).", en: "Some members do not belong to household \(h.code).") }
        guard moving.allSatisfy({ $0.relation != "head" }) else { throw ValidationError(text: headStays) }
        guard moving.count < h.members.count else { throw ValidationError("members.last", field: "members", vi: "Hộ \(h.code) phải còn ít nhất một người.", en: "Household \(h.code) must keep at least one person.") }
        h.members.removeAll { memberIDs.contains($0.id) }
        return moving
    }

    public static func nextMemberID(_ h: Household) -> String {
        String((h.members.compactMap { Int($0.id) }.max() ?? 0) + 1)
    }
}
