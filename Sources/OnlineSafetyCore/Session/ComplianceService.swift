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
    /// that never identify anyone: every count from 1 below the school's governors' report
    /// threshold reads "fewer than" it (see ``ComplianceReport/suppressedCells``). A trust-wide report needs the capability held trust-wide.
    /// `dueSoonDays` sets the window within which training counts as due soon. The schools are read
    /// in one transaction that also records the read of each in the audit. Throws `forbidden`
    /// and `invalidInput`.
    public func report(
        acrossTrust: Bool = false, dueSoonDays: Int = 30, requirements: [TrainingRequirement] = TrainingRequirement.defaults
    ) async throws -> ComplianceReport {
        let school = principal.school
        let holds = { (capability: Capability) in
            acrossTrust ? AccessPolicy.holdsTrustWide(capability, principal) : AccessPolicy.holds(capability, at: school.id, principal)
        }
        let detailed = holds(.readCompliance)
        var decision: AccessDecision =
            detailed || holds(.readAggregates)
            ? .allowed : AccessPolicy.require(.readCompliance, principal, to: "read the compliance report")
        if acrossTrust && decision != .allowed && (principal.can(.readCompliance) || principal.can(.readAggregates)) {
            decision = .denied("only someone holding a role across the trust can read the trust's compliance report")
        }
        let day = session.today
        let now = session.clock.now()
        let session = session
        // The decision and the list of schools; what is read is audited per school below.
        let schools = try await session.gate(
            .complianceReport, "complianceReport", subject: nil, authority: decision, subjects: .nothing
        ) { context in
            guard dueSoonDays >= 0 else { throw SafetyError.invalid("report.dueSoonDays", "the due-soon window cannot be negative") }
            guard acrossTrust else { return [try await context.tx.schools.get(school.id) ?? school] }
            guard let trustID = school.trustID else {
                throw SafetyError.invalid("report.acrossTrust", "the school belongs to no trust: ask for the school's report")
            }
            return try await context.tx.schools.find(SchoolQuery(trustID: trustID))
        }
        // Every school is read in one transaction, its counts asked of storage for all schools at
        // once; the audit records the read of each school.
        let parts = try await session.gate(
            .complianceReport, School.recordKind, subject: nil, authority: .allowed, subjects: .of { _ in schools.map(\.id.uuid) }
        ) { context in
            try await ComplianceLoader.schools(
                schools, on: day, dueSoonDays: dueSoonDays, requirements: requirements, detailed: detailed, context.tx)
        }
        return try await session.gate(
            .complianceReport, Trust.recordKind, subject: school.trustID?.uuid, authority: .allowed,
            subjects: acrossTrust ? .of { _ in [school.trustID?.uuid].compactMap { $0 } } : .nothing
        ) { context in
            var trustWide: [TrainingCoverage] = []
            if acrossTrust, let trustID = school.trustID {
                let grants = try await context.tx.roleGrants.find(RoleGrantQuery(trustID: trustID, activeOn: day))
                let summaries = try await ComplianceLoader.trainingSummaries(of: Set(grants.map(\.personID)), atSchool: nil, context.tx)
                trustWide = ComplianceCalculator.training(
                    holders: grants, summaries: summaries, on: day, dueSoonDays: dueSoonDays, requirements: requirements)
            }
            let report = ComplianceReport(
                trustID: acrossTrust ? school.trustID : nil, asOf: day, generatedAt: now, dueSoonDays: dueSoonDays, detailed: detailed,
                schools: parts, trustWideTraining: trustWide, totals: ComplianceFigures.sum(parts.map(\.figures), extraTraining: trustWide))
            // Figures only (governors): small counts are suppressed as in the governors' report.
            return detailed ? report : report.suppressed(below: schools.map(\.settings.governorReportThreshold).max() ?? 5)
        }
    }
}
