import Foundation
import Logging

/// A person acting at a school: the one gate every read and write goes through.
///
/// Every service method goes through one primitive, ``gate(_:_:subject:restricted:authority:subjects:_:)``,
/// which decides the principal's authority before storage is touched, confines every read to the
/// session's reach (its school and that school's trust), runs the work and its audit events in
/// one transaction, and audits refusals the same way as what it allowed. A record outside the
/// session's reach, or one the principal may not see, is answered exactly as one that does not
/// exist: `notFound`, "no such <kind>". A refusal of a capability throws `forbidden` with a reason
/// that names the capability, never the record.
public struct SafetySession: Sendable {
    /// Who is acting, where, with which roles.
    public let principal: Principal
    let store: any OnlineSafetyStore
    let clock: SafetyClock
    let logger: Logger

    init(principal: Principal, store: any OnlineSafetyStore, clock: SafetyClock, logger: Logger) {
        self.principal = principal
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    /// Trust, schools and their policy settings.
    public var organisation: OrganisationService { OrganisationService(session: self) }
    /// People and their contacts.
    public var people: PeopleService { PeopleService(session: self) }
    /// Role grants.
    public var roles: RoleService { RoleService(session: self) }
    /// The audit trail.
    public var audit: AuditService { AuditService(session: self) }
    /// Incidents: recording, reading, listing and figures.
    public var incidents: IncidentService { IncidentService(session: self) }
    /// Each incident's chronology: notes, facts, decisions, closure.
    public var chronology: ChronologyService { ChronologyService(session: self) }
    /// What each incident's procedure requires next, and what is overdue.
    public var steps: ProcedureStepService { ProcedureStepService(session: self) }
    /// The device custody register.
    public var devices: DeviceCustodyService { DeviceCustodyService(session: self) }
    /// Acceptable use policies and their acceptances.
    public var agreements: AgreementService { AgreementService(session: self) }
    /// The access register: who has access to which device or system.
    public var access: AccessRegisterService { AccessRegisterService(session: self) }
    /// Consent decisions and the question "may we use this for these learners?".
    public var consent: ConsentService { ConsentService(session: self) }
    /// Training records and status.
    public var training: TrainingService { TrainingService(session: self) }
    /// The compliance report.
    public var compliance: ComplianceService { ComplianceService(session: self) }
    /// Retention: purging records whose period is over.
    public var retention: RetentionService { RetentionService(session: self) }

    /// The filtering and monitoring register: responsibilities, changes, checks, reviews, alerts.
    public var filtering: FilteringRegisterService { FilteringRegisterService(session: self) }
    /// Governance meetings and reviews, and the governance calendar.
    public var governance: GovernanceService { GovernanceService(session: self) }
    /// The DSL's dashboard: what needs attention now.
    public var dashboard: DashboardService { DashboardService(session: self) }
    /// Reports for governors: figures that never identify a child.
    public var reports: ReportService { ReportService(session: self) }

    /// Imports from a school's MIS: plan and apply a roster sync.
    public var roster: RosterService { RosterService(session: self) }
    /// The school's own policy: its adopted versions, adopting one, applying it to an open incident.
    public var policies: PolicyService { PolicyService(session: self) }

    /// The session's current day.
    public var today: CalendarDate { CalendarDate(clock.now()) }

    /// What a session at this school reaches: the school's records and its trust's.
    var reach: QueryScope { .reach(of: principal.school) }

    func draft(
        _ action: AuditAction, _ kind: String, _ subject: UUID?, _ outcome: AuditOutcome = .allowed, reason: String? = nil,
        restricted: Bool = false
    ) -> AuditDraft {
        AuditDraft(
            at: clock.now(), actorID: principal.person.id, schoolID: principal.school.id, action: action, subjectKind: kind,
            subjectID: subject, outcome: outcome, reason: reason, restricted: restricted)
    }

    /// The one gate primitive.
    ///
    /// 1. `authority`, decided from the principal alone, is checked before storage is touched; a
    ///    denial is audited and thrown as `forbidden`.
    /// 2. `body` runs in one transaction with a ``GateContext`` whose reads are confined to the
    ///    session's reach; the audit events of what it did are appended in the same transaction:
    ///    a listing (`subjects`) records every record its result names in one event (`listed`,
    ///    in events of at most ``AuditSubjects/perEvent`` records), else one event for `subject`.
    /// 3. A refusal raised inside `body` (`notFound`, `forbidden`, `invalidInput`,
    ///    `constraintViolation`, `conflict`) rolls the work back and is audited as denied, with
    ///    its reason, before it is thrown. `notFound` always reads "no such <kind>", whether the
    ///    record is absent or out of reach.
    ///
    /// A body that learns the subject is restricted (an incident of a restricted category) calls
    /// ``GateContext/markRestricted()``: its events, allowed or denied, then go on the school's
    /// restricted chain. A `conflict` with a concurrent transaction is retried up to `retries`
    /// times before it is audited and thrown. `reason`, when given, is the reason of the call's
    /// own events when it is allowed (why the caller did it, such as a correction's); a body that
    /// learns what its call came to only as it runs (an import the plan refuses) sets that reason
    /// with ``GateContext/setOutcomeReason(_:)``, which takes the place of `reason`. A refusal's
    /// event carries the refusal's reason instead of either.
    func gate<R: Sendable>(
        _ action: AuditAction, _ kind: String, subject: UUID?, restricted: Bool = false, authority: AccessDecision,
        subjects: AuditSubjects<R>? = nil, retries: Int = 2, reason: String? = nil,
        _ body: @Sendable @escaping (GateContext) async throws -> R
    ) async throws -> R {
        if case .denied(let reason) = authority {
            try await audit([draft(action, kind, subject, .denied, reason: reason, restricted: restricted)])
            logger.notice("access denied", metadata: ["action": "\(action)", "actor": "\(principal.person.id)"])
            throw SafetyError(.forbidden, reason)
        }
        let session = self
        let started = ContinuousClock.now
        var attempt = 0
        while true {
            let buffer = EventBuffer(restricted: restricted)
            do {
                let result = try await store.withTransaction { tx in
                    let context = GateContext(session: session, tx: tx, events: buffer)
                    let result = try await body(context)
                    let restricted = await buffer.restricted
                    let ownReason = await buffer.outcomeReason ?? reason
                    var events = [session.draft(action, kind, subject, reason: ownReason, restricted: restricted)]
                    if let subjects {
                        // Each record once, where the result first names it; the call's own
                        // subject is not listed again.
                        var seen: Set<UUID> = subject.map { [$0] } ?? []
                        let named = subjects.ids(result).filter { seen.insert($0).inserted }
                        if !named.isEmpty || !subjects.recordsEmpty {
                            events = stride(from: 0, to: named.count, by: AuditSubjects<R>.perEvent).map { start in
                                var draft = session.draft(action, kind, subject, reason: ownReason, restricted: restricted)
                                draft.listed = Array(named[start..<min(named.count, start + AuditSubjects<R>.perEvent)])
                                return draft
                            }
                        }
                    }
                    _ = try await tx.audit.appendMany(events + (await buffer.drafts))
                    return result
                }
                // Identifiers and counts only, never record content (`--verbose` shows this); worked
                // out only when the log will show it.
                if logger.logLevel <= .debug {
                    var metadata: Logger.Metadata = [
                        "action": "\(action)", "actor": "\(principal.person.id)", "school": "\(principal.school.id)",
                        "took": "\(ContinuousClock.now - started)",
                    ]
                    if let subject { metadata["subject"] = "\(subject)" }
                    if let subjects { metadata["listed"] = "\(subjects.ids(result).count)" }
                    logger.debug("allowed", metadata: metadata)
                }
                return result
            } catch let error as SafetyError where error.code == .conflict && attempt < retries {
                attempt += 1
                continue
            } catch let error as SafetyError where Self.refusals.contains(error.code) {
                let restricted = await buffer.restricted
                try await audit([draft(action, kind, subject, .denied, reason: error.reason, restricted: restricted)])
                logger.notice("refused", metadata: ["action": "\(action)", "actor": "\(principal.person.id)", "code": "\(error.code)"])
                throw error
            }
        }
    }

    /// The codes a gated body raises to refuse, which are audited as denied.
    static let refusals: Set<SafetyError.Code> = [.notFound, .forbidden, .invalidInput, .constraintViolation, .conflict]

    private func audit(_ drafts: [AuditDraft]) async throws {
        try await store.withTransaction { tx in _ = try await tx.audit.appendMany(drafts) }
    }
}

/// Which subjects a gated call's result names, each recorded in the audit (a listing records
/// what it returned).
struct AuditSubjects<R>: Sendable {
    let ids: @Sendable (R) -> [UUID]
    /// Whether a result that names no one is still recorded, as one event without a subject.
    let recordsEmpty: Bool

    /// How many records one event of a listing names at most; a longer listing is recorded in
    /// as many events as it needs, in order.
    static var perEvent: Int { AuditDraft.listedPerEvent }

    /// The subjects a result names; a result naming no one is recorded as the call alone.
    static func of(_ ids: @escaping @Sendable (R) -> [UUID]) -> AuditSubjects { AuditSubjects(ids: ids, recordsEmpty: true) }

    /// No subject: the call's own events are recorded elsewhere (per school read, for example).
    static var nothing: AuditSubjects { AuditSubjects(ids: { _ in [] }, recordsEmpty: false) }
}

/// What a gated body reaches: the transaction, with reads confined to the session's reach.
struct GateContext: Sendable {
    let session: SafetySession
    let tx: any OnlineSafetyStore
    let events: EventBuffer

    /// Files the call's audit events, allowed or denied, on the school's restricted chain.
    func markRestricted() async { await events.markRestricted() }

    /// Sets the reason of the call's own audit events when the body returns: what the call came
    /// to, known only once the body has run (an import run `refused: leavers.tooMany; nothing
    /// written`). It replaces the gate's `reason:`; the last one set wins. A body that throws a
    /// refusal has its events carry the refusal's reason instead.
    ///
    /// Requires a reason in fixed words, codes, counts and days, beside any reason the caller
    /// gave (a correction's): never a record's content.
    func setOutcomeReason(_ reason: String) async { await events.setOutcomeReason(reason) }

    var principal: Principal { session.principal }
    var reach: QueryScope { session.reach }

    /// The session's school as stored now, read in the call's transaction: a setting changed since
    /// the session opened (a deadline's working days, the consent age, a provider, how often the
    /// DSL meets the governor) applies to the session at once. Its identifier and trust are the
    /// session's own; the school the session opened with stands in only if the record is gone.
    func currentSchool() async throws -> School {
        try await tx.schools.get(principal.school.id) ?? principal.school
    }

    /// Records a further audit event (a role ended with a leaver), appended with the call's own.
    func audit(_ action: AuditAction, _ kind: String, _ subject: UUID?, reason: String? = nil, restricted: Bool = false) async {
        let onRestrictedChain = await events.restricted
        await events.add(session.draft(action, kind, subject, reason: reason, restricted: restricted || onRestrictedChain))
    }

    /// Records further audit events as they are (each names its own school), appended with the
    /// call's own in one batch.
    func auditMany(_ drafts: [AuditDraft]) async { await events.add(contentsOf: drafts) }

    /// A person within the session's reach, or `notFound` ("no such person") whether absent or not.
    func person(_ id: PersonID) async throws -> Person {
        guard let person = try await tx.people.get(id, within: reach) else { throw SafetyError.notFound("person") }
        return person
    }

    /// A person within reach whom the principal may read, or `notFound` exactly as for an absent one.
    func readablePerson(_ id: PersonID) async throws -> Person {
        let person = try await person(id)
        guard AccessPolicy.readPerson(person, principal) == .allowed else { throw SafetyError.notFound("person") }
        return person
    }

    /// A learner at the session's school, or `notFound` ("no such learner").
    func learner(_ id: PersonID) async throws -> Person {
        guard let person = try await tx.people.get(id, within: .school(principal.school.id)), person.kind == .learner else {
            throw SafetyError.notFound("learner")
        }
        return person
    }
}

/// The audit events a gated body adds, appended with the call's own in its transaction.
actor EventBuffer {
    private(set) var drafts: [AuditDraft] = []
    private(set) var restricted: Bool
    /// The reason of the call's own events, set by the body (``GateContext/setOutcomeReason(_:)``).
    private(set) var outcomeReason: String?

    init(restricted: Bool) { self.restricted = restricted }

    func add(_ draft: AuditDraft) { drafts.append(draft) }

    func add(contentsOf more: [AuditDraft]) { drafts += more }

    func markRestricted() { restricted = true }

    func setOutcomeReason(_ reason: String) { outcomeReason = reason }
}
