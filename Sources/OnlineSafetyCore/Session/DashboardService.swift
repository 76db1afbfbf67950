public import Foundation

/// The DSL's dashboard, through the session's gate.
///
/// ```swift
/// let board = try await dsl.dashboard.current(acrossTrust: true)
/// for school in board.schools { print(school.name, school.overdueSteps.count) }
/// ```
public struct DashboardService: Sendable {
    let session: SafetySession

    private var principal: Principal { session.principal }

    /// What needs the DSL's attention at an instant (now by default), for the session's school or,
    /// `acrossTrust`, every school of its trust: open incidents by age, overdue and due-soon steps,
    /// referrals awaiting follow-up, devices in custody, learners with repeated concerns within
    /// `repeatedConcernDays`, training due, access grants without a current agreement, failed
    /// filtering checks still open and what the calendar says is overdue. Restricted incidents
    /// count only for the DSL and deputies. Requires `readAllIncidents` (held trust-wide for the
    /// trust); throws `forbidden`, `invalidInput` for a negative window or a school in no trust.
    /// Read in one transaction; records each incident, learner, person and check it names.
    public func current(
        asOf time: Date? = nil, acrossTrust: Bool = false, dueSoonHours: Int = 48, repeatedConcernDays: Int = 90,
        requirements: [TrainingRequirement] = TrainingRequirement.defaults
    ) async throws -> Dashboard {
        var decision = AccessPolicy.require(.readAllIncidents, principal, to: "read the safeguarding dashboard")
        if acrossTrust && decision == .allowed && !AccessPolicy.holdsTrustWide(.readAllIncidents, principal) {
            decision = .denied("only a trust-wide safeguarding lead can read the dashboard across the trust")
        }
        let time = time ?? session.clock.now()
        let school = principal.school
        let includeRestricted = AccessPolicy.holds(.readRestrictedIncidents, at: school.id, principal)
        return try await session.gate(
            .dashboardRead, ProcedureStatus.recordKind, subject: nil, restricted: includeRestricted, authority: decision,
            subjects: .of { board in Array(Set(board.schools.flatMap(\.subjects))).sorted { $0.uuidString < $1.uuidString } }
        ) { context in
            guard dueSoonHours >= 0, repeatedConcernDays >= 1 else {
                throw SafetyError.invalid("dashboard.window", "the due-soon and repeated-concern windows cannot be negative")
            }
            var schools = [try await context.tx.schools.get(school.id) ?? school]
            if acrossTrust {
                guard let trustID = school.trustID else {
                    throw SafetyError.invalid("dashboard.acrossTrust", "the school belongs to no trust: ask for the school's dashboard")
                }
                schools = try await context.tx.schools.find(SchoolQuery(trustID: trustID))
            }
            var parts: [SchoolDashboard] = []
            for each in schools {
                parts.append(
                    try await Self.school(
                        each, at: time, includeRestricted: includeRestricted, dueSoonHours: dueSoonHours,
                        repeatedConcernDays: repeatedConcernDays, requirements: requirements, context.tx))
            }
            return Dashboard(asOf: time, dueSoonHours: dueSoonHours, repeatedConcernDays: repeatedConcernDays, schools: parts)
        }
    }

    static let bands: [(label: String, from: Int, to: Int?)] = [
        ("0–7 days", 0, 7), ("8–30 days", 8, 30), ("31–90 days", 31, 90), ("over 90 days", 91, nil),
    ]

    static func school(
        _ school: School, at time: Date, includeRestricted: Bool, dueSoonHours: Int, repeatedConcernDays: Int,
        requirements: [TrainingRequirement], _ tx: any OnlineSafetyStore
    ) async throws -> SchoolDashboard {
        let day = CalendarDate(time)
        // Open incidents by age: one count per band, in storage.
        var ages: [AgeBand] = []
        for band in bands {
            let youngest = day.adding(days: -band.from).adding(days: 1).startOfDay.addingTimeInterval(-0.001)
            let oldest = band.to.map { day.adding(days: -$0).startOfDay }
            let query = IncidentQuery(
                schoolIDs: [school.id], includeRestricted: includeRestricted, occurredFrom: oldest, occurredTo: youngest, open: true)
            ages.append(AgeBand(label: band.label, fromDays: band.from, toDays: band.to, count: try await tx.incidents.count(query)))
        }
        // Steps overdue now or due within the window.
        let horizon = time.addingTimeInterval(Double(dueSoonHours) * 3_600)
        var overdue: [IncidentSteps] = []
        var dueSoon: [IncidentSteps] = []
        let statuses = try await tx.procedures.find(
            ProcedureStatusQuery(schoolIDs: [school.id], includeRestricted: includeRestricted, dueBy: horizon))
        for status in statuses {
            let late = status.steps.filter { $0.isOverdue(asOf: time) }
            let soon = status.steps.filter { step in
                step.satisfiedAt == nil && step.requiredFrom <= time && !step.isOverdue(asOf: time)
                    && (step.due.map { $0 <= horizon } ?? false)
            }
            func steps(_ list: [ProcedureStep]) -> IncidentSteps {
                IncidentSteps(
                    incidentID: status.incidentID, schoolID: status.schoolIDValue, categoryCode: status.categoryCode,
                    steps: list.sorted { ($0.due ?? .distantFuture) < ($1.due ?? .distantFuture) })
            }
            if !late.isEmpty { overdue.append(steps(late)) } else if !soon.isEmpty { dueSoon.append(steps(soon)) }
        }
        // Referrals with a follow-up date, of incidents still open.
        let referralEntries = try await tx.chronology.find(
            ChronologyQuery(schoolIDs: [school.id], kinds: ["referral"], includeRestricted: includeRestricted))
        var followUps: [ReferralFollowUp] = []
        var openByIncident: [IncidentID: Bool] = [:]
        for entry in referralEntries {
            guard case .referral(let referral) = entry.content, let due = referral.followUpDue, due <= horizon else { continue }
            if openByIncident[entry.incidentID] == nil {
                openByIncident[entry.incidentID] = try await tx.incidents.get(entry.incidentID)?.isOpen ?? false
            }
            guard openByIncident[entry.incidentID] == true else { continue }
            followUps.append(ReferralFollowUp(incidentID: entry.incidentID, agency: referral.agency, followUpDue: due, overdue: due < time))
        }
        followUps.sort { $0.followUpDue < $1.followUpDue }
        // Devices in custody, counted by status in storage.
        var devices: [String: Int] = [:]
        let deviceQuery = DeviceQuery(schoolIDs: [school.id], statuses: [.held, .quarantined], includeRestricted: includeRestricted)
        for group in try await tx.devices.countGrouped(deviceQuery, by: [.column("status")]) {
            if case .text(let status) = group.key[0] { devices[status] = group.count }
        }
        // Learners in two or more incidents within the window: a narrow read of recent incidents.
        let recent = try await tx.incidents.find(
            IncidentQuery(
                schoolIDs: [school.id], includeRestricted: includeRestricted,
                occurredFrom: day.adding(days: -repeatedConcernDays).startOfDay, occurredTo: time))
        var involvement: [PersonID: Int] = [:]
        for incident in recent {
            for participant in incident.participants where participant.isLearner { involvement[participant.personID, default: 0] += 1 }
        }
        let repeated = involvement.filter { $0.value >= 2 }.map { RepeatedConcern(learnerID: $0.key, incidents: $0.value) }
            .sorted { ($1.incidents, $0.learnerID.uuid.uuidString) < ($0.incidents, $1.learnerID.uuid.uuidString) }
        let training = try await TrainingService.standings(at: school, on: day, dueSoonDays: 30, requirements: requirements, tx)
        let trainingDue = training.statuses.filter { $0.state != .compliant }
        let documents = try await tx.aupDocuments.find(AUPDocumentQuery(schoolID: school.id, trustID: school.trustID, effectiveBy: day))
        let exceptions = try await tx.reports.complianceTally(
            ComplianceTallyRequest(
                school: school, date: day, current: AgreementRules.currentByAudience(among: documents, on: day), listExceptions: false))
        let checks = try await tx.filteringChecks.find(FilteringCheckQuery(schoolID: school.id, openOnly: true))
        let calendar = try await GovernanceService.calendar(of: school, on: day, requirements: requirements, tx)
        return SchoolDashboard(
            schoolID: school.id, name: school.name, openIncidents: ages, overdueSteps: overdue, dueSoonSteps: dueSoon,
            referralsAwaitingFollowUp: followUps, devicesInCustody: devices, repeatedConcerns: repeated, trainingDue: trainingDue,
            accessWithoutCurrentAUP: exceptions.exceptionCount, openFailedChecks: checks, calendarOverdue: calendar.overdue)
    }
}
