public import Foundation

/// A date without a time of day, such as a date of birth or a policy's effective date.
///
/// Encoded as `YYYY-MM-DD`. Comparisons are by year, then month, then day.
public struct CalendarDate: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    /// The year, for example 2015.
    public let year: Int
    /// The month, 1 to 12.
    public let month: Int
    /// The day of the month, 1 to 31.
    public let day: Int

    /// The years a date can have: those with a four-digit `YYYY` form.
    ///
    /// Year 0 is the year before 1 (1 BC), as in ISO 8601.
    public static let years: ClosedRange<Int> = 0...9999

    /// Creates a date.
    ///
    /// Requires a year in ``years`` (0 to 9999) and a day that exists in the Gregorian calendar;
    /// returns `nil` otherwise. Every date created this way prints as `YYYY-MM-DD` and parses back
    /// to itself with ``init(iso:)``.
    public init?(year: Int, month: Int, day: Int) {
        if CalendarDate.arithmeticYears.contains(year) {
            guard (1...12).contains(month), day >= 1, day <= CalendarDate.daysIn(month: month, of: year) else { return nil }
            (self.year, self.month, self.day) = (year, month, day)
            return
        }
        var components = DateComponents()
        components.year = year
        components.month = month
        components.day = day
        guard CalendarDate.years.contains(year), (1...12).contains(month), (1...31).contains(day),
            let date = CalendarDate.calendar.date(from: components),
            CalendarDate.calendar.component(.day, from: date) == day
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD` with a four-digit year; returns `nil` for anything else, including a
    /// year written with fewer digits.
    public init?(iso text: String) {
        guard let date = CalendarDate(text, minimumYearDigits: 4) else { return nil }
        self = date
    }

    /// Parses `Y-MM-DD`, the year having `minimumYearDigits` to 4 digits.
    private init?(_ text: String, minimumYearDigits: Int) {
        if let parts = CalendarDate.fourDigitParts(text) {
            self.init(year: parts.year, month: parts.month, day: parts.day)
            return
        }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, (minimumYearDigits...4).contains(parts[0].count), parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The calendar date of an instant, in UK local time.
    ///
    /// An instant before year 0 gives 0000-01-01, and one after 9999 gives 9999-12-31, so that
    /// every date has a `YYYY-MM-DD` form.
    public init(_ date: Date) {
        let parts = CalendarDate.calendar.dateComponents([.era, .year, .month, .day], from: date)
        // Foundation counts years before 1 as 1, 2, ... of era 0 (BC); ISO 8601 counts them 0, -1, ...
        let counted = parts.year ?? 1970
        let year = parts.era == 0 ? 1 - counted : counted
        if year < CalendarDate.years.lowerBound {
            (self.year, self.month, self.day) = (CalendarDate.years.lowerBound, 1, 1)
        } else if year > CalendarDate.years.upperBound {
            (self.year, self.month, self.day) = (CalendarDate.years.upperBound, 12, 31)
        } else {
            self.year = year
            self.month = parts.month ?? 1
            self.day = parts.day ?? 1
        }
    }

    /// The `YYYY-MM-DD` form, the year padded to four digits (`0226-09-01`).
    public var description: String {
        guard CalendarDate.years.contains(year) else {
            func padded(_ value: Int, _ width: Int) -> String {
                let digits = String(value)
                return String(repeating: "0", count: max(0, width - digits.count)) + digits
            }
            return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))"
        }
        // Written straight into the string's storage.
        return String(unsafeUninitializedCapacity: 10) { bytes in
            func put(_ value: Int, at start: Int, width: Int) {
                var rest = value
                for index in stride(from: start + width - 1, through: start, by: -1) {
                    bytes[index] = UInt8(truncatingIfNeeded: 48 + rest % 10)
                    rest /= 10
                }
            }
            put(year, at: 0, width: 4)
            bytes[4] = UInt8(ascii: "-")
            put(month, at: 5, width: 2)
            bytes[7] = UInt8(ascii: "-")
            put(day, at: 8, width: 2)
            return 10
        }
    }

    /// The year, month and day of text that is exactly `YYYY-MM-DD` in ASCII digits, read from
    /// its bytes; `nil` for any other text (which may still be a date of another form).
    static func fourDigitParts(_ text: String) -> (year: Int, month: Int, day: Int)? {
        var text = text
        return text.withUTF8 { bytes -> (year: Int, month: Int, day: Int)? in
            guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
            func number(_ range: Range<Int>) -> Int? {
                var value = 0
                for index in range {
                    let digit = bytes[index] &- UInt8(ascii: "0")
                    guard digit < 10 else { return nil }
                    value = value * 10 + Int(digit)
                }
                return value
            }
            guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
            return (year, month, day)
        }
    }

    /// The instant this date starts, in UK local time.
    public var startOfDay: Date {
        CalendarDate.calendar.date(from: DateComponents(year: year, month: month, day: day)) ?? Date(timeIntervalSince1970: 0)
    }

    /// Whole years from this date to `other` (an age, when this is a date of birth).
    public func years(until other: CalendarDate) -> Int {
        var years = other.year - year
        if (other.month, other.day) < (month, day) { years -= 1 }
        return years
    }

    /// This date moved by a number of days.
    public func adding(days: Int) -> CalendarDate {
        if CalendarDate.arithmeticYears.contains(year), days.magnitude < 3_000_000 {
            let moved = CalendarDate.civil(fromDays: CalendarDate.days(year: year, month: month, day: day) + days)
            if CalendarDate.arithmeticYears.contains(moved.year) { return CalendarDate(checked: moved) }
        }
        let moved = CalendarDate.calendar.date(byAdding: .day, value: days, to: startOfDay) ?? startOfDay
        return CalendarDate(moved)
    }

    /// This date moved by whole months: the same day of the month, or the last day of a shorter
    /// month (31 January and one month gives 28 or 29 February).
    public func adding(months: Int) -> CalendarDate {
        if CalendarDate.arithmeticYears.contains(year), months.magnitude < 100_000 {
            let total = year * 12 + (month - 1) + months
            let (movedYear, movedMonth) = (total >= 0 ? total / 12 : (total - 11) / 12, ((total % 12) + 12) % 12 + 1)
            if CalendarDate.arithmeticYears.contains(movedYear) {
                return CalendarDate(
                    checked: (movedYear, movedMonth, min(day, CalendarDate.daysIn(month: movedMonth, of: movedYear))))
            }
        }
        let moved = CalendarDate.calendar.date(byAdding: .month, value: months, to: startOfDay) ?? startOfDay
        return CalendarDate(moved)
    }

    /// Compares chronologically.
    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Decodes from `YYYY-MM-DD`.
    ///
    /// Also reads a year of one to three digits without leading zeros (`226-09-01`), the form
    /// earlier versions wrote for years before 1000, so that records they stored can be read.
    /// Throws `DecodingError.dataCorrupted` for anything else.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let date = CalendarDate(stored: try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected a date as YYYY-MM-DD")
        }
        self = date
    }

    /// Reads a date as records hold it: `YYYY-MM-DD`, or the short-year form earlier versions
    /// wrote for years before 1000 (`226-09-01`); `nil` for anything else.
    package init?(stored text: String) {
        // The form every version writes for years from 1000, and this one for all: it is its own
        // description whenever it is a date.
        if let parts = CalendarDate.fourDigitParts(text) {
            guard let date = CalendarDate(year: parts.year, month: parts.month, day: parts.day) else { return nil }
            self = date
            return
        }
        guard let date = CalendarDate(text, minimumYearDigits: 1),
            text == date.description || text == String(date.year) + date.description.dropFirst(4)
        else { return nil }
        self = date
    }

    /// Encodes as `YYYY-MM-DD`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// The Gregorian calendar in the Europe/London time zone, used for every date rule.
    public static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/London") ?? .gmt
        return calendar
    }()
}

// MARK: - Day arithmetic

extension CalendarDate {
    /// The years whose dates are worked out by arithmetic rather than by Foundation's calendar:
    /// from 1600, well after the Gregorian reform (before which Foundation's calendar is Julian),
    /// so both give the same answers there.
    static let arithmeticYears: ClosedRange<Int> = 1600...9999

    /// A date already known to exist.
    private init(checked parts: (year: Int, month: Int, day: Int)) {
        (year, month, day) = parts
    }

    /// The days in a month of the Gregorian calendar.
    static func daysIn(month: Int, of year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a date of the proleptic Gregorian calendar (negative: before it).
    @_spi(StorageBackend) public static func days(year: Int, month: Int, day: Int) -> Int {
        let shifted = month <= 2 ? year - 1 : year
        let era = (shifted >= 0 ? shifted : shifted - 399) / 400
        let yearOfEra = shifted - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date a number of days after 1970-01-01 (negative: before it).
    @_spi(StorageBackend) public static func civil(fromDays count: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = count + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

// MARK: - Sensible years

extension CalendarDate {
    /// The dates a field may hold: not before a first day, and not more than some years after today.
    ///
    /// Each bound has its own messages, naming the kind of date and the limit but never the date
    /// itself (a date of birth is a child's data).
    ///
    /// ```swift
    /// let born = try CalendarDate(iso: "2017-03-14")!.checked("learner.dateOfBirth", .dateOfBirth, asOf: today)
    /// ```
    public struct Bounds: Hashable, Sendable {
        /// The earliest date allowed.
        public let earliest: CalendarDate
        /// How many years after today the latest allowed date is (0: not after today).
        public let yearsAhead: Int
        /// What the date is, for the messages: "a date of birth", "a policy's effective date".
        public let what: String

        /// Creates bounds.
        ///
        /// Requires `yearsAhead` to be 0 or more (a negative value is taken as 0).
        public init(earliest: CalendarDate, yearsAhead: Int, what: String) {
            self.earliest = earliest
            self.yearsAhead = max(0, yearsAhead)
            self.what = what
        }

        /// A person's date of birth: from 1900, and never in the future.
        public static let dateOfBirth = Bounds(
            earliest: CalendarDate(year: 1900, month: 1, day: 1)!, yearsAhead: 0, what: "a date of birth")

        /// When a policy takes effect (an acceptable use policy's `effectiveFrom`): from 2000, and
        /// at most 10 years ahead.
        public static let policy = Bounds(
            earliest: CalendarDate(year: 2000, month: 1, day: 1)!, yearsAhead: 10, what: "a policy's effective date")

        /// When training was completed: from 2000, and never in the future.
        public static let training = Bounds(
            earliest: CalendarDate(year: 2000, month: 1, day: 1)!, yearsAhead: 0, what: "a training completion date")

        /// Any other date on a school's record (a role's start or end, an access grant or
        /// revocation, a leaving date, a review date, a holiday): from 1970, and at most 10 years ahead.
        public static let record = Bounds(
            earliest: CalendarDate(year: 1970, month: 1, day: 1)!, yearsAhead: 10, what: "a date on a record")

        /// The latest date allowed, `yearsAhead` years after `today` (29 February moves to the 28th).
        public func latest(asOf today: CalendarDate) -> CalendarDate {
            guard yearsAhead > 0 else { return today }
            let year = min(today.year + yearsAhead, CalendarDate.years.upperBound)
            return CalendarDate(year: year, month: today.month, day: today.day)
                ?? CalendarDate(year: year, month: today.month, day: today.day - 1)
                ?? today
        }

        /// Why a date is refused, or `nil` when it is within the bounds on `today`.
        public func problem(with date: CalendarDate, asOf today: CalendarDate) -> String? {
            if date < earliest { return "\(what) cannot be before \(earliest)" }
            if date > latest(asOf: today) {
                if yearsAhead == 0 { return "\(what) cannot be in the future" }
                return "\(what) cannot be more than \(yearsAhead) years from today"
            }
            return nil
        }
    }

    /// This date, if it lies within `bounds` on `today`.
    ///
    /// - Parameters:
    ///   - field: The field's name, reported as the error's `location` (for example `learner.dateOfBirth`).
    ///   - bounds: The dates the field may hold, such as ``Bounds/dateOfBirth`` or ``Bounds/policy``.
    ///   - today: The day to measure the future from; the current UK date by default.
    /// - Returns: This date, unchanged.
    /// - Throws: `SafetyError` with code `invalidInput` and `location` set to `field` when the date
    ///   is before the earliest or after the latest date allowed; the reason names the bound
    ///   ("a date of birth cannot be before 1900-01-01"), never the date.
    @discardableResult
    public func checked(_ field: String, _ bounds: Bounds, asOf today: CalendarDate = CalendarDate(Date())) throws(SafetyError)
        -> CalendarDate
    {
        if let problem = bounds.problem(with: self, asOf: today) { throw SafetyError.invalid(field, problem) }
        return self
    }
}
