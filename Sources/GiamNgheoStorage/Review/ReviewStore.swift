import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

/// Review rounds and requests (issue "review workflow", step 1 so far), scoped like the registry.
public struct ReviewStore: Sendable {
    public let store: HouseholdStore
    public let procedure: ReviewProcedure
    public init(store: HouseholdStore, procedure: ReviewProcedure) { self.store = store; self.procedure = procedure }

    public static let channels: [(code: String, vi: String)] = [("direct", "Nộp trực tiếp"), ("post", "Qua bưu điện"), ("online", "Cổng dịch vụ công")]
    public static let forms: [(code: String, vi: String)] = [("01", "Mẫu số 01: đề nghị rà soát"), ("04", "Mẫu số 04: đề nghị công nhận thoát nghèo, thoát cận nghèo")]

    /// The province opens the year's periodic round for every commune of the province in one action.
    /// Rounds that already exist are left as they are, so opening twice changes nothing.
    public func openPeriodicRounds(_ scope: Scope, province: String, year: Int, on db: any Database) async throws -> Int {
        guard scope.role == .admin || scope.role == .provinceOfficer else { throw AccessError.forbidden }
        guard store.units.unit(province)?.level == .province else {
            throw ValidationError("province.unknown", field: "province", vi: "Mã tỉnh/thành phố '\(province)' không có trong danh mục 2025.", en: "Province code '\(province)' is not in the 2025 list.")
        }
        let communes = store.units.communes(ofProvince: province).map(\.code).filter { scope.allows(commune: $0) }
        guard !communes.isEmpty else { throw AccessError.forbidden }
        let round = ReviewProcedure.Round.periodic(year: year)
        let window = try procedure.window(round)
        guard let standard = store.engine.catalogue.standard(for: window.start, province: province) else {
            throw ValidationError("standard.date", vi: "Không có chuẩn nghèo áp dụng cho ngày \(window.start.vietnamese).", en: "No poverty standard applies on \(window.start.vietnamese).")
        }
        let first = try procedure.steps(round)[0].code
        return try await store.writing(db) { tx in
            let sql = tx.sql
            let existing = Set(try await ReviewRound.query(on: tx).filter(\.$year == year).filter(\.$kind == "periodic")
                .filter(\.$communeCode ~~ communes).all().map(\.communeCode))
            let missing = communes.filter { !existing.contains($0) }
            for chunk in missing.chunks(of: 200) {
                var insert = sql.insert(into: ReviewRound.schema)
                    .columns("commune_code", "year", "kind", "month", "procedure", "standard", "starts_on", "ends_on", "step", "opened_by")
                for c in chunk {
                    insert = insert.values(SQLBind(c), SQLBind(year), SQLBind("periodic"), SQLBind(0), SQLBind(procedure.id), SQLBind(standard.id),
                                           SQLBind(window.start.description), SQLBind(window.end.description), SQLBind(first), SQLBind(scope.username))
                }
                try await insert.run()
            }
            if !missing.isEmpty {
                try await self.audit(scope, "review.open", field: province, new: "\(year): \(missing.count) xã/phường", on: tx)
            }
            return missing.count
        }
    }

    public func rounds(_ scope: Scope, year: Int, on db: any Database) async throws -> [ReviewRound] {
        var q = ReviewRound.query(on: db).filter(\.$year == year)
        if let communes = scope.communes { q = q.filter(\.$communeCode ~~ Array(communes)) }
        return try await q.sort(\.$communeCode).sort(\.$month).all()
    }

    public func round(_ scope: Scope, id: Int, on db: any Database) async throws -> ReviewRound {
        guard let r = try await ReviewRound.find(id, on: db), scope.allows(commune: r.communeCode) else { throw AccessError.notFound }
        return r
    }

    /// Records a request brought by a household: its form, the day it was received and how.
    @discardableResult
    public func addRequest(_ scope: Scope, householdCode: String, form: String, receivedOn: CivilDate, channel: String, note: String?,
                           today: CivilDate, into round: ReviewRound? = nil, on db: any Database) async throws -> ReviewRequest {
        guard scope.canWrite else { throw AccessError.forbidden }
        if let round { try Self.editable(round) }
        guard Self.forms.contains(where: { $0.code == form }) else { throw ValidationError("request.form", field: "form", vi: "Mẫu đơn phải là 01 hoặc 04.", en: "The request form must be 01 or 04.") }
        guard Self.channels.contains(where: { $0.code == channel }) else { throw ValidationError("request.channel", field: "channel", vi: "Hình thức nộp không hợp lệ.", en: "The way of submission is not valid.") }
        guard receivedOn <= today else { throw ValidationError("request.future", field: "receivedOn", vi: "Ngày nhận đơn \(receivedOn.vietnamese) ở sau ngày hôm nay.", en: "The date received \(receivedOn.vietnamese) is after today.") }
        return try await store.writing(db) { tx in
            guard let h = try await store.scoped(scope, on: tx).filter(\.$code == householdCode).first() else {
                throw ValidationError("household.notInScope", field: "household", vi: "Không tìm thấy hộ có mã '\(householdCode)' trong phạm vi của bạn.", en: "No household with code '\(householdCode)' in your area.")
            }
            let r = ReviewRequest()
            r.householdID = h.id!; r.communeCode = h.communeCode; r.form = form; r.receivedOn = receivedOn.description
            r.channel = channel; r.note = note.flatMap { $0.isEmpty ? nil : $0 }; r.recordedBy = scope.username
            try await r.create(on: tx)
            try await self.audit(scope, "review.request", household: h.id, field: "Mẫu \(form)", new: "\(receivedOn.description) \(channel)",
                                 reason: r.note, on: tx)
            // A regular round already surveying takes the request up at once (Art. 5: reviewed the same month).
            if let round, round.roundKind == .regular, round.stepCode == .survey, round.communeCode == h.communeCode {
                try await self.takeUp(r, into: round, on: tx)
            }
            return r
        }
    }

    public struct ListedHousehold: Sendable {
        public var household: HouseholdListRow
        /// Why it is on the list: "đang là hộ nghèo", "Mẫu số 01 nhận 12/09/2026 (nộp trực tiếp)", …
        public var reasons: [String]
    }

    /// Step 1 (Art. 4 §1): the commune's current poor and near-poor households, plus the households whose
    /// request was received within the round's dates.
    public func list(_ scope: Scope, round: ReviewRound, on db: any Database) async throws -> [ListedHousehold] {
        guard scope.allows(commune: round.communeCode) else { throw AccessError.notFound }
        let sql = db.sql
        let current = try await sql.select().columns(HouseholdListRow.columns.map { SQLColumn($0) }).from(HouseholdRecord.schema)
            .where("commune_code", .equal, round.communeCode).where("archived_reason", .is, SQLLiteral.null)
            .where("category", .in, ["poor", "nearPoor"]).orderBy("sort_key").orderBy("id").all(decoding: HouseholdListRow.self)
        // Requests another round (a regular one) has already taken up are answered there.
        let requests = try await ReviewRequest.query(on: db).filter(\.$communeCode == round.communeCode)
            .filter(\.$receivedOn >= round.startsOn).filter(\.$receivedOn <= round.endsOn)
            .group(.or) { $0.filter(\.$roundID == nil).filter(\.$roundID == round.id) }.sort(\.$receivedOn).all()
        var byID: [Int: ListedHousehold] = [:]
        for h in current {
            byID[h.id] = ListedHousehold(household: h, reasons: [h.category == "poor" ? "Đang là hộ nghèo" : "Đang là hộ cận nghèo"])
        }
        let missing = Array(Set(requests.map(\.householdID)).subtracting(byID.keys))
        if !missing.isEmpty {
            let extra = try await sql.select().columns(HouseholdListRow.columns.map { SQLColumn($0) }).from(HouseholdRecord.schema)
                .where("id", .in, missing).all(decoding: HouseholdListRow.self)
            for h in extra { byID[h.id] = ListedHousehold(household: h, reasons: []) }
        }
        for r in requests {
            let channel = Self.channels.first { $0.code == r.channel }?.vi.lowercased() ?? r.channel
            let date = CivilDate(r.receivedOn)?.vietnamese ?? r.receivedOn
            byID[r.householdID]?.reasons.append("Mẫu số \(r.form) nhận \(date) (\(channel))")
        }
        return byID.values.sorted { ($0.household.sortKey, $0.household.id) < ($1.household.sortKey, $1.household.id) }
    }
}
