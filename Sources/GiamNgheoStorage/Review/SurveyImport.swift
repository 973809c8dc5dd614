import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

/// Phone submissions (ODK Central, KoboToolbox exports of `XLSForm`'s Phiếu A and B) into a round as survey drafts,
/// through the same two steps as a household import: a dry run that lists every submission's outcome and every
/// problem by row and field, then a commit of all of it or nothing. A case remembers the submission its draft came
/// from, so the same export uploaded again changes nothing. A submission that would replace something else (another
/// submission, a survey typed on the web, two submissions of one household in the upload) is listed for the officer
/// to choose; nothing is replaced without that choice. The officer finishes each draft on the web, as one typed there.
extension ReviewStore {
    public struct SurveyLine: Sendable, Codable, Equatable {
        public enum Outcome: String, Sendable, Codable { case draft, unchanged, conflict, kept, error }
        public var form: String
        public var household: String
        public var instanceID: String
        public var sheet: String
        public var row: Int
        public var enumerator: String?
        public var surveyedOn: String?
        public var outcome: Outcome
        public var message: String
        /// The choice key of a conflict (`B:19753-000012`): the officer answers it with an instance ID or "keep".
        public var choiceKey: String { "\(form):\(household)" }
    }

    public struct SurveyImportReport: Sendable {
        public var lines: [SurveyLine] = []
        public var issues: [ImportIssue] = []
        public var fingerprint = ""
        public var committed = false
        public var drafts: Int { lines.filter { $0.outcome == .draft }.count }
        public var unchanged: Int { lines.filter { $0.outcome == .unchanged || $0.outcome == .kept }.count }
        public var errors: Int { lines.filter { $0.outcome == .error }.count + issues.filter(\.blocking).count }
        /// Conflicts still waiting for the officer's choice, by choice key, in the upload's order.
        public var conflicts: [(key: String, lines: [SurveyLine])] {
            var order: [String] = [], by: [String: [SurveyLine]] = [:]
            for l in lines where l.outcome == .conflict {
                if by[l.choiceKey] == nil { order.append(l.choiceKey) }
                by[l.choiceKey, default: []].append(l)
            }
            return order.map { ($0, by[$0]!) }
        }
        public var canCommit: Bool { errors == 0 && conflicts.isEmpty && drafts > 0 }
        /// Why a commit is refused, in one sentence.
        public var refusal: String {
            if errors > 0 { return "Còn \(errors) lỗi: sửa trên máy chủ ODK/Kobo rồi xuất lại (không ghi một phần)." }
            if !conflicts.isEmpty { return "Còn \(conflicts.count) hộ có phiếu trùng chưa chọn." }
            return "Không có phiếu mới nào để ghi: tệp đã được nhập trước đây."
        }
    }

    struct SurveyTake { var caseID: Int; var version: Int; var line: SurveyLine; var household: Household?; var quickScreen: Set<String>? }

    /// The dry run (`commit` false) or the commit of `submissions` into round `roundID`. `choices` answer conflicts
    /// by choice key; `expectedFingerprint`, when given, must be the dry run's (nothing changed since the officer read it).
    public func importSurvey(_ scope: Scope, roundID: Int, submissions: [SurveyExport.Submission], issues: [ImportIssue],
                             choices: [String: String], commit: Bool, expectedFingerprint: String? = nil, today: CivilDate,
                             on db: any Database) async throws -> SurveyImportReport {
        guard scope.canWrite else { throw AccessError.forbidden }
        let round = try await self.round(scope, id: roundID, on: db)
        try Self.editable(round)
        guard round.stepCode == .survey || round.stepCode == .meeting else {
            throw Self.invalid("Vòng rà soát không ở bước khảo sát: chỉ nhận phiếu ở bước 2 hoặc khảo sát lại hộ họp dân chưa thống nhất.")
        }
        guard commit else {
            return try await plan(round, submissions, issues, choices, today: today, on: db).report
        }
        return try await store.writing(db) { tx in
            try await Self.stillEditable(roundID, on: tx)
            var (report, takes) = try await self.plan(round, submissions, issues, choices, today: today, on: tx)
            if let expectedFingerprint, expectedFingerprint != report.fingerprint {
                throw Self.invalid("Vòng rà soát đã thay đổi kể từ lần kiểm tra (có người vừa lưu phiếu); hãy kiểm tra lại trước khi ghi.")
            }
            guard report.canCommit else { throw Self.invalid(report.refusal) }
            for t in takes {
                try await Self.bump(ReviewCase.schema, id: t.caseID, expected: t.version, on: tx)
                let c = try await ReviewCase.find(t.caseID, on: tx)!
                if let h = t.household {
                    c.draft = Interchange.jsonLine(h)
                    c.submissionB = t.line.instanceID
                } else if let q = t.quickScreen {
                    c.quickScreen = q.sorted().joined(separator: ",")
                    c.submissionA = t.line.instanceID
                }
                if let e = t.line.enumerator { c.enumerator = e }
                if let d = t.line.surveyedOn { c.surveyedOn = d }
                if c.caseStage == .listed || c.caseStage == .surveyed { c.stage = CaseStage.draft.rawValue }
                try await c.update(on: tx)
                try await self.audit(scope, "review.draft", household: c.householdID, field: "Phiếu \(t.line.form) (điện thoại)",
                                     new: "nháp từ \(t.line.instanceID)", on: tx)
            }
            report.committed = true
            return report
        }
    }

    /// What each submission does, without writing: the drafts to make and the report's lines.
    func plan(_ round: ReviewRound, _ submissions: [SurveyExport.Submission], _ issues: [ImportIssue], _ choices: [String: String],
              today: CivilDate, on db: any Database) async throws -> (report: SurveyImportReport, takes: [SurveyTake]) {
        var report = SurveyImportReport(issues: issues)
        let cases = try await ReviewCase.query(on: db).filter(\.$roundID == round.id!).all()
        var records: [Int: HouseholdRecord] = [:]
        for chunk in cases.map(\.householdID).chunks(of: 500) {
            for r in try await HouseholdRecord.query(on: db).filter(\.$id ~~ chunk).all() { records[r.id!] = r }
        }
        var caseOf: [String: ReviewCase] = [:]
        for c in cases { if let code = records[c.householdID]?.code { caseOf[code] = c } }
        // The submissions of one household and form together, each instance once, in the upload's order.
        var order: [String] = [], groups: [String: [SurveyExport.Submission]] = [:]
        for s in submissions {
            let key = "\(s.form.rawValue):\(s.household)"
            if groups[key] == nil { order.append(key) }
            if !(groups[key] ?? []).contains(where: { $0.instanceID == s.instanceID }) { groups[key, default: []].append(s) }
        }
        var takes: [SurveyTake] = []
        var hasher = Hasher64()
        for key in order {
            let group = groups[key]!
            func line(_ s: SurveyExport.Submission, _ o: SurveyLine.Outcome, _ m: String) -> SurveyLine {
                SurveyLine(form: s.form.rawValue, household: s.household, instanceID: s.instanceID, sheet: s.sheet, row: s.row,
                           enumerator: s.enumerator, surveyedOn: s.surveyedOn?.description, outcome: o, message: m)
            }
            func all(_ o: SurveyLine.Outcome, _ m: String) { report.lines += group.map { line($0, o, m) } }
            let form = group[0].form, code = group[0].household
            guard let c = caseOf[code] else { all(.error, "Hộ '\(code)' không có trong vòng rà soát này."); continue }
            // What the officer read: each case's version and the submissions offered for it (not the choices made).
            hasher.add(String(c.id!), String(c.version), group.map(\.instanceID).joined(separator: " "))
            if c.caseStage == .agreed || c.caseStage == .decided {
                all(.error, "Hộ \(code) đã được họp dân thống nhất hoặc đã có quyết định: không nhận phiếu mới."); continue
            }
            if form == .a {
                guard let screen = procedure.quickScreen else { all(.error, "Quy trình không có Phiếu A."); continue }
                guard screen.applies(requestForm: c.requestForm) else {
                    all(.error, "Hộ \(code) không có giấy đề nghị (Mẫu số 01): khảo sát thẳng bằng Phiếu B, không dùng Phiếu A."); continue
                }
            }
            let current = form == .a ? c.submissionA : c.submissionB
            if group.count == 1, group[0].instanceID == current { all(.unchanged, "Đã nhập trước đây: không thay đổi."); continue }
            let typedOnWeb = current == nil && (form == .a ? c.quickScreen != nil : c.draft != nil || c.caseStage == .surveyed || c.caseStage == .returned)
            var chosen = group[0]
            if group.count > 1 || current != nil || typedOnWeb {
                let choice = choices[key]
                if choice == "keep" { all(.kept, "Giữ phiếu đang có (theo lựa chọn của cán bộ)."); continue }
                guard let pick = group.first(where: { $0.instanceID == choice }) else {
                    let why = group.count > 1 ? "Hộ \(code) có \(group.count) phiếu \(form.rawValue) khác nhau trong tệp"
                        : current != nil ? "Hộ \(code) đã có phiếu \(form.rawValue) từ điện thoại (\(current!))"
                        : "Hộ \(code) đã có phiếu \(form.rawValue) nhập trên web"
                    all(.conflict, why + ": chọn phiếu dùng hoặc giữ phiếu đang có."); continue
                }
                chosen = pick
                report.lines += group.filter { $0.instanceID != pick.instanceID }.map { line($0, .kept, "Không dùng (cán bộ chọn \(pick.instanceID)).") }
            }
            if let d = chosen.surveyedOn, d > today {
                report.lines.append(line(chosen, .error, "Ngày khảo sát \(d.vietnamese) ở sau ngày hôm nay.")); continue
            }
            var take = SurveyTake(caseID: c.id!, version: c.version, line: line(chosen, .draft, ""), household: nil, quickScreen: nil)
            do {
                if form == .a, let screen = procedure.quickScreen {
                    let q = SurveyExport.quickScreen(chosen, screen)
                    take.quickScreen = q
                    take.line.message = screen.excludes(q) ? "Nháp Phiếu A: \(q.count) chỉ tiêu, không rà soát tiếp." : "Nháp Phiếu A: \(q.count) chỉ tiêu, khảo sát tiếp Phiếu B."
                } else {
                    let base = try c.draft.map { try store.parser.parse(jsonLine: $0, line: 1) } ?? store.household(records[c.householdID]!, parser: store.parser)
                    let h = try SurveyExport.apply(chosen, to: base, parser: store.parser)
                    take.household = h
                    let p = provisional(h, quickScreen: [], standard: round.standard)
                    take.line.message = "Nháp Phiếu B; tạm tính: \(Category(rawValue: p.category)?.vietnamese ?? "chưa đủ thông tin"). \(p.explanation)"
                }
            } catch let e as ClassificationError {
                report.lines.append(line(chosen, .error, "Trường '\(e.field)': \(e.message)")); continue
            } catch {
                report.lines.append(line(chosen, .error, "\(error)")); continue
            }
            report.lines.append(take.line)
            takes.append(take)
        }
        report.fingerprint = hasher.hex
        return (report, takes)
    }
}
