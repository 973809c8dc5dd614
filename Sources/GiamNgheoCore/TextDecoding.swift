import Foundation

/// Text files as communes send them: UTF-8 (with or without its byte-order mark), UTF-16 (Excel's "Unicode
/// text", with a BOM, or without one when every other byte is zero), or, when the bytes are not valid UTF-8,
/// Windows-1258 (Vietnamese Windows before Unicode: tone marks are separate combining characters, composed
/// here). The result is always NFC, so "Nguyễn" typed either way compares equal.
public enum TextDecoding {
    public enum Encoding: String, Sendable {
        case utf8, utf16LE, utf16BE, windows1258
        public var label: String {
            switch self { case .utf8: "UTF-8"; case .utf16LE: "UTF-16 (LE)"; case .utf16BE: "UTF-16 (BE)"; case .windows1258: "Windows-1258" }
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
        var scalars = String.UnicodeScalarView()
        for byte in data {
            let value = byte < 0x80 ? UInt32(byte) : UInt32(windows1258[Int(byte) - 0x80])
            scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
        }
        return (String(scalars).precomposedStringWithCanonicalMapping, .windows1258)
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
}
