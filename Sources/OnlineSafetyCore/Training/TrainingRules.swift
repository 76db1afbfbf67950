import Foundation

/// Where someone stands against a training requirement.
public enum TrainingState: String, Hashable, Sendable, Codable, CaseIterable {
    /// Done, and not due within the window.
    case compliant
    /// Done, but due again within the window.
    case dueSoon
    /// Done once, but the interval has passed.
    case overdue
    /// Never done.
    case neverDone
}

/// One person's standing against one requirement on a day.
public struct TrainingStatus: Hashable, Sendable, Codable {
    /// The person.
    public let personID: PersonID
    /// The requirement's code.
    public let requirementCode: String
    /// The roles they hold that the requirement applies to.
    public let roles: [Role]
    /// Their standing.
    public let state: TrainingState
    /// The last completion that meets the requirement, if any.
    public let lastCompleted: CalendarDate?
    /// When it is next due (`nil` when never done: it is due at once).
    public let dueBy: CalendarDate?

    /// Creates a status.
    public init(
        personID: PersonID, requirementCode: String, roles: [Role], state: TrainingState, lastCompleted: CalendarDate?, dueBy: CalendarDate?
    ) {
        self.personID = personID
        self.requirementCode = requirementCode
        self.roles = roles
        self.state = state
        self.lastCompleted = lastCompleted
        self.dueBy = dueBy
    }
}

/// The rules of training status. Pure functions; no storage.
public enum TrainingRules {
    /// The day a completion runs out: the same day `months` later (the last day of a shorter month).
    public static func dueDate(after completed: CalendarDate, months: Int) -> CalendarDate {
        completed.adding(months: months)
    }

    /// A person's standing against a requirement on a day, from their latest completions.
    ///
    /// Overdue after the due day; due soon from `dueSoonDays` before it up to and including it.
    public static func status(
        of personID: PersonID, roles: [Role], against requirement: TrainingRequirement, latest: [TrainingLatest], on date: CalendarDate,
        dueSoonDays: Int
    ) -> TrainingStatus {
        let last = latest.filter { requirement.satisfiedBy.contains($0.topic) }.map(\.completedOn).max()
        guard let last else {
            return TrainingStatus(
                personID: personID, requirementCode: requirement.code, roles: roles, state: .neverDone, lastCompleted: nil, dueBy: nil)
        }
        let due = dueDate(after: last, months: requirement.intervalMonths)
        let state: TrainingState =
            if date > due { .overdue } else if date >= due.adding(days: -max(0, dueSoonDays)) { .dueSoon } else { .compliant }
        return TrainingStatus(
            personID: personID, requirementCode: requirement.code, roles: roles, state: state, lastCompleted: last, dueBy: due)
    }

    /// The requirements that apply to a set of roles, each with the roles it applies through.
    public static func requirements(for roles: Set<Role>, among requirements: [TrainingRequirement]) -> [(TrainingRequirement, [Role])] {
        requirements.compactMap { requirement in
            let through = requirement.roles.filter { roles.contains($0) }
            return through.isEmpty ? nil : (requirement, through)
        }
    }
}
