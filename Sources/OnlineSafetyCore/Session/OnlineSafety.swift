import Foundation
public import Logging

/// The entry point of the SDK: a backend, a clock and a logger, from which sessions are opened.
///
/// The backend is handed over and never handed back: every read and write goes through a
/// ``SafetySession``.
///
/// ```swift
/// let safety = OnlineSafety(backend: store, clock: .system, logger: logger)
/// let session = try await safety.session(actingAs: dslID, at: chiltonID)
/// let learner = try await session.people.get(learnerID)   // checked, read, audited
/// ```
public struct OnlineSafety: Sendable {
    let store: any OnlineSafetyStore
    /// The source of the current time.
    public let clock: SafetyClock
    /// The caller's logger. The SDK logs identifiers and outcomes, never record content.
    public let logger: Logger

    /// Creates the entry point over a backend.
    ///
    /// Requires a backend that implements the storage SPI (`FileStore`, `PostgresStore`, or one
    /// that passes the conformance suite); any other value stops the program with a message.
    public init(backend: any OnlineSafetyBackend, clock: SafetyClock = .system, logger: Logger) {
        guard let store = backend as? any OnlineSafetyStore else {
            preconditionFailure("OnlineSafety needs a storage backend that implements the OnlineSafetyStore SPI")
        }
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    /// What ``bootstrap(trust:school:administrator:)`` created.
    public struct Bootstrap: Sendable, Hashable {
        /// The trust, when one was given.
        public let trust: Trust?
        /// The first school.
        public let school: School
        /// The first data manager.
        public let administrator: Person
        /// Their grant: trust-wide when there is a trust, else at the school.
        public let grant: RoleGrant
    }

    /// Creates a new organisation: a trust (optional), its first school, and a data manager who
    /// can then open sessions and add everyone else. Refused with `conflict` when the trust or the
    /// school's URN is already stored, so it can never grant access to an existing organisation.
    ///
    /// The administrator belongs to the trust when there is one (their tenancy is set to it), or
    /// else to the school; their grant is trust-wide or at the school to match.
    public func bootstrap(trust: Trust?, school: School, administrator: Person) async throws -> Bootstrap {
        var unlinked = school
        unlinked.trustID = trust?.id
        let school = unlinked
        let now = clock.now()
        let today = CalendarDate(now)
        let result = try await store.withTransaction { tx in
            if let trust, try await tx.trusts.get(trust.id) != nil {
                throw SafetyError(.conflict, "that trust already exists; ask its data manager for access")
            }
            if try await tx.schools.count(SchoolQuery(urn: school.urn)) > 0 {
                throw SafetyError(.conflict, "a school with that URN already exists; ask its data manager for access")
            }
            var storedTrust: Trust?
            if let trust { storedTrust = try await tx.trusts.insert(trust.checkedForInsert()) }
            let storedSchool = try await tx.schools.insert(school.checkedForInsert())
            var admin = administrator
            admin.tenancy = storedTrust.map { .trust($0.id) } ?? .school(storedSchool.id)
            let storedAdmin = try await tx.people.insert(admin.checkedForInsert())
            let scope: RoleScope = storedTrust.map { .trust($0.id) } ?? .school(storedSchool.id)
            let grant = try await tx.roleGrants.insert(
                RoleGrant(personID: storedAdmin.id, role: .dataManager, scope: scope, starts: today).checkedForInsert())
            for (kind, id) in [
                (Trust.recordKind, storedTrust?.id.uuid), (School.recordKind, storedSchool.id.uuid),
                (Person.recordKind, storedAdmin.id.uuid), (RoleGrant.recordKind, grant.id.uuid),
            ] {
                guard let id else { continue }
                _ = try await tx.audit.append(
                    AuditDraft(
                        at: now, actorID: storedAdmin.id, schoolID: storedSchool.id, action: .bootstrap, subjectKind: kind,
                        subjectID: id, reason: "bootstrap"))
            }
            return Bootstrap(trust: storedTrust, school: storedSchool, administrator: storedAdmin, grant: grant)
        }
        logger.info("organisation bootstrapped", metadata: ["school": "\(result.school.id)"])
        return result
    }

    /// Opens a session for a person acting at a school.
    ///
    /// The person's role grants that are in force today and apply at the school (directly or
    /// through its trust) decide what the session may do. The person must belong to the school or
    /// to its trust. Every refusal (no such school, no such person, a person of another
    /// organisation, one who has left or holds no role there today) gives the same answer,
    /// `forbidden` with "no session can be opened for that person at that school", and is audited.
    public func session(actingAs personID: PersonID, at schoolID: SchoolID) async throws -> SafetySession {
        try await open(.id(personID), at: .id(schoolID))
    }

    /// Who is acting: by identifier, or by the email address they sign in with.
    public enum ActorReference: Sendable, Hashable {
        /// A person's identifier.
        case id(PersonID)
        /// The email address of a member of staff, governor or volunteer (compared without case).
        case email(String)

        /// Reads a UUID as an identifier and anything else as an email address.
        public init(_ text: String) {
            self = PersonID(uuidString: text).map { .id($0) } ?? .email(text.trimmingCharacters(in: .whitespaces))
        }
    }

    /// Which school a session is opened at: by identifier or by URN.
    public enum SchoolReference: Sendable, Hashable {
        /// A school's identifier.
        case id(SchoolID)
        /// A school's unique reference number.
        case urn(String)

        /// Reads a UUID as an identifier and anything else as a URN.
        public init(_ text: String) {
            self = SchoolID(uuidString: text).map { .id($0) } ?? .urn(text.trimmingCharacters(in: .whitespaces))
        }
    }

    /// Opens a session for someone named as a tool's user names themselves (an email address or an
    /// identifier) at a school named by identifier or URN. The look-up happens inside the same
    /// audited step as the opening, and every refusal gives one answer, exactly as
    /// ``session(actingAs:at:)``: it never tells "unknown" from "not yours".
    public func session(as actor: ActorReference, at school: SchoolReference) async throws -> SafetySession {
        try await open(actor, at: school)
    }

    private func open(_ actor: ActorReference, at schoolReference: SchoolReference) async throws -> SafetySession {
        let now = clock.now()
        let today = CalendarDate(now)
        enum Opening: Sendable {
            case opened(Principal)
            case refused(String, PersonID?, SchoolID?)
        }
        let opening: Opening = try await store.withTransaction { tx in
            let school: School? =
                switch schoolReference {
                case .id(let id): try await tx.schools.get(id)
                case .urn(let urn): try await tx.schools.find(SchoolQuery(urn: urn, limit: 1)).first
                }
            guard let school else { return .refused("no such school", nil, nil) }
            let reach = QueryScope.reach(of: school)
            let person: Person? =
                switch actor {
                case .id(let id): try await tx.people.get(id, within: reach)
                case .email(let email):
                    try await tx.people.find(PersonQuery(scope: reach, kinds: PeopleService.signInKinds, email: email, limit: 1))
                        .first
                }
            guard let person else { return .refused("no such person at the school or its trust", nil, school.id) }
            let grants = try await tx.roleGrants.find(RoleGrantQuery(personID: person.id, activeOn: today)).filter {
                $0.applies(to: school)
            }
            if person.hasLeft(by: today) { return .refused("a person who has left has no access", person.id, school.id) }
            if grants.isEmpty { return .refused("the person holds no role at this school today", person.id, school.id) }
            _ = try await tx.audit.append(
                AuditDraft(
                    at: now, actorID: person.id, schoolID: school.id, action: .sessionOpen, subjectKind: School.recordKind,
                    subjectID: school.id.uuid))
            return .opened(Principal(person: person, school: school, grants: grants))
        }
        switch opening {
        case .refused(let reason, let personID, let schoolID):
            try await store.withTransaction { tx in
                _ = try await tx.audit.append(
                    AuditDraft(
                        at: now, actorID: personID, schoolID: schoolID, action: .sessionOpen, subjectKind: School.recordKind,
                        subjectID: schoolID?.uuid, outcome: .denied, reason: reason))
            }
            logger.notice("session refused", metadata: ["school": "\(schoolID.map { "\($0)" } ?? "unknown")"])
            throw SafetyError(.forbidden, "no session can be opened for that person at that school")
        case .opened(let principal):
            logger.debug(
                "session opened",
                metadata: [
                    "actor": "\(principal.person.id)", "school": "\(principal.school.id)",
                    "roles": "\(principal.roles.map(\.rawValue).sorted().joined(separator: ","))",
                ])
            return SafetySession(principal: principal, store: store, clock: clock, logger: logger)
        }
    }
}
