import Foundation

/// Reads households from the interchange formats (JSON Lines, or the households/members CSV pair)
/// and checks every field, so that a typo gives a message naming the household and field instead of
/// a silently wrong category. The schema is documented in docs/classify-input.md.
public struct HouseholdParser: Sendable {
    /// Resolves an ethnic group given as a code or a name (with spelling variants) to its code.
    public var ethnicity: @Sendable (String) -> String?

    /// Poverty-cause codes accepted in `causes` (the cause table is data); nil accepts any code.
    public var causeCodes: Set<String>?

    public init(ethnicity: @escaping @Sendable (String) -> String? = { $0 }, causeCodes: Set<String>? = nil) {
        self.ethnicity = ethnicity; self.causeCodes = causeCodes
    }

    /// The names each object may carry, from the reader's one table of names (`Field`).
    public static let householdKeys = Field.names(of: .household).subtracting(livingKeyNames)
    public static let livingKeys: [Fact] = [.walls, .frame, .roof, .floorArea, .waterSource, .latrine, .usesInternet,
                                            .usesTelephone, .informationDevices, .loudspeaker, .wasteTreatment]
    static let livingKeyNames = Field.names(of: .living)
    public static let memberKeys = Field.names(of: .member)

    /// One JSON object (one line of a .jsonl file), read straight into typed values (no `JSONSerialization`
    /// or `Any`: a tenth of the time per household). `line` is used in messages.
    public func parse(jsonLine: String, line: Int) throws -> Household {
        var text = jsonLine
        return try text.withUTF8 { try parse(jsonBytes: $0, line: line) }
    }

    public func parse(jsonBytes: UnsafeBufferPointer<UInt8>, line: Int) throws -> Household {
        if let h = DirectLine.household(jsonBytes) { return h }
        guard let v = JSONText.parse(bytes: jsonBytes), case .object = v else {
            throw ClassificationError(household: "dòng \(line)", field: "-", message: "không phải một đối tượng JSON hợp lệ")
        }
        return try parse(v, fallbackCode: "dòng \(line)")
    }

    /// A household given as Foundation values (web forms, merged records): the same checks as the typed form.
    public func parse(_ d: [String: Any], fallbackCode: String) throws -> Household {
        try parse(Value(any: d), fallbackCode: fallbackCode)
    }

    public func parseLiving(_ d: [String: Any], household: String) throws -> LivingConditions {
        try parseLiving(Value(any: d), household: household)
    }

    public func parseMember(_ d: [String: Any], household: String, index: Int) throws -> Member {
        try parseMember(Value(any: d), household: household, index: index)
    }

    /// A household as an object of typed values (a JSON line, or a file row's cells as strings).
    public func parse(_ object: Value, fallbackCode: String) throws -> Household {
        let d = Fields(object, .household)
        let code = try (d[.code]).map { try text($0, household: fallbackCode, field: "code") } ?? nil
        guard let code, !code.isEmpty else {
            throw ClassificationError(household: fallbackCode, field: "code", message: "thiếu mã hộ")
        }
        func fail(_ field: String, _ msg: String) -> ClassificationError {
            ClassificationError(household: code, field: field, message: msg)
        }
        let livingKeyNames = Self.livingKeyNames
        if let k = d.unknown {
            throw fail(k, "trường không xác định (có: \((Self.householdKeys.union(livingKeyNames)).sorted().joined(separator: ", ")))")
        }
        var h = Household(code: code)
        if let a = d[.area], !isNull(a) {
            let s = try text(a, household: code, field: "area") ?? ""
            switch VietnameseText.fold(s) {
            case "rural", "nong thon": h.area = .rural
            case "urban", "thanh thi", "do thi": h.area = .urban
            default: throw fail("area", "khu vực '\(s)' không hợp lệ (rural/nông thôn hoặc urban/thành thị, đô thị)")
            }
            h.areaSource = Household.declaredArea
        }
        h.commune = try d[.commune].flatMap { try text($0, household: code, field: "commune") }
        h.oldCommune = try d[.oldCommune].flatMap { try text($0, household: code, field: "oldCommune") }
        h.village = try d[.village].flatMap { try text($0, household: code, field: "village") }
        h.incomePerCapita = try d[.incomePerCapita].flatMap { v in
            var v = v
            if case .string(let s) = v { v = .string(Self.moneyText(s)) }
            return try ceilingInt(v, household: code, field: "incomePerCapita")
        }
        // "scoreA" is the name used before December 2026 (stored facts and older files still carry it).
        h.scoreB1 = try d[.scoreB1].flatMap { try ceilingInt($0, household: code, field: "scoreB1") }
            ?? d[.scoreA].flatMap { try ceilingInt($0, household: code, field: "scoreA") }
        h.agriculture = try d[.agriculture].flatMap { try bool($0, household: code, field: "agriculture") }
        h.size = try d[.size].flatMap { try int($0, household: code, field: "size") }
        if let r = d[.referenceDate], !isNull(r) {
            let s = try text(r, household: code, field: "referenceDate") ?? ""
            guard let date = CivilDate(s) else { throw fail("referenceDate", "ngày '\(s)' không hợp lệ (YYYY-MM-DD hoặc dd/mm/yyyy)") }
            h.referenceDate = date
        }
        if let v = d[.deprived], !isNull(v) {
            h.deprivedList = try list(v, household: code, field: "deprived").map {
                $0.utf8.contains { $0 >= 0x61 && $0 <= 0x7A } || !$0.utf8.allSatisfy { $0 < 0x80 } ? $0.uppercased() : $0   // codes are written in capitals
            }
        }
        if let v = d[.causes], !isNull(v) {
            let xs = try list(v, household: code, field: "causes")
            if let allowed = causeCodes, let bad = xs.first(where: { !allowed.contains($0) }) {
                throw fail("causes", "nguyên nhân nghèo '\(bad)' không có trong danh mục (\(allowed.sorted().joined(separator: ", ")))")
            }
            guard Set(xs).count == xs.count else { throw fail("causes", "một nguyên nhân được ghi hai lần") }
            h.causes = xs
        }
        if let v = d[.answers], !isNull(v) {
            guard case .object(let pairs) = v else { throw fail("answers", "cần dạng {\"MÃ_CHỈ_SỐ\": true/false}") }
            for (k, a) in pairs {
                guard let b = try bool(a, household: code, field: "answers.\(k)") else { continue }
                h.answers[k.uppercased()] = b
            }
        }
        // Living conditions nested under "living" or written at the top level (a CSV row's columns); the top wins.
        var nested: Fields?
        if let l = d[.living], !isNull(l) {
            guard case .object = l else { throw fail("living", "cần một đối tượng điều kiện sống") }
            let n = Fields(l, .living)
            if let k = n.unknown {
                throw fail("living.\(k)", "trường không xác định (có: \(livingKeyNames.sorted().joined(separator: ", ")))")
            }
            nested = n
        }
        if d.hasLiving || nested?.hasLiving == true { h.living = try parseLiving({ d[$0] ?? nested?[$0] }, household: code) }
        if let ms = d[.members], !isNull(ms) {
            guard case .array(let arr) = ms, arr.allSatisfy({ if case .object = $0 { true } else { false } }) else {
                throw fail("members", "cần một danh sách nhân khẩu")
            }
            var seen = Set<String>()
            h.members.reserveCapacity(arr.count)
            for (i, m) in arr.enumerated() {
                let member = try parseMember(m, household: code, index: i + 1)
                guard seen.insert(member.id).inserted else { throw fail("members[\(i + 1)].id", "mã nhân khẩu trùng '\(member.id)'") }
                h.members.append(member)
            }
            try checkHead(h)
        }
        return h
    }

    func checkHead(_ h: Household) throws {
        let heads = h.members.filter { $0.relation == "head" }.count
        if heads > 1 {
            throw ClassificationError(household: h.code, field: "members.relation", message: "có \(heads) chủ hộ; một hộ chỉ có một chủ hộ")
        }
    }

    public func parseLiving(_ object: Value, household: String) throws -> LivingConditions {
        let fields = Fields(object, .living)
        return try parseLiving({ fields[$0] }, household: household)
    }

    func parseLiving(_ d: (Field) -> Value?, household: String) throws -> LivingConditions {
        var l = LivingConditions()
        func code(_ f: Fact) throws -> String? {
            guard let v = d(Field(f)) else { return nil }
            return try coded(v, fact: f, household: household, field: f.rawValue)
        }
        l.walls = try code(.walls); l.frame = try code(.frame); l.roof = try code(.roof)
        if let v = d(.floorArea), !isNull(v) {
            guard let n = number(v) else {
                throw ClassificationError(household: household, field: "floorArea", message: "diện tích '\(v.plain)' không phải là số")
            }
            guard n > 0 else { throw ClassificationError(household: household, field: "floorArea", message: "diện tích nhà ở phải lớn hơn 0 (đang là \(Format.number(n)))") }
            l.floorArea = n
        }
        l.waterSource = try code(.waterSource); l.latrine = try code(.latrine); l.wasteTreatment = try code(.wasteTreatment)
        l.usesInternet = try d(.usesInternet).flatMap { try bool($0, household: household, field: "usesInternet") }
        l.usesTelephone = try d(.usesTelephone).flatMap { try bool($0, household: household, field: "usesTelephone") }
        l.loudspeaker = try d(.loudspeaker).flatMap { try bool($0, household: household, field: "loudspeaker") }
        if let v = d(.informationDevices), !isNull(v) {
            let allowed = Vocabulary.codes(of: .informationDevices)
            let xs = try list(v, household: household, field: "informationDevices")
            for x in xs where !allowed.contains(x) {
                throw ClassificationError(household: household, field: "informationDevices",
                                          message: "giá trị '\(x)' không có trong danh mục (\(allowed.joined(separator: ", ")))")
            }
            l.informationDevices = xs
        }
        return l
    }

    public func parseMember(_ object: Value, household: String, index: Int) throws -> Member {
        let d = Fields(object, .member)
        let id = try d[.id].flatMap { try text($0, household: household, field: "members[\(index)].id") } ?? String(index)
        var p: String { "members[\(id)]" }   // built only for a message
        if let k = d.unknown {
            throw ClassificationError(household: household, field: "\(p).\(k)",
                                      message: "trường không xác định (có: \(Self.memberKeys.sorted().joined(separator: ", ")))")
        }
        var m = Member(id: id)
        m.name = try d[.name].flatMap { try text($0, household: household, field: "\(p).name") }
        m.nationalID = try d[.nationalID].flatMap { try text($0, household: household, field: "\(p).nationalID") }
        if let n = m.nationalID, !(n.count == 12 && n.allSatisfy(\.isASCII) && n.allSatisfy(\.isNumber)) {
            let hint = n.count == 11 && n.allSatisfy(\.isNumber) ? " (có 11 chữ số: có thể Excel đã bỏ số 0 ở đầu; hãy định dạng cột là Văn bản)" : ""
            throw ClassificationError(household: household, field: "\(p).nationalID", message: "số định danh cá nhân phải gồm đúng 12 chữ số\(hint)")
        }
        if let b = d[.birthDate], !isNull(b) {
            let s = try text(b, household: household, field: "\(p).birthDate") ?? ""
            if s.count == 4, let y = Int(s) { m.birthYear = y }
            else if let date = CivilDate(s) { m.birthDate = date }
            else { throw ClassificationError(household: household, field: "\(p).birthDate", message: "ngày sinh '\(s)' không hợp lệ (YYYY-MM-DD, dd/mm/yyyy hoặc năm sinh)") }
        }
        if let y = try d[.birthYear].flatMap({ try int($0, household: household, field: "\(p).birthYear") }) {
            guard (1880...2200).contains(y) else {
                throw ClassificationError(household: household, field: "\(p).birthYear", message: "năm sinh \(y) không hợp lệ")
            }
            m.birthYear = y
        }
        func code(_ f: Fact) throws -> String? {
            guard let v = d[Field(f)] else { return nil }
            return try coded(v, fact: f, household: household, field: "\(p).\(f.rawValue)")
        }
        func flag(_ f: Fact) throws -> Bool? {
            try d[Field(f)].flatMap { try bool($0, household: household, field: "\(p).\(f.rawValue)") }
        }
        m.sex = try code(.sex); m.relation = try code(.relation); m.employment = try code(.employment)
        m.schooling = try code(.schooling); m.qualification = try code(.qualification); m.nutrition = try code(.nutrition)
        if let e = d[.ethnicity], !isNull(e) {
            let s = try text(e, household: household, field: "\(p).ethnicity") ?? ""
            guard let c = ethnicity(s) else {
                throw ClassificationError(household: household, field: "\(p).ethnicity", message: "dân tộc '\(s)' không có trong danh mục 54 dân tộc")
            }
            m.ethnicity = c
        }
        m.workingCapacity = try flag(.workingCapacity); m.healthInsurance = try flag(.healthInsurance)
        m.disabled = try flag(.disabled); m.meritorious = try flag(.meritorious)
        m.socialAllowance = try flag(.socialAllowance); m.seriousIllnessWithoutCare = try flag(.seriousIllnessWithoutCare)
        return m
    }

    // MARK: - typed field readers

    public typealias Value = JSONText.Value

    func text(_ v: Value, household: String, field: @autoclosure () -> String) throws -> String? {
        switch v {
        case .string(let s): let t = s.trimmed(); return t.isEmpty ? nil : t
        case .null: return nil
        case .int(let i): return String(i)
        case .double(let d): return NSNumber(value: d).stringValue
        default: throw ClassificationError(household: household, field: field(), message: "cần một chuỗi ký tự")
        }
    }

    func int(_ v: Value, household: String, field: @autoclosure () -> String) throws -> Int? {
        switch v {
        case .null: return nil
        case .int(let i): return i
        case .double(let d) where d == d.rounded() && abs(d) < 1e15: return Int(d)
        case .string(let s):
            let t = s.trimmed()
            if t.isEmpty { return nil }
            if let n = Int(t) { return n }
            // Officials write 1.500.000 or 1,500,000; both are thousands separators here.
            let digits = t.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: ",", with: "")
            if let n = Int(digits) { return n }
        default: break
        }
        throw ClassificationError(household: household, field: field(), message: "giá trị '\(v.plain)' không phải là số nguyên")
    }

    /// Income or points that may carry a fraction (annual income ÷ 12 ÷ members). Every threshold is a
    /// whole number L, and x ≤ L ⇔ ⌈x⌉ ≤ L, so rounding up keeps every comparison of the rules exact.
    /// Money as officials type it, to plain number text: "3.000.000 đ", "3 000 000 đồng", "3000000 VNĐ",
    /// "2,5 triệu", "1.500 nghìn". Anything else is returned as written (and refused with its value later).
    public static func moneyText(_ s: String) -> String {
        if !s.isEmpty && s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return s }   // plain digits, as most files write it
        var t = VietnameseText.fold(s).replacingOccurrences(of: "\u{00A0}", with: " ").trimmingCharacters(in: .whitespaces)
        for unit in ["dong", "vnd", "d"] where t.hasSuffix(unit) {
            let rest = t.dropLast(unit.count)
            if rest.last?.isNumber == true || rest.last == " " { t = String(rest).trimmingCharacters(in: .whitespaces); break }
        }
        var factor: Double? = nil
        for (word, f) in [("trieu", 1_000_000.0), ("tr", 1_000_000), ("nghin", 1_000), ("ngan", 1_000), ("k", 1_000)] where t.hasSuffix(word) {
            let rest = t.dropLast(word.count)
            if rest.last?.isNumber == true || rest.last == " " { t = String(rest).trimmingCharacters(in: .whitespaces); factor = f; break }
        }
        let digits = t.replacingOccurrences(of: " ", with: "")
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == ",") }) else { return s }
        guard let factor else { return digits }
        // Vietnamese writing: "." groups thousands ("1.500 nghìn"), "," is the decimal point ("2,5 triệu"); a "."
        // followed by other than three digits is taken as a decimal point ("1.5 tr").
        var number = digits
        if let dot = number.lastIndex(of: "."), number[number.index(after: dot)...].count == 3 { number = number.replacingOccurrences(of: ".", with: "") }
        guard number.filter({ $0 == "." || $0 == "," }).count <= 1, let x = Double(number.replacingOccurrences(of: ",", with: ".")) else { return s }
        return String(Int((x * factor).rounded()))
    }

    func ceilingInt(_ v: Value, household: String, field: @autoclosure () -> String) throws -> Int? {
        switch v {
        case .null: return nil
        case .int(let i): return i
        case .string(let s):
            if s.contains(","), s.contains(".") || s.filter({ $0 == "," }).count > 1 {
                return try int(v, household: household, field: field())   // "1,500,000" style thousands
            }
            if s.filter({ $0 == "." }).count > 1 { return try int(v, household: household, field: field()) }
        default: break
        }
        if let x = number(v), x.isFinite, abs(x) < 1e15 { return Int(x.rounded(.up)) }
        return try int(v, household: household, field: field())
    }

    func number(_ v: Value) -> Double? {
        switch v {
        case .string(let s):
            let t = s.trimmed()
            return Double(t.utf8.contains(UInt8(ascii: ",")) ? t.replacingOccurrences(of: ",", with: ".") : t)
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    func bool(_ v: Value, household: String, field: @autoclosure () -> String) throws -> Bool? {
        switch v {
        case .string(let s):
            switch s {   // as the files write it, before folding
            case "true", "1": return true
            case "false", "0": return false
            default: break
            }
            switch VietnameseText.fold(s) {
            case "": return nil
            case "true", "1", "co", "x", "yes": return true
            case "false", "0", "khong", "no": return false
            default: break
            }
        case .null: return nil
        case .bool(let b): return b
        case .int(let i) where i == 0 || i == 1: return i == 1
        case .double(let d) where d == 0 || d == 1: return d == 1
        default: break
        }
        throw ClassificationError(household: household, field: field(), message: "giá trị '\(v.plain)' không phải có/không (true/false)")
    }

    func list(_ v: Value, household: String, field: @autoclosure () -> String) throws -> [String] {
        if case .array(let arr) = v { return try arr.compactMap { try text($0, household: household, field: field()) } }
        if case .string(let s) = v {
            // "none" / "không có" is the CSV spelling of an empty list (an empty cell means "not given").
            if ["none", "khong co", "khong"].contains(VietnameseText.fold(s)) { return [] }
            return s.split(whereSeparator: { $0 == ";" || $0 == "," || $0 == "|" })
                .map { String($0).trimmed() }.filter { !$0.isEmpty }
        }
        throw ClassificationError(household: household, field: field(), message: "cần một danh sách")
    }

    func coded(_ v: Value, fact: Fact, household: String, field: @autoclosure () -> String) throws -> String? {
        guard let s = try text(v, household: household, field: field()) else { return nil }
        let entries = Vocabulary.values[fact] ?? []
        if let e = entries.first(where: { $0.code == s }) { return e.code }
        // Also accept the Vietnamese label as written on the paper form, accent-insensitively.
        let folded = VietnameseText.fold(s)
        if let e = entries.first(where: { VietnameseText.fold($0.vi) == folded || $0.code.lowercased() == folded }) { return e.code }
        throw ClassificationError(household: household, field: field(),
                                  message: "giá trị '\(s)' không có trong danh mục (\(entries.map(\.code).joined(separator: ", ")))")
    }

    @inline(__always) func isNull(_ v: Value) -> Bool { if case .null = v { true } else { false } }
}
