import Foundation
import OnlineSafetyCore
import Testing

@Suite("register and calendar commands")
struct CLIRegisterTests {
    static func kate(_ store: String) -> [String] { CLI.acting("kate.law", store: store) }
    static func ian(_ store: String) -> [String] { CLI.acting("ian.cole", store: store) }
    static func tom(_ store: String) -> [String] { CLI.acting("tom.hughes", store: store) }

    static func id(after prefix: String, in output: String) -> String? {
        guard let range = output.range(of: prefix) else { return nil }
        return output[range.upperBound...].split(whereSeparator: { $0 == " " || $0 == ":" || $0 == "\n" }).first.map(String.init)
    }

    @Test func everyRegisterAndCalendarSubcommandExplainsItselfWithAnExample() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let commands: [[String]] = [
            ["register", "show"], ["register", "assign"], ["register", "changes", "request"], ["register", "changes", "decide"],
            ["register", "changes", "apply"], ["register", "changes", "list"], ["register", "checks", "record"],
            ["register", "checks", "resolve"], ["register", "checks", "list"], ["register", "review", "record"],
            ["register", "review", "show"], ["calendar", "show"], ["calendar", "record"],
        ]
        for command in commands {
            let help = try cli.run(command + ["--help"])
            #expect(help.status == 0, "\(command)")
            #expect(help.standardOutput.contains("Example"), "\(command)")
            #expect(help.standardOutput.contains("onlinesafety \(command.joined(separator: " "))"), "\(command)")
        }
        let top = try cli.run(["--help"])
        for name in ["register", "calendar"] { #expect(top.standardOutput.contains(name)) }
    }

    @Test func aChangeIsRequestedDecidedAndAppliedOnlyOnceApproved() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let requested = try cli.run(
            [
                "register", "changes", "request", "--action", "allow", "--site", "scratch.mit.edu", "--profile", "learners", "--reason",
                "Year 5 coding unit", "--risk-assessment", "Moderated; teacher supervises",
            ] + Self.tom(store))
        #expect(requested.status == 0, "\(requested.standardError)")
        let change = try #require(Self.id(after: "Requested filtering change ", in: requested.standardOutput))

        let early = try cli.run(["register", "changes", "apply", change] + Self.ian(store))
        #expect(early.status == 65, "an unapproved change cannot be applied")
        #expect(early.standardError.contains("unapproved"))
        let teacher = try cli.run(["register", "changes", "decide", change, "--approve", "--reason", "ok"] + Self.tom(store))
        #expect(teacher.status == 77, "a class teacher may not decide")
        let both = try cli.run(["register", "changes", "decide", change, "--approve", "--refuse", "--reason", "x"] + Self.kate(store))
        #expect(both.status == 64)
        let decided = try cli.run(
            ["register", "changes", "decide", change, "--approve", "--reason", "Supports the curriculum"] + Self.kate(store))
        #expect(decided.status == 0, "\(decided.standardError)")
        #expect(decided.standardOutput.contains("approved"))
        let byKate = try cli.run(["register", "changes", "apply", change] + Self.kate(store))
        #expect(byKate.status == 77, "only technical staff apply a change")
        let applied = try cli.run(["register", "changes", "apply", change, "--note", "ticket 4411"] + Self.ian(store))
        #expect(applied.status == 0, "\(applied.standardError)")
        let list = try cli.run(["register", "changes", "list", "--status", "applied"] + Self.kate(store))
        #expect(list.status == 0)
        #expect(list.standardOutput.contains(change) && list.standardOutput.contains("scratch.mit.edu"))
        let unknown = try cli.run(["register", "changes", "apply", UUID().uuidString] + Self.ian(store))
        #expect(unknown.status == 66)
    }

    @Test func checksStayOpenAndTheReviewNeedsTheLeaderAndGovernor() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let failed = try cli.run(
            [
                "register", "checks", "record", "--device", "iPad 12", "--where", "learner profile", "--tested", "SWGfL test",
                "--result", "failed",
            ] + Self.ian(store))
        #expect(failed.status == 0, "\(failed.standardError)")
        #expect(failed.standardOutput.contains("open"))
        let check = try #require(Self.id(after: "Recorded filtering check ", in: failed.standardOutput))
        let open = try cli.run(["register", "checks", "list", "--open"] + Self.kate(store))
        #expect(open.standardOutput.contains(check))
        let resolved = try cli.run(["register", "checks", "resolve", check, "--action", "Re-enabled; retested"] + Self.ian(store))
        #expect(resolved.status == 0, "\(resolved.standardError)")
        let none = try cli.run(["register", "checks", "list", "--open"] + Self.kate(store))
        #expect(!none.standardOutput.contains(check))

        let review = [
            "register", "review", "record", "--participant", "kate.law@chilton.example", "--considered", "DfE standards", "--finding",
            "Fit for purpose", "--minutes", "FGB/4",
        ]
        let unnamed = try cli.run(review + Self.kate(store))
        #expect(unnamed.status == 65, "no review before the leader and governor are named")
        for (responsibility, person) in [("seniorLeader", "kate.law"), ("governor", "hannah.cheshire")] {
            let assigned = try cli.run(
                ["register", "assign", "--responsibility", responsibility, "--person", "\(person)@chilton.example"] + Self.kate(store))
            #expect(assigned.status == 0, "\(assigned.standardError)")
        }
        let withoutGovernor = try cli.run(review + Self.kate(store))
        #expect(withoutGovernor.status == 65, "a review without the governor is refused")
        #expect(withoutGovernor.standardError.contains("named senior leader and the named governor"))
        let held = try cli.run(review + ["--participant", "hannah.cheshire@chilton.example"] + Self.kate(store))
        #expect(held.status == 0, "\(held.standardError)")
        #expect(held.standardOutput.contains("next due"))
        let shown = try cli.run(["register", "show"] + Self.kate(store))
        #expect(shown.status == 0)
        #expect(shown.standardOutput.contains("Filtering: Netsweeper; monitoring: Netsweeper; connection: Schools Broadband"))
        #expect(shown.standardOutput.contains("Governor: Hannah Cheshire"))
        #expect(shown.standardOutput.contains("0 failed and open"))
        let reviews = try cli.run(["register", "review", "show"] + Self.kate(store))
        #expect(reviews.standardOutput.contains("finding: Fit for purpose"))
    }

    @Test func theCalendarListsMeetingsAndAMeetingRecordedIsDone() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let today = CalendarDate(Date())
        let recorded = try cli.run(
            [
                "calendar", "record", "--activity", "dslGovernorMeeting", "--participant", "hannah.cheshire@chilton.example",
                "--minutes", "FGB/2026-11/4",
            ] + Self.kate(store))
        #expect(recorded.status == 0, "\(recorded.standardError)")
        let shown = try cli.run(["calendar", "show"] + Self.kate(store))
        #expect(shown.status == 0, "\(shown.standardError)")
        #expect(shown.standardOutput.contains("dslGovernorMeeting"))
        #expect(shown.standardOutput.contains("\(today) (FGB/2026-11/4)"), "the meeting is done with its minutes")
        let json = try cli.run(["calendar", "--json"] + Self.kate(store))
        #expect(json.status == 0)
        let decoded = try JSONDecoder().decode(GovernanceCalendar.self, from: Data(json.standardOutput.utf8))
        #expect(decoded.items.contains { $0.kind == .dslGovernorMeeting && $0.status == .done })
        let tom = try cli.run(["calendar"] + Self.tom(store))
        #expect(tom.status == 77, "a class teacher may not read the calendar")
        let badDay = try cli.run(["calendar", "show", "--on", "23/11/2026"] + Self.kate(store))
        #expect(badDay.status == 64)
    }

    @Test func theTrustsCalendarShowsEachSchoolForATrustWideRoleOnly() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let dana = ["--store", store, "--as", "dana.price@vikingtrust.example", "--school", "999001"]
        let added = try cli.run(
            [
                "school", "add", "--urn", "999004", "--dfe-number", "886/9004", "--name", "Upton Junior School", "--phase", "junior",
                "--dsl", "Rae Moss", "--head", "Rae Moss",
            ] + dana)
        #expect(added.status == 0, "\(added.standardError)")
        let json = try cli.run(["calendar", "show", "--trust", "--json"] + dana)
        #expect(json.status == 0, "\(json.standardError)")
        let calendars = try JSONDecoder().decode([GovernanceCalendar].self, from: Data(json.standardOutput.utf8))
        let schools = try cli.run(["school", "list"] + dana)
        let urns: [String] = schools.standardOutput.split(separator: "\n").compactMap { line -> String? in
            let first = String(line.prefix(6))
            return first.allSatisfy(\.isNumber) && first.count == 6 ? first : nil
        }
        #expect(calendars.count == Set(urns).count && calendars.count > 1, "one calendar per school: \(urns)")
        let shown = try cli.run(["calendar", "show", "--trust", "--outstanding"] + dana)
        #expect(shown.status == 0, "\(shown.standardError)")
        for urn in Set(urns) { #expect(shown.standardOutput.contains("(URN \(urn))")) }
        let kate = try cli.run(["calendar", "show", "--trust"] + Self.kate(store))
        #expect(kate.status == 77, "a school's DSL does not read the trust's calendar")
    }
}
