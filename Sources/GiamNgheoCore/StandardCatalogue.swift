import Foundation

/// A province's higher standard, written as changes to a national one (Decree 07/2021/NĐ-CP lets a province set a higher standard):
/// higher income lines, and possibly extra indicators. Everything else is inherited.
public struct LocalStandardSpec: Codable, Sendable {
    public var id: String
    public var name: LocalizedText
    public var extends: String
    public var province: String
    public var legalBasis: [Citation]
    public var validFrom: CivilDate
    public var validTo: CivilDate
    public var incomeLines: [String: AreaThreshold]?
    public var deprivationThreshold: VerifiedInt?
    public var additionalDimensions: [Dimension]?
    public var additionalIndicators: [Indicator]?
    public var notes: [String]?

    public init(id: String, name: LocalizedText, extends: String, province: String, legalBasis: [Citation],
                validFrom: CivilDate, validTo: CivilDate, incomeLines: [String: AreaThreshold]? = nil,
                deprivationThreshold: VerifiedInt? = nil, additionalDimensions: [Dimension]? = nil,
                additionalIndicators: [Indicator]? = nil, notes: [String]? = nil) {
        self.id = id; self.name = name; self.extends = extends; self.province = province; self.legalBasis = legalBasis
        self.validFrom = validFrom; self.validTo = validTo; self.incomeLines = incomeLines
        self.deprivationThreshold = deprivationThreshold; self.additionalDimensions = additionalDimensions
        self.additionalIndicators = additionalIndicators; self.notes = notes
    }

    public func apply(to base: PovertyStandard) throws -> PovertyStandard {
        guard base.kind == .national else {
            throw StandardError("chuẩn địa phương \(id): chỉ mở rộng được chuẩn quốc gia, '\(base.id)' là chuẩn địa phương")
        }
        var s = base
        s.id = id; s.kind = .local; s.name = name; s.extends = base.id; s.province = province
        s.legalBasis = legalBasis + base.legalBasis; s.validFrom = validFrom; s.validTo = validTo
        s.sources = nil
        for (k, v) in incomeLines ?? [:] {
            guard base.incomeLines[k] != nil else {
                throw StandardError("chuẩn địa phương \(id): ngưỡng '\(k)' không có trong chuẩn \(base.id) (có: \(base.incomeLines.keys.sorted().joined(separator: ", ")))")
            }
            s.incomeLines[k] = v
        }
        if let t = deprivationThreshold { s.deprivationThreshold = t }
        s.dimensions += additionalDimensions ?? []
        s.indicators += additionalIndicators ?? []
        // A local standard may not lower the national lines: it exists to be more generous.
        for (k, v) in s.incomeLines {
            for area in Area.allCases {
                if let mine = v.value(for: area), let theirs = base.incomeLines[k]?.value(for: area), mine < theirs {
                    throw StandardError("chuẩn địa phương \(id): ngưỡng '\(k)' \(area.vietnamese) \(Format.money(mine)) thấp hơn chuẩn quốc gia \(Format.money(theirs))")
                }
            }
        }
        s.notes = (notes ?? []) + (base.notes ?? [])
        // The point method's điểm B1 is calibrated to the national lines; it does not carry over.
        if incomeLines != nil { s.pointRule = nil }
        try s.validate()
        return s
    }
}

public struct StandardCatalogue: Sendable {
    public private(set) var standards: [PovertyStandard]

    public init(_ standards: [PovertyStandard]) throws {
        self.standards = []
        for s in standards { try add(s) }
    }

    public mutating func add(_ s: PovertyStandard) throws {
        try s.validate()
        guard standard(id: s.id) == nil else { throw StandardError("mã chuẩn trùng: \(s.id)") }
        if s.kind == .national, let clash = standards.first(where: {
            $0.kind == .national && $0.validFrom <= s.validTo && s.validFrom <= $0.validTo
        }) {
            throw StandardError("chuẩn \(s.id) trùng thời gian hiệu lực với \(clash.id)")
        }
        standards.append(s)
        standards.sort { ($0.validFrom, $0.id) < ($1.validFrom, $1.id) }
    }

    public mutating func add(local spec: LocalStandardSpec) throws {
        guard let base = standard(id: spec.extends) else {
            throw StandardError("chuẩn địa phương \(spec.id): không tìm thấy chuẩn gốc '\(spec.extends)'")
        }
        try add(try spec.apply(to: base))
    }

    public func standard(id: String) -> PovertyStandard? {
        let key = id.lowercased()
        return standards.first { $0.id.lowercased() == key }
    }

    /// The standard that applies on a date: a province's local standard if one covers the date,
    /// otherwise the national one (2016–2021 QĐ59, 2022–2026 NĐ07, 2027–2030 NĐ351).
    public func standard(for date: CivilDate, province: String? = nil) -> PovertyStandard? {
        if let province, let local = standards.first(where: { $0.kind == .local && $0.province == province && $0.covers(date) }) {
            return local
        }
        return standards.first { $0.kind == .national && $0.covers(date) }
    }

    public static func decode(_ data: Data, name: String) throws -> PovertyStandard {
        do { return try JSONDecoder().decode(PovertyStandard.self, from: data) }
        catch { throw StandardError("tệp chuẩn \(name): \(describe(error))") }
    }

    public static func decodeLocal(_ data: Data, name: String) throws -> LocalStandardSpec {
        do { return try JSONDecoder().decode(LocalStandardSpec.self, from: data) }
        catch { throw StandardError("tệp chuẩn địa phương \(name): \(describe(error))") }
    }

    /// Turns a Codable error into one line that names the JSON path.
    public static func describe(_ error: any Error) -> String {
        func path(_ p: [any CodingKey]) -> String {
            p.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case DecodingError.keyNotFound(let k, let c): return "thiếu trường '\(path(c.codingPath + [k]))'"
        case DecodingError.typeMismatch(_, let c): return "sai kiểu ở '\(path(c.codingPath))': \(c.debugDescription)"
        case DecodingError.valueNotFound(_, let c): return "thiếu giá trị ở '\(path(c.codingPath))'"
        case DecodingError.dataCorrupted(let c): return "dữ liệu sai ở '\(path(c.codingPath))': \(c.debugDescription)"
        default: return "\(error)"
        }
    }
}
