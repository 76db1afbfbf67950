import Foundation
import Logging

/// The school's own policy, through the session's gate: the versions it has adopted, the one in
/// force, adopting a new version at a review, and applying it to an open incident.
///
/// A newly adopted version applies to incidents reported from its effective date; an incident
/// already open keeps the version it started under until the DSL applies the new one to it, and
/// that change is audited.
///
/// ```swift
/// let edited = try PolicyLoader.load(contentsOf: url)     // OnlineSafetyPolicyText
/// try await session.policies.adopt(edited, effectiveFrom: CalendarDate(year: 2026, month: 9, day: 1)!)
/// let steps = try await session.policies.apply(to: openIncident)
/// ```
public struct PolicyService: Sendable {
    let session: SafetySession

    private var principal: Principal { session.principal }

    /// The versions that apply at the session's school, oldest first: its own and its trust's
    /// (``AdoptedPolicy/isTrustWide``). Anyone at the school may read its policy. Audited.
    public func versions() async throws -> [AdoptedPolicy] {
        let school = principal.school
        return try await session.gate(
            .policyList, AdoptedPolicy.recordKind, subject: nil, authority: .allowed, subjects: .of { $0.map(\.id.uuid) }
        ) { context in
            try await context.tx.policies.find(AdoptedPolicyQuery(schoolID: school.id, trustID: school.trustID))
        }
    }

    /// The policy in force at the session's school on a day (today by default): the latest
    /// version the school has adopted and made effective by then; when it has none, the latest
    /// its trust has; otherwise the school's built-in policy (``SeedPolicies/builtIn(forSchoolNamed:)``).
    /// Audited.
    public func inForce(on day: CalendarDate? = nil) async throws -> PolicyDocument {
        let school = principal.school
        let day = day ?? session.today
        return try await session.gate(.policyRead, AdoptedPolicy.recordKind, subject: nil, authority: .allowed) { context in
            try await Self.inForce(at: school, on: day, context.tx)?.document ?? SeedPolicies.builtIn(forSchoolNamed: school.name)
        }
    }

    /// What the statutory floor finds wrong with the policy in force at the session's school on a
    /// day (today by default), under the school's settings as they stand now: empty when it meets
    /// the floor. A version adopted before the floor gained a step, or before the school changed a
    /// figure its steps are due by, can fall below it; each issue names the field, the floor step
    /// and its guidance, and the school then adopts a version that meets it. Anyone at the school
    /// may read it. Audited as a read of the policy; throws as the store's reads do.
    public func floorIssues(on day: CalendarDate? = nil) async throws -> [PolicyIssue] {
        let day = day ?? session.today
        return try await session.gate(.policyRead, AdoptedPolicy.recordKind, subject: nil, authority: .allowed) { context in
            let current = try await context.currentSchool()
            let document =
                try await Self.inForce(at: current, on: day, context.tx)?.document ?? SeedPolicies.builtIn(forSchoolNamed: current.name)
            return StatutoryFloor.check(document, settings: current.settings)
        }
    }

    /// Adopts a version of the policy, effective from a day, recording the acting person: the
    /// school's own, or with `trustWide` the trust's, which applies at every school of the trust
    /// that has no version of its own in force (a school's own version wins over the trust's).
    ///
    /// Requires the DSL (`readAllIncidents`) or a data manager (`manageOrganisation`); for the
    /// trust's, one of them held trust-wide. Throws `forbidden`; `invalidInput` naming the field
    /// for a document that is malformed or that removes or loosens a step of the
    /// ``StatutoryFloor`` (the reason names the step and its guidance), checked against the
    /// settings of the school (for the trust's, of every school of the trust), and for
    /// `trustWide` at a school that belongs to no trust; `conflict` when the school (or trust)
    /// has already adopted a version with that name.
    ///
    /// Adopted at the annual review, `atReview` is the reference to that review's minutes: the
    /// review is recorded as a governance record in the same transaction, so the governance
    /// calendar shows the policy review done (this needs `manageGovernance` too, else
    /// `forbidden`).
    @discardableResult
    public func adopt(
        _ document: PolicyDocument, effectiveFrom: CalendarDate, trustWide: Bool = false, atReview minutesReference: String? = nil
    ) async throws -> AdoptedPolicy {
        var decision: AccessDecision =
            principal.can(.readAllIncidents) || principal.can(.manageOrganisation)
            ? .allowed : .denied("only the DSL or a data manager can adopt the school's policy")
        if minutesReference != nil, decision == .allowed, !principal.can(.manageGovernance) {
            decision = .denied("only someone who records governance reviews can adopt a policy at its annual review")
        }
        let trustID = principal.school.trustID
        if trustWide && decision == .allowed {
            guard trustID != nil else {
                throw SafetyError.invalid("policy.trustWide", "the school belongs to no trust: adopt the policy for the school")
            }
            if !AccessPolicy.holdsTrustWide(.readAllIncidents, principal) && !AccessPolicy.holdsTrustWide(.manageOrganisation, principal) {
                decision = .denied("only a trust-wide DSL or data manager can adopt the trust's policy")
            }
        }
        let policy = AdoptedPolicy(
            schoolID: trustWide ? nil : principal.school.id, trustID: trustWide ? trustID : nil, document: document,
            effectiveFrom: effectiveFrom, adoptedAt: session.clock.now(), recordedBy: principal.person.id)
        let adopted = try await session.gate(.policyAdopt, AdoptedPolicy.recordKind, subject: policy.id.uuid, authority: decision) {
            context in
            _ = try effectiveFrom.checked("policy.effectiveFrom", .record)
            let schools: [School]
            if let trustID = policy.trustIDValue {
                schools = try await context.tx.schools.find(SchoolQuery(trustID: trustID))
            } else {
                schools = [try await context.currentSchool()]
            }
            for school in schools {
                if let issue = StatutoryFloor.check(document, settings: school.settings).first {
                    throw SafetyError.invalid("policy.\(issue.field)", issue.message)
                }
            }
            let scope = policy.trustIDValue.map { "trust:\($0.uuidString)" } ?? "school:\(context.principal.school.id.uuidString)"
            try await context.tx.lock("policy:\(scope)")
            let existing = try await context.tx.policies.find(
                AdoptedPolicyQuery(schoolID: policy.schoolIDValue, trustID: policy.trustIDValue))
            if existing.contains(where: { $0.document.version == document.version }) {
                throw SafetyError(
                    .conflict, "the \(policy.isTrustWide ? "trust" : "school") has already adopted a version with that name")
            }
            let stored = try await context.tx.policies.insert(policy.checkedForInsert())
            if let minutesReference {
                // Adopted at the annual review: the review is recorded in the same transaction, so
                // the governance calendar's policy review is done by the adoption itself.
                let now = context.session.clock.now()
                let review = GovernanceRecord(
                    schoolID: context.principal.school.id, activity: .policyReview, heldOn: min(effectiveFrom, CalendarDate(now)),
                    participants: [context.principal.person.id], minutesReference: minutesReference,
                    note: "adopted \(document.title), version \(document.version)", recordedBy: context.principal.person.id,
                    recordedAt: now)
                let recorded = try await context.tx.governanceRecords.insert(review.checkedForInsert())
                await context.audit(.governanceRecord, GovernanceRecord.recordKind, recorded.id.uuid, reason: "policy adopted at review")
            }
            return stored
        }
        session.logger.info(
            "policy adopted",
            metadata: [
                "policy": "\(adopted.id)",
                adopted.isTrustWide ? "trust" : "school": "\(adopted.trustIDValue?.uuidString ?? adopted.schoolIDValue?.uuidString ?? "")",
            ])
        return adopted
    }

    /// Applies the policy in force today to an open incident, deriving its steps again under it,
    /// and returns them. Requires managing the incident (the DSL); throws `notFound` for an
    /// incident out of reach, `invalidInput` for a closed one.
    public func apply(to id: IncidentID) async throws -> [ProcedureStep] {
        let today = session.today
        return try await session.gate(.policyApply, Incident.recordKind, subject: id.uuid, authority: .allowed) { context in
            let incident = try await IncidentService.visible(id, manage: true, context)
            guard incident.isOpen else {
                throw SafetyError.invalid("incident", "a closed incident keeps the policy it was handled under")
            }
            let school = try await context.tx.schools.get(incident.schoolIDValue) ?? context.principal.school
            try await IncidentService.refreshProcedure(incident, school: school, context.tx, applyingOn: today)
            return try await context.tx.procedures.get(ProcedureStatusID(incident.id.uuid))?.steps ?? []
        }
    }

    /// The version in force at a school on a day: the latest of its own effective by then, or,
    /// when it has none, the latest of its trust's.
    static func inForce(at school: School, on day: CalendarDate, _ tx: any OnlineSafetyStore) async throws -> AdoptedPolicy? {
        let effective = try await tx.policies.find(AdoptedPolicyQuery(schoolID: school.id, trustID: school.trustID))
            .filter { $0.effectiveFrom <= day }
        func latest(_ versions: [AdoptedPolicy]) -> AdoptedPolicy? {
            versions.max { ($0.effectiveFrom, $0.adoptedAt) < ($1.effectiveFrom, $1.adoptedAt) }
        }
        return latest(effective.filter { $0.schoolIDValue == school.id }) ?? latest(effective.filter(\.isTrustWide))
    }
}
