import GiamNgheoData
import SQLKit

/// The province a row belongs to: the partition key of households, their people, the summary cells and the
/// audit trail (migration 010). On PostgreSQL those tables are LIST-partitioned by it, one partition per
/// province of the 2025 list and a default one for rows of no province (an account's own actions) or of a
/// commune not in the list; SQLite keeps the column only. Queries that know their communes name their
/// provinces too, so that PostgreSQL reads only those partitions.
public enum Partitions {
    /// Empty for "no province": the default partition.
    public static let none = ""

    static let byCommune: [String: String] = {
        let units = BundledData.adminUnits
        var out: [String: String] = [:]
        for p in units.provinces(in: .y2025) {
            for c in units.communes(ofProvince: p.code) { out[c.code] = p.code }
        }
        return out
    }()

    /// The provinces of the 2025 list: one partition each.
    public static var provinces: [String] { BundledData.adminUnits.provinces(in: .y2025).map(\.code) }

    /// The province of a 2025 commune code; `none` when it is not in the list.
    public static func province(ofCommune commune: String?) -> String {
        commune.flatMap { byCommune[$0] } ?? none
    }

    /// The provinces of some communes, sorted, each once (`none` included when one is not in the list).
    public static func provinces<S: Sequence>(ofCommunes communes: S) -> [String] where S.Element == String {
        Array(Set(communes.map { province(ofCommune: $0) })).sorted()
    }
}

extension SQLPredicateBuilder {
    /// `commune_code IN (…)` and the same communes' `province_code IN (…)`: the second condition is always true
    /// for rows the first selects, and lets PostgreSQL skip every other province's partition. No commune at all
    /// selects nothing (PostgreSQL refuses an empty IN list).
    @discardableResult
    func whereCommunes<S: Sequence>(_ communes: S, table: String? = nil) -> Self where S.Element == String {
        let list = Array(communes).sorted()
        guard !list.isEmpty else { return self.where(SQLLiteral.boolean(false)) }
        let column = { (name: String) in table.map { SQLColumn(name, table: $0) } ?? SQLColumn(name) }
        return self.where(column("province_code"), .in, SQLBind.group(Partitions.provinces(ofCommunes: list)))
            .where(column("commune_code"), .in, SQLBind.group(list))
    }
}
