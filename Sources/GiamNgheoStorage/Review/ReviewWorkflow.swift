import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

/// Steps 2–6 of a round and its way up the hierarchy (Decision 24/2021/QĐ-TTg, the review procedure, issue "review workflow"):
/// survey (Phiếu A, Phiếu B), village meeting, posting and complaints, the chairman's decision with certificates and
/// written refusals, then submission and the province's approval. Every change is one gated transaction,
/// checked against the version the user saw, scoped and audited.
extension ReviewStore {
    /// The steering committee's work (steps, meeting, posting, decision): commune officers and administrators.
    static func runsReview(_ scope: Scope) -> Bool { scope.role == .communeOfficer || scope.role == .admin }

    static func invalid(_ m: String) -> ValidationError { ValidationError(text: m) }

    /// A decided round is locked (corrections go through a new regular review); an approved one more so.
    static func editable(_ r: ReviewRound) throws {
        if r.roundStatus == .approved { throw invalid("Kết quả kỳ rà soát này đã được tỉnh phê duyệt và khóa; không thể sửa.") }
        if r.decisionNumber != nil { throw invalid("Kỳ rà soát đã có quyết định công nhận; kết quả đã khóa, sửa qua kỳ rà soát thường xuyên.") }
    }

    /// The round again inside the write transaction: a decision or an approval that landed since the page
    /// was read locks it here too.
    static func stillEditable(_ roundID: Int, on tx: any Database) async throws {
        guard let r = try await ReviewRound.find(roundID, on: tx) else { throw AccessError.notFound }
        try editable(r)
    }

    func kind(_ r: ReviewRound) -> ReviewProcedure.Round {
        r.roundKind == .periodic ? .periodic(year: r.year) : .regular(year: r.year, month: r.month)
    }

    public func steps(of r: ReviewRound) throws -> [ReviewProcedure.Step] { try procedure.steps(kind(r)) }

    /// Bumps a row's version if it is still `expected`: the check and the write are one statement.
    static func bump(_ table: String, id: Int, expected: Int, on tx: any Database) async throws {
        let done = try await tx.sql.update(table).set("version", to: expected + 1)
            .where("id", .equal, id).where("version", .equal, expected).returning("id").all()
        guard !done.isEmpty else { throw VersionConflict(currentVersion: expected + 1) }
    }

    func audit(_ scope: Scope, _ action: String, household: Int? = nil, field: String?, old: String? = nil, new: String?, reason: String? = nil,
               on tx: any Database) async throws {
        try await AuditEntry(username: scope.username, householdID: household, action: action, field: field, oldValue: old,
                             newValue: new, reason: reason).create(on: tx)
    }

    public func cases(_ scope: Scope, round: ReviewRound, on db: any Database) async throws -> [ReviewCase] {
        guard scope.allows(commune: round.communeCode) else { throw AccessError.notFound }
        return try await ReviewCase.query(on: db).filter(\.$roundID == round.id!).sort(\.$village).sort(\.$householdID).all()
    }

    public func reviewCase(_ scope: Scope, id: Int, on db: any Database) async throws -> (ReviewCase, ReviewRound) {
        guard let c = try await ReviewCase.find(id, on: db), scope.allows(commune: c.communeCode),
              let r = try await ReviewRound.find(c.roundID, on: db) else { throw AccessError.notFound }
        return (c, r)
    }

    // MARK: regular rounds (Art. 5)

    /// Opens (or returns) a commune's regular round of a month: from the 15th, decision within 15 days;
    /// it takes up the requests (Mẫu 01, 04) no round has taken up yet, received by its last day.
    public func openRegularRound(_ scope: Scope, commune: String, year: Int, month: Int, on db: any Database) async throws -> ReviewRound {
        guard Self.runsReview(scope) || scope.role == .provinceOfficer else { throw AccessError.forbidden }
        guard store.units.unit(commune)?.level == .commune else { throw Self.invalid("Mã xã/phường '\(commune)' không có trong danh mục 2025.") }
        guard scope.allows(commune: commune) else { throw AccessError.forbidden }
        let round = ReviewProcedure.Round.regular(year: year, month: month)
        let window: (start: CivilDate, end: CivilDate)
        do { window = try procedure.window(round) } catch { throw Self.invalid("Tháng \(month)/\(year) không hợp lệ.") }
        guard let province = store.units.unit(commune)?.parentCode,
              let standard = store.engine.catalogue.standard(for: window.start, province: province) else {
            throw Self.invalid("Không có chuẩn nghèo áp dụng cho ngày \(window.start.vietnamese).")
        }
        let first = try procedure.steps(round)[0].code
        return try await store.writing(db) { tx in
            if let existing = try await ReviewRound.query(on: tx).filter(\.$communeCode == commune).filter(\.$year == year)
                .filter(\.$kind == "regular").filter(\.$month == month).first() { return existing }
            let r = ReviewRound()
            r.communeCode = commune; r.year = year; r.kind = "regular"; r.month = month; r.procedure = procedure.id
            r.standard = standard.id; r.startsOn = window.start.description; r.endsOn = window.end.description; r.step = first
            r.openedBy = scope.username; r.status = "open"; r.version = 0
            try await r.create(on: tx)
            let requests = try await ReviewRequest.query(on: tx).filter(\.$communeCode == commune).filter(\.$roundID == nil)
                .filter(\.$receivedOn <= window.end.description).sort(\.$receivedOn).all()
            for q in requests { try await self.takeUp(q, into: r, on: tx) }
            try await self.audit(scope, "review.open", field: commune, new: "Thường xuyên \(month)/\(year): \(requests.count) đơn", on: tx)
            return r
        }
    }

    /// A request joins a round: its household gets a case (or the existing case gains the reason).
    func takeUp(_ q: ReviewRequest, into r: ReviewRound, on tx: any Database) async throws {
        let channel = Self.channels.first { $0.code == q.channel }?.vi.lowercased() ?? q.channel
        let reason = "Mẫu số \(q.form) nhận \(CivilDate(q.receivedOn)?.vietnamese ?? q.receivedOn) (\(channel))"
        if let c = try await ReviewCase.query(on: tx).filter(\.$roundID == r.id!).filter(\.$householdID == q.householdID).first() {
            c.reasons += "; " + reason; c.requestForm = c.requestForm ?? q.form
            try await c.update(on: tx)
        } else {
            let village = try await HouseholdRecord.find(q.householdID, on: tx)?.village
            try await newCase(r, household: q.householdID, village: village, reasons: [reason], form: q.form, on: tx)
        }
        q.roundID = r.id
        try await q.update(on: tx)
    }

    func newCase(_ r: ReviewRound, household: Int, village: String?, reasons: [String], form: String?, on tx: any Database) async throws {
        let c = ReviewCase()
        c.roundID = r.id!; c.householdID = household; c.communeCode = r.communeCode; c.village = village
        c.reasons = reasons.joined(separator: "; "); c.requestForm = form; c.stage = CaseStage.listed.rawValue; c.version = 0
        try await c.create(on: tx)
    }

    // MARK: moving between steps

    /// Leaves the current step when its work is done (ReviewRules.blockers); leaving step 1 turns the list
    /// into cases. The decision step is left by recording the decision.
    @discardableResult
    public func advance(_ scope: Scope, roundID: Int, expectedVersion: Int, today: CivilDate, on db: any Database) async throws -> ReviewRound {
        guard Self.runsReview(scope) else { throw AccessError.forbidden }
        let r = try await round(scope, id: roundID, on: db)
        try Self.editable(r)
        let steps = try steps(of: r)
        guard let i = steps.firstIndex(where: { $0.code == r.step }), i + 1 < steps.count, r.stepCode != .recognition else {
            throw Self.invalid("Bước này kết thúc bằng quyết định công nhận.")
        }
        let listed = r.stepCode == .list ? try await list(scope, round: r, on: db) : []
        return try await store.writing(db) { tx in
            // The version first: someone who moved the round since it was read gets "changed by another person",
            // not the blockers of a step they never saw (a failure below rolls the bump back).
            try await Self.bump(ReviewRound.schema, id: roundID, expected: expectedVersion, on: tx)
            let cases = try await ReviewCase.query(on: tx).filter(\.$roundID == roundID).all()
            let open = try await ReviewComplaint.query(on: tx).filter(\.$roundID == roundID).filter(\.$status == "open").count()
            let rechecked = try await ReviewComplaint.query(on: tx).filter(\.$roundID == roundID).filter(\.$status == "resolved").count()
            let stages = r.stepCode == .list ? listed.map { _ in CaseStage.listed } : cases.map(\.caseStage)
            let blockers = ReviewRules.blockers(leaving: r.step, stages: stages, postingEnds: r.postingTo.flatMap { CivilDate($0) },
                                                openComplaints: open, recheckedComplaints: rechecked,
                                                repostingEnds: r.repostingTo.flatMap { CivilDate($0) }, today: today)
            guard blockers.isEmpty else { throw Self.invalid(blockers.joined(separator: " ")) }
            if r.stepCode == .list {
                for l in listed where !cases.contains(where: { $0.householdID == l.household.id }) {
                    try await self.newCase(r, household: l.household.id, village: l.household.village, reasons: l.reasons, form: nil, on: tx)
                }
                let requests = try await ReviewRequest.query(on: tx).filter(\.$communeCode == r.communeCode).filter(\.$roundID == nil)
                    .filter(\.$receivedOn >= r.startsOn).filter(\.$receivedOn <= r.endsOn).all()
                for q in requests {
                    q.roundID = roundID
                    try await q.update(on: tx)
                    if let c = try await ReviewCase.query(on: tx).filter(\.$roundID == roundID).filter(\.$householdID == q.householdID).first(),
                       c.requestForm == nil {
                        c.requestForm = q.form
                        try await c.update(on: tx)
                    }
                }
            }
            let next = steps[i + 1].code
            try await tx.sql.update(ReviewRound.schema).set("step", to: next).where("id", .equal, roundID).run()
            try await self.audit(scope, "review.step", field: r.communeCode, old: r.step, new: next, on: tx)
            return try await ReviewRound.find(roundID, on: tx)!
        }
    }

    // MARK: step 2: survey

    public struct SurveyInput: Sendable {
        public var household: Household?
        public var quickScreen: Set<String>
        public var enumerator: String
        public var surveyedOn: CivilDate?
        public var finish: Bool
        public var householdVersion: Int
        public var caseVersion: Int
        public init(household: Household?, quickScreen: Set<String>, enumerator: String, surveyedOn: CivilDate?, finish: Bool,
                    householdVersion: Int, caseVersion: Int) {
            self.household = household; self.quickScreen = quickScreen; self.enumerator = enumerator; self.surveyedOn = surveyedOn
            self.finish = finish; self.householdVersion = householdVersion; self.caseVersion = caseVersion
        }
    }

    /// The provisional result of a survey: Phiếu A screens out, otherwise the engine on Phiếu B's answers.
    /// Under the round's standard (`standard` id), whatever today's date would choose.
    public func provisional(_ h: Household, quickScreen: Set<String>, standard: String? = nil) -> (category: String, explanation: String, deprived: [String]) {
        if let a = procedure.quickScreen, a.excludes(quickScreen) {
            return (Category.notPoor.rawValue, "Không rà soát tiếp theo \(a.formName) (\(a.met(quickScreen).count)/\(a.criteria.count) chỉ tiêu): "
                    + a.met(quickScreen).map(\.vi).joined(separator: "; "), [])
        }
        var engine = store.engine
        engine.options.explain = true
        if let id = standard, let s = engine.catalogue.standard(id: id) { engine.fixedStandard = s }
        do {
            let c = try engine.classify(h)
            return (c.category.rawValue, c.explanation?.summary.vi ?? c.category.vietnamese, c.deprived)
        } catch let e as ClassificationError {
            return (HouseholdRecord.incomplete, "Chưa đủ thông tin: \(e.message) (trường \(e.field)).", [])
        } catch {
            return (HouseholdRecord.incomplete, "\(error)", [])
        }
    }

    /// Saves a survey: a draft keeps the answers in the case only; finishing writes the household to the
    /// registry (against the version the enumerator saw) and records the provisional result, in one transaction.
    @discardableResult
    public func saveSurvey(_ scope: Scope, caseID: Int, _ input: SurveyInput, today: CivilDate, on db: any Database) async throws -> ReviewCase {
        guard scope.canWrite else { throw AccessError.forbidden }
        let (c, r) = try await reviewCase(scope, id: caseID, on: db)
        try Self.editable(r)
        guard c.caseStage != .agreed else { throw Self.invalid("Hộ đã được họp dân thống nhất; không khảo sát lại.") }
        guard r.stepCode == .survey || r.stepCode == .meeting else {
            throw Self.invalid("Vòng rà soát đang ở bước khác; chỉ khảo sát ở bước 2 hoặc khảo sát lại hộ họp dân chưa thống nhất.")
        }
        let enumerator = input.enumerator.trimmingCharacters(in: .whitespaces)
        if input.finish {
            guard !enumerator.isEmpty else { throw Self.invalid("Cần ghi tên rà soát viên.") }
            guard let d = input.surveyedOn else { throw Self.invalid("Cần ghi ngày khảo sát (dd/mm/yyyy).") }
            guard d <= today else { throw Self.invalid("Ngày khảo sát \(d.vietnamese) ở sau ngày hôm nay.") }
        }
        // Phiếu A is for households that asked to be reviewed (Mẫu 01); the others go straight to Phiếu B.
        let input: SurveyInput = {
            var i = input
            if let a = procedure.quickScreen, !a.applies(requestForm: c.requestForm) { i.quickScreen = [] }
            return i
        }()
        let excluded = procedure.quickScreen?.excludes(input.quickScreen) ?? false
        var checked: Classification? = nil
        if input.finish && !excluded {
            guard let h = input.household else { throw Self.invalid("Phiếu B chưa có thông tin hộ.") }
            // The registry's checks and today's category for the registry; the case is classified under the round's standard.
            checked = try store.check(h)
            let p = provisional(h, quickScreen: [], standard: r.standard)
            if p.category == HouseholdRecord.incomplete { throw Self.invalid("Phiếu B chưa đủ để phân loại. \(p.explanation)") }
        }
        let classification = checked
        let result = input.household.map { provisional($0, quickScreen: input.quickScreen, standard: r.standard) }
            ?? (excluded ? provisional(Household(code: ""), quickScreen: input.quickScreen) : nil)
        return try await store.writing(db) { tx in
            try await Self.stillEditable(r.id!, on: tx)
            try await Self.bump(ReviewCase.schema, id: caseID, expected: input.caseVersion, on: tx)
            let c = try await ReviewCase.find(caseID, on: tx)!
            c.quickScreen = input.quickScreen.sorted().joined(separator: ",")
            c.enumerator = enumerator.isEmpty ? nil : enumerator
            c.surveyedOn = input.surveyedOn?.description
            if input.finish {
                if !excluded, let h = input.household {
                    try await self.store.write(scope, id: c.householdID, h, classification, expectedVersion: input.householdVersion,
                                               reason: "Khảo sát rà soát (Phiếu B)", on: tx)
                }
                c.draft = nil
                c.stage = CaseStage.surveyed.rawValue
                c.proposedCategory = result?.category; c.explanation = result?.explanation
                c.deprived = result?.deprived.joined(separator: ","); c.finalCategory = nil
            } else {
                c.draft = input.household.map { Interchange.jsonLine($0) }
                if c.caseStage != .returned { c.stage = CaseStage.draft.rawValue }
            }
            try await c.update(on: tx)
            try await self.audit(scope, input.finish ? "review.survey" : "review.draft", household: c.householdID, field: "Phiếu khảo sát",
                                 new: input.finish ? (result.map { "\($0.category): \($0.explanation)" }) : "nháp", on: tx)
            return c
        }
    }

    // MARK: step 3: village meeting

    public struct MeetingInput: Sendable {
        public var village: String, heldOn: CivilDate, place: String, chair: String, secretary: String
        public var attendees: Int, attendeeNames: String?
        /// case id → number of attendees agreeing.
        public var votes: [Int: Int]
        public init(village: String, heldOn: CivilDate, place: String, chair: String, secretary: String, attendees: Int,
                    attendeeNames: String?, votes: [Int: Int]) {
            self.village = village; self.heldOn = heldOn; self.place = place; self.chair = chair; self.secretary = secretary
            self.attendees = attendees; self.attendeeNames = attendeeNames; self.votes = votes
        }
    }

    /// Records a village meeting and its count for each household discussed; below the share of agreement
    /// the household goes back to the survey (§6.3 step 3).
    @discardableResult
    public func recordMeeting(_ scope: Scope, roundID: Int, _ m: MeetingInput, today: CivilDate, on db: any Database) async throws -> ReviewMeeting {
        guard Self.runsReview(scope) else { throw AccessError.forbidden }
        let r = try await round(scope, id: roundID, on: db)
        try Self.editable(r)
        guard r.stepCode == .meeting else { throw Self.invalid("Vòng rà soát chưa ở bước họp dân.") }
        let quorum = try steps(of: r).first { $0.stepCode == .meeting }?.quorumPercent ?? 50
        for (label, v) in [("Địa điểm", m.place), ("Chủ trì", m.chair), ("Thư ký", m.secretary)]
            where v.trimmingCharacters(in: .whitespaces).isEmpty { throw Self.invalid("Cần ghi \(label.lowercased()) cuộc họp.") }
        guard m.attendees > 0 else { throw Self.invalid("Số người dự họp phải lớn hơn 0.") }
        guard m.heldOn <= today else { throw Self.invalid("Ngày họp \(m.heldOn.vietnamese) ở sau ngày hôm nay.") }
        guard !m.votes.isEmpty else { throw Self.invalid("Cuộc họp chưa ghi số người đồng ý cho hộ nào.") }
        return try await store.writing(db) { tx in
            try await Self.stillEditable(roundID, on: tx)
            let cases = try await ReviewCase.query(on: tx).filter(\.$roundID == roundID).all()
            var byID: [Int: ReviewCase] = [:]
            for c in cases { byID[c.id!] = c }
            for (id, agree) in m.votes.sorted(by: { $0.key < $1.key }) {
                guard let c = byID[id] else { throw Self.invalid("Hộ (mục \(id)) không thuộc vòng rà soát này.") }
                let code = try await HouseholdRecord.find(c.householdID, on: tx)?.code ?? "\(c.householdID)"
                guard c.caseStage == .surveyed else { throw Self.invalid("Hộ \(code) chưa hoàn thành phiếu khảo sát (hoặc đã thống nhất).") }
                guard (c.village ?? "") == m.village else { throw Self.invalid("Hộ \(code) không thuộc \(m.village); mỗi thôn/tổ họp riêng.") }
                guard (0...m.attendees).contains(agree) else {
                    throw Self.invalid("Hộ \(code): số người đồng ý (\(agree)) phải từ 0 đến số người dự họp (\(m.attendees)).")
                }
            }
            let meeting = ReviewMeeting()
            meeting.roundID = roundID; meeting.village = m.village; meeting.heldOn = m.heldOn.description; meeting.place = m.place
            meeting.chair = m.chair; meeting.secretary = m.secretary; meeting.attendees = m.attendees
            meeting.attendeeNames = m.attendeeNames.flatMap { $0.isEmpty ? nil : $0 }; meeting.recordedBy = scope.username
            try await meeting.create(on: tx)
            for (id, agree) in m.votes.sorted(by: { $0.key < $1.key }) {
                let c = byID[id]!
                let stage = ReviewRules.afterMeeting(agree: agree, attendees: m.attendees, quorumPercent: quorum)
                let vote = ReviewVote()
                vote.meetingID = meeting.id!; vote.caseID = id; vote.agree = agree; vote.result = stage.rawValue
                try await vote.create(on: tx)
                c.stage = stage.rawValue; c.version += 1
                try await c.update(on: tx)
                try await self.audit(scope, "review.meeting", household: c.householdID, field: "Họp dân \(m.heldOn.vietnamese)",
                                     new: "\(agree)/\(m.attendees) đồng ý: \(stage.vietnamese)", on: tx)
            }
            return meeting
        }
    }

    public func meetings(_ scope: Scope, round: ReviewRound, on db: any Database) async throws -> [(ReviewMeeting, [ReviewVote])] {
        guard scope.allows(commune: round.communeCode) else { throw AccessError.notFound }
        let ms = try await ReviewMeeting.query(on: db).filter(\.$roundID == round.id!).sort(\.$heldOn).sort(\.$id).all()
        let votes = ms.isEmpty ? [] : try await ReviewVote.query(on: db).filter(\.$meetingID ~~ ms.map { $0.id! }).all()
        return ms.map { m in (m, votes.filter { $0.meetingID == m.id! }) }
    }

    // MARK: step 6: recognition

    /// Why a regular review's request is refused, or nil when it is granted: Mẫu 01 asks to be recognised
    /// poor/near-poor, Mẫu 04 to be recognised out of (near-)poverty.
    static func refusal(form: String?, before: Category?, after: Category, explanation: String?) -> String? {
        switch form {
        case "01" where after != .poor && after != .nearPoor:
            return "Hộ không thuộc diện hộ nghèo, hộ cận nghèo theo kết quả rà soát. \(explanation ?? "")"
        case "04" where before.map({ after.severity <= $0.severity }) ?? false:
            return "Hộ vẫn thuộc diện \(after.vietnamese.lowercased()) theo kết quả rà soát. \(explanation ?? "")"
        default: return nil
        }
    }

    /// The chairman's decision: each case's category becomes the recognised category of the round's year,
    /// with its transition; poor and near-poor households get a certificate number; a regular review's
    /// refused requests get their written reasons. The round's results are locked from then on.
    @discardableResult
    public func recognise(_ scope: Scope, roundID: Int, number: String, date: CivilDate, expectedVersion: Int, today: CivilDate,
                          on db: any Database) async throws -> ReviewRound {
        guard Self.runsReview(scope) else { throw AccessError.forbidden }
        let r = try await round(scope, id: roundID, on: db)
        try Self.editable(r)
        guard r.stepCode == .recognition else { throw Self.invalid("Vòng rà soát chưa đến bước công nhận.") }
        let number = number.trimmingCharacters(in: .whitespaces)
        guard !number.isEmpty else { throw Self.invalid("Cần ghi số quyết định.") }
        guard date <= today else { throw Self.invalid("Ngày quyết định \(date.vietnamese) ở sau ngày hôm nay.") }
        if let end = r.postingTo.flatMap({ CivilDate($0) }), date <= end {
            throw Self.invalid("Ngày quyết định phải sau ngày hết niêm yết (\(end.vietnamese)).")
        }
        if let end = r.repostingTo.flatMap({ CivilDate($0) }), date <= end {
            throw Self.invalid("Ngày quyết định phải sau ngày hết niêm yết lại kết quả phúc tra (\(end.vietnamese)).")
        }
        let decidedAt = Date(timeIntervalSince1970: Double(date.dayNumber) * 86_400 + 43_200)
        return try await store.writing(db) { tx in
            try await Self.bump(ReviewRound.schema, id: roundID, expected: expectedVersion, on: tx)
            let cases = try await ReviewCase.query(on: tx).filter(\.$roundID == roundID).sort(\.$village).sort(\.$householdID).all()
            let ids = cases.map(\.householdID)
            let years = ids.isEmpty ? [] : try await HouseholdYear.query(on: tx).filter(\.$householdID ~~ ids).filter(\.$recognised == true).all()
            // Certificates are numbered on from the commune's earlier decisions of the year.
            let earlier = try await tx.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
                .from(ReviewCase.schema).join(ReviewRound.schema, on: SQLColumn("round_id", table: ReviewCase.schema), .equal, SQLColumn("id", table: ReviewRound.schema))
                .where(SQLColumn("commune_code", table: ReviewRound.schema), .equal, SQLBind(r.communeCode))
                .where(SQLColumn("year", table: ReviewRound.schema), .equal, SQLBind(r.year))
                .where(SQLColumn("certificate_no", table: ReviewCase.schema), .isNot, SQLLiteral.null).first()
            var serial = (try earlier?.decode(column: "n", as: Int.self)) ?? 0
            // A decision for an earlier year changes that year's summaries (and the movements after it).
            try await Summaries.tracking(ids, year: self.store.summaryYear, on: tx) {
            for c in cases {
                guard let category = c.category.flatMap({ Category(rawValue: $0) }) else {
                    throw Self.invalid("Một hộ trong vòng chưa có kết quả phân loại.")
                }
                var history: [Int: Category] = [:]
                for y in years where y.householdID == c.householdID && y.year != r.year { history[y.year] = Category(rawValue: y.category) }
                let before = history[r.year - 1]
                c.refusal = r.roundKind == .regular ? Self.refusal(form: c.requestForm, before: before, after: category, explanation: c.explanation) : nil
                // A refused request leaves the recognised category as it was.
                let recognised = c.refusal == nil ? category : (before ?? category)
                history[r.year] = recognised
                c.finalCategory = recognised.rawValue
                c.transition = Transition.of(year: r.year, history: history)?.rawValue
                if c.refusal == nil && (recognised == .poor || recognised == .nearPoor) {
                    serial += 1
                    c.certificateNo = "\(serial)/GCN-HN.HCN"
                }
                c.stage = CaseStage.decided.rawValue; c.version += 1
                try await c.update(on: tx)
                if c.refusal == nil {
                    try await tx.sql.raw("""
                        INSERT INTO household_years (household_id, year, category, standard, recognised, source, decided_at, deprived)
                        VALUES (\(bind: c.householdID), \(bind: r.year), \(bind: recognised.rawValue), \(bind: r.standard), \(bind: true), 'review', \(bind: decidedAt),
                                \(bind: c.deprived.map { "," + $0 + "," }))
                        ON CONFLICT (household_id, year) DO UPDATE SET category = excluded.category, standard = excluded.standard,
                        recognised = excluded.recognised, source = excluded.source, decided_at = excluded.decided_at, deprived = excluded.deprived
                        """).run()
                }
                try await self.audit(scope, "review.decision", household: c.householdID, field: "Năm \(r.year)",
                                     new: c.refusal == nil ? recognised.vietnamese : "Từ chối", reason: c.refusal ?? "Quyết định \(number)", on: tx)
            }
            }
            try await tx.sql.update(ReviewRound.schema).set("decision_number", to: number)
                .set("decision_date", to: date.description).set("decided_by", to: scope.username).where("id", .equal, roundID).run()
            return try await ReviewRound.find(roundID, on: tx)!
        }
    }

    // MARK: up the hierarchy

    /// The commune submits its decided round; the province returns it with a comment or approves it
    /// (approval locks it, as DHIS2's data approval does).
    @discardableResult
    public func setStatus(_ scope: Scope, roundID: Int, to status: String, note: String?, expectedVersion: Int, on db: any Database) async throws -> ReviewRound {
        let r = try await round(scope, id: roundID, on: db)
        let province = scope.role == .provinceOfficer || scope.role == .admin
        if r.roundStatus == .approved { try Self.editable(r) }
        switch status {
        case "submitted":
            guard Self.runsReview(scope) else { throw AccessError.forbidden }
            guard r.decisionNumber != nil else { throw Self.invalid("Chỉ gửi kết quả sau khi có quyết định công nhận.") }
            guard r.roundStatus == .open || r.roundStatus == .returned else { throw Self.invalid("Kết quả đã được gửi.") }
        case "returned", "approved":
            guard province else { throw AccessError.forbidden }
            guard r.roundStatus == .submitted else { throw Self.invalid("Xã/phường chưa gửi kết quả để duyệt.") }
            if status == "returned" && (note ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                throw Self.invalid("Cần ghi lý do trả lại.")
            }
        default: throw Self.invalid("Trạng thái không hợp lệ.")
        }
        return try await store.writing(db) { tx in
            try await Self.bump(ReviewRound.schema, id: roundID, expected: expectedVersion, on: tx)
            var u = tx.sql.update(ReviewRound.schema).set("status", to: status).set("status_note", to: note)
            if status == "submitted" { u = u.set("submitted_by", to: scope.username) }
            if status == "approved" { u = u.set("approved_by", to: scope.username) }
            try await u.where("id", .equal, roundID).run()
            try await self.audit(scope, "review.\(status)", field: r.communeCode, old: r.status, new: status, reason: note, on: tx)
            return try await ReviewRound.find(roundID, on: tx)!
        }
    }

    /// Households per stage for each round of the year in scope (the province's progress table).
    public func progress(_ scope: Scope, year: Int, on db: any Database) async throws -> [(round: ReviewRound, stages: [CaseStage: Int])] {
        let rounds = try await rounds(scope, year: year, on: db)
        guard !rounds.isEmpty else { return [] }
        struct Row: Decodable { var round_id: Int; var stage: String; var n: Int }
        var counts: [Int: [CaseStage: Int]] = [:]
        for chunk in rounds.chunks(of: 500) {
            let rows = try await db.sql.select().column("round_id").column("stage")
                .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(ReviewCase.schema)
                .where("round_id", .in, chunk.map { $0.id! }).groupBy("round_id").groupBy("stage").all(decoding: Row.self)
            for row in rows { counts[row.round_id, default: [:]][CaseStage(rawValue: row.stage) ?? .listed] = row.n }
        }
        return rounds.map { ($0, counts[$0.id!] ?? [:]) }
    }
}

extension ReviewStore {
    public struct CaseResult: Sendable {
        public var reviewCase: ReviewCase
        public var category: Category
        public var transition: Transition
        public func on(_ list: ReviewList) -> Bool { list.contains(category: category, transition: transition) }
    }

    /// Each case with a result and its transition: as decided, or (before the decision) as it would be
    /// recognised now, for the posted lists.
    public func results(_ scope: Scope, round: ReviewRound, on db: any Database) async throws -> [CaseResult] {
        let cases = try await cases(scope, round: round, on: db)
        let ids = cases.map(\.householdID)
        var years: [HouseholdYear] = []
        for chunk in ids.chunks(of: 500) {
            years += try await HouseholdYear.query(on: db).filter(\.$householdID ~~ chunk).filter(\.$recognised == true)
                .filter(\.$year < round.year).all()
        }
        return cases.compactMap { c in
            guard let category = c.category.flatMap({ Category(rawValue: $0) }) else { return nil }
            if let t = c.transition.flatMap({ Transition(rawValue: $0) }) { return CaseResult(reviewCase: c, category: category, transition: t) }
            var history: [Int: Category] = [:]
            for y in years where y.householdID == c.householdID { history[y.year] = Category(rawValue: y.category) }
            history[round.year] = category
            return CaseResult(reviewCase: c, category: category, transition: Transition.of(year: round.year, history: history) ?? .none)
        }
    }
}
