public import Foundation

/// What each incident's procedure requires next, and what is overdue, through the session's gate.
public struct ProcedureStepService: Sendable {
    let session: SafetySession

    private var principal: Principal { session.principal }

    /// The steps the school's policy requires for an incident, as they stood at an instant, read
    /// and audited in one transaction. Throws `notFound` when the principal does not manage it.
    public func steps(for id: IncidentID, asOf time: Date? = nil) async throws -> [ProcedureStep] {
        let time = time ?? session.clock.now()
        return try await session.gate(.procedureRead, Incident.recordKind, subject: id.uuid, authority: .allowed) { context in
            let incident = try await IncidentService.visible(id, manage: true, context)
            guard let status = try await context.tx.procedures.get(ProcedureStatusID(incident.id.uuid)) else { return [] }
            return status.steps.filter { $0.requiredFrom <= time }
        }
    }

    /// Incidents with steps outstanding at an instant, at the session's school or across the
    /// trust. Requires `readAllIncidents` (held trust-wide for the trust); throws `forbidden`.
    public func outstanding(asOf time: Date? = nil, acrossTrust: Bool = false) async throws -> [IncidentSteps] {
        try await report(asOf: time ?? session.clock.now(), acrossTrust: acrossTrust, overdueOnly: false)
    }

    /// Incidents with steps overdue at an instant, at the session's school or across the trust.
    /// Requires `readAllIncidents` (held trust-wide for the trust); throws `forbidden`.
    public func overdue(asOf time: Date? = nil, acrossTrust: Bool = false) async throws -> [IncidentSteps] {
        try await report(asOf: time ?? session.clock.now(), acrossTrust: acrossTrust, overdueOnly: true)
    }

    private func report(asOf time: Date, acrossTrust: Bool, overdueOnly: Bool) async throws -> [IncidentSteps] {
        var decision = AccessPolicy.require(.readAllIncidents, principal, to: "read the steps of incidents")
        if acrossTrust && decision == .allowed && !AccessPolicy.holdsTrustWide(.readAllIncidents, principal) {
            decision = .denied("only a trust-wide safeguarding lead can read steps across the trust")
        }
        let school = principal.school
        let includeRestricted = AccessPolicy.holds(.readRestrictedIncidents, at: school.id, principal)
        return try await session.gate(
            .procedureReport, ProcedureStatus.recordKind, subject: nil, restricted: includeRestricted, authority: decision,
            subjects: .of { $0.map(\.incidentID.uuid) }
        ) { context in
            var schoolIDs = [school.id]
            if acrossTrust, let trustID = school.trustID {
                schoolIDs = try await context.tx.schools.find(SchoolQuery(trustID: trustID)).map(\.id)
            }
            let query = ProcedureStatusQuery(
                schoolIDs: schoolIDs, includeRestricted: includeRestricted, dueBy: overdueOnly ? time : nil, outstandingOnly: !overdueOnly)
            var report: [IncidentSteps] = []
            for status in try await context.tx.procedures.find(query) {
                let steps = status.steps.filter { overdueOnly ? $0.isOverdue(asOf: time) : $0.isOutstanding(asOf: time) }
                guard !steps.isEmpty else { continue }
                report.append(
                    IncidentSteps(
                        incidentID: status.incidentID, schoolID: status.schoolIDValue, categoryCode: status.categoryCode,
                        steps: steps.sorted { ($0.due ?? .distantFuture) < ($1.due ?? .distantFuture) }))
            }
            return report
        }
    }
}
