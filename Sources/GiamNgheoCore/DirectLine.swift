import Foundation

/// The line a paper form gives most often (code, area, income, agriculture, size, deprived list), read from its
/// bytes straight into a household: no value tree, no table of names, one array (the list) per line. The general
/// reader built the tree and then the household, half of `classify`'s time.
///
/// It accepts only what it reads exactly as the general reader does: those six names once each, plain strings
/// with nothing to trim or change (no escape, printable ASCII at both ends, list codes in capitals), whole
/// numbers, `true`/`false`. Anything else (another name, null, a fraction, an escape, an error) gives nil and the
/// line goes to the general reader, which accepts it or names what is wrong. A test compares the two readers.
struct DirectLine {
    let bytes: UnsafeBufferPointer<UInt8>
    var at = 0

    static func household(_ bytes: UnsafeBufferPointer<UInt8>) -> Household? {
        var r = DirectLine(bytes: bytes)
        return r.household()
    }

    private enum Name: UInt8 { case code = 1, area = 2, income = 4, agriculture = 8, size = 16, deprived = 32 }

    private mutating func household() -> Household? {
        var code: String?, area: Area?, income: Int?, agriculture: Bool?, size: Int?, deprived: [String]?
        var seen: UInt8 = 0
        guard byte("{") else { return nil }
        repeat {
            guard let name = name(), seen & name.rawValue == 0, byte(":") else { return nil }
            seen |= name.rawValue
            switch name {
            case .code: guard let s = plain() else { return nil }; code = s
            case .area:
                guard let s = plain() else { return nil }
                switch s { case "rural": area = .rural; case "urban": area = .urban; default: return nil }
            case .income: guard let n = whole() else { return nil }; income = n
            case .agriculture: guard let b = flag() else { return nil }; agriculture = b
            case .size: guard let n = whole() else { return nil }; size = n
            case .deprived: guard let l = list() else { return nil }; deprived = l
            }
        } while byte(",")
        guard byte("}"), let code else { return nil }
        space()
        guard at == bytes.count else { return nil }
        var h = Household(code: code, area: area, incomePerCapita: income, agriculture: agriculture, size: size, deprivedList: deprived)
        if area != nil { h.areaSource = Household.declaredArea }
        return h
    }

    private mutating func space() {
        while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x09 || bytes[at] == 0x0A || bytes[at] == 0x0D { at += 1 }
    }

    /// Skips space, then takes `c` if it is next.
    private mutating func byte(_ c: Unicode.Scalar) -> Bool {
        space()
        guard at < bytes.count, bytes[at] == UInt8(ascii: c) else { return false }
        at += 1
        return true
    }

    /// A quoted run with no escape, as its byte range (the quotes taken).
    private mutating func quoted() -> Range<Int>? {
        guard byte("\"") else { return nil }
        let start = at
        while at < bytes.count, bytes[at] != 0x22, bytes[at] != 0x5C, bytes[at] >= 0x20 { at += 1 }
        guard at < bytes.count, bytes[at] == 0x22 else { return nil }
        at += 1
        return start..<(at - 1)
    }

    private mutating func name() -> Name? {
        guard let r = quoted() else { return nil }
        let b = UnsafeBufferPointer(rebasing: bytes[r])
        func eq(_ s: StaticString) -> Bool {
            s.utf8CodeUnitCount == b.count && memcmp(s.utf8Start, b.baseAddress!, b.count) == 0
        }
        switch b.count {
        case 4: return eq("code") ? .code : eq("area") ? .area : eq("size") ? .size : nil
        case 8: return eq("deprived") ? .deprived : nil
        case 11: return eq("agriculture") ? .agriculture : nil
        case 15: return eq("incomePerCapita") ? .income : nil
        default: return nil
        }
    }

    /// A string the general reader keeps as written: printable ASCII at both ends (nothing to trim); with
    /// `capitalsOnly`, no small letter and ASCII only (a list's codes are put in capitals there).
    private mutating func plain(capitalsOnly: Bool = false) -> String? {
        guard let r = quoted(), !r.isEmpty else { return nil }
        let first = bytes[r.lowerBound], last = bytes[r.upperBound - 1]
        guard first > 0x20 && first < 0x7F && last > 0x20 && last < 0x7F else { return nil }
        let b = UnsafeBufferPointer(rebasing: bytes[r])
        if capitalsOnly { for c in b where c >= 0x80 || (c >= 0x61 && c <= 0x7A) { return nil } }
        return String(decoding: b, as: UTF8.self)
    }

    /// A whole number of at most 18 digits, nothing after it that would make it a fraction.
    private mutating func whole() -> Int? {
        space()
        var negative = false
        if at < bytes.count, bytes[at] == UInt8(ascii: "-") { negative = true; at += 1 }
        let start = at
        var n = 0
        while at < bytes.count, bytes[at] >= 0x30 && bytes[at] <= 0x39, at - start < 18 { n = n * 10 + Int(bytes[at] - 0x30); at += 1 }
        guard at > start, at == bytes.count || !(bytes[at] >= 0x30 && bytes[at] <= 0x39 || bytes[at] == 0x2E || bytes[at] == 0x65 || bytes[at] == 0x45 || bytes[at] == 0x2B || bytes[at] == 0x2D) else { return nil }
        return negative ? -n : n
    }

    private mutating func flag() -> Bool? {
        space()
        func word(_ s: StaticString) -> Bool {
            guard bytes.count - at >= s.utf8CodeUnitCount, memcmp(s.utf8Start, bytes.baseAddress! + at, s.utf8CodeUnitCount) == 0 else { return false }
            at += s.utf8CodeUnitCount
            return true
        }
        return word("true") ? true : word("false") ? false : nil
    }

    private mutating func list() -> [String]? {
        guard byte("[") else { return nil }
        var out: [String] = []
        if byte("]") { return out }
        repeat {
            guard let s = plain(capitalsOnly: true) else { return nil }
            out.append(s)
        } while byte(",")
        return byte("]") ? out : nil
    }
}
