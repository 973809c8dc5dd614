import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoReports
import GiamNgheoStorage
import Vapor

/// Household lists and their members as CSV or xlsx, with the list's own filters and scope, read a page of
/// 1,000 at a time (CSV streams as it is read; xlsx is built on disk and then streamed), so memory stays flat.
/// National ID numbers and birth dates are masked unless the role needs them; every export is audited.
struct ExportController: Feature {
    func boot(routes: any RoutesBuilder) throws {
        routes.access(.signedIn).get("households", "export", use: export)
    }

    func export(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        guard let format = HouseholdExport.Format(rawValue: req.query[String.self, at: "format"] ?? "csv"),
              let what = HouseholdExport.What(rawValue: req.query[String.self, at: "what"] ?? "households") else {
            throw ValidationError("export.format", field: "format", vi: "Định dạng xuất phải là csv hoặc xlsx; nội dung là households hoặc members.", en: "The export format must be csv or xlsx; the content households or members.")
        }
        let query = HouseholdController.query(req)
        // Another commune's list is refused before a byte is sent (a streamed body cannot change its status).
        if let c = query.commune, !scope.allows(commune: c) { throw AccessError.forbidden }
        let source = HouseholdExport(scope: scope, query: query, services: req.application.registry, db: req.db)
        let name = source.filename(format, what)
        let audit = Self.audit(req, scope: scope, format: format, what: what, on: req.db)
        if format == .csv {
            return Response(status: .ok, headers: SheetResponse.csvHeaders(name), body: .init(asyncStream: { writer in
                do {
                    try await writer.writeBuffer(ByteBuffer(string: HouseholdExport.csvHeader(what)))
                    let n = try await source.pages { rows in
                        try await writer.writeBuffer(ByteBuffer(string: source.csvLines(rows, what)))
                    }
                    try await audit(n)
                    try await writer.write(.end)
                } catch {
                    req.logger.report(error: error)
                    try await writer.write(.error(error))
                }
            }))
        }
        // xlsx: both sheets (households and their members) in one workbook, built on disk, then streamed.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("giamngheo-export-\(UUID().uuidString).xlsx")
        let n = try await source.write(.xlsx, what, to: file)
        try await audit(n)
        return try await SheetResponse.xlsx(req, file, filename: name)
    }

    /// Every export is in the audit trail: who, what, how many households, with which filters.
    /// `db`: the application's for an export that outlives its request.
    static func audit(_ req: Request, scope: Scope, format: HouseholdExport.Format, what: HouseholdExport.What,
                      on db: any Database) -> @Sendable (Int) async throws -> Void {
        let filters = req.url.query ?? ""
        return { n in
            try await AuditEntry(username: scope.username, householdID: nil, action: "export", field: "\(format.rawValue) \(what.rawValue)",
                                 newValue: "\(n) hộ", reason: filters.isEmpty ? nil : filters).create(on: db)
        }
    }
}

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
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("giamngheo-template-\(UUID().uuidString).xlsx")
        try xlsx.finish(to: file)
        return try await SheetResponse.xlsx(req, file, filename: "mau-nhap-ho-gia-dinh.xlsx")
    }
}

/// One sheet of rows as a download: CSV for Excel (BOM, CRLF) or xlsx written to disk and streamed.
enum SheetResponse {
    static func make(_ req: Request, format: String, name: String, sheet: String, header: [String], rows: [[Cell]]) async throws -> Response {
        switch format {
        case "csv":
            var body = CSVWriter.byteOrderMark + CSVWriter.line(header.map { .text($0) })
            for r in rows { body += CSVWriter.line(r) }
            return csv(body, filename: name + ".csv")
        case "xlsx":
            let xlsx = try XLSXWriter()
            let i = try xlsx.startSheet(String(sheet.prefix(31)), header: header, widths: header.map { max(8, min(32, $0.count + 4)) })
            for r in rows { try xlsx.append(r, to: i) }
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("giamngheo-sheet-\(UUID().uuidString).xlsx")
            try xlsx.finish(to: file)
            return try await Self.xlsx(req, file, filename: name + ".xlsx")
        default:
            throw ValidationError("format", field: "format", vi: "Định dạng phải là csv hoặc xlsx.", en: "The format must be csv or xlsx.")
        }
    }

    /// A CSV download for Excel (UTF-8; the body starts with its BOM).
    static func csvHeaders(_ filename: String) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.contentDisposition = .init(.attachment, filename: filename)
        return headers
    }

    static func csv(_ body: String, filename: String) -> Response {
        Response(status: .ok, headers: csvHeaders(filename), body: .init(string: body))
    }

    /// An xlsx written to a temporary file, streamed, then removed.
    static func xlsx(_ req: Request, _ file: URL, filename: String) async throws -> Response {
        let res = try await req.fileio.asyncStreamFile(at: file.path, mediaType: HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                                                       onCompleted: { _ in try? FileManager.default.removeItem(at: file) })
        res.headers.contentDisposition = .init(.attachment, filename: filename)
        return res
    }
}

/// A household list (its scope and filters) as rows of cells, read 1,000 households at a time; shared by
/// the streamed download, the background export with progress, and `giamngheo export`.
public struct HouseholdExport: Sendable {
    public enum Format: String, Sendable, CaseIterable { case csv, xlsx }
    public enum What: String, Sendable, CaseIterable { case households, members }

    static let householdHeader = ["Mã hộ", "Chủ hộ", "Số CCCD chủ hộ", "Xã/phường", "Thôn/tổ", "Số nhân khẩu", "Phân loại",
                                  "Chỉ số thiếu hụt", "Thu nhập bình quân (đồng/người/tháng)", "Nguyên nhân nghèo"]
    static let memberHeader = ["Mã hộ", "Họ và tên", "Quan hệ với chủ hộ", "Ngày sinh", "Giới tính", "Dân tộc", "Số CCCD", "Có BHYT"]

    /// Only what the export shows, read from the stored facts: the full parser's checks cost more than the
    /// rest of the export together (200,000 households: 1,884 rows/s with it), and so did Foundation's
    /// JSONDecoder (40 % of an export), hence `JSONText.parse`.
    struct Facts: Sendable {
        struct Person: Sendable {
            var name: String?, nationalID: String?, birthDate: String?, birthYear: Int?, relation: String?
            var sex: String?, ethnicity: String?, healthInsurance: Bool?
        }
        var incomePerCapita: Int?
        var causes: [String]?
        var members: [Person]?

        init?(json: String) {
            guard let v = JSONText.parse(json) else { return nil }
            incomePerCapita = v["incomePerCapita"]?.int
            causes = v["causes"]?.array?.compactMap(\.string)
            members = v["members"]?.array?.map { m in
                Person(name: m["name"]?.string, nationalID: m["nationalID"]?.string, birthDate: m["birthDate"]?.string,
                       birthYear: m["birthYear"]?.int, relation: m["relation"]?.string, sex: m["sex"]?.string,
                       ethnicity: m["ethnicity"]?.string, healthInsurance: m["healthInsurance"]?.bool)
            }
        }
    }

    let scope: Scope
    let query: HouseholdQuery
    let services: RegistryServices
    let db: any Database
    let full: Bool

    public init(scope: Scope, query: HouseholdQuery, services: RegistryServices, db: any Database) {
        self.scope = scope; self.query = query; self.services = services; self.db = db; full = scope.role.seesNationalID
    }

    public func total() async throws -> Int { try await services.store.count(scope, query, on: db) }

    public func filename(_ format: Format, _ what: What) -> String {
        "giamngheo-\(what == .members ? "nhan-khau" : "ho")-\(services.referenceDate.description).\(format.rawValue)"
    }

    /// The whole list to a file: CSV of households or members, or one workbook with both sheets. A cancelled
    /// or failed export removes its partial file.
    @discardableResult
    public func write(_ format: Format, _ what: What, to url: URL, progress: @Sendable (Int) -> Void = { _ in },
                      isCancelled: @Sendable () -> Bool = { false }) async throws -> Int {
        do {
            switch format {
            case .csv:
                FileManager.default.createFile(atPath: url.path, contents: nil)
                let handle = try FileHandle(forWritingTo: url)
                defer { try? handle.close() }
                try handle.write(contentsOf: Data(Self.csvHeader(what).utf8))
                var done = 0
                return try await pages { rows in
                    if isCancelled() { throw CancellationError() }
                    try handle.write(contentsOf: Data(csvLines(rows, what).utf8))
                    done += rows.count
                    progress(done)
                }
            case .xlsx:
                let xlsx = try XLSXWriter()
                let householdSheet = try xlsx.startSheet("Hộ gia đình", header: Self.householdHeader, widths: [14, 26, 16, 22, 18, 8, 22, 18, 14, 30])
                let memberSheet = try xlsx.startSheet("Nhân khẩu", header: Self.memberHeader, widths: [14, 26, 14, 12, 8, 12, 16, 8])
                var done = 0
                let n = try await pages { rows in
                    if isCancelled() { throw CancellationError() }
                    for (r, h) in rows {
                        try xlsx.append(household(r, h), to: householdSheet)
                        for m in members(r, h) { try xlsx.append(m, to: memberSheet) }
                    }
                    done += rows.count
                    progress(done)
                }
                try xlsx.finish(to: url)
                return n
            }
        } catch {
            try? FileManager.default.removeItem(at: url)
            throw error
        }
    }

    /// Every household the filters select, page by page, with its facts. The next page is read (and its facts
    /// parsed) on its own task while `body` formats this one: two cores, half the time.
    func pages(_ body: ([(HouseholdListRow, Facts?)]) async throws -> Void) async throws -> Int {
        var q = query, count = 0
        q.after = nil; q.limit = 1000
        let first = q
        var reading: Task<Page, any Error>? = Task { try await fetch(first) }
        do {
            while let task = reading {
                let page = try await task.value
                if let next = page.next {
                    q.after = next
                    let following = q
                    reading = Task { try await fetch(following) }
                } else { reading = nil }
                guard !page.rows.isEmpty else { break }
                try await body(page.rows)
                count += page.rows.count
            }
        } catch {
            _ = try? await reading?.value
            throw error
        }
        return count
    }

    struct Page: Sendable { var rows: [(HouseholdListRow, Facts?)]; var next: (sortKey: String, id: Int)? }

    func fetch(_ q: HouseholdQuery) async throws -> Page {
        let page = try await services.store.list(scope, q, on: db)
        guard !page.rows.isEmpty else { return Page(rows: [], next: nil) }
        var byID: [Int: Facts] = [:]
        for (id, json) in try await services.store.facts(scope, ids: page.rows.map(\.id), on: db) { byID[id] = Facts(json: json) }
        return Page(rows: page.rows.map { r in (r, byID[r.id]) }, next: page.next)
    }

    /// The CSV's first line (with the byte-order mark Excel needs to read UTF-8).
    static func csvHeader(_ what: What) -> String {
        CSVWriter.byteOrderMark + CSVWriter.line((what == .members ? memberHeader : householdHeader).map { .text($0) })
    }

    /// A page as CSV lines: one per household, or one per member.
    func csvLines(_ rows: [(HouseholdListRow, Facts?)], _ what: What) -> String {
        var out = ""
        for (r, h) in rows {
            if what == .members { for m in members(r, h) { out += CSVWriter.line(m) } } else { out += CSVWriter.line(household(r, h)) }
        }
        return out
    }

    func household(_ r: HouseholdListRow, _ h: Facts?) -> [Cell] {
        let head = h?.members?.first { $0.relation == "head" } ?? h?.members?.first
        let causes = (h?.causes ?? []).map { c in BundledData.povertyCauses.first { $0.code == c }?.vi ?? c }.joined(separator: "; ")
        return [.text(r.code), .text(r.headName), id(head?.nationalID), .text(services.units.unit(r.communeCode)?.name ?? r.communeCode),
                .text(r.village ?? ""), .number(r.memberCount), .text(Self.category(r.category)),
                .text(r.deprived.split(separator: ",").joined(separator: " ")), h?.incomePerCapita.map { .number($0) } ?? .empty, .text(causes)]
    }

    func members(_ r: HouseholdListRow, _ h: Facts?) -> [[Cell]] {
        (h?.members ?? []).map { m in
            let born: Cell
            if let d = m.birthDate.flatMap({ CivilDate($0) }) { born = full ? .date(d) : .text("**/**/\(d.year)") } else { born = m.birthYear.map { .number($0) } ?? .empty }
            return [.text(r.code), .text(m.name ?? ""), .text(m.relation.map { Vocabulary.label(.relation, $0) } ?? ""), born,
                    .text(m.sex.map { Vocabulary.label(.sex, $0) } ?? ""), .text(m.ethnicity.flatMap { BundledData.ethnicGroups.group($0)?.name } ?? ""),
                    id(m.nationalID), .text(m.healthInsurance.map { $0 ? "có" : "không" } ?? "")]
        }
    }

    func id(_ s: String?) -> Cell { s.map { .text(Layout.maskedID($0, reveal: full)) } ?? .empty }

    static func category(_ c: String) -> String {
        c == HouseholdRecord.incomplete ? "Chưa đủ thông tin" : Category(rawValue: c)?.vietnamese ?? c
    }
}
