import Vapor
import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoReports
import GiamNgheoStorage
import ZIPFoundation

/// A year's data of a commune, a province or the nation for another system (the national database, a statistics
/// office): one zip of CSV files with stable column names, described in docs/exchange.md and in its own
/// `manifest.json` (every file's columns, rows and SHA-256), so nothing is typed again. Households and members are
/// written a page at a time (flat memory at a province's size); personal ID numbers are masked unless the role needs them.
public struct ExchangePackage: Sendable {
    /// "19753,S01,…" as stored (delimiters at both ends) to "S01;…".
    static func list(_ stored: String?) -> String { (stored ?? "").split(separator: ",").joined(separator: ";") }

    public static let householdColumns = ["household_code", "commune_code", "old_commune_code", "village", "head_name", "head_national_id",
                                          "member_count", "area", "category", "subtype", "deprived_indicators", "deprived_count", "standard",
                                          "income_per_capita", "poverty_causes", "ethnic_minority_head", "meritorious_person", "no_working_capacity",
                                          "record_version"]
    public static let memberColumns = ["household_code", "member_id", "full_name", "relation", "birth_date", "birth_year", "sex", "ethnic_group",
                                       "national_id", "health_insurance"]
    public static let recognisedColumns = ["household_code", "commune_code", "village", "year", "category", "transition", "previous_category",
                                           "standard", "deprived_indicators", "decided_on"]
    public static let reportKeyColumns = ["unit_code", "unit_name", "measure", "area", "is_total"]
    /// Forms 14 and 15, one row per member (a household without a member list: one row, its head's name).
    public static let detailedColumns = ["commune_code", "village", "household_code", "head_name", "mark", "meritorious_person", "local_indigenous",
                                         "no_working_capacity", "support_groups", "persons", "member_number", "member_name", "birth_year", "sex",
                                         "ethnic_group", "relation"]

    let scope: Scope
    let services: RegistryServices
    let db: any Database
    let reportDB: any Database
    /// Rows of a workbook's sheet before it continues on the next (Excel's limit; lowered by tests).
    var sheetRows = ExchangeFile.excelRows

    public init(scope: Scope, services: RegistryServices, db: any Database, reportDB: (any Database)? = nil) {
        self.scope = scope; self.services = services; self.db = db; self.reportDB = reportDB ?? db
    }

    /// The audit trail's entry of a package written (the web's and the CLI's alike).
    public func audit(_ s: Summary, year: Int, unit: String, format: FileFormat, reason: String? = nil, on db: any Database) async throws {
        try await AuditEntry(username: scope.username, householdID: nil, action: "export", field: "exchange \(year) \(unit)\(format == .xlsx ? " xlsx" : "")",
                             newValue: "\(s.households) hộ", reason: reason).create(on: db)
    }

    /// How many households the package of `unit` will have.
    public func households(unit: String) async throws -> Int {
        try await ExchangeRows().count(scope, communes: try communes(unit), on: db)
    }

    /// The communes of `unit` (a 2025 commune or province; "" for all of the scope's) the scope may read.
    func communes(_ unit: String) throws -> [String] {
        let units = services.units
        let all: [String]
        if unit.isEmpty {
            all = scope.communes.map { Array($0) } ?? units.provinces().flatMap { units.communes(ofProvince: $0.code).map(\.code) }
        } else if let u = units.unit(unit) {
            all = u.level == .province ? units.communes(ofProvince: unit).map(\.code) : [unit]
        } else {
            throw ValidationError("unit.unknown", field: "unit", vi: "Mã đơn vị '\(unit)' không có trong danh mục 2025.", en: "Unit code '\(unit)' is not in the 2025 list.")
        }
        guard all.allSatisfy(scope.allows(commune:)) else { throw AccessError.forbidden }
        return all.sorted()
    }

    public struct Summary: Sendable { public var households = 0, members = 0, recognised = 0, reports = 0 }

    /// A zip of CSV files with `manifest.json` (for systems), or one xlsx workbook, a sheet per file (for people).
    public enum FileFormat: String, Sendable, CaseIterable {
        case csv, xlsx
        /// The file's extension: a zip of CSVs, or a workbook.
        public var fileExtension: String { self == .xlsx ? "xlsx" : "zip" }
        /// The format a file name asks for (`hue-2026.zip`, `hue-2026.xlsx`); nil for another extension.
        public init?(fileName: String) {
            guard let f = Self.allCases.first(where: { $0.fileExtension == URL(fileURLWithPath: fileName).pathExtension.lowercased() }) else { return nil }
            self = f
        }
    }

    /// Writes the zip (or workbook) to `url` (replaced); a failure leaves no file.
    @discardableResult
    public func write(year: Int, unit: String, to url: URL, format: FileFormat = .csv, generatedAt: Date = Date(),
                      progress: @Sendable (Int) -> Void = { _ in }, isCancelled: @Sendable () -> Bool = { false }) async throws -> Summary {
        let communes = try communes(unit)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("giamngheo-exchange-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let book = format == .xlsx ? try XLSXWriter() : nil
        // The workbook's first sheet says what each sheet is; its rows are written at the end.
        let intro = try book?.startSheet("Giới thiệu", header: ["Tệp (file)", "Trang tính (sheet)", "Số dòng (rows)", "Mô tả", "Cột (columns)"],
                                         widths: [34, 34, 12, 70, 90])
        var files: [ExchangeFile] = []
        func open(_ name: String, sheet: String, _ columns: [String], _ describe: String, numeric: Set<String> = []) throws -> ExchangeFile {
            let f = try ExchangeFile(dir.appendingPathComponent(name), name: name, columns: columns, description: describe,
                                     book: book.map { ($0, sheet, Set(columns.indices.filter { numeric.contains(columns[$0]) })) },
                                     sheetRows: sheetRows)
            files.append(f)
            return f
        }
        let households = try open("households.csv", sheet: "households", Self.householdColumns, "Hộ gia đình hiện có trong sổ (không gồm hộ đã lưu trữ).",
                                  numeric: ["member_count", "deprived_count", "income_per_capita", "record_version"])
        let members = try open("members.csv", sheet: "members", Self.memberColumns, "Nhân khẩu của các hộ trong households.csv.", numeric: ["birth_year"])
        let recognised = try open("recognised-\(year).csv", sheet: "recognised-\(year)", Self.recognisedColumns,
                                  "Hộ được công nhận trong năm \(year) theo quyết định của Chủ tịch UBND xã (Mẫu số 02), với diễn biến so với năm trước.",
                                  numeric: ["year"])
        var summary = Summary()
        let rows = ExchangeRows(), full = scope.role.seesNationalID
        func id(_ s: String?) -> String { s.map { full ? $0 : Format.maskedID($0) } ?? "" }
        for commune in communes {
            var after: (category: String, id: Int)? = nil
            while true {
                let page = try await rows.households(scope, commune: commune, after: after, on: db)
                guard let last = page.last else { break }
                after = (last.category, last.id)
                for h in page {
                    let facts = JSONText.parse(h.facts)
                    let people = facts?["members"]?.array ?? []
                    let head = people.first { $0["relation"]?.string == "head" }
                    try households.row([h.code, h.commune_code, h.old_commune_code ?? "", h.village ?? "", h.head_name, id(head?["nationalID"]?.string),
                                        String(h.member_count), h.urban.map { $0 ? "urban" : "rural" } ?? "", h.category, h.subtype ?? "",
                                        Self.list(h.deprived), String(h.deprived_count), h.standard,
                                        h.income_per_capita.map(String.init) ?? "", (facts?["causes"]?.array?.compactMap(\.string) ?? []).joined(separator: ";"),
                                        String(h.ethnic_minority_head), String(h.meritorious), String(h.no_working_capacity), String(h.version)])
                    for m in people {
                        try members.row([h.code, m["id"]?.string ?? "", m["name"]?.string ?? "", m["relation"]?.string ?? "", m["birthDate"]?.string ?? "",
                                         m["birthYear"]?.int.map(String.init) ?? "", m["sex"]?.string ?? "", m["ethnicity"]?.string ?? "",
                                         id(m["nationalID"]?.string), m["healthInsurance"]?.bool.map { String($0) } ?? ""])
                        summary.members += 1
                    }
                }
                summary.households += page.count
                progress(summary.households)
                if isCancelled() { throw CancellationError() }
                for r in try await rows.recognised(scope, year: year, households: page, on: db) {
                    try recognised.row([r.code, r.commune, r.village ?? "", String(r.year), r.category, r.transition?.rawValue ?? "", r.previous ?? "",
                                        r.standard, Self.list(r.deprived), r.decidedOn ?? ""])
                    summary.recognised += 1
                }
            }
        }
        // The report forms of the unit, from the summaries, every figure as the report page shows it.
        var reports: [JSON] = []
        let standard = services.reportStandard(year: year)
        for layout in services.reportLayouts {
            let t = try await services.reportData.table(layout, year: year, place: .init(structure: .y2025, unit: unit), scope: scope,
                                                        standard: standard, on: reportDB)
            let f = try open("reports/\(layout.id).csv", sheet: "bieu-" + (layout.number.map { "\($0)" } ?? layout.id), Self.reportKeyColumns + t.columns.map(\.id),
                             "\(layout.number.map { "Biểu \($0). " } ?? "")\(layout.title.vi)\(layout.verified ? "" : " (mẫu biểu chưa xác minh)")"
                             + (book == nil ? "" : ". Cột: " + t.columns.map { "\($0.id) = \($0.group.map { "\($0): " } ?? "")\($0.label)" }.joined(separator: "; ")))
            for r in t.rows {
                try f.row([.text(r.unit), .text(r.name), .text(r.measure.rawValue), .text(r.area?.rawValue ?? ""), .text(String(r.isTotal))] + r.values.map { v -> Cell in
                    switch v {
                    case .count(let n): return .number(n)
                    case .rate: return v.percent.map(Cell.decimal) ?? .empty
                    }
                })
            }
            reports.append(.object([("file", .string(f.name)), ("form", .string(layout.id)), ("number", .text(layout.number)),
                                    ("title", .string(layout.title.vi)), ("verified", .bool(layout.verified)),
                                    ("columns", .array(t.columns.map { .object([("id", .string($0.id)), ("label", .string($0.label)),
                                                                                ("group", .text($0.group)), ("rate", .bool($0.rate != nil))]) }))]))
            summary.reports += 1
        }
        // Forms 14 and 15 (the detailed lists), commune by commune, when the support ledger is on.
        if let support = services.support {
            for kind in [DetailedList.Kind.nearPoor, .poor] {
                let f = try open("lists/\(kind.formNumber)-danh-sach-chi-tiet-\(kind.slug).csv", sheet: "bieu-\(kind.formNumber)", Self.detailedColumns,
                                 "Biểu \(kind.formNumber). \(kind.title) năm \(year) (một dòng mỗi nhân khẩu)", numeric: ["persons", "member_number", "birth_year"])
                for commune in communes {
                    for e in try await support.detailedList(kind, year: year, commune: commune, village: nil, scope: scope,
                                                            localIndigenous: services.localIndigenous, on: reportDB) {
                        let head = [commune, e.village, e.code, e.headName, e.mark?.rawValue ?? "", String(e.meritorious), String(e.localIndigenous),
                                    String(e.noWorkingCapacity), e.supports.map(\.rawValue).sorted().joined(separator: ";"), String(e.persons)]
                        if e.members.isEmpty { try f.row(head + ["", e.headName, "", "", "", ""]) }
                        for m in e.members {
                            try f.row(head + [String(m.number), m.name, m.birthYear.map(String.init) ?? "", m.sex ?? "", m.ethnicity, m.relation])
                        }
                    }
                }
                summary.reports += 1
            }
        }
        for f in files { try f.close() }
        if let book, let intro {
            try writeIntro(book, intro, files: files, year: year, unit: unit, communes: communes, full: full, generatedAt: generatedAt)
            do { try book.finish(to: url, order: [intro] + files.flatMap { $0.sheets.map(\.index) }) } catch {
                try? FileManager.default.removeItem(at: url)
                throw error
            }
            return summary
        }
        let manifest: JSON = .object([
            ("format", .string("giamngheo-exchange")), ("version", .int(1)), ("documentation", .string("docs/exchange.md")),
            ("generatedAt", .string(ISO8601DateFormatter().string(from: generatedAt))), ("generatedBy", .string(scope.username)),
            ("year", .int(year)), ("unit", .string(unit)), ("structure", .string("2025")), ("communes", .array(communes.map(JSON.string))),
            ("nationalIDs", .string(full ? "full" : "masked")), ("encoding", .string("UTF-8 with byte-order mark, CRLF, comma-separated")),
            ("files", .array(files.map { .object([("name", .string($0.name)), ("description", .string($0.description)), ("rows", .int($0.rows)),
                                                 ("sha256", .string($0.sha256)), ("columns", .array($0.columns.map(JSON.string)))]) })),
            ("reports", .array(reports)),
        ])
        try Data(JSONText.encode(manifest).utf8).write(to: dir.appendingPathComponent("manifest.json"))
        try? FileManager.default.removeItem(at: url)
        do {
            let archive = try Archive(url: url, accessMode: .create)
            try archive.addEntry(with: "manifest.json", fileURL: dir.appendingPathComponent("manifest.json"), compressionMethod: .deflate)
            for f in files { try archive.addEntry(with: f.name, fileURL: f.url, compressionMethod: .deflate) }
        } catch {
            try? FileManager.default.removeItem(at: url)
            throw error
        }
        return summary
    }
}

