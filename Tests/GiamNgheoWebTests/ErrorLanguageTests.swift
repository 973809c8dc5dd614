import Fluent
import GiamNgheoStorage
import Testing
import Vapor

/// Errors carry a code and both texts: the English switch reaches them as it reaches the pages.
@Suite struct ErrorLanguageTests {
    @Test func storeErrorsFollowTheLanguageSwitch() async throws {
        try await withTestApp(households: 20) { app, accounts in
            let officer = accounts.first(.communeOfficer)
            var b = Browser(app)
            try await b.login(officer)
            let commune = officer.units[0]
            _ = try await b.get("/villages?commune=\(commune)")
            let vi = try await b.post("/villages", ["commune": commune, "name": " ", "kind": "thon"])
            #expect(vi.status == .unprocessableEntity && vi.body.contains("Cần ghi tên thôn/tổ dân phố."))
            _ = try await b.get("/lang/en")
            _ = try await b.get("/villages?commune=\(commune)")
            let en = try await b.post("/villages", ["commune": commune, "name": " ", "kind": "thon"])
            #expect(en.status == .unprocessableEntity && en.body.contains("Give the name of the village or residential group."), "\(en.body)")
            #expect(!en.body.contains("Cần ghi tên"))
            // Not found and forbidden pages too.
            let missing = try await b.get("/households/999999")
            #expect(missing.status == .notFound && missing.body.contains("No such household, or it is outside your area."))
            var auditor = Browser(app)
            try await auditor.login(accounts.first(.auditor))
            _ = try await auditor.get("/lang/en")
            let refused = try await auditor.get("/households/new")
            #expect(refused.status == .forbidden && refused.body.contains("Not allowed") && refused.body.contains("Your account may not do this"))
        }
    }

    @Test func aValidationErrorAsJSONNamesItsField() async throws {
        try await withTestApp(households: 20) { app, accounts in
            let officer = accounts.first(.communeOfficer)
            var b = Browser(app)
            try await b.login(officer)
            _ = try await b.get("/households")
            let id = try #require(try await HouseholdRecord.query(on: app.db).filter(\.$communeCode == officer.units[0]).first()?.id)
            let csrf = try #require(b.csrf)
            let cookie = try #require(b.cookie)
            try await app.testing().test(.POST, "/households/\(id)/archive", beforeRequest: { req in
                req.headers.replaceOrAdd(name: .cookie, value: "giamngheo_session=\(cookie)")
                req.headers.replaceOrAdd(name: .accept, value: "application/json")
                req.headers.replaceOrAdd(name: "X-CSRF-Token", value: csrf)
                try req.content.encode(["version": "1", "reason": ""], as: .urlEncodedForm)
            }, afterResponse: { res async in
                #expect(res.status == .unprocessableEntity, "\(res.body.string)")
                #expect(res.body.string.contains("\"field\":\"reason\""), "\(res.body.string)")
            })
        }
    }
}
