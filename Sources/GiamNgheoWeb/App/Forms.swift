import GiamNgheoCore
import GiamNgheoData
import Vapor

/// Messages per form input, shown next to the input they concern (and listed at the top for screen readers).
struct FormErrors {
    var byInput: [String: String] = [:]
    var general: [String] = []

    var isEmpty: Bool { byInput.isEmpty && general.isEmpty }

    /// Files the parser's or the registry checks' field path (`members[3].birthDate`, `living.floorArea`)
    /// under the input that carries it on this form. `memberPrefix` maps members to per-member inputs.
    mutating func add(_ e: ClassificationError, memberInput: (String, String) -> String? = { _, _ in nil }) {
        var field = e.field
        if field.hasPrefix("living.") { field = String(field.dropFirst("living.".count)) }
        if field.hasPrefix("members["), let close = field.firstIndex(of: "]") {
            let id = String(field[field.index(field.startIndex, offsetBy: 8)..<close])
            let key = field[field.index(after: close)...].drop(while: { $0 == "." })
            if let input = memberInput(id, String(key)) { byInput[input] = e.message; return }
        }
        if byInput[field] == nil, !field.isEmpty, field != "-" { byInput[field] = e.message } else { general.append(e.message) }
    }

    func message(_ input: String) -> HTML {
        guard let m = byInput[input] else { return "" }
        return "<span class=\"field-error\" id=\"err-\(input)\" role=\"alert\">\(m)</span>"
    }

    func attrs(_ input: String) -> HTML {
        byInput[input] == nil ? "" : "aria-invalid=\"true\" aria-describedby=\"err-\(input)\""
    }

    /// A summary at the top: every message, so nothing is missed on a long form.
    var summary: HTML {
        guard !isEmpty else { return "" }
        let items: [HTML] = general.map { "<li>\($0)</li>" } + byInput.keys.sorted().map { k in
            "<li><a href=\"#f-\(k)\">\(byInput[k]!)</a></li>"
        }
        return "<div class=\"error\" role=\"alert\"><b>Chưa lưu được, hãy sửa:</b><ul>\(items)</ul></div>"
    }
}

/// Labelled inputs with their error in place; names are the interchange keys so one parser checks them.
enum Field {
    static func text(_ label: String, _ name: String, _ value: String?, _ errors: FormErrors, attrs: String = "") -> HTML {
        """
        <label for="f-\(name)">\(label)</label>
        <input id="f-\(name)" name="\(name)" value="\(value)" \(raw: attrs) \(errors.attrs(name))>\(errors.message(name))
        """
    }

    static func select(_ label: String, _ name: String, _ options: [(code: String, vi: String)], _ current: String?,
                       _ errors: FormErrors, blank: Bool = true) -> HTML {
        let opts: [HTML] = (blank ? [HTML(unsafe: "<option value=\"\"></option>")] : []) + options.map {
            "<option value=\"\($0.code)\" \(current == $0.code ? "selected" : "")>\($0.vi)</option>"
        }
        return """
        <label for="f-\(name)">\(label)</label>
        <select id="f-\(name)" name="\(name)" \(errors.attrs(name))>\(opts)</select>\(errors.message(name))
        """
    }

    static func fact(_ fact: Fact, _ name: String, _ current: String?, _ errors: FormErrors) -> HTML {
        select(fact.label.prefix(1).uppercased() + fact.label.dropFirst(), name, Vocabulary.values[fact] ?? [], current, errors)
    }

    static func yesNo(_ label: String, _ name: String, _ v: Bool?, _ errors: FormErrors) -> HTML {
        select(label, name, [("true", "có"), ("false", "không")], v.map { $0 ? "true" : "false" }, errors)
    }

    /// The member's fields as on Phiếu B; `prefix` namespaces them when several members share a form.
    static func member(_ m: Member, _ errors: FormErrors, prefix: String = "", relation: Bool = true) -> HTML {
        let p = prefix
        let groups = BundledData.ethnicGroups.groups.map { (code: $0.code, vi: $0.name) }
        let birth = m.birthDate?.vietnamese ?? m.birthYear.map(String.init)
        return """
        <div class="form-grid">
          <div>\(text("Họ và tên", p + "name", m.name, errors, attrs: "required autocomplete=\"off\""))</div>
          <div>\(text("Ngày sinh (dd/mm/yyyy hoặc năm sinh)", p + "birthDate", birth, errors, attrs: "inputmode=\"numeric\" placeholder=\"15/03/1980\""))</div>
          <div>\(fact(.sex, p + "sex", m.sex, errors))</div>
          <div>\(select("Dân tộc", p + "ethnicity", groups, m.ethnicity, errors))</div>
          \(relation ? "<div>\(fact(.relation, p + "relation", m.relation, errors))</div>" : "")
          <div>\(text("Số định danh cá nhân (CCCD, 12 số)", p + "nationalID", m.nationalID, errors, attrs: "inputmode=\"numeric\" maxlength=\"12\" pattern=\"[0-9]{12}\" autocomplete=\"off\""))</div>
          <div>\(yesNo("Có khả năng lao động", p + "workingCapacity", m.workingCapacity, errors))</div>
          <div>\(fact(.employment, p + "employment", m.employment, errors))</div>
          <div>\(yesNo("Có bảo hiểm y tế", p + "healthInsurance", m.healthInsurance, errors))</div>
          <div>\(fact(.schooling, p + "schooling", m.schooling, errors))</div>
          <div>\(fact(.qualification, p + "qualification", m.qualification, errors))</div>
          <div>\(fact(.nutrition, p + "nutrition", m.nutrition, errors))</div>
          <div>\(yesNo("Người khuyết tật", p + "disabled", m.disabled, errors))</div>
          <div>\(yesNo("Người có công với cách mạng", p + "meritorious", m.meritorious, errors))</div>
          <div>\(yesNo("Hưởng trợ cấp xã hội hằng tháng", p + "socialAllowance", m.socialAllowance, errors))</div>
          <div>\(yesNo("Ốm đau nặng không đi khám chữa bệnh", p + "seriousIllnessWithoutCare", m.seriousIllnessWithoutCare, errors))</div>
        </div>
        """
    }

    static let memberKeys = ["name", "birthDate", "sex", "ethnicity", "relation", "nationalID", "workingCapacity", "employment",
                             "healthInsurance", "schooling", "qualification", "nutrition", "disabled", "meritorious",
                             "socialAllowance", "seriousIllnessWithoutCare"]

    /// Living conditions as on Phiếu B.
    static func living(_ l: LivingConditions, _ errors: FormErrors) -> HTML {
        let devices: [HTML] = (Vocabulary.values[.informationDevices] ?? []).map { d in
            "<label class=\"check\"><input type=\"checkbox\" name=\"informationDevices[]\" value=\"\(d.code)\" \((l.informationDevices ?? []).contains(d.code) ? "checked" : "")> \(d.vi)</label>"
        }
        return """
        <div class="form-grid">
          <div>\(text("Diện tích nhà ở (m²)", "floorArea", l.floorArea.map { Format.number($0) }, errors, attrs: "inputmode=\"decimal\""))</div>
          <div>\(fact(.walls, "walls", l.walls, errors))</div>
          <div>\(fact(.frame, "frame", l.frame, errors))</div>
          <div>\(fact(.roof, "roof", l.roof, errors))</div>
          <div>\(fact(.waterSource, "waterSource", l.waterSource, errors))</div>
          <div>\(fact(.latrine, "latrine", l.latrine, errors))</div>
          <div>\(fact(.wasteTreatment, "wasteTreatment", l.wasteTreatment, errors))</div>
          <div>\(yesNo("Sử dụng internet", "usesInternet", l.usesInternet, errors))</div>
          <div>\(yesNo("Có thuê bao điện thoại", "usesTelephone", l.usesTelephone, errors))</div>
          <div>\(yesNo("Nghe được loa truyền thanh", "loudspeaker", l.loudspeaker, errors))</div>
          <div><fieldset><legend>Phương tiện tiếp cận thông tin</legend>
            <input type="hidden" name="informationDevices[]" value="">\(devices)</fieldset>\(errors.message("informationDevices"))</div>
        </div>
        """
    }

    static let livingKeys = ["floorArea", "walls", "frame", "roof", "waterSource", "latrine", "wasteTreatment", "usesInternet",
                             "usesTelephone", "loudspeaker"]

    /// Poverty causes: several may apply, one is the main cause (listed first when stored).
    static func causes(_ current: [String]?, _ errors: FormErrors) -> HTML {
        let main = current?.first
        // A disabled cause is offered only to a household that already carries it.
        let rows: [HTML] = BundledData.povertyCauses.filter { $0.enabled || (current ?? []).contains($0.code) }.map { c in
            """
            <tr><td><input type="checkbox" name="causes[]" value="\(c.code)" id="cause-\(c.code)" \((current ?? []).contains(c.code) ? "checked" : "")></td>
            <td><label for="cause-\(c.code)">\(c.code). \(c.vi)</label> \(c.verified ? "" : Layout.unverifiedBadge)</td>
            <td><input type="radio" name="mainCause" value="\(c.code)" aria-label="Nguyên nhân chính: \(c.vi)" \(main == c.code ? "checked" : "")></td></tr>
            """
        }
        return """
        <div class="scroll"><table><thead><tr><th>Có</th><th>Nguyên nhân nghèo</th><th>Chính</th></tr></thead><tbody>\(rows)</tbody></table></div>
        <input type="hidden" name="causes[]" value="">\(errors.message("causes"))
        """
    }
}

extension Request {
    /// Form fields as a flat dictionary plus repeated `name[]` fields as lists.
    func formFields() -> (single: [String: String], lists: [String: [String]]) { Self.fields(body.string ?? "") }

    private struct QueryFieldsKey: StorageKey { typealias Value = [String: String] }

    /// The query string's fields, parsed once per request: Vapor's `query[…, at:]` decodes the whole URL again on
    /// each call, and the household list asks for a dozen filters.
    var queryFields: [String: String] {
        if let known = storage[QueryFieldsKey.self] { return known }
        let fields = Self.fields(url.query ?? "").single
        storage[QueryFieldsKey.self] = fields
        return fields
    }

    /// `application/x-www-form-urlencoded` text (a body or a query string).
    static func fields(_ text: String) -> (single: [String: String], lists: [String: [String]]) {
        var single: [String: String] = [:], lists: [String: [String]] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            let key = decode(parts[0]), value = parts.count > 1 ? decode(parts[1]) : ""
            if key.hasSuffix("[]") {
                let k = String(key.dropLast(2))
                if !value.isEmpty { lists[k, default: []].append(value) } else { lists[k, default: []] = lists[k] ?? [] }
            } else { single[key] = value }
        }
        return (single, lists)
    }
}

extension Dictionary where Key == String, Value == Any {
    /// Sets a submitted value; an empty input means "not given" and removes the key.
    mutating func put(_ key: String, _ value: String?) {
        guard let value else { return }
        let t = value.trimmingCharacters(in: .whitespaces)
        if t.isEmpty { removeValue(forKey: key) } else { self[key] = t }
    }
}
