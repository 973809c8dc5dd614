import Foundation
@testable import GiamNgheoWeb
import GiamNgheoStorage
import Testing
import Vapor

/// Who may reach what, read from the route table itself: the declaration the middleware enforces is the
/// one tested, so a new route cannot slip in without an access rule.
@Suite struct AccessMatrixTests {
    /// A concrete path for a route pattern: parameters become a number no record has.
    static func path(_ route: Route) -> String {
        "/" + route.path.map { component -> String in
            switch component {
            case .constant(let s): return s
            case .parameter: return "999999"
            case .anything, .catchall: return "x"
            }
        }.joined(separator: "/")
    }

    @Test func everyRouteDeclaresItsAccess() async throws {
        try await withTestApp(households: 20) { app, _ in
            let undeclared = app.routes.all.filter { $0.access == nil }.map { "\($0.method) \(Self.path($0))" }
            #expect(undeclared.isEmpty, "routes without an access rule: \(undeclared)")
            // The public group is small and visible: sign-in, language, health, assets, the public figures.
            let open = Set(app.routes.all.filter { $0.access == .anyone }.map { Self.path($0) })
            #expect(open == ["/health", "/", "/lang/999999", "/app.css", "/app.js", "/login", "/logout", "/public", "/public/999999",
                             "/api/v1/openapi.json"], "\(open.sorted())")
        }
    }

    @Test func theMatrixOfRolesAndVerbsHolds() async throws {
        try await withTestApp(households: 20) { app, accounts in
            let routes = app.routes.all
            // Not signed in: every route outside the public group sends the visitor to the login page.
            var anonymous = Browser(app)
            _ = try await anonymous.get("/login")
            for route in routes where route.access != .anyone {
                let path = Self.path(route)
                let r = route.method == .GET ? try await anonymous.get(path) : try await anonymous.post(path, [:])
                if route.access == .token {
                    // The API answers for itself: 401 with a JSON error, whatever the session cookie says.
                    #expect(r.status == .unauthorized && r.body.contains("\"auth.token\""), "anonymous \(route.method) \(path): \(r.status)")
                } else {
                    #expect(r.status == .seeOther && (r.location ?? "").hasPrefix("/login?next="), "anonymous \(route.method) \(path): \(r.status)")
                }
            }
            // Signed in: a role the route's access does not admit is refused before the handler runs.
            for role in Role.allCases {
                var b = Browser(app)
                try await b.login(accounts.first(role))
                for route in routes {
                    guard let access = route.access, !access.admits(role) else { continue }
                    let path = Self.path(route)
                    let r = route.method == .GET ? try await b.get(path) : try await b.post(path, [:])
                    #expect(r.status == .forbidden, "\(role) \(route.method) \(path): \(r.status)")
                }
            }
        }
    }

    @Test func theMenuShowsWhatTheRoleMayOpen() async throws {
        try await withTestApp(households: 20) { app, accounts in
            #expect(app.navigation.map(\.path) == ["/dashboard", "/households", "/reviews", "/reports", "/support", "/targets",
                                                    "/whatif", "/analytics", "/villages", "/imports", "/admin/users"])
            var auditor = Browser(app)
            try await auditor.login(accounts.first(.auditor))
            let page = try await auditor.get("/dashboard").body
            #expect(page.contains("href=\"/reports\"") && !page.contains("href=\"/imports\"") && !page.contains("href=\"/admin/users\""))
            var admin = Browser(app)
            try await admin.login(accounts.first(.admin))
            #expect(try await admin.get("/dashboard").body.contains("href=\"/admin/users\""))
        }
    }

    @Test func pagesCarryNoInlineStyleAndTheCSPForbidsIt() async throws {
        try await withTestApp(households: 20) { app, accounts in
            var b = Browser(app)
            try await b.login(accounts.first(.communeOfficer))
            for path in ["/dashboard", "/households", "/reviews", "/reports", "/support", "/analytics", "/whatif", "/villages", "/imports", "/account/password"] {
                let body = try await b.get(path).body
                #expect(!body.contains("style=") && !body.contains("<style"), "\(path) has inline style")
            }
            try await app.testing().test(.GET, "/login") { res async in
                let csp = res.headers.first(name: "Content-Security-Policy") ?? ""
                #expect(csp.contains("default-src 'self'") && !csp.contains("unsafe-inline"), "\(csp)")
            }
            try await app.testing().test(.GET, "/app.css") { res async in
                #expect(res.status == .ok && res.headers.contentType?.subType == "css" && res.body.string.contains(".badge"))
            }
        }
    }

    /// Whether a concrete path (no query) is served by one of the routes.
    static func served(_ path: String, by routes: [Route]) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        return routes.contains { route in
            guard route.path.count == parts.count else { return false }
            return zip(route.path, parts).allSatisfy { component, part in
                if case .constant(let c) = component { return c == part }
                return true
            }
        }
    }

    /// Every link and form action on the main pages of each role leads to a route (the paths are built by `Path`).
    @Test func everyLinkOnThePagesLeadsToARoute() async throws {
        try await withTestApp(households: 40) { app, accounts in
            let routes = app.routes.all
            var checked = 0
            for role in [Role.communeOfficer, .provinceOfficer, .admin] {
                var b = Browser(app)
                try await b.login(accounts.first(role))
                var pages = ["/dashboard", "/households", "/reviews", "/reports", "/support", "/support/monitoring", "/models", "/fund",
                             "/targets", "/whatif", "/analytics", "/villages", "/imports", "/account/password", "/public"]
                if role == .admin { pages.append("/admin/users") }
                // A household page and a review round, with their many actions.
                let list = try await b.get("/households").body
                if let r = list.range(of: "href=\"/households/"), let end = list[r.upperBound...].firstIndex(of: "\"") {
                    pages.append("/households/" + list[r.upperBound..<end])
                }
                let reviews = try await b.get("/reviews").body
                if let r = reviews.range(of: "href=\"/reviews/"), let end = reviews[r.upperBound...].firstIndex(of: "\"") {
                    pages.append("/reviews/" + reviews[r.upperBound..<end])
                }
                for page in pages {
                    let body = try await b.get(page).body
                    let pattern = /(?:href|action|data-progress|data-preview)="(\/[^"#?]*)/
                    for match in body.matches(of: pattern) {
                        let path = String(match.output.1)
                        checked += 1
                        #expect(Self.served(path, by: routes), "\(role) \(page): \(path) leads nowhere")
                    }
                }
            }
            #expect(checked > 200, "only \(checked) links seen")
        }
    }
}
