public import Foundation

/// Identifies an ``Incident``.
public typealias IncidentID = Identifier<Incident>

/// Where an incident happened.
public enum IncidentLocation: String, Hashable, Sendable, Codable, CaseIterable {
    /// On the school site.
    case onSite
    /// Off site (at home, on a trip, online outside school).
    case offSite
    /// Not known.
    case unknown
}

/// Whose equipment was involved.
public enum Equipment: String, Hashable, Sendable, Codable, CaseIterable {
    /// School-provided devices or network.
    case school
    /// Personal devices.
    case personal
    /// Not known.
    case unknown
}

/// A fact about an incident that changes what the policy requires.
public enum IncidentFact: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    /// An adult (over 18) is involved.
    case adultInvolved
    /// There is reason to believe a child was coerced, blackmailed or groomed.
    case coercionBlackmailOrGrooming
    /// There are doubts about a child's capacity to consent (for example age or SEND).
    case capacityToConsentDoubt
    /// The imagery or conduct involves sexual acts.
    case sexualActs
    /// Acts unusual for the child's developmental stage, or violent.
    case unusualOrViolent
    /// A child is at immediate risk of harm.
    case immediateRiskOfHarm
    /// A member of staff is involved.
    case staffInvolved
    /// The headteacher is involved (route to the chair of governors).
    case headteacherInvolved
    /// A criminal offence is suspected.
    case criminalOffenceSuspected
    /// The content is on the school network or school devices.
    case contentOnSchoolNetwork

    /// Words for the fact.
    public var words: String {
        switch self {
        case .adultInvolved: "an adult is involved"
        case .coercionBlackmailOrGrooming: "there is reason to believe a child was coerced, blackmailed or groomed"
        case .capacityToConsentDoubt: "there are concerns about a child's capacity to consent"
        case .sexualActs: "the imagery involves sexual acts"
        case .unusualOrViolent: "the acts are unusual for the child's developmental stage, or violent"
        case .immediateRiskOfHarm: "a child is at immediate risk of harm"
        case .staffInvolved: "a member of staff is involved"
        case .headteacherInvolved: "the headteacher is involved"
        case .criminalOffenceSuspected: "a criminal offence is suspected"
        case .contentOnSchoolNetwork: "the content is on the school's network or devices"
        }
    }

    /// Orders facts by declaration.
    public static func < (lhs: IncidentFact, rhs: IncidentFact) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A fact with when it was recorded (steps it triggers are due from then).
public struct RecordedFact: Hashable, Sendable, Codable {
    /// The fact.
    public var fact: IncidentFact
    /// When it was recorded.
    public var recordedAt: Date

    /// Creates a recorded fact.
    public init(_ fact: IncidentFact, at recordedAt: Date) {
        self.fact = fact
        self.recordedAt = recordedAt
    }
}

/// The part a person plays in an incident.
public enum ParticipantPart: String, Hashable, Sendable, Codable, CaseIterable {
    /// The person harmed or at risk.
    case victim
    /// The person alleged to have caused harm.
    case allegedPerpetrator
    /// A witness.
    case witness
    /// The person who raised the concern (when they are also involved).
    case reporter
    /// The person the concern is about (for example, a child's welfare).
    case subject
}

/// A person involved in an incident, with their own status and closure.
public struct Participant: Hashable, Sendable, Codable {
    /// Who.
    public var personID: PersonID
    /// Their part.
    public var part: ParticipantPart
    /// Whether they are a learner (parents are informed for learners).
    public var isLearner: Bool
    /// Their date of birth, for learners (age rules, retention).
    public var dateOfBirth: CalendarDate?
    /// Their key stage when the concern was recorded, for learners in a year group
    /// (``LearnerDetails/keyStage``); policies' key-stage conditions test it.
    public var keyStage: KeyStage?
    /// The outcome recorded when their part was closed.
    public var outcome: String?
    /// When their part was closed.
    public var closedAt: Date?

    /// Creates a participant.
    public init(
        personID: PersonID, part: ParticipantPart, isLearner: Bool = false, dateOfBirth: CalendarDate? = nil, keyStage: KeyStage? = nil,
        outcome: String? = nil, closedAt: Date? = nil
    ) {
        self.personID = personID
        self.part = part
        self.isLearner = isLearner
        self.dateOfBirth = dateOfBirth
        self.keyStage = keyStage
        self.outcome = outcome
        self.closedAt = closedAt
    }

    /// Whether their part is closed.
    public var isClosed: Bool { closedAt != nil }
}

/// An online safety incident or concern.
public struct Incident: Aggregate {
    /// The incident's identifier.
    public var id: IncidentID
    /// The school it belongs to.
    public var schoolIDValue: SchoolID
    /// Who reported it.
    public var reporterID: PersonID
    /// When it happened (as far as known).
    public var occurredAt: Date
    /// When it was reported (deadlines run from here).
    public var reportedAt: Date
    /// On or off site.
    public var location: IncidentLocation
    /// School or personal equipment.
    public var equipment: Equipment
    /// What happened, in the reporter's words.
    public var summary: String
    /// The risk area.
    public var riskArea: RiskArea
    /// The category.
    public var category: IncidentCategory
    /// The people involved.
    public var participants: [Participant]
    /// The facts recorded, each with when it was recorded, in fact order.
    public var facts: [RecordedFact]
    /// The optimistic-concurrency revision.
    public var revision: Int

    /// Creates an incident.
    public init(
        id: IncidentID = IncidentID(), schoolID: SchoolID, reporterID: PersonID, occurredAt: Date, reportedAt: Date,
        location: IncidentLocation, equipment: Equipment, summary: String, riskArea: RiskArea, category: IncidentCategory,
        participants: [Participant], facts: [RecordedFact] = [], revision: Int = 0
    ) {
        self.id = id
        self.schoolIDValue = schoolID
        self.reporterID = reporterID
        self.occurredAt = occurredAt
        self.reportedAt = reportedAt
        self.location = location
        self.equipment = equipment
        self.summary = summary
        self.riskArea = riskArea
        self.category = category
        self.participants = participants
        self.facts = facts.sorted { $0.fact < $1.fact }
        self.revision = revision
    }

    /// The school it belongs to.
    public var schoolID: SchoolID? { schoolIDValue }

    /// Whether only the DSL and deputies may learn it exists.
    public var isRestricted: Bool { category.restricted }

    /// Open while any participant's part is open.
    public var isOpen: Bool { participants.contains { !$0.isClosed } }

    /// When the last participant's part was closed, once every part is.
    public var closedAt: Date? { isOpen ? nil : participants.compactMap(\.closedAt).max() }

    /// Whether a fact has been recorded.
    public func has(_ fact: IncidentFact) -> Bool { facts.contains { $0.fact == fact } }

    /// When a fact was recorded, if it has been.
    public func recorded(_ fact: IncidentFact) -> Date? { facts.first { $0.fact == fact }?.recordedAt }

    /// Checks the summary, the participants and the dates.
    public func validate() throws(SafetyError) {
        if summary.isBlank {
            throw .invalid("incident.summary", "an incident needs a summary of what happened")
        }
        if participants.isEmpty { throw .invalid("incident.participants", "an incident names at least one person involved") }
        for participant in participants {
            if let born = participant.dateOfBirth {
                _ = try born.checked("incident.participants.dateOfBirth", .dateOfBirth, asOf: CalendarDate(reportedAt))
            }
        }
        if Set(participants.map(\.personID)).count != participants.count {
            throw .invalid("incident.participants", "a person is listed once per incident")
        }
        if occurredAt > reportedAt.addingTimeInterval(60) {
            throw .invalid("incident.occurredAt", "an incident cannot happen after it was reported")
        }
        for (index, participant) in participants.enumerated() where participant.isClosed && (participant.outcome ?? "").isEmpty {
            throw .invalid("incident.participants[\(index)].outcome", "closing a participant's part needs an outcome")
        }
    }
}
