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

    public static let householdKeys: Set<String> = [
        "code", "area", "commune", "oldCommune", "village", "incomePerCapita", "scoreB1", "scoreA", "agriculture", "size", "referenceDate",
        "deprived", "answers", "living", "members", "note", "causes",
    ]
    public static let livingKeys: [Fact] = [.walls, .frame, .roof, .floorArea, .waterSource, .latrine, .usesInternet,
                                            .usesTelephone, .informationDevices, .loudspeaker, .wasteTreatment]
    static let livingKeyNames = Set(livingKeys.map(\.rawValue))
    public static let memberKeys: Set<String> = Set([
        "id", "name", "birthDate", "birthYear", "nationalID", "householdCode",
    ]).union(Fact.allCases.filter { $0.scope == .member }.map(\.rawValue))

    /// One JSON object (one line of a .jsonl file). `line` is used in messages.
    public func parse(jsonLine: String, line: Int) throws -> Household {
        guard let data = jsonLine.data(using: .utf8),
              let obj = try? JSONSerialization.jsonObject(with: data), let dict = obj as? [String: Any] else {
            throw ClassificationError(household: "dòng \(line)", field: "-", message: "không phải một đối tượng JSON hợp lệ")
        }
        return try parse(dict, fallbackCode: "dòng \(line)")
    }

    public func parse(_ d: [String: Any], fallbackCode: String) throws -> Household {
        let code = try (d["code"]).map { try text($0, household: fallbackCode, field: "code") } ?? nil
        guard let code, !code.isEmpty else {
            throw ClassificationError(household: fallbackCode, field: "code", message: "thiếu mã hộ")
        }
        func fail(_ field: String, _ msg: String) -> ClassificationError {
            ClassificationError(household: code, field: field, message: msg)
        }
        let livingKeyNames = Self.livingKeyNames
        for k in d.keys where !Self.householdKeys.contains(k) && !livingKeyNames.contains(k) {
            throw fail(k, "trường không xác định (có: \((Self.householdKeys.union(livingKeyNames)).sorted().joined(separator: ", ")))")
        }
        var h = Household(code: code)
        if let a = d["area"], !isNull(a) {
            let s = try text(a, household: code, field: "area") ?? ""
            switch VietnameseText.fold(s) {
            case "rural", "nong thon": h.area = .rural
            case "urban", "thanh thi", "do thi": h.area = .urban
            default: throw fail("area", "khu vực '\(s)' không hợp lệ (rural/nông thôn hoặc urban/thành thị, đô thị)")
            }
            h.areaSource = Household.declaredArea
        }
        h.commune = try d["commune"].flatMap { try text($0, household: code, field: "commune") }
        h.oldCommune = try d["oldCommune"].flatMap { try text($0, household: code, field: "oldCommune") }
        h.village = try d["village"].flatMap { try text($0, household: code, field: "village") }
        h.incomePerCapita = try d["incomePerCapita"].flatMap { v in
            try ceilingInt((v as? String).map(Self.moneyText) ?? v, household: code, field: "incomePerCapita")
        }
        // "scoreA" is the name used before December 2026 (stored facts and older files still carry it).
        h.scoreB1 = try d["scoreB1"].flatMap { try ceilingInt($0, household: code, field: "scoreB1") }
            ?? d["scoreA"].flatMap { try ceilingInt($0, household: code, field: "scoreA") }
        h.agriculture = try d["agriculture"].flatMap { try bool($0, household: code, field: "agriculture") }
        h.size = try d["size"].flatMap { try int($0, household: code, field: "size") }
        if let r = d["referenceDate"], !isNull(r) {
            let s = try text(r, household: code, field: "referenceDate") ?? ""
            guard let date = CivilDate(s) else { throw fail("referenceDate", "ngày '\(s)' không hợp lệ (YYYY-MM-DD hoặc dd/mm/yyyy)") }
            h.referenceDate = date
        }
        if let v = d["deprived"], !isNull(v) {
            h.deprivedList = try list(v, household: code, field: "deprived").map { $0.uppercased() }
        }
        if let v = d["causes"], !isNull(v) {
            let xs = try list(v, household: code, field: "causes")
            if let allowed = causeCodes, let bad = xs.first(where: { !allowed.contains($0) }) {
                throw fail("causes", "nguyên nhân nghèo '\(bad)' không có trong danh mục (\(allowed.sorted().joined(separator: ", ")))")
            }
            guard Set(xs).count == xs.count else { throw fail("causes", "một nguyên nhân được ghi hai lần") }
            h.causes = xs
        }
        if let v = d["answers"], !isNull(v) {
            guard let dict = v as? [String: Any] else { throw fail("answers", "cần dạng {\"MÃ_CHỈ_SỐ\": true/false}") }
            for (k, a) in dict {
                guard let b = try bool(a, household: code, field: "answers.\(k)") else { continue }
                h.answers[k.uppercased()] = b
            }
        }
        var living: [String: Any] = [:]
        if let l = d["living"], !isNull(l) {
            guard let ld = l as? [String: Any] else { throw fail("living", "cần một đối tượng điều kiện sống") }
            for k in ld.keys where !livingKeyNames.contains(k) {
                throw fail("living.\(k)", "trường không xác định (có: \(livingKeyNames.sorted().joined(separator: ", ")))")
            }
            living = ld
        }
        for k in livingKeyNames where d[k] != nil { living[k] = d[k] }
        h.living = try parseLiving(living, household: code)
        if let ms = d["members"], !isNull(ms) {
            guard let arr = ms as? [[String: Any]] else { throw fail("members", "cần một danh sách nhân khẩu") }
            var seen = Set<String>()
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

    public func parseLiving(_ d: [String: Any], household: String) throws -> LivingConditions {
        var l = LivingConditions()
        func code(_ f: Fact) throws -> String? {
            guard let v = d[f.rawValue] else { return nil }
            return try coded(v, fact: f, household: household, field: f.rawValue)
        }
        l.walls = try code(.walls); l.frame = try code(.frame); l.roof = try code(.roof)
        if let v = d["floorArea"], !isNull(v) {
            guard let n = number(v) else {
                throw ClassificationError(household: household, field: "floorArea", message: "diện tích '\(v)' không phải là số")
            }
            guard n > 0 else { throw ClassificationError(household: household, field: "floorArea", message: "diện tích nhà ở phải lớn hơn 0 (đang là \(Format.number(n)))") }
            l.floorArea = n
        }
        l.waterSource = try code(.waterSource); l.latrine = try code(.latrine); l.wasteTreatment = try code(.wasteTreatment)
        l.usesInternet = try d["usesInternet"].flatMap { try bool($0, household: household, field: "usesInternet") }
        l.usesTelephone = try d["usesTelephone"].flatMap { try bool($0, household: household, field: "usesTelephone") }
        l.loudspeaker = try d["loudspeaker"].flatMap { try bool($0, household: household, field: "loudspeaker") }
        if let v = d["informationDevices"], !isNull(v) {
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

    public func parseMember(_ d: [String: Any], household: String, index: Int) throws -> Member {
        let id = try d["id"].flatMap { try text($0, household: household, field: "members[\(index)].id") } ?? String(index)
        var p: String { "members[\(id)]" }   // built only for a message
        for k in d.keys where !Self.memberKeys.contains(k) {
            throw ClassificationError(household: household, field: "\(p).\(k)",
                                      message: "trường không xác định (có: \(Self.memberKeys.sorted().joined(separator: ", ")))")
        }
        var m = Member(id: id)
        m.name = try d["name"].flatMap { try text($0, household: household, field: "\(p).name") }
        m.nationalID = try d["nationalID"].flatMap { try text($0, household: household, field: "\(p).nationalID") }
        if let n = m.nationalID, !(n.count == 12 && n.allSatisfy(\.isASCII) && n.allSatisfy(\.isNumber)) {
            let hint = n.count == 11 && n.allSatisfy(\.isNumber) ? " (có 11 chữ số: có thể Excel đã bỏ số 0 ở đầu; hãy định dạng cột là Văn bản)" : ""
            throw ClassificationError(household: household, field: "\(p).nationalID", message: "số định danh cá nhân phải gồm đúng 12 chữ số\(hint)")
        }
        if let b = d["birthDate"], !isNull(b) {
            let s = try text(b, household: household, field: "\(p).birthDate") ?? ""
            if s.count == 4, let y = Int(s) { m.birthYear = y }
            else if let date = CivilDate(s) { m.birthDate = date }
            else { throw ClassificationError(household: household, field: "\(p).birthDate", message: "ngày sinh '\(s)' không hợp lệ (YYYY-MM-DD, dd/mm/yyyy hoặc năm sinh)") }
        }
        if let y = try d["birthYear"].flatMap({ try int($0, household: household, field: "\(p).birthYear") }) {
            guard (1880...2200).contains(y) else {
                throw ClassificationError(household: household, field: "\(p).birthYear", message: "năm sinh \(y) không hợp lệ")
            }
            m.birthYear = y
        }
        func code(_ f: Fact) throws -> String? {
            guard let v = d[f.rawValue] else { return nil }
            return try coded(v, fact: f, household: household, field: "\(p).\(f.rawValue)")
        }
        func flag(_ f: Fact) throws -> Bool? {
            try d[f.rawValue].flatMap { try bool($0, household: household, field: "\(p).\(f.rawValue)") }
        }
        m.sex = try code(.sex); m.relation = try code(.relation); m.employment = try code(.employment)
        m.schooling = try code(.schooling); m.qualification = try code(.qualification); m.nutrition = try code(.nutrition)
        if let e = d["ethnicity"], !isNull(e) {
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

    func text(_ v: Any, household: String, field: @autoclosure () -> String) throws -> String? {
        if let s = v as? String { let t = s.trimmed(); return t.isEmpty ? nil : t }
        if isNull(v) { return nil }
        if let n = v as? NSNumber { return n.stringValue }
        throw ClassificationError(household: household, field: field(), message: "cần một chuỗi ký tự")
    }

    func int(_ v: Any, household: String, field: @autoclosure () -> String) throws -> Int? {
        if isNull(v) { return nil }
        if let s = v as? String {
            let t = s.trimmed()
            if t.isEmpty { return nil }
            if let n = Int(t) { return n }
            // Officials write 1.500.000 or 1,500,000; both are thousands separators here.
            let digits = t.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: ",", with: "")
            if let n = Int(digits) { return n }
        } else if let n = v as? NSNumber, !isBool(n) {
            let d = n.doubleValue
            if d == d.rounded(), abs(d) < 1e15 { return Int(d) }
        }
        throw ClassificationError(household: household, field: field(), message: "giá trị '\(v)' không phải là số nguyên")
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

    func ceilingInt(_ v: Any, household: String, field: @autoclosure () -> String) throws -> Int? {
        if isNull(v) { return nil }
        if let s = v as? String, s.contains(","), s.contains(".") || s.filter({ $0 == "," }).count > 1 {
            return try int(v, household: household, field: field())   // "1,500,000" style thousands
        }
        if let s = v as? String, s.filter({ $0 == "." }).count > 1 { return try int(v, household: household, field: field()) }
        if let x = number(v), x.isFinite, abs(x) < 1e15 { return Int(x.rounded(.up)) }
        return try int(v, household: household, field: field())
    }

    func number(_ v: Any) -> Double? {
        if let s = v as? String {
            let t = s.trimmed()
            return Double(t.utf8.contains(UInt8(ascii: ",")) ? t.replacingOccurrences(of: ",", with: ".") : t)
        }
        if let n = v as? NSNumber, !isBool(n) { return n.doubleValue }
        return nil
    }

    func bool(_ v: Any, household: String, field: @autoclosure () -> String) throws -> Bool? {
        // Strings first: a failed `as? NSNumber` on a Swift string costs a bridge (imports read only strings).
        if let s = v as? String {
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
        } else if isNull(v) { return nil } else if let n = v as? NSNumber {
            if isBool(n) { return n.boolValue }
            if n.intValue == 0 || n.intValue == 1 { return n.intValue == 1 }
        }
        throw ClassificationError(household: household, field: field(), message: "giá trị '\(v)' không phải có/không (true/false)")
    }

    func list(_ v: Any, household: String, field: @autoclosure () -> String) throws -> [String] {
        if let arr = v as? [Any] { return try arr.compactMap { try text($0, household: household, field: field()) } }
        if let s = v as? String {
            // "none" / "không có" is the CSV spelling of an empty list (an empty cell means "not given").
            if ["none", "khong co", "khong"].contains(VietnameseText.fold(s)) { return [] }
            return s.split(whereSeparator: { $0 == ";" || $0 == "," || $0 == "|" })
                .map { String($0).trimmed() }.filter { !$0.isEmpty }
        }
        throw ClassificationError(household: household, field: field(), message: "cần một danh sách")
    }

    func coded(_ v: Any, fact: Fact, household: String, field: @autoclosure () -> String) throws -> String? {
        guard let s = try text(v, household: household, field: field()) else { return nil }
        let entries = Vocabulary.values[fact] ?? []
        if let e = entries.first(where: { $0.code == s }) { return e.code }
        // Also accept the Vietnamese label as written on the paper form, accent-insensitively.
        let folded = VietnameseText.fold(s)
        if let e = entries.first(where: { VietnameseText.fold($0.vi) == folded || $0.code.lowercased() == folded }) { return e.code }
        throw ClassificationError(household: household, field: field(),
                                  message: "giá trị '\(s)' không có trong danh mục (\(entries.map(\.code).joined(separator: ", ")))")
    }

    /// `v is NSNull` bridges a Swift value (a whole members array) to Foundation to answer; the type does not.
    @inline(__always) func isNull(_ v: Any) -> Bool { type(of: v) == NSNull.self }

    private func isBool(_ n: NSNumber) -> Bool {
        // JSONSerialization gives booleans as NSNumber; tell them apart from 0/1 numbers by their type.
        String(cString: n.objCType) == "c"
    }
}
