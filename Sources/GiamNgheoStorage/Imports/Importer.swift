import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

/// Staged import of households: reads the file through `ImportPipeline`, compares each household with the
/// registry (by code, or by the head's national ID when the file gives no code), finds duplicate people
/// (same national ID; same folded name, birth and village above the administrator's thresholds), and either
/// reports (dry run) or writes everything in one transaction (commit) with multi-row statements, summaries
/// and this year's categories recomputed once at the end. A commit re-reads the file inside its transaction
/// and refuses to write if the outcome differs from the reviewed one (`expectedFingerprint`).
public struct Importer: Sendable {
    public let store: HouseholdStore
    public init(store: HouseholdStore) { self.store = store }

    public struct Input {
        public var pipeline: ImportPipeline
        public var notes: [ImportIssue]
        public var fraction: () -> Double
        public init(pipeline: ImportPipeline, notes: [ImportIssue], fraction: @escaping () -> Double) {
            self.pipeline = pipeline; self.notes = notes; self.fraction = fraction
        }
    }

    public enum Mode: Sendable { case dryRun, commit(expectedFingerprint: String?) }

    public struct Options: Sendable {
        public var label: String
        public var thresholds: DuplicateThresholds
        /// Adjudications by match key: "same" or "different".
        public var decisions: [String: String]
        /// Households per chunk; nil: 2,000 on PostgreSQL, where each lookup statement is planned against every
        /// province's partition, so fewer and larger ones cost less; 1,000 on SQLite.
        public var chunk: Int?
        public init(label: String, thresholds: DuplicateThresholds = .init(), decisions: [String: String] = [:], chunk: Int? = nil) {
            self.label = label; self.thresholds = thresholds; self.decisions = decisions; self.chunk = chunk
        }
    }

    public func run(_ scope: Scope, input: Input, mode: Mode, options: Options, on db: any Database,
                    progress: @escaping @Sendable (ImportProgress) -> Void = { _ in },
                    isCancelled: @escaping @Sendable () -> Bool = { false },
                    alsoInTransaction: (@Sendable (ImportReport, any Database) async throws -> Void)? = nil) async throws -> ImportReport {
        guard scope.canWrite else { throw AccessError.forbidden }
        let box = InputBox(input)
        switch mode {
        case .dryRun:
            let run = { @Sendable (db: any Database) async throws -> ImportReport in
                var run = Run(store: store, scope: scope, options: options, writing: false)
                return try await run.go(box, on: db, progress: progress, isCancelled: isCancelled)
            }
            // PostgreSQL: in a transaction of its own, on one connection, so that the lookups' `SET LOCAL` holds for all of them.
            guard db.sql.dialect.name == "postgresql" else { return try await run(db) }
            return try await db.transaction { tx in
                try await Run.withoutJIT(tx.sql)
                return try await run(tx)
            }
        case .commit(let expected):
            return try await store.writing(db) { tx in
                try await Run.withoutJIT(tx.sql)
                try await SQLiteRows.pageCache(bulk: true, on: tx.sql)
                do {
                    var run = Run(store: store, scope: scope, options: options, writing: true)
                    let deferred = try await DeferredIndexes.dropIfEmpty(on: tx.sql)
                    var report = try await run.go(box, on: tx, progress: progress, isCancelled: isCancelled)
                    if let expected, expected != report.fingerprint {
                        throw ImportError("Sổ hộ hoặc tệp đã thay đổi kể từ lần kiểm tra; hãy kiểm tra lại trước khi ghi.")
                    }
                    guard report.canCommit else { throw ImportError(Self.refusal(report), report: report) }
                    progress(ImportProgress(phase: "Tính lại tổng hợp", rows: report.rows, fraction: 1))
                    try await run.finish(on: tx)
                    try await deferred.restore(on: tx.sql)
                    report.committed = true
                    try await alsoInTransaction?(report, tx)
                    // The last chance to cancel: after this the transaction commits.
                    if isCancelled() { throw ImportError.cancelled }
                    try await SQLiteRows.pageCache(bulk: false, on: tx.sql)
                    return report
                } catch {
                    try? await SQLiteRows.pageCache(bulk: false, on: tx.sql)
                    throw error
                }
            }
        }
    }

    /// Why a report cannot be committed, in one sentence.
    public static func refusal(_ r: ImportReport) -> String {
        if let a = r.aborted { return a }
        if r.blockingFileIssue { return "Tệp không đọc được đúng cấu trúc; xem các lỗi ở trên." }
        if r.errors > 0 { return "Còn \(r.errors) dòng có lỗi: sửa trong tệp rồi tải lên lại (không ghi một phần)." }
        if r.rows == 0 { return "Tệp không có dòng hộ nào." }
        return "Không có hộ mới hoặc thay đổi nào để ghi."
    }

    /// The pipeline is a non-Sendable value read on one task at a time.
    final class InputBox: @unchecked Sendable {
        var input: Input
        init(_ i: Input) { input = i }
    }

    struct Existing { var id: Int; var code: String; var version: Int; var facts: String; var commune: String; var village: String?; var archived: String? }
    struct Person { var name: String; var display: String; var code: String; var row: Int; var sheet: String; var householdID: Int? }

    struct Run {
        let store: HouseholdStore
        let scope: Scope
        let options: Options
        let writing: Bool
        var report = ImportReport()
        var hasher = Hasher64()
        var villages: [String: [String: String]] = [:]     // commune → folded → declared name
        var newVillages: [String: Set<String>] = [:]
        var spelled: [String: [String: String]] = [:]       // commune → folded → first spelling of an undeclared village
        // People of the file's households that went in, for later rows. A commit keeps only the current chunk's
        // here: earlier chunks are written by then, so the registry queries return them (`fileRows` tells them
        // apart), and memory stays flat however long the file is. A dry run writes nothing and keeps them all.
        var fileIDs: [String: (code: String, row: Int, name: String)] = [:]
        var fileBlocks: [String: [Person]] = [:]
        var fileRows: [Int: Int32] = [:]        // commit: registry household → its row in the file (written already)
        var chunkClaimed: [Int: Int] = [:]      // commit: registry households this chunk accounts for, not written yet
        var touched: [Int] = []                 // commit: households whose provisional year is written at the end
        var cells: [SummaryKey: (households: Int, persons: Int)] = [:]   // commit: the summaries' change so far
        var claimed: Set<Int> = []     // registry households this file already accounts for
        var sheets = (households: "", members: "")
        var columnNames: [String: String] = [:]
        var communes: Set<String> = []
        var codes: Set<String> = []
        var nextNumber: [String: Int] = [:]
        // PostgreSQL: households written by this transaction, and when to refresh the planner's statistics next.
        var written = 0
        var analyzeAt = 2_000
        var ahead = Ahead.nothing

        mutating func go(_ box: InputBox, on db: any Database, progress: @Sendable (ImportProgress) -> Void,
                         isCancelled: @Sendable () -> Bool) async throws -> ImportReport {
            for n in box.input.notes { report.add(n) }
            for i in try box.input.pipeline.start() { report.add(i) }
            if report.blockingFileIssue { return report }
            sheets = (box.input.pipeline.householdSheet, box.input.pipeline.memberSheet ?? box.input.pipeline.householdSheet)
            for k in ["code", "commune", "village"] { columnNames[k] = box.input.pipeline.householdColumn(k) }
            // Two cores: the next chunk is read, parsed, classified and serialised while this one is compared
            // and written. The pipeline is only ever touched by one task at a time (each read starts after the
            // previous one ended, and the loop waits for the last one before leaving).
            let (store, size) = (store, options.chunk ?? (db.sql.dialect.name == "postgresql" ? 2_000 : 1_000))
            ahead = !writing ? .nothing : db.sql.dialect.name == "postgresql" ? .copy : .rows
            let ahead = ahead
            var reading = Task.detached { try Self.read(box, count: size, store: store, ahead: ahead) }
            do {
                while true {
                    let chunk = try await reading.value
                    if chunk.isEmpty { break }
                    if isCancelled() { throw ImportError.cancelled }
                    reading = Task.detached { try Self.read(box, count: size, store: store, ahead: ahead) }
                    try await process(chunk, on: db)
                    progress(ImportProgress(phase: writing ? "Đang ghi" : "Đang kiểm tra", rows: report.rows, fraction: min(0.99, box.input.fraction())))
                }
            } catch {
                _ = try? await reading.value
                throw error
            }
            let orphans = try box.input.pipeline.finish()
            for o in orphans { report.add(o) }
            report.errors += orphans.count
            if report.rows == 0 && !report.blockingFileIssue {
                report.add(ImportIssue(sheet: "", message: "tệp không có dòng hộ nào dưới dòng tiêu đề."))
            }
            if report.rows > 0, Double(report.duplicates) > options.thresholds.abortShare * Double(report.rows) {
                report.aborted = "\(report.duplicates) trên \(report.rows) hộ (quá \(Int(options.thresholds.abortShare * 100)) %) trùng với sổ hộ hoặc trùng nhau: có lẽ tệp đã được nhập, hoặc nhầm tệp. Không ghi gì."
            }
            report.newVillages = newVillages.flatMap { c, names in names.map { "\(c): \($0)" } }.sorted()
            report.communes = communes.sorted()
            report.fingerprint = hasher.hex
            return report
        }

        mutating func process(_ prepared: [Prepared], on db: any Database) async throws {
            let sql = db.sql
            let chunk = prepared.map(\.item)
            // Registry rows for the codes in this chunk, and for heads' national IDs when the code is empty.
            let givenCodes = chunk.compactMap { $0.assignCode ? nil : $0.household?.code }
            let holding = try await Self.provincesHoldingHouseholds(on: sql)
            var existing: [String: Existing] = [:]
            for e in try await Self.existing(codes: givenCodes, in: holding, on: sql) { existing[e.code] = e }
            let headIDs = chunk.filter(\.assignCode).compactMap { $0.household.flatMap { ($0.head ?? $0.members.first)?.nationalID } }
            let ids = Set(chunk.flatMap { ($0.household?.members ?? []).compactMap(\.nationalID) })
            let registryIDs = try await Self.people(nationalIDs: Array(ids), in: holding, on: sql)
            // A head's ID finds a registered household, never one this file wrote in an earlier chunk.
            var headOf: [String: Int] = [:]
            for nid in headIDs { if let p = registryIDs[nid]?.first(where: { fileRows[$0.householdID] == nil }) { headOf[nid] = p.householdID } }
            var byHeadID: [String: Existing] = [:]
            for e in try await Self.existing(ids: Array(Set(headOf.values)), in: holding, on: sql) {
                for (nid, hid) in headOf where hid == e.id { byHeadID[nid] = e }
            }
            let keys = prepared.flatMap { $0.keys.compactMap { $0 } }
            let registryBlocks = try await Self.people(blocks: keys, on: sql)

            var inserts: [Insert] = []
            var insertedRows: [String: Int] = [:]
            var updates: [(Existing, Household, Classification?, String)] = []
            for var ready in prepared {
                let item = ready.item
                report.rows += 1
                for i in item.issues { report.add(i) }
                guard var h = item.household else {
                    if item.issues.contains(where: \.blocking) { report.errors += 1; hasher.add("E\(item.row)") } else { report.skipped += 1; report.rows -= 1 }
                    continue
                }
                var errors: [String] = []
                guard let commune = h.commune, store.units.unit(commune, in: .y2025)?.level == .commune else {
                    error(item, "commune", "mã xã/phường '\(h.commune ?? "")' không có trong danh mục 2025.", value: h.commune); continue
                }
                guard scope.allows(commune: commune) else {
                    error(item, "commune", "xã/phường \(store.units.unit(commune)?.name ?? commune) ngoài phạm vi tài khoản của bạn.", value: commune); continue
                }
                communes.insert(commune)
                var newVillage: String? = nil
                if let v = h.village {
                    let (name, isNew) = try await village(v, commune: commune, on: sql)
                    h.village = name
                    if isNew { newVillage = name }
                } else { errors.append("thiếu thôn/tổ dân phố") }
                if !errors.isEmpty { error(item, "village", errors.joined(separator: "; ")); continue }
                // Which registry household this row is.
                var old: Existing? = nil
                if item.assignCode {
                    if let nid = (h.head ?? h.members.first)?.nationalID, let e = byHeadID[nid] { old = e; h.code = e.code }
                } else { old = existing[h.code] }
                if let o = old, o.archived != nil {
                    error(item, "code", "hộ '\(o.code)' đã được lưu trữ (\(o.archived!)); không nhập lại."); continue
                }
                if let o = old, o.commune != commune, !scope.allows(commune: o.commune) {
                    error(item, "code", "mã hộ '\(o.code)' thuộc một xã/phường khác ngoài phạm vi của bạn."); continue
                }
                if let o = old {
                    h = Self.merge(file: h, into: o, parser: store.parser) ?? h
                    communes.insert(o.commune)   // a household moving commune leaves the old commune's summaries too
                }
                if old == nil && item.assignCode { h.code = try await newCode(commune, on: db) }
                if !codes.insert(h.code).inserted {
                    error(item, "code", "hộ này trùng mã với một hộ khác của tệp (đối chiếu theo số định danh chủ hộ)."); continue
                }
                // What was worked out ahead holds unless this household changed since (village spelling, code, merge).
                if h != item.household { ready.prepare(h, store: store, ahead: ahead) }
                // Duplicate people.
                let verdict = duplicates(item, h, keys: ready.keys, old: old, registryIDs: registryIDs, registryBlocks: registryBlocks)
                if verdict == "duplicate" { report.duplicates += 1; hasher.add("D\(item.row)"); continue }
                if verdict == "held" { report.held += 1; hasher.add("H\(item.row)"); continue }
                let classification: Classification?
                do { classification = try ready.checked.get() } catch let e as ClassificationError {
                    error(item, e.field, e.message); continue
                }
                let facts = ready.facts
                if let v = newVillage { newVillages[commune, default: []].insert(v) }
                if let o = old {
                    claimed.insert(o.id)
                    if writing { chunkClaimed[o.id] = item.row }
                    if o.facts == facts { report.unchanged += 1; hasher.add("U\(h.code)"); continue }
                    report.changed += 1; hasher.add("C", h.code, "|", facts)
                    updates.append((o, h, classification, facts))
                } else {
                    report.new += 1; hasher.add("N", h.code, "|", facts)
                    if writing {
                        inserts.append(try ready.insert ?? Insert(h, classification, facts: facts, store: store, ahead: ahead))
                        insertedRows[h.code] = item.row
                    }
                }
            }
            if writing {
                try await write(inserts: inserts, rows: insertedRows, updates: updates, on: sql)
                written += inserts.count
                // The registry grows inside one transaction, where autovacuum never looks: with the statistics of the
                // empty tables, the planner answered the next chunks' lookups by scanning every person written so far
                // (quadratic; 200,000 households took 4 minutes). ANALYZE sees the transaction's own rows; run it
                // each time the written rows double, a few times per import.
                if written >= analyzeAt, sql.dialect.name == "postgresql" {
                    try await sql.raw("ANALYZE households, household_people").run()
                    analyzeAt = written * 2
                }
                // Written: from now on the registry answers for this chunk's people.
                for (id, row) in chunkClaimed { fileRows[id] = Int32(clamping: row) }
                chunkClaimed.removeAll(keepingCapacity: true)
                fileIDs.removeAll(keepingCapacity: true)
                fileBlocks.removeAll(keepingCapacity: true)
            }
        }

        mutating func error(_ item: ImportedHousehold, _ key: String, _ message: String, value: String? = nil) {
            report.add(ImportIssue(sheet: sheets.households, row: item.row, column: columnNames[key], value: value, message: message))
            report.errors += 1
            hasher.add("E\(item.row)")
        }

        /// The declared spelling of a village ("thon 3" → "Thôn 3"), or the first spelling the file used for a
        /// village not declared yet (`isNew`: added at commit, only if a household of it goes in).
        mutating func village(_ name: String, commune: String, on sql: any SQLDatabase) async throws -> (name: String, isNew: Bool) {
            if villages[commune] == nil {
                struct V: Decodable { var name: String }
                let rows = try await sql.select().column("name").from(Village.schema).where("commune_code", .equal, commune).all(decoding: V.self)
                var d: [String: String] = [:]
                for r in rows { d[VietnameseText.fold(r.name)] = r.name }
                villages[commune] = d
            }
            let folded = VietnameseText.fold(name)
            if let declared = villages[commune]![folded] { return (declared, false) }
            if let first = spelled[commune]?[folded] { return (first, true) }
            spelled[commune, default: [:]][folded] = name
            return (name, true)
        }

        mutating func newCode(_ commune: String, on db: any Database) async throws -> String {
            if nextNumber[commune] == nil {
                let c = try await store.nextCode(commune: commune, on: db)
                nextNumber[commune] = Int(c.split(separator: "-").last ?? "1") ?? 1
            }
            var n = nextNumber[commune]!
            var code: String
            repeat {
                let s = String(n)
                code = commune + "-" + String(repeating: "0", count: max(0, 6 - s.count)) + s
                n += 1
            } while codes.contains(code)
            nextNumber[commune] = n
            return code
        }

        /// The file's values over the registry's: a cell left empty keeps what the registry has (an import
        /// never erases), and members are matched by national ID, else by name and birth, to keep their other facts.
        static func merge(file: Household, into old: Existing, parser: HouseholdParser) -> Household? {
            guard let oldH = try? parser.parse(jsonLine: old.facts, line: 0) else { return nil }
            var d = Interchange.dictionary(oldH)
            let f = Interchange.dictionary(file)
            for (k, v) in f where k != "members" && k != "living" { d[k] = v }
            if let fl = f["living"] as? [String: Any] {
                var l = d["living"] as? [String: Any] ?? [:]
                for (k, v) in fl { l[k] = v }
                d["living"] = l
            }
            if !file.members.isEmpty {
                let olds = oldH.members
                var used = Set<Int>()   // each registered member answers for one row at most (twins share a name and birth)
                d["members"] = file.members.enumerated().map { i, m -> [String: Any] in
                    var md: [String: Any] = [:]
                    let free = olds.indices.filter { !used.contains($0) }
                    if let o = free.first(where: { olds[$0].nationalID != nil && olds[$0].nationalID == m.nationalID })
                        ?? free.first(where: { VietnameseText.fold(olds[$0].name ?? "") == VietnameseText.fold(m.name ?? "")
                            && olds[$0].birthDate == m.birthDate && olds[$0].birthYear == m.birthYear && (m.nationalID == nil || olds[$0].nationalID == nil) }) {
                        used.insert(o)
                        md = Interchange.memberDictionary(olds[o])
                    }
                    for (k, v) in Interchange.memberDictionary(m) { md[k] = v }
                    md["id"] = String(i + 1)
                    return md
                }
                d.removeValue(forKey: "size")
            }
            return try? parser.parse(d, fallbackCode: file.code)
        }
    }
}

extension Importer.Existing {
    struct PersonRef { var householdID: Int; var code: String; var name: String }
}
