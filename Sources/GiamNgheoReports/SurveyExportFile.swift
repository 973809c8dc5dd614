import Foundation
import GiamNgheoCore
import ZIPFoundation

/// The files an officer downloads from ODK Central (a zip of CSV files, or the CSV files themselves) or KoboToolbox
/// (an xlsx workbook with a sheet per repeat, or its sheets as CSV), as the tables `SurveyExport` reads.
public enum SurveyExportFile {
    /// Together at most this much (the web upload limit of household imports).
    public static let maxBytes = 100 << 20

    public static func tables(_ files: [(name: String, url: URL)]) throws -> (tables: [SurveyExport.Table], notes: [ImportIssue]) {
        var tables: [SurveyExport.Table] = [], notes: [ImportIssue] = []
        var total = 0
        for f in files {
            let size = (try? FileManager.default.attributesOfItem(atPath: f.url.path)[.size] as? Int) ?? 0
            total += size
            guard total <= maxBytes else { throw SpreadsheetError("các tệp lớn hơn \(maxBytes >> 20) MB; xuất từng đợt nhỏ hơn.") }
            let lower = f.name.lowercased()
            if lower.hasSuffix(".zip") {
                let archive: Archive
                do { archive = try Archive(url: f.url, accessMode: .read) } catch { throw SpreadsheetError("tệp '\(f.name)' không phải tệp zip đọc được.") }
                for entry in archive where entry.type == .file && entry.path.lowercased().hasSuffix(".csv") {
                    guard entry.uncompressedSize <= UInt64(maxBytes) else { throw SpreadsheetError("tệp '\(entry.path)' trong '\(f.name)' quá lớn khi giải nén.") }
                    var data = Data()
                    _ = try archive.extract(entry) { data.append($0) }
                    tables.append(csv(data, name: (entry.path as NSString).lastPathComponent))
                }
            } else if lower.hasSuffix(".csv") {
                tables.append(csv(try Data(contentsOf: f.url), name: f.name))
            } else if lower.hasSuffix(".xlsx") {
                let reader = try XLSXReader(url: f.url)
                for sheet in reader.sheetNames {
                    let grid = try ImportFile.grid(reader, sheet, &notes)
                    guard let head = grid.first else { continue }
                    tables.append(SurveyExport.Table(name: sheet, header: head.cells, rows: Array(grid.dropFirst())))
                }
            } else {
                throw SpreadsheetError("tệp '\(f.name)': chỉ nhận .zip hoặc .csv (ODK Central), .xlsx hoặc .csv (KoboToolbox).")
            }
        }
        return (tables, notes)
    }

    static func csv(_ data: Data, name: String) -> SurveyExport.Table {
        let text = TextDecoding.decode(data).text
        let records = CSV.parse(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text).filter { $0.contains { !$0.isEmpty } }
        let base = name.lowercased().hasSuffix(".csv") ? String(name.dropLast(4)) : name
        return SurveyExport.Table(name: base, header: records.first ?? [], rows: records.dropFirst().enumerated().map { ($0.offset + 2, $0.element) })
    }
}
