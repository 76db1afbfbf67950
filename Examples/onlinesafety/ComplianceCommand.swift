import ArgumentParser
import Foundation
import OnlineSafetyCore

/// `onlinesafety compliance`: the compliance report for the school or the trust, as text, JSON or CSV.
struct ComplianceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compliance",
        abstract: "The compliance report: AUP coverage, access without a current AUP, consent and training.",
        discussion: """
            Data managers, leaders and the DSL get the grants without an agreement as well as the figures; \
            governors get figures only. Exit status 0 even when figures fall short: read the report.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var acting: ActingOptions

    @Flag(help: "Report on every school of the trust (needs a trust-wide role).")
    var trust = false

    @Option(help: "The report's format.")
    var format: ReportFormat = .text

    @Option(parsing: .unconditional, help: "Training due within this many days counts as due soon.")
    var dueSoonDays: Int = 30

    @Option(help: "Write the report to this file instead of standard output.")
    var output: String?

    func validate() throws {
        guard dueSoonDays >= 0 else { throw ValidationError("--due-soon-days cannot be negative.") }
        if let output { try refuseInsideStore(output, option: "--output") }
    }

    func run() async throws {
        try await withSession(storeOptions, acting) { session in
            let report = try await session.compliance.report(acrossTrust: trust, dueSoonDays: dueSoonDays)
            let text: String
            switch format {
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                text = String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
            case .csv:
                text = report.csv()
            case .text:
                text = Self.renderLines(report).joined(separator: "\n") + "\n"
            }
            if let output {
                try writeOutput(text, to: output)
                say("Wrote the report to \(output)")
            } else if format == .text {
                say(lines: Self.renderLines(report))
            } else {
                // JSON escapes control characters itself; CSV fields are quoted by the report, and
                // anything else in them is escaped here, line by line.
                say(lines: text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init))
            }
        }
    }

    /// The report as lines of text for a terminal.
    static func renderLines(_ report: ComplianceReport) -> [String] {
        var lines: [String] = ["Compliance report, \(report.asOf)\(report.detailed ? "" : " (figures only)")"]
        func percent(_ part: Int, _ whole: Int) -> String { whole == 0 ? "-" : "\(part * 100 / whole)%" }
        func figures(_ title: String, _ figures: ComplianceFigures, exceptions: [AccessException], scope: String) {
            func n(_ value: Int, _ section: String, _ item: String, _ measure: String) -> String {
                report.shown(value, scope, section, item, measure)
            }
            lines.append("")
            lines.append(title)
            lines.append("  Acceptable use policies")
            for row in figures.aup {
                let version = row.published ? (row.currentVersion.map { "v\($0)" } ?? "in force") : "NONE PUBLISHED"
                let item = row.audience.rawValue
                let share =
                    report.isHidden(scope, "aup", item, "people") || report.isHidden(scope, "aup", item, "accepted")
                    ? "-" : percent(row.accepted, row.people)
                lines.append(
                    "    \(row.audience.title): \(n(row.accepted, "aup", item, "accepted")) of \(n(row.people, "aup", item, "people")) "
                        + "accepted \(version) (\(share)), \(n(row.due, "aup", item, "due")) due")
            }
            let access = figures.access
            lines.append(
                "  Access register: grants in force \(n(access.activeGrants, "access", "grants", "active")), without a current AUP "
                    + "\(n(access.withoutCurrentAUP, "access", "grants", "without_current_aup")) (target 0)")
            for exception in exceptions {
                let needs = exception.requiredVersion.map { "v\($0)" } ?? "a policy to be published"
                let grant = exception.grant
                lines.append("    grant \(grant.id): \(grant.system) for \(grant.personID), needs \(exception.audience.rawValue) \(needs)")
            }
            lines.append("  Consent")
            for row in figures.consent {
                let item = row.purposeCode
                lines.append(
                    "    \(row.purposeName): \(n(row.granted, "consent", item, "granted")) granted, "
                        + "\(n(row.refused, "consent", item, "refused")) refused, \(n(row.withdrawn, "consent", item, "withdrawn")) withdrawn, "
                        + "\(n(row.noRecord, "consent", item, "no_record")) no record (of \(n(row.learners, "consent", item, "learners")))")
            }
            lines.append("  Training")
            for row in figures.training {
                let item = "\(row.role.rawValue)/\(row.requirementCode)"
                lines.append(
                    "    \(row.role.title) / \(row.requirementCode): \(n(row.compliant, "training", item, "compliant")) compliant, "
                        + "\(n(row.dueSoon, "training", item, "due_soon")) due soon, \(n(row.overdue, "training", item, "overdue")) overdue, "
                        + "\(n(row.neverDone, "training", item, "never_done")) never done (of \(n(row.people, "training", item, "people")))"
                )
            }
        }
        for school in report.schools {
            figures("\(school.name) (URN \(school.urn))", school.figures, exceptions: school.accessExceptions, scope: school.urn)
        }
        if report.trustID != nil {
            if !report.trustWideTraining.isEmpty {
                figures(
                    "Trust-wide roles",
                    ComplianceFigures(
                        aup: [], access: AccessCoverage(activeGrants: 0, withoutCurrentAUP: 0), consent: [],
                        training: report.trustWideTraining), exceptions: [], scope: "trust-wide")
            }
            figures("All schools", report.totals, exceptions: [], scope: "total")
        }
        return lines
    }
}
