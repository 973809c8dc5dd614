import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

extension SupportStore {
    // MARK: staged import (issue 7 §3): checked first, written all together or not at all

    public func stage(_ scope: Scope, fileName: String, rows: [(line: Int, values: [String: String])], on db: any Database) async throws -> Int {
        guard scope.canWrite else { throw AccessError.forbidden }
        guard !rows.isEmpty else { throw ValidationError("file.empty", field: "file", vi: "Tệp không có dòng dữ liệu nào.", en: "The file has no data rows.") }
        let (prepared, problems) = try await prepare(scope, rows.map { ($0.line, SupportInput($0.values)) }, on: db)
        let enc = JSONEncoder()
        let communes = Set(prepared.map(\.commune)).sorted().joined(separator: ",")
        return try await store.writing(db) { tx in
            let out = try await tx.sql.insert(into: "support_batches")
                .columns("created_by", "created_at", "file_name", "status", "rows", "problems", "communes")
                .values(SQLBind(scope.username), SQLBind(Date()), SQLBind(fileName), SQLBind("checked"),
                        SQLBind(String(decoding: try enc.encode(prepared), as: UTF8.self)), SQLBind(String(decoding: try enc.encode(problems.map(\.text)), as: UTF8.self)),
                        SQLBind(communes))
                .returning("id").all()
            return try out[0].decode(column: "id", as: Int.self)
        }
    }

    public func batch(_ scope: Scope, id: Int, on db: any Database) async throws -> SupportBatch {
        struct R: Decodable { var id: Int; var created_by: String; var created_at: Date; var file_name: String; var status: String; var rows: String; var problems: String; var communes: String }
        guard let r = try await db.sql.select().column("*").from("support_batches").where("id", .equal, id).first(decoding: R.self) else {
            throw AccessError.notFound
        }
        let communes = r.communes.split(separator: ",").map(String.init)
        guard r.created_by == scope.username || scope.communes == nil || (!communes.isEmpty && communes.allSatisfy(scope.allows)) else { throw AccessError.notFound }
        let dec = JSONDecoder()
        return SupportBatch(id: r.id, createdBy: r.created_by, createdAt: r.created_at, fileName: r.file_name, status: r.status,
                            rows: (try? dec.decode([PreparedSupport].self, from: Data(r.rows.utf8))) ?? [],
                            problems: (try? dec.decode([String].self, from: Data(r.problems.utf8))) ?? [], communes: communes)
    }

    /// Writes every row of a checked batch or none: a batch with errors is refused; rows for households the
    /// policy is not for need their own reason or `reason` for all of them. The rows are checked again
    /// against the registry as it is now (a household archived since the check stops the commit).
    public func commit(_ scope: Scope, id: Int, reason: String, on db: any Database) async throws -> Int {
        guard scope.canWrite else { throw AccessError.forbidden }
        let b = try await batch(scope, id: id, on: db)
        guard b.status == "checked" else { throw ValidationError("batch.closed", vi: "Tệp này đã \(b.status == "committed" ? "ghi" : "huỷ"); không ghi lại được.", en: "This file has already been \(b.status == "committed" ? "written" : "cancelled"); it cannot be written again.") }
        guard b.problems.isEmpty else { throw ValidationError("batch.problems", field: "file", vi: "Tệp còn \(b.problems.count) dòng lỗi; sửa tệp rồi tải lên lại. Không dòng nào được ghi.", en: "The file still has \(b.problems.count) rows with errors; correct the file and upload it again. No row was written.") }
        let why = reason.trimmingCharacters(in: .whitespaces)
        let lacking = b.rows.filter { !$0.eligible && ($0.reason ?? "").isEmpty }
        if !lacking.isEmpty && why.isEmpty {
            throw ValidationError("batch.reasons", field: "reason", vi: "\(lacking.count) dòng không đúng đối tượng chưa có lý do (dòng \(lacking.prefix(10).map { String($0.line) }.joined(separator: ", "))); ghi lý do chung hoặc sửa tệp.", en: "\(lacking.count) rows for households not eligible have no reason (rows \(lacking.prefix(10).map { String($0.line) }.joined(separator: ", "))); give a common reason or correct the file.")
        }
        let rows = b.rows.map { r -> PreparedSupport in var r = r; if !r.eligible && (r.reason ?? "").isEmpty { r.reason = why }; return r }
        return try await store.writing(db) { tx in
            let sql = tx.sql
            // Claim the batch first: a second commit of the same file finds it no longer "checked".
            struct N: Decodable { var n: Int }
            let claimed = try await sql.update("support_batches").set("status", to: "committed").set("committed_at", to: Date())
                .where("id", .equal, id).where("status", .equal, "checked").returning("id").all()
            guard !claimed.isEmpty else { throw ValidationError("batch.raced", vi: "Tệp này vừa được ghi bởi người khác; không ghi lại.", en: "This file has just been written by someone else; it is not written again.") }
            let live = try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("households")
                .where("id", .in, Array(Set(rows.map(\.householdID)))).where("archived_reason", .is, SQLLiteral.null).first(decoding: N.self)?.n ?? 0
            guard live == Set(rows.map(\.householdID)).count else {
                throw ValidationError("batch.stale", vi: "Có hộ trong tệp đã bị lưu trữ hoặc chuyển đi từ lúc kiểm tra; hãy tải tệp lên lại. Không dòng nào được ghi.", en: "Some households in the file were archived or moved since the check; upload the file again. No row was written.")
            }
            return try await self.insert(rows, batch: id, scope: scope, on: tx)
        }
    }

    public func cancel(_ scope: Scope, id: Int, on db: any Database) async throws {
        let b = try await batch(scope, id: id, on: db)
        guard b.status == "checked" else { return }
        try await store.writing(db) { tx in
            try await tx.sql.update("support_batches").set("status", to: "cancelled").where("id", .equal, id).run()
        }
    }
}
