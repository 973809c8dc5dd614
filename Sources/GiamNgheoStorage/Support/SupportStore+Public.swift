import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

extension SupportStore {
    // MARK: public figures of a commune (no personal data)

    public struct PublicFigures: Sendable {
        public var households: Int, poor: Int, nearPoor: Int
        public var byPolicy: [(policy: String, households: Int, amount: Int)]
        /// The fund's totals (donations; payouts entered or paid as supports), summed in SQL: the page is public.
        public var donations: Int, payouts: Int
        public var balance: Int { donations - payouts }
    }

    public func publicFigures(commune: String, year: Int, on db: any Database) async throws -> PublicFigures {
        let sql = db.sql
        struct C: Decodable { var category: String; var n: Int }
        let cats = try await sql.select().column("category").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("households")
            .where("commune_code", .equal, commune).where("archived_reason", .is, SQLLiteral.null).groupBy("category").all(decoding: C.self)
        func n(_ c: String) -> Int { cats.first { $0.category == c }?.n ?? 0 }
        struct P: Decodable { var policy_code: String; var households: Int; var amount: Int }
        let ps = try await sql.raw("""
            SELECT policy_code, COUNT(DISTINCT household_id) AS households, CAST(SUM(amount) AS BIGINT) AS amount FROM support_records
            WHERE commune_code = \(bind: commune) AND year = \(bind: year) AND voided_reason IS NULL GROUP BY policy_code ORDER BY policy_code
            """).all(decoding: P.self)
        struct F: Decodable { var donations: Int?; var payouts: Int?; var fromLedger: Int? }
        let f = try await sql.raw("""
            SELECT (SELECT CAST(SUM(amount) AS BIGINT) FROM fund_entries WHERE unit_code = \(bind: commune) AND kind = 'donation') AS donations,
                   (SELECT CAST(SUM(amount) AS BIGINT) FROM fund_entries WHERE unit_code = \(bind: commune) AND kind = 'payout') AS payouts,
                   (SELECT CAST(SUM(amount) AS BIGINT) FROM support_records WHERE commune_code = \(bind: commune) AND source = 'fund' AND voided_reason IS NULL) AS "fromLedger"
            """).first(decoding: F.self) ?? F(donations: nil, payouts: nil, fromLedger: nil)
        return PublicFigures(households: cats.reduce(0) { $0 + $1.n }, poor: n("poor"), nearPoor: n("nearPoor"),
                             byPolicy: ps.map { (catalogue.policy($0.policy_code)?.name ?? $0.policy_code, $0.households, $0.amount) },
                             donations: f.donations ?? 0, payouts: (f.payouts ?? 0) + (f.fromLedger ?? 0))
    }
}
