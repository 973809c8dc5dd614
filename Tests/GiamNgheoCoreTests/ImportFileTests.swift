import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoReports
import Testing
import ZIPFoundation

/// Files as they arrive: xlsx from other programs, CSV in old encodings, and the bad ones (empty, .xls, zip
/// bombs, a sea of empty rows), each read or refused with a message.
@Suite struct ImportFileTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func temp(_ name: String, _ data: Data) -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        FileManager.default.createFile(atPath: url.path, contents: data)
        return url
    }

    static func households(_ sheets: ImportSheets, defaultCommune: String? = nil) throws -> (start: [ImportIssue], items: [ImportedHousehold], end: [ImportIssue]) {
        let options = ImportPipeline.Options(columns: BundledData.importColumns, parser: BundledData.parser(), values: BundledData.importValues,
                                             today: refDate, defaultCommune: defaultCommune)
        var p = ImportPipeline(options: options, householdSheet: sheets.householdSheet, households: sheets.households,
                               memberSheet: sheets.memberSheet, members: sheets.members)
        let start = try p.start()
        var items: [ImportedHousehold] = []
        while let h = try p.next() { items.append(h) }
        return (sheets.notes + start, items, try p.finish())
    }

    @Test func aCommunesOwnWorkbookFromOpenpyxl() throws {
        let sheets = try ImportFile.open(households: Self.fixtures.appendingPathComponent("commune-messy.xlsx"))
        #expect(sheets.householdSheet == "DS hộ gia đình" && sheets.memberSheet == "Nhân khẩu")
        let (start, items, end) = try Self.households(sheets)
        #expect(start.filter(\.blocking).isEmpty && end.isEmpty)
        #expect(start.contains { $0.message.contains("vùng ô gộp") } && start.contains { $0.message.contains("ô công thức chưa có giá trị") })
        #expect(items.map { $0.household?.code } == ["H01", "H02", "H03"])
        let h1 = try #require(items[0].household), h2 = try #require(items[1].household)
        #expect(h1.incomePerCapita == 1_500_000 && h1.members.count == 2 && h1.members[0].birthDate == CivilDate(year: 1979, month: 9, day: 2))
        // The merged village cell reaches the second row; a formula without a value is an empty cell.
        #expect(h2.village == "Thôn 1" && h2.incomePerCapita == nil)
        #expect(h2.members[0].birthYear == 1975 && h2.members[0].sex == "male")
        // Progress reaches the end.
        #expect(sheets.householdFraction() == 1)
    }

    /// An import's progress is how far through the households it is: reading the whole members file first (a web
    /// upload) leaves it at the start, where the bytes of both files said 80 %.
    @Test func progressCountsTheHouseholdsNotTheMembersReadAhead() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("progress-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let hf = dir.appendingPathComponent("ho.csv"), mf = dir.appendingPathComponent("nk.csv")
        // Over 1 MB each, so that the households file is read in more than one piece.
        let households = "code,commune\n" + (1...60_000).map { "H\($0),19789\n" }.joined()
        let members = "householdCode,name\n" + (1...60_000).flatMap { i in (1...4).map { "H\(i),Nguyễn Văn \($0)\n" } }.joined()
        try Data(households.utf8).write(to: hf); try Data(members.utf8).write(to: mf)
        let sheets = try ImportFile.open(households: hf, members: mf)
        while try sheets.members?() != nil {}
        _ = try sheets.households()
        // The bytes of both files read by now: 6.1 of 6.8 MB, the 89 % the bar showed.
        #expect(sheets.householdFraction() < 0.5)
        while try sheets.households() != nil {}
        #expect(sheets.householdFraction() == 1)
    }

    @Test func ourOwnTemplateShapeReadsBack() throws {
        let x = try XLSXWriter()
        let h = try x.startSheet("Hộ gia đình", header: ["Mã hộ (*)", "Mã xã/phường (*)", "Thôn/tổ dân phố (*)"])
        try x.append([.text("Hướng dẫn: mã"), .text("Hướng dẫn: xã"), .text("Hướng dẫn: thôn")], to: h)
        try x.append([.text("H01"), .text("19753"), .text("Thôn 1")], to: h)
        let m = try x.startSheet("Nhân khẩu", header: ["Mã hộ (*)", "Họ và tên (*)", "Quan hệ với chủ hộ (*)", "Ngày sinh"])
        try x.append([.text("H01"), .text("Nguyễn Thị Hoa"), .text("Chủ hộ"), .date(CivilDate(year: 1979, month: 9, day: 2)!)], to: m)
        let url = Self.temp("mau.xlsx", Data())
        try x.finish(to: url)
        let (start, items, _) = try Self.households(try ImportFile.open(households: url))
        #expect(start.filter(\.blocking).isEmpty && items.count == 1 && items[0].household?.members.first?.birthDate == CivilDate(year: 1979, month: 9, day: 2))
    }

    @Test func csvInUTF16AndWindows1258() throws {
        let text = "Mã hộ,Mã xã,Thôn,Số nhân khẩu\r\nH01,19753,Thôn Đông,3\r\n"
        var utf16 = Data([0xFF, 0xFE]); utf16.append(text.data(using: .utf16LittleEndian)!)
        let (n16, items16, _) = try Self.households(try ImportFile.open(households: Self.temp("utf16.csv", utf16)))
        #expect(items16.first?.household?.village == "Thôn Đông" && n16.contains { $0.message.contains("UTF-16") && !$0.blocking })
        // "Thôn Đông" in Windows-1258 (ô = 0xF4, Đ = 0xD0) under the interchange headers.
        var cp = Data("code,commune,village,size\r\nH01,19753,Th".utf8)
        cp.append(contentsOf: [0xF4] + Array("n ".utf8) + [0xD0, 0xF4] + Array("ng,3\r\n".utf8))
        let (n1258, items1258, _) = try Self.households(try ImportFile.open(households: Self.temp("cp1258.csv", cp)))
        #expect(n1258.contains { $0.message.contains("Windows-1258") })
        #expect(items1258.first?.household?.village == "Thôn Đông" && items1258.first?.household?.size == 3)
        // The same row typed with an ABC (.VnTime) font: TCVN3 bytes (glibc iconv -t TCVN5712-1).
        // Village "Thôn Đông Hải Văn": ô 0xAB, Đ 0xA7, ả 0xB6, ă 0xA8.
        var tcvn = Data("code,commune,village,size\r\nH01,19753,Th".utf8)
        tcvn.append(contentsOf: [0xAB] + Array("n ".utf8) + [0xA7, 0xAB] + Array("ng H".utf8) + [0xB6] + Array("i V".utf8) + [0xA8]
                    + Array("n,3\r\n".utf8))
        let (nTCVN, itemsTCVN, _) = try Self.households(try ImportFile.open(households: Self.temp("tcvn3.csv", tcvn)))
        #expect(nTCVN.contains { $0.message.contains("TCVN3") && !$0.blocking })
        #expect(itemsTCVN.first?.household?.village == "Thôn Đông Hải Văn" && itemsTCVN.first?.household?.size == 3)
    }

    @Test func badFilesAreRefusedWithAMessage() throws {
        func refusal(_ url: URL, maxEntry: UInt64 = 512 << 20) -> String {
            do { _ = try ImportFile.open(households: url, maxEntryBytes: maxEntry); return "" } catch { return "\(error)" }
        }
        #expect(refusal(Self.temp("rong.csv", Data())).contains("trống (0 byte)"))
        #expect(refusal(Self.temp("cu.xls", Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]))).contains("Excel 97–2003"))
        #expect(refusal(Self.temp("hong.xlsx", Data([0x50, 0x4B, 0x03, 0x04, 1, 2, 3, 4, 5]))).contains("không phải là sổ tính Excel"))
        // A zip bomb in an xlsx's clothes: a sheet of 64 MB of spaces that inflates past the cap.
        let bomb = Self.temp("bom.xlsx", Data())
        try? FileManager.default.removeItem(at: bomb)
        let archive = try Archive(url: bomb, accessMode: .create)
        let workbook = Data(#"<workbook xmlns:r="r"><sheets><sheet name="Hộ gia đình" r:id="rId1"/></sheets></workbook>"#.utf8)
        let rels = Data(#"<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="x/worksheet"/></Relationships>"#.utf8)
        for (path, data) in [("xl/workbook.xml", workbook), ("xl/_rels/workbook.xml.rels", rels)] {
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { pos, size in
                data.subdata(in: Int(pos)..<Int(pos) + size)
            }
        }
        let size: Int64 = 64 << 20
        try archive.addEntry(with: "xl/worksheets/sheet1.xml", type: .file, uncompressedSize: size, compressionMethod: .deflate) { _, n in
            Data(repeating: 0x20, count: n)
        }
        #expect(try Data(contentsOf: bomb).count < 1 << 20)
        let message = refusal(bomb, maxEntry: 8 << 20)
        #expect(message.contains("quá lớn khi giải nén"), "\(message)")
    }

    @Test func aHundredThousandEmptyRowsAtTheEndAreSkipped() throws {
        var text = "Mã hộ,Mã xã,Thôn,Số nhân khẩu\nH01,19753,Thôn 1,2\n"
        text += String(repeating: ",,,\n", count: 100_000)
        let (start, items, end) = try Self.households(try ImportFile.open(households: Self.temp("dai.csv", Data(text.utf8))))
        #expect(start.filter(\.blocking).isEmpty && items.count == 1 && end.isEmpty)
    }

    @Test func aLargeCSVMustBeUTF8() throws {
        let bytes = Data("Mã hộ,Thôn\n".utf8) + Data([0xD0, 0xF4, 0x0A])
        let url = Self.temp("lon.csv", bytes)
        #expect(throws: (any Error).self) { _ = try ImportFile.open(households: url, wholeDecodeLimit: 4) }
        // Streamed when UTF-8: same rows as whole.
        let utf8 = Self.temp("lon8.csv", Data("Mã hộ,Mã xã,Thôn,Số nhân khẩu\nH01,19753,Thôn Đông,2\n".utf8))
        let (_, items, _) = try Self.households(try ImportFile.open(households: utf8, wholeDecodeLimit: 4))
        #expect(items.first?.household?.village == "Thôn Đông")
    }
}

/// Fuzzing for a fixed time: corrupted workbooks (bytes flipped anywhere in a real xlsx) and well-formed zips
/// with random sheet XML. Every run ends in rows or a SpreadsheetError, never a crash or a hang.
@Suite struct SpreadsheetFuzzTests {
    static let seconds = Double(ProcessInfo.processInfo.environment["GIAMNGHEO_FUZZ_SECONDS"] ?? "") ?? 6

    @Test func corruptedWorkbooksNeverCrash() throws {
        let original = try Data(contentsOf: ImportFileTests.fixtures.appendingPathComponent("commune-messy.xlsx"))
        var rng = SplitMix(seed: 42)
        let end = Date().addingTimeInterval(Self.seconds)
        var runs = 0, read = 0
        while Date() < end {
            var bytes = [UInt8](original)
            for _ in 0..<(1 + Int(rng.next() % 8)) { bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            let url = ImportFileTests.temp("fuzz.xlsx", Data(bytes))
            if let sheets = try? ImportFile.open(households: url, maxEntryBytes: 4 << 20) {
                _ = try? ImportFileTests.households(sheets)
                read += 1
            }
            try? FileManager.default.removeItem(at: url.deletingLastPathComponent())
            runs += 1
        }
        #expect(runs > 20, "\(runs) runs, \(read) read")
    }

    @Test func randomSheetXMLNeverCrashes() throws {
        var rng = SplitMix(seed: 43)
        let pieces = ["<row r=\"2\">", "</row>", "<c r=\"A1\" t=\"s\"><v>0</v></c>", "<c r=\"B2\" t=\"inlineStr\"><is><t>Đ</t></is></c>", "<c t=\"e\"><v>#N/A</v></c>",
                      "<c r=\"ZZZZZZ9\" s=\"1\"><v>1e308</v></c>", "<c r=\"A\"><f>1/0</f></c>", "<mergeCell ref=\"A1:XFD1048576\"/>", "<mergeCell ref=\"B\"/>",
                      "<c r=\"A3\" t=\"b\"><v>1</v></c>", "<row r=\"-5\">", "<row r=\"99999999999\">", "&amp;", "<![CDATA[x]]>", "<c r=\"A4\" t=\"s\"><v>999</v></c>", "<v>", "</c>"]
        let end = Date().addingTimeInterval(Self.seconds)
        var runs = 0
        while Date() < end {
            var sheet = "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Mã hộ</t></is></c></row>"
            for _ in 0..<Int(rng.next() % 30) { sheet += pieces[Int(rng.next() % UInt64(pieces.count))] }
            if rng.next() % 2 == 0 { sheet += "</sheetData><mergeCells>" + pieces[7] + "</mergeCells></worksheet>" }
            let url = ImportFileTests.temp("x.xlsx", Data())
            try? FileManager.default.removeItem(at: url)
            let archive = try Archive(url: url, accessMode: .create)
            let parts: [(String, String)] = [
                ("xl/workbook.xml", #"<workbook xmlns:r="r"><sheets><sheet name="Hộ gia đình" r:id="rId1"/></sheets></workbook>"#),
                ("xl/_rels/workbook.xml.rels", #"<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="x/worksheet"/></Relationships>"#),
                ("xl/sharedStrings.xml", #"<sst><si><t>Mã hộ</t></si></sst>"#),
                ("xl/worksheets/sheet1.xml", sheet)]
            for (path, text) in parts {
                let data = Data(text.utf8)
                try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { pos, n in
                    data.subdata(in: Int(pos)..<Int(pos) + n)
                }
            }
            if let sheets = try? ImportFile.open(households: url) { _ = try? ImportFileTests.households(sheets) }
            try? FileManager.default.removeItem(at: url.deletingLastPathComponent())
            runs += 1
        }
        #expect(runs > 20)
    }
}
