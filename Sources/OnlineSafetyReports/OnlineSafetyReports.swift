import Foundation
public import OnlineSafetyCore

/// The formats a governors' report is written in.
public enum GovernorsReportFormat: String, Sendable, CaseIterable {
    /// JSON: the report's value, pretty-printed with sorted keys.
    case json
    /// CSV: one figure per row.
    case csv
    /// A self-contained HTML page with inline SVG charts, each beside its table.
    case html
}

/// Renders reports the SDK returns as files: JSON, CSV and HTML (from Mustache templates).
///
/// ```swift
/// let report = try await governor.reports.governors(period: .academicYear(2025))
/// let html = try GovernorsReportRenderer.render(report, as: .html)
/// ```
public enum GovernorsReportRenderer {
    /// The report in a format. Throws only when JSON encoding or a template fails, which is a bug.
    public static func render(_ report: GovernorsReport, as format: GovernorsReportFormat) throws -> String {
        switch format {
        case .json: return try json(report)
        case .csv: return csv(report)
        case .html: return try GovernorsHTML.render(report)
        }
    }

    /// The report as JSON (ISO 8601 dates, sorted keys).
    public static func json(_ report: GovernorsReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }

    /// The report as CSV: `scope,school_urn,section,item,period,measure,value`, one figure a row;
    /// a suppressed figure reads "fewer than N".
    public static func csv(_ report: GovernorsReport) -> String {
        var lines = ["scope,school_urn,section,item,period,measure,value"]
        func row(_ scope: String, _ urn: String, _ section: String, _ item: String, _ period: String, _ measure: String, _ value: String) {
            lines.append([scope, urn, section, item, period, measure, value].map(field).joined(separator: ","))
        }
        for section in report.schools + [report.trust].compactMap({ $0 }) {
            let scope = section.schoolID == nil ? "trust" : "school"
            let urn = section.urn ?? ""
            let thisYear = report.period.description
            let lastYear = report.period.lastYear.description
            row(scope, urn, "incidents", "total", thisYear, "count", section.total.description)
            row(scope, urn, "incidents", "total", lastYear, "count", section.totalLastYear.description)
            for term in section.terms {
                let now = term.term.description
                let before = term.term.lastYear.description
                row(scope, urn, "incidents", "total", now, "count", term.total.description)
                row(scope, urn, "incidents", "total", before, "count", term.totalLastYear.description)
                for line in term.byCategory { row(scope, urn, "incidents_by_category", line.code, now, "count", line.figure.description) }
                for line in term.byCategoryLastYear {
                    row(scope, urn, "incidents_by_category", line.code, before, "count", line.figure.description)
                }
                for line in term.byRiskArea { row(scope, urn, "incidents_by_risk_area", line.code, now, "count", line.figure.description) }
                for line in term.byRiskAreaLastYear {
                    row(scope, urn, "incidents_by_risk_area", line.code, before, "count", line.figure.description)
                }
            }
            for line in section.referralsByAgency {
                row(scope, urn, "referrals_by_agency", line.code, thisYear, "count", line.figure.description)
            }
            row(scope, urn, "first_action", "incidents", thisYear, "count", section.firstAction.incidents.description)
            row(scope, urn, "first_action", "median", thisYear, "hours", section.firstAction.medianHours.map { "\($0)" } ?? "")
            row(scope, urn, "first_action", "median", thisYear, "working_days", section.firstAction.medianWorkingDays.map { "\($0)" } ?? "")
            for (name, rows) in [("training", section.training), ("agreements", section.agreements), ("consent", section.consent)] {
                for coverage in rows {
                    row(scope, urn, name, coverage.code, thisYear, "people", coverage.people.description)
                    row(scope, urn, name, coverage.code, thisYear, "covered", coverage.covered.description)
                    row(scope, urn, name, coverage.code, thisYear, "percent", coverage.percent.map { "\($0)" } ?? "")
                }
            }
            if let filtering = section.filtering {
                for line in filtering.changes {
                    row(scope, urn, "filtering_changes", line.code, thisYear, "count", line.figure.description)
                }
                for line in filtering.checks { row(scope, urn, "filtering_checks", line.code, thisYear, "count", line.figure.description) }
                row(scope, urn, "filtering_review", "last", "", "date", filtering.lastReview?.description ?? "")
                row(scope, urn, "filtering_review", "next_due", "", "date", filtering.nextReviewDue.description)
            }
            for line in section.calendar {
                if let status = line.status {
                    row(scope, urn, "calendar", line.kind.rawValue, line.dueOn?.description ?? "", "status", status.rawValue)
                } else {
                    row(scope, urn, "calendar", line.kind.rawValue, "", "done", line.done?.description ?? "")
                    row(scope, urn, "calendar", line.kind.rawValue, "", "due", line.due?.description ?? "")
                    row(scope, urn, "calendar", line.kind.rawValue, "", "overdue", line.overdue?.description ?? "")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func field(_ text: String) -> String {
        var text = text
        // A cell a spreadsheet would run as a formula is read as text.
        if let first = text.first, "=+-@".contains(first), Double(text) == nil { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
