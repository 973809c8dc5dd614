/// The small vocabulary from which indicator rules are composed (docs/standards.md lists it).
/// A rule is data in the standard file; parameters such as an age bound or a list of safe water
/// sources can be corrected by an administrator without touching code.
public indirect enum Condition: Sendable, Equatable {
    case all([Condition])
    case any([Condition])
    case not(Condition)
    /// At least `count` of the listed conditions hold (e.g. 2 of walls/frame/roof non-durable).
    case atLeast(Int, [Condition])
    /// Household scope: at least one member satisfies the member-scope condition.
    case anyMember(Condition)
    /// Household scope: members satisfying the condition are more than `percent` % of all members.
    case memberShareAbove(Condition, percent: Int)
    /// Household scope: a numeric household fact divided by the number of members is below `value`.
    case perMemberBelow(Fact, Double)
    /// Member scope: completed age on the reference date within [atLeast, below).
    case age(atLeast: Int?, below: Int?)
    /// Member scope: of working age on the reference date, by the standard's `workingAge` table
    /// (15 to the statutory retirement age by sex and year).
    case workingAge
    case factIs(Fact, FactLiteral)
    case factIn(Fact, [String])
    case factNotIn(Fact, [String])
    case containsNoneOf(Fact, [String])
    case containsAnyOf(Fact, [String])
    case numberBelow(Fact, Double)
    case numberAtLeast(Fact, Double)
}

public enum FactLiteral: Sendable, Equatable, CustomStringConvertible {
    case bool(Bool), text(String), number(Double)
    public var description: String {
        switch self {
        case .bool(let b): return b ? "có" : "không"
        case .text(let s): return s
        case .number(let n): return Format.number(n)
        }
    }
}

public struct StandardError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Condition: Codable {
    private struct Key: CodingKey {
        var stringValue: String; var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
    private struct AgeBounds: Codable { var atLeast: Int?; var below: Int? }
    private struct Share: Codable { var `where`: Condition; var abovePercent: Int }
    private struct PerMember: Codable { var fact: Fact; var below: Double }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let keys = Set(c.allKeys.map(\.stringValue))
        func fail(_ msg: String) -> DecodingError {
            .dataCorrupted(.init(codingPath: c.codingPath, debugDescription: msg))
        }
        if keys.contains("all") { self = .all(try c.decode([Condition].self, forKey: Key("all"))); return }
        if keys.contains("any") { self = .any(try c.decode([Condition].self, forKey: Key("any"))); return }
        if keys.contains("not") { self = .not(try c.decode(Condition.self, forKey: Key("not"))); return }
        if keys.contains("atLeast") && keys.contains("of") {
            self = .atLeast(try c.decode(Int.self, forKey: Key("atLeast")), try c.decode([Condition].self, forKey: Key("of")))
            return
        }
        if keys.contains("anyMember") { self = .anyMember(try c.decode(Condition.self, forKey: Key("anyMember"))); return }
        if keys.contains("memberShare") {
            let s = try c.decode(Share.self, forKey: Key("memberShare"))
            self = .memberShareAbove(s.where, percent: s.abovePercent); return
        }
        if keys.contains("perMember") {
            let p = try c.decode(PerMember.self, forKey: Key("perMember"))
            self = .perMemberBelow(p.fact, p.below); return
        }
        if keys.contains("workingAge") {
            guard try c.decode(Bool.self, forKey: Key("workingAge")) else { throw fail("'workingAge' chỉ nhận true (dùng 'not' để phủ định)") }
            self = .workingAge; return
        }
        if keys.contains("age") {
            let a = try c.decode(AgeBounds.self, forKey: Key("age"))
            guard a.atLeast != nil || a.below != nil else { throw fail("'age' cần 'atLeast' hoặc 'below'") }
            self = .age(atLeast: a.atLeast, below: a.below); return
        }
        if keys.contains("fact") {
            let raw = try c.decode(String.self, forKey: Key("fact"))
            guard let fact = Fact(rawValue: raw) else {
                throw fail("dữ kiện không có trong từ vựng: '\(raw)' (xem docs/standards.md)")
            }
            if keys.contains("is") {
                if let b = try? c.decode(Bool.self, forKey: Key("is")) { self = .factIs(fact, .bool(b)) }
                else if let n = try? c.decode(Double.self, forKey: Key("is")) { self = .factIs(fact, .number(n)) }
                else { self = .factIs(fact, .text(try c.decode(String.self, forKey: Key("is")))) }
                return
            }
            if keys.contains("in") { self = .factIn(fact, try c.decode([String].self, forKey: Key("in"))); return }
            if keys.contains("notIn") { self = .factNotIn(fact, try c.decode([String].self, forKey: Key("notIn"))); return }
            if keys.contains("containsNoneOf") {
                self = .containsNoneOf(fact, try c.decode([String].self, forKey: Key("containsNoneOf"))); return
            }
            if keys.contains("containsAnyOf") {
                self = .containsAnyOf(fact, try c.decode([String].self, forKey: Key("containsAnyOf"))); return
            }
            if keys.contains("below") { self = .numberBelow(fact, try c.decode(Double.self, forKey: Key("below"))); return }
            if keys.contains("atLeast") { self = .numberAtLeast(fact, try c.decode(Double.self, forKey: Key("atLeast"))); return }
            throw fail("dữ kiện '\(raw)' thiếu phép so sánh (is, in, notIn, containsNoneOf, containsAnyOf, below, atLeast)")
        }
        throw fail("điều kiện không hợp lệ, khoá: \(keys.sorted().joined(separator: ", "))")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch self {
        case .all(let xs): try c.encode(xs, forKey: Key("all"))
        case .any(let xs): try c.encode(xs, forKey: Key("any"))
        case .not(let x): try c.encode(x, forKey: Key("not"))
        case .atLeast(let n, let xs): try c.encode(n, forKey: Key("atLeast")); try c.encode(xs, forKey: Key("of"))
        case .anyMember(let x): try c.encode(x, forKey: Key("anyMember"))
        case .memberShareAbove(let x, let p): try c.encode(Share(where: x, abovePercent: p), forKey: Key("memberShare"))
        case .perMemberBelow(let f, let v): try c.encode(PerMember(fact: f, below: v), forKey: Key("perMember"))
        case .age(let lo, let hi): try c.encode(AgeBounds(atLeast: lo, below: hi), forKey: Key("age"))
        case .workingAge: try c.encode(true, forKey: Key("workingAge"))
        case .factIs(let f, let lit):
            try c.encode(f.rawValue, forKey: Key("fact"))
            switch lit {
            case .bool(let b): try c.encode(b, forKey: Key("is"))
            case .text(let s): try c.encode(s, forKey: Key("is"))
            case .number(let n): try c.encode(n, forKey: Key("is"))
            }
        case .factIn(let f, let xs): try c.encode(f.rawValue, forKey: Key("fact")); try c.encode(xs, forKey: Key("in"))
        case .factNotIn(let f, let xs): try c.encode(f.rawValue, forKey: Key("fact")); try c.encode(xs, forKey: Key("notIn"))
        case .containsNoneOf(let f, let xs):
            try c.encode(f.rawValue, forKey: Key("fact")); try c.encode(xs, forKey: Key("containsNoneOf"))
        case .containsAnyOf(let f, let xs):
            try c.encode(f.rawValue, forKey: Key("fact")); try c.encode(xs, forKey: Key("containsAnyOf"))
        case .numberBelow(let f, let v): try c.encode(f.rawValue, forKey: Key("fact")); try c.encode(v, forKey: Key("below"))
        case .numberAtLeast(let f, let v): try c.encode(f.rawValue, forKey: Key("fact")); try c.encode(v, forKey: Key("atLeast"))
        }
    }
}

extension Condition {
    /// Checks that facts are used in their scope and that coded values exist in the vocabulary.
    public func validate(scope: FactScope, path: String) throws {
        func checkFact(_ f: Fact) throws {
            guard f.scope == scope else {
                let where_ = scope == .member ? "trong điều kiện về nhân khẩu" : "ở cấp hộ (cần đặt trong anyMember/memberShare)"
                throw StandardError("\(path): dữ kiện '\(f.rawValue)' thuộc phạm vi \(f.scope.rawValue), không dùng được \(where_)")
            }
        }
        func checkCodes(_ f: Fact, _ xs: [String]) throws {
            try checkFact(f)
            let allowed: [String]
            switch f.kind {
            case .code(let a), .codes(let a): allowed = a
            default: throw StandardError("\(path): dữ kiện '\(f.rawValue)' không phải dạng mã")
            }
            if allowed.isEmpty { return }
            for x in xs where !allowed.contains(x) {
                throw StandardError("\(path): giá trị '\(x)' không có trong danh mục của '\(f.rawValue)' (\(allowed.joined(separator: ", ")))")
            }
        }
        switch self {
        case .all(let xs), .any(let xs), .atLeast(_, let xs):
            for (i, x) in xs.enumerated() { try x.validate(scope: scope, path: "\(path)[\(i)]") }
        case .not(let x): try x.validate(scope: scope, path: path)
        case .anyMember(let x), .memberShareAbove(let x, _):
            guard scope == .household else { throw StandardError("\(path): anyMember/memberShare chỉ dùng ở cấp hộ") }
            try x.validate(scope: .member, path: path)
        case .perMemberBelow(let f, _):
            guard scope == .household else { throw StandardError("\(path): perMember chỉ dùng ở cấp hộ") }
            try checkFact(f)
            guard f.kind == .number else { throw StandardError("\(path): perMember cần dữ kiện dạng số") }
        case .age, .workingAge:
            guard scope == .member else { throw StandardError("\(path): 'age'/'workingAge' chỉ dùng trong điều kiện về nhân khẩu") }
        case .factIs(let f, let lit):
            try checkFact(f)
            switch (f.kind, lit) {
            case (.bool, .bool), (.number, .number): break
            case (.code, .text(let s)): try checkCodes(f, [s])
            default: throw StandardError("\(path): giá trị '\(lit)' không đúng kiểu của '\(f.rawValue)'")
            }
        case .factIn(let f, let xs), .factNotIn(let f, let xs):
            try checkCodes(f, xs)
        case .containsNoneOf(let f, let xs), .containsAnyOf(let f, let xs):
            try checkCodes(f, xs)
            if case .codes = f.kind {} else { throw StandardError("\(path): '\(f.rawValue)' không phải danh sách") }
        case .numberBelow(let f, _), .numberAtLeast(let f, _):
            try checkFact(f)
            guard f.kind == .number else { throw StandardError("\(path): '\(f.rawValue)' không phải dạng số") }
        }
    }
}

extension Condition {
    /// Whether the rule reads the standard's working-age table.
    public var usesWorkingAge: Bool {
        switch self {
        case .workingAge: return true
        case .all(let xs), .any(let xs), .atLeast(_, let xs): return xs.contains { $0.usesWorkingAge }
        case .not(let x), .anyMember(let x), .memberShareAbove(let x, _): return x.usesWorkingAge
        default: return false
        }
    }
}
