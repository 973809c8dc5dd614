import Foundation

/// Text files as communes send them: UTF-8 (with or without its byte-order mark), UTF-16 (Excel's "Unicode
/// text", with a BOM, or without one when every other byte is zero), or, when the bytes are not valid UTF-8,
/// Windows-1258 (Vietnamese Windows before Unicode: tone marks are separate combining characters, composed
/// here) or TCVN3 (TCVN 5712:1993, the ".VnTime" ABC fonts many commune files were typed in). The two are told
/// apart by TCVN3's commonest letters (ă â ê ô ơ ư đ à ả ã á ạ ằ ẳ ẵ ắ at 0xA1–0xBE), which are symbols nobody
/// types in Windows-1258 (¡ ¢ … µ ¶ · ¸). The result is always NFC, so "Nguyễn" typed either way compares equal.
public enum TextDecoding {
    public enum Encoding: String, Sendable {
        case utf8, utf16LE, utf16BE, windows1258, tcvn3
        public var label: String {
            switch self {
            case .utf8: "UTF-8"; case .utf16LE: "UTF-16 (LE)"; case .utf16BE: "UTF-16 (BE)"; case .windows1258: "Windows-1258"
            case .tcvn3: "TCVN3 (ABC)"
            }
        }
    }

    public static func decode(_ data: Data) -> (text: String, encoding: Encoding) {
        let b = [UInt8](data.prefix(4))
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { return (String(decoding: data.dropFirst(3), as: UTF8.self).precomposedStringWithCanonicalMapping, .utf8) }
        if b.starts(with: [0xFF, 0xFE]) { return (utf16(data.dropFirst(2), littleEndian: true), .utf16LE) }
        if b.starts(with: [0xFE, 0xFF]) { return (utf16(data.dropFirst(2), littleEndian: false), .utf16BE) }
        // UTF-16 without a BOM: ASCII-heavy text has a zero in every other byte.
        let head = [UInt8](data.prefix(400))
        if head.count >= 4 {
            let even = stride(from: 0, to: head.count, by: 2).filter { head[$0] == 0 }.count
            let odd = stride(from: 1, to: head.count, by: 2).filter { head[$0] == 0 }.count
            let half = head.count / 2
            if odd * 10 >= half * 8 && even == 0 { return (utf16(data, littleEndian: true), .utf16LE) }
            if even * 10 >= half * 8 && odd == 0 { return (utf16(data, littleEndian: false), .utf16BE) }
        }
        if let s = String(validating: data, as: UTF8.self) { return (s.precomposedStringWithCanonicalMapping, .utf8) }
        let encoding = looksLikeTCVN3(data) ? Encoding.tcvn3 : .windows1258
        let table = encoding == .tcvn3 ? tcvn3 : windows1258
        var scalars = String.UnicodeScalarView()
        for byte in data {
            let value = byte < 0x80 ? UInt32(byte) : UInt32(table[Int(byte) - 0x80])
            scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
        }
        return (String(scalars).precomposedStringWithCanonicalMapping, encoding)
    }

    /// At least 15 % of the bytes above 0x7F are TCVN3's common lowercase letters (see the type's comment).
    static func looksLikeTCVN3(_ data: Data) -> Bool {
        var high = 0, letters = 0
        for byte in data where byte >= 0x80 {
            high += 1
            if (0xA1...0xAE).contains(byte) || (0xB5...0xB9).contains(byte) || (0xBB...0xBE).contains(byte) { letters += 1 }
        }
        return letters > 0 && letters * 100 >= high * 15
    }

    static func utf16(_ data: Data, littleEndian: Bool) -> String {
        var units: [UInt16] = []
        units.reserveCapacity(data.count / 2)
        var i = data.startIndex
        while i + 1 < data.endIndex {
            let a = UInt16(data[i]), b = UInt16(data[i + 1])
            units.append(littleEndian ? a | b << 8 : a << 8 | b)
            i += 2
        }
        return String(decoding: units, as: UTF16.self).precomposedStringWithCanonicalMapping
    }

    /// Bytes 0x80–0xFF of Windows-1258 (undefined ones as U+FFFD), as Python's cp1258 codec gives them.
    static let windows1258: [UInt16] = [0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0xFFFD, 0x2039, 0x0152, 0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0xFFFD, 0x203A, 0x0153, 0xFFFD, 0xFFFD, 0x0178, 0x00A0, 0x00A1, 0x00A2, 0x00A3, 0x00A4, 0x00A5, 0x00A6, 0x00A7, 0x00A8, 0x00A9, 0x00AA, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x00AF, 0x00B0, 0x00B1, 0x00B2, 0x00B3, 0x00B4, 0x00B5, 0x00B6, 0x00B7, 0x00B8, 0x00B9, 0x00BA, 0x00BB, 0x00BC, 0x00BD, 0x00BE, 0x00BF, 0x00C0, 0x00C1, 0x00C2, 0x0102, 0x00C4, 0x00C5, 0x00C6, 0x00C7, 0x00C8, 0x00C9, 0x00CA, 0x00CB, 0x0300, 0x00CD, 0x00CE, 0x00CF, 0x0110, 0x00D1, 0x0309, 0x00D3, 0x00D4, 0x01A0, 0x00D6, 0x00D7, 0x00D8, 0x00D9, 0x00DA, 0x00DB, 0x00DC, 0x01AF, 0x0303, 0x00DF, 0x00E0, 0x00E1, 0x00E2, 0x0103, 0x00E4, 0x00E5, 0x00E6, 0x00E7, 0x00E8, 0x00E9, 0x00EA, 0x00EB, 0x0301, 0x00ED, 0x00EE, 0x00EF, 0x0111, 0x00F1, 0x0323, 0x00F3, 0x00F4, 0x01A1, 0x00F6, 0x00F7, 0x00F8, 0x00F9, 0x00FA, 0x00FB, 0x00FC, 0x01B0, 0x20AB, 0x00FF]

    /// Bytes 0x80–0xFF of TCVN 5712:1993 as glibc's iconv ("TCVN5712-1") gives them: ABC (VN3) files use
    /// 0xA1–0xFF; the capitals at 0x80–0x9F and in the gaps are VN1's and harmless to decode.
    static let tcvn3: [UInt16] = [0x00C0, 0x1EA2, 0x00C3, 0x00C1, 0x1EA0, 0x1EB6, 0x1EAC, 0x00C8, 0x1EBA, 0x1EBC, 0x00C9, 0x1EB8, 0x1EC6, 0x00CC, 0x1EC8, 0x0128, 0x00CD, 0x1ECA, 0x00D2, 0x1ECE, 0x00D5, 0x00D3, 0x1ECC, 0x1ED8, 0x1EDC, 0x1EDE, 0x1EE0, 0x1EDA, 0x1EE2, 0x00D9, 0x1EE6, 0x0168, 0x00A0, 0x0102, 0x00C2, 0x00CA, 0x00D4, 0x01A0, 0x01AF, 0x0110, 0x0103, 0x00E2, 0x00EA, 0x00F4, 0x01A1, 0x01B0, 0x0111, 0x1EB0, 0x0300, 0x0309, 0x0303, 0x0301, 0x0323, 0x00E0, 0x1EA3, 0x00E3, 0x00E1, 0x1EA1, 0x1EB2, 0x1EB1, 0x1EB3, 0x1EB5, 0x1EAF, 0x1EB4, 0x1EAE, 0x1EA6, 0x1EA8, 0x1EAA, 0x1EA4, 0x1EC0, 0x1EB7, 0x1EA7, 0x1EA9, 0x1EAB, 0x1EA5, 0x1EAD, 0x00E8, 0x1EC2, 0x1EBB, 0x1EBD, 0x00E9, 0x1EB9, 0x1EC1, 0x1EC3, 0x1EC5, 0x1EBF, 0x1EC7, 0x00EC, 0x1EC9, 0x1EC4, 0x1EBE, 0x1ED2, 0x0129, 0x00ED, 0x1ECB, 0x00F2, 0x1ED4, 0x1ECF, 0x00F5, 0x00F3, 0x1ECD, 0x1ED3, 0x1ED5, 0x1ED7, 0x1ED1, 0x1ED9, 0x1EDD, 0x1EDF, 0x1EE1, 0x1EDB, 0x1EE3, 0x00F9, 0x1ED6, 0x1EE7, 0x0169, 0x00FA, 0x1EE5, 0x1EEB, 0x1EED, 0x1EEF, 0x1EE9, 0x1EF1, 0x1EF3, 0x1EF7, 0x1EF9, 0x00FD, 0x1EF5, 0x1ED0]
}
