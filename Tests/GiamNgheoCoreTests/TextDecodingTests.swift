import Foundation
@testable import GiamNgheoCore
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
        // TCVN3 (ABC fonts), bytes made with glibc's iconv -t TCVN5712-1: "ã" is 0xB7, "Đ" 0xA7, "à" 0xB5.
        let tcvn3 = hex("4db72068e92c48e42076b52074aa6e0d0a31393735332d3030303030312c4e677579d46e205468de20836e6820a7b56f0d0a")
        #expect(TextDecoding.decode(tcvn3) == (text, .tcvn3))
    }

    /// Windows-1258 never writes the bytes that make a file TCVN3, and TCVN3 text is full of them.
    @Test func tcvn3AndWindows1258AreToldApart() {
        let names = ["Nguyễn Văn Đức", "Trần Thị Ánh", "Lê Hoàng Bảo", "Phạm Minh Đạt", "Hà Thị Mười", "Thôn Đông", "Tổ dân phố 3"]
        for name in names {
            let cp1258 = Data(name.decomposedStringWithCanonicalMapping.unicodeScalars.map { s -> UInt8 in
                if s.value < 0x80 { return UInt8(s.value) }
                if let i = TextDecoding.windows1258.firstIndex(of: UInt16(s.value)) { return UInt8(0x80 + i) }
                return 0x3F
            })
            #expect(TextDecoding.looksLikeTCVN3(cp1258) == false, "\(name)")
        }
        // "Đạt", "Văn", "Hà": a TCVN3 line of names is recognised.
        #expect(TextDecoding.looksLikeTCVN3(Data([0xA7, 0xB9, 0x74, 0x20, 0x56, 0xA8, 0x6E, 0x20, 0x48, 0xB5])))
        #expect(!TextDecoding.looksLikeTCVN3(Data("ascii only".utf8)))
    }
}
