import Foundation

/// One school's raw counts for the governors' report, before suppression (never leaves the SDK:
/// only ``GovernorsSection`` values, suppressed, do).
struct GovernorsCounts: Sendable {
    /// Incident counts keyed by category code, restricted flag and risk area.
    struct IncidentKey: Hashable, Sendable {
        let category: String
        let restricted: Bool
        let riskArea: String
    }

    var schoolID: SchoolID?
    var urn: String?
    var name: String
    /// Per term of the period: this year's and last year's counts.
    var terms: [(term: ReportPeriod, thisYear: [IncidentKey: Int], lastYear: [IncidentKey: Int])]
    var referrals: [String: Int]
    /// Each measured incident's minutes from report to first action.
    var responseMinutes: [Int]
    var training: [(code: String, label: String, people: Int, covered: Int)]
    var agreements: [(code: String, label: String, people: Int, covered: Int)]
    var consent: [(code: String, label: String, people: Int, covered: Int)]
    var filtering: FilteringCounts?
    var calendar: GovernanceCalendar?
    var categoryNames: [String: String]

    struct FilteringCounts: Sendable {
        var provider: String
        var connection: String
        var seniorLeaderNamed: Bool
        var governorNamed: Bool
        var changes: [FilteringChangeStatus: Int]
        var checksPassed: Int
        var checksFailed: Int
        var failuresOpen: Int
        var lastReview: CalendarDate?
        var nextReviewDue: CalendarDate
    }

    /// The trust's roll-up: every school's counts added up (the register and calendar stay per school).
    static func sum(_ parts: [GovernorsCounts], name: String) -> GovernorsCounts {
        var total = GovernorsCounts(
            schoolID: nil, urn: nil, name: name, terms: parts.first?.terms.map { ($0.term, [:], [:]) } ?? [], referrals: [:],
            responseMinutes: [], training: [], agreements: [], consent: [], filtering: nil, calendar: nil, categoryNames: [:])
        for part in parts {
            for (index, term) in part.terms.enumerated() where index < total.terms.count {
                total.terms[index].thisYear.merge(term.thisYear, uniquingKeysWith: +)
                total.terms[index].lastYear.merge(term.lastYear, uniquingKeysWith: +)
            }
            total.referrals.merge(part.referrals, uniquingKeysWith: +)
            total.responseMinutes += part.responseMinutes
            total.training = merge(total.training, part.training)
            total.agreements = merge(total.agreements, part.agreements)
            total.consent = merge(total.consent, part.consent)
            total.categoryNames.merge(part.categoryNames) { first, _ in first }
        }
        return total
    }

    private static func merge(
        _ a: [(code: String, label: String, people: Int, covered: Int)], _ b: [(code: String, label: String, people: Int, covered: Int)]
    ) -> [(code: String, label: String, people: Int, covered: Int)] {
        var result = a
        for row in b {
            if let index = result.firstIndex(where: { $0.code == row.code }) {
                result[index].people += row.people
                result[index].covered += row.covered
            } else {
                result.append(row)
            }
        }
        return result
    }
}

/// Turns raw counts into the governors' suppressed figures.
enum GovernorsCalculator {
    static func section(_ counts: GovernorsCounts, threshold: Int) -> GovernorsSection {
        func figure(_ n: Int) -> ReportFigure { ReportFigure(n, threshold: threshold) }
        func categories(_ raw: [GovernorsCounts.IncidentKey: Int]) -> [ReportLine] {
            var byCode: [String: Int] = [:]
            var restricted = 0
            for (key, n) in raw {
                if key.restricted { restricted += n } else { byCode[key.category, default: 0] += n }
            }
            let order = IncidentCategory.builtIns.map(\.code)
            let codes = byCode.keys.sorted { (order.firstIndex(of: $0) ?? 99, $0) < (order.firstIndex(of: $1) ?? 99, $1) }
            var lines = codes.map { ReportLine(code: $0, label: counts.categoryNames[$0] ?? $0, figure: figure(byCode[$0] ?? 0)) }
            lines.append(ReportLine(code: "restricted", label: "Restricted categories", figure: figure(restricted)))
            return lines
        }
        func riskAreas(_ raw: [GovernorsCounts.IncidentKey: Int]) -> [ReportLine] {
            RiskArea.allCases.map { area in
                let n = raw.filter { !$0.key.restricted && $0.key.riskArea == area.rawValue }.values.reduce(0, +)
                return ReportLine(
                    code: area.rawValue, label: area.rawValue.prefix(1).uppercased() + area.rawValue.dropFirst(), figure: figure(n))
            }
        }
        let terms = counts.terms.map { term in
            TermIncidents(
                term: term.term, total: figure(term.thisYear.values.reduce(0, +)), totalLastYear: figure(term.lastYear.values.reduce(0, +)),
                byCategory: categories(term.thisYear), byCategoryLastYear: categories(term.lastYear), byRiskArea: riskAreas(term.thisYear),
                byRiskAreaLastYear: riskAreas(term.lastYear))
        }
        let total = counts.terms.reduce(0) { $0 + $1.thisYear.values.reduce(0, +) }
        let totalLastYear = counts.terms.reduce(0) { $0 + $1.lastYear.values.reduce(0, +) }
        let referrals = ReferralAgency.allCases.map { agency in
            ReportLine(code: agency.rawValue, label: agencyLabel(agency), figure: figure(counts.referrals[agency.rawValue] ?? 0))
        }
        let sorted = counts.responseMinutes.sorted()
        var median: Double?
        if sorted.count >= threshold, !sorted.isEmpty {
            let middle = sorted.count / 2
            median = sorted.count % 2 == 1 ? Double(sorted[middle]) : Double(sorted[middle - 1] + sorted[middle]) / 2
        }
        let firstAction = FirstActionFigures(
            incidents: figure(sorted.count), medianHours: median.map { ($0 / 6).rounded() / 10 },
            medianWorkingDays: median.map { ($0 / 48).rounded() / 10 })
        func coverage(_ rows: [(code: String, label: String, people: Int, covered: Int)]) -> [CoverageFigure] {
            rows.map { CoverageFigure(code: $0.code, label: $0.label, people: $0.people, covered: $0.covered, threshold: threshold) }
        }
        let filtering = counts.filtering.map { raw in
            GovernorsFiltering(
                filteringProvider: raw.provider, connection: raw.connection, seniorLeaderNamed: raw.seniorLeaderNamed,
                governorNamed: raw.governorNamed,
                changes: FilteringChangeStatus.allCases.map {
                    ReportLine(
                        code: $0.rawValue, label: $0.rawValue.prefix(1).uppercased() + $0.rawValue.dropFirst(),
                        figure: figure(raw.changes[$0] ?? 0))
                },
                checks: [
                    ReportLine(code: "passed", label: "Passed", figure: figure(raw.checksPassed)),
                    ReportLine(code: "failed", label: "Failed", figure: figure(raw.checksFailed)),
                    ReportLine(code: "open", label: "Failed, action still open", figure: figure(raw.failuresOpen)),
                ], lastReview: raw.lastReview, nextReviewDue: raw.nextReviewDue)
        }
        return GovernorsSection(
            schoolID: counts.schoolID, urn: counts.urn, name: counts.name, total: figure(total), totalLastYear: figure(totalLastYear),
            terms: terms, referralsByAgency: referrals, firstAction: firstAction, training: coverage(counts.training),
            agreements: coverage(counts.agreements), consent: coverage(counts.consent), filtering: filtering,
            calendar: counts.calendar.map { calendarLines($0, threshold: threshold) } ?? [])
    }

    /// School-level items as they are; items about one person (training renewals) folded into counts.
    static func calendarLines(_ calendar: GovernanceCalendar, threshold: Int) -> [GovernorsCalendarLine] {
        var lines = calendar.items.filter { $0.personID == nil }.map {
            GovernorsCalendarLine(kind: $0.kind, title: $0.title, dueOn: $0.dueOn, status: $0.status)
        }
        let personal = calendar.items.filter { $0.personID != nil }
        for kind in CalendarItemKind.allCases {
            let items = personal.filter { $0.kind == kind }
            guard !items.isEmpty else { continue }
            func count(_ status: CalendarItemStatus) -> ReportFigure {
                ReportFigure(items.filter { $0.status == status }.count, threshold: threshold)
            }
            lines.append(
                GovernorsCalendarLine(
                    kind: kind, title: kind == .trainingRenewal ? "Training renewals" : "Renewals", dueOn: nil, status: nil,
                    done: count(.done),
                    due: count(.due), overdue: count(.overdue)))
        }
        return lines
    }

    /// Agency names without the school's own contacts.
    static func agencyLabel(_ agency: ReferralAgency) -> String {
        switch agency {
        case .police101: "Police (101)"
        case .police999: "Police (999)"
        case .childrensSocialCare: "Children's social care (MASH)"
        case .lado: "LADO"
        case .iwf: "Internet Watch Foundation"
        case .ceop: "NCA-CEOP"
        case .prevent: "Prevent / Channel"
        case .cyberChoices: "Cyber Choices"
        case .localSafeguardingAdvice: "Local safeguarding advice"
        case .childSexualExploitationTeam: "Child sexual exploitation team"
        }
    }
}
