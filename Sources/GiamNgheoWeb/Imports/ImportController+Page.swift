import Foundation
import GiamNgheoCore
import GiamNgheoReports
import GiamNgheoStorage
import Vapor

/// A batch's page: its counts, the duplicates to adjudicate, every problem by sheet/row/column/value, what to do next.
extension ImportController {
    func show(req: Request) async throws -> HTML {
        let (_, b) = try await batch(req)
        return Layout.page(req, title: "Lô nhập #\(b.id)", try body(req, b))
    }

    func body(_ req: Request, _ b: ImportBatch) throws -> HTML {
        let r = b.report
        let head: HTML = """
        <h1>Lô nhập #\(b.id): \(b.fileName)</h1>
        <p class="muted">\(Self.statusText(b.status)) · tải lên \(Self.date(b.createdAt)) bởi \(b.createdBy) · \(b.bytes) byte ·
        SHA-256 <code>\(String(b.sha256.prefix(16)))…</code> · <a href="\(Path.importBatch(b.id, "file"))">tải tệp gốc</a>
        \(b.committedBy.map { HTML("· ghi vào sổ hộ bởi \($0) lúc \(Self.date(b.committedAt ?? Date()))") } ?? "")</p>
        """
        if b.status == "checking" || b.status == "committing" {
            let job = req.application.importJobs.get(b.id)
            guard job != nil else {
                let interrupted: HTML = """
                <p class="error" role="alert">Lần \(b.status == "checking" ? "kiểm tra" : "ghi") này đã bị gián đoạn (máy chủ khởi động lại).
                Không có gì được ghi nửa chừng. Kiểm tra lại:</p>
                <form method="post" action="\(Path.importBatch(b.id, "recheck"))">\(req.csrfField)<button class="primary">Kiểm tra lại</button></form>
                """
                return "\(head)\(interrupted)"
            }
            let panel: HTML = """
            <div class="card" data-progress="\(Path.importBatch(b.id, "progress"))">
              <p><b data-phase>\(job?.phase ?? "")</b>: <span data-rows>\(job?.rows ?? 0)</span> hộ · <span data-left></span></p>
              <progress class="w-full" max="100" value="\(Int((job?.fraction ?? 0) * 100))"></progress>
              <form method="post" action="\(Path.importBatch(b.id, "cancel"))" class="noprint">\(req.csrfField)
              <button type="submit">Huỷ (không ghi gì)</button></form>
            </div>
            """
            return "\(head)\(panel)"
        }
        let counts: HTML = """
        <div class="scroll"><table class="max-60"><thead><tr><th>Hộ trong tệp</th><th>Mới</th><th>Thay đổi</th><th>Không đổi</th>
        <th>Trùng (giữ lại)</th><th>Chờ xác định trùng</th><th>Có lỗi</th></tr></thead>
        <tbody><tr><td>\(r.rows)</td><td>\(r.new)</td><td>\(r.changed)</td><td>\(r.unchanged)</td><td>\(r.duplicates)</td><td>\(r.held)</td><td>\(r.errors)</td></tr></tbody></table></div>
        """
        var action: HTML
        if b.status == "committed" {
            action = "<p class=\"card\">Đã ghi vào sổ hộ: \(r.new) hộ mới, \(r.changed) hộ thay đổi. <a href=\"\(Path.households)\">Xem sổ hộ</a></p>"
        } else if b.status == "checked" && r.canCommit {
            let held: HTML = r.held + r.duplicates > 0
                ? "<p>\(r.duplicates + r.held) hộ trùng hoặc chờ xác định sẽ <b>không</b> được ghi lần này.</p>" : ""
            action = """
            <div class="card"><p>Kiểm tra xong, chưa ghi gì. Bấm để ghi <b>\(r.new)</b> hộ mới và <b>\(r.changed)</b> hộ thay đổi trong một lần (hoặc tất cả, hoặc không).</p>\(held)
            <form method="post" action="\(Path.importBatch(b.id, "commit"))" class="noprint">\(req.csrfField)
            <button class="primary" type="submit">Ghi vào sổ hộ</button></form></div>
            """
        } else if b.status == "cancelled" {
            action = "<p class=\"card\">Đã huỷ: không có gì được ghi vào sổ hộ.</p>"
        } else {
            action = "<p class=\"error\" role=\"alert\">\(Importer.refusal(r))</p>"
        }
        let villages: HTML = r.newVillages.isEmpty ? "" : """
        <p>\(r.newVillages.count) thôn/tổ chưa khai báo, sẽ được thêm khi ghi: \(r.newVillages.prefix(20).joined(separator: "; "))\(r.newVillages.count > 20 ? "…" : ".")</p>
        """
        var matches: HTML = ""
        if !r.matches.isEmpty {
            let rows: [HTML] = r.matches.map { m in
                let kind = m.kind == "id" ? "Cùng số định danh" : m.kind == "certain" ? "Chắc chắn trùng" : "Có thể trùng"
                let choice: HTML = m.kind == "id" ? "<td class=\"muted\">Giữ lại (sửa trong tệp)</td>" : """
                <td><label class="check"><input type="radio" name="d_\(m.key)" value="same" \(m.decision == "same" ? "checked" : "")> Cùng một người</label>
                <label class="check"><input type="radio" name="d_\(m.key)" value="different" \(m.decision == "different" ? "checked" : "")> Khác người</label></td>
                """
                return """
                <tr><td>\(m.sheet) dòng \(m.row)</td><td>\(m.code)</td><td>\(m.name)</td><td>\(m.birth)</td>
                <td>\(m.otherName) (hộ \(m.otherCode), \(m.otherWhere))</td><td>\(kind) (\(String(format: "%.2f", m.score)))</td>\(choice)</tr>
                """
            }
            let form = r.matches.contains { $0.kind != "id" } && b.status == "checked"
            matches = """
            <h2>Người có thể đã có trong sổ hộ hoặc lặp trong tệp (\(r.matchCount))</h2>
            <form method="post" action="\(Path.importBatch(b.id, "decide"))">\(req.csrfField)
            <div class="scroll"><table><thead><tr><th>Ở đâu</th><th>Mã hộ</th><th>Họ tên</th><th>Sinh</th><th>Trùng với</th><th>Mức</th><th>Xác định</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            \(form ? HTML("<p><button type=\"submit\">Lưu xác định và kiểm tra lại</button></p>") : "")</form>
            """
        }
        var issues: HTML = ""
        if r.issueCount > 0 {
            let rows: [HTML] = r.issues.map { i in
                "<tr><td>\(i.sheet)</td><td>\(i.row.map(String.init) ?? "")</td><td>\(i.column ?? "")</td><td>\(i.value ?? "")</td><td>\(i.blocking ? "Lỗi" : "Lưu ý")</td><td>\(i.message)</td></tr>"
            }
            issues = """
            <h2>Vấn đề trong tệp (\(r.issueCount))</h2>
            <p class="noprint"><a href="\(Path.importBatch(b.id, "issues.csv"))">Tải danh sách vấn đề (CSV, mở bằng Excel)</a>\(r.issueCount > r.issues.count ? HTML(" · hiển thị \(r.issues.count) vấn đề đầu tiên") : "")</p>
            <div class="scroll"><table><thead><tr><th>Trang</th><th>Dòng</th><th>Cột</th><th>Giá trị</th><th>Mức</th><th>Nội dung</th></tr></thead><tbody>\(rows)</tbody></table></div>
            """
        }
        let aborted: HTML = r.aborted.map { HTML("<p class=\"error\" role=\"alert\">\($0)</p>") } ?? ""
        let back: HTML = "<p><a href=\"\(Path.imports)\">← Các lần nhập</a></p>"
        return "\(head)\(counts)\(aborted)\(villages)\(action)\(matches)\(issues)\(back)"
    }
}
