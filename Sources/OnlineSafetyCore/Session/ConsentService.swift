public import Foundation

/// Consent for the uses of learners' images, recordings and searches, through the session's checks
/// and audit.
///
/// Decisions are given by an adult with parental responsibility, or by the learner from the
/// school's consent age (``PolicySettings/learnerConsentAge``, 13 by default). The history is
/// kept; the latest decision rules; a withdrawal takes effect the moment it is recorded.
///
/// ```swift
/// try await session.consent.record(.granted, purpose: ConsentPurpose.websiteImages.code, for: learnerID, by: motherID, method: .written)
/// let answers = try await session.consent.check(purpose: ConsentPurpose.websiteImages.code, group: "Oak", on: today)
/// let leaveOut = answers.filter { !$0.allowed }
/// ```
public struct ConsentService: Sendable {
    let session: SafetySession

    private var principal: Principal { session.principal }

    /// The purposes consent is asked for at the school: the built-in ones, then the school's and
    /// its trust's own.
    public func purposes() async throws -> [ConsentPurpose] {
        let custom = try await session.store.consentPurposes.find(
            ConsentPurposeQuery(schoolID: principal.school.id, trustID: principal.school.trustID))
        return ConsentPurpose.builtIns + custom.map(\.purpose)
    }

    /// Adds a purpose of the school's own (or, held trust-wide, the trust's), with code
    /// `custom.<code>`. Requires `manageConsent`.
    @discardableResult
    public func addPurpose(code: String, name: String, trustWide: Bool = false) async throws -> CustomConsentPurpose {
        var decision = AccessPolicy.require(.manageConsent, principal, to: "add consent purposes")
        let school = principal.school
        if trustWide && decision == .allowed {
            guard school.trustID != nil else {
                throw SafetyError.invalid("consentPurpose.trustWide", "the school belongs to no trust: add the purpose for the school")
            }
            if !AccessPolicy.holdsTrustWide(.manageConsent, principal) {
                decision = .denied("only a trust-wide data manager or leader can add the trust's consent purposes")
            }
        }
        let purpose = CustomConsentPurpose(
            schoolID: trustWide ? nil : school.id, trustID: trustWide ? school.trustID : nil, code: code, name: name)
        let checked = decision == .allowed ? try purpose.checkedForInsert() : purpose
        let scope = ConsentPurposeQuery(schoolID: school.id, trustID: school.trustID)
        let kind = CustomConsentPurpose.recordKind
        return try await session.perform("consentPurpose.insert", kind, subject: purpose.id.uuid, decision: decision) { tx in
            if try await tx.consentPurposes.find(scope).contains(where: { $0.code == checked.code }) {
                throw SafetyError(.conflict, "a consent purpose with that code already exists")
            }
            return try await tx.consentPurposes.insert(checked)
        }
    }

    /// Records a decision about one purpose for one learner, by an adult with parental
    /// responsibility or by the learner themselves.
    ///
    /// Anyone may record their own decision; recording someone else's needs `manageConsent`.
    /// `at` dates a decision given earlier (a signed form); a withdrawal always takes effect when it
    /// is recorded, so it takes no `at`. Refused with `constraintViolation` when the decider has
    /// no parental responsibility, when a learner under the school's consent age decides, when
    /// there is no consent to withdraw, or when the learner has left. Each refusal is audited.
    @discardableResult
    public func record(
        _ choice: ConsentChoice, purpose purposeCode: String, for learnerID: PersonID, by deciderID: PersonID, method: ConsentMethod,
        at time: Date? = nil
    ) async throws -> ConsentDecision {
        let decision =
            deciderID == principal.person.id
            ? .allowed : AccessPolicy.require(.manageConsent, principal, to: "record consent decisions for learners")
        let now = session.clock.now()
        if decision == .allowed {
            if choice == .withdrawn && time != nil {
                throw SafetyError.invalid("consent.at", "a withdrawal takes effect when it is recorded: leave out the time")
            }
            if let time, SafetyClock.truncated(time) > now {
                throw SafetyError.invalid("consent.at", "a decision cannot be recorded before it is made")
            }
            guard try await purposes().contains(where: { $0.code == purposeCode }) else {
                throw SafetyError.invalid("consent.purpose", "no such consent purpose at this school")
            }
        }
        let effectiveAt = time.map(SafetyClock.truncated) ?? now
        let school = principal.school
        let recorder = principal.person.id
        let id = ConsentDecisionID()
        let kind = ConsentDecision.recordKind
        return try await session.performChecked("consentDecision.insert", kind, subject: id.uuid, decision: decision) { tx in
            guard let learner = try await tx.people.get(learnerID), learner.schoolID == school.id, learner.kind == .learner else {
                throw SafetyError.notFound("learner")
            }
            if learner.hasLeft(by: CalendarDate(effectiveAt)) {
                return .refused(SafetyError(.constraintViolation, "consent is not recorded for a learner who has left"))
            }
            let consentAge = school.settings.learnerConsentAge
            var relationship: Relationship?
            if deciderID == learner.id {
                guard ConsentRules.learnerDecides(learner, on: CalendarDate(effectiveAt), consentAge: consentAge) else {
                    return .refused(
                        SafetyError(.constraintViolation, "at this school a learner decides consent for themselves from age \(consentAge)"))
                }
            } else {
                let links = try await tx.contacts.find(ContactQuery(learnerID: learner.id))
                guard let link = links.first(where: { $0.adultID == deciderID && $0.parentalResponsibility }) else {
                    return .refused(
                        SafetyError(
                            .constraintViolation,
                            "only an adult with parental responsibility for the learner, or the learner from age \(consentAge), "
                                + "can decide consent"))
                }
                relationship = link.relationship
            }
            var state =
                try await tx.consentStates.get(ConsentStateID(learner.id.uuid)) ?? ConsentState(learnerID: learner.id, schoolID: school.id)
            if choice == .withdrawn && state.entry(for: purposeCode)?.choice != .granted {
                return .refused(
                    SafetyError(.constraintViolation, "consent for this purpose is not in force, so there is nothing to withdraw"))
            }
            let stored = try await tx.consentDecisions.insert(
                ConsentDecision(
                    id: id, schoolID: school.id, learnerID: learner.id, purposeCode: purposeCode, choice: choice, decidedBy: deciderID,
                    byLearner: deciderID == learner.id, relationship: relationship, method: method, effectiveAt: effectiveAt,
                    recordedAt: now, recordedBy: recorder
                ).checkedForInsert())
            var current: ConsentDecision?
            if let entry = state.entry(for: purposeCode) { current = try await tx.consentDecisions.get(entry.decisionID) }
            state.apply(stored, over: current)
            _ = state.revision == 0 ? try await tx.consentStates.insert(state) : try await tx.consentStates.update(state)
            return .done(stored)
        }
    }

    /// Withdraws consent for a purpose, at once.
    @discardableResult
    public func withdraw(purpose purposeCode: String, for learnerID: PersonID, by deciderID: PersonID, method: ConsentMethod) async throws
        -> ConsentDecision
    {
        try await record(.withdrawn, purpose: purposeCode, for: learnerID, by: deciderID, method: method)
    }

    /// A learner's decisions, oldest first, for those who may read the learner's record (or manage
    /// consent). The read is audited.
    public func history(of learnerID: PersonID, purpose purposeCode: String? = nil) async throws -> [ConsentDecision] {
        let principal = principal
        let learner = try await session.guardedRead(
            "consentDecision.list", Person.recordKind, subject: learnerID.uuid, load: { try await $0.people.get(learnerID) },
            decide: { person in
                principal.can(.manageConsent) && person.schoolID == principal.school.id
                    ? .allowed : AccessPolicy.readPerson(person, principal)
            })
        return try await session.store.consentDecisions.find(ConsentDecisionQuery(learnerIDs: [learner.id], purposeCode: purposeCode))
    }

    /// "May we use this purpose for these learners on this day?": yes or no for each, in the order
    /// asked, with the reason (no record, refused, withdrawn on a day, given by whom).
    ///
    /// Whoever may read the learners' records may ask: a class teacher for the class they teach,
    /// the DSL and those who manage consent for anyone at the school. Each learner's answer is
    /// audited as a read of their record.
    public func check(purpose purposeCode: String, learners learnerIDs: [PersonID], on date: CalendarDate? = nil) async throws
        -> [ConsentAnswer]
    {
        try await answer(purposeCode, on: date ?? session.today) { tx in
            var learners: [Person] = []
            for id in learnerIDs {
                guard let learner = try await tx.people.get(id), learner.kind == .learner else { throw SafetyError.notFound("learner") }
                learners.append(learner)
            }
            return learners
        }
    }

    /// The same question for every learner on roll in a registration group on the day.
    public func check(purpose purposeCode: String, group: String, on date: CalendarDate? = nil) async throws -> [ConsentAnswer] {
        let day = date ?? session.today
        let query = PersonQuery(schoolID: principal.school.id, kinds: [.learner], registrationGroup: group, presentOn: day)
        return try await answer(purposeCode, on: day) { tx in try await tx.people.find(query) }
    }

    private func answer(
        _ purposeCode: String, on date: CalendarDate, learners: @Sendable @escaping (any OnlineSafetyStore) async throws -> [Person]
    ) async throws -> [ConsentAnswer] {
        let principal = principal
        let session = session
        guard principal.can(.manageConsent) || principal.can(.readAnyPersonRecord) || principal.can(.readTaughtLearners) else {
            let held = principal.roles.map(\.title).sorted().joined(separator: ", ")
            try await session.refuse(
                "consent.check", Person.recordKind, nil,
                reason: "a \(held.isEmpty ? "person with no role" : held) cannot ask about learners' consent")
        }
        guard try await purposes().contains(where: { $0.code == purposeCode }) else {
            throw SafetyError.invalid("consent.purpose", "no such consent purpose at this school")
        }
        let outcome: GuardedRead<[ConsentAnswer]> = try await session.store.withTransaction { tx in
            let people = try await learners(tx)
            for person in people {
                let mayRead =
                    principal.can(.manageConsent) && person.schoolID == principal.school.id
                    ? .allowed : AccessPolicy.readPerson(person, principal)
                if case .denied(let reason) = mayRead { return .refused(reason) }
            }
            let decisions =
                people.isEmpty
                ? [] : try await tx.consentDecisions.find(ConsentDecisionQuery(learnerIDs: people.map(\.id), purposeCode: purposeCode))
            for person in people { _ = try await tx.audit.append(session.draft("consent.check", Person.recordKind, person.id.uuid)) }
            return .value(
                people.map { ConsentRules.answer(learnerID: $0.id, purpose: purposeCode, decisions: decisions, on: date) })
        }
        switch outcome {
        case .value(let answers): return answers
        case .refused(let reason): try await session.refuse("consent.check", Person.recordKind, nil, reason: reason)
        }
    }
}
