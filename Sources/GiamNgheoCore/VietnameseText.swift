import Foundation

/// Accent-insensitive matching for Vietnamese. `đ`/`Đ` is a separate letter, not `d` with a mark,
/// so Unicode decomposition alone leaves it: it has to be mapped by hand.
public enum VietnameseText {
    /// Lower-case, strip tone and vowel marks, map đ → d, unify apostrophes, collapse spaces.
    /// "Đặng Thị Hoà" and "dang thi hoa" fold to the same key.
    public static func fold(_ text: String) -> String {
        // Fast path (imports fold millions of names): ASCII and precomposed Latin letters through a table made
        // once by the slow path below, combining marks dropped; anything else takes the slow path.
        var out = String.UnicodeScalarView()
        var lastWasSpace = true
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                switch v {
                case 0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D:
                    if !lastWasSpace { out.append(" ") }
                    lastWasSpace = true
                case 0x41...0x5A: out.append(Unicode.Scalar(v + 32)!); lastWasSpace = false
                case 0x60: out.append("'"); lastWasSpace = false
                default: out.append(scalar); lastWasSpace = false
                }
            } else if (0x300...0x36F).contains(v) {
                continue
            } else if let folded = foldTable[v] {
                out.append(contentsOf: folded.unicodeScalars); lastWasSpace = false
            } else {
                return slowFold(text)
            }
        }
        if let last = out.last, last == " " { out.removeLast() }
        return String(out)
    }

    /// Each precomposed Latin letter (Latin-1, Latin Extended-A/B, Latin Extended Additional: every Vietnamese
    /// letter) folded by the slow path, once.
    static let foldTable: [UInt32: String] = {
        var t: [UInt32: String] = [:]
        for range in [0xC0...0x24F, 0x1E00...0x1EFF] {
            for v in range {
                guard let u = Unicode.Scalar(UInt32(v)), u.properties.isAlphabetic else { continue }
                let f = slowFold(String(u))
                if f.unicodeScalars.allSatisfy({ $0.isASCII }) && !f.isEmpty { t[UInt32(v)] = f }
            }
        }
        t[0x2019] = "'"; t[0x2018] = "'"; t[0x02BC] = "'"
        return t
    }()

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
