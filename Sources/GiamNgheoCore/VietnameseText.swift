import Foundation

/// Accent-insensitive matching for Vietnamese. `đ`/`Đ` is a separate letter, not `d` with a mark,
/// so Unicode decomposition alone leaves it: it has to be mapped by hand.
public enum VietnameseText {
    /// Lower-case, strip tone and vowel marks, map đ → d, unify apostrophes, collapse spaces.
    /// "Đặng Thị Hoà" and "dang thi hoa" fold to the same key.
    public static func fold(_ text: String) -> String {
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
