import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

extension SupportStore {
    // MARK: coverage (issue 7 §7)

    public struct PolicyCoverage: Sendable { public var policy: SupportPolicy; public var households: Coverage; public var persons: Coverage }
    public struct CoverageReport: Sendable {
        public var policies: [PolicyCoverage]
        /// Poor and near-poor households (on the list in force) with a helper in the year's plan (seeds 000/001: 100 %).
        public var helpers: Coverage
        /// Households that registered to exit this year, and those no longer poor now.
        public var committed: Int, committedExited: Int
        /// The same per commune, for a province to follow each one.
        public var byCommune: [String: [PolicyCoverage]]
        public var helpersByCommune: [String: Coverage]
    }

    /// Households whose status on `day` may be poor, near-poor or recently exited: poor or near-poor now, or in a
    /// recognised year of the last twenty (each one's status is then decided on its history). Two reads, each
    /// served by an index: the (commune, category) one, and the recognised years' (migration 011). One OR over both
    /// read every household of the communes (195 ms for a commune of 25,000 at 1 M households, PostgreSQL).
    /// `communes`: each set given narrows the households to it (the scope's, the page's).
    static func candidates<T: Decodable>(_ columns: [String], communes: [Set<String>], on day: CivilDate,
                                         on sql: any SQLDatabase) async throws -> [T] {
        let current = ["poor", "nearPoor"]
        func base() -> SQLSelectBuilder {
            let q = sql.select().columns(columns.map { SQLColumn($0) }).from("households").where("archived_reason", .is, SQLLiteral.null)
            for c in communes { q.whereCommunes(c) }
            return q
        }
        let now = try await base().where("category", .in, current).all(decoding: T.self)
        let before = try await base().where("category", .notIn, current).where(SQLRaw("""
            id IN (SELECT household_id FROM household_years WHERE recognised AND category IN ('poor', 'nearPoor') AND year >= \(day.year - 20))
            """)).all(decoding: T.self)
        return now + before
    }

    struct Candidate: Decodable { var id: Int; var commune_code: String; var category: String; var member_count: Int; var facts: String }

    /// Who is eligible for each policy on `day`, and who received it in `day`'s year (a ledger record, or a
    /// registry fact such as a health-insurance card). Candidates are households poor or near-poor now or
    /// in a recognised year since `day.year − 20`; eligibility is then decided per household on its history.
    public func coverage(_ scope: Scope, communes: [String]?, on day: CivilDate, on db: any Database) async throws -> CoverageReport {
        let sql = db.sql
        let candidates: [Candidate] = try await Self.candidates(["id", "commune_code", "category", "member_count", "facts"],
                                                               communes: [scope.communes, communes.map(Set.init)].compactMap { $0 }, on: day, on: sql)
        let statuses = try await self.statuses(candidates.map(\.id), on: db)
        // Each household's status on the day, once (not once per policy).
        var facts: [Int: EligibilityFacts] = [:]
        for c in candidates { if let s = statuses[c.id] { facts[c.id] = s.facts(on: day) } }
        struct Got: Decodable { var household_id: Int; var policy_code: String; var member_id: String? }
        var gq = sql.select().columns("household_id", "policy_code", "member_id").from("support_records").where("year", .equal, day.year)
            .where("voided_reason", .is, SQLLiteral.null).where("given_on", .lessThanOrEqual, day.description)
        if let c = scope.communes { gq = gq.where("commune_code", .in, c.sorted()) }
        if let c = communes { gq = gq.where("commune_code", .in, c) }
        let got = try await gq.all(decoding: Got.self)
        let gotHouseholds = Set(got.map { "\($0.policy_code)|\($0.household_id)" })
        let gotPersons = Set(got.map { "\($0.policy_code)|\($0.household_id)|\($0.member_id ?? "?")" })
        // Needs the year's plans record, for policies whose target counts only the households that need them.
        struct Needed: Decodable { var household_id: Int; var policy_code: String }
        var needed: Set<String> = []
        if catalogue.policies.contains(where: \.coverageOfNeed) {
            var nq = sql.select().columns(SQLColumn("household_id", table: "n"), SQLColumn("policy_code", table: "n"))
                .from(SQLAlias(SQLIdentifier("support_needs"), as: SQLIdentifier("n")))
                .join(SQLAlias(SQLIdentifier("support_plans"), as: SQLIdentifier("p")), on: SQLColumn("id", table: "p"), .equal, SQLColumn("plan_id", table: "n"))
                .where(SQLColumn("year", table: "p"), .equal, SQLBind(day.year)).where(SQLColumn("policy_code", table: "n"), .isNot, SQLLiteral.null)
            if let c = scope.communes { nq = nq.where(SQLColumn("commune_code", table: "p"), .in, SQLBind.group(c.sorted())) }
            if let c = communes { nq = nq.where(SQLColumn("commune_code", table: "p"), .in, SQLBind.group(c)) }
            needed = Set(try await nq.all(decoding: Needed.self).map { "\($0.policy_code)|\($0.household_id)" })
        }
        var members: [Int: [PersonFact]] = [:]
        let conditionFacts = Array(Set(catalogue.policies.flatMap { $0.memberCondition.terms.map(\.fact) })).sorted { $0.rawValue < $1.rawValue }
        var out: [PolicyCoverage] = []
        var byCommune: [String: [PolicyCoverage]] = [:]
        for p in catalogue.policies {
            var total = PolicyCoverage(policy: p, households: Coverage(eligible: 0, reached: 0, target: p.coverageTarget),
                                       persons: Coverage(eligible: 0, reached: 0, target: p.coverageTarget))
            var local: [String: PolicyCoverage] = [:]
            func add(_ commune: String, households: Int, reachedHousehold: Int, persons: Int, reachedPersons: Int) {
                for k in [nil, commune] as [String?] {
                    var c = k.map { local[$0] ?? PolicyCoverage(policy: p, households: Coverage(eligible: 0, reached: 0, target: p.coverageTarget),
                                                                persons: Coverage(eligible: 0, reached: 0, target: p.coverageTarget)) } ?? total
                    c.households.eligible += households; c.households.reached += reachedHousehold
                    c.persons.eligible += persons; c.persons.reached += reachedPersons
                    if let k { local[k] = c } else { total = c }
                }
            }
            for c in candidates {
                guard let f = facts[c.id], p.eligibility.holds(f, on: day) else { continue }
                if p.coverageOfNeed && !needed.contains("\(p.code)|\(c.id)") { continue }
                let reachedHousehold = gotHouseholds.contains("\(p.code)|\(c.id)")
                if p.perPerson {
                    if members[c.id] == nil { members[c.id] = PersonFact.read(c.facts, conditionFacts: conditionFacts) }
                    let ms = members[c.id]!.filter { m in
                        p.covers(birthDate: m.birthDate.flatMap { CivilDate($0) }, birthYear: m.birthYear, sex: m.sex, on: day)
                            && p.memberCondition.holds { m.conditionFacts[$0] }
                    }
                    // A policy for some ages or members counts only the households that have such a member.
                    if p.needsReceiver && ms.isEmpty { continue }
                    var reached = Set(ms.filter { m in
                        gotPersons.contains("\(p.code)|\(c.id)|\(m.id)") || (p.registryFact == "healthInsurance" && m.healthInsurance == true)
                    }.map(\.id))
                    if gotPersons.contains("\(p.code)|\(c.id)|?") { reached.insert("?") }
                    add(c.commune_code, households: 1, reachedHousehold: reached.isEmpty ? 0 : 1,
                        persons: p.needsReceiver ? ms.count : max(ms.count, c.member_count), reachedPersons: reached.count)
                } else {
                    add(c.commune_code, households: 1, reachedHousehold: reachedHousehold ? 1 : 0, persons: 1, reachedPersons: reachedHousehold ? 1 : 0)
                }
            }
            out.append(total)
            for (k, v) in local { byCommune[k, default: []].append(v) }
        }
        // Helpers and commitments from this year's plans.
        struct P: Decodable { var household_id: Int; var commitment: Int; var helper_name: String? }
        var pq = sql.select().columns("household_id", "commitment", "helper_name").from("support_plans").where("year", .equal, day.year)
        if let c = scope.communes { pq = pq.where("commune_code", .in, c.sorted()) }
        if let c = communes { pq = pq.where("commune_code", .in, c) }
        let plans = Dictionary(try await pq.all(decoding: P.self).map { ($0.household_id, $0) }, uniquingKeysWith: { a, _ in a })
        var helpers = Coverage(eligible: 0, reached: 0, target: 100)
        var helpersByCommune: [String: Coverage] = [:]
        for c in candidates where facts[c.id]?.category == .poor || facts[c.id]?.category == .nearPoor {
            let helped = plans[c.id]?.helper_name?.isEmpty == false ? 1 : 0
            helpers.eligible += 1; helpers.reached += helped
            helpersByCommune[c.commune_code, default: Coverage(eligible: 0, reached: 0, target: 100)].eligible += 1
            helpersByCommune[c.commune_code]!.reached += helped
        }
        let category = Dictionary(candidates.map { ($0.id, $0.category) }, uniquingKeysWith: { a, _ in a })
        let committed = plans.values.filter { $0.commitment == 1 }
        let exitedNow = committed.filter { category[$0.household_id].map { $0 != "poor" } ?? true }.count
        return CoverageReport(policies: out, helpers: helpers, committed: committed.count, committedExited: exitedNow,
                              byCommune: byCommune, helpersByCommune: helpersByCommune)
    }

    // MARK: support before exit (issue 7 §7)

    public struct ExitReport: Sendable {
        public var year: Int, fromYear: Int
        public var exited: Int, stayed: Int
        public var byPolicy: [SupportBeforeExit.Row], byIndicator: [SupportBeforeExit.Row], byCause: [SupportBeforeExit.Row]
    }

    /// The latest review year on or before `year` with recognised categories (exits are known only once recognised).
    public func latestRecognisedYear(upTo year: Int, on db: any Database) async throws -> Int? {
        struct M: Decodable { var y: Int? }
        return try await db.sql.raw("SELECT MAX(year) AS y FROM household_years WHERE recognised AND year <= \(bind: year)").first(decoding: M.self)?.y
    }

    /// Households that exited poverty in `year` (recognised poor in `year − 1`, not poor in `year`) against those
    /// that stayed poor, and the support each group received in the `lookback` years up to `year`.
    public func beforeExit(_ scope: Scope, communes: [String]?, year: Int, lookback: Int = 3, on db: any Database) async throws -> ExitReport {
        let sql = db.sql
        struct T: Decodable { var household_id: Int; var now: String }
        var q = sql.select().column(SQLColumn("household_id", table: "y")).column(SQLAlias(SQLColumn("category", table: "y"), as: SQLIdentifier("now")))
            .from(SQLAlias(SQLIdentifier("household_years"), as: SQLIdentifier("y")))
            .join(SQLAlias(SQLIdentifier("household_years"), as: SQLIdentifier("p")),
                  on: SQLRaw("p.household_id = y.household_id AND p.year = y.year - 1 AND p.recognised AND p.category = 'poor'"))
            .join(SQLAlias(SQLIdentifier("households"), as: SQLIdentifier("h")), on: SQLColumn("id", table: "h"), .equal, SQLColumn("household_id", table: "y"))
            .where(SQLColumn("year", table: "y"), .equal, SQLBind(year)).where(SQLRaw("y.recognised"))
        if let c = scope.communes { q = q.where(SQLColumn("commune_code", table: "h"), .in, SQLBind.group(c.sorted())) }
        if let c = communes { q = q.where(SQLColumn("commune_code", table: "h"), .in, SQLBind.group(c)) }
        let ts = try await q.all(decoding: T.self)
        let exited = Set(ts.filter { $0.now != "poor" }.map(\.household_id)), stayed = Set(ts.filter { $0.now == "poor" }.map(\.household_id))
        struct G: Decodable { var household_id: Int; var year: Int; var policy_code: String; var indicator: String?; var cause: String?; var amount: Int }
        var received: [G] = []
        let ids = Array(exited.union(stayed))
        for chunk in ids.chunks(of: 500) {
            received += try await sql.select().columns("household_id", "year", "policy_code", "indicator", "cause", "amount").from("support_records")
                .where("household_id", .in, chunk).where("voided_reason", .is, SQLLiteral.null).all(decoding: G.self)
        }
        let from = year - lookback + 1
        func rows(_ key: (G) -> String?) -> [SupportBeforeExit.Row] {
            SupportBeforeExit.compare(exited: exited, stayed: stayed, received: received.compactMap { g in key(g).map { .init(household: g.household_id, year: g.year, key: $0, amount: g.amount) } },
                                      fromYear: from, toYear: year)
        }
        return ExitReport(year: year, fromYear: from, exited: exited.count, stayed: stayed.count,
                          byPolicy: rows { $0.policy_code }, byIndicator: rows { $0.indicator }, byCause: rows { $0.cause })
    }

    /// The villages of a commune that have supports in a year (the public page's village links), in one query.
    public func villagesWithSupport(commune: String, year: Int, on db: any Database) async throws -> [String] {
        struct V: Decodable { var village: String }
        return try await db.sql.raw("""
            SELECT DISTINCT village FROM support_records WHERE commune_code = \(bind: commune) AND year = \(bind: year) AND village IS NOT NULL
            AND voided_reason IS NULL ORDER BY village
            """).all(decoding: V.self).map(\.village)
    }
}
