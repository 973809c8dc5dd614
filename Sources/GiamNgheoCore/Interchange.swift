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

    /// The stored form of a household's facts, written without `Any` (the same text as
    /// `JSONText.encode(dictionary(h))`, which a property test holds).
    public static func jsonLine(_ h: Household) -> String {
        JSONText.encode(value(h))
    }

    static func value(_ h: Household) -> JSONText.Value {
        var d: [(String, JSONText.Value)] = [("code", .string(h.code))]
        if let v = h.commune { d.append(("commune", .string(v))) }
        if let v = h.oldCommune { d.append(("oldCommune", .string(v))) }
        if let v = h.village { d.append(("village", .string(v))) }
        if let v = h.area, h.commune == nil || h.areaSource == Household.declaredArea { d.append(("area", .string(v.rawValue))) }
        if let v = h.incomePerCapita { d.append(("incomePerCapita", .int(v))) }
        if let v = h.scoreB1 { d.append(("scoreB1", .int(v))) }
        if let v = h.agriculture { d.append(("agriculture", .bool(v))) }
        if let v = h.size, h.members.isEmpty { d.append(("size", .int(v))) }
        if let v = h.referenceDate { d.append(("referenceDate", .string(v.description))) }
        if let v = h.deprivedList { d.append(("deprived", .array(v.map { .string($0) }))) }
        if !h.answers.isEmpty { d.append(("answers", .object(h.answers.map { ($0.key, .bool($0.value)) }))) }
        if let v = h.causes { d.append(("causes", .array(v.map { .string($0) }))) }
        var living: [(String, JSONText.Value)] = []
        for f in livingInOrder {
            switch h.living.value(f) {
            case .bool(let v?): living.append((f.rawValue, .bool(v)))
            case .text(let v?): living.append((f.rawValue, .string(v)))
            case .number(let v?): living.append((f.rawValue, .double(v)))
            case .list(let v?): living.append((f.rawValue, .array(v.map { .string($0) })))
            default: break
            }
        }
        if !living.isEmpty { d.append(("living", .object(living))) }
        if !h.members.isEmpty { d.append(("members", .array(h.members.map(memberValue)))) }
        return .object(d)
    }

    static let livingInOrder = HouseholdParser.livingKeys.sorted { JSONText.bytesPrecede($0.rawValue, $1.rawValue) }

    /// A member's keys in the written (byte) order, so that its object needs no sorting when written: a
    /// province's import writes millions of them.
    enum MemberField { case id, name, birthDate, birthYear, nationalID, fact(Fact) }
    static let memberFields: [(String, MemberField)] = {
        var xs: [(String, MemberField)] = [("id", .id), ("name", .name), ("birthDate", .birthDate), ("birthYear", .birthYear), ("nationalID", .nationalID)]
        xs += Fact.allCases.filter { $0.scope == .member }.map { ($0.rawValue, .fact($0)) }
        return xs.sorted { JSONText.bytesPrecede($0.0, $1.0) }
    }()

    static func memberValue(_ m: Member) -> JSONText.Value {
        var d: [(String, JSONText.Value)] = []
        d.reserveCapacity(memberFields.count)
        for (key, field) in memberFields {
            switch field {
            case .id: d.append((key, .string(m.id)))
            case .name: if let v = m.name { d.append((key, .string(v))) }
            case .birthDate: if let v = m.birthDate { d.append((key, .string(v.description))) }
            case .birthYear: if m.birthDate == nil, let y = m.birthYear { d.append((key, .int(y))) }
            case .nationalID: if let v = m.nationalID { d.append((key, .string(v))) }
            case .fact(let f):
                switch m.value(f) {
                case .bool(let v?): d.append((key, .bool(v)))
                case .text(let v?): d.append((key, .string(v)))
                default: break
                }
            }
        }
        return .object(d)
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
