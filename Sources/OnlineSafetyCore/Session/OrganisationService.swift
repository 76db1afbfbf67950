import Foundation

/// The trust, its schools and their policy settings, through the session's gate.
public struct OrganisationService: Sendable {
    let session: SafetySession

    private var principal: Principal { session.principal }

    /// The session's school, as stored now. Audited.
    public func school() async throws -> School {
        let id = principal.school.id
        return try await session.gate(.schoolRead, School.recordKind, subject: id.uuid, authority: .allowed) { context in
            guard let school = try await context.tx.schools.get(id) else { throw SafetyError.notFound("school") }
            return school
        }
    }

    /// The trust the session's school belongs to, if any. Audited.
    public func trust() async throws -> Trust? {
        guard let trustID = principal.school.trustID else { return nil }
        return try await session.gate(.trustRead, Trust.recordKind, subject: trustID.uuid, authority: .allowed) { context in
            try await context.tx.trusts.get(trustID)
        }
    }

    /// The schools of the session's trust (or just the session's school when it has none). Audited.
    public func schools() async throws -> [School] {
        let school = principal.school
        return try await session.gate(
            .schoolList, School.recordKind, subject: nil, authority: .allowed, subjects: .of { $0.map(\.id.uuid) }
        ) {
            context in
            guard let trustID = school.trustID else {
                return try await context.tx.schools.get(school.id).map { [$0] } ?? []
            }
            return try await context.tx.schools.find(SchoolQuery(trustID: trustID))
        }
    }

    /// Adds a school to the session's trust. Requires `manageOrganisation` held trust-wide.
    /// Throws `forbidden`, `invalidInput`, or `conflict` when the URN is already stored.
    @discardableResult
    public func addSchool(_ school: School) async throws -> School {
        var school = school
        school.trustID = principal.school.trustID
        let decision = trustWide(.manageOrganisation, to: "add schools to the trust")
        let checked = school
        return try await session.gate(.schoolInsert, School.recordKind, subject: school.id.uuid, authority: decision) { context in
            try await context.tx.schools.insert(try checked.checkedForInsert())
        }
    }

    /// Changes the session's school or its policy settings. Requires `manageOrganisation`; the
    /// school's trust cannot be changed here. Throws `forbidden`, `invalidInput`, or `conflict`.
    @discardableResult
    public func updateSchool(_ school: School) async throws -> School {
        var decision = AccessPolicy.require(.manageOrganisation, principal, to: "change the school's settings")
        if decision == .allowed && school.id != principal.school.id {
            decision = .denied("a session can change only its own school; open a session at the other school")
        }
        let trustID = principal.school.trustID
        return try await session.gate(.schoolUpdate, School.recordKind, subject: school.id.uuid, authority: decision) { context in
            guard school.trustID == trustID else { throw SafetyError.invalid("school.trustID", "a school's trust is not changed here") }
            try school.validate()
            return try await context.tx.schools.update(school)
        }
    }

    /// Changes the trust. Requires `manageOrganisation` held trust-wide. Throws `forbidden`,
    /// `invalidInput`, or `conflict`.
    @discardableResult
    public func updateTrust(_ trust: Trust) async throws -> Trust {
        var decision = trustWide(.manageOrganisation, to: "change the trust")
        if decision == .allowed && trust.id != principal.school.trustID { decision = .denied("a session can change only its own trust") }
        return try await session.gate(.trustUpdate, Trust.recordKind, subject: trust.id.uuid, authority: decision) { context in
            try trust.validate()
            return try await context.tx.trusts.update(trust)
        }
    }

    private func trustWide(_ capability: Capability, to action: String) -> AccessDecision {
        let decision = AccessPolicy.require(capability, principal, to: action)
        guard decision == .allowed else { return decision }
        return AccessPolicy.holdsTrustWide(capability, principal) ? .allowed : .denied("only a trust-wide role can \(action)")
    }
}
