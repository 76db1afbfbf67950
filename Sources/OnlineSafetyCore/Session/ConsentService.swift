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
    /// its trust's own. Audited.
    public func purposes() async throws -> [ConsentPurpose] {
        let query = ConsentPurposeQuery(schoolID: principal.school.id, trustID: principal.school.trustID)
        return try await session.gate(.consentPurposeList, CustomConsentPurpose.recordKind, subject: nil, authority: .allowed) { context in
            try await Self.purposes(query, context)
        }
    }

    static func purposes(_ query: ConsentPurposeQuery, _ context: GateContext) async throws -> [ConsentPurpose] {
        ConsentPurpose.builtIns + (try await context.tx.consentPurposes.find(query)).map(\.purpose)
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
        let scope = ConsentPurposeQuery(schoolID: school.id, trustID: school.trustID)
        let kind = CustomConsentPurpose.recordKind
        return try await session.gate(.consentPurposeInsert, kind, subject: purpose.id.uuid, authority: decision) { context in
            let checked = try purpose.checkedForInsert()
            try await context.tx.lock("consentPurpose:\(school.trustID?.uuidString ?? school.id.uuidString)")
            if try await context.tx.consentPurposes.find(scope).contains(where: { $0.code == checked.code }) {
                throw SafetyError(.conflict, "a consent purpose with that code already exists")
            }
            return try await context.tx.consentPurposes.insert(checked)
        }
    }

    /// Records a decision about one purpose for one learner, by an adult with parental
    /// responsibility or by the learner themselves.
    ///
    /// Anyone may record their own decision (as the learner, or as an adult with parental
    /// responsibility); recording someone else's needs `manageConsent`. Authority is decided
    /// before any rule that reads the learner: a learner out of reach, or one the principal
    /// neither manages consent for nor decides for, is `notFound`.
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
        let principal = principal
        let purposeQuery = ConsentPurposeQuery(schoolID: principal.school.id, trustID: principal.school.trustID)
        let effectiveAt = time.map(SafetyClock.truncated) ?? now
        let school = principal.school
        let recorder = principal.person.id
        let id = ConsentDecisionID()
        let kind = ConsentDecision.recordKind
        return try await session.gate(.consentDecisionInsert, kind, subject: id.uuid, authority: decision) { context in
            let learner = try await context.learner(learnerID)
            let links = try await context.tx.contacts.find(ContactQuery(learnerID: learner.id))
            if !principal.can(.manageConsent) {
                let decidesForThem = links.contains { $0.adultID == recorder && $0.parentalResponsibility }
                guard learner.id == recorder || decidesForThem else { throw SafetyError.notFound("learner") }
            }
            if choice == .withdrawn && time != nil {
                throw SafetyError.invalid("consent.at", "a withdrawal takes effect when it is recorded: leave out the time")
            }
            if let time, SafetyClock.truncated(time) > now {
                throw SafetyError.invalid("consent.at", "a decision cannot be recorded before it is made")
            }
            guard try await Self.purposes(purposeQuery, context).contains(where: { $0.code == purposeCode }) else {
                throw SafetyError.invalid("consent.purpose", "no such consent purpose at this school")
            }
            if learner.hasLeft(by: CalendarDate(effectiveAt)) {
                throw (SafetyError(.constraintViolation, "consent is not recorded for a learner who has left"))
            }
            let consentAge = try await context.currentSchool().settings.learnerConsentAge
            var relationship: Relationship?
            if deciderID == learner.id {
                guard ConsentRules.learnerDecides(learner, on: CalendarDate(effectiveAt), consentAge: consentAge) else {
                    throw
                        (SafetyError(.constraintViolation, "at this school a learner decides consent for themselves from age \(consentAge)"))
                }
            } else {
                guard let link = links.first(where: { $0.adultID == deciderID && $0.parentalResponsibility }) else {
                    throw
                        (SafetyError(
                            .constraintViolation,
                            "only an adult with parental responsibility for the learner, or the learner from age \(consentAge), "
                                + "can decide consent"))
                }
                relationship = link.relationship
            }
            var state =
                try await context.tx.consentStates.get(ConsentStateID(learner.id.uuid))
                ?? ConsentState(learnerID: learner.id, schoolID: school.id)
            if choice == .withdrawn && state.entry(for: purposeCode)?.choice != .granted {
                throw (SafetyError(.constraintViolation, "consent for this purpose is not in force, so there is nothing to withdraw"))
            }
            let stored = try await context.tx.consentDecisions.insert(
                ConsentDecision(
                    id: id, schoolID: school.id, learnerID: learner.id, purposeCode: purposeCode, choice: choice, decidedBy: deciderID,
                    byLearner: deciderID == learner.id, relationship: relationship, method: method, effectiveAt: effectiveAt,
                    recordedAt: now, recordedBy: recorder
                ).checkedForInsert())
            var current: ConsentDecision?
            if let entry = state.entry(for: purposeCode) { current = try await context.tx.consentDecisions.get(entry.decisionID) }
            state.apply(stored, over: current)
            _ = state.revision == 0 ? try await context.tx.consentStates.insert(state) : try await context.tx.consentStates.update(state)
            return (stored)
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
    /// consent), read and audited in one transaction. Throws `notFound` for a learner the
    /// principal may not read.
    public func history(of learnerID: PersonID, purpose purposeCode: String? = nil) async throws -> [ConsentDecision] {
        let principal = principal
        return try await session.gate(.consentDecisionList, Person.recordKind, subject: learnerID.uuid, authority: .allowed) { context in
            let learner =
                principal.can(.manageConsent) ? try await context.learner(learnerID) : try await context.readablePerson(learnerID)
            return try await context.tx.consentDecisions.find(ConsentDecisionQuery(learnerIDs: [learner.id], purposeCode: purposeCode))
        }
    }

    /// "May we use this purpose for these learners on this day?": yes or no for each, in the order
    /// asked, with the reason (no record, refused, withdrawn on a day, given by whom).
    ///
    /// Whoever may read the learners' records may ask: a class teacher for the class they teach,
    /// the DSL and those who manage consent for anyone at the school. Each learner asked about is
    /// recorded in the audit. Throws `forbidden` for someone who may ask about no one, `notFound`
    /// when any learner is absent, out of reach or not one the principal may read, and
    /// `invalidInput` for an unknown purpose.
    public func check(purpose purposeCode: String, learners learnerIDs: [PersonID], on date: CalendarDate? = nil) async throws
        -> [ConsentAnswer]
    {
        try await answer(purposeCode, on: date ?? session.today) { context in
            var learners: [Person] = []
            for id in learnerIDs { learners.append(try await context.learner(id)) }
            return learners
        }
    }

    /// The same question for every learner on roll in a registration group on the day. Throws
    /// as ``check(purpose:learners:on:)``; a group with no learner on roll whom the principal may
    /// read (another teacher's class, or a name no group has) is `notFound` alike, so the answer
    /// never says which groups exist.
    public func check(purpose purposeCode: String, group: String, on date: CalendarDate? = nil) async throws -> [ConsentAnswer] {
        let day = date ?? session.today
        let principal = principal
        let query = PersonQuery(scope: .school(principal.school.id), kinds: [.learner], registrationGroup: group, presentOn: day)
        return try await answer(purposeCode, on: day) { context in
            let learners = try await context.tx.people.find(query).filter { learner in
                principal.can(.manageConsent) || AccessPolicy.readPerson(learner, principal) == .allowed
            }
            guard !learners.isEmpty else { throw SafetyError(.notFound, "no learner on roll in that group") }
            return learners
        }
    }

    private func answer(
        _ purposeCode: String, on date: CalendarDate, learners: @Sendable @escaping (GateContext) async throws -> [Person]
    ) async throws -> [ConsentAnswer] {
        let principal = principal
        let held = principal.roles.map(\.title).sorted().joined(separator: ", ")
        let authority: AccessDecision =
            principal.can(.manageConsent) || principal.can(.readAnyPersonRecord) || principal.can(.readTaughtLearners)
            ? .allowed : .denied("a \(held.isEmpty ? "person with no role" : held) cannot ask about learners' consent")
        let purposeQuery = ConsentPurposeQuery(schoolID: principal.school.id, trustID: principal.school.trustID)
        return try await session.gate(
            .consentCheck, Person.recordKind, subject: nil, authority: authority, subjects: .of { $0.map(\.learnerID.uuid) }
        ) { context in
            let people = try await learners(context)
            for person in people where !principal.can(.manageConsent) && AccessPolicy.readPerson(person, principal) != .allowed {
                throw SafetyError.notFound("learner")
            }
            guard try await Self.purposes(purposeQuery, context).contains(where: { $0.code == purposeCode }) else {
                throw SafetyError.invalid("consent.purpose", "no such consent purpose at this school")
            }
            let decisions =
                people.isEmpty
                ? []
                : try await context.tx.consentDecisions.find(ConsentDecisionQuery(learnerIDs: people.map(\.id), purposeCode: purposeCode))
            return people.map { ConsentRules.answer(learnerID: $0.id, purpose: purposeCode, decisions: decisions, on: date) }
        }
    }
}
