import Foundation

/// The phone forms' submissions as ODK Central and KoboToolbox export them, read back into the review: the main
/// table (one row a submission) and the members' repeat table, joined on the submission's key.
/// - ODK Central (CSV, the files of its zip): group paths joined by '-' (`b1-incomePerCapita`), `KEY` (the
///   instance ID, `uuid:…`) on the main rows, `PARENT_KEY` on the repeat's rows.
/// - KoboToolbox (xlsx "XML values and headers", or its sheets as CSV): paths joined by '/' (`b1/incomePerCapita`),
///   `_uuid` and `_index` on the main rows, `_parent_index` on the repeat's.
/// A column is known by the last part of its path, the question's own name (`XLSForm` names them after the
/// registry's fields); metadata and calculations the forms add are left alone.
public enum SurveyExport {
    public struct Table: Sendable {
        public var name: String
        public var header: [String]
        /// Rows with their number as the file shows it (the header is row 1).
        public var rows: [(row: Int, cells: [String])]
        public init(name: String, header: [String], rows: [(row: Int, cells: [String])]) { self.name = name; self.header = header; self.rows = rows }
    }

    public struct Submission: Sendable {
        public var form: XLSForm.Kind
        /// The instance ID, always as `uuid:…` (Kobo writes it bare).
        public var instanceID: String
        public var sheet: String
        public var row: Int
        public var household: String
        public var enumerator: String?
        public var surveyedOn: CivilDate?
        /// Answers by question name (household level); a question whose column is present but empty maps to "".
        public var answers: [String: String]
        public var members: [(row: Int, answers: [String: String])]
    }

    /// The question names a submission carries (the rest of an export's columns are metadata or calculations).
    static let memberNames: Set<String> = Set(["name", "birthDate", "nationalID"] + Fact.allCases.filter { $0.scope == .member }.map(\.rawValue))
    static let householdNames: Set<String> = Set(["incomePerCapita", "scoreB1", "agriculture", "causes"] + Fact.allCases.filter { $0.scope == .household }.map(\.rawValue))
    /// Questions with several answers, written space-separated by both tools.
    public static let multiple: Set<String> = ["causes", Fact.informationDevices.rawValue]

    /// A column's question name: the last part of its group path. Kobo's split columns of a multiple-answer
    /// question (`causes/2`) give nil: the question's own column holds the same answers.
    public static func questionName(_ column: String) -> String? {
        let parts = column.split(whereSeparator: { $0 == "/" || $0 == "-" }).map(String.init)
        guard let last = parts.last else { return nil }
        if parts.count >= 2, multiple.contains(parts[parts.count - 2]) { return nil }
        return last
    }

    /// The submissions of an export: `tables` are its main table and its repeat tables, in any order.
    public static func read(_ tables: [Table]) -> (submissions: [Submission], issues: [ImportIssue]) {
        var issues: [ImportIssue] = []
        func column(_ t: Table, _ names: String...) -> Int? { t.header.firstIndex { h in names.contains(h) } }
        guard let main = tables.first(where: { t in t.header.contains { questionName($0) == "household" } }) else {
            return ([], [ImportIssue(sheet: tables.first?.name ?? "", message: "không thấy cột 'household' (hộ gia đình): tệp không phải bản xuất Phiếu A hoặc Phiếu B của GiamNgheo, hoặc được xuất với nhãn câu hỏi thay cho tên (KoboToolbox: chọn 'XML values and headers').")])
        }
        let names = main.header.map { questionName($0) }
        let form: XLSForm.Kind = names.contains { $0?.hasPrefix("a_") == true } ? .a : .b
        let key = column(main, "KEY", "meta-instanceID", "meta/instanceID", "_uuid")
        let index = column(main, "_index")
        guard let key else {
            return ([], [ImportIssue(sheet: main.name, message: "thiếu cột mã bản ghi (ODK Central: KEY; KoboToolbox: _uuid): không nhận ra được bản nào đã nhập.")])
        }
        // The members' rows by their submission: ODK's PARENT_KEY is the main row's KEY, Kobo's _parent_index its _index.
        var membersOf: [String: [(row: Int, answers: [String: String])]] = [:]
        for t in tables where t.name != main.name || t.header != main.header {
            guard let parent = column(t, "PARENT_KEY", "_parent_index") else { continue }
            let byKobo = t.header[parent] == "_parent_index"
            let cols = t.header.enumerated().compactMap { i, h in questionName(h).flatMap { memberNames.contains($0) ? (i, $0) : nil } }
            for r in t.rows {
                guard parent < r.cells.count else { continue }
                var a: [String: String] = [:]
                for (i, n) in cols { a[n] = i < r.cells.count ? r.cells[i].trimmingCharacters(in: .whitespaces) : "" }
                membersOf[(byKobo ? "#" : "") + r.cells[parent], default: []].append((r.row, a))
            }
        }
        var out: [Submission] = []
        for r in main.rows {
            func cell(_ i: Int?) -> String { i.flatMap { $0 < r.cells.count ? r.cells[$0].trimmingCharacters(in: .whitespaces) : nil } ?? "" }
            var id = cell(key)
            guard !id.isEmpty else { issues.append(ImportIssue(sheet: main.name, row: r.row, column: main.header[key], message: "thiếu mã bản ghi.")); continue }
            let ownKey = index.map { "#" + cell($0) } ?? id
            if !id.hasPrefix("uuid:") { id = "uuid:" + id }
            var answers: [String: String] = [:]
            var household = "", enumerator: String?, surveyed: CivilDate?
            for (i, n) in names.enumerated() {
                guard let n else { continue }
                let v = cell(i)
                switch n {
                case "household": household = v
                case "enumerator": enumerator = v.isEmpty ? nil : v
                case "surveyedOn":
                    guard !v.isEmpty else { continue }
                    guard let d = CivilDate(String(v.prefix(10))) else {
                        issues.append(ImportIssue(sheet: main.name, row: r.row, column: main.header[i], value: v, message: "ngày khảo sát không hợp lệ."))
                        continue
                    }
                    surveyed = d
                default: if householdNames.contains(n) || n.hasPrefix("a_") { answers[n] = v }
                }
            }
            guard !household.isEmpty else {
                issues.append(ImportIssue(sheet: main.name, row: r.row, column: "household", message: "thiếu mã hộ (câu chọn hộ gia đình để trống)."))
                continue
            }
            out.append(Submission(form: form, instanceID: id, sheet: main.name, row: r.row, household: household, enumerator: enumerator,
                                  surveyedOn: surveyed, answers: answers, members: form == .b ? membersOf[ownKey] ?? membersOf[cell(key)] ?? [] : []))
        }
        return (out, issues)
    }
}
