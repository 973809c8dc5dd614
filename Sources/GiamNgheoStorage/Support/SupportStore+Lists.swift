import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

extension SupportStore {
    // MARK: lists

    public struct RecordFilter: Sendable {
        public var communes: [String]? = nil
        public var village: String? = nil
        public var household: Int? = nil
        public var policy: String? = nil
        public var from: CivilDate? = nil
        public var to: CivilDate? = nil
        public var includeVoided = false
        public var onlyIneligible = false
        /// Words of the head's name or the household code, accent-insensitive (đ/Đ too).
        public var text: String? = nil
        public var limit = 2000
        public init() {}
    }

    /// Records within the scope (nil scope: the public page, which passes its commune in the filter).
    public func records(_ scope: Scope?, _ f: RecordFilter, on db: any Database) async throws -> [SupportRecord] {
        let sql = db.sql
        var q = sql.select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("r")))
            .column(SQLColumn("head_name", table: "h")).column(SQLAlias(SQLColumn("code", table: "h"), as: SQLIdentifier("household_code")))
            .from(SQLAlias(SQLIdentifier("support_records"), as: SQLIdentifier("r")))
            .join(SQLAlias(SQLIdentifier("households"), as: SQLIdentifier("h")), on: SQLColumn("household_id", table: "r"), .equal, SQLColumn("id", table: "h"))
        // A household's own list follows the household (its current commune sees the support its former one gave);
        // other lists follow the commune that gave the support.
        // (The household's: its partitions only, as its commune is one of the scope's.)
        if let c = scope?.communes {
            if f.household == nil { q = q.where(SQLColumn("commune_code", table: "r"), .in, SQLBind.group(c.sorted())) } else { q = q.whereCommunes(c, table: "h") }
        }
        if let c = f.communes { q = q.where(SQLColumn("commune_code", table: "r"), .in, SQLBind.group(c)) }
        if let v = f.village, !v.isEmpty { q = q.where(SQLColumn("village", table: "r"), .equal, SQLBind(v)) }
        if let h = f.household { q = q.where(SQLColumn("household_id", table: "r"), .equal, SQLBind(h)) }
        if let p = f.policy, !p.isEmpty { q = q.where(SQLColumn("policy_code", table: "r"), .equal, SQLBind(p)) }
        if let d = f.from { q = q.where(SQLColumn("given_on", table: "r"), .greaterThanOrEqual, SQLBind(d.description)) }
        if let d = f.to { q = q.where(SQLColumn("given_on", table: "r"), .lessThanOrEqual, SQLBind(d.description)) }
        if !f.includeVoided { q = q.where(SQLColumn("voided_reason", table: "r"), .is, SQLLiteral.null) }
        if f.onlyIneligible { q = q.where(SQLColumn("eligible", table: "r"), .equal, SQLBind(0)) }
        for word in VietnameseText.fold(f.text ?? "").split(separator: " ") {
            let w = word.filter { $0 != "%" && $0 != "_" }
            if !w.isEmpty { q = q.where(SQLColumn("search_text", table: "h"), .like, SQLBind("%\(w)%")) }
        }
        return try await q.orderBy(SQLColumn("village", table: "r")).orderBy(SQLColumn("given_on", table: "r")).orderBy(SQLColumn("id", table: "r"))
            .limit(f.limit).all(decoding: SupportRecord.self)
    }
}
