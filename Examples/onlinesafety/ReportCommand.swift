import ArgumentParser
import Foundation
import OnlineSafetyCore
import OnlineSafetyReports

/// `onlinesafety report`: reports for those who oversee the school.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Reports for governors and trustees.",
        subcommands: [GovernorsReportCommand.self]
    )
}

/// The formats `report governors` writes.
enum GovernorsFormat: String, CaseIterable, ExpressibleByArgument {
    /// A self-contained page with charts.
    case html
    /// One figure per row.
    case csv
    /// The report's value.
    case json

    var rendered: GovernorsReportFormat {
        switch self {
        case .html: .html
        case .csv: .csv
        case .json: .json
        }
    }
}

/// `onlinesafety report governors`: the governors' report as HTML, CSV or JSON.
struct GovernorsReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "governors",
        abstract: "The governors' report for a term or an academic year: figures that never identify a child.",
        discussion: """
            --period takes an academic year (2025-26) or a term (autumn-2025, spring-2026, summer-2026); by default the \
            academic year containing today. Counts below the school's threshold (5 unless it sets another) read \
            "fewer than 5"; no text from any incident appears; restricted categories are counted in one line.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var acting: ActingOptions

    @Flag(help: "Report on every school of the trust, rolled up (needs a trust-wide role).")
    var trust = false

    @Option(help: "The format: html, csv or json.")
    var format: GovernorsFormat = .html

    @Option(help: "The period: an academic year (2025-26) or a term (autumn-2025).")
    var period: String?

    @Option(help: "Write the report to this file instead of standard output.")
    var output: String?

    func validate() throws {
        if let period, ReportPeriod(parsing: period) == nil {
            throw ValidationError("--period reads 2025-26, autumn-2025, spring-2026 or summer-2026.")
        }
        if let output { try refuseInsideStore(output, option: "--output") }
    }

    func run() async throws {
        try await withSession(storeOptions, acting) { session in
            let chosen = period.flatMap(ReportPeriod.init(parsing:)) ?? .academicYear(containing: session.today)
            let report = try await session.reports.governors(period: chosen, acrossTrust: trust)
            let text = try GovernorsReportRenderer.render(report, as: format.rendered)
            if let output {
                try writeOutput(text, to: output)
                say("Wrote the governors' report (\(chosen.title)) to \(output)")
            } else {
                say(lines: text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init))
            }
        }
    }
}

/// `onlinesafety dashboard`: what needs the DSL's attention now.
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "The DSL's dashboard: open incidents by age, overdue steps, follow-ups, devices, repeated concerns and more."
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var acting: ActingOptions

    @Flag(help: "Every school of the trust (needs a trust-wide DSL role).")
    var trust = false

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Option(parsing: .unconditional, help: "Steps and follow-ups due within this many hours count as due soon.")
    var dueSoonHours: Int = 48

    @Option(parsing: .unconditional, help: "Learners in two or more incidents within this many days are listed.")
    var repeatedDays: Int = 90

    @Option(
        parsing: .unconditional,
        help: "List at most this many entries of each kind per school (1 to 500); the totals are always given.")
    var limit: Int = 20

    func validate() throws {
        guard dueSoonHours >= 0, repeatedDays >= 1 else { throw ValidationError("--due-soon-hours and --repeated-days must be positive.") }
        guard (1...500).contains(limit) else { throw ValidationError("--limit is 1 to 500.") }
    }

    func run() async throws {
        try await withSession(storeOptions, acting) { session in
            let board = try await session.dashboard.current(
                acrossTrust: trust, dueSoonHours: dueSoonHours, repeatedConcernDays: repeatedDays, listLimit: limit)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                let text = String(decoding: try encoder.encode(board), as: UTF8.self)
                say(lines: text.split(separator: "\n").map(String.init))
            } else {
                say(lines: Self.renderLines(board))
            }
        }
    }

    /// ", the first N shown" when a list holds fewer than its total.
    private static func shown(_ listed: Int, _ total: Int) -> String { listed < total ? ", the first \(listed) shown" : "" }

    static func renderLines(_ board: Dashboard) -> [String] {
        var lines = ["Dashboard at \(ISO8601DateFormatter().string(from: board.asOf))"]
        for school in board.schools {
            lines.append("")
            lines.append(school.name)
            lines.append("  Open incidents: " + school.openIncidents.map { "\($0.label) \($0.count)" }.joined(separator: ", "))
            lines.append("  Incidents with steps overdue: \(school.overdueTotal)" + shown(school.overdueSteps.count, school.overdueTotal))
            for item in school.overdueSteps {
                lines.append("    incident \(item.incidentID) (\(item.categoryCode)): " + item.steps.map(\.title).joined(separator: "; "))
            }
            lines.append(
                "  Incidents with steps due within \(board.dueSoonHours) hours: \(school.dueSoonTotal)"
                    + shown(school.dueSoonSteps.count, school.dueSoonTotal))
            for item in school.dueSoonSteps {
                lines.append("    incident \(item.incidentID) (\(item.categoryCode)): " + item.steps.map(\.title).joined(separator: "; "))
            }
            lines.append(
                "  Referrals awaiting follow-up: \(school.referralsTotal)"
                    + shown(school.referralsAwaitingFollowUp.count, school.referralsTotal))
            for follow in school.referralsAwaitingFollowUp {
                let when = ISO8601DateFormatter().string(from: follow.followUpDue)
                lines.append("    incident \(follow.incidentID): \(follow.agency.rawValue) by \(when)\(follow.overdue ? " (OVERDUE)" : "")")
            }
            let devices = school.devicesInCustody.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            lines.append("  Devices in custody: " + (devices.isEmpty ? "none" : devices.joined(separator: ", ")))
            lines.append(
                "  Learners with repeated concerns (\(board.repeatedConcernDays) days): \(school.repeatedConcernsTotal)"
                    + shown(school.repeatedConcerns.count, school.repeatedConcernsTotal))
            for concern in school.repeatedConcerns { lines.append("    learner \(concern.learnerID): \(concern.incidents) incidents") }
            lines.append("  Training due or overdue: \(school.trainingDueTotal)" + shown(school.trainingDue.count, school.trainingDueTotal))
            for status in school.trainingDue {
                lines.append("    \(status.personID) \(status.requirementCode): \(status.state.rawValue)")
            }
            lines.append("  Access grants without a current AUP: \(school.accessWithoutCurrentAUP)")
            lines.append("  Failed filtering checks still open: \(school.openFailedChecks.count)")
            for check in school.openFailedChecks { lines.append("    check \(check.id) on \(check.checkedOn)") }
            lines.append("  Calendar overdue: \(school.calendarOverdue.count)")
            for item in school.calendarOverdue { lines.append("    \(item.title), due \(item.dueOn)") }
        }
        return lines
    }
}
