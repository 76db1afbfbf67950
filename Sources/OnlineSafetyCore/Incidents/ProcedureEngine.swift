import Foundation

/// Derives the steps a school's own policy requires for an incident, and marks those its
/// chronology already satisfies.
///
/// The rules are the school's ``PolicyDocument`` (see ``SeedPolicies`` for the three seed
/// schools'), read by ``PolicyInterpreter``; the people and contacts come from the school's
/// ``PolicySettings``, so the same incident at Chilton names Kate Law and the Kent Education
/// Safeguarding Service, and at Dormansland the Surrey Safeguarding Children Partnership. What
/// statutory guidance requires whatever the text says is the ``StatutoryFloor``, checked when a
/// document is adopted.
///
/// ```swift
/// let steps = ProcedureEngine.steps(for: incident, policy: SeedPolicies.mersham, settings: school.settings, entries: chronology)
/// let overdue = steps.filter { $0.isOverdue(asOf: now) }
/// ```
public enum ProcedureEngine {
    /// The steps for an incident under a school's policy, each marked satisfied by the first
    /// entry that evidences it.
    public static func steps(
        for incident: Incident, policy: PolicyDocument, settings: PolicySettings, entries: [ChronologyEntry]
    ) -> [ProcedureStep] {
        PolicyInterpreter.steps(for: incident, policy: policy, settings: settings, entries: entries)
    }

    /// The steps for an incident under the Kent template (``SeedPolicies/template``), for a
    /// school that has adopted no policy of its own and is not a seed school.
    public static func steps(for incident: Incident, settings: PolicySettings, entries: [ChronologyEntry]) -> [ProcedureStep] {
        steps(for: incident, policy: SeedPolicies.template, settings: settings, entries: entries)
    }
}
