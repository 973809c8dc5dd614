import Foundation
import GiamNgheoCore

/// An XLSForm written as the workbook ODK and KoboToolbox take: sheets `survey`, `choices` and `settings`, one
/// column per XLSForm column (a language's label as `label::Tiếng Việt (vi)`), every cell text.
public enum XLSFormFile {
    public static func write(_ form: XLSForm, to url: URL) throws {
        let x = try XLSXWriter()
        func sheet(_ name: String, _ columns: [String], _ rows: [[String: String]]) throws {
            try x.startSheet(name, header: columns, widths: columns.map { $0.hasPrefix("label") || $0.hasPrefix("hint") ? 48 : 18 })
            for r in rows { try x.append(columns.map { r[$0].map(Cell.text) ?? .empty }) }
        }
        try sheet("survey", XLSForm.surveyColumns, form.survey)
        try sheet("choices", XLSForm.choiceColumns, form.choices)
        try sheet("settings", XLSForm.settingsColumns, [form.settings])
        try x.finish(to: url)
    }

    /// The household list attached to the forms (`households.csv`): the code as `name`, what the enumerator sees as
    /// `label`, and the area part B2's question depends on.
    public static func householdsCSV(_ rows: [(code: String, head: String, village: String, area: String)]) -> String {
        var out = CSVWriter.line(XLSForm.householdsColumns.map(Cell.text))
        for r in rows {
            let label = [r.code, r.head, r.village].filter { !$0.isEmpty }.joined(separator: " · ")
            out += CSVWriter.line([.text(r.code), .text(label), .text(r.area), .text(r.village)])
        }
        return out
    }
}
