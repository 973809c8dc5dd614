extension SurveyExport {
    /// Phiếu A's answers: the criteria answered yes (by code).
    public static func quickScreen(_ s: Submission, _ screen: QuickScreen) -> Set<String> {
        Set(screen.criteria.filter { VietnameseText.fold(s.answers["a_" + $0.code] ?? "") == "yes" }.map(\.code))
    }

    /// Phiếu B's answers on top of `base` (the case's draft, else the registry's household), read by the registry's
    /// own reader so that every check and message is the registry's:
    /// - an answered question replaces the fact; one left empty (not asked: above the income line, another age)
    ///   keeps it, except điểm B1, which an empty answer clears so that income measures the household (as on the web);
    /// - a member is the registry's member with the same personal ID, else with the same name (accents and case
    ///   aside) and date or year of birth, keeping its spelling of that name; one not found is added with the next
    ///   free id. Members the phone did not list stay: leaving the household is a registry change, not an answer.
    public static func apply(_ s: Submission, to base: Household, parser: HouseholdParser) throws -> Household {
        var d = Interchange.dictionary(base)
        func value(_ name: String, _ v: String) -> Any? {
            guard !v.isEmpty else { return nil }
            return multiple.contains(name) ? v.split(separator: " ").map(String.init) : v
        }
        var living = d["living"] as? [String: Any] ?? [:]
        for (name, v) in s.answers {
            if name == "scoreB1", v.isEmpty { d.removeValue(forKey: "scoreB1"); d.removeValue(forKey: "scoreA"); continue }
            guard let x = value(name, v) else { continue }
            if let f = Fact(rawValue: name), f.scope == .household { living[name] = x } else { d[name] = x }
        }
        if s.answers["scoreB1"].map({ !$0.isEmpty }) == true { d.removeValue(forKey: "scoreA") }
        if living.isEmpty { d.removeValue(forKey: "living") } else { d["living"] = living }
        var members = d["members"] as? [[String: Any]] ?? []
        for m in s.members {
            var i = match(m.answers, in: members)
            if i == nil {
                var n = members.count + 1
                while members.contains(where: { "\($0["id"] ?? "")" == "\(n)" }) { n += 1 }
                members.append(["id": "\(n)"])
                i = members.count - 1
            }
            for (name, v) in m.answers {
                guard let x = value(name, v) else { continue }
                // The same name without its accents (typed on a phone) keeps the registry's spelling.
                if name == "name", let old = members[i!]["name"] as? String, VietnameseText.fold(old) == VietnameseText.fold(v) { continue }
                members[i!][name] = x
            }
            if m.answers["birthDate"].map({ !$0.isEmpty }) == true { members[i!].removeValue(forKey: "birthYear") }
        }
        if members.isEmpty { d.removeValue(forKey: "members") } else { d["members"] = members }
        return try parser.parse(d, fallbackCode: base.code)
    }

    /// The registry member a submitted member is: by personal ID, else by folded name and birth.
    static func match(_ a: [String: String], in members: [[String: Any]]) -> Int? {
        if let id = a["nationalID"], !id.isEmpty, let i = members.firstIndex(where: { "\($0["nationalID"] ?? "")" == id }) { return i }
        guard let name = a["name"].map(VietnameseText.fold), !name.isEmpty else { return nil }
        let born = a["birthDate"].flatMap { CivilDate(String($0.prefix(10))) }
        return members.firstIndex { m in
            guard VietnameseText.fold("\(m["name"] ?? "")") == name else { return false }
            guard let born else { return true }
            if let d = (m["birthDate"] as? String).flatMap(CivilDate.init) { return d == born }
            if let y = m["birthYear"] as? Int { return y == born.year }
            return true
        }
    }
}
