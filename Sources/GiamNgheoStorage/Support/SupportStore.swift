import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

public struct SupportStore: Sendable {
    public let store: HouseholdStore
    public let catalogue: SupportCatalogue
    public init(store: HouseholdStore, catalogue: SupportCatalogue) { self.store = store; self.catalogue = catalogue }
    var today: CivilDate { store.engine.defaultDate }

    // MARK: status and eligibility

    public struct Status: Sendable {
        public var timeline: StatusTimeline, minority: Bool, meritorious: Bool
        public func facts(on day: CivilDate) -> EligibilityFacts { timeline.facts(on: day, minority: minority, meritorious: meritorious) }
    }

    static func civil(_ d: Date) -> CivilDate { CivilDate(dayNumber: Int((d.timeIntervalSince1970 / 86_400).rounded(.down))) }

    /// The recognised history of these households (one query each for households and years).
    public func statuses(_ ids: [Int], on db: any Database) async throws -> [Int: Status] {
        guard !ids.isEmpty else { return [:] }
        let sql = db.sql
        struct H: Decodable { var id: Int; var category: String; var ethnic_minority_head: Bool; var meritorious: Bool }
        struct Y: Decodable { var household_id: Int; var year: Int; var category: String; var decided_at: Date? }
        var out: [Int: Status] = [:]
        for chunk in ids.chunks(of: 500) {
            let hs = try await sql.select().columns("id", "category", "ethnic_minority_head", "meritorious").from("households")
                .where("id", .in, chunk).all(decoding: H.self)
            let ys = try await sql.select().columns("household_id", "year", "category", "decided_at").from("household_years")
                .where("household_id", .in, chunk).where("recognised", .equal, true).all(decoding: Y.self)
            let byHousehold = Dictionary(grouping: ys, by: \.household_id)
            for h in hs {
                let entries = (byHousehold[h.id] ?? []).compactMap { y in
                    Category(rawValue: y.category).map { StatusTimeline.Entry(year: y.year, category: $0, decided: y.decided_at.map(Self.civil)) }
                }
                out[h.id] = Status(timeline: StatusTimeline(entries: entries, current: Category(rawValue: h.category)),
                                   minority: h.ethnic_minority_head, meritorious: h.meritorious)
            }
        }
        return out
    }

}

