import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

extension SupportStore {
    // MARK: the household's plan

    public struct PlanRow: Codable, Sendable {
        public var id: Int, household_id: Int, year: Int, commitment: Int, helper_name: String?, helper_org: String?, helper_contact: String?
        public var note: String?, updated_by: String, version: Int
    }
    public struct Need: Codable, Sendable, Equatable {
        public var indicator: String?, cause: String?, policy_code: String?, description: String?
        public init(indicator: String?, cause: String?, policy_code: String?, description: String?) {
            self.indicator = indicator; self.cause = cause; self.policy_code = policy_code; self.description = description
        }
    }
    public struct Visit: Codable, Sendable { public var id: Int; public var visited_on: String; public var visitor: String; public var note: String }
    public struct SupportPlan: Sendable { public var row: PlanRow?; public var needs: [Need]; public var visits: [Visit] }

    public func plan(_ scope: Scope, householdID: Int, year: Int, on db: any Database) async throws -> SupportPlan {
        try await plan(scope, household: try await store.get(scope, id: householdID, on: db), year: year, on: db)
    }

    /// The plan of a household the caller has just read (the household page): no second read of the household.
    public func plan(_ scope: Scope, household: HouseholdRecord, year: Int, on db: any Database) async throws -> SupportPlan {
        guard let householdID = household.id, scope.allows(commune: household.communeCode) else { throw AccessError.notFound }
        let sql = db.sql
        let row = try await sql.select().column("*").from("support_plans").where("household_id", .equal, householdID).where("year", .equal, year)
            .first(decoding: PlanRow.self)
        var needs: [Need] = []
        if let r = row {
            needs = try await sql.select().columns("indicator", "cause", "policy_code", "description").from("support_needs").where("plan_id", .equal, r.id)
                .orderBy("id").all(decoding: Need.self)
        }
        let visits = try await sql.select().columns("id", "visited_on", "visitor", "note").from("support_visits").where("household_id", .equal, householdID)
            .orderBy("visited_on", .descending).all(decoding: Visit.self)
        return SupportPlan(row: row, needs: needs, visits: visits)
    }

    public struct PlanInput: Sendable {
        public var commitment: Bool, helperName: String, helperOrg: String, helperContact: String, note: String, needs: [Need]
        public init(commitment: Bool, helperName: String, helperOrg: String, helperContact: String, note: String, needs: [Need]) {
            self.commitment = commitment; self.helperName = helperName; self.helperOrg = helperOrg; self.helperContact = helperContact
            self.note = note; self.needs = needs
        }
    }

    /// Saves the year's plan; `expectedVersion` 0 creates it. A plan saved by someone else meanwhile is a conflict.
    public func savePlan(_ scope: Scope, householdID: Int, year: Int, _ p: PlanInput, expectedVersion: Int, on db: any Database) async throws {
        guard scope.canWrite else { throw AccessError.forbidden }
        let h = try await store.get(scope, id: householdID, on: db)
        for n in p.needs {
            if let c = n.policy_code, !c.isEmpty, catalogue.policy(c) == nil { throw ValidationError("support.policy", field: "policy", vi: "Chính sách '\(c)' không có trong danh mục.", en: "Policy '\(c)' is not in the catalogue.") }
        }
        try await store.writing(db) { tx in
            let sql = tx.sql
            let old = try await sql.select().column("*").from("support_plans").where("household_id", .equal, householdID).where("year", .equal, year)
                .first(decoding: PlanRow.self)
            guard (old?.version ?? 0) == expectedVersion else { throw VersionConflict(currentVersion: old?.version ?? 0) }
            func blank(_ s: String) -> String? { s.trimmingCharacters(in: .whitespaces).isEmpty ? nil : s.trimmingCharacters(in: .whitespaces) }
            let planID: Int
            if let old {
                let claimed = try await sql.update("support_plans").set("commitment", to: p.commitment ? 1 : 0).set("helper_name", to: blank(p.helperName))
                    .set("helper_org", to: blank(p.helperOrg)).set("helper_contact", to: blank(p.helperContact)).set("note", to: blank(p.note))
                    .set("updated_by", to: scope.username).set("updated_at", to: Date()).set("version", to: old.version + 1)
                    .where("id", .equal, old.id).where("version", .equal, old.version).returning("id").all()
                // Someone saved between our read and this write (PostgreSQL re-checks the version after the lock): refuse.
                if claimed.isEmpty { throw VersionConflict(currentVersion: old.version + 1) }
                try await sql.delete(from: "support_needs").where("plan_id", .equal, old.id).run()
                planID = old.id
            } else {
                let out = try await sql.insert(into: "support_plans")
                    .columns("household_id", "year", "commune_code", "commitment", "helper_name", "helper_org", "helper_contact", "note", "updated_by", "updated_at", "version")
                    .values(SQLBind(householdID), SQLBind(year), SQLBind(h.communeCode), SQLBind(p.commitment ? 1 : 0), SQLBind(blank(p.helperName)),
                            SQLBind(blank(p.helperOrg)), SQLBind(blank(p.helperContact)), SQLBind(blank(p.note)), SQLBind(scope.username), SQLBind(Date()), SQLBind(1))
                    .returning("id").all()
                planID = try out[0].decode(column: "id", as: Int.self)
            }
            for n in p.needs where n.policy_code?.isEmpty == false || n.description?.isEmpty == false {
                try await sql.insert(into: "support_needs").columns("plan_id", "household_id", "indicator", "cause", "policy_code", "description")
                    .values(SQLBind(planID), SQLBind(householdID), SQLBind(n.indicator), SQLBind(n.cause), SQLBind(n.policy_code?.isEmpty == false ? n.policy_code : nil),
                            SQLBind(n.description?.isEmpty == false ? n.description : nil)).run()
            }
            let helper = [blank(p.helperName), blank(p.helperOrg)].compactMap { $0 }.joined(separator: ", ")
            try await AuditEntry(username: scope.username, householdID: householdID, action: "support.plan", field: "Kế hoạch hỗ trợ \(year)",
                                 oldValue: old.map { [$0.helper_name, $0.helper_org].compactMap { $0 }.joined(separator: ", ") },
                                 newValue: "\(p.commitment ? "đăng ký thoát nghèo; " : "")người giúp đỡ: \(helper.isEmpty ? "chưa phân công" : helper); \(p.needs.count) nhu cầu").create(on: tx)
        }
    }

    public func addVisit(_ scope: Scope, householdID: Int, date: String, visitor: String, note: String, on db: any Database) async throws {
        guard scope.canWrite else { throw AccessError.forbidden }
        _ = try await store.get(scope, id: householdID, on: db)
        guard let d = CivilDate(date), d <= today else { throw ValidationError("visit.date", field: "date", vi: "Ngày thăm '\(date)' không hợp lệ hoặc ở sau hôm nay.", en: "Visit date '\(date)' is not valid or is after today.") }
        let who = visitor.trimmingCharacters(in: .whitespaces), what = note.trimmingCharacters(in: .whitespaces)
        guard !who.isEmpty, !what.isEmpty else { throw ValidationError("visit.fields", field: "note", vi: "Cần ghi người đến thăm và nội dung.", en: "Give the visitor and what was done.") }
        try await store.writing(db) { tx in
            try await tx.sql.insert(into: "support_visits").columns("household_id", "visited_on", "visitor", "note", "created_by", "created_at")
                .values(SQLBind(householdID), SQLBind(d.description), SQLBind(who), SQLBind(what), SQLBind(scope.username), SQLBind(Date())).run()
            try await AuditEntry(username: scope.username, householdID: householdID, action: "support.visit", field: "Thăm hộ \(d.vietnamese)", newValue: "\(who): \(what)").create(on: tx)
        }
    }
}

/// What the household page says of a household's support this year, in one statement (the page read the plan, its
/// needs, its visits and every record to show five figures).
public struct SupportSummary: Sendable, Equatable {
    public var helperName: String?, helperOrg: String?, commitment: Bool
    /// Records not voided; their total without credit (a loan is repaid); whether any was given outside the policy.
    public var records: Int, total: Int, anyIneligible: Bool
}

extension SupportStore {
    /// The summary of a household the caller has just read within its scope.
    public func summary(household: HouseholdRecord, year: Int, on db: any Database) async throws -> SupportSummary {
        guard let id = household.id else { throw AccessError.notFound }
        let q: SQLQueryString = """
            SELECT p.helper_name, p.helper_org, p.commitment, r.n, r.total, r.ineligible FROM
            (SELECT CAST(COUNT(*) AS BIGINT) AS n,
                    CAST(COALESCE(SUM(CASE WHEN form <> \(bind: SupportForm.credit.rawValue) THEN amount ELSE 0 END), 0) AS BIGINT) AS total,
                    CAST(COALESCE(SUM(CASE WHEN eligible = 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS ineligible
             FROM support_records WHERE household_id = \(bind: id) AND voided_reason IS NULL) r
            LEFT JOIN support_plans p ON p.household_id = \(bind: id) AND p.year = \(bind: year)
            """
        // (Sums cast: PostgreSQL sums a bigint column as numeric.)
        let columns = ["helper_name", "helper_org", "commitment", "n", "total", "ineligible"]
        return try await PlainRows.all(q, columns: columns, on: db.sql) { r in
            SupportSummary(helperName: try r.optionalString(0), helperOrg: try r.optionalString(1), commitment: try r.optionalInt(2) == 1,
                           records: try r.int(3), total: try r.int(4), anyIneligible: try r.int(5) > 0)
        }.first ?? SupportSummary(helperName: nil, helperOrg: nil, commitment: false, records: 0, total: 0, anyIneligible: false)
    }
}
