import Foundation

/// The filtering and monitoring register, through the session's checks and audit (§6.2–6.3 and
/// the DfE filtering and monitoring standards).
///
/// Per school: the providers and connection (from the school's settings), the named senior
/// leader and governor responsible, the change log, the checks log, the annual review and the
/// monitoring alerts. A change is requested by any member of staff, approved or refused by the
/// DSL or a senior leader with a reason, and applied only by technical staff, and only once
/// approved. A review is refused unless the named senior leader and governor take part.
///
/// ```swift
/// let change = try await teacher.filtering.requestChange(
///     FilteringChangeRequest(action: .allow, target: .site("scratch.mit.edu"), profile: .learners,
///         reason: "Year 5 coding unit", riskAssessment: "Moderated community; teacher supervises", reviewOn: endOfTerm))
/// _ = try await dsl.filtering.decide(change.id, approve: true, reason: "Supports the curriculum")
/// _ = try await technician.filtering.markApplied(change.id, note: "Netsweeper ticket 4411")
/// let state = try await dsl.filtering.state()   // providers, responsibilities, changes, checks, review
/// ```
public struct FilteringRegisterService: Sendable {
    let session: SafetySession

    private var principal: Principal { session.principal }

    /// Names the senior leader or the governor responsible for filtering and monitoring from a
    /// day (today by default); whoever held it before holds it until the day before. Requires
    /// `manageFilteringRegister`; throws `forbidden`, `notFound` for a person out of reach, and
    /// `constraintViolation` unless a senior leader is a member of staff and a governor is a
    /// governor, or when the day is before the current holder's first day. Naming the current
    /// holder again changes nothing.
    @discardableResult
    public func assign(_ responsibility: FilteringResponsibility, to personID: PersonID, from date: CalendarDate? = nil) async throws
        -> FilteringProvision
    {
        let decision = AccessPolicy.require(.manageFilteringRegister, principal, to: "name who is responsible for filtering and monitoring")
        let day = date ?? session.today
        let school = principal.school
        let assigner = principal.person.id
        let now = session.clock.now()
        let id = FilteringProvision.id(for: school.id)
        return try await session.gate(.filteringAssign, FilteringProvision.recordKind, subject: id.uuid, authority: decision) { context in
            let person = try await context.person(personID)
            guard person.schoolID == school.id || person.schoolID == nil else { throw SafetyError.notFound("person") }
            switch responsibility {
            case .seniorLeader where person.kind != .staff:
                throw SafetyError(.constraintViolation, "the senior leader responsible must be a member of staff")
            case .governor where person.kind != .governor:
                throw SafetyError(.constraintViolation, "the governor responsible must be a governor")
            default: break
            }
            if person.hasLeft(by: day) {
                throw SafetyError(.constraintViolation, "a person who has left cannot be made responsible")
            }
            try await context.tx.lock("filteringProvision:\(school.id)")
            var provision = try await context.tx.filteringProvisions.get(id) ?? FilteringProvision(schoolID: school.id)
            if let current = provision.holders.last(where: { $0.responsibility == responsibility && $0.until == nil }) {
                if current.personID == person.id { return provision }
                guard day > current.from else {
                    throw SafetyError(.constraintViolation, "a new holder starts after the current holder's first day")
                }
                if let index = provision.holders.lastIndex(of: current) { provision.holders[index].until = day.adding(days: -1) }
            }
            provision.holders.append(
                ResponsibleHolder(responsibility: responsibility, personID: person.id, from: day, assignedBy: assigner, assignedAt: now))
            return provision.revision == 0
                ? try await context.tx.filteringProvisions.insert(provision.checkedForInsert())
                : try await context.tx.filteringProvisions.update(provision)
        }
    }

    /// Asks for a site or category to be blocked or allowed, with why and a risk assessment (and,
    /// for a temporary allow, the day it is reviewed). Any member of staff may ask: requires
    /// `recordConcern`. Throws `forbidden`; `invalidInput` naming the missing field; `notFound`
    /// for an incident the session cannot see.
    @discardableResult
    public func requestChange(_ request: FilteringChangeRequest) async throws -> FilteringChange {
        let decision = AccessPolicy.require(.recordConcern, principal, to: "ask for a filtering change")
        let school = principal.school
        let requester = principal.person.id
        let now = session.clock.now()
        let id = FilteringChangeID()
        return try await session.gate(.filteringChangeRequest, FilteringChange.recordKind, subject: id.uuid, authority: decision) {
            context in
            if let incidentID = request.incidentID { _ = try await IncidentService.visible(incidentID, context) }
            let change = FilteringChange(id: id, schoolID: school.id, request: request, requestedBy: requester, requestedAt: now)
            return try await context.tx.filteringChanges.insert(change.checkedForInsert())
        }
    }

    /// Approves or refuses a pending change, with a reason either way. Requires
    /// `decideFilteringChanges` (the DSL or a senior leader); throws `forbidden`, `notFound` for a
    /// change out of reach, `invalidInput` without a reason, `conflict` for a change already decided,
    /// and `constraintViolation` when the decider asked for the change: someone else decides it.
    @discardableResult
    public func decide(_ id: FilteringChangeID, approve: Bool, reason: String) async throws -> FilteringChange {
        let decision = AccessPolicy.require(.decideFilteringChanges, principal, to: "approve or refuse filtering changes")
        let decider = principal.person.id
        let now = session.clock.now()
        return try await session.gate(.filteringChangeDecide, FilteringChange.recordKind, subject: id.uuid, authority: decision) {
            context in
            var change = try await Self.change(id, context)
            guard change.status == .pending else { throw SafetyError(.conflict, "the change has already been decided") }
            guard change.requestedBy != decider else {
                throw SafetyError(
                    .constraintViolation,
                    "a filtering change is decided by someone other than who asked for it: another DSL or senior leader")
            }
            change.decision = FilteringDecision(approved: approve, decidedBy: decider, decidedAt: now, reason: reason)
            try change.validate()
            return try await context.tx.filteringChanges.update(change)
        }
    }

    /// Records that technical staff applied an approved change in the filtering system. Requires
    /// `applyFilteringChanges` (technical staff only); throws `forbidden`, `notFound` for a change
    /// out of reach, `constraintViolation` for a change not approved (pending or refused), and
    /// `conflict` for one already applied.
    @discardableResult
    public func markApplied(_ id: FilteringChangeID, note: String? = nil) async throws -> FilteringChange {
        let decision = AccessPolicy.require(.applyFilteringChanges, principal, to: "record that a filtering change was applied")
        let applier = principal.person.id
        let now = session.clock.now()
        return try await session.gate(.filteringChangeApply, FilteringChange.recordKind, subject: id.uuid, authority: decision) { context in
            var change = try await Self.change(id, context)
            switch change.status {
            case .pending:
                throw SafetyError(.constraintViolation, "an unapproved filtering change cannot be applied: it awaits a decision")
            case .refused:
                throw SafetyError(.constraintViolation, "an unapproved filtering change cannot be applied: it was refused")
            case .applied:
                throw SafetyError(.conflict, "the change has already been applied")
            case .approved:
                change.application = FilteringApplication(appliedBy: applier, appliedAt: now, note: note)
                try change.validate()
                return try await context.tx.filteringChanges.update(change)
            }
        }
    }

    /// The change log, oldest first, optionally only changes in some states. Requires
    /// `readFilteringRegister`; throws `forbidden`. Records which changes it returned.
    public func changes(_ statuses: Set<FilteringChangeStatus>? = nil) async throws -> [FilteringChange] {
        let query = FilteringChangeQuery(schoolID: principal.school.id, statuses: statuses)
        return try await session.gate(
            .filteringChangeList, FilteringChange.recordKind, subject: nil, authority: readDecision, subjects: .of { $0.map(\.id.uuid) }
        ) { context in
            try await context.tx.filteringChanges.find(query)
        }
    }

    /// Records a check of the filtering or monitoring; one that failed stays open until the
    /// action taken is recorded. Requires `operateFilteringAndMonitoring`; throws `forbidden` and
    /// `invalidInput` naming the missing field.
    @discardableResult
    public func recordCheck(_ check: NewFilteringCheck) async throws -> FilteringCheck {
        let decision = AccessPolicy.require(.operateFilteringAndMonitoring, principal, to: "record filtering checks")
        let school = principal.school
        let checker = principal.person.id
        let now = session.clock.now()
        let id = FilteringCheckID()
        return try await session.gate(.filteringCheckRecord, FilteringCheck.recordKind, subject: id.uuid, authority: decision) { context in
            let action = check.action.map { FilteringCheckAction(description: $0, recordedBy: checker, recordedAt: now) }
            let record = FilteringCheck(id: id, schoolID: school.id, check: check, checkedBy: checker, recordedAt: now, action: action)
            return try await context.tx.filteringChecks.insert(record.checkedForInsert())
        }
    }

    /// Records the action taken on a failed check, which closes it. Requires
    /// `operateFilteringAndMonitoring`; throws `forbidden`, `notFound` for a check out of reach,
    /// `constraintViolation` for a check that passed, `conflict` for one already closed, and
    /// `invalidInput` without a description.
    @discardableResult
    public func resolveCheck(_ id: FilteringCheckID, action: String) async throws -> FilteringCheck {
        let decision = AccessPolicy.require(.operateFilteringAndMonitoring, principal, to: "record the action on a filtering check")
        let school = principal.school
        let recorder = principal.person.id
        let now = session.clock.now()
        return try await session.gate(.filteringCheckResolve, FilteringCheck.recordKind, subject: id.uuid, authority: decision) { context in
            guard var check = try await context.tx.filteringChecks.get(id), check.schoolIDValue == school.id else {
                throw SafetyError.notFound("filtering check")
            }
            guard check.result == .failed else { throw SafetyError(.constraintViolation, "a check that passed needs no action") }
            guard check.action == nil else { throw SafetyError(.conflict, "the check's action has already been recorded") }
            check.action = FilteringCheckAction(description: action, recordedBy: recorder, recordedAt: now)
            try check.validate()
            return try await context.tx.filteringChecks.update(check)
        }
    }

    /// The checks log, oldest first; `openOnly` for failed checks with no action yet. Requires
    /// `readFilteringRegister`; throws `forbidden`. Records which checks it returned.
    public func checks(openOnly: Bool = false) async throws -> [FilteringCheck] {
        let query = FilteringCheckQuery(schoolID: principal.school.id, openOnly: openOnly)
        return try await session.gate(
            .filteringCheckList, FilteringCheck.recordKind, subject: nil, authority: readDecision, subjects: .of { $0.map(\.id.uuid) }
        ) { context in
            try await context.tx.filteringChecks.find(query)
        }
    }

    /// Records the annual review of the filtering and monitoring provision. Requires
    /// `manageFilteringRegister`; throws `forbidden`, `notFound` for a participant or action owner
    /// out of reach, `constraintViolation` unless the senior leader and the governor named on the
    /// review's day both took part (or when either is not named), and `invalidInput` naming a
    /// missing field. The next review falls due a year later.
    @discardableResult
    public func recordReview(_ review: NewFilteringReview) async throws -> FilteringReview {
        let decision = AccessPolicy.require(.manageFilteringRegister, principal, to: "record the filtering and monitoring review")
        let school = principal.school
        let recorder = principal.person.id
        let now = session.clock.now()
        let id = FilteringReviewID()
        return try await session.gate(.filteringReviewRecord, FilteringReview.recordKind, subject: id.uuid, authority: decision) {
            context in
            for personID in Set(review.participants + review.actions.map(\.ownerID)) { _ = try await context.person(personID) }
            let provision = try await context.tx.filteringProvisions.get(FilteringProvision.id(for: school.id))
            guard let leader = provision?.holder(of: .seniorLeader, on: review.reviewedOn),
                let governor = provision?.holder(of: .governor, on: review.reviewedOn)
            else {
                throw SafetyError(
                    .constraintViolation, "name the senior leader and the governor responsible for filtering before recording a review")
            }
            guard review.participants.contains(leader.personID), review.participants.contains(governor.personID) else {
                throw SafetyError(.constraintViolation, "the review needs the named senior leader and the named governor to take part")
            }
            let record = FilteringReview(
                id: id, schoolID: school.id, review: review, seniorLeaderID: leader.personID, governorID: governor.personID,
                recordedBy: recorder, recordedAt: now)
            return try await context.tx.filteringReviews.insert(record.checkedForInsert())
        }
    }

    /// The reviews, oldest first. Requires `readFilteringRegister`; throws `forbidden`. Records
    /// which reviews it returned.
    public func reviews() async throws -> [FilteringReview] {
        let query = FilteringReviewQuery(schoolID: principal.school.id)
        return try await session.gate(
            .filteringReviewList, FilteringReview.recordKind, subject: nil, authority: readDecision, subjects: .of { $0.map(\.id.uuid) }
        ) { context in
            try await context.tx.filteringReviews.find(query)
        }
    }

    /// Records an alert from the monitoring system. One that needs action becomes an incident of
    /// the filtering-breach category (with its procedure), linked from the alert, in the same
    /// transaction. Requires `operateFilteringAndMonitoring`; throws `forbidden`, `notFound` for
    /// a participant out of reach, and `invalidInput` for an empty summary.
    @discardableResult
    public func recordAlert(_ alert: NewMonitoringAlert) async throws -> MonitoringAlert {
        let decision = AccessPolicy.require(.operateFilteringAndMonitoring, principal, to: "record monitoring alerts")
        let school = principal.school
        let recorder = principal.person.id
        let now = session.clock.now()
        let id = MonitoringAlertID()
        return try await session.gate(.monitoringAlertRecord, MonitoringAlert.recordKind, subject: id.uuid, authority: decision) {
            context in
            if alert.summary.isBlank {
                throw SafetyError.invalid("monitoringAlert.summary", "an alert says what the monitoring reported")
            }
            var incidentID: IncidentID?
            if alert.needsAction {
                let incident = try await IncidentService.insert(
                    NewIncident(
                        occurredAt: alert.raisedAt, location: .onSite, equipment: .school, summary: alert.summary, riskArea: alert.riskArea,
                        categoryCode: IncidentCategory.filteringBreach.code, participants: alert.participants),
                    id: IncidentID(), reporter: recorder, at: now, context)
                incidentID = incident.id
                await context.audit(.incidentInsert, Incident.recordKind, incident.id.uuid)
            }
            let provider = try await context.currentSchool().settings.monitoringProviderInUse
            let record = MonitoringAlert(
                id: id, schoolID: school.id, raisedAt: alert.raisedAt, source: alert.source ?? provider,
                summary: alert.summary, needsAction: alert.needsAction, incidentID: incidentID, recordedBy: recorder, recordedAt: now)
            return try await context.tx.monitoringAlerts.insert(record.checkedForInsert())
        }
    }

    /// The monitoring alerts, oldest first. Requires `readFilteringRegister`; throws `forbidden`.
    /// Records which alerts it returned.
    public func alerts() async throws -> [MonitoringAlert] {
        let query = MonitoringAlertQuery(schoolID: principal.school.id)
        return try await session.gate(
            .monitoringAlertList, MonitoringAlert.recordKind, subject: nil, authority: readDecision, subjects: .of { $0.map(\.id.uuid) }
        ) { context in
            try await context.tx.monitoringAlerts.find(query)
        }
    }

    /// The register's state on a day (today by default): providers and connection, who is
    /// responsible and since when, every change and check, the last review and when the next is
    /// due, and the alerts. What the dashboard and the governors' report read. Requires
    /// `readFilteringRegister`; throws `forbidden`. Recorded as one read of the school's register.
    public func state(on date: CalendarDate? = nil) async throws -> FilteringRegisterState {
        let day = date ?? session.today
        let school = principal.school
        return try await session.gate(
            .filteringState, FilteringProvision.recordKind, subject: FilteringProvision.id(for: school.id).uuid, authority: readDecision
        ) { context in
            try await Self.state(of: try await context.currentSchool(), on: day, context.tx)
        }
    }

    /// The register's state of a school, read inside the caller's transaction (for reports).
    static func state(of school: School, on day: CalendarDate, _ tx: any OnlineSafetyStore) async throws -> FilteringRegisterState {
        try await states(of: [school], on: day, tx)[0]
    }

    /// ``state(of:on:_:)`` for several schools, in their order: each kind of record is read once
    /// for all of them.
    static func states(of schools: [School], on day: CalendarDate, _ tx: any OnlineSafetyStore) async throws -> [FilteringRegisterState] {
        let ids = schools.map(\.id)
        let provisions = try await OwnedReads.atSchools(tx.filteringProvisions, ids)
        let changes = try await OwnedReads.atSchools(tx.filteringChanges, ids, FilteringChangeQuery().conditions)
        let checks = try await OwnedReads.atSchools(tx.filteringChecks, ids, FilteringCheckQuery(through: day).conditions)
        let reviews = try await OwnedReads.atSchools(tx.filteringReviews, ids, FilteringReviewQuery(through: day).conditions)
        let alerts = try await OwnedReads.atSchools(tx.monitoringAlerts, ids, MonitoringAlertQuery().conditions)
        return schools.enumerated().map { index, school in
            let provision = provisions[index].first ?? FilteringProvision(schoolID: school.id)
            let last = reviews[index].last
            return FilteringRegisterState(
                schoolID: school.id, asOf: day, filteringProvider: school.settings.filteringProvider,
                monitoringProvider: school.settings.monitoringProviderInUse, connection: school.settings.internetServiceProvider,
                seniorLeader: provision.holder(of: .seniorLeader, on: day), governor: provision.holder(of: .governor, on: day),
                responsibilityHistory: provision.holders, changes: changes[index], checks: checks[index], lastReview: last,
                nextReviewDue: last?.nextDue ?? GovernanceRules.academicYear(containing: day).first, alerts: alerts[index])
        }
    }

    private static func change(_ id: FilteringChangeID, _ context: GateContext) async throws -> FilteringChange {
        guard let change = try await context.tx.filteringChanges.get(id), change.schoolIDValue == context.principal.school.id else {
            throw SafetyError.notFound("filtering change")
        }
        return change
    }

    private var readDecision: AccessDecision {
        AccessPolicy.require(.readFilteringRegister, principal, to: "read the filtering and monitoring register")
    }
}
