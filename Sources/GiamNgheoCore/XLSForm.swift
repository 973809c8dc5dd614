/// Phiếu A and Phiếu B as XLSForms (the authoring format of ODK Collect and KoboToolbox), made from the standard
/// and the procedure in force so that the phone asks what the web survey asks: Phiếu A's criterion columns
/// (Circular 07/2021 Phụ lục II) and Phiếu B's parts B1 and B2 (Phụ lục III), members as a repeat group.
/// Question names are the registry's own field names, so a submission reads back with the household reader.
///
/// - The household is chosen from a list attached to the form (`households.csv`: name = household code, label,
///   area), never typed.
/// - Part B2 is asked only where the standard's rules need it: income decides first (Decree 07/2021 Art. 3), so a
///   household whose B1 measure is above every band that tests deprivations is not asked; a member's question
///   only at the ages the standard's indicators read it.
/// - Constraints mirror the registry's checks (12-digit personal ID, dates not in the future, one head).
/// - Items not yet confirmed against the official text carry the "chưa xác minh" hint.
public struct XLSForm: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case a = "A", b = "B" }

    public static let vi = "Tiếng Việt (vi)", en = "English (en)"
    public static let surveyColumns = ["type", "name", "label::\(vi)", "label::\(en)", "hint::\(vi)", "hint::\(en)", "required",
                                       "required_message::\(vi)", "required_message::\(en)", "relevant", "constraint",
                                       "constraint_message::\(vi)", "constraint_message::\(en)", "calculation", "appearance"]
    public static let choiceColumns = ["list_name", "name", "label::\(vi)", "label::\(en)"]
    public static let settingsColumns = ["form_title", "form_id", "version", "default_language", "instance_name", "allow_choice_duplicates"]
    /// The household list attached to both forms.
    public static let householdsFile = "households.csv"
    public static let householdsColumns = ["name", "label", "area", "village"]

    public var kind: Kind
    public var survey: [[String: String]] = []
    public var choices: [[String: String]] = []
    public var settings: [String: String] = [:]

    public var formID: String { "giamngheo_phieu_\(kind.rawValue.lowercased())" }

    /// The version a phone shows, from the day the form is made (ODK and Kobo need a new one for a changed form).
    public static func version(_ d: CivilDate) -> String { String(format: "%04d%02d%02d", d.year, d.month, d.day) }

    /// A question or other row of the survey sheet; labels, hints and messages in both languages.
    mutating func row(_ type: String, _ name: String, _ label: (vi: String, en: String)? = nil, hint: (vi: String, en: String)? = nil,
                      required: String? = nil, relevant: String? = nil, constraint: (String, vi: String, en: String)? = nil,
                      calculation: String? = nil, appearance: String? = nil) {
        var r = ["type": type, "name": name]
        if let label { r["label::\(Self.vi)"] = label.vi; r["label::\(Self.en)"] = label.en }
        if let hint { r["hint::\(Self.vi)"] = hint.vi; r["hint::\(Self.en)"] = hint.en }
        if let required {
            r["required"] = required
            r["required_message::\(Self.vi)"] = "Câu này bắt buộc trả lời."; r["required_message::\(Self.en)"] = "This question is required."
        }
        if let relevant { r["relevant"] = relevant }
        if let constraint { r["constraint"] = constraint.0; r["constraint_message::\(Self.vi)"] = constraint.vi; r["constraint_message::\(Self.en)"] = constraint.en }
        if let calculation { r["calculation"] = calculation }
        if let appearance { r["appearance"] = appearance }
        survey.append(r)
    }

    mutating func choice(_ list: String, _ name: String, _ vi: String, _ en: String) {
        choices.append(["list_name": list, "name": name, "label::\(Self.vi)": vi, "label::\(Self.en)": en])
    }

    static let unconfirmed = (vi: "Chưa xác minh với văn bản gốc: quản trị viên có thể sửa danh mục này.",
                              en: "Not yet confirmed against the official text: an administrator may edit this list.")

    /// The opening rows both forms share: metadata, the household from the attached list, who and when.
    mutating func opening(title: (vi: String, en: String)) {
        row("start", "start"); row("end", "end")
        row("note", "intro", title)
        row("select_one_from_file \(Self.householdsFile)", "household", ("Hộ gia đình (chọn trong danh sách của xã)", "Household (from the commune's list)"),
            hint: ("Gõ vài chữ của mã hộ hoặc tên chủ hộ để tìm.", "Type part of the household code or the head's name to search."),
            required: "yes", appearance: "autocomplete")
        row("calculate", "household_area", calculation: "instance('households')/root/item[name=${household}]/area")
        row("text", "enumerator", ("Rà soát viên", "Enumerator"), required: "yes")
        row("date", "surveyedOn", ("Ngày khảo sát", "Survey date"), required: "yes",
            constraint: (". <= today()", "Ngày khảo sát không được sau hôm nay.", "The survey date cannot be in the future."))
        settings = ["default_language": Self.vi, "instance_name": "concat(${household}, ' ', ${surveyedOn})", "allow_choice_duplicates": "yes"]
    }

    mutating func yesNo() {
        choice("yesno", "yes", "Có", "Yes"); choice("yesno", "no", "Không", "No")
    }

    /// Phiếu A: the criterion columns as yes/no questions and the rule's outcome shown at the end.
    public static func phieuA(_ screen: QuickScreen, version: String) -> XLSForm {
        var f = XLSForm(kind: .a)
        f.opening(title: ("\(screen.title ?? screen.formName)", "Form A: quick identification of household characteristics"))
        f.row("begin_group", "a", ("Các chỉ tiêu (cột 01–\(String(format: "%02d", screen.criteria.count)))", "Criteria"),
              hint: (screen.ruleText, "A household meeting the rule's number of criteria is not reviewed further; fewer goes on to Form B."))
        for (i, c) in screen.criteria.enumerated() {
            f.row("select_one yesno", "a_\(c.code)", ("Cột \(String(format: "%02d", i + 1)): \(c.vi)", "Column \(i + 1): \(c.en)"),
                  hint: c.verified ? nil : unconfirmed, required: "yes")
        }
        f.row("end_group", "a_end")
        let count = screen.criteria.map { "if(${a_\($0.code)} = 'yes', 1, 0)" }.joined(separator: " + ")
        f.row("calculate", "criteriaMet", calculation: count.isEmpty ? "0" : count)
        let excluded: String
        switch screen.exclusionRule {
        case "all": excluded = "${criteriaMet} = \(screen.criteria.count)"
        case "atLeast": excluded = "${criteriaMet} >= \(screen.threshold ?? 1)"
        default: excluded = "${criteriaMet} >= 1"
        }
        f.row("calculate", "excluded", calculation: "if(\(excluded), 'yes', 'no')")
        f.row("note", "result_excluded", ("Hộ có ${criteriaMet} chỉ tiêu: không rà soát tiếp (không thuộc hộ nghèo, hộ cận nghèo).",
                                          "${criteriaMet} criteria met: not reviewed further (neither poor nor near-poor)."), relevant: "${excluded} = 'yes'")
        f.row("note", "result_next", ("Hộ có ${criteriaMet} chỉ tiêu: khảo sát tiếp bằng Phiếu B.", "${criteriaMet} criteria met: go on to Form B."),
              relevant: "${excluded} = 'no'")
        f.yesNo()
        f.settings.merge(["form_title": "Phiếu A: nhận dạng nhanh đặc điểm hộ gia đình", "form_id": f.formID, "version": version]) { $1 }
        return f
    }
}
