import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import GiamNgheoWeb
import Testing
import Vapor
import VaporTesting

@Suite(.serialized) struct WebTests {
    @Test func healthAndDemoAccounts() async throws {
        try await withTestApp { app, accounts in
            try await app.testing().test(.GET, "health") { res async in
                #expect(res.status == .ok && res.body.string.contains("ok"))
            }
            #expect(Set(accounts.map(\.role)) == Set(Role.allCases))
            let stored = try await User.query(on: app.db).all()
            // Passwords are stored as Bcrypt hashes, never as given.
            #expect(stored.allSatisfy { $0.passwordHash.hasPrefix("$2") && !accounts.map(\.password).contains($0.passwordHash) })
            #expect(try await HouseholdRecord.query(on: app.db).count() == 120 + 8)
        }
    }

    @Test func pagesNeedLoginAndWrongPasswordsLockTheAccount() async throws {
        try await withTestApp { app, accounts in
            var b = Browser(app)
            let r = try await b.get("/households")
            #expect(r.status == .seeOther && r.location?.hasPrefix("/login") == true)
            _ = try await b.get("/login")
            let bad = try await b.post("/login", ["username": "admin", "password": "sai"])
            #expect(bad.status == .unauthorized && bad.body.contains("Tên đăng nhập hoặc mật khẩu không đúng."))
            for _ in 0..<5 { _ = try await b.post("/login", ["username": "admin", "password": "sai"]) }
            let locked = try await b.post("/login", ["username": "admin", "password": accounts.first(.admin).password])
            #expect(locked.status == .unauthorized && locked.body.contains("tạm khóa"))
        }
    }

    /// Pages may not be framed by another site (clickjacking), nor post forms or set a base elsewhere.
    @Test func pagesForbidFramingInTheirCSP() async throws {
        try await withTestApp { app, _ in
            try await app.testing().test(.GET, "/login", afterResponse: { res async in
                let csp = res.headers.first(name: "Content-Security-Policy") ?? ""
                #expect(csp.contains("frame-ancestors 'none'") && csp.contains("form-action 'self'") && csp.contains("default-src 'self'"))
                #expect(res.headers.first(name: "X-Content-Type-Options") == "nosniff")
            })
        }
    }

    @Test func unsafeRequestsNeedTheCSRFToken() async throws {
        try await withTestApp { app, accounts in
            var b = Browser(app)
            _ = try await b.get("/login")
            let r = try await b.post("/login", ["username": "admin", "password": accounts.first(.admin).password], csrf: false)
            #expect(r.status == .forbidden && r.body.contains("biểu mẫu không hợp lệ"))
            #expect(!r.body.contains("Backtrace") && !r.body.contains("Abort"))
        }
    }

    @Test func communeOfficerSeesOnlyTheirCommune() async throws {
        try await withTestApp { app, accounts in
            let officers = accounts.filter { $0.role == .communeOfficer }
            #expect(officers.count == 2)
            let mine = officers[0].units[0], other = officers[1].units[0]
            var b = Browser(app)
            try await b.login(officers[0])
            #expect(b.lastBody.contains("\(mine)-"))
            #expect(!b.lastBody.contains("\(other)-"))
            // Another commune's household by URL: not found, whatever its id.
            let foreign = try await HouseholdRecord.query(on: app.db).filter(\.$communeCode == other).first()!
            let r = try await b.get("/households/\(foreign.id!)")
            #expect(r.status == .notFound && r.body.contains("không thuộc địa bàn"))
            let edit = try await b.post("/households/\(foreign.id!)/edit", ["version": "1", "reason": "thử"])
            #expect(edit.status == .notFound)
            let own = try await HouseholdRecord.query(on: app.db).filter(\.$communeCode == mine).first()!
            #expect(try await b.get("/households/\(own.id!)").status == .ok)
            // The province officer reaches both.
            var p = Browser(app)
            try await p.login(accounts.first(.provinceOfficer))
            #expect(try await p.get("/households/\(foreign.id!)").status == .ok)
        }
    }

    @Test func searchIsAccentInsensitive() async throws {
        try await withTestApp { app, accounts in
            var b = Browser(app)
            try await b.login(accounts.first(.admin))
            let r = try await b.get("/households?q=nguyen+van+binh")
            #expect(r.status == .ok && r.body.contains("Nguyễn Văn Bình"))
            let d = try await b.get("/households?q=%C4%91ang+van+hai")   // "đang van hai"
            #expect(d.body.contains("Đặng Văn Hải"))
            let none = try await b.get("/households?q=khongcoai")
            #expect(none.body.contains("Không có hộ nào khớp điều kiện."))
        }
    }

    @Test func theListPagesThroughEveryHouseholdOnceInNameOrder() async throws {
        try await withTestApp(households: 120) { app, accounts in
            var b = Browser(app)
            try await b.login(accounts.first(.admin))
            let total = try await HouseholdRecord.query(on: app.db).filter(\.$archivedReason == nil).count()
            var seen: [Int] = [], path: String? = "/households?category="
            while let p = path {
                let r = try await b.get(p)
                #expect(r.status == .ok)
                seen += r.body.matches(of: /<tr><td><a href="\/households\/(\d+)">/).map { Int($0.1)! }
                path = r.body.firstMatch(of: /<a href="(\/households\?[^"]*afterKey[^"]*)">/).map { String($0.1).replacingOccurrences(of: "&amp;", with: "&") }
                #expect(path == nil || path!.contains("category="), "the next page keeps the filters")
            }
            #expect(seen.count == total && Set(seen).count == total && total > 100)
            let keys = try await HouseholdRecord.query(on: app.db).filter(\.$archivedReason == nil).all()
                .sorted { ($0.sortKey, $0.id!) < ($1.sortKey, $1.id!) }.map { $0.id! }
            #expect(seen == keys, "pages follow the folded given name, then the full name")
        }
    }

    @Test func householdPageExplainsAndMasksNationalIDs() async throws {
        try await withTestApp { app, accounts in
            let story = try await HouseholdRecord.query(on: app.db).filter(\.$code ~~ "-S01").first()!
            var b = Browser(app)
            try await b.login(accounts.first(.auditor))
            let r = try await b.get("/households/\(story.id!)")
            #expect(r.status == .ok)
            #expect(r.body.contains("Hộ nghèo") && r.body.contains("YT2") && r.body.contains("chưa xác minh"))
            #expect(r.body.contains("Trần Thị Hoa"))
            // An auditor cannot edit.
            #expect(try await b.get("/households/\(story.id!)/edit").status == .forbidden)
            let withID = try await HouseholdRecord.query(on: app.db).filter(\.$searchText ~~ "046").first()!
            let page = try await b.get("/households/\(withID.id!)")
            #expect(page.body.contains("•••••") && !page.body.contains("Hiện số CCCD"))
            #expect(try await b.post("/households/\(withID.id!)/reveal", [:]).status == .forbidden)
            // Even a role that may see full numbers gets them masked until it asks; the reveal is audited.
            var officer = Browser(app)
            try await officer.login(accounts.first(.admin))
            let masked = try await officer.get("/households/\(withID.id!)")
            #expect(masked.body.contains("•••••") && masked.body.contains("Hiện số CCCD"))
            let shown = try await officer.post("/households/\(withID.id!)/reveal", [:])
            #expect(shown.status == .ok && !shown.body.contains("•••••"))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "reveal").count() == 1)
        }
    }

    @Test func editingReclassifiesAuditsAndRefusesStaleVersions() async throws {
        try await withTestApp { app, accounts in
            let officer = accounts.first(.communeOfficer)
            // S04 is near-poor with no deprivation; two uninsured adults + no internet + poor water make it poor.
            let r0 = try await HouseholdRecord.query(on: app.db).filter(\.$code ~~ "-S04").first()!
            #expect(r0.category == "nearPoor")
            var b = Browser(app)
            try await b.login(officer)
            let form = try await b.get("/households/\(r0.id!)/edit")
            #expect(form.status == .ok)
            let ok = try await b.post("/households/\(r0.id!)/edit", [
                "version": "1", "reason": "Rà soát định kỳ 2026", "usesInternet": "false", "waterSource": "surfaceWater",
                "m.1.healthInsurance": "false",
            ])
            #expect(ok.status == .seeOther, "\(ok.body)")
            let r1 = try await HouseholdRecord.find(r0.id, on: app.db)!
            #expect(r1.category == "poor" && r1.version == 2 && r1.deprived == ",NS1,TT1,YT2,")
            let page = try await b.get("/households/\(r0.id!)")
            #expect(page.body.contains("members[1].healthInsurance") && page.body.contains("Rà soát định kỳ 2026"))
            let audit = try await AuditEntry.query(on: app.db).filter(\.$householdID == r0.id!).all()
            #expect(audit.contains { $0.field == "category" && $0.oldValue == "nearPoor" && $0.newValue == "poor" })
            #expect(audit.allSatisfy { $0.username == officer.username })
            // A second save from the page read at version 1 is a conflict, not an overwrite.
            let stale = try await b.post("/households/\(r0.id!)/edit", ["version": "1", "reason": "cũ", "usesInternet": "true"])
            #expect(stale.status == .conflict && stale.body.contains("Người khác vừa lưu hộ này"))
            #expect(try await HouseholdRecord.find(r0.id, on: app.db)!.version == 2)
            // Bad input: a Vietnamese message naming the field, nothing saved.
            let bad = try await b.post("/households/\(r0.id!)/edit", ["version": "2", "reason": "x", "floorArea": "0"])
            #expect(bad.status == .unprocessableEntity && bad.body.contains("diện tích nhà ở phải lớn hơn 0"))
            #expect(try await HouseholdRecord.find(r0.id, on: app.db)!.version == 2)
        }
    }
}

/// Scope enforced in the storage layer, for every role × verb, on own and foreign communes.
@Suite(.serialized) struct ScopeMatrixTests {
    @Test func roleByVerb() async throws {
        try await withTestApp(households: 60) { app, accounts in
            let store = app.registry.store
            let units = app.registry.units
            let communes = accounts.filter { $0.role == .communeOfficer }.map { $0.units[0] }
            let own = try await HouseholdRecord.query(on: app.db).filter(\.$communeCode == communes[0]).first()!
            let foreign = try await HouseholdRecord.query(on: app.db).filter(\.$communeCode == communes[1]).first()!
            let otherProvince = "01001"
            for r in [(Role.admin, [String](), true, true, true), (.provinceOfficer, ["46"], true, true, false),
                      (.communeOfficer, [communes[0]], true, false, true), (.villageHead, [communes[0]], true, false, true),
                      (.auditor, ["46"], true, true, false)] {
                let (role, unitCodes, readsOwn, readsForeign, writes) = r
                let scope = Scope(username: "t", role: role, units: unitCodes, adminUnits: units)
                // read
                let gotOwn = try? await store.get(scope, id: own.id!, on: app.db)
                let gotForeign = try? await store.get(scope, id: foreign.id!, on: app.db)
                #expect((gotOwn != nil) == readsOwn, "\(role) read own")
                #expect((gotForeign != nil) == readsForeign, "\(role) read foreign")
                // list and search
                let page = try await store.list(scope, HouseholdQuery(), on: app.db)
                #expect(page.rows.allSatisfy { scope.allows(commune: $0.communeCode) }, "\(role) list")
                var q = HouseholdQuery(); q.commune = otherProvince
                if role != .admin {
                    await #expect(throws: AccessError.forbidden, "\(role) list foreign commune") {
                        _ = try await store.list(scope, q, on: app.db)
                    }
                }
                // write
                let h = try store.household(own, parser: app.registry.parser)
                let current = try await HouseholdRecord.find(own.id, on: app.db)!.version
                do {
                    try await store.save(scope, id: own.id!, household: h, expectedVersion: current, reason: "kiểm tra", on: app.db)
                    #expect(writes, "\(role) should not write")
                } catch let e as AccessError {
                    #expect(!writes, "\(role) write refused: \(e)")
                }
                // moving a household into a commune outside the scope is refused
                if writes && role != .admin {
                    var moved = h; moved.commune = communes[1]
                    let v = try await HouseholdRecord.find(own.id, on: app.db)!.version
                    await #expect(throws: AccessError.forbidden) {
                        try await store.save(scope, id: own.id!, household: moved, expectedVersion: v, reason: nil, on: app.db)
                    }
                }
            }
        }
    }
}

@Suite(.serialized) struct AccountTests {
    @Test func passwordChange() async throws {
        try await withTestApp(households: 10) { app, accounts in
            let a = accounts.first(.villageHead)
            var b = Browser(app)
            try await b.login(a)
            _ = try await b.get("/account/password")
            let short = try await b.post("/account/password", ["current": a.password, "new": "ngan", "confirm": "ngan"])
            #expect(short.status == .unprocessableEntity && short.body.contains("ít nhất 10 ký tự"))
            let wrong = try await b.post("/account/password", ["current": "sai", "new": "matkhaumoi2026", "confirm": "matkhaumoi2026"])
            #expect(wrong.status == .unprocessableEntity && wrong.body.contains("Mật khẩu hiện tại không đúng."))
            let ok = try await b.post("/account/password", ["current": a.password, "new": "matkhaumoi2026", "confirm": "matkhaumoi2026"])
            #expect(ok.status == .ok && ok.body.contains("Đã đổi mật khẩu."))
            var again = Browser(app)
            try await again.login(DemoAccount(username: a.username, password: "matkhaumoi2026", role: a.role, units: a.units))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "password.change").count() == 1)
        }
    }

    @Test func onlyAdministratorsManageAccounts() async throws {
        try await withTestApp(households: 10) { app, accounts in
            var officer = Browser(app)
            try await officer.login(accounts.first(.provinceOfficer))
            #expect(try await officer.get("/admin/users").status == .forbidden)
            var admin = Browser(app)
            try await admin.login(accounts.first(.admin))
            #expect(try await admin.get("/admin/users").body.contains("tinh46"))
            let bad = try await admin.post("/admin/users", ["username": "Cán Bộ", "displayName": "x", "role": "communeOfficer", "units": "19753"])
            #expect(bad.status == .unprocessableEntity && bad.body.contains("Tên đăng nhập chỉ gồm"))
            let unit = try await admin.post("/admin/users", ["username": "xa99", "displayName": "x", "role": "communeOfficer", "units": "99999"])
            #expect(unit.status == .unprocessableEntity && unit.body.contains("Mã địa bàn &#39;99999&#39; không có"))
            let ok = try await admin.post("/admin/users", ["username": "xa19789", "displayName": "Cán bộ Thuận Hóa", "role": "communeOfficer", "units": "19789"])
            #expect(ok.status == .ok)
            let password = try #require(ok.body.range(of: "<code>").map { r in String(ok.body[r.upperBound...].prefix(12)) })
            var newcomer = Browser(app)
            try await newcomer.login(DemoAccount(username: "xa19789", password: password, role: .communeOfficer, units: ["19789"]))
            #expect(newcomer.lastBody.contains("19789-") && !newcomer.lastBody.contains("19753-"))
        }
    }

    @Test func archiveNeedsAReasonAndKeepsTheRecord() async throws {
        try await withTestApp(households: 10) { app, accounts in
            let r = try await HouseholdRecord.query(on: app.db).filter(\.$code ~~ "-S02").first()!
            var b = Browser(app)
            try await b.login(accounts.first(.communeOfficer))
            let noReason = try await b.post("/households/\(r.id!)/archive", ["version": "1", "reason": " "])
            #expect(noReason.status == .unprocessableEntity && noReason.body.contains("Cần ghi lý do"))
            let ok = try await b.post("/households/\(r.id!)/archive", ["version": "1", "reason": "Chuyển đi nơi khác"])
            #expect(ok.status == .seeOther)
            #expect(try await b.get("/households/\(r.id!)").status == .notFound)
            let kept = try await HouseholdRecord.find(r.id, on: app.db)
            #expect(kept?.archivedReason == "Chuyển đi nơi khác")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "archive").count() == 1)
        }
    }
}

@Suite(.serialized) struct DashboardTests {
    @Test func summariesStayInStepAndTheDashboardReadsThem() async throws {
        try await withTestApp(households: 200) { app, accounts in
            #expect(try await app.registry.store.verifySummaries(on: app.db).isEmpty)
            let officer = accounts.first(.communeOfficer)
            let r0 = try await HouseholdRecord.query(on: app.db).filter(\.$code ~~ "-S04").first()!
            var b = Browser(app)
            try await b.login(officer)
            _ = try await b.get("/households/\(r0.id!)/edit")
            _ = try await b.post("/households/\(r0.id!)/edit", ["version": "1", "reason": "x", "usesInternet": "false",
                                                                 "waterSource": "surfaceWater", "m.1.healthInsurance": "false"])
            let s02 = try await HouseholdRecord.query(on: app.db).filter(\.$code ~~ "-S02").first()!
            _ = try await b.post("/households/\(s02.id!)/archive", ["version": "1", "reason": "Chuyển đi"])
            #expect(try await app.registry.store.verifySummaries(on: app.db).isEmpty)
            // The commune officer's dashboard is by village, with counts that add up to the commune.
            let page = try await b.get("/dashboard")
            #expect(page.status == .ok && page.body.contains("<svg") && page.body.contains("Tổ dân phố"))
            let communeTotal = try await HouseholdRecord.query(on: app.db).filter(\.$communeCode == officer.units[0]).filter(\.$archivedReason == nil).count()
            #expect(page.body.contains("<b>Tổng số hộ</b><br>\(Format.money(communeTotal))"))
            // The province officer sees communes, and cannot ask for a commune elsewhere.
            var p = Browser(app)
            try await p.login(accounts.first(.provinceOfficer))
            let province = try await p.get("/dashboard")
            #expect(province.body.contains("Phường Phú Xuân") && province.body.contains("Tỷ lệ hộ nghèo theo xã/phường"))
            #expect(try await p.get("/dashboard?commune=00004").status == .forbidden)
        }
    }
}
