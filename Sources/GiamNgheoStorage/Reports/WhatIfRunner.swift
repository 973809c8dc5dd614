import Fluent
import GiamNgheoCore
import SQLKit

/// Runs a what-if over the registry of a place (issue 6 §7): reads the households a page at a time,
/// classifies each under the given standard, and never writes anything.
public struct WhatIfRunner: Sendable {
    public let store: HouseholdStore
    public init(store: HouseholdStore) { self.store = store }

    public struct Change: Sendable {
        public var id: Int
        public var code: String
        public var headName: String
        public var commune: String
        public var village: String
        public var from: String
        public var to: String
        public var reason: String
    }

    struct Row: Decodable { var id: Int; var code: String; var head_name: String; var commune_code: String; var village: String?
                            var category: String; var deprived: String; var facts: String; var old_commune_code: String?; var sort_key: String }

    /// `onChange` sees every household whose category would change, in id order.
    public func run(_ scope: Scope, place: ReportData.Place, standard: PovertyStandard, pageSize: Int = 2_000, on db: any Database,
                    onChange: (Change) throws -> Void = { _ in }) async throws -> WhatIfTally {
        let data = ReportData(units: store.units)
        let communes = data.communes(of: place, scope: scope)
        let olds = place.structure == .y2024 ? data.oldCommunes(of: place) : nil
        var engine = store.engine
        engine = Engine(catalogue: engine.catalogue, units: engine.units, fixedStandard: standard, defaultDate: engine.defaultDate, options: engine.options)
        var tally = WhatIfTally()
        let sql = db.sql
        // One commune at a time, in pages along its (commune, sort key, id) index: each page is a range read,
        // never a sort of what is left.
        for commune in communes {
            var after: (String, Int)? = nil
            while true {
                var q = sql.select().columns("id", "code", "head_name", "commune_code", "village", "category", "deprived", "facts", "old_commune_code", "sort_key")
                    .from(HouseholdRecord.schema).where("commune_code", .equal, commune).where(SQLIdentifier("archived_reason"), .is, SQLLiteral.null)
                if let (key, id) = after {
                    q = q.where { $0.where("sort_key", .greaterThan, key).orWhere { $0.where("sort_key", .equal, key).where("id", .greaterThan, id) } }
                }
                let rows = try await q.orderBy("sort_key").orderBy("id").limit(pageSize).all(decoding: Row.self)
                guard let last = rows.last else { break }
                after = (last.sort_key, last.id)
                for r in rows {
                    if let olds, !olds.contains(r.old_commune_code ?? "") { continue }
                    let unit = place.structure == .y2024 ? (r.old_commune_code ?? "") : r.commune_code
                    let before = r.deprived.split(separator: ",").map(String.init)
                    var to = "incomplete", reason = ""
                    do {
                        let h = try store.parser.parse(jsonLine: r.facts, line: 1)
                        do {
                            let c = try engine.classify(h)
                            to = c.category.rawValue
                            if to != r.category { reason = WhatIf.reason(h, before: r.category, beforeDeprived: before, after: c, standard: standard) }
                        } catch let e as ClassificationError {
                            reason = "thiếu dữ kiện '\(e.field)': \(e.message)"
                        }
                    } catch { reason = "dữ kiện đã lưu không đọc được" }
                    tally.add(unit: unit, from: r.category, to: to)
                    if to != r.category {
                        try onChange(Change(id: r.id, code: r.code, headName: r.head_name, commune: r.commune_code, village: r.village ?? "",
                                            from: r.category, to: to, reason: reason))
                    }
                }
            }
        }
        return tally
    }
}
