public import Foundation

/// What a course covered.
public enum TrainingTopic: String, Hashable, Sendable, Codable, CaseIterable {
    /// Online safety for all staff, including filtering and monitoring (KCSIE 2023).
    case onlineSafety
    /// Formal designated safeguarding lead training.
    case dslFormal
    /// A DSL's refresher (formal training counts as one too).
    case dslRefresh
    /// Safeguarding for governors, including filtering and monitoring.
    case governorSafeguarding

    /// Words for the topic.
    public var title: String {
        switch self {
        case .onlineSafety: "online safety (including filtering and monitoring)"
        case .dslFormal: "formal DSL training"
        case .dslRefresh: "DSL refresher"
        case .governorSafeguarding: "governor safeguarding (including filtering and monitoring)"
        }
    }
}

/// What training a role needs and how often (§5.3).
///
/// A requirement is met by a completion of any of its topics within its interval; someone who
/// holds the role and has no completion at all has never done it (they need it at induction).
public struct TrainingRequirement: Hashable, Sendable, Codable {
    /// A stable code, for example `staff-online-safety`.
    public let code: String
    /// Words for the requirement.
    public let title: String
    /// The roles it applies to.
    public let roles: [Role]
    /// The topics whose completion meets it.
    public let satisfiedBy: [TrainingTopic]
    /// How long a completion lasts, in months.
    public let intervalMonths: Int

    /// Creates a requirement.
    public init(code: String, title: String, roles: [Role], satisfiedBy: [TrainingTopic], intervalMonths: Int) {
        self.code = code
        self.title = title
        self.roles = roles
        self.satisfiedBy = satisfiedBy
        self.intervalMonths = intervalMonths
    }

    /// All staff: online safety at induction, including filtering and monitoring, then at least annually.
    public static let staffOnlineSafety = TrainingRequirement(
        code: "staff-online-safety", title: "Online safety at induction, then at least annually",
        roles: [.headteacher, .leadership, .designatedSafeguardingLead, .deputyDesignatedSafeguardingLead, .staff, .technicalStaff],
        satisfiedBy: [.onlineSafety], intervalMonths: 12)
    /// The DSL and deputies: formal DSL training every 2 years.
    public static let dslFormal = TrainingRequirement(
        code: "dsl-formal", title: "Formal DSL training every 2 years",
        roles: [.designatedSafeguardingLead, .deputyDesignatedSafeguardingLead],
        satisfiedBy: [.dslFormal], intervalMonths: 24)
    /// The DSL and deputies: a refresh at least annually.
    public static let dslRefresh = TrainingRequirement(
        code: "dsl-refresh", title: "DSL refresher at least annually",
        roles: [.designatedSafeguardingLead, .deputyDesignatedSafeguardingLead],
        satisfiedBy: [.dslRefresh, .dslFormal], intervalMonths: 12)
    /// Governors: safeguarding including filtering and monitoring at induction, regularly updated
    /// (annually by default, the stricter reading of "regularly").
    public static let governorSafeguarding = TrainingRequirement(
        code: "governor-safeguarding", title: "Safeguarding for governors at induction, then annually",
        roles: [.governor, .chairOfGovernors], satisfiedBy: [.governorSafeguarding], intervalMonths: 12)

    /// The requirements of the seed policies.
    public static let defaults: [TrainingRequirement] = [.staffOnlineSafety, .dslFormal, .dslRefresh, .governorSafeguarding]
}

/// Identifies a ``TrainingRecord``.
public typealias TrainingRecordID = Identifier<TrainingRecord>

/// A course someone completed: the evidence that a training requirement is met.
///
/// Records are never changed; a mistake is put right by recording the correct completion.
public struct TrainingRecord: Aggregate {
    /// The record's identifier.
    public var id: TrainingRecordID
    /// The person's school, or `nil` for trust-level people.
    public var schoolID: SchoolID?
    /// Who completed it.
    public var personID: PersonID
    /// What it covered.
    public var topic: TrainingTopic
    /// The course's name.
    public var course: String
    /// Who provided it.
    public var provider: String
    /// The day it was completed.
    public var completedOn: CalendarDate
    /// Where the evidence is (a certificate number or file), if given.
    public var evidenceReference: String?
    /// Who recorded it.
    public var recordedBy: PersonID
    /// When.
    public var recordedAt: Date
    /// The optimistic-concurrency revision.
    public var revision: Int

    /// Creates a record.
    public init(
        id: TrainingRecordID = TrainingRecordID(), schoolID: SchoolID?, personID: PersonID, topic: TrainingTopic, course: String,
        provider: String, completedOn: CalendarDate, evidenceReference: String? = nil, recordedBy: PersonID, recordedAt: Date,
        revision: Int = 0
    ) {
        self.id = id
        self.schoolID = schoolID
        self.personID = personID
        self.topic = topic
        self.course = course
        self.provider = provider
        self.completedOn = completedOn
        self.evidenceReference = evidenceReference
        self.recordedBy = recordedBy
        self.recordedAt = SafetyClock.truncated(recordedAt)
        self.revision = revision
    }

    /// Checks the course, provider and date.
    public func validate() throws(SafetyError) {
        if course.trimmingCharacters(in: .whitespaces).isEmpty { throw .invalid("training.course", "a training record names the course") }
        if provider.trimmingCharacters(in: .whitespaces).isEmpty {
            throw .invalid("training.provider", "a training record names the provider")
        }
        _ = try completedOn.checked("training.completedOn", .training, asOf: CalendarDate(recordedAt))
    }
}

/// A person's latest completion of one topic.
public struct TrainingLatest: Hashable, Sendable, Codable {
    /// The topic.
    public var topic: TrainingTopic
    /// The latest day it was completed.
    public var completedOn: CalendarDate
    /// The record of that completion.
    public var recordID: TrainingRecordID

    /// Creates an entry.
    public init(topic: TrainingTopic, completedOn: CalendarDate, recordID: TrainingRecordID) {
        self.topic = topic
        self.completedOn = completedOn
        self.recordID = recordID
    }
}

/// Identifies a ``TrainingSummary``: the same UUID as the person.
public typealias TrainingSummaryID = Identifier<TrainingSummary>

/// A person's latest completion of each topic: derived from their records and kept in step with
/// each one recorded, so status and reports need not read the whole history.
public struct TrainingSummary: Aggregate {
    /// The same UUID as the person.
    public var id: TrainingSummaryID
    /// The person's school, or `nil` for trust-level people.
    public var schoolID: SchoolID?
    /// The person.
    public var personID: PersonID
    /// The latest completion per topic, in topic order.
    public var latest: [TrainingLatest]
    /// The optimistic-concurrency revision.
    public var revision: Int

    /// Creates an empty summary for a person.
    public init(personID: PersonID, schoolID: SchoolID?, latest: [TrainingLatest] = [], revision: Int = 0) {
        self.id = TrainingSummaryID(personID.uuid)
        self.schoolID = schoolID
        self.personID = personID
        self.latest = latest.sorted { $0.topic.rawValue < $1.topic.rawValue }
        self.revision = revision
    }

    /// Takes a record into account: it becomes the topic's latest unless a later one is known.
    public mutating func apply(_ record: TrainingRecord) {
        let entry = TrainingLatest(topic: record.topic, completedOn: record.completedOn, recordID: record.id)
        if let index = latest.firstIndex(where: { $0.topic == record.topic }) {
            if latest[index].completedOn <= record.completedOn { latest[index] = entry }
        } else {
            latest.append(entry)
            latest.sort { $0.topic.rawValue < $1.topic.rawValue }
        }
    }

    /// Checks the identifier is the person's.
    public func validate() throws(SafetyError) {
        guard id.uuid == personID.uuid else { throw .invalid("trainingSummary.id", "a training summary has the person's identifier") }
    }
}
