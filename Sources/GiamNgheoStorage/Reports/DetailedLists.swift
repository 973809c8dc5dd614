import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import SQLKit

extension SupportStore {
    /// Forms 14/15 for one commune (and village) and year: the households the summaries count in the category
    /// that year (the same subjects form 1 sums, so the two always agree), their members from the registry, and
    /// the year's non-voided supports from the ledger by list group. Three queries a 500 households.
    public func detailedList(_ kind: DetailedList.Kind, year: Int, commune: String, village: String?, scope: Scope,
                             localIndigenous: LocalIndigenousGroups, on db: any Database) async throws -> [DetailedList.Entry] {
        guard scope.allows(commune: commune) else { throw AccessError.forbidden }
        let sql = db.sql
        // Candidates first (a commune has tens of thousands of households, a list a few hundred): the year's category
        // from the registry (the latest year) or from the recorded history (earlier years). Every household the
        // summaries count in the category is among them; the subjects then decide exactly as form 1 does.
        // A year the summaries do not hold has no form 1, so no list either.
        guard let latest = try await Summaries.latestYear(on: db), year <= latest else { return [] }
        struct ID: Decodable { var id: Int }
        let candidates: [Int]
        if year == latest {
            candidates = try await sql.select().column("id").from(HouseholdRecord.schema).whereCommunes([commune])
                .where("category", .equal, kind.category.rawValue).all(decoding: ID.self).map(\.id)
        } else {
            candidates = try await sql.select().column(SQLAlias(SQLColumn("household_id", table: "y"), as: SQLIdentifier("id")))
                .from(SQLAlias(SQLIdentifier(HouseholdYear.schema), as: SQLIdentifier("y")))
                .join(SQLAlias(SQLIdentifier(HouseholdRecord.schema), as: SQLIdentifier("h")), on: SQLColumn("id", table: "h"), .equal, SQLColumn("household_id", table: "y"))
                .whereCommunes([commune], table: "h").where(SQLColumn("year", table: "y"), .equal, SQLBind(year))
                .where(SQLColumn("category", table: "y"), .equal, SQLBind(kind.category.rawValue)).all(decoding: ID.self).map(\.id)
        }
        var subjects: [SummarySubject] = []
        for chunk in (Array(Set(candidates)).sorted()).chunks(of: 500) {
            subjects += try await Summaries.subjects(year: latest, ids: chunk, on: sql).filter {
                $0.year == year && $0.category == kind.category.rawValue && $0.commune == commune && (village == nil || $0.village == village)
            }
        }
        let indigenous = localIndigenous.ethnicities(inOldProvinces: Set(store.units.predecessors(ofNewCommune: commune).map(\.oldProvinceCode)))
        struct Row: Decodable { var id: Int; var code: String; var head_name: String; var facts: String; var meritorious: Bool; var no_working_capacity: Bool }
        struct Given: Decodable { var household_id: Int; var policy_code: String }
        let groups = BundledData.ethnicGroups
        var out: [DetailedList.Entry] = []
        out.reserveCapacity(subjects.count)
        for chunk in subjects.chunks(of: 500) {
            let ids = chunk.map(\.household)
            let rows = try await sql.select().columns("id", "code", "head_name", "facts", "meritorious", "no_working_capacity").from(HouseholdRecord.schema)
                .where("id", .in, ids).all(decoding: Row.self)
            let given = try await sql.select().columns("household_id", "policy_code").from("support_records")
                .where("household_id", .in, ids).where("year", .equal, year).where("voided_reason", .is, SQLLiteral.null)
                .orderBy("given_on").all(decoding: Given.self)
            let policies = Dictionary(grouping: given, by: \.household_id).mapValues { $0.map(\.policy_code) }
            let byID = Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0) })
            for s in chunk {
                guard let r = byID[s.household] else { continue }
                let h = try store.household(facts: r.facts)
                out.append(DetailedList.entry(
                    id: r.id, code: r.code, headName: r.head_name, village: s.village, household: h,
                    flags: Flags(noWorkingCapacity: r.no_working_capacity, meritoriousPerson: r.meritorious),
                    transition: s.transition, persons: s.persons, localIndigenous: indigenous,
                    supportPolicies: policies[r.id] ?? [], catalogue: catalogue,
                    ethnicityCode: { groups.code(for: $0) }, ethnicityName: { groups.code(for: $0).flatMap { groups.group($0)?.name } ?? $0 },
                    relationName: { Vocabulary.label(.relation, $0) }))
            }
        }
        return out
    }
}
