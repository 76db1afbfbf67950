public import Foundation

/// How many open incidents are of an age, in days since they happened.
public struct AgeBand: Hashable, Sendable, Codable {
    /// The band's words, for example "8–30 days".
    public let label: String
    /// The youngest age in the band, in days.
    public let fromDays: Int
    /// The oldest age in the band, in days, or `nil` for the oldest band.
    public let toDays: Int?
    /// How many open incidents it holds.
    public let count: Int

    /// Creates a band.
    public init(label: String, fromDays: Int, toDays: Int?, count: Int) {
        self.label = label
        self.fromDays = fromDays
        self.toDays = toDays
        self.count = count
    }
}

/// A referral whose follow-up is due, of an open incident.
public struct ReferralFollowUp: Hashable, Sendable, Codable {
    /// The incident.
    public let incidentID: IncidentID
    /// The agency.
    public let agency: ReferralAgency
    /// When it is to be followed up.
    public let followUpDue: Date
    /// Whether that is already past.
    public let overdue: Bool

    /// Creates a follow-up.
    public init(incidentID: IncidentID, agency: ReferralAgency, followUpDue: Date, overdue: Bool) {
        self.incidentID = incidentID
        self.agency = agency
        self.followUpDue = followUpDue
        self.overdue = overdue
    }
}

/// A learner involved in more than one incident within the dashboard's window.
public struct RepeatedConcern: Hashable, Sendable, Codable {
    /// The learner.
    public let learnerID: PersonID
    /// In how many incidents.
    public let incidents: Int

    /// Creates an entry.
    public init(learnerID: PersonID, incidents: Int) {
        self.learnerID = learnerID
        self.incidents = incidents
    }
}

/// One school's part of the DSL's dashboard.
public struct SchoolDashboard: Hashable, Sendable, Codable {
    /// The school.
    public let schoolID: SchoolID
    /// Its name.
    public let name: String
    /// Open incidents by age band.
    public let openIncidents: [AgeBand]
    /// Incidents with steps overdue now, with those steps: the longest overdue first, at most the
    /// dashboard's list limit (``overdueTotal`` says how many there are).
    public let overdueSteps: [IncidentSteps]
    /// How many incidents have steps overdue.
    public let overdueTotal: Int
    /// Incidents with steps due within the due-soon window (and none overdue among them), the
    /// soonest first, at most the list limit.
    public let dueSoonSteps: [IncidentSteps]
    /// How many incidents have steps due soon.
    public let dueSoonTotal: Int
    /// Referrals of open incidents whose follow-up is due within the window or past, the
    /// earliest first, at most the list limit.
    public let referralsAwaitingFollowUp: [ReferralFollowUp]
    /// How many referrals await follow-up.
    public let referralsTotal: Int
    /// Devices in custody (held or quarantined), by status.
    public let devicesInCustody: [String: Int]
    /// Learners involved in at least two incidents within the repeated-concern window, the most
    /// involved first, at most the list limit.
    public let repeatedConcerns: [RepeatedConcern]
    /// How many learners have repeated concerns.
    public let repeatedConcernsTotal: Int
    /// Training that is overdue or due soon, with the person it concerns, at most the list limit.
    public let trainingDue: [TrainingStatus]
    /// How many training statuses are overdue or due soon.
    public let trainingDueTotal: Int
    /// Access grants in force whose holder has not accepted the current agreement.
    public let accessWithoutCurrentAUP: Int
    /// Failed filtering checks whose action is not recorded.
    public let openFailedChecks: [FilteringCheck]
    /// What the governance calendar says is overdue.
    public let calendarOverdue: [CalendarItem]

    /// Creates a school's dashboard; a total left out is its list's length.
    public init(
        schoolID: SchoolID, name: String, openIncidents: [AgeBand], overdueSteps: [IncidentSteps], overdueTotal: Int? = nil,
        dueSoonSteps: [IncidentSteps], dueSoonTotal: Int? = nil, referralsAwaitingFollowUp: [ReferralFollowUp],
        referralsTotal: Int? = nil, devicesInCustody: [String: Int], repeatedConcerns: [RepeatedConcern],
        repeatedConcernsTotal: Int? = nil, trainingDue: [TrainingStatus], trainingDueTotal: Int? = nil, accessWithoutCurrentAUP: Int,
        openFailedChecks: [FilteringCheck], calendarOverdue: [CalendarItem]
    ) {
        self.schoolID = schoolID
        self.name = name
        self.openIncidents = openIncidents
        self.overdueSteps = overdueSteps
        self.overdueTotal = overdueTotal ?? overdueSteps.count
        self.dueSoonSteps = dueSoonSteps
        self.dueSoonTotal = dueSoonTotal ?? dueSoonSteps.count
        self.referralsAwaitingFollowUp = referralsAwaitingFollowUp
        self.referralsTotal = referralsTotal ?? referralsAwaitingFollowUp.count
        self.devicesInCustody = devicesInCustody
        self.repeatedConcerns = repeatedConcerns
        self.repeatedConcernsTotal = repeatedConcernsTotal ?? repeatedConcerns.count
        self.trainingDue = trainingDue
        self.trainingDueTotal = trainingDueTotal ?? trainingDue.count
        self.accessWithoutCurrentAUP = accessWithoutCurrentAUP
        self.openFailedChecks = openFailedChecks
        self.calendarOverdue = calendarOverdue
    }

    /// The identifiers the dashboard names (what its read records in the audit).
    public var subjects: [UUID] {
        overdueSteps.map(\.incidentID.uuid) + dueSoonSteps.map(\.incidentID.uuid) + referralsAwaitingFollowUp.map(\.incidentID.uuid)
            + repeatedConcerns.map(\.learnerID.uuid) + trainingDue.map(\.personID.uuid) + openFailedChecks.map(\.id.uuid)
    }
}

/// The DSL's dashboard: what needs attention now, per school, at one instant.
public struct Dashboard: Hashable, Sendable, Codable {
    /// When it was produced.
    public let asOf: Date
    /// Steps and follow-ups due within this many hours count as due soon.
    public let dueSoonHours: Int
    /// Learners with incidents within this many days count for repeated concerns.
    public let repeatedConcernDays: Int
    /// Each list holds at most this many entries per school.
    public let listLimit: Int
    /// Each school's part.
    public let schools: [SchoolDashboard]

    /// Creates a dashboard.
    public init(asOf: Date, dueSoonHours: Int, repeatedConcernDays: Int, listLimit: Int = 20, schools: [SchoolDashboard]) {
        self.asOf = asOf
        self.dueSoonHours = dueSoonHours
        self.repeatedConcernDays = repeatedConcernDays
        self.listLimit = listLimit
        self.schools = schools
    }
}
