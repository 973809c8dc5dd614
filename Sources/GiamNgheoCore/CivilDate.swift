/// A calendar date without time or time zone. Ages and validity periods are legal facts about days,
/// so they must not shift with the machine's time zone (Circular 07/2021/TT-BLĐTBXH: age at the review date).
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
        if let d = Self.iso(text) { self = d; return }
        let t = text.trimmed()
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
        // Digits only: Int() would also take a sign ("2024-+2-05").
        guard parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
        guard let y, let m, let d, let date = CivilDate(year: y, month: m, day: d) else { return nil }
        self = date
    }

    /// Exactly `YYYY-MM-DD` in ASCII digits (how files and the registry write dates), read without splitting;
    /// anything else is left to the general reading, which gives the same date for this form.
    public static func iso(_ text: String) -> CivilDate? {
        var text = text
        return text.withUTF8 { b -> CivilDate? in
            guard b.count == 10, b[4] == 0x2D, b[7] == 0x2D else { return nil }
            func number(_ range: Range<Int>) -> Int? {
                var n = 0
                for i in range {
                    let d = Int(b[i]) - 0x30
                    guard d >= 0 && d <= 9 else { return nil }
                    n = n * 10 + d
                }
                return n
            }
            guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
            return CivilDate(year: y, month: m, day: d)
        }
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
        guard (1000...9999).contains(year) else { return "\(year)-\(Self.pad(month))-\(Self.pad(day))" }
        // Ten ASCII bytes written in place (an import writes millions): interpolation builds a string per part.
        return String(unsafeUninitializedCapacity: 10) { b in
            func put(_ n: Int, at start: Int, width: Int) {
                var x = n
                for j in stride(from: start + width - 1, through: start, by: -1) { b[j] = UInt8(0x30 + x % 10); x /= 10 }
            }
            put(year, at: 0, width: 4); put(month, at: 5, width: 2); put(day, at: 8, width: 2)
            b[4] = 0x2D; b[7] = 0x2D
            return 10
        }
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

extension CivilDate {
    /// Days since 1970-01-01 (proleptic Gregorian; H. Hinnant's days_from_civil), for date arithmetic
    /// without a calendar or a time zone.
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public init(dayNumber z0: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self = CivilDate(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)!
    }

    public func adding(days: Int) -> CivilDate { CivilDate(dayNumber: dayNumber + days) }

    /// 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday).
    public var isoWeekday: Int { ((dayNumber % 7 + 7) % 7 + 3) % 7 + 1 }

    /// The date `n` working days after this one (Monday to Friday; public holidays are not known here and
    /// are not skipped).
    public func adding(workingDays n: Int) -> CivilDate {
        var d = self, left = n
        while left > 0 {
            d = d.adding(days: 1)
            if d.isoWeekday <= 5 { left -= 1 }
        }
        return d
    }
}
