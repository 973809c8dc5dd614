import Foundation

/// Accent-insensitive matching for Vietnamese. `đ`/`Đ` is a separate letter, not `d` with a mark,
/// so Unicode decomposition alone leaves it: it has to be mapped by hand.
public enum VietnameseText {
    /// Lower-case, strip tone and vowel marks, map đ → d, unify apostrophes, collapse spaces.
    /// "Đặng Thị Hoà" and "dang thi hoa" fold to the same key.
    public static func fold(_ text: String) -> String {
        if isFolded(text) { return text }   // codes and values already in lower-case ASCII ("male", "head")
        // Fast path (imports fold millions of names): bytes out, ASCII and precomposed Latin letters through tables
        // made once by the slow path below, combining marks dropped; anything else takes the slow path.
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var lastWasSpace = true
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                switch v {
                case 0x20, 0x09...0x0D:
                    if !lastWasSpace { out.append(0x20) }
                    lastWasSpace = true
                case 0x41...0x5A: out.append(UInt8(v + 32)); lastWasSpace = false
                case 0x60: out.append(0x27); lastWasSpace = false
                default: out.append(UInt8(v)); lastWasSpace = false
                }
            } else if v >= 0x300 && v <= 0x36F {
                continue
            } else {
                var packed = folded(v)
                guard packed != 0 else { return slowFold(text) }
                while packed != 0 { out.append(UInt8(packed & 0xFF)); packed >>= 8 }
                lastWasSpace = false
            }
        }
        if out.last == 0x20 { out.removeLast() }
        return String(decoding: out, as: UTF8.self)
    }

    /// Lower-case ASCII without a backtick or a space to collapse: its own fold, and no new string to make.
    static func isFolded(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { b in
            guard let first = b.first, let last = b.last, first != 0x20, last != 0x20 else { return false }
            var previous: UInt8 = 0
            for c in b {
                guard c >= 0x20 && c < 0x7F && !(c >= 0x41 && c <= 0x5A) && c != 0x60 && !(c == 0x20 && previous == 0x20) else { return false }
                previous = c
            }
            return true
        }
    }

    /// The fold of one precomposed letter as up to 4 ASCII bytes, first byte lowest; 0 when it is not in the tables.
    @inline(__always) static func folded(_ v: UInt32) -> UInt32 {
        if v >= 0xC0 && v <= 0x24F { return foldLatin[Int(v - 0xC0)] }
        if v >= 0x1E00 && v <= 0x1EFF { return foldAdditional[Int(v - 0x1E00)] }
        if v == 0x2019 || v == 0x2018 || v == 0x02BC { return 0x27 }
        return 0
    }

    /// Each precomposed Latin letter (Latin-1, Latin Extended-A/B; Latin Extended Additional: every Vietnamese
    /// letter) folded by the slow path, once, packed as `folded` reads it.
    static let foldLatin = foldTable(0xC0...0x24F)
    static let foldAdditional = foldTable(0x1E00...0x1EFF)

    static func foldTable(_ range: ClosedRange<UInt32>) -> [UInt32] {
        range.map { v in
            guard let u = Unicode.Scalar(v), u.properties.isAlphabetic else { return 0 }
            let f = Array(slowFold(String(u)).utf8)
            guard !f.isEmpty, f.count <= 4, f.allSatisfy({ $0 > 0x20 && $0 < 0x80 }) else { return 0 }
            return f.reversed().reduce(0) { $0 << 8 | UInt32($1) }
        }
    }

    static func slowFold(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var lastWasSpace = true
        for scalar in text.precomposedStringWithCanonicalMapping.decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark: continue
            default: break
            }
            var s = scalar
            switch s {
            case "đ", "Đ": s = "d"
            case "\u{2019}", "\u{2018}", "`", "\u{02BC}": s = "'"
            default: break
            }
            if s.properties.isWhitespace {
                if !lastWasSpace { out.append(" ") }
                lastWasSpace = true
                continue
            }
            lastWasSpace = false
            for l in s.properties.lowercaseMapping.unicodeScalars { out.append(l) }
        }
        var result = String(out)
        if result.hasSuffix(" ") { result.removeLast() }
        return result
    }

    /// NFC form used for storage and exact comparison (the official lists mix NFC and NFD input).
    public static func normalized(_ text: String) -> String {
        text.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension String {
    enum Trim { case whitespaces, whitespacesAndNewlines }

    /// `trimmingCharacters(in:)` without Foundation's bridging when there is nothing to trim (almost every
    /// cell of an import): the same result either way. The set is named, not passed: a `CharacterSet` argument
    /// is built at every call, which cost more than the trimming.
    func trimmed(_ kind: Trim = .whitespaces) -> String {
        guard let f = utf8.first, let l = utf8.last else { return self }
        // An ASCII letter, digit or mark at both ends (the usual cell): nothing to trim, without asking Unicode.
        if f > 0x20 && f < 0x7F && l > 0x20 && l < 0x7F { return self }
        guard let fs = unicodeScalars.first, let ls = unicodeScalars.last else { return self }
        if !fs.properties.isWhitespace && !ls.properties.isWhitespace { return self }
        return trimmingCharacters(in: kind == .whitespaces ? .whitespaces : .whitespacesAndNewlines)
    }
}
