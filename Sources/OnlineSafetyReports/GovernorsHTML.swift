import Foundation
import Mustache
import OnlineSafetyCore

/// The governors' report as a self-contained HTML page, rendered from the Mustache templates in
/// ``GovernorsTemplates``: the view model below holds the figures and the charts' geometry, the
/// templates hold every tag (HTML escapes every value).
enum GovernorsHTML {
    static let palette = ["#1b6ca8", "#e07a1f", "#3a9d5d", "#b83b5e", "#6c4ba3", "#8a6d3b", "#2f8f9d", "#c2a000", "#5b6770", "#d45087"]

    static func render(_ report: GovernorsReport) throws -> String {
        var library = MustacheLibrary()
        try library.register(GovernorsTemplates.page, named: "page")
        try library.register(GovernorsTemplates.section, named: "section")
        try library.register(GovernorsTemplates.figureTable, named: "figureTable")
        let sections = (report.trust.map { [$0] } ?? []) + report.schools
        var charts = 0
        let models = sections.enumerated().map { index, section -> [String: Any] in
            let model = sectionModel(section, report: report, index: index)
            charts += model["chartCount"] as? Int ?? 0
            return model
        }
        let page: [String: Any] = [
            "title": report.trust != nil
                ? "Governors' report: \(report.trustName ?? "trust")" : "Governors' report: \(report.schools.first?.name ?? "school")",
            "period": report.period.title,
            "from": report.days.first.description, "to": report.days.last.description,
            "lastFrom": report.lastYearDays.first.description, "lastTo": report.lastYearDays.last.description,
            "threshold": report.threshold, "largestSuppressed": max(1, report.threshold - 1),
            "generated": ISO8601DateFormatter().string(from: report.generatedAt),
            "sections": models,
            "expectedCharts": charts,
        ]
        guard let html = library.render(page, withTemplate: "page") else { throw RenderError.template }
        return html
    }

    enum RenderError: Error { case template }

    static func sectionModel(_ section: GovernorsSection, report: GovernorsReport, index: Int) -> [String: Any] {
        let id = "s\(index)"
        // Stacked bars: one bar for each term this year and the same term last year.
        let codes = orderedCodes(section)
        var bars: [(label: String, lines: [ReportLine])] = []
        for term in section.terms {
            bars.append((term.term.title, term.byCategory))
            bars.append((term.term.lastYear.title, term.byCategoryLastYear))
        }
        let suppressedHeight = 12.0
        let chartHeight = 200.0
        let maxTotal = max(1, bars.map { $0.lines.compactMap(\.figure.count).reduce(0, +) }.max() ?? 1)
        let barWidth = 36.0
        let gap = 22.0
        var barModels: [[String: Any]] = []
        for (barIndex, bar) in bars.enumerated() {
            var y = chartHeight + 10
            var segments: [[String: Any]] = []
            for line in bar.lines {
                let colour = palette[(codes.firstIndex(of: line.code) ?? 0) % palette.count]
                if line.figure.isSuppressed {
                    // A count below the threshold is drawn as a hatched band of one fixed height,
                    // whatever it is, so the chart shows that there were some without telling how many.
                    y -= suppressedHeight
                    segments.append([
                        "y": fmt(y), "height": fmt(suppressedHeight), "colour": colour, "hatched": true,
                        "label": "\(line.label): \(line.figure.description)",
                    ])
                    continue
                }
                guard let count = line.figure.count, count > 0 else { continue }
                let height = chartHeight * Double(count) / Double(maxTotal)
                y -= height
                segments.append(["y": fmt(y), "height": fmt(height), "colour": colour, "label": "\(line.label): \(count)"])
            }
            let x = 50 + Double(barIndex) * (barWidth + gap)
            barModels.append([
                "x": fmt(x), "width": fmt(barWidth), "segments": segments, "label": bar.label, "labelX": fmt(x + barWidth / 2),
                "labelY": fmt(chartHeight + 22), "lastYear": barIndex % 2 == 1,
            ])
        }
        let legend = codes.enumerated().map { offset, code -> [String: Any] in
            let label = section.terms.first?.byCategory.first { $0.code == code }?.label ?? code
            return ["colour": palette[offset % palette.count], "label": label, "y": fmt(14 + Double(offset) * 16)]
        }
        // Categories table: rows are categories, columns are the bars.
        let categoryRows = codes.map { code -> [String: Any] in
            let label = section.terms.first?.byCategory.first { $0.code == code }?.label ?? code
            let cells = bars.map { bar in ["value": bar.lines.first { $0.code == code }?.figure.description ?? "0"] }
            return ["label": label, "cells": cells]
        }
        // Line: this year against last, by term. A figure under the threshold is drawn as a hollow
        // point in the "fewer than N" band; only a withheld figure breaks the line.
        let points = section.terms.map { ($0.term.term?.title ?? $0.term.title, $0.total, $0.totalLastYear) }
        let band = Double(report.threshold)
        let lineMax = max(band, Double(points.flatMap { [$0.1.count, $0.2.count].compactMap { $0 } }.max() ?? 1))
        func place(_ figure: ReportFigure) -> (y: Double, inBand: Bool)? {
            if let count = figure.count { return (10 + chartHeight - chartHeight * Double(count) / lineMax, false) }
            if figure.fewerThan != nil { return (10 + chartHeight - chartHeight * band / 2 / lineMax, true) }
            return nil
        }
        func x(_ offset: Int) -> String { fmt(60 + Double(offset) * 160) }
        func polylines(_ values: [ReportFigure]) -> [[String: Any]] {
            var runs: [[String]] = [[]]
            for (offset, value) in values.enumerated() {
                if let point = place(value) { runs[runs.count - 1].append("\(x(offset)),\(fmt(point.y))") } else { runs.append([]) }
            }
            return runs.filter { !$0.isEmpty }.map { ["points": $0.joined(separator: " ")] }
        }
        func dots(_ values: [ReportFigure], _ colour: String, _ year: String) -> [[String: Any]] {
            values.enumerated().map { offset, value in
                let point = place(value)
                return [
                    "cx": x(offset), "cy": fmt(point?.y ?? 10 + chartHeight), "colour": colour, "hollow": point?.inBand ?? true,
                    "withheld": point == nil, "title": "\(points[offset].0), \(year): \(value.description)",
                ]
            }
        }
        let lineModel: [String: Any] = [
            "thisYear": polylines(points.map(\.1)), "lastYear": polylines(points.map(\.2)),
            "dots": dots(points.map(\.1), palette[0], "this year") + dots(points.map(\.2), palette[1], "last year"),
            "bandY": fmt(10 + chartHeight - chartHeight * band / lineMax), "bandHeight": fmt(chartHeight * band / lineMax),
            "bandWidth": fmt(80 + Double(max(1, points.count - 1)) * 160),
            "bandLabelY": fmt(10 + chartHeight - chartHeight * band / lineMax + 11), "threshold": report.threshold,
            "ticks": points.enumerated().map { offset, point in ["x": x(offset), "label": point.0] },
            "rows": section.terms.map { ["term": $0.term.title, "now": $0.total.description, "before": $0.totalLastYear.description] },
        ]
        // Coverage bars.
        let coverage = (section.training + section.agreements + section.consent)
        let coverageRows = coverage.enumerated().map { offset, row -> [String: Any] in
            [
                "label": row.label, "people": row.people.description, "covered": row.covered.description,
                "percent": row.percent.map { "\($0)%" } ?? "not shown (small group)", "width": fmt(Double(row.percent ?? 0) * 3.6),
                "y": fmt(6 + Double(offset) * 22), "textY": fmt(20 + Double(offset) * 22), "shown": row.percent != nil,
            ]
        }
        let riskRows = RiskArea.allCases.map { area -> [String: Any] in
            let cells = section.terms.flatMap { term in
                [
                    ["value": term.byRiskArea.first { $0.code == area.rawValue }?.figure.description ?? "0"],
                    ["value": term.byRiskAreaLastYear.first { $0.code == area.rawValue }?.figure.description ?? "0"],
                ]
            }
            return ["label": area.rawValue.prefix(1).uppercased() + area.rawValue.dropFirst(), "cells": cells]
        }
        let columns = section.terms.flatMap { [["label": $0.term.title], ["label": $0.term.lastYear.title]] }
        let filtering: [String: Any]? = section.filtering.map { filtering in
            [
                "provider": filtering.filteringProvider, "connection": filtering.connection,
                "leader": filtering.seniorLeaderNamed ? "named" : "NOT NAMED", "governor": filtering.governorNamed ? "named" : "NOT NAMED",
                "changes": filtering.changes.map { ["label": $0.label, "value": $0.figure.description] },
                "checks": filtering.checks.map { ["label": $0.label, "value": $0.figure.description] },
                "lastReview": filtering.lastReview?.description ?? "none recorded", "nextReview": filtering.nextReviewDue.description,
            ]
        }
        let calendar = section.calendar.map { line -> [String: Any] in
            [
                "title": line.title, "due": line.dueOn?.description ?? "",
                "status": line.status?.rawValue
                    ?? "done \(line.done?.description ?? "0"), due \(line.due?.description ?? "0"), overdue \(line.overdue?.description ?? "0")",
                "overdue": line.status == .overdue,
            ]
        }
        let chartCount = 2 + (coverage.isEmpty ? 0 : 1)
        return [
            "id": id, "name": section.name, "urn": section.urn ?? "", "isTrust": section.schoolID == nil,
            "total": section.total.description, "totalLastYear": section.totalLastYear.description,
            "bars": barModels, "legend": legend, "columns": columns, "categoryRows": categoryRows, "riskRows": riskRows,
            "stackWidth": fmt(60 + Double(bars.count) * (barWidth + gap) + 240),
            "legendX": fmt(60 + Double(bars.count) * (barWidth + gap) + 10),
            "line": lineModel, "lineWidth": fmt(120 + Double(max(1, points.count - 1)) * 160),
            "coverage": coverageRows, "hasCoverage": !coverage.isEmpty, "coverageHeight": fmt(12 + Double(coverage.count) * 22),
            "referrals": section.referralsByAgency.map { ["label": $0.label, "value": $0.figure.description] },
            "firstActionIncidents": section.firstAction.incidents.description,
            "medianHours": section.firstAction.medianHours.map { "\($0)" } ?? "not shown (fewer than \(report.threshold) incidents)",
            "medianDays": section.firstAction.medianWorkingDays.map { "\($0)" } ?? "not shown",
            "filtering": filtering as Any, "hasFiltering": filtering != nil,
            "calendar": calendar, "hasCalendar": !calendar.isEmpty, "chartCount": chartCount,
        ]
    }

    /// The category codes shown, built-in order first, the restricted line last.
    static func orderedCodes(_ section: GovernorsSection) -> [String] {
        var codes: [String] = []
        for term in section.terms {
            for line in term.byCategory + term.byCategoryLastYear where !codes.contains(line.code) { codes.append(line.code) }
        }
        return codes.filter { $0 != "restricted" } + ["restricted"]
    }

    static func fmt(_ value: Double) -> String { String(format: "%.1f", value) }
}
