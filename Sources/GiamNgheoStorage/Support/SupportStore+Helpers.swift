import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

extension SupportStore {
    /// One household on the helper assignment sheet: poor or near-poor on the list in force on the day.
    public struct HelperRow: Sendable {
        public var householdID: Int, code: String, headName: String, village: String
        public var category: Category
        /// The year's plan, if there is one (its version guards a concurrent change).
        public var planVersion: Int, helperName: String, helperOrg: String, commitment: Bool
    }

    /// The households the seeds want a helper for (poor and near-poor on the day, as monitoring counts them), with
    /// the year's helper: the commune's assignment sheet, in village and code order.
    public func helperRows(_ scope: Scope, commune: String, year: Int, on day: CivilDate, on db: any Database) async throws -> [HelperRow] {
        guard scope.allows(commune: commune) else { throw AccessError.forbidden }
        let sql = db.sql
        struct H: Decodable { var id: Int; var code: String; var head_name: String; var village: String?; var sort_key: String }
        let hs = (try await Self.candidates(["id", "code", "head_name", "village", "sort_key"], communes: [[commune]], on: day, on: sql) as [H])
            .sorted { ($0.sort_key, $0.id) < ($1.sort_key, $1.id) }
        let statuses = try await self.statuses(hs.map(\.id), on: db)
        struct P: Decodable { var household_id: Int; var version: Int; var helper_name: String?; var helper_org: String?; var commitment: Int }
        let plans = Dictionary(try await sql.select().columns("household_id", "version", "helper_name", "helper_org", "commitment").from("support_plans")
            .where("year", .equal, year).where("commune_code", .equal, commune).all(decoding: P.self).map { ($0.household_id, $0) }, uniquingKeysWith: { a, _ in a })
        return hs.compactMap { h in
            guard let c = statuses[h.id]?.facts(on: day).category, c == .poor || c == .nearPoor else { return nil }
            let p = plans[h.id]
            return HelperRow(householdID: h.id, code: h.code, headName: h.head_name, village: h.village ?? "", category: c, planVersion: p?.version ?? 0,
                             helperName: p?.helper_name ?? "", helperOrg: p?.helper_org ?? "", commitment: p?.commitment == 1)
        }
    }

    /// A row of the sheet changed by someone else since it was read: the message names the household.
    public struct HelperConflict: Error, Sendable { public var message: String }

    /// An edit of one row of the sheet: the new values and the plan version the sheet was read at.
    public struct HelperAssignment: Sendable {
        public var householdID: Int, helperName: String, helperOrg: String, commitment: Bool, expectedVersion: Int
        public init(householdID: Int, helperName: String, helperOrg: String, commitment: Bool, expectedVersion: Int) {
            self.householdID = householdID; self.helperName = helperName; self.helperOrg = helperOrg
            self.commitment = commitment; self.expectedVersion = expectedVersion
        }
    }

    /// Saves the sheet's edited rows in one transaction: the year's plan gets its helper and commitment (created
    /// without needs when there is none), its needs untouched. A row someone else changed since the sheet was read
    /// refuses the whole save, naming the household, so nothing is half-written or silently overwritten.
    public func assignHelpers(_ scope: Scope, commune: String, year: Int, _ rows: [HelperAssignment], on db: any Database) async throws -> Int {
        guard scope.canWrite, scope.allows(commune: commune) else { throw AccessError.forbidden }
        guard !rows.isEmpty else { return 0 }
        struct H: Decodable { var id: Int; var code: String; var commune_code: String }
        let known = Dictionary(try await db.sql.select().columns("id", "code", "commune_code").from("households")
            .where("id", .in, rows.map(\.householdID)).where("archived_reason", .is, SQLLiteral.null).all(decoding: H.self).map { ($0.id, $0) },
                               uniquingKeysWith: { a, _ in a })
        for r in rows where known[r.householdID]?.commune_code != commune {
            throw ValidationError("support.household", field: "household", vi: "Hộ (mã nội bộ \(r.householdID)) không thuộc xã/phường này hoặc đã ra khỏi sổ hộ.", en: "Household (internal id \(r.householdID)) is not in this commune or has left the registry.")
        }
        @Sendable func blank(_ s: String) -> String? { let t = s.trimmingCharacters(in: .whitespaces); return t.isEmpty ? nil : t }
        return try await store.writing(db) { tx in
            let sql = tx.sql
            for r in rows {
                let code = known[r.householdID]!.code
                struct Old: Decodable { var id: Int; var version: Int; var helper_name: String?; var helper_org: String? }
                let old = try await sql.select().columns("id", "version", "helper_name", "helper_org").from("support_plans")
                    .where("household_id", .equal, r.householdID).where("year", .equal, year).first(decoding: Old.self)
                let stale = HelperConflict(message: "Hộ \(code): kế hoạch năm \(year) vừa được người khác sửa; chưa lưu dòng nào. Hãy tải lại trang rồi phân công lại.")
                guard (old?.version ?? 0) == r.expectedVersion else { throw stale }
                if let old {
                    let claimed = try await sql.update("support_plans").set("helper_name", to: blank(r.helperName)).set("helper_org", to: blank(r.helperOrg))
                        .set("commitment", to: r.commitment ? 1 : 0).set("updated_by", to: scope.username).set("updated_at", to: Date())
                        .set("version", to: old.version + 1).where("id", .equal, old.id).where("version", .equal, old.version).returning("id").all()
                    if claimed.isEmpty { throw stale }
                } else {
                    // A concurrent first save hits the (household, year) unique key and fails the whole transaction.
                    try await sql.insert(into: "support_plans")
                        .columns("household_id", "year", "commune_code", "commitment", "helper_name", "helper_org", "helper_contact", "note", "updated_by", "updated_at", "version")
                        .values(SQLBind(r.householdID), SQLBind(year), SQLBind(commune), SQLBind(r.commitment ? 1 : 0), SQLBind(blank(r.helperName)),
                                SQLBind(blank(r.helperOrg)), SQLBind(String?.none), SQLBind(String?.none), SQLBind(scope.username), SQLBind(Date()), SQLBind(1)).run()
                }
                let helper = [blank(r.helperName), blank(r.helperOrg)].compactMap { $0 }.joined(separator: ", ")
                try await AuditEntry(username: scope.username, householdID: r.householdID, action: "support.helper", field: "Người giúp đỡ \(year)",
                                     oldValue: old.map { [$0.helper_name, $0.helper_org].compactMap { $0 }.joined(separator: ", ") },
                                     newValue: "\(helper.isEmpty ? "chưa phân công" : helper)\(r.commitment ? "; đăng ký thoát nghèo" : "")").create(on: tx)
            }
            return rows.count
        }
    }
}

extension SupportStore {
    /// The year's ledger in five numbers (a dashboard's card): records, households reached, value given (loans
    /// apart: lent, not spent), and records kept for households the policy is not for. Voided records do not count.
    public struct LedgerTotals: Decodable, Sendable, Equatable {
        public var records: Int, households: Int, given: Int, lent: Int, ineligible: Int
    }

    public func ledgerTotals(_ scope: Scope, communes: [String]?, year: Int, on db: any Database) async throws -> LedgerTotals {
        var q = db.sql.select()
            .column(SQLRaw("COUNT(*)"), as: "records").column(SQLRaw("COUNT(DISTINCT household_id)"), as: "households")
            .column(SQLRaw("CAST(COALESCE(SUM(CASE WHEN form <> 'credit' THEN amount ELSE 0 END), 0) AS BIGINT)"), as: "given")
            .column(SQLRaw("CAST(COALESCE(SUM(CASE WHEN form = 'credit' THEN amount ELSE 0 END), 0) AS BIGINT)"), as: "lent")
            .column(SQLRaw("CAST(COALESCE(SUM(CASE WHEN eligible = 0 THEN 1 ELSE 0 END), 0) AS BIGINT)"), as: "ineligible")
            .from("support_records").where("year", .equal, year).where("voided_reason", .is, SQLLiteral.null)
        if let c = scope.communes { q = q.where("commune_code", .in, c.sorted()) }
        if let c = communes { q = q.where("commune_code", .in, c) }
        return try await q.first(decoding: LedgerTotals.self) ?? LedgerTotals(records: 0, households: 0, given: 0, lent: 0, ineligible: 0)
    }
}
