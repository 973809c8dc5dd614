import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

/// Support plans, the support ledger, livelihood models, the "Vì người nghèo" fund and budgets (issue 7).
/// Every table carries the commune (or the province, for a province's fund and budgets) so that every
/// query is scoped like the registry.
public struct CreateSupport: AsyncMigration {
    public init() {}
    public func prepare(on db: any Database) async throws {
        try await db.schema("support_plans")
            .field("id", .int, .identifier(auto: true))
            .field("household_id", .int, .required).field("year", .int, .required).field("commune_code", .string, .required)
            .field("commitment", .int, .required).field("helper_name", .string).field("helper_org", .string).field("helper_contact", .string)
            .field("note", .string).field("updated_by", .string, .required).field("updated_at", .datetime, .required).field("version", .int, .required)
            .unique(on: "household_id", "year").create()
        try await db.schema("support_needs")
            .field("id", .int, .identifier(auto: true))
            .field("plan_id", .int, .required).field("household_id", .int, .required).field("indicator", .string).field("cause", .string)
            .field("policy_code", .string).field("description", .string).create()
        try await db.schema("support_visits")
            .field("id", .int, .identifier(auto: true))
            .field("household_id", .int, .required).field("visited_on", .string, .required).field("visitor", .string, .required)
            .field("note", .string, .required).field("created_by", .string, .required).field("created_at", .datetime, .required).create()
        try await db.schema("support_records")
            .field("id", .int, .identifier(auto: true))
            .field("household_id", .int, .required).field("member_id", .string).field("member_name", .string)
            .field("commune_code", .string, .required).field("village", .string)
            .field("policy_code", .string, .required).field("programme_code", .string).field("form", .string, .required)
            .field("amount", .int64, .required).field("quantity", .string).field("given_on", .string, .required).field("year", .int, .required)
            .field("source", .string, .required).field("indicator", .string).field("cause", .string).field("note", .string)
            .field("eligible", .int, .required).field("eligibility_note", .string, .required).field("override_reason", .string)
            .field("batch_id", .int).field("recorded_by", .string, .required).field("recorded_at", .datetime, .required)
            .field("voided_reason", .string).create()
        try await db.schema("support_batches")
            .field("id", .int, .identifier(auto: true))
            .field("created_by", .string, .required).field("created_at", .datetime, .required).field("file_name", .string, .required)
            .field("status", .string, .required).field("rows", .string, .required).field("problems", .string, .required)
            .field("communes", .string, .required).field("committed_at", .datetime).create()
        try await db.schema("livelihood_models")
            .field("id", .int, .identifier(auto: true))
            .field("commune_code", .string, .required).field("village", .string).field("name", .string, .required).field("kind", .string, .required)
            .field("programme_code", .string).field("start_year", .int, .required).field("budget", .int64, .required).field("source", .string, .required)
            .field("description", .string).field("created_by", .string, .required).field("version", .int, .required).create()
        try await db.schema("model_participants")
            .field("id", .int, .identifier(auto: true))
            .field("model_id", .int, .required).field("household_id", .int, .required).field("joined_year", .int, .required)
            .unique(on: "model_id", "household_id").create()
        try await db.schema("model_results")
            .field("id", .int, .identifier(auto: true))
            .field("model_id", .int, .required).field("year", .int, .required).field("output", .string, .required)
            .field("revenue", .int64).field("note", .string).field("recorded_by", .string, .required).create()
        try await db.schema("fund_entries")
            .field("id", .int, .identifier(auto: true))
            .field("unit_code", .string, .required).field("entry_date", .string, .required).field("kind", .string, .required)
            .field("amount", .int64, .required).field("party", .string, .required).field("note", .string)
            .field("recorded_by", .string, .required).field("recorded_at", .datetime, .required).create()
        try await db.schema("support_budgets")
            .field("id", .int, .identifier(auto: true))
            .field("unit_code", .string, .required).field("year", .int, .required).field("programme_code", .string, .required)
            .field("source", .string, .required).field("amount", .int64, .required).field("note", .string).field("created_by", .string, .required).create()
        let sql = db as! any SQLDatabase
        try await sql.raw("CREATE INDEX support_records_commune ON support_records (commune_code, year)").run()
        try await sql.raw("CREATE INDEX support_records_household ON support_records (household_id)").run()
    }
    public func revert(on db: any Database) async throws {
        for t in ["support_plans", "support_needs", "support_visits", "support_records", "support_batches", "livelihood_models",
                  "model_participants", "model_results", "fund_entries", "support_budgets"] { try await db.schema(t).delete() }
    }
}

/// One support given, as stored (and as lists show it).
public struct SupportRecord: Codable, Sendable, Equatable {
    public var id: Int
    public var household_id: Int
    public var member_id: String?
    public var member_name: String?
    public var commune_code: String
    public var village: String?
    public var policy_code: String
    public var programme_code: String?
    public var form: String
    public var amount: Int
    public var quantity: String?
    public var given_on: String
    public var year: Int
    public var source: String
    public var indicator: String?
    public var cause: String?
    public var note: String?
    public var eligible: Int
    public var eligibility_note: String
    public var override_reason: String?
    public var batch_id: Int?
    public var recorded_by: String
    public var voided_reason: String?
    /// Joined from the household for lists.
    public var head_name: String?
    public var household_code: String?
    public var date: CivilDate? { CivilDate(given_on) }
}

/// A support as typed in a form or a row of a file; every field is text so messages can quote it.
public struct SupportInput: Sendable, Equatable {
    public var household = "", member = "", policy = "", programme = "", form = "", amount = "", quantity = ""
    public var date = "", source = "", indicator = "", cause = "", note = "", reason = ""
    public init() {}
    public init(_ d: [String: String]) {
        func v(_ k: String) -> String { (d[k] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        household = v("household"); member = v("member"); policy = v("policy"); programme = v("programme"); form = v("form")
        amount = v("amount"); quantity = v("quantity"); date = v("date"); source = v("source"); indicator = v("indicator")
        cause = v("cause"); note = v("note"); reason = v("reason")
    }
    /// A stored record as the form shows it (the correction form starts from it).
    public init(_ r: SupportRecord) {
        household = r.household_code ?? ""; member = r.member_id ?? ""; policy = r.policy_code; programme = r.programme_code ?? ""
        form = r.form; amount = String(r.amount); quantity = r.quantity ?? ""; date = r.date?.vietnamese ?? r.given_on
        source = r.source; indicator = r.indicator ?? ""; cause = r.cause ?? ""; note = r.note ?? ""; reason = r.override_reason ?? ""
    }
    /// The import's header spellings (accent-folded) → field.
    public static let headers: [String: String] = [
        "ma ho": "household", "household": "household", "ma ho gia dinh": "household",
        "thanh vien": "member", "ma thanh vien": "member", "nguoi nhan": "member", "member": "member", "nhan khau": "member",
        "chinh sach": "policy", "ma chinh sach": "policy", "policy": "policy",
        "chuong trinh": "programme", "ma chuong trinh": "programme", "du an": "programme", "programme": "programme",
        "hinh thuc": "form", "form": "form", "so tien": "amount", "so tien (dong)": "amount", "gia tri": "amount", "amount": "amount",
        "so luong": "quantity", "quantity": "quantity", "ngay": "date", "ngay ho tro": "date", "date": "date",
        "nguon": "source", "nguon kinh phi": "source", "nguon von": "source", "source": "source",
        "chi so thieu hut": "indicator", "indicator": "indicator", "nguyen nhan": "cause", "cause": "cause",
        "ghi chu": "note", "note": "note", "ly do": "reason", "ly do (neu khong dung doi tuong)": "reason", "reason": "reason"]
}

/// What is wrong with one input row; a file's list says "Dòng N: …", a form shows the message alone.
public struct RowProblem: Sendable, Equatable {
    public var line: Int, message: String
    public var text: String { "Dòng \(line): \(message)" }
}

/// Parsed, checked and ready to write; `warning` is set when the household is not eligible.
public struct PreparedSupport: Codable, Sendable, Equatable {
    public var line: Int
    public var householdID: Int
    public var householdCode: String
    public var headName: String
    public var commune: String
    public var village: String?
    public var memberID: String?
    public var memberName: String?
    public var policy: String
    public var programme: String?
    public var form: String
    public var amount: Int
    public var quantity: String?
    public var date: String
    public var source: String
    public var indicator: String?
    public var cause: String?
    public var note: String?
    public var eligible: Bool
    public var eligibilityNote: String
    public var reason: String?
}

/// A file of supports checked and kept until an officer commits it (all rows) or cancels it.
public struct SupportBatch: Sendable {
    public var id: Int, createdBy: String, createdAt: Date, fileName: String, status: String
    public var rows: [PreparedSupport], problems: [String], communes: [String]
    public var warnings: [PreparedSupport] { rows.filter { !$0.eligible } }
}

public struct LivelihoodModel: Codable, Sendable {
    public var id: Int, commune_code: String, village: String?, name: String, kind: String, programme_code: String?
    public var start_year: Int, budget: Int, source: String, description: String?, created_by: String, version: Int
}

public struct FundEntry: Codable, Sendable {
    public var id: Int, unit_code: String, entry_date: String, kind: String, amount: Int, party: String, note: String?, recorded_by: String
}

public struct SupportStore: Sendable {
    public let store: HouseholdStore
    public let catalogue: SupportCatalogue
    public init(store: HouseholdStore, catalogue: SupportCatalogue) { self.store = store; self.catalogue = catalogue }
    var today: CivilDate { store.engine.defaultDate }

    // MARK: status and eligibility

    public struct Status: Sendable {
        public var timeline: StatusTimeline, minority: Bool, meritorious: Bool
        public func facts(on day: CivilDate) -> EligibilityFacts { timeline.facts(on: day, minority: minority, meritorious: meritorious) }
    }

    static func civil(_ d: Date) -> CivilDate { CivilDate(dayNumber: Int((d.timeIntervalSince1970 / 86_400).rounded(.down))) }

    /// The recognised history of these households (one query each for households and years).
    public func statuses(_ ids: [Int], on db: any Database) async throws -> [Int: Status] {
        guard !ids.isEmpty else { return [:] }
        let sql = db as! any SQLDatabase
        struct H: Decodable { var id: Int; var category: String; var ethnic_minority_head: Bool; var meritorious: Bool }
        struct Y: Decodable { var household_id: Int; var year: Int; var category: String; var decided_at: Date? }
        var out: [Int: Status] = [:]
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            let hs = try await sql.select().columns("id", "category", "ethnic_minority_head", "meritorious").from("households")
                .where("id", .in, chunk).all(decoding: H.self)
            let ys = try await sql.select().columns("household_id", "year", "category", "decided_at").from("household_years")
                .where("household_id", .in, chunk).where("recognised", .equal, true).all(decoding: Y.self)
            let byHousehold = Dictionary(grouping: ys, by: \.household_id)
            for h in hs {
                let entries = (byHousehold[h.id] ?? []).compactMap { y in
                    Category(rawValue: y.category).map { StatusTimeline.Entry(year: y.year, category: $0, decided: y.decided_at.map(Self.civil)) }
                }
                out[h.id] = Status(timeline: StatusTimeline(entries: entries, current: Category(rawValue: h.category)),
                                   minority: h.ethnic_minority_head, meritorious: h.meritorious)
            }
        }
        return out
    }

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
        let sql = db as! any SQLDatabase
        let keys = Array(Set(inputs.map(\.input.household).filter { !$0.isEmpty }))
        var refs: [String: HouseholdRef] = [:]
        // By household code only: a number in a file is never taken for an internal id (it could be another household).
        for chunk in stride(from: 0, to: keys.count, by: 500).map({ Array(keys[$0..<min($0 + 500, keys.count)]) }) {
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
        guard scope.canWrite else { throw ScopeError(.forbidden) }
        let why = correction.trimmingCharacters(in: .whitespaces)
        if replacing != nil && why.isEmpty { throw ScopeError(.invalid("Cần ghi lý do sửa khoản hỗ trợ.")) }
        let (rows, problems) = try await prepare(scope, [(1, input)], on: db)
        if let p = problems.first { throw ScopeError(.invalid(p.message)) }
        let row = rows[0]
        if !row.eligible && (row.reason ?? "").isEmpty { throw NeedsReason(prepared: row) }
        return try await store.writing(db) { tx in
            if let old = replacing {
                let sql = tx as! any SQLDatabase
                struct R: Decodable { var household_id: Int; var commune_code: String }
                guard let r = try await sql.select().columns("household_id", "commune_code").from("support_records").where("id", .equal, old)
                    .first(decoding: R.self), scope.allows(commune: r.commune_code) else { throw ScopeError(.notFound) }
                // Claimed with RETURNING: a record voided or corrected meanwhile is not corrected twice.
                let claimed = try await sql.update("support_records").set("voided_reason", to: "Sửa: \(why)").where("id", .equal, old)
                    .where("voided_reason", .is, SQLLiteral.null).returning("id").all()
                guard !claimed.isEmpty else { throw ScopeError(.invalid("Khoản hỗ trợ #\(old) đã bị huỷ hoặc sửa trước đó; không sửa lại.")) }
                try await AuditEntry(username: scope.username, householdID: r.household_id, action: "support.void", field: "Hỗ trợ #\(old)",
                                     newValue: "huỷ để sửa", reason: why).create(on: tx)
            }
            return try await self.insert([row], batch: nil, scope: scope, on: tx)
        }
    }

    /// One record within the scope (the correction form).
    public func record(_ scope: Scope, id: Int, on db: any Database) async throws -> SupportRecord {
        guard let r = try await (db as! any SQLDatabase).select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("r")))
            .column(SQLColumn("head_name", table: "h")).column(SQLAlias(SQLColumn("code", table: "h"), as: SQLIdentifier("household_code")))
            .from(SQLAlias(SQLIdentifier("support_records"), as: SQLIdentifier("r")))
            .join(SQLAlias(SQLIdentifier("households"), as: SQLIdentifier("h")), on: SQLColumn("household_id", table: "r"), .equal, SQLColumn("id", table: "h"))
            .where(SQLColumn("id", table: "r"), .equal, SQLBind(id)).first(decoding: SupportRecord.self),
              scope.allows(commune: r.commune_code) else { throw ScopeError(.notFound) }
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
        let sql = tx as! any SQLDatabase
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
        for chunk in stride(from: 0, to: rows.count, by: 100).map({ rows[$0..<min($0 + 100, rows.count)] }) {
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
        guard scope.canWrite else { throw ScopeError(.forbidden) }
        let why = reason.trimmingCharacters(in: .whitespaces)
        guard !why.isEmpty else { throw ScopeError(.invalid("Cần ghi lý do huỷ bản ghi hỗ trợ.")) }
        try await store.writing(db) { tx in
            let sql = tx as! any SQLDatabase
            struct R: Decodable { var household_id: Int; var commune_code: String; var voided_reason: String? }
            guard let r = try await sql.select().columns("household_id", "commune_code", "voided_reason").from("support_records").where("id", .equal, id)
                .first(decoding: R.self), scope.allows(commune: r.commune_code) else { throw ScopeError(.notFound) }
            guard r.voided_reason == nil else { throw ScopeError(.invalid("Bản ghi này đã huỷ.")) }
            try await sql.update("support_records").set("voided_reason", to: why).where("id", .equal, id).run()
            try await AuditEntry(username: scope.username, householdID: r.household_id, action: "support.void", field: "Hỗ trợ #\(id)", newValue: "huỷ", reason: why).create(on: tx)
        }
    }

    // MARK: lists

    public struct RecordFilter: Sendable {
        public var communes: [String]? = nil
        public var village: String? = nil
        public var household: Int? = nil
        public var policy: String? = nil
        public var from: CivilDate? = nil
        public var to: CivilDate? = nil
        public var includeVoided = false
        public var onlyIneligible = false
        /// Words of the head's name or the household code, accent-insensitive (đ/Đ too).
        public var text: String? = nil
        public var limit = 2000
        public init() {}
    }

    /// Records within the scope (nil scope: the public page, which passes its commune in the filter).
    public func records(_ scope: Scope?, _ f: RecordFilter, on db: any Database) async throws -> [SupportRecord] {
        let sql = db as! any SQLDatabase
        var q = sql.select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("r")))
            .column(SQLColumn("head_name", table: "h")).column(SQLAlias(SQLColumn("code", table: "h"), as: SQLIdentifier("household_code")))
            .from(SQLAlias(SQLIdentifier("support_records"), as: SQLIdentifier("r")))
            .join(SQLAlias(SQLIdentifier("households"), as: SQLIdentifier("h")), on: SQLColumn("household_id", table: "r"), .equal, SQLColumn("id", table: "h"))
        // A household's own list follows the household (its current commune sees the support its former one gave);
        // other lists follow the commune that gave the support.
        if let c = scope?.communes { q = q.where(SQLColumn("commune_code", table: f.household == nil ? "r" : "h"), .in, SQLBind.group(c.sorted())) }
        if let c = f.communes { q = q.where(SQLColumn("commune_code", table: "r"), .in, SQLBind.group(c)) }
        if let v = f.village, !v.isEmpty { q = q.where(SQLColumn("village", table: "r"), .equal, SQLBind(v)) }
        if let h = f.household { q = q.where(SQLColumn("household_id", table: "r"), .equal, SQLBind(h)) }
        if let p = f.policy, !p.isEmpty { q = q.where(SQLColumn("policy_code", table: "r"), .equal, SQLBind(p)) }
        if let d = f.from { q = q.where(SQLColumn("given_on", table: "r"), .greaterThanOrEqual, SQLBind(d.description)) }
        if let d = f.to { q = q.where(SQLColumn("given_on", table: "r"), .lessThanOrEqual, SQLBind(d.description)) }
        if !f.includeVoided { q = q.where(SQLColumn("voided_reason", table: "r"), .is, SQLLiteral.null) }
        if f.onlyIneligible { q = q.where(SQLColumn("eligible", table: "r"), .equal, SQLBind(0)) }
        for word in VietnameseText.fold(f.text ?? "").split(separator: " ") {
            let w = word.filter { $0 != "%" && $0 != "_" }
            if !w.isEmpty { q = q.where(SQLColumn("search_text", table: "h"), .like, SQLBind("%\(w)%")) }
        }
        return try await q.orderBy(SQLColumn("village", table: "r")).orderBy(SQLColumn("given_on", table: "r")).orderBy(SQLColumn("id", table: "r"))
            .limit(f.limit).all(decoding: SupportRecord.self)
    }

    // MARK: the household's plan

    public struct PlanRow: Codable, Sendable {
        public var id: Int, household_id: Int, year: Int, commitment: Int, helper_name: String?, helper_org: String?, helper_contact: String?
        public var note: String?, updated_by: String, version: Int
    }
    public struct Need: Codable, Sendable, Equatable {
        public var indicator: String?, cause: String?, policy_code: String?, description: String?
        public init(indicator: String?, cause: String?, policy_code: String?, description: String?) {
            self.indicator = indicator; self.cause = cause; self.policy_code = policy_code; self.description = description
        }
    }
    public struct Visit: Codable, Sendable { public var id: Int; public var visited_on: String; public var visitor: String; public var note: String }
    public struct SupportPlan: Sendable { public var row: PlanRow?; public var needs: [Need]; public var visits: [Visit] }

    public func plan(_ scope: Scope, householdID: Int, year: Int, on db: any Database) async throws -> SupportPlan {
        try await plan(scope, household: try await store.get(scope, id: householdID, on: db), year: year, on: db)
    }

    /// The plan of a household the caller has just read (the household page): no second read of the household.
    public func plan(_ scope: Scope, household: HouseholdRecord, year: Int, on db: any Database) async throws -> SupportPlan {
        guard let householdID = household.id, scope.allows(commune: household.communeCode) else { throw ScopeError(.notFound) }
        let sql = db as! any SQLDatabase
        let row = try await sql.select().column("*").from("support_plans").where("household_id", .equal, householdID).where("year", .equal, year)
            .first(decoding: PlanRow.self)
        var needs: [Need] = []
        if let r = row {
            needs = try await sql.select().columns("indicator", "cause", "policy_code", "description").from("support_needs").where("plan_id", .equal, r.id)
                .orderBy("id").all(decoding: Need.self)
        }
        let visits = try await sql.select().columns("id", "visited_on", "visitor", "note").from("support_visits").where("household_id", .equal, householdID)
            .orderBy("visited_on", .descending).all(decoding: Visit.self)
        return SupportPlan(row: row, needs: needs, visits: visits)
    }

    public struct PlanInput: Sendable {
        public var commitment: Bool, helperName: String, helperOrg: String, helperContact: String, note: String, needs: [Need]
        public init(commitment: Bool, helperName: String, helperOrg: String, helperContact: String, note: String, needs: [Need]) {
            self.commitment = commitment; self.helperName = helperName; self.helperOrg = helperOrg; self.helperContact = helperContact
            self.note = note; self.needs = needs
        }
    }

    /// Saves the year's plan; `expectedVersion` 0 creates it. A plan saved by someone else meanwhile is a conflict.
    public func savePlan(_ scope: Scope, householdID: Int, year: Int, _ p: PlanInput, expectedVersion: Int, on db: any Database) async throws {
        guard scope.canWrite else { throw ScopeError(.forbidden) }
        let h = try await store.get(scope, id: householdID, on: db)
        for n in p.needs {
            if let c = n.policy_code, !c.isEmpty, catalogue.policy(c) == nil { throw ScopeError(.invalid("Chính sách '\(c)' không có trong danh mục.")) }
        }
        try await store.writing(db) { tx in
            let sql = tx as! any SQLDatabase
            let old = try await sql.select().column("*").from("support_plans").where("household_id", .equal, householdID).where("year", .equal, year)
                .first(decoding: PlanRow.self)
            guard (old?.version ?? 0) == expectedVersion else { throw ScopeError(.conflict(currentVersion: old?.version ?? 0)) }
            func blank(_ s: String) -> String? { s.trimmingCharacters(in: .whitespaces).isEmpty ? nil : s.trimmingCharacters(in: .whitespaces) }
            let planID: Int
            if let old {
                let claimed = try await sql.update("support_plans").set("commitment", to: p.commitment ? 1 : 0).set("helper_name", to: blank(p.helperName))
                    .set("helper_org", to: blank(p.helperOrg)).set("helper_contact", to: blank(p.helperContact)).set("note", to: blank(p.note))
                    .set("updated_by", to: scope.username).set("updated_at", to: Date()).set("version", to: old.version + 1)
                    .where("id", .equal, old.id).where("version", .equal, old.version).returning("id").all()
                // Someone saved between our read and this write (PostgreSQL re-checks the version after the lock): refuse.
                if claimed.isEmpty { throw ScopeError(.conflict(currentVersion: old.version + 1)) }
                try await sql.delete(from: "support_needs").where("plan_id", .equal, old.id).run()
                planID = old.id
            } else {
                let out = try await sql.insert(into: "support_plans")
                    .columns("household_id", "year", "commune_code", "commitment", "helper_name", "helper_org", "helper_contact", "note", "updated_by", "updated_at", "version")
                    .values(SQLBind(householdID), SQLBind(year), SQLBind(h.communeCode), SQLBind(p.commitment ? 1 : 0), SQLBind(blank(p.helperName)),
                            SQLBind(blank(p.helperOrg)), SQLBind(blank(p.helperContact)), SQLBind(blank(p.note)), SQLBind(scope.username), SQLBind(Date()), SQLBind(1))
                    .returning("id").all()
                planID = try out[0].decode(column: "id", as: Int.self)
            }
            for n in p.needs where n.policy_code?.isEmpty == false || n.description?.isEmpty == false {
                try await sql.insert(into: "support_needs").columns("plan_id", "household_id", "indicator", "cause", "policy_code", "description")
                    .values(SQLBind(planID), SQLBind(householdID), SQLBind(n.indicator), SQLBind(n.cause), SQLBind(n.policy_code?.isEmpty == false ? n.policy_code : nil),
                            SQLBind(n.description?.isEmpty == false ? n.description : nil)).run()
            }
            let helper = [blank(p.helperName), blank(p.helperOrg)].compactMap { $0 }.joined(separator: ", ")
            try await AuditEntry(username: scope.username, householdID: householdID, action: "support.plan", field: "Kế hoạch hỗ trợ \(year)",
                                 oldValue: old.map { [$0.helper_name, $0.helper_org].compactMap { $0 }.joined(separator: ", ") },
                                 newValue: "\(p.commitment ? "đăng ký thoát nghèo; " : "")người giúp đỡ: \(helper.isEmpty ? "chưa phân công" : helper); \(p.needs.count) nhu cầu").create(on: tx)
        }
    }

    public func addVisit(_ scope: Scope, householdID: Int, date: String, visitor: String, note: String, on db: any Database) async throws {
        guard scope.canWrite else { throw ScopeError(.forbidden) }
        _ = try await store.get(scope, id: householdID, on: db)
        guard let d = CivilDate(date), d <= today else { throw ScopeError(.invalid("Ngày thăm '\(date)' không hợp lệ hoặc ở sau hôm nay.")) }
        let who = visitor.trimmingCharacters(in: .whitespaces), what = note.trimmingCharacters(in: .whitespaces)
        guard !who.isEmpty, !what.isEmpty else { throw ScopeError(.invalid("Cần ghi người đến thăm và nội dung.")) }
        try await store.writing(db) { tx in
            try await (tx as! any SQLDatabase).insert(into: "support_visits").columns("household_id", "visited_on", "visitor", "note", "created_by", "created_at")
                .values(SQLBind(householdID), SQLBind(d.description), SQLBind(who), SQLBind(what), SQLBind(scope.username), SQLBind(Date())).run()
            try await AuditEntry(username: scope.username, householdID: householdID, action: "support.visit", field: "Thăm hộ \(d.vietnamese)", newValue: "\(who): \(what)").create(on: tx)
        }
    }

    // MARK: staged import (issue 7 §3): checked first, written all together or not at all

    public func stage(_ scope: Scope, fileName: String, rows: [(line: Int, values: [String: String])], on db: any Database) async throws -> Int {
        guard scope.canWrite else { throw ScopeError(.forbidden) }
        guard !rows.isEmpty else { throw ScopeError(.invalid("Tệp không có dòng dữ liệu nào.")) }
        let (prepared, problems) = try await prepare(scope, rows.map { ($0.line, SupportInput($0.values)) }, on: db)
        let enc = JSONEncoder()
        let communes = Set(prepared.map(\.commune)).sorted().joined(separator: ",")
        return try await store.writing(db) { tx in
            let out = try await (tx as! any SQLDatabase).insert(into: "support_batches")
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
        guard let r = try await (db as! any SQLDatabase).select().column("*").from("support_batches").where("id", .equal, id).first(decoding: R.self) else {
            throw ScopeError(.notFound)
        }
        let communes = r.communes.split(separator: ",").map(String.init)
        guard r.created_by == scope.username || scope.communes == nil || (!communes.isEmpty && communes.allSatisfy(scope.allows)) else { throw ScopeError(.notFound) }
        let dec = JSONDecoder()
        return SupportBatch(id: r.id, createdBy: r.created_by, createdAt: r.created_at, fileName: r.file_name, status: r.status,
                            rows: (try? dec.decode([PreparedSupport].self, from: Data(r.rows.utf8))) ?? [],
                            problems: (try? dec.decode([String].self, from: Data(r.problems.utf8))) ?? [], communes: communes)
    }

    /// Writes every row of a checked batch or none: a batch with errors is refused; rows for households the
    /// policy is not for need their own reason or `reason` for all of them. The rows are checked again
    /// against the registry as it is now (a household archived since the check stops the commit).
    public func commit(_ scope: Scope, id: Int, reason: String, on db: any Database) async throws -> Int {
        guard scope.canWrite else { throw ScopeError(.forbidden) }
        let b = try await batch(scope, id: id, on: db)
        guard b.status == "checked" else { throw ScopeError(.invalid("Tệp này đã \(b.status == "committed" ? "ghi" : "huỷ"); không ghi lại được.")) }
        guard b.problems.isEmpty else { throw ScopeError(.invalid("Tệp còn \(b.problems.count) dòng lỗi; sửa tệp rồi tải lên lại. Không dòng nào được ghi.")) }
        let why = reason.trimmingCharacters(in: .whitespaces)
        let lacking = b.rows.filter { !$0.eligible && ($0.reason ?? "").isEmpty }
        if !lacking.isEmpty && why.isEmpty {
            throw ScopeError(.invalid("\(lacking.count) dòng không đúng đối tượng chưa có lý do (dòng \(lacking.prefix(10).map { String($0.line) }.joined(separator: ", "))); ghi lý do chung hoặc sửa tệp."))
        }
        let rows = b.rows.map { r -> PreparedSupport in var r = r; if !r.eligible && (r.reason ?? "").isEmpty { r.reason = why }; return r }
        return try await store.writing(db) { tx in
            let sql = tx as! any SQLDatabase
            // Claim the batch first: a second commit of the same file finds it no longer "checked".
            struct N: Decodable { var n: Int }
            let claimed = try await sql.update("support_batches").set("status", to: "committed").set("committed_at", to: Date())
                .where("id", .equal, id).where("status", .equal, "checked").returning("id").all()
            guard !claimed.isEmpty else { throw ScopeError(.invalid("Tệp này vừa được ghi bởi người khác; không ghi lại.")) }
            let live = try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("households")
                .where("id", .in, Array(Set(rows.map(\.householdID)))).where("archived_reason", .is, SQLLiteral.null).first(decoding: N.self)?.n ?? 0
            guard live == Set(rows.map(\.householdID)).count else {
                throw ScopeError(.invalid("Có hộ trong tệp đã bị lưu trữ hoặc chuyển đi từ lúc kiểm tra; hãy tải tệp lên lại. Không dòng nào được ghi."))
            }
            return try await self.insert(rows, batch: id, scope: scope, on: tx)
        }
    }

    public func cancel(_ scope: Scope, id: Int, on db: any Database) async throws {
        let b = try await batch(scope, id: id, on: db)
        guard b.status == "checked" else { return }
        try await store.writing(db) { tx in
            try await (tx as! any SQLDatabase).update("support_batches").set("status", to: "cancelled").where("id", .equal, id).run()
        }
    }

    // MARK: livelihood models (issue 7 §4)

    public func models(_ scope: Scope?, communes: [String]? = nil, on db: any Database) async throws -> [LivelihoodModel] {
        var q = (db as! any SQLDatabase).select().column("*").from("livelihood_models")
        if let c = scope?.communes { q = q.where("commune_code", .in, c.sorted()) }
        if let c = communes { q = q.where("commune_code", .in, c) }
        return try await q.orderBy("commune_code").orderBy("start_year", .descending).orderBy("id").all(decoding: LivelihoodModel.self)
    }

    public func model(_ scope: Scope, id: Int, on db: any Database) async throws -> LivelihoodModel {
        guard let m = try await (db as! any SQLDatabase).select().column("*").from("livelihood_models").where("id", .equal, id).first(decoding: LivelihoodModel.self),
              scope.allows(commune: m.commune_code) else { throw ScopeError(.notFound) }
        return m
    }

    public func createModel(_ scope: Scope, commune: String, village: String?, name: String, kind: String, programme: String?, startYear: Int,
                            budget: String, source: String, description: String?, on db: any Database) async throws -> Int {
        guard scope.canWrite, scope.allows(commune: commune), store.units.unit(commune, in: .y2025) != nil else { throw ScopeError(.forbidden) }
        var errs: [String] = []
        if name.trimmingCharacters(in: .whitespaces).isEmpty { errs.append("cần tên mô hình") }
        if kind.trimmingCharacters(in: .whitespaces).isEmpty { errs.append("cần loại mô hình") }
        let amount = Self.amount(budget)
        if amount == nil { errs.append("kinh phí '\(budget)' không hợp lệ") }
        let src = FundingSource.parse(source)
        if src == nil { errs.append("nguồn kinh phí '\(source)' không hiểu") }
        if let p = programme, !p.isEmpty, catalogue.programme(p) == nil { errs.append("chương trình '\(p)' không có trong danh mục") }
        if !(2000...today.year).contains(startYear) { errs.append("năm bắt đầu \(startYear) không hợp lệ") }
        guard errs.isEmpty, let amount, let src else { throw ScopeError(.invalid(errs.joined(separator: "; ").capitalizedFirst + ".")) }
        return try await store.writing(db) { tx in
            let out = try await (tx as! any SQLDatabase).insert(into: "livelihood_models")
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
        try await (db as! any SQLDatabase).raw("""
            SELECT p.household_id, h.code, h.head_name, h.category, p.joined_year FROM model_participants p JOIN households h ON h.id = p.household_id
            WHERE p.model_id = \(bind: modelID) ORDER BY h.code
            """).all(decoding: Participant.self)
    }

    /// Participants and those among them no longer poor, per model, in one query (the list of a province's models).
    public func participantCounts(modelIDs: [Int], on db: any Database) async throws -> [Int: (households: Int, notPoor: Int)] {
        guard !modelIDs.isEmpty else { return [:] }
        struct C: Decodable { var model_id: Int; var n: Int; var not_poor: Int }
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT p.model_id, COUNT(*) AS n, SUM(CASE WHEN h.category <> 'poor' THEN 1 ELSE 0 END) AS not_poor
            FROM model_participants p JOIN households h ON h.id = p.household_id WHERE p.model_id IN \(SQLBind.group(modelIDs)) GROUP BY p.model_id
            """).all(decoding: C.self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.model_id, ($0.n, $0.not_poor)) })
    }

    public func results(modelID: Int, on db: any Database) async throws -> [ModelResult] {
        try await (db as! any SQLDatabase).select().columns("year", "output", "revenue", "note", "recorded_by").from("model_results")
            .where("model_id", .equal, modelID).orderBy("year").orderBy("id").all(decoding: ModelResult.self)
    }

    public func addParticipant(_ scope: Scope, modelID: Int, household: String, year: Int, on db: any Database) async throws {
        guard scope.canWrite else { throw ScopeError(.forbidden) }
        let m = try await model(scope, id: modelID, on: db)
        guard let h = try await store.scoped(scope, on: db).filter(\.$code == household).first() else {
            throw ScopeError(.invalid("Mã hộ '\(household)' không có trong sổ hộ của địa bàn bạn phụ trách."))
        }
        guard h.communeCode == m.commune_code else { throw ScopeError(.invalid("Hộ \(household) không ở xã của mô hình.")) }
        try await store.writing(db) { tx in
            let sql = tx as! any SQLDatabase
            struct N: Decodable { var n: Int }
            let n = try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("model_participants")
                .where("model_id", .equal, modelID).where("household_id", .equal, h.id!).first(decoding: N.self)?.n ?? 0
            guard n == 0 else { throw ScopeError(.invalid("Hộ \(household) đã tham gia mô hình này.")) }
            try await sql.insert(into: "model_participants").columns("model_id", "household_id", "joined_year").values(SQLBind(modelID), SQLBind(h.id!), SQLBind(year)).run()
            try await AuditEntry(username: scope.username, householdID: h.id, action: "model.join", field: "Mô hình #\(modelID)", newValue: "\(m.name) từ năm \(year)").create(on: tx)
        }
    }

    public func addResult(_ scope: Scope, modelID: Int, year: Int, output: String, revenue: String, note: String, on db: any Database) async throws {
        guard scope.canWrite else { throw ScopeError(.forbidden) }
        let m = try await model(scope, id: modelID, on: db)
        guard !output.trimmingCharacters(in: .whitespaces).isEmpty else { throw ScopeError(.invalid("Cần ghi kết quả (sản lượng, số con, diện tích…).")) }
        let rev = revenue.isEmpty ? nil : Self.amount(revenue)
        if !revenue.isEmpty && rev == nil { throw ScopeError(.invalid("Doanh thu '\(revenue)' không hợp lệ.")) }
        guard (m.start_year...today.year).contains(year) else { throw ScopeError(.invalid("Năm \(year) phải từ năm bắt đầu \(m.start_year) đến nay.")) }
        try await store.writing(db) { tx in
            try await (tx as! any SQLDatabase).insert(into: "model_results").columns("model_id", "year", "output", "revenue", "note", "recorded_by")
                .values(SQLBind(modelID), SQLBind(year), SQLBind(output), SQLBind(rev.map(Int64.init)), SQLBind(note.isEmpty ? nil : note), SQLBind(scope.username)).run()
            try await AuditEntry(username: scope.username, householdID: nil, action: "model.result", field: "Mô hình #\(modelID) năm \(year)", newValue: output).create(on: tx)
        }
    }

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
        if let scope, !visibleUnit(scope, unit) { throw ScopeError(.notFound) }
        let sql = db as! any SQLDatabase
        let entries = try await sql.select().column("*").from("fund_entries").where("unit_code", .equal, unit).orderBy("entry_date").orderBy("id").all(decoding: FundEntry.self)
        var f = RecordFilter()
        f.communes = [unit]
        f.limit = 100_000
        let payouts = try await records(nil, f, on: db).filter { $0.source == FundingSource.fund.rawValue }
        return ForThePoorFund(entries: entries, supportPayouts: payouts)
    }

    public func addFundEntry(_ scope: Scope, unit: String, date: String, kind: String, amount: String, party: String, note: String, on db: any Database) async throws {
        guard canKeep(scope, unit) else { throw ScopeError(.forbidden) }
        var errs: [String] = []
        let d = CivilDate(date)
        if d == nil { errs.append("ngày '\(date)' không hợp lệ") } else if d! > today { errs.append("ngày \(d!.vietnamese) ở sau hôm nay") }
        if kind != "donation" && kind != "payout" { errs.append("loại phải là tiếp nhận hoặc chi") }
        let n = Self.amount(amount)
        if n == nil || n == 0 { errs.append("số tiền '\(amount)' không hợp lệ") }
        if party.trimmingCharacters(in: .whitespaces).isEmpty { errs.append(kind == "donation" ? "cần tên người/đơn vị ủng hộ" : "cần nội dung chi") }
        guard errs.isEmpty, let d, let n else { throw ScopeError(.invalid(errs.joined(separator: "; ").capitalizedFirst + ".")) }
        try await store.writing(db) { tx in
            // The balance is read in the write transaction: two payouts cannot both spend the same money.
            if kind == "payout" {
                let ledger = try await self.fund(scope, unit: unit, on: tx)
                if n > ledger.balance { throw ScopeError(.invalid("Số chi \(Format.money(n)) đ lớn hơn số dư quỹ \(Format.money(ledger.balance)) đ.")) }
            }
            try await (tx as! any SQLDatabase).insert(into: "fund_entries").columns("unit_code", "entry_date", "kind", "amount", "party", "note", "recorded_by", "recorded_at")
                .values(SQLBind(unit), SQLBind(d.description), SQLBind(kind), SQLBind(Int64(n)), SQLBind(party), SQLBind(note.isEmpty ? nil : note), SQLBind(scope.username), SQLBind(Date())).run()
            try await AuditEntry(username: scope.username, householdID: nil, action: "fund.\(kind)", field: "Quỹ Vì người nghèo \(unit)",
                                 newValue: "\(kind == "donation" ? "Tiếp nhận" : "Chi") \(Format.money(n)) đ: \(party)").create(on: tx)
        }
    }

    // MARK: budgets and disbursement (issue 7 §7)

    public struct Budget: Codable, Sendable { public var id: Int; public var unit_code: String; public var year: Int; public var programme_code: String; public var source: String; public var amount: Int; public var note: String? }

    public func addBudget(_ scope: Scope, unit: String, year: Int, programme: String, source: String, amount: String, note: String, on db: any Database) async throws {
        guard canKeep(scope, unit) else { throw ScopeError(.forbidden) }
        var errs: [String] = []
        if catalogue.programme(programme) == nil { errs.append("chương trình '\(programme)' không có trong danh mục") }
        else if !catalogue.programme(programme)!.covers(year: year) { errs.append("chương trình '\(programme)' không áp dụng năm \(year)") }
        let src = FundingSource.parse(source)
        if src == nil { errs.append("nguồn '\(source)' không hiểu") }
        let n = Self.amount(amount)
        if n == nil || n == 0 { errs.append("số tiền '\(amount)' không hợp lệ") }
        guard errs.isEmpty, let src, let n else { throw ScopeError(.invalid(errs.joined(separator: "; ").capitalizedFirst + ".")) }
        try await store.writing(db) { tx in
            try await (tx as! any SQLDatabase).insert(into: "support_budgets").columns("unit_code", "year", "programme_code", "source", "amount", "note", "created_by")
                .values(SQLBind(unit), SQLBind(year), SQLBind(programme), SQLBind(src.rawValue), SQLBind(Int64(n)), SQLBind(note.isEmpty ? nil : note), SQLBind(scope.username)).run()
            try await AuditEntry(username: scope.username, householdID: nil, action: "budget.add", field: "Kinh phí \(unit) \(year)", newValue: "\(programme): \(Format.money(n)) đ").create(on: tx)
        }
    }

    public func budgets(_ scope: Scope, year: Int, on db: any Database) async throws -> [Budget] {
        try await (db as! any SQLDatabase).select().column("*").from("support_budgets").where("year", .equal, year).orderBy("unit_code").orderBy("programme_code")
            .all(decoding: Budget.self).filter { visibleUnit(scope, $0.unit_code) }
    }

    /// Amounts given per (commune, programme item, form) in a year, summed in SQL.
    public struct Spent: Codable, Sendable { public var commune_code: String; public var programme_code: String?; public var form: String; public var amount: Int; public var n: Int }
    public func spent(_ scope: Scope, year: Int, communes: [String]? = nil, on db: any Database) async throws -> [Spent] {
        var q = (db as! any SQLDatabase).select().columns("commune_code", "programme_code", "form")
            // SUM of a bigint is numeric on PostgreSQL: cast back so both databases decode an integer.
            .column(SQLRaw("CAST(SUM(amount) AS BIGINT)"), as: "amount").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from("support_records").where("year", .equal, year).where("voided_reason", .is, SQLLiteral.null)
        if let c = scope.communes { q = q.where("commune_code", .in, c.sorted()) }
        if let c = communes { q = q.where("commune_code", .in, c) }
        return try await q.groupBy("commune_code").groupBy("programme_code").groupBy("form").all(decoding: Spent.self)
    }

    // MARK: coverage (issue 7 §7)

    public struct PolicyCoverage: Sendable { public var policy: SupportPolicy; public var households: Coverage; public var persons: Coverage }
    public struct CoverageReport: Sendable {
        public var policies: [PolicyCoverage]
        /// Poor and near-poor households (on the list in force) with a helper in the year's plan (seeds 000/001: 100 %).
        public var helpers: Coverage
        /// Households that registered to exit this year, and those no longer poor now.
        public var committed: Int, committedExited: Int
        /// The same per commune, for a province to follow each one.
        public var byCommune: [String: [PolicyCoverage]]
        public var helpersByCommune: [String: Coverage]
    }

    /// Households whose status on `day` may be poor, near-poor or recently exited: poor or near-poor now, or in a
    /// recognised year of the last twenty (each one's status is then decided on its history).
    static func candidates(on day: CivilDate) -> any SQLExpression {
        SQLGroupExpression(SQLBinaryExpression(SQLBinaryExpression(SQLColumn("category"), .in, SQLBind.group(["poor", "nearPoor"])), .or,
            SQLRaw("id IN (SELECT household_id FROM household_years WHERE recognised AND category IN ('poor', 'nearPoor') AND year >= \(day.year - 20))")))
    }

    struct Candidate: Decodable { var id: Int; var commune_code: String; var category: String; var member_count: Int; var facts: String }

    /// Who is eligible for each policy on `day`, and who received it in `day`'s year (a ledger record, or a
    /// registry fact such as a health-insurance card). Candidates are households poor or near-poor now or
    /// in a recognised year since `day.year − 20`; eligibility is then decided per household on its history.
    public func coverage(_ scope: Scope, communes: [String]?, on day: CivilDate, on db: any Database) async throws -> CoverageReport {
        let sql = db as! any SQLDatabase
        var q = sql.select().columns("id", "commune_code", "category", "member_count", "facts").from("households").where("archived_reason", .is, SQLLiteral.null)
            .where(Self.candidates(on: day))
        if let c = scope.communes { q = q.where("commune_code", .in, c.sorted()) }
        if let c = communes { q = q.where("commune_code", .in, c) }
        let candidates = try await q.all(decoding: Candidate.self)
        let statuses = try await self.statuses(candidates.map(\.id), on: db)
        // Each household's status on the day, once (not once per policy).
        var facts: [Int: EligibilityFacts] = [:]
        for c in candidates { if let s = statuses[c.id] { facts[c.id] = s.facts(on: day) } }
        struct Got: Decodable { var household_id: Int; var policy_code: String; var member_id: String? }
        var gq = sql.select().columns("household_id", "policy_code", "member_id").from("support_records").where("year", .equal, day.year)
            .where("voided_reason", .is, SQLLiteral.null).where("given_on", .lessThanOrEqual, day.description)
        if let c = scope.communes { gq = gq.where("commune_code", .in, c.sorted()) }
        if let c = communes { gq = gq.where("commune_code", .in, c) }
        let got = try await gq.all(decoding: Got.self)
        let gotHouseholds = Set(got.map { "\($0.policy_code)|\($0.household_id)" })
        let gotPersons = Set(got.map { "\($0.policy_code)|\($0.household_id)|\($0.member_id ?? "?")" })
        // Needs the year's plans record, for policies whose target counts only the households that need them.
        struct Needed: Decodable { var household_id: Int; var policy_code: String }
        var needed: Set<String> = []
        if catalogue.policies.contains(where: \.coverageOfNeed) {
            var nq = sql.select().columns(SQLColumn("household_id", table: "n"), SQLColumn("policy_code", table: "n"))
                .from(SQLAlias(SQLIdentifier("support_needs"), as: SQLIdentifier("n")))
                .join(SQLAlias(SQLIdentifier("support_plans"), as: SQLIdentifier("p")), on: SQLColumn("id", table: "p"), .equal, SQLColumn("plan_id", table: "n"))
                .where(SQLColumn("year", table: "p"), .equal, SQLBind(day.year)).where(SQLColumn("policy_code", table: "n"), .isNot, SQLLiteral.null)
            if let c = scope.communes { nq = nq.where(SQLColumn("commune_code", table: "p"), .in, SQLBind.group(c.sorted())) }
            if let c = communes { nq = nq.where(SQLColumn("commune_code", table: "p"), .in, SQLBind.group(c)) }
            needed = Set(try await nq.all(decoding: Needed.self).map { "\($0.policy_code)|\($0.household_id)" })
        }
        var members: [Int: [PersonFact]] = [:]
        let conditionFacts = Array(Set(catalogue.policies.flatMap { $0.memberCondition.terms.map(\.fact) })).sorted { $0.rawValue < $1.rawValue }
        var out: [PolicyCoverage] = []
        var byCommune: [String: [PolicyCoverage]] = [:]
        for p in catalogue.policies {
            var total = PolicyCoverage(policy: p, households: Coverage(eligible: 0, reached: 0, target: p.coverageTarget),
                                       persons: Coverage(eligible: 0, reached: 0, target: p.coverageTarget))
            var local: [String: PolicyCoverage] = [:]
            func add(_ commune: String, households: Int, reachedHousehold: Int, persons: Int, reachedPersons: Int) {
                for k in [nil, commune] as [String?] {
                    var c = k.map { local[$0] ?? PolicyCoverage(policy: p, households: Coverage(eligible: 0, reached: 0, target: p.coverageTarget),
                                                                persons: Coverage(eligible: 0, reached: 0, target: p.coverageTarget)) } ?? total
                    c.households.eligible += households; c.households.reached += reachedHousehold
                    c.persons.eligible += persons; c.persons.reached += reachedPersons
                    if let k { local[k] = c } else { total = c }
                }
            }
            for c in candidates {
                guard let f = facts[c.id], p.eligibility.holds(f, on: day) else { continue }
                if p.coverageOfNeed && !needed.contains("\(p.code)|\(c.id)") { continue }
                let reachedHousehold = gotHouseholds.contains("\(p.code)|\(c.id)")
                if p.perPerson {
                    if members[c.id] == nil { members[c.id] = PersonFact.read(c.facts, conditionFacts: conditionFacts) }
                    let ms = members[c.id]!.filter { m in
                        p.covers(birthDate: m.birthDate.flatMap { CivilDate($0) }, birthYear: m.birthYear, sex: m.sex, on: day)
                            && p.memberCondition.holds { m.conditionFacts[$0] }
                    }
                    // A policy for some ages or members counts only the households that have such a member.
                    if p.needsReceiver && ms.isEmpty { continue }
                    var reached = Set(ms.filter { m in
                        gotPersons.contains("\(p.code)|\(c.id)|\(m.id)") || (p.registryFact == "healthInsurance" && m.healthInsurance == true)
                    }.map(\.id))
                    if gotPersons.contains("\(p.code)|\(c.id)|?") { reached.insert("?") }
                    add(c.commune_code, households: 1, reachedHousehold: reached.isEmpty ? 0 : 1,
                        persons: p.needsReceiver ? ms.count : max(ms.count, c.member_count), reachedPersons: reached.count)
                } else {
                    add(c.commune_code, households: 1, reachedHousehold: reachedHousehold ? 1 : 0, persons: 1, reachedPersons: reachedHousehold ? 1 : 0)
                }
            }
            out.append(total)
            for (k, v) in local { byCommune[k, default: []].append(v) }
        }
        // Helpers and commitments from this year's plans.
        struct P: Decodable { var household_id: Int; var commitment: Int; var helper_name: String? }
        var pq = sql.select().columns("household_id", "commitment", "helper_name").from("support_plans").where("year", .equal, day.year)
        if let c = scope.communes { pq = pq.where("commune_code", .in, c.sorted()) }
        if let c = communes { pq = pq.where("commune_code", .in, c) }
        let plans = Dictionary(try await pq.all(decoding: P.self).map { ($0.household_id, $0) }, uniquingKeysWith: { a, _ in a })
        var helpers = Coverage(eligible: 0, reached: 0, target: 100)
        var helpersByCommune: [String: Coverage] = [:]
        for c in candidates where facts[c.id]?.category == .poor || facts[c.id]?.category == .nearPoor {
            let helped = plans[c.id]?.helper_name?.isEmpty == false ? 1 : 0
            helpers.eligible += 1; helpers.reached += helped
            helpersByCommune[c.commune_code, default: Coverage(eligible: 0, reached: 0, target: 100)].eligible += 1
            helpersByCommune[c.commune_code]!.reached += helped
        }
        let category = Dictionary(candidates.map { ($0.id, $0.category) }, uniquingKeysWith: { a, _ in a })
        let committed = plans.values.filter { $0.commitment == 1 }
        let exitedNow = committed.filter { category[$0.household_id].map { $0 != "poor" } ?? true }.count
        return CoverageReport(policies: out, helpers: helpers, committed: committed.count, committedExited: exitedNow,
                              byCommune: byCommune, helpersByCommune: helpersByCommune)
    }

    // MARK: support before exit (issue 7 §7)

    public struct ExitReport: Sendable {
        public var year: Int, fromYear: Int
        public var exited: Int, stayed: Int
        public var byPolicy: [SupportBeforeExit.Row], byIndicator: [SupportBeforeExit.Row], byCause: [SupportBeforeExit.Row]
    }

    /// The latest review year on or before `year` with recognised categories (exits are known only once recognised).
    public func latestRecognisedYear(upTo year: Int, on db: any Database) async throws -> Int? {
        struct M: Decodable { var y: Int? }
        return try await (db as! any SQLDatabase).raw("SELECT MAX(year) AS y FROM household_years WHERE recognised AND year <= \(bind: year)").first(decoding: M.self)?.y
    }

    /// Households that exited poverty in `year` (recognised poor in `year − 1`, not poor in `year`) against those
    /// that stayed poor, and the support each group received in the `lookback` years up to `year`.
    public func beforeExit(_ scope: Scope, communes: [String]?, year: Int, lookback: Int = 3, on db: any Database) async throws -> ExitReport {
        let sql = db as! any SQLDatabase
        struct T: Decodable { var household_id: Int; var now: String }
        var q = sql.select().column(SQLColumn("household_id", table: "y")).column(SQLAlias(SQLColumn("category", table: "y"), as: SQLIdentifier("now")))
            .from(SQLAlias(SQLIdentifier("household_years"), as: SQLIdentifier("y")))
            .join(SQLAlias(SQLIdentifier("household_years"), as: SQLIdentifier("p")),
                  on: SQLRaw("p.household_id = y.household_id AND p.year = y.year - 1 AND p.recognised AND p.category = 'poor'"))
            .join(SQLAlias(SQLIdentifier("households"), as: SQLIdentifier("h")), on: SQLColumn("id", table: "h"), .equal, SQLColumn("household_id", table: "y"))
            .where(SQLColumn("year", table: "y"), .equal, SQLBind(year)).where(SQLRaw("y.recognised"))
        if let c = scope.communes { q = q.where(SQLColumn("commune_code", table: "h"), .in, SQLBind.group(c.sorted())) }
        if let c = communes { q = q.where(SQLColumn("commune_code", table: "h"), .in, SQLBind.group(c)) }
        let ts = try await q.all(decoding: T.self)
        let exited = Set(ts.filter { $0.now != "poor" }.map(\.household_id)), stayed = Set(ts.filter { $0.now == "poor" }.map(\.household_id))
        struct G: Decodable { var household_id: Int; var year: Int; var policy_code: String; var indicator: String?; var cause: String?; var amount: Int }
        var received: [G] = []
        let ids = Array(exited.union(stayed))
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            received += try await sql.select().columns("household_id", "year", "policy_code", "indicator", "cause", "amount").from("support_records")
                .where("household_id", .in, chunk).where("voided_reason", .is, SQLLiteral.null).all(decoding: G.self)
        }
        let from = year - lookback + 1
        func rows(_ key: (G) -> String?) -> [SupportBeforeExit.Row] {
            SupportBeforeExit.compare(exited: exited, stayed: stayed, received: received.compactMap { g in key(g).map { .init(household: g.household_id, year: g.year, key: $0, amount: g.amount) } },
                                      fromYear: from, toYear: year)
        }
        return ExitReport(year: year, fromYear: from, exited: exited.count, stayed: stayed.count,
                          byPolicy: rows { $0.policy_code }, byIndicator: rows { $0.indicator }, byCause: rows { $0.cause })
    }

    /// The villages of a commune that have supports in a year (the public page's village links), in one query.
    public func villagesWithSupport(commune: String, year: Int, on db: any Database) async throws -> [String] {
        struct V: Decodable { var village: String }
        return try await (db as! any SQLDatabase).raw("""
            SELECT DISTINCT village FROM support_records WHERE commune_code = \(bind: commune) AND year = \(bind: year) AND village IS NOT NULL
            AND voided_reason IS NULL ORDER BY village
            """).all(decoding: V.self).map(\.village)
    }

    // MARK: public figures of a commune (no personal data)

    public struct PublicFigures: Sendable {
        public var households: Int, poor: Int, nearPoor: Int
        public var byPolicy: [(policy: String, households: Int, amount: Int)]
        /// The fund's totals (donations; payouts entered or paid as supports), summed in SQL: the page is public.
        public var donations: Int, payouts: Int
        public var balance: Int { donations - payouts }
    }

    public func publicFigures(commune: String, year: Int, on db: any Database) async throws -> PublicFigures {
        let sql = db as! any SQLDatabase
        struct C: Decodable { var category: String; var n: Int }
        let cats = try await sql.select().column("category").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("households")
            .where("commune_code", .equal, commune).where("archived_reason", .is, SQLLiteral.null).groupBy("category").all(decoding: C.self)
        func n(_ c: String) -> Int { cats.first { $0.category == c }?.n ?? 0 }
        struct P: Decodable { var policy_code: String; var households: Int; var amount: Int }
        let ps = try await sql.raw("""
            SELECT policy_code, COUNT(DISTINCT household_id) AS households, CAST(SUM(amount) AS BIGINT) AS amount FROM support_records
            WHERE commune_code = \(bind: commune) AND year = \(bind: year) AND voided_reason IS NULL GROUP BY policy_code ORDER BY policy_code
            """).all(decoding: P.self)
        struct F: Decodable { var donations: Int?; var payouts: Int?; var fromLedger: Int? }
        let f = try await sql.raw("""
            SELECT (SELECT CAST(SUM(amount) AS BIGINT) FROM fund_entries WHERE unit_code = \(bind: commune) AND kind = 'donation') AS donations,
                   (SELECT CAST(SUM(amount) AS BIGINT) FROM fund_entries WHERE unit_code = \(bind: commune) AND kind = 'payout') AS payouts,
                   (SELECT CAST(SUM(amount) AS BIGINT) FROM support_records WHERE commune_code = \(bind: commune) AND source = 'fund' AND voided_reason IS NULL) AS "fromLedger"
            """).first(decoding: F.self) ?? F(donations: nil, payouts: nil, fromLedger: nil)
        return PublicFigures(households: cats.reduce(0) { $0 + $1.n }, poor: n("poor"), nearPoor: n("nearPoor"),
                             byPolicy: ps.map { (catalogue.policy($0.policy_code)?.name ?? $0.policy_code, $0.households, $0.amount) },
                             donations: f.donations ?? 0, payouts: (f.payouts ?? 0) + (f.fromLedger ?? 0))
    }
}

extension String {
    public var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
