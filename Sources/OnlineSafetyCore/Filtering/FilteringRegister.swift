public import Foundation

/// Which responsibility for filtering and monitoring a person is named to (DfE filtering and
/// monitoring standards: a named senior leader and a named governor).
public enum FilteringResponsibility: String, Hashable, Sendable, Codable, CaseIterable {
    /// The member of the senior leadership team responsible.
    case seniorLeader
    /// The governor responsible.
    case governor

    /// Words for the responsibility.
    public var title: String {
        switch self {
        case .seniorLeader: "senior leader responsible for filtering and monitoring"
        case .governor: "governor responsible for filtering and monitoring"
        }
    }
}

/// A person named to a filtering responsibility, from a day until a day (inclusive), or still.
public struct ResponsibleHolder: Hashable, Sendable, Codable {
    /// The responsibility.
    public var responsibility: FilteringResponsibility
    /// Who holds it.
    public var personID: PersonID
    /// The first day they hold it.
    public var from: CalendarDate
    /// The last day they held it, once someone else is named.
    public var until: CalendarDate?
    /// Who named them.
    public var assignedBy: PersonID
    /// When.
    public var assignedAt: Date

    /// Creates a holder.
    public init(
        responsibility: FilteringResponsibility, personID: PersonID, from: CalendarDate, until: CalendarDate? = nil, assignedBy: PersonID,
        assignedAt: Date
    ) {
        self.responsibility = responsibility
        self.personID = personID
        self.from = from
        self.until = until
        self.assignedBy = assignedBy
        self.assignedAt = SafetyClock.truncated(assignedAt)
    }

    /// Whether they hold it on a day.
    public func holds(on date: CalendarDate) -> Bool { from <= date && (until.map { date <= $0 } ?? true) }
}

/// Identifies a school's ``FilteringProvision`` (the school's own identifier).
public typealias FilteringProvisionID = Identifier<FilteringProvision>

/// A school's filtering and monitoring provision: who is responsible, and since when. The
/// providers and connection come from the school's policy settings.
public struct FilteringProvision: Aggregate {
    /// The provision's identifier: the school's.
    public var id: FilteringProvisionID
    /// The school.
    public var schoolIDValue: SchoolID
    /// Everyone ever named, oldest first; at most one holder of each responsibility on a day.
    public var holders: [ResponsibleHolder]
    /// The optimistic-concurrency revision.
    public var revision: Int

    /// Creates a school's provision (its identifier is the school's).
    public init(schoolID: SchoolID, holders: [ResponsibleHolder] = [], revision: Int = 0) {
        self.id = FilteringProvision.id(for: schoolID)
        self.schoolIDValue = schoolID
        self.holders = holders
        self.revision = revision
    }

    /// The identifier of a school's provision.
    public static func id(for schoolID: SchoolID) -> FilteringProvisionID { FilteringProvisionID(schoolID.uuid) }

    /// The school.
    public var schoolID: SchoolID? { schoolIDValue }

    /// Who holds a responsibility on a day, if anyone.
    public func holder(of responsibility: FilteringResponsibility, on date: CalendarDate) -> ResponsibleHolder? {
        holders.last { $0.responsibility == responsibility && $0.holds(on: date) }
    }

    /// Checks that each holder's dates are in order and no two holders of a responsibility overlap.
    public func validate() throws(SafetyError) {
        for holder in holders {
            _ = try holder.from.checked("filtering.responsibleFrom", .record, asOf: CalendarDate(holder.assignedAt))
            if let until = holder.until, until < holder.from {
                throw .invalid("filtering.responsibleUntil", "a responsibility cannot end before it starts")
            }
        }
        for responsibility in FilteringResponsibility.allCases {
            let held = holders.filter { $0.responsibility == responsibility }
            for (earlier, later) in zip(held, held.dropFirst()) where (earlier.until ?? later.from) >= later.from {
                throw .invalid("filtering.responsibleFrom", "two people cannot hold the same filtering responsibility on one day")
            }
        }
    }
}

/// Whether a change blocks or allows.
public enum FilteringAction: String, Hashable, Sendable, Codable, CaseIterable {
    /// Block the site or category.
    case block
    /// Allow the site or category.
    case allow
}

/// What a change is about: one site (a URL or domain) or a provider's category.
public struct FilteringTarget: Hashable, Sendable, Codable, CustomStringConvertible {
    /// A site or a category.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// A URL or domain.
        case site
        /// One of the filtering provider's categories.
        case category
    }

    /// A site or a category.
    public var kind: Kind
    /// The URL, domain or category name.
    public var value: String

    /// Creates a target.
    public init(_ kind: Kind, _ value: String) {
        self.kind = kind
        self.value = value
    }

    /// A site.
    public static func site(_ value: String) -> FilteringTarget { FilteringTarget(.site, value) }
    /// A category.
    public static func category(_ value: String) -> FilteringTarget { FilteringTarget(.category, value) }

    /// "site example.org" or "category Social networking".
    public var description: String { "\(kind.rawValue) \(value)" }
}

/// Whose filtering a change applies to (the policies require at least separate learner and staff profiles).
public enum FilteringProfile: String, Hashable, Sendable, Codable, CaseIterable {
    /// Learners.
    case learners
    /// Staff.
    case staff
    /// Everyone.
    case everyone
}

/// Where a filtering change stands.
public enum FilteringChangeStatus: String, Hashable, Sendable, Codable, CaseIterable {
    /// Asked for; awaiting the DSL's or a senior leader's decision.
    case pending
    /// Approved; awaiting technical staff.
    case approved
    /// Refused (never applied).
    case refused
    /// Approved and applied by technical staff.
    case applied
}

/// The DSL's or a senior leader's decision on a change, with why.
public struct FilteringDecision: Hashable, Sendable, Codable {
    /// Whether it was approved.
    public var approved: Bool
    /// Who decided.
    public var decidedBy: PersonID
    /// When.
    public var decidedAt: Date
    /// Why (required either way).
    public var reason: String

    /// Creates a decision.
    public init(approved: Bool, decidedBy: PersonID, decidedAt: Date, reason: String) {
        self.approved = approved
        self.decidedBy = decidedBy
        self.decidedAt = SafetyClock.truncated(decidedAt)
        self.reason = reason
    }
}

/// Technical staff's record that an approved change was made in the filtering system.
public struct FilteringApplication: Hashable, Sendable, Codable {
    /// Who applied it.
    public var appliedBy: PersonID
    /// When it was recorded as applied.
    public var appliedAt: Date
    /// A note, such as the provider's ticket reference.
    public var note: String?

    /// Creates an application record.
    public init(appliedBy: PersonID, appliedAt: Date, note: String? = nil) {
        self.appliedBy = appliedBy
        self.appliedAt = SafetyClock.truncated(appliedAt)
        self.note = note
    }
}

/// A request to block or allow a site or category, as asked for (see
/// ``FilteringRegisterService/requestChange(_:)``).
public struct FilteringChangeRequest: Hashable, Sendable {
    /// Block or allow.
    public var action: FilteringAction
    /// The site or category.
    public var target: FilteringTarget
    /// Whose filtering.
    public var profile: FilteringProfile
    /// Why it is asked for.
    public var reason: String
    /// The risk assessment, by staff with educational and technical experience.
    public var riskAssessment: String
    /// For a temporary allow: the day it must be reviewed.
    public var reviewOn: CalendarDate?
    /// The incident that prompted it (a filtering breach), if any.
    public var incidentID: IncidentID?

    /// Creates a request.
    public init(
        action: FilteringAction, target: FilteringTarget, profile: FilteringProfile, reason: String, riskAssessment: String,
        reviewOn: CalendarDate? = nil, incidentID: IncidentID? = nil
    ) {
        self.action = action
        self.target = target
        self.profile = profile
        self.reason = reason
        self.riskAssessment = riskAssessment
        self.reviewOn = reviewOn
        self.incidentID = incidentID
    }
}

/// Identifies a ``FilteringChange``.
public typealias FilteringChangeID = Identifier<FilteringChange>

/// An entry of the change log: "all changes to the filtering policy are logged and recorded".
///
/// A change is requested (who, why, a risk assessment), approved or refused by the DSL or a
/// senior leader (with a reason either way), and, once approved, applied by technical staff.
/// An unapproved change is never applied.
public struct FilteringChange: Aggregate {
    /// The change's identifier.
    public var id: FilteringChangeID
    /// The school.
    public var schoolIDValue: SchoolID
    /// Block or allow.
    public var action: FilteringAction
    /// The site or category.
    public var target: FilteringTarget
    /// Whose filtering.
    public var profile: FilteringProfile
    /// Who asked.
    public var requestedBy: PersonID
    /// When.
    public var requestedAt: Date
    /// Why.
    public var reason: String
    /// The risk assessment.
    public var riskAssessment: String
    /// For a temporary allow: the day it must be reviewed.
    public var reviewOn: CalendarDate?
    /// The incident that prompted it, if any.
    public var incidentID: IncidentID?
    /// The decision, once made.
    public var decision: FilteringDecision?
    /// The record that it was applied, once it was.
    public var application: FilteringApplication?
    /// The optimistic-concurrency revision.
    public var revision: Int

    /// Creates a change.
    public init(
        id: FilteringChangeID = FilteringChangeID(), schoolID: SchoolID, request: FilteringChangeRequest, requestedBy: PersonID,
        requestedAt: Date, decision: FilteringDecision? = nil, application: FilteringApplication? = nil, revision: Int = 0
    ) {
        self.id = id
        self.schoolIDValue = schoolID
        self.action = request.action
        self.target = request.target
        self.profile = request.profile
        self.requestedBy = requestedBy
        self.requestedAt = SafetyClock.truncated(requestedAt)
        self.reason = request.reason
        self.riskAssessment = request.riskAssessment
        self.reviewOn = request.reviewOn
        self.incidentID = request.incidentID
        self.decision = decision
        self.application = application
        self.revision = revision
    }

    /// The school.
    public var schoolID: SchoolID? { schoolIDValue }

    /// Where it stands.
    public var status: FilteringChangeStatus {
        if application != nil { return .applied }
        guard let decision else { return .pending }
        return decision.approved ? .approved : .refused
    }

    /// Whether it is a temporary allow whose review day has come by `date` and that is still in force.
    public func reviewIsDue(on date: CalendarDate) -> Bool {
        guard action == .allow, let reviewOn, status == .applied || status == .approved else { return false }
        return reviewOn <= date
    }

    /// Checks the request says what, why and the risk, a decision says why, and nothing unapproved is applied.
    public func validate() throws(SafetyError) {
        func blank(_ text: String) -> Bool { text.isBlank }
        if blank(target.value) { throw .invalid("filteringChange.target", "a change names the site or category") }
        if target.value.count > 2_048 { throw .invalid("filteringChange.target", "a site or category is at most 2,048 characters") }
        if blank(reason) { throw .invalid("filteringChange.reason", "a change request says why it is needed") }
        if blank(riskAssessment) { throw .invalid("filteringChange.riskAssessment", "a change request needs a risk assessment") }
        if let reviewOn {
            guard action == .allow else { throw .invalid("filteringChange.reviewOn", "only a temporary allow has a review date") }
            _ = try reviewOn.checked("filteringChange.reviewOn", .record, asOf: CalendarDate(requestedAt))
            guard reviewOn >= CalendarDate(requestedAt) else {
                throw .invalid("filteringChange.reviewOn", "a temporary allow is reviewed after it is asked for")
            }
        }
        if let decision, blank(decision.reason) {
            throw .invalid("filteringChange.decisionReason", "a decision gives its reason, whether it approves or refuses")
        }
        if application != nil, decision?.approved != true {
            throw SafetyError(.constraintViolation, "an unapproved filtering change cannot be applied")
        }
    }
}

/// How a check came out.
public enum FilteringCheckResult: String, Hashable, Sendable, Codable, CaseIterable {
    /// The filtering or monitoring worked as expected.
    case passed
    /// It did not: the check stays open until the action taken is recorded.
    case failed
}

/// What was done about a failed check.
public struct FilteringCheckAction: Hashable, Sendable, Codable {
    /// What was done.
    public var description: String
    /// Who recorded it.
    public var recordedBy: PersonID
    /// When.
    public var recordedAt: Date

    /// Creates an action record.
    public init(description: String, recordedBy: PersonID, recordedAt: Date) {
        self.description = description
        self.recordedBy = recordedBy
        self.recordedAt = SafetyClock.truncated(recordedAt)
    }
}

/// A check to record (see ``FilteringRegisterService/recordCheck(_:)``).
public struct NewFilteringCheck: Hashable, Sendable {
    /// The day of the check.
    public var checkedOn: CalendarDate
    /// The device used.
    public var device: String
    /// The location or user group checked, for example "KS2 classroom" or "learner profile".
    public var locationOrGroup: String
    /// What was tested, for example "SWGfL test filtering: IWF list".
    public var tested: String
    /// The result.
    public var result: FilteringCheckResult
    /// The action taken on a failure, if already known (else the check stays open).
    public var action: String?

    /// Creates a check to record.
    public init(
        checkedOn: CalendarDate, device: String, locationOrGroup: String, tested: String, result: FilteringCheckResult,
        action: String? = nil
    ) {
        self.checkedOn = checkedOn
        self.device = device
        self.locationOrGroup = locationOrGroup
        self.tested = tested
        self.result = result
        self.action = action
    }
}

/// Identifies a ``FilteringCheck``.
public typealias FilteringCheckID = Identifier<FilteringCheck>

/// An entry of the checks log: "regular checks are made to ensure that the filtering and
/// monitoring methods are effective and appropriate".
public struct FilteringCheck: Aggregate {
    /// The check's identifier.
    public var id: FilteringCheckID
    /// The school.
    public var schoolIDValue: SchoolID
    /// The day of the check.
    public var checkedOn: CalendarDate
    /// Who checked (the person who recorded it).
    public var checkedBy: PersonID
    /// When it was recorded.
    public var recordedAt: Date
    /// The device used.
    public var device: String
    /// The location or user group checked.
    public var locationOrGroup: String
    /// What was tested.
    public var tested: String
    /// The result.
    public var result: FilteringCheckResult
    /// What was done about a failure, once recorded.
    public var action: FilteringCheckAction?
    /// The optimistic-concurrency revision.
    public var revision: Int

    /// Creates a check.
    public init(
        id: FilteringCheckID = FilteringCheckID(), schoolID: SchoolID, check: NewFilteringCheck, checkedBy: PersonID, recordedAt: Date,
        action: FilteringCheckAction? = nil, revision: Int = 0
    ) {
        self.id = id
        self.schoolIDValue = schoolID
        self.checkedOn = check.checkedOn
        self.checkedBy = checkedBy
        self.recordedAt = SafetyClock.truncated(recordedAt)
        self.device = check.device
        self.locationOrGroup = check.locationOrGroup
        self.tested = check.tested
        self.result = check.result
        self.action = action
        self.revision = revision
    }

    /// The school.
    public var schoolID: SchoolID? { schoolIDValue }

    /// Whether it failed and no action has been recorded yet.
    public var isOpen: Bool { result == .failed && action == nil }

    /// Checks the check says where, on what and what was tested, on a day not after it was recorded.
    public func validate() throws(SafetyError) {
        func blank(_ text: String) -> Bool { text.isBlank }
        _ = try checkedOn.checked("filteringCheck.checkedOn", .record, asOf: CalendarDate(recordedAt))
        guard checkedOn <= CalendarDate(recordedAt) else {
            throw .invalid("filteringCheck.checkedOn", "a check is recorded on or after the day it was made")
        }
        if blank(device) { throw .invalid("filteringCheck.device", "a check names the device used") }
        if blank(locationOrGroup) { throw .invalid("filteringCheck.locationOrGroup", "a check names the location or user group") }
        if blank(tested) { throw .invalid("filteringCheck.tested", "a check says what was tested") }
        if let action {
            guard result == .failed else { throw .invalid("filteringCheck.action", "only a failed check has an action") }
            if blank(action.description) { throw .invalid("filteringCheck.action", "the action taken is described") }
        }
    }
}

/// An action the annual review agreed, with its owner and due day.
public struct FilteringReviewAction: Hashable, Sendable, Codable {
    /// What is to be done.
    public var description: String
    /// Who owns it.
    public var ownerID: PersonID
    /// When it is due.
    public var dueOn: CalendarDate

    /// Creates an action.
    public init(description: String, ownerID: PersonID, dueOn: CalendarDate) {
        self.description = description
        self.ownerID = ownerID
        self.dueOn = dueOn
    }
}

/// An annual review to record (see ``FilteringRegisterService/recordReview(_:)``).
public struct NewFilteringReview: Hashable, Sendable {
    /// The day of the review.
    public var reviewedOn: CalendarDate
    /// Who took part: the named senior leader and the named governor must be among them.
    public var participants: [PersonID]
    /// What it considered (risk assessment, checks log, change log, incidents, the DfE standards).
    public var considered: [String]
    /// What it found.
    public var findings: [String]
    /// What it agreed to do, with owners and due days.
    public var actions: [FilteringReviewAction]
    /// Where its minutes are.
    public var minutesReference: String?

    /// Creates a review to record.
    public init(
        reviewedOn: CalendarDate, participants: [PersonID], considered: [String], findings: [String], actions: [FilteringReviewAction] = [],
        minutesReference: String? = nil
    ) {
        self.reviewedOn = reviewedOn
        self.participants = participants
        self.considered = considered
        self.findings = findings
        self.actions = actions
        self.minutesReference = minutesReference
    }
}

/// Identifies a ``FilteringReview``.
public typealias FilteringReviewID = Identifier<FilteringReview>

/// The review of the filtering and monitoring provision, at least once every academic year, with
/// the named senior leader and governor. The next review falls due a year after this one.
/// Reviews are never changed.
public struct FilteringReview: Aggregate {
    /// The review's identifier.
    public var id: FilteringReviewID
    /// The school.
    public var schoolIDValue: SchoolID
    /// The day of the review.
    public var reviewedOn: CalendarDate
    /// Who took part.
    public var participants: [PersonID]
    /// The senior leader named on that day, who took part.
    public var seniorLeaderID: PersonID
    /// The governor named on that day, who took part.
    public var governorID: PersonID
    /// What it considered.
    public var considered: [String]
    /// What it found.
    public var findings: [String]
    /// What it agreed to do.
    public var actions: [FilteringReviewAction]
    /// Where its minutes are.
    public var minutesReference: String?
    /// Who recorded it.
    public var recordedBy: PersonID
    /// When.
    public var recordedAt: Date
    /// The optimistic-concurrency revision.
    public var revision: Int

    /// Creates a review record.
    public init(
        id: FilteringReviewID = FilteringReviewID(), schoolID: SchoolID, review: NewFilteringReview, seniorLeaderID: PersonID,
        governorID: PersonID, recordedBy: PersonID, recordedAt: Date, revision: Int = 0
    ) {
        self.id = id
        self.schoolIDValue = schoolID
        self.reviewedOn = review.reviewedOn
        self.participants = review.participants
        self.seniorLeaderID = seniorLeaderID
        self.governorID = governorID
        self.considered = review.considered
        self.findings = review.findings
        self.actions = review.actions
        self.minutesReference = review.minutesReference
        self.recordedBy = recordedBy
        self.recordedAt = SafetyClock.truncated(recordedAt)
        self.revision = revision
    }

    /// The school.
    public var schoolID: SchoolID? { schoolIDValue }

    /// The day the next review falls due: a year after this one.
    public var nextDue: CalendarDate { TrainingRules.dueDate(after: reviewedOn, months: 12) }

    /// Reviews are never changed.
    public static var isAppendOnly: Bool { true }

    /// Checks the day, that the named people took part, and that it says what it considered and found.
    public func validate() throws(SafetyError) {
        _ = try reviewedOn.checked("filteringReview.reviewedOn", .record, asOf: CalendarDate(recordedAt))
        guard reviewedOn <= CalendarDate(recordedAt) else {
            throw .invalid("filteringReview.reviewedOn", "a review is recorded on or after the day it was held")
        }
        guard participants.contains(seniorLeaderID), participants.contains(governorID) else {
            throw SafetyError(.constraintViolation, "the review needs the named senior leader and the named governor to take part")
        }
        if considered.allSatisfy({ $0.isBlank }) {
            throw .invalid("filteringReview.considered", "a review says what it considered")
        }
        if findings.allSatisfy({ $0.isBlank }) {
            throw .invalid("filteringReview.findings", "a review records its findings")
        }
        for action in actions {
            if action.description.isBlank {
                throw .invalid("filteringReview.actions", "an action says what is to be done")
            }
            _ = try action.dueOn.checked("filteringReview.actions.dueOn", .record, asOf: reviewedOn)
        }
    }
}

/// A monitoring alert to record (see ``FilteringRegisterService/recordAlert(_:)``).
public struct NewMonitoringAlert: Hashable, Sendable {
    /// When the monitoring system raised it.
    public var raisedAt: Date
    /// Which system raised it (by default the school's filtering provider).
    public var source: String?
    /// What it reported, in words safe for the register (the incident carries the detail).
    public var summary: String
    /// Whether it needs action: such an alert becomes a filtering-breach incident.
    public var needsAction: Bool
    /// For one that needs action: the risk area of the incident.
    public var riskArea: RiskArea
    /// For one that needs action: the people involved, by their part.
    public var participants: [ParticipantPart: [PersonID]]

    /// Creates an alert to record.
    public init(
        raisedAt: Date, source: String? = nil, summary: String, needsAction: Bool, riskArea: RiskArea = .content,
        participants: [ParticipantPart: [PersonID]] = [:]
    ) {
        self.raisedAt = raisedAt
        self.source = source
        self.summary = summary
        self.needsAction = needsAction
        self.riskArea = riskArea
        self.participants = participants
    }
}

/// Identifies a ``MonitoringAlert``.
public typealias MonitoringAlertID = Identifier<MonitoringAlert>

/// An alert from the monitoring system, in the register; one that needs action is linked to the
/// filtering-breach incident it became.
public struct MonitoringAlert: Aggregate {
    /// The alert's identifier.
    public var id: MonitoringAlertID
    /// The school.
    public var schoolIDValue: SchoolID
    /// When the monitoring system raised it.
    public var raisedAt: Date
    /// Which system raised it.
    public var source: String
    /// What it reported.
    public var summary: String
    /// Whether it needed action.
    public var needsAction: Bool
    /// The incident it became, when it needed action.
    public var incidentID: IncidentID?
    /// Who recorded it.
    public var recordedBy: PersonID
    /// When.
    public var recordedAt: Date
    /// The optimistic-concurrency revision.
    public var revision: Int

    /// Creates an alert record.
    public init(
        id: MonitoringAlertID = MonitoringAlertID(), schoolID: SchoolID, raisedAt: Date, source: String, summary: String, needsAction: Bool,
        incidentID: IncidentID?, recordedBy: PersonID, recordedAt: Date, revision: Int = 0
    ) {
        self.id = id
        self.schoolIDValue = schoolID
        self.raisedAt = SafetyClock.truncated(raisedAt)
        self.source = source
        self.summary = summary
        self.needsAction = needsAction
        self.incidentID = incidentID
        self.recordedBy = recordedBy
        self.recordedAt = SafetyClock.truncated(recordedAt)
        self.revision = revision
    }

    /// The school.
    public var schoolID: SchoolID? { schoolIDValue }

    /// Checks an alert that needs action names its incident, and one that does not names none.
    public func validate() throws(SafetyError) {
        if source.isBlank {
            throw .invalid("monitoringAlert.source", "an alert names the system that raised it")
        }
        if needsAction != (incidentID != nil) {
            throw .invalid("monitoringAlert.incidentID", "an alert that needs action, and only one, becomes an incident")
        }
    }
}

/// A school's filtering and monitoring register on a day: what the dashboard and the governors'
/// report read.
public struct FilteringRegisterState: Hashable, Sendable, Codable {
    /// The school.
    public let schoolID: SchoolID
    /// The day it describes.
    public let asOf: CalendarDate
    /// The filtering provider (from the school's settings), for example "Netsweeper".
    public let filteringProvider: String
    /// The monitoring provider (the filtering provider's monitoring unless the settings say otherwise).
    public let monitoringProvider: String
    /// The connection (internet service provider) from the school's settings, for example "Schools Broadband".
    public let connection: String
    /// The senior leader named on the day, with since when.
    public let seniorLeader: ResponsibleHolder?
    /// The governor named on the day, with since when.
    public let governor: ResponsibleHolder?
    /// Everyone ever named, oldest first.
    public let responsibilityHistory: [ResponsibleHolder]
    /// Every change, oldest first.
    public let changes: [FilteringChange]
    /// Every check, oldest first.
    public let checks: [FilteringCheck]
    /// The latest review, if any.
    public let lastReview: FilteringReview?
    /// The day the next review is due: a year after the last, or, when none was ever recorded,
    /// the first day of the academic year (so it reads overdue until one is recorded).
    public let nextReviewDue: CalendarDate
    /// Monitoring alerts, oldest first.
    public let alerts: [MonitoringAlert]

    /// Creates a state.
    public init(
        schoolID: SchoolID, asOf: CalendarDate, filteringProvider: String, monitoringProvider: String, connection: String,
        seniorLeader: ResponsibleHolder?, governor: ResponsibleHolder?, responsibilityHistory: [ResponsibleHolder],
        changes: [FilteringChange], checks: [FilteringCheck], lastReview: FilteringReview?, nextReviewDue: CalendarDate,
        alerts: [MonitoringAlert]
    ) {
        self.schoolID = schoolID
        self.asOf = asOf
        self.filteringProvider = filteringProvider
        self.monitoringProvider = monitoringProvider
        self.connection = connection
        self.seniorLeader = seniorLeader
        self.governor = governor
        self.responsibilityHistory = responsibilityHistory
        self.changes = changes
        self.checks = checks
        self.lastReview = lastReview
        self.nextReviewDue = nextReviewDue
        self.alerts = alerts
    }

    /// Changes awaiting a decision.
    public var pendingChanges: [FilteringChange] { changes.filter { $0.status == .pending } }
    /// Changes approved and not yet applied.
    public var approvedChanges: [FilteringChange] { changes.filter { $0.status == .approved } }
    /// Changes refused.
    public var refusedChanges: [FilteringChange] { changes.filter { $0.status == .refused } }
    /// Changes applied.
    public var appliedChanges: [FilteringChange] { changes.filter { $0.status == .applied } }
    /// Temporary allows whose review day has come.
    public var temporaryAllowsDueForReview: [FilteringChange] { changes.filter { $0.reviewIsDue(on: asOf) } }
    /// Checks that failed and have no action recorded.
    public var openFailedChecks: [FilteringCheck] { checks.filter(\.isOpen) }
    /// Whether the annual review is overdue on the day.
    public var reviewIsOverdue: Bool { asOf > nextReviewDue }
    /// Alerts that became incidents.
    public var alertsNeedingAction: [MonitoringAlert] { alerts.filter(\.needsAction) }
}
