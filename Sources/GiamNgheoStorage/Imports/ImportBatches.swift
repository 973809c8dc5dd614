import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

/// The imports of files: each uploaded file is kept (path and SHA-256) with its dry-run report, the
/// officers' duplicate adjudications, and who committed it and when. A batch is seen by its uploader and by
/// anyone whose scope covers every commune it touches.
public struct ImportBatch: Sendable {
    public var id: Int
    public var createdAt: Date
    public var createdBy: String
    public var fileName: String
    public var sha256: String
    public var bytes: Int64
    public var storedPath: String
    /// checking, checked, committing, committed, cancelled, failed
    public var status: String
    public var report: ImportReport
    public var committedBy: String?
    public var committedAt: Date?
    public var communes: [String]
}

public struct ImportBatches: Sendable {
    public let gate: WriteGate?
    public init(gate: WriteGate?) { self.gate = gate }

    struct Row: Decodable {
        var id: Int; var created_at: Date; var created_by: String; var file_name: String; var file_sha256: String; var file_bytes: Int64
        var stored_path: String; var status: String; var report: String; var committed_by: String?; var committed_at: Date?; var communes: String
    }

    static func batch(_ r: Row) -> ImportBatch {
        let report = (try? JSONDecoder().decode(ImportReport.self, from: Data(r.report.utf8))) ?? ImportReport()
        return ImportBatch(id: r.id, createdAt: r.created_at, createdBy: r.created_by, fileName: r.file_name, sha256: r.file_sha256,
                           bytes: r.file_bytes, storedPath: r.stored_path, status: r.status, report: report, committedBy: r.committed_by,
                           committedAt: r.committed_at, communes: r.communes.split(separator: ",").map(String.init))
    }

    static func json(_ r: ImportReport) -> String { String(decoding: (try? JSONEncoder().encode(r)) ?? Data("{}".utf8), as: UTF8.self) }

    public func create(_ scope: Scope, fileName: String, sha256: String, bytes: Int64, storedPath: String, on db: any Database) async throws -> Int {
        guard scope.canWrite else { throw AccessError.forbidden }
        return try await gate.transaction(db) { tx in
            let sql = tx.sql
            let rows = try await sql.insert(into: "import_batches")
                .columns("created_at", "created_by", "file_name", "file_sha256", "file_bytes", "stored_path", "status", "report", "fingerprint", "communes")
                .values(SQLBind(Date()), SQLBind(scope.username), SQLBind(fileName), SQLBind(sha256), SQLBind(bytes), SQLBind(storedPath),
                        SQLBind("checking"), SQLBind(Self.json(ImportReport())), SQLBind(""), SQLBind(""))
                .returning("id").all()
            let id = try rows[0].decode(column: "id", as: Int.self)
            try await AuditEntry(username: scope.username, householdID: nil, action: "import.upload", field: "import_batches",
                                 newValue: "#\(id) \(fileName) (\(bytes) byte, SHA-256 \(sha256))").create(on: tx)
            return id
        }
    }

    public func get(_ scope: Scope, id: Int, on db: any Database) async throws -> ImportBatch {
        let sql = db.sql
        guard let r = try await sql.select().column("*").from("import_batches").where("id", .equal, id).first(decoding: Row.self) else {
            throw AccessError.notFound
        }
        let b = Self.batch(r)
        guard b.createdBy == scope.username || (!b.communes.isEmpty && b.communes.allSatisfy(scope.allows)) || scope.communes == nil else {
            throw AccessError.notFound
        }
        return b
    }

    public func recent(_ scope: Scope, limit: Int = 30, on db: any Database) async throws -> [ImportBatch] {
        let sql = db.sql
        let rows = try await sql.select().column("*").from("import_batches").orderBy("id", .descending).limit(500).all(decoding: Row.self)
        return rows.map(Self.batch).filter { b in
            b.createdBy == scope.username || scope.communes == nil || (!b.communes.isEmpty && b.communes.allSatisfy(scope.allows))
        }.prefix(limit).map { $0 }
    }

    /// Stores a dry run's outcome (or the failure/cancel of a run).
    public func setReport(id: Int, status: String, report: ImportReport, on db: any Database) async throws {
        try await gate.transaction(db) { tx in
            try await tx.sql.update("import_batches")
                .set("status", to: status).set("report", to: Self.json(report)).set("fingerprint", to: report.fingerprint)
                .set("communes", to: report.communes.joined(separator: ","))
                .where("id", .equal, id).run()
        }
    }

    /// Moves the batch from one status to another only if it is still in the first: true when this caller won.
    public func claim(id: Int, from: String, to: String, on db: any Database) async throws -> Bool {
        try await gate.transaction(db) { tx in
            try await !tx.sql.update("import_batches").set("status", to: to)
                .where("id", .equal, id).where("status", .equal, from).returning("id").all().isEmpty
        }
    }

    public func setStatus(id: Int, status: String, on db: any Database) async throws {
        try await gate.transaction(db) { tx in
            try await tx.sql.update("import_batches").set("status", to: status).where("id", .equal, id).run()
        }
    }

    /// Marks the batch committed inside the commit's own transaction: both land or neither.
    public static func markCommitted(id: Int, by user: String, report: ImportReport, on tx: any Database) async throws {
        try await tx.sql.update("import_batches")
            .set("status", to: "committed").set("report", to: json(report)).set("fingerprint", to: report.fingerprint)
            .set("committed_by", to: user).set("committed_at", to: Date())
            .set("communes", to: report.communes.joined(separator: ","))
            .where("id", .equal, id).run()
        try await AuditEntry(username: user, householdID: nil, action: "import.commit", field: "import_batches",
                             newValue: "#\(id): \(report.new) mới, \(report.changed) thay đổi, \(report.unchanged) không đổi").create(on: tx)
    }

    public func decisions(batch id: Int, on db: any Database) async throws -> [String: String] {
        struct D: Decodable { var match_key: String; var decision: String }
        let rows = try await db.sql.select().columns("match_key", "decision").from("import_matches")
            .where("batch_id", .equal, id).all(decoding: D.self)
        return Dictionary(rows.map { ($0.match_key, $0.decision) }, uniquingKeysWith: { _, b in b })
    }

    /// An officer's "same person" / "different people" on pairs of this batch (replacing earlier ones).
    public func decide(_ scope: Scope, batch id: Int, decisions: [String: String], on db: any Database) async throws {
        guard scope.canWrite else { throw AccessError.forbidden }
        _ = try await get(scope, id: id, on: db)
        for d in decisions.values where d != "same" && d != "different" { throw ValidationError("import.decision", field: "decision", vi: "Quyết định phải là 'cùng một người' hoặc 'khác người'.", en: "The decision must be 'same person' or 'different people'.") }
        try await gate.transaction(db) { tx in
            let sql = tx.sql
            for (key, decision) in decisions.sorted(by: { $0.key < $1.key }) {
                try await sql.delete(from: "import_matches").where("batch_id", .equal, id).where("match_key", .equal, key).run()
                try await sql.insert(into: "import_matches").columns("batch_id", "match_key", "decision", "decided_by", "decided_at")
                    .values(SQLBind(id), SQLBind(key), SQLBind(decision), SQLBind(scope.username), SQLBind(Date())).run()
                try await AuditEntry(username: scope.username, householdID: nil, action: "import.adjudicate", field: "#\(id)",
                                     newValue: "\(key) → \(decision)").create(on: tx)
            }
        }
    }

    // MARK: the administrator's thresholds

    public func thresholds(on db: any Database) async throws -> DuplicateThresholds {
        struct S: Decodable { var key: String; var value: String }
        let rows = try await db.sql.select().columns("key", "value").from("settings")
            .where("key", .like, "dedup.%").all(decoding: S.self)
        var t = DuplicateThresholds()
        for r in rows {
            guard let v = Double(r.value) else { continue }
            switch r.key {
            case "dedup.possible": t.possible = v
            case "dedup.certain": t.certain = v
            case "dedup.abortShare": t.abortShare = v
            default: break
            }
        }
        return t
    }

    public func setThresholds(_ scope: Scope, _ t: DuplicateThresholds, on db: any Database) async throws {
        guard scope.role == .admin else { throw AccessError.forbidden }
        if let p = t.problem { throw ValidationError(text: p) }
        let old = try await thresholds(on: db)
        try await gate.transaction(db) { tx in
            let sql = tx.sql
            for (k, v, o) in [("dedup.possible", t.possible, old.possible), ("dedup.certain", t.certain, old.certain), ("dedup.abortShare", t.abortShare, old.abortShare)] {
                try await sql.delete(from: "settings").where("key", .equal, k).run()
                try await sql.insert(into: "settings").columns("key", "value", "updated_by", "updated_at")
                    .values(SQLBind(k), SQLBind(String(v)), SQLBind(scope.username), SQLBind(Date())).run()
                if v != o {
                    try await AuditEntry(username: scope.username, householdID: nil, action: "settings", field: k,
                                         oldValue: String(o), newValue: String(v)).create(on: tx)
                }
            }
        }
    }
}
