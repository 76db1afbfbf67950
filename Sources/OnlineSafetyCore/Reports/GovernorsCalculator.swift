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
    /// A term's incidents by category code (restricted ones in one line coded `restricted`) in
    /// the report's order, and by risk area (unrestricted only).
    static func lines(_ raw: [GovernorsCounts.IncidentKey: Int]) -> (categories: [(String, Int)], areas: [(String, Int)]) {
        var byCode: [String: Int] = [:]
        var restricted = 0
        for (key, n) in raw {
            if key.restricted { restricted += n } else { byCode[key.category, default: 0] += n }
        }
        let order = IncidentCategory.builtIns.map(\.code)
        let codes = byCode.keys.sorted { (order.firstIndex(of: $0) ?? 99, $0) < (order.firstIndex(of: $1) ?? 99, $1) }
        let areas = RiskArea.allCases.map { area in
            (area.rawValue, raw.filter { !$0.key.restricted && $0.key.riskArea == area.rawValue }.values.reduce(0, +))
        }
        return (codes.map { ($0, byCode[$0] ?? 0) } + [("restricted", restricted)], areas)
    }

    /// The key of each figure tied to others by a sum (see ``Disclosure``).
    enum Key {
        static func total(_ lastYear: Bool) -> String { "\(lastYear ? "last" : "this")|total" }
        static func term(_ index: Int, _ lastYear: Bool) -> String { "\(lastYear ? "last" : "this")|\(index)" }
        static func referral(_ agency: String) -> String { "referral|\(agency)" }
        static let firstAction = "first-action"
        static func coverage(_ group: String, _ code: String, _ measure: String) -> String { "coverage|\(group)|\(code)|\(measure)" }
    }

    /// Adds one section's figures and the sums that tie them, each key under `prefix`.
    static func cells(_ counts: GovernorsCounts, prefix: String, threshold: Int, into disclosure: inout Disclosure) {
        func add(_ key: String, _ n: Int) { disclosure.add(prefix + key, n, threshold: threshold) }
        for lastYear in [false, true] {
            var termTotals: [String] = []
            var yearTotal = 0
            for (index, term) in counts.terms.enumerated() {
                let raw = lastYear ? term.lastYear : term.thisYear
                let termKey = Key.term(index, lastYear)
                let (categories, areas) = lines(raw)
                let termTotal = raw.values.reduce(0, +)
                yearTotal += termTotal
                add(termKey + "|total", termTotal)
                for (code, n) in categories { add(termKey + "|category|" + code, n) }
                for (code, n) in areas { add(termKey + "|area|" + code, n) }
                disclosure.sum(prefix + termKey + "|total", of: categories.map { prefix + termKey + "|category|" + $0.0 })
                disclosure.sum(
                    prefix + termKey + "|total",
                    of: areas.map { prefix + termKey + "|area|" + $0.0 } + [prefix + termKey + "|category|restricted"])
                termTotals.append(prefix + termKey + "|total")
            }
            add(Key.total(lastYear), yearTotal)
            disclosure.sum(prefix + Key.total(lastYear), of: termTotals)
        }
        for agency in ReferralAgency.allCases { add(Key.referral(agency.rawValue), counts.referrals[agency.rawValue] ?? 0) }
        add(Key.firstAction, counts.responseMinutes.count)
        for (group, rows) in [("training", counts.training), ("agreements", counts.agreements), ("consent", counts.consent)] {
            for row in rows {
                add(Key.coverage(group, row.code, "people"), row.people)
                add(Key.coverage(group, row.code, "covered"), row.covered)
            }
        }
    }

    /// The keys withheld in each school's section and in the trust's, so that no small count
    /// can be worked out from a section's totals or from the trust's figures less its schools'.
    static func withheld(
        schools: [(counts: GovernorsCounts, threshold: Int)], trust: (counts: GovernorsCounts, threshold: Int)?
    ) -> (schools: [Set<String>], trust: Set<String>) {
        var disclosure = Disclosure()
        var trustKeys: [String] = []
        if let trust {
            var own = Disclosure()
            cells(trust.counts, prefix: "", threshold: trust.threshold, into: &own)
            cells(trust.counts, prefix: "trust|", threshold: trust.threshold, into: &disclosure)
            trustKeys = own.allKeys
        }
        for (index, school) in schools.enumerated() {
            cells(school.counts, prefix: "school\(index)|", threshold: school.threshold, into: &disclosure)
        }
        for key in trustKeys {
            disclosure.sum("trust|" + key, of: schools.indices.map { "school\($0)|" + key })
        }
        disclosure.protect()
        func strip(_ prefix: String) -> Set<String> {
            Set(disclosure.withheld.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) })
        }
        return (schools.indices.map { strip("school\($0)|") }, strip("trust|"))
    }

    static func section(_ counts: GovernorsCounts, threshold: Int, withheld: Set<String> = []) -> GovernorsSection {
        func figure(_ n: Int, _ key: String) -> ReportFigure {
            withheld.contains(key) ? .notShown : ReportFigure(n, threshold: threshold)
        }
        func categories(_ raw: [GovernorsCounts.IncidentKey: Int], _ termKey: String) -> [ReportLine] {
            lines(raw).categories.map { code, n in
                ReportLine(
                    code: code, label: code == "restricted" ? "Restricted categories" : counts.categoryNames[code] ?? code,
                    figure: figure(n, termKey + "|category|" + code))
            }
        }
        func riskAreas(_ raw: [GovernorsCounts.IncidentKey: Int], _ termKey: String) -> [ReportLine] {
            lines(raw).areas.map { code, n in
                ReportLine(code: code, label: code.prefix(1).uppercased() + code.dropFirst(), figure: figure(n, termKey + "|area|" + code))
            }
        }
        let terms = counts.terms.enumerated().map { index, term in
            let now = Key.term(index, false)
            let before = Key.term(index, true)
            return TermIncidents(
                term: term.term, total: figure(term.thisYear.values.reduce(0, +), now + "|total"),
                totalLastYear: figure(term.lastYear.values.reduce(0, +), before + "|total"),
                byCategory: categories(term.thisYear, now), byCategoryLastYear: categories(term.lastYear, before),
                byRiskArea: riskAreas(term.thisYear, now), byRiskAreaLastYear: riskAreas(term.lastYear, before))
        }
        let total = counts.terms.reduce(0) { $0 + $1.thisYear.values.reduce(0, +) }
        let totalLastYear = counts.terms.reduce(0) { $0 + $1.lastYear.values.reduce(0, +) }
        let referrals = ReferralAgency.allCases.map { agency in
            ReportLine(
                code: agency.rawValue, label: agencyLabel(agency),
                figure: figure(counts.referrals[agency.rawValue] ?? 0, Key.referral(agency.rawValue)))
        }
        let sorted = counts.responseMinutes.sorted()
        var median: Double?
        if sorted.count >= threshold, !sorted.isEmpty {
            let middle = sorted.count / 2
            median = sorted.count % 2 == 1 ? Double(sorted[middle]) : Double(sorted[middle - 1] + sorted[middle]) / 2
        }
        let firstAction = FirstActionFigures(
            incidents: figure(sorted.count, Key.firstAction), medianHours: median.map { ($0 / 6).rounded() / 10 },
            medianWorkingDays: median.map { ($0 / 48).rounded() / 10 })
        func coverage(_ rows: [(code: String, label: String, people: Int, covered: Int)], _ group: String) -> [CoverageFigure] {
            rows.map {
                CoverageFigure(
                    code: $0.code, label: $0.label, people: $0.people, covered: $0.covered,
                    peopleFigure: figure($0.people, Key.coverage(group, $0.code, "people")),
                    coveredFigure: figure($0.covered, Key.coverage(group, $0.code, "covered")))
            }
        }
        let filtering = counts.filtering.map { raw in
            GovernorsFiltering(
                filteringProvider: raw.provider, connection: raw.connection, seniorLeaderNamed: raw.seniorLeaderNamed,
                governorNamed: raw.governorNamed,
                changes: FilteringChangeStatus.allCases.map {
                    ReportLine(
                        code: $0.rawValue, label: $0.rawValue.prefix(1).uppercased() + $0.rawValue.dropFirst(),
                        figure: ReportFigure(raw.changes[$0] ?? 0, threshold: threshold))
                },
                checks: [
                    ReportLine(code: "passed", label: "Passed", figure: ReportFigure(raw.checksPassed, threshold: threshold)),
                    ReportLine(code: "failed", label: "Failed", figure: ReportFigure(raw.checksFailed, threshold: threshold)),
                    ReportLine(
                        code: "open", label: "Failed, action still open", figure: ReportFigure(raw.failuresOpen, threshold: threshold)),
                ], lastReview: raw.lastReview, nextReviewDue: raw.nextReviewDue)
        }
        return GovernorsSection(
            schoolID: counts.schoolID, urn: counts.urn, name: counts.name, total: figure(total, Key.total(false)),
            totalLastYear: figure(totalLastYear, Key.total(true)),
            terms: terms, referralsByAgency: referrals, firstAction: firstAction, training: coverage(counts.training, "training"),
            agreements: coverage(counts.agreements, "agreements"), consent: coverage(counts.consent, "consent"), filtering: filtering,
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
