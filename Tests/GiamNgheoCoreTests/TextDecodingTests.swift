import Foundation
import GiamNgheoCore
import Testing

/// CSV files in the encodings communes send: each decodes to the same NFC text.
@Suite struct TextDecodingTests {
    let text = "Mã hộ,Họ và tên\r\n19753-000001,Nguyễn Thị Ánh Đào\r\n"

    func hex(_ s: String) -> Data {
        var d = Data(), chars = Array(s)
        for i in stride(from: 0, to: chars.count, by: 2) { d.append(UInt8(String(chars[i...i + 1]), radix: 16)!) }
        return d
    }

    @Test func everyEncodingGivesTheSameText() {
        #expect(TextDecoding.decode(Data(text.utf8)) == (text, .utf8))
        #expect(TextDecoding.decode(Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)) == (text, .utf8))
        // Decomposed UTF-8 (as some Mac tools write it) comes out composed.
        #expect(TextDecoding.decode(Data(text.decomposedStringWithCanonicalMapping.utf8)).text == text)
        var le = Data([0xFF, 0xFE]), be = Data([0xFE, 0xFF]), bare = Data()
        for u in text.utf16 {
            le.append(contentsOf: [UInt8(u & 0xFF), UInt8(u >> 8)]); be.append(contentsOf: [UInt8(u >> 8), UInt8(u & 0xFF)])
            bare.append(contentsOf: [UInt8(u & 0xFF), UInt8(u >> 8)])
        }
        #expect(TextDecoding.decode(le) == (text, .utf16LE))
        #expect(TextDecoding.decode(be) == (text, .utf16BE))
        #expect(TextDecoding.decode(bare) == (text, .utf16LE))
        // Windows-1258 bytes (made with Python's cp1258 codec, tone marks as combining characters).
        let cp1258 = hex("4d61de2068f4f22c486ff22076e02074ea6e0d0a31393735332d3030303030312c4e677579eade6e20546869f220c16e6820d0e06f0d0a")
        #expect(TextDecoding.decode(cp1258) == (text, .windows1258))
    }
}
