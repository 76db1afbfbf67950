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

    /// The versions adopted at the session's school, oldest first. Anyone at the school may read
    /// its policy. Audited.
    public func versions() async throws -> [AdoptedPolicy] {
        let school = principal.school
        return try await session.gate(
            .policyList, AdoptedPolicy.recordKind, subject: nil, authority: .allowed, subjects: .of { $0.map(\.id.uuid) }
        ) { context in
            try await context.tx.policies.find(AdoptedPolicyQuery(schoolID: school.id))
        }
    }

    /// The policy in force at the session's school on a day (today by default): the latest
    /// version adopted and effective by then, or the school's built-in policy
    /// (``SeedPolicies/builtIn(forSchoolNamed:)``) when it has adopted none. Audited.
    public func inForce(on day: CalendarDate? = nil) async throws -> PolicyDocument {
        let school = principal.school
        let day = day ?? session.today
        return try await session.gate(.policyRead, AdoptedPolicy.recordKind, subject: nil, authority: .allowed) { context in
            try await Self.inForce(at: school.id, on: day, context.tx)?.document ?? SeedPolicies.builtIn(forSchoolNamed: school.name)
        }
    }

    /// Adopts a version of the school's policy, effective from a day, recording the acting
    /// person. Requires the DSL (`readAllIncidents`) or a data manager (`manageOrganisation`).
    ///
    /// Throws `forbidden`; `invalidInput` naming the field for a document that is malformed or
    /// that removes or loosens a step of the ``StatutoryFloor`` (the reason names the step and
    /// its guidance), checked against the school's settings; `conflict` when the school has
    /// already adopted a version with that name.
    @discardableResult
    public func adopt(_ document: PolicyDocument, effectiveFrom: CalendarDate) async throws -> AdoptedPolicy {
        let decision: AccessDecision =
            principal.can(.readAllIncidents) || principal.can(.manageOrganisation)
            ? .allowed : .denied("only the DSL or a data manager can adopt the school's policy")
        let policy = AdoptedPolicy(
            schoolID: principal.school.id, document: document, effectiveFrom: effectiveFrom, adoptedAt: session.clock.now(),
            recordedBy: principal.person.id)
        let adopted = try await session.gate(.policyAdopt, AdoptedPolicy.recordKind, subject: policy.id.uuid, authority: decision) {
            context in
            let school = try await context.tx.schools.get(policy.schoolIDValue) ?? context.principal.school
            _ = try effectiveFrom.checked("policy.effectiveFrom", .record)
            if let issue = StatutoryFloor.check(document, settings: school.settings).first {
                throw SafetyError.invalid("policy.\(issue.field)", issue.message)
            }
            try await context.tx.lock("policy:\(school.id.uuidString)")
            let existing = try await context.tx.policies.find(AdoptedPolicyQuery(schoolID: school.id))
            if existing.contains(where: { $0.document.version == document.version }) {
                throw SafetyError(.conflict, "the school has already adopted a version with that name")
            }
            return try await context.tx.policies.insert(policy.checkedForInsert())
        }
        session.logger.info("policy adopted", metadata: ["policy": "\(adopted.id)", "school": "\(adopted.schoolIDValue)"])
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

    /// The version in force at a school on a day, if it has adopted one effective by then.
    static func inForce(at schoolID: SchoolID, on day: CalendarDate, _ tx: any OnlineSafetyStore) async throws -> AdoptedPolicy? {
        try await tx.policies.find(AdoptedPolicyQuery(schoolID: schoolID)).filter { $0.effectiveFrom <= day }
            .max { ($0.effectiveFrom, $0.adoptedAt) < ($1.effectiveFrom, $1.adoptedAt) }
    }
}
