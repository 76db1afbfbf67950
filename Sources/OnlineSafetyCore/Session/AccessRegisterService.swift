import Foundation

/// The access register: who has access to which device or system, under which agreement, through
/// the session's checks and audit.
///
/// "We will maintain a record of users who are granted access to our devices and systems." Access
/// is refused, with the missing agreement named, unless the person has accepted the acceptable use
/// policy in force for their audience. A leaver loses every grant (§6.9); the history stays.
///
/// ```swift
/// let grant = try await session.access.grant(.email, to: teacherID)
/// try await session.access.revoke(grant.id, reason: "moved to a role without email")
/// let unbacked = try await session.access.withoutCurrentAUP()   // the target is none
/// ```
public struct AccessRegisterService: Sendable {
    let session: SafetySession

    private var principal: Principal { session.principal }

    /// Gives a person access to a system at the session's school from a day (today by default).
    /// Requires `manageAccess`.
    ///
    /// Refused with `constraintViolation`, naming the missing agreement, unless the person has
    /// accepted the policy in force for their audience on that day; refused too for a leaver, and
    /// as a `conflict` when they already have access. Each refusal is audited.
    @discardableResult
    public func grant(_ system: SystemCode, to personID: PersonID, from date: CalendarDate? = nil, note: String? = nil) async throws
        -> AccessGrant
    {
        let decision = AccessPolicy.require(.manageAccess, principal, to: "grant access to devices and systems")
        let day = date ?? session.today
        let id = AccessGrantID()
        let school = principal.school
        let granter = principal.person.id
        let now = session.clock.now()
        return try await session.gate(.accessGrantInsert, AccessGrant.recordKind, subject: id.uuid, authority: decision) { context in
            let person = try await context.person(personID)
            try await context.tx.lock("accessGrant:\(school.id):\(person.id):\(system.rawValue)")
            if person.hasLeft(by: day) {
                throw (SafetyError(.constraintViolation, "a person who has left cannot be given access"))
            }
            let held = try await context.tx.accessGrants.find(AccessGrantQuery(schoolID: school.id, personID: person.id, system: system))
            if held.contains(where: { $0.revokedOn == nil || $0.revokedOn! > day }) {
                throw (SafetyError(.conflict, "the person already has access to \(system.title)"))
            }
            let audience = AUPAudience.of(person)
            let documents = try await context.tx.aupDocuments.find(
                AUPDocumentQuery(schoolID: school.id, trustID: school.trustID, audiences: [audience], effectiveBy: day))
            guard let document = AgreementRules.current(for: audience, among: documents, on: day) else {
                throw
                    (SafetyError(
                        .constraintViolation,
                        "access to \(system.title) needs the \(audience.title) acceptable use policy, and none is published: "
                            + "publish it and record the person's acceptance first"))
            }
            let acceptanceID = AUPAcceptance.id(person: person.id, document: document.id)
            guard try await context.tx.aupAcceptances.get(acceptanceID) != nil else {
                throw (SafetyError(.constraintViolation, "access to \(system.title) needs \(document.name) to be accepted first"))
            }
            let grant = AccessGrant(
                id: id, schoolID: school.id, personID: person.id, system: system, grantedOn: day, grantedAt: now, grantedBy: granter,
                documentID: document.id, acceptanceID: acceptanceID, note: note)
            return (try await context.tx.accessGrants.insert(grant.checkedForInsert()))
        }
    }

    /// Revokes a grant from a day (today by default), with a reason. Requires `manageAccess`.
    /// The grant stays in the register, marked revoked.
    @discardableResult
    public func revoke(_ id: AccessGrantID, reason: String, on date: CalendarDate? = nil) async throws -> AccessGrant {
        let decision = AccessPolicy.require(.manageAccess, principal, to: "revoke access to devices and systems")
        let day = date ?? session.today
        let school = principal.school
        let revoker = principal.person.id
        let now = session.clock.now()
        return try await session.gate(.accessGrantRevoke, AccessGrant.recordKind, subject: id.uuid, authority: decision) { context in
            guard var grant = try await context.tx.accessGrants.get(id), grant.schoolIDValue == school.id else {
                throw SafetyError.notFound("access grant")
            }
            if reason.trimmingCharacters(in: .whitespaces).isEmpty {
                throw SafetyError.invalid("access.revocationReason", "a revocation needs a reason")
            }
            if let revoked = grant.revokedOn, revoked <= day {
                throw (SafetyError(.constraintViolation, "that access was already revoked on \(revoked)"))
            }
            guard day >= grant.grantedOn else {
                throw SafetyError.invalid("access.revokedOn", "access cannot be revoked before it was granted")
            }
            grant.revokedOn = day
            grant.revokedAt = now
            grant.revokedBy = revoker
            grant.revocationReason = reason
            return (try await context.tx.accessGrants.update(grant))
        }
    }

    /// Who has access to a system at the school on a day (today by default); records whose
    /// grants it listed. Requires `manageAccess` or `readCompliance`; throws `forbidden`.
    public func holders(of system: SystemCode, on date: CalendarDate? = nil) async throws -> [AccessGrant] {
        let query = AccessGrantQuery(schoolID: principal.school.id, system: system, activeOn: date ?? session.today)
        return try await session.gate(
            .accessGrantList, AccessGrant.recordKind, subject: nil, authority: readDecision, subjects: .of { $0.map(\.personID.uuid) }
        ) { context in
            try await context.tx.accessGrants.find(query)
        }
    }

    /// Every grant a person has held at the school, revoked ones included.
    /// Requires `manageAccess` or `readCompliance`, except for one's own; throws `forbidden`,
    /// and `notFound` for a person out of the session's reach.
    public func grants(for personID: PersonID) async throws -> [AccessGrant] {
        let decision = personID == principal.person.id ? .allowed : readDecision
        let query = AccessGrantQuery(schoolID: principal.school.id, personID: personID)
        return try await session.gate(.accessGrantList, Person.recordKind, subject: personID.uuid, authority: decision) { context in
            _ = try await context.person(personID)
            return try await context.tx.accessGrants.find(query)
        }
    }

    /// Grants in force on a day (today by default) whose holder has not accepted the acceptable
    /// use policy now in force for their audience (a new version, a move up to key stage 2, a
    /// policy never published), or has left without the grant being revoked. The target is none.
    /// Requires `manageAccess` or `readCompliance`; throws `forbidden`. Records whom it listed.
    public func withoutCurrentAUP(on date: CalendarDate? = nil) async throws -> [AccessException] {
        let day = date ?? session.today
        let school = principal.school
        return try await session.gate(
            .accessGrantExceptions, AccessGrant.recordKind, subject: nil, authority: readDecision,
            subjects: .of { $0.map(\.grant.personID.uuid) }
        ) { context in
            let inputs = try await ComplianceLoader.inputs(for: school, on: day, context.tx)
            return ComplianceCalculator.accessExceptions(inputs, on: day)
        }
    }

    private var readDecision: AccessDecision {
        principal.can(.manageAccess) || principal.can(.readCompliance)
            ? .allowed : AccessPolicy.require(.manageAccess, principal, to: "read the access register")
    }

    /// Revokes every grant of a person still in force on a day, inside the caller's transaction,
    /// auditing each with the reason: used when a person leaves.
    static func revokeAll(
        of personID: PersonID, on date: CalendarDate, reason: String, _ context: GateContext
    ) async throws {
        let session = context.session
        let now = session.clock.now()
        for var grant in try await context.tx.accessGrants.find(AccessGrantQuery(personID: personID)) {
            if let revoked = grant.revokedOn, revoked <= date { continue }
            grant.revokedOn = max(date, grant.grantedOn)
            grant.revokedAt = now
            grant.revokedBy = session.principal.person.id
            grant.revocationReason = reason
            _ = try await context.tx.accessGrants.update(grant)
            await context.audit(.accessGrantRevoke, AccessGrant.recordKind, grant.id.uuid, reason: reason)
        }
    }
}
