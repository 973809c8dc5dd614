import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoReports
import GiamNgheoStorage
import Vapor

/// The import template (issue "Excel and CSV in and out", item 1): the households and members sheets with the
/// headers of `Data/import/columns.csv`, a second row saying what each column takes, an example row, and
/// drop-down lists for coded columns from a hidden list sheet; or one sheet's headers and example as CSV.
struct TemplateController: Feature {
    func boot(routes: any RoutesBuilder) throws {
        routes.access(.signedIn).get("households", "template", use: template)
    }

    /// Values offered for a coded column (the parser also accepts codes and these labels without accents).
    static func choices(_ key: String) -> [String]? {
        let yesNo = ["có", "không"]
        switch key {
        case "agriculture", "usesInternet", "usesTelephone", "healthInsurance", "workingCapacity", "loudspeaker", "disabled", "meritorious",
             "socialAllowance", "seriousIllnessWithoutCare": return yesNo
        case "ethnicity": return BundledData.ethnicGroups.groups.map(\.name)
        default: return Fact(rawValue: key).flatMap { Vocabulary.values[$0] }.map { $0.map(\.vi) }
        }
    }

    static let examples: [String: [String: Cell]] = [
        "households": ["code": .text(ImportPipeline.exampleCode), "commune": .text("19753"), "village": .text("Thôn 1"), "incomePerCapita": .number(1_500_000),
                       "agriculture": .text("có"), "walls": .text("Bền chắc"), "floorArea": .number(36), "waterSource": .text("Nước máy"),
                       "latrine": .text("Tự hoại"), "usesInternet": .text("không"), "causes": .text("2; 7")],
        "members": ["householdCode": .text(ImportPipeline.exampleCode), "name": .text("Nguyễn Thị Hoa"), "relation": .text("Chủ hộ"),
                    "birthDate": .date(CivilDate(year: 1979, month: 9, day: 2)!), "sex": .text("Nữ"), "ethnicity": .text("Kinh"),
                    "nationalID": .text("046179001122"), "healthInsurance": .text("có"), "workingCapacity": .text("có")],
    ]
    static let sheetTitles = ["households": "Hộ gia đình", "members": "Nhân khẩu"]

    func template(req: Request) async throws -> Response {
        let columns = BundledData.importColumns
        if req.query[String.self, at: "format"] == "csv" {
            let sheet = req.query[String.self, at: "sheet"] ?? "households"
            guard Self.sheetTitles[sheet] != nil else { throw ValidationError("template.sheet", field: "sheet", vi: "Trang mẫu phải là households hoặc members.", en: "The template sheet must be households or members.") }
            let cols = columns.columns(of: sheet)
            let body = CSVWriter.byteOrderMark + CSVWriter.line(cols.map { .text($0.header) })
                + CSVWriter.line(cols.map { Self.examples[sheet]?[$0.key] ?? .empty })
            return SheetResponse.csv(body, filename: "mau-nhap-\(sheet == "members" ? "nhan-khau" : "ho").csv")
        }
        let xlsx = try XLSXWriter()
        var sheetIndex: [String: Int] = [:]
        for sheet in ["households", "members"] {
            let cols = columns.columns(of: sheet)
            let i = try xlsx.startSheet(Self.sheetTitles[sheet]!, header: cols.map { $0.header + ($0.required ? " (*)" : "") },
                                        widths: cols.map { max(12, min(40, $0.header.count + 4)) })
            try xlsx.append(cols.map { .text("Hướng dẫn: " + $0.help) }, to: i)
            try xlsx.append(cols.map { Self.examples[sheet]?[$0.key] ?? .empty }, to: i)
            sheetIndex[sheet] = i
        }
        // The lists, one per column of a hidden sheet, each offered as a drop-down under its column.
        var lists: [(sheet: String, column: Int, values: [String])] = []
        for sheet in ["households", "members"] {
            for (c, col) in columns.columns(of: sheet).enumerated() {
                if let values = Self.choices(col.key) { lists.append((sheet, c, values)) }
            }
        }
        let listSheet = try xlsx.startSheet("Danh mục", header: lists.map { "\(Self.sheetTitles[$0.sheet]!): \(columns.columns(of: $0.sheet)[$0.column].header)" },
                                            hidden: true)
        for r in 0..<(lists.map(\.values.count).max() ?? 0) {
            try xlsx.append(lists.map { r < $0.values.count ? .text($0.values[r]) : .empty }, to: listSheet)
        }
        for (j, l) in lists.enumerated() {
            try xlsx.dropDown(sheet: sheetIndex[l.sheet]!, column: l.column, fromRow: 3, source: listSheet, sourceColumn: j, rows: 2...(l.values.count + 1))
        }
        let file = TemporaryFiles.url("template-\(UUID().uuidString).xlsx")
        try xlsx.finish(to: file)
        return try await SheetResponse.xlsx(req, file, filename: "mau-nhap-ho-gia-dinh.xlsx")
    }
}
