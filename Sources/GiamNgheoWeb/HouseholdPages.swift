import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoStorage
import Vapor

struct HouseholdController {
    func list(req: Request) async throws -> HTML {
        let scope = try req.requireScope()
        var q = HouseholdQuery()
        q.text = req.query[String.self, at: "q"]
        q.category = req.query[String.self, at: "category"]
        q.village = req.query[String.self, at: "village"]
        q.deprived = req.query[String.self, at: "deprived"]
        q.commune = req.query[String.self, at: "commune"].flatMap { $0.isEmpty ? nil : $0 }
        if req.query[String.self, at: "minority"] == "1" { q.ethnicMinority = true }
        if req.query[String.self, at: "meritorious"] == "1" { q.meritorious = true }
        if req.query[String.self, at: "noWorkingCapacity"] == "1" { q.noWorkingCapacity = true }
        if let key = req.query[String.self, at: "afterKey"], let id = req.query[Int.self, at: "afterId"] { q.after = (key, id) }
        let page = try await req.application.registry.store.list(scope, q, on: req.db)
        let units = req.application.registry.units
        let rows: [HTML] = page.rows.map { r in
            let commune = units.unit(r.communeCode)?.name ?? r.communeCode
            let deprived = r.deprived.split(separator: ",").joined(separator: " ")
            return """
            <tr><td><a href="/households/\(r.id!)">\(r.code)</a></td><td>\(r.headName)</td>
            <td class="hide-sm">\(commune)</td><td class="hide-sm">\(r.village)</td><td>\(r.memberCount)</td>
            <td>\(Layout.categoryBadge(r.category))</td><td class="hide-sm">\(deprived)</td></tr>
            """
        }
        func selected(_ a: String?, _ b: String) -> HTML { a == b ? "selected" : "" }
        let categories: [HTML] = [("", "Tất cả"), ("poor", "Hộ nghèo"), ("nearPoor", "Hộ cận nghèo"),
                                  ("middleIncome", "Mức sống trung bình"), ("notPoor", "Không thuộc diện")]
            .map { "<option value=\"\($0.0)\" \(selected(q.category ?? "", $0.0))>\($0.1)</option>" }
        var nextLink: HTML = ""
        if let n = page.next {
            var comps = URLComponents()
            comps.queryItems = (req.url.query.map { URLComponents(string: "?" + $0)?.queryItems ?? [] } ?? [])
                .filter { $0.name != "afterKey" && $0.name != "afterId" }
                + [URLQueryItem(name: "afterKey", value: n.sortKey), URLQueryItem(name: "afterId", value: String(n.id))]
            nextLink = "<p><a href=\"/households\(comps.url?.absoluteString ?? "")\">Trang sau →</a></p>"
        }
        return Layout.page(req, title: "Hộ gia đình", """
        <h1>Hộ gia đình</h1>
        <form class="filters" method="get" action="/households">
          <label>Tìm (tên, CCCD, mã hộ)<input name="q" value="\(q.text)" placeholder="vd. nguyen thi"></label>
          <label>Phân loại<select name="category">\(categories)</select></label>
          <label>Thiếu hụt chỉ số<input name="deprived" value="\(q.deprived)" size="5" placeholder="YT2"></label>
          <label>Thôn/tổ<input name="village" value="\(q.village)" size="12"></label>
          <label><span><input type="checkbox" name="minority" value="1" \(q.ethnicMinority == true ? "checked" : "")> Chủ hộ DTTS</span></label>
          <label><span><input type="checkbox" name="meritorious" value="1" \(q.meritorious == true ? "checked" : "")> Có người có công</span></label>
          <label><span><input type="checkbox" name="noWorkingCapacity" value="1" \(q.noWorkingCapacity == true ? "checked" : "")> Không có khả năng lao động</span></label>
          <button class="primary" type="submit">Lọc</button>
        </form>
        <div class="scroll"><table><thead><tr><th>Mã hộ</th><th>Chủ hộ</th><th class="hide-sm">Xã/phường</th><th class="hide-sm">Thôn/tổ</th><th>Số NK</th><th>Phân loại</th><th class="hide-sm">Chỉ số thiếu hụt</th></tr></thead>
        <tbody>\(rows.isEmpty ? ["<tr><td colspan=\"7\">Không có hộ nào khớp điều kiện.</td></tr>"] : rows)</tbody></table></div>
        \(nextLink)
        """)
    }

    func record(_ req: Request) async throws -> (Scope, HouseholdRecord) {
        let scope = try req.requireScope()
        guard let id = req.parameters.get("id", as: Int.self) else { throw ScopeError(.notFound) }
        return (scope, try await req.application.registry.store.get(scope, id: id, on: req.db))
    }

    func show(req: Request) async throws -> HTML {
        let (scope, r) = try await record(req)
        return try await showPage(req, scope, r, reveal: false)
    }

    /// Full national ID numbers for roles that need them; each reveal is itself audited.
    func reveal(req: Request) async throws -> HTML {
        let (scope, r) = try await record(req)
        guard scope.role.seesNationalID else { throw ScopeError(.forbidden) }
        try await AuditEntry(username: scope.username, householdID: r.id, action: "reveal", field: "nationalID").create(on: req.db)
        return try await showPage(req, scope, r, reveal: true)
    }

    func showPage(_ req: Request, _ scope: Scope, _ r: HouseholdRecord, reveal: Bool) async throws -> HTML {
        let services = req.application.registry
        let h = try services.store.household(r, parser: services.parser)
        var engine = services.store.engine
        engine.options.explain = true
        let c = try engine.classify(h)
        let e = c.explanation!
        let members: [HTML] = h.members.map { m in
            let age = m.age(on: services.referenceDate).map(String.init) ?? ""
            return """
            <tr><td>\(m.name)</td><td>\(m.relation.map { Vocabulary.label(.relation, $0) })</td><td>\(m.birthDate?.vietnamese ?? m.birthYear.map(String.init))</td>
            <td>\(age)</td><td>\(m.sex.map { Vocabulary.label(.sex, $0) })</td>
            <td>\(m.ethnicity.flatMap { BundledData.ethnicGroups.group($0)?.name })</td><td>\(Layout.maskedID(m.nationalID, reveal: reveal))</td>
            <td>\(m.healthInsurance.map { $0 ? "có" : "không" })</td><td class="hide-sm">\(m.employment.map { Vocabulary.label(.employment, $0) })</td></tr>
            """
        }
        let indicators: [HTML] = e.indicators.map { i in
            let who = i.members.map { "\($0.name ?? $0.id): \($0.facts.joined(separator: "; "))" }
            let evidence = (who + i.facts).joined(separator: " · ")
            return """
            <tr><td>\(i.code)</td><td>\(i.name) \(i.verified ? "" : Layout.unverifiedBadge)</td>
            <td class="\(i.deprived ? "deprived" : "")">\(i.deprived ? "Thiếu hụt" : "Không")\(i.source == "answer" ? " (trả lời trực tiếp)" : "")</td>
            <td>\(evidence)<br><span class="muted">\(i.rule)</span></td></tr>
            """
        }
        let audit = try await services.store.audit(scope, householdID: r.id!, on: req.db)
        let auditRows: [HTML] = audit.map { a in
            "<tr><td>\(a.at.formatted(date: .numeric, time: .shortened))</td><td>\(a.username)</td><td>\(a.field ?? a.action)</td><td>\(a.oldValue)</td><td>\(a.newValue)</td><td>\(a.reason)</td></tr>"
        }
        let commune = services.units.unit(r.communeCode).map { services.units.path(of: $0) } ?? r.communeCode
        let edit: HTML = scope.canWrite ? "<a href=\"/households/\(r.id!)/edit\">Sửa thông tin hộ</a>" : ""
        let revealButton: HTML = scope.role.seesNationalID && !reveal ? """
            <form method="post" action="/households/\(r.id!)/reveal" style="display:inline"><input type="hidden" name="_csrf" value="\(req.csrfToken)"><button type="submit">Hiện số CCCD (được ghi nhật ký)</button></form>
            """ : ""
        let actions: HTML = "<p class=\"noprint\">\(edit) \(revealButton)</p>"
        return Layout.page(req, title: "Hộ \(r.code)", """
        <h1>Hộ \(r.code): \(r.headName) \(Layout.categoryBadge(c.category.rawValue))</h1>
        <div class="grid">
          <div class="card"><b>Địa chỉ</b><br>\(r.village), \(commune)<br><span class="muted">Khu vực: \(e.area.vietnamese)</span></div>
          <div class="card"><b>\(e.measure == "scoreA" ? "Điểm A" : "Thu nhập bình quân")</b><br>\(Format.money(e.value))\(e.measure == "scoreA" ? " điểm" : " đồng/người/tháng")</div>
          <div class="card"><b>Chuẩn áp dụng</b><br>\(e.standard.name)<br><span class="muted">\(e.standard.id), ngày rà soát \(services.referenceDate.vietnamese)</span></div>
        </div>
        \(actions)
        <div class="card"><b>Kết luận:</b> \(e.summary.vi) \(e.rule.verified ? "" : Layout.unverifiedBadge)
        \(e.notes.isEmpty ? "" : HTML(unsafe: "<br><span class=\"muted\">" + HTML.escape(e.notes.joined(separator: " ")) + "</span>"))</div>
        <h2>Nhân khẩu (\(h.members.count))</h2>
        <div class="scroll"><table><thead><tr><th>Họ và tên</th><th>Quan hệ</th><th>Ngày sinh</th><th>Tuổi</th><th>Giới tính</th><th>Dân tộc</th><th>CCCD</th><th>BHYT</th><th class="hide-sm">Việc làm</th></tr></thead><tbody>\(members)</tbody></table></div>
        <h2>Các chỉ số thiếu hụt (\(c.deprivedCount)/\(e.indicators.count))</h2>
        <div class="scroll"><table><thead><tr><th>Mã</th><th>Chỉ số</th><th>Kết quả</th><th>Căn cứ</th></tr></thead><tbody>\(indicators)</tbody></table></div>
        <h2>Nhật ký thay đổi</h2>
        <div class="scroll"><table><thead><tr><th>Thời gian</th><th>Người sửa</th><th>Trường</th><th>Cũ</th><th>Mới</th><th>Lý do</th></tr></thead>
        <tbody>\(auditRows.isEmpty ? ["<tr><td colspan=\"6\">Chưa có thay đổi.</td></tr>"] : auditRows)</tbody></table></div>
        """)
    }

    func editForm(req: Request) async throws -> HTML {
        let (scope, r) = try await record(req)
        guard scope.canWrite else { throw ScopeError(.forbidden) }
        let h = try req.application.registry.store.household(r, parser: req.application.registry.parser)
        return editPage(req, r, h, error: nil)
    }

    func options(_ fact: Fact, _ current: String?) -> [HTML] {
        [HTML(unsafe: "<option value=\"\"></option>")] + (Vocabulary.values[fact] ?? []).map {
            "<option value=\"\($0.code)\" \(current == $0.code ? "selected" : "")>\($0.vi)</option>"
        }
    }

    func yesNo(_ name: String, _ v: Bool?) -> HTML {
        "<select name=\"\(name)\"><option value=\"\"></option><option value=\"true\" \(v == true ? "selected" : "")>có</option><option value=\"false\" \(v == false ? "selected" : "")>không</option></select>"
    }

    func editPage(_ req: Request, _ r: HouseholdRecord, _ h: Household, error: String?) -> HTML {
        let l = h.living
        let memberRows: [HTML] = h.members.map { m in
            """
            <tr><td>\(m.name)</td>
            <td>\(yesNo("m.\(m.id).healthInsurance", m.healthInsurance))</td>
            <td><select name="m.\(m.id).employment">\(options(.employment, m.employment))</select></td>
            <td><select name="m.\(m.id).schooling">\(options(.schooling, m.schooling))</select></td>
            <td><select name="m.\(m.id).qualification">\(options(.qualification, m.qualification))</select></td>
            <td>\(yesNo("m.\(m.id).workingCapacity", m.workingCapacity))</td></tr>
            """
        }
        return Layout.page(req, title: "Sửa hộ \(r.code)", """
        <h1>Sửa hộ \(r.code): \(r.headName)</h1>
        \(error.map { HTML(unsafe: "<p class=\"error\" role=\"alert\">" + HTML.escape($0) + "</p>") } ?? "")
        <form method="post" action="/households/\(r.id!)/edit">
          <input type="hidden" name="_csrf" value="\(req.csrfToken)">
          <input type="hidden" name="version" value="\(r.version)">
          <div class="grid">
            <label>Thu nhập bình quân (đồng/người/tháng)<br><input name="incomePerCapita" inputmode="numeric" value="\(h.incomePerCapita.map(String.init))"></label>
            <label>Diện tích nhà ở (m²)<br><input name="floorArea" inputmode="decimal" value="\(l.floorArea.map { Format.number($0) })"></label>
            <label>Nguồn nước<br><select name="waterSource">\(options(.waterSource, l.waterSource))</select></label>
            <label>Nhà tiêu<br><select name="latrine">\(options(.latrine, l.latrine))</select></label>
            <label>Sử dụng internet<br>\(yesNo("usesInternet", l.usesInternet))</label>
            <label>Làm nông, lâm, ngư, diêm nghiệp<br>\(yesNo("agriculture", h.agriculture))</label>
          </div>
          <h2>Nhân khẩu</h2>
          <div class="scroll"><table><thead><tr><th>Họ và tên</th><th>BHYT</th><th>Việc làm</th><th>Đi học</th><th>Trình độ</th><th>Có khả năng lao động</th></tr></thead><tbody>\(memberRows)</tbody></table></div>
          <p><label>Lý do thay đổi<br><input name="reason" style="width:100%" required></label></p>
          <p><button class="primary" type="submit">Lưu</button> <a href="/households/\(r.id!)">Hủy</a></p>
        </form>
        <h2>Lưu trữ hộ</h2>
        <form method="post" action="/households/\(r.id!)/archive" class="filters">
          <input type="hidden" name="_csrf" value="\(req.csrfToken)">
          <input type="hidden" name="version" value="\(r.version)">
          <label>Lý do (chuyển đi, nhập hộ khác, …)<input name="reason" required size="40"></label>
          <button type="submit">Lưu trữ hộ</button>
        </form>
        """)
    }

    func archive(req: Request) async throws -> Response {
        let (scope, r) = try await record(req)
        let form = try req.content.decode([String: String].self)
        guard let version = form["version"].flatMap(Int.init) else { throw Abort(.badRequest, reason: "Thiếu phiên bản của bản ghi.") }
        try await req.application.registry.store.archive(scope, id: r.id!, expectedVersion: version, reason: form["reason"] ?? "", on: req.db)
        return req.redirect(to: "/households")
    }

    func save(req: Request) async throws -> Response {
        let (scope, r) = try await record(req)
        guard scope.canWrite else { throw ScopeError(.forbidden) }
        let services = req.application.registry
        var h = try services.store.household(r, parser: services.parser)
        let form = try req.content.decode([String: String].self)
        guard let version = form["version"].flatMap(Int.init) else { throw Abort(.badRequest, reason: "Thiếu phiên bản của bản ghi.") }
        // Re-use the interchange parser for the submitted values: one set of checks and messages.
        var dict = Interchange.dictionary(h)
        var living = dict["living"] as? [String: Any] ?? [:]
        func put(_ key: String, into d: inout [String: Any]) {
            guard let v = form[key] else { return }
            if v.isEmpty { d.removeValue(forKey: key) } else { d[key] = v }
        }
        put("incomePerCapita", into: &dict); put("agriculture", into: &dict)
        for k in ["floorArea", "waterSource", "latrine", "usesInternet"] { put(k, into: &living) }
        dict["living"] = living
        if var members = dict["members"] as? [[String: Any]] {
            for i in members.indices {
                let id = "\(members[i]["id"]!)"
                for k in ["healthInsurance", "employment", "schooling", "qualification", "workingCapacity"] {
                    guard let v = form["m.\(id).\(k)"] else { continue }
                    if v.isEmpty { members[i].removeValue(forKey: k) } else { members[i][k] = v }
                }
            }
            dict["members"] = members
        }
        do {
            h = try services.parser.parse(dict, fallbackCode: r.code)
            try await services.store.save(scope, id: r.id!, household: h, expectedVersion: version,
                                          reason: form["reason"], on: req.db)
        } catch let e as ClassificationError {
            let res = try await editPage(req, r, h, error: e.description).encodeResponse(for: req)
            res.status = .unprocessableEntity
            return res
        } catch let e as ScopeError {
            if case .invalid(let m) = e.kind {
                let res = try await editPage(req, r, h, error: m).encodeResponse(for: req)
                res.status = .unprocessableEntity
                return res
            }
            throw e
        }
        return req.redirect(to: "/households/\(r.id!)")
    }
}

