/// Checks the registry makes on a household before saving it, beyond what the parser checks: the ones
/// that need today's date or only matter for a kept record (the engine can classify without them).
/// Each problem names the field as the parser does (`members[2].birthDate`), so forms show it in place.
public enum RegistryChecks {
    public static func problems(_ h: Household, today: CivilDate) -> [ClassificationError] {
        var out: [ClassificationError] = []
        func add(_ field: String, _ message: String) {
            out.append(ClassificationError(household: h.code, field: field, message: message))
        }
        for m in h.members {
            let p = "members[\(m.id)]"
            if (m.name ?? "").isEmpty { add("\(p).name", "cần ghi họ và tên") }
            if let b = m.birthDate, b > today { add("\(p).birthDate", "ngày sinh \(b.vietnamese) ở sau ngày hôm nay") }
            if let y = m.birthYear, m.birthDate == nil, y > today.year { add("\(p).birthDate", "năm sinh \(y) ở sau năm hiện tại") }
        }
        if !h.members.isEmpty && h.head == nil { add("members.relation", "hộ chưa có chủ hộ: chọn một người là chủ hộ") }
        var ids: [String: String] = [:]
        for m in h.members {
            guard let n = m.nationalID else { continue }
            if let other = ids[n] { add("members[\(m.id)].nationalID", "số định danh trùng với nhân khẩu \(other) trong cùng hộ") }
            ids[n] = m.id
        }
        return out
    }
}
