import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

/// Step 4 of the review (Decision 24/2021 Art. 4(4); QĐ 967/QĐ-BNNMT): the posting of 3 working days, complaints
/// re-checked within 7 working days of receipt, and the re-check results posted again before the decision.
extension ReviewStore {
    /// Starts the public posting; its last day follows from the procedure's days (3 working days).
    @discardableResult
    public func startPosting(_ scope: Scope, roundID: Int, from: CivilDate, expectedVersion: Int, on db: any Database) async throws -> ReviewRound {
        guard Self.runsReview(scope) else { throw AccessError.forbidden }
        let r = try await round(scope, id: roundID, on: db)
        try Self.editable(r)
        guard r.stepCode == .posting else { throw Self.invalid("Vòng rà soát chưa ở bước niêm yết.") }
        let s = try steps(of: r).first { $0.stepCode == .posting }
        let end = ReviewRules.postingEnd(start: from, days: s?.days ?? 3, dayType: s?.dayType)
        return try await store.writing(db) { tx in
            try await Self.bump(ReviewRound.schema, id: roundID, expected: expectedVersion, on: tx)
            try await tx.sql.update(ReviewRound.schema).set("posting_from", to: from.description)
                .set("posting_to", to: end.description).where("id", .equal, roundID).run()
            try await self.audit(scope, "review.posting", field: r.communeCode, new: "\(from.vietnamese) – \(end.vietnamese)", on: tx)
            return try await ReviewRound.find(roundID, on: tx)!
        }
    }

    /// Posts the re-check results again (3 working days) once every complaint is re-checked; the decision
    /// waits for its last day (QĐ 967/QĐ-BNNMT: "niêm yết kết quả phúc tra … 03 ngày làm việc").
    @discardableResult
    public func startReposting(_ scope: Scope, roundID: Int, from: CivilDate, expectedVersion: Int, on db: any Database) async throws -> ReviewRound {
        guard Self.runsReview(scope) else { throw AccessError.forbidden }
        let r = try await round(scope, id: roundID, on: db)
        try Self.editable(r)
        guard r.stepCode == .posting, let first = r.postingTo.flatMap({ CivilDate($0) }) else {
            throw Self.invalid("Chưa niêm yết lần đầu nên chưa niêm yết lại được.")
        }
        let all = try await ReviewComplaint.query(on: db).filter(\.$roundID == roundID).all()
        guard !all.isEmpty else { throw Self.invalid("Không có khiếu nại nào nên không cần niêm yết lại.") }
        let open = all.filter { $0.status == "open" }.count
        guard open == 0 else { throw Self.invalid("Còn \(open) khiếu nại chưa phúc tra; niêm yết lại sau khi phúc tra xong.") }
        let lastRecheck = all.compactMap { $0.recheckedOn.flatMap { CivilDate($0) } }.max() ?? first
        guard from >= lastRecheck else {
            throw Self.invalid("Ngày niêm yết lại phải từ ngày phúc tra cuối cùng (\(lastRecheck.vietnamese)).")
        }
        let s = try steps(of: r).first { $0.stepCode == .posting }
        let end = ReviewRules.postingEnd(start: from, days: s?.repostingDays ?? s?.days ?? 3, dayType: s?.dayType)
        return try await store.writing(db) { tx in
            try await Self.bump(ReviewRound.schema, id: roundID, expected: expectedVersion, on: tx)
            try await tx.sql.update(ReviewRound.schema).set("reposting_from", to: from.description)
                .set("reposting_to", to: end.description).where("id", .equal, roundID).run()
            try await self.audit(scope, "review.reposting", field: r.communeCode, new: "\(from.vietnamese) – \(end.vietnamese)", on: tx)
            return try await ReviewRound.find(roundID, on: tx)!
        }
    }

    /// The last day to re-check a complaint received on `received` (7 working days).
    public func recheckDue(_ received: CivilDate) -> CivilDate {
        let s = procedure.periodicSteps.first { $0.stepCode == .posting }
        return ReviewRules.recheckDue(received: received, days: s?.complaintRecheckDays ?? 7, dayType: s?.dayType)
    }

    @discardableResult
    public func addComplaint(_ scope: Scope, roundID: Int, householdCode: String?, complainant: String, content: String, receivedOn: CivilDate,
                             today: CivilDate, on db: any Database) async throws -> ReviewComplaint {
        guard Self.runsReview(scope) else { throw AccessError.forbidden }
        let r = try await round(scope, id: roundID, on: db)
        try Self.editable(r)
        guard r.stepCode == .posting, r.postingFrom != nil else { throw Self.invalid("Chỉ ghi nhận khiếu nại trong thời gian niêm yết.") }
        guard !complainant.trimmingCharacters(in: .whitespaces).isEmpty, !content.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw Self.invalid("Cần ghi người khiếu nại và nội dung khiếu nại.")
        }
        guard receivedOn <= today else { throw Self.invalid("Ngày nhận khiếu nại \(receivedOn.vietnamese) ở sau ngày hôm nay.") }
        return try await store.writing(db) { tx in
            try await Self.stillEditable(roundID, on: tx)
            var caseID: Int? = nil
            if let code = householdCode?.trimmingCharacters(in: .whitespaces), !code.isEmpty {
                guard let h = try await HouseholdRecord.query(on: tx).filter(\.$code == code).first(),
                      let c = try await ReviewCase.query(on: tx).filter(\.$roundID == roundID).filter(\.$householdID == h.id!).first() else {
                    throw Self.invalid("Hộ '\(code)' không có trong vòng rà soát này.")
                }
                caseID = c.id
            }
            let k = ReviewComplaint()
            k.roundID = roundID; k.caseID = caseID; k.complainant = complainant; k.content = content
            k.receivedOn = receivedOn.description; k.status = "open"; k.recordedBy = scope.username
            try await k.create(on: tx)
            let hid = caseID == nil ? nil : try await ReviewCase.find(caseID!, on: tx)?.householdID
            try await self.audit(scope, "review.complaint", household: hid, field: "Khiếu nại", new: content, reason: complainant, on: tx)
            return k
        }
    }

    /// The re-check (phúc tra) of a complaint: its outcome, and the household's category when it changes.
    @discardableResult
    public func resolveComplaint(_ scope: Scope, complaintID: Int, outcome: String, newCategory: Category?, recheckedOn: CivilDate,
                                 today: CivilDate, on db: any Database) async throws -> ReviewComplaint {
        guard Self.runsReview(scope) else { throw AccessError.forbidden }
        guard let k = try await ReviewComplaint.find(complaintID, on: db) else { throw AccessError.notFound }
        let r = try await round(scope, id: k.roundID, on: db)
        try Self.editable(r)
        guard k.status == "open" else { throw Self.invalid("Khiếu nại này đã được phúc tra.") }
        guard !outcome.trimmingCharacters(in: .whitespaces).isEmpty else { throw Self.invalid("Cần ghi kết quả phúc tra.") }
        guard recheckedOn <= today, recheckedOn.description >= k.receivedOn else {
            throw Self.invalid("Ngày phúc tra phải từ ngày nhận khiếu nại đến hôm nay.")
        }
        if newCategory != nil && k.caseID == nil { throw Self.invalid("Khiếu nại không gắn với hộ nào nên không đổi được phân loại.") }
        return try await store.writing(db) { tx in
            try await Self.stillEditable(k.roundID, on: tx)
            let done = try await tx.sql.update(ReviewComplaint.schema).set("status", to: "resolved")
                .set("outcome", to: outcome).set("rechecked_on", to: recheckedOn.description).set("new_category", to: newCategory?.rawValue)
                .where("id", .equal, complaintID).where("status", .equal, "open").returning("id").all()
            guard !done.isEmpty else { throw Self.invalid("Khiếu nại này đã được phúc tra.") }
            var hid: Int? = nil
            if let cid = k.caseID, let c = try await ReviewCase.find(cid, on: tx) {
                hid = c.householdID
                if let n = newCategory {
                    c.finalCategory = n.rawValue; c.version += 1
                    c.explanation = (c.explanation ?? "") + " Phúc tra \(recheckedOn.vietnamese): \(outcome)"
                    try await c.update(on: tx)
                }
            }
            try await self.audit(scope, "review.recheck", household: hid, field: "Phúc tra", new: newCategory?.vietnamese ?? "giữ nguyên",
                                 reason: outcome, on: tx)
            return try await ReviewComplaint.find(complaintID, on: tx)!
        }
    }

    public func complaints(_ scope: Scope, round: ReviewRound, on db: any Database) async throws -> [ReviewComplaint] {
        guard scope.allows(commune: round.communeCode) else { throw AccessError.notFound }
        return try await ReviewComplaint.query(on: db).filter(\.$roundID == round.id!).sort(\.$id).all()
    }
}
