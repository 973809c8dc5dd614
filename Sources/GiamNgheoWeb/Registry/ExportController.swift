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
                    req.logger.error("xuất danh sách: \(OperatorMessage.describe(error))")
                    try await writer.write(.error(error))
                }
            }))
        }
        // xlsx: both sheets (households and their members) in one workbook, built on disk, then streamed.
        let file = TemporaryFiles.url("export-\(UUID().uuidString).xlsx")
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
