import GiamNgheoStorage
import Vapor

/// Who may reach a route. Declared once per route group (`routes.access(.write)`); the group's middleware
/// enforces it and the route table keeps it, so the role × verb test reads the same declaration.
enum Access: String, Sendable, CaseIterable {
    /// No sign-in: the login page, the language switch, health, assets, the public figures.
    case anyone
    /// Any signed-in role; finer rules (the commune in scope, the review step) are the stores'.
    case signedIn
    /// Roles that may change the registry (admin, commune officer, village head).
    case write
    /// System administrators only.
    case admin
    /// The JSON API: a bearer token of any role instead of a session (`APIAuthMiddleware`); the account's scope.
    case token

    static let userInfoKey = AnySendableHashable("giamngheo.access")

    /// Whether a user of this role passes this route's check (nil: not signed in).
    func admits(_ role: Role?) -> Bool {
        switch self {
        case .anyone: return true
        case .signedIn: return role != nil
        case .write: return role?.canWrite ?? false
        case .admin: return role == .admin
        case .token: return role != nil
        }
    }

    var middleware: [any Middleware] {
        switch self {
        case .anyone: return []
        case .signedIn: return [RequireSignIn()]
        case .write: return [RequireSignIn(), RequireRole(access: .write)]
        case .admin: return [RequireSignIn(), RequireRole(access: .admin)]
        case .token: return []   // the API group's own middleware checks the token
        }
    }
}

extension RoutesBuilder {
    /// Routes added through the returned builder pass this access check and carry it in the route table.
    func access(_ access: Access) -> any RoutesBuilder {
        AccessGroup(root: grouped(access.middleware), access: access)
    }
}

/// Tags each route with its access, after the middleware group wrapped it.
private struct AccessGroup: RoutesBuilder {
    let root: any RoutesBuilder
    let access: Access
    func add(_ route: Route) {
        route.userInfo[Access.userInfoKey] = access
        root.add(route)
    }
}

extension Route {
    /// The access this route was declared with; nil for a route added outside every access group.
    var access: Access? { userInfo[Access.userInfoKey] as? Access }
}

/// Signed-in users only; others go to the login page and come back afterwards.
struct RequireSignIn: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard req.scope != nil else {
            let back = req.url.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"
            return req.redirect(to: Path.login + "?next=\(back)")
        }
        return try await next.respond(to: req)
    }
}

/// A role check after sign-in: a role that may not is refused before the handler runs.
struct RequireRole: AsyncMiddleware {
    let access: Access
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard access.admits(req.scope?.role) else { throw AccessError.forbidden }
        return try await next.respond(to: req)
    }
}

extension Request {
    /// The scope the route's access group checked. A handler on a route outside those groups has none,
    /// and the request fails closed.
    var checkedScope: Scope {
        get throws {
            guard let s = scope else { throw AccessError.forbidden }
            return s
        }
    }
}
