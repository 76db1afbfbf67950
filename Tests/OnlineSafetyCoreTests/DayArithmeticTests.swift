import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import Testing

/// The date and identifier arithmetic that skips Foundation's calendar and the C library gives
/// the answers they give, over samples spread across every year it covers.
@Suite("Day arithmetic and identifier text")
struct DayArithmeticTests {
    private let calendar = CalendarDate.calendar

    /// Whether Foundation's calendar has the day, as the date type asked before.
    private func foundationHas(_ year: Int, _ month: Int, _ day: Int) -> Bool {
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day)) else { return false }
        return calendar.component(.day, from: date) == day && calendar.component(.month, from: date) == month
    }

    @Test func aDayExistsExactlyWhenFoundationsCalendarHasIt() {
        var numbers = SeededNumbers(state: 1)
        var checked = 0
        for _ in 0..<20_000 {
            let (year, month, day) = (
                Int.random(in: 1600...9999, using: &numbers), Int.random(in: 1...12, using: &numbers),
                Int.random(in: 28...31, using: &numbers)
            )
            #expect((CalendarDate(year: year, month: month, day: day) != nil) == foundationHas(year, month, day))
            checked += 1
        }
        #expect(checked == 20_000)
        #expect(CalendarDate(year: 2000, month: 2, day: 29) != nil)
        #expect(CalendarDate(year: 2100, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 2026, month: 13, day: 1) == nil)
        #expect(CalendarDate(year: 2026, month: 4, day: 31) == nil)
        #expect(CalendarDate(year: 2026, month: 4, day: 0) == nil)
    }

    @Test func movingByDaysAndMonthsMatchesFoundationsCalendar() throws {
        var numbers = SeededNumbers(state: 2)
        var compared = 0
        for _ in 0..<5_000 {
            let year = Int.random(in: 1600...9999, using: &numbers)
            let month = Int.random(in: 1...12, using: &numbers)
            let date = try #require(
                CalendarDate(year: year, month: month, day: Int.random(in: 1...28, using: &numbers) + (month == 2 ? 0 : 2)))
            let days = Int.random(in: -150_000...150_000, using: &numbers)
            let months = Int.random(in: -1_500...1_500, using: &numbers)
            let byDays = CalendarDate(calendar.date(byAdding: .day, value: days, to: date.startOfDay)!)
            // The documented rule, with the month lengths Foundation's calendar knows: the same day,
            // or the last day of a shorter month. (Foundation's own month arithmetic in this time
            // zone strays from it now and then: a leap day becomes the 28th, or the 31st runs on
            // into the next month.)
            let total = year * 12 + month - 1 + months
            let (toYear, toMonth) = (Int((Double(total) / 12).rounded(.down)), (total % 12 + 12) % 12 + 1)
            let lastDay = (1...date.day).reversed().first { foundationHas(toYear, toMonth, $0) } ?? 1
            let byMonths = CalendarDate(year: toYear, month: toMonth, day: min(date.day, lastDay)) ?? date
            if (1600...9999).contains(byDays.year) {
                #expect(date.adding(days: days) == byDays)
                compared += 1
            }
            if (1600...9999).contains(toYear) {
                #expect(date.adding(months: months) == byMonths)
                compared += 1
            }
        }
        #expect(compared > 8_000)
        // Month ends and leap days.
        #expect(try #require(CalendarDate(iso: "2026-01-31")).adding(months: 1).description == "2026-02-28")
        #expect(try #require(CalendarDate(iso: "2024-02-29")).adding(months: 12).description == "2025-02-28")
        #expect(try #require(CalendarDate(iso: "2026-03-31")).adding(months: -1).description == "2026-02-28")
        #expect(try #require(CalendarDate(iso: "2026-12-31")).adding(days: 1).description == "2027-01-01")
        #expect(try #require(CalendarDate(iso: "1600-01-01")).adding(days: -1).description == "1599-12-31")
    }

    @Test func identifierTextIsFoundationsAndReadsEitherCase() throws {
        var numbers = SeededNumbers(state: 3)
        for _ in 0..<2_000 {
            var bytes = [UInt8](repeating: 0, count: 16)
            for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255, using: &numbers) }
            let uuid = bytes.withUnsafeBytes { UUID(uuid: $0.load(as: uuid_t.self)) }
            let other = UUID()
            #expect(UUIDText.string(uuid) == uuid.uuidString)
            #expect(UUIDText.uuid(uuid.uuidString) == uuid)
            #expect(UUIDText.uuid(uuid.uuidString.lowercased()) == uuid)
            #expect(UUIDText.precedes(uuid, other) == (uuid.uuidString < other.uuidString))
            #expect((PersonID(uuid) < PersonID(other)) == (uuid.uuidString < other.uuidString))
        }
        for text in [
            "", "not a uuid", "7464A667-7F0B-476A-9ADF-903F5C731A2", "7464A667-7F0B-476A-9ADF-903F5C731A255",
            "7464A667X7F0B-476A-9ADF-903F5C731A25", "7464A667-7F0B-476A-9ADF-903F5C731A2G", "{7464A667-7F0B-476A-9ADF-903F5C731A25}",
        ] {
            #expect(UUIDText.uuid(text) == nil)
            #expect(UUID(uuidString: text) == nil)
        }
    }

    @Test func aStoredIdentifierInEitherCaseDecodesAndAnythingElseIsRefused() throws {
        let id = PersonID()
        let encoded = try JSONEncoder().encode([id])
        #expect(String(decoding: encoded, as: UTF8.self) == "[\"\(id.uuid.uuidString)\"]")
        let lower = Data("[\"\(id.uuid.uuidString.lowercased())\"]".utf8)
        #expect(try JSONDecoder().decode([PersonID].self, from: lower) == [id])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([PersonID].self, from: Data("[\"not-a-uuid\"]".utf8)) }
    }
}
