import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoStorage
import Vapor

struct HouseholdController: Feature {
    var navigation: [NavEntry] {
        [
            NavEntry(order: 20, path: Path.households, vi: "Hộ gia đình", en: "Households", access: .signedIn),
        ]
    }

    func boot(routes: any RoutesBuilder) throws {
        let read = routes.access(.signedIn)
        read.get("households", use: list)
        read.get("households", ":id", use: show)
        read.post("households", ":id", "reveal", use: reveal)
        let write = routes.access(.write)
        write.get("households", "new", use: newForm)
        write.post("households", "new", use: create)
        write.get("households", ":id", "edit", use: editForm)
        write.post("households", ":id", "edit", use: save)
        write.post("households", ":id", "archive", use: archive)
        write.post("households", ":id", "head", use: changeHead)
        write.get("households", ":id", "members", "new", use: memberForm)
        write.post("households", ":id", "members", "new", use: saveMember)
        write.get("households", ":id", "members", ":mid", use: memberForm)
        write.post("households", ":id", "members", ":mid", use: saveMember)
        write.post("households", ":id", "members", ":mid", "remove", use: removeMember)
        write.get("households", ":id", "move", use: moveForm)
        write.post("households", ":id", "move", use: move)
        write.get("households", ":id", "split", use: splitForm)
        write.post("households", ":id", "split", use: split)
    }

    func list(req: Request) async throws -> HTML {
        let scope = try req.checkedScope
        let q = Self.query(req)
        let page = try await req.application.registry.store.list(scope, q, on: req.db)
        let units = req.application.registry.units
        let rows: [HTML] = page.rows.map { r in
            let commune = units.unit(r.communeCode)?.name ?? r.communeCode
            let deprived = r.deprived.split(separator: ",").joined(separator: " ")
            return """
            <tr><td><a href="\(Path.household(r.id))">\(r.code)</a></td><td>\(r.headName)</td>
            <td class="hide-sm">\(commune)</td><td class="hide-sm">\(r.village)</td><td>\(r.memberCount)</td>
            <td>\(Layout.categoryBadge(r.category, req.language))</td><td class="hide-sm">\(deprived)</td></tr>
            """
        }
        func selected(_ a: String?, _ b: String) -> HTML { a == b ? "selected" : "" }
        let categories: [HTML] = [("", "Tất cả"), ("poor", "Hộ nghèo"), ("nearPoor", "Hộ cận nghèo"),
                                  ("middleIncome", "Mức sống trung bình"), ("notPoor", "Không thuộc diện"),
                                  (HouseholdRecord.incomplete, "Chưa đủ thông tin")]
            .map { "<option value=\"\($0.0)\" \(selected(q.category ?? "", $0.0))>\($0.1)</option>" }
        let causes: [HTML] = [HTML(unsafe: "<option value=\"\">Tất cả</option>")] + BundledData.povertyCauses.map {
            "<option value=\"\($0.code)\" \(selected(q.cause ?? "", $0.code))>\($0.code). \($0.vi)</option>"
        }
        var villageChoices: [HTML] = []
        if let communes = scope.communes, communes.count == 1, let only = communes.first {
            villageChoices = try await req.application.registry.store.villages.names(scope, commune: only, on: req.db).map {
                "<option value=\"\($0)\" \(selected(q.village ?? "", $0))>\($0)</option>"
            }
        }
        let villageFilter: HTML = villageChoices.isEmpty
            ? "<label>Thôn/tổ<input name=\"village\" value=\"\(q.village)\" size=\"12\"></label>"
            : "<label>Thôn/tổ<select name=\"village\"><option value=\"\">Tất cả</option>\(villageChoices)</select></label>"
        var nextLink: HTML = ""
        if let n = page.next {
            var comps = URLComponents()
            comps.queryItems = (req.url.query.map { URLComponents(string: "?" + $0)?.queryItems ?? [] } ?? [])
                .filter { $0.name != "afterKey" && $0.name != "afterId" }
                + [URLQueryItem(name: "afterKey", value: n.sortKey), URLQueryItem(name: "afterId", value: String(n.id))]
            nextLink = "<p><a href=\"\(Path.households)\(comps.url?.absoluteString ?? "")\">\(req.t("Trang sau", "Next page")) →</a></p>"
        }
        return Layout.page(req, title: req.t("Hộ gia đình", "Households"), """
        <h1>\(req.t("Hộ gia đình", "Households"))</h1>
        \(scope.canWrite ? HTML("<p class=\"noprint\"><a href=\"\(Path.newHousehold)\">+ Thêm hộ mới</a></p>") : "")
        <form class="filters" method="get" action="\(Path.households)">
          <label>\(req.t("Tìm (tên, CCCD, mã hộ)", "Search (name, ID number, code)"))<input name="q" value="\(q.text)" placeholder="vd. nguyen thi"></label>
          <label>\(req.t("Phân loại", "Category"))<select name="category">\(categories)</select></label>
          <label>\(req.t("Thiếu hụt chỉ số", "Deprived in"))<input name="deprived" value="\(q.deprived)" size="5" placeholder="YT2"></label>
          \(villageFilter)
          <label>\(req.t("Nguyên nhân nghèo", "Poverty cause"))<select class="max-14" name="cause">\(causes)</select></label>
          <label><span><input type="checkbox" name="mainCause" value="1" \(q.mainCause ? "checked" : "")> \(req.t("chỉ nguyên nhân chính", "main cause only"))</span></label>
          <label><span><input type="checkbox" name="recentlyExited" value="1" \(q.recentlyExited ? "checked" : "")> \(req.t("Mới thoát nghèo", "Recently exited")) (\(q.recentlyExitedMonths) \(req.t("tháng", "months")))</span>\(q.recentlyExitedMonths != 36 ? HTML("<input type=\"hidden\" name=\"window\" value=\"\(q.recentlyExitedMonths)\">") : "")</label>
          <label><span><input type="checkbox" name="minority" value="1" \(q.ethnicMinority == true ? "checked" : "")> \(req.t("Chủ hộ DTTS", "Ethnic-minority head"))</span></label>
          <label><span><input type="checkbox" name="meritorious" value="1" \(q.meritorious == true ? "checked" : "")> \(req.t("Có người có công", "Meritorious person"))</span></label>
          <label><span><input type="checkbox" name="noWorkingCapacity" value="1" \(q.noWorkingCapacity == true ? "checked" : "")> \(req.t("Không có khả năng lao động", "No working capacity"))</span></label>
          <button class="primary" type="submit">\(req.t("Lọc", "Filter"))</button>
        </form>
        \(exportLinks(req))
        <div class="scroll"><table><thead><tr><th>\(req.t("Mã hộ", "Code"))</th><th>\(req.t("Chủ hộ", "Head"))</th><th class="hide-sm">\(req.t("Xã/phường", "Commune"))</th><th class="hide-sm">\(req.t("Thôn/tổ", "Village"))</th><th>\(req.t("Số NK", "Members"))</th><th>\(req.t("Phân loại", "Category"))</th><th class="hide-sm">\(req.t("Chỉ số thiếu hụt", "Deprived indicators"))</th></tr></thead>
        <tbody>\(rows.isEmpty ? [HTML("<tr><td colspan=\"7\">\(req.t("Không có hộ nào khớp điều kiện.", "No household matches."))</td></tr>")] : rows)</tbody></table></div>
        \(nextLink)
        """)
    }

    /// Downloads of the whole filtered list (every page), as the list's filters stand: a short list downloads
    /// at once, a long one is prepared in the background with its progress shown (`ExportJobController`).
    func exportLinks(_ req: Request) -> HTML {
        let kept = (req.url.query.map { URLComponents(string: "?" + $0)?.queryItems ?? [] } ?? [])
            .filter { !["afterKey", "afterId", "format", "what", "choice"].contains($0.name) }
        var c = URLComponents()
        c.queryItems = kept
        let action = Path.exports + (kept.isEmpty ? "" : (c.url?.absoluteString ?? ""))
        return """
        <form method="post" action="\(action)" class="noprint">\(req.csrfField)
        \(req.t("Tải danh sách đã lọc", "Download the filtered list")): <button class="link" name="choice" value="xlsx-households">Excel (.xlsx)</button> ·
        <button class="link" name="choice" value="csv-households">CSV \(req.t("hộ", "households"))</button> · <button class="link" name="choice" value="csv-members">CSV \(req.t("nhân khẩu", "members"))</button> ·
        \(req.t("Mẫu nhập liệu", "Import template")): <a href="\(Path.householdTemplate)">Excel</a>, <a href="\(Path.householdTemplate)?format=csv&amp;sheet=households">CSV hộ</a>,
        <a href="\(Path.householdTemplate)?format=csv&amp;sheet=members">CSV nhân khẩu</a></form>
        """
    }

    /// The list's filters from the query string (the list page and its exports read the same ones).
    static func query(_ req: Request) -> HouseholdQuery {
        let f = req.queryFields
        var q = HouseholdQuery()
        q.text = f["q"]
        q.category = f["category"]
        q.village = f["village"]
        q.deprived = f["deprived"]
        q.commune = f["commune"].flatMap { $0.isEmpty ? nil : $0 }
        if f["minority"] == "1" { q.ethnicMinority = true }
        if f["meritorious"] == "1" { q.meritorious = true }
        if f["noWorkingCapacity"] == "1" { q.noWorkingCapacity = true }
        q.cause = f["cause"]
        q.mainCause = f["mainCause"] == "1"
        q.recentlyExited = f["recentlyExited"] == "1"
        // The window in months (36 by default; a support policy may use another).
        if let w = f["window"].flatMap({ Int($0) }), (1...240).contains(w) { q.recentlyExitedMonths = w }
        if let key = f["afterKey"], let id = f["afterId"].flatMap({ Int($0) }) { q.after = (key, id) }
        return q
    }

    func record(_ req: Request) async throws -> (Scope, HouseholdRecord) {
        let scope = try req.checkedScope
        guard let id = req.parameters.get("id", as: Int.self) else { throw AccessError.notFound }
        return (scope, try await req.application.registry.store.get(scope, id: id, on: req.db))
    }

    func show(req: Request) async throws -> HTML {
        let (scope, r) = try await record(req)
        return try await showPage(req, scope, r, reveal: false)
    }

    /// Full national ID numbers for roles that need them; each reveal is itself audited.
    func reveal(req: Request) async throws -> HTML {
        let (scope, r) = try await record(req)
        guard scope.role.seesNationalID else { throw AccessError.forbidden }
        try await AuditEntry(username: scope.username, householdID: r.id, action: "reveal", field: "nationalID",
                             province: r.province).create(on: req.db)
        return try await showPage(req, scope, r, reveal: true)
    }

    func showPage(_ req: Request, _ scope: Scope, _ r: HouseholdRecord, reveal: Bool) async throws -> HTML {
        let services = req.application.registry
        let h = try services.store.household(r, parser: services.parser)
        var engine = services.store.engine
        engine.options.explain = true
        // A household not yet surveyed in full is kept; its page says what the rule still needs.
        let classified: Classification?, missing: ClassificationError?
        do { classified = try engine.classify(h); missing = nil } catch let err as ClassificationError { classified = nil; missing = err }
        let members: [HTML] = h.members.map { m in
            let age = m.age(on: services.referenceDate).map(String.init) ?? ""
            return """
            <tr><td>\(scope.canWrite ? HTML("<a href=\"\(Path.household(r.id!, "members", m.id))\">\(m.name ?? m.id)</a>") : HTML("\(m.name ?? m.id)"))</td><td>\(m.relation.map { Vocabulary.label(.relation, $0) })</td><td>\(m.birthDate?.vietnamese ?? m.birthYear.map(String.init))</td>
            <td>\(age)</td><td>\(m.sex.map { Vocabulary.label(.sex, $0) })</td>
            <td>\(m.ethnicity.flatMap { BundledData.ethnicGroups.group($0)?.name })</td><td>\(Layout.maskedID(m.nationalID, reveal: reveal))</td>
            <td>\(m.healthInsurance.map { $0 ? "có" : "không" })</td><td class="hide-sm">\(m.employment.map { Vocabulary.label(.employment, $0) })</td></tr>
            """
        }
        let indicators: [HTML] = (classified?.explanation?.indicators ?? []).map { i in
            let who = i.members.map { "\($0.name ?? $0.id): \($0.facts.joined(separator: "; "))" }
            let evidence = (who + i.facts).joined(separator: " · ")
            return """
            <tr><td>\(i.code)</td><td>\(i.name) \(i.verified ? "" : Layout.unverifiedBadge)</td>
            <td class="\(i.deprived ? "deprived" : "")">\(i.source == "notNeeded" ? "Không cần xét" : i.deprived ? "Thiếu hụt" : "Không")\(i.source == "answer" ? " (trả lời trực tiếp)" : "")</td>
            <td>\(evidence)<br><span class="muted">\(i.rule)</span></td></tr>
            """
        }
        let audit = try await services.store.audit(of: r, on: req.db)
        let auditRows: [HTML] = audit.map { a in
            "<tr><td>\(a.at.formatted(date: .numeric, time: .shortened))</td><td>\(a.username)</td><td>\(a.field ?? a.action)</td><td>\(a.oldValue)</td><td>\(a.newValue)</td><td>\(a.reason)</td></tr>"
        }
        let commune = services.units.unit(r.communeCode).map { services.units.path(of: $0) } ?? r.communeCode
        // The 2024 structure: where this address was before the merger (from the household or its village).
        var oldUnit: String? = h.oldCommune
        if oldUnit == nil, let v = h.village {
            oldUnit = try await services.store.oldCommune(ofVillage: v, commune: r.communeCode, on: req.db)
        }
        let oldPath = oldUnit.flatMap { services.units.unit($0, in: .y2024) }.map { services.units.path(of: $0) }
        let history = try await services.store.history(of: r, on: req.db)
        // Transitions against the years before (newly poor, re-poor, exited…), provisional years included.
        var byYear: [Int: Category] = [:]
        for y in history { if let c = Category(rawValue: y.category) { byYear[y.year] = c } }
        let historyRows: [HTML] = history.map { y in
            let transition = Transition.of(year: y.year, history: byYear).map { $0 == .none ? "" : $0.vietnamese } ?? ""
            let standard = services.store.engine.catalogue.standard(id: y.standard)?.name.vi ?? y.standard
            let source: String
            switch y.source {
            case "computed": source = "Tạm tính từ sổ hộ (chưa công nhận)"
            case "review": source = "Công nhận qua rà soát"
            default: source = "Theo danh sách đã công nhận"
            }
            return "<tr><td>\(y.year)</td><td>\(Layout.categoryBadge(y.category, req.language))</td><td>\(transition)</td><td>\(standard)</td><td>\(source)</td></tr>"
        }
        // Changes of the household itself (moved in or out, split, merged), from its audit trail; the
        // reasons carry "[tách từ hộ …]" and "[chuyển n nhân khẩu từ hộ A sang hộ B]" (HouseholdStore).
        var seen = Set<String>()
        let events: [HTML] = audit.reversed().compactMap { a in
            let reason = a.reason ?? ""
            let what: String
            if a.action == "create" { what = "Đăng ký hộ (hộ mới hoặc chuyển đến)" }
            else if a.action == "split" { what = "Hộ mới tách ra" + (reason.range(of: "[tách từ hộ").map { " " + reason[$0.lowerBound...] } ?? "") }
            else if a.action == "archive" { what = "Lưu trữ hộ (chuyển đi, nhập hộ khác…)" }
            else if let m = reason.range(of: "[tách từ hộ") { what = "Có nhân khẩu tách thành hộ mới " + reason[m.lowerBound...] }
            else if let m = reason.range(of: "[chuyển ") {
                let text = String(reason[m.lowerBound...])
                what = text.contains("từ hộ \(r.code) sang") ? "Nhân khẩu chuyển đi " + text : "Nhận nhân khẩu chuyển đến " + text
            } else { return nil }
            let key = "\(a.at.timeIntervalSince1970)|\(what)"
            guard seen.insert(key).inserted else { return nil }
            let year = Calendar(identifier: .gregorian).component(.year, from: a.at)
            return "<tr><td>\(year)</td><td>\(a.at.formatted(date: .numeric, time: .omitted))</td><td>\(what)</td><td>\(a.reason.map { $0.components(separatedBy: " [").first ?? $0 })</td></tr>"
        }
        let causeNames: [HTML] = (h.causes ?? []).enumerated().map { i, code in
            let c = BundledData.povertyCauses.first { $0.code == code }
            return "<li>\(c?.vi ?? code)\(i == 0 ? " (nguyên nhân chính)" : "") \(c?.verified == false ? Layout.unverifiedBadge : "")</li>"
        }
        let edit: HTML = scope.canWrite ? """
            <a href="\(Path.household(r.id!, "edit"))">Sửa thông tin hộ</a> · <a href="\(Path.household(r.id!, "members", "new"))">Thêm nhân khẩu</a> ·
            <a href="\(Path.household(r.id!, "move"))">Chuyển nhân khẩu</a> · <a href="\(Path.household(r.id!, "split"))">Tách hộ</a> ·
            """ : ""
        let revealButton: HTML = scope.role.seesNationalID && !reveal ? """
            <form class="inline" method="post" action="\(Path.household(r.id!, "reveal"))">\(req.csrfField)<button type="submit">Hiện số CCCD (được ghi nhật ký)</button></form>
            """ : ""
        let actions: HTML = "<p class=\"noprint\">\(edit) \(revealButton)</p>"
        return Layout.page(req, title: "Hộ \(r.code)", """
        <h1>Hộ \(r.code): \(r.headName) \(Layout.categoryBadge(classified?.category.rawValue ?? HouseholdRecord.incomplete, req.language))</h1>
        \(classification(classified, missing, r, commune: commune, oldPath: oldPath, referenceDate: services.referenceDate, actions: actions))
        <h2>\(req.t("Nhân khẩu", "Members")) (\(h.members.count))</h2>
        <div class="scroll"><table><thead><tr><th>Họ và tên</th><th>Quan hệ</th><th>Ngày sinh</th><th>Tuổi</th><th>Giới tính</th><th>Dân tộc</th><th>CCCD</th><th>BHYT</th><th class="hide-sm">Việc làm</th></tr></thead><tbody>\(members)</tbody></table></div>
        \(classified.map { c in HTML("""
        <h2>\(req.t("Các chỉ số thiếu hụt", "Deprivation indicators")) (\(c.deprivedCount)/\(c.explanation?.indicators.count ?? 0))</h2>
        <div class="scroll"><table><thead><tr><th>Mã</th><th>Chỉ số</th><th>Kết quả</th><th>Căn cứ</th></tr></thead><tbody>\(indicators)</tbody></table></div>
        """) } ?? "")
        <h2>\(req.t("Nguyên nhân nghèo", "Poverty causes"))</h2>
        \(causeNames.isEmpty ? HTML("<p class=\"muted\">Chưa ghi nguyên nhân.</p>") : HTML("<ol>\(causeNames)</ol>"))
        \(try await SupportController.householdSummary(req, household: r))
        <h2>\(req.t("Phân loại qua các năm", "Category by year"))</h2>
        <div class="scroll"><table><thead><tr><th>Năm</th><th>Phân loại</th><th>Diễn biến</th><th>Chuẩn</th><th>Nguồn</th></tr></thead>
        <tbody>\(historyRows.isEmpty ? ["<tr><td colspan=\"5\">Chưa có.</td></tr>"] : historyRows)</tbody></table></div>
        \(events.isEmpty ? "" : HTML("""
        <h2>\(req.t("Biến động hộ", "Household changes"))</h2>
        <div class="scroll"><table><thead><tr><th>Năm</th><th>Ngày</th><th>Biến động</th><th>Lý do</th></tr></thead><tbody>\(events)</tbody></table></div>
        """))
        <h2>\(req.t("Nhật ký thay đổi", "Audit trail"))</h2>
        <div class="scroll"><table><thead><tr><th>Thời gian</th><th>Người sửa</th><th>Trường</th><th>Cũ</th><th>Mới</th><th>Lý do</th></tr></thead>
        <tbody>\(auditRows.isEmpty ? ["<tr><td colspan=\"6\">Chưa có thay đổi.</td></tr>"] : auditRows)</tbody></table></div>
        """)
    }

    /// The cards at the top: address, measure, standard and the conclusion, or what is still missing.
    func classification(_ c: Classification?, _ missing: ClassificationError?, _ r: HouseholdRecord, commune: String, oldPath: String?,
                        referenceDate: CivilDate, actions: HTML) -> HTML {
        guard let c, let e = c.explanation else {
            return """
            <div class="grid"><div class="card"><b>Địa chỉ</b><br>\(r.village), \(commune)\(oldPath.map { HTML("<br><span class=\"muted\">Trước 01/07/2025: \($0)</span>") } ?? "")</div></div>
            \(actions)
            <div class="error"><b>Chưa đủ thông tin để phân loại.</b> \(missing?.message ?? "") (trường \(missing?.field ?? "")).
            Hộ đã được lưu; bổ sung thông tin còn thiếu để hệ thống phân loại.</div>
            """
        }
        return """
        <div class="grid">
          <div class="card"><b>Địa chỉ</b><br>\(r.village), \(commune)<br><span class="muted">Khu vực: \(e.area.vietnamese)\(oldPath.map { "; trước 01/07/2025: \($0)" } ?? "")</span></div>
          <div class="card"><b>\(e.measure == "scoreB1" ? "Điểm B1" : "Thu nhập bình quân")</b><br>\(Format.money(e.value))\(e.measure == "scoreB1" ? " điểm" : " đồng/người/tháng")</div>
          <div class="card"><b>Chuẩn áp dụng</b><br>\(e.standard.name)<br><span class="muted">\(e.standard.id), ngày rà soát \(referenceDate.vietnamese)</span></div>
        </div>
        \(actions)
        <div class="card"><b>Kết luận:</b> \(e.summary.vi) \(e.rule.verified ? "" : Layout.unverifiedBadge)
        \(e.notes.isEmpty ? "" : HTML(unsafe: "<br><span class=\"muted\">" + HTML.escape(e.notes.joined(separator: " ")) + "</span>"))</div>
        """
    }

    func archive(req: Request) async throws -> Response {
        let (scope, r) = try await record(req)
        let form = try req.content.decode([String: String].self)
        let version = try Self.version(form)
        try await req.application.registry.store.archive(scope, id: r.id!, expectedVersion: version, reason: form["reason"] ?? "", on: req.db)
        return req.redirect(to: Path.households)
    }
}
