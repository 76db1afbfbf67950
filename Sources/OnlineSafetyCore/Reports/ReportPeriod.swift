public import Foundation

/// A term of the English school year.
///
/// Autumn runs from 1 September to 31 December; spring from 1 January to Easter Sunday (late
/// March or April); summer from Easter Monday to 31 August (teaching ends in July; August's
/// holiday is counted with it so that the three terms cover the academic year).
public enum SchoolTerm: String, Hashable, Sendable, Codable, CaseIterable {
    /// September to December.
    case autumn
    /// January to Easter.
    case spring
    /// Easter to the end of August.
    case summer

    /// "Autumn", "Spring", "Summer".
    public var title: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }
}

/// The period a governors' report covers: one term, or an academic year (1 September to 31 August).
public struct ReportPeriod: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The calendar year in which the academic year starts (2025 for 2025-26).
    public let academicYearStart: Int
    /// The term, or `nil` for the whole academic year.
    public let term: SchoolTerm?

    /// The academic year starting in September of `startYear`.
    public static func academicYear(_ startYear: Int) -> ReportPeriod { ReportPeriod(academicYearStart: startYear, term: nil) }

    /// A term of the academic year starting in September of `startYear`.
    public static func term(_ term: SchoolTerm, ofAcademicYear startYear: Int) -> ReportPeriod {
        ReportPeriod(academicYearStart: startYear, term: term)
    }

    /// The academic year containing a day.
    public static func academicYear(containing day: CalendarDate) -> ReportPeriod {
        .academicYear(day.month >= 9 ? day.year : day.year - 1)
    }

    /// Reads `2025-26` (an academic year), or `autumn-2025`, `spring-2026`, `summer-2026` (a term,
    /// named by the calendar year it falls in). Returns `nil` for anything else.
    public init?(parsing text: String) {
        let parts = text.lowercased().split(separator: "-").map(String.init)
        guard parts.count == 2 else { return nil }
        if let start = Int(parts[0]), let end = Int(parts[1]), parts[0].count == 4, parts[1].count == 2 {
            guard (start + 1) % 100 == end, (1990...2200).contains(start) else { return nil }
            self.init(academicYearStart: start, term: nil)
            return
        }
        guard let term = SchoolTerm(rawValue: parts[0]), let year = Int(parts[1]), parts[1].count == 4, (1990...2200).contains(year)
        else { return nil }
        self.init(academicYearStart: term == .autumn ? year : year - 1, term: term)
    }

    private init(academicYearStart: Int, term: SchoolTerm?) {
        self.academicYearStart = academicYearStart
        self.term = term
    }

    /// The terms the period covers, in order.
    public var terms: [ReportPeriod] {
        guard term == nil else { return [self] }
        return SchoolTerm.allCases.map { .term($0, ofAcademicYear: academicYearStart) }
    }

    /// The same period a year earlier.
    public var lastYear: ReportPeriod { ReportPeriod(academicYearStart: academicYearStart - 1, term: term) }

    /// The first and last days.
    public var days: DateRange {
        let start = academicYearStart
        switch term {
        case nil: return DateRange(first: Self.day(start, 9, 1), last: Self.day(start + 1, 8, 31))
        case .autumn: return DateRange(first: Self.day(start, 9, 1), last: Self.day(start, 12, 31))
        case .spring: return DateRange(first: Self.day(start + 1, 1, 1), last: Self.easterSunday(start + 1))
        case .summer: return DateRange(first: Self.easterSunday(start + 1).adding(days: 1), last: Self.day(start + 1, 8, 31))
        }
    }

    /// The first instant (midnight UK time on the first day).
    public var start: Date { days.first.startOfDay }
    /// The last instant (just before midnight UK time after the last day).
    public var end: Date { days.last.adding(days: 1).startOfDay.addingTimeInterval(-0.001) }

    /// `2025-26`, or `autumn-2025`; what ``init(parsing:)`` reads.
    public var description: String {
        switch term {
        case nil: String(format: "%04d-%02d", academicYearStart, (academicYearStart + 1) % 100)
        case .autumn?: "autumn-\(academicYearStart)"
        case let term?: "\(term.rawValue)-\(academicYearStart + 1)"
        }
    }

    /// "Academic year 2025-26", "Autumn term 2025".
    public var title: String {
        switch term {
        case nil: "Academic year " + description
        case .autumn?: "Autumn term \(academicYearStart)"
        case let term?: "\(term.title) term \(academicYearStart + 1)"
        }
    }

    private static func day(_ year: Int, _ month: Int, _ day: Int) -> CalendarDate { CalendarDate(year: year, month: month, day: day)! }

    /// Easter Sunday of a year (the anonymous Gregorian computus).
    static func easterSunday(_ year: Int) -> CalendarDate {
        let a = year % 19
        let b = year / 100
        let c = year % 100
        let d = b / 4
        let e = b % 4
        let f = (b + 8) / 25
        let g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4
        let k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return Self.day(year, month, day)
    }
}
