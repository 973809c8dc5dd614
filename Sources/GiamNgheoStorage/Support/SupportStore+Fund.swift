import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

extension SupportStore {
    // MARK: the fund (issue 7 §5)

    /// Units whose fund or budget a user may see: their communes, and the provinces of those communes.
    public func visibleUnit(_ scope: Scope, _ unit: String) -> Bool {
        guard let mine = scope.communes else { return true }
        if mine.contains(unit) { return true }
        return store.units.unit(unit, in: .y2025)?.level == .province && store.units.communes(ofProvince: unit).contains { mine.contains($0.code) }
    }
    /// A province's fund and budgets are kept by province staff; a commune's by the commune.
    public func canKeep(_ scope: Scope, _ unit: String) -> Bool {
        guard let u = store.units.unit(unit, in: .y2025) else { return false }
        if scope.role == .admin { return true }
        if u.level == .province { return scope.role == .provinceOfficer && visibleUnit(scope, unit) }
        return scope.canWrite && scope.allows(commune: unit)
    }

    public struct ForThePoorFund: Sendable {
        public var entries: [FundEntry]
        /// Supports paid from the fund (source "fund") in the unit: payouts too.
        public var supportPayouts: [SupportRecord]
        public var donations: Int { entries.filter { $0.kind == "donation" }.reduce(0) { $0 + $1.amount } }
        public var payouts: Int { entries.filter { $0.kind == "payout" }.reduce(0) { $0 + $1.amount } + supportPayouts.reduce(0) { $0 + $1.amount } }
        public var balance: Int { donations - payouts }
    }

    public func fund(_ scope: Scope?, unit: String, on db: any Database) async throws -> ForThePoorFund {
        if let scope, !visibleUnit(scope, unit) { throw AccessError.notFound }
        let sql = db.sql
        let entries = try await sql.select().column("*").from("fund_entries").where("unit_code", .equal, unit).orderBy("entry_date").orderBy("id").all(decoding: FundEntry.self)
        var f = RecordFilter()
        f.communes = [unit]
        f.limit = 100_000
        let payouts = try await records(nil, f, on: db).filter { $0.source == FundingSource.fund.rawValue }
        return ForThePoorFund(entries: entries, supportPayouts: payouts)
    }

    public func addFundEntry(_ scope: Scope, unit: String, date: String, kind: String, amount: String, party: String, note: String, on db: any Database) async throws {
        guard canKeep(scope, unit) else { throw AccessError.forbidden }
        var errs: [String] = []
        let d = CivilDate(date)
        if d == nil { errs.append("ngày '\(date)' không hợp lệ") } else if d! > today { errs.append("ngày \(d!.vietnamese) ở sau hôm nay") }
        if kind != "donation" && kind != "payout" { errs.append("loại phải là tiếp nhận hoặc chi") }
        let n = Self.amount(amount)
        if n == nil || n == 0 { errs.append("số tiền '\(amount)' không hợp lệ") }
        if party.trimmingCharacters(in: .whitespaces).isEmpty { errs.append(kind == "donation" ? "cần tên người/đơn vị ủng hộ" : "cần nội dung chi") }
        guard errs.isEmpty, let d, let n else { throw ValidationError(text: errs.joined(separator: "; ").capitalizedFirst + ".") }
        try await store.writing(db) { tx in
            // The balance is read in the write transaction: two payouts cannot both spend the same money.
            if kind == "payout" {
                let ledger = try await self.fund(scope, unit: unit, on: tx)
                if n > ledger.balance { throw ValidationError("fund.balance", field: "amount", vi: "Số chi \(Format.money(n)) đ lớn hơn số dư quỹ \(Format.money(ledger.balance)) đ.", en: "The payout \(Format.money(n)) d is more than the fund balance \(Format.money(ledger.balance)) d.") }
            }
            try await tx.sql.insert(into: "fund_entries").columns("unit_code", "entry_date", "kind", "amount", "party", "note", "recorded_by", "recorded_at")
                .values(SQLBind(unit), SQLBind(d.description), SQLBind(kind), SQLBind(Int64(n)), SQLBind(party), SQLBind(note.isEmpty ? nil : note), SQLBind(scope.username), SQLBind(Date())).run()
            try await AuditEntry(username: scope.username, householdID: nil, action: "fund.\(kind)", field: "Quỹ Vì người nghèo \(unit)",
                                 newValue: "\(kind == "donation" ? "Tiếp nhận" : "Chi") \(Format.money(n)) đ: \(party)").create(on: tx)
        }
    }

    // MARK: budgets and disbursement (issue 7 §7)

    public struct Budget: Codable, Sendable { public var id: Int; public var unit_code: String; public var year: Int; public var programme_code: String; public var source: String; public var amount: Int; public var note: String? }

    public func addBudget(_ scope: Scope, unit: String, year: Int, programme: String, source: String, amount: String, note: String, on db: any Database) async throws {
        guard canKeep(scope, unit) else { throw AccessError.forbidden }
        var errs: [String] = []
        if catalogue.programme(programme) == nil { errs.append("chương trình '\(programme)' không có trong danh mục") }
        else if !catalogue.programme(programme)!.covers(year: year) { errs.append("chương trình '\(programme)' không áp dụng năm \(year)") }
        let src = FundingSource.parse(source)
        if src == nil { errs.append("nguồn '\(source)' không hiểu") }
        let n = Self.amount(amount)
        if n == nil || n == 0 { errs.append("số tiền '\(amount)' không hợp lệ") }
        guard errs.isEmpty, let src, let n else { throw ValidationError(text: errs.joined(separator: "; ").capitalizedFirst + ".") }
        try await store.writing(db) { tx in
            try await tx.sql.insert(into: "support_budgets").columns("unit_code", "year", "programme_code", "source", "amount", "note", "created_by")
                .values(SQLBind(unit), SQLBind(year), SQLBind(programme), SQLBind(src.rawValue), SQLBind(Int64(n)), SQLBind(note.isEmpty ? nil : note), SQLBind(scope.username)).run()
            try await AuditEntry(username: scope.username, householdID: nil, action: "budget.add", field: "Kinh phí \(unit) \(year)", newValue: "\(programme): \(Format.money(n)) đ").create(on: tx)
        }
    }

    public func budgets(_ scope: Scope, year: Int, on db: any Database) async throws -> [Budget] {
        try await db.sql.select().column("*").from("support_budgets").where("year", .equal, year).orderBy("unit_code").orderBy("programme_code")
            .all(decoding: Budget.self).filter { visibleUnit(scope, $0.unit_code) }
    }

    /// Amounts given per (commune, programme item, form) in a year, summed in SQL.
    public struct Spent: Codable, Sendable { public var commune_code: String; public var programme_code: String?; public var form: String; public var amount: Int; public var n: Int }
    public func spent(_ scope: Scope, year: Int, communes: [String]? = nil, on db: any Database) async throws -> [Spent] {
        var q = db.sql.select().columns("commune_code", "programme_code", "form")
            // SUM of a bigint is numeric on PostgreSQL: cast back so both databases decode an integer.
            .column(SQLRaw("CAST(SUM(amount) AS BIGINT)"), as: "amount").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from("support_records").where("year", .equal, year).where("voided_reason", .is, SQLLiteral.null)
        if let c = scope.communes { q = q.where("commune_code", .in, c.sorted()) }
        if let c = communes { q = q.where("commune_code", .in, c) }
        return try await q.groupBy("commune_code").groupBy("programme_code").groupBy("form").all(decoding: Spent.self)
    }
}
