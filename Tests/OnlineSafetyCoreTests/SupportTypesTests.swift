import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import Testing

@Suite("CalendarDate")
struct CalendarDateTests {
    @Test func isoTextIsParsed() throws {
        let date = try #require(CalendarDate(iso: "2026-02-28"))
        #expect(date.year == 2026)
        #expect(date.month == 2)
        #expect(date.day == 28)
        #expect(date.description == "2026-02-28")
    }

    @Test func leapDayIsAcceptedOnlyInLeapYears() {
        #expect(CalendarDate(iso: "2024-02-29") != nil)
        #expect(CalendarDate(iso: "2026-02-29") == nil)
        #expect(CalendarDate(iso: "2000-02-29") != nil)
        #expect(CalendarDate(iso: "1900-02-29") == nil)
    }

    @Test(arguments: ["2026-02-30", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00", "2026-01-32"])
    func daysThatDoNotExistAreRefused(text: String) {
        #expect(CalendarDate(iso: text) == nil)
    }

    @Test(arguments: [
        "", "garbage", "2026-2-3", "26-02-03", "2026/02/03", "20260203", "2026-02-03T09:30", "2026-02-03 ", " 2026-02-03",
        "2026-02", "2026-02-03-04", "yyyy-mm-dd",
    ])
    func textThatIsNotADateIsRefused(text: String) {
        #expect(CalendarDate(iso: text) == nil)
    }

    @Test func componentsThatDoNotMakeADayAreRefused() {
        #expect(CalendarDate(year: 2026, month: 2, day: 30) == nil)
        #expect(CalendarDate(year: 2026, month: 0, day: 1) == nil)
        #expect(CalendarDate(year: 2026, month: 12, day: 31) != nil)
    }

    @Test func ageIsReachedOnTheBirthdayNotTheDayBefore() throws {
        let birth = try day("2017-03-14")
        #expect(birth.years(until: try day("2026-03-13")) == 8)
        #expect(birth.years(until: try day("2026-03-14")) == 9)
        #expect(birth.years(until: try day("2026-03-15")) == 9)
        #expect(birth.years(until: try day("2027-03-13")) == 9)
        #expect(birth.years(until: birth) == 0)
    }

    @Test func ageTurnsAtTheMonthNotOnlyTheDay() throws {
        let birth = try day("2013-09-01")
        #expect(birth.years(until: try day("2026-08-31")) == 12)
        #expect(birth.years(until: try day("2026-09-01")) == 13)
        #expect(birth.years(until: try day("2026-10-01")) == 13)
    }

    @Test func leapDayBirthdayCountsFromTheFirstOfMarchInOtherYears() throws {
        let birth = try day("2016-02-29")
        #expect(birth.years(until: try day("2025-02-28")) == 8)
        #expect(birth.years(until: try day("2025-03-01")) == 9)
        #expect(birth.years(until: try day("2028-02-29")) == 12)
    }

    @Test(arguments: [
        ("2026-01-31", 1, "2026-02-01"),
        ("2026-02-28", 1, "2026-03-01"),
        ("2024-02-28", 1, "2024-02-29"),
        ("2026-12-31", 1, "2027-01-01"),
        ("2027-01-01", -1, "2026-12-31"),
        ("2026-03-01", -1, "2026-02-28"),
        ("2026-03-28", 2, "2026-03-30"),
        ("2026-10-24", 2, "2026-10-26"),
        ("2026-01-01", 365, "2027-01-01"),
        ("2024-01-01", 366, "2025-01-01"),
        ("2026-05-05", 0, "2026-05-05"),
    ])
    func addingDaysCrossesMonthAndYearEnds(start: String, days: Int, expected: String) throws {
        #expect(try day(start).adding(days: days) == (try day(expected)))
    }

    @Test func datesOrderByYearThenMonthThenDay() throws {
        #expect(try day("2025-12-31") < day("2026-01-01"))
        #expect(try day("2026-01-31") < day("2026-02-01"))
        #expect(try day("2026-02-01") < day("2026-02-02"))
        #expect(try !(day("2026-02-02") < day("2026-02-02")))
        let sorted = try [day("2026-03-01"), day("2025-12-31"), day("2026-02-28")].sorted()
        #expect(sorted.map(\.description) == ["2025-12-31", "2026-02-28", "2026-03-01"])
    }

    @Test func codableRoundTripUsesISOText() throws {
        let date = try day("2026-07-04")
        let data = try JSONEncoder().encode([date])
        #expect(String(decoding: data, as: UTF8.self) == "[\"2026-07-04\"]")
        #expect(try JSONDecoder().decode([CalendarDate].self, from: data) == [date])
    }

    @Test func decodingAnImpossibleDateFails() {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([CalendarDate].self, from: Data("[\"2026-02-30\"]".utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([CalendarDate].self, from: Data("[\"tomorrow\"]".utf8)) }
    }

    @Test func dayOfAnInstantIsTheUKDay() throws {
        // 23:30 UTC on 30 June is 00:30 on 1 July in British Summer Time.
        #expect(CalendarDate(Date(timeIntervalSince1970: 1_782_862_200)) == (try day("2026-07-01")))
        // 23:30 UTC on 31 January is still 31 January in GMT.
        #expect(CalendarDate(Date(timeIntervalSince1970: 1_769_902_200)) == (try day("2026-01-31")))
    }

    @Test func startOfDayIsMidnightInTheUK() throws {
        // Midnight BST on 1 July 2026 is 23:00 UTC on 30 June.
        #expect(try day("2026-07-01").startOfDay == Date(timeIntervalSince1970: 1_782_860_400))
        #expect(CalendarDate(try day("2026-07-01").startOfDay) == (try day("2026-07-01")))
    }

    @Test(arguments: ["2026-+1-05", "2026-01-+5", "+026-01-05", "2026-0x-05"])
    func isoParsingRefusesSignsAndOtherNonDigits(text: String) {
        #expect(CalendarDate(iso: text) == nil)
    }
}

@Suite("SafetyClock")
struct SafetyClockTests {
    @Test func truncationDropsSubMillisecondTime() {
        let instant = Date(timeIntervalSince1970: 1_795_426_200.123_9)
        #expect(SafetyClock.milliseconds(instant) == 1_795_426_200_123)
        #expect(SafetyClock.truncated(instant) == Date(timeIntervalSince1970: 1_795_426_200.123))
        #expect(SafetyClock.truncated(instant) <= instant)
    }

    @Test func truncationIsIdempotentForPresentDayInstants() {
        let instant = SafetyClock.truncated(Date(timeIntervalSince1970: 1_795_426_200.987_654))
        #expect(SafetyClock.truncated(instant) == instant)
        #expect(SafetyClock.milliseconds(instant) == 1_795_426_200_987)
    }

    @Test func fixedClockReadsItsInstantTruncated() {
        let clock = SafetyClock.fixed(Date(timeIntervalSince1970: 1_795_426_200.000_9))
        #expect(clock.now() == Date(timeIntervalSince1970: 1_795_426_200))
        #expect(clock.now() == clock.now())
    }

    @Test func systemClockReadsNowToTheMillisecond() {
        let before = Date().addingTimeInterval(-0.001)
        let now = SafetyClock.system.now()
        let after = Date()
        #expect(before <= now && now <= after)
        #expect(SafetyClock.truncated(now) == now)
    }

    /// For these instants (2004-07-03 06:21:04.343 and 2038-08-19 19:54:41.331 UTC) the Double
    /// product seconds × 1000 falls just below the whole number of milliseconds.
    @Test(arguments: [Int64(1_088_835_664_343), 2_165_860_481_331])
    func wholeMillisecondInstantsKeepTheirMillisecond(milliseconds: Int64) {
        let instant = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        #expect(SafetyClock.milliseconds(instant) == milliseconds)
        #expect(SafetyClock.truncated(instant) == instant)
    }

    @Test func millisecondsSurviveAStoreThatKeepsWholeMilliseconds() {
        // A backend stores SafetyClock.milliseconds(at) and reads it back as seconds / 1000; the
        // instant must hash with the same millisecond, or the audit chain reports tampering.
        for stored in [Int64(1_088_835_664_343), 1_795_426_200_123, 2_165_860_000_003, 2_165_860_000_016] {
            let draft = AuditDraft(
                at: Date(timeIntervalSince1970: Double(stored) / 1000 + 0.000_2), actorID: nil, schoolID: nil,
                action: AuditAction(stored: "a"),
                subjectKind: "k", subjectID: nil)
            let kept = SafetyClock.milliseconds(draft.at)
            let reloaded = AuditDraft(
                at: Date(timeIntervalSince1970: Double(kept) / 1000), actorID: nil, schoolID: nil, action: AuditAction(stored: "a"),
                subjectKind: "k",
                subjectID: nil)
            #expect(kept == stored)
            #expect(SafetyClock.milliseconds(reloaded.at) == kept)
            let hash = AuditChain.hash(previous: AuditChain.genesis, sequence: 1, draft)
            #expect(AuditChain.hash(previous: AuditChain.genesis, sequence: 1, reloaded) == hash)
        }
    }
}

@Suite("Identifier")
struct IdentifierTests {
    @Test func identifierRoundTripsThroughJSONAsAString() throws {
        let id = PersonID()
        let data = try JSONEncoder().encode([id])
        #expect(String(decoding: data, as: UTF8.self) == "[\"\(id.uuidString)\"]")
        #expect(try JSONDecoder().decode([PersonID].self, from: data) == [id])
    }

    @Test func identifierRoundTripsThroughItsString() throws {
        let id = SchoolID()
        #expect(SchoolID(uuidString: id.uuidString) == id)
        #expect(SchoolID(uuidString: id.uuidString.lowercased()) == id)
        #expect(id.description == id.uuidString)
        #expect(id.uuidString == id.uuid.uuidString)
    }

    @Test(arguments: ["", "not-a-uuid", "E621E1F8-C36C-495A-93FC-0C247A3E6E5", "E621E1F8C36C495A93FC0C247A3E6E5F"])
    func textThatIsNotAUUIDGivesNoIdentifier(text: String) {
        #expect(PersonID(uuidString: text) == nil)
    }

    @Test func decodingTextThatIsNotAUUIDFails() {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([PersonID].self, from: Data("[\"nope\"]".utf8)) }
    }

    @Test func newIdentifiersAreDistinct() {
        let ids = (0..<100).map { _ in RoleGrantID() }
        #expect(Set(ids).count == 100)
    }

    @Test func identifiersSortByTheirStringForm() throws {
        let low = try #require(PersonID(uuidString: "00000000-0000-0000-0000-000000000001"))
        let high = try #require(PersonID(uuidString: "F0000000-0000-0000-0000-000000000000"))
        #expect(low < high)
        #expect([high, low].sorted() == [low, high])
    }
}

@Suite("Text no store keeps")
struct StoredTextTests {
    @Test func anEscapedNULIsFoundAndAnEscapedBackslashBeforeU0000IsNot() throws {
        #expect(StoredText.holdsNUL(Array(#"{"name":"A\u0000B"}"#.utf8)))
        #expect(!StoredText.holdsNUL(Array(#"{"name":"A\\u0000B"}"#.utf8)))
        #expect(StoredText.holdsNUL(Array(#"{"name":"A\\\u0000"}"#.utf8)))
        #expect(!StoredText.holdsNUL(Array(#"{"name":"\u00e9"}"#.utf8)))
        let encoded = try JSONEncoder().encode(["name": "A\u{0}"])
        let refusal = #expect(throws: SafetyError.self) { try StoredText.refuseNUL(encoded, kind: "person") }
        #expect(refusal?.code == .invalidInput && refusal?.location == "person")
    }
}

@Suite("Tenancy")
struct TenancyCodingTests {
    private static let school = SchoolID(UUID(uuidString: "3B006A3C-A886-4D64-8825-3C9D3D1DDDDE")!)
    private static let trust = TrustID(UUID(uuidString: "4340F7B8-352A-4F8C-954C-F2AB513183A2")!)

    /// Stored records keep the bytes they were written with (their MACs cover them): a school's
    /// and a trust's tenancy encode as they always have.
    @Test func encodesAsStoredRecordsHoldIt() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(
            String(decoding: try encoder.encode(Tenancy.school(Self.school)), as: UTF8.self)
                == #"{"school":{"_0":"3B006A3C-A886-4D64-8825-3C9D3D1DDDDE"}}"#)
        #expect(
            String(decoding: try encoder.encode(Tenancy.trust(Self.trust)), as: UTF8.self)
                == #"{"trust":{"_0":"4340F7B8-352A-4F8C-954C-F2AB513183A2"}}"#)
    }

    @Test func decodesEitherCaseAndRefusesNeitherOrBoth() throws {
        let decoder = JSONDecoder()
        #expect(
            try decoder.decode(Tenancy.self, from: Data(#"{"school":{"_0":"3B006A3C-A886-4D64-8825-3C9D3D1DDDDE"}}"#.utf8))
                == .school(Self.school))
        #expect(
            try decoder.decode(Tenancy.self, from: Data(#"{"trust":{"_0":"4340F7B8-352A-4F8C-954C-F2AB513183A2"}}"#.utf8))
                == .trust(Self.trust))
        let both = #"{"school":{"_0":"3B006A3C-A886-4D64-8825-3C9D3D1DDDDE"},"trust":{"_0":"4340F7B8-352A-4F8C-954C-F2AB513183A2"}}"#
        for text in ["{}", both, #"{"school":{"_0":"not an identifier"}}"#, #"{"school":{}}"#] {
            #expect(throws: DecodingError.self) { try decoder.decode(Tenancy.self, from: Data(text.utf8)) }
        }
    }
}
