import Foundation
import GiamNgheoCore
import GiamNgheoReports
import Testing
import ZIPFoundation

/// CSV and xlsx as Excel reads them (openpyxl reads the same files in the browser suite).
@Suite struct SpreadsheetTests {
    @Test func csvQuotesWhatNeedsItAndNeverStartsAFormula() {
        #expect(CSVWriter.line([.text("Nguyễn Văn A"), .number(3), .date(CivilDate(year: 2026, month: 9, day: 2)!), .empty]) == "Nguyễn Văn A,3,02/09/2026,\r\n")
        #expect(CSVWriter.line([.text("a,b"), .text("say \"hi\""), .text("line\nbreak")]) == "\"a,b\",\"say \"\"hi\"\"\",\"line\nbreak\"\r\n")
        #expect(CSVWriter.line([.text("=HYPERLINK(\"x\")"), .text("-1"), .number(-1)]) == "\"'=HYPERLINK(\"\"x\"\")\",'-1,-1\r\n")
        #expect(CSVWriter.byteOrderMark.utf8.elementsEqual([0xEF, 0xBB, 0xBF]))
    }

    @Test func xlsxHasEveryPartAndTheCellsAsWritten() throws {
        let w = try XLSXWriter()
        try w.startSheet("Hộ gia đình", header: ["Mã hộ", "Chủ hộ", "Số nhân khẩu", "Ngày"], widths: [14, 28, 8, 12])
        for i in 0..<5_000 {
            try w.append([.text("19753-\(i)"), .text("Đặng Thị <Ánh> & \u{1}Đào"), .number(i), .date(CivilDate(year: 2026, month: 1, day: 1)!)])
        }
        try w.startSheet("Nhân khẩu", header: ["Mã hộ", "Họ và tên"])
        try w.append([.text("19753-0"), .empty, .text("x")])
        #expect(throws: SpreadsheetError.self) { try w.startSheet("Nhân khẩu", header: []) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("t-\(UUID()).xlsx")
        defer { try? FileManager.default.removeItem(at: url) }
        try w.finish(to: url)
        let archive = try Archive(url: url, accessMode: .read)
        let names = Set(archive.map(\.path))
        #expect(names == ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
                          "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"])
        var sheet = Data()
        _ = try archive.extract(archive["xl/worksheets/sheet1.xml"]!) { sheet.append($0) }
        let xml = String(decoding: sheet, as: UTF8.self)
        #expect(xml.contains(#"<c r="B5001" t="inlineStr"><is><t xml:space="preserve">Đặng Thị &lt;Ánh&gt; &amp; Đào</t></is></c>"#))
        #expect(xml.contains(#"<c r="C5001"><v>4999</v></c>"#) && xml.contains(#"<c r="D2" s="2"><v>46023</v></c>"#))
        // Deflated: far smaller than the sheet itself.
        let size = try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int)
        #expect(size < sheet.count / 5)
        var book = Data()
        _ = try archive.extract(archive["xl/workbook.xml"]!) { book.append($0) }
        #expect(String(decoding: book, as: UTF8.self).contains(#"<sheet name="Nhân khẩu" sheetId="2" r:id="rId2"/>"#))
    }
}
