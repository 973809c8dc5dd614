/// A person in a household with the facts the indicators read. Every fact is optional: a missing
/// fact is an error only when a rule actually needs it (and then names the member and field).
public struct Member: Sendable, Equatable, Codable {
    public var id: String
    public var name: String?
    public var birthDate: CivilDate?
    /// Paper forms often carry only the year of birth; age is then reference year − birth year.
    public var birthYear: Int?
    public var sex: String?
    public var ethnicity: String?
    public var relation: String?
    public var workingCapacity: Bool?
    public var employment: String?
    public var healthInsurance: Bool?
    public var schooling: String?
    public var qualification: String?
    public var nutrition: String?
    public var disabled: Bool?
    public var meritorious: Bool?
    public var socialAllowance: Bool?
    public var seriousIllnessWithoutCare: Bool?
    public var nationalID: String?

    public init(id: String, name: String? = nil, birthDate: CivilDate? = nil, birthYear: Int? = nil, sex: String? = nil,
                ethnicity: String? = nil, relation: String? = nil, workingCapacity: Bool? = nil, employment: String? = nil,
                healthInsurance: Bool? = nil, schooling: String? = nil, qualification: String? = nil,
                nutrition: String? = nil, disabled: Bool? = nil, meritorious: Bool? = nil, socialAllowance: Bool? = nil,
                seriousIllnessWithoutCare: Bool? = nil, nationalID: String? = nil) {
        self.id = id; self.name = name; self.birthDate = birthDate; self.birthYear = birthYear; self.sex = sex
        self.ethnicity = ethnicity; self.relation = relation; self.workingCapacity = workingCapacity
        self.employment = employment; self.healthInsurance = healthInsurance; self.schooling = schooling
        self.qualification = qualification; self.nutrition = nutrition; self.disabled = disabled
        self.meritorious = meritorious; self.socialAllowance = socialAllowance
        self.seriousIllnessWithoutCare = seriousIllnessWithoutCare; self.nationalID = nationalID
    }

    public func age(on date: CivilDate) -> Int? {
        if let b = birthDate { return b.age(on: date) }
        if let y = birthYear { return date.year - y }
        return nil
    }

    public func value(_ fact: Fact) -> FactValue {
        switch fact {
        case .sex: return .text(sex)
        case .ethnicity: return .text(ethnicity)
        case .relation: return .text(relation)
        case .workingCapacity: return .bool(workingCapacity)
        case .employment: return .text(employment)
        case .healthInsurance: return .bool(healthInsurance)
        case .schooling: return .text(schooling)
        case .qualification: return .text(qualification)
        case .nutrition: return .text(nutrition)
        case .disabled: return .bool(disabled)
        case .meritorious: return .bool(meritorious)
        case .socialAllowance: return .bool(socialAllowance)
        case .seriousIllnessWithoutCare: return .bool(seriousIllnessWithoutCare)
        default: return .bool(nil)
        }
    }

    public var displayName: String { name.map { "\($0) (\(id))" } ?? "nhân khẩu \(id)" }
}

/// Living conditions as recorded on Phiếu B (part B2).
public struct LivingConditions: Sendable, Equatable, Codable {
    public var walls: String?
    public var frame: String?
    public var roof: String?
    public var floorArea: Double?
    public var waterSource: String?
    public var latrine: String?
    public var usesInternet: Bool?
    public var usesTelephone: Bool?
    public var informationDevices: [String]?
    public var loudspeaker: Bool?
    public var wasteTreatment: String?

    public init(walls: String? = nil, frame: String? = nil, roof: String? = nil, floorArea: Double? = nil,
                waterSource: String? = nil, latrine: String? = nil, usesInternet: Bool? = nil, usesTelephone: Bool? = nil,
                informationDevices: [String]? = nil, loudspeaker: Bool? = nil, wasteTreatment: String? = nil) {
        self.walls = walls; self.frame = frame; self.roof = roof; self.floorArea = floorArea
        self.waterSource = waterSource; self.latrine = latrine; self.usesInternet = usesInternet
        self.usesTelephone = usesTelephone; self.informationDevices = informationDevices
        self.loudspeaker = loudspeaker; self.wasteTreatment = wasteTreatment
    }

    public func value(_ fact: Fact) -> FactValue {
        switch fact {
        case .walls: return .text(walls)
        case .frame: return .text(frame)
        case .roof: return .text(roof)
        case .floorArea: return .number(floorArea)
        case .waterSource: return .text(waterSource)
        case .latrine: return .text(latrine)
        case .usesInternet: return .bool(usesInternet)
        case .usesTelephone: return .bool(usesTelephone)
        case .informationDevices: return .list(informationDevices)
        case .loudspeaker: return .bool(loudspeaker)
        case .wasteTreatment: return .text(wasteTreatment)
        default: return .bool(nil)
        }
    }
}

public enum FactValue: Sendable, Equatable {
    case bool(Bool?), text(String?), number(Double?), list([String]?)
    public var isMissing: Bool {
        switch self {
        case .bool(let v): return v == nil
        case .text(let v): return v == nil
        case .number(let v): return v == nil
        case .list(let v): return v == nil
        }
    }
    public func display(_ fact: Fact) -> String {
        switch self {
        case .bool(let v): return v.map { $0 ? "có" : "không" } ?? "—"
        case .text(let v): return v.map { Vocabulary.label(fact, $0) } ?? "—"
        case .number(let v): return v.map(Format.number) ?? "—"
        case .list(let v): return v.map { $0.isEmpty ? "không có" : $0.map { Vocabulary.label(fact, $0) }.joined(separator: ", ") } ?? "—"
        }
    }
}

/// Everything the engine needs to classify one household.
public struct Household: Sendable, Equatable, Codable {
    public var code: String
    public var area: Area?
    /// Where the area came from when not given directly (e.g. "Phường Thuận Hóa (19774)").
    public var areaSource: String?
    public var commune: String?
    /// The 2024-structure commune code, when the address is known in the old structure.
    public var oldCommune: String?
    public var village: String?
    public var incomePerCapita: Int?
    public var scoreB1: Int?
    /// Works in agriculture, forestry, fishery or salt-making: only such households can be middle-income.
    public var agriculture: Bool?
    /// Number of members when the member list is not given (used by per-member rules).
    public var size: Int?
    public var members: [Member]
    public var living: LivingConditions
    /// Direct yes/no answers per indicator code, as ticked on the paper form; they take precedence
    /// over derivation from facts for that indicator.
    public var answers: [String: Bool]
    /// The complete list of deprived indicators, as when only the form's tick boxes are known:
    /// every indicator not listed is answered "not deprived".
    public var deprivedList: [String]?
    public var referenceDate: CivilDate?
    /// Poverty causes (Circular 07/2021/TT-BLĐTBXH, Phiếu B), codes from the cause table; the first is the main cause.
    /// Registry data, not an engine input.
    public var causes: [String]?

    public init(code: String, area: Area? = nil, areaSource: String? = nil, commune: String? = nil, village: String? = nil,
                incomePerCapita: Int? = nil, scoreB1: Int? = nil, agriculture: Bool? = nil, size: Int? = nil,
                members: [Member] = [], living: LivingConditions = .init(), answers: [String: Bool] = [:],
                deprivedList: [String]? = nil, referenceDate: CivilDate? = nil) {
        self.deprivedList = deprivedList
        self.code = code; self.area = area; self.areaSource = areaSource; self.commune = commune; self.village = village
        self.incomePerCapita = incomePerCapita; self.scoreB1 = scoreB1; self.agriculture = agriculture; self.size = size
        self.members = members; self.living = living; self.answers = answers; self.referenceDate = referenceDate
    }

    /// The direct answer for an indicator, if any: an explicit answer wins over the deprived list.
    public func answer(_ code: String) -> Bool? {
        if let a = answers[code] { return a }
        if let list = deprivedList { return list.contains(code) }
        return nil
    }

    /// `areaSource` when the area was given with the household rather than taken from its commune.
    public static let declaredArea = "khai báo"

    public var memberCount: Int? { members.isEmpty ? size : members.count }
    public var head: Member? { members.first { $0.relation == "head" } }
}
