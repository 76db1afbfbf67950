import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import Testing

@Suite("CalendarDate: every date reads back, and sensible years")
struct CalendarDateRangeTests {
    // MARK: - Round trip

    @Test func aYearBeforeOneThousandIsPaddedToFourDigitsAndParsesBack() throws {
        let typo = try #require(CalendarDate(iso: "0226-09-01"))
        #expect(typo.year == 226)
        #expect(typo.description == "0226-09-01")
        #expect(CalendarDate(iso: typo.description) == typo)
        #expect(try #require(CalendarDate(year: 7, month: 1, day: 2)).description == "0007-01-02")
        #expect(try #require(CalendarDate(year: 0, month: 12, day: 31)).description == "0000-12-31")
    }

    @Test func everyYearTheTypeAcceptsRoundTripsThroughTextAndJSON() throws {
        var checked = 0
        for year in CalendarDate.years {
            for (month, day) in [(1, 1), (2, 28), (2, 29), (12, 31)] {
                guard let date = CalendarDate(year: year, month: month, day: day) else {
                    #expect(month == 2 && day == 29, "\(year)-\(month)-\(day) was refused")
                    continue
                }
                #expect(date.description.utf8.count == 10)
                #expect(CalendarDate(iso: date.description) == date, "\(date) does not parse back")
                checked += 1
            }
        }
        let dates = CalendarDate.years.compactMap { CalendarDate(year: $0, month: 6, day: 30) }
        let decoded = try JSONDecoder().decode([CalendarDate].self, from: try JSONEncoder().encode(dates))
        #expect(decoded == dates)
        #expect(checked > 32_000)
    }

    @Test func everyDayOfLeapAndCommonYearsAtTheEdgesRoundTrips() throws {
        for year in [0, 1, 4, 100, 226, 999, 1000, 1900, 2000, 2024, 2026, 9996, 9999] {
            var date = try #require(CalendarDate(year: year, month: 1, day: 1))
            var days = 0
            while date.year == year {
                #expect(CalendarDate(iso: date.description) == date, "\(date) does not parse back")
                days += 1
                if date == CalendarDate(year: 9999, month: 12, day: 31) { break }
                date = date.adding(days: 1)
            }
            // CalendarDate.calendar, like Foundation's Gregorian calendar, is Julian before October 1582.
            let leap = year % 4 == 0 && (year < 1582 || year % 100 != 0 || year % 400 == 0)
            #expect(days == (leap ? 366 : 365), "year \(year) has \(days) days")
        }
    }

    @Test(arguments: [-1, -2026, 10_000, 20_260])
    func aYearWithoutAFourDigitFormIsRefused(year: Int) {
        #expect(CalendarDate(year: year, month: 9, day: 1) == nil)
    }

    @Test(arguments: ["226-09-01", "26-09-01", "02026-09-01", "+2026-09-01", "-001-01-01"])
    func isoTextStaysStrictAboutFourDigits(text: String) {
        #expect(CalendarDate(iso: text) == nil)
    }

    @Test func instantsOutsideTheFourDigitYearsAreClampedToTheNearestDate() throws {
        #expect(CalendarDate(Date(timeIntervalSince1970: 1e12)) == CalendarDate(year: 9999, month: 12, day: 31))
        #expect(CalendarDate(Date(timeIntervalSince1970: -1e12)) == CalendarDate(year: 0, month: 1, day: 1))
        let lastDay = try #require(CalendarDate(year: 9999, month: 12, day: 31))
        #expect(lastDay.adding(days: 1) == lastDay)
        let yearZero = try #require(CalendarDate(year: 0, month: 3, day: 1))
        #expect(CalendarDate(yearZero.startOfDay) == yearZero)
        #expect(yearZero.adding(days: -1) == CalendarDate(year: 0, month: 2, day: 29))
        for date in [CalendarDate(.distantPast), CalendarDate(.distantFuture)] {
            #expect(CalendarDate(iso: date.description) == date)
        }
    }

    @Test func datesStoredUnpaddedByEarlierVersionsStillDecode() throws {
        let decoded = try JSONDecoder().decode([CalendarDate].self, from: Data(#"["226-09-01","999-06-01","1-01-01","0-01-01"]"#.utf8))
        #expect(decoded.map(\.description) == ["0226-09-01", "0999-06-01", "0001-01-01", "0000-01-01"])
        let encoded = String(decoding: try JSONEncoder().encode(decoded), as: UTF8.self)
        #expect(encoded == #"["0226-09-01","0999-06-01","0001-01-01","0000-01-01"]"#)
        // Only the forms ever written are read: no leading zeros in a short year, no other widths.
        for text in ["026-09-01", "00226-09-01", "226-9-01", "2026-09-1"] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode([CalendarDate].self, from: Data("[\"\(text)\"]".utf8)) }
        }
    }

    // MARK: - Bounds

    static let today = CalendarDate(year: 2026, month: 9, day: 1)!

    /// The reason a date is refused for a field, checking the error's code and location on the way.
    func refusal(_ text: String, _ bounds: CalendarDate.Bounds, field: String = "field") throws -> String? {
        let date = try #require(CalendarDate(iso: text))
        do {
            let accepted = try date.checked(field, bounds, asOf: Self.today)
            #expect(accepted == date)
            return nil
        } catch {
            #expect(error.code == .invalidInput)
            #expect(error.location == field)
            #expect(!error.description.contains(text) && !error.description.contains(String(text.prefix(4))))
            return error.reason
        }
    }

    @Test func aDateOfBirthIsFrom1900AndNeverInTheFuture() throws {
        #expect(try refusal("1900-01-01", .dateOfBirth) == nil)
        #expect(try refusal("2017-03-14", .dateOfBirth) == nil)
        #expect(try refusal("2026-09-01", .dateOfBirth) == nil)
        #expect(try refusal("1899-12-31", .dateOfBirth, field: "learner.dateOfBirth") == "a date of birth cannot be before 1900-01-01")
        #expect(try refusal("0217-03-14", .dateOfBirth) == "a date of birth cannot be before 1900-01-01")
        #expect(try refusal("2026-09-02", .dateOfBirth) == "a date of birth cannot be in the future")
    }

    @Test func aPolicyTakesEffectFrom2000AndAtMostTenYearsAhead() throws {
        #expect(try refusal("2000-01-01", .policy) == nil)
        #expect(try refusal("2036-09-01", .policy) == nil)
        #expect(try refusal("0226-09-01", .policy, field: "effectiveFrom") == "a policy's effective date cannot be before 2000-01-01")
        #expect(try refusal("0001-01-01", .policy) == "a policy's effective date cannot be before 2000-01-01")
        #expect(try refusal("2036-09-02", .policy) == "a policy's effective date cannot be more than 10 years from today")
        #expect(try refusal("9999-12-31", .policy) == "a policy's effective date cannot be more than 10 years from today")
    }

    @Test func trainingIsCompletedFrom2000AndNeverInTheFuture() throws {
        #expect(try refusal("2000-01-01", .training) == nil)
        #expect(try refusal("2026-09-01", .training) == nil)
        #expect(try refusal("0999-06-01", .training, field: "completedOn") == "a training completion date cannot be before 2000-01-01")
        #expect(try refusal("2026-09-02", .training) == "a training completion date cannot be in the future")
    }

    @Test func otherRecordDatesAreFrom1970AndAtMostTenYearsAhead() throws {
        #expect(try refusal("1970-01-01", .record) == nil)
        #expect(try refusal("2036-09-01", .record) == nil)
        #expect(try refusal("1969-12-31", .record) == "a date on a record cannot be before 1970-01-01")
        #expect(try refusal("2036-09-02", .record) == "a date on a record cannot be more than 10 years from today")
    }

    @Test func eachBoundHasItsOwnMessages() throws {
        let bounds: [CalendarDate.Bounds] = [.dateOfBirth, .policy, .training, .record]
        let early = try bounds.map { try refusal("0226-09-01", $0) }
        let late = try bounds.map { try refusal("9999-12-31", $0) }
        #expect(Set(early).count == bounds.count)
        #expect(Set(late).count == bounds.count)
    }

    @Test func theFutureBoundOnTheTwentyNinthOfFebruaryFallsOnTheTwentyEighth() throws {
        let leapDay = try #require(CalendarDate(iso: "2028-02-29"))
        #expect(CalendarDate.Bounds.policy.latest(asOf: leapDay) == CalendarDate(year: 2038, month: 2, day: 28))
        let custom = CalendarDate.Bounds(earliest: try #require(CalendarDate(iso: "2020-01-01")), yearsAhead: -3, what: "a review date")
        #expect(custom.yearsAhead == 0)
        let early = try #require(CalendarDate(iso: "2019-12-31"))
        #expect(custom.problem(with: early, asOf: Self.today) == "a review date cannot be before 2020-01-01")
    }
}
