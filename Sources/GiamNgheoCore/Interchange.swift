import Foundation

/// The interchange formats of `giamngheo generate` and `giamngheo classify` (docs/classify-input.md):
/// JSON Lines with one household per line, or a households.csv / members.csv pair.
public enum Interchange {
    public static let householdColumns = [
        "code", "commune", "oldCommune", "village", "area", "incomePerCapita", "scoreB1", "agriculture", "size",
        "walls", "frame", "roof", "floorArea", "waterSource", "latrine", "usesInternet", "usesTelephone",
        "informationDevices", "loudspeaker", "wasteTreatment", "deprived", "causes",
    ]
    public static let memberColumns = [
        "householdCode", "id", "name", "birthDate", "sex", "ethnicity", "relation", "workingCapacity", "employment",
        "healthInsurance", "schooling", "qualification", "nutrition", "disabled", "meritorious", "socialAllowance",
        "seriousIllnessWithoutCare", "nationalID",
    ]

    /// The facts as a dictionary (the form edits and merges work on): the stored form's values, so the two
    /// can never list different fields.
    public static func dictionary(_ h: Household) -> [String: Any] {
        value(h).any as! [String: Any]
    }

    public static func memberDictionary(_ m: Member) -> [String: Any] {
        memberValue(m).any as! [String: Any]
    }

    /// The stored form of a household's facts, written without `Any` or a tree (the same text as
    /// `JSONText.encode(dictionary(h))`, which a property test holds).
    public static func jsonLine(_ h: Household) -> String {
        var text = FactsText()
        facts(h, into: &text)
        return text.finish()
    }

    static func value(_ h: Household) -> JSONText.Value {
        var tree = FactsTree()
        facts(h, into: &tree)
        return tree.value
    }

    static func memberValue(_ m: Member) -> JSONText.Value {
        var tree = FactsTree()
        memberFacts(m, into: &tree)
        return tree.value
    }

    public static func householdCSVRow(_ h: Household) -> String {
        let d = dictionary(h)
        let living = d["living"] as? [String: Any] ?? [:]
        return CSV.line(householdColumns.map { key in
            if key == "size" { return h.members.isEmpty ? (h.size.map(String.init) ?? "") : String(h.members.count) }
            return cell(d[key] ?? living[key])
        })
    }

    public static func memberCSVRows(_ h: Household) -> String {
        h.members.map { m in
            var d = memberDictionary(m)
            d["householdCode"] = h.code
            if m.birthDate == nil, let y = m.birthYear { d["birthDate"] = String(y) }
            return CSV.line(memberColumns.map { cell(d[$0]) })
        }.joined()
    }

    static func cell(_ v: Any?) -> String {
        switch v {
        case nil: return ""
        case let b as Bool: return b ? "true" : "false"
        case let i as Int: return String(i)
        case let x as Double: return x == x.rounded() ? String(Int(x)) : String(x)
        // An empty cell means "not given", so an empty list is written as "none".
        case let xs as [String]: return xs.isEmpty ? "none" : xs.joined(separator: ";")
        case let s as String: return s
        default: return "\(v!)"
        }
    }

    /// Reads the CSV pair into the same dictionaries as JSON Lines, so one parser checks both.
    /// Empty cells mean "not given"; a member row whose household is missing is an error.
    public static func readCSVPair(households: String, members: String?, parser: HouseholdParser) throws -> [Household] {
        let hs = CSV.records(households)
        guard hs.header.contains("code") else {
            throw ClassificationError(household: "households.csv", field: "code", message: "thiếu cột 'code' ở dòng tiêu đề")
        }
        var membersByHousehold: [String: [[String: Any]]] = [:]
        if let members {
            let ms = CSV.records(members)
            guard ms.header.contains("householdCode") else {
                throw ClassificationError(household: "members.csv", field: "householdCode", message: "thiếu cột 'householdCode' ở dòng tiêu đề")
            }
            for (i, r) in ms.rows.enumerated() {
                var d: [String: Any] = [:]
                for (k, v) in r where !v.isEmpty && k != "householdCode" { d[k] = v }
                guard let code = r["householdCode"], !code.isEmpty else {
                    throw ClassificationError(household: "members.csv dòng \(i + 2)", field: "householdCode", message: "thiếu mã hộ")
                }
                membersByHousehold[code, default: []].append(d)
            }
        }
        var out: [Household] = []
        var seen = Set<String>()
        for (i, r) in hs.rows.enumerated() {
            var d: [String: Any] = [:]
            for (k, v) in r where !v.isEmpty { d[k] = v }
            let code = r["code"] ?? ""
            if let ms = membersByHousehold.removeValue(forKey: code) {
                d["members"] = ms
                d.removeValue(forKey: "size")
            }
            let h = try parser.parse(d, fallbackCode: "households.csv dòng \(i + 2)")
            guard seen.insert(h.code).inserted else {
                throw ClassificationError(household: h.code, field: "code", message: "mã hộ trùng (households.csv dòng \(i + 2))")
            }
            out.append(h)
        }
        if let orphan = membersByHousehold.keys.sorted().first {
            throw ClassificationError(household: orphan, field: "householdCode", message: "members.csv có nhân khẩu của hộ không có trong households.csv")
        }
        return out
    }
}
