import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import Vapor

extension ReportController {
    /// The year's exchange files of the page's unit (docs/exchange.md), as one zip of CSVs or (`format=xlsx`) one
    /// workbook. Up to `exportInlineRows` households the file comes at once; a bigger unit (a province, 800,000
    /// households, about 90 s) is written in the background with the export page's progress and cancel, started only
    /// by the form's POST (a link cannot start it).
    func exchange(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        let services = req.application.registry
        let year = req.query[Int.self, at: "year"] ?? services.store.summaryYear
        let unit = try req.reportPlace(allowed: [.y2025]).unit
        let format: ExchangePackage.FileFormat = req.query[String.self, at: "format"] == "xlsx" ? .xlsx : .csv
        let ext = format.fileExtension
        let package = ExchangePackage(scope: scope, services: services, db: req.db, reportDB: req.reportDB)
        let filename = "giamngheo-trao-doi-\(year)-\(unit.isEmpty ? "toan-bo" : unit).\(ext)"
        let media = format == .xlsx ? HTTPMediaType.spreadsheet : HTTPMediaType(type: "application", subType: "zip")
        let total = try await package.households(unit: unit)
        if total > services.exportInlineRows {
            guard req.method == .POST else { return try await confirm(req, total: total).encodeResponse(for: req) }   // a link starts nothing
            let id = UUID().uuidString, file = TemporaryFiles.url("exchange-\(id).\(ext)"), db = req.application.db
            let back = Path.reports + "?year=\(year)&unit=\(unit)"
            req.application.exportJobs.run(id, ExportJobs.Job(owner: scope.username, title: ("Tệp trao đổi dữ liệu năm \(year) (.\(ext))", "Exchange files \(year) (.\(ext))"),
                                                              media: media, back: (back, "Về báo cáo", "Back to the reports"), total: total,
                                                              file: file, filename: filename), logger: req.logger) { progress, isCancelled in
                let package = ExchangePackage(scope: scope, services: services, db: db)
                let s = try await package.write(year: year, unit: unit, to: file, format: format, progress: progress, isCancelled: isCancelled)
                try await package.audit(s, year: year, unit: unit, format: format, on: db)
                return s.households
            }
            return req.redirect(to: Path.exportJob(id))
        }
        let file = TemporaryFiles.url("exchange-\(UUID().uuidString).\(ext)")
        try await package.audit(try await package.write(year: year, unit: unit, to: file, format: format), year: year, unit: unit, format: format, on: req.db)
        let res = try await req.fileio.asyncStreamFile(at: file.path, mediaType: media) { _ in
            try? FileManager.default.removeItem(at: file)
        }
        res.headers.contentDisposition = .init(.attachment, filename: filename)
        return res
    }

    /// A big unit's files reached by a link: the button that starts them in the background.
    func confirm(_ req: Request, total: Int) -> HTML {
        Layout.page(req, title: "Tệp trao đổi dữ liệu", """
        <h1>Tệp trao đổi dữ liệu</h1>
        <div class="card"><p>\(Format.money(total)) hộ: tệp được lập trong nền (vài phút); trang sau cho biết tiến độ và cho huỷ.</p>
        <form method="post" action="/reports/exchange?\(req.url.query ?? "")">\(req.csrfField)
        <button class="primary" type="submit">Lập tệp</button></form></div>
        """)
    }
}
