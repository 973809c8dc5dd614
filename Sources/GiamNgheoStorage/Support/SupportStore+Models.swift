import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

extension SupportStore {
    // MARK: livelihood models (issue 7 §4)

    public func models(_ scope: Scope?, communes: [String]? = nil, on db: any Database) async throws -> [LivelihoodModel] {
        var q = db.sql.select().column("*").from("livelihood_models")
        if let c = scope?.communes { q = q.where("commune_code", .in, c.sorted()) }
        if let c = communes { q = q.where("commune_code", .in, c) }
        return try await q.orderBy("commune_code").orderBy("start_year", .descending).orderBy("id").all(decoding: LivelihoodModel.self)
    }

    public func model(_ scope: Scope, id: Int, on db: any Database) async throws -> LivelihoodModel {
        guard let m = try await db.sql.select().column("*").from("livelihood_models").where("id", .equal, id).first(decoding: LivelihoodModel.self),
              scope.allows(commune: m.commune_code) else { throw AccessError.notFound }
        return m
    }

    public func createModel(_ scope: Scope, commune: String, village: String?, name: String, kind: String, programme: String?, startYear: Int,
                            budget: String, source: String, description: String?, on db: any Database) async throws -> Int {
        guard scope.canWrite, scope.allows(commune: commune), store.units.unit(commune, in: .y2025) != nil else { throw AccessError.forbidden }
        var errs: [String] = []
        if name.trimmingCharacters(in: .whitespaces).isEmpty { errs.append("cần tên mô hình") }
        if kind.trimmingCharacters(in: .whitespaces).isEmpty { errs.append("cần loại mô hình") }
        let amount = Self.amount(budget)
        if amount == nil { errs.append("kinh phí '\(budget)' không hợp lệ") }
        let src = FundingSource.parse(source)
        if src == nil { errs.append("nguồn kinh phí '\(source)' không hiểu") }
        if let p = programme, !p.isEmpty, catalogue.programme(p) == nil { errs.append("chương trình '\(p)' không có trong danh mục") }
        if !(2000...today.year).contains(startYear) { errs.append("năm bắt đầu \(startYear) không hợp lệ") }
        guard errs.isEmpty, let amount, let src else { throw ValidationError(text: errs.joined(separator: "; ").capitalizedFirst + ".") }
        return try await store.writing(db) { tx in
            let out = try await tx.sql.insert(into: "livelihood_models")
                .columns("commune_code", "village", "name", "kind", "programme_code", "start_year", "budget", "source", "description", "created_by", "version")
                .values(SQLBind(commune), SQLBind(village?.isEmpty == false ? village : nil), SQLBind(name), SQLBind(kind), SQLBind(programme?.isEmpty == false ? programme : nil),
                        SQLBind(startYear), SQLBind(Int64(amount)), SQLBind(src.rawValue), SQLBind(description), SQLBind(scope.username), SQLBind(1))
                .returning("id").all()
            let id = try out[0].decode(column: "id", as: Int.self)
            try await AuditEntry(username: scope.username, householdID: nil, action: "model.create", field: "Mô hình #\(id)", newValue: "\(name) (\(Format.money(amount)) đ)").create(on: tx)
            return id
        }
    }

    public struct Participant: Codable, Sendable { public var household_id: Int; public var code: String; public var head_name: String; public var category: String; public var joined_year: Int }
    public struct ModelResult: Codable, Sendable { public var year: Int; public var output: String; public var revenue: Int?; public var note: String?; public var recorded_by: String }

    public func participants(modelID: Int, on db: any Database) async throws -> [Participant] {
        try await db.sql.raw("""
            SELECT p.household_id, h.code, h.head_name, h.category, p.joined_year FROM model_participants p JOIN households h ON h.id = p.household_id
            WHERE p.model_id = \(bind: modelID) ORDER BY h.code
            """).all(decoding: Participant.self)
    }

    /// Participants and those among them no longer poor, per model, in one query (the list of a province's models).
    public func participantCounts(modelIDs: [Int], on db: any Database) async throws -> [Int: (households: Int, notPoor: Int)] {
        guard !modelIDs.isEmpty else { return [:] }
        struct C: Decodable { var model_id: Int; var n: Int; var not_poor: Int }
        let rows = try await db.sql.raw("""
            SELECT p.model_id, COUNT(*) AS n, SUM(CASE WHEN h.category <> 'poor' THEN 1 ELSE 0 END) AS not_poor
            FROM model_participants p JOIN households h ON h.id = p.household_id WHERE p.model_id IN \(SQLBind.group(modelIDs)) GROUP BY p.model_id
            """).all(decoding: C.self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.model_id, ($0.n, $0.not_poor)) })
    }

    public func results(modelID: Int, on db: any Database) async throws -> [ModelResult] {
        try await db.sql.select().columns("year", "output", "revenue", "note", "recorded_by").from("model_results")
            .where("model_id", .equal, modelID).orderBy("year").orderBy("id").all(decoding: ModelResult.self)
    }

    public func addParticipant(_ scope: Scope, modelID: Int, household: String, year: Int, on db: any Database) async throws {
        guard scope.canWrite else { throw AccessError.forbidden }
        let m = try await model(scope, id: modelID, on: db)
        guard let h = try await store.scoped(scope, on: db).filter(\.$code == household).first() else {
            throw ValidationError("household.unknown", field: "household", vi: "Mã hộ '\(household)' không có trong sổ hộ của địa bàn bạn phụ trách.", en: "Household code '\(household)' is not in the registry of your area.")
        }
        guard h.communeCode == m.commune_code else { throw ValidationError("model.commune", field: "household", vi: "Hộ \(household) không ở xã của mô hình.", en: "Household \(household) is not in the model's commune.") }
        try await store.writing(db) { tx in
            let sql = tx.sql
            struct N: Decodable { var n: Int }
            let n = try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("model_participants")
                .where("model_id", .equal, modelID).where("household_id", .equal, h.id!).first(decoding: N.self)?.n ?? 0
            guard n == 0 else { throw ValidationError("model.member", field: "household", vi: "Hộ \(household) đã tham gia mô hình này.", en: "Household \(household) already takes part in this model.") }
            try await sql.insert(into: "model_participants").columns("model_id", "household_id", "joined_year").values(SQLBind(modelID), SQLBind(h.id!), SQLBind(year)).run()
            try await AuditEntry(username: scope.username, householdID: h.id, action: "model.join", field: "Mô hình #\(modelID)", newValue: "\(m.name) từ năm \(year)").create(on: tx)
        }
    }

    public func addResult(_ scope: Scope, modelID: Int, year: Int, output: String, revenue: String, note: String, on db: any Database) async throws {
        guard scope.canWrite else { throw AccessError.forbidden }
        let m = try await model(scope, id: modelID, on: db)
        guard !output.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("model.result", field: "result", vi: "Cần ghi kết quả (sản lượng, số con, diện tích…).", en: "Give the result (output, animals, area…).") }
        let rev = revenue.isEmpty ? nil : Self.amount(revenue)
        if !revenue.isEmpty && rev == nil { throw ValidationError("model.revenue", field: "revenue", vi: "Doanh thu '\(revenue)' không hợp lệ.", en: "Revenue '\(revenue)' is not valid.") }
        guard (m.start_year...today.year).contains(year) else { throw ValidationError("model.year", field: "year", vi: "Năm \(year) phải từ năm bắt đầu \(m.start_year) đến nay.", en: "The year \(year) must be between the start year \(m.start_year) and now.") }
        try await store.writing(db) { tx in
            try await tx.sql.insert(into: "model_results").columns("model_id", "year", "output", "revenue", "note", "recorded_by")
                .values(SQLBind(modelID), SQLBind(year), SQLBind(output), SQLBind(rev.map(Int64.init)), SQLBind(note.isEmpty ? nil : note), SQLBind(scope.username)).run()
            try await AuditEntry(username: scope.username, householdID: nil, action: "model.result", field: "Mô hình #\(modelID) năm \(year)", newValue: output).create(on: tx)
        }
    }
}
