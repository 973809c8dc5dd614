import Foundation
import GiamNgheoCore
import GiamNgheoReports
import Testing
import ZIPFoundation

/// The xlsx reader on files from other programs (fixtures) and on our own writer's output.
@Suite struct XLSXReaderTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    func read(_ reader: XLSXReader, _ sheet: String) throws -> (rows: [Int: [Int: ReadCell]], content: XLSXReader.SheetContent) {
        var rows: [Int: [Int: ReadCell]] = [:]
        let content = try reader.rows(sheet: sheet) { r, cells in
            var byColumn: [Int: ReadCell] = [:]
            for c in cells { byColumn[c.column] = c }
            rows[r] = byColumn
        }
        return (rows, content)
    }

    func d(_ y: Int, _ m: Int, _ day: Int) -> CivilDate { CivilDate(year: y, month: m, day: day)! }

    @Test func excelSharedStringsDatesFormulasAndMergedCells() throws {
        let reader = try XLSXReader(url: Self.fixtures.appendingPathComponent("excel-shared-strings.xlsx"))
        // The workbook's order, whatever the file names.
        #expect(reader.sheetNames == ["Danh sách hộ", "Nhân khẩu"])
        let (rows, content) = try read(reader, "Danh sách hộ")
        #expect(rows[1]?[0]?.value == .text("Mã hộ") && rows[1]?[3]?.value == .text("Thu nhập"))
        #expect(rows[2]?[1]?.value == .text("Đặng Thị Ánh"))                 // rich-text runs joined
        #expect(rows[2]?[2]?.value == .date(d(1979, 9, 2)))                  // built-in format 14
        #expect(rows[2]?[3]?.value == .number("1500000"))                    // a currency format is not a date
        #expect(rows[2]?[4]?.value == .bool(true))
        #expect(rows[3]?[0] == ReadCell(column: 0, value: .text("19753-000002"), formula: true))
        #expect(rows[3]?[2]?.value == .date(d(1985, 1, 31)))                 // custom dd/mm/yyyy;@
        #expect(rows[3]?[3] == ReadCell(column: 3, value: .number("2250000"), formula: true))
        #expect(rows[3]?[4]?.value == .error("#N/A"))
        #expect(rows[3]?[5]?.value == .text(" a & b "))                      // spaces kept
        #expect(rows[4] == nil && rows[5]?[1]?.value == .number("1.5E+3"))
        #expect(content.merged == ["A5:B5"])
        #expect(throws: SpreadsheetError.self) { try reader.rows(sheet: "Sheet1") { _, _ in } }
    }

    @Test func openpyxlInlineStringsAndCustomDateFormats() throws {
        let reader = try XLSXReader(url: Self.fixtures.appendingPathComponent("openpyxl.xlsx"))
        #expect(reader.sheetNames == ["Hộ gia đình", "Nhân khẩu"])
        let (rows, content) = try read(reader, "Hộ gia đình")
        #expect(rows[2]?[2]?.value == .date(d(1979, 9, 2)) && rows[3]?[2]?.value == .date(d(1985, 1, 31)))
        #expect(rows[2]?[5]?.value == .text("a & b <c>") && rows[3]?[3]?.value == .number("2250000.5"))
        #expect(rows[4]?[2]?.value == .number("1990"))                       // a bare birth year stays a number
        #expect(rows[4]?[3] == nil)                                          // a formula never computed has no value
        #expect(rows[4]?[5]?.value == .text("  giữ khoảng trắng  "))
        #expect(rows[5]?[5]?.value == .text("Đậm thường"))
        #expect(content.merged == ["A6:B6"])
        let members = try read(reader, "Nhân khẩu").rows
        #expect(members[10]?[3]?.value == .number("42"))
    }

    @Test func ourOwnFilesRoundTrip() throws {
        let w = try XLSXWriter()
        let a = try w.startSheet("Hộ", header: ["Mã", "Tên", "Số", "Ngày"])
        let b = try w.startSheet("Nhân khẩu", header: ["Mã"])
        let names = ["Đặng Thị <Ánh> & \"Đào\"", " khoảng trắng ", "Hồ Văn Tèo"]
        for (i, n) in names.enumerated() {
            try w.append([.text("H\(i)"), .text(n), .number(i * 1_000_000), .date(d(2000 + i, 2, 29 - i))], to: a)
            try w.append([.text("H\(i)")], to: b)
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rt-\(UUID()).xlsx")
        defer { try? FileManager.default.removeItem(at: url) }
        try w.finish(to: url)
        let reader = try XLSXReader(url: url)
        #expect(reader.sheetNames == ["Hộ", "Nhân khẩu"])
        let rows = try read(reader, "Hộ").rows
        for (i, n) in names.enumerated() {
            #expect(rows[i + 2]?[1]?.value == .text(n) && rows[i + 2]?[2]?.value == .number(String(i * 1_000_000)))
            #expect(rows[i + 2]?[3]?.value == .date(d(2000 + i, 2, 29 - i)))
        }
        #expect(try read(reader, "Nhân khẩu").rows.count == 4)
    }

    @Test func notAWorkbookAndAnInflatedBombAreRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = dir.appendingPathComponent("a.xlsx")
        try Data("Mã hộ,Tên\n".utf8).write(to: text)
        #expect(throws: SpreadsheetError.self) { try XLSXReader(url: text) }
        // A sheet of 64 MB of zeros, deflated to a few kB: refused above the limit given, before it is parsed.
        let w = try XLSXWriter()
        try w.startSheet("S", header: ["x"])
        try w.append([.text(String(repeating: "0", count: 1 << 20))])
        let bomb = dir.appendingPathComponent("b.xlsx")
        try w.finish(to: bomb)
        let reader = try XLSXReader(url: bomb, maxEntryBytes: 1 << 19)
        #expect(throws: SpreadsheetError.self) { try reader.rows(sheet: "S") { _, _ in } }
        #expect(try XLSXReader(url: bomb).rows(sheet: "S") { _, _ in }.rows == 2)
    }
}
