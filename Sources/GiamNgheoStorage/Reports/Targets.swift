import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import SQLKit

public struct TargetStore: Sendable {
    public let store: HouseholdStore
    public var units: AdminUnits { store.units }
    public init(store: HouseholdStore) { self.store = store }

    /// Province staff set targets for their units (and administrators); communes read theirs.
    public static func canEdit(_ scope: Scope) -> Bool { scope.role == .admin || scope.role == .provinceOfficer }

    /// The 2025 communes a target's units cover.
    func communes(_ t: TargetRecord) -> [String] {
        let data = ReportData(units: units)
        let all = Scope(username: "", role: .admin, units: [], adminUnits: units)
        return Array(Set(t.codes.flatMap { data.communes(of: .init(structure: t.unitStructure, unit: $0), scope: all) }))
    }

    /// Whether a user sees a target: one of its communes is theirs; targets that match no unit are seen by
    /// province staff, auditors and administrators.
    func visible(_ t: TargetRecord, _ scope: Scope) -> Bool {
        guard let mine = scope.communes else { return true }
        let cs = communes(t)
        if cs.isEmpty { return scope.role == .provinceOfficer || scope.role == .auditor }
        return cs.contains { mine.contains($0) }
    }

    public func list(_ scope: Scope, year: Int?, on db: any Database) async throws -> [TargetRecord] {
        var q = TargetRecord.query(on: db)
        if let year { q = q.filter(\.$year == year) }
        return try await q.sort(\.$year).sort(\.$structure).sort(\.$unitCodes).sort(\.$measure).all().filter { visible($0, scope) }
    }

    public func years(on db: any Database) async throws -> [Int] {
        Array(Set(try await TargetRecord.query(on: db).all(\.$year))).sorted()
    }

    /// One row of a target file or form, as typed.
    public struct Input: Sendable {
        public var year: String, structure: String, unitCodes: String, unitName: String, kind: String, measure: String
        public var baseline: String, reduction: String, endHouseholds: String, endRate: String, standard: String, note: String, source: String
        public init(_ d: [String: String]) {
            func v(_ k: String) -> String { (d[k] ?? "").trimmingCharacters(in: .whitespaces) }
            year = v("year"); structure = v("structure"); unitCodes = v("unit_codes"); unitName = v("unit_name"); kind = v("kind")
            measure = v("measure"); baseline = v("baseline"); reduction = v("reduction"); endHouseholds = v("end_households")
            endRate = v("end_rate_pct"); standard = v("standard"); note = v("note"); source = v("source")
        }
    }

    /// Checks one input; the messages name the field (the caller adds the row).
    func record(_ i: Input, scope: Scope) -> (TargetRecord?, [String]) {
        var problems: [String] = []
        let t = TargetRecord()
        if let y = Int(i.year), (2000...2100).contains(y) { t.year = y } else { problems.append("năm '\(i.year)' không hợp lệ") }
        t.structure = i.structure.isEmpty ? "2025" : i.structure
        if t.structure != "2024" && t.structure != "2025" { problems.append("cơ cấu đơn vị '\(i.structure)' phải là 2024 hoặc 2025") }
        t.kind = i.kind.isEmpty ? "target" : i.kind
        if t.kind != "target" && t.kind != "actual" { problems.append("loại '\(i.kind)' phải là target (chỉ tiêu) hoặc actual (số đã báo cáo)") }
        if TargetMeasure(rawValue: i.measure) == nil {
            problems.append("nhóm hộ '\(i.measure)' phải là một trong: \(TargetMeasure.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        t.measure = i.measure
        let codes = i.unitCodes.split(whereSeparator: { $0 == ";" || $0 == "," || $0 == " " }).map(String.init)
        for c in codes where units.unit(c, in: t.structure == "2024" ? .y2024 : .y2025) == nil {
            problems.append("mã đơn vị '\(c)' không có trong danh mục \(t.structure)")
        }
        t.unitCodes = "," + codes.joined(separator: ",") + ","
        t.unitName = i.unitName.isEmpty ? codes.compactMap { units.unit($0, in: t.structure == "2024" ? .y2024 : .y2025)?.name }.joined(separator: " + ") : i.unitName
        if t.unitName.isEmpty && codes.isEmpty { problems.append("cần mã hoặc tên đơn vị") }
        func count(_ s: String, _ name: String) -> Int? {
            guard !s.isEmpty else { return nil }
            guard let n = Int(s.replacingOccurrences(of: ".", with: "")), n >= 0 else { problems.append("\(name) '\(s)' phải là số hộ (số nguyên không âm)"); return nil }
            return n
        }
        t.baseline = count(i.baseline, "số đầu kỳ"); t.reduction = count(i.reduction, "số giảm"); t.endHouseholds = count(i.endHouseholds, "số cuối kỳ")
        if !i.endRate.isEmpty {
            // "1,76" or "1.76" (%), two decimals at most: kept in hundredths, never as a float.
            let parts = i.endRate.replacingOccurrences(of: ",", with: ".").split(separator: ".", omittingEmptySubsequences: false)
            if parts.count <= 2, let whole = Int(parts[0]), whole >= 0, whole <= 100, parts.count == 1 || (parts[1].count <= 2 && Int(parts[1]) != nil) {
                let frac = parts.count == 2 ? Int(parts[1].padding(toLength: 2, withPad: "0", startingAt: 0))! : 0
                t.endRate = whole * 100 + frac
            } else { problems.append("tỷ lệ '\(i.endRate)' phải là phần trăm, tối đa 2 chữ số thập phân (ví dụ 1,76)") }
        }
        if t.kind == "target" && t.reduction == nil && t.endHouseholds == nil && t.endRate == nil {
            problems.append("chỉ tiêu cần ít nhất một trong: số giảm, số cuối kỳ, tỷ lệ cuối kỳ")
        }
        t.standard = i.standard.isEmpty ? nil : i.standard
        t.note = i.note.isEmpty ? nil : i.note
        t.source = i.source.isEmpty ? nil : i.source
        t.createdBy = scope.username
        t.version = 1
        if problems.isEmpty, !codes.isEmpty, let mine = scope.communes, !communes(t).contains(where: { mine.contains($0) }) {
            problems.append("đơn vị '\(t.unitName)' ngoài phạm vi tài khoản")
        }
        return (problems.isEmpty ? t : nil, problems)
    }

    /// Adds targets from a CSV text (header: year, structure, unit_codes, unit_name, kind, measure, baseline,
    /// reduction, end_households, end_rate_pct, standard, note, source): all rows or none, every problem named
    /// by row and field.
    @discardableResult
    public func importCSV(_ scope: Scope, text: String, replaceYears: Bool = false, on db: any Database) async throws -> Int {
        guard Self.canEdit(scope) else { throw AccessError.forbidden }
        let table = CSV.records(text)
        let needed = ["year", "measure"]
        let missing = needed.filter { !table.header.contains($0) }
        guard missing.isEmpty else { throw ValidationError("targets.columns", field: "file", vi: "Tệp chỉ tiêu thiếu cột: \(missing.joined(separator: ", ")).", en: "The targets file lacks columns: \(missing.joined(separator: ", ")).") }
        var records: [TargetRecord] = [], problems: [String] = []
        for (n, row) in table.rows.enumerated() {
            let (t, p) = record(Input(row), scope: scope)
            if let t { records.append(t) } else { problems += p.map { "Dòng \(n + 2): \($0)" } }
        }
        guard problems.isEmpty else { throw ValidationError(text: problems.prefix(30).joined(separator: "\n") + (problems.count > 30 ? "\n… và \(problems.count - 30) lỗi khác" : "")) }
        guard !records.isEmpty else { throw ValidationError("targets.empty", field: "file", vi: "Tệp chỉ tiêu không có dòng nào.", en: "The targets file has no rows.") }
        let rows = records
        return try await store.writing(db) { tx in
            for t in rows { try await t.create(on: tx) }
            try await AuditEntry(username: scope.username, householdID: nil, action: "targets.import", field: nil,
                                 newValue: "\(rows.count) dòng", reason: nil).create(on: tx)
            return rows.count
        }
    }

    public func add(_ scope: Scope, _ input: Input, on db: any Database) async throws -> TargetRecord {
        guard Self.canEdit(scope) else { throw AccessError.forbidden }
        let (t, problems) = record(input, scope: scope)
        guard let t else { throw ValidationError(text: problems.joined(separator: "; ")) }
        return try await store.writing(db) { tx in
            try await t.create(on: tx)
            try await AuditEntry(username: scope.username, householdID: nil, action: "target.add", field: "\(t.year) \(t.unitName)",
                                 newValue: t.measure, reason: nil).create(on: tx)
            return t
        }
    }

    public func delete(_ scope: Scope, id: Int, expectedVersion: Int, on db: any Database) async throws {
        guard Self.canEdit(scope) else { throw AccessError.forbidden }
        try await store.writing(db) { tx in
            guard let t = try await TargetRecord.find(id, on: tx), visible(t, scope) else { throw AccessError.notFound }
            guard t.version == expectedVersion else { throw VersionConflict(currentVersion: t.version) }
            try await t.delete(on: tx)
            try await AuditEntry(username: scope.username, householdID: nil, action: "target.delete", field: "\(t.year) \(t.unitName)",
                                 oldValue: t.measure, reason: nil).create(on: tx)
        }
    }

    /// Progress of a target against the registry's summaries (nil when its units match nothing).
    public func progress(_ t: TargetRecord, scope: Scope, reference: CivilDate, on db: any Database) async throws -> TargetEvaluation? {
        guard let spec = t.spec, !t.codes.isEmpty, t.kind == "target" else { return nil }
        let data = ReportData(units: units)
        var cells: [CellCount] = []
        for code in t.codes {
            cells += try await data.rows(year: t.year, place: .init(structure: t.unitStructure, unit: code), scope: scope,
                                         dims: [.all, .movement, .trait], on: db).flatMap(\.cells)
        }
        let now = Reports.count(spec.measure.endTerms, cells, measure: .households)
        // The start is last year's count in the registry; without a last year there is none (never the plan's
        // figure: a plan and a registry count different things).
        let hasLastYear = try await Summaries.years(on: db).contains(t.year - 1)
        let start = hasLastYear ? spec.measure.startTerms.map { Reports.count($0, cells, measure: .households) } : nil
        let total = Reports.count([CellTerm(dim: "all")], cells, measure: .households)
        let months = t.year < reference.year ? 12 : (t.year > reference.year ? 0 : reference.month)
        return TargetProgress.evaluate(spec, start: start, now: now, total: total, months: months)
    }
}
