import Foundation

/// Governance meetings and reviews, and the governance calendar, through the session's checks
/// and audit (§3 "Monitoring and review").
///
/// The calendar is worked out from the school's settings and records: the policy's review, the
/// DSL–governor meetings (as many a year as the school sets), the filtering review, training
/// renewals and AUP renewals, each due, done (with the record that satisfied it) or overdue.
///
/// ```swift
/// try await dsl.governance.record(
///     .dslGovernorMeeting, heldOn: CalendarDate(iso: "2026-11-12")!, participants: [dslID, governorID],
///     minutesReference: "FGB/2026-11/4")
/// let calendar = try await dsl.governance.calendar()
/// for item in calendar.overdue { print(item.title, item.dueOn) }
/// ```
public struct GovernanceService: Sendable {
    let session: SafetySession

    private var principal: Principal { session.principal }

    /// Records a meeting or review that was held, with a reference to its minutes. Requires
    /// `manageGovernance`; throws `forbidden`, `notFound` for a participant out of the session's
    /// reach, and `invalidInput` for a day in the future or no minutes reference.
    @discardableResult
    public func record(
        _ activity: GovernanceActivity, heldOn: CalendarDate, participants: [PersonID] = [], minutesReference: String, note: String? = nil
    ) async throws -> GovernanceRecord {
        let decision = AccessPolicy.require(.manageGovernance, principal, to: "record governance meetings and reviews")
        let school = principal.school
        let recorder = principal.person.id
        let now = session.clock.now()
        let id = GovernanceRecordID()
        return try await session.gate(.governanceRecord, GovernanceRecord.recordKind, subject: id.uuid, authority: decision) { context in
            var seen: Set<PersonID> = []
            for personID in participants where seen.insert(personID).inserted { _ = try await context.person(personID) }
            let record = GovernanceRecord(
                id: id, schoolID: school.id, activity: activity, heldOn: heldOn, participants: participants,
                minutesReference: minutesReference, note: note, recordedBy: recorder, recordedAt: now)
            return try await context.tx.governanceRecords.insert(record.checkedForInsert())
        }
    }

    /// The meetings and reviews held, oldest first, optionally of some activities. Requires
    /// `manageGovernance` or `readCompliance`; throws `forbidden`. Records which it returned.
    public func records(_ activities: Set<GovernanceActivity>? = nil) async throws -> [GovernanceRecord] {
        let query = GovernanceRecordQuery(schoolID: principal.school.id, activities: activities)
        return try await session.gate(
            .governanceList, GovernanceRecord.recordKind, subject: nil, authority: readDecision, subjects: .of { $0.map(\.id.uuid) }
        ) { context in
            try await context.tx.governanceRecords.find(query)
        }
    }

    /// The school's governance calendar for the academic year containing a day (today by
    /// default), with each item's status on that day (see ``GovernanceRules``). Requires
    /// `manageGovernance` or `readCompliance`; throws `forbidden`. Records the people whose
    /// training renewals it listed, or one read of the calendar.
    public func calendar(on date: CalendarDate? = nil, requirements: [TrainingRequirement] = TrainingRequirement.defaults) async throws
        -> GovernanceCalendar
    {
        let day = date ?? session.today
        return try await session.gate(
            .governanceCalendar, GovernanceRecord.recordKind, subject: nil, authority: readDecision,
            subjects: .of { Array(Set($0.items.compactMap(\.personID?.uuid))).sorted(by: UUIDText.precedes) }
        ) { context in
            try await Self.calendar(of: try await context.currentSchool(), on: day, requirements: requirements, context.tx)
        }
    }

    /// The governance calendar of every school of the session's trust, in the order of their
    /// URNs, each as ``calendar(on:requirements:)`` gives it, read in one transaction. Requires
    /// `manageGovernance` or `readCompliance` held trust-wide (a trust's data manager, a
    /// trust-wide DSL); throws `forbidden`, and `invalidInput` when the school belongs to no trust.
    /// Records the people whose training renewals it listed, or one read of the trust's calendar.
    public func trustCalendars(on date: CalendarDate? = nil, requirements: [TrainingRequirement] = TrainingRequirement.defaults)
        async throws -> [GovernanceCalendar]
    {
        let day = date ?? session.today
        let school = principal.school
        let trustWide =
            AccessPolicy.holdsTrustWide(.manageGovernance, principal) || AccessPolicy.holdsTrustWide(.readCompliance, principal)
        let decision: AccessDecision =
            trustWide
            ? .allowed
            : .denied("only someone who holds governance or compliance across the trust reads the trust's calendar")
        return try await session.gate(
            .governanceCalendar, GovernanceRecord.recordKind, subject: school.trustID?.uuid, authority: decision,
            subjects: .of { calendars in
                Array(Set(calendars.flatMap { $0.items.compactMap(\.personID?.uuid) })).sorted(by: UUIDText.precedes)
            }
        ) { context in
            guard let trustID = school.trustID else {
                throw SafetyError.invalid("calendar.acrossTrust", "the school belongs to no trust: ask for the school's calendar")
            }
            let schools = try await context.tx.schools.find(SchoolQuery(trustID: trustID)).sorted { $0.urn < $1.urn }
            let holders = try await TrainingService.holders(at: schools, on: day, context.tx)
            let training = holders.map { TrainingService.standings(of: $0, on: day, dueSoonDays: 30, requirements: requirements) }
            return try await Self.calendars(of: schools, on: day, requirements: requirements, training: training, context.tx)
        }
    }

    /// The calendar of a school, read inside the caller's transaction (for the dashboard and reports).
    ///
    /// `training` is the school's training standings on the day with a 30-day window, when the
    /// caller has them already.
    package static func calendar(
        of school: School, on day: CalendarDate, requirements: [TrainingRequirement],
        training known: (statuses: [TrainingStatus], latest: [PersonID: [TrainingLatest]])? = nil, _ tx: any OnlineSafetyStore
    ) async throws -> GovernanceCalendar {
        let training: (statuses: [TrainingStatus], latest: [PersonID: [TrainingLatest]])
        if let known {
            training = known
        } else {
            training = try await TrainingService.standings(at: school, on: day, dueSoonDays: 30, requirements: requirements, tx)
        }
        return try await calendars(of: [school], on: day, requirements: requirements, training: [training], tx)[0]
    }

    /// ``calendar(of:on:requirements:training:_:)`` for several schools, in their order, with each
    /// school's training standings on the day: each kind of record is read once for all of them.
    package static func calendars(
        of schools: [School], on day: CalendarDate, requirements: [TrainingRequirement],
        training: [(statuses: [TrainingStatus], latest: [PersonID: [TrainingLatest]])], _ tx: any OnlineSafetyStore
    ) async throws -> [GovernanceCalendar] {
        let ids = schools.map(\.id)
        // The three kinds of record are asked for at once: a backend works on one while the answer
        // of another is read.
        async let recordsRead = OwnedReads.atSchools(tx.governanceRecords, ids, GovernanceRecordQuery(through: day).conditions)
        async let reviewsRead = OwnedReads.atSchools(tx.filteringReviews, ids, FilteringReviewQuery(through: day).conditions)
        // The school's own agreements and its trust's, as `AUPDocumentQuery` of the school and trust finds them.
        async let agreements = OwnedReads.bySchool(
            tx.aupDocuments, schools,
            [.oneOf("audience", AUPAudience.allCases.map { .text($0.rawValue) }), .atMost("effective_from", .date(day))])
        let (records, reviews, documents) = try await (recordsRead, reviewsRead, agreements)
        return schools.enumerated().map { index, school in
            let inputs = GovernanceInputs(
                settings: school.settings, inTrust: school.trustID != nil, records: records[index], filteringReviews: reviews[index],
                training: training[index].statuses, latestTraining: training[index].latest, requirements: requirements,
                aupDocuments: documents[index])
            return GovernanceRules.calendar(schoolID: school.id, inputs: inputs, on: day)
        }
    }

    private var readDecision: AccessDecision {
        principal.can(.manageGovernance) || principal.can(.readCompliance)
            ? .allowed : AccessPolicy.require(.readCompliance, principal, to: "read the governance calendar")
    }
}
