public import Foundation

/// A count as the governors' report prints it: the number, "fewer than N" for a count from
/// 1 to N−1, so that no small group (and so no child) can be picked out, or "not shown" for a
/// count withheld because, printed, it would let a reader work out a small count from a total.
public struct ReportFigure: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The count, or `nil` when it is suppressed or withheld.
    public let count: Int?
    /// The threshold it fell below, when suppressed.
    public let fewerThan: Int?
    /// Whether the count is withheld: it is not small itself, but printing it would reveal one
    /// that is (a total less the figures printed beside it).
    public let withheld: Bool

    /// A count under a threshold: suppressed when it is at least 1 and below `threshold`.
    public init(_ count: Int, threshold: Int) {
        if count > 0 && count < threshold {
            self.count = nil
            self.fewerThan = threshold
        } else {
            self.count = count
            self.fewerThan = nil
        }
        self.withheld = false
    }

    private init(withheld: Void) {
        count = nil
        fewerThan = nil
        self.withheld = true
    }

    /// A count withheld beside a small one.
    static let notShown = ReportFigure(withheld: ())

    /// Whether the count is hidden (suppressed or withheld).
    public var isSuppressed: Bool { count == nil }

    /// "12", "0", "fewer than 5" or "not shown".
    public var description: String {
        if withheld { return "not shown" }
        return count.map(String.init) ?? "fewer than \(fewerThan ?? 0)"
    }

    private enum CodingKeys: String, CodingKey { case count, fewerThan, withheld, text }

    /// Reads `count`, `fewerThan` and `withheld` (the `text` written beside them is ignored).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        count = try container.decodeIfPresent(Int.self, forKey: .count)
        fewerThan = try container.decodeIfPresent(Int.self, forKey: .fewerThan)
        withheld = try container.decodeIfPresent(Bool.self, forKey: .withheld) ?? false
    }

    /// Writes `count`, `fewerThan` or `withheld: true`, and `text` as the report prints it
    /// ("fewer than 5", "not shown").
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(count, forKey: .count)
        try container.encodeIfPresent(fewerThan, forKey: .fewerThan)
        if withheld { try container.encode(true, forKey: .withheld) }
        try container.encode(description, forKey: .text)
    }
}

/// One labelled figure of the report (a category, a risk area, an agency, a status).
public struct ReportLine: Hashable, Sendable, Codable {
    /// A stable code (a category code, `restricted`, a risk area, an agency).
    public let code: String
    /// Words for it.
    public let label: String
    /// The figure.
    public let figure: ReportFigure

    /// Creates a line.
    public init(code: String, label: String, figure: ReportFigure) {
        self.code = code
        self.label = label
        self.figure = figure
    }
}

/// Incidents in one term, with the same term a year earlier.
public struct TermIncidents: Hashable, Sendable, Codable {
    /// The term.
    public let term: ReportPeriod
    /// Incidents that happened in the term.
    public let total: ReportFigure
    /// The same term a year earlier.
    public let totalLastYear: ReportFigure
    /// By category, unrestricted categories only, with every restricted category in one line
    /// coded `restricted` ("restricted categories"), suppressed the same way.
    public let byCategory: [ReportLine]
    /// The same, a year earlier.
    public let byCategoryLastYear: [ReportLine]
    /// By risk area (content, contact, conduct, commerce), of incidents in unrestricted categories.
    public let byRiskArea: [ReportLine]
    /// The same, a year earlier.
    public let byRiskAreaLastYear: [ReportLine]

    /// Creates a term's figures.
    public init(
        term: ReportPeriod, total: ReportFigure, totalLastYear: ReportFigure, byCategory: [ReportLine], byCategoryLastYear: [ReportLine],
        byRiskArea: [ReportLine], byRiskAreaLastYear: [ReportLine]
    ) {
        self.term = term
        self.total = total
        self.totalLastYear = totalLastYear
        self.byCategory = byCategory
        self.byCategoryLastYear = byCategoryLastYear
        self.byRiskArea = byRiskArea
        self.byRiskAreaLastYear = byRiskAreaLastYear
    }
}

/// How long it took from a report to the first action on it (a referral, a decision, an action…).
public struct FirstActionFigures: Hashable, Sendable, Codable {
    /// Incidents reported in the period that had an action recorded.
    public let incidents: ReportFigure
    /// The median, in hours (one decimal), or `nil` when fewer incidents than the threshold were measured.
    public let medianHours: Double?
    /// The median in working days of 8 hours, or `nil` as above.
    public let medianWorkingDays: Double?

    /// Creates the figures.
    public init(incidents: ReportFigure, medianHours: Double?, medianWorkingDays: Double?) {
        self.incidents = incidents
        self.medianHours = medianHours
        self.medianWorkingDays = medianWorkingDays
    }
}

/// A coverage bar: how many of a group have done something (training, an agreement, a consent).
public struct CoverageFigure: Hashable, Sendable, Codable {
    /// What is measured, for example `training.designatedSafeguardingLead.dsl-refresher`.
    public let code: String
    /// Words for it, naming a role or an audience, never a person.
    public let label: String
    /// How many it concerns.
    public let people: ReportFigure
    /// How many have done it.
    public let covered: ReportFigure
    /// The percentage covered (whole number), or `nil` when either count is not printed.
    public let percent: Int?

    /// Creates a figure from counts.
    public init(code: String, label: String, people: Int, covered: Int, threshold: Int) {
        self.code = code
        self.label = label
        self.people = ReportFigure(people, threshold: threshold)
        self.covered = ReportFigure(covered, threshold: threshold)
        self.percent = Self.percent(people, covered, self.people, self.covered)
    }

    /// A figure whose counts are already decided (withheld ones among them).
    init(code: String, label: String, people: Int, covered: Int, peopleFigure: ReportFigure, coveredFigure: ReportFigure) {
        self.code = code
        self.label = label
        self.people = peopleFigure
        self.covered = coveredFigure
        self.percent = Self.percent(people, covered, peopleFigure, coveredFigure)
    }

    /// The percentage, when both counts print (a percentage beside "fewer than 5" of 40 would give it back).
    private static func percent(_ people: Int, _ covered: Int, _ peopleFigure: ReportFigure, _ coveredFigure: ReportFigure) -> Int? {
        guard people > 0, !peopleFigure.isSuppressed, !coveredFigure.isSuppressed else { return nil }
        return Int((Double(covered) * 100 / Double(people)).rounded())
    }
}

/// The filtering and monitoring register as governors read it: counts and dates, no names.
public struct GovernorsFiltering: Hashable, Sendable, Codable {
    /// The filtering provider.
    public let filteringProvider: String
    /// The connection.
    public let connection: String
    /// Whether a senior leader and a governor are named.
    public let seniorLeaderNamed: Bool
    /// Whether a governor is named.
    public let governorNamed: Bool
    /// Changes requested in the period, by status.
    public let changes: [ReportLine]
    /// Checks recorded in the period: passed, failed, failures still open.
    public let checks: [ReportLine]
    /// The last annual review, if any.
    public let lastReview: CalendarDate?
    /// When the next review is due.
    public let nextReviewDue: CalendarDate

    /// Creates the figures.
    public init(
        filteringProvider: String, connection: String, seniorLeaderNamed: Bool, governorNamed: Bool, changes: [ReportLine],
        checks: [ReportLine], lastReview: CalendarDate?, nextReviewDue: CalendarDate
    ) {
        self.filteringProvider = filteringProvider
        self.connection = connection
        self.seniorLeaderNamed = seniorLeaderNamed
        self.governorNamed = governorNamed
        self.changes = changes
        self.checks = checks
        self.lastReview = lastReview
        self.nextReviewDue = nextReviewDue
    }
}

/// One line of the governance calendar as governors read it: a school-level item, or the
/// personal items (training renewals) folded into counts.
public struct GovernorsCalendarLine: Hashable, Sendable, Codable {
    /// The kind of item.
    public let kind: CalendarItemKind
    /// Words for it.
    public let title: String
    /// When it falls due (school-level items), or `nil` for a folded line.
    public let dueOn: CalendarDate?
    /// Its status (school-level items), or `nil` for a folded line.
    public let status: CalendarItemStatus?
    /// For a folded line: how many are done, due and overdue.
    public let done: ReportFigure?
    /// How many are due.
    public let due: ReportFigure?
    /// How many are overdue.
    public let overdue: ReportFigure?

    /// Creates a line.
    public init(
        kind: CalendarItemKind, title: String, dueOn: CalendarDate?, status: CalendarItemStatus?, done: ReportFigure? = nil,
        due: ReportFigure? = nil, overdue: ReportFigure? = nil
    ) {
        self.kind = kind
        self.title = title
        self.dueOn = dueOn
        self.status = status
        self.done = done
        self.due = due
        self.overdue = overdue
    }
}

/// The governors' figures of one school, or of a whole trust rolled up.
public struct GovernorsSection: Hashable, Sendable, Codable {
    /// The school, or `nil` for the trust's roll-up.
    public let schoolID: SchoolID?
    /// The school's URN, or `nil` for the trust.
    public let urn: String?
    /// The school's or trust's name.
    public let name: String
    /// Incidents that happened in the period.
    public let total: ReportFigure
    /// The same period a year earlier.
    public let totalLastYear: ReportFigure
    /// Per term, with the same term last year.
    public let terms: [TermIncidents]
    /// Referrals to outside agencies of incidents reported in the period, by agency.
    public let referralsByAgency: [ReportLine]
    /// From report to first action.
    public let firstAction: FirstActionFigures
    /// Training coverage by role and requirement.
    public let training: [CoverageFigure]
    /// Acceptable use agreement coverage by audience.
    public let agreements: [CoverageFigure]
    /// Consent coverage by purpose (learners with consent granted).
    public let consent: [CoverageFigure]
    /// The filtering and monitoring register (a school's section only).
    public let filtering: GovernorsFiltering?
    /// The governance calendar (a school's section only).
    public let calendar: [GovernorsCalendarLine]

    /// Creates a section.
    public init(
        schoolID: SchoolID?, urn: String?, name: String, total: ReportFigure, totalLastYear: ReportFigure, terms: [TermIncidents],
        referralsByAgency: [ReportLine], firstAction: FirstActionFigures, training: [CoverageFigure], agreements: [CoverageFigure],
        consent: [CoverageFigure], filtering: GovernorsFiltering?, calendar: [GovernorsCalendarLine]
    ) {
        self.schoolID = schoolID
        self.urn = urn
        self.name = name
        self.total = total
        self.totalLastYear = totalLastYear
        self.terms = terms
        self.referralsByAgency = referralsByAgency
        self.firstAction = firstAction
        self.training = training
        self.agreements = agreements
        self.consent = consent
        self.filtering = filtering
        self.calendar = calendar
    }
}

/// The governors' report: figures that never identify a child, per school and, for a trust,
/// rolled up. Counts from 1 below the threshold read "fewer than N"; no free text from any
/// incident appears; restricted categories appear only in one combined line.
public struct GovernorsReport: Hashable, Sendable, Codable {
    /// The period covered.
    public let period: ReportPeriod
    /// Its first and last days.
    public let days: DateRange
    /// The same period a year earlier.
    public let lastYearDays: DateRange
    /// The smallest count printed as a number (the school's setting; for a trust, the largest of its schools').
    public let threshold: Int
    /// When it was produced.
    public let generatedAt: Date
    /// The trust, for a trust report.
    public let trustName: String?
    /// Each school's section.
    public let schools: [GovernorsSection]
    /// The trust's roll-up, for a trust report.
    public let trust: GovernorsSection?

    /// Creates a report.
    public init(
        period: ReportPeriod, threshold: Int, generatedAt: Date, trustName: String?, schools: [GovernorsSection], trust: GovernorsSection?
    ) {
        self.period = period
        self.days = period.days
        self.lastYearDays = period.lastYear.days
        self.threshold = threshold
        self.generatedAt = generatedAt
        self.trustName = trustName
        self.schools = schools
        self.trust = trust
    }
}
