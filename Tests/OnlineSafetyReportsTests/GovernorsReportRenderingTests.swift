import Foundation
import Logging
import OnlineSafetyCore
import OnlineSafetyReports
@_spi(StorageBackend) import OnlineSafetyTestKit
import StorageFile
import Testing

@Suite("Governors' report rendering")
struct GovernorsReportRenderingTests {
    static func world() async throws -> GovernorsReportWorld {
        var logger = Logger(label: "reports-tests")
        logger.logLevel = .warning
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reports-\(UUID().uuidString)")
        let store = try await FileStore.open(at: directory, logger: logger)
        return try await GovernorsReportWorld.make(on: store)
    }

    @Test("three incidents of one category print fewer than 5, and no name, UPN or summary appears in any format")
    func suppressedInEveryFormat() async throws {
        let world = try await Self.world()
        let report = try await world.governor.reports.governors(period: world.period)
        for format in GovernorsReportFormat.allCases {
            let text = try GovernorsReportRenderer.render(report, as: format)
            #expect(text.contains("fewer than 5"), "\(format) prints fewer than 5")
            for secret in world.secrets {
                #expect(!text.contains(secret), "\(format) holds no name, UPN, identifier or incident text")
            }
            #expect(!text.contains(",3\n") && !text.contains(">3<") && !text.contains("\"count\" : 3"), "\(format) never prints the 3")
        }
        let csv = GovernorsReportRenderer.csv(report)
        let rows = csv.split(separator: "\n").dropFirst()
        #expect(rows.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 7 }, "one figure per row")
        #expect(rows.contains { $0.contains("incidents_by_category,cyberbullying,autumn-2026,count,fewer than 5") })
        #expect(rows.contains { $0.contains("incidents_by_category,restricted,autumn-2026,count,fewer than 5") })
    }

    @Test("the HTML page is self-contained, with every chart beside its table")
    func htmlCharts() async throws {
        let world = try await Self.world()
        let report = try await world.governor.reports.governors(period: world.period)
        let html = try GovernorsReportRenderer.render(report, as: .html)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("data-chart=\"stacked\"") && html.contains("data-chart=\"line\"") && html.contains("data-chart=\"coverage\""))
        #expect(
            html.components(separatedBy: "<figure class=\"chart\">").count - 1 == html.components(separatedBy: "<svg data-chart").count - 1)
        #expect(html.contains("@media print"))
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http"), "nothing is loaded from outside")
    }

    /// Writes the school's and the trust's HTML reports to `REPORT_HTML_DIR` when it is set: what
    /// `scripts/test` loads in a headless browser and `scripts/report-screenshots` photographs.
    @Test("writes sample pages for the browser check")
    func samplePages() async throws {
        guard let directory = ProcessInfo.processInfo.environment["REPORT_HTML_DIR"] else { return }
        let world = try await Self.world()
        let school = try await world.governor.reports.governors(period: world.period)
        let trust = try await world.trustGovernor.reports.governors(period: world.period, acrossTrust: true)
        try GovernorsReportRenderer.render(school, as: .html).write(
            toFile: directory + "/governors-school.html", atomically: true, encoding: .utf8)
        try GovernorsReportRenderer.render(trust, as: .html).write(
            toFile: directory + "/governors-trust.html", atomically: true, encoding: .utf8)
    }

    @Test("periods: terms and academic years, with the same period last year")
    func periods() {
        let year = ReportPeriod(parsing: "2025-26")
        #expect(year?.days.first.description == "2025-09-01" && year?.days.last.description == "2026-08-31")
        #expect(year?.terms.count == 3)
        let spring = ReportPeriod(parsing: "spring-2026")
        #expect(
            spring?.days.first.description == "2026-01-01" && spring?.days.last.description == "2026-04-05", "spring ends on Easter Sunday")
        #expect(spring?.lastYear.days.last.description == "2025-04-20")
        #expect(ReportPeriod(parsing: "autumn-2025")?.description == "autumn-2025")
        #expect(ReportPeriod(parsing: "summer-2026")?.days.first.description == "2026-04-06")
        #expect(ReportPeriod(parsing: "2025-27") == nil && ReportPeriod(parsing: "winter-2025") == nil)
    }

    @Test("settings stored before the threshold existed read it as 5")
    func thresholdDefault() throws {
        let school = SeedSchools.chilton(trustID: nil)
        let data = try JSONEncoder().encode(school.settings)
        var object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        #expect(object["governorReportThreshold"] as? Int == 5)
        object.removeValue(forKey: "governorReportThreshold")
        let old = try JSONSerialization.data(withJSONObject: object)
        let decoded = try JSONDecoder().decode(PolicySettings.self, from: old)
        #expect(decoded.governorReportThreshold == 5)
    }
}
