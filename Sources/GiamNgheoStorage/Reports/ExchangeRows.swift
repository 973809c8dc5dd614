import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import SQLKit

/// The rows of the exchange files (docs/exchange.md): a province's or a commune's households and the year's
/// recognised lists, read a page at a time by id so that a province's 800,000 households stream through flat memory.
/// Scoped like every read: the communes asked for must be the scope's.
public struct ExchangeRows: Sendable {
    public init() {}

    public struct Household: Sendable, Decodable {
        public var id: Int, code: String, commune_code: String, old_commune_code: String?, village: String?, head_name: String
        public var member_count: Int, urban: Bool?, category: String, subtype: String?, deprived: String, deprived_count: Int
        public var standard: String, income_per_capita: Int?, causes: String?, ethnic_minority_head: Bool, meritorious: Bool
        public var no_working_capacity: Bool, version: Int, facts: String
    }

    public struct Recognised: Sendable {
        public var code: String, commune: String, village: String?, year: Int, category: String, standard: String
        public var deprived: String?, decidedOn: String?, previous: String?, transition: Transition?
    }

    static func check(_ scope: Scope, _ communes: [String]) throws {
        guard !communes.isEmpty, communes.allSatisfy(scope.allows(commune:)) else { throw AccessError.forbidden }
    }

    /// How many current households the communes have (the progress of a long export).
    public func count(_ scope: Scope, communes: [String], on db: any Database) async throws -> Int {
        try Self.check(scope, communes)
        var total = 0
        for chunk in communes.chunks(of: 500) {
            struct N: Decodable { var n: Int }
            total += try await db.sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from(HouseholdRecord.schema)
                .whereCommunes(chunk).where("archived_reason", .is, SQLLiteral.null).first(decoding: N.self)?.n ?? 0
        }
        return total
    }

    /// Up to `limit` current households of `commune` after `after` (a page's last category and id), in the order of
    /// the index (commune, category, id): a page is a range of it, whatever the commune's size. (Ordered by id over a
    /// province's communes, each page re-read and sorted every matching row: 306 s for a 970,000-household province.)
    public func households(_ scope: Scope, commune: String, after: (category: String, id: Int)?, limit: Int = 2_000,
                           on db: any Database) async throws -> [Household] {
        try Self.check(scope, [commune])
        let q = db.sql.select()
            .columns("id", "code", "commune_code", "old_commune_code", "village", "head_name", "member_count", "urban", "category", "subtype",
                     "deprived", "deprived_count", "standard", "income_per_capita", "causes", "ethnic_minority_head", "meritorious",
                     "no_working_capacity", "version", "facts")
            .from(HouseholdRecord.schema).whereCommunes([commune]).where("archived_reason", .is, SQLLiteral.null)
        if let (category, id) = after {
            q.where(SQLBinaryExpression(SQLGroupExpression([SQLColumn("category"), SQLColumn("id")]), .greaterThan,
                                        SQLGroupExpression([SQLBind(category), SQLBind(id)])))
        }
        return try await q.orderBy("category").orderBy("id").limit(limit).all(decoding: Household.self)
    }

    /// The households recognised in `year` (the chairman's decision) among `households`, with the category recognised
    /// the year before and the year's transition (newly poor, re-poor, exited…) from each one's recognised history.
    public func recognised(_ scope: Scope, year: Int, households: [Household], on db: any Database) async throws -> [Recognised] {
        guard !households.isEmpty else { return [] }
        struct Row: Decodable { var household_id: Int; var year: Int; var category: String; var standard: String; var deprived: String?; var decided_at: Date? }
        let rows = try await db.sql.select().columns("household_id", "year", "category", "standard", "deprived", "decided_at").from("household_years")
            .where("household_id", .in, households.map(\.id)).where("recognised", .equal, true).where("year", .lessThanOrEqual, year)
            .orderBy("household_id").orderBy("year").all(decoding: Row.self)
        var history: [Int: [Int: Row]] = [:]
        for r in rows { history[r.household_id, default: [:]][r.year] = r }
        return households.compactMap { h -> Recognised? in
            guard let years = history[h.id], let now = years[year] else { return nil }
            let categories = years.compactMapValues { Category(rawValue: $0.category) }
            let before = years.keys.filter { $0 < year }.max().flatMap { years[$0]?.category }
            let decided = now.decided_at.map { CivilDate.inVietnam($0).description }   // the law's days are Vietnam's
            return Recognised(code: h.code, commune: h.commune_code, village: h.village, year: year, category: now.category, standard: now.standard,
                              deprived: now.deprived, decidedOn: decided, previous: before, transition: Transition.of(year: year, history: categories))
        }
    }
}
