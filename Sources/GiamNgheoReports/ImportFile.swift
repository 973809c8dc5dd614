import Foundation
import GiamNgheoCore

/// The two sheets of an import (households, members) as row sources, whatever the file: one xlsx workbook
/// with both sheets, or one or two CSV files. Notes say what was done to read it (an encoding converted,
/// merged cells filled, formulas' values used).
public struct ImportSheets {
    public var householdSheet: String
    public var households: ImportRowSource
    public var memberSheet: String?
    public var members: ImportRowSource?
    public var notes: [ImportIssue] = []
    /// Bytes of the file(s): whether the members sheet may be read whole.
    public var totalBytes: Int64
    /// How far through the households sheet reading is (0…1): an import's progress (CSV: bytes of the households
    /// file; xlsx: rows). A file up to the upload limit reads its whole members sheet before the first household,
    /// so counting the bytes of both put the bar at 80 % at once.
    public var householdFraction: @Sendable () -> Double
}

public enum ImportFile {
    /// Sheet names communes give the two sheets (accent-folded, as `ImportColumns.normal`).
    static let householdNames = ["ho gia dinh", "ho", "households", "household", "danh sach ho", "ds ho", "ho gd"]
    static let memberNames = ["nhan khau", "members", "member", "thanh vien", "danh sach nhan khau", "ds nhan khau", "nk"]

    /// Above this a CSV is read as it streams (UTF-8 only); below it any encoding is detected and decoded whole.
    public static let wholeDecodeLimit = 64 << 20

    /// `names` are the files' names as the user knows them (a kept upload is stored under another name).
    public static func open(households: URL, members: URL? = nil, names: (households: String, members: String?)? = nil,
                            maxEntryBytes: UInt64 = 512 << 20, wholeDecodeLimit: Int = wholeDecodeLimit) throws -> ImportSheets {
        let hName = names?.households ?? households.lastPathComponent
        let mName = names?.members ?? members?.lastPathComponent ?? ""
        let kind = try sniff(households)
        switch kind {
        case .xlsx:
            guard members == nil else { throw SpreadsheetError("tệp Excel đã có cả hai trang; không cần tệp nhân khẩu riêng") }
            return try workbook(households, maxEntryBytes: maxEntryBytes)
        case .csv:
            let h = try csv(households, sheet: hName, limit: wholeDecodeLimit)
            let (hRead, hSize) = (h.read, Double(max(1, h.size)))
            var sheets = ImportSheets(householdSheet: hName, households: h.next, memberSheet: nil, members: nil,
                                      notes: h.notes, totalBytes: h.size, householdFraction: { Double(hRead()) / hSize })
            if let members {
                guard try sniff(members) == .csv else { throw SpreadsheetError("tệp nhân khẩu phải là CSV như tệp hộ") }
                let m = try csv(members, sheet: mName, limit: wholeDecodeLimit)
                sheets.memberSheet = mName; sheets.members = m.next
                sheets.notes += m.notes
                sheets.totalBytes += m.size
            }
            return sheets
        }
    }

    enum Kind { case xlsx, csv }

    static func sniff(_ url: URL) throws -> Kind {
        guard let handle = try? FileHandle(forReadingFrom: url) else { throw SpreadsheetError("không mở được tệp '\(url.lastPathComponent)'") }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 8)) ?? Data()
        if head.isEmpty { throw SpreadsheetError("tệp '\(url.lastPathComponent)' trống (0 byte)") }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .xlsx }
        if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            throw SpreadsheetError("'\(url.lastPathComponent)' là tệp Excel 97–2003 (.xls): hãy mở trong Excel và lưu lại dạng .xlsx")
        }
        if head.starts(with: [0x50, 0x4B]) { throw SpreadsheetError("'\(url.lastPathComponent)' là tệp nén nhưng không phải .xlsx") }
        return .csv
    }

    // MARK: xlsx

    static func workbook(_ url: URL, maxEntryBytes: UInt64) throws -> ImportSheets {
        let reader = try XLSXReader(url: url, maxEntryBytes: maxEntryBytes)
        func find(_ names: [String]) -> String? {
            reader.sheetNames.first { names.contains(ImportColumns.normal($0)) }
                ?? reader.sheetNames.first { n in names.filter { $0.count > 3 }.contains { ImportColumns.normal(n).contains($0) } }
        }
        let visible = reader.sheetNames.filter { $0 != "Danh mục" }
        guard let hs = find(householdNames) ?? (visible.count == 1 ? visible[0] : nil) else {
            throw SpreadsheetError("không tìm thấy trang hộ gia đình: đặt tên trang là 'Hộ gia đình' (tệp có: \(reader.sheetNames.joined(separator: ", ")))")
        }
        let ms = find(memberNames)
        var notes: [ImportIssue] = []
        let households = try grid(reader, hs, &notes)
        let members = try ms.map { try grid(reader, $0, &notes) }
        if ms == nil {
            notes.append(ImportIssue(sheet: hs, message: "tệp không có trang 'Nhân khẩu': chỉ nhập thông tin hộ (tệp có: \(reader.sheetNames.joined(separator: ", "))).", blocking: false))
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int64) ?? 0
        let position = Position()
        return ImportSheets(householdSheet: hs, households: arraySource(households, position: position), memberSheet: ms,
                            members: members.map { arraySource($0) }, notes: notes, totalBytes: size, householdFraction: { position.value })
    }

    /// A sheet's rows as texts: dates as yyyy-mm-dd, numbers as written, merged ranges filled with their
    /// first cell's value (a village written once for many rows), error values reported.
    static func grid(_ reader: XLSXReader, _ sheet: String, _ notes: inout [ImportIssue]) throws -> [(row: Int, cells: [String])] {
        var rows: [(row: Int, cells: [String])] = []
        var formulas = 0
        var errors: [ImportIssue] = []
        let content = try reader.rows(sheet: sheet) { n, cells in
            var out: [String] = []
            for c in cells {
                while out.count < c.column { out.append("") }
                if c.formula { formulas += 1 }
                switch c.value {
                case .text(let s): out.append(s)
                case .number(let s): out.append(s)
                case .date(let d): out.append(d.description)
                case .bool(let b): out.append(b ? "có" : "không")
                case .error(let e):
                    errors.append(ImportIssue(sheet: sheet, row: n, column: ImportColumns.letter(c.column), value: e,
                                              message: "ô có giá trị lỗi của Excel; sửa công thức hoặc gõ giá trị."))
                    out.append("")
                }
            }
            if out.contains(where: { !$0.isEmpty }) { rows.append((n, out)) }
        }
        notes += errors
        if formulas > 0 {
            notes.append(ImportIssue(sheet: sheet, message: "có \(formulas) ô công thức: đã dùng giá trị Excel tính và lưu trong tệp.", blocking: false))
        }
        if content.uncomputedFormulas > 0 {
            notes.append(ImportIssue(sheet: sheet, message: "có \(content.uncomputedFormulas) ô công thức chưa có giá trị tính sẵn (tệp không được lưu bằng Excel/LibreOffice): đọc là ô trống; mở tệp bằng Excel rồi lưu lại nếu cần các giá trị này.", blocking: false))
        }
        if !content.merged.isEmpty {
            fill(&rows, merged: content.merged)
            notes.append(ImportIssue(sheet: sheet, message: "có \(content.merged.count) vùng ô gộp (\(content.merged.prefix(3).joined(separator: ", "))…): mỗi ô trong vùng lấy giá trị của ô đầu.", blocking: false))
        }
        return rows
    }

    static func fill(_ rows: inout [(row: Int, cells: [String])], merged: [String]) {
        var index: [Int: Int] = [:]
        for (i, r) in rows.enumerated() { index[r.row] = i }
        for range in merged {
            let ends = range.split(separator: ":").map(String.init)
            guard ends.count == 2, let a = ref(ends[0]), let b = ref(ends[1]), let top = index[a.row] else { continue }
            let value = a.column < rows[top].cells.count ? rows[top].cells[a.column] : ""
            guard !value.isEmpty, b.row - a.row <= 100_000 else { continue }
            for r in a.row...b.row {
                guard let i = index[r] else { continue }   // a merged range over empty rows adds no rows
                for c in a.column...min(b.column, a.column + 200) {
                    while rows[i].cells.count <= c { rows[i].cells.append("") }
                    if rows[i].cells[c].isEmpty { rows[i].cells[c] = value }
                }
            }
        }
    }

    static func ref(_ s: String) -> (row: Int, column: Int)? {
        guard let c = XLSXReader.column(of: s), let r = Int(s.drop(while: \.isLetter)) else { return nil }
        return (r, c)
    }

    /// Rows already in memory; `position` tells how far the reading got (0…1), for progress.
    static func arraySource(_ rows: [(row: Int, cells: [String])], position: Position? = nil) -> ImportRowSource {
        var i = 0
        return {
            guard i < rows.count else { position?.set(1); return nil }
            defer { i += 1; position?.set(Double(i) / Double(rows.count)) }
            return rows[i]
        }
    }

    final class Position: @unchecked Sendable {
        private let lock = NSLock(); private var x = 0.0
        func set(_ v: Double) { lock.lock(); x = v; lock.unlock() }
        var value: Double { lock.lock(); defer { lock.unlock() }; return x }
    }

    // MARK: CSV

    final class Counter: @unchecked Sendable {
        private let lock = NSLock(); private var n: Int64 = 0
        func add(_ d: Int) { lock.lock(); n += Int64(d); lock.unlock() }
        var value: Int64 { lock.lock(); defer { lock.unlock() }; return n }
    }

    static func csv(_ url: URL, sheet: String, limit: Int) throws -> (next: ImportRowSource, notes: [ImportIssue], size: Int64, read: @Sendable () -> Int64) {
        let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int64) ?? 0
        let handle = try FileHandle(forReadingFrom: url)
        let head = try handle.read(upToCount: 1 << 16) ?? Data()   // validUTF8Prefix relies on this size
        let counter = Counter()
        // UTF-8 streams; anything else (UTF-16, Windows-1258) is decoded whole, which a commune file allows.
        var utf8 = !head.starts(with: [0xFF, 0xFE]) && !head.starts(with: [0xFE, 0xFF]) && !head.contains(0)
        if utf8 { utf8 = validUTF8Prefix(head) }
        // UTF-8 (the usual case) streams at any size; other encodings are decoded whole.
        if !utf8 {
            guard size <= Int64(limit) else {
                try? handle.close()
                throw SpreadsheetError("tệp CSV '\(sheet)' lớn hơn \(max(1, limit >> 20)) MB phải được lưu dạng UTF-8 (Excel: CSV UTF-8)")
            }
            var data = head
            data.append(try handle.readToEnd() ?? Data())
            try? handle.close()
            let (text, encoding) = TextDecoding.decode(data)
            var notes: [ImportIssue] = []
            if encoding != .utf8 {
                notes.append(ImportIssue(sheet: sheet, message: "tệp mã hoá \(encoding.label), đã chuyển sang Unicode; kiểm tra tên có dấu trong bảng dưới.", blocking: false))
            }
            let rows = CSV.parse(text).enumerated().map { (row: $0.offset + 1, cells: $0.element) }
            let position = Position()
            return (arraySource(rows, position: position), notes, size, { Int64(Double(size) * position.value) })
        }
        var stream = CSVStream()
        var queue: [(row: Int, cells: [String])] = []
        var qi = 0
        var first: Data? = head
        var done = false
        let next: ImportRowSource = {
            while qi >= queue.count {
                if done { try? handle.close(); return nil }
                queue.removeAll(keepingCapacity: true); qi = 0
                let chunk: Data
                if let f = first { chunk = f; first = nil } else { chunk = try handle.read(upToCount: 1 << 20) ?? Data() }
                counter.add(chunk.count)
                if chunk.isEmpty {
                    stream.finish { queue.append(($0, $1)) }
                    done = true
                } else {
                    stream.feed(chunk) { queue.append(($0, $1)) }
                }
            }
            defer { qi += 1 }
            return queue[qi]
        }
        return (next, [], size, { counter.value })
    }

    /// Valid UTF-8 except possibly a sequence cut at the end of the sample.
    static func validUTF8Prefix(_ d: Data) -> Bool {
        let bytes = [UInt8](d)
        if String(validating: bytes, as: UTF8.self) != nil { return true }
        guard bytes.count == 1 << 16 else { return false }   // the whole file was read: no sequence was cut
        // The sample may end inside a character: drop an incomplete last sequence (at most 3 bytes).
        guard let lead = bytes.indices.suffix(3).last(where: { bytes[$0] & 0xC0 != 0x80 }) else { return false }
        return String(validating: bytes[..<lead], as: UTF8.self) != nil
    }
}
