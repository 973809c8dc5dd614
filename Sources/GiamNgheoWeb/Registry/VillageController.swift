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

    /// Gathers the page's values; the view turns them into markup.
    func page(_ req: Request, _ scope: Scope, commune: String?, error: String?) async throws -> HTML {
        let units = req.application.registry.units
        var page = VillagesPage(csrf: req.csrfToken, commune: commune, error: error)
        page.choices = try HouseholdController().communeChoices(req, scope).map { ($0.code, $0.vi) }
        if let commune {
            page.communeName = units.unit(commune)?.name ?? commune
            page.canEdit = scope.canWrite && scope.role != .villageHead
            let counts = try await Summaries.counts(scope, commune: commune, year: req.application.registry.store.summaryYear, on: req.db)
            var households: [String: Int] = [:]
            for c in counts { households[c.key, default: 0] += c.households }
            page.rows = try await store(req).list(scope, commune: commune, includeArchived: true, on: req.db).map { v in
                VillagesPage.Row(id: v.id!, name: v.name, residentialGroup: v.kind == "to", households: households[v.name] ?? 0,
                                 oldCommune: v.oldCommuneCode.flatMap { units.unit($0, in: .y2024) }.map { units.path(of: $0) } ?? "",
                                 archived: v.archived)
            }
            page.oldCommunes = units.predecessors(ofNewCommune: commune).compactMap { m in m.oldCommuneCode.map { ($0, m.oldCommuneName) } }
        }
        return Layout.page(req, title: req.t("Thôn, tổ dân phố", "Villages and residential groups"), VillagesView.body(page, req.language))
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
        return req.redirect(to: Path.villages + "?commune=\(commune)")
    }

    func setArchived(_ archived: Bool) -> @Sendable (Request) async throws -> Response {
        { req in
            let scope = try req.checkedScope
            guard let id = req.parameters.get("id", as: Int.self) else { throw AccessError.notFound }
            try await req.application.registry.store.villages.setArchived(scope, id: id, archived: archived, on: req.db)
            let v = try await Village.find(id, on: req.db)
            return req.redirect(to: "\(Path.villages)?commune=\(v?.communeCode ?? "")")
        }
    }
}
