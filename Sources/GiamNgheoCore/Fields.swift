/// Every name a household, its living conditions or a member can carry. The facts come first, in `Fact`'s
/// order, so that a fact's field is found by its position (a test holds the two in step).
enum Field: Int, CaseIterable {
    case sex, ethnicity, relation, workingCapacity, employment, healthInsurance, schooling,
         qualification, nutrition, disabled, meritorious, socialAllowance, seriousIllnessWithoutCare
    case walls, frame, roof, floorArea, waterSource, latrine, usesInternet, usesTelephone,
         informationDevices, loudspeaker, wasteTreatment
    case code, area, commune, oldCommune, village, incomePerCapita, scoreB1, scoreA, agriculture, size, referenceDate,
         deprived, answers, living, members, note, causes
    case id, name, birthDate, birthYear, nationalID, householdCode

    /// The names by their length in bytes: a key is compared with the few names of its length (small strings
    /// compare as two words), not hashed.
    private static let byLength: [[(String, Field)]] = {
        var t = [[(String, Field)]](repeating: [], count: 32)
        for f in allCases { let n = "\(f)"; t[n.utf8.count].append((n, f)) }
        return t
    }()

    static func named(_ key: String) -> Field? {
        let n = key.utf8.count
        guard n < byLength.count else { return nil }
        for (name, f) in byLength[n] where name == key { return f }
        return nil
    }
    private static let facts = Fact.allCases   // once: `allCases` builds its array at every call

    init(_ fact: Fact) { self = Field(rawValue: Field.facts.firstIndex(of: fact)!)! }

    static func names(of owner: Owner) -> Set<String> { Set(allCases.filter { $0.belongs(to: owner) }.map { "\($0)" }) }

    /// The objects that may carry this name.
    enum Owner { case household, living, member }
    func belongs(to owner: Owner) -> Bool {
        switch owner {
        case .household: (Field.walls.rawValue...Field.causes.rawValue).contains(rawValue)
        case .living: (Field.walls.rawValue...Field.wasteTreatment.rawValue).contains(rawValue)
        case .member: rawValue <= Field.seriousIllnessWithoutCare.rawValue || rawValue >= Field.id.rawValue
        }
    }
}

/// An object's values by name, found in one pass: each key is hashed once into the table of names, instead of
/// a search of the object for every name asked (about 25 per household, 18 per member).
struct Fields {
    private let pairs: [(String, JSONText.Value)]
    /// 1 + the position of the field's first pair; 0 when absent. On the stack: no allocation per object.
    private var at = InlineArray<48, UInt16>(repeating: 0)
    /// The first key that is not a name of this owner (the reader refuses it, naming it).
    private(set) var unknown: String?
    /// Whether any living-condition field is present (most direct inputs carry none: nothing to read).
    private(set) var hasLiving = false

    init(_ object: JSONText.Value, _ owner: Field.Owner) {
        pairs = object.pairs
        for i in pairs.indices {
            if let f = Field.named(pairs[i].0), f.belongs(to: owner) {
                if at[f.rawValue] == 0 && i < Int(UInt16.max) { at[f.rawValue] = UInt16(i + 1) }
                if f.belongs(to: .living) { hasLiving = true }
            } else if unknown == nil { unknown = pairs[i].0 }
        }
    }

    subscript(_ f: Field) -> JSONText.Value? {
        let i = Int(at[f.rawValue])
        return i == 0 ? nil : pairs[i - 1].1
    }
}
