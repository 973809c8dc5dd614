import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoStorage
@testable import GiamNgheoWeb
import Testing
import Vapor
import VaporTesting

/// Issue 21 §3: the JSON API with bearer tokens — scoped like its account, errors as JSON in both languages, the
/// document written from the same route table. (schemathesis runs against a live server in CI: scripts/check-api.py.)
@Suite(.serialized) struct APITests {
    struct Reply { var status: HTTPStatus; var json: [String: Any]; var headers: HTTPHeaders }

    func call(_ app: Application, _ method: HTTPMethod = .GET, _ path: String, token: String?, body: String? = nil) async throws -> Reply {
        var out = Reply(status: .ok, json: [:], headers: [:])
        try await app.testing().test(method, path, beforeRequest: { req in
            if let token { req.headers.replaceOrAdd(name: .authorization, value: "Bearer \(token)") }
            if let body { req.headers.contentType = .json; req.body = ByteBuffer(string: body) }
        }, afterResponse: { res async in
            out = Reply(status: res.status, json: (try? JSONSerialization.jsonObject(with: Data(res.body.readableBytesView))) as? [String: Any] ?? [:],
                        headers: res.headers)
        })
        return out
    }

    func token(_ app: Application, _ account: Account) async throws -> String {
        let user = try #require(try await User.query(on: app.db).filter(\.$username == account.username).first())
        return try await APITokens.issue(to: user, name: "test", on: app.db)
    }

    func error(_ r: Reply) -> String? { (r.json["error"] as? [String: Any])?["code"] as? String }

    @Test func aTokenActsAsItsAccountAndNoMore() async throws {
        try await withTestApp(households: 120) { app, accounts in
            let officer = accounts.first(.communeOfficer), head = accounts.first(.villageHead)
            let mine = try await token(app, officer)
            let me = try await call(app, .GET, "/api/v1/me", token: mine)
            #expect(me.status == .ok && me.json["username"] as? String == officer.username && me.json["role"] as? String == "communeOfficer")
            // Stored hashed: the text is nowhere in the database.
            let stored = try await app.db.sql.raw("SELECT token_hash, prefix FROM api_tokens").all()
            let hash = try stored.first?.decode(column: "token_hash", as: String.self)
            #expect(stored.count == 1 && hash != nil && hash != mine)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "api.token").count() == 1)

            // The list: only the account's communes, pages joined by the cursor into every household, once each.
            var seen: [Int] = [], after: String? = nil
            repeat {
                let page = try await call(app, .GET, "/api/v1/households?limit=7" + (after.map { "&after=\($0)" } ?? ""), token: mine)
                #expect(page.status == .ok)
                let items = page.json["items"] as? [[String: Any]] ?? []
                #expect(items.allSatisfy { officer.units.contains($0["commune"] as? String ?? "") })
                seen += items.compactMap { $0["id"] as? Int }
                after = page.json["next"] as? String
            } while after != nil
            let expected = try await HouseholdRecord.query(on: app.db).filter(\.$communeCode ~~ officer.units).filter(\.$archivedReason == nil).count()
            #expect(seen.count == expected && Set(seen).count == seen.count)

            // Another commune's household is not found; another commune's list is refused.
            let foreign = try #require(try await HouseholdRecord.query(on: app.db).filter(\.$communeCode !~ officer.units).first())
            let hidden = try await call(app, .GET, "/api/v1/households/\(foreign.id!)", token: mine)
            #expect(hidden.status == .notFound && error(hidden) == "access.notFound")
            #expect((hidden.json["error"] as? [String: Any])?["vi"] as? String == "Không có hộ này, hoặc hộ không thuộc địa bàn của bạn.")
            #expect(try await call(app, .GET, "/api/v1/households?commune=\(foreign.communeCode)", token: mine).status == .forbidden)

            // Personal IDs: shown to the commune officer, masked for a village head, as on the pages.
            let withID = try #require(try await HouseholdRecord.query(on: app.db).filter(\.$communeCode ~~ head.units).all()
                .first { $0.facts.contains("nationalID") })
            let full = try await call(app, .GET, "/api/v1/households/\(withID.id!)",
                                      token: try await token(app, accounts.first { $0.role == .communeOfficer && $0.units.contains(withID.communeCode) }!))
            let masked = try await call(app, .GET, "/api/v1/households/\(withID.id!)", token: try await token(app, head))
            func ids(_ r: Reply) -> [String] { ((r.json["facts"] as? [String: Any])?["members"] as? [[String: Any]] ?? []).compactMap { $0["nationalID"] as? String } }
            #expect(!ids(full).isEmpty && ids(full).allSatisfy { $0.count == 12 && $0.allSatisfy(\.isNumber) })
            #expect(ids(masked) == ids(full).map(Format.maskedID) && ids(masked).allSatisfy { $0.contains("•••••") })

            // No token, a wrong one, a revoked one: 401 with the header that says how to authenticate.
            let none = try await call(app, .GET, "/api/v1/me", token: nil)
            #expect(none.status == .unauthorized && none.headers.first(name: "WWW-Authenticate") == "Bearer" && error(none) == "auth.token")
            #expect(try await call(app, .GET, "/api/v1/me", token: "gn_wrong").status == .unauthorized)
            let user = try #require(try await User.query(on: app.db).filter(\.$username == officer.username).first())
            try await APITokenStore().revoke(user: user, id: try #require(try await APITokenStore().list(user: user, on: app.db).first).id, on: app.db)
            #expect(try await call(app, .GET, "/api/v1/me", token: mine).status == .unauthorized)
        }
    }

    @Test func classifyExplainsAndErrorsSayWhatIsWrong() async throws {
        try await withTestApp(households: 20) { app, accounts in
            let t = try await token(app, accounts.first(.auditor))
            let poor = try await call(app, .POST, "/api/v1/classify", token: t,
                                      body: #"{"code":"X","area":"rural","incomePerCapita":1500000,"deprived":["VL1","YT2","NO2"]}"#)
            #expect(poor.status == .ok && poor.json["category"] as? String == "poor" && poor.json["explanation"] != nil)
            // Income decides first: above the line no indicator is needed.
            let above = try await call(app, .POST, "/api/v1/classify", token: t, body: #"{"code":"Y","area":"rural","incomePerCapita":1500001}"#)
            #expect(above.json["category"] as? String == "notPoor" && above.json["indicatorsNeeded"] as? Bool == false)
            let bad = try await call(app, .POST, "/api/v1/classify", token: t, body: #"{"code":"Z","area":"miền núi"}"#)
            #expect(bad.status == .unprocessableEntity && (bad.json["error"] as? [String: Any])?["field"] as? String == "area")
            let unknown = try await call(app, .POST, "/api/v1/classify?standard=vn-xx", token: t, body: #"{"code":"Z"}"#)
            #expect(unknown.status == .unprocessableEntity && error(unknown) == "standard")
            // Malformed requests: 400; a parameter twice: 400; a method the path lacks: 405; a path the API lacks: 404.
            #expect(try await call(app, .GET, "/api/v1/households?limit=abc", token: t).status == .badRequest)
            #expect(try await call(app, .GET, "/api/v1/households?limit=5&limit=6", token: t).status == .badRequest)
            let wrongMethod = try await call(app, .DELETE, "/api/v1/me", token: t)
            #expect(wrongMethod.status == .methodNotAllowed && wrongMethod.headers.first(name: "Allow") == "GET")
            #expect(error(try await call(app, .GET, "/api/v1/nothing", token: t)) == "api.path")
        }
    }

    @Test func callsAreLimitedPerToken() async throws {
        try await withTestApp(households: 20, config: { $0.apiCallsPerMinute = 3 }) { app, accounts in
            let t = try await token(app, accounts.first(.admin))
            for _ in 0..<3 { #expect(try await call(app, .GET, "/api/v1/me", token: t).status == .ok) }
            // The window is a clock minute: calls that straddle its end (a slow machine) get a second allowance, never a third.
            var limited = try await call(app, .GET, "/api/v1/me", token: t)
            for _ in 0..<3 where limited.status == .ok { limited = try await call(app, .GET, "/api/v1/me", token: t) }
            #expect(limited.status == .tooManyRequests && Int(limited.headers.first(name: "Retry-After") ?? "") != nil && error(limited) == "rate")
            // Another token has its own allowance.
            #expect(try await call(app, .GET, "/api/v1/me", token: try await token(app, accounts.first(.auditor))).status == .ok)
        }
    }

    /// The limiter itself, on a given clock: the allowance of a minute, the seconds to wait, the next minute's fresh allowance.
    @Test func theLimiterCountsAClockMinute() {
        let limiter = APIRateLimiter(perMinute: 3)
        let start = Date(timeIntervalSince1970: 1_800_000_000 - 1_800_000_000.truncatingRemainder(dividingBy: 60) + 15)
        for i in 0..<3 { #expect(limiter.take(1, now: start.addingTimeInterval(Double(i))) == nil) }
        #expect(limiter.take(1, now: start.addingTimeInterval(5)) == 40)
        #expect(limiter.take(2, now: start.addingTimeInterval(5)) == nil)
        #expect(limiter.take(1, now: start.addingTimeInterval(45)) == nil)
    }

    /// Writes go through the pages' own stores: versions (409, never an overwrite), scope, role, audit.
    @Test func writesAreVersionedScopedAndAudited() async throws {
        try await withTestApp(households: 60) { app, accounts in
            let officer = accounts.first(.communeOfficer)
            let t = try await token(app, officer)
            let commune = officer.units[0]
            let facts = #"{"code":"API-0001","commune":"\#(commune)","village":"Thôn API","incomePerCapita":1400000,"agriculture":true,"#
                + #""members":[{"id":"1","name":"Hồ Văn Api","relation":"head","birthDate":"1980-01-02","sex":"male"}]}"#
            let made = try await call(app, .POST, "/api/v1/households", token: t, body: #"{"facts":\#(facts),"reason":"Hộ mới chuyển đến"}"#)
            #expect(made.status == .created && made.json["code"] as? String == "API-0001" && made.json["version"] as? Int != nil, "\(made.json)")
            let id = try #require(made.json["id"] as? Int), v = try #require(made.json["version"] as? Int)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$householdID == id).filter(\.$username == officer.username).count() >= 1)
            // The same code again: the registry's own refusal, naming the field.
            let twice = try await call(app, .POST, "/api/v1/households", token: t, body: #"{"facts":\#(facts)}"#)
            #expect(twice.status == .unprocessableEntity)
            // Another commune: refused; a role that may not write: refused.
            let elsewhere = facts.replacingOccurrences(of: "\"commune\":\"\(commune)\"", with: "\"commune\":\"00004\"").replacingOccurrences(of: "API-0001", with: "API-0002")
            let foreign = try await call(app, .POST, "/api/v1/households", token: t, body: #"{"facts":\#(elsewhere)}"#)
            #expect([.forbidden, .unprocessableEntity].contains(foreign.status))
            let auditor = try await token(app, accounts.first(.auditor))
            #expect(try await call(app, .POST, "/api/v1/households", token: auditor, body: #"{"facts":\#(facts)}"#).status == .forbidden)

            // Saving against the version read; the same version again is a conflict, not an overwrite.
            let changed = facts.replacingOccurrences(of: "1400000", with: "2600000")
            let saved = try await call(app, .PUT, "/api/v1/households/\(id)", token: t, body: #"{"version":\#(v),"facts":\#(changed)}"#)
            #expect(saved.status == .ok && saved.json["version"] as? Int == v + 1 && saved.json["category"] as? String != made.json["category"] as? String)
            let stale = try await call(app, .PUT, "/api/v1/households/\(id)", token: t, body: #"{"version":\#(v),"facts":\#(facts)}"#)
            #expect(stale.status == .conflict && error(stale) == "conflict")
            #expect(try await call(app, .PUT, "/api/v1/households/\(id)", token: t, body: #"{"facts":\#(facts)}"#).status == .badRequest)
            #expect(try await call(app, .PUT, "/api/v1/households/\(id)", token: t, body: #"{"version":\#(v + 1),"facts":\#(facts),"extra":1}"#).status == .badRequest)

            // Archiving needs a reason.
            #expect(try await call(app, .POST, "/api/v1/households/\(id)/archive", token: t, body: #"{"version":\#(v + 1),"reason":" "}"#).status == .unprocessableEntity)
            let archived = try await call(app, .POST, "/api/v1/households/\(id)/archive", token: t, body: #"{"version":\#(v + 1),"reason":"Chuyển đi nơi khác"}"#)
            #expect(archived.status == .ok && archived.json["archived"] as? String == "Chuyển đi nơi khác")
        }
    }

    @Test func surveyDraftsAndReportTables() async throws {
        try await withTestApp(households: 120) { app, accounts in
            var (round, o, _) = try await openedRound(app, accounts)
            let officer0 = accounts.first(.communeOfficer)
            #expect(try await o.post("/reviews/\(round.id!)/advance", ["version": "\(round.version)"]).status == .seeOther)
            let c = try #require(try await ReviewCase.query(on: app.db).filter(\.$roundID == round.id!).sort(\.$id).first())
            let t = try await token(app, accounts.first(.communeOfficer))
            let listed = try await call(app, .GET, "/api/v1/reviews/\(round.id!)/cases", token: t)
            let count = try await ReviewCase.query(on: app.db).filter(\.$roundID == round.id!).count()
            #expect(listed.status == .ok && (listed.json["items"] as? [[String: Any]])?.count == count)
            let draft = try await call(app, .PUT, "/api/v1/reviews/cases/\(c.id!)/draft", token: t,
                                       body: #"{"caseVersion":\#(c.version),"enumerator":"Lò Thị Mai","surveyedOn":"2026-10-20","facts":{"incomePerCapita":1234567}}"#)
            #expect(draft.status == .ok && draft.json["stage"] as? String == "draft" && draft.json["draft"] as? Bool == true, "\(draft.json)")
            let saved = try #require(try await ReviewCase.find(c.id!, on: app.db))
            #expect(saved.enumerator == "Lò Thị Mai" && saved.draft?.contains("1234567") == true)
            // The version read: a second write with the old one is a conflict; a date after today is refused.
            #expect(try await call(app, .PUT, "/api/v1/reviews/cases/\(c.id!)/draft", token: t, body: #"{"caseVersion":\#(c.version)}"#).status == .conflict)
            #expect(try await call(app, .PUT, "/api/v1/reviews/cases/\(c.id!)/draft", token: t, body: #"{"caseVersion":\#(saved.version),"surveyedOn":"2099-01-01"}"#).status == .unprocessableEntity)

            // A report table: the same figures as the page; an unknown form is 404.
            let form = try #require(app.registry.reportLayouts.first).id
            let table = try await call(app, .GET, "/api/v1/reports/\(form)?year=2026", token: t)
            #expect(table.status == .ok && !((table.json["rows"] as? [Any]) ?? []).isEmpty && table.json["form"] as? String == form)
            #expect(try await call(app, .GET, "/api/v1/reports/nothing", token: t).status == .notFound)
            #expect(try await call(app, .GET, "/api/v1/reports/\(form)?unit=99999", token: t).status == .unprocessableEntity)
            // A figure's households: as many as the figure says, each a household of the commune; the total row too.
            let columns = (table.json["columns"] as? [[String: Any]]) ?? [], rows = (table.json["rows"] as? [[String: Any]]) ?? []
            var checked = 0
            for r in rows where r["measure"] as? String == "households" {
                for (i, c) in columns.enumerated() where c["countable"] as? Bool == true {
                    guard let n = ((r["values"] as? [Any]) ?? [])[i] as? Int, n > 0, checked < 4 else { continue }
                    let row = r["total"] as? Bool == true ? "" : r["unit"] as? String ?? ""
                    let area = (r["area"] as? String).map { "&area=\($0)" } ?? ""
                    let fig = try await call(app, .GET, "/api/v1/reports/\(form)/households?year=2026&row=\(row.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&col=\(c["id"] as! String)\(area)", token: t)
                    let items = (fig.json["items"] as? [[String: Any]]) ?? []
                    #expect(fig.status == .ok && fig.json["count"] as? Int == n && items.count == n, "\(r) \(c) \(fig.json)")
                    #expect(items.allSatisfy { officer0.units.contains($0["commune"] as? String ?? "") })
                    checked += 1
                }
            }
            #expect(checked > 0)
            let fig = try await call(app, .GET, "/api/v1/reports/\(form)/households?year=2026&col=nothing", token: t)
            #expect(fig.status == .unprocessableEntity && (fig.json["error"] as? [String: Any])?["field"] as? String == "col", "\(fig.json)")
            // The support ledger: the scope's records, the dates as ISO dates.
            let ledger = try await call(app, .GET, "/api/v1/support?from=2020-01-01&limit=50", token: t)
            let officer = accounts.first(.communeOfficer)
            #expect(ledger.status == .ok && ((ledger.json["items"] as? [[String: Any]]) ?? []).allSatisfy { officer.units.contains($0["commune"] as? String ?? "") })
            #expect(try await call(app, .GET, "/api/v1/support?from=01/01/2020", token: t).status == .badRequest)
        }
    }

    /// The account page makes a token (shown once, never again) and revokes it; a session cookie opens no API call.
    @Test func theAccountPageMakesAndRevokesTokens() async throws {
        try await withTestApp(households: 20) { app, accounts in
            var b = Browser(app)
            try await b.login(accounts.first(.communeOfficer))
            #expect(try await b.get("/account/password").body.contains("href=\"/account/tokens\""))
            #expect(try await b.post("/account/tokens", ["name": " "]).status == .unprocessableEntity)
            let made = try await b.post("/account/tokens", ["name": "Hệ thống tỉnh"])
            let text = try #require(made.body.range(of: #"gn_[A-Za-z0-9]{40}"#, options: .regularExpression).map { String(made.body[$0]) })
            #expect(try await call(app, .GET, "/api/v1/me", token: text).status == .ok)
            let page = try await b.get("/account/tokens")
            #expect(page.body.contains("Hệ thống tỉnh") && page.body.contains(String(text.prefix(8))) && !page.body.contains(text))
            // The browser's own session does not reach the API.
            #expect(try await b.get("/api/v1/me").status == .unauthorized)
            let user = try #require(try await User.query(on: app.db).filter(\.$username == accounts.first(.communeOfficer).username).first())
            let id = try #require(try await APITokenStore().list(user: user, on: app.db).first?.id)
            #expect(try await b.post("/account/tokens/\(id)/revoke", [:]).status == .seeOther)
            #expect(try await call(app, .GET, "/api/v1/me", token: text).status == .unauthorized)
            // Another account's token cannot be revoked from here.
            var other = Browser(app)
            try await other.login(accounts.first(.auditor))
            #expect(try await other.post("/account/tokens/\(id)/revoke", [:]).status == .notFound)
        }
    }

    /// The document is written from the route table: every API route is in it and every operation is a route.
    @Test func theDocumentDescribesEveryRoute() async throws {
        try await withTestApp(households: 20) { app, _ in
            let doc = try await call(app, .GET, "/api/v1/openapi.json", token: nil)
            #expect(doc.status == .ok && doc.json["openapi"] as? String == "3.1.0")
            let paths = doc.json["paths"] as? [String: [String: Any]] ?? [:]
            var documented = Set<String>()
            for (path, ops) in paths { for m in ops.keys { documented.insert("\(m.uppercased()) /api/v1\(path)") } }
            let routed = Set(APIController.operations.map { "\($0.method.rawValue) /api/v1\($0.path)" })
            #expect(documented == routed)
            for op in APIController.operations {
                let pattern = "/" + op.components.map { c -> String in if case .parameter(let p) = c { return "{\(p)}" }; return "\(c)" }.joined(separator: "/")
                #expect(app.routes.all.contains { $0.method == op.method && "/" + $0.path.map { c -> String in if case .parameter(let p) = c { return "{\(p)}" }; return "\(c)" }.joined(separator: "/") == pattern },
                        "\(op.method) \(pattern) is not routed")
            }
        }
    }
}
