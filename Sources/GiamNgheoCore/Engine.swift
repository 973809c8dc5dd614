/// Classification with everything around the rule: the reference date, the standard chosen by that
/// date (or fixed, to simulate another standard), and the area taken from the commune when not given.
public struct Engine: Sendable {
    public var catalogue: StandardCatalogue
    public var units: AdminUnits?
    public var fixedStandard: PovertyStandard?
    public var defaultDate: CivilDate
    public var options: ClassificationOptions
    /// One compiled form per standard, made once: classification of a province reuses them.
    private let compiled: [String: CompiledStandard]

    public init(catalogue: StandardCatalogue, units: AdminUnits?, fixedStandard: PovertyStandard? = nil,
                defaultDate: CivilDate, options: ClassificationOptions = .init()) {
        self.catalogue = catalogue; self.units = units; self.fixedStandard = fixedStandard
        self.defaultDate = defaultDate; self.options = options
        var c: [String: CompiledStandard] = [:]
        for s in catalogue.standards + [fixedStandard].compactMap({ $0 }) { c[s.id] = CompiledStandard(s) }
        compiled = c
    }

    public func classify(_ input: Household) throws -> Classification {
        var h = input
        let date = h.referenceDate ?? defaultDate
        var province: String?
        if let code = h.commune {
            guard let units else {
                throw ClassificationError(household: h.code, field: "commune", message: "không có danh mục đơn vị hành chính để tra mã xã")
            }
            guard let u = units.unit(code, in: .y2025), u.level == .commune else {
                let hint = units.convert(oldCommune: code).map { "\($0.newCommuneCode) \($0.newCommuneName)" }
                let more = hint.isEmpty ? "" : "; đây là mã cũ (trước 01/7/2025), mã mới: \(hint.joined(separator: ", "))"
                throw ClassificationError(household: h.code, field: "commune", message: "mã xã/phường '\(code)' không có trong danh mục từ 01/7/2025\(more)")
            }
            province = u.parentCode
            if h.area == nil {
                h.area = units.area(ofCommune: code)
                h.areaSource = "\(u.name) (\(u.code)): \(u.type) → \(h.area?.vietnamese ?? "?")"
            }
        }
        guard let standard = fixedStandard ?? catalogue.standard(for: date, province: province) else {
            let known = catalogue.standards.map { "\($0.id) (\($0.validFrom.vietnamese)–\($0.validTo.vietnamese))" }
            throw ClassificationError(household: h.code, field: "referenceDate",
                                      message: "không có chuẩn nghèo áp dụng ngày \(date.vietnamese) (có: \(known.joined(separator: "; ")))")
        }
        return try (compiled[standard.id] ?? CompiledStandard(standard)).classify(h, on: date, options: options)
    }
}
