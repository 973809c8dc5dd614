import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import Vapor

/// The list page's download buttons (issue "Excel and CSV in and out", item 5): a list up to
/// `AppConfig.exportInlineRows` households downloads at once; a longer one is written in the background while the page shows the
/// percentage, rows and time left, and can be cancelled (its partial file is removed).
struct ExportJobController: Feature {
    func boot(routes: any RoutesBuilder) throws {
        let r = routes.access(.signedIn)
        r.post("exports", use: start)
        r.get("exports", ":id", use: show)
        r.get("exports", ":id", "progress", use: progress)
        r.get("exports", ":id", "file", use: file)
        r.post("exports", ":id", "cancel", use: cancel)
    }

    func start(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        let choice = (try? req.content.get(String.self, at: "choice")) ?? "csv-households"
        let parts = choice.split(separator: "-").map(String.init)
        guard parts.count == 2, let format = HouseholdExport.Format(rawValue: parts[0]), let what = HouseholdExport.What(rawValue: parts[1]) else {
            throw ValidationError("export.format", field: "format", vi: "Định dạng xuất phải là csv hoặc xlsx; nội dung là households hoặc members.", en: "The export format must be csv or xlsx; the content households or members.")
        }
        let app = req.application
        let source = HouseholdExport(scope: scope, query: HouseholdController.query(req), services: app.registry, db: app.db)
        let total = try await source.total()
        let filters = (req.url.query.map { "?" + $0 + "&" } ?? "?") + "format=\(format.rawValue)&what=\(what.rawValue)"
        if total <= app.registry.exportInlineRows { return req.redirect(to: Path.householdExport + filters) }
        let id = UUID().uuidString
        let file = TemporaryFiles.url("export-\(id).\(format.rawValue)")
        let noun = what == .members ? ("nhân khẩu", "members") : ("hộ gia đình", "households")
        let label = format == .xlsx ? "Excel" : "CSV"
        let audit = ExportController.audit(req, scope: scope, format: format, what: what, on: app.db)
        app.exportJobs.run(id, ExportJobs.Job(owner: scope.username, title: ("Xuất danh sách \(noun.0) (\(label))", "Export of \(noun.1) (\(label))"),
                                              media: format == .csv ? HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"]) : .spreadsheet,
                                              back: (Path.households, "Về danh sách hộ", "Back to the household list"),
                                              total: total, file: file, filename: source.filename(format, what)), logger: req.logger) { progress, isCancelled in
            let n = try await source.write(format, what, to: file, progress: progress, isCancelled: isCancelled)
            try await audit(n)
            return n
        }
        return req.redirect(to: Path.exportJob(id))
    }

    /// The caller's own job; anyone else's is "not found".
    func job(_ req: Request) throws -> (String, ExportJobs.Job) {
        let scope = try req.checkedScope
        let id = try req.parameters.require("id")
        guard let j = req.application.exportJobs.get(id), j.owner == scope.username else { throw AccessError.notFound }
        return (id, j)
    }

    func show(req: Request) async throws -> HTML {
        let (id, j) = try job(req)
        let head: HTML = "<h1>\(req.t(j.title.vi, j.title.en))</h1>"
        let back: HTML = "<p><a href=\"\(j.back.path)\">\(req.t(j.back.vi, j.back.en))</a></p>"
        let body: HTML
        if j.cancelled && j.done {
            body = "<p class=\"card\">\(req.t("Đã huỷ; không giữ lại tệp nào.", "Cancelled; no file was kept."))</p>\(back)"
        } else if let f = j.failed {
            body = "<p class=\"error\" role=\"alert\">\(f)</p>\(back)"
        } else if j.done {
            body = """
            <div class="card"><p>\(req.t("Tệp đã sẵn sàng", "The file is ready")): \(Format.money(j.rows)) \(req.t("hộ", "households")).</p>
            <p><a class="button primary" href="\(Path.exportJob(id, "file"))" download>\(req.t("Tải", "Download")) \(j.filename)</a></p>
            <p class="muted">\(req.t("Tệp được giữ trong một giờ, chỉ cho tài khoản của bạn.", "The file is kept for an hour, for your account only."))</p></div>
            \(back)
            """
        } else {
            body = """
            <div class="card" data-progress="\(Path.exportJob(id, "progress"))">
              <p><b data-phase>\(req.t("Đang xuất", "Exporting"))</b>: <span data-rows>\(j.rows)</span> / \(Format.money(j.total)) \(req.t("hộ", "households")) · <span data-left></span></p>
              <progress max="100" value="\(j.total > 0 ? j.rows * 100 / j.total : 0)" class="w-full"></progress>
              <form method="post" action="\(Path.exportJob(id, "cancel"))" class="noprint">\(req.csrfField)
              <button type="submit">\(req.t("Huỷ", "Cancel"))</button></form>
            </div>
            """
        }
        return Layout.page(req, title: req.t("Xuất danh sách", "Export"), "\(head)\(body)")
    }

    func progress(req: Request) async throws -> Response {
        let (_, j) = try job(req)
        guard !j.done else { return try ProgressReply.done() }
        return try ProgressReply.running(phase: j.cancelled ? "Đang huỷ" : "Đang xuất", rows: j.rows,
                                         fraction: j.total > 0 ? Double(j.rows) / Double(j.total) : 0, started: j.started)
    }

    func cancel(req: Request) async throws -> Response {
        let (id, j) = try job(req)
        req.application.exportJobs.update(id) { $0.cancelled = true }
        // Finished already: the file is not wanted any more.
        if j.done { try? FileManager.default.removeItem(at: j.file) }
        return req.redirect(to: Path.exportJob(id))
    }

    func file(req: Request) async throws -> Response {
        let (_, j) = try job(req)
        guard j.done, j.failed == nil, !j.cancelled, FileManager.default.fileExists(atPath: j.file.path) else { throw AccessError.notFound }
        let res = try await req.fileio.asyncStreamFile(at: j.file.path, mediaType: j.media)
        res.headers.contentDisposition = .init(.attachment, filename: j.filename)
        return res
    }
}
