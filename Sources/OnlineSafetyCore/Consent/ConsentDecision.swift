public import Foundation

/// What was decided about a purpose.
public enum ConsentChoice: String, Hashable, Sendable, Codable, CaseIterable {
    /// Consent given.
    case granted
    /// Consent refused.
    case refused
    /// Consent given before, now withdrawn (from the moment it is recorded).
    case withdrawn
}

/// How a decision was communicated.
public enum ConsentMethod: String, Hashable, Sendable, Codable, CaseIterable {
    /// In writing (a form or letter).
    case written
    /// Online.
    case online
}

/// Identifies a ``ConsentDecision``.
public typealias ConsentDecisionID = Identifier<ConsentDecision>

/// One decision about one purpose for one learner, by an adult with parental responsibility or
/// by the learner themselves from the school's consent age.
///
/// Decisions are never changed: the history is kept, and the latest decision rules.
public struct ConsentDecision: Aggregate {
    /// The decision's identifier.
    public var id: ConsentDecisionID
    /// The learner's school.
    public var schoolIDValue: SchoolID
    /// The learner.
    public var learnerID: PersonID
    /// The purpose's code.
    public var purposeCode: String
    /// Granted, refused or withdrawn.
    public var choice: ConsentChoice
    /// Who decided.
    public var decidedBy: PersonID
    /// Whether the learner decided for themselves.
    public var byLearner: Bool
    /// How the adult who decided is related to the learner, when an adult decided.
    public var relationship: Relationship?
    /// How it was communicated.
    public var method: ConsentMethod
    /// From when it applies (a withdrawal: the moment it was recorded).
    public var effectiveAt: Date
    /// When it was recorded.
    public var recordedAt: Date
    /// Who recorded it.
    public var recordedBy: PersonID
    /// The optimistic-concurrency revision.
    public var revision: Int

    /// Creates a decision.
    public init(
        id: ConsentDecisionID = ConsentDecisionID(), schoolID: SchoolID, learnerID: PersonID, purposeCode: String, choice: ConsentChoice,
        decidedBy: PersonID, byLearner: Bool, relationship: Relationship?, method: ConsentMethod, effectiveAt: Date, recordedAt: Date,
        recordedBy: PersonID, revision: Int = 0
    ) {
        self.id = id
        self.schoolIDValue = schoolID
        self.learnerID = learnerID
        self.purposeCode = purposeCode
        self.choice = choice
        self.decidedBy = decidedBy
        self.byLearner = byLearner
        self.relationship = relationship
        self.method = method
        self.effectiveAt = SafetyClock.truncated(effectiveAt)
        self.recordedAt = SafetyClock.truncated(recordedAt)
        self.recordedBy = recordedBy
        self.revision = revision
    }

    /// The learner's school.
    public var schoolID: SchoolID? { schoolIDValue }

    /// The day it applies from.
    public var effectiveOn: CalendarDate { CalendarDate(effectiveAt) }

    /// Checks the purpose code, who decided, and the dates.
    public func validate() throws(SafetyError) {
        if purposeCode.isEmpty { throw .invalid("consent.purpose", "a decision names its purpose") }
        guard byLearner == (decidedBy == learnerID) else {
            throw .invalid("consent.byLearner", "a decision is the learner's own exactly when the learner decided")
        }
        guard effectiveAt <= recordedAt else { throw .invalid("consent.effectiveAt", "a decision cannot apply from the future") }
        if choice == .withdrawn && effectiveAt != recordedAt {
            throw .invalid("consent.effectiveAt", "a withdrawal takes effect when it is recorded")
        }
    }

    /// Orders decisions by when they apply, then when they were recorded: the last one rules. Two
    /// decisions at the same instant are ordered so that the more restrictive one rules.
    public static func precedes(_ a: ConsentDecision, _ b: ConsentDecision) -> Bool {
        func restriction(_ choice: ConsentChoice) -> Int {
            switch choice {
            case .granted: 0
            case .refused: 1
            case .withdrawn: 2
            }
        }
        return (a.effectiveAt, a.recordedAt, restriction(a.choice), a.id.uuidString)
            < (b.effectiveAt, b.recordedAt, restriction(b.choice), b.id.uuidString)
    }
}

/// The decision in force for one purpose, as kept in a learner's ``ConsentState``: only what
/// reports count, so that a trust's states read quickly. Who decided, how and when are in the
/// decision it names.
public struct ConsentStateEntry: Hashable, Sendable, Codable {
    /// The purpose's code.
    public var purposeCode: String
    /// The decision in force.
    public var choice: ConsentChoice
    /// Its identifier.
    public var decisionID: ConsentDecisionID

    /// The entry for a decision.
    public init(_ decision: ConsentDecision) {
        self.purposeCode = decision.purposeCode
        self.choice = decision.choice
        self.decisionID = decision.id
    }
}

/// Identifies a ``ConsentState``: the same UUID as the learner.
public typealias ConsentStateID = Identifier<ConsentState>

/// The decisions in force for one learner, one entry per purpose: derived from the decisions, kept
/// in step with each one recorded, so reports need not replay the history.
public struct ConsentState: Aggregate {
    /// The same UUID as the learner.
    public var id: ConsentStateID
    /// The learner's school.
    public var schoolIDValue: SchoolID
    /// The learner.
    public var learnerID: PersonID
    /// The latest decision per purpose, in purpose-code order.
    public var entries: [ConsentStateEntry]
    /// The optimistic-concurrency revision.
    public var revision: Int

    /// Creates an empty state for a learner.
    public init(learnerID: PersonID, schoolID: SchoolID, entries: [ConsentStateEntry] = [], revision: Int = 0) {
        self.id = ConsentStateID(learnerID.uuid)
        self.schoolIDValue = schoolID
        self.learnerID = learnerID
        self.entries = entries.sorted { $0.purposeCode < $1.purposeCode }
        self.revision = revision
    }

    /// The learner's school.
    public var schoolID: SchoolID? { schoolIDValue }

    /// The decision in force for a purpose, if any.
    public func entry(for purposeCode: String) -> ConsentStateEntry? { entries.first { $0.purposeCode == purposeCode } }

    /// Takes a decision into account: it replaces the purpose's entry unless the decision that
    /// entry names (`current`, which the caller reads) still rules.
    public mutating func apply(_ decision: ConsentDecision, over current: ConsentDecision?) {
        let entry = ConsentStateEntry(decision)
        if let index = entries.firstIndex(where: { $0.purposeCode == decision.purposeCode }) {
            if let current, current.id == entries[index].decisionID, !ConsentDecision.precedes(current, decision) { return }
            entries[index] = entry
        } else {
            entries.append(entry)
            entries.sort { $0.purposeCode < $1.purposeCode }
        }
    }

    /// Checks the identifier is the learner's.
    public func validate() throws(SafetyError) {
        guard id.uuid == learnerID.uuid else { throw .invalid("consentState.id", "a consent state has the learner's identifier") }
    }
}
