import Foundation
public import Logging

/// The entry point of the SDK: a store, a clock and a logger, from which sessions are opened.
///
/// ```swift
/// let safety = OnlineSafety(store: store, clock: .system, logger: logger)
/// let session = try await safety.session(actingAs: dslID, at: chiltonID)
/// let learner = try await session.people.get(learnerID)   // checked, read, audited
/// ```
public struct OnlineSafety: Sendable {
    /// Where records are kept.
    public let store: any OnlineSafetyStore
    /// The source of the current time.
    public let clock: SafetyClock
    /// The caller's logger. The SDK logs identifiers and outcomes, never record content.
    public let logger: Logger

    /// Creates the entry point.
    public init(store: any OnlineSafetyStore, clock: SafetyClock = .system, logger: Logger) {
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
    /// can then open sessions and add everyone else. Refused when the trust or the school's URN
    /// is already stored, so it can never grant access to an existing organisation.
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
            if admin.schoolID == nil && trust == nil { admin.schoolID = storedSchool.id }
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
                        at: now, actorID: storedAdmin.id, schoolID: storedSchool.id, action: "\(kind).insert", subjectKind: kind,
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
    /// through its trust) decide what the session may do. A person with none, or who has left,
    /// is refused with `forbidden`, and the refusal is audited.
    public func session(actingAs personID: PersonID, at schoolID: SchoolID) async throws -> SafetySession {
        let now = clock.now()
        let today = CalendarDate(now)
        enum Opening: Sendable {
            case opened(Principal)
            case refused(String)
        }
        let opening: Opening = try await store.withTransaction { tx in
            guard let school = try await tx.schools.get(schoolID) else { throw SafetyError.notFound("school") }
            let person = try await tx.people.get(personID)
            let grants = try await tx.roleGrants.find(RoleGrantQuery(personID: personID, activeOn: today)).filter { $0.applies(to: school) }
            let refusal: String? =
                if person == nil { "no such person" } else if person?.hasLeft(by: today) == true {
                    "a person who has left has no access"
                } else if grants.isEmpty { "the person holds no role at this school today" } else { nil }
            if let refusal {
                _ = try await tx.audit.append(
                    AuditDraft(
                        at: now, actorID: personID, schoolID: schoolID, action: "session.open", subjectKind: School.recordKind,
                        subjectID: schoolID.uuid, outcome: .denied, reason: refusal))
                return .refused(refusal)
            }
            return .opened(Principal(person: person!, school: school, grants: grants))
        }
        switch opening {
        case .refused(let reason):
            logger.notice("session refused", metadata: ["actor": "\(personID)", "school": "\(schoolID)"])
            throw SafetyError(.forbidden, reason)
        case .opened(let principal):
            return SafetySession(principal: principal, store: store, clock: clock, logger: logger)
        }
    }
}
