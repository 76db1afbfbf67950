import Foundation
import Logging
@_spi(StorageBackend) import OnlineSafetyCore

/// The filtering and monitoring register and the governance calendar: the same behaviour on
/// every backend, through sessions, as an application would use them.
extension StorageConformance {
    /// A change is requested by staff, decided by the DSL or a senior leader with a reason, and
    /// applied only by technical staff once approved: a pending or refused change cannot be
    /// marked applied, nobody decides their own request, and each refusal is audited.
    @_spi(StorageBackend)
    public static func unapprovedFilteringChangeCannotBeApplied(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let world = try await FilteringWorld.make(on: store)
        let request = FilteringChangeRequest(
            action: .allow, target: .site("scratch.mit.edu"), profile: .learners, reason: "Year 5 coding unit",
            riskAssessment: "Moderated community; the class teacher supervises", reviewOn: CalendarDate(year: 2026, month: 12, day: 18)!)
        let change = try await world.teacher.filtering.requestChange(request)
        try expect(change.status == .pending && change.requestedBy == world.fixture.teacher.id, "a request is pending, naming who asked")
        try await expectError(.constraintViolation, "a pending change cannot be applied") {
            try await world.technician.filtering.markApplied(change.id)
        }
        try await expectError(.forbidden, "a class teacher cannot decide a change") {
            try await world.teacher.filtering.decide(change.id, approve: true, reason: "fine")
        }
        try await expectError(.invalidInput, "an approval needs a reason") {
            try await world.dsl.filtering.decide(change.id, approve: true, reason: "  ")
        }
        let approved = try await world.dsl.filtering.decide(change.id, approve: true, reason: "Supports the computing curriculum")
        try expect(approved.status == .approved && approved.decision?.decidedBy == world.fixture.dsl.id, "the DSL approved it")
        try await expectError(.conflict, "a decided change is not decided again") {
            try await world.dsl.filtering.decide(change.id, approve: false, reason: "changed my mind")
        }
        try await expectError(.forbidden, "only technical staff record that a change was applied") {
            try await world.dsl.filtering.markApplied(change.id)
        }
        let applied = try await world.technician.filtering.markApplied(change.id, note: "Netsweeper ticket 4411")
        try expect(applied.status == .applied && applied.application?.appliedBy == world.technicianID, "technical staff applied it")
        try await expectError(.conflict, "an applied change is not applied twice") {
            try await world.technician.filtering.markApplied(change.id)
        }

        let refused = try await world.teacher.filtering.requestChange(
            FilteringChangeRequest(
                action: .allow, target: .category("Social networking"), profile: .learners, reason: "Class blog",
                riskAssessment: "Open messaging with strangers"))
        _ = try await world.dsl.filtering.decide(refused.id, approve: false, reason: "Contact risk too high for learners")
        try await expectError(.constraintViolation, "a refused change cannot be applied") {
            try await world.technician.filtering.markApplied(refused.id)
        }
        let own = try await world.dsl.filtering.requestChange(
            FilteringChangeRequest(
                action: .block, target: .category("Proxy avoidance"), profile: .learners, reason: "Seen in monitoring",
                riskAssessment: "Bypasses the filter"))
        try await expectError(.constraintViolation, "nobody decides a change they asked for") {
            try await world.dsl.filtering.decide(own.id, approve: true, reason: "My own request")
        }
        let leader = try await world.admin.people.add(
            Person(
                tenancy: .school(world.fixture.school.id), kind: .staff, givenName: "Lena", familyName: "Lead",
                email: "lena.lead@chilton.example"))
        _ = try await world.admin.roles.grant(
            RoleGrant(personID: leader.id, role: .leadership, scope: .school(world.fixture.school.id), starts: Fixture.today))
        let leaderSession = try await world.fixture.safety.session(actingAs: leader.id, at: world.fixture.school.id)
        let decidedByLeader = try await leaderSession.filtering.decide(own.id, approve: true, reason: "Agreed with the DSL")
        try expect(
            decidedByLeader.status == .approved && decidedByLeader.decision?.decidedBy == leader.id,
            "a senior leader decides the DSL's own request")
        try await expectError(.invalidInput, "a request needs a risk assessment") {
            try await world.teacher.filtering.requestChange(
                FilteringChangeRequest(action: .block, target: .site("example.org"), profile: .staff, reason: "why", riskAssessment: ""))
        }
        try await expectError(.invalidInput, "only an allow has a review date") {
            try await world.teacher.filtering.requestChange(
                FilteringChangeRequest(
                    action: .block, target: .site("example.org"), profile: .staff, reason: "why", riskAssessment: "low",
                    reviewOn: Fixture.today))
        }

        let all = try await world.dsl.filtering.changes()
        try expect(Set(all.map(\.id)) == [change.id, refused.id, own.id] && all.count == 3, "the change log lists all three")
        try expect(try await world.dsl.filtering.changes([.refused]).map(\.id) == [refused.id], "filtered by status")
        let stored = try await store.filteringChanges.get(refused.id)
        try expect(stored?.status == .refused && stored?.application == nil, "the refused change was never applied")
        let trail = try await world.dsl.audit.trail(of: refused.id.uuid)
        try expect(
            trail.contains { $0.draft.action == AuditAction.filteringChangeApply && $0.draft.outcome == AuditOutcome.denied },
            "the refused attempt to apply it is audited")
        try expect(trail.allSatisfy { !($0.draft.reason ?? "").contains("Social") }, "no refusal describes the change")
        let ownTrail = try await world.dsl.audit.trail(of: own.id.uuid)
        try expect(
            ownTrail.contains { $0.draft.action == AuditAction.filteringChangeDecide && $0.draft.outcome == AuditOutcome.denied },
            "the DSL's attempt to decide their own request is audited as refused")
        let later = try await world.dsl.filtering.state(on: CalendarDate(year: 2026, month: 12, day: 18)!)
        try expect(later.temporaryAllowsDueForReview.map(\.id) == [change.id], "the temporary allow falls due for review on its day")
        try expect(
            try await world.dsl.filtering.state().temporaryAllowsDueForReview.isEmpty, "and not before")
    }

    /// The annual review needs the named senior leader and the named governor to take part; the
    /// next falls due a year later; a failed check stays open until its action is recorded; an
    /// alert that needs action becomes a filtering-breach incident linked to the register.
    @_spi(StorageBackend)
    public static func filteringReviewNeedsLeaderAndGovernor(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let world = try await FilteringWorld.make(on: store)
        let dsl = world.dsl
        let leader = world.fixture.dsl.id
        let review = NewFilteringReview(
            reviewedOn: Fixture.today, participants: [leader, world.governorID, world.technicianID],
            considered: ["DfE filtering and monitoring standards", "checks log", "change log"], findings: ["Over-blocking of BBC Bitesize"],
            actions: [
                FilteringReviewAction(
                    description: "Allow BBC Bitesize for learners", ownerID: world.technicianID,
                    dueOn: CalendarDate(year: 2026, month: 12, day: 1)!)
            ], minutesReference: "FGB/2026-11/4")
        try await expectError(.constraintViolation, "no review before the senior leader and governor are named") {
            try await dsl.filtering.recordReview(review)
        }
        try await expectError(.constraintViolation, "a learner cannot be the governor responsible") {
            try await dsl.filtering.assign(.governor, to: world.fixture.oakLearner.id)
        }
        try await expectError(.forbidden, "technical staff do not name who is responsible") {
            try await world.technician.filtering.assign(.seniorLeader, to: leader)
        }
        _ = try await dsl.filtering.assign(.seniorLeader, to: leader, from: ComplianceWorld.september)
        _ = try await dsl.filtering.assign(.governor, to: world.governorID, from: ComplianceWorld.september)
        var withoutGovernor = review
        withoutGovernor.participants = [leader, world.technicianID]
        try await expectError(.constraintViolation, "a review without the governor is refused") {
            try await dsl.filtering.recordReview(withoutGovernor)
        }
        var withoutLeader = review
        withoutLeader.participants = [world.governorID, world.technicianID]
        try await expectError(.constraintViolation, "a review without the senior leader is refused") {
            try await dsl.filtering.recordReview(withoutLeader)
        }
        try expect(try await store.filteringReviews.count(FilteringReviewQuery()) == 0, "no refused review was stored")
        let held = try await dsl.filtering.recordReview(review)
        try expect(held.nextDue == CalendarDate(year: 2027, month: 11, day: 23)!, "the next review falls due a year later")
        try expect(held.seniorLeaderID == leader && held.governorID == world.governorID, "the review names who was responsible")

        let failed = try await world.technician.filtering.recordCheck(
            NewFilteringCheck(
                checkedOn: Fixture.today, device: "Year 5 iPad 12", locationOrGroup: "learner profile, Oak class",
                tested: "SWGfL test filtering: adult content", result: .failed))
        let passed = try await world.technician.filtering.recordCheck(
            NewFilteringCheck(
                checkedOn: Fixture.today, device: "Staff laptop 3", locationOrGroup: "staff profile", tested: "IWF list", result: .passed))
        try expect(failed.isOpen && !passed.isOpen, "a failed check is open, a passed one is not")
        try expect(try await dsl.filtering.checks(openOnly: true).map(\.id) == [failed.id], "open checks are the failed one")
        try await expectError(.constraintViolation, "a passed check needs no action") {
            try await world.technician.filtering.resolveCheck(passed.id, action: "none")
        }
        let closed = try await world.technician.filtering.resolveCheck(failed.id, action: "Netsweeper category re-enabled; retested")
        try expect(!closed.isOpen && closed.action?.recordedBy == world.technicianID, "the action closes the check")
        try expect(try await dsl.filtering.checks(openOnly: true).isEmpty, "no check is open once its action is recorded")

        let quiet = try await world.technician.filtering.recordAlert(
            NewMonitoringAlert(raisedAt: Fixture.now, summary: "Search term flagged, false positive", needsAction: false))
        try expect(quiet.incidentID == nil && quiet.source == "Netsweeper", "an alert that needs no action is only logged")
        let alert = try await world.technician.filtering.recordAlert(
            NewMonitoringAlert(
                raisedAt: Fixture.now, summary: "Attempt to reach a blocked site on a school iPad", needsAction: true,
                participants: [.subject: [world.fixture.oakLearner.id]]))
        let incidentID = try alert.incidentID.unwrapped("an alert that needs action becomes an incident")
        let incident = try await dsl.incidents.get(incidentID)
        try expect(incident.category.code == IncidentCategory.filteringBreach.code, "of the filtering-breach category")
        let steps = try await dsl.steps.steps(for: incidentID)
        try expect(steps.contains { $0.code == "filtering.reviewed" }, "with the filtering-breach procedure")

        let state = try await dsl.filtering.state()
        try expect(
            state.filteringProvider == "Netsweeper" && state.monitoringProvider == "Netsweeper" && state.connection == "Schools Broadband",
            "providers and connection from settings; the filtering provider monitors when no other is named")
        try expect(
            state.seniorLeader?.personID == leader && state.seniorLeader?.from == ComplianceWorld.september, "the senior leader, since")
        try expect(state.governor?.personID == world.governorID, "the governor")
        try expect(state.lastReview?.id == held.id && !state.reviewIsOverdue, "the last review, not overdue")
        try expect(state.nextReviewDue == held.nextDue, "the next review date")
        var school = try await world.admin.organisation.school()
        school.settings.monitoringProvider = "Smoothwall Monitor"
        _ = try await world.admin.organisation.updateSchool(school)
        let schoolID = world.fixture.school.id
        // The DSL's session, opened before the change, reads the new provider.
        let monitored = try await dsl.filtering.state()
        try expect(
            monitored.monitoringProvider == "Smoothwall Monitor" && monitored.filteringProvider == "Netsweeper",
            "a school that names another monitoring provider shows both")
        let technician = try await world.fixture.safety.session(actingAs: world.technicianID, at: schoolID)
        let flagged = try await technician.filtering.recordAlert(
            NewMonitoringAlert(raisedAt: Fixture.now, summary: "Keyword flagged, reviewed", needsAction: false))
        try expect(flagged.source == "Smoothwall Monitor", "an alert comes from the monitoring provider")
        try expect(state.checks.count == 2 && state.openFailedChecks.isEmpty, "both checks, none open")
        try expect(state.alertsNeedingAction.map(\.incidentID) == [incidentID], "the alert linked to its incident")
        let after = try await world.session(world.fixture.dsl.id, on: CalendarDate(year: 2027, month: 11, day: 24)!)
        try expect(try await after.filtering.state().reviewIsOverdue, "the review is overdue the day after it falls due")

        // A new governor takes over; the history keeps both with their dates.
        let second = try await world.admin.people.add(
            Person(tenancy: .school(world.fixture.school.id), kind: .governor, givenName: "Joanna", familyName: "Brand"))
        _ = try await dsl.filtering.assign(.governor, to: second.id, from: Fixture.today.adding(days: 1))
        let handed = try await after.filtering.state()
        try expect(handed.governor?.personID == second.id, "the new governor holds it")
        let history = handed.responsibilityHistory.filter { $0.responsibility == .governor }
        try expect(
            history.map(\.personID) == [world.governorID, second.id] && history.first?.until == Fixture.today,
            "the first governor held it until the day before")
    }

    /// The governance calendar: meetings fall due at the end of their window and go overdue the
    /// day after; a meeting held in the window satisfies it with its minutes; the policy and
    /// filtering reviews fall due a year after the last; training renewals are listed.
    @_spi(StorageBackend)
    public static func governanceCalendarFallsDueAndGoesOverdue(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let world = try await FilteringWorld.make(on: store)
        let dsl = world.dsl
        let fresh = try await dsl.governance.calendar()
        try expect(fresh.academicYear.first == ComplianceWorld.september, "the academic year from 1 September")
        let policy = fresh.items.filter { $0.kind == .policyReview }
        try expect(
            policy.count == 1 && policy[0].status == .overdue && policy[0].dueOn == ComplianceWorld.september,
            "a policy review never recorded is overdue")
        let meetings = fresh.items.filter { $0.kind == .dslGovernorMeeting }
        try expect(meetings.map(\.dueOn.description) == ["2026-12-31", "2027-04-30", "2027-08-31"], "three meetings, one per window")
        try expect(meetings.allSatisfy { $0.status == .due }, "all still due")
        try expect(fresh.items.filter { $0.kind == .dslTrustGovernorMeeting }.count == 1, "one trust governor meeting a year")
        try expect(
            fresh.items.contains { $0.kind == .trainingRenewal && $0.personID == world.fixture.teacher.id && $0.status == .overdue },
            "training never done is overdue")

        let meeting = try await dsl.governance.record(
            .dslGovernorMeeting, heldOn: CalendarDate(year: 2026, month: 10, day: 15)!,
            participants: [world.fixture.dsl.id, world.governorID], minutesReference: "FGB/2026-10/2")
        _ = try await dsl.governance.record(
            .policyReview, heldOn: CalendarDate(year: 2026, month: 11, day: 20)!, participants: [world.fixture.dsl.id],
            minutesReference: "FGB/2026-11/1")
        try await expectError(.invalidInput, "a meeting is recorded with its minutes") {
            try await dsl.governance.record(.dslGovernorMeeting, heldOn: Fixture.today, minutesReference: " ")
        }
        try await expectError(.invalidInput, "a meeting cannot be recorded before it is held") {
            try await dsl.governance.record(.dslGovernorMeeting, heldOn: Fixture.today.adding(days: 1), minutesReference: "x")
        }
        try await expectError(.forbidden, "a class teacher cannot read the calendar") { try await world.teacher.governance.calendar() }
        _ = try await dsl.filtering.assign(.seniorLeader, to: world.fixture.dsl.id, from: ComplianceWorld.september)
        _ = try await dsl.filtering.assign(.governor, to: world.governorID, from: ComplianceWorld.september)
        _ = try await dsl.filtering.recordReview(
            NewFilteringReview(
                reviewedOn: Fixture.today, participants: [world.fixture.dsl.id, world.governorID], considered: ["standards"],
                findings: ["fit for purpose"], minutesReference: "FMR/2026"))
        _ = try await world.admin.training.record(
            .onlineSafety, for: world.fixture.teacher.id, course: "Online safety and filtering", provider: "The Education People",
            completedOn: CalendarDate(year: 2026, month: 10, day: 1)!)

        let now = try await dsl.governance.calendar()
        let first = try now.items.first { $0.kind == .dslGovernorMeeting }.unwrapped("the first meeting")
        try expect(
            first.status == .done && first.satisfiedBy?.recordID == meeting.id.uuid
                && first.satisfiedBy?.minutesReference == "FGB/2026-10/2",
            "the meeting held in the window satisfies it, with its minutes")
        let reviews = now.items.filter { $0.kind == .policyReview }
        try expect(reviews.map(\.status) == [.done, .due], "the policy review is done, and the next is due")
        try expect(reviews.last?.dueOn == CalendarDate(year: 2027, month: 11, day: 20)!, "a year after the last")
        let teacherTraining = now.items.filter { $0.kind == .trainingRenewal && $0.personID == world.fixture.teacher.id }
        try expect(
            teacherTraining.map(\.status) == [.done] && teacherTraining.first?.satisfiedBy?.recordKind == TrainingRecord.recordKind,
            "the teacher's training is done this year, renewal falling next year")

        func calendar(on day: CalendarDate) async throws -> GovernanceCalendar {
            try await world.session(world.fixture.dsl.id, on: day).governance.calendar()
        }
        func second(_ calendar: GovernanceCalendar) -> CalendarItem? {
            calendar.items.filter { $0.kind == .dslGovernorMeeting }.dropFirst().first
        }
        try expect(second(try await calendar(on: CalendarDate(year: 2027, month: 4, day: 30)!))?.status == .due, "due on its last day")
        try expect(second(try await calendar(on: CalendarDate(year: 2027, month: 5, day: 1)!))?.status == .overdue, "overdue the day after")
        func filteringReview(_ calendar: GovernanceCalendar) -> CalendarItem? { calendar.items.last { $0.kind == .filteringReview } }
        let onDay = try await calendar(on: CalendarDate(year: 2027, month: 11, day: 23)!)
        try expect(
            filteringReview(onDay)?.status == .due && filteringReview(onDay)?.dueOn == CalendarDate(year: 2027, month: 11, day: 23)!,
            "the filtering review is due a year after the last")
        try expect(
            filteringReview(try await calendar(on: CalendarDate(year: 2027, month: 11, day: 24)!))?.status == .overdue,
            "and overdue the day after")
        let renewal = try await calendar(on: CalendarDate(year: 2027, month: 10, day: 2)!).items.first {
            $0.kind == .trainingRenewal && $0.personID == world.fixture.teacher.id
        }
        try expect(
            renewal?.status == .overdue && renewal?.dueOn == CalendarDate(year: 2027, month: 10, day: 1)!,
            "a renewal goes overdue after its day")
    }
}

extension StorageConformance {
    /// The trust's calendars: one per school of the trust (none of another trust), each the same
    /// as the school's own calendar, for a trust-wide data manager; a school's DSL is refused.
    @_spi(StorageBackend)
    public static func trustCalendarsAreEachSchoolsCalendar(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let world = try await FilteringWorld.make(on: store)
        let safety = world.fixture.safety
        var uptonSchool = SeedSchools.chilton(trustID: world.fixture.trust.id)
        uptonSchool.id = SchoolID()
        uptonSchool.urn = "900777"
        uptonSchool.name = "Upton Junior School"
        uptonSchool.settings.dslGovernorMeetingsPerYear = 2
        let upton = try await world.admin.organisation.addSchool(uptonSchool)
        let farTrust = Trust(name: "Faraway Learning Trust")
        var farSchool = SeedSchools.mersham(trustID: farTrust.id)
        farSchool.urn = "900888"
        _ = try await safety.bootstrap(
            trust: farTrust, school: farSchool,
            administrator: Person(tenancy: .trust(farTrust.id), kind: .staff, givenName: "Fay", familyName: "Faraway"))
        _ = try await world.dsl.governance.record(
            .dslGovernorMeeting, heldOn: CalendarDate(year: 2026, month: 10, day: 15)!,
            participants: [world.fixture.dsl.id, world.governorID], minutesReference: "FGB/2026-10/2")

        let calendars = try await world.admin.governance.trustCalendars()
        let inURNOrder = [(upton.urn, upton.id), (world.fixture.school.urn, world.fixture.school.id)].sorted { $0.0 < $1.0 }.map(\.1)
        try expect(
            calendars.map(\.schoolID) == inURNOrder, "one calendar per school of the trust, in URN order, none of the other trust")
        let chilton = try await world.admin.governance.calendar()
        let uptonOwn = try await safety.session(actingAs: world.fixture.admin.id, at: upton.id).governance.calendar()
        try expect(calendars.contains(chilton) && calendars.contains(uptonOwn), "each is the school's own calendar")
        try expect(
            uptonOwn.items.filter { $0.kind == .dslGovernorMeeting }.count == 2
                && chilton.items.contains { $0.kind == .dslGovernorMeeting && $0.status == .done },
            "each follows its own settings and records")
        try await expectError(.forbidden, "a school's DSL does not read the trust's calendar") {
            try await world.dsl.governance.trustCalendars()
        }
    }
}

/// Chilton with a class teacher, the DSL (also Head of School), a technician and a governor.
struct FilteringWorld: Sendable {
    let store: any OnlineSafetyStore
    let fixture: Fixture
    let admin: SafetySession
    let dsl: SafetySession
    let teacher: SafetySession
    let technician: SafetySession
    let technicianID: PersonID
    let governorID: PersonID

    static func make(on store: any OnlineSafetyStore) async throws -> FilteringWorld {
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let school = fixture.school.id
        let start = CalendarDate(year: 2024, month: 9, day: 1)!
        let technician = try await admin.people.add(
            Person(tenancy: .school(school), kind: .staff, givenName: "Ian", familyName: "Tech", email: "ian.tech@chilton.example"))
        _ = try await admin.roles.grant(RoleGrant(personID: technician.id, role: .technicalStaff, scope: .school(school), starts: start))
        let governor = try await admin.people.add(
            Person(tenancy: .school(school), kind: .governor, givenName: "Hannah", familyName: "Cheshire"))
        _ = try await admin.roles.grant(RoleGrant(personID: governor.id, role: .governor, scope: .school(school), starts: start))
        return FilteringWorld(
            store: store, fixture: fixture, admin: admin, dsl: try await fixture.safety.session(actingAs: fixture.dsl.id, at: school),
            teacher: try await fixture.safety.session(actingAs: fixture.teacher.id, at: school),
            technician: try await fixture.safety.session(actingAs: technician.id, at: school), technicianID: technician.id,
            governorID: governor.id)
    }

    /// A session for a person at Chilton on a clock fixed at 09:30 UK time on a day.
    func session(_ personID: PersonID, on day: CalendarDate) async throws -> SafetySession {
        var logger = Logger(label: "conformance")
        logger.logLevel = .warning
        let instant = day.startOfDay.addingTimeInterval(9.5 * 3_600)
        let safety = OnlineSafety(backend: store, clock: .fixed(instant), logger: logger)
        return try await safety.session(actingAs: personID, at: fixture.school.id)
    }
}

extension Optional {
    fileprivate func unwrapped(_ message: String, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line) throws
        -> Wrapped
    {
        guard let self else { throw ConformanceFailure(message, fileID: fileID, filePath: filePath, line: line) }
        return self
    }
}
