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
        guard scope.allows(commune: commune) else { throw ScopeError(.forbidden) }
        var q = Village.query(on: db).filter(\.$communeCode == commune)
        if !includeArchived { q = q.filter(\.$archived == false) }
        let all = try await q.all()
        // "Thôn 2" before "Thôn 10": compare the folded names with numbers as numbers.
        return all.sorted { VietnameseText.fold($0.name).localizedStandardCompare(VietnameseText.fold($1.name)) == .orderedAscending }
    }

    @discardableResult
    public func add(_ scope: Scope, commune: String, name: String, kind: String, oldCommune: String?, on db: any Database) async throws -> Village {
        guard scope.canWrite, scope.role != .villageHead else { throw ScopeError(.forbidden) }
        guard scope.allows(commune: commune), units.unit(commune, in: .y2025)?.level == .commune else { throw ScopeError(.forbidden) }
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw ScopeError(.invalid("Cần ghi tên thôn/tổ dân phố.")) }
        guard ["thon", "to"].contains(kind) else { throw ScopeError(.invalid("Loại phải là thôn hoặc tổ dân phố.")) }
        var old: String? = nil
        if let o = oldCommune?.trimmingCharacters(in: .whitespaces), !o.isEmpty {
            // The 2024 commune must be one that the mapping sends (at least partly) to this commune.
            guard units.convert(oldCommune: o).contains(where: { $0.newCommuneCode == commune }) else {
                throw ScopeError(.invalid("Xã cũ '\(o)' không thuộc về \(units.unit(commune)?.name ?? commune) theo bảng sắp xếp 2025."))
            }
            old = o
        }
        let oldCode = old
        return try await gate.transaction(db) { tx in
            let folded = VietnameseText.fold(trimmed)
            let existing = try await Village.query(on: tx).filter(\.$communeCode == commune).all()
            guard !existing.contains(where: { VietnameseText.fold($0.name) == folded }) else {
                throw ScopeError(.invalid("Thôn/tổ '\(trimmed)' đã có trong xã."))
            }
            let v = Village(communeCode: commune, name: trimmed, kind: kind, oldCommuneCode: oldCode)
            try await v.create(on: tx)
            try await AuditEntry(username: scope.username, householdID: nil, action: "village.add", field: commune,
                                 newValue: trimmed).create(on: tx)
            return v
        }
    }

    public func setArchived(_ scope: Scope, id: Int, archived: Bool, on db: any Database) async throws {
        guard scope.canWrite, scope.role != .villageHead else { throw ScopeError(.forbidden) }
        try await gate.transaction(db) { tx in
            guard let v = try await Village.find(id, on: tx), scope.allows(commune: v.communeCode) else { throw ScopeError(.notFound) }
            v.archived = archived
            try await v.save(on: tx)
            try await AuditEntry(username: scope.username, householdID: nil, action: archived ? "village.archive" : "village.restore",
                                 field: v.communeCode, newValue: v.name).create(on: tx)
        }
    }
}
