import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoReports
import GiamNgheoStorage
import Vapor

extension Request {
    var support: SupportStore { application.registry.support! }
}

/// The support ledger, household plans, the staged import and the disclosure lists (issue 7).
struct SupportController: Feature {
    var navigation: [NavEntry] {
        [
            NavEntry(order: 50, path: Path.support, vi: "Hỗ trợ", en: "Support", access: .signedIn),
        ]
    }

    func boot(routes: any RoutesBuilder) throws {
        let r = routes.access(.signedIn)
        r.get("support", use: list)
        r.post("support", use: create)
        r.get("support", "export.csv", use: export)
        r.get("support", "export.xlsx", use: export)
        r.get("support", "template.csv", use: template)
        r.post("support", ":id", "void", use: void)
        r.on(.POST, "support", "import", body: .collect(maxSize: "20mb"), use: upload)
        r.get("support", "import", ":id", use: showBatch)
        r.post("support", "import", ":id", "commit", use: commitBatch)
        r.post("support", "import", ":id", "cancel", use: cancelBatch)
        r.get("support", "disclosure", use: disclosure)
        r.get("households", ":id", "plan", use: plan)
        r.post("households", ":id", "plan", use: savePlan)
        r.post("households", ":id", "visits", use: addVisit)
        let write = routes.access(.write)
        write.get("support", "new", use: newForm)
        write.get("support", ":id", "edit", use: editForm)
    }

    static func subnav(_ req: Request, _ current: String) -> HTML {
        let links: [(String, String)] = [(Path.support, req.t("Sổ hỗ trợ", "Support ledger")), (Path.supportMonitoring, req.t("Theo dõi", "Monitoring")), (Path.supportHelpers, req.t("Phân công giúp đỡ", "Helpers")),
                                         (Path.models, req.t("Mô hình giảm nghèo", "Livelihood models")), (Path.fund, req.t("Quỹ Vì người nghèo", "For-the-poor fund")),
                                         (Path.supportCatalogue, req.t("Chương trình, chính sách", "Programmes and policies")), (Path.publicIndex, req.t("Trang công khai", "Public page"))]
        let items: [HTML] = links.map { l in l.0 == current ? "<b>\(l.1)</b>" : "<a href=\"\(l.0)\">\(l.1)</a>" }
        return "<p class=\"noprint\">\(items.joined(separator: " · "))</p>"
    }

    /// The commune a page is about: the query's (if the user may see it), else the user's only commune; nil = all of the user's.
    static func commune(_ req: Request, _ scope: Scope) throws -> String? {
        if let c = req.query[String.self, at: "commune"], !c.isEmpty {
            guard scope.allows(commune: c) else { throw AccessError.notFound }
            return c
        }
        if let mine = scope.communes, mine.count == 1 { return mine.first }
        return nil
    }

    static func communePicker(_ req: Request, _ scope: Scope, action: String, selected: String?, extra: HTML = "") throws -> HTML {
        let choices = try HouseholdController().communeChoices(req, scope)
        // One commune and nothing else to choose (only hidden fields): no form at all.
        if choices.count == 1 { return !extra.text.contains("<label") ? "" : "<form method=\"get\" action=\"\(action)\" class=\"filters noprint\">\(extra)<button type=\"submit\">\(req.t("Xem", "Show"))</button></form>" }
        let field: HTML = choices.isEmpty
            ? "<label>Mã xã/phường (2025)<input name=\"commune\" value=\"\(selected)\" inputmode=\"numeric\" class=\"w-8\"></label>"
            : "<label>Xã/phường<select name=\"commune\"><option value=\"\">Tất cả</option>\(choices.map { HTML("<option value=\"\($0.code)\" \($0.code == selected ? "selected" : "")>\($0.vi)</option>") })</select></label>"
        return "<form method=\"get\" action=\"\(action)\" class=\"filters noprint\">\(field)\(extra)<button type=\"submit\">\(req.t("Xem", "Show"))</button></form>"
    }

    static func policyName(_ req: Request, _ code: String) -> String {
        guard let p = req.support.catalogue.policy(code) else { return code }
        return req.language == .en && !p.english.isEmpty ? p.english : p.name
    }

    static func money(_ n: Int) -> String { Format.money(n) }

    static func eligibilityCell(_ r: SupportRecord) -> HTML {
        if r.eligible == 1 { return "<span class=\"badge notPoor\" title=\"\(r.eligibility_note)\">Đúng đối tượng</span>" }
        return "<span class=\"badge poor\">Không đúng đối tượng</span><br><small>\(r.eligibility_note)</small><br><small><b>Lý do vẫn hỗ trợ:</b> \(r.override_reason)</small>"
    }

    // MARK: the ledger

    func list(req: Request) async throws -> HTML {
        let scope = try req.checkedScope
        let commune = try Self.commune(req, scope)
        var f = SupportStore.RecordFilter()
        f.communes = commune.map { [$0] }
        f.village = req.query[String.self, at: "village"]
        f.policy = req.query[String.self, at: "policy"]
        f.from = req.query[String.self, at: "from"].flatMap(CivilDate.init)
        f.to = req.query[String.self, at: "to"].flatMap(CivilDate.init)
        f.onlyIneligible = req.query[String.self, at: "ineligible"] == "1"
        f.includeVoided = req.query[String.self, at: "voided"] == "1"
        f.text = req.query[String.self, at: "q"]
        f.limit = 1000
        let records = try await req.support.records(scope, f, on: req.db)
        var villages: [Village] = []
        if let commune { villages = try await req.application.registry.store.villages.list(scope, commune: commune, on: req.db) }
        let policies: [HTML] = req.support.catalogue.policies.map { p in "<option value=\"\(p.code)\" \(p.code == f.policy ? "selected" : "")>\(p.name)</option>" }
        let villageOptions: [HTML] = villages.map { v in "<option \(v.name == f.village ? "selected" : "")>\(v.name)</option>" }
        let extra: HTML = """
            <label>\(req.t("Tìm chủ hộ, mã hộ", "Head's name or household code"))<input name="q" value="\(f.text)" placeholder="\(req.t("không cần dấu", "accents optional"))"></label>
            \(villages.isEmpty ? "" : HTML("<label>\(req.t("Thôn, tổ", "Village"))<select name=\"village\"><option value=\"\">\(req.t("Tất cả", "All"))</option>\(villageOptions)</select></label>"))
            <label>\(req.t("Chính sách", "Policy"))<select name="policy"><option value="">\(req.t("Tất cả", "All"))</option>\(policies)</select></label>
            <label>\(req.t("Từ ngày", "From"))<input class="w-8" name="from" value="\(f.from?.vietnamese)" placeholder="dd/mm/yyyy"></label>
            <label>\(req.t("Đến ngày", "To"))<input class="w-8" name="to" value="\(f.to?.vietnamese)" placeholder="dd/mm/yyyy"></label>
            <label><span><input type="checkbox" name="ineligible" value="1" \(f.onlyIneligible ? "checked" : "")> \(req.t("Chỉ bản ghi không đúng đối tượng", "Only records for ineligible households"))</span></label>
            <label><span><input type="checkbox" name="voided" value="1" \(f.includeVoided ? "checked" : "")> \(req.t("Gồm bản ghi đã huỷ", "Include voided records"))</span></label>
            """
        let picker = try Self.communePicker(req, scope, action: Path.support, selected: commune, extra: extra)
        var total = 0
        let rows: [HTML] = records.map { r in
            if r.voided_reason == nil && r.form != SupportForm.credit.rawValue { total += r.amount }
            let void: HTML = scope.canWrite && r.voided_reason == nil ? """
                <a class="noprint" href="\(Path.supportRecord(r.id, "edit"))">\(req.t("Sửa", "Correct"))</a>
                <details class="noprint"><summary>\(req.t("Huỷ", "Void"))</summary><form method="post" action="\(Path.supportRecord(r.id, "void"))">\(req.csrfField)
                <input name="reason" placeholder="Lý do huỷ" required><button type="submit">\(req.t("Huỷ bản ghi", "Void the record"))</button></form></details>
                """ : (r.voided_reason.map { HTML("<small class=\"flagtext\">Đã huỷ: \($0)</small>") } ?? "")
            let addresses = [r.indicator.map { "chỉ số \($0)" }, r.cause.flatMap { c in BundledData.povertyCauses.first { $0.code == c }.map { "nguyên nhân: \($0.vi)" } }].compactMap { $0 }.joined(separator: "; ")
            return """
            <tr\(raw: r.eligible == 0 ? " class=\"flag\"" : "")><td>\(CivilDate(r.given_on)?.vietnamese ?? r.given_on)</td>
            <td><a href="\(Path.household(r.household_id, "plan"))">\(r.household_code)</a> \(r.head_name)</td><td>\(r.village)</td><td>\(r.member_name)</td>
            <td>\(Self.policyName(req, r.policy_code))</td><td class="hide-sm"><small>\(r.programme_code)</small></td><td>\(SupportForm(rawValue: r.form)?.vietnamese ?? r.form)</td>
            <td class="num">\(Self.money(r.amount))</td><td>\(FundingSource(rawValue: r.source)?.vietnamese ?? r.source)</td><td class="hide-sm"><small>\(addresses)</small></td>
            <td>\(Self.eligibilityCell(r))</td><td class="hide-sm"><small>\(r.recorded_by)</small></td><td>\(void)</td></tr>
            """
        }
        var query = URLComponents()
        query.queryItems = [("commune", commune), ("village", f.village), ("policy", f.policy), ("from", f.from?.vietnamese), ("to", f.to?.vietnamese)]
            .compactMap { k, v in v.flatMap { $0.isEmpty ? nil : URLQueryItem(name: k, value: $0) } }
        let qs = query.percentEncodedQuery ?? ""
        let tools: HTML = scope.canWrite ? """
            <p class="noprint"><a class="button primary" href="\(Path.supportNew)">\(req.t("Ghi hỗ trợ", "Record a support"))</a></p>
            <details class="card noprint"><summary>\(req.t("Nhập hỗ trợ từ tệp (CSV hoặc Excel)", "Import supports from a file (CSV or Excel)"))</summary>
            <form method="post" action="\(Path.supportImport)" enctype="multipart/form-data" class="filters">
              \(req.csrfField)
              <input type="file" name="file" accept=".csv,.xlsx,text/csv" required>
              <button type="submit">\(req.t("Tải lên và kiểm tra", "Upload and check"))</button>
            </form>
            <p class="muted">Tệp được kiểm tra trước; chưa ghi gì cho đến khi bạn xác nhận, và ghi tất cả các dòng hoặc không dòng nào.
            Cột: mã hộ, thành viên (mã hoặc họ tên, nếu hỗ trợ cho một người), chính sách (mã hoặc tên), chương trình (mã, có thể bỏ trống), hình thức, số tiền, số lượng, ngày, nguồn kinh phí, chỉ số thiếu hụt, nguyên nhân, ghi chú, lý do (nếu không đúng đối tượng).
            <a href="\(Path.supportTemplate)">Tải tệp mẫu</a>.</p></details>
            """ : ""
        return Layout.page(req, title: req.t("Sổ theo dõi hỗ trợ", "Support ledger"), """
        \(Self.subnav(req, Path.support))
        <h1>\(req.t("Sổ theo dõi hỗ trợ hộ nghèo, hộ cận nghèo", "Support given to poor and near-poor households"))</h1>
        \(picker)
        \(tools)
        <p class="noprint"><a href="\(Path.supportDisclosure)?\(raw: qs)">\(req.t("In danh sách công khai", "Print the posting list"))</a>\(commune.map { HTML(" · <a href=\"\(Path.publicCommune($0))\">\(req.t("Trang công khai của xã", "The commune's public page"))</a>") } ?? "") · <a href="\(Path.supportExportCSV)?\(raw: qs)">\(req.t("Tải CSV", "Download CSV"))</a> · <a href="\(Path.supportExportXLSX)?\(raw: qs)">\(req.t("Tải xlsx", "Download xlsx"))</a></p>
        <p>\(req.language == .en ? "\(records.count) records\(records.count >= f.limit ? " (first \(f.limit) shown; filter further)" : ""); total value given (loans excluded): " : "\(records.count) bản ghi\(records.count >= f.limit ? " (hiện \(f.limit) bản ghi đầu; hãy lọc thêm)" : ""); tổng giá trị hỗ trợ (không kể cho vay): ")<b>\(Self.money(total)) \(req.t("đồng", "VND"))</b>.</p>
        <div class="scroll"><table><thead><tr><th>\(req.t("Ngày", "Date"))</th><th>\(req.t("Hộ", "Household"))</th><th>\(req.t("Thôn", "Village"))</th><th>\(req.t("Người nhận", "Receiver"))</th><th>\(req.t("Chính sách", "Policy"))</th><th class="hide-sm">\(req.t("Chương trình", "Programme"))</th><th>\(req.t("Hình thức", "Form"))</th><th>\(req.t("Số tiền (đ)", "Amount (VND)"))</th><th>\(req.t("Nguồn", "Source"))</th><th class="hide-sm">\(req.t("Giải quyết", "Addresses"))</th><th>\(req.t("Đối tượng", "Eligibility"))</th><th class="hide-sm">\(req.t("Người ghi", "Recorded by"))</th><th></th></tr></thead>
        <tbody>\(rows.isEmpty ? [HTML("<tr><td colspan=\"13\">\(req.t("Chưa có bản ghi hỗ trợ.", "No supports recorded yet."))</td></tr>")] : rows)</tbody></table></div>
        """)
    }

    /// The ledger as the page filters it, in CSV (UTF-8 with BOM, for Excel) or xlsx (amounts as numbers).
    func export(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        var f = SupportStore.RecordFilter()
        f.communes = try Self.commune(req, scope).map { [$0] }
        f.village = req.query[String.self, at: "village"]
        f.policy = req.query[String.self, at: "policy"]
        f.from = req.query[String.self, at: "from"].flatMap(CivilDate.init)
        f.to = req.query[String.self, at: "to"].flatMap(CivilDate.init)
        f.limit = 1_000_000
        let header = ["Ngày", "Mã hộ", "Chủ hộ", "Thôn", "Người nhận", "Chính sách", "Chương trình", "Hình thức", "Số tiền (đồng)", "Số lượng", "Nguồn",
                      "Chỉ số", "Nguyên nhân", "Đúng đối tượng", "Giải thích", "Lý do", "Người ghi"]
        let records = try await req.support.records(scope, f, on: req.db)
        func fields(_ r: SupportRecord) -> [String] {
            [CivilDate(r.given_on)?.vietnamese ?? r.given_on, r.household_code ?? "", r.head_name ?? "", r.village ?? "", r.member_name ?? "",
             Self.policyName(req, r.policy_code), r.programme_code ?? "", SupportForm(rawValue: r.form)?.vietnamese ?? r.form, String(r.amount), r.quantity ?? "",
             FundingSource(rawValue: r.source)?.vietnamese ?? r.source, r.indicator ?? "", r.cause ?? "", r.eligible == 1 ? "có" : "không",
             r.eligibility_note, r.override_reason ?? "", r.recorded_by]
        }
        if req.url.path.hasSuffix(".xlsx") {
            let x = try XLSXWriter()
            let sheet = try x.startSheet("Sổ hỗ trợ", header: header, widths: [11, 14, 24, 16, 22, 40, 18, 10, 14, 14, 22, 8, 8, 8, 60, 40, 12])
            for r in records {
                var cells = fields(r).map { GiamNgheoReports.Cell.text($0) }
                cells[8] = .number(r.amount)
                try x.append(cells, to: sheet)
            }
            let file = TemporaryFiles.url("support-\(UUID().uuidString).xlsx")
            try x.finish(to: file)
            return try await SheetResponse.xlsx(req, file, filename: "so-ho-tro.xlsx")
        }
        var out = "\u{FEFF}" + CSV.line(header)
        for r in records { out += CSV.line(fields(r)) }
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.contentDisposition = .init(.attachment, filename: "so-ho-tro.csv")
        return Response(status: .ok, headers: headers, body: .init(string: out))
    }

    func template(req: Request) async throws -> Response {
        let text = "\u{FEFF}" + CSV.line(["Mã hộ", "Thành viên", "Chính sách", "Chương trình", "Hình thức", "Số tiền", "Số lượng", "Ngày", "Nguồn kinh phí", "Chỉ số thiếu hụt", "Nguyên nhân", "Ghi chú", "Lý do"])
            + CSV.line(["", "", "bhyt-ngheo", "", "hiện vật", "0", "1 thẻ", "15/01/2026", "ngân sách trung ương", "YT2", "", "", ""])
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.contentDisposition = .init(.attachment, filename: "mau-nhap-ho-tro.csv")
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }

    // MARK: recording one support

    func newForm(req: Request) async throws -> HTML {
        let scope = try req.checkedScope
        var input = SupportInput()
        input.household = req.query[String.self, at: "household"] ?? ""
        // A link may carry the household's id: the form shows and sends its code.
        if let id = Int(input.household), let r = try await req.application.registry.store.scoped(scope, on: req.db).filter(\.$id == id).first() {
            input.household = r.code
        }
        input.policy = req.query[String.self, at: "policy"] ?? ""
        input.date = req.application.registry.referenceDate.vietnamese
        return try await form(req, scope, input, error: nil, warning: nil)
    }

    /// The correction form: the record's values, a required reason; saving voids it and writes the corrected one.
    func editForm(req: Request) async throws -> HTML {
        let scope = try req.checkedScope
        guard let id = req.parameters.get("id", as: Int.self) else { throw Abort(.notFound) }
        let r = try await req.support.record(scope, id: id, on: req.db)
        guard r.voided_reason == nil else { throw ValidationError("support.voided", vi: "Khoản hỗ trợ #\(id) đã huỷ (\(r.voided_reason!)); không sửa được.", en: "Support #\(id) was voided (\(r.voided_reason!)); it cannot be corrected.") }
        return try await form(req, scope, SupportInput(r), error: nil, warning: nil, replacing: id)
    }

    func form(_ req: Request, _ scope: Scope, _ i: SupportInput, error: String?, warning: PreparedSupport?, replacing: Int? = nil, correction: String = "") async throws -> HTML {
        let cat = req.support.catalogue
        var members: [HTML] = []
        var householdLine: HTML = ""
        if !i.household.isEmpty, let r = try? await req.application.registry.store.scoped(scope, on: req.db).filter(\.$code == i.household).first() {
            let h = try? req.application.registry.store.household(r, parser: req.application.registry.parser)
            // Age and schooling beside each name: person policies are for some ages or members (tuition: at school).
            let day = req.application.registry.referenceDate
            members = (h?.members ?? []).map { m in
                let about = [SupportStore.age(m, on: day).map { "\($0) tuổi" }, m.schooling.map { Vocabulary.label(.schooling, $0) },
                             m.workingCapacity == false ? "không có khả năng lao động" : nil].compactMap { $0 }.joined(separator: ", ")
                return "<option value=\"\(m.id)\" \(m.id == i.member ? "selected" : "")>\(m.name ?? m.id)\(about.isEmpty ? "" : " (\(about))")</option>"
            }
            householdLine = "<p>Hộ <b>\(r.code)</b>: \(r.headName), \(r.village) \(Layout.categoryBadge(r.category, req.language))</p>"
        }
        let policies: [HTML] = cat.policies.map { p in
            let who = [p.agesText, p.memberCondition.isEmpty ? nil : "người \(p.memberCondition.vietnamese)"].compactMap { $0 }
            return "<option value=\"\(p.code)\" \(p.code == i.policy ? "selected" : "")>\(p.name) — \(p.eligibility.vietnamese)\(who.isEmpty ? "" : "; \(who.joined(separator: ", "))")</option>"
        }
        let programmes: [HTML] = cat.programmes.map { p in "<option value=\"\(p.code)\" \(p.code == i.programme ? "selected" : "")>\(p.code) · \(p.title)</option>" }
        let forms: [HTML] = SupportForm.allCases.map { f in "<option value=\"\(f.rawValue)\" \(f.rawValue == i.form ? "selected" : "")>\(f.vietnamese)</option>" }
        let sources: [HTML] = FundingSource.allCases.map { s in "<option value=\"\(s.rawValue)\" \(s.rawValue == i.source ? "selected" : "")>\(s.vietnamese)</option>" }
        let causes: [HTML] = BundledData.povertyCauses.map { c in "<option value=\"\(c.code)\" \(c.code == i.cause ? "selected" : "")>\(c.vi)</option>" }
        let warn: HTML = warning.map { w in """
            <div class="error" role="alert"><b>Cảnh báo: hộ không đúng đối tượng.</b> \(w.eligibilityNote)<br>
            Nếu vẫn ghi, hãy nêu lý do (ví dụ: quyết định riêng của UBND xã, hộ đã được công nhận nhưng chưa cập nhật). Bản ghi sẽ được đánh dấu và hiện trong danh sách kiểm tra.</div>
            """ } ?? ""
        let err: HTML = error.map { "<p class=\"error\" role=\"alert\">\($0)</p>" } ?? ""
        return Layout.page(req, title: "Ghi hỗ trợ", """
        \(Self.subnav(req, Path.support))
        <h1>\(replacing.map { req.t("Sửa khoản hỗ trợ #\($0)", "Correct support #\($0)") } ?? req.t("Ghi một khoản hỗ trợ", "Record a support"))</h1>\(err)\(warn)\(householdLine)
        \(replacing == nil ? "" : HTML("<p class=\"muted\">\(req.t("Khoản cũ được huỷ với lý do sửa và khoản đã sửa được ghi mới, trong cùng một lần lưu; nhật ký giữ cả hai.", "The old record is voided with the reason and the corrected one written, in one save; the audit keeps both."))</p>"))
        <form method="post" action="\(Path.support)" class="card">
          \(req.csrfField)
          \(replacing.map { HTML("<input type=\"hidden\" name=\"replaces\" value=\"\($0)\"><div class=\"form-grid\"><div class=\"span-all\"><label for=\"correction\">\(req.t("Lý do sửa (bắt buộc)", "Reason for the correction (required)"))</label><input id=\"correction\" name=\"correction\" required value=\"\(correction)\" placeholder=\"ví dụ: ghi nhầm số tiền\"></div></div>") } ?? "")
          <div class="form-grid">
            <div><label for="household">Mã hộ</label><input id="household" name="household" value="\(i.household)" required></div>
            <div><label for="member">Người nhận (nếu hỗ trợ cho một người)</label>\(members.isEmpty
                ? HTML("<input id=\"member\" name=\"member\" value=\"\(i.member)\" placeholder=\"mã hoặc họ tên\">")
                : HTML("<select id=\"member\" name=\"member\"><option value=\"\">(cả hộ)</option>\(members)</select>"))</div>
            <div class="span-all"><label for="policy">Chính sách</label><select id="policy" name="policy" required>\(policies)</select></div>
            <div><label for="programme">Chương trình, dự án (để trống: theo chính sách và năm)</label><select id="programme" name="programme"><option value="">(tự chọn)</option>\(programmes)</select></div>
            <div><label for="form">Hình thức</label><select id="form" name="form"><option value="">(theo chính sách)</option>\(forms)</select></div>
            <div><label for="amount">Số tiền / giá trị (đồng)</label><input id="amount" name="amount" value="\(i.amount)" inputmode="numeric" placeholder="1.500.000"></div>
            <div><label for="quantity">Số lượng (hiện vật)</label><input id="quantity" name="quantity" value="\(i.quantity)" placeholder="1 thẻ BHYT, 2 con bò…"></div>
            <div><label for="date">Ngày hỗ trợ</label><input id="date" name="date" value="\(i.date)" placeholder="dd/mm/yyyy" required></div>
            <div><label for="source">Nguồn kinh phí</label><select id="source" name="source">\(sources)</select></div>
            <div><label for="indicator">Giải quyết chỉ số thiếu hụt</label><input id="indicator" name="indicator" value="\(i.indicator)" placeholder="theo chính sách, ví dụ YT2"></div>
            <div><label for="cause">Giải quyết nguyên nhân nghèo</label><select id="cause" name="cause"><option value="">(theo chính sách)</option>\(causes)</select></div>
            <div class="span-all"><label for="note">Ghi chú</label><input id="note" name="note" value="\(i.note)"></div>
            \(warning == nil ? "" : HTML("<div class=\"span-all\"><label for=\"reason\">Lý do vẫn hỗ trợ (bắt buộc)</label><input id=\"reason\" name=\"reason\" required value=\"\(i.reason)\" aria-invalid=\"true\"></div>"))
          </div>
          <button class="primary" type="submit">\(warning == nil ? "Ghi" : "Vẫn ghi, kèm lý do")</button>
        </form>
        """)
    }

    func create(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        let fields = try req.content.decode([String: String].self)
        let input = SupportInput(fields)
        let replacing = fields["replaces"].flatMap { Int($0) }
        let correction = fields["correction"] ?? ""
        do {
            _ = try await req.support.record(scope, input, replacing: replacing, correction: correction, on: req.db)
        } catch let w as SupportStore.NeedsReason {
            return try await form(req, scope, input, error: nil, warning: w.prepared, replacing: replacing, correction: correction).encodeResponse(for: req)
        } catch let e as ValidationError {
            let m = req.text(e.message)
            let res = try await form(req, scope, input, error: m.capitalizedFirst, warning: nil, replacing: replacing, correction: correction).encodeResponse(for: req)
            res.status = .unprocessableEntity
            return res
        }
        let h = try await req.application.registry.store.scoped(scope, on: req.db).filter(\.$code == input.household).first()
        return req.redirect(to: h.map { Path.household($0.id!, "plan") + "#support" } ?? Path.support)
    }

    func void(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        guard let id = req.parameters.get("id", as: Int.self) else { throw Abort(.notFound) }
        try await req.support.void(scope, id: id, reason: (try? req.content.get(String.self, at: "reason")) ?? "", on: req.db)
        return req.redirect(to: req.headers.first(name: .referer).flatMap { URL(string: $0)?.path } ?? Path.support)
    }

    // MARK: staged import

    struct Upload: Content { var file: File }

    func upload(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        let upload = try req.content.decode(Upload.self)
        let rows: [TableFile.Row]
        do { rows = try TableFile.read(Data(upload.file.data.readableBytesView), aliases: SupportInput.headers) }
        catch let e as SpreadsheetError { throw ValidationError("upload.unreadable", field: "file", vi: "Tệp '\(upload.file.filename)': \(e.description)", en: "File '\(upload.file.filename)': \(e.description)") }
        let id = try await req.support.stage(scope, fileName: upload.file.filename, rows: rows.map { ($0.line, $0.values) }, on: req.db)
        return req.redirect(to: Path.supportBatch(id))
    }

    func showBatch(req: Request) async throws -> HTML {
        let scope = try req.checkedScope
        guard let id = req.parameters.get("id", as: Int.self) else { throw Abort(.notFound) }
        let b = try await req.support.batch(scope, id: id, on: req.db)
        let problems: [HTML] = b.problems.map { "<li>\($0)</li>" }
        let warnings: [HTML] = b.warnings.map { w in
            "<tr class=\"flag\"><td>\(w.line)</td><td>\(w.householdCode) \(w.headName)</td><td>\(Self.policyName(req, w.policy))</td><td>\(w.eligibilityNote)</td><td>\(w.reason ?? "—")</td></tr>"
        }
        let lacking = b.warnings.filter { ($0.reason ?? "").isEmpty }.count
        let total = b.rows.reduce(0) { $0 + ($1.form == SupportForm.credit.rawValue ? 0 : $1.amount) }
        let preview: [HTML] = b.rows.prefix(50).map { r in
            "<tr><td>\(r.line)</td><td>\(r.householdCode) \(r.headName)</td><td>\(r.memberName)</td><td>\(Self.policyName(req, r.policy))</td><td class=\"num\">\(Self.money(r.amount))</td><td>\(CivilDate(r.date)?.vietnamese ?? r.date)</td><td>\(FundingSource(rawValue: r.source)?.vietnamese ?? r.source)</td></tr>"
        }
        let status: String = ["checked": "Đã kiểm tra, chờ xác nhận", "committed": "Đã ghi vào sổ", "cancelled": "Đã huỷ"][b.status] ?? b.status
        let actions: HTML
        if b.status != "checked" || !scope.canWrite { actions = "" }
        else if !b.problems.isEmpty {
            actions = """
            <p class="error">Tệp có \(b.problems.count) dòng lỗi: sửa tệp rồi tải lên lại. Không dòng nào được ghi cho đến khi tệp hết lỗi.</p>
            <form method="post" action="\(Path.supportBatch(b.id, "cancel"))">\(req.csrfField)<button type="submit">\(req.t("Huỷ tệp này", "Discard this file"))</button></form>
            """
        } else {
            actions = """
            <form method="post" action="\(Path.supportBatch(b.id, "commit"))" class="card">
              \(req.csrfField)
              \(lacking > 0 ? HTML("<p><label>Lý do chung cho \(lacking) dòng không đúng đối tượng chưa có lý do (bắt buộc)<br><input name=\"reason\" required class=\"w-full\"></label></p>") : "")
              <button class="primary" type="submit">Ghi cả \(b.rows.count) dòng vào sổ</button>
            </form>
            <form method="post" action="\(Path.supportBatch(b.id, "cancel"))">\(req.csrfField)<button type="submit">\(req.t("Huỷ, không ghi", "Cancel, write nothing"))</button></form>
            """
        }
        return Layout.page(req, title: "Nhập hỗ trợ từ tệp", """
        \(Self.subnav(req, Path.support))
        <h1>Tệp hỗ trợ: \(b.fileName)</h1>
        <p>Trạng thái: <b>\(status)</b> · người tải lên: \(b.createdBy) · \(b.rows.count) dòng hợp lệ, tổng \(Self.money(total)) đồng (không kể cho vay) · \(b.problems.count) dòng lỗi · \(b.warnings.count) dòng không đúng đối tượng</p>
        \(problems.isEmpty ? "" : HTML("<h2>\(req.t("Dòng lỗi", "Rows with errors"))</h2><ul class=\"error\">\(problems)</ul>"))
        \(warnings.isEmpty ? "" : HTML("<h2>\(req.t("Không đúng đối tượng (sẽ được ghi kèm lý do, đánh dấu để kiểm tra)", "Ineligible (recorded with the reason, flagged for review)"))</h2><div class=\"scroll\"><table><thead><tr><th>\(req.t("Dòng", "Row"))</th><th>\(req.t("Hộ", "Household"))</th><th>\(req.t("Chính sách", "Policy"))</th><th>\(req.t("Giải thích", "Explanation"))</th><th>\(req.t("Lý do trong tệp", "Reason in the file"))</th></tr></thead><tbody>\(warnings)</tbody></table></div>"))
        \(actions)
        <h2>Xem trước\(b.rows.count > 50 ? " (50 dòng đầu)" : "")</h2>
        <div class="scroll"><table><thead><tr><th>\(req.t("Dòng", "Row"))</th><th>\(req.t("Hộ", "Household"))</th><th>\(req.t("Người nhận", "Receiver"))</th><th>\(req.t("Chính sách", "Policy"))</th><th>\(req.t("Số tiền", "Amount"))</th><th>\(req.t("Ngày", "Date"))</th><th>\(req.t("Nguồn", "Source"))</th></tr></thead><tbody>\(preview)</tbody></table></div>
        """)
    }

    func commitBatch(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        guard let id = req.parameters.get("id", as: Int.self) else { throw Abort(.notFound) }
        _ = try await req.support.commit(scope, id: id, reason: (try? req.content.get(String.self, at: "reason")) ?? "", on: req.db)
        return req.redirect(to: Path.supportBatch(id))
    }

    func cancelBatch(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        guard let id = req.parameters.get("id", as: Int.self) else { throw Abort(.notFound) }
        try await req.support.cancel(scope, id: id, on: req.db)
        return req.redirect(to: Path.supportBatch(id))
    }

    // MARK: disclosure (issue 7 §6)

    /// The posting list of a village and period: who received what, how much, when. The head's name is
    /// shown (as the plans require) but no ID number, birth date or member; `mask=1` prints initials only and
    /// leaves out the typed quantity (free text an official may have written a name into).
    func disclosure(req: Request) async throws -> HTML {
        let scope = try req.checkedScope
        let units = req.application.registry.units
        var f = SupportStore.RecordFilter()
        let commune = try Self.commune(req, scope)
        f.communes = commune.map { [$0] }
        f.village = req.query[String.self, at: "village"]
        let today = req.application.registry.referenceDate
        f.from = req.query[String.self, at: "from"].flatMap(CivilDate.init) ?? CivilDate(year: today.year, month: 1, day: 1)
        f.to = req.query[String.self, at: "to"].flatMap(CivilDate.init) ?? today
        f.limit = 100_000
        let mask = req.query[String.self, at: "mask"] == "1"
        let records = try await req.support.records(scope, f, on: req.db)
        return Layout.page(req, title: "Danh sách công khai hỗ trợ", Self.disclosureDoc(req, records, communeName: commune.flatMap { units.unit($0)?.name } ?? "", village: f.village,
                                                                                      from: f.from!, to: f.to!, mask: mask, toggle: true))
    }

    /// One A4 sheet per village (each is posted at its own village's hall), or one for the village asked for.
    static func disclosureDoc(_ req: Request, _ records: [SupportRecord], communeName: String, village: String?, from: CivilDate, to: CivilDate, mask: Bool, toggle: Bool) -> HTML {
        let switchLink: HTML = toggle ? "<p class=\"noprint\"><button type=\"button\" data-print>In (A4)</button> · \(mask ? HTML("<a href=\"?\(req.url.query?.replacingOccurrences(of: "mask=1", with: "mask=0") ?? "")\">Hiện họ tên chủ hộ</a>") : HTML("<a href=\"?\(req.url.query.map { $0 + "&" } ?? "")mask=1\">Chỉ in chữ cái đầu của tên</a>"))</p>" : ""
        var groups: [(String?, [SupportRecord])] = []
        if let village, !village.isEmpty { groups = [(village, records)] }
        else {
            for r in records {
                if let i = groups.firstIndex(where: { $0.0 == r.village }) { groups[i].1.append(r) } else { groups.append((r.village, [r])) }
            }
            if groups.isEmpty { groups = [(nil, [])] }
        }
        let sheets: [HTML] = groups.map { v, records in
            var total = 0
            let rows: [HTML] = records.enumerated().map { i, r in
                if r.form != SupportForm.credit.rawValue { total += r.amount }
                let name = mask ? Disclosure.initials(r.head_name ?? "") : (r.head_name ?? "")
                return "<tr><td class=\"num\">\(i + 1)</td><td>\(name)</td><td>\(r.village)</td><td>\(policyName(req, r.policy_code))\(mask ? "" : r.quantity.map { " (\($0))" } ?? "")</td><td>\(SupportForm(rawValue: r.form)?.vietnamese ?? r.form)</td><td class=\"num\">\(money(r.amount))</td><td>\(CivilDate(r.given_on)?.vietnamese ?? r.given_on)</td><td>\(FundingSource(rawValue: r.source)?.vietnamese ?? r.source)</td></tr>"
            }
            return """
            <div class="doc sheet">
            <table class="doc-head"><tr><td>\(communeName.isEmpty ? "UBND XÃ …" : "UBND \(communeName.uppercased())")</td><td><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br><u>Độc lập - Tự do - Hạnh phúc</u></td></tr></table>
            <h2 class="center">DANH SÁCH CÔNG KHAI CÁC KHOẢN HỖ TRỢ HỘ NGHÈO, HỘ CẬN NGHÈO</h2>
            <p class="center">\(v.map { "Thôn, tổ: \($0) · " } ?? "")Từ ngày \(from.vietnamese) đến ngày \(to.vietnamese)</p>
            <div class="scroll"><table><thead><tr><th>STT</th><th>\(mask ? "Hộ (chữ cái đầu tên chủ hộ)" : "Họ và tên chủ hộ")</th><th>Thôn, tổ</th><th>Nội dung hỗ trợ</th><th>Hình thức</th><th>Số tiền (đồng)</th><th>Ngày</th><th>Nguồn</th></tr></thead>
            <tbody>\(rows.isEmpty ? ["<tr><td colspan=\"8\">Không có khoản hỗ trợ nào trong thời gian này.</td></tr>"] : rows)</tbody>
            <tfoot><tr class="total"><td colspan="5">Cộng (không kể cho vay)</td><td class="num">\(money(total))</td><td colspan="2"></td></tr></tfoot></table></div>
            <p>Mọi ý kiến về danh sách xin gửi UBND xã hoặc trưởng thôn trong thời gian niêm yết.</p>
            <table class="signatures"><tr><td><b>Người lập biểu</b><br><i>(Ký, ghi rõ họ tên)</i></td><td><b>TM. ỦY BAN NHÂN DÂN</b><br><i>(Ký, đóng dấu)</i></td></tr></table>
            </div>
            """
        }
        return "\(switchLink)\(sheets)"
    }
}
