import Foundation

/// The compliance report, through the session's checks and audit.
///
/// ```swift
/// let report = try await session.compliance.report(acrossTrust: true)
/// print(report.totals.access.withoutCurrentAUP)   // the target is zero
/// let csv = report.csv()
/// ```
public struct ComplianceService: Sendable {
    let session: SafetySession

    private var principal: Principal { session.principal }

    /// The report for the session's school, or for every school of its trust, as things stand today.
    ///
    /// Those with `readCompliance` (data managers, leaders, the DSL) get the grants without an
    /// agreement as well as the figures; those with `readAggregates` only (governors) get figures
    /// that never identify anyone. A trust-wide report needs the capability held trust-wide.
    /// `dueSoonDays` sets the window within which training counts as due soon.
    public func report(
        acrossTrust: Bool = false, dueSoonDays: Int = 30, requirements: [TrainingRequirement] = TrainingRequirement.defaults
    ) async throws -> ComplianceReport {
        guard dueSoonDays >= 0 else { throw SafetyError.invalid("report.dueSoonDays", "the due-soon window cannot be negative") }
        let school = principal.school
        let holds = { (capability: Capability) in
            acrossTrust ? AccessPolicy.holdsTrustWide(capability, principal) : AccessPolicy.holds(capability, at: school.id, principal)
        }
        let detailed = holds(.readCompliance)
        var decision: AccessDecision =
            detailed || holds(.readAggregates)
            ? .allowed : AccessPolicy.require(.readCompliance, principal, to: "read the compliance report")
        if acrossTrust && decision == .allowed && school.trustID == nil {
            throw SafetyError.invalid("report.acrossTrust", "the school belongs to no trust: ask for the school's report")
        }
        if acrossTrust && decision != .allowed && (principal.can(.readCompliance) || principal.can(.readAggregates)) {
            decision = .denied("only someone holding a role across the trust can read the trust's compliance report")
        }
        let day = session.today
        let now = session.clock.now()
        return try await session.perform("compliance.report", "complianceReport", subject: nil, decision: decision) { tx in
            let schools =
                acrossTrust
                ? try await tx.schools.find(SchoolQuery(trustID: school.trustID)) : [try await tx.schools.get(school.id) ?? school]
            var parts: [SchoolCompliance] = []
            for each in schools {
                let inputs = try await ComplianceLoader.inputs(for: each, on: day, tx)
                parts.append(
                    ComplianceCalculator.school(inputs, on: day, dueSoonDays: dueSoonDays, requirements: requirements, detailed: detailed))
            }
            var trustWide: [TrainingCoverage] = []
            if acrossTrust, let trustID = school.trustID {
                let grants = try await tx.roleGrants.find(RoleGrantQuery(trustID: trustID, activeOn: day))
                let summaries = try await ComplianceLoader.trainingSummaries(
                    for: Set(grants.map(\.personID)), ofSchool: nil, onRoll: [], tx)
                trustWide = ComplianceCalculator.training(
                    holders: grants, summaries: summaries, on: day, dueSoonDays: dueSoonDays, requirements: requirements)
            }
            return ComplianceReport(
                trustID: acrossTrust ? school.trustID : nil, asOf: day, generatedAt: now, dueSoonDays: dueSoonDays, detailed: detailed,
                schools: parts, trustWideTraining: trustWide, totals: ComplianceFigures.sum(parts.map(\.figures), extraTraining: trustWide))
        }
    }
}
