import Foundation

/// People and their contacts, through the session's access checks and audit.
public struct PeopleService: Sendable {
    let session: SafetySession

    private var principal: Principal { session.principal }

    private func requireHere(_ schoolID: SchoolID?, field: String) throws {
        guard schoolID == principal.school.id else {
            throw SafetyError.invalid(field, "records are added at the session's school; open a session at the other school")
        }
    }

    /// Adds a person at the session's school. Requires `managePeople`.
    @discardableResult
    public func add(_ person: Person) async throws -> Person {
        let decision = AccessPolicy.require(.managePeople, principal, to: "add people")
        if decision == .allowed { try requireHere(person.schoolID, field: "person.schoolID") }
        let checked = decision == .allowed ? try person.checkedForInsert() : person
        return try await session.perform("person.insert", Person.recordKind, subject: person.id.uuid, decision: decision) { tx in
            try await tx.people.insert(checked)
        }
    }

    /// Changes a person. Requires `managePeople`; a stale revision is a `conflict`.
    @discardableResult
    public func update(_ person: Person) async throws -> Person {
        let decision = AccessPolicy.require(.managePeople, principal, to: "change people's records")
        if decision == .allowed {
            try person.validate()
            try requireHere(person.schoolID, field: "person.schoolID")
        }
        let schoolID = principal.school.id
        return try await session.perform("person.update", Person.recordKind, subject: person.id.uuid, decision: decision) { tx in
            guard let stored = try await tx.people.get(person.id), stored.schoolID == schoolID || stored.schoolID == nil else {
                throw SafetyError.notFound("person")
            }
            return try await tx.people.update(person)
        }
    }

    /// Reads one person's record, if the access policy allows; the read is audited either way.
    public func get(_ id: PersonID) async throws -> Person {
        let principal = principal
        return try await session.guardedRead(
            "person.read", Person.recordKind, subject: id.uuid, load: { try await $0.people.get(id) },
            decide: { AccessPolicy.readPerson($0, principal) })
    }

    /// Lists people at the session's school that the principal may read; each record returned is audited.
    ///
    /// The DSL, deputies, leadership and data managers see everyone; other staff see the
    /// learners in the groups they teach. The query's school is always the session's school.
    public func list(_ query: PersonQuery = PersonQuery()) async throws -> [Person] {
        var scoped = query
        scoped.schoolID = principal.school.id
        let principal = principal
        if !principal.can(.readAnyPersonRecord) {
            guard principal.can(.readTaughtLearners) else {
                try await session.refuse("person.list", Person.recordKind, nil, reason: "a \(roleWords) cannot list people's records")
            }
            scoped.kinds = [.learner]
        }
        let query = scoped
        let events = { @Sendable (people: [Person]) in people.map { session.draft("person.read", Person.recordKind, $0.id.uuid) } }
        return try await session.store.withTransaction { tx in
            let found = try await tx.people.find(query).filter { AccessPolicy.readPerson($0, principal) == .allowed }
            _ = try await tx.audit.appendMany(events(found))
            return found
        }
    }

    /// Records that a person has left: their record stays, every role grant they hold ends that
    /// day, every access grant in the access register is revoked from that day (reason "leaver"),
    /// and sessions can no longer be opened for them. Requires `managePeople`.
    @discardableResult
    public func recordLeaver(_ id: PersonID, on date: CalendarDate) async throws -> Person {
        let decision = AccessPolicy.require(.managePeople, principal, to: "record leavers")
        let session = session
        let schoolID = principal.school.id
        return try await session.perform("person.leave", Person.recordKind, subject: id.uuid, decision: decision) { tx in
            guard var person = try await tx.people.get(id), person.schoolID == schoolID else { throw SafetyError.notFound("person") }
            person.leftOn = date
            let stored = try await tx.people.update(person)
            for var grant in try await tx.roleGrants.find(RoleGrantQuery(personID: id, activeOn: date)) {
                grant.ends = date
                _ = try await tx.roleGrants.update(grant)
                _ = try await tx.audit.append(session.draft("roleGrant.end", RoleGrant.recordKind, grant.id.uuid, reason: "leaver"))
            }
            try await AccessRegisterService.revokeAll(of: id, on: date, reason: "leaver", session: session, tx)
            return stored
        }
    }

    /// Links a learner to an adult contact. Requires `managePeople`.
    @discardableResult
    public func addContact(_ link: ContactLink) async throws -> ContactLink {
        let decision = AccessPolicy.require(.managePeople, principal, to: "add contacts")
        var link = link
        link.schoolID = principal.school.id
        let checked = decision == .allowed ? try link.checkedForInsert() : link
        return try await session.perform("contact.insert", ContactLink.recordKind, subject: link.id.uuid, decision: decision) { tx in
            guard let learner = try await tx.people.get(checked.learnerID), learner.kind == .learner else {
                throw SafetyError.invalid("contact.learnerID", "a contact link starts from a learner")
            }
            guard try await tx.people.get(checked.adultID) != nil else { throw SafetyError.invalid("contact.adultID", "no such adult") }
            return try await tx.contacts.insert(checked)
        }
    }

    /// A learner's contacts in priority order, if the principal may read the learner's record.
    public func contacts(of learnerID: PersonID) async throws -> [ContactLink] {
        let learner = try await get(learnerID)
        return try await session.store.contacts.find(ContactQuery(learnerID: learner.id))
    }

    /// Finds who a UPN or an email address belongs to at the session's school, revealing only
    /// their identifier (for example to name a learner in a concern). Any adult with a role at the
    /// school may; the look-up is audited. Throws `notFound` when nobody matches.
    public func identify(_ reference: String) async throws -> PersonID {
        let decision: AccessDecision =
            principal.can(.recordConcern) || principal.can(.readAnyPersonRecord)
            ? .allowed : .denied("only staff can look people up")
        let schoolID = principal.school.id
        let upn = try? UPN(reference)
        let email = reference.lowercased()
        let found: PersonID? = try await session.perform("person.identify", Person.recordKind, subject: nil, decision: decision) { tx in
            if let upn {
                return try await tx.people.find(PersonQuery(schoolID: schoolID, upn: upn)).first?.id
            }
            let candidates = try await tx.people.find(PersonQuery(schoolID: schoolID)) + tx.people.find(PersonQuery(schoolID: nil))
            return candidates.first { $0.email?.lowercased() == email }?.id
        }
        guard let found else { throw SafetyError.notFound("person") }
        return found
    }

    private var roleWords: String { principal.roles.map(\.title).sorted().joined(separator: ", ") }
}
