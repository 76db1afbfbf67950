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

    /// One page of the incidents with steps overdue now, at the session's school or across the
    /// trust, longest overdue first, with how many there are in all: what a DSL's overdue list
    /// shows first. Only the page's incidents are read; the total is counted in storage.
    ///
    /// Requires `readAllIncidents` (held trust-wide for the trust); `limit` is 1 to 500 and
    /// `offset` at least 0, else `invalidInput`; throws `forbidden`. Records the incidents listed.
    public func overduePage(acrossTrust: Bool = false, limit: Int = 50, offset: Int = 0) async throws -> OverdueStepsPage {
        var decision = AccessPolicy.require(.readAllIncidents, principal, to: "read the steps of incidents")
        if acrossTrust && decision == .allowed && !AccessPolicy.holdsTrustWide(.readAllIncidents, principal) {
            decision = .denied("only a trust-wide safeguarding lead can read steps across the trust")
        }
        let school = principal.school
        let includeRestricted = AccessPolicy.holds(.readRestrictedIncidents, at: school.id, principal)
        let time = session.clock.now()
        return try await session.gate(
            .procedureReport, ProcedureStatus.recordKind, subject: nil, restricted: includeRestricted, authority: decision,
            subjects: .of { $0.incidents.map(\.incidentID.uuid) }
        ) { context in
            guard (1...500).contains(limit) else { throw SafetyError.invalid("page.limit", "a page holds 1 to 500 incidents") }
            guard offset >= 0 else { throw SafetyError.invalid("page.offset", "an offset cannot be negative") }
            var schoolIDs = [school.id]
            if acrossTrust, let trustID = school.trustID {
                schoolIDs = try await context.tx.schools.find(SchoolQuery(trustID: trustID)).map(\.id)
            }
            var query = ProcedureStatusQuery(schoolIDs: schoolIDs, includeRestricted: includeRestricted, unsatisfiedDueBefore: time)
            let total = try await context.tx.procedures.count(query)
            query.limit = limit
            query.offset = offset
            let incidents = try await context.tx.procedures.find(query).map { status in
                IncidentSteps(
                    incidentID: status.incidentID, schoolID: status.schoolIDValue, categoryCode: status.categoryCode,
                    steps: status.steps.filter { $0.isOverdue(asOf: time) }.sorted {
                        ($0.due ?? .distantFuture) < ($1.due ?? .distantFuture)
                    })
            }
            return OverdueStepsPage(asOf: time, total: total, offset: offset, incidents: incidents)
        }
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

/// A page of the incidents with steps overdue, with how many there are in all.
public struct OverdueStepsPage: Sendable, Hashable, Codable {
    /// The instant the steps were overdue at.
    public let asOf: Date
    /// How many incidents have steps overdue, across every page.
    public let total: Int
    /// How many incidents come before this page.
    public let offset: Int
    /// This page's incidents, longest overdue first, each with its overdue steps in deadline order.
    public let incidents: [IncidentSteps]
}
