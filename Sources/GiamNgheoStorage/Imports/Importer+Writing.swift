import Fluent
import FluentSQLiteDriver
import Foundation
import GiamNgheoCore
import PostgresNIO
import SQLKit

/// The commit's writes, one chunk at a time: multi-row INSERTs on SQLite; on PostgreSQL, COPY on the
/// transaction's connection and one versioned UPDATE … FROM for the changed households.
extension Importer.Run {
    mutating func write(inserts: [Insert], rows: [String: Int], updates: [(Importer.Existing, Household, Classification?, String)],
                        on sql: any SQLDatabase) async throws {
        let now = Date()
        let reason = "Nhập tệp: \(options.label)"
        var audit: [[any Encodable & Sendable]] = []
        let pg = CopyIn.postgres(sql)
        // The summaries move with the chunk: the changed households' cells come out as they were before the write,
        // and every written household's go in as stored after it (a new one's from the row written, having no
        // earlier years). Rebuilding the touched communes instead read every household of them again (a
        // 5,000-household file into a province of 1 M re-read the province: 54 s, now 10 s).
        if !updates.isEmpty {
            try await tallyCells(ids: updates.map(\.0.id), communes: updates.map(\.0.commune), sign: -1, on: sql)
        }
        if !inserts.isEmpty {
            let columns = HouseholdStore.columns(HouseholdRecord()).map(\.0) + ["version", "updated_at"]
            let records = inserts.map(\.record)
            let ids: [(Int, Household)]
            if let pg {
                // PostgreSQL: the ids are drawn from the table's sequence first, then households and people go
                // in by COPY on the transaction's connection.
                let drawn = try await HouseholdStore.nextIDs(inserts.count, on: sql)
                ids = zip(drawn, inserts.map(\.household)).map { ($0, $1) }
                // Each row's text was encoded ahead, on every core; here it is only numbered and stamped.
                let copies = inserts.map { $0.copy ?? Insert.copyText($0.record, $0.household) }
                let stamp = CopyIn.text([1, now])
                try await CopyIn.lines(into: HouseholdRecord.schema, columns: ["id"] + columns, count: inserts.count, on: pg) { i, buffer, _ in
                    buffer.writeString(String(drawn[i])); buffer.writeInteger(UInt8(ascii: "\t"))
                    buffer.writeBytes(copies[i].household); buffer.writeInteger(UInt8(ascii: "\t")); buffer.writeBytes(stamp)
                }
                let people = zip(drawn, copies).flatMap { id, copy in copy.people.map { (id, $0) } }
                try await CopyIn.lines(into: People.table, columns: People.columns, count: people.count, on: pg) { i, buffer, _ in
                    buffer.writeString(String(people[i].0)); buffer.writeInteger(UInt8(ascii: "\t")); buffer.writeBytes(people[i].1)
                }
                try await ProvisionalYear.copyNew(Array(zip(drawn, records)), year: store.summaryYear, on: pg)
            } else {
                // SQLite: numbered from the table's last id (the import holds the write lock all along), each row's
                // values encoded ahead, on every core.
                let lite = try SQLiteRows.require(sql)
                let first = try await SQLiteRows.lastID(of: HouseholdRecord.schema, on: lite) + 1
                let stamp = try SQLiteRows.encode([1, now])
                var households: [[SQLiteData]] = [], people: [[SQLiteData]] = []
                households.reserveCapacity(inserts.count)
                for (i, insert) in inserts.enumerated() {
                    let values = try insert.values ?? Insert.values(insert.record, insert.household)
                    households.append([.integer(first + i)] + values.household + stamp)
                    for p in values.people { people.append([.integer(first + i)] + p) }
                }
                try await SQLiteRows.insert(into: HouseholdRecord.schema, columns: ["id"] + columns, households, on: lite)
                try await SQLiteRows.insert(into: People.table, columns: People.columns, people, on: lite)
                ids = inserts.enumerated().map { (first + $0, $1.household) }
            }
            let byCode = Dictionary(inserts.map { ($0.household.code, $0) }, uniquingKeysWith: { a, _ in a })
            var added: [(SummarySubject, Int)] = []
            for (id, h) in ids {
                // Never a silent gap in the summaries: the whole import stops instead (nothing is written).
                guard let insert = byCode[h.code] else { throw ImportError("Hộ \(h.code): không đọc lại được dòng vừa ghi; không ghi gì vào sổ hộ.") }
                audit.append([now, scope.username, id, "import", "category", nil as String?, insert.record.category, reason, Partitions.province(ofCommune: h.commune)])
                added += insert.subjects.map { var s = $0; s.household = id; return (s, 1) }
                if pg == nil { touched.append(id) }   // PostgreSQL: its year went in above
                claimed.insert(id)
                if let row = rows[h.code] { fileRows[id] = Int32(clamping: row) }
            }
            count(added)
        }
        var staged: [[any Encodable & Sendable]] = []
        for (old, h, c, facts) in updates {
            let row = store.row(h, c, facts: facts)
            if pg != nil {
                staged.append([old.id, old.version] + HouseholdStore.columns(row).map(\.1))
            } else {
                var update = sql.update(HouseholdRecord.schema)
                for (column, value) in HouseholdStore.columns(row) { update = update.set(column, to: value) }
                let done = try await update.set("version", to: old.version + 1).set("updated_at", to: now)
                    .where("id", .equal, old.id).where("version", .equal, old.version).returning("id").all()
                guard !done.isEmpty else { throw ImportError("Hộ \(old.code) vừa được người khác sửa; hãy kiểm tra lại tệp.") }
            }
            let before = HouseholdStore.flatten(old.facts), after = HouseholdStore.flatten(row.facts)
            for key in Set(before.keys).union(after.keys).sorted() where before[key] != after[key] {
                audit.append([now, scope.username, old.id, "import", key, before[key], after[key], reason, Partitions.province(ofCommune: h.commune)])
            }
            touched.append(old.id); claimed.insert(old.id)
        }
        if let pg, !staged.isEmpty {
            try await Self.updateByCopy(staged, codes: updates.map { ($0.0.id, $0.0.code) }, now: now, on: sql, pg)
        }
        if !updates.isEmpty {
            let ids = updates.map(\.0.id)
            // Their people are in the partitions of the provinces the households were in.
            try await sql.delete(from: People.table).where("province_code", .in, Partitions.provinces(ofCommunes: updates.map(\.0.commune)))
                .where("household_id", .in, ids).run()
            if let pg {
                try await CopyIn.rows(into: People.table, columns: People.columns, updates.flatMap { People.rows($0.0.id, $0.1) }, on: pg)
            } else {
                try await People.insert(updates.map { ($0.0.id, $0.1) }, on: sql)
            }
        }
        try await tallyCells(ids: updates.map(\.0.id), communes: updates.map { $0.1.commune ?? $0.0.commune }, sign: 1, on: sql)
        // Households moved to another province's commune take their earlier audit lines along (the new ones are filed there).
        let moves = Dictionary(grouping: updates.map { (Partitions.province(ofCommune: $0.0.commune), Partitions.province(ofCommune: $0.1.commune), $0.0.id) }
            .filter { $0.0 != $0.1 }, by: { [$0.0, $0.1] })
        for (pair, moved) in moves { try await AuditEntry.move(households: moved.map(\.2), from: pair[0], to: pair[1], on: sql) }
        let auditColumns = ["at", "username", "household_id", "action", "field", "old_value", "new_value", "reason", "province_code"]
        if let pg { try await CopyIn.rows(into: AuditEntry.schema, columns: auditColumns, audit, on: pg); return }
        try await SQLiteRows.insert(into: AuditEntry.schema, columns: auditColumns, audit.map(SQLiteRows.encode), on: SQLiteRows.require(sql))
    }

    /// Adds the summary cells of some stored households, counted `sign` times, to the import's running deltas.
    mutating func tallyCells(ids: [Int], communes: [String], sign: Int, on sql: any SQLDatabase) async throws {
        guard !ids.isEmpty else { return }
        let provinces = Partitions.provinces(ofCommunes: communes)
        for part in ids.chunks(of: 500) {
            count(try await Summaries.subjects(year: store.summaryYear, ids: Array(part), provinces: provinces, on: sql).map { ($0, sign) })
        }
    }

    /// Adds signed subjects to the import's running cell deltas (written once, at the end).
    mutating func count(_ subjects: [(SummarySubject, Int)]) {
        cells.merge(SummaryCells.tally(subjects)) { ($0.households + $1.households, $0.persons + $1.persons) }
    }

    /// PostgreSQL: the chunk's changed households by COPY into a staging table of the transaction, then one
    /// UPDATE … FROM that keeps the versioned check: a household someone saved since the file was read is
    /// not overwritten, and the whole import stops naming it.
    static func updateByCopy(_ staged: [[any Encodable & Sendable]], codes: [(Int, String)], now: Date,
                             on sql: any SQLDatabase, _ pg: any PostgresDatabase) async throws {
        let columns = HouseholdStore.columns(HouseholdRecord()).map(\.0)
        try await sql.raw("""
            CREATE TEMP TABLE IF NOT EXISTS import_changes ON COMMIT DROP AS
            SELECT id, version, \(unsafeRaw: columns.joined(separator: ", ")) FROM households WITH NO DATA
            """).run()
        try await sql.raw("TRUNCATE import_changes").run()
        try await CopyIn.rows(into: "import_changes", columns: ["id", "version"] + columns, staged, on: pg)
        struct Row: Decodable { var id: Int }
        let done = try await sql.raw("""
            UPDATE households h SET \(unsafeRaw: columns.map { "\($0) = s.\($0)" }.joined(separator: ", ")),
            version = h.version + 1, updated_at = \(bind: now)
            FROM import_changes s WHERE h.id = s.id AND h.version = s.version RETURNING h.id
            """).all(decoding: Row.self)
        guard done.count == staged.count else {
            let written = Set(done.map(\.id))
            let code = codes.first { !written.contains($0.0) }?.1 ?? "?"
            throw ImportError("Hộ \(code) vừa được người khác sửa; hãy kiểm tra lại tệp.")
        }
    }

    /// Once per import: new villages, the summaries' change, this year's categories.
    func finish(on db: any Database) async throws {
        let sql = db.sql
        for (commune, names) in newVillages {
            for n in names.sorted() {
                let kind = VietnameseText.fold(n).hasPrefix("to") ? "to" : "thon"
                try await sql.insert(into: Village.schema).columns("commune_code", "name", "kind", "archived")
                    .values(SQLBind(commune), SQLBind(n), SQLBind(kind), SQLBind(false)).run()
                try await AuditEntry(username: scope.username, householdID: nil, action: "village.add", field: commune,
                                     newValue: n, reason: "Nhập tệp: \(options.label)").create(on: db)
            }
        }
        let year = store.summaryYear
        try await ProvisionalYear.upsert(households: touched, year: year, provinces: Partitions.provinces(ofCommunes: communes), on: sql)
        try await Summaries.add(cells.filter { $0.value.households != 0 || $0.value.persons != 0 }, on: sql, inTransaction: true)
        // The statistics leave the transaction with the rows (PostgreSQL): the next pages are planned for the
        // registry as it now is, without waiting for autovacuum.
        if sql.dialect.name == "postgresql" && written > 0 {
            try await sql.raw("ANALYZE households, household_people, household_years, report_cells").run()
        }
    }
}
