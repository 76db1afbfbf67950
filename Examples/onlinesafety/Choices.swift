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
///
/// Widths are terminal columns (``displayWidth(_:)``), and cells are padded, never cut: an emoji
/// or a CJK character takes two columns, and `padding(toLength:)`, which counts UTF-16 units,
/// would cut a name holding one.
func table(_ header: [String], _ rows: [[String]]) -> [String] {
    let all = [header] + rows
    let count = header.count
    var widths = Array(repeating: 0, count: count)
    for row in all {
        for (index, cell) in row.enumerated() where index < count {
            widths[index] = max(widths[index], displayWidth(terminalSafe(cell)))
        }
    }
    return all.map { row in
        let line = row.enumerated().map { index, cell in
            let safe = terminalSafe(cell)
            return index >= count - 1 ? safe : safe + String(repeating: " ", count: widths[index] - displayWidth(safe))
        }.joined(separator: "  ")
        // Only the padding at the end goes: a row whose first cell is empty keeps its columns.
        return String(line.reversed().drop { $0 == " " }.reversed())
    }
}

/// How many terminal columns text takes, as `wcswidth` counts them, per grapheme cluster: two for
/// an emoji shown as one and for East Asian wide and full-width characters, one for anything else.
func displayWidth(_ text: String) -> Int {
    text.reduce(0) { $0 + columns($1) }
}

/// The terminal columns one grapheme cluster takes (see ``displayWidth(_:)``).
private func columns(_ character: Character) -> Int {
    let scalars = character.unicodeScalars
    guard let first = scalars.first else { return 0 }
    if scalars.contains(where: \.properties.isEmojiPresentation) { return 2 }
    if first.properties.isEmoji && scalars.contains("\u{FE0F}") { return 2 }
    switch first.value {
    case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
        0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
        return 2
    default:
        return 1
    }
}
