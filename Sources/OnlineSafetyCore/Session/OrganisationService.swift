import Foundation

/// The trust, its schools and their policy settings.
public struct OrganisationService: Sendable {
    let session: SafetySession

    private var principal: Principal { session.principal }

    /// The session's school, as stored now.
    public func school() async throws -> School {
        guard let school = try await session.store.schools.get(principal.school.id) else { throw SafetyError.notFound("school") }
        return school
    }

    /// The trust the session's school belongs to, if any.
    public func trust() async throws -> Trust? {
        guard let trustID = principal.school.trustID else { return nil }
        return try await session.store.trusts.get(trustID)
    }

    /// The schools of the session's trust (or just the session's school when it has none).
    public func schools() async throws -> [School] {
        guard let trustID = principal.school.trustID else { return [try await school()] }
        return try await session.store.schools.find(SchoolQuery(trustID: trustID))
    }

    /// Adds a school to the session's trust. Requires `manageOrganisation` held trust-wide.
    @discardableResult
    public func addSchool(_ school: School) async throws -> School {
        var school = school
        school.trustID = principal.school.trustID
        let decision = trustWide(.manageOrganisation, to: "add schools to the trust")
        let checked = decision == .allowed ? try school.checkedForInsert() : school
        return try await session.perform("school.insert", School.recordKind, subject: school.id.uuid, decision: decision) { tx in
            try await tx.schools.insert(checked)
        }
    }

    /// Changes the session's school or its policy settings. Requires `manageOrganisation`.
    @discardableResult
    public func updateSchool(_ school: School) async throws -> School {
        var decision = AccessPolicy.require(.manageOrganisation, principal, to: "change the school's settings")
        if decision == .allowed && school.id != principal.school.id {
            decision = .denied("a session can change only its own school; open a session at the other school")
        }
        if decision == .allowed { try school.validate() }
        return try await session.perform("school.update", School.recordKind, subject: school.id.uuid, decision: decision) { tx in
            try await tx.schools.update(school)
        }
    }

    /// Changes the trust. Requires `manageOrganisation` held trust-wide.
    @discardableResult
    public func updateTrust(_ trust: Trust) async throws -> Trust {
        var decision = trustWide(.manageOrganisation, to: "change the trust")
        if decision == .allowed && trust.id != principal.school.trustID { decision = .denied("a session can change only its own trust") }
        if decision == .allowed { try trust.validate() }
        return try await session.perform("trust.update", Trust.recordKind, subject: trust.id.uuid, decision: decision) { tx in
            try await tx.trusts.update(trust)
        }
    }

    private func trustWide(_ capability: Capability, to action: String) -> AccessDecision {
        let decision = AccessPolicy.require(capability, principal, to: action)
        guard decision == .allowed else { return decision }
        let trustGrants = principal.grants.filter { $0.trustID != nil && Capability.granted(to: $0.role).contains(capability) }
        return trustGrants.isEmpty ? .denied("only a trust-wide role can \(action)") : .allowed
    }
}
