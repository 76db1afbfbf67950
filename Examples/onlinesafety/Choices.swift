public import ArgumentParser
import OnlineSafetyCore

// The SDK's enumerations as option values: each is parsed strictly by its raw value, and an
// unknown value is a usage error (exit 64) that lists the valid ones. The help text lists them too.

extension AUPAudience: ExpressibleByArgument {}
extension AcceptanceMethod: ExpressibleByArgument {}
extension ConsentChoice: ExpressibleByArgument {}
extension ConsentMethod: ExpressibleByArgument {}
extension TrainingTopic: ExpressibleByArgument {}
extension IncidentLocation: ExpressibleByArgument {}
extension Equipment: ExpressibleByArgument {}
extension RiskArea: ExpressibleByArgument {}
extension IncidentFact: ExpressibleByArgument {}
extension ReferralAgency: ExpressibleByArgument {}
extension ContactMethod: ExpressibleByArgument {}
extension EscalationTarget: ExpressibleByArgument {}

/// The formats `compliance` writes.
enum ReportFormat: String, CaseIterable, ExpressibleByArgument {
    /// Lines for a terminal.
    case text
    /// The report as JSON.
    case json
    /// One figure per row.
    case csv
}

/// The kinds of entry `incident add` appends.
enum EntryKind: String, CaseIterable, ExpressibleByArgument {
    /// A note (`--text`).
    case note
    /// An action taken (`--text`).
    case action
    /// A decision and its reason (`--text`, `--reason`).
    case decision
    /// Lessons learnt (`--text`).
    case debrief
    /// A referral to an agency (`--agency`, `--method`, `--reference`).
    case referral
    /// Passed to someone else (`--to`).
    case escalation
    /// Parents told, or why not (`--learner`, `--withheld-because`).
    case parents
    /// One participant's part closed (`--person`, `--outcome`).
    case close
}
