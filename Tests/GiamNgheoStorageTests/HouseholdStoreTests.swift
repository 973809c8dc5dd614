import Fluent
import GiamNgheoCore
import GiamNgheoStorage
import GiamNgheoTestSupport
import SQLKit
import Testing

/// Each store method on a real database, and the scope of every role on every query.
@Suite struct HouseholdStoreTests {
    /// Every role with units, as the demo gives them: one commune, or the province.
    func roles(_ r: Registry) -> [(Role, Scope)] {
        let c = r.communes[0]
        return [(.admin, r.admin), (.provinceOfficer, r.scope(.provinceOfficer, ["46"])), (.communeOfficer, r.scope(.communeOfficer, [c])),
                (.villageHead, r.scope(.villageHead, [c])), (.auditor, r.scope(.auditor, [c]))]
    }

    @Test func listShowsEachRoleOnlyItsCommunes() async throws {
        try await withRegistry { r in
            #expect(r.communes.count >= 2)
            for (role, scope) in roles(r) {
                var q = HouseholdQuery()
                q.limit = 1000
                let rows = try await r.store.list(scope, q, on: r.db).rows
                let expected = r.households.filter { scope.allows(commune: $0.communeCode) }.count
                #expect(rows.count == expected, "\(role)")
                #expect(rows.allSatisfy { scope.allows(commune: $0.communeCode) }, "\(role)")
            }
        }
    }

    @Test func anotherCommunesHouseholdIsNotFound() async throws {
        try await withRegistry { r in
            let foreign = try #require(r.households.first { $0.communeCode != r.communes[0] })
            for (role, scope) in roles(r) where role != .admin && role != .provinceOfficer {
                await #expect(throws: AccessError.notFound, "\(role)") { _ = try await r.store.get(scope, id: foreign.id!, on: r.db) }
                await #expect(throws: AccessError.notFound, "\(role)") { _ = try await r.store.audit(scope, householdID: foreign.id!, on: r.db) }
            }
            // An account without units reads nothing.
            await #expect(throws: AccessError.notFound) { _ = try await r.store.get(r.scope(.communeOfficer, []), id: foreign.id!, on: r.db) }
            // The list refuses a filter on a commune outside the scope rather than returning an empty page.
            var q = HouseholdQuery()
            q.commune = foreign.communeCode
            await #expect(throws: AccessError.forbidden) { _ = try await r.store.list(r.scope(.communeOfficer, [r.communes[0]]), q, on: r.db) }
        }
    }

    /// The page's reader (plain SQL by position) gives what Fluent's model reading gives, and a stored value of the
    /// wrong type (a file edited by hand) is refused naming its column.
    @Test func theHouseholdReaderAgreesWithTheModelAndNamesABadColumn() async throws {
        try await withRegistry { r in
            for h in r.households.prefix(10) {
                let plain = try await r.store.get(r.admin, id: h.id!, on: r.db)
                let model = try #require(try await HouseholdRecord.find(h.id, on: r.db))
                #expect(plain.id == model.id && plain.code == model.code && plain.communeCode == model.communeCode && plain.provinceCode == model.provinceCode)
                #expect(plain.village == model.village && plain.headName == model.headName && plain.sortKey == model.sortKey && plain.searchText == model.searchText)
                #expect(plain.facts == model.facts && plain.category == model.category && plain.subtype == model.subtype && plain.deprived == model.deprived)
                #expect(plain.deprivedCount == model.deprivedCount && plain.standard == model.standard && plain.incomePerCapita == model.incomePerCapita)
                #expect(plain.ethnicMinorityHead == model.ethnicMinorityHead && plain.meritorious == model.meritorious && plain.noWorkingCapacity == model.noWorkingCapacity)
                #expect(plain.memberCount == model.memberCount && plain.causes == model.causes && plain.oldCommuneCode == model.oldCommuneCode)
                #expect(plain.urban == model.urban && plain.traits == model.traits && plain.version == model.version && plain.archivedReason == model.archivedReason)
                let years = try await r.store.history(of: plain, on: r.db).map { "\($0.year) \($0.category) \($0.recognised) \($0.source)" }
                let modelYears = try await HouseholdYear.query(on: r.db).filter(\.$householdID == h.id!).sort(\.$year, .descending).all()
                #expect(years == modelYears.map { "\($0.year) \($0.category) \($0.recognised) \($0.source)" })
            }
            // Audit lines newest first, as Fluent sorts them (SQLite's JSON aggregate keeps no order of its own).
            let first = try await r.store.get(r.admin, id: r.households[0].id!, on: r.db)
            for field in ["village", "income", "members"] {
                try await AuditEntry(username: "kiemtra", householdID: first.id, action: "update", field: field, province: first.province).create(on: r.db)
            }
            let lines = try await r.store.audit(of: first, on: r.db).map { "\($0.id!) \($0.action) \($0.field ?? "")" }
            let modelLines = try await AuditEntry.query(on: r.db).filter(\.$householdID == first.id!).sort(\.$id, .descending).all()
            #expect(lines.count >= 3 && lines == modelLines.map { "\($0.id!) \($0.action) \($0.field ?? "")" })
            guard PostgresTestServer.server == nil else { return }   // PostgreSQL's typed columns cannot hold it
            let bad = r.households[0].id!
            try await r.db.sql.raw("UPDATE households SET deprived_count = 'nhiều' WHERE id = \(bind: bad)").run()
            do {
                _ = try await r.store.get(r.admin, id: bad, on: r.db)
                Issue.record("a text in an integer column was read")
            } catch {
                #expect("\(error)" == "Cột deprived_count trong cơ sở dữ liệu không đọc được thành int.")
            }
        }
    }

    @Test func onlyWritingRolesSave() async throws {
        try await withRegistry { r in
            let own = try #require(r.households.first { $0.communeCode == r.communes[0] })
            for (role, scope) in roles(r) {
                let current = try #require(try await HouseholdRecord.find(own.id, on: r.db))
                var h = try r.store.household(facts: current.facts)
                h.members[0].name = "Tên thử \(role)"
                do {
                    let saved = try await r.store.save(scope, id: own.id!, household: h, expectedVersion: current.version, reason: "kiểm tra", on: r.db)
                    #expect(role.canWrite, "\(role) saved")
                    #expect(saved.version == current.version + 1)
                } catch let e as AccessError {
                    #expect(!role.canWrite && e == .forbidden, "\(role): \(e)")
                }
            }
            #expect(try await r.store.verifySummaries(on: r.db).isEmpty)
        }
    }

    @Test func aStaleVersionIsAConflictAndChangesNothing() async throws {
        try await withRegistry { r in
            let scope = r.scope(.communeOfficer, [r.communes[0]])
            let own = try #require(r.households.first { $0.communeCode == r.communes[0] })
            var h = try r.store.household(facts: own.facts)
            h.members[0].name = "Người thứ nhất"
            _ = try await r.store.save(scope, id: own.id!, household: h, expectedVersion: own.version, reason: nil, on: r.db)
            h.members[0].name = "Người thứ hai"
            await #expect(throws: VersionConflict(currentVersion: own.version + 1)) {
                _ = try await r.store.save(scope, id: own.id!, household: h, expectedVersion: own.version, reason: nil, on: r.db)
            }
            let kept = try await r.store.get(scope, id: own.id!, on: r.db)
            #expect(kept.facts.contains("Người thứ nhất") && !kept.facts.contains("Người thứ hai"))
        }
    }

    @Test func archivingNeedsAReasonInBothLanguages() async throws {
        try await withRegistry { r in
            let scope = r.scope(.communeOfficer, [r.communes[0]])
            let own = try #require(r.households.first { $0.communeCode == r.communes[0] })
            do {
                try await r.store.archive(scope, id: own.id!, expectedVersion: own.version, reason: "  ", on: r.db)
                Issue.record("archived without a reason")
            } catch let e as ValidationError {
                #expect(e.field == "reason" && e.message.code == "archive.reason")
                #expect(e.message.vi.contains("lý do") && e.message.en.contains("reason"))
            }
            try await r.store.archive(scope, id: own.id!, expectedVersion: own.version, reason: "Chuyển đi nơi khác", on: r.db)
            var q = HouseholdQuery()
            q.limit = 1000
            #expect(try await r.store.list(scope, q, on: r.db).rows.allSatisfy { $0.id != own.id })
            #expect(try await r.store.verifySummaries(on: r.db).isEmpty)
        }
    }

    @Test func creatingInAnotherCommuneIsRefused() async throws {
        try await withRegistry { r in
            let scope = r.scope(.communeOfficer, [r.communes[0]])
            var h = try r.store.household(facts: r.households.first { $0.communeCode == r.communes[1] }!.facts)
            h.code = "MOI-1"
            await #expect(throws: AccessError.forbidden) { _ = try await r.store.create(scope, household: h, reason: "thử", on: r.db) }
            h.commune = r.communes[0]
            let made = try await r.store.create(scope, household: h, reason: "thử", on: r.db)
            #expect(made.communeCode == r.communes[0] && made.version == 1)
            // This year's provisional category is written with it.
            #expect(try await r.store.history(scope, householdID: made.id!, on: r.db).map(\.year) == [2026])
        }
    }
}

@Suite struct VillageStoreTests {
    @Test func villagesAreKeptByTheCommuneOnly() async throws {
        try await withRegistry { r in
            let c = r.communes[0]
            let villages = r.store.villages
            for role in [Role.villageHead, .auditor, .provinceOfficer] {
                await #expect(throws: AccessError.forbidden, "\(role)") {
                    _ = try await villages.add(r.scope(role, role == .provinceOfficer ? ["46"] : [c]), commune: c, name: "Thôn Mới", kind: "thon", oldCommune: nil, on: r.db)
                }
            }
            let officer = r.scope(.communeOfficer, [c])
            let v = try await villages.add(officer, commune: c, name: "Thôn Mới", kind: "thon", oldCommune: nil, on: r.db)
            #expect(v.name == "Thôn Mới")
            // The same name, written without accents, is the same village.
            do {
                _ = try await villages.add(officer, commune: c, name: "thon moi", kind: "thon", oldCommune: nil, on: r.db)
                Issue.record("a duplicate village was added")
            } catch let e as ValidationError {
                #expect(e.message.code == "village.exists" && e.field == "name")
            }
            do {
                _ = try await villages.add(officer, commune: c, name: "Tổ 9", kind: "ap", oldCommune: nil, on: r.db)
                Issue.record("an unknown kind was accepted")
            } catch let e as ValidationError {
                #expect(e.message.code == "village.kind")
            }
            await #expect(throws: AccessError.notFound) {
                try await villages.setArchived(r.scope(.communeOfficer, [r.communes[1]]), id: v.id!, archived: true, on: r.db)
            }
            // The list page's names: those in use, in the same order as the villages page.
            #expect(try await villages.names(officer, commune: c, on: r.db) == villages.list(officer, commune: c, on: r.db).map(\.name))
            #expect(try await villages.names(officer, commune: c, on: r.db).contains("Thôn Mới"))
            try await villages.setArchived(officer, id: v.id!, archived: true, on: r.db)
            #expect(try await villages.names(officer, commune: c, on: r.db) == villages.list(officer, commune: c, on: r.db).map(\.name))
            #expect(try await villages.list(officer, commune: c, on: r.db).allSatisfy { $0.id != v.id })
            #expect(try await villages.list(officer, commune: c, includeArchived: true, on: r.db).contains { $0.id == v.id })
        }
    }
}
