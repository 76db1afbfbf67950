import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import Testing

@Suite("Governance calendar rules")
struct GovernanceRulesTests {
    private let school = SchoolID()
    private let recorder = PersonID()

    private func record(_ activity: GovernanceActivity, _ held: String) throws -> GovernanceRecord {
        GovernanceRecord(
            schoolID: school, activity: activity, heldOn: try day(held), participants: [], minutesReference: "M/\(held)",
            recordedBy: recorder, recordedAt: try day(held).startOfDay)
    }

    private func calendar(_ settings: PolicySettings, _ records: [GovernanceRecord], on date: String) throws -> GovernanceCalendar {
        GovernanceRules.calendar(
            schoolID: school, inputs: GovernanceInputs(settings: settings, inTrust: false, records: records, filteringReviews: []),
            on: try day(date))
    }

    @Test func theAcademicYearRunsFromSeptemberToAugust() throws {
        #expect(GovernanceRules.academicYear(containing: try day("2026-08-31")).first == (try day("2025-09-01")))
        #expect(GovernanceRules.academicYear(containing: try day("2026-09-01")).last == (try day("2027-08-31")))
    }

    @Test func meetingsAYearAreSpreadOverWindowsOfWholeMonths() throws {
        let year = GovernanceRules.academicYear(containing: try day("2026-11-23"))
        #expect(GovernanceRules.meetingWindows(3, in: year).map(\.last.description) == ["2026-12-31", "2027-04-30", "2027-08-31"])
        #expect(
            GovernanceRules.meetingWindows(4, in: year).map(\.first.description) == [
                "2026-09-01", "2026-12-01", "2027-03-01", "2027-06-01",
            ])
        #expect(GovernanceRules.meetingWindows(1, in: year) == [year])
        #expect(GovernanceRules.meetingWindows(0, in: year).isEmpty)
    }

    @Test func aMeetingIsDueOnItsLastDayAndOverdueTheDayAfter() throws {
        let settings = SeedSchools.mershamSettings()  // four meetings a year
        func first(on date: String) throws -> CalendarItem? {
            try calendar(settings, [], on: date).items.first { $0.kind == .dslGovernorMeeting }
        }
        #expect(try first(on: "2026-11-30")?.status == .due)
        #expect(try first(on: "2026-11-30")?.dueOn == (try day("2026-11-30")))
        #expect(try first(on: "2026-12-01")?.status == .overdue)
        let held = try record(.dslGovernorMeeting, "2026-10-05")
        let done = try calendar(settings, [held], on: "2026-12-01").items.first { $0.kind == .dslGovernorMeeting }
        #expect(done?.status == .done && done?.satisfiedBy?.minutesReference == "M/2026-10-05")
    }

    @Test func thePolicyReviewFollowsTheSchoolsInterval() throws {
        var settings = SeedSchools.mershamSettings()
        settings.policyReviewIntervalMonths = 6
        let reviewed = try record(.policyReview, "2026-09-10")
        let items = try calendar(settings, [reviewed], on: "2027-03-10").items.filter { $0.kind == .policyReview }
        #expect(items.map(\.status) == [.done, .due])
        #expect(items.last?.dueOn == (try day("2027-03-10")))
        let later = try calendar(settings, [reviewed], on: "2027-03-11").items.filter { $0.kind == .policyReview }
        #expect(later.last?.status == .overdue)
        let never = try calendar(settings, [], on: "2026-09-01").items.filter { $0.kind == .policyReview }
        #expect(never.map(\.status) == [.due], "a review never recorded is due on the year's first day")
        #expect(try calendar(settings, [], on: "2026-09-02").items.first { $0.kind == .policyReview }?.status == .overdue)
    }
}
