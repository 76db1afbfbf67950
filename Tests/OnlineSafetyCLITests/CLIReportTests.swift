import Foundation
import OnlineSafetyCore
import Testing

/// The DSL's dashboard and the governors' report in the example tool, tried as their users would.
@Suite("onlinesafety: dashboard and report governors", .serialized)
struct CLIReportTests {
    static let learner = "B801200005001"

    /// A demo store with three recent incidents about one learner.
    static func storeWithIncidents(_ cli: CLI) throws -> String {
        let store = try cli.demoStore()
        let day = CalendarDate(Date()).adding(days: -3).description
        for (index, category) in ["cyberbullying", "cyberbullying", "onlineHate"].enumerated() {
            _ = try CLIIncidentToolsTests.record(
                cli, store, category: category, occurred: "\(day)T1\(index):00", people: ["--victim", Self.learner],
                summary: "Private summary number \(index)")
        }
        return store
    }

    @Test func theDashboardCountsEverythingAndListsOnlyUpToItsLimit() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try Self.storeWithIncidents(cli)
        let text = try cli.run(["dashboard", "--limit", "1"] + CLI.acting("kate.law", store: store))
        #expect(text.status == 0, "\(text.standardError)")
        #expect(text.standardOutput.contains("Learners with repeated concerns (90 days): 1"))
        #expect(text.standardOutput.contains("Open incidents: 0–7 days 3"))
        // A step due a working day after a report made on a Friday, or before a holiday, falls
        // beyond the default 48 hours: a month's window holds the three incidents' steps whatever
        // the day the test runs.
        let json = try cli.run(["dashboard", "--json", "--limit", "1", "--due-soon-hours", "744"] + CLI.acting("kate.law", store: store))
        #expect(json.status == 0, "\(json.standardError)")
        let board = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
        let school = try #require((board?["schools"] as? [[String: Any]])?.first)
        let overdueTotal = try #require(school["overdueTotal"] as? Int)
        let dueSoonTotal = try #require(school["dueSoonTotal"] as? Int)
        #expect(overdueTotal + dueSoonTotal >= 1, "three new incidents have steps due: \(overdueTotal) overdue, \(dueSoonTotal) soon")
        #expect(((school["overdueSteps"] as? [Any])?.count ?? 0) <= 1 && ((school["dueSoonSteps"] as? [Any])?.count ?? 0) <= 1)
        #expect(board?["listLimit"] as? Int == 1)

        let bad = try cli.run(["dashboard", "--limit", "0"] + CLI.acting("kate.law", store: store))
        #expect(bad.status == 64 && bad.standardError.contains("--limit"), "\(bad.standardError)")
        let teacher = try cli.run(["dashboard"] + CLI.acting("tom.hughes", store: store))
        #expect(teacher.status != 0 && teacher.standardOutput.isEmpty, "a class teacher gets no dashboard")
    }

    @Test func theGovernorsReportIsWrittenInEveryFormatAndNamesNoChild() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try Self.storeWithIncidents(cli)
        for format in ["html", "csv", "json"] {
            let output = cli.path("report.\(format)")
            let result = try cli.run(
                ["report", "governors", "--format", format, "--output", output] + CLI.acting("hannah.cheshire", store: store))
            #expect(result.status == 0, "\(format): \(result.standardError)")
            let written = try String(contentsOfFile: output, encoding: .utf8)
            #expect(written.contains("fewer than 5"), "\(format): three incidents read as fewer than 5")
            for secret in ["Private summary", "Ava", "Miller", Self.learner] {
                #expect(!written.contains(secret), "\(format) names no child and quotes no summary")
            }
            if format == "html" { #expect(written.contains("<svg") && written.contains("<table")) }
        }
        let governorReadsIncidents = try cli.run(["incident", "list"] + CLI.acting("hannah.cheshire", store: store))
        #expect(
            CLIIncidentToolsTests.listed(governorReadsIncidents.standardOutput).isEmpty
                && !governorReadsIncidents.standardOutput.contains("Private summary"),
            "a governor's list holds none of the incidents: \(governorReadsIncidents.standardOutput)")
    }
}
