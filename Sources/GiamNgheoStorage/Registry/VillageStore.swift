import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

/// Villages (thôn, tổ dân phố) per commune: added and retired by the commune, within its scope.
/// A village is never deleted (households and history name it); it is archived and leaves the choices.
public struct VillageStore: Sendable {
    public let units: AdminUnits
    public let gate: WriteGate?
    public init(units: AdminUnits, gate: WriteGate? = nil) { self.units = units; self.gate = gate }


    public func list(_ scope: Scope, commune: String, includeArchived: Bool = false, on db: any Database) async throws -> [Village] {
        guard scope.allows(commune: commune) else { throw AccessError.forbidden }
        var q = Village.query(on: db).filter(\.$communeCode == commune)
        if !includeArchived { q = q.filter(\.$archived == false) }
        let all = try await q.all()
        // "Thôn 2" before "Thôn 10": compare the folded names with numbers as numbers.
        return all.sorted { VietnameseText.fold($0.name).localizedStandardCompare(VietnameseText.fold($1.name)) == .orderedAscending }
    }

    /// The names of a commune's villages in use, sorted as `list` sorts them: the household list's village filter,
    /// read on every list page of a commune's officer (plain SQL, no model reading).
    public func names(_ scope: Scope, commune: String, on db: any Database) async throws -> [String] {
        guard scope.allows(commune: commune) else { throw AccessError.forbidden }
        let q = db.sql.select().column("name").from(Village.schema).where("commune_code", .equal, commune).where("archived", .equal, false)
        return try await PlainRows.all(q.query, columns: ["name"], on: db.sql) { try $0.string(0) }
            .map { ($0, VietnameseText.fold($0)) }
            .sorted { $0.1.localizedStandardCompare($1.1) == .orderedAscending }.map(\.0)
    }

    @discardableResult
    public func add(_ scope: Scope, commune: String, name: String, kind: String, oldCommune: String?, on db: any Database) async throws -> Village {
        guard scope.canWrite, scope.role != .villageHead else { throw AccessError.forbidden }
        guard scope.allows(commune: commune), units.unit(commune, in: .y2025)?.level == .commune else { throw AccessError.forbidden }
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw ValidationError("village.name", field: "name", vi: "Cần ghi tên thôn/tổ dân phố.", en: "Give the name of the village or residential group.") }
        guard ["thon", "to"].contains(kind) else { throw ValidationError("village.kind", field: "kind", vi: "Loại phải là thôn hoặc tổ dân phố.", en: "The kind must be village or residential group.") }
        var old: String? = nil
        if let o = oldCommune?.trimmingCharacters(in: .whitespaces), !o.isEmpty {
            // The 2024 commune must be one that the mapping sends (at least partly) to this commune.
            guard units.convert(oldCommune: o).contains(where: { $0.newCommuneCode == commune }) else {
                throw ValidationError("village.oldCommune", field: "oldCommune", vi: "Xã cũ '\(o)' không thuộc về \(units.unit(commune)?.name ?? commune) theo bảng sắp xếp 2025.", en: "Former commune '\(o)' does not belong to \(units.unit(commune)?.name ?? commune) in the 2025 arrangement.")
            }
            old = o
        }
        let oldCode = old
        return try await gate.transaction(db) { tx in
            let folded = VietnameseText.fold(trimmed)
            let existing = try await Village.query(on: tx).filter(\.$communeCode == commune).all()
            guard !existing.contains(where: { VietnameseText.fold($0.name) == folded }) else {
                throw ValidationError("village.exists", field: "name", vi: "Thôn/tổ '\(trimmed)' đã có trong xã.", en: "Village '\(trimmed)' already exists in the commune.")
            }
            let v = Village(communeCode: commune, name: trimmed, kind: kind, oldCommuneCode: oldCode)
            try await v.create(on: tx)
            try await AuditEntry(username: scope.username, householdID: nil, action: "village.add", field: commune,
                                 newValue: trimmed).create(on: tx)
            return v
        }
    }

    public func setArchived(_ scope: Scope, id: Int, archived: Bool, on db: any Database) async throws {
        guard scope.canWrite, scope.role != .villageHead else { throw AccessError.forbidden }
        try await gate.transaction(db) { tx in
            guard let v = try await Village.find(id, on: tx), scope.allows(commune: v.communeCode) else { throw AccessError.notFound }
            v.archived = archived
            try await v.save(on: tx)
            try await AuditEntry(username: scope.username, householdID: nil, action: archived ? "village.archive" : "village.restore",
                                 field: v.communeCode, newValue: v.name).create(on: tx)
        }
    }
}
