import Fluent
import GiamNgheoCore
import GiamNgheoData
import SQLKit

/// The rows of a report for one unit in one structure, read from the summaries only (issue 6 §2, §3): the
/// 2025 structure sums communes' totals into provinces and the nation; the 2024 structure sums them by
/// old commune into old districts and old provinces, through the old commune each household carries.
public struct ReportData: Sendable {
    public let units: AdminUnits
    /// Local indigenous groups (DTTC) by old province: forms 12, 13 count a household DTTC when its head's group
    /// is listed for a province its commune came from (as forms 14, 15 do).
    public var localIndigenous: LocalIndigenousGroups
    public init(units: AdminUnits, localIndigenous: LocalIndigenousGroups = LocalIndigenousGroups([])) {
        self.units = units; self.localIndigenous = localIndigenous
    }

    /// The DTTC groups of a 2025 commune (every predecessor's province).
    func indigenous(ofCommune commune: String) -> Set<String> {
        localIndigenous.ethnicities(inOldProvinces: Set(units.predecessors(ofNewCommune: commune).map(\.oldProvinceCode)))
    }

    /// Where a report stands: the unit whose children are the rows ("" for the nation).
    public struct Place: Sendable, Equatable {
        public var structure: UnitStructure
        public var unit: String
        public init(structure: UnitStructure, unit: String) { self.structure = structure; self.unit = unit }
    }

    public static let unknownOld = "?"
    /// The report-time dimension of local indigenous minority households (from the ethnicity cells).
    public static let dttcDimension = "dttc"
    public static let unknownOldName = "Chưa xác định xã cũ"

    func convert(_ c: Summaries.Cell) -> CellCount {
        CellCount(category: c.category, urban: c.urban, minority: c.minority, dim: c.dim, key: c.key, households: c.households, persons: c.persons)
    }

    /// The 2025 communes whose households a place covers, within the scope.
    public func communes(of place: Place, scope: Scope) -> [String] {
        var out: [String]
        switch (place.structure, units.unit(place.unit, in: place.structure)?.level) {
        case (.y2025, .province?): out = units.communes(ofProvince: place.unit).map(\.code)
        case (.y2025, .commune?): out = [place.unit]
        case (.y2025, _): out = units.provinces(in: .y2025).flatMap { units.communes(ofProvince: $0.code).map(\.code) }
        case (.y2024, let level):
            let olds: [String]
            switch level {
            case .province?: olds = units.children(of: place.unit, in: .y2024).flatMap { units.children(of: $0.code, in: .y2024).map(\.code) }
            case .district?: olds = units.children(of: place.unit, in: .y2024).map(\.code)
            case .commune?: olds = [place.unit]
            case nil: olds = []
            }
            out = place.unit.isEmpty
                ? units.provinces(in: .y2025).flatMap { units.communes(ofProvince: $0.code).map(\.code) }
                : Array(Set(olds.flatMap { units.convert(oldCommune: $0).map(\.newCommuneCode) }))
        }
        if let allowed = scope.communes { out = out.filter { allowed.contains($0) } }
        return out.sorted()
    }

    /// The old communes under a place of the 2024 structure (nil for the nation: all of them).
    public func oldCommunes(of place: Place) -> Set<String>? {
        switch units.unit(place.unit, in: .y2024)?.level {
        case .province?: return Set(units.communes(ofProvince: place.unit, in: .y2024).map(\.code))
        case .district?: return Set(units.children(of: place.unit, in: .y2024).map(\.code))
        case .commune?: return [place.unit]
        case nil: return nil
        }
    }

    /// The communes that have households (for the demo's sample targets).
    public func communesWithHouseholds(on db: any Database) async throws -> [String] {
        try await Summaries.allCommunes(on: db)
    }

    /// The old district and province of an old commune code.
    func oldParents(_ old: String) -> (district: String, province: String)? {
        guard let c = units.unit(old, in: .y2024), let d = c.parentCode, let p = units.unit(d, in: .y2024)?.parentCode else { return nil }
        return (d, p)
    }

    /// The report's row units for a place, each with its cells (commune totals, or villages at the bottom level).
    public func rows(year: Int, place: Place, scope: Scope, dims: [SummaryDimension]? = nil, categories: [String]? = nil,
                     on db: any Database) async throws -> [ReportUnit] {
        if let allowed = scope.communes, place.structure == .y2025, let u = units.unit(place.unit, in: .y2025), u.level == .commune,
           !allowed.contains(u.code) { throw AccessError.forbidden }
        let communes = communes(of: place, scope: scope)
        let villages = units.unit(place.unit, in: place.structure)?.level == .commune
        let cells = try await Summaries.cells(year: year, communes: communes, villages: villages, dims: dims, categories: categories,
                                              oldCommunes: place.structure == .y2024 || villages, on: db)
        return group(cells, place: place)
    }

    /// The same rows computed by reading every household of the place (the baseline `bench rollup` measures
    /// the summaries against; equal by construction).
    public func scannedRows(year: Int, place: Place, scope: Scope, on db: any Database) async throws -> [ReportUnit] {
        let villages = units.unit(place.unit, in: place.structure)?.level == .commune
        var cells: [Summaries.Cell] = []
        let latest = try await Summaries.latestYear(on: db)
        for chunk in communes(of: place, scope: scope).chunks(of: 20) {
            let subjects = try await Summaries.subjects(ofYear: year, latest: latest, communes: chunk, on: db.sql)
            for (k, v) in SummaryCells.tally(subjects.map { ($0, 1) }) where (k.village == SummaryKey.communeTotal) != villages {
                cells.append(Summaries.Cell(year: k.year, commune_code: k.commune, old_commune_code: k.oldCommune, village: k.village,
                                            standard: k.standard, category: k.category, urban: k.urban, minority: k.minority,
                                            dim: k.dim.rawValue, key: k.key, households: v.households, persons: v.persons))
            }
        }
        return group(cells, place: place)
    }

    // MARK: - Alkire–Foster (issue 6 §6)

    public struct AFRow: Sendable {
        public var code: String
        public var name: String
        public var measures: AFMeasures
        /// Households not classified yet, left out of the indices.
        public var excluded: Int
    }

    public enum AFBreakdown: String, Sendable, CaseIterable {
        case unit, minority, area
        public var vietnamese: String {
            switch self { case .unit: return "theo đơn vị"; case .minority: return "theo dân tộc của chủ hộ"; case .area: return "theo thành thị/nông thôn" }
        }
    }

    /// H, A, M0 and the indicator measures of a place and of its parts (child units or subgroups), from the
    /// summaries (equal weights); the parts' population-weighted M0 sum to the place's (decomposability).
    public func alkireFoster(year: Int, place: Place, scope: Scope, indicators: [String], cutoff: Int, by: AFBreakdown,
                             on db: any Database) async throws -> (total: AFRow, parts: [AFRow]) {
        let units = try await rows(year: year, place: place, scope: scope, dims: [.all, .score, .indicator, .scoreIndicator], on: db)
        let all = units.flatMap(\.cells)
        func row(_ code: String, _ name: String, _ cells: [CellCount], _ include: @escaping (CellCount) -> Bool = { _ in true }) -> AFRow {
            let m = AlkireFoster.measure(cells: cells, indicators: indicators, cutoff: cutoff, include: include)
            return AFRow(code: code, name: name, measures: m.measures, excluded: m.excluded)
        }
        let name = self.units.unit(place.unit, in: place.structure)?.name ?? "Toàn quốc"
        let parts: [AFRow]
        switch by {
        case .unit: parts = units.map { row($0.code, $0.name, $0.cells) }
        case .minority: parts = [row("dtts", "Chủ hộ dân tộc thiểu số", all) { $0.minority }, row("kinh", "Chủ hộ không thuộc DTTS", all) { !$0.minority }]
        case .area: parts = [row("urban", "Thành thị", all) { $0.urban }, row("rural", "Nông thôn", all) { !$0.urban }]
        }
        return (row("", name, all), parts)
    }

    /// AF with other weights (integers per indicator, cut-off in the same units): needs each household's
    /// vector, so it reads the households of the place (a commune in a second; a province takes longer).
    public func alkireFosterWeighted(year: Int, place: Place, scope: Scope, indicators: [String], weights: [Int], cutoff: Int,
                                     on db: any Database) async throws -> AFMeasures {
        var rows: [[Bool]] = []
        let olds = place.structure == .y2024 ? oldCommunes(of: place) : nil
        let latest = try await Summaries.latestYear(on: db)
        for chunk in communes(of: place, scope: scope).chunks(of: 20) {
            for s in try await Summaries.subjects(ofYear: year, latest: latest, communes: chunk, on: db.sql)
            where s.scored && s.category != SummarySubject.archived && s.category != "incomplete" {
                if let olds, !olds.contains(s.oldCommune) { continue }
                let set = Set(s.deprived)
                rows.append(indicators.map { set.contains($0) })
            }
        }
        return AlkireFoster.measure(rows, cutoff: cutoff, weights: weights)
    }

    /// The plainest SQL over the households for form 1's headline counts: the baseline of `bench rollup`.
    public static func plainCounts(on db: any Database) async throws -> Int {
        try await db.sql.raw("""
            SELECT commune_code, category, ethnic_minority_head, urban, COUNT(*) AS n, SUM(member_count) AS p FROM households
            WHERE archived_reason IS NULL GROUP BY commune_code, category, ethnic_minority_head, urban
            """).all().count
    }

    /// The lists a layout's `forEach` columns repeat over: the standard's indicators, the poverty causes, the traits.
    public static func lists(standard: PovertyStandard?) -> [String: [(code: String, name: String)]] {
        let indicators: [(code: String, name: String)] = (standard?.indicators ?? []).map { ($0.code, $0.name.vi) }
        return ["indicator": indicators,
                "ethnicity": BundledData.ethnicGroups.groups.filter { $0.code != "01" }.map { ($0.code, $0.name) },
                "child": ChildDeprivation.allCases.map { ($0.rawValue, $0.vietnamese) },
                "cause": BundledData.enabledPovertyCauses.map { ($0.code, $0.vi) },
                "trait": HouseholdTrait.allCases.map { ($0.rawValue, $0.vietnamese) }]
    }

    /// A whole table for a place from the summaries.
    public func table(_ layout: ReportLayout, year: Int, place: Place, scope: Scope, standard: PovertyStandard?,
                      scanning: Bool = false, on db: any Database) async throws -> ReportTable {
        // Only the dimensions the columns sum: a deprivation table never reads the movement cells.
        let dims = Array(Set(layout.columns.flatMap { $0.sum ?? [] }.compactMap { t in
            t.dim == Self.dttcDimension ? .ethnicity : SummaryDimension(rawValue: t.dim) })).sorted { $0.rawValue < $1.rawValue }
        // Only the categories the columns sum, when each names its own (a table of poor households reads a fifth of
        // the cells); form 9's choice of groups counts the poor and near-poor.
        let sums = layout.columns.flatMap { $0.sum ?? [] }
        var categories: Set<String>? = sums.allSatisfy { $0.categories != nil } ? Set(sums.flatMap { $0.categories ?? [] }) : nil
        if layout.columns.contains(where: { $0.forEach == "ethnicity" }) { categories?.formUnion([Category.poor.rawValue, Category.nearPoor.rawValue]) }
        let rows = scanning ? try await scannedRows(year: year, place: place, scope: scope, on: db)
                            : try await rows(year: year, place: place, scope: scope, dims: dims, categories: categories.map { $0.sorted() }, on: db)
        let columns = try await self.columns(layout, year: year, place: place, standard: standard, rows: rows, on: db)
        let name = units.unit(place.unit, in: place.structure).map { units.path(of: $0) } ?? "Toàn quốc"
        return Reports.table(layout, columns: columns, units: rows, totalName: "Tổng cộng: " + name)
    }

    /// A layout's columns as its table resolves them: the standard's indicators, the causes, the traits, and for
    /// form 9 the minority groups with poor or near-poor households in the place's province (8 at most, most
    /// first), so that a commune's table has its province's columns and sums to its row there. `rows`: the
    /// place's rows when already read (reused when the place is the province).
    public func columns(_ layout: ReportLayout, year: Int, place: Place, standard: PovertyStandard?, rows: [ReportUnit]? = nil,
                        on db: any Database) async throws -> [ReportColumn] {
        var lists = Self.lists(standard: standard)
        if layout.columns.contains(where: { $0.forEach == "ethnicity" }) {
            var province = place
            while let u = units.unit(province.unit, in: province.structure), u.level != .province, let parent = u.parentCode {
                province = Place(structure: province.structure, unit: parent)
            }
            // Only which groups get a column is read here, never a figure shown to the caller's scope.
            let admin = Scope(username: "", role: .admin, units: [], adminUnits: units)
            let listRows: [ReportUnit]
            if province == place, let rows { listRows = rows }
            else { listRows = try await self.rows(year: year, place: province, scope: admin, dims: [.ethnicity], on: db) }
            var n: [String: Int] = [:]
            for u in listRows {
                for c in u.cells where c.dim == SummaryDimension.ethnicity.rawValue && c.key != "01"
                    && (c.category == Category.poor.rawValue || c.category == Category.nearPoor.rawValue) {
                    n[c.key, default: 0] += c.households
                }
            }
            let top = n.filter { $0.value > 0 }.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(8).map(\.key)
            lists["ethnicity"] = top.map { code in (code, BundledData.ethnicGroups.group(code)?.name ?? code) }
        }
        return Reports.resolve(layout, lists: lists)
    }

    func group(_ cells: [Summaries.Cell], place: Place) -> [ReportUnit] {
        let level = units.unit(place.unit, in: place.structure)?.level
        var groups: [String: [CellCount]] = [:]
        var names: [String: String] = [:]
        // A DTTC cell beside each ethnic-group cell of a group listed for the commune: "dttc" sums like any dimension.
        var dttc: [String: Set<String>] = [:]
        var cells = cells
        for c in cells where c.dim == SummaryDimension.ethnicity.rawValue {
            let groups = dttc[c.commune_code] ?? indigenous(ofCommune: c.commune_code)
            dttc[c.commune_code] = groups
            if groups.contains(c.key) { var d = c; d.dim = Self.dttcDimension; d.key = ""; cells.append(d) }
        }
        for c in cells {
            let key: String
            switch (place.structure, level) {
            case (.y2025, nil): key = units.unit(c.commune_code, in: .y2025)?.parentCode ?? c.commune_code
            case (.y2025, .province?): key = c.commune_code
            case (.y2025, _): key = "v:" + c.village
            case (.y2024, nil):
                key = oldParents(c.old_commune_code)?.province ?? Self.unknownOld
            case (.y2024, .province?):
                // Cells without a known old commune are added below as their own row.
                guard let p = oldParents(c.old_commune_code), p.province == place.unit else { continue }
                key = p.district
            case (.y2024, .district?):
                guard oldParents(c.old_commune_code)?.district == place.unit else { continue }
                key = c.old_commune_code
            case (.y2024, .commune?):
                guard c.old_commune_code == place.unit else { continue }
                key = "v:" + c.village + "@" + c.commune_code
            }
            groups[key, default: []].append(convert(c))
        }
        // Cells of communes formed from several old communes whose households carry no old commune: shown as
        // their own row at the levels above, never dropped silently.
        if place.structure == .y2024, level == .province || level == .district {
            let unknown = cells.filter { $0.old_commune_code.isEmpty }
            let mine = unknown.filter { c in
                // Under the first old commune's district and province only, so that nothing counts twice.
                let m = units.predecessors(ofNewCommune: c.commune_code).first
                return level == .province ? m?.oldProvinceCode == place.unit : m?.oldDistrictCode == place.unit
            }
            if !mine.isEmpty { groups[Self.unknownOld] = mine.map(convert) }
        }
        for key in groups.keys {
            if key == Self.unknownOld { names[key] = Self.unknownOldName }
            else if key.hasPrefix("v:") {
                let v = String(key.dropFirst(2).split(separator: "@").first ?? "")
                names[key] = v.isEmpty ? "Chưa ghi thôn/tổ" : v
            } else { names[key] = units.unit(key, in: place.structure)?.name ?? key }
        }
        return groups.keys.sorted().map { key in
            let drill = key.hasPrefix("v:") || key == Self.unknownOld ? "households" : "units"
            return ReportUnit(code: key, name: names[key] ?? key, drill: drill, cells: groups[key] ?? [])
        }
    }

    /// The households a report cell counts: the same subjects and cells the summaries hold, filtered by the
    /// column's terms, so the list has exactly as many households as the cell says (issue 6 (g)).
    public func households(year: Int, communes: [String], oldCommune: String?, village: String?, terms: [CellTerm],
                           area: Area?, scope: Scope, on db: any Database) async throws -> [Int] {
        let allowed = communes.filter { scope.allows(commune: $0) }
        guard !allowed.isEmpty else { return [] }
        var ids: [Int] = []
        // A DTTC column's households: the subject's head group against its commune's list (once per commune).
        let wantsDTTC = terms.contains { $0.dim == Self.dttcDimension }
        var dttc: [String: Set<String>] = [:]
        let latest = try await Summaries.latestYear(on: db)
        for chunk in allowed.chunks(of: 20) {
            for s in try await Summaries.subjects(ofYear: year, latest: latest, communes: chunk, on: db.sql) {
                if let oldCommune, s.oldCommune != oldCommune { continue }
                if let village, s.village != village { continue }
                if let area, s.urban != (area == .urban) { continue }
                var keys = SummaryCells.keys(s).filter { $0.village != SummaryKey.communeTotal }.map { ($0.category, $0.dim.rawValue, $0.key, $0.minority, $0.urban) }
                if !s.ethnicity.isEmpty, wantsDTTC {
                    if dttc[s.commune] == nil { dttc[s.commune] = indigenous(ofCommune: s.commune) }
                    if dttc[s.commune]!.contains(s.ethnicity) { keys.append((s.category, Self.dttcDimension, "", s.minority, s.urban)) }
                }
                if keys.contains(where: { k in terms.contains { $0.matches(category: k.0, dim: k.1, key: k.2, minority: k.3, urban: k.4) } }) {
                    ids.append(s.household)
                }
            }
        }
        return ids
    }
}
