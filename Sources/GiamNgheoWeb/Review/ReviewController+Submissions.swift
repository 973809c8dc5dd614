import Foundation
import GiamNgheoCore
import GiamNgheoReports
import GiamNgheoStorage
import Vapor

/// Phone submissions into a round (issue 21 §2): the export uploaded, checked (every submission's outcome, every
/// problem by row and field, the conflicts to choose), then committed all together or not at all. The upload waits
/// in a folder of its own, named by a token only its uploader's commit may use.
extension ReviewController {
    struct SubmissionUpload: Content { var files: [File] }

    func uploadSubmissions(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        guard let id = req.parameters.get("id", as: Int.self) else { throw AccessError.notFound }
        let upload: SubmissionUpload
        do { upload = try req.content.decode(SubmissionUpload.self) } catch {
            throw ValidationError("upload.none", field: "files", vi: "Chưa chọn tệp để tải lên.", en: "No file was chosen for upload.")
        }
        let files = upload.files.filter { $0.data.readableBytes > 0 }
        guard !files.isEmpty else { throw ValidationError("upload.empty", field: "files", vi: "Tệp tải lên trống.", en: "The uploaded file is empty.") }
        Self.removeAbandonedUploads()
        let token = UUID().uuidString
        let dir = TemporaryFiles.url("survey-\(token)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(scope.username.utf8).write(to: dir.appendingPathComponent(".owner"))
        for (i, f) in files.enumerated() {
            let safe = String(f.filename.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" ? $0 : "_" }.suffix(80))
            try Data(buffer: f.data).write(to: dir.appendingPathComponent("\(i)-\(safe)"))
        }
        return try await submissionsPage(req, scope, roundID: id, token: token, choices: [:], commit: false)
    }

    /// Uploads checked but never committed, a day on: a server runs for months, and each holds an export.
    static func removeAbandonedUploads(olderThan age: TimeInterval = 86_400, now: Date = Date()) {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: TemporaryFiles.directory.path)) ?? [] where name.hasPrefix("survey-") {
            let url = TemporaryFiles.url(name)
            if let made = (try? fm.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date, now.timeIntervalSince(made) > age {
                try? fm.removeItem(at: url)
            }
        }
    }

    func commitSubmissions(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        guard let id = req.parameters.get("id", as: Int.self) else { throw AccessError.notFound }
        let f = req.formFields().single
        var choices: [String: String] = [:]
        for (k, v) in f where k.hasPrefix("choice.") { choices[String(k.dropFirst(7))] = v }
        return try await submissionsPage(req, scope, roundID: id, token: f["token"] ?? "", choices: choices, commit: true, fingerprint: f["fingerprint"])
    }

    /// The staged files of `token`, when they are this user's.
    func stagedSubmissions(_ token: String, _ scope: Scope) throws -> (tables: [SurveyExport.Table], notes: [ImportIssue]) {
        guard UUID(uuidString: token) != nil else { throw AccessError.notFound }
        let dir = TemporaryFiles.url("survey-\(token)")
        guard let owner = try? String(contentsOf: dir.appendingPathComponent(".owner"), encoding: .utf8), owner == scope.username else {
            throw ValidationError("upload.gone", vi: "Tệp đã tải lên không còn (quá hạn hoặc không phải của bạn): hãy tải lên lại.", en: "The upload is gone: upload again.")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix(".") }.sorted()
        do {
            return try SurveyExportFile.tables(names.map { (String($0.drop { $0 != "-" }.dropFirst()), dir.appendingPathComponent($0)) })
        } catch let e as SpreadsheetError {
            throw ValidationError("upload.read", field: "files", vi: "Không đọc được tệp: \(e.description)", en: "The file could not be read: \(e.description)")
        }
    }

    func submissionsPage(_ req: Request, _ scope: Scope, roundID: Int, token: String, choices: [String: String], commit: Bool,
                         fingerprint: String? = nil) async throws -> Response {
        let services = req.application.registry
        let round = try await services.reviews.round(scope, id: roundID, on: req.db)
        let (tables, notes) = try stagedSubmissions(token, scope)
        let read = SurveyExport.read(tables)
        var report: ReviewStore.SurveyImportReport
        var refusal: String?
        do {
            report = try await services.reviews.importSurvey(scope, roundID: roundID, submissions: read.submissions, issues: notes + read.issues,
                                                             choices: choices, commit: commit, expectedFingerprint: fingerprint,
                                                             today: services.referenceDate, on: req.db)
        } catch let e as ValidationError where commit {
            refusal = e.message.vi
            report = try await services.reviews.importSurvey(scope, roundID: roundID, submissions: read.submissions, issues: notes + read.issues,
                                                             choices: choices, commit: false, today: services.referenceDate, on: req.db)
        }
        if report.committed { try? FileManager.default.removeItem(at: TemporaryFiles.url("survey-\(token)")) }
        let page = submissionsReport(req, round, report, token: token, choices: choices, refusal: refusal)
        return try await page.encodeResponse(status: refusal == nil ? .ok : .unprocessableEntity, for: req)
    }

    func submissionsReport(_ req: Request, _ round: ReviewRound, _ r: ReviewStore.SurveyImportReport, token: String,
                           choices: [String: String], refusal: String?) -> HTML {
        let label: [ReviewStore.SurveyLine.Outcome: String] = [.draft: "Nháp mới", .unchanged: "Không đổi", .kept: "Giữ phiếu đang có",
                                                              .conflict: "Cần chọn", .error: "Lỗi"]
        let rows: [HTML] = r.lines.map { l in
            """
            <tr class="\(l.outcome == .error ? "error" : "")"><td>Phiếu \(l.form)</td><td>\(l.household)</td><td>\(l.sheet), dòng \(l.row)</td>
            <td class="hide-sm">\(l.instanceID)</td><td>\(l.enumerator ?? "") \(l.surveyedOn.flatMap(CivilDate.init)?.vietnamese ?? "")</td>
            <td><b>\(label[l.outcome] ?? "")</b></td><td>\(l.message)</td></tr>
            """
        }
        let issues: [HTML] = r.issues.map { "<li>\($0.text)</li>" }
        let conflicts: [HTML] = r.conflicts.map { key, lines in
            let options: [HTML] = lines.map { l in
                "<label><input type=\"radio\" name=\"choice.\(key)\" value=\"\(l.instanceID)\" \(choices[key] == l.instanceID ? "checked" : "")> Dùng phiếu \(l.instanceID) (\(l.enumerator ?? "?"), \(l.surveyedOn.flatMap(CivilDate.init)?.vietnamese ?? "?"))</label>"
            }
            return """
            <fieldset><legend>Phiếu \(lines[0].form), hộ \(lines[0].household): \(lines[0].message)</legend>
            \(options)<label><input type="radio" name="choice.\(key)" value="keep" \(choices[key] == "keep" ? "checked" : "")> Giữ phiếu đang có</label></fieldset>
            """
        }
        let canAct = !r.committed && r.errors == 0 && (r.drafts > 0 || !r.conflicts.isEmpty)
        let summary: HTML = r.committed
            ? "Đã ghi \(r.drafts) phiếu nháp (\(r.unchanged) không đổi). Mở từng hộ trong vòng rà soát để kiểm tra và hoàn thành phiếu, như phiếu nhập trên web."
            : "Chưa ghi gì: \(r.drafts) phiếu sẽ thành nháp, \(r.unchanged) không đổi, \(r.conflicts.count) hộ cần chọn, \(r.errors) lỗi."
        return Layout.page(req, title: "Phiếu từ điện thoại", """
        <h1>Phiếu từ điện thoại\(r.committed ? ": đã ghi" : ": kiểm tra trước khi ghi")</h1>
        <p class="muted"><a href="\(Path.review(round.id!))">Về vòng rà soát</a>. \(summary)</p>
        \(refusal.map { HTML("<div class=\"flash error\" role=\"alert\">\($0)</div>") } ?? "")
        \(issues.isEmpty ? "" : HTML("<h2>Vấn đề của tệp</h2><ul>\(issues)</ul>"))
        \(canAct ? HTML("""
        <form method="post" action="\(Path.review(round.id!, "submissions", "commit"))">
          \(req.csrfField)
          <input type="hidden" name="token" value="\(token)"><input type="hidden" name="fingerprint" value="\(r.fingerprint)">
          \(conflicts.isEmpty ? "" : HTML("<h2>Hộ có phiếu trùng: chọn phiếu dùng</h2>\(conflicts)"))
          <p><button class="primary" type="submit">Ghi \(r.drafts > 0 ? "\(r.drafts) " : "")phiếu nháp</button></p>
        </form>
        """) : r.committed ? "" : HTML("<p><b>\(r.refusal)</b></p>"))
        <div class="scroll"><table><thead><tr><th>Phiếu</th><th>Hộ</th><th>Vị trí trong tệp</th><th class="hide-sm">Mã bản ghi</th><th>Rà soát viên, ngày</th><th>Kết quả</th><th>Chi tiết</th></tr></thead>
        <tbody>\(rows.isEmpty ? [HTML("<tr><td colspan=\"7\">Tệp không có phiếu nào.</td></tr>")] : rows)</tbody></table></div>
        """)
    }
}
