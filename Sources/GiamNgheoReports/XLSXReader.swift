import Foundation
import GiamNgheoCore
import ZIPFoundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A cell as read from a workbook. Numbers keep their text as written (no binary rounding of codes or IDs).
public enum CellValue: Sendable, Equatable {
    case text(String)
    case number(String)
    case date(CivilDate)
    case bool(Bool)
    /// An error value (#N/A, #REF!, …).
    case error(String)
}

public struct ReadCell: Sendable, Equatable {
    public var column: Int
    public var value: CellValue
    /// The cell holds a formula; `value` is the value the program that saved it computed (if any).
    public var formula: Bool
    public init(column: Int, value: CellValue, formula: Bool) { self.column = column; self.value = value; self.formula = formula }
}

/// Reads xlsx workbooks as Excel, LibreOffice and openpyxl write them: shared strings (rich-text runs joined),
/// inline strings, numbers, booleans, errors, dates (built-in and custom date formats), formulas' cached
/// values, merged ranges, several sheets. A sheet is parsed as a stream from a temporary file, so a large
/// sheet never sits in memory; an entry larger than `maxEntryBytes` once inflated is refused (zip bombs).
public final class XLSXReader {
    public struct SheetInfo: Sendable { public var name: String; public var path: String }
    public let sheets: [SheetInfo]
    let archive: Archive
    /// The file's bytes, mapped: entries are inflated from here with a provider that stops at each entry's end.
    let bytes: Data
    let sharedStrings: [String]
    let dateStyles: Set<Int>
    let maxEntryBytes: UInt64

    public init(url: URL, maxEntryBytes: UInt64 = 512 << 20) throws {
        self.maxEntryBytes = maxEntryBytes
        do { bytes = try Data(contentsOf: url, options: .alwaysMapped) } catch { throw SpreadsheetError("không đọc được tệp") }
        do { archive = try Archive(url: url, accessMode: .read) } catch {
            throw SpreadsheetError("tệp không phải là sổ tính Excel (.xlsx) hợp lệ")
        }
        let opened = archive, file = bytes
        func read(_ path: String) throws -> Data? { try Self.entry(opened, file, path, maxEntryBytes) }
        guard let workbook = try read("xl/workbook.xml") else { throw SpreadsheetError("tệp .xlsx không có xl/workbook.xml") }
        let rels = try read("xl/_rels/workbook.xml.rels").map { Self.elements($0, "Relationship") } ?? []
        var target: [String: String] = [:]
        for r in rels {
            guard let id = r["Id"], let t = r["Target"] else { continue }
            target[id] = t.hasPrefix("/") ? String(t.dropFirst()) : "xl/" + t
        }
        sheets = Self.elements(workbook, "sheet").compactMap { s in
            guard let name = s["name"], let id = s["r:id"], let path = target[id] else { return nil }
            return SheetInfo(name: name, path: path)
        }
        let sharedPath = rels.first { ($0["Type"] ?? "").hasSuffix("/sharedStrings") }.flatMap { $0["Target"] }
            .map { $0.hasPrefix("/") ? String($0.dropFirst()) : "xl/" + $0 } ?? "xl/sharedStrings.xml"
        sharedStrings = try read(sharedPath).map(SharedStrings.parse) ?? []
        dateStyles = try read("xl/styles.xml").map(Self.dateStyles) ?? []
    }

    /// A small part of the package, inflated in memory (after checking its declared size).
    static func entry(_ archive: Archive, _ file: Data, _ path: String, _ max: UInt64) throws -> Data? {
        guard let e = archive[path] else { return nil }
        guard e.uncompressedSize <= max else {
            throw SpreadsheetError("phần '\(path)' của tệp quá lớn khi giải nén (\(e.uncompressedSize / (1 << 20)) MB)")
        }
        var d = Data()
        try extract(e, from: file) { chunk in
            // The declared size can lie: count what actually comes out.
            guard UInt64(d.count + chunk.count) <= max else { throw SpreadsheetError("phần '\(path)' của tệp quá lớn khi giải nén") }
            d.append(chunk)
        }
        // Foundation's XML parser on Linux traps on some invalid UTF-8 (found by the fuzz test): refuse it first.
        guard String(validating: d, as: UTF8.self) != nil else { throw SpreadsheetError("phần '\(path)' của tệp hỏng (không phải văn bản UTF-8)") }
        return d
    }

    /// Inflates one entry from the file's bytes. ZIPFoundation's own extract reads past an entry's end and, on
    /// Linux, loops forever when a corrupt deflate stream never ends (found by the fuzz test); here the
    /// provider stops at the entry's compressed size, and the CRC is checked.
    static func extract(_ entry: Entry, from file: Data, _ consumer: (Data) throws -> Void) throws {
        let broken = SpreadsheetError("phần '\(entry.path)' của tệp hỏng")
        guard let start = dataOffset(of: entry, in: file) else { throw broken }
        let size = Int(clamping: entry.compressedSize)
        guard start + size <= file.count else { throw broken }
        let base = file.startIndex + start
        var crc: CRC32
        if entry.isCompressed {
            crc = try Data.decompress(size: Int64(size), bufferSize: 1 << 16, skipCRC32: false, provider: { position, chunk in
                let from = Int(position)
                guard from < size else { throw broken }   // the stream should have ended: corrupt
                return file.subdata(in: (base + from)..<(base + min(size, from + chunk)))
            }, consumer: consumer)
        } else {
            var at = 0
            crc = 0
            while at < size {
                let chunk = file.subdata(in: (base + at)..<(base + min(size, at + (1 << 16))))
                crc = chunk.crc32(checksum: crc)
                try consumer(chunk)
                at += chunk.count
            }
        }
        guard crc == entry.checksum else { throw broken }
    }

    /// Where an entry's data starts: after its local header (found by signature and name; the central
    /// directory's offset is not public in ZIPFoundation).
    static func dataOffset(of entry: Entry, in file: Data) -> Int? {
        let name = Array(entry.path.utf8)
        let signature: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
        return file.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Int? in
            let b = raw.bindMemory(to: UInt8.self)
            var i = 0
            while i + 30 + name.count <= b.count {
                if b[i] == signature[0] && b[i + 1] == signature[1] && b[i + 2] == signature[2] && b[i + 3] == signature[3] {
                    let nameLength = Int(b[i + 26]) | Int(b[i + 27]) << 8, extraLength = Int(b[i + 28]) | Int(b[i + 29]) << 8
                    if nameLength == name.count && name.indices.allSatisfy({ b[i + 30 + $0] == name[$0] }) {
                        return i + 30 + nameLength + extraLength
                    }
                }
                i += 1
            }
            return nil
        }
    }

    public var sheetNames: [String] { sheets.map(\.name) }

    public struct SheetContent: Sendable {
        /// Merged ranges ("A5:B5"): an import should say it does not read them as one value per cell.
        public var merged: [String] = []
        public var rows = 0
        /// Formula cells without a saved value: read as empty.
        public var uncomputedFormulas = 0
    }

    /// Calls `body` with each row that has cells (1-based row number, cells by column), in order.
    @discardableResult
    public func rows(sheet name: String, _ body: (Int, [ReadCell]) throws -> Void) throws -> SheetContent {
        guard let info = sheets.first(where: { $0.name == name }) else {
            throw SpreadsheetError("không có trang tính '\(name)' (có: \(sheetNames.joined(separator: ", ")))")
        }
        guard let entry = archive[info.path] else { throw SpreadsheetError("thiếu phần \(info.path) của trang tính '\(name)'") }
        guard entry.uncompressedSize <= maxEntryBytes else {
            throw SpreadsheetError("trang tính '\(name)' quá lớn khi giải nén (\(entry.uncompressedSize / (1 << 20)) MB)")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("giamngheo-sheet-\(UUID().uuidString).xml")
        defer { try? FileManager.default.removeItem(at: file) }
        guard FileManager.default.createFile(atPath: file.path, contents: nil) else { throw SpreadsheetError("không tạo được tệp tạm") }
        let out = try FileHandle(forWritingTo: file)
        var written: UInt64 = 0
        var utf8 = UTF8Check()
        do {
            try Self.extract(entry, from: bytes) { chunk in
                written += UInt64(chunk.count)
                guard written <= maxEntryBytes else { throw SpreadsheetError("trang tính '\(name)' quá lớn khi giải nén") }
                guard utf8.feed(chunk) else { throw SpreadsheetError("trang tính '\(name)' hỏng (không phải văn bản UTF-8)") }
                try out.write(contentsOf: chunk)
            }
            guard utf8.finish() else { throw SpreadsheetError("trang tính '\(name)' hỏng (không phải văn bản UTF-8)") }
            try out.close()
        } catch {
            try? out.close()
            if error is SpreadsheetError { throw error }
            throw SpreadsheetError("trang tính '\(name)' hỏng: không giải nén được")
        }
        return try withoutActuallyEscaping(body) { body in
            let handler = SheetParser(shared: sharedStrings, dateStyles: dateStyles, body: body)
            guard let parser = XMLParser(contentsOf: file) else { throw SpreadsheetError("không đọc được trang tính '\(name)'") }
            parser.delegate = handler
            if !parser.parse() {
                if let e = handler.failure { throw e }
                throw SpreadsheetError("trang tính '\(name)' hỏng (XML không hợp lệ ở dòng \(parser.lineNumber))")
            }
            if let e = handler.failure { throw e }
            return SheetContent(merged: handler.merged, rows: handler.rowCount, uncomputedFormulas: handler.uncomputed)
        }
    }

    /// "B12" → 1 (columns from 0).
    /// Beyond Excel's last column (XFD) a reference is not a cell: nil, so that a corrupt file cannot ask for
    /// millions of columns (found by the fuzz test).
    static func column(of ref: String) -> Int? {
        var n = 0, any = false
        for u in ref.unicodeScalars {
            guard u.value >= 65 && u.value <= 90 else { break }
            n = n * 26 + Int(u.value - 64); any = true
            if n > 16_384 { return nil }
        }
        return any ? n - 1 : nil
    }

    /// Excel's serial day (1900 system; 60 is the non-existent 29/02/1900) as a civil date.
    static func date(serial: Double) -> CivilDate? {
        guard serial.isFinite, serial >= 1, serial < 2_958_466 else { return nil }
        let day = Int(serial.rounded(.down))
        return CivilDate(dayNumber: day - 25_569)
    }

    // MARK: small XML helpers (parts other than sheets are small)

    final class Collector: NSObject, XMLParserDelegate {
        let name: String
        var found: [[String: String]] = []
        init(_ name: String) { self.name = name }
        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
                    attributes attributeDict: [String: String] = [:]) {
            if elementName == name || qName == name { found.append(attributeDict) }
        }
    }

    static func elements(_ data: Data, _ name: String) -> [[String: String]] {
        let p = XMLParser(data: data)
        let c = Collector(name)
        p.delegate = c
        _ = p.parse()
        return c.found
    }

    /// Style indexes (cellXfs order) whose number format is a date.
    static func dateStyles(_ data: Data) -> Set<Int> {
        var custom: [Int: String] = [:]
        for f in elements(data, "numFmt") { if let id = f["numFmtId"].flatMap(Int.init), let code = f["formatCode"] { custom[id] = code } }
        // cellXfs' xf elements come after cellStyleXfs' in the file: take those inside cellXfs.
        final class Xfs: NSObject, XMLParserDelegate {
            var inside = false, ids: [Int] = []
            func parser(_ p: XMLParser, didStartElement e: String, namespaceURI: String?, qualifiedName: String?, attributes a: [String: String] = [:]) {
                if e == "cellXfs" { inside = true } else if e == "xf" && inside { ids.append(Int(a["numFmtId"] ?? "0") ?? 0) }
            }
            func parser(_ p: XMLParser, didEndElement e: String, namespaceURI: String?, qualifiedName: String?) { if e == "cellXfs" { inside = false } }
        }
        let p = XMLParser(data: data), x = Xfs()
        p.delegate = x
        _ = p.parse()
        var out = Set<Int>()
        for (i, id) in x.ids.enumerated() where isDateFormat(id: id, code: custom[id]) { out.insert(i) }
        return out
    }

    static func isDateFormat(id: Int, code: String?) -> Bool {
        if (14...22).contains(id) || (45...47).contains(id) { return id <= 17 || id == 22 }   // 18–21, 45–47: times only
        guard let code else { return false }
        // Drop quoted text, escapes and colours/conditions, then look for day, month or year letters.
        var plain = "", quoted = false, bracket = false, escaped = false
        for ch in code {
            if escaped { escaped = false; continue }
            if ch == "\\" { escaped = true; continue }
            if ch == "\"" { quoted.toggle(); continue }
            if quoted { continue }
            if ch == "[" { bracket = true; continue }
            if ch == "]" { bracket = false; continue }
            if !bracket { plain.append(ch) }
        }
        let lower = plain.lowercased()
        return lower.contains("d") || lower.contains("y") || (lower.contains("m") && !lower.contains("h") && !lower.contains("s"))
    }
}

/// Shared strings: each `si` is one string, its text the concatenation of its `t` elements (rich-text runs),
/// phonetic runs (`rPh`) left out.
enum SharedStrings {
    final class Parser: NSObject, XMLParserDelegate {
        var out: [String] = [], current = "", inT = false, inPhonetic = false
        func parser(_ p: XMLParser, didStartElement e: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            switch e {
            case "si": current = ""
            case "t": inT = !inPhonetic
            case "rPh": inPhonetic = true
            default: break
            }
        }
        func parser(_ p: XMLParser, foundCharacters s: String) { if inT { current += s } }
        func parser(_ p: XMLParser, didEndElement e: String, namespaceURI: String?, qualifiedName: String?) {
            switch e {
            case "si": out.append(current)
            case "t": inT = false
            case "rPh": inPhonetic = false
            default: break
            }
        }
    }
    static func parse(_ data: Data) -> [String] {
        let p = XMLParser(data: data), h = Parser()
        p.delegate = h
        _ = p.parse()
        return h.out
    }
}

/// A sheet's rows as a stream of parser events.
final class SheetParser: NSObject, XMLParserDelegate {
    let shared: [String], dateStyles: Set<Int>
    let body: (Int, [ReadCell]) throws -> Void
    var failure: Error?
    var merged: [String] = []
    var rowCount = 0
    /// Formulas saved without a computed value (openpyxl and scripts write them so).
    var uncomputed = 0
    var row = 0, cells: [ReadCell] = []
    var cellColumn = 0, cellType = "n", cellStyle = 0, hasFormula = false, nextColumn = 0
    var text = "", capture = false, inInline = false, value: String?, inlineText: String?

    init(shared: [String], dateStyles: Set<Int>, body: @escaping (Int, [ReadCell]) throws -> Void) {
        self.shared = shared; self.dateStyles = dateStyles; self.body = body
    }

    func parser(_ p: XMLParser, didStartElement e: String, namespaceURI: String?, qualifiedName: String?, attributes a: [String: String] = [:]) {
        switch e {
        case "row":
            row = a["r"].flatMap(Int.init) ?? row + 1
            cells = []; nextColumn = 0
        case "c":
            cellColumn = a["r"].flatMap(XLSXReader.column(of:)) ?? nextColumn
            cellType = a["t"] ?? "n"; cellStyle = a["s"].flatMap(Int.init) ?? 0
            hasFormula = false; value = nil; inlineText = nil
        case "v": text = ""; capture = true
        case "f": hasFormula = true
        case "is": inInline = true; inlineText = ""
        case "t" where inInline: text = ""; capture = true
        case "mergeCell": if let r = a["ref"] { merged.append(r) }
        default: break
        }
    }

    func parser(_ p: XMLParser, foundCharacters s: String) { if capture { text += s } }

    func parser(_ p: XMLParser, didEndElement e: String, namespaceURI: String?, qualifiedName: String?) {
        switch e {
        case "v": value = text; capture = false
        case "t" where inInline: inlineText = (inlineText ?? "") + text; capture = false
        case "is": inInline = false
        case "c":
            nextColumn = cellColumn + 1
            if let v = cellValue() { cells.append(ReadCell(column: cellColumn, value: v, formula: hasFormula)) } else if hasFormula { uncomputed += 1 }
        case "row":
            rowCount += 1
            guard !cells.isEmpty else { return }
            do { try body(row, cells) } catch { failure = error; p.abortParsing() }
        default: break
        }
    }

    func cellValue() -> CellValue? {
        switch cellType {
        case "s":
            guard let i = value.flatMap(Int.init), shared.indices.contains(i) else { return nil }
            return .text(shared[i])
        case "inlineStr": return inlineText.map { .text($0) }
        case "str": return value.map { .text($0) }
        case "b": return value.map { .bool($0 == "1" || $0 == "true") }
        case "e": return value.map { .error($0) }
        default:
            guard let v = value, !v.isEmpty else { return nil }
            if dateStyles.contains(cellStyle), let serial = Double(v), let d = XLSXReader.date(serial: serial) { return .date(d) }
            return .number(v)
        }
    }
}

/// UTF-8 validity of a stream read in chunks: a sequence cut at a chunk's end is carried to the next.
struct UTF8Check {
    var carry: [UInt8] = []
    mutating func feed(_ chunk: Data) -> Bool {
        var bytes = carry
        bytes.append(contentsOf: chunk)
        // Keep back an incomplete last sequence (at most 3 bytes from its lead byte).
        var cut = bytes.count
        if let lead = bytes.indices.suffix(3).last(where: { bytes[$0] & 0xC0 != 0x80 }), bytes[lead] >= 0xC0 {
            let need = bytes[lead] >= 0xF0 ? 4 : bytes[lead] >= 0xE0 ? 3 : 2
            if bytes.count - lead < need { cut = lead }
        }
        carry = Array(bytes[cut...])
        return String(validating: bytes[..<cut], as: UTF8.self) != nil
    }
    mutating func finish() -> Bool { carry.isEmpty }
}
