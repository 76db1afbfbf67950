public import Foundation

/// Acceptable use policies and their acceptances, through the session's checks and audit.
///
/// "All users will read and agree and/or acknowledge our acceptable use policy, appropriate to
/// their age, understanding and role, before being given access." A new version makes everyone in
/// its audience due again.
///
/// ```swift
/// let aup = try await session.agreements.publish(
///     audience: .youngerLearners, title: "Our online safety rules (EYFS and KS1)", content: text,
///     effectiveFrom: CalendarDate(iso: "2026-09-01")!)
/// try await session.agreements.accept(aup.id, for: learnerID, by: motherID, method: .signedOnPaper)
/// let due = try await session.agreements.due()
/// ```
public struct AgreementService: Sendable {
    let session: SafetySession

    private var principal: Principal { session.principal }

    /// Publishes the next version of the policy for an audience, at the school or (held
    /// trust-wide) across the trust. Requires `manageAgreements`.
    ///
    /// The content is hashed (SHA-256) and the hash kept; the text stays wherever the school keeps
    /// it (`reference`). Publishing the same text as the latest version again is a `conflict`.
    @discardableResult
    public func publish(
        audience: AUPAudience, title: String, content: Data, effectiveFrom: CalendarDate, reference: String? = nil, trustWide: Bool = false
    ) async throws -> AUPDocument {
        var decision = AccessPolicy.require(.manageAgreements, principal, to: "publish acceptable use policies")
        let school = principal.school
        if trustWide && decision == .allowed {
            guard school.trustID != nil else {
                throw SafetyError.invalid("aup.trustWide", "the school belongs to no trust: publish the policy for the school")
            }
            if !AccessPolicy.holdsTrustWide(.manageAgreements, principal) {
                decision = .denied("only a trust-wide data manager or leader can publish the trust's acceptable use policies")
            }
        }
        let id = AUPDocumentID()
        let hash = AUPDocument.contentHash(of: content)
        let now = session.clock.now()
        let publisher = principal.person.id
        return try await session.gate(.aupDocumentInsert, AUPDocument.recordKind, subject: id.uuid, authority: decision) { context in
            if content.isEmpty { throw SafetyError.invalid("aup.content", "an acceptable use policy needs its text") }
            try await context.tx.lock("aup:\(trustWide ? school.trustID?.uuidString ?? "" : school.id.uuidString):\(audience.rawValue)")
            let scope =
                trustWide
                ? AUPDocumentQuery(schoolID: nil, trustID: school.trustID, audiences: [audience])
                : AUPDocumentQuery(schoolID: school.id, trustID: nil, audiences: [audience])
            let latest = try await context.tx.aupDocuments.find(scope).max { $0.version < $1.version }
            if let latest, latest.contentHash == hash {
                throw SafetyError(
                    .conflict, "that text is already version \(latest.version) of the \(audience.title) acceptable use policy")
            }
            let document = AUPDocument(
                id: id, schoolID: trustWide ? nil : school.id, trustID: trustWide ? school.trustID : nil, audience: audience,
                version: (latest?.version ?? 0) + 1, title: title, effectiveFrom: effectiveFrom, contentHash: hash, reference: reference,
                publishedAt: now, publishedBy: publisher)
            return try await context.tx.aupDocuments.insert(document.checkedForInsert())
        }
    }

    /// Every version of every policy that applies at the school: its own and its trust's. Audited.
    public func documents(audience: AUPAudience? = nil) async throws -> [AUPDocument] {
        let query = AUPDocumentQuery(schoolID: principal.school.id, trustID: principal.school.trustID, audiences: audience.map { [$0] })
        return try await session.gate(.aupDocumentList, AUPDocument.recordKind, subject: nil, authority: .allowed) { context in
            try await context.tx.aupDocuments.find(query)
        }
    }

    /// The policy in force for an audience on a day (today by default), if one is published.
    public func current(for audience: AUPAudience, on date: CalendarDate? = nil) async throws -> AUPDocument? {
        AgreementRules.current(for: audience, among: try await documents(audience: audience), on: date ?? session.today)
    }

    /// Records that a person accepted a policy: themselves, or a learner's through an adult with
    /// parental responsibility.
    ///
    /// Anyone may record their own acceptance (or, holding parental responsibility, their child's);
    /// recording someone else's needs `manageAgreements`. Authority is decided before any rule
    /// that reads the person: a person out of reach, or one the principal neither manages nor
    /// holds parental responsibility for, is `notFound`. Then refused with `constraintViolation` when the acceptor has no parental
    /// responsibility for the learner, when an adult's acceptance is given by someone else, when
    /// the policy is for another audience, or when the person has left; a second acceptance of
    /// the same version is a `conflict`. Each refusal is audited.
    @discardableResult
    public func accept(
        _ documentID: AUPDocumentID, for personID: PersonID, by acceptorID: PersonID? = nil, method: AcceptanceMethod, at time: Date? = nil
    ) async throws -> AUPAcceptance {
        let acceptor = acceptorID ?? personID
        let decision =
            acceptor == principal.person.id
            ? .allowed
            : AccessPolicy.require(.manageAgreements, principal, to: "record other people's acceptance of acceptable use policies")
        let now = session.clock.now()
        let at = time.map(SafetyClock.truncated) ?? now
        let id = AUPAcceptance.id(person: personID, document: documentID)
        let school = principal.school
        let recorder = principal.person.id
        let principal = principal
        let kind = AUPAcceptance.recordKind
        return try await session.gate(.aupAcceptanceInsert, kind, subject: id.uuid, authority: decision) { context in
            let person = try await context.person(personID)
            if person.id != recorder && !principal.can(.manageAgreements) {
                let links = try await context.tx.contacts.find(ContactQuery(learnerID: person.id))
                guard person.kind == .learner, links.contains(where: { $0.adultID == recorder && $0.parentalResponsibility }) else {
                    throw SafetyError.notFound("person")
                }
            }
            if at > now { throw SafetyError.invalid("aupAcceptance.acceptedAt", "an acceptance cannot be recorded before it happens") }
            guard let document = try await context.tx.aupDocuments.get(documentID), document.applies(to: school) else {
                throw SafetyError.notFound("acceptable use policy")
            }
            if person.hasLeft(by: CalendarDate(at)) {
                throw (SafetyError(.constraintViolation, "a person who has left cannot accept an acceptable use policy"))
            }
            let audience = AUPAudience.of(person)
            guard document.audience == audience else {
                throw
                    (SafetyError(
                        .constraintViolation, "this is \(document.name); the person needs the \(audience.title) acceptable use policy"))
            }
            if acceptor != person.id {
                guard person.kind == .learner else {
                    throw (SafetyError(.constraintViolation, "an adult accepts an acceptable use policy for themselves"))
                }
                let links = try await context.tx.contacts.find(ContactQuery(learnerID: person.id))
                guard links.contains(where: { $0.adultID == acceptor && $0.parentalResponsibility }) else {
                    throw
                        (SafetyError(
                            .constraintViolation,
                            "only an adult with parental responsibility for the learner can accept an acceptable use policy on their behalf"
                        ))
                }
            }
            if try await context.tx.aupAcceptances.get(id) != nil {
                throw (SafetyError(.conflict, "the person has already accepted version \(document.version) of this policy"))
            }
            let acceptance = AUPAcceptance(
                schoolID: person.schoolID, personID: person.id, document: document, acceptedBy: acceptor, method: method, acceptedAt: at,
                recordedBy: recorder)
            return (try await context.tx.aupAcceptances.insert(acceptance.checkedForInsert()))
        }
    }

    /// A person's acceptances, oldest first: their own, for those who may read their record, or
    /// anyone's within reach for those who manage agreements. Read and audited in one
    /// transaction; throws `notFound` for a person the principal may not read.
    public func acceptances(of personID: PersonID) async throws -> [AUPAcceptance] {
        let principal = principal
        return try await session.gate(.aupAcceptanceList, Person.recordKind, subject: personID.uuid, authority: .allowed) { context in
            let person =
                principal.can(.manageAgreements) ? try await context.person(personID) : try await context.readablePerson(personID)
            return try await context.tx.aupAcceptances.find(AUPAcceptanceQuery(personID: person.id))
        }
    }

    /// Who at the school must accept the policy in force for their audience on a day (today by
    /// default) and has not: everyone in an audience, the day a new version takes effect.
    /// Requires `manageAgreements` or `readCompliance`; throws `forbidden`. Records who it listed.
    public func due(audiences: Set<AUPAudience>? = nil, on date: CalendarDate? = nil) async throws -> [AUPDue] {
        let decision =
            principal.can(.manageAgreements) || principal.can(.readCompliance)
            ? .allowed : AccessPolicy.require(.manageAgreements, principal, to: "list who must accept an acceptable use policy")
        let day = date ?? session.today
        let school = principal.school
        return try await session.gate(
            .aupAcceptanceDue, AUPAcceptance.recordKind, subject: nil, authority: decision, subjects: .of { $0.map(\.personID.uuid) }
        ) { context in
            let documents = try await context.tx.aupDocuments.find(
                AUPDocumentQuery(schoolID: school.id, trustID: school.trustID, effectiveBy: day))
            let current = AgreementRules.currentByAudience(among: documents, on: day)
            let people = try await context.tx.people.find(PersonQuery(scope: .school(school.id), presentOn: day))
            let acceptances = try await context.tx.aupAcceptances.find(
                AUPAcceptanceQuery(schoolID: school.id, documentIDs: documents.map(\.id)))
            let accepted = Set(acceptances.map { AcceptanceKey(personID: $0.personID, documentID: $0.documentID) })
            var lastVersion: [PersonID: [AUPAudience: Int]] = [:]
            for acceptance in acceptances {
                lastVersion[acceptance.personID, default: [:]][acceptance.audience] = max(
                    lastVersion[acceptance.personID]?[acceptance.audience] ?? 0, acceptance.version)
            }
            return people.compactMap { person -> AUPDue? in
                let audience = AUPAudience.of(person)
                guard audiences?.contains(audience) ?? true, let document = current[audience],
                    !accepted.contains(AcceptanceKey(personID: person.id, documentID: document.id))
                else { return nil }
                return AUPDue(
                    personID: person.id, audience: audience, documentID: document.id, version: document.version,
                    lastAcceptedVersion: lastVersion[person.id]?[audience])
            }
        }
    }
}

/// A person's acceptance of a document, as a set member.
struct AcceptanceKey: Hashable {
    let personID: PersonID
    let documentID: AUPDocumentID
}
