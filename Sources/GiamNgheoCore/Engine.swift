import Foundation

/// Classification with everything around the rule: the reference date, the standard chosen by that
/// date (or fixed, to simulate another standard), and the area taken from the commune when not given.
public struct Engine: Sendable {
    public var catalogue: StandardCatalogue
    /// Read only for a household given by commune: loaded at first use when made with a loader (the units
    /// of the whole country take a tenth of a second, the whole of a small classification's start).
    public var units: AdminUnits? {
        get { unitsSource.value }
        set { unitsSource = Once(value: newValue) }
    }
    private var unitsSource: Once<AdminUnits?>
    /// Set to simulate another standard (or a round's own): compiled again when set.
    public var fixedStandard: PovertyStandard? {
        didSet { fixedCompiled = fixedStandard.map(CompiledStandard.init) }
    }
    public var defaultDate: CivilDate
    public var options: ClassificationOptions
    /// One compiled form per standard, made once: classification of a province reuses them.
    private let compiled: [String: CompiledStandard]
    private var fixedCompiled: CompiledStandard?

    public init(catalogue: StandardCatalogue, units: AdminUnits?, fixedStandard: PovertyStandard? = nil,
                defaultDate: CivilDate, options: ClassificationOptions = .init()) {
        self.init(catalogue: catalogue, units: Once(value: units), fixedStandard: fixedStandard, defaultDate: defaultDate, options: options)
    }

    public init(catalogue: StandardCatalogue, loadingUnits load: @escaping @Sendable () -> AdminUnits?, fixedStandard: PovertyStandard? = nil,
                defaultDate: CivilDate, options: ClassificationOptions = .init()) {
        self.init(catalogue: catalogue, units: Once(making: load), fixedStandard: fixedStandard, defaultDate: defaultDate, options: options)
    }

    private init(catalogue: StandardCatalogue, units: Once<AdminUnits?>, fixedStandard: PovertyStandard?,
                 defaultDate: CivilDate, options: ClassificationOptions) {
        self.catalogue = catalogue; self.unitsSource = units; self.fixedStandard = fixedStandard
        self.defaultDate = defaultDate; self.options = options
        var c: [String: CompiledStandard] = [:]
        for s in catalogue.standards + [fixedStandard].compactMap({ $0 }) { c[s.id] = CompiledStandard(s) }
        compiled = c
        fixedCompiled = fixedStandard.flatMap { c[$0.id] }
    }

    /// The same engine with standards compiled anew, for one thread's run: the households of a core then
    /// retain only objects of their own (counts shared between cores cost more than the work they count).
    public func ownCopy() -> Engine {
        Engine(catalogue: catalogue, units: unitsSource, fixedStandard: fixedStandard, defaultDate: defaultDate, options: options)
    }

    public func classify(_ input: Household) throws -> Classification {
        let date = input.referenceDate ?? defaultDate
        var province: String?
        // The household is copied only to fill in its area (a copy retains every field: most of the cost per
        // household when the standard is fixed and the area given).
        var filled: Household?
        if let code = input.commune {
            guard let units = unitsSource.value else {
                throw ClassificationError(household: input.code, field: "commune", message: "không có danh mục đơn vị hành chính để tra mã xã")
            }
            guard let u = units.unit(code, in: .y2025), u.level == .commune else {
                let hint = units.convert(oldCommune: code).map { "\($0.newCommuneCode) \($0.newCommuneName)" }
                let more = hint.isEmpty ? "" : "; đây là mã cũ (trước 01/7/2025), mã mới: \(hint.joined(separator: ", "))"
                throw ClassificationError(household: input.code, field: "commune", message: "mã xã/phường '\(code)' không có trong danh mục từ 01/7/2025\(more)")
            }
            province = u.parentCode
            if input.area == nil {
                var h = input
                h.area = units.area(ofCommune: code)
                h.areaSource = "\(u.name) (\(u.code)): \(u.type) → \(h.area?.vietnamese ?? "?")"
                filled = h
            }
        }
        // `filled ?? input` would copy the household; each branch passes its own.
        let compiled: CompiledStandard
        if let fixedCompiled { compiled = fixedCompiled } else {
            guard let standard = catalogue.standard(for: date, province: province) else {
                let known = catalogue.standards.map { "\($0.id) (\($0.validFrom.vietnamese)–\($0.validTo.vietnamese))" }
                throw ClassificationError(household: input.code, field: "referenceDate",
                                          message: "không có chuẩn nghèo áp dụng ngày \(date.vietnamese) (có: \(known.joined(separator: "; ")))")
            }
            compiled = self.compiled[standard.id] ?? CompiledStandard(standard)
        }
        if let filled { return try compiled.classify(filled, on: date, options: options) }
        return try compiled.classify(input, on: date, options: options)
    }
}

/// A value made at its first reading, once, whichever thread asks first.
final class Once<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var made: T?
    private var make: (@Sendable () -> T)?
    init(value: T) { made = value }
    init(making make: @escaping @Sendable () -> T) { self.make = make }
    var value: T {
        lock.lock(); defer { lock.unlock() }
        if let make { made = make(); self.make = nil }
        return made!
    }
}
