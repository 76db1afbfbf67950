import Foundation
import OnlineSafetyCore
import Testing

/// The DSL's tools in the example tool: listing incidents with filters, and every kind of
/// chronology entry and device custody event, each ticking the step it satisfies.
@Suite("onlinesafety: incident list, chronology entries and the device register", .serialized)
struct CLIIncidentToolsTests {
    static let learner = "B801200005001"

    /// Records an incident as someone and returns its identifier.
    static func record(
        _ cli: CLI, _ store: String, as who: String = "kate.law", category: String, occurred: String, people: [String], summary: String
    ) throws -> String {
        let result = try cli.run(
            ["incident", "record", "--category", category, "--risk", "conduct", "--occurred", occurred, "--summary", summary] + people
                + CLI.acting(who, store: store))
        #expect(result.status == 0, "\(result.standardError)")
        return try #require(CLI.incidentID(in: result.standardOutput))
    }

    /// The state `incident steps` prints for a step code: `done`, `due` or `OVERDUE`.
    static func state(of code: String, _ cli: CLI, _ store: String, _ id: String) throws -> String? {
        let steps = try cli.run(["incident", "steps", id] + CLI.acting("kate.law", store: store))
        var last: String?
        for line in steps.standardOutput.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("["), let end = trimmed.firstIndex(of: "]") {
                last = String(trimmed[trimmed.index(after: trimmed.startIndex)..<end])
            }
            if trimmed.hasSuffix("step: \(code)") { return last }
        }
        return nil
    }

    /// The incident identifiers a list printed, in order.
    static func listed(_ output: String) -> [String] {
        output.split(separator: "\n").dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    @Test func listFiltersReturnExactlyTheRightIncidents() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let october = try Self.record(
            cli, store, category: "cyberbullying", occurred: "2026-10-01T10:00", people: ["--victim", Self.learner],
            summary: "Unkind messages in October")
        let november = try Self.record(
            cli, store, category: "childOnChildAbuse", occurred: "2026-11-10T09:00", people: ["--subject", "priya.shah@chilton.example"],
            summary: "Pushing in the playground")
        let closed = try Self.record(
            cli, store, category: "cyberbullying", occurred: "2026-11-20T14:00", people: ["--victim", Self.learner],
            summary: "A group chat")
        let closing = try cli.run(
            ["incident", "add", closed, "close", "--person", Self.learner, "--outcome", "Resolved"] + CLI.acting("kate.law", store: store))
        #expect(closing.status == 0, "\(closing.standardError)")

        func list(_ filters: [String]) throws -> [String] {
            let result = try cli.run(["incident", "list"] + filters + CLI.acting("kate.law", store: store))
            #expect(result.status == 0, "\(result.standardError)")
            for summary in ["Unkind messages", "Pushing", "group chat"] { #expect(!result.standardOutput.contains(summary)) }
            return Self.listed(result.standardOutput)
        }
        #expect(try list([]) == [october, november, closed])
        #expect(try list(["--category", "cyberbullying"]) == [october, closed])
        #expect(try list(["--category", "cyberbullying", "--category", "childOnChildAbuse"]) == [october, november, closed])
        #expect(try list(["--open"]) == [october, november])
        #expect(try list(["--closed"]) == [closed])
        #expect(try list(["--from", "2026-11-01"]) == [november, closed])
        #expect(try list(["--to", "2026-11-10"]) == [october, november])
        #expect(try list(["--from", "2026-11-10T09:30", "--to", "2026-11-30"]) == [closed])
        #expect(try list(["--participant", Self.learner]) == [october, closed])
        #expect(try list(["--participant", "priya.shah@chilton.example"]) == [november])
        #expect(try list(["--category", "cyberbullying", "--open"]) == [october])
        #expect(try list(["--in", "999001", "--closed"]) == [closed])

        let table = try cli.run(["incident", "list", "--closed"] + CLI.acting("kate.law", store: store))
        #expect(table.standardOutput.contains("ID"))
        #expect(table.standardOutput.contains("cyberbullying"))
        #expect(table.standardOutput.contains("closed"))

        let json = try cli.run(["incident", "list", "--json", "--open"] + CLI.acting("kate.law", store: store))
        #expect(json.status == 0)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["id"] as? String } == [october, november])
        #expect(rows.map { $0["status"] as? String } == ["open", "open"])
        #expect(rows.map { $0["participants"] as? Int } == [1, 1])
        #expect(!json.standardOutput.contains("summary") && !json.standardOutput.contains("Unkind"))

        let none = try cli.run(["incident", "list", "--category", "onlineHate"] + CLI.acting("kate.law", store: store))
        #expect(none.status == 0)
        #expect(none.standardOutput.contains("No incidents match."))
    }

    @Test func aTeachersListShowsOnlyWhatTheSessionReturns() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let teachers = try Self.record(
            cli, store, as: "tom.hughes", category: "cyberbullying", occurred: "2026-11-02T10:00", people: ["--victim", Self.learner],
            summary: "Seen in class")
        let dsls = try Self.record(
            cli, store, category: "nudeImageSharing", occurred: "2026-11-03T10:00", people: ["--victim", Self.learner],
            summary: "An image shared")
        let others = try Self.record(
            cli, store, category: "cyberbullying", occurred: "2026-11-04T10:00", people: ["--victim", Self.learner],
            summary: "Another concern")

        let teacher = try cli.run(["incident", "list"] + CLI.acting("tom.hughes", store: store))
        #expect(teacher.status == 0, "\(teacher.standardError)")
        #expect(Self.listed(teacher.standardOutput) == [teachers])
        #expect(!teacher.standardOutput.contains("Seen in class"))
        let filtered = try cli.run(["incident", "list", "--participant", Self.learner] + CLI.acting("tom.hughes", store: store))
        #expect(Self.listed(filtered.standardOutput) == [teachers])

        let dsl = try cli.run(["incident", "list"] + CLI.acting("kate.law", store: store))
        #expect(Self.listed(dsl.standardOutput) == [teachers, dsls, others])

        // The reporter may add notes to their own report, but not the DSL's entries or devices.
        let viewing = try cli.run(
            ["incident", "add", teachers, "imageViewing", "--decision", "view", "--reason", "r"] + CLI.acting("tom.hughes", store: store))
        #expect(viewing.status == 77)
        let seize = try cli.run(
            ["incident", "device", "seize", teachers, "--item", "phone", "--reason", "r", "--stored-at", "safe"]
                + CLI.acting("tom.hughes", store: store))
        #expect(seize.status == 66)
        let shown = try cli.run(["incident", "show", teachers] + CLI.acting("kate.law", store: store))
        #expect(!shown.standardOutput.contains("imageViewing") && !shown.standardOutput.contains("deviceCustody"))
    }

    @Test func badValuesExitWithAUsageErrorNamingTheOptionAndNeverTheValue() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let id = try Self.record(
            cli, store, category: "cyberbullying", occurred: "2026-11-02T10:00", people: ["--victim", Self.learner], summary: "x")
        let kate = CLI.acting("kate.law", store: store)
        let cases: [([String], String)] = [
            (["incident", "list", "--category", Self.learner], "--category"),
            (["incident", "list", "--from", Self.learner], "--from"),
            (["incident", "list", "--to", Self.learner], "--to"),
            (["incident", "add", id, "imageViewing", "--decision", Self.learner, "--reason", "r"], "--decision"),
            (["incident", "add", id, "fact", "--fact", Self.learner], "--fact"),
            (["incident", "add", id, "riskAssessment", "--text", "t", "--review-on", Self.learner], "--review-on"),
            (["incident", "add", id, "riskAssessment", "--text", "t"], "--review-on"),
            (["incident", "add", id, "imageViewing", "--decision", "view"], "--reason"),
            (["incident", "add", id, "correction", "--corrects", Self.learner, "--reason", "r", "--text", "t"], "--corrects"),
            (["incident", "add", id, "fact"], "--fact"),
            (
                ["incident", "device", "seize", id, "--item", "phone", "--reason", "r", "--stored-at", "safe", "--status", Self.learner],
                "--status"
            ),
            (["incident", "device", "move", UUID().uuidString, "--to", Self.learner], "--to"),
            (["incident", "device", "list", "--status", Self.learner], "--status"),
        ]
        for (arguments, option) in cases {
            let result = try cli.run(arguments + kate)
            #expect(result.status == 64, "\(arguments): \(result.standardError)")
            #expect(result.standardError.contains(option), "\(arguments): \(result.standardError)")
            #expect(!result.standardError.contains(Self.learner), "\(arguments): \(result.standardError)")
        }
        let both = try cli.run(["incident", "list", "--open", "--closed"] + kate)
        #expect(both.status == 64)

        // Nothing was added by the refused commands.
        let shown = try cli.run(["incident", "show", id] + kate)
        #expect(!shown.standardOutput.contains("imageViewing") && !shown.standardOutput.contains("riskAssessment"))
    }

    @Test func aRiskAssessmentIsRecordedWithItsReviewDateAndTicksItsStep() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let id = try Self.record(
            cli, store, category: "childOnChildAbuse", occurred: "now", people: ["--victim", Self.learner], summary: "Pushed and filmed")
        #expect(try Self.state(of: "riskAssessment", cli, store, id) != "done")

        let review = CalendarDate(Date()).adding(days: 14)
        let added = try cli.run(
            ["incident", "add", id, "riskAssessment", "--text", "Separate the children at break", "--review-on", "\(review)"]
                + CLI.acting("kate.law", store: store))
        #expect(added.status == 0, "\(added.standardError)")
        #expect(added.standardOutput.contains("(riskAssessment)"))

        let shown = try cli.run(["incident", "show", id] + CLI.acting("kate.law", store: store))
        #expect(shown.standardOutput.contains("riskAssessment: Separate the children at break (review by \(review))"))
        #expect(try Self.state(of: "riskAssessment", cli, store, id) == "done")
    }

    @Test func anEntryNamingAChildOutOfReachIsAnsweredAsOneNamingNoOne() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let tom = CLI.acting("tom.hughes", store: store)
        let kate = CLI.acting("kate.law", store: store)
        let id = try Self.record(
            cli, store, as: "tom.hughes", category: "cyberbullying", occurred: "now", people: ["--victim", Self.learner],
            summary: "Unkind messages")
        let review = "\(CalendarDate(Date()).adding(days: 14))"
        // Ben (Ash) is a child Tom may not read; the others name no one.
        let fakeUPN = CLIAdminTests.upn("886900125099")
        let references = [CLIAdminTests.ben, fakeUPN, "no.one@chilton.example", UUID().uuidString]
        let entries: [[String]] = [
            ["riskAssessment", "--text", "t", "--review-on", review, "--covers"], ["close", "--outcome", "o", "--person"],
            ["parents", "--learner"],
        ]
        for entry in entries {
            let results = try references.map { try cli.run(["incident", "add", id] + entry + [$0] + tom) }
            for (reference, result) in zip(references, results) {
                #expect(result.status == 77, "\(entry[0]) \(reference): \(result.standardError)")
                #expect(result.standardError == results[0].standardError, "\(entry[0]) \(reference)")
            }
            #expect(!results[0].standardError.contains(CLIAdminTests.ben))
        }
        let lists = try references.map { try cli.run(["incident", "list", "--participant", $0] + tom) }
        for (reference, list) in zip(references, lists) {
            #expect(list.status == 0, "\(reference): \(list.standardError)")
            #expect(list.standardOutput == lists[0].standardOutput, "\(reference)")
            #expect(list.standardError.isEmpty, "\(reference)")
        }

        // The DSL manages the incident and reads anyone: a reference no one has is not found, and
        // no entry is written for no one.
        let before = try cli.run(["incident", "show", id] + kate)
        for entry in entries {
            let result = try cli.run(["incident", "add", id] + entry + [fakeUPN] + kate)
            #expect(result.status == 66, "\(entry[0]): \(result.standardError)")
            #expect(result.standardError.contains("no one at this school matches that reference"), "\(entry[0])")
        }
        #expect(try cli.run(["incident", "show", id] + kate).standardOutput == before.standardOutput)
        let chronology = try cli.run(["incident", "chronology", "--child", fakeUPN] + kate)
        #expect(chronology.status == 66, "\(chronology.standardError)")
        let covered = try cli.run(
            ["incident", "add", id, "riskAssessment", "--text", "t", "--review-on", review, "--covers", Self.learner] + kate)
        #expect(covered.status == 0, "\(covered.standardError)")
        #expect(try cli.run(["incident", "chronology", "--child", Self.learner] + kate).status == 0)
    }

    @Test func aDeviceSeizedAndMovedIsInTheRegisterAndTheChronologyAndTicksTheDeviceStep() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let kate = CLI.acting("kate.law", store: store)
        let id = try Self.record(
            cli, store, category: "nudeImageSharing", occurred: "now", people: ["--victim", Self.learner], summary: "An image shared")
        #expect(try Self.state(of: "device.secured", cli, store, id) != "done")

        let seized = try cli.run(
            [
                "incident", "device", "seize", id, "--item", "Black phone", "--owner", Self.learner, "--reason", "Holds the image",
                "--stored-at", "Office safe",
            ] + kate)
        #expect(seized.status == 0, "\(seized.standardError)")
        let range = try #require(seized.standardOutput.range(of: "Recorded device "))
        let device = try #require(seized.standardOutput[range.upperBound...].split(separator: " ").first.map(String.init))
        #expect(try Self.state(of: "device.secured", cli, store, id) == "done")

        // Evidence of a nude image is never wiped.
        let wipe = try cli.run(["incident", "device", "move", device, "--to", "contentDeleted"] + kate)
        #expect(wipe.status == 65)

        let moved = try cli.run(["incident", "device", "move", device, "--to", "handedToPolice", "--note", "PC Lane collected it"] + kate)
        #expect(moved.status == 0, "\(moved.standardError)")
        #expect(moved.standardOutput.contains("is now handedToPolice"))

        let shown = try cli.run(["incident", "show", id] + kate)
        #expect(shown.standardOutput.contains("deviceCustody: device \(device) held: seized: Office safe"))
        #expect(shown.standardOutput.contains("deviceCustody: device \(device) handedToPolice: PC Lane collected it"))

        let register = try cli.run(["incident", "device", "list", "--status", "handedToPolice"] + kate)
        #expect(register.status == 0, "\(register.standardError)")
        #expect(register.standardOutput.contains(device) && register.standardOutput.contains(id))
        let held = try cli.run(["incident", "device", "list", "--status", "held"] + kate)
        #expect(!held.standardOutput.contains(device))

        // A teacher cannot read the register nor seize for the DSL's incident.
        let teacher = try cli.run(["incident", "device", "list"] + CLI.acting("tom.hughes", store: store))
        #expect(teacher.status == 77)
    }

    @Test func imageViewingCorrectionFactsEscalationAndDebriefAreRecordedAndShown() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let kate = CLI.acting("kate.law", store: store)
        let id = try Self.record(
            cli, store, category: "filteringBreach", occurred: "now", people: ["--victim", Self.learner], summary: "A site got through")
        func add(_ arguments: [String]) throws {
            let result = try cli.run(["incident", "add", id] + arguments + kate)
            #expect(result.status == 0, "\(arguments): \(result.standardError)")
        }
        try add(["imageViewing", "--decision", "doNotView", "--reason", "The description is enough"])
        try add(["note", "--text", "Seen at 9:00"])
        try add(["correction", "--corrects", "2", "--reason", "Misread the log", "--text", "Seen at 10:00"])
        try add(["fact", "--fact", "adultInvolved", "--happened", "2026-11-02T08:00"])
        #expect(try Self.state(of: "it.reported", cli, store, id) != "done")
        try add(["escalation", "--to", "technicalStaff", "--text", "URL sent to Ian"])
        #expect(try Self.state(of: "it.reported", cli, store, id) == "done")
        try add(["close", "--person", Self.learner, "--outcome", "Blocked"])
        #expect(try Self.state(of: "debrief", cli, store, id) != "done")
        try add(["debrief", "--text", "Check the filter after updates"])
        #expect(try Self.state(of: "debrief", cli, store, id) == "done")

        let shown = try cli.run(["incident", "show", id] + kate)
        let output = shown.standardOutput
        #expect(output.contains("imageViewing: do not view: The description is enough"))
        #expect(output.contains("correction: corrects entry 2: Seen at 10:00 (because Misread the log)"))
        #expect(output.contains("factsRecorded: an adult is involved"))
        #expect(output.contains("(happened Mon 2 Nov 2026 08:00)"))
        #expect(output.contains("facts: an adult is involved"))
        #expect(output.contains("escalation: passed to technicalStaff: URL sent to Ian"))
        #expect(output.contains("debrief: Check the filter after updates"))

        // Only the DSL or a deputy decides on viewing imagery; a correction names an entry there is.
        let missing = try cli.run(["incident", "add", id, "correction", "--corrects", "99", "--reason", "r", "--text", "t"] + kate)
        #expect(missing.status == 64)
        #expect(missing.standardError.contains("--corrects"))
        let empty = try cli.run(["incident", "add", id, "imageViewing", "--decision", "view", "--reason", " "] + kate)
        #expect(empty.status == 65)
    }
}
