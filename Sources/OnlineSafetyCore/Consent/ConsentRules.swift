import Foundation

/// Why a learner may or may not be included, for one purpose on one day.
public enum ConsentReason: Hashable, Sendable, Codable {
    /// No decision is recorded.
    case noRecord
    /// Consent was given.
    case granted(by: PersonID, byLearner: Bool, on: CalendarDate, method: ConsentMethod)
    /// Consent was refused.
    case refused(by: PersonID, byLearner: Bool, on: CalendarDate)
    /// Consent was withdrawn.
    case withdrawn(by: PersonID, byLearner: Bool, on: CalendarDate)

    /// Words for the reason, naming no one: "given on 2026-09-03 by an adult with parental
    /// responsibility (written)", "withdrawn on 2026-11-20 by the learner".
    public var description: String {
        func who(_ byLearner: Bool) -> String { byLearner ? "the learner" : "an adult with parental responsibility" }
        switch self {
        case .noRecord: return "no consent recorded"
        case .granted(_, let byLearner, let day, let method): return "given on \(day) by \(who(byLearner)) (\(method.rawValue))"
        case .refused(_, let byLearner, let day): return "refused on \(day) by \(who(byLearner))"
        case .withdrawn(_, let byLearner, let day): return "withdrawn on \(day) by \(who(byLearner))"
        }
    }
}

/// The answer for one learner to "may we use this purpose on this day?".
public struct ConsentAnswer: Hashable, Sendable, Codable {
    /// The learner.
    public let learnerID: PersonID
    /// The purpose's code.
    public let purposeCode: String
    /// The day asked about.
    public let date: CalendarDate
    /// Yes or no.
    public let allowed: Bool
    /// Why.
    public let reason: ConsentReason
    /// The decision the answer rests on, if any.
    public let decisionID: ConsentDecisionID?

    /// Creates an answer.
    public init(
        learnerID: PersonID, purposeCode: String, date: CalendarDate, allowed: Bool, reason: ConsentReason, decisionID: ConsentDecisionID?
    ) {
        self.learnerID = learnerID
        self.purposeCode = purposeCode
        self.date = date
        self.allowed = allowed
        self.reason = reason
        self.decisionID = decisionID
    }
}

/// The rules of consent. Pure functions; no storage.
public enum ConsentRules {
    /// The decision in force for a learner and purpose on a day: the latest that applies by the
    /// end of that day. A withdrawal applies from the moment it was recorded.
    public static func decisionInForce(_ decisions: [ConsentDecision], purpose: String, on date: CalendarDate) -> ConsentDecision? {
        decisions.filter { $0.purposeCode == purpose && $0.effectiveOn <= date }.max(by: ConsentDecision.precedes)
    }

    /// The answer for one learner, from their decisions: yes only when consent was given and not
    /// since refused or withdrawn.
    public static func answer(learnerID: PersonID, purpose: String, decisions: [ConsentDecision], on date: CalendarDate) -> ConsentAnswer {
        let own = decisions.filter { $0.learnerID == learnerID }
        guard let decision = decisionInForce(own, purpose: purpose, on: date) else {
            return ConsentAnswer(learnerID: learnerID, purposeCode: purpose, date: date, allowed: false, reason: .noRecord, decisionID: nil)
        }
        let reason: ConsentReason =
            switch decision.choice {
            case .granted:
                .granted(by: decision.decidedBy, byLearner: decision.byLearner, on: decision.effectiveOn, method: decision.method)
            case .refused: .refused(by: decision.decidedBy, byLearner: decision.byLearner, on: decision.effectiveOn)
            case .withdrawn: .withdrawn(by: decision.decidedBy, byLearner: decision.byLearner, on: decision.effectiveOn)
            }
        return ConsentAnswer(
            learnerID: learnerID, purposeCode: purpose, date: date, allowed: decision.choice == .granted, reason: reason,
            decisionID: decision.id)
    }

    /// Whether a learner decides for themselves on a day: from the school's consent age.
    public static func learnerDecides(_ learner: Person, on date: CalendarDate, consentAge: Int) -> Bool {
        guard let born = learner.learner?.dateOfBirth else { return false }
        return born.years(until: date) >= consentAge
    }
}
