import Foundation

/// Who holds which role, and granting and ending roles, through the session's gate.
public struct RoleService: Sendable {
    let session: SafetySession

    private var principal: Principal { session.principal }

    /// A role holder: the grant and the person.
    public struct Holder: Sendable, Hashable {
        /// The grant.
        public let grant: RoleGrant
        /// Who holds it.
        public let person: Person
    }

    /// Whether the principal may grant or end a role of this scope: `manageRoles` at the session's
    /// school, and held trust-wide for a trust-wide role.
    private func authority(over scope: RoleScope, to action: String) -> AccessDecision {
        let decision = AccessPolicy.require(.manageRoles, principal, to: action)
        guard decision == .allowed else { return decision }
        switch scope {
        case .school(let id) where id == principal.school.id: return .allowed
        case .school: return .denied("a session can \(action) only at its own school")
        case .trust(let id) where id == principal.school.trustID && AccessPolicy.holdsTrustWide(.manageRoles, principal):
            return .allowed
        case .trust: return .denied("only a trust-wide role holder can \(action) trust-wide")
        }
    }

    /// Grants a role to a person within the session's reach. Requires `manageRoles` (held
    /// trust-wide for a trust-wide role), and someone other than the grantee: no one grants
    /// themselves a role. Throws `forbidden`, `notFound` for a person out of reach,
    /// `invalidInput` for a school role given to a trust-level person, a role the person's kind
    /// cannot hold (``Role/canBeHeld(by:)``: a parent is never a DSL) or dates that do not fit,
    /// and `constraintViolation` for someone whose leaving day comes on or before the role's
    /// first day. A grant to someone with a leaving day still to come ends on that day at the
    /// latest: no one holds a role after they leave.
    @discardableResult
    public func grant(_ grant: RoleGrant) async throws -> RoleGrant {
        var decision = authority(over: grant.scope, to: "grant roles")
        if decision == .allowed, grant.personID == principal.person.id {
            decision = .denied("no one grants themselves a role; someone else who manages roles grants it")
        }
        return try await session.gate(.roleGrantInsert, RoleGrant.recordKind, subject: grant.id.uuid, authority: decision) { context in
            let person = try await context.person(grant.personID)
            if case .school = grant.scope, case .trust = person.tenancy {
                throw SafetyError.invalid("roleGrant.scope", "a trust-level person holds trust-wide roles")
            }
            guard grant.role.canBeHeld(by: person.kind) else {
                throw SafetyError.invalid("roleGrant.role", "a person of this kind cannot hold the role of \(grant.role.title)")
            }
            var granted = grant
            if let left = person.leftOn {
                guard grant.starts < left else {
                    throw SafetyError(
                        .constraintViolation, "the person leaves on or before the role's first day, so cannot be given it")
                }
                if grant.ends.map({ $0 > left }) ?? true { granted.ends = left }
            }
            return try await context.tx.roleGrants.insert(try granted.checkedForInsert())
        }
    }

    /// Ends a grant on a day (its last day). Requires `manageRoles` over the grant's scope: a
    /// school-level head cannot end a trust-wide role. Throws `notFound` for a grant that does not
    /// apply at the session's school, `forbidden`, and `invalidInput` for an end before its start
    /// (ending it the day before its first day withdraws it before it began:
    /// ``RoleGrant/neverInForce``). Ending never gives a role back or more time:
    /// `constraintViolation` for a day after the last day a grant already has (one cut short by a
    /// leaving, one given with an end, one withdrawn), and for a day after its holder's leaving
    /// day; a new grant gives a role again, or for longer.
    @discardableResult
    public func end(_ id: RoleGrantID, on date: CalendarDate) async throws -> RoleGrant {
        let capability = AccessPolicy.require(.manageRoles, principal, to: "end roles")
        let school = principal.school
        let service = self
        return try await session.gate(.roleGrantEnd, RoleGrant.recordKind, subject: id.uuid, authority: capability) { context in
            guard var grant = try await context.tx.roleGrants.get(id), grant.applies(to: school) else {
                throw SafetyError.notFound("role grant")
            }
            if case .denied(let reason) = service.authority(over: grant.scope, to: "end roles") {
                throw SafetyError(.forbidden, reason)
            }
            if let ends = grant.ends, date > ends {
                throw SafetyError(
                    .constraintViolation,
                    "the role already ends before that day, and ending it later would give it more time; a new grant gives it again")
            }
            if let left = try await context.tx.people.get(grant.personID)?.leftOn, date > left {
                throw SafetyError(
                    .constraintViolation, "the holder leaves before that day, and a role ends on their leaving day at the latest")
            }
            grant.ends = date
            try grant.validate()
            return try await context.tx.roleGrants.update(grant)
        }
    }

    /// The adults who hold roles at the session's school on a day (directly or trust-wide), by
    /// role; every person returned is recorded in the audit. Requires `readAnyPersonRecord`, or
    /// for staff, who see the adults they work with, `recordConcern`; learner and parent roles
    /// are listed only to those who may read anyone's record. Throws `forbidden` otherwise.
    public func holders(on date: CalendarDate? = nil) async throws -> [Holder] {
        let principal = principal
        let day = date ?? session.today
        let mayReadAnyone = principal.can(.readAnyPersonRecord)
        let authority: AccessDecision =
            mayReadAnyone || principal.can(.recordConcern)
            ? .allowed : AccessPolicy.require(.readAnyPersonRecord, principal, to: "list role holders")
        let roles: Set<Role> = mayReadAnyone ? Set(Role.allCases) : Set(Role.allCases).subtracting([.learner, .parentCarer])
        let reach = session.reach
        return try await session.gate(
            .roleGrantList, RoleGrant.recordKind, subject: nil, authority: authority, subjects: .of { $0.map(\.person.id.uuid) }
        ) { context in
            var grants = try await context.tx.roleGrants.find(RoleGrantQuery(schoolID: principal.school.id, roles: roles, activeOn: day))
            if let trustID = principal.school.trustID {
                grants += try await context.tx.roleGrants.find(RoleGrantQuery(trustID: trustID, roles: roles, activeOn: day))
            }
            var holders: [Holder] = []
            for grant in grants {
                if let person = try await context.tx.people.get(grant.personID, within: reach) {
                    holders.append(Holder(grant: grant, person: person))
                }
            }
            return holders.sorted { ($0.grant.role.rawValue, $0.person.sortKey) < ($1.grant.role.rawValue, $1.person.sortKey) }
        }
    }
}
