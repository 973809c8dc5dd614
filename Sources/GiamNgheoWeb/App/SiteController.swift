import GiamNgheoStorage
import Vapor

/// What every visitor reaches without signing in: health, the start redirect, the language switch, assets.
struct SiteController: Feature {
    func boot(routes: any RoutesBuilder) throws {
        let r = routes.access(.anyone)
        r.get("health", use: health)
        r.get(use: start)
        r.get("lang", ":code", use: LanguageController().set)
        r.get("app.css") { _ in Assets.response(Assets.css, type: HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"])) }
        r.get("app.js") { _ in Assets.response(Assets.js, type: HTTPMediaType(type: "application", subType: "javascript", parameters: ["charset": "utf-8"])) }
    }

    func health(req: Request) async throws -> Response {
        // Touch the database so "healthy" means it answers, not just that the process is up.
        _ = try await AccountStore(units: req.application.registry.units).count(on: req.db)
        let res = Response(status: .ok)
        var body = ["status": "ok"]
        // A supervisor (or a test) that started this process with an id checks it is talking to it.
        if let id = Environment.get("GIAMNGHEO_INSTANCE_ID"), !id.isEmpty { body["instance"] = id }
        try res.content.encode(body)
        return res
    }

    func start(req: Request) async throws -> Response {
        req.redirect(to: req.scope == nil ? Path.login : Path.dashboard)
    }
}

/// The stylesheet and the script, shipped as files beside the code (the CSP allows no inline style or script).
enum Assets {
    static let css = load("app", "css")
    static let js = load("app", "js")

    static func load(_ name: String, _ ext: String) -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Assets"),
              let text = try? String(contentsOf: url, encoding: .utf8) else { return "" }
        return text
    }

    static func response(_ text: String, type: HTTPMediaType) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = type
        headers.add(name: "Cache-Control", value: "max-age=300")
        headers.add(name: "X-Content-Type-Options", value: "nosniff")
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }
}
