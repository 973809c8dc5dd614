/// SplitMix64: tiny, fast and identical on every platform, so a seed gives the same data everywhere.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    public mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    public mutating func chance(_ p: Double) -> Bool { unit() < p }
    public mutating func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &self)] }
    public mutating func weighted<T>(_ xs: [(T, Double)]) -> T {
        let total = xs.reduce(0) { $0 + $1.1 }
        var r = unit() * total
        for (x, w) in xs { r -= w; if r < 0 { return x } }
        return xs[xs.count - 1].0
    }
    /// Stable 64-bit hash of a string (FNV-1a), to derive per-commune streams from one seed.
    public static func hash(_ s: String, seed: UInt64) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ seed
        for b in s.utf8 { h ^= UInt64(b); h = h &* 0x100_0000_01B3 }
        return h
    }
}

/// Name parts for synthetic people, in Vietnamese order (family, middle, given).
public struct NamePool: Sendable {
    public var last: [String] = [], middleMale: [String] = [], middleFemale: [String] = []
    public var firstMale: [String] = [], firstFemale: [String] = []
    /// Full names common among ethnic minorities, with the group's code.
    public var minorityNames: [(name: String, ethnicity: String)] = []

    public init() {}

    public static func fromCSV(_ text: String, ethnicGroups: EthnicGroups) -> NamePool {
        var p = NamePool()
        for r in CSV.records(text).rows {
            let v = VietnameseText.normalized(r["value"] ?? "")
            switch r["kind"] {
            case "last": p.last.append(v)
            case "middle_male": p.middleMale.append(v)
            case "middle_female": p.middleFemale.append(v)
            case "first_male": p.firstMale.append(v)
            case "first_female": p.firstFemale.append(v)
            case "minority_full_name":
                if let c = ethnicGroups.code(for: r["ethnic_group"] ?? "") { p.minorityNames.append((v, c)) }
            default: break
            }
        }
        return p
    }
}

/// What share of households is poor, near-poor, and of an ethnic minority in one commune.
public struct CommuneProfile: Sendable, Equatable {
    public var poorRate: Double
    public var nearPoorRate: Double
    public var minorityShare: Double
    /// Minority groups living there, with weights.
    public var minorityGroups: [(code: String, weight: Double)]
    public static func == (a: Self, b: Self) -> Bool {
        a.poorRate == b.poorRate && a.nearPoorRate == b.nearPoorRate && a.minorityShare == b.minorityShare
    }
}

public struct GeneratorOptions: Sendable {
    public var province: String
    public var commune: String?
    public var households: Int
    public var seed: UInt64
    public var referenceDate: CivilDate
    public var includeStories: Bool
    public init(province: String, commune: String? = nil, households: Int, seed: UInt64,
                referenceDate: CivilDate, includeStories: Bool = true) {
        self.province = province; self.commune = commune; self.households = households; self.seed = seed
        self.referenceDate = referenceDate; self.includeStories = includeStories
    }
}

/// "Stories + volume" demo data (stories plus volume): a handful of named households that exercise
/// the edges of the rules, then seeded volume whose category shares land near the real rates.
/// Deterministic: the same options give the same households, byte for byte.
public struct Generator: Sendable {
    public let units: AdminUnits
    public let names: NamePool
    public let ethnicGroups: EthnicGroups
    /// Old-district poor rates (per cent) by folded bare name, e.g. from the Huế 2024 plan's appendix.
    public var districtPoorRates: [String: [String: Double]] = [:]

    public init(units: AdminUnits, names: NamePool, ethnicGroups: EthnicGroups) {
        self.units = units; self.names = names; self.ethnicGroups = ethnicGroups
    }

    public enum GeneratorError: Error, CustomStringConvertible {
        case unknownProvince(String), unknownCommune(String, String), badCount(Int)
        public var description: String {
            switch self {
            case .unknownProvince(let p): return "không có tỉnh/thành phố mã '\(p)' trong danh mục 2025 (ví dụ: 46 = Thành phố Huế)"
            case .unknownCommune(let c, let p): return "xã/phường mã '\(c)' không thuộc tỉnh \(p) trong danh mục 2025"
            case .badCount(let n): return "số hộ phải lớn hơn 0 (đang là \(n))"
            }
        }
    }

    public func communes(for o: GeneratorOptions) throws -> [AdminUnit] {
        guard let p = units.unit(o.province, in: .y2025), p.level == .province else { throw GeneratorError.unknownProvince(o.province) }
        let all = units.communes(ofProvince: p.code)
        if let c = o.commune {
            guard let u = all.first(where: { $0.code == c }) else { throw GeneratorError.unknownCommune(c, o.province) }
            return [u]
        }
        return all
    }

    /// Profile of a 2025 commune from its predecessors' old districts (calibration data), or defaults.
    public func profile(of commune: AdminUnit, province: String) -> CommuneProfile {
        let preds = units.predecessors(ofNewCommune: commune.code)
        var rates: [Double] = []
        var minority = 0.0
        let table = districtPoorRates[province] ?? [:]
        for m in preds {
            guard let d = units.unit(m.oldDistrictCode, in: .y2024) else { continue }
            let key = VietnameseText.fold(d.bareName)
            if let r = table[key] { rates.append(r) }
            // The mountain districts of Huế are mostly Tà Ôi, Pa Kô and Cơ Tu (A Lưới, Nam Đông).
            if key == "a luoi" { minority = max(minority, 0.8) } else if key == "nam dong" { minority = max(minority, 0.4) }
        }
        let poor = (rates.isEmpty ? 1.9 : rates.reduce(0, +) / Double(rates.count)) / 100
        let groups: [(String, Double)]
        if province == "46" { groups = [("31", 0.5), ("26", 0.35), ("23", 0.1), ("04", 0.05)] }
        else { groups = [("02", 0.2), ("03", 0.2), ("06", 0.15), ("05", 0.15), ("08", 0.12), ("07", 0.1), ("09", 0.08)] }
        let share = minority > 0 ? minority : (province == "46" ? 0.01 : 0.12)
        return CommuneProfile(poorRate: poor, nearPoorRate: max(poor * 0.9, 0.012), minorityShare: share, minorityGroups: groups)
    }

    /// Generates the households; `emit` is called once per household, in order, so that a million
    /// households can be streamed to disk without being held in memory.
    public func generate(_ o: GeneratorOptions, emit: (Household) throws -> Void) throws {
        guard o.households > 0 else { throw GeneratorError.badCount(o.households) }
        let communes = try communes(for: o)
        if o.includeStories { for h in stories(o, communes: communes) { try emit(h) } }
        // Spread volume over communes with seeded weights (communes differ in size).
        // Wards are more populous than rural communes, mountain communes less so.
        var wr = SeededRandom(seed: SeededRandom.hash("weights:\(o.province):\(o.commune ?? "")", seed: o.seed))
        let profiles = communes.map { profile(of: $0, province: o.province) }
        let weights = zip(communes, profiles).map { c, p in
            (c.type == "Phường" ? 2.2 : 1.0) * (p.minorityShare > 0.3 ? 0.45 : 1.0) * (0.7 + 0.6 * wr.unit())
        }
        let total = weights.reduce(0, +)
        var counts = weights.map { Int(Double(o.households) * $0 / total) }
        var rest = o.households - counts.reduce(0, +)
        var i = 0
        while rest > 0 { counts[i % counts.count] += 1; rest -= 1; i += 1 }
        for ((c, prof), n) in zip(zip(communes, profiles), counts) where n > 0 {
            var rng = SeededRandom(seed: SeededRandom.hash("commune:\(c.code)", seed: o.seed))
            for k in 0..<n { try emit(household(in: c, index: k + 1, profile: prof, date: o.referenceDate, rng: &rng)) }
        }
    }

    // MARK: - volume

    enum Target { case poor, nearPoor, other }

    func household(in c: AdminUnit, index: Int, profile p: CommuneProfile, date: CivilDate, rng: inout SeededRandom) -> Household {
        let area = units.area(ofCommune: c.code) ?? .rural
        let u = rng.unit()
        let target: Target = u < p.poorRate ? .poor : (u < p.poorRate + p.nearPoorRate ? .nearPoor : .other)
        let minority = rng.chance(p.minorityShare)
        let ethnicity = minority ? rng.weighted(p.minorityGroups.map { ($0.code, $0.weight) }) : "01"
        var h = Household(code: "\(c.code)-\(pad(index, 6))", area: area, areaSource: "\(c.name) (\(c.code))", commune: c.code)
        let villageNumber = rng.int(1...(c.type == "Phường" ? 20 : 12))
        h.village = (c.type == "Phường" ? "Tổ dân phố " : "Thôn ") + String(villageNumber)
        // Each village lies in one of the old communes the new one was formed from (demo data: by its number).
        let olds = units.predecessors(ofNewCommune: c.code).compactMap(\.oldCommuneCode)
        if !olds.isEmpty { h.oldCommune = olds[(villageNumber - 1) % olds.count] }
        h.members = makeMembers(target: target, ethnicity: ethnicity, date: date, province: c.parentCode ?? "00", rng: &rng)
        let agricultureShare = area == .rural ? 0.55 : 0.08
        h.agriculture = rng.chance(target == .other ? agricultureShare : agricultureShare + 0.2)
        // Income is drawn against the NĐ07 lines; under another standard the same facts classify anew.
        let line = area == .rural ? 1_500_000.0 : 2_000_000.0
        let income: Double
        switch target {
        case .poor, .nearPoor: income = line * (0.45 + 0.55 * rng.unit())
        case .other:
            let x = rng.unit()
            income = line * (x < 0.12 ? 1.0 + 0.5 * rng.unit() : 1.5 + 4.5 * rng.unit() * rng.unit() + rng.unit())
        }
        h.incomePerCapita = Int((income / 1000).rounded(.down)) * 1000
        if target != .other && h.incomePerCapita! > Int(line) { h.incomePerCapita = Int(line) }
        h.living = baseLiving(area: area, size: h.members.count, minority: minority, rng: &rng)
        let k: Int
        switch target {
        case .poor: k = rng.weighted([(3, 0.45), (4, 0.3), (5, 0.15), (6, 0.1)])
        case .nearPoor: k = rng.weighted([(0, 0.2), (1, 0.45), (2, 0.35)])
        case .other: k = rng.weighted([(0, 0.55), (1, 0.3), (2, 0.12), (3, 0.03)])
        }
        applyDeprivations(count: k, to: &h, area: area, minority: minority, date: date, rng: &rng)
        return h
    }

    /// Relative frequency of each deprivation among poor households (Quy Nhơn 2024 plan, seed tables),
    /// with water, sanitation and housing made more common in rural and minority areas.
    func deprivationWeights(area: Area, minority: Bool) -> [(String, Double)] {
        let remote = (area == .rural ? 1.5 : 1.0) * (minority ? 2.5 : 1.0)
        return [("YT2", 43), ("VL1", 38), ("TT1", 22), ("NS2", 6 * remote), ("NO2", 4 * remote), ("GD1", 2 * remote),
                ("NO1", 2 * remote), ("YT1", 1 * remote), ("GD2", 1 * remote), ("NS1", 1 * remote), ("TT2", 3 * remote)]
    }

    func makeMembers(target: Target, ethnicity: String, date: CivilDate, province: String, rng: inout SeededRandom) -> [Member] {
        // Household size: mean ≈ 3.6; poor households are more often single elderly or large families.
        let size = target == .other
            ? rng.weighted([(1, 0.08), (2, 0.18), (3, 0.22), (4, 0.27), (5, 0.14), (6, 0.07), (7, 0.03), (8, 0.01)])
            : rng.weighted([(1, 0.16), (2, 0.2), (3, 0.17), (4, 0.2), (5, 0.14), (6, 0.08), (7, 0.05)])
        var out: [Member] = []
        let headAge = size == 1 ? rng.int(45...88) : rng.int(24...78)
        let headMale = rng.chance(size == 1 ? 0.4 : 0.78)
        let family = familyName(ethnicity: ethnicity, rng: &rng)
        out.append(person(id: "1", age: headAge, male: headMale, relation: "head", family: family, ethnicity: ethnicity, date: date, province: province, rng: &rng))
        var next = 2
        if size >= 2 && rng.chance(headAge < 80 ? 0.85 : 0.5) {
            let age = max(18, headAge + (headMale ? -rng.int(0...6) : rng.int(0...6)))
            out.append(person(id: String(next), age: age, male: !headMale, relation: "spouse",
                              family: familyName(ethnicity: ethnicity, rng: &rng), ethnicity: ethnicity, date: date, province: province, rng: &rng))
            next += 1
        }
        if size - out.count >= 2 && headAge >= 45 && rng.chance(0.2) {
            out.append(person(id: String(next), age: min(100, headAge + rng.int(20...30)), male: rng.chance(0.35), relation: "parent",
                              family: family, ethnicity: ethnicity, date: date, province: province, rng: &rng))
            next += 1
        }
        while out.count < size {
            let motherAge = max(20, headAge - rng.int(0...4))
            let childAge = max(0, min(motherAge - 18, rng.int(0...max(0, motherAge - 18))))
            let relation = childAge < 16 && headAge > 55 ? "grandchild" : "child"
            out.append(person(id: String(next), age: childAge, male: rng.chance(0.51), relation: relation,
                              family: family, ethnicity: ethnicity, date: date, province: province, rng: &rng))
            next += 1
        }
        return out
    }

    func familyName(ethnicity: String, rng: inout SeededRandom) -> String {
        if ethnicity != "01" {
            let own = names.minorityNames.filter { $0.ethnicity == ethnicity }
            if !own.isEmpty && rng.chance(0.7) { return String(rng.pick(own).name.split(separator: " ")[0]) }
        }
        return rng.weighted(names.last.enumerated().map { ($0.element, 1.0 / Double($0.offset + 3)) })
    }

    func person(id: String, age: Int, male: Bool, relation: String, family: String, ethnicity: String,
                date: CivilDate, province: String, rng: inout SeededRandom) -> Member {
        let birthYear = date.year - age
        // Born between (date − age − 1 year, date − age]: keeps the completed age equal to `age`.
        let month = rng.int(1...12), day = rng.int(1...CivilDate.daysIn(month: month, year: birthYear))
        var birth = CivilDate(year: birthYear, month: month, day: day)!
        if birth.age(on: date) != age { birth = CivilDate(year: birthYear - 1, month: month, day: min(day, CivilDate.daysIn(month: month, year: birthYear - 1)))! }
        let middle: String, given: String
        if ethnicity == "08" { middle = male ? "A" : "Thị" } else {
            middle = male ? (names.middleMale.isEmpty ? "Văn" : rng.pick(names.middleMale))
                          : (names.middleFemale.isEmpty ? "Thị" : rng.pick(names.middleFemale))
        }
        let own = names.minorityNames.filter { $0.ethnicity == ethnicity }
        if !own.isEmpty && rng.chance(0.5) {
            given = String(rng.pick(own).name.split(separator: " ").last!)
        } else {
            given = rng.pick(male ? names.firstMale : names.firstFemale)
        }
        var m = Member(id: id, name: "\(family) \(middle) \(given)", birthDate: birth, sex: male ? "male" : "female",
                       ethnicity: ethnicity, relation: relation)
        m.healthInsurance = true
        m.disabled = rng.chance(age >= 60 ? 0.08 : 0.015)
        m.meritorious = age >= 65 && rng.chance(0.04)
        // Monthly social allowance: people aged 80+ (75+ from 2025) and many disabled people.
        m.socialAllowance = age >= 80 || (m.disabled == true && rng.chance(0.7))
        m.workingCapacity = (15..<65).contains(age) && m.disabled != true
        m.seriousIllnessWithoutCare = false
        if age < 16 { m.nutrition = "normal" }
        if age >= 3 && age < 18 { m.schooling = "attending" } else if age >= 18 { m.schooling = age <= 22 && rng.chance(0.35) ? "attending" : "notAttending" }
        switch age {
        case ..<11: m.qualification = "none"
        case 11..<15: m.qualification = "primary"
        case 15..<18: m.qualification = rng.chance(0.5) ? "lowerSecondary" : "primary"
        case 18..<31: m.qualification = rng.weighted([("upperSecondary", 0.5), ("intermediateVocational", 0.12), ("college", 0.1), ("university", 0.18), ("elementaryVocational", 0.1)])
        default: m.qualification = rng.weighted([("primary", 0.25), ("lowerSecondary", 0.35), ("upperSecondary", 0.25), ("university", 0.1), ("none", 0.05)])
        }
        if (15..<60).contains(age) && m.schooling != "attending" {
            m.employment = rng.weighted([("selfEmployed", 0.55), ("wageWithContract", 0.45)])
        } else {
            m.employment = "notInLabourForce"
        }
        if age >= 14 && relation != "grandchild" {
            // CCCD: 3-digit province of birth, a sex/century digit, 2-digit year of birth, 6 digits.
            let prefix = "0" + province
            let century = birthYear >= 2000 ? (male ? 2 : 3) : (male ? 0 : 1)
            m.nationalID = prefix + String(century) + pad(birthYear % 100, 2) + pad(rng.int(0...999_999), 6)
        }
        return m
    }

    func baseLiving(area: Area, size: Int, minority: Bool, rng: inout SeededRandom) -> LivingConditions {
        var l = LivingConditions()
        l.walls = "durable"; l.frame = "durable"; l.roof = rng.chance(0.1) ? "nonDurable" : "durable"
        let perPerson = 9.0 + Double(rng.int(0...30))
        l.floorArea = Double(Int(perPerson * Double(size) + Double(rng.int(0...20))))
        l.waterSource = area == .urban ? "piped" : rng.weighted([("piped", 0.45), ("drilledWell", 0.35), ("protectedDugWell", 0.15), ("rainwater", 0.05)])
        l.latrine = rng.weighted([("septic", 0.8), ("semiSeptic", 0.15), ("pourFlush", 0.05)])
        l.usesInternet = true
        l.usesTelephone = true
        l.informationDevices = rng.chance(0.9) ? ["tv", "smartphone"] : ["smartphone"]
        l.loudspeaker = rng.chance(0.8)
        l.wasteTreatment = area == .urban ? "collected" : rng.weighted([("collected", 0.55), ("treatedOnSite", 0.3), ("burnedOrDumped", 0.15)])
        return l
    }

    /// Sets facts so that `count` indicators (NĐ07 rules) are deprived, choosing by weight among
    /// those the household's make-up allows (no child, no child deprivation).
    func applyDeprivations(count: Int, to h: inout Household, area: Area, minority: Bool, date: CivilDate, rng: inout SeededRandom) {
        var pool = deprivationWeights(area: area, minority: minority)
        var done = 0
        func members(_ range: Range<Int>) -> [Int] {
            h.members.indices.filter { i in h.members[i].age(on: date).map(range.contains) ?? false }
        }
        while done < count && !pool.isEmpty {
            let code = rng.weighted(pool)
            pool.removeAll { $0.0 == code }
            var ok = true
            switch code {
            case "VL1":
                let xs = members(15..<60)
                if xs.isEmpty { ok = false } else {
                    let i = rng.pick(xs)
                    h.members[i].employment = rng.chance(0.7) ? "wageWithoutContract" : "unemployed"
                    h.members[i].schooling = "notAttending"
                }
            case "YT1":
                let xs = members(0..<16)
                if xs.isEmpty { ok = false } else { h.members[rng.pick(xs)].nutrition = rng.chance(0.6) ? "stunted" : "underweight" }
            case "YT2":
                let xs = members(6..<200)
                if xs.isEmpty { ok = false } else {
                    for i in xs where rng.chance(0.5) { h.members[i].healthInsurance = false }
                    h.members[rng.pick(xs)].healthInsurance = false
                }
            case "GD1":
                let xs = members(16..<31)
                if xs.isEmpty { ok = false } else {
                    let i = rng.pick(xs)
                    h.members[i].schooling = "notAttending"
                    h.members[i].qualification = h.members[i].age(on: date)! < 18 ? "primary" : "lowerSecondary"
                }
            case "GD2":
                let xs = members(3..<16)
                if xs.isEmpty { ok = false } else { h.members[rng.pick(xs)].schooling = rng.chance(0.6) ? "notAttending" : "attendingBelowLevel" }
            case "NO1":
                h.living.walls = "nonDurable"; h.living.roof = "nonDurable"
                if rng.chance(0.5) { h.living.frame = "nonDurable" }
            case "NO2":
                h.living.floorArea = Double(Int(Double(h.members.count) * (3.0 + 4.9 * rng.unit())))
                if h.living.floorArea! <= 0 { h.living.floorArea = 4 }
            case "NS1": h.living.waterSource = rng.pick(["unprotectedDugWell", "unprotectedSpring", "surfaceWater"])
            case "NS2": h.living.latrine = rng.pick(["simplePit", "none", "overWater"])
            case "TT1": h.living.usesInternet = false
            case "TT2":
                h.living.informationDevices = rng.chance(0.5) ? [] : ["basicPhone"]
                h.living.loudspeaker = false
            default: ok = false
            }
            if ok { done += 1 }
        }
        // Poor households often also lack the facts the older standard read (QĐ59 Y1, T1).
        if count >= 3 && rng.chance(0.1), let i = h.members.indices.randomElement(using: &rng) {
            h.members[i].seriousIllnessWithoutCare = true
        }
        if h.living.usesInternet == false && rng.chance(0.4) { h.living.usesTelephone = false }
    }

    // MARK: - stories

    /// Named households at the edges of the rules, placed in the first selected commune.
    /// docs/generator.md lists what each one shows and its expected category under NĐ07.
    public func stories(_ o: GeneratorOptions, communes: [AdminUnit]) -> [Household] {
        let date = o.referenceDate
        let c = communes[0]
        let area = units.area(ofCommune: c.code) ?? .rural
        let line = area == .rural ? 1_500_000 : 2_000_000
        let kinh = "01"
        func born(yearsAgo: Int, monthsAgo: Int = 0) -> CivilDate {
            var y = date.year - yearsAgo, m = date.month - monthsAgo
            while m < 1 { m += 12; y -= 1 }
            return CivilDate(year: y, month: m, day: min(date.day, CivilDate.daysIn(month: m, year: y)))!
        }
        func adult(_ id: String, _ name: String, years: Int, male: Bool, relation: String) -> Member {
            Member(id: id, name: name, birthDate: born(yearsAgo: years, monthsAgo: 3), sex: male ? "male" : "female", ethnicity: kinh,
                   relation: relation, workingCapacity: years < 65, employment: years < 60 ? "selfEmployed" : "notInLabourForce",
                   healthInsurance: true, schooling: "notAttending", qualification: "upperSecondary", disabled: false,
                   meritorious: false, socialAllowance: false, seriousIllnessWithoutCare: false)
        }
        func child(_ id: String, _ name: String, birth: CivilDate, male: Bool) -> Member {
            let age = birth.age(on: date)
            return Member(id: id, name: name, birthDate: birth, sex: male ? "male" : "female", ethnicity: kinh, relation: "child",
                          workingCapacity: false, employment: "notInLabourForce", healthInsurance: true,
                          schooling: age >= 3 ? "attending" : nil, qualification: age >= 11 ? "primary" : "none",
                          nutrition: "normal", disabled: false, meritorious: false, socialAllowance: false,
                          seriousIllnessWithoutCare: false)
        }
        let good = LivingConditions(walls: "durable", frame: "durable", roof: "durable", floorArea: 60, waterSource: "piped",
                                    latrine: "septic", usesInternet: true, usesTelephone: true, informationDevices: ["tv", "smartphone"],
                                    loudspeaker: true, wasteTreatment: "collected")
        func story(_ n: Int, _ members: [Member], income: Int, living: LivingConditions = good, agriculture: Bool = false) -> Household {
            var h = Household(code: "\(c.code)-S\(pad(n, 2))", area: area, areaSource: "\(c.name) (\(c.code))", commune: c.code,
                              village: c.type == "Phường" ? "Tổ dân phố 1" : "Thôn 1", incomePerCapita: income,
                              agriculture: agriculture, members: members, living: living)
            return h
        }
        var out: [Household] = []
        // S01: income exactly on the line, 3 deprivations → poor (the line is inclusive).
        var s1 = good; s1.usesInternet = false; s1.latrine = "simplePit"
        var m1 = [adult("1", "Nguyễn Văn Bình", years: 44, male: true, relation: "head"),
                  adult("2", "Trần Thị Hoa", years: 41, male: false, relation: "spouse")]
        m1[1].healthInsurance = false
        out.append(story(1, m1, income: line, living: s1))
        // S02: one đồng above the line, agriculture → middle income (not poor, not near-poor).
        out.append(story(2, [adult("1", "Lê Văn Cường", years: 50, male: true, relation: "head")], income: line + 1,
                         living: good, agriculture: true))
        // S03: a child turning 16 on the reference date, out of school without THCS → GD1 (not GD2).
        var m3 = [adult("1", "Phạm Văn Dũng", years: 45, male: true, relation: "head"),
                  adult("2", "Võ Thị Lan", years: 43, male: false, relation: "spouse"),
                  child("3", "Phạm Văn Đức", birth: CivilDate(year: date.year - 16, month: date.month, day: min(date.day, CivilDate.daysIn(month: date.month, year: date.year - 16)))!, male: true)]
        m3[2].schooling = "notAttending"
        out.append(story(3, m3, income: line - 200_000))
        // S04: exactly 8 m² per person (32 m², 4 people) → not deprived in NO2 (< 8 is required).
        var s4 = good; s4.floorArea = 32
        out.append(story(4, [adult("1", "Đặng Văn Hải", years: 38, male: true, relation: "head"),
                             adult("2", "Huỳnh Thị Mai", years: 35, male: false, relation: "spouse"),
                             child("3", "Đặng Thị Ngọc", birth: born(yearsAgo: 10), male: false),
                             child("4", "Đặng Văn Nam", birth: born(yearsAgo: 7), male: true)], income: line - 100_000, living: s4))
        // S05: no member able to work: an elderly couple on social allowance → flag; VL2, TT1, NO2 → poor.
        var m5 = [adult("1", "Bùi Văn Sáu", years: 82, male: true, relation: "head"),
                  adult("2", "Đỗ Thị Tám", years: 79, male: false, relation: "spouse")]
        for i in m5.indices { m5[i].workingCapacity = false; m5[i].socialAllowance = true; m5[i].qualification = "primary" }
        m5[1].disabled = true
        var s5 = good; s5.usesInternet = false; s5.informationDevices = ["radio"]; s5.floorArea = 14
        out.append(story(5, m5, income: line / 2, living: s5))
        // S06: an address in a split old commune: several new communes are candidates.
        if let split = units.predecessors(ofNewCommune: c.code).first(where: { $0.split })
            ?? communes.lazy.flatMap({ self.units.predecessors(ofNewCommune: $0.code) }).first(where: { $0.split }) {
            var h = story(6, [adult("1", "Hồ Thị Thu", years: 33, male: false, relation: "head")], income: line * 3)
            h.commune = split.newCommuneCode; h.oldCommune = split.oldCommuneCode
            h.area = units.area(ofCommune: split.newCommuneCode) ?? area
            h.areaSource = "\(split.newCommuneName) (\(split.newCommuneCode))"
            out.append(h)
        }
        // S07: the paper form's ticks: deprivations answered directly; the members are registered (names, births,
        // relations) but their survey facts were not typed in, since the ticks decide every indicator.
        func person(_ id: String, _ name: String, years: Int, male: Bool, relation: String) -> Member {
            Member(id: id, name: name, birthDate: born(yearsAgo: years, monthsAgo: 5), sex: male ? "male" : "female",
                   ethnicity: kinh, relation: relation)
        }
        var s7 = Household(code: "\(c.code)-S07", area: area, areaSource: "\(c.name) (\(c.code))", commune: c.code,
                           village: "Thôn 2", incomePerCapita: line - 300_000, agriculture: true,
                           members: [person("1", "Trương Văn Lộc", years: 47, male: true, relation: "head"),
                                     person("2", "Phan Thị Xuân", years: 45, male: false, relation: "spouse"),
                                     person("3", "Trương Văn Phát", years: 19, male: true, relation: "child"),
                                     person("4", "Trương Thị Thảo", years: 14, male: false, relation: "child"),
                                     person("5", "Phan Thị Lựu", years: 72, male: false, relation: "parent")])
        s7.deprivedList = ["NO1", "NS1", "NS2", "YT2"]
        out.append(s7)
        // S08: dependants exactly half (2 children of 4) → not deprived in VL2 (> 50 % is required).
        out.append(story(8, [adult("1", "Ngô Văn Tâm", years: 36, male: true, relation: "head"),
                             adult("2", "Dương Thị Yến", years: 34, male: false, relation: "spouse"),
                             child("3", "Ngô Văn Phúc", birth: born(yearsAgo: 9), male: true),
                             child("4", "Ngô Thị Quỳnh", birth: born(yearsAgo: 4), male: false)], income: line - 50_000))
        // S09: ethnic-minority head with a meritorious person, near-poor (2 deprivations).
        let minorityName = names.minorityNames.first { $0.ethnicity == "31" } ?? names.minorityNames.first
        var m9 = [adult("1", minorityName?.name ?? "Kăn Tuyên", years: 58, male: true, relation: "head"),
                  adult("2", "Hồ Thị Kim", years: 70, male: false, relation: "parent")]
        for i in m9.indices { m9[i].ethnicity = minorityName?.ethnicity ?? "31" }
        m9[1].meritorious = true; m9[1].employment = "notInLabourForce"
        var s9 = good; s9.waterSource = "unprotectedSpring"; s9.usesInternet = false
        out.append(story(9, m9, income: line - 400_000, living: s9, agriculture: true))
        return out
    }

    func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
