/// The review procedure as data (Decision 24/2021/QĐ-TTg): steps, windows and their figures, so that a
/// correction or the next decree is a file, not code. Figures not confirmed against the official text
/// carry `verified: false`.
public struct ReviewProcedure: Codable, Sendable, Equatable {
    public struct Step: Codable, Sendable, Equatable {
        public var n: Int
        public var code: String
        public var vi: String
        public var en: String
        public var verified: Bool
        /// MEETING: share of attendees who must agree (≥), and copies of the minutes.
        public var quorumPercent: Int?
        public var minutesCopies: Int?
        /// POSTING: how long, in which days, and the re-check time for complaints.
        public var days: Int?
        public var dayType: String?
        public var complaintRecheckDays: Int?
        /// POSTING: the re-check results are posted again for this many days (of `dayType`) before the decision.
        public var repostingDays: Int?
        /// POSTING: where the lists are posted (printed on the notice).
        public var places: [String]?
        public var citation: String?
        /// A step that exists only for rounds ending before this date (the district step, gone 01/07/2025).
        public var enabledBefore: CivilDate?
        /// RECOGNITION: "MM-DD" within the periodic window's year.
        public var deadline: String?
    }

    public struct Windows: Codable, Sendable, Equatable {
        public struct Periodic: Codable, Sendable, Equatable { public var from: String; public var to: String }
        public struct Regular: Codable, Sendable, Equatable { public var monthlyFromDay: Int; public var maxDays: Int }
        public var periodic: Periodic
        public var regular: Regular
    }

    public var id: String
    public var name: LocalizedText
    public var source: String?
    public var validFrom: CivilDate
    public var windows: Windows
    public var periodicSteps: [Step]
    public var regularSteps: [String]
    public var requestForms: [String: String]
    /// Phiếu A's criteria (UNCONFIRMED, data) and its rule; nil when the procedure has no quick identification.
    public var quickScreen: QuickScreen?

    public enum Round: Sendable, Equatable {
        /// Once a year (định kỳ).
        case periodic(year: Int)
        /// Each month from the 15th (thường xuyên).
        case regular(year: Int, month: Int)
    }

    /// The dates a round runs: 01/09–14/12 for the periodic round; from the 15th for `maxDays` days
    /// (decision within 15 days of the start) for a regular one.
    public func window(_ round: Round) throws -> (start: CivilDate, end: CivilDate) {
        switch round {
        case .periodic(let year):
            return (try Self.day(windows.periodic.from, year), try Self.day(windows.periodic.to, year))
        case .regular(let year, let month):
            guard let start = CivilDate(year: year, month: month, day: windows.regular.monthlyFromDay) else {
                throw StandardError("tháng \(month)/\(year) không hợp lệ")
            }
            return (start, start.adding(days: windows.regular.maxDays))
        }
    }

    /// The steps of a round in order: the periodic steps that apply on its dates (no district step once
    /// districts are gone), or the regular steps (Art. 5: steps 2–4, then the decision).
    public func steps(_ round: Round) throws -> [Step] {
        switch round {
        case .periodic:
            let end = try window(round).end
            return periodicSteps.filter { s in s.enabledBefore.map { end < $0 } ?? true }
        case .regular:
            return try regularSteps.map { code in
                guard let s = periodicSteps.first(where: { $0.code == code }) else {
                    throw StandardError("bước '\(code)' của rà soát thường xuyên không có trong quy trình \(id)")
                }
                return s
            }
        }
    }

    /// The village meeting agrees when at least `quorumPercent` % of the attendees agree; with nobody
    /// present there is no agreement. Integers only: 100·agree ≥ q·attendees.
    public static func meetingAgrees(agree: Int, attendees: Int, quorumPercent: Int) -> Bool {
        attendees > 0 && agree >= 0 && agree <= attendees && 100 * agree >= quorumPercent * attendees
    }

    /// A "MM-DD" of the data in a given year.
    public static func day(_ monthDay: String, _ year: Int) throws -> CivilDate {
        let parts = monthDay.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 2, let d = CivilDate(year: year, month: parts[0], day: parts[1]) else {
            throw StandardError("ngày '\(monthDay)' không hợp lệ (cần MM-DD)")
        }
        return d
    }
}

/// The steps the code acts on, by their code in the procedure data (Decision 24/2021/QĐ-TTg: list, survey,
/// village meeting, posting, recognition). A procedure file may name other steps; those only pass through.
public enum ReviewStepCode: String, Sendable, CaseIterable {
    case list = "LIST", survey = "SURVEY", meeting = "MEETING", posting = "POSTING", recognition = "RECOGNITION"
}

extension ReviewProcedure.Step {
    public var stepCode: ReviewStepCode? { ReviewStepCode(rawValue: code) }
}
