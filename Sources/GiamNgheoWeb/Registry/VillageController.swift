import Fluent
import GiamNgheoCore
import GiamNgheoStorage
import Vapor

/// Villages (thôn) and residential groups (tổ dân phố) per commune, kept by the commune.
struct VillageController: Feature {
    var navigation: [NavEntry] {
        [
            NavEntry(order: 80, path: Path.villages, vi: "Thôn, tổ", en: "Villages", access: .signedIn),
        ]
    }

    func boot(routes: any RoutesBuilder) throws {
        let r = routes.access(.signedIn)
        r.get("villages", use: list)
        r.post("villages", use: add)
        r.post("villages", ":id", "archive", use: setArchived(true))
        r.post("villages", ":id", "restore", use: setArchived(false))
    }

    func store(_ req: Request) -> VillageStore { req.application.registry.store.villages }

    func commune(_ req: Request, _ scope: Scope) throws -> String? {
        if let c = req.query[String.self, at: "commune"], !c.isEmpty {
            guard scope.allows(commune: c) else { throw AccessError.forbidden }
            return c
        }
        return try HouseholdController().communeChoices(req, scope).first?.code
    }

    func list(req: Request) async throws -> HTML {
        let scope = try req.checkedScope
        let commune = try commune(req, scope)
        return try await page(req, scope, commune: commune, error: nil)
    }

    func page(_ req: Request, _ scope: Scope, commune: String?, error: String?) async throws -> HTML {
        let units = req.application.registry.units
        let choices = try HouseholdController().communeChoices(req, scope)
        let picker: HTML = choices.count > 1 ? """
            <form method="get" action="/villages" class="filters"><label>Xã/phường<select name="commune">\(choices.map { HTML("<option value=\"\($0.code)\" \($0.code == commune ? "selected" : "")>\($0.vi)</option>") })</select></label>
            <button type="submit">Xem</button></form>
            """ : (choices.isEmpty ? """
            <form method="get" action="/villages" class="filters"><label>Mã xã/phường (2025)<input name="commune" value="\(commune)" inputmode="numeric"></label><button type="submit">Xem</button></form>
            """ : "")
        guard let commune else { return Layout.page(req, title: "Thôn, tổ dân phố", "<h1>Thôn, tổ dân phố</h1>\(picker)") }
        let villages = try await store(req).list(scope, commune: commune, includeArchived: true, on: req.db)
        let canEdit = scope.canWrite && scope.role != .villageHead
        let counts = try await Summaries.counts(scope, commune: commune, year: req.application.registry.store.summaryYear, on: req.db)
        var households: [String: Int] = [:]
        for c in counts { households[c.key, default: 0] += c.households }
        let rows: [HTML] = villages.map { v in
            let old = v.oldCommuneCode.flatMap { units.unit($0, in: .y2024) }.map { units.path(of: $0) } ?? ""
            let toggle: HTML = canEdit ? """
                <form method="post" action="/villages/\(v.id!)/\(v.archived ? "restore" : "archive")">\(req.csrfField)<button type="submit">\(v.archived ? "Dùng lại" : "Ngừng dùng")</button></form>
                """ : ""
            return """
            <tr><td><a href="/households?commune=\(commune)&village=\(v.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? v.name)">\(v.name)</a></td><td>\(v.kind == "to" ? "Tổ dân phố" : "Thôn")</td>
            <td>\(households[v.name] ?? 0)</td><td>\(old)</td><td>\(v.archived ? "ngừng dùng" : "đang dùng")</td><td class="noprint">\(toggle)</td></tr>
            """
        }
        let olds: [HTML] = units.predecessors(ofNewCommune: commune).compactMap { m in
            m.oldCommuneCode.map { "<option value=\"\($0)\">\(m.oldCommuneName) (\($0))</option>" }
        }
        let add: HTML = canEdit ? """
            <h2>Thêm thôn/tổ dân phố</h2>
            <form method="post" action="/villages" class="filters">
              \(req.csrfField)
              <input type="hidden" name="commune" value="\(commune)">
              <label>Tên<input name="name" required placeholder="Thôn 13"></label>
              <label>Loại<select name="kind"><option value="thon">Thôn (bản, ấp, buôn…)</option><option value="to">Tổ dân phố</option></select></label>
              <label>Thuộc xã/phường cũ (trước 01/07/2025)<select name="oldCommune"><option value=""></option>\(olds)</select></label>
              <button class="primary" type="submit">Thêm</button>
            </form>
            """ : ""
        return Layout.page(req, title: "Thôn, tổ dân phố", """
        <h1>Thôn, tổ dân phố của \(units.unit(commune)?.name ?? commune)</h1>
        \(picker)
        \(error.map { HTML("<p class=\"error\" role=\"alert\">\($0)</p>") } ?? "")
        <div class="scroll"><table><thead><tr><th>Tên</th><th>Loại</th><th>Số hộ</th><th>Xã/phường cũ (cấu trúc 2024)</th><th>Trạng thái</th><th class="noprint"></th></tr></thead>
        <tbody>\(rows.isEmpty ? ["<tr><td colspan=\"6\">Chưa khai báo thôn/tổ nào.</td></tr>"] : rows)</tbody></table></div>
        \(add)
        """)
    }

    func add(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        let f = req.formFields().single
        let commune = f["commune"] ?? ""
        do {
            try await store(req).add(scope, commune: commune, name: f["name"] ?? "", kind: f["kind"] ?? "thon",
                                     oldCommune: f["oldCommune"], on: req.db)
        } catch let e as ValidationError {
            let m = req.text(e.message)
            let res = try await page(req, scope, commune: commune, error: m).encodeResponse(for: req)
            res.status = .unprocessableEntity
            return res
        }
        return req.redirect(to: "/villages?commune=\(commune)")
    }

    func setArchived(_ archived: Bool) -> @Sendable (Request) async throws -> Response {
        { req in
            let scope = try req.checkedScope
            guard let id = req.parameters.get("id", as: Int.self) else { throw AccessError.notFound }
            try await req.application.registry.store.villages.setArchived(scope, id: id, archived: archived, on: req.db)
            let v = try await Village.find(id, on: req.db)
            return req.redirect(to: "/villages?commune=\(v?.communeCode ?? "")")
        }
    }
}
