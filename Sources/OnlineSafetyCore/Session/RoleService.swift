import Foundation

/// Who holds which role, and granting and ending roles.
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

    /// Grants a role. Requires `manageRoles`; a trust-wide grant needs a trust-wide granter.
    @discardableResult
    public func grant(_ grant: RoleGrant) async throws -> RoleGrant {
        var decision = AccessPolicy.require(.manageRoles, principal, to: "grant roles")
        if decision == .allowed {
            switch grant.scope {
            case .school(let id) where id != principal.school.id:
                decision = .denied("a session can grant roles only at its own school")
            case .trust(let id) where id != principal.school.trustID || !principal.grants.contains(where: { $0.trustID == id }):
                decision = .denied("only a trust-wide role holder can grant trust-wide roles")
            default: break
            }
        }
        let checked = decision == .allowed ? try grant.checkedForInsert() : grant
        return try await session.perform("roleGrant.insert", RoleGrant.recordKind, subject: grant.id.uuid, decision: decision) { tx in
            guard let person = try await tx.people.get(checked.personID),
                person.schoolID == nil || person.schoolID == checked.schoolID || checked.trustID != nil
            else {
                throw SafetyError.invalid("roleGrant.personID", "no such person at this school")
            }
            if let left = person.leftOn, left <= checked.starts {
                throw SafetyError(.constraintViolation, "a person who has left cannot be given a role")
            }
            return try await tx.roleGrants.insert(checked)
        }
    }

    /// Ends a grant on a day (its last day). Requires `manageRoles`.
    @discardableResult
    public func end(_ id: RoleGrantID, on date: CalendarDate) async throws -> RoleGrant {
        let decision = AccessPolicy.require(.manageRoles, principal, to: "end roles")
        let school = principal.school
        return try await session.perform("roleGrant.end", RoleGrant.recordKind, subject: id.uuid, decision: decision) { tx in
            guard var grant = try await tx.roleGrants.get(id), grant.applies(to: school) else { throw SafetyError.notFound("role grant") }
            grant.ends = date
            try grant.validate()
            return try await tx.roleGrants.update(grant)
        }
    }

    /// The adults who hold roles at the session's school on a day (directly or trust-wide), by role.
    ///
    /// Learner and parent roles are listed only to those who may read anyone's record.
    public func holders(on date: CalendarDate? = nil) async throws -> [Holder] {
        let principal = principal
        let day = date ?? session.today
        let adultRoles: Set<Role> =
            principal.can(.readAnyPersonRecord) ? Set(Role.allCases) : Set(Role.allCases).subtracting([.learner, .parentCarer])
        let event = session.draft("roleGrant.list", RoleGrant.recordKind, nil)
        return try await session.store.withTransaction { tx in
            var grants = try await tx.roleGrants.find(RoleGrantQuery(schoolID: principal.school.id, roles: adultRoles, activeOn: day))
            if let trustID = principal.school.trustID {
                grants += try await tx.roleGrants.find(RoleGrantQuery(trustID: trustID, roles: adultRoles, activeOn: day))
            }
            var holders: [Holder] = []
            for grant in grants {
                if let person = try await tx.people.get(grant.personID) { holders.append(Holder(grant: grant, person: person)) }
            }
            _ = try await tx.audit.append(event)
            return holders.sorted { ($0.grant.role.rawValue, $0.person.sortKey) < ($1.grant.role.rawValue, $1.person.sortKey) }
        }
    }
}
