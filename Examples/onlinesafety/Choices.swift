public import ArgumentParser
import Foundation
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
extension FilteringResponsibility: ExpressibleByArgument {}
extension FilteringAction: ExpressibleByArgument {}
extension FilteringProfile: ExpressibleByArgument {}
extension FilteringChangeStatus: ExpressibleByArgument {}
extension FilteringCheckResult: ExpressibleByArgument {}
extension GovernanceActivity: ExpressibleByArgument {}

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
    /// A risk and needs assessment (`--text`, `--review-on`, `--covers`).
    case riskAssessment
    /// The DSL's decision on viewing imagery (`--decision`, `--reason`).
    case imageViewing
    /// A correction of an earlier entry (`--corrects`, `--reason`, `--text`).
    case correction
    /// Facts learnt after the report (`--fact`).
    case fact
}

/// The DSL's decision on viewing imagery, as `incident add … imageViewing --decision` takes it.
enum ImageViewingDecision: String, CaseIterable {
    /// The imagery is viewed (only when there is no other option).
    case view
    /// The imagery is not viewed.
    case doNotView
}

/// Which incidents `incident list` shows by their state.
enum IncidentState: String, EnumerableFlag {
    /// Only open incidents.
    case open
    /// Only closed incidents.
    case closed
}

/// Parses one of an enumeration's raw values for an option, strictly (exact spelling), or fails
/// validation (exit 64) naming the option and listing the valid values.
///
/// Unlike ArgumentParser's own message for an enumeration option, the refusal never repeats what
/// was typed: a value put in the wrong option by mistake can be a child's name or UPN.
func parseChoice<Choice: CaseIterable & RawRepresentable>(_ text: String, option: String) throws -> Choice
where Choice.RawValue == String {
    if let choice = Choice(rawValue: text) { return choice }
    throw ValidationError("\(option) takes one of: \(choices(Choice.self)).")
}

/// An enumeration's raw values, comma-separated, for help texts and messages.
func choices<Choice: CaseIterable & RawRepresentable>(_ type: Choice.Type) -> String where Choice.RawValue == String {
    Choice.allCases.map(\.rawValue).joined(separator: ", ")
}

/// Parses a year group as the Common Transfer File codes it (`N1`, `N2`, `R`, `1` to `14`, `X`;
/// letters in either case), or fails validation naming the option.
func parseYearGroup(_ text: String, option: String) throws -> NCYear {
    try parseChoice(text.uppercased(), option: option)
}

/// Parses a required `YYYY-MM-DD` date for an option, or fails validation naming the option.
func requireDate(_ text: String, option: String) throws -> CalendarDate {
    guard let date = CalendarDate(iso: text) else { throw ValidationError("\(option) takes a date as YYYY-MM-DD.") }
    return date
}

/// Splits a comma-separated list (`--groups Oak,Ash`), trimming each item and dropping empty ones.
func parseList(_ text: String?) -> [String] {
    guard let text else { return [] }
    return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

/// Left-aligned columns for a table: each cell padded to its column's widest cell, the last
/// column left as it is. Every line is printed through ``say(_:)`` by the caller.
func table(_ header: [String], _ rows: [[String]]) -> [String] {
    let all = [header] + rows
    let count = header.count
    var widths = Array(repeating: 0, count: count)
    for row in all {
        for (index, cell) in row.enumerated() where index < count { widths[index] = max(widths[index], terminalSafe(cell).count) }
    }
    return all.map { row in
        row.enumerated().map { index, cell in
            let safe = terminalSafe(cell)
            return index == count - 1 ? safe : safe.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
}
