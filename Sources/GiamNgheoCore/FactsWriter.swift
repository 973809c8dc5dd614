/// A household's facts, given once and key by key in the byte order of the keys, to either of two receivers: a
/// `JSONText.Value` tree (the dictionary the edit forms and the CSV rows work on) or the stored JSON text itself.
/// The text is written straight into bytes, without the tree's boxed values or a sort of each object's keys: an
/// import of a province writes the facts of a million households and of four times as many members.
protocol FactsSink {
    init()
    mutating func put(_ key: String, _ value: FactsScalar)
    mutating func put(_ key: String, strings: [String])
    mutating func put(_ key: String, object: (inout Self) -> Void)
    mutating func put<C: Collection>(_ key: String, objects: C, _ each: (inout Self, C.Element) -> Void)
}

enum FactsScalar { case string(String), int(Int), double(Double), bool(Bool) }

extension Interchange {
    static func facts<S: FactsSink>(_ h: Household, into s: inout S) {
        // Keys in byte order: agriculture, answers, area, causes, code, commune, deprived, incomePerCapita, living,
        // members, oldCommune, referenceDate, scoreB1, size, village (a test holds the text to the sorted tree's).
        if let v = h.agriculture { s.put("agriculture", .bool(v)) }
        if !h.answers.isEmpty {
            s.put("answers") { o in for (k, v) in h.answers.sorted(by: { JSONText.bytesPrecede($0.key, $1.key) }) { o.put(k, .bool(v)) } }
        }
        if let v = h.area, h.commune == nil || h.areaSource == Household.declaredArea { s.put("area", .string(v.rawValue)) }
        if let v = h.causes { s.put("causes", strings: v) }
        s.put("code", .string(h.code))
        if let v = h.commune { s.put("commune", .string(v)) }
        if let v = h.deprivedList { s.put("deprived", strings: v) }
        if let v = h.incomePerCapita { s.put("incomePerCapita", .int(v)) }
        if livingInOrder.contains(where: { !h.living.value($0).isMissing }) {
            s.put("living") { o in
                for f in livingInOrder {
                    switch h.living.value(f) {
                    case .bool(let v?): o.put(f.rawValue, .bool(v))
                    case .text(let v?): o.put(f.rawValue, .string(v))
                    case .number(let v?): o.put(f.rawValue, .double(v))
                    case .list(let v?): o.put(f.rawValue, strings: v)
                    default: break
                    }
                }
            }
        }
        if !h.members.isEmpty { s.put("members", objects: h.members) { o, m in memberFacts(m, into: &o) } }
        if let v = h.oldCommune { s.put("oldCommune", .string(v)) }
        if let v = h.referenceDate { s.put("referenceDate", .string(v.description)) }
        if let v = h.scoreB1 { s.put("scoreB1", .int(v)) }
        if let v = h.size, h.members.isEmpty { s.put("size", .int(v)) }
        if let v = h.village { s.put("village", .string(v)) }
    }

    static func memberFacts<S: FactsSink>(_ m: Member, into s: inout S) {
        for (key, field) in memberFields {
            switch field {
            case .id: s.put(key, .string(m.id))
            case .name: if let v = m.name { s.put(key, .string(v)) }
            case .birthDate: if let v = m.birthDate { s.put(key, .string(v.description)) }
            case .birthYear: if m.birthDate == nil, let y = m.birthYear { s.put(key, .int(y)) }
            case .nationalID: if let v = m.nationalID { s.put(key, .string(v)) }
            case .fact(let f):
                switch m.value(f) {
                case .bool(let v?): s.put(key, .bool(v))
                case .text(let v?): s.put(key, .string(v))
                default: break
                }
            }
        }
    }

    static let livingInOrder = HouseholdParser.livingKeys.sorted { JSONText.bytesPrecede($0.rawValue, $1.rawValue) }

    /// A member's keys in the written (byte) order.
    enum MemberField { case id, name, birthDate, birthYear, nationalID, fact(Fact) }
    static let memberFields: [(String, MemberField)] = {
        var xs: [(String, MemberField)] = [("id", .id), ("name", .name), ("birthDate", .birthDate), ("birthYear", .birthYear), ("nationalID", .nationalID)]
        xs += Fact.allCases.filter { $0.scope == .member }.map { ($0.rawValue, .fact($0)) }
        return xs.sorted { JSONText.bytesPrecede($0.0, $1.0) }
    }()
}

/// The facts as a `JSONText.Value` object.
struct FactsTree: FactsSink {
    var pairs: [(String, JSONText.Value)] = []
    var value: JSONText.Value { .object(pairs) }
    mutating func put(_ key: String, _ value: FactsScalar) {
        switch value {
        case .string(let v): pairs.append((key, .string(v)))
        case .int(let v): pairs.append((key, .int(v)))
        case .double(let v): pairs.append((key, .double(v)))
        case .bool(let v): pairs.append((key, .bool(v)))
        }
    }
    mutating func put(_ key: String, strings: [String]) { pairs.append((key, .array(strings.map { .string($0) }))) }
    mutating func put(_ key: String, object: (inout FactsTree) -> Void) {
        var o = FactsTree(); object(&o); pairs.append((key, o.value))
    }
    mutating func put<C: Collection>(_ key: String, objects: C, _ each: (inout FactsTree, C.Element) -> Void) {
        pairs.append((key, .array(objects.map { x in var o = FactsTree(); each(&o, x); return o.value })))
    }
}

/// The facts as JSON text, as `JSONText.encode` writes the tree (keys come in order, so none is sorted here).
struct FactsText: FactsSink {
    var bytes: [UInt8] = []
    var comma = false
    init() { bytes.reserveCapacity(2048); bytes.append(UInt8(ascii: "{")) }
    mutating func finish() -> String {
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    mutating func key(_ k: String) {
        if comma { bytes.append(UInt8(ascii: ",")) }
        comma = true
        string(k); bytes.append(UInt8(ascii: ":"))
    }
    mutating func string(_ s: String) { JSONText.string(s, to: &bytes) }
    mutating func put(_ k: String, _ value: FactsScalar) {
        key(k)
        switch value {
        case .string(let v): string(v)
        case .int(let v): bytes.append(contentsOf: String(v).utf8)
        case .double(let d): bytes.append(contentsOf: JSONText.number(d).utf8)
        case .bool(let v): bytes.append(contentsOf: (v ? "true" : "false").utf8)
        }
    }
    mutating func put(_ k: String, strings: [String]) {
        key(k)
        bytes.append(UInt8(ascii: "["))
        for (i, s) in strings.enumerated() { if i > 0 { bytes.append(UInt8(ascii: ",")) }; string(s) }
        bytes.append(UInt8(ascii: "]"))
    }
    mutating func put(_ k: String, object: (inout FactsText) -> Void) {
        key(k)
        bytes.append(UInt8(ascii: "{")); comma = false
        object(&self)
        bytes.append(UInt8(ascii: "}")); comma = true
    }
    mutating func put<C: Collection>(_ k: String, objects: C, _ each: (inout FactsText, C.Element) -> Void) {
        key(k)
        bytes.append(UInt8(ascii: "["))
        for (i, x) in objects.enumerated() {
            bytes.append(contentsOf: (i > 0 ? ",{" : "{").utf8); comma = false
            each(&self, x)
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: "]")); comma = true
    }
}
