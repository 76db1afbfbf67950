public import Foundation

/// Who must carry out a step: a role, and the person the school's policy names for it.
public struct Responsible: Hashable, Sendable, Codable {
    /// The role.
    public var role: Role
    /// The named person, when the policy names one.
    public var name: String?

    /// Creates a responsible party.
    public init(role: Role, name: String?) {
        self.role = role
        self.name = name
    }

    /// "Kate Law (designated safeguarding lead)" or "designated safeguarding lead".
    public var description: String { name.map { "\($0) (\(role.title))" } ?? role.title }
}

/// What kind of chronology entry satisfies a step.
public enum StepEvidence: Hashable, Sendable, Codable {
    /// A referral to one of these agencies.
    case referral([ReferralAgency])
    /// A parent notification (informed or withheld) for this learner.
    case parentNotification(PersonID)
    /// A risk and needs assessment.
    case riskAssessment
    /// A device custody event, optionally with one of these statuses.
    case deviceCustody([DeviceStatus])
    /// An escalation to one of these.
    case escalation([EscalationTarget])
    /// A debrief.
    case debrief
    /// A decision recorded with its reason.
    case decision
    /// Only an entry that names the step in its `satisfies` list.
    case explicit

    /// Whether an entry that names the step in its `satisfies` list counts for it: only for a
    /// step whose evidence is ``explicit``. A step that needs a referral, a risk assessment or
    /// another kind of entry is satisfied by that entry alone, never by a note that names it.
    public func acceptsNaming(_ code: String, _ entry: ChronologyEntry) -> Bool {
        self == .explicit && entry.satisfies.contains(code)
    }

    /// Whether an entry's content is evidence of this kind.
    public func isSatisfied(by content: ChronologyContent) -> Bool {
        switch (self, content) {
        case (.referral(let agencies), .referral(let referral)): agencies.contains(referral.agency)
        case (.parentNotification(let learner), .parentNotification(let notification)): notification.learnerID == learner
        case (.riskAssessment, .riskAssessment): true
        case (.deviceCustody(let statuses), .deviceCustody(_, let status, _)): statuses.isEmpty || statuses.contains(status)
        case (.escalation(let targets), .escalation(let target, _)): targets.contains(target)
        case (.debrief, .debrief): true
        case (.decision, .decision(let decision, let reason)):
            !decision.trimmingCharacters(in: .whitespaces).isEmpty && !reason.trimmingCharacters(in: .whitespaces).isEmpty
        default: false
        }
    }
}

/// Where a step comes from: the policy version and the section of it.
public struct StepSource: Hashable, Sendable, Codable {
    /// The policy's title, for example "Mersham Primary School online safety policy, reviewed September 2018".
    public var policy: String
    /// The policy's version.
    public var version: String
    /// The section number, when the policy numbers it.
    public var section: String?
    /// The section's heading.
    public var heading: String

    /// Creates a source.
    public init(policy: String, version: String, section: String?, heading: String) {
        self.policy = policy
        self.version = version
        self.section = section
        self.heading = heading
    }

    /// "Mersham Primary School online safety policy, reviewed September 2018, §11.2", or the
    /// heading in quotation marks when the policy does not number the section.
    public var citation: String { "\(policy), " + (section.map { "§\($0)" } ?? "“\(heading)”") }
}

/// One thing the school's policy requires after an incident: what, who, by when, and why.
public struct ProcedureStep: Hashable, Sendable, Codable {
    /// A code unique within the incident, for example `referral.socialCareOrPolice`.
    public var code: String
    /// What must be done.
    public var title: String
    /// Who must do it.
    public var responsible: Responsible
    /// Whom to contact, with their numbers from the school's settings.
    public var contacts: [Agency]
    /// Why: the rule of the policy it comes from, and the facts that triggered it.
    public var rule: String
    /// From when it is required (the report, or the recording of the fact that triggered it).
    public var requiredFrom: Date
    /// By when (`nil`: no deadline, but it stays outstanding until done).
    public var due: Date?
    /// What satisfies it.
    public var evidence: StepEvidence
    /// The entry that satisfied it, once one has.
    public var satisfiedBy: ChronologyEntryID?
    /// When that entry was recorded.
    public var satisfiedAt: Date?
    /// The policy version and section it came from.
    public var source: StepSource?
    /// The steps it waits for (for example police advice before deleting copies); until they are
    /// satisfied it is not yet required and has no deadline.
    public var awaiting: [String]?

    /// Creates a step.
    public init(
        code: String, title: String, responsible: Responsible, contacts: [Agency] = [], rule: String, requiredFrom: Date, due: Date?,
        evidence: StepEvidence, satisfiedBy: ChronologyEntryID? = nil, satisfiedAt: Date? = nil, source: StepSource? = nil,
        awaiting: [String]? = nil
    ) {
        self.code = code
        self.title = title
        self.responsible = responsible
        self.contacts = contacts
        self.rule = rule
        self.requiredFrom = requiredFrom
        self.due = due
        self.evidence = evidence
        self.satisfiedBy = satisfiedBy
        self.satisfiedAt = satisfiedAt
        self.source = source
        self.awaiting = awaiting
    }

    /// Whether it was required and not yet satisfied at an instant.
    public func isOutstanding(asOf time: Date) -> Bool {
        requiredFrom <= time && (satisfiedAt.map { $0 > time } ?? true)
    }

    /// Whether it was outstanding and past its deadline at an instant.
    public func isOverdue(asOf time: Date) -> Bool {
        guard let due else { return false }
        return isOutstanding(asOf: time) && due < time
    }
}

/// Identifies a ``ProcedureStatus``; it shares its UUID with the incident.
public typealias ProcedureStatusID = Identifier<ProcedureStatus>

/// The steps of one incident as last derived, kept beside it so that outstanding and overdue
/// steps can be found across a school or trust without deriving every incident again.
public struct ProcedureStatus: Aggregate {
    /// The same UUID as the incident.
    public var id: ProcedureStatusID
    /// The incident.
    public var incidentID: IncidentID
    /// The incident's school.
    public var schoolIDValue: SchoolID
    /// Whether the incident is restricted.
    public var restricted: Bool
    /// The incident's category code.
    public var categoryCode: String
    /// The steps.
    public var steps: [ProcedureStep]
    /// The adopted policy version the steps follow (`nil`: the school's built-in policy).
    public var policyID: AdoptedPolicyID?
    /// That policy's version, as it names itself.
    public var policyVersion: String?
    /// The optimistic-concurrency revision.
    public var revision: Int

    /// Creates a status for an incident, its steps following a policy version.
    public init(
        incident: Incident, steps: [ProcedureStep], policyID: AdoptedPolicyID? = nil, policyVersion: String? = nil, revision: Int = 0
    ) {
        self.id = ProcedureStatusID(incident.id.uuid)
        self.incidentID = incident.id
        self.schoolIDValue = incident.schoolIDValue
        self.restricted = incident.isRestricted
        self.categoryCode = incident.category.code
        self.steps = steps
        self.policyID = policyID
        self.policyVersion = policyVersion
        self.revision = revision
    }

    /// The school.
    public var schoolID: SchoolID? { schoolIDValue }

    /// The earliest deadline among unsatisfied steps.
    public var nextDue: Date? { steps.filter { $0.satisfiedAt == nil }.compactMap(\.due).min() }

    /// The earliest deadline of any step.
    public var firstDue: Date? { steps.compactMap(\.due).min() }

    /// When the last step was satisfied.
    public var lastSatisfiedAt: Date? { steps.compactMap(\.satisfiedAt).max() }

    /// Steps are derived, never invalid.
    public func validate() throws(SafetyError) {}
}
