import Foundation

/// Reports for those who oversee the school: the governors' report, through the session's gate.
///
/// ```swift
/// let report = try await governor.reports.governors(period: ReportPeriod(parsing: "2025-26")!)
/// print(report.schools[0].total)   // "fewer than 5", or a number
/// ```
public struct ReportService: Sendable {
    let session: SafetySession

    private var principal: Principal { session.principal }

    /// The governors' report for a period: incidents by category and risk area per term with the
    /// same term last year, referrals by agency, time from report to first action, training,
    /// agreement and consent coverage, the filtering register and the calendar, for the session's
    /// school or, `acrossTrust`, each school of its trust and the trust rolled up.
    ///
    /// It never identifies a child: every count from 1 below the school's
    /// ``PolicySettings/governorReportThreshold`` reads "fewer than N", no free text from any
    /// incident appears and restricted categories are counted in one combined line. Requires
    /// `readAggregates` (held trust-wide for the trust); throws `forbidden`, and `invalidInput`
    /// when the school belongs to no trust. Computed from grouped counts in one transaction;
    /// records one read per school reported on.
    public func governors(
        period: ReportPeriod, acrossTrust: Bool = false, requirements: [TrainingRequirement] = TrainingRequirement.defaults
    ) async throws -> GovernorsReport {
        var decision = AccessPolicy.require(.readAggregates, principal, to: "read the governors' report")
        if acrossTrust && decision == .allowed && !AccessPolicy.holdsTrustWide(.readAggregates, principal) {
            decision = .denied("only someone holding a role across the trust can read the trust's governors' report")
        }
        let school = principal.school
        let now = session.clock.now()
        let today = session.today
        return try await session.gate(
            .governorsReport, School.recordKind, subject: nil, authority: decision,
            subjects: .of { $0.schools.compactMap(\.schoolID?.uuid) }
        ) { context in
            var schools = [try await context.tx.schools.get(school.id) ?? school]
            var trustName: String?
            if acrossTrust {
                guard let trustID = school.trustID else {
                    throw SafetyError.invalid("report.acrossTrust", "the school belongs to no trust: ask for the school's report")
                }
                schools = try await context.tx.schools.find(SchoolQuery(trustID: trustID))
                trustName = try await context.tx.trusts.get(trustID)?.name
            }
            let ids = schools.map(\.id)
            let incidents = try await Self.incidentCounts(at: ids, period: period, context.tx)
            let chronology = try await Self.chronologyCounts(at: ids, period: period, context.tx)
            // Coverage and the register as they stand at the end of the period (or today, if sooner);
            // the role holders and their training are read once for the coverage and the calendar.
            let day = min(period.days.last, today)
            let holders = try await TrainingService.holders(at: schools, on: day, context.tx)
            let compliance = try await ComplianceLoader.schools(
                schools, on: day, dueSoonDays: 30, requirements: requirements, detailed: false, holders: holders, withoutGrants: true,
                context.tx)
            let categories = try await OwnedReads.bySchool(context.tx.categories, schools)
            // The registers and calendars of every school, each kind of record read once.
            let states = try await FilteringRegisterService.states(of: schools, on: day, context.tx)
            let standings = holders.map { TrainingService.standings(of: $0, on: day, dueSoonDays: 30, requirements: requirements) }
            let calendars = try await GovernanceService.calendars(
                of: schools, on: day, requirements: requirements, training: standings, context.tx)
            var parts: [GovernorsCounts] = []
            for (index, each) in schools.enumerated() {
                parts.append(
                    Self.counts(
                        of: each, period: period, incidents: incidents[each.id] ?? [:],
                        chronology: chronology[each.id] ?? ChronologyCounts(), compliance: compliance[index],
                        categories: categories[index].map(\.category), register: states[index], calendar: calendars[index]))
            }
            let threshold = schools.map(\.settings.governorReportThreshold).max() ?? 5
            let thresholds = schools.map(\.settings.governorReportThreshold)
            let sum = acrossTrust ? GovernorsCounts.sum(parts, name: trustName ?? "Trust") : nil
            let withheld = GovernorsCalculator.withheld(
                schools: Array(zip(parts, thresholds)), trust: sum.map { ($0, threshold) })
            let sections = parts.indices.map {
                GovernorsCalculator.section(parts[$0], threshold: thresholds[$0], withheld: withheld.schools[$0])
            }
            let trust = sum.map { GovernorsCalculator.section($0, threshold: threshold, withheld: withheld.trust) }
            return GovernorsReport(
                period: period, threshold: threshold, generatedAt: now, trustName: trustName, schools: sections, trust: trust)
        }
    }

    /// The incidents of each term of the period and of the same term a year earlier, at each
    /// school, by category, restriction and risk area: one grouped count per term for all schools.
    static func incidentCounts(
        at schoolIDs: [SchoolID], period: ReportPeriod, _ tx: any OnlineSafetyStore
    ) async throws -> [SchoolID: [ReportPeriod: [GovernorsCounts.IncidentKey: Int]]] {
        let keys: [GroupKey] = [.column("school_id"), .column("category"), .column("restricted"), .column("risk_area")]
        var result: [SchoolID: [ReportPeriod: [GovernorsCounts.IncidentKey: Int]]] = [:]
        let terms = period.terms.flatMap { [$0, $0.lastYear] }
        // Every term at once where the backend can; term by term otherwise.
        var counted = try await tx.reports.incidentCounts(at: schoolIDs, in: terms)
        if counted == nil {
            var each: [[GroupedCount]] = []
            for term in terms {
                let query = IncidentQuery(schoolIDs: schoolIDs, includeRestricted: true, occurredFrom: term.start, occurredTo: term.end)
                each.append(try await tx.incidents.countGrouped(query, by: keys))
            }
            counted = each
        }
        for (term, groups) in zip(terms, counted ?? []) {
            for group in groups {
                guard case .uuid(let school) = group.key[0], case .text(let category) = group.key[1] else { continue }
                let restricted = group.key[2] == .boolean(true)
                let area = if case .text(let text) = group.key[3] { text } else { "" }
                let key = GovernorsCounts.IncidentKey(category: category, restricted: restricted, riskArea: area)
                result[SchoolID(school), default: [:]][term, default: [:]][key, default: 0] += group.count
            }
        }
        return result
    }

    /// Each school's referrals by agency and the minutes from report to first action of each of
    /// its incidents reported within the period: two grouped counts for all schools.
    static func chronologyCounts(
        at schoolIDs: [SchoolID], period: ReportPeriod, _ tx: any OnlineSafetyStore
    ) async throws -> [SchoolID: ChronologyCounts] {
        var result: [SchoolID: ChronologyCounts] = [:]
        let referralQuery = ChronologyQuery(
            schoolIDs: schoolIDs, kinds: ["referral"], includeRestricted: true, reportedFrom: period.start, reportedTo: period.end)
        for group in try await tx.chronology.countGrouped(referralQuery, by: [.column("school_id"), .column("referral_agency")]) {
            if case .uuid(let school) = group.key[0], case .text(let agency) = group.key[1] {
                result[SchoolID(school), default: ChronologyCounts()].referrals[agency, default: 0] += group.count
            }
        }
        let actionQuery = ChronologyQuery(
            schoolIDs: schoolIDs, kinds: ChronologyEntry.actionKinds, includeRestricted: true, reportedFrom: period.start,
            reportedTo: period.end)
        var firstAction: [SchoolID: [IndexValue: Int]] = [:]
        let keys: [GroupKey] = [.column("school_id"), .column("incident_id"), .column("response_minutes")]
        for group in try await tx.chronology.countGrouped(actionQuery, by: keys) {
            guard case .uuid(let school) = group.key[0], case .integer(let minutes) = group.key[2] else { continue }
            firstAction[SchoolID(school), default: [:]][group.key[1]] = min(
                firstAction[SchoolID(school)]?[group.key[1]] ?? .max, minutes)
        }
        for (school, minutes) in firstAction { result[school, default: ChronologyCounts()].responseMinutes = Array(minutes.values) }
        return result
    }

    /// One school's referrals by agency and minutes to first action (see
    /// ``chronologyCounts(at:period:_:)``).
    struct ChronologyCounts {
        var referrals: [String: Int] = [:]
        var responseMinutes: [Int] = []
    }

    /// One school's raw counts from what was read for every school: `incidents` and `chronology`
    /// hold the school's part of ``incidentCounts(at:period:_:)`` and
    /// ``chronologyCounts(at:period:_:)``, `compliance` its coverage figures, `categories` the
    /// school's and its trust's own incident categories, `register` and `calendar` its filtering
    /// register and governance calendar, all on the report's day.
    static func counts(
        of school: School, period: ReportPeriod, incidents: [ReportPeriod: [GovernorsCounts.IncidentKey: Int]],
        chronology: ChronologyCounts, compliance: SchoolCompliance, categories custom: [IncidentCategory],
        register state: FilteringRegisterState, calendar: GovernanceCalendar
    ) -> GovernorsCounts {
        var terms: [(term: ReportPeriod, thisYear: [GovernorsCounts.IncidentKey: Int], lastYear: [GovernorsCounts.IncidentKey: Int])] = []
        for term in period.terms {
            terms.append((term, incidents[term] ?? [:], incidents[term.lastYear] ?? [:]))
        }
        let figures = compliance.figures
        let training = figures.training.map {
            (
                code: "training.\($0.role.rawValue).\($0.requirementCode)", label: "\($0.role.title): \($0.requirementCode)",
                people: $0.people,
                covered: $0.compliant + $0.dueSoon
            )
        }
        let agreements = figures.aup.map {
            (code: "aup.\($0.audience.rawValue)", label: $0.audience.title, people: $0.people, covered: $0.accepted)
        }
        let consent = figures.consent.map {
            (code: "consent.\($0.purposeCode)", label: $0.purposeName, people: $0.learners, covered: $0.granted)
        }
        let days = period.days
        let inPeriod = { (date: CalendarDate) in days.contains(date) }
        var changes: [FilteringChangeStatus: Int] = [:]
        for change in state.changes where inPeriod(CalendarDate(change.requestedAt)) { changes[change.status, default: 0] += 1 }
        let checks = state.checks.filter { inPeriod($0.checkedOn) }
        let filtering = GovernorsCounts.FilteringCounts(
            provider: state.filteringProvider, connection: state.connection, seniorLeaderNamed: state.seniorLeader != nil,
            governorNamed: state.governor != nil, changes: changes, checksPassed: checks.filter { $0.result == .passed }.count,
            checksFailed: checks.filter { $0.result == .failed }.count, failuresOpen: state.checks.filter(\.isOpen).count,
            lastReview: state.lastReview?.reviewedOn, nextReviewDue: state.nextReviewDue)
        let names = Dictionary((IncidentCategory.builtIns + custom).map { ($0.code, $0.name) }, uniquingKeysWith: { first, _ in first })
        return GovernorsCounts(
            schoolID: school.id, urn: school.urn, name: school.name, terms: terms, referrals: chronology.referrals,
            responseMinutes: chronology.responseMinutes, training: training, agreements: agreements, consent: consent, filtering: filtering,
            calendar: calendar, categoryNames: names)
    }
}
