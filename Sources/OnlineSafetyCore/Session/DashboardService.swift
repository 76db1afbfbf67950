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
    /// count only for the DSL and deputies. Each list holds at most `listLimit` entries per school
    /// (the most pressing first) beside its total, counted in storage. Requires `readAllIncidents`
    /// (held trust-wide for the trust); throws `forbidden`, `invalidInput` for a negative window,
    /// a list limit outside 1 to 500 or a school in no trust. Read in one transaction; records
    /// each incident, learner, person and check it lists.
    public func current(
        asOf time: Date? = nil, acrossTrust: Bool = false, dueSoonHours: Int = 48, repeatedConcernDays: Int = 90, listLimit: Int = 20,
        requirements: [TrainingRequirement] = TrainingRequirement.defaults
    ) async throws -> Dashboard {
        var decision = AccessPolicy.require(.readAllIncidents, principal, to: "read the safeguarding dashboard")
        if acrossTrust && decision == .allowed && !AccessPolicy.holdsTrustWide(.readAllIncidents, principal) {
            decision = .denied("only a trust-wide safeguarding lead can read the dashboard across the trust")
        }
        let now = session.clock.now()
        let time = time ?? now
        let school = principal.school
        let includeRestricted = AccessPolicy.holds(.readRestrictedIncidents, at: school.id, principal)
        return try await session.gate(
            .dashboardRead, ProcedureStatus.recordKind, subject: nil, restricted: includeRestricted, authority: decision,
            subjects: .of { board in Array(Set(board.schools.flatMap(\.subjects))).sorted(by: UUIDText.precedes) }
        ) { context in
            guard dueSoonHours >= 0, repeatedConcernDays >= 1 else {
                throw SafetyError.invalid("dashboard.window", "the due-soon and repeated-concern windows cannot be negative")
            }
            guard (1...500).contains(listLimit) else { throw SafetyError.invalid("dashboard.listLimit", "a list holds 1 to 500 entries") }
            var schools = [try await context.tx.schools.get(school.id) ?? school]
            if acrossTrust {
                guard let trustID = school.trustID else {
                    throw SafetyError.invalid("dashboard.acrossTrust", "the school belongs to no trust: ask for the school's dashboard")
                }
                schools = try await context.tx.schools.find(SchoolQuery(trustID: trustID))
            }
            // The independent reads are asked for at once, the largest counts first: a backend works
            // on one while the answer of another is read.
            let (chosen, schoolIDs, day, tx) = (schools, schools.map(\.id), CalendarDate(time), context.tx)
            // The grants without a current agreement, counted for every school at once.
            async let accessTallies: [ComplianceTally] = {
                let requests = try await ComplianceLoader.tallyRequests(chosen, on: day, listExceptions: false, grantsOnly: true, tx)
                return try await tx.reports.complianceTallies(requests)
            }()
            // Learners in two or more incidents within the window, counted in storage for every school at once.
            async let repeatedLearners = tx.reports.repeatedLearnersBySchool(
                RepeatedLearnersRequest(
                    schoolIDs: schoolIDs, includeRestricted: includeRestricted,
                    occurredFrom: day.adding(days: -repeatedConcernDays).startOfDay, occurredTo: time, minimum: 2))
            async let stepCounts: Counts = {
                var counts = try await Self.counts(
                    of: schoolIDs, at: time, settledBy: now, includeRestricted: includeRestricted, dueSoonHours: dueSoonHours,
                    listLimit: listLimit, tx)
                if counts.listed == nil, let totals = counts.steps {
                    counts.listed = try await Self.listed(
                        schoolIDs, totals: totals, at: time, includeRestricted: includeRestricted, dueSoonHours: dueSoonHours,
                        listLimit: listLimit, tx)
                }
                return counts
            }()
            async let trainingHolders = TrainingService.holders(at: chosen, on: day, tx)
            // The failed checks still open and the calendars of every school, each kind of record read once.
            async let failedChecks = OwnedReads.atSchools(tx.filteringChecks, schoolIDs, FilteringCheckQuery(openOnly: true).conditions)
            async let referrals = Self.followUps(
                at: schoolIDs, at: time, dueSoonHours: dueSoonHours, includeRestricted: includeRestricted, tx)
            let holders = try await trainingHolders
            let standings = holders.map { TrainingService.standings(of: $0, on: day, dueSoonDays: 30, requirements: requirements) }
            let calendars = try await GovernanceService.calendars(
                of: schools, on: day, requirements: requirements, training: standings, context.tx)
            let (counts, access, repeated, openChecks, followUps) = try await (
                stepCounts, accessTallies, repeatedLearners, failedChecks, referrals
            )
            var parts: [SchoolDashboard] = []
            for (index, each) in schools.enumerated() {
                parts.append(
                    try await Self.school(
                        each, at: time, counts: counts, accessExceptions: access[index].exceptionCount, training: standings[index],
                        openChecks: openChecks[index], calendar: calendars[index], repeated: repeated[each.id] ?? [:],
                        followUps: followUps[each.id] ?? [],
                        includeRestricted: includeRestricted, dueSoonHours: dueSoonHours, listLimit: listLimit,
                        context.tx))
            }
            return Dashboard(
                asOf: time, dueSoonHours: dueSoonHours, repeatedConcernDays: repeatedConcernDays, listLimit: listLimit, schools: parts)
        }
    }

    static let bands: [(label: String, from: Int, to: Int?)] = [
        ("0–7 days", 0, 7), ("8–30 days", 8, 30), ("31–90 days", 31, 90), ("over 90 days", 91, nil),
    ]

    /// The dashboard's counts for every school at once, one grouped count by school for each.
    struct Counts {
        /// Open incidents in each age band (in ``bands``' order), by school.
        var ages: [[SchoolID: Int]]
        /// Devices held or quarantined, by school and status.
        var devices: [SchoolID: [String: Int]]
        /// Incidents with a step overdue and with one due soon, by school, when counted in
        /// storage (`nil` for an instant before the session's now, when they are tested one by one).
        var steps: (overdue: [SchoolID: Int], dueSoon: [SchoolID: Int])?
        /// The first incidents of each list by school, where the backend reads every school's at
        /// once (`nil` otherwise, when each school's are read with its part).
        var listed: (overdue: [SchoolID: [ProcedureStatus]], dueSoon: [SchoolID: [ProcedureStatus]])?
    }

    /// The first `listLimit` incidents with steps overdue and due soon at each school that has
    /// any, in one read per list where the backend can (``ReportQueries/firstProcedureStatuses(_:perSchool:)``).
    static func listed(
        _ schoolIDs: [SchoolID], totals: (overdue: [SchoolID: Int], dueSoon: [SchoolID: Int]), at time: Date, includeRestricted: Bool,
        dueSoonHours: Int, listLimit: Int, _ tx: any OnlineSafetyStore
    ) async throws -> (overdue: [SchoolID: [ProcedureStatus]], dueSoon: [SchoolID: [ProcedureStatus]])? {
        let late = schoolIDs.filter { (totals.overdue[$0] ?? 0) > 0 }
        let soon = schoolIDs.filter { (totals.dueSoon[$0] ?? 0) > 0 }
        var overdue: [SchoolID: [ProcedureStatus]] = [:]
        if !late.isEmpty {
            let query = overdueQuery(late, at: time, includeRestricted: includeRestricted)
            guard let found = try await tx.reports.firstProcedureStatuses(query, perSchool: listLimit) else { return nil }
            overdue = found
        }
        var dueSoon: [SchoolID: [ProcedureStatus]] = [:]
        if !soon.isEmpty {
            let query = soonQuery(soon, at: time, dueSoonHours: dueSoonHours, includeRestricted: includeRestricted)
            guard let found = try await tx.reports.firstProcedureStatuses(query, perSchool: listLimit) else { return nil }
            dueSoon = found
        }
        return (overdue, dueSoon)
    }

    /// Incidents with a step not yet satisfied that fell due before `time`.
    static func overdueQuery(_ schoolIDs: [SchoolID], at time: Date, includeRestricted: Bool) -> ProcedureStatusQuery {
        PendingStepsRequest(schoolIDs: schoolIDs, includeRestricted: includeRestricted, at: time, dueSoonHours: 0, listLimit: 1)
            .overdueQuery(schoolIDs)
    }

    /// Incidents whose earliest deadline not yet satisfied falls from `time` to `dueSoonHours` after it.
    static func soonQuery(_ schoolIDs: [SchoolID], at time: Date, dueSoonHours: Int, includeRestricted: Bool) -> ProcedureStatusQuery {
        PendingStepsRequest(schoolIDs: schoolIDs, includeRestricted: includeRestricted, at: time, dueSoonHours: dueSoonHours, listLimit: 1)
            .soonQuery(schoolIDs)
    }

    /// Counts the open incidents by age, the devices in custody and (at or after `settled`, the
    /// session's now, when no step can have been satisfied later) the incidents with steps
    /// overdue and due soon, for all `schoolIDs` in a few grouped counts. Where the backend
    /// answers ``ReportQueries/pendingSteps(_:)``, the steps are counted and the first `listLimit`
    /// of each list read there, asked for while the rest is counted.
    static func counts(
        of schoolIDs: [SchoolID], at time: Date, settledBy settled: Date, includeRestricted: Bool, dueSoonHours: Int,
        listLimit: Int, _ tx: any OnlineSafetyStore
    ) async throws -> Counts {
        let request = PendingStepsRequest(
            schoolIDs: schoolIDs, includeRestricted: includeRestricted, at: time, dueSoonHours: dueSoonHours, listLimit: listLimit)
        async let pending: [SchoolID: PendingSteps]? = time >= settled ? tx.reports.pendingSteps(request) : nil
        @Sendable func bySchool(_ groups: [GroupedCount]) -> [SchoolID: Int] {
            var result: [SchoolID: Int] = [:]
            for group in groups { if case .uuid(let id) = group.key[0] { result[SchoolID(id), default: 0] += group.count } }
            return result
        }
        let day = CalendarDate(time)
        let ageRequest = OpenIncidentsRequest(
            schoolIDs: schoolIDs, includeRestricted: includeRestricted,
            windows: bands.map { band in
                OpenIncidentsRequest.Window(
                    from: band.to.map { day.adding(days: -$0).startOfDay },
                    to: day.adding(days: -band.from).adding(days: 1).startOfDay.addingTimeInterval(-0.001))
            })
        // The bands' counts and the devices' are asked for at once: a backend works on one while
        // the answer of another is read.
        async let keptAges = tx.reports.openIncidentCounts(ageRequest)
        let deviceQuery = DeviceQuery(schoolIDs: schoolIDs, statuses: [.held, .quarantined], includeRestricted: includeRestricted)
        async let deviceGroups = tx.devices.countGrouped(deviceQuery, by: [.column("school_id"), .column("status")])
        let ages: [[SchoolID: Int]]
        if let kept = try await keptAges {
            ages = ageRequest.windows.indices.map { index in kept.mapValues { $0[index] } }
        } else {
            ages = try await withThrowingTaskGroup(of: (Int, [SchoolID: Int]).self) { group in
                for (index, window) in ageRequest.windows.enumerated() {
                    let query = ageRequest.query(window, at: schoolIDs)
                    group.addTask { (index, bySchool(try await tx.incidents.countGrouped(query, by: [.column("school_id")]))) }
                }
                var counted = [[SchoolID: Int]](repeating: [:], count: ageRequest.windows.count)
                for try await (index, counts) in group { counted[index] = counts }
                return counted
            }
        }
        var devices: [SchoolID: [String: Int]] = [:]
        for group in try await deviceGroups {
            if case .uuid(let id) = group.key[0], case .text(let status) = group.key[1] {
                devices[SchoolID(id), default: [:]][status] = group.count
            }
        }
        if let pending = try await pending {
            return Counts(
                ages: ages, devices: devices, steps: (pending.mapValues(\.overdueTotal), pending.mapValues(\.dueSoonTotal)),
                listed: (pending.mapValues(\.overdue), pending.mapValues(\.dueSoon)))
        }
        var steps: (overdue: [SchoolID: Int], dueSoon: [SchoolID: Int])?
        if time >= settled {
            steps = (
                bySchool(try await tx.procedures.countGrouped(request.overdueQuery(schoolIDs), by: [.column("school_id")])),
                bySchool(try await tx.procedures.countGrouped(request.soonQuery(schoolIDs), by: [.column("school_id")]))
            )
        }
        return Counts(ages: ages, devices: devices, steps: steps)
    }

    /// The referrals with a follow-up due by the window's end whose incident is still open, by
    /// school, soonest first: every school's referrals due by then in one read (through the
    /// entries' follow-up column), and whether their incidents are open in one more where the
    /// backend can (``ReportQueries/openIncidents(among:)``), so the cost follows the referrals
    /// due rather than every referral ever made.
    static func followUps(
        at schoolIDs: [SchoolID], at time: Date, dueSoonHours: Int, includeRestricted: Bool, _ tx: any OnlineSafetyStore
    ) async throws -> [SchoolID: [ReferralFollowUp]] {
        let horizon = time.addingTimeInterval(Double(dueSoonHours) * 3_600)
        // Only the referrals due by the window's end are read (a millisecond beyond it, so that a
        // backend's rounding of instants cannot leave one out; each is tested exactly below).
        var query = ChronologyQuery(schoolIDs: schoolIDs, kinds: ["referral"], includeRestricted: includeRestricted)
        query.followUpDueBy = horizon.addingTimeInterval(0.001)
        let entries = try await tx.chronology.find(query)
        var due: [(school: SchoolID, incident: IncidentID, referral: Referral)] = []
        for entry in entries {
            guard case .referral(let referral) = entry.content, let date = referral.followUpDue, date <= horizon else { continue }
            due.append((entry.schoolIDValue, entry.incidentID, referral))
        }
        let incidents = Array(Set(due.map(\.incident))).sorted()
        var open: Set<IncidentID>
        if let found = try await tx.reports.openIncidents(among: incidents) {
            open = found
        } else {
            open = []
            for id in incidents where try await tx.incidents.get(id)?.isOpen == true { open.insert(id) }
        }
        var result: [SchoolID: [ReferralFollowUp]] = [:]
        for each in due where open.contains(each.incident) {
            guard let date = each.referral.followUpDue else { continue }
            result[each.school, default: []].append(
                ReferralFollowUp(incidentID: each.incident, agency: each.referral.agency, followUpDue: date, overdue: date < time))
        }
        return result.mapValues { $0.sorted { $0.followUpDue < $1.followUpDue } }
    }

    /// One school's part, beside what was read for every school (`accessExceptions` is its
    /// number of grants without a current agreement, `training` its role holders' training
    /// standings, `checks` its failed checks still open, `calendar` its governance calendar,
    /// `involvement` its learners in two or more incidents within the window, `followUps` its
    /// referrals awaiting follow-up, soonest first). Where `counts` holds the
    /// steps (at or after the session's now) they are paged in storage; before it, the
    /// candidates are read and tested one by one.
    static func school(
        _ school: School, at time: Date, counts: Counts, accessExceptions: Int,
        training: (statuses: [TrainingStatus], latest: [PersonID: [TrainingLatest]]), openChecks checks: [FilteringCheck],
        calendar: GovernanceCalendar, repeated involvement: [PersonID: Int], followUps: [ReferralFollowUp],
        includeRestricted: Bool, dueSoonHours: Int, listLimit: Int, _ tx: any OnlineSafetyStore
    ) async throws -> SchoolDashboard {
        let ages = bands.enumerated().map { index, band in
            AgeBand(label: band.label, fromDays: band.from, toDays: band.to, count: counts.ages[index][school.id] ?? 0)
        }
        // Steps overdue now or due within the window.
        let horizon = time.addingTimeInterval(Double(dueSoonHours) * 3_600)
        func late(_ status: ProcedureStatus) -> [ProcedureStep] { status.steps.filter { $0.isOverdue(asOf: time) } }
        func soon(_ status: ProcedureStatus) -> [ProcedureStep] {
            status.steps.filter { step in
                step.satisfiedAt == nil && !step.isOverdue(asOf: time) && (step.due.map { $0 >= time && $0 <= horizon } ?? false)
            }
        }
        func steps(_ status: ProcedureStatus, _ list: [ProcedureStep]) -> IncidentSteps {
            IncidentSteps(
                incidentID: status.incidentID, schoolID: status.schoolIDValue, categoryCode: status.categoryCode,
                steps: list.sorted { ($0.due ?? .distantFuture) < ($1.due ?? .distantFuture) })
        }
        var overdue: [IncidentSteps] = []
        var dueSoon: [IncidentSteps] = []
        var overdueTotal = 0
        var dueSoonTotal = 0
        if let totals = counts.steps {
            overdueTotal = totals.overdue[school.id] ?? 0
            dueSoonTotal = totals.dueSoon[school.id] ?? 0
            if let listed = counts.listed {
                overdue = (listed.overdue[school.id] ?? []).map { steps($0, late($0)) }
                dueSoon = (listed.dueSoon[school.id] ?? []).map { steps($0, soon($0)) }
            } else {
                if overdueTotal > 0 {
                    let query = overdueQuery([school.id], at: time, includeRestricted: includeRestricted)
                    overdue = try await tx.procedures.find(query.limited(listLimit)).map { steps($0, late($0)) }
                }
                if dueSoonTotal > 0 {
                    let query = soonQuery([school.id], at: time, dueSoonHours: dueSoonHours, includeRestricted: includeRestricted)
                    dueSoon = try await tx.procedures.find(query.limited(listLimit)).map { steps($0, soon($0)) }
                }
            }
        } else {
            let statuses = try await tx.procedures.find(
                ProcedureStatusQuery(schoolIDs: [school.id], includeRestricted: includeRestricted, dueBy: horizon))
            for status in statuses {
                let lateSteps = late(status)
                let soonSteps = soon(status)
                if !lateSteps.isEmpty {
                    overdueTotal += 1
                    if overdue.count < listLimit { overdue.append(steps(status, lateSteps)) }
                } else if !soonSteps.isEmpty {
                    dueSoonTotal += 1
                    if dueSoon.count < listLimit { dueSoon.append(steps(status, soonSteps)) }
                }
            }
        }
        let referralsTotal = followUps.count
        let devices = counts.devices[school.id] ?? [:]
        let repeated = involvement.map { RepeatedConcern(learnerID: $0.key, incidents: $0.value) }
            .sorted { $0.incidents != $1.incidents ? $0.incidents > $1.incidents : $0.learnerID < $1.learnerID }
        // Overdue and never done first, then due soon, each in the standings' order.
        let trainingDue =
            training.statuses.filter { $0.state == .overdue || $0.state == .neverDone } + training.statuses.filter { $0.state == .dueSoon }
        return SchoolDashboard(
            schoolID: school.id, name: school.name, openIncidents: ages, overdueSteps: overdue, overdueTotal: overdueTotal,
            dueSoonSteps: dueSoon, dueSoonTotal: dueSoonTotal, referralsAwaitingFollowUp: Array(followUps.prefix(listLimit)),
            referralsTotal: referralsTotal, devicesInCustody: devices, repeatedConcerns: Array(repeated.prefix(listLimit)),
            repeatedConcernsTotal: repeated.count, trainingDue: Array(trainingDue.prefix(listLimit)), trainingDueTotal: trainingDue.count,
            accessWithoutCurrentAUP: accessExceptions, openFailedChecks: checks, calendarOverdue: calendar.overdue)
    }
}
