/// Which of the two official structures a code belongs to: codes are reused across them
/// (00004 is Phường Trúc Bạch in 2024 and Phường Ba Đình in 2025), so a bare code is ambiguous.
public enum UnitStructure: String, Sendable, Codable, CaseIterable {
    case y2024 = "2024", y2025 = "2025"
    public var vietnamese: String { self == .y2024 ? "trước 01/7/2025 (3 cấp)" : "từ 01/7/2025 (2 cấp)" }
}

public struct AdminUnit: Sendable, Equatable, Codable {
    public enum Level: String, Sendable, Codable { case province, district, commune }
    public var structure: UnitStructure
    public var level: Level
    public var code: String
    public var name: String
    public var type: String
    public var parentCode: String?
    public var note: String?

    /// The name without its type prefix ("Phường Ba Đình" → "Ba Đình").
    public var bareName: String {
        name.hasPrefix(type + " ") ? String(name.dropFirst(type.count + 1)) : name
    }
}

/// One row of the official old-commune → new-commune table. A split commune has several rows.
public struct UnitMapping: Sendable, Equatable, Codable {
    public var oldCommuneCode: String?
    public var oldCommuneName: String
    public var oldDistrictCode: String
    public var oldProvinceCode: String
    public var newCommuneCode: String
    public var newCommuneName: String
    public var newProvinceCode: String
    public var split: Bool
    public var nsoNote: String
}

public struct UnitMatch: Sendable, Equatable {
    public var unit: AdminUnit
    /// "Phường Thuận Hóa, Thành phố Huế": the parent tells apart the 243 repeated commune names.
    public var path: String
    public var score: Int
}

public struct AdminUnits: Sendable {
    public private(set) var byCode: [UnitStructure: [String: AdminUnit]] = [:]
    public private(set) var mappingByOld: [String: [UnitMapping]] = [:]
    public private(set) var mappingByNew: [String: [UnitMapping]] = [:]
    /// Children by (structure, parent code), sorted by code: built once, read on every request's scope.
    private var childrenByParent: [UnitStructure: [String: [AdminUnit]]] = [:]
    private var folded: [(key: String, bare: String, structure: UnitStructure, code: String)] = []
    /// Urban/rural status of a *đặc khu* is not settled in law (the 2025 Law on the Organisation of Local Government leaves it open): configurable.
    public var specialZoneArea: Area = .rural

    public init(units2024: [AdminUnit], units2025: [AdminUnit], mapping: [UnitMapping]) {
        for u in units2024 + units2025 {
            byCode[u.structure, default: [:]][u.code] = u
            folded.append((VietnameseText.fold(u.name), VietnameseText.fold(u.bareName), u.structure, u.code))
        }
        for u in units2024 + units2025 {
            if let p = u.parentCode { childrenByParent[u.structure, default: [:]][p, default: []].append(u) }
        }
        for s in childrenByParent.keys {
            childrenByParent[s] = childrenByParent[s]!.mapValues { $0.sorted { $0.code < $1.code } }
        }
        for m in mapping {
            if let o = m.oldCommuneCode { mappingByOld[o, default: []].append(m) }
            mappingByNew[m.newCommuneCode, default: []].append(m)
        }
    }

    /// Builds from the CSV texts shipped in `Resources/admin-units` (columns as in its README).
    public static func fromCSV(units2024: String, units2025: String, mapping: String) -> AdminUnits {
        func units(_ text: String, _ s: UnitStructure) -> [AdminUnit] {
            CSV.records(text).rows.compactMap { r in
                guard let level = AdminUnit.Level(rawValue: r["level"] ?? ""), let code = r["code"], let name = r["name"] else { return nil }
                let parent = r["parent_code"].flatMap { $0.isEmpty ? nil : $0 }
                let note = r["note"].flatMap { $0.isEmpty ? nil : $0 }
                return AdminUnit(structure: s, level: level, code: code, name: VietnameseText.normalized(name),
                                 type: r["type"] ?? "", parentCode: parent, note: note)
            }
        }
        let maps = CSV.records(mapping).rows.map { r in
            UnitMapping(oldCommuneCode: (r["old_commune_code"] ?? "").isEmpty ? nil : r["old_commune_code"],
                        oldCommuneName: r["old_commune_name"] ?? "", oldDistrictCode: r["old_district_code"] ?? "",
                        oldProvinceCode: r["old_province_code"] ?? "", newCommuneCode: r["new_commune_code"] ?? "",
                        newCommuneName: r["new_commune_name"] ?? "", newProvinceCode: r["new_province_code"] ?? "",
                        split: r["split"] == "yes", nsoNote: r["nso_note"] ?? "")
        }
        return AdminUnits(units2024: units(units2024, .y2024), units2025: units(units2025, .y2025), mapping: maps)
    }

    public func unit(_ code: String, in structure: UnitStructure = .y2025) -> AdminUnit? { byCode[structure]?[code] }

    public func parent(of u: AdminUnit) -> AdminUnit? { u.parentCode.flatMap { unit($0, in: u.structure) } }

    public func ancestors(of u: AdminUnit) -> [AdminUnit] {
        var out: [AdminUnit] = []
        var cur = parent(of: u)
        while let p = cur { out.append(p); cur = parent(of: p) }
        return out
    }

    public func path(of u: AdminUnit) -> String { ([u] + ancestors(of: u)).map(\.name).joined(separator: ", ") }

    public func children(of code: String, in structure: UnitStructure = .y2025) -> [AdminUnit] {
        childrenByParent[structure]?[code] ?? []
    }

    /// The provinces of a structure, by code.
    public func provinces(in structure: UnitStructure = .y2025) -> [AdminUnit] {
        (byCode[structure] ?? [:]).values.filter { $0.level == .province }.sorted { $0.code < $1.code }
    }

    /// The communes of a province, in either structure (through districts for 2024).
    public func communes(ofProvince code: String, in structure: UnitStructure = .y2025) -> [AdminUnit] {
        let direct = children(of: code, in: structure)
        if structure == .y2025 { return direct.filter { $0.level == .commune } }
        return direct.flatMap { children(of: $0.code, in: structure) }.sorted { $0.code < $1.code }
    }

    /// Accent-insensitive search, đ/Đ included. "thuan hoa, hue" narrows by an ancestor's name.
    public func find(_ text: String, in structure: UnitStructure? = nil, limit: Int = 20) -> [UnitMatch] {
        let parts = text.split(separator: ",").map { VietnameseText.fold(String($0)) }.filter { !$0.isEmpty }
        guard let q = parts.first else { return [] }
        let ancestorsQuery = parts.dropFirst()
        var out: [UnitMatch] = []
        for f in folded where structure == nil || f.structure == structure {
            let score: Int
            if f.key == q || f.bare == q { score = 100 }
            else if f.bare.hasPrefix(q) || f.key.hasPrefix(q) { score = 60 }
            else if f.key.contains(" " + q) { score = 40 }
            else if f.key.contains(q) { score = 20 }
            else if f.code == q { score = 100 }
            else { continue }
            guard let u = unit(f.code, in: f.structure) else { continue }
            let anc = ancestors(of: u)
            if !ancestorsQuery.isEmpty {
                let names = anc.map { VietnameseText.fold($0.name) }
                guard ancestorsQuery.allSatisfy({ a in names.contains { $0.contains(a) } }) else { continue }
            }
            // Prefer the current structure and higher levels when scores tie.
            let bonus = (f.structure == .y2025 ? 5 : 0) + (u.level == .province ? 3 : u.level == .district ? 2 : 0)
            out.append(UnitMatch(unit: u, path: path(of: u), score: score + bonus))
        }
        out.sort { ($0.score, $1.unit.code) > ($1.score, $0.unit.code) }
        return Array(out.prefix(limit))
    }

    /// Old (2024) commune code → its new commune(s). A split commune gives several candidates.
    public func convert(oldCommune code: String) -> [UnitMapping] { mappingByOld[code] ?? [] }

    /// New (2025) commune → the old communes it was made from.
    public func predecessors(ofNewCommune code: String) -> [UnitMapping] { mappingByNew[code] ?? [] }

    /// Urban/rural from the unit type: phường/thị trấn → urban, xã → rural, đặc khu → `specialZoneArea`.
    public func area(ofCommune code: String, in structure: UnitStructure = .y2025) -> Area? {
        guard let u = unit(code, in: structure), u.level == .commune else { return nil }
        switch u.type {
        case "Phường", "Thị trấn": return .urban
        case "Xã": return .rural
        case "Đặc khu": return specialZoneArea
        default: return nil
        }
    }
}

public struct EthnicGroup: Sendable, Equatable, Codable {
    public var code: String
    public var name: String
    public var minority: Bool
}

/// A local group's name as officials write it ("Pa Cô"), under its official group (Tà-ôi).
public struct EthnicLocalName: Sendable, Equatable {
    public var name: String
    public var code: String
    public var verified: Bool
    public var source: String
    public init(name: String, code: String, verified: Bool, source: String) {
        self.name = name; self.code = code; self.verified = verified; self.source = source
    }
}

/// The 54 ethnic groups; names are matched with their common spelling variants (Hmông/H'Mông/Mông) and
/// with the local-group names of the official list (data: `ethnic-groups/local-names.csv`).
public struct EthnicGroups: Sendable {
    public let groups: [EthnicGroup]
    private let byKey: [String: String]
    private let local: [String: EthnicLocalName]

    public init(_ groups: [EthnicGroup], localNames: [EthnicLocalName] = []) {
        self.groups = groups
        var keys: [String: String] = [:]
        for g in groups {
            keys[g.code] = g.code
            if let n = Int(g.code) { keys[String(n)] = g.code }
            let f = VietnameseText.fold(g.name)
            keys[f] = g.code
            keys[Self.squash(f)] = g.code
        }
        // Variants seen in practice (ethnic-groups README): write them once here, not at every call site.
        let variants = ["mong": "hmong", "h'mong": "hmong", "khmer": "kho me", "ede": "e de", "e-de": "e de",
                        "jrai": "gia rai", "bana": "ba na", "xodang": "xo dang", "sedang": "xo dang", "cotu": "co tu",
                        "katu": "co tu", "hoa (han)": "hoa", "viet": "kinh", "ta oi": "ta oi"]
        for (variant, canonical) in variants {
            if let c = keys[Self.squash(canonical)] ?? keys[canonical] { keys[Self.squash(variant)] = c; keys[variant] = c }
        }
        byKey = keys
        var l: [String: EthnicLocalName] = [:]
        for n in localNames { l[Self.squash(VietnameseText.fold(n.name))] = n }
        local = l
    }

    /// `name,code,verified,source` rows; a row naming an unknown group is refused with its line.
    public func withLocalNames(csv text: String) throws -> EthnicGroups {
        var out: [EthnicLocalName] = []
        for (i, r) in CSV.records(text).rows.enumerated() {
            guard let n = r["name"], !n.isEmpty, let c = r["code"], let g = group(c) ?? code(for: c).flatMap(group) else {
                throw StandardError("local-names.csv dòng \(i + 2): thiếu tên hoặc mã dân tộc '\(r["code"] ?? "")' không có trong danh mục 54 dân tộc")
            }
            out.append(EthnicLocalName(name: VietnameseText.normalized(n), code: g.code, verified: r["verified"] == "true", source: r["source"] ?? ""))
        }
        return EthnicGroups(groups, localNames: out)
    }

    public var localNames: [EthnicLocalName] { local.values.sorted { $0.name < $1.name } }

    /// The local-group entry when `text` is a local name rather than an official group's name or variant.
    public func localName(for text: String) -> EthnicLocalName? {
        if byKey[text] != nil { return nil }   // a code or a folded name as written: no folding needed
        let f = VietnameseText.fold(text)
        if byKey[f] != nil || byKey[Self.squash(f)] != nil { return nil }
        return local[Self.squash(f)]
    }

    static func squash(_ folded: String) -> String { folded.filter { $0.isLetter } }

    public static func fromCSV(_ text: String) -> EthnicGroups {
        EthnicGroups(CSV.records(text).rows.compactMap { r in
            guard let c = r["code"], let n = r["name"] else { return nil }
            return EthnicGroup(code: c, name: VietnameseText.normalized(n), minority: r["minority"] == "yes")
        })
    }

    /// A code or a name in any common spelling → the two-digit code.
    public func code(for text: String) -> String? {
        // Keys are codes and folded names, which folding leaves as they are: the usual cell needs no fold.
        if let c = byKey[text] { return c }
        let f = VietnameseText.fold(text)
        return byKey[f] ?? byKey[Self.squash(f)] ?? local[Self.squash(f)]?.code
    }

    public func group(_ code: String) -> EthnicGroup? { groups.first { $0.code == code } }
    public var minorityCodes: Set<String> { Set(groups.filter(\.minority).map(\.code)) }
}
