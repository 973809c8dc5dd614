import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

/// Filters of the household list; all optional.
public struct HouseholdQuery: Sendable {
    public var commune: String?
    public var village: String?
    public var category: String?
    public var deprived: String?
    public var ethnicMinority: Bool?
    public var meritorious: Bool?
    public var noWorkingCapacity: Bool?
    /// Free text: folded and matched word by word against names, codes and national IDs.
    public var text: String?
    /// Keyset cursor: the sort key and id of the last row of the previous page.
    public var after: (sortKey: String, id: Int)?
    public var limit: Int = 50
    public init() {}
}

public struct HouseholdPage: Sendable {
    public var rows: [HouseholdRecord]
    public var next: (sortKey: String, id: Int)?
}

/// The registry's storage entry points. Each takes the caller's scope and enforces it in the query.
public struct HouseholdStore: Sendable {
    public let engine: Engine
    public let units: AdminUnits

    public init(engine: Engine, units: AdminUnits) { self.engine = engine; self.units = units }

    func scoped(_ scope: Scope, on db: any Database) -> QueryBuilder<HouseholdRecord> {
        let q = HouseholdRecord.query(on: db).filter(\.$archivedReason == nil)
        if let communes = scope.communes { return q.filter(\.$communeCode ~~ Array(communes)) }
        return q
    }

    public func list(_ scope: Scope, _ query: HouseholdQuery, on db: any Database) async throws -> HouseholdPage {
        if let c = query.commune, !scope.allows(commune: c) { throw ScopeError(.forbidden) }
        var q = scoped(scope, on: db)
        if let c = query.commune { q = q.filter(\.$communeCode == c) }
        if let v = query.village, !v.isEmpty { q = q.filter(\.$village == v) }
        if let c = query.category, !c.isEmpty { q = q.filter(\.$category == c) }
        if let d = query.deprived, !d.isEmpty { q = q.filter(\.$deprived ~~ ",\(d.uppercased()),") }
        if let b = query.ethnicMinority { q = q.filter(\.$ethnicMinorityHead == b) }
        if let b = query.meritorious { q = q.filter(\.$meritorious == b) }
        if let b = query.noWorkingCapacity { q = q.filter(\.$noWorkingCapacity == b) }
        for word in VietnameseText.fold(query.text ?? "").split(separator: " ") {
            q = q.filter(\.$searchText ~~ String(word))
        }
        if let (key, id) = query.after {
            q = q.group(.or) { or in
                or.filter(\.$sortKey > key).group(.and) { $0.filter(\.$sortKey == key).filter(\.$id > id) }
            }
        }
        let rows = try await q.sort(\.$sortKey).sort(\.$id).limit(query.limit + 1).all()
        let page = Array(rows.prefix(query.limit))
        let more = rows.count > query.limit
        return HouseholdPage(rows: page, next: more ? page.last.map { ($0.sortKey, $0.id!) } : nil)
    }

    /// A household the scope may read; another commune's household is "not found", never "forbidden",
    /// so that guessing ids by URL reveals nothing.
    public func get(_ scope: Scope, id: Int, on db: any Database) async throws -> HouseholdRecord {
        guard let r = try await scoped(scope, on: db).filter(\.$id == id).first() else { throw ScopeError(.notFound) }
        return r
    }

    public func household(_ r: HouseholdRecord, parser: HouseholdParser) throws -> Household {
        try parser.parse(jsonLine: r.facts, line: 1)
    }

    public func audit(_ scope: Scope, householdID: Int, on db: any Database) async throws -> [AuditEntry] {
        _ = try await get(scope, id: householdID, on: db)
        return try await AuditEntry.query(on: db).filter(\.$householdID == householdID).sort(\.$id, .descending).limit(200).all()
    }

    /// Saves a changed household: reclassifies it, checks the version read, writes the row and one
    /// audit entry per changed field, all in one transaction. A stale version is a conflict, not an overwrite.
    @discardableResult
    public func save(_ scope: Scope, id: Int, household h: Household, expectedVersion: Int, reason: String?,
                     on db: any Database) async throws -> HouseholdRecord {
        guard scope.canWrite else { throw ScopeError(.forbidden) }
        let classification: Classification
        do { classification = try engine.classify(h) } catch { throw ScopeError(.invalid("\(error)")) }
        return try await db.transaction { tx in
            let old = try await get(scope, id: id, on: tx)
            guard let commune = h.commune, scope.allows(commune: commune) else { throw ScopeError(.forbidden) }
            guard old.version == expectedVersion else { throw ScopeError(.conflict(currentVersion: old.version)) }
            let oldFacts = Self.flatten(old.facts), newFacts = Self.flatten(Interchange.jsonLine(h))
            let row = Self.row(h, classification)
            let sql = tx as! any SQLDatabase
            // The version in the WHERE clause makes the check and the write one atomic step.
            var update = sql.update(HouseholdRecord.schema)
            for (column, value) in Self.columns(row) { update = update.set(column, to: value) }
            let updated = try await update.set("version", to: expectedVersion + 1).set("updated_at", to: Date())
                .where("id", .equal, id).where("version", .equal, expectedVersion)
                .returning("id").all()
            guard !updated.isEmpty else { throw ScopeError(.conflict(currentVersion: old.version + 1)) }
            for key in Set(oldFacts.keys).union(newFacts.keys).sorted() where oldFacts[key] != newFacts[key] {
                try await AuditEntry(username: scope.username, householdID: id, action: "update", field: key,
                                     oldValue: oldFacts[key], newValue: newFacts[key], reason: reason).create(on: tx)
            }
            try await Summaries.add(-1, commune: old.communeCode, village: old.village, category: old.category, on: tx)
            try await Summaries.add(1, commune: row.communeCode, village: row.village, category: row.category, on: tx)
            if old.category != row.category {
                try await AuditEntry(username: scope.username, householdID: id, action: "reclassify", field: "category",
                                     oldValue: old.category, newValue: row.category, reason: classification.standard).create(on: tx)
            }
            return try await get(scope, id: id, on: tx)
        }
    }

    /// Archives a household with a reason: it leaves lists and pages but is never deleted.
    public func archive(_ scope: Scope, id: Int, expectedVersion: Int, reason: String, on db: any Database) async throws {
        guard scope.canWrite else { throw ScopeError(.forbidden) }
        let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !why.isEmpty else { throw ScopeError(.invalid("Cần ghi lý do lưu trữ hộ.")) }
        try await db.transaction { tx in
            let old = try await get(scope, id: id, on: tx)
            guard old.version == expectedVersion else { throw ScopeError(.conflict(currentVersion: old.version)) }
            let updated = try await (tx as! any SQLDatabase).update(HouseholdRecord.schema)
                .set("archived_reason", to: why).set("version", to: expectedVersion + 1).set("updated_at", to: Date())
                .where("id", .equal, id).where("version", .equal, expectedVersion).returning("id").all()
            guard !updated.isEmpty else { throw ScopeError(.conflict(currentVersion: old.version + 1)) }
            try await AuditEntry(username: scope.username, householdID: id, action: "archive", reason: why).create(on: tx)
            try await Summaries.add(-1, commune: old.communeCode, village: old.village, category: old.category, on: tx)
        }
    }

    /// Inserts many households at once (demo data, imports) with multi-row INSERTs in one transaction:
    /// never one ORM call per row (swift-stack.md §2).
    public func bulkInsert(_ households: [Household], on db: any Database, batch: Int = 500) async throws -> Int {
        try await db.transaction { tx in
            let sql = tx as! any SQLDatabase
            var n = 0
            for chunk in stride(from: 0, to: households.count, by: batch).map({ Array(households[$0..<min($0 + batch, households.count)]) }) {
                var insert = sql.insert(into: HouseholdRecord.schema)
                    .columns(Self.columns(HouseholdRecord()).map(\.0) + ["version", "updated_at"])
                for h in chunk {
                    let r = Self.row(h, try engine.classify(h))
                    insert = insert.values(Self.columns(r).map { SQLBind($0.1) } + [SQLBind(1), SQLBind(Date())])
                    n += 1
                }
                try await insert.run()
            }
            // Summaries once per batch, from the rows just written (never per household).
            try await Summaries.rebuild(communes: Array(Set(households.compactMap(\.commune))).sorted(), on: tx)
            return n
        }
    }

    /// The derived columns written by both the bulk INSERT and the versioned UPDATE, in one place.
    static func columns(_ r: HouseholdRecord) -> [(String, any Encodable & Sendable)] {
        [("code", r.$code.value), ("commune_code", r.$communeCode.value), ("village", r.village), ("head_name", r.$headName.value),
         ("sort_key", r.$sortKey.value), ("search_text", r.$searchText.value), ("facts", r.$facts.value),
         ("category", r.$category.value), ("subtype", r.subtype), ("deprived", r.$deprived.value),
         ("deprived_count", r.$deprivedCount.value), ("standard", r.$standard.value), ("income_per_capita", r.incomePerCapita),
         ("ethnic_minority_head", r.$ethnicMinorityHead.value), ("meritorious", r.$meritorious.value),
         ("no_working_capacity", r.$noWorkingCapacity.value), ("member_count", r.$memberCount.value)]
    }

    /// The stored columns of a household, derived from its facts and classification.
    static func row(_ h: Household, _ c: Classification) -> HouseholdRecord {
        let r = HouseholdRecord()
        r.code = h.code
        r.communeCode = h.commune ?? ""
        r.village = h.village
        let head = h.head ?? h.members.first
        r.headName = head?.name ?? h.code
        let folded = VietnameseText.fold(r.headName)
        let given = folded.split(separator: " ").last.map(String.init) ?? folded
        r.sortKey = "\(given) \(folded) \(h.code)"
        var search = [VietnameseText.fold(h.code)]
        for m in h.members {
            if let n = m.name { search.append(VietnameseText.fold(n)) }
            if let id = m.nationalID { search.append(id) }
        }
        r.searchText = " " + search.joined(separator: " | ") + " "
        r.facts = Interchange.jsonLine(h)
        r.category = c.category.rawValue
        r.subtype = c.subtype?.rawValue
        r.deprived = "," + c.deprived.joined(separator: ",") + ","
        r.deprivedCount = c.deprivedCount
        r.standard = c.standard
        r.incomePerCapita = h.incomePerCapita
        r.ethnicMinorityHead = c.flags.ethnicMinorityHead ?? false
        r.meritorious = c.flags.meritoriousPerson ?? false
        r.noWorkingCapacity = c.flags.noWorkingCapacity ?? false
        r.memberCount = h.members.isEmpty ? (h.size ?? 0) : h.members.count
        return r
    }

    /// Facts as "path → value" pairs ("members[2].healthInsurance" → "false") for the field-level audit.
    static func flatten(_ json: String) -> [String: String] {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(json.utf8)) else { return [:] }
        var out: [String: String] = [:]
        func walk(_ v: Any, _ path: String) {
            switch v {
            case let d as [String: Any]:
                for (k, x) in d { walk(x, path.isEmpty ? k : "\(path).\(k)") }
            case let a as [Any]:
                if let members = a as? [[String: Any]], members.allSatisfy({ $0["id"] != nil }) {
                    for m in members { walk(m.filter { $0.key != "id" }, "\(path)[\(m["id"]!)]") }
                } else {
                    out[path] = a.map { "\($0)" }.joined(separator: ";")
                }
            case let n as NSNumber:
                out[path] = String(cString: n.objCType) == "c" ? (n.boolValue ? "true" : "false") : n.stringValue
            default: out[path] = "\(v)"
            }
        }
        walk(obj, "")
        return out
    }
}
