/// A fact that a rule needed but the household did not give.
public struct MissingFact: Sendable, Equatable {
    public var fact: String
    public var memberID: String?
}

/// Kleene logic: a rule can be decided even when some facts are missing (a child under 16 is a
/// dependant whatever their allowance), and is `unknown` only when a missing fact could change it.
enum Truth: Equatable {
    case yes, no
    case unknown(MissingFact)
}

/// What an indicator evaluation looked at, for the explanation.
final class Trace {
    var facts: [String] = []
    var members: [(id: String, name: String?, facts: [String])] = []
    var counts: [String] = []
}

struct ConditionEvaluator {
    let household: Household
    let date: CivilDate
    var workingAge: WorkingAge? = nil

    func eval(_ c: Condition, member: Int?, trace: Trace?) -> Truth {
        switch c {
        case .all(let xs):
            var missing: MissingFact?
            for x in xs {
                switch eval(x, member: member, trace: trace) {
                case .no: return .no
                case .unknown(let m): if missing == nil { missing = m }
                case .yes: break
                }
            }
            return missing.map(Truth.unknown) ?? .yes
        case .any(let xs):
            var missing: MissingFact?
            for x in xs {
                switch eval(x, member: member, trace: trace) {
                case .yes: return .yes
                case .unknown(let m): if missing == nil { missing = m }
                case .no: break
                }
            }
            return missing.map(Truth.unknown) ?? .no
        case .not(let x):
            switch eval(x, member: member, trace: trace) {
            case .yes: return .no
            case .no: return .yes
            case .unknown(let m): return .unknown(m)
            }
        case .atLeast(let n, let xs):
            var yes = 0, unknown = 0
            var missing: MissingFact?
            for x in xs {
                switch eval(x, member: member, trace: trace) {
                case .yes: yes += 1
                case .no: break
                case .unknown(let m): unknown += 1; if missing == nil { missing = m }
                }
            }
            trace?.counts.append("\(yes)/\(xs.count) (cần ≥ \(n))")
            if yes >= n { return .yes }
            if yes + unknown < n { return .no }
            return .unknown(missing!)
        case .anyMember(let x):
            var missing: MissingFact?
            var found = false
            // Members are visited by index: copying a Member struct per rule was most of the cost.
            for i in household.members.indices {
                let sub = trace.map { _ in Trace() }
                switch eval(x, member: i, trace: sub) {
                case .yes:
                    found = true
                    if let sub { trace?.members.append((household.members[i].id, household.members[i].name, sub.facts)) } else { return .yes }
                case .unknown(let mf): if missing == nil { missing = mf }
                case .no: break
                }
            }
            if found { return .yes }
            return missing.map(Truth.unknown) ?? .no
        case .memberShareAbove(let x, let percent):
            guard !household.members.isEmpty else { return .unknown(MissingFact(fact: "members", memberID: nil)) }
            var yes = 0, unknown = 0
            var missing: MissingFact?
            for i in household.members.indices {
                let sub = trace.map { _ in Trace() }
                switch eval(x, member: i, trace: sub) {
                case .yes: yes += 1; if let sub { trace?.members.append((household.members[i].id, household.members[i].name, sub.facts)) }
                case .no: break
                case .unknown(let mf): unknown += 1; if missing == nil { missing = mf }
                }
            }
            let n = household.members.count
            trace?.counts.append("\(yes)/\(n) nhân khẩu (cần > \(percent)%)")
            // Integer comparison: share > p% ⇔ 100·yes > p·n, exact at the boundary.
            if 100 * yes > percent * n { return .yes }
            if 100 * (yes + unknown) <= percent * n { return .no }
            return .unknown(missing!)
        case .perMemberBelow(let f, let limit):
            guard case .number(let v?) = household.living.value(f) else {
                return .unknown(MissingFact(fact: f.rawValue, memberID: nil))
            }
            guard let n = household.memberCount, n > 0 else {
                return .unknown(MissingFact(fact: "members", memberID: nil))
            }
            trace?.facts.append("\(f.label): \(Format.number(v)) ÷ \(n) người = \(Format.number(v / Double(n))) (ngưỡng < \(Format.number(limit)))")
            // a < limit·n avoids rounding the quotient: 32 m² for 4 people is exactly 8, not deprived.
            return v < limit * Double(n) ? .yes : .no
        case .age(let lo, let hi):
            guard let i = member else { return .no }
            guard let age = household.members[i].age(on: date) else {
                return .unknown(MissingFact(fact: "birthDate", memberID: household.members[i].id))
            }
            trace?.facts.append("tuổi: \(age)")
            if let lo, age < lo { return .no }
            if let hi, age >= hi { return .no }
            return .yes
        case .workingAge:
            guard let i = member, let table = workingAge else { return .no }
            let m = household.members[i]
            // Completed months on the date; with only a birth year, whole years (as `age` does).
            guard let months = WorkingAge.ageMonths(birthDate: m.birthDate, birthYear: m.birthYear, on: date) else {
                return .unknown(MissingFact(fact: "birthDate", memberID: m.id))
            }
            guard let inRange = table.contains(ageMonths: months, sex: m.sex == "male" || m.sex == "female" ? m.sex : nil, year: date.year) else {
                return .unknown(MissingFact(fact: "sex", memberID: m.id))
            }
            trace?.facts.append("tuổi: \(months / 12)\(months % 12 == 0 ? "" : " tuổi \(months % 12) tháng")\(inRange ? " (trong" : " (ngoài") độ tuổi lao động \(table.describe(year: date.year)))")
            return inRange ? .yes : .no
        case .factIs(let f, let lit):
            let v = value(f, member)
            if v.isMissing { return .unknown(MissingFact(fact: f.rawValue, memberID: memberID(member))) }
            trace?.facts.append("\(f.label): \(v.display(f))")
            switch (v, lit) {
            case (.bool(let b?), .bool(let want)): return b == want ? .yes : .no
            case (.text(let s?), .text(let want)): return s == want ? .yes : .no
            case (.number(let n?), .number(let want)): return n == want ? .yes : .no
            default: return .no
            }
        case .factIn(let f, let xs), .factNotIn(let f, let xs):
            let v = value(f, member)
            guard case .text(let s?) = v else { return .unknown(MissingFact(fact: f.rawValue, memberID: memberID(member))) }
            trace?.facts.append("\(f.label): \(v.display(f))")
            let isIn = xs.contains(s)
            if case .factIn = c { return isIn ? .yes : .no }
            return isIn ? .no : .yes
        case .containsNoneOf(let f, let xs), .containsAnyOf(let f, let xs):
            let v = value(f, member)
            guard case .list(let list?) = v else { return .unknown(MissingFact(fact: f.rawValue, memberID: memberID(member))) }
            trace?.facts.append("\(f.label): \(v.display(f))")
            let hasAny = list.contains(where: xs.contains)
            if case .containsAnyOf = c { return hasAny ? .yes : .no }
            return hasAny ? .no : .yes
        case .numberBelow(let f, let limit), .numberAtLeast(let f, let limit):
            let v = value(f, member)
            guard case .number(let n?) = v else { return .unknown(MissingFact(fact: f.rawValue, memberID: memberID(member))) }
            trace?.facts.append("\(f.label): \(v.display(f))")
            if case .numberBelow = c { return n < limit ? .yes : .no }
            return n >= limit ? .yes : .no
        }
    }

    private func value(_ f: Fact, _ member: Int?) -> FactValue {
        if f.scope == .member { return member.map { household.members[$0].value(f) } ?? .bool(nil) }
        return household.living.value(f)
    }

    private func memberID(_ member: Int?) -> String? { member.map { household.members[$0].id } }
}
