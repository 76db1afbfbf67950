import Foundation
import Logging

/// A person acting at a school: the one gate every read and write goes through.
///
/// The session checks the principal's capabilities before storage is touched, and appends an
/// audit event in the same transaction as each write and each read of a person's record. A
/// refusal throws `forbidden` with the reason and is itself audited.
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
    /// Incidents, their chronology, procedures and devices.
    public var incidents: IncidentService { IncidentService(session: self) }
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

    /// The session's current day.
    public var today: CalendarDate { CalendarDate(clock.now()) }

    func draft(
        _ action: String, _ kind: String, _ subject: UUID?, _ outcome: AuditOutcome = .allowed, reason: String? = nil,
        restricted: Bool = false
    ) -> AuditDraft {
        AuditDraft(
            at: clock.now(), actorID: principal.person.id, schoolID: principal.school.id, action: action, subjectKind: kind,
            subjectID: subject, outcome: outcome, reason: reason, restricted: restricted)
    }

    /// Audits a refusal in its own transaction and throws `forbidden`.
    func refuse(_ action: String, _ kind: String, _ subject: UUID?, reason: String) async throws -> Never {
        let event = draft(action, kind, subject, .denied, reason: reason)
        try await store.withTransaction { tx in _ = try await tx.audit.append(event) }
        logger.notice("access denied", metadata: ["action": "\(action)", "actor": "\(principal.person.id)"])
        throw SafetyError(.forbidden, reason)
    }

    /// Checks a decision, then runs `body` in a transaction that also appends the audit event.
    func perform<R: Sendable>(
        _ action: String, _ kind: String, subject: UUID?, decision: AccessDecision, restricted: Bool = false,
        _ body: @Sendable @escaping (any OnlineSafetyStore) async throws -> R
    ) async throws -> R {
        if case .denied(let reason) = decision { try await refuse(action, kind, subject, reason: reason) }
        let event = draft(action, kind, subject, restricted: restricted)
        return try await store.withTransaction { tx in
            let result = try await body(tx)
            _ = try await tx.audit.append(event)
            return result
        }
    }

    /// Reads a record and decides access from it, auditing the read or the refusal together.
    func guardedRead<Value: Sendable>(
        _ action: String, _ kind: String, subject: UUID,
        load: @Sendable @escaping (any OnlineSafetyStore) async throws -> Value?,
        decide: @Sendable @escaping (Value) -> AccessDecision
    ) async throws -> Value {
        let allowed = draft(action, kind, subject)
        let outcome: GuardedRead<Value> = try await store.withTransaction { tx in
            guard let value = try await load(tx) else { throw SafetyError.notFound(kind) }
            switch decide(value) {
            case .allowed:
                _ = try await tx.audit.append(allowed)
                return .value(value)
            case .denied(let reason):
                return .refused(reason)
            }
        }
        switch outcome {
        case .value(let value): return value
        case .refused(let reason): try await refuse(action, kind, subject, reason: reason)
        }
    }
}

enum GuardedRead<Value: Sendable>: Sendable {
    case value(Value)
    case refused(String)
}
