import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

extension SupportStore {
    // MARK: checking a support

    public static func amount(_ s: String) -> Int? {
        var t = VietnameseText.fold(s).replacingOccurrences(of: " ", with: "")
        for suffix in ["vnd", "dong", "d"] where t.hasSuffix(suffix) { t.removeLast(suffix.count) }
        if t.isEmpty { return 0 }
        var multiplier = 1
        if t.hasSuffix("trieu") { multiplier = 1_000_000; t.removeLast(5) }
        if multiplier > 1 {
            guard let x = Double(t.replacingOccurrences(of: ",", with: ".")), x >= 0 else { return nil }
            return Int((x * Double(multiplier)).rounded())
        }
        let digits = t.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: ",", with: "")
        guard !digits.isEmpty, digits.allSatisfy(\.isNumber), let n = Int(digits), n < 100_000_000_000 else { return nil }
        return n
    }

    /// The three facts of a member coverage needs, read from the stored facts without the full parser (which
    /// validates every field: measured 80 % of a province's coverage time).
    struct PersonFact: Decodable {
        var id: String, birthDate: String?, birthYear: Int?, sex: String?, healthInsurance: Bool?
        /// Only the member facts the catalogue's member conditions name (passed in the decoder's userInfo).
        var conditionFacts: [Fact: String] = [:]
        struct Facts: Decodable { var members: [PersonFact]? }
        enum CodingKeys: String, CodingKey { case id, birthDate, birthYear, sex, healthInsurance }
        struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        static let wanted = CodingUserInfoKey(rawValue: "giamngheo.memberFacts")!
        init(from d: any Decoder) throws {
            let c = try d.container(keyedBy: CodingKeys.self)
            id = (try? c.decode(String.self, forKey: .id)) ?? (try? c.decode(Int.self, forKey: .id)).map(String.init) ?? ""
            birthDate = try? c.decodeIfPresent(String.self, forKey: .birthDate)
            birthYear = try? c.decodeIfPresent(Int.self, forKey: .birthYear)
            sex = try? c.decodeIfPresent(String.self, forKey: .sex)
            healthInsurance = try? c.decodeIfPresent(Bool.self, forKey: .healthInsurance)
            if let facts = d.userInfo[Self.wanted] as? [Fact], !facts.isEmpty {
                let any = try d.container(keyedBy: AnyKey.self)
                for f in facts {
                    let k = AnyKey(stringValue: f.rawValue)
                    if let b = try? any.decodeIfPresent(Bool.self, forKey: k) { conditionFacts[f] = b ? "true" : "false" }
                    else if let t = try? any.decodeIfPresent(String.self, forKey: k) { conditionFacts[f] = t }
                }
            }
        }
        static func read(_ facts: String, conditionFacts: [Fact] = []) -> [PersonFact] {
            let decoder = JSONDecoder()
            if !conditionFacts.isEmpty { decoder.userInfo[wanted] = conditionFacts }
            return ((try? decoder.decode(Facts.self, from: Data(facts.utf8)))?.members) ?? []
        }
        func age(on day: CivilDate) -> Int? { birthDate.flatMap(CivilDate.init).map { $0.age(on: day) } ?? birthYear.map { day.year - $0 } }
    }

    /// A member's age on a day, from the birth date or, failing that, the birth year.
    public static func age(_ m: Member, on day: CivilDate) -> Int? { m.birthDate.map { $0.age(on: day) } ?? m.birthYear.map { day.year - $0 } }

    struct HouseholdRef: Decodable { var id: Int; var code: String; var commune_code: String; var village: String?; var head_name: String; var facts: String; var deprived: String; var causes: String? }

    /// Checks inputs against the registry, the catalogue and eligibility; messages name the field and quote
    /// the value ("the caller adds the row"). Rows whose household is outside the scope are errors.
    public func prepare(_ scope: Scope, _ inputs: [(line: Int, input: SupportInput)], on db: any Database) async throws -> (rows: [PreparedSupport], problems: [RowProblem]) {
        let sql = db.sql
        let keys = Array(Set(inputs.map(\.input.household).filter { !$0.isEmpty }))
        var refs: [String: HouseholdRef] = [:]
        // By household code only: a number in a file is never taken for an internal id (it could be another household).
        for chunk in keys.chunks(of: 500) {
            var q = sql.select().columns("id", "code", "commune_code", "village", "head_name", "facts", "deprived", "causes").from("households")
                .where("archived_reason", .is, SQLLiteral.null).where("code", .in, chunk)
            if let communes = scope.communes { q = q.where("commune_code", .in, communes.sorted()) }
            for r in try await q.all(decoding: HouseholdRef.self) { refs[r.code] = r }
        }
        let statuses = try await self.statuses(Array(Set(refs.values.map(\.id))), on: db)
        var rows: [PreparedSupport] = []
        var problems: [RowProblem] = []
        for (line, i) in inputs {
            var errs: [String] = []
            let ref = refs[i.household]
            if i.household.isEmpty { errs.append("thiếu mã hộ") }
            else if ref == nil { errs.append("mã hộ '\(i.household)' không có trong sổ hộ của địa bàn bạn phụ trách") }
            let policy = catalogue.policy(i.policy) ?? catalogue.policies.first { VietnameseText.fold($0.name) == VietnameseText.fold(i.policy) }
            if policy == nil { errs.append(i.policy.isEmpty ? "thiếu chính sách" : "chính sách '\(i.policy)' không có trong danh mục") }
            let day = CivilDate(i.date)
            if day == nil { errs.append(i.date.isEmpty ? "thiếu ngày hỗ trợ" : "ngày '\(i.date)' không hợp lệ (dd/mm/yyyy)") }
            else if day! > today { errs.append("ngày \(day!.vietnamese) ở sau hôm nay") }
            let amount = Self.amount(i.amount)
            if amount == nil { errs.append("số tiền '\(i.amount)' không hợp lệ (ghi số đồng, ví dụ 1.500.000)") }
            let form = i.form.isEmpty ? policy?.form : SupportForm.parse(i.form)
            if form == nil && policy != nil { errs.append("hình thức '\(i.form)' phải là tiền mặt, hiện vật, cho vay hoặc dịch vụ") }
            if (form == .cash || form == .credit) && amount == 0 { errs.append("hỗ trợ bằng tiền hoặc cho vay cần số tiền") }
            var source = FundingSource.parse(i.source)
            if i.source.isEmpty && form == .credit { source = .credit }
            if source == nil { errs.append(i.source.isEmpty ? "thiếu nguồn kinh phí" : "nguồn kinh phí '\(i.source)' không hiểu (trung ương, địa phương, tín dụng, quỹ, tài trợ, người dân)") }
            var programme: ProgrammeItem? = nil
            if !i.programme.isEmpty {
                programme = catalogue.programme(i.programme)
                if programme == nil { errs.append("chương trình '\(i.programme)' không có trong danh mục") }
                else if let d = day, !programme!.covers(year: d.year) { errs.append("chương trình '\(i.programme)' không áp dụng năm \(d.year) (\(programme!.validFrom)–\(programme!.validTo))") }
            } else if let p = policy, let d = day { programme = p.programme(for: d.year, in: catalogue.programmes) }
            var memberID: String? = nil, memberName: String? = nil, age: Int? = nil, member: Member? = nil
            if let ref, !i.member.isEmpty {
                let h = try? store.household(facts: ref.facts)
                let wanted = VietnameseText.fold(i.member)
                if let m = h?.members.first(where: { $0.id == i.member || VietnameseText.fold($0.name ?? "") == wanted }) {
                    memberID = m.id; memberName = m.name; age = day.flatMap { Self.age(m, on: $0) }; member = m
                } else { errs.append("hộ \(ref.code) không có thành viên '\(i.member)'") }
            } else if let ref, policy?.perPerson == true, policy?.needsReceiver == false {
                // A person's support without the person: the head is assumed (shown as the receiver).
                let h = try? store.household(facts: ref.facts)
                if let head = h?.head { memberID = head.id; memberName = head.name }
            } else if let p = policy, p.needsReceiver {
                let who = [p.agesText, p.memberCondition.isEmpty ? nil : "người \(p.memberCondition.vietnamese)"]
                errs.append("chính sách '\(p.name)' dành cho \(who.compactMap { $0 }.joined(separator: ", ")): cần ghi người nhận")
            }
            guard errs.isEmpty, let ref, let policy, let day, let amount, let form, let source else {
                problems.append(RowProblem(line: line, message: errs.joined(separator: "; ")))
                continue
            }
            let deprived = ref.deprived.split(separator: ",").map(String.init)
            let causes = (ref.causes ?? "").split(separator: ",").map(String.init)
            let indicator = i.indicator.isEmpty ? (policy.indicators.first { deprived.contains($0) } ?? policy.indicators.first) : i.indicator.uppercased()
            let cause = i.cause.isEmpty ? policy.causes.first { causes.contains($0) } : i.cause
            let facts = statuses[ref.id]?.facts(on: day) ?? EligibilityFacts(category: nil)
            let check = EligibilityCheck.check(policy, facts: facts, on: day, age: age, member: member.map(MemberCondition.value(of:)),
                                               inWorkingAge: member.flatMap { m in policy.workingAge?.contains(birthDate: m.birthDate, birthYear: m.birthYear, sex: m.sex, on: day) })
            rows.append(PreparedSupport(line: line, householdID: ref.id, householdCode: ref.code, headName: ref.head_name, commune: ref.commune_code,
                                        village: ref.village, memberID: memberID, memberName: memberName, policy: policy.code,
                                        programme: programme?.code, form: form.rawValue, amount: amount, quantity: i.quantity.isEmpty ? nil : i.quantity,
                                        date: day.description, source: source.rawValue, indicator: indicator, cause: cause,
                                        note: i.note.isEmpty ? nil : i.note, eligible: check.eligible, eligibilityNote: check.explanation,
                                        reason: i.reason.isEmpty ? nil : i.reason))
        }
        return (rows, problems)
    }

    /// Thrown when a support is for a household the policy is not for and no reason was given: the form
    /// shows the explanation and asks for the reason (issue 7 §3: recorded with a reason, never dropped).
    public struct NeedsReason: Error, Sendable { public var prepared: PreparedSupport }

    /// Records one support; with `replacing`, a correction: the old record is voided ("Sửa: why") and the new one
    /// written in the same transaction, so a ledger never shows both or neither (records are never edited in place:
    /// the audit keeps what was first written).
    public func record(_ scope: Scope, _ input: SupportInput, replacing: Int? = nil, correction: String = "", on db: any Database) async throws -> Int {
        guard scope.canWrite else { throw AccessError.forbidden }
        let why = correction.trimmingCharacters(in: .whitespaces)
        if replacing != nil && why.isEmpty { throw ValidationError("support.correctionReason", field: "correction", vi: "Cần ghi lý do sửa khoản hỗ trợ.", en: "Give the reason for the correction.") }
        let (rows, problems) = try await prepare(scope, [(1, input)], on: db)
        if let p = problems.first { throw ValidationError(text: p.message) }
        let row = rows[0]
        if !row.eligible && (row.reason ?? "").isEmpty { throw NeedsReason(prepared: row) }
        return try await store.writing(db) { tx in
            if let old = replacing {
                let sql = tx.sql
                struct R: Decodable { var household_id: Int; var commune_code: String }
                guard let r = try await sql.select().columns("household_id", "commune_code").from("support_records").where("id", .equal, old)
                    .first(decoding: R.self), scope.allows(commune: r.commune_code) else { throw AccessError.notFound }
                // Claimed with RETURNING: a record voided or corrected meanwhile is not corrected twice.
                let claimed = try await sql.update("support_records").set("voided_reason", to: "Sửa: \(why)").where("id", .equal, old)
                    .where("voided_reason", .is, SQLLiteral.null).returning("id").all()
                guard !claimed.isEmpty else { throw ValidationError("support.replaced", vi: "Khoản hỗ trợ #\(old) đã bị huỷ hoặc sửa trước đó; không sửa lại.", en: "Support #\(old) was voided or corrected before; it is not corrected again.") }
                try await AuditEntry(username: scope.username, householdID: r.household_id, action: "support.void", field: "Hỗ trợ #\(old)",
                                     newValue: "huỷ để sửa", reason: why).create(on: tx)
            }
            return try await self.insert([row], batch: nil, scope: scope, on: tx)
        }
    }

    /// One record within the scope (the correction form).
    public func record(_ scope: Scope, id: Int, on db: any Database) async throws -> SupportRecord {
        guard let r = try await db.sql.select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("r")))
            .column(SQLColumn("head_name", table: "h")).column(SQLAlias(SQLColumn("code", table: "h"), as: SQLIdentifier("household_code")))
            .from(SQLAlias(SQLIdentifier("support_records"), as: SQLIdentifier("r")))
            .join(SQLAlias(SQLIdentifier("households"), as: SQLIdentifier("h")), on: SQLColumn("household_id", table: "r"), .equal, SQLColumn("id", table: "h"))
            .where(SQLColumn("id", table: "r"), .equal, SQLBind(id)).first(decoding: SupportRecord.self),
              scope.allows(commune: r.commune_code) else { throw AccessError.notFound }
        return r
    }

    static let recordColumns = ["household_id", "member_id", "member_name", "commune_code", "village", "policy_code", "programme_code", "form", "amount",
                                "quantity", "given_on", "year", "source", "indicator", "cause", "note", "eligible", "eligibility_note", "override_reason",
                                "batch_id", "recorded_by", "recorded_at"]

    /// Writes the rows with multi-row statements (100 a statement, records and their audit entries): a file of
    /// thousands of supports is a few dozen statements, not thousands. Returns how many were written; a single
    /// support (no batch) returns its id.
    @discardableResult
    func insert(_ rows: [PreparedSupport], batch: Int?, scope: Scope, on tx: any Database) async throws -> Int {
        let sql = tx.sql
        let now = Date()
        func values(_ r: PreparedSupport) -> [any SQLExpression] {
            [SQLBind(r.householdID), SQLBind(r.memberID), SQLBind(r.memberName), SQLBind(r.commune), SQLBind(r.village), SQLBind(r.policy),
             SQLBind(r.programme), SQLBind(r.form), SQLBind(Int64(r.amount)), SQLBind(r.quantity), SQLBind(r.date), SQLBind(Int(r.date.prefix(4)) ?? 0),
             SQLBind(r.source), SQLBind(r.indicator), SQLBind(r.cause), SQLBind(r.note), SQLBind(r.eligible ? 1 : 0), SQLBind(r.eligibilityNote),
             SQLBind(r.reason), SQLBind(batch), SQLBind(scope.username), SQLBind(now)]
        }
        func audit(_ r: PreparedSupport, _ what: String) -> [any SQLExpression] {
            let name = catalogue.policy(r.policy)?.name ?? r.policy
            let text = "\(name): \(Format.money(r.amount)) đ ngày \(CivilDate(r.date)?.vietnamese ?? r.date)\(r.eligible ? "" : " (không đúng đối tượng)")"
            return [SQLBind(now), SQLBind(scope.username), SQLBind(r.householdID), SQLBind("support.record"), SQLBind(what), SQLBind(text), SQLBind(r.reason)]
        }
        let auditColumns = ["at", "username", "household_id", "action", "field", "new_value", "reason"]
        if batch == nil, rows.count == 1 {
            let out = try await sql.insert(into: "support_records").columns(Self.recordColumns).values(values(rows[0])).returning("id").all()
            let id = try out[0].decode(column: "id", as: Int.self)
            try await sql.insert(into: AuditEntry.schema).columns(auditColumns).values(audit(rows[0], "Hỗ trợ #\(id)")).run()
            return id
        }
        for chunk in rows.chunks(of: 100) {
            var q = sql.insert(into: "support_records").columns(Self.recordColumns)
            for r in chunk { q = q.values(values(r)) }
            try await q.run()
            var a = sql.insert(into: AuditEntry.schema).columns(auditColumns)
            for r in chunk { a = a.values(audit(r, batch.map { "Hỗ trợ (tệp #\($0), dòng \(r.line))" } ?? "Hỗ trợ")) }
            try await a.run()
        }
        return rows.count
    }

    /// The demo's supports, written as prepared (ineligible ones carry their reason).
    public func insertDemo(_ rows: [PreparedSupport], scope: Scope, on tx: any Database) async throws -> Int {
        try await insert(rows, batch: nil, scope: scope, on: tx)
    }

    /// A record is never deleted: it is voided with a reason (the public list drops it, the audit keeps it).
    public func void(_ scope: Scope, id: Int, reason: String, on db: any Database) async throws {
        guard scope.canWrite else { throw AccessError.forbidden }
        let why = reason.trimmingCharacters(in: .whitespaces)
        guard !why.isEmpty else { throw ValidationError("support.voidReason", field: "reason", vi: "Cần ghi lý do huỷ bản ghi hỗ trợ.", en: "Give the reason for voiding the support record.") }
        try await store.writing(db) { tx in
            let sql = tx.sql
            struct R: Decodable { var household_id: Int; var commune_code: String; var voided_reason: String? }
            guard let r = try await sql.select().columns("household_id", "commune_code", "voided_reason").from("support_records").where("id", .equal, id)
                .first(decoding: R.self), scope.allows(commune: r.commune_code) else { throw AccessError.notFound }
            guard r.voided_reason == nil else { throw ValidationError("support.alreadyVoided", vi: "Bản ghi này đã huỷ.", en: "This record has already been voided.") }
            try await sql.update("support_records").set("voided_reason", to: why).where("id", .equal, id).run()
            try await AuditEntry(username: scope.username, householdID: r.household_id, action: "support.void", field: "Hỗ trợ #\(id)", newValue: "huỷ", reason: why).create(on: tx)
        }
    }
}
