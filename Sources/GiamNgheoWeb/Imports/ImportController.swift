import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoReports
import GiamNgheoStorage
import Vapor

/// The staged import in the browser: upload → dry run (counts, every problem by sheet/row/column/value,
/// duplicates to adjudicate) → commit in one transaction. Small files run within the request; larger ones
/// run in the background with a progress bar and a cancel button.
struct ImportController: Feature {
    var navigation: [NavEntry] {
        [
            NavEntry(order: 90, path: Path.imports, vi: "Nhập tệp", en: "Import", access: .write),
        ]
    }

    func boot(routes: any RoutesBuilder) throws {
        let write = routes.access(.write)
        write.get("imports", use: list)
        write.on(.POST, "imports", body: .collect(maxSize: ByteCount(value: Self.uploadLimit)), use: upload)
        let r = routes.access(.signedIn)
        r.post("imports", "thresholds", use: setThresholds)
        r.get("imports", ":id", use: show)
        r.get("imports", ":id", "progress", use: progress)
        r.get("imports", ":id", "file", use: file)
        r.get("imports", ":id", "issues.csv", use: issuesCSV)
        r.post("imports", ":id", "commit", use: commit)
        r.post("imports", ":id", "cancel", use: cancel)
        r.post("imports", ":id", "decide", use: decide)
        r.post("imports", ":id", "recheck", use: recheck)
    }

    /// Files up to this size are checked and committed within the request.
    static let inlineBytes: Int64 = 2 << 20
    /// The browser upload limit; larger files go through `giamngheo import`.
    static let uploadLimit = 100 << 20

    func batches(_ req: Request) -> ImportBatches { ImportBatches(gate: req.application.registry.store.gate) }

    func list(req: Request) async throws -> HTML {
        let scope = try req.checkedScope
        let recent = try await batches(req).recent(scope, on: req.db)
        let rows: [HTML] = recent.map { b in
            """
            <tr><td><a href="\(Path.importBatch(b.id))">#\(b.id)</a></td><td>\(b.fileName)</td><td>\(Self.date(b.createdAt))</td><td>\(b.createdBy)</td>
            <td>\(Self.statusText(b.status))</td><td>\(b.report.new)</td><td>\(b.report.changed)</td><td>\(b.report.errors)</td></tr>
            """
        }
        var thresholds: HTML = ""
        if scope.role == .admin {
            let t = try await batches(req).thresholds(on: req.db)
            thresholds = """
            <h2>Ngưỡng phát hiện trùng người (quản trị)</h2>
            <form method="post" action="\(Path.importThresholds)" class="filters noprint">
              \(req.csrfField)
              <label>Có thể trùng từ (0–1)<input name="possible" value="\(t.possible)" inputmode="decimal" size="5"></label>
              <label>Chắc chắn trùng từ (0–1)<input name="certain" value="\(t.certain)" inputmode="decimal" size="5"></label>
              <label>Huỷ cả tệp khi tỉ lệ dòng trùng vượt (0–1)<input name="abortShare" value="\(t.abortShare)" inputmode="decimal" size="5"></label>
              <button type="submit">Lưu ngưỡng</button>
            </form>
            <p class="muted">Điểm giống nhau của họ tên (bỏ dấu) giữa hai người cùng ngày sinh, cùng thôn. "Chắc chắn" thì dòng bị giữ lại như trùng;
            "có thể" thì cán bộ xác định cùng người hay khác người.</p>
            """
        }
        return Layout.page(req, title: "Nhập từ Excel/CSV", """
        <h1>Nhập hộ gia đình từ Excel hoặc CSV</h1>
        <div class="card">
        <p>Tải lên tệp Excel (.xlsx) có trang <b>Hộ gia đình</b> và trang <b>Nhân khẩu</b>, hoặc tệp CSV hộ (kèm tệp CSV nhân khẩu nếu có).
        Hệ thống <b>chỉ kiểm tra</b> trước: chưa có gì được ghi vào sổ hộ cho tới khi bạn xem kết quả và bấm "Ghi vào sổ hộ".
        Nhập lại cùng một tệp không thay đổi gì. Dùng <a href="\(Path.householdTemplate)">tệp mẫu (.xlsx)</a> hoặc mẫu CSV
        (<a href="\(Path.householdTemplate)?format=csv&amp;sheet=households">hộ</a>, <a href="\(Path.householdTemplate)?format=csv&amp;sheet=members">nhân khẩu</a>).</p>
        <form method="post" action="\(Path.imports)" enctype="multipart/form-data" class="filters">
          \(req.csrfField)
          <label>Tệp hộ gia đình (.xlsx hoặc .csv)<input type="file" name="file" accept=".xlsx,.csv,text/csv" required></label>
          <label>Tệp nhân khẩu (.csv, nếu tệp hộ là CSV)<input type="file" name="members" accept=".csv,text/csv"></label>
          <button class="primary" type="submit">Tải lên và kiểm tra</button>
        </form>
        <p class="muted">Tối đa \(Self.uploadLimit >> 20) MB qua trình duyệt; tệp lớn hơn (cả tỉnh) dùng lệnh <code>giamngheo import</code>.</p>
        </div>
        <h2>Các lần nhập gần đây</h2>
        <div class="scroll"><table><thead><tr><th>Lô</th><th>Tệp</th><th>Lúc</th><th>Người tải</th><th>Trạng thái</th><th>Mới</th><th>Thay đổi</th><th>Lỗi</th></tr></thead>
        <tbody>\(rows.isEmpty ? ["<tr><td colspan=\"8\" class=\"muted\">Chưa có lần nhập nào.</td></tr>"] : rows)</tbody></table></div>
        \(thresholds)
        """)
    }

    static func statusText(_ s: String) -> String {
        switch s {
        case "checking": "Đang kiểm tra"
        case "checked": "Đã kiểm tra (chưa ghi)"
        case "committing": "Đang ghi"
        case "committed": "Đã ghi vào sổ hộ"
        case "cancelled": "Đã huỷ"
        case "failed": "Không đọc được"
        default: s
        }
    }

    static func date(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "vi_VN"); f.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh"); f.dateFormat = "dd/MM/yyyy HH:mm"
        return f.string(from: d)
    }

    struct Upload: Content { var file: File; var members: File? }

    func upload(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        let form: Upload
        do { form = try req.content.decode(Upload.self) } catch {
            throw ValidationError("upload.none", field: "file", vi: "Chưa chọn tệp để tải lên.", en: "No file was chosen for upload.")
        }
        guard form.file.data.readableBytes > 0 else { throw ValidationError("upload.empty", field: "file", vi: "Tệp '\(form.file.filename)' trống (0 byte).", en: "File '\(form.file.filename)' is empty (0 bytes).") }
        let dir = req.application.registry.importDirectory
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func save(_ f: File) throws -> URL {
            let safe = f.filename.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" ? $0 : "_" }
            let url = URL(fileURLWithPath: dir).appendingPathComponent("\(UUID().uuidString.prefix(8))-\(String(safe.suffix(80)))")
            guard FileManager.default.createFile(atPath: url.path, contents: Data(buffer: f.data)) else {
                throw ValidationError("upload.save", field: "file", vi: "Không lưu được tệp tải lên.", en: "The uploaded file could not be saved.")
            }
            return url
        }
        let main = try save(form.file)
        let members = try form.members.flatMap { $0.data.readableBytes > 0 ? try save($0) : nil }
        var name = form.file.filename
        var sha = try ImportRunner.sha256(of: main)
        var bytes = Int64(form.file.data.readableBytes)
        var stored = main.path
        if let members, let m = form.members {
            name += " + " + m.filename
            sha += " + " + (try ImportRunner.sha256(of: members))
            bytes += Int64(m.data.readableBytes)
            stored += "\n" + members.path
        }
        let id = try await batches(req).create(scope, fileName: name, sha256: sha, bytes: bytes, storedPath: stored, on: req.db)
        try await check(req.application, scope, id: id, inline: bytes <= Self.inlineBytes)
        return req.redirect(to: Path.importBatch(id))
    }

    /// A dry run of the batch's file (again after adjudications), inline or in the background.
    func check(_ app: Application, _ scope: Scope, id: Int, inline: Bool) async throws {
        let store = ImportBatches(gate: app.registry.store.gate)
        let batch = try await store.get(scope, id: id, on: app.db)
        try await store.setStatus(id: id, status: "checking", on: app.db)
        app.importJobs.start(id, phase: "Đang kiểm tra")
        let work: @Sendable () async -> Void = {
            defer { app.importJobs.end(id) }
            do {
                let report = try await run(app, scope, batch: batch, commit: false)
                try await store.setReport(id: id, status: "checked", report: report, on: app.db)
            } catch {
                var r = ImportReport()
                r.aborted = Self.message(error, logger: app.logger)
                try? await store.setReport(id: id, status: error is CancelledError ? "cancelled" : "failed", report: r, on: app.db)
            }
        }
        if inline { await work() } else { Task.detached { await work() } }
    }

    struct CancelledError: Error {}

    /// What the official reads about a failed check or commit; a system failure (the database, the disk) goes to
    /// the operator's log with its real message, and the official reads only that it was logged.
    static func message(_ e: any Error, logger: Logger) -> String {
        if let i = e as? ImportError { return i.description }
        if let v = e as? ValidationError { return v.message.vi }
        if let a = e as? AccessError, a == .forbidden { return "Không có quyền ghi vào các xã/phường của tệp." }
        if let c = e as? ClassificationError { return c.description }
        logger.error("nhập tệp: \(OperatorMessage.describe(e))")
        return "Không xử lý được tệp do lỗi hệ thống; lỗi đã được ghi lại cho quản trị viên. Không có gì được ghi vào sổ hộ."
    }

    func run(_ app: Application, _ scope: Scope, batch: ImportBatch, commit: Bool) async throws -> ImportReport {
        let services = app.registry
        let paths = batch.storedPath.split(separator: "\n").map { URL(fileURLWithPath: String($0)) }
        let names = batch.fileName.components(separatedBy: " + ")
        let input = try ImportRunner.input(households: paths[0], members: paths.count > 1 ? paths[1] : nil,
                                           names: (names[0], names.count > 1 ? names[1] : nil), defaultCommune: ImportRunner.defaultCommune(scope), today: services.referenceDate, parser: services.parser,
                                           ethnicGroups: services.ethnicGroups)
        let store = ImportBatches(gate: services.store.gate)
        let options = Importer.Options(label: "\(batch.fileName) (lô #\(batch.id))", thresholds: try await store.thresholds(on: app.db),
                                       decisions: try await store.decisions(batch: batch.id, on: app.db))
        let jobs = app.importJobs, id = batch.id
        // A commit's share from the households its check counted (a small file's read buffer says 99 % at once).
        let total = commit ? batch.report.rows : 0
        do {
            return try await Importer(store: services.store).run(
                scope, input: input, mode: commit ? .commit(expectedFingerprint: batch.report.fingerprint) : .dryRun, options: options, on: app.jobsDB,
                progress: { var p = $0; if total > 0 && p.fraction < 1 { p.fraction = min(0.99, Double(p.rows) / Double(total)) }; jobs.update(id, p) }, isCancelled: { jobs.isCancelled(id) },
                alsoInTransaction: { report, tx in try await ImportBatches.markCommitted(id: id, by: scope.username, report: report, on: tx) })
        } catch let e as ImportError where e.description == ImportError.cancelled.description {
            throw CancelledError()
        }
    }

    /// The batch of the URL, if the user may see it (every handler starts here).
    func batch(_ req: Request) async throws -> (scope: Scope, batch: ImportBatch) {
        let scope = try req.checkedScope
        let id = try req.parameters.require("id", as: Int.self)
        return (scope, try await batches(req).get(scope, id: id, on: req.db))
    }

    func progress(req: Request) async throws -> Response {
        let (_, b) = try await batch(req)
        let id = b.id
        guard let j = req.application.importJobs.get(id) else { return try ProgressReply.done() }
        return try ProgressReply.running(phase: j.phase, rows: j.rows, fraction: j.fraction, started: j.started)
    }

    func cancel(req: Request) async throws -> Response {
        let (_, b) = try await batch(req)
        let id = b.id
        _ = req.application.importJobs.cancel(id)
        return req.redirect(to: Path.importBatch(id))
    }

    func commit(req: Request) async throws -> Response {
        let (scope, b) = try await batch(req)
        let id = b.id, store = batches(req)
        guard b.status != "committed" && b.status != "committing" else { throw ValidationError("import.committing", vi: "Lô này đang được ghi hoặc đã được ghi.", en: "This batch is being written or has been written.") }
        guard b.status == "checked", b.report.canCommit else { throw ValidationError(text: Importer.refusal(b.report)) }
        let app = req.application
        // One commit per batch: a second click (or another officer) finds it taken.
        guard try await store.claim(id: id, from: "checked", to: "committing", on: req.db) else {
            throw ValidationError("import.committing", vi: "Lô này đang được ghi hoặc đã được ghi.", en: "This batch is being written or has been written.")
        }
        app.importJobs.start(id, phase: "Đang ghi")
        let work: @Sendable () async -> Void = {
            defer { app.importJobs.end(id) }
            do {
                _ = try await run(app, scope, batch: b, commit: true)   // marks the batch committed in its transaction
            } catch {
                // Nothing was written: back to the reviewed state, with the reason.
                var r = b.report
                r.aborted = error is CancelledError ? "Đã huỷ lần ghi: không có gì được ghi vào sổ hộ." : Self.message(error, logger: app.logger)
                try? await store.setReport(id: id, status: error is CancelledError ? "cancelled" : "checked", report: r, on: app.db)
            }
        }
        if b.bytes <= Self.inlineBytes { await work() } else { Task.detached { await work() } }
        return req.redirect(to: Path.importBatch(id))
    }

    func decide(req: Request) async throws -> Response {
        let (scope, b) = try await batch(req)
        let id = b.id
        guard b.status == "checked" else { throw ValidationError("import.decide", vi: "Chỉ xác định trùng khi lô đã kiểm tra và chưa ghi.", en: "Duplicates are decided only while the batch is checked and not yet written.") }
        let fields = try req.content.decode([String: String].self)
        var decisions: [String: String] = [:]
        for (k, v) in fields where k.hasPrefix("d_") { decisions[String(k.dropFirst(2))] = v }
        try await batches(req).decide(scope, batch: id, decisions: decisions, on: req.db)
        try await check(req.application, scope, id: id, inline: b.bytes <= Self.inlineBytes)
        return req.redirect(to: Path.importBatch(id))
    }

    func recheck(req: Request) async throws -> Response {
        let (scope, b) = try await batch(req)
        let id = b.id
        guard b.status != "committed" else { throw ValidationError("import.committed", vi: "Lô này đã được ghi vào sổ hộ.", en: "This batch has already been written to the registry.") }
        try await check(req.application, scope, id: id, inline: b.bytes <= Self.inlineBytes)
        return req.redirect(to: Path.importBatch(id))
    }

    func file(req: Request) async throws -> Response {
        let (_, b) = try await batch(req)
        let path = String(b.storedPath.split(separator: "\n")[0])
        guard FileManager.default.fileExists(atPath: path) else { throw AccessError.notFound }
        // Streamed: a kept file may be 100 MB.
        let type = path.hasSuffix(".csv") ? HTTPMediaType(type: "text", subType: "csv") : HTTPMediaType(type: "application", subType: "octet-stream")
        let res = try await req.fileio.asyncStreamFile(at: path, mediaType: type)
        res.headers.contentDisposition = .init(.attachment, filename: String(b.fileName.split(separator: " + ")[0]))
        return res
    }

    func issuesCSV(req: Request) async throws -> Response {
        let (_, b) = try await batch(req)
        let id = b.id
        let rows: [[Cell]] = b.report.issues.map { i in
            [.text(i.sheet), i.row.map { .number($0) } ?? .empty, .text(i.column ?? ""), .text(i.value ?? ""), .text(i.blocking ? "Lỗi" : "Lưu ý"), .text(i.message)]
        }
        return try await SheetResponse.make(req, format: "csv", name: "van-de-lo-\(id)", sheet: "Vấn đề",
                                            header: ["Trang", "Dòng", "Cột", "Giá trị", "Mức", "Nội dung"], rows: rows)
    }

    struct ThresholdForm: Content { var possible: String; var certain: String; var abortShare: String }

    func setThresholds(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        let f = try req.content.decode(ThresholdForm.self)
        func number(_ s: String, _ label: String) throws -> Double {
            guard let v = Double(s.replacingOccurrences(of: ",", with: ".").trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("number", vi: "\(label): '\(s)' không phải là số (vd. 0.9).", en: "\(label): '\(s)' is not a number (e.g. 0.9).")
            }
            return v
        }
        let t = DuplicateThresholds(possible: try number(f.possible, "Có thể trùng"), certain: try number(f.certain, "Chắc chắn trùng"),
                                    abortShare: try number(f.abortShare, "Tỉ lệ huỷ tệp"))
        try await batches(req).setThresholds(scope, t, on: req.db)
        return req.redirect(to: Path.imports)
    }
}
