public import Foundation

/// What a calendar item is for.
public enum CalendarItemKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// The online safety policy's review (every `policyReviewIntervalMonths`).
    case policyReview
    /// A DSL–governor meeting (the school sets how many a year).
    case dslGovernorMeeting
    /// A DSL–trust governor meeting (the school sets how many a year).
    case dslTrustGovernorMeeting
    /// The filtering and monitoring review (a year after the last).
    case filteringReview
    /// A person's training renewal.
    case trainingRenewal
    /// The renewal of an acceptable use policy (reviewed with the policy).
    case aupRenewal
}

/// Where a calendar item stands on the calendar's day.
public enum CalendarItemStatus: String, Hashable, Sendable, Codable, CaseIterable {
    /// Not done, and its due day has not passed (it is still due on the day itself).
    case due
    /// Done: a record satisfied it.
    case done
    /// Not done, and its due day has passed.
    case overdue
}

/// The record that satisfied a calendar item.
public struct CalendarEvidence: Hashable, Sendable, Codable {
    /// The kind of record (`governanceRecord`, `filteringReview`, `trainingRecord`, `aupDocument`).
    public let recordKind: String
    /// The record.
    public let recordID: UUID
    /// The day it happened.
    public let on: CalendarDate
    /// Where the minutes are, for a meeting or review.
    public let minutesReference: String?

    /// Creates evidence.
    public init(recordKind: String, recordID: UUID, on: CalendarDate, minutesReference: String? = nil) {
        self.recordKind = recordKind
        self.recordID = recordID
        self.on = on
        self.minutesReference = minutesReference
    }
}

/// One thing that falls due: what, when, and whether it was done.
public struct CalendarItem: Hashable, Sendable, Codable {
    /// What it is for.
    public let kind: CalendarItemKind
    /// Words for it, for example "DSL meeting with the safeguarding governor (1 of 3)".
    public let title: String
    /// The first day it can be done in, for a meeting in a window of the year.
    public let opensOn: CalendarDate?
    /// The day it is due by.
    public let dueOn: CalendarDate
    /// Where it stands.
    public let status: CalendarItemStatus
    /// The record that satisfied it, once done.
    public let satisfiedBy: CalendarEvidence?
    /// Whose it is, for a training renewal.
    public let personID: PersonID?
    /// The training requirement, for a training renewal.
    public let requirementCode: String?
    /// The audience, for an AUP renewal.
    public let audience: AUPAudience?

    /// Creates an item.
    public init(
        kind: CalendarItemKind, title: String, opensOn: CalendarDate? = nil, dueOn: CalendarDate, status: CalendarItemStatus,
        satisfiedBy: CalendarEvidence? = nil, personID: PersonID? = nil, requirementCode: String? = nil, audience: AUPAudience? = nil
    ) {
        self.kind = kind
        self.title = title
        self.opensOn = opensOn
        self.dueOn = dueOn
        self.status = status
        self.satisfiedBy = satisfiedBy
        self.personID = personID
        self.requirementCode = requirementCode
        self.audience = audience
    }
}

/// A school's governance calendar for the academic year containing a day.
public struct GovernanceCalendar: Hashable, Sendable, Codable {
    /// The school.
    public let schoolID: SchoolID
    /// The day the statuses are worked out on.
    public let asOf: CalendarDate
    /// The academic year (1 September to 31 August) containing that day.
    public let academicYear: DateRange
    /// The items, by due day then kind.
    public let items: [CalendarItem]

    /// Creates a calendar; items are sorted by due day, then kind, then title.
    public init(schoolID: SchoolID, asOf: CalendarDate, academicYear: DateRange, items: [CalendarItem]) {
        self.schoolID = schoolID
        self.asOf = asOf
        self.academicYear = academicYear
        // Their places are sorted rather than the items themselves (a school's calendar holds an
        // item per role holder's renewal), and titles are compared only between items due the
        // same day of the same kind.
        let places = items.indices.sorted { a, b in
            if items[a].dueOn != items[b].dueOn { return items[a].dueOn < items[b].dueOn }
            if items[a].kind != items[b].kind { return items[a].kind.rawValue < items[b].kind.rawValue }
            return items[a].title < items[b].title
        }
        self.items = places.map { items[$0] }
    }

    /// Items overdue on the day.
    public var overdue: [CalendarItem] { items.filter { $0.status == .overdue } }
    /// Items still due.
    public var due: [CalendarItem] { items.filter { $0.status == .due } }
    /// Items done.
    public var done: [CalendarItem] { items.filter { $0.status == .done } }
    /// Items due within `days` of the day (inclusive) and not done.
    public func dueWithin(days: Int) -> [CalendarItem] { due.filter { $0.dueOn <= asOf.adding(days: days) } }
}

/// What the calendar is worked out from: a school's settings and records. Pure; no storage.
public struct GovernanceInputs: Sendable {
    /// The school's policy settings.
    public var settings: PolicySettings
    /// Whether the school belongs to a trust (trust governor meetings are then due).
    public var inTrust: Bool
    /// Its governance meetings and reviews.
    public var records: [GovernanceRecord]
    /// Its filtering reviews.
    public var filteringReviews: [FilteringReview]
    /// Training standing of everyone holding a role at the school.
    public var training: [TrainingStatus]
    /// Latest training per person (to name the record that renewed it).
    public var latestTraining: [PersonID: [TrainingLatest]]
    /// Training requirements in force.
    public var requirements: [TrainingRequirement]
    /// The acceptable use policies that apply at the school.
    public var aupDocuments: [AUPDocument]

    /// Creates inputs.
    public init(
        settings: PolicySettings, inTrust: Bool, records: [GovernanceRecord], filteringReviews: [FilteringReview],
        training: [TrainingStatus] = [], latestTraining: [PersonID: [TrainingLatest]] = [:],
        requirements: [TrainingRequirement] = TrainingRequirement.defaults, aupDocuments: [AUPDocument] = []
    ) {
        self.settings = settings
        self.inTrust = inTrust
        self.records = records
        self.filteringReviews = filteringReviews
        self.training = training
        self.latestTraining = latestTraining
        self.requirements = requirements
        self.aupDocuments = aupDocuments
    }
}

/// The rules of the governance calendar.
///
/// - The academic year runs from 1 September to 31 August.
/// - Periodic reviews (the policy every `policyReviewIntervalMonths`, the filtering review every
///   12 months, each AUP with the policy): each one held this academic year is listed done; the
///   next falls due the interval after the last. When none was ever recorded, it fell due on the
///   first day of the academic year (no record is no evidence), so it is overdue from the next
///   day: record the last review held before the school used the SDK to start the cycle.
/// - Meetings `n` a year: the year is cut into `n` windows of whole months (3 a year: September to
///   December, January to April, May to August); each window's meeting is due on its last day and
///   done by a meeting held within it.
/// - Training: each requirement a person's roles carry is due on the day it runs out; one renewed
///   this academic year is listed done; one never done is overdue from the day of the calendar.
/// - An item not done is due up to and including its due day, and overdue from the day after.
public enum GovernanceRules {
    /// The academic year (1 September to 31 August) containing a day.
    public static func academicYear(containing date: CalendarDate) -> DateRange {
        let startYear = date.month >= 9 ? date.year : date.year - 1
        return DateRange(
            first: CalendarDate(year: startYear, month: 9, day: 1)!, last: CalendarDate(year: startYear + 1, month: 8, day: 31)!)
    }

    /// The windows of a year for `perYear` meetings, in order.
    public static func meetingWindows(_ perYear: Int, in year: DateRange) -> [DateRange] {
        let count = max(0, min(perYear, 12))
        guard count > 0 else { return [] }
        return (0..<count).map { index in
            let start = TrainingRules.dueDate(after: year.first, months: 12 * index / count)
            let end = TrainingRules.dueDate(after: year.first, months: 12 * (index + 1) / count).adding(days: -1)
            return DateRange(first: start, last: end)
        }
    }

    /// The calendar for a school on a day.
    public static func calendar(schoolID: SchoolID, inputs: GovernanceInputs, on today: CalendarDate) -> GovernanceCalendar {
        let year = academicYear(containing: today)
        var items: [CalendarItem] = []
        func status(_ due: CalendarDate) -> CalendarItemStatus { today > due ? .overdue : .due }

        // Periodic reviews: held this year → done; the next one due after the interval.
        func periodic(
            _ kind: CalendarItemKind, _ title: String, months: Int, held: [(CalendarDate, CalendarEvidence)]
        ) {
            let past = held.filter { $0.0 <= today }.sorted { $0.0 < $1.0 }
            for (index, (day, evidence)) in past.enumerated() {
                let due = index > 0 ? TrainingRules.dueDate(after: past[index - 1].0, months: months) : day
                if year.contains(day) {
                    items.append(CalendarItem(kind: kind, title: title, dueOn: min(due, year.last), status: .done, satisfiedBy: evidence))
                }
            }
            let next = past.last.map { TrainingRules.dueDate(after: $0.0, months: months) } ?? year.first
            items.append(CalendarItem(kind: kind, title: title, dueOn: next, status: status(next)))
        }

        let settings = inputs.settings
        periodic(
            .policyReview, GovernanceActivity.policyReview.title, months: settings.policyReviewIntervalMonths,
            held: inputs.records.filter { $0.activity == .policyReview }.map { ($0.heldOn, evidence(of: $0)) })
        periodic(
            .filteringReview, "filtering and monitoring review", months: 12,
            held: inputs.filteringReviews.map {
                (
                    $0.reviewedOn,
                    CalendarEvidence(
                        recordKind: FilteringReview.recordKind, recordID: $0.id.uuid, on: $0.reviewedOn,
                        minutesReference: $0.minutesReference)
                )
            })

        // Meetings in windows of the year.
        func meetings(_ activity: GovernanceActivity, _ kind: CalendarItemKind, perYear: Int) {
            let windows = meetingWindows(perYear, in: year)
            let held = inputs.records.filter { $0.activity == activity && $0.heldOn <= today }.sorted { $0.heldOn < $1.heldOn }
            for (index, window) in windows.enumerated() {
                let title = "\(activity.title) (\(index + 1) of \(windows.count))"
                if let meeting = held.first(where: { window.contains($0.heldOn) }) {
                    items.append(
                        CalendarItem(
                            kind: kind, title: title, opensOn: window.first, dueOn: window.last, status: .done,
                            satisfiedBy: evidence(of: meeting))
                    )
                } else {
                    items.append(
                        CalendarItem(kind: kind, title: title, opensOn: window.first, dueOn: window.last, status: status(window.last)))
                }
            }
        }
        meetings(.dslGovernorMeeting, .dslGovernorMeeting, perYear: settings.dslGovernorMeetingsPerYear)
        if inputs.inTrust || settings.trustSafeguardingGovernor != nil {
            meetings(.dslTrustGovernorMeeting, .dslTrustGovernorMeeting, perYear: settings.dslTrustGovernorMeetingsPerYear)
        }

        // Training renewals.
        let requirements = Dictionary(inputs.requirements.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        for standing in inputs.training {
            let requirement = requirements[standing.requirementCode]
            let title = requirement?.title ?? standing.requirementCode
            guard let last = standing.lastCompleted, let due = standing.dueBy else {
                items.append(
                    CalendarItem(
                        kind: .trainingRenewal, title: title, dueOn: today, status: .overdue, personID: standing.personID,
                        requirementCode: standing.requirementCode))
                continue
            }
            if year.contains(last), let requirement {
                let record = inputs.latestTraining[standing.personID]?.filter {
                    requirement.satisfiedBy.contains($0.topic) && $0.completedOn == last
                }.first
                items.append(
                    CalendarItem(
                        kind: .trainingRenewal, title: title, dueOn: last, status: .done,
                        satisfiedBy: record.map {
                            CalendarEvidence(recordKind: TrainingRecord.recordKind, recordID: $0.recordID.uuid, on: last)
                        },
                        personID: standing.personID, requirementCode: standing.requirementCode))
            }
            if due <= year.last || today > due {
                items.append(
                    CalendarItem(
                        kind: .trainingRenewal, title: title, dueOn: due, status: status(due), personID: standing.personID,
                        requirementCode: standing.requirementCode))
            }
        }

        // AUP renewals: each document in force is reviewed with the policy; a new version renews it.
        for audience in AUPAudience.allCases {
            let versions = inputs.aupDocuments.filter { $0.audience == audience && $0.effectiveFrom <= today }.sorted {
                ($0.effectiveFrom, $0.version) < ($1.effectiveFrom, $1.version)
            }
            guard let current = AgreementRules.current(for: audience, among: versions, on: today) else { continue }
            let title = "\(audience.title) acceptable use policy"
            for (older, newer) in zip(versions, versions.dropFirst()) where year.contains(newer.effectiveFrom) {
                let due = TrainingRules.dueDate(after: older.effectiveFrom, months: settings.policyReviewIntervalMonths)
                items.append(
                    CalendarItem(
                        kind: .aupRenewal, title: title, dueOn: min(due, newer.effectiveFrom), status: .done,
                        satisfiedBy: CalendarEvidence(recordKind: AUPDocument.recordKind, recordID: newer.id.uuid, on: newer.effectiveFrom),
                        audience: audience))
            }
            let due = TrainingRules.dueDate(after: current.effectiveFrom, months: settings.policyReviewIntervalMonths)
            items.append(CalendarItem(kind: .aupRenewal, title: title, dueOn: due, status: status(due), audience: audience))
        }
        return GovernanceCalendar(schoolID: schoolID, asOf: today, academicYear: year, items: items)
    }

    static func evidence(of record: GovernanceRecord) -> CalendarEvidence {
        CalendarEvidence(
            recordKind: GovernanceRecord.recordKind, recordID: record.id.uuid, on: record.heldOn, minutesReference: record.minutesReference)
    }
}
