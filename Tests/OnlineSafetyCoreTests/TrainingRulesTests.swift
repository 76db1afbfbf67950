import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import Testing

@Suite("Training rules")
struct TrainingRulesTests {
    private let person = PersonID()

    private func latest(_ topic: TrainingTopic, _ completed: String) throws -> TrainingLatest {
        TrainingLatest(topic: topic, completedOn: try day(completed), recordID: TrainingRecordID())
    }

    private func state(_ requirement: TrainingRequirement, _ latest: [TrainingLatest], on date: String, window: Int = 30) throws
        -> TrainingState
    {
        TrainingRules.status(of: person, roles: [.staff], against: requirement, latest: latest, on: try day(date), dueSoonDays: window)
            .state
    }

    @Test func aCompletionRunsOutOnTheSameDayMonthsLater() throws {
        #expect(TrainingRules.dueDate(after: try day("2025-11-23"), months: 12) == (try day("2026-11-23")))
        #expect(TrainingRules.dueDate(after: try day("2026-01-31"), months: 1) == (try day("2026-02-28")))
        #expect(TrainingRules.dueDate(after: try day("2024-02-29"), months: 24) == (try day("2026-02-28")))
    }

    @Test func annualOnlineSafetyMovesFromCompliantToDueSoonToOverdue() throws {
        let done = [try latest(.onlineSafety, "2025-11-23")]
        let requirement = TrainingRequirement.staffOnlineSafety
        #expect(try state(requirement, done, on: "2026-10-23") == .compliant)
        #expect(try state(requirement, done, on: "2026-10-24") == .dueSoon)
        #expect(try state(requirement, done, on: "2026-11-23") == .dueSoon)
        #expect(try state(requirement, done, on: "2026-11-24") == .overdue)
        #expect(try state(requirement, done, on: "2026-11-01", window: 7) == .compliant)
        #expect(try state(requirement, [], on: "2026-11-01") == .neverDone)
    }

    @Test func formalDSLTrainingCountsAsTheAnnualRefresh() throws {
        let formal = [try latest(.dslFormal, "2026-01-10")]
        #expect(try state(.dslRefresh, formal, on: "2026-11-23") == .compliant)
        #expect(try state(.dslFormal, formal, on: "2027-11-23") == .compliant)
        #expect(try state(.dslRefresh, formal, on: "2027-01-11") == .overdue)
        let refreshOnly = [try latest(.dslRefresh, "2026-06-01")]
        #expect(try state(.dslFormal, refreshOnly, on: "2026-11-23") == .neverDone)
    }

    @Test func theStatusCarriesTheLastCompletionAndTheDueDay() throws {
        let status = TrainingRules.status(
            of: person, roles: [.governor], against: .governorSafeguarding, latest: [try latest(.governorSafeguarding, "2026-03-05")],
            on: try day("2026-11-23"), dueSoonDays: 30)
        #expect(status.lastCompleted == (try day("2026-03-05")))
        #expect(status.dueBy == (try day("2027-03-05")))
        #expect(status.roles == [.governor])
    }

    @Test func requirementsFollowTheRolesHeld() {
        let dsl = TrainingRules.requirements(for: [.designatedSafeguardingLead, .headteacher], among: TrainingRequirement.defaults)
        #expect(dsl.map(\.0.code) == ["staff-online-safety", "dsl-formal", "dsl-refresh"])
        #expect(dsl[0].1 == [.headteacher, .designatedSafeguardingLead])
        #expect(
            TrainingRules.requirements(for: [.chairOfGovernors], among: TrainingRequirement.defaults).map(\.0.code) == [
                "governor-safeguarding"
            ])
        #expect(TrainingRules.requirements(for: [.dataManager, .parentCarer, .learner], among: TrainingRequirement.defaults).isEmpty)
    }

    @Test func theSummaryKeepsTheLatestCompletionPerTopic() throws {
        var summary = TrainingSummary(personID: person, schoolID: nil)
        let recent = TrainingRecord(
            schoolID: nil, personID: person, topic: .onlineSafety, course: "A", provider: "P", completedOn: try day("2026-09-01"),
            recordedBy: person, recordedAt: try day("2026-09-02").startOfDay)
        let older = TrainingRecord(
            schoolID: nil, personID: person, topic: .onlineSafety, course: "B", provider: "P", completedOn: try day("2025-09-01"),
            recordedBy: person, recordedAt: try day("2026-09-03").startOfDay)
        summary.apply(recent)
        summary.apply(older)
        #expect(summary.latest.map(\.recordID) == [recent.id])
        let blankCourse = #expect(throws: SafetyError.self) {
            try TrainingRecord(
                schoolID: nil, personID: person, topic: .dslFormal, course: " ", provider: "P", completedOn: try day("2026-09-01"),
                recordedBy: person, recordedAt: Date()
            ).validate()
        }
        #expect(blankCourse?.code == .invalidInput && blankCourse?.location == "training.course")
    }
}
