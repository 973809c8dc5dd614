/// A calendar date without time or time zone. Ages and validity periods are legal facts about days,
/// so they must not shift with the machine's time zone (regulations.md §2.2: age at the review date).
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1800...2200).contains(year), (1...12).contains(month),
              (1...CivilDate.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year; self.month = month; self.day = day
    }

    /// Parses `YYYY-MM-DD` (ISO) or `DD/MM/YYYY` (how Vietnamese forms write dates).
    public init?(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        let parts: [Substring]
        let y, m, d: Int?
        if t.contains("-") {
            parts = t.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].count == 4 else { return nil }
            (y, m, d) = (Int(parts[0]), Int(parts[1]), Int(parts[2]))
        } else if t.contains("/") {
            parts = t.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[2].count == 4 else { return nil }
            (y, m, d) = (Int(parts[2]), Int(parts[1]), Int(parts[0]))
        } else { return nil }
        guard let y, let m, let d, let date = CivilDate(year: y, month: m, day: d) else { return nil }
        self = date
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func < (a: CivilDate, b: CivilDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    /// Completed years on `date`. A person born on 29 February reaches the next age on 1 March in
    /// common years; "từ đủ N tuổi" means the birthday itself counts (turning 16 on the date = 16).
    public func age(on date: CivilDate) -> Int {
        var years = date.year - year
        if (date.month, date.day) < (month, day) { years -= 1 }
        return years
    }

    public var description: String {
        "\(year)-\(Self.pad(month))-\(Self.pad(day))"
    }

    /// Vietnamese display form, dd/mm/yyyy.
    public var vietnamese: String { "\(Self.pad(day))/\(Self.pad(month))/\(year)" }

    private static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let d = CivilDate(s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "ngày không hợp lệ: \(s)")
        }
        self = d
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
