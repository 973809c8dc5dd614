import Foundation
import GiamNgheoCore

/// A small one-sheet file (CSV in any common encoding, or the first sheet of an xlsx workbook) as rows of
/// header → text, with the spreadsheet's row numbers kept so messages can name them ("Dòng 7").
public enum TableFile {
    public struct Row: Sendable { public var line: Int; public var values: [String: String] }

    /// `aliases`: accent-folded header spellings → the key used in `values`.
    public static func read(_ data: Data, aliases: [String: String]) throws -> [Row] {
        guard !data.isEmpty else { throw SpreadsheetError("tệp trống (0 byte)") }
        var grid: [(Int, [String])] = []
        if data.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("giamngheo-table-\(UUID().uuidString).xlsx")
            try data.write(to: url)
            defer { try? FileManager.default.removeItem(at: url) }
            let reader = try XLSXReader(url: url, maxEntryBytes: 64 << 20)
            guard let sheet = reader.sheetNames.first(where: { $0 != "Danh mục" }) else { throw SpreadsheetError("tệp Excel không có trang nào") }
            _ = try reader.rows(sheet: sheet) { n, cells in
                var out: [String] = []
                for c in cells {
                    while out.count < c.column { out.append("") }
                    switch c.value {
                    case .text(let s), .number(let s): out.append(s)
                    case .date(let d): out.append(d.description)
                    case .bool(let b): out.append(b ? "1" : "0")
                    case .error(let e): out.append(e)
                    }
                }
                grid.append((n, out))
            }
        } else if data.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            throw SpreadsheetError("tệp Excel 97–2003 (.xls): hãy mở trong Excel và lưu lại dạng .xlsx hoặc .csv")
        } else {
            grid = CSV.parse(TextDecoding.decode(data).text).enumerated().map { ($0.offset + 1, $0.element) }
        }
        guard let headerIndex = grid.firstIndex(where: { row in row.1.contains { aliases[VietnameseText.fold($0)] != nil } }) else {
            throw SpreadsheetError("không tìm thấy dòng tiêu đề (cần các cột: \(Set(aliases.values).sorted().joined(separator: ", ")))")
        }
        let header = grid[headerIndex].1.map { aliases[VietnameseText.fold($0)] }
        var rows: [Row] = []
        for (n, cells) in grid[(headerIndex + 1)...] {
            if cells.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            var values: [String: String] = [:]
            for (i, key) in header.enumerated() { if let key, i < cells.count { values[key] = cells[i].trimmingCharacters(in: .whitespacesAndNewlines) } }
            rows.append(Row(line: n, values: values))
        }
        return rows
    }
}
