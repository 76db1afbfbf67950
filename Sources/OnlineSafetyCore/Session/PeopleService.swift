import Foundation

/// People and their contacts, through the session's gate.
///
/// A session reaches the people of its school and the trust-level staff of that school's trust.
/// Anyone else, and anyone the principal may not read, is answered as absent (`notFound`).
public struct PeopleService: Sendable {
    let session: SafetySession

    private var principal: Principal { session.principal }

    /// Whether the principal may manage people of this tenancy: at the session's school with
    /// `managePeople`, or trust-level people of its trust with `managePeople` held trust-wide.
    private func manageDecision(_ tenancy: Tenancy, to action: String) -> AccessDecision {
        let decision = AccessPolicy.require(.managePeople, principal, to: action)
        guard decision == .allowed else { return decision }
        switch tenancy {
        case .school(let id) where id == principal.school.id: return .allowed
        case .trust(let id) where id == principal.school.trustID && AccessPolicy.holdsTrustWide(.managePeople, principal):
            return .allowed
        case .trust: return .denied("only a trust-wide role can \(action) at trust level")
        case .school: return .denied("records are kept at the session's school; open a session at the other school")
        }
    }

    /// Adds a person at the session's school, or at its trust. Requires `managePeople` (held
    /// trust-wide for a trust-level person). Throws `forbidden`, `invalidInput` (names, learner
    /// details), or `conflict` (the UPN is already on this school's roll, or the email address is
    /// one another member of staff, governor or volunteer signs in with: see
    /// ``signInKinds``).
    @discardableResult
    public func add(_ person: Person) async throws -> Person {
        let decision = manageDecision(person.tenancy, to: "add people")
        return try await session.gate(.personInsert, Person.recordKind, subject: person.id.uuid, authority: decision) { context in
            let checked = try person.checkedForInsert()
            try await Self.checkSignInEmail(of: checked, in: context.tx)
            return try await context.tx.people.insert(checked)
        }
    }

    /// Changes a person within the session's reach. Requires `managePeople` where the person
    /// belongs; a person cannot be moved to another organisation. Throws `notFound` for a person
    /// out of reach, `forbidden`, `invalidInput`, and `conflict` for a stale revision or an email
    /// address another member of staff, governor or volunteer signs in with.
    @discardableResult
    public func update(_ person: Person) async throws -> Person {
        let decision = manageDecision(person.tenancy, to: "change people's records")
        return try await session.gate(.personUpdate, Person.recordKind, subject: person.id.uuid, authority: decision) { context in
            let stored = try await context.person(person.id)
            guard stored.tenancy == person.tenancy else {
                throw SafetyError.invalid("person.tenancy", "a person's record stays with the organisation it belongs to")
            }
            try person.validate()
            if person.email?.lowercased() != stored.email?.lowercased() || person.kind != stored.kind {
                try await Self.checkSignInEmail(of: person, in: context.tx)
            }
            return try await context.tx.people.update(person)
        }
    }

    /// The kinds of people who sign in by email address (``OnlineSafety/ActorReference/email(_:)``):
    /// staff, governors and volunteers. Among them, an address names one person wherever a session
    /// can be opened: at a school, its own such people and its trust's.
    public static let signInKinds = Set(PersonKind.allCases.filter(\.signsInByEmail))

    /// Refuses, with `conflict`, a person who signs in by email (``signInKinds``) with an address
    /// another such person reached from the same school already has: for a school's person, the
    /// school's and its trust's; for a trust's person, the trust's and every one of its schools'.
    /// The refusal does not say who has the address.
    static func checkSignInEmail(of person: Person, in tx: any OnlineSafetyStore) async throws {
        guard person.kind.signsInByEmail, let email = person.email?.trimmingCharacters(in: .whitespaces), !email.isEmpty
        else { return }
        var scopes: [QueryScope]
        switch person.tenancy {
        case .school(let id):
            scopes = [.schoolAndItsTrust(id, try await tx.schools.get(id)?.trustID)]
        case .trust(let id):
            scopes = [.trust(id)]
            let schools = try await tx.schools.find(SchoolQuery(trustID: id)).map(\.id)
            if !schools.isEmpty { scopes.append(.schools(Set(schools))) }
        }
        for scope in scopes {
            let holders = try await tx.people.find(PersonQuery(scope: scope, kinds: signInKinds, email: email, limit: 2))
            if holders.contains(where: { $0.id != person.id }) {
                throw SafetyError(
                    .conflict, "another member of staff, governor or volunteer already signs in with this email address",
                    location: "email")
            }
        }
    }

    /// Reads one person's record. Throws `notFound` when the person is absent, out of reach, or
    /// not one the principal may read (a teacher reads only the learners they teach). Audited.
    public func get(_ id: PersonID) async throws -> Person {
        try await session.gate(.personRead, Person.recordKind, subject: id.uuid, authority: .allowed) { context in
            try await context.readablePerson(id)
        }
    }

    /// Lists the people at the session's school that the principal may read, and records in the
    /// audit which people it returned (in one batch).
    ///
    /// The DSL, deputies, leadership and data managers see everyone; other staff see the learners
    /// in the groups they teach, filtered in the query itself, so a page is a page of what they
    /// may see. The query's scope is always the session's school. Throws `forbidden` for someone
    /// who may read no one else's record.
    public func list(_ query: PersonQuery = PersonQuery(scope: .everywhere)) async throws -> [Person] {
        var scoped = query
        scoped.scope = .school(principal.school.id)
        var decision = AccessDecision.allowed
        if !principal.can(.readAnyPersonRecord) {
            if principal.can(.readTaughtLearners) {
                scoped.kinds = (scoped.kinds ?? [.learner]).intersection([.learner])
                scoped.registrationGroups = (scoped.registrationGroups ?? principal.teachingGroups).intersection(principal.teachingGroups)
            } else {
                decision = AccessPolicy.require(.readAnyPersonRecord, principal, to: "list people's records")
            }
        }
        let query = scoped
        return try await session.gate(
            .personList, Person.recordKind, subject: nil, authority: decision, subjects: .of { $0.map(\.id.uuid) }
        ) { context in
            try await context.tx.people.find(query)
        }
    }

    /// Records that a person has left: their record stays, every role grant they hold ends that
    /// day, every access grant in the access register is revoked from that day (reason "leaver"),
    /// and sessions can no longer be opened for them. Requires `managePeople` where they belong,
    /// and someone other than the leaver: a person cannot record their own leaving, which would
    /// end the very session and roles that could put it right. Throws `notFound` for a person out
    /// of reach, `forbidden` otherwise refused.
    ///
    /// The record keeps the day the leaving was recorded (``Person/leavingDecidedOn``): an
    /// import of an export taken on or before it neither restores the person nor moves the day.
    ///
    /// Recording the leaving again on the same day changes nothing, and on another day is refused
    /// with `constraintViolation` (their roles and access ended on the first): a day recorded by
    /// mistake is put right deliberately, with a reason, by ``correctLeaving(_:to:reason:)``.
    @discardableResult
    public func recordLeaver(_ id: PersonID, on date: CalendarDate) async throws -> Person {
        var authority = AccessPolicy.require(.managePeople, principal, to: "record leavers")
        if authority == .allowed, id == principal.person.id {
            authority = .denied("a person cannot record their own leaving; someone else who manages people records it")
        }
        let principal = principal
        let today = session.today
        return try await session.gate(.personLeave, Person.recordKind, subject: id.uuid, authority: authority) { context in
            var person = try await context.person(id)
            if case .trust = person.tenancy, !AccessPolicy.holdsTrustWide(.managePeople, principal) {
                throw SafetyError(.forbidden, "only a trust-wide role can record leavers at trust level")
            }
            if let leftOn = person.leftOn {
                guard leftOn == date else {
                    throw SafetyError(
                        .constraintViolation,
                        "the person is already recorded as a leaver, on another day; the leaving day is not moved by recording "
                            + "it again: a day recorded by mistake is corrected, with a reason")
                }
                return person
            }
            person.leftOn = date
            person.leavingDecidedOn = today
            let stored = try await context.tx.people.update(person)
            for grant in try await Self.grantsEnded(of: id, leavingOn: date, in: context.tx) {
                _ = try await context.tx.roleGrants.update(grant)
                await context.audit(.roleGrantEnd, RoleGrant.recordKind, grant.id.uuid, reason: "leaver")
            }
            try await AccessRegisterService.revokeAll(of: id, on: date, reason: "leaver", context)
            return stored
        }
    }

    /// Corrects a leaving day recorded by mistake: moves it to `newDay`, or, with `nil`, records
    /// that the person did not leave and restores them. Requires `managePeople` where they belong
    /// (held trust-wide for a trust-level person), someone other than the person (no one corrects
    /// their own leaving, as no one records it), and a reason of at most 2,048 characters, which
    /// the audit keeps. Throws `forbidden` without the capability, `invalidInput` for a reason
    /// that is blank or longer than that (`leavingCorrection.reason`) or a day out of bounds
    /// (`person.leftOn`), `notFound` for a person out of reach or whom the principal may not read
    /// (exactly as for no one), and `constraintViolation` for a correction of someone not
    /// recorded as a leaver (``recordLeaver(_:on:)`` records a leaving) or to the day already
    /// recorded. A refused correction's
    /// audit event carries the refusal's reason, not the text given.
    ///
    /// What a correction does to the roles and access the leaving ended:
    ///
    /// - **An earlier day** ends them as ``recordLeaver(_:on:)`` would have on that day: every
    ///   role grant still held after it ends on it (or is withdrawn before it began, when it
    ///   starts later: ``RoleGrant/neverInForce``), and every access grant still in force after it
    ///   is revoked from it (reason "leaving day corrected").
    /// - **A later day** moves the leaving day, and ends on it any role or access still held
    ///   after it, as for any leaver; nothing is extended. The roles that ended and the access
    ///   revoked on the day first recorded stay ended: nothing tells a role the leaving ended from
    ///   one that ended on that day anyway, and giving authority back is never a side effect. The
    ///   roles and access the person needs until the new day are given again deliberately
    ///   (``RoleService/grant(_:)``, ``AccessRegisterService/grant(_:to:from:note:)``).
    /// - **`nil`** (they did not leave) clears the leaving day, as an import that lists a leaver
    ///   again restores them (audited as `person.restore`). Their roles and access are **not**
    ///   reopened: until roles are granted again they hold none, and so open no session.
    ///
    /// The record keeps the day of the correction (``Person/leavingDecidedOn``): an import of an
    /// export taken on or before it does not undo it (it neither makes the person a leaver
    /// again nor restores them).
    ///
    /// The same day again, or any correction of someone not recorded as a leaver, is refused with
    /// `constraintViolation`: a correction that changes nothing is not recorded as one. A moved
    /// day is audited as `person.leaveCorrect`, a restore as `person.restore`; both carry the
    /// reason given and the days (`REASON (leaving day 2026-07-02 moved to 2026-07-22)`, `REASON
    /// (leaving day 2026-07-02 taken back: did not leave)`), and the roles ended and access
    /// revoked by a correction carry "leaving day corrected".
    ///
    /// ```swift
    /// // Recorded as leaving on 2026-07-02; the right day is 2026-07-22.
    /// try await session.people.correctLeaving(tomID, to: CalendarDate(iso: "2026-07-22")!, reason: "the 2nd typed for the 22nd")
    /// // Recorded as a leaver by mistake: the wrong member of staff. Restored, then given their role again.
    /// try await session.people.correctLeaving(samID, to: nil, reason: "recorded against the wrong member of staff")
    /// try await session.roles.grant(RoleGrant(personID: samID, role: .staff, scope: .school(schoolID), starts: session.today))
    /// ```
    @discardableResult
    public func correctLeaving(_ id: PersonID, to newDay: CalendarDate?, reason: String) async throws -> Person {
        var authority = AccessPolicy.require(.managePeople, principal, to: "correct leavers")
        if authority == .allowed, id == principal.person.id {
            authority = .denied("a person cannot correct their own leaving; someone else who manages people corrects it")
        }
        let principal = principal
        let today = session.today
        return try await session.gate(
            newDay == nil ? .personRestore : .personLeaveCorrect, Person.recordKind, subject: id.uuid, authority: authority,
            reason: reason
        ) { context in
            guard !reason.isBlank else {
                throw SafetyError.invalid("leavingCorrection.reason", "a correction of a leaving day records why it is corrected")
            }
            guard reason.count <= 2_048 else {
                throw SafetyError.invalid("leavingCorrection.reason", "a correction's reason is at most 2,048 characters")
            }
            if let newDay { try newDay.checked("person.leftOn", .record, asOf: today) }
            var person = try await context.readablePerson(id)
            if case .trust = person.tenancy, !AccessPolicy.holdsTrustWide(.managePeople, principal) {
                throw SafetyError(.forbidden, "only a trust-wide role can correct leavers at trust level")
            }
            guard let leftOn = person.leftOn else {
                throw SafetyError(
                    .constraintViolation,
                    "the person is not recorded as a leaver, so there is no leaving day to correct"
                        + (newDay == nil ? "" : "; record the leaving instead"))
            }
            guard leftOn != newDay else {
                throw SafetyError(.constraintViolation, "the leaving day recorded is already that day: there is nothing to correct")
            }
            person.leftOn = newDay
            person.leavingDecidedOn = today
            let stored = try await context.tx.people.update(person)
            // The event says what was corrected, beside why.
            await context.setOutcomeReason(
                "\(reason) (leaving day \(leftOn) " + (newDay.map { "moved to \($0))" } ?? "taken back: did not leave)"))
            if let newDay {
                // Ends what is still held after the new day, whichever way the day moved; a later
                // day extends nothing.
                for grant in try await Self.grantsEnded(of: id, leavingOn: newDay, in: context.tx) {
                    _ = try await context.tx.roleGrants.update(grant)
                    await context.audit(.roleGrantEnd, RoleGrant.recordKind, grant.id.uuid, reason: "leaving day corrected")
                }
                try await AccessRegisterService.revokeAll(of: id, on: newDay, reason: "leaving day corrected", context)
            }
            return stored
        }
    }

    /// The role grants a person leaving on `date` still holds after that day, each ended: on the
    /// leaving day, or, when it starts after it, withdrawn before it began (it ends the day
    /// before its first day, ``RoleGrant/neverInForce``): a leaver holds no role on any day after
    /// they left, and none is left open.
    static func grantsEnded(
        of id: PersonID, leavingOn date: CalendarDate, in tx: any OnlineSafetyStore
    ) async throws -> [RoleGrant] {
        try await tx.roleGrants.find(RoleGrantQuery(personID: id)).compactMap { grant in
            guard !grant.neverInForce, grant.ends.map({ $0 > date }) ?? true else { return nil }
            var ended = grant
            ended.ends = grant.starts > date ? grant.starts.adding(days: -1) : date
            return ended
        }
    }

    /// Links a learner at the session's school to an adult within its reach. Requires
    /// `managePeople`. Throws `notFound` when the learner or the adult is absent or out of reach.
    @discardableResult
    public func addContact(_ link: ContactLink) async throws -> ContactLink {
        let authority = AccessPolicy.require(.managePeople, principal, to: "add contacts")
        var link = link
        link.schoolID = principal.school.id
        let checked = link
        return try await session.gate(.contactInsert, ContactLink.recordKind, subject: link.id.uuid, authority: authority) { context in
            _ = try await context.learner(checked.learnerID)
            let adult = try await context.person(checked.adultID)
            guard adult.kind != .learner else { throw SafetyError.invalid("contact.adultID", "a contact is an adult, not a learner") }
            return try await context.tx.contacts.insert(try checked.checkedForInsert())
        }
    }

    /// A learner's contacts in priority order, read and audited in one transaction. Throws
    /// `notFound` when the principal may not read the learner's record.
    public func contacts(of learnerID: PersonID) async throws -> [ContactLink] {
        try await session.gate(.contactList, Person.recordKind, subject: learnerID.uuid, authority: .allowed) { context in
            let learner = try await context.readablePerson(learnerID)
            return try await context.tx.contacts.find(ContactQuery(learnerID: learner.id))
        }
    }

    /// Finds who a UPN or an email address belongs to within the session's reach, revealing only
    /// their identifier (for example to name a learner in a concern). Any adult who may record a
    /// concern or read records may; the look-up is audited with the person found as its subject.
    ///
    /// Throws `invalidInput` when the reference looks like a UPN whose check letter is wrong,
    /// and `notFound` when nobody within reach matches.
    public func identify(_ reference: String) async throws -> PersonID {
        let authority: AccessDecision =
            principal.can(.recordConcern) || principal.can(.readAnyPersonRecord)
            ? .allowed : .denied("only staff can look people up")
        let upn = try UPN.parseReference(reference)
        let reach = session.reach
        let schoolID = principal.school.id
        return try await session.gate(
            .personIdentify, Person.recordKind, subject: nil, authority: authority, subjects: .of { [$0.uuid] }
        ) { context in
            let query =
                upn.map { PersonQuery(scope: .school(schoolID), upn: $0, limit: 1) }
                ?? PersonQuery(scope: reach, email: reference.trimmingCharacters(in: .whitespaces), limit: 1)
            guard let found = try await context.tx.people.find(query).first else { throw SafetyError.notFound("person") }
            return found.id
        }
    }
}
