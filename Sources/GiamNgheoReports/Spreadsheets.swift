import Foundation
import GiamNgheoCore
import ZIPFoundation

/// One cell of an exported row. Numbers stay numbers and dates are Excel dates, so that a spreadsheet
/// sums and sorts them; text is always text (never a formula).
public enum Cell: Sendable, Equatable {
    case text(String)
    case number(Int)
    /// A fraction (a rate in per cent), written with a '.' as CSV and as a number in xlsx.
    case decimal(Double)
    case date(CivilDate)
    case empty

    /// The cell as CSV text: dates as dd/mm/yyyy, as officials type them.
    public var csv: String {
        switch self {
        case .text(let s): return s
        case .number(let n): return String(n)
        case .decimal(let d): return String(format: "%.2f", d)
        case .date(let d): return d.vietnamese
        case .empty: return ""
        }
    }
}

/// CSV for Excel: UTF-8 with a byte-order mark (without it Excel reads Vietnamese as Windows-1252), CRLF
/// line ends, quoting where needed, and text that would start a formula (=, +, -, @) prefixed with ' so a
/// spreadsheet shows it instead of running it.
public enum CSVWriter {
    public static let byteOrderMark = "\u{FEFF}"

    public static func line(_ cells: [Cell]) -> String {
        cells.map { cell -> String in
            var s = cell.csv
            if case .text = cell, let first = s.first, "=+-@".contains(first) { s = "'" + s }
            if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || s.hasPrefix(" ") || s.hasSuffix(" ") {
                s = "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return s
        }.joined(separator: ",") + "\r\n"
    }
}

public struct SpreadsheetError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ d: String) { description = d }
}

/// An xlsx written row by row: each sheet's XML goes to a temporary file as its rows arrive, and the
/// package is zipped (deflate) from those files at the end, so memory stays flat whatever the row count.
/// Cells are inline strings, numbers and dates (serial numbers with a date style); the first row of each
/// sheet is a bold, frozen header.
public final class XLSXWriter {
    /// Sheets stay open together, so rows can go to several (households and their members) in one pass.
    final class Sheet {
        let name: String, file: URL, handle: FileHandle, hidden: Bool
        var rows = 0, buffer = Data(), open = true
        /// Drop-down lists: (cell range, list formula such as 'Danh mục'!$A$2:$A$9).
        var lists: [(range: String, formula: String)] = []
        init(name: String, file: URL, handle: FileHandle, hidden: Bool) { self.name = name; self.file = file; self.handle = handle; self.hidden = hidden }
    }
    let directory: URL
    var sheets: [Sheet] = []

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("giamngheo-xlsx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Starts a sheet with its header row; `widths` are column widths in characters. Returns its index
    /// for `append(_:to:)`.
    @discardableResult
    public func startSheet(_ name: String, header: [String], widths: [Int] = [], hidden: Bool = false) throws -> Int {
        let clean = String(name.filter { !"[]:*?/\\".contains($0) }.prefix(31))
        guard !clean.isEmpty, !sheets.contains(where: { $0.name == clean }) else { throw SpreadsheetError("tên trang tính '\(name)' không hợp lệ hoặc trùng") }
        let file = directory.appendingPathComponent("sheet\(sheets.count + 1).xml")
        guard FileManager.default.createFile(atPath: file.path, contents: nil) else { throw SpreadsheetError("không tạo được tệp tạm \(file.path)") }
        let sheet = Sheet(name: clean, file: file, handle: try FileHandle(forWritingTo: file), hidden: hidden)
        sheets.append(sheet)
        var head = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#
        head += #"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#
        head += #"<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>"#
        if !widths.isEmpty {
            head += "<cols>" + widths.enumerated().map { #"<col min="\#($0 + 1)" max="\#($0 + 1)" width="\#($1)" customWidth="1"/>"# }.joined() + "</cols>"
        }
        head += "<sheetData>"
        sheet.buffer.append(contentsOf: head.utf8)
        try row(header.map { .text($0) }, style: 1, sheet)
        return sheets.count - 1
    }

    /// A drop-down list on `column` of sheet `index` from row `fromRow` down, its values the cells `rows` of
    /// column `sourceColumn` of sheet `source` (a list sheet, usually hidden).
    public func dropDown(sheet index: Int, column: Int, fromRow: Int, source: Int, sourceColumn: Int, rows: ClosedRange<Int>) throws {
        guard sheets.indices.contains(index), sheets.indices.contains(source) else { throw SpreadsheetError("trang tính không có") }
        let col = Self.column(column), from = Self.column(sourceColumn)
        let name = sheets[source].name.replacingOccurrences(of: "'", with: "''")
        sheets[index].lists.append(("\(col)\(fromRow):\(col)100000", "'\(name)'!$\(from)$\(rows.lowerBound):$\(from)$\(rows.upperBound)"))
    }

    /// A row for sheet `index` (the last started by default).
    public func append(_ cells: [Cell], to index: Int? = nil) throws {
        guard let sheet = index.map({ sheets.indices.contains($0) ? sheets[$0] : nil }) ?? sheets.last, sheet.open else {
            throw SpreadsheetError("chưa bắt đầu trang tính")
        }
        try row(cells, style: 0, sheet)
    }

    func row(_ cells: [Cell], style: Int, _ sheet: Sheet) throws {
        sheet.rows += 1
        let r = sheet.rows
        var xml = "<row r=\"\(r)\">"
        for (i, cell) in cells.enumerated() {
            let ref = Self.column(i) + String(r)
            let s = style > 0 ? " s=\"\(style)\"" : ""
            switch cell {
            case .text(let t): xml += "<c r=\"\(ref)\" t=\"inlineStr\"\(s)><is><t xml:space=\"preserve\">\(Self.escape(t))</t></is></c>"
            case .number(let n): xml += "<c r=\"\(ref)\"\(s)><v>\(n)</v></c>"
            case .decimal(let d): xml += d.isFinite ? "<c r=\"\(ref)\"\(s)><v>\(d)</v></c>" : ""
            case .date(let d): xml += "<c r=\"\(ref)\" s=\"2\"><v>\(d.dayNumber + 25_569)</v></c>"
            case .empty: continue
            }
        }
        xml += "</row>"
        sheet.buffer.append(contentsOf: xml.utf8)
        if sheet.buffer.count >= 1 << 16 { try flush(sheet) }
    }

    func flush(_ sheet: Sheet) throws {
        guard !sheet.buffer.isEmpty else { return }
        try sheet.handle.write(contentsOf: sheet.buffer)
        sheet.buffer.removeAll(keepingCapacity: true)
    }

    /// Writes the package to `url` (replacing it); `order` lists the sheets' indexes in the order the workbook shows
    /// them (by default the order they were started).
    public func finish(to url: URL, order: [Int]? = nil) throws {
        for sheet in sheets where sheet.open {
            var tail = "</sheetData>"
            if !sheet.lists.isEmpty {
                tail += "<dataValidations count=\"\(sheet.lists.count)\">" + sheet.lists.map {
                    #"<dataValidation type="list" allowBlank="1" showErrorMessage="1" errorTitle="Giá trị không có trong danh mục" error="Chọn một giá trị trong danh sách." sqref="\#($0.range)"><formula1>\#(Self.escape($0.formula))</formula1></dataValidation>"#
                }.joined() + "</dataValidations>"
            }
            sheet.buffer.append(contentsOf: (tail + "</worksheet>").utf8)
            try flush(sheet)
            try sheet.handle.close()
            sheet.open = false
        }
        guard !sheets.isEmpty else { throw SpreadsheetError("sổ tính chưa có trang nào") }
        let shown = order ?? Array(sheets.indices)
        guard shown.sorted() == Array(sheets.indices) else { throw SpreadsheetError("thứ tự trang tính không đủ hoặc trùng") }
        try? FileManager.default.removeItem(at: url)
        let archive = try Archive(url: url, accessMode: .create)
        func part(_ path: String, _ text: String) throws {
            let data = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        let xmlHead = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#
        try part("[Content_Types].xml", xmlHead + #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#
            + #"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>"#
            + #"<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#
            + #"<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#
            + sheets.indices.map { #"<Override PartName="/xl/worksheets/sheet\#($0 + 1).xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"# }.joined()
            + "</Types>")
        try part("_rels/.rels", xmlHead + #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#)
        try part("xl/workbook.xml", xmlHead + #"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#
            + shown.map { i in #"<sheet name="\#(Self.escape(sheets[i].name))" sheetId="\#(i + 1)"\#(sheets[i].hidden ? #" state="hidden""# : "") r:id="rId\#(i + 1)"/>"# }.joined() + "</sheets></workbook>")
        try part("xl/_rels/workbook.xml.rels", xmlHead + #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
            + sheets.indices.map { #"<Relationship Id="rId\#($0 + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet\#($0 + 1).xml"/>"# }.joined()
            + #"<Relationship Id="rId\#(sheets.count + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#)
        try part("xl/styles.xml", xmlHead + #"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#
            + #"<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>"#
            + #"<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>"#
            + #"<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>"#
            + #"<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"#
            + #"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#
            + #"<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>"#
            + #"<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>"#
            + #"<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"#)
        for (i, sheet) in sheets.enumerated() {
            try archive.addEntry(with: "xl/worksheets/sheet\(i + 1).xml", fileURL: sheet.file, compressionMethod: .deflate)
        }
    }

    /// A, B, …, Z, AA, AB, … (the same letters the import's messages use).
    static func column(_ index: Int) -> String { ImportColumns.letter(index) }

    /// XML text: the five escapes, and the control characters XML 1.0 cannot carry dropped.
    static func escape(_ s: String) -> String {
        var o = ""
        o.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            case "\t", "\n", "\r": o.unicodeScalars.append(u)
            default:
                if u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF { continue }
                o.unicodeScalars.append(u)
            }
        }
        return o
    }
}
