import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

/// The registry's storage entry points. Each takes the caller's scope and enforces it in the query.
public struct HouseholdStore: Sendable {
    public let engine: Engine
    public let units: AdminUnits
    public let parser: HouseholdParser
    /// Today, for checks such as "born in the future" (fixed in tests through the engine's date).
    public let today: CivilDate

    /// Set for SQLite: write transactions queue here instead of failing with SQLITE_BUSY.
    public let gate: WriteGate?

    public init(engine: Engine, units: AdminUnits, parser: HouseholdParser, today: CivilDate, gate: WriteGate? = nil) {
        self.engine = engine; self.units = units; self.parser = parser; self.today = today; self.gate = gate
    }

    /// A write transaction, through the gate when there is one.
    public func writing<T: Sendable>(_ db: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await gate.transaction(db, body)
    }

    /// The review year the registry's current state is summarised under (earlier years come from history).
    public var summaryYear: Int { engine.defaultDate.year }

    /// Recomputes the summaries from the households and lists every difference (empty when consistent).
    public func verifySummaries(on db: any Database) async throws -> [String] {
        try await Summaries.verify(year: summaryYear, on: db)
    }

    /// List rows of some households (a report cell's drill-down), within the scope, sorted as the list is.
    public func listRows(_ scope: Scope, ids: [Int], on db: any Database) async throws -> [HouseholdListRow] {
        var out: [HouseholdListRow] = []
        for chunk in ids.chunks(of: 500) {
            var q = db.sql.select().columns(HouseholdListRow.columns.map { SQLColumn($0) }).from(HouseholdRecord.schema)
                .where("id", .in, chunk)
            if let communes = scope.communes { q = q.whereCommunes(communes) }
            out += try await q.all(decoding: HouseholdListRow.self)
        }
        return out.sorted { ($0.sortKey, $0.id) < ($1.sortKey, $1.id) }
    }

    /// The villages, sharing this store's write gate.
    public var villages: VillageStore { VillageStore(units: units, gate: gate) }

    public func scoped(_ scope: Scope, on db: any Database) -> QueryBuilder<HouseholdRecord> {
        let q = HouseholdRecord.query(on: db).filter(\.$archivedReason == nil)
        if let communes = scope.communes {
            return q.filter(\.$provinceCode ~~ Partitions.provinces(ofCommunes: communes)).filter(\.$communeCode ~~ Array(communes))
        }
        return q
    }

    /// One page of the list, in SQL with rows read by position: the list is the most used page, and Fluent's model
    /// decoding (reflection per row), then Codable's by-name lookups, cost more than the query itself.
    public func list(_ scope: Scope, _ query: HouseholdQuery, on db: any Database) async throws -> HouseholdPage {
        let rows = try await PlainRows.all(pageQuery(scope, query, on: db.sql).query, columns: HouseholdListRow.columns,
                                           order: "sort_key, id", on: db.sql, HouseholdListRow.init)
        let page = Array(rows.prefix(query.limit))
        let more = rows.count > query.limit
        return HouseholdPage(rows: page, next: more ? page.last.map { ($0.sortKey, $0.id) } : nil)
    }

    /// The list page's statement (one row more than the page, to know whether there is a next one); the plan
    /// tests EXPLAIN exactly this.
    func pageQuery(_ scope: Scope, _ query: HouseholdQuery, on sql: any SQLDatabase) throws -> SQLSelectBuilder {
        let q = try filtered(scope, query, on: sql, columns: HouseholdListRow.columns.map { SQLColumn($0) })
        if let (key, id) = query.after {
            // (sort_key, id) > (key, id) as one row-value comparison: both databases walk the index from
            // there, where the equivalent OR of two conditions made SQLite scan from the first row.
            q.where(SQLBinaryExpression(SQLGroupExpression([SQLColumn("sort_key"), SQLColumn("id")]), .greaterThan,
                                        SQLGroupExpression([SQLBind(key), SQLBind(id)])))
        }
        return q.orderBy("sort_key").orderBy("id").limit(query.limit + 1)
    }

    /// Whether the registry holds any household at all (archived ones count): the demo is only seeded into none.
    public func hasHouseholds(on db: any Database) async throws -> Bool {
        try await db.sql.select().column(SQLLiteral.numeric("1")).from(HouseholdRecord.schema).limit(1).first() != nil
    }

    /// How many households the list's filters select (an export's total, for its progress).
    public func count(_ scope: Scope, _ query: HouseholdQuery, on db: any Database) async throws -> Int {
        struct Row: Decodable { var n: Int }
        let sql = db.sql
        var plain = query
        plain.after = nil
        let q = try filtered(scope, plain, on: sql, columns: [SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("n"))], sortIndex: false)
        return try await q.first(decoding: Row.self)?.n ?? 0
    }

    /// The list's scope and filters (no order, no page).
    func filtered(_ scope: Scope, _ query: HouseholdQuery, on sql: any SQLDatabase, columns: [any SQLExpression], sortIndex: Bool = true) throws -> SQLSelectBuilder {
        if let c = query.commune, !scope.allows(commune: c) { throw AccessError.forbidden }
        /// LIKE patterns from user input: its own wildcards are dropped, never interpreted.
        func contains(_ s: String) -> String { "%" + s.filter { $0 != "%" && $0 != "_" && $0 != "\\" } + "%" }
        // A scope of many communes (a province) listed without a commune: SQLite would sort every household of
        // the province for each page (36 ms at 20,000 households, 0.2 ms walking the index). Walk the sort index.
        let manyCommunes = (scope.communes?.count ?? 2) > 1 && query.commune == nil
        let table: any SQLExpression = sortIndex && manyCommunes && sql.dialect.name == "sqlite"
            ? SQLRaw("households INDEXED BY households_sort") : SQLIdentifier(HouseholdRecord.schema)
        var q = sql.select().columns(columns).from(table)
            .where("archived_reason", .is, SQLLiteral.null)
        if let communes = scope.communes { q = q.whereCommunes(communes) }
        if let c = query.commune { q = q.whereCommunes([c]) }
        if let v = query.village, !v.isEmpty { q = q.where("village", .equal, v) }
        if let c = query.category, !c.isEmpty { q = q.where("category", .equal, c) }
        if let d = query.deprived, !d.isEmpty { q = q.where("deprived", .like, contains(",\(d.uppercased()),")) }
        if let b = query.ethnicMinority { q = q.where("ethnic_minority_head", .equal, b) }
        if let b = query.meritorious { q = q.where("meritorious", .equal, b) }
        if let b = query.noWorkingCapacity { q = q.where("no_working_capacity", .equal, b) }
        if let c = query.cause, !c.isEmpty {
            let code = c.filter { $0.isLetter || $0.isNumber }
            q = q.where("causes", .like, query.mainCause ? ",\(code),%" : "%,\(code),%")
        }
        if query.recentlyExited {
            // The decision date when the review recorded one; otherwise the year's periodic deadline.
            let cut = Transition.recentlyExitedCutoff(asOf: engine.defaultDate, windowMonths: query.recentlyExitedMonths)
            let after = Date(timeIntervalSince1970: Double(cut.afterDay.dayNumber + 1) * 86_400)
            q = q.where("category", .notEqual, "poor").where(SQLQueryString("""
                EXISTS (SELECT 1 FROM household_years y JOIN household_years p ON p.household_id = y.household_id AND p.year = y.year - 1
                WHERE y.household_id = households.id AND y.recognised AND p.recognised AND p.category = 'poor' AND y.category <> 'poor'
                AND ((y.decided_at IS NOT NULL AND y.decided_at >= \(bind: after)) OR (y.decided_at IS NULL AND y.year >= \(bind: cut.minYear))))
                """))
        }
        for word in VietnameseText.fold(query.text ?? "").split(separator: " ") {
            q = q.where("search_text", .like, contains(String(word)))
        }
        return q
    }

    public func household(_ r: HouseholdRecord, parser: HouseholdParser) throws -> Household {
        try parser.parse(jsonLine: r.facts, line: 1)
    }

    /// A household from its stored facts (JSON), for reads that fetched the column with SQL.
    public func household(facts: String) throws -> Household { try parser.parse(jsonLine: facts, line: 1) }

    /// Saves a changed household: reclassifies it, checks the version read, writes the row and one
    /// audit entry per changed field, all in one transaction. A stale version is a conflict, not an overwrite.
    @discardableResult
    public func save(_ scope: Scope, id: Int, household h: Household, expectedVersion: Int, reason: String?,
                     on db: any Database) async throws -> HouseholdRecord {
        guard scope.canWrite else { throw AccessError.forbidden }
        let classification = try check(h)
        return try await writing(db) { tx in
            try await write(scope, id: id, h, classification, expectedVersion: expectedVersion, reason: reason, on: tx)
            return try await get(scope, id: id, on: tx)
        }
    }

    /// Registers a new household (a family settling in, or one missing from the registry).
    @discardableResult
    public func create(_ scope: Scope, household h: Household, reason: String?, on db: any Database) async throws -> HouseholdRecord {
        guard scope.canWrite else { throw AccessError.forbidden }
        let classification = try check(h)
        return try await writing(db) { tx in
            let id = try await insert(scope, h, classification, action: "create", reason: reason, on: tx)
            return try await get(scope, id: id, on: tx)
        }
    }

    /// Moves members to another household of the user's scope (marriage, a child joining relatives):
    /// both households are rewritten, reclassified and audited in one transaction, or neither is.
    public func moveMembers(_ scope: Scope, from id: Int, expectedVersion: Int, memberIDs: [String], toCode: String,
                            relation: String, reason: String?, on db: any Database) async throws {
        guard scope.canWrite else { throw AccessError.forbidden }
        guard !memberIDs.isEmpty else { throw ValidationError("move.members", field: "members", vi: "Chọn ít nhất một nhân khẩu để chuyển.", en: "Choose at least one member to move.") }
        try await writing(db) { tx in
            let source = try await get(scope, id: id, on: tx)
            guard source.version == expectedVersion else { throw VersionConflict(currentVersion: source.version) }
            guard let target = try await scoped(scope, on: tx).filter(\.$code == toCode).first(), target.id != id else {
                throw ValidationError("move.target", field: "to", vi: "Không tìm thấy hộ nhận có mã '\(toCode)' trong phạm vi của bạn.", en: "No receiving household with code '\(toCode)' in your area.")
            }
            var from = try household(source, parser: parser)
            var to = try household(target, parser: parser)
            let moving = try Self.detach(memberIDs, from: &from, headStays: "Không chuyển được chủ hộ: hãy đổi chủ hộ trước.")
            for var m in moving {
                m.id = Self.nextMemberID(to)
                m.relation = relation
                to.members.append(m)
            }
            let why = "\(reason ?? "") [chuyển \(moving.count) nhân khẩu từ hộ \(source.code) sang hộ \(target.code)]"
            try await write(scope, id: id, from, try check(from), expectedVersion: expectedVersion, reason: why, on: tx)
            try await write(scope, id: target.id!, to, try check(to), expectedVersion: target.version, reason: why, on: tx)
        }
    }

    /// Splits members off into a new household (tách hộ), with one of them as its head; the new household
    /// starts with the old one's living conditions, to be corrected at the next visit.
    @discardableResult
    public func split(_ scope: Scope, from id: Int, expectedVersion: Int, memberIDs: [String], newHeadID: String,
                      newCode: String, village: String?, reason: String?, on db: any Database) async throws -> HouseholdRecord {
        guard scope.canWrite else { throw AccessError.forbidden }
        guard memberIDs.contains(newHeadID) else { throw ValidationError("split.head", field: "head", vi: "Chủ hộ mới phải là một trong những người tách đi.", en: "The new head must be one of the people splitting off.") }
        return try await writing(db) { tx in
            let source = try await get(scope, id: id, on: tx)
            guard source.version == expectedVersion else { throw VersionConflict(currentVersion: source.version) }
            var from = try household(source, parser: parser)
            let moving = try Self.detach(memberIDs, from: &from, headStays: "Chủ hộ ở lại hộ cũ; hãy đổi chủ hộ trước nếu chủ hộ tách đi.")
            var new = from
            new.code = newCode
            new.village = village ?? from.village
            new.causes = nil
            // Relations are to the new head; anything but the head is "other" until the next visit corrects it.
            new.members = moving.enumerated().map { i, m in
                var n = m
                n.id = String(i + 1)
                n.relation = m.id == newHeadID ? "head" : "other"
                return n
            }
            // Income, scores and ticked answers belong to the old household's survey: the new one is surveyed anew.
            new.incomePerCapita = nil; new.scoreB1 = nil; new.answers = [:]; new.deprivedList = nil; new.size = nil
            let why = "\(reason ?? "") [tách từ hộ \(source.code)]"
            try await write(scope, id: id, from, try check(from), expectedVersion: expectedVersion, reason: why, on: tx)
            let newID = try await insert(scope, new, try check(new), action: "split", reason: why, on: tx)
            return try await get(scope, id: newID, on: tx)
        }
    }

    /// Archives a household with a reason: it leaves lists and pages but is never deleted.
    public func archive(_ scope: Scope, id: Int, expectedVersion: Int, reason: String, on db: any Database) async throws {
        guard scope.canWrite else { throw AccessError.forbidden }
        let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !why.isEmpty else { throw ValidationError("archive.reason", field: "reason", vi: "Cần ghi lý do lưu trữ hộ.", en: "Give the reason for archiving the household.") }
        try await writing(db) { tx in
            let old = try await get(scope, id: id, on: tx)
            guard old.version == expectedVersion else { throw VersionConflict(currentVersion: old.version) }
            let province = old.province
            try await Summaries.tracking([id], year: summaryYear, provinces: [province], on: tx) {
                let updated = try await tx.sql.update(HouseholdRecord.schema)
                    .set("archived_reason", to: why).set("version", to: expectedVersion + 1).set("updated_at", to: Date())
                    .where("province_code", .equal, province).where("id", .equal, id).where("version", .equal, expectedVersion)
                    .returning("id").all()
                guard !updated.isEmpty else { throw VersionConflict(currentVersion: old.version + 1) }
            }
            try await AuditEntry(username: scope.username, householdID: id, action: "archive", reason: why, province: province).create(on: tx)
        }
    }

    /// The next free generated code in a commune ("19774-000123"): codes are zero-padded, so the
    /// largest is the last; story codes ("-S01") fall outside the range.
    public func nextCode(commune: String, on db: any Database) async throws -> String {
        struct Row: Decodable { var code: String? }
        let row = try await db.sql.raw("""
            SELECT MAX(code) AS code FROM households WHERE province_code = \(bind: Partitions.province(ofCommune: commune))
            AND code >= \(bind: commune + "-000000") AND code <= \(bind: commune + "-999999")
            """).first(decoding: Row.self)
        let last = row?.code.flatMap { Int($0.dropFirst(commune.count + 1)) } ?? 0
        let n = String(last + 1)
        return commune + "-" + String(repeating: "0", count: max(0, 6 - n.count)) + n
    }

    // MARK: - writing, shared by every change

    /// Registry checks, then classification. A household the engine cannot classify yet (a fact the rule
    /// needs is not surveyed) is still kept, as "incomplete": nothing typed is lost, and its page names
    /// what is missing. Values the parser refused never get here.
    func check(_ h: Household) throws -> Classification? {
        if let p = RegistryChecks.problems(h, today: today).first { throw p }
        do { return try engine.classify(h) } catch is ClassificationError { return nil } catch {
            throw ValidationError(text: "\(error)")
        }
    }

    func write(_ scope: Scope, id: Int, _ h: Household, _ classification: Classification?, expectedVersion: Int,
               reason: String?, on tx: any Database) async throws {
        let old = try await get(scope, id: id, on: tx)
        guard let commune = h.commune, scope.allows(commune: commune) else { throw AccessError.forbidden }
        guard old.version == expectedVersion else { throw VersionConflict(currentVersion: old.version) }
        if h.code != old.code, try await HouseholdRecord.query(on: tx).filter(\.$code == h.code).count() > 0 {
            throw ClassificationError(household: h.code, field: "code", message: "mã hộ '\(h.code)' đã có trong sổ")
        }
        let oldFacts = Self.flatten(old.facts), newFacts = Self.flatten(Interchange.jsonLine(h))
        let row = row(h, classification)
        let sql = tx.sql
        // The old and the new province: a commune changed to another province's moves the row to that partition.
        let province = old.province, now = row.province
        try await Summaries.tracking([id], year: summaryYear, provinces: Array(Set([province, now])), on: tx) {
            // The version in the WHERE clause makes the check and the write one atomic step.
            var update = sql.update(HouseholdRecord.schema)
            for (column, value) in Self.columns(row) { update = update.set(column, to: value) }
            let updated = try await update.set("version", to: expectedVersion + 1).set("updated_at", to: Date())
                .where("province_code", .equal, province).where("id", .equal, id).where("version", .equal, expectedVersion)
                .returning("id").all()
            guard !updated.isEmpty else { throw VersionConflict(currentVersion: old.version + 1) }
        }
        for key in Set(oldFacts.keys).union(newFacts.keys).sorted() where oldFacts[key] != newFacts[key] {
            try await AuditEntry(username: scope.username, householdID: id, action: "update", field: key,
                                 oldValue: oldFacts[key], newValue: newFacts[key], reason: reason, province: now).create(on: tx)
        }
        if old.category != row.category {
            try await AuditEntry(username: scope.username, householdID: id, action: "reclassify", field: "category",
                                 oldValue: old.category, newValue: row.category, reason: row.standard, province: now).create(on: tx)
        }
        try await recordYear(id, row, on: tx)
        try await People.replace(id, h, province: province, on: sql)
        if province != now { try await AuditEntry.move(households: [id], from: province, to: now, on: sql) }
    }

    func insert(_ scope: Scope, _ h: Household, _ classification: Classification?, action: String, reason: String?,
                on tx: any Database) async throws -> Int {
        guard let commune = h.commune, scope.allows(commune: commune) else { throw AccessError.forbidden }
        guard units.unit(commune, in: .y2025)?.level == .commune else {
            throw ClassificationError(household: h.code, field: "commune", message: "mã xã/phường '\(commune)' không có trong danh mục 2025")
        }
        if try await HouseholdRecord.query(on: tx).filter(\.$code == h.code).count() > 0 {
            throw ClassificationError(household: h.code, field: "code", message: "mã hộ '\(h.code)' đã có trong sổ")
        }
        let row = row(h, classification)
        let sql = tx.sql
        let inserted = try await sql.insert(into: HouseholdRecord.schema)
            .columns(Self.columns(row).map(\.0) + ["version", "updated_at"])
            .values(Self.columns(row).map { SQLBind($0.1) } + [SQLBind(1), SQLBind(Date())])
            .returning("id").all()
        let id = try inserted[0].decode(column: "id", as: Int.self)
        try await AuditEntry(username: scope.username, householdID: id, action: action, field: "category",
                             newValue: row.category, reason: reason, province: row.province).create(on: tx)
        try await Summaries.added([id], year: summaryYear, on: tx)
        try await recordYear(id, row, on: tx)
        try await People.insert([(id, h)], on: sql)
        return id
    }

    /// Keeps this year's provisional category in step with the row just written.
    func recordYear(_ id: Int, _ row: HouseholdRecord, on tx: any Database) async throws {
        try await ProvisionalYear.upsert(households: [id], year: summaryYear, provinces: [row.province], on: tx.sql)
    }

    /// Inserts many households at once (demo data, imports) with multi-row INSERTs in one transaction:
    /// never one ORM call per row.
    public func bulkInsert(_ households: [Household], on db: any Database, batch: Int = 500) async throws -> Int {
        try await writing(db) { tx in
            let sql = tx.sql
            var n = 0
            var written: [Int] = []
            for chunk in households.chunks(of: batch) {
                var insert = sql.insert(into: HouseholdRecord.schema)
                    .columns(Self.columns(HouseholdRecord()).map(\.0) + ["version", "updated_at"])
                for h in chunk {
                    let r = row(h, try engine.classify(h))
                    insert = insert.values(Self.columns(r).map { SQLBind($0.1) } + [SQLBind(1), SQLBind(Date())])
                    n += 1
                }
                try await insert.run()
                let inserted = try await ids(of: chunk, on: sql)
                written += inserted.map(\.0)
                try await People.insert(inserted, on: sql)
            }
            // Summaries and this year's categories once per batch, from the rows just written (never per household).
            let communes = Array(Set(households.compactMap(\.commune))).sorted()
            try await ProvisionalYear.upsert(households: written, year: summaryYear, on: sql)
            try await Summaries.rebuild(communes: communes, year: summaryYear, on: tx)
            return n
        }
    }

    /// The ids just given to these households, matched by code.
    func ids(of households: [Household], on sql: any SQLDatabase) async throws -> [(Int, Household)] {
        struct Row: Decodable { var id: Int; var code: String }
        let rows = try await sql.select().columns("id", "code").from(HouseholdRecord.schema)
            .where("code", .in, households.map(\.code)).all(decoding: Row.self)
        var id: [String: Int] = [:]
        for r in rows { id[r.code] = r.id }
        return households.compactMap { h in id[h.code].map { ($0, h) } }
    }

    /// PostgreSQL: `count` new household ids from the table's own sequence, for rows written by COPY.
    static func nextIDs(_ count: Int, on sql: any SQLDatabase) async throws -> [Int] {
        struct Row: Decodable { var id: Int }
        return try await sql.raw("""
            SELECT nextval(pg_get_serial_sequence('households', 'id')) AS id FROM generate_series(1, \(bind: count))
            """).all(decoding: Row.self).map(\.id)
    }
}
