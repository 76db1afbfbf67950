import Foundation
import OnlineSafetyCore
import Testing

/// What a trust's data manager does with the example tool: people, contacts, roles, the school
/// and its settings, who they act as, and the audit trail; run as a user would on a demo store.
@Suite("onlinesafety: people, contacts, roles, school, whoami and audit", .serialized)
struct CLIAdminTests {
    /// The demo's trust data manager, acting at Chilton.
    static func dana(_ store: String) -> [String] {
        ["--store", store, "--as", "dana.price@vikingtrust.example", "--school", "999001"]
    }

    /// A valid UPN for a body of 12 characters.
    static func upn(_ body: String) -> String { String(UPN.checkLetter(for: Array(body))!) + body }

    /// Ben Clarke, the demo's learner in Ash (Tom Hughes teaches Oak).
    static let ben = upn("886900125002")

    /// The identifier after `grant ` in a command's output.
    static func grantID(in output: String) -> String? {
        guard let range = output.range(of: "grant ", options: .backwards) else { return nil }
        return output[range.upperBound...].split(whereSeparator: \.isWhitespace).first.map(String.init)
    }

    @Test func aNameWithAWideCharacterIsListedWholeInAlignedColumns() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let added = try cli.run(
            [
                "people", "add", "--kind", "learner", "--given-name", "Jojo 🌟", "--family-name", "Brown-Oakhamptonshire",
                "--upn", Self.upn("801200025006"), "--date-of-birth", "2019-07-07", "--year", "2", "--group", "Oak",
            ] + Self.dana(store))
        #expect(added.status == 0, "\(added.standardError)")
        let list = try cli.run(["people", "list", "--kind", "learner", "--group", "Oak"] + CLI.acting("tom.hughes", store: store))
        #expect(list.status == 0, "\(list.standardError)")
        let lines = list.standardOutput.split(separator: "\n").map(String.init)
        let row = try #require(lines.first { $0.contains("Jojo") })
        #expect(row.contains("Jojo 🌟 Brown-Oakhamptonshire  learner"), "the whole name, then the next column")
        // 🌟 is one Character but two columns: the row's KIND starts one Character before the header's.
        let header = try #require(lines.first { $0.hasPrefix("NAME") })
        let kind = try #require(header.range(of: "KIND")).lowerBound
        let learner = try #require(row.range(of: "learner")).lowerBound
        #expect(header.distance(from: header.startIndex, to: kind) == row.distance(from: row.startIndex, to: learner) + 1)
    }

    @Test func everyNewSubcommandExplainsItselfWithAnExample() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let commands: [[String]] = [
            ["people", "list"], ["people", "show"], ["people", "add"], ["people", "update"], ["people", "leaver"],
            ["people", "correct-leaving"],
            ["contacts", "add"], ["contacts", "list"], ["roles", "grant"], ["roles", "end"], ["roles", "list"],
            ["school", "show"], ["school", "set"], ["school", "add"], ["school", "list"], ["whoami"], ["audit", "trail"],
            ["audit", "verify"],
        ]
        for command in commands {
            let help = try cli.run(command + ["--help"])
            #expect(help.status == 0, "\(command)")
            #expect(help.standardOutput.contains("Example"), "\(command)")
            #expect(help.standardOutput.contains("onlinesafety \(command.joined(separator: " "))"), "\(command)")
        }
        let top = try cli.run(["--help"])
        for name in ["people", "contacts", "roles", "school", "whoami", "audit"] { #expect(top.standardOutput.contains(name)) }
    }

    @Test func aPersonAddedIsShownListedAndChanged() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let staff = try cli.run(
            [
                "people", "add", "--kind", "staff", "--given-name", "Sam", "--family-name", "Patel", "--email", "sam.patel@chilton.example",
                "--job-title", "Class teacher",
            ] + Self.dana(store))
        #expect(staff.status == 0, "\(staff.standardError)")
        #expect(staff.standardOutput.contains("Added Sam Patel (staff, Chilton Primary School)"))
        #expect(staff.standardOutput.contains("roles grant sam.patel@chilton.example ROLE"))

        let shown = try cli.run(["people", "show", "sam.patel@chilton.example"] + Self.dana(store))
        #expect(shown.status == 0, "\(shown.standardError)")
        #expect(shown.standardOutput.contains("Sam Patel (staff, Chilton Primary School)"))
        #expect(shown.standardOutput.contains("job title: Class teacher"))

        let dev = Self.upn("801200025004")
        let learner = try cli.run(
            [
                "people", "add", "--kind", "learner", "--given-name", "Dev", "--family-name", "Rao", "--upn", dev, "--date-of-birth",
                "2017-02-03", "--year", "3", "--group", "Ash",
            ] + Self.dana(store))
        #expect(learner.status == 0, "\(learner.standardError)")
        let devShown = try cli.run(["people", "show", dev] + Self.dana(store))
        #expect(devShown.standardOutput.contains("Dev Rao (learner, Chilton Primary School)"))
        #expect(devShown.standardOutput.contains("date of birth: 2017-02-03"))
        #expect(devShown.standardOutput.contains("year group: 3 (ks2)"))
        #expect(devShown.standardOutput.contains("registration group: Ash"))

        let ash = try cli.run(["people", "list", "--kind", "learner", "--group", "Ash"] + Self.dana(store))
        #expect(ash.status == 0)
        #expect(ash.standardOutput.contains("2 people at Chilton Primary School"))
        #expect(ash.standardOutput.contains("Dev Rao") && ash.standardOutput.contains("Ben Clarke"))
        #expect(!ash.standardOutput.contains("Ava Miller"))
        #expect(!ash.standardOutput.contains("2017-02-03"), "a list shows no date of birth")

        let json = try cli.run(["people", "list", "--kind", "staff", "--json"] + Self.dana(store))
        #expect(json.status == 0)
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [[String: Any]])
        #expect(listed.contains { $0["email"] as? String == "sam.patel@chilton.example" && $0["jobTitle"] as? String == "Class teacher" })
        #expect(listed.allSatisfy { $0["kind"] as? String == "staff" })

        let moved = try cli.run(["people", "update", dev, "--group", "Oak", "--family-name", "Rao-Smith"] + Self.dana(store))
        #expect(moved.status == 0, "\(moved.standardError)")
        #expect(moved.standardOutput.contains("Updated Dev Rao-Smith (family name, registration group)"))
        let after = try cli.run(["people", "show", dev] + Self.dana(store))
        #expect(after.standardOutput.contains("registration group: Oak"))
        // Tom teaches Oak: he now reads Dev's record.
        #expect(try cli.run(["people", "show", dev] + CLI.acting("tom.hughes", store: store)).status == 0)

        let titled = try cli.run(["people", "update", dev, "--job-title", "Head of Year"] + Self.dana(store))
        #expect(titled.status == 65 && titled.standardError.contains("--job-title"), "a learner has no job title")
        let badEmail = try cli.run(
            ["people", "update", "sam.patel@chilton.example", "--email", "not an email"] + Self.dana(store))
        #expect(badEmail.status == 64 && badEmail.standardError.contains("--email takes an email address"))
        let ladoEmail = try cli.run(["school", "set", "lado.email", "notanemail"] + Self.dana(store))
        #expect(ladoEmail.status == 64 && !ladoEmail.standardError.contains("notanemail"))

        let notLearner = try cli.run(["people", "update", "sam.patel@chilton.example", "--group", "Oak"] + Self.dana(store))
        #expect(notLearner.status == 65)
        #expect(notLearner.standardError.contains("--group"))
    }

    @Test func aLeaversRolesEndAndTheyCanNoLongerAct() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let yesterday = CalendarDate(Date()).adding(days: -1)
        let before = try cli.run(["roles", "list"] + Self.dana(store))
        #expect(before.standardOutput.contains("Tom Hughes"))

        let left = try cli.run(["people", "leaver", "tom.hughes@chilton.example", "--on", "\(yesterday)"] + Self.dana(store))
        #expect(left.status == 0, "\(left.standardError)")
        #expect(left.standardOutput.contains("Recorded that Tom Hughes left on \(yesterday)"))
        let thisDay = CalendarDate(Date())
        let moved = try cli.run(["people", "leaver", "tom.hughes@chilton.example", "--on", "\(thisDay)"] + Self.dana(store))
        #expect(moved.status == 65 && moved.standardError.contains("already recorded as a leaver"), "the day is not moved")

        let today = try cli.run(["roles", "list"] + Self.dana(store))
        #expect(today.status == 0)
        #expect(!today.standardOutput.contains("Tom Hughes"), "a leaver still holds a role")
        let lastDay = try cli.run(["roles", "list", "--on", "\(yesterday)", "--role", "staff"] + Self.dana(store))
        #expect(lastDay.standardOutput.contains("Tom Hughes"))
        #expect(lastDay.standardOutput.contains("\(yesterday)"), "the grant ends on the leaving day")

        let tom = try cli.run(["whoami"] + CLI.acting("tom.hughes", store: store))
        #expect(tom.status == 77)
        let stranger = try cli.run(["whoami"] + CLI.acting("nobody", store: store))
        #expect(tom.standardError == stranger.standardError)

        let present = try cli.run(["people", "list", "--kind", "staff"] + Self.dana(store))
        #expect(!present.standardOutput.contains("Tom Hughes"))
        let everyone = try cli.run(["people", "list", "--kind", "staff", "--include-leavers"] + Self.dana(store))
        #expect(everyone.standardOutput.contains("Tom Hughes") && everyone.standardOutput.contains("left on \(yesterday)"))
    }

    /// A leaving day still to come is said as one: "leaves on", in the confirmation, the list
    /// (where the person is still listed) and the record; a day that has come, "left on".
    @Test func aLeavingDayStillToComeIsSaidAsOne() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let today = CalendarDate(Date())
        let ahead = today.adding(days: 30)
        let ian = "ian.cole@chilton.example"

        let recorded = try cli.run(["people", "leaver", ian, "--on", "\(ahead)"] + Self.dana(store))
        #expect(recorded.status == 0, "\(recorded.standardError)")
        #expect(recorded.standardOutput.contains("Recorded that Ian Cole leaves on \(ahead)"), "\(recorded.standardOutput)")
        let list = try cli.run(["people", "list", "--kind", "staff"] + Self.dana(store))
        #expect(list.status == 0, "\(list.standardError)")
        let row = try #require(list.standardOutput.split(separator: "\n").first { $0.contains("Ian Cole") }, "still on roll")
        #expect(row.contains("leaves on \(ahead)") && !row.contains("left"), "\(row)")
        #expect(list.standardOutput.contains("LEAVING"))
        let shown = try cli.run(["people", "show", ian] + Self.dana(store))
        #expect(shown.status == 0, "\(shown.standardError)")
        #expect(
            shown.standardOutput.contains("  leaves on \(ahead)") && !shown.standardOutput.contains("left on"), "\(shown.standardOutput)")
        // A role given him now ends on his leaving day, and the tool says so.
        let granted = try cli.run(["roles", "grant", ian, "technicalStaff", "--until", "\(ahead.adding(days: 60))"] + Self.dana(store))
        #expect(granted.status == 0, "\(granted.standardError)")
        #expect(
            granted.standardOutput.contains("It ends on \(ahead), their leaving day, rather than on \(ahead.adding(days: 60))"),
            "\(granted.standardOutput)")

        // On the day itself, the day has come.
        let corrected = try cli.run(
            ["people", "correct-leaving", ian, "--day", "\(today)", "--reason", "his last day is today"] + Self.dana(store))
        #expect(corrected.status == 0, "\(corrected.standardError)")
        let onTheDay = try cli.run(["people", "show", ian] + Self.dana(store))
        #expect(onTheDay.standardOutput.contains("  left on \(today)"), "\(onTheDay.standardOutput)")
    }

    /// A learner's preferred names are set when they are added and changed, cleared one or both
    /// at a time, and refused as a usage error (64) for anyone else, blank, or with nothing to
    /// clear; no refusal repeats the value typed.
    @Test func aLearnersPreferredNamesAreSetAndCleared() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let dev = Self.upn("801200025004")
        let update = ["people", "update", dev]

        let added = try cli.run(
            [
                "people", "add", "--kind", "learner", "--given-name", "Devendra", "--family-name", "Rao", "--upn", dev,
                "--date-of-birth", "2017-02-03", "--year", "3", "--group", "Ash", "--preferred-given-name", "Dev",
            ] + Self.dana(store))
        #expect(added.status == 0, "\(added.standardError)")
        #expect(added.standardOutput.contains("Added Dev Rao (learner, Chilton Primary School)"), "\(added.standardOutput)")
        let shown = try cli.run(["people", "show", dev] + Self.dana(store))
        #expect(shown.standardOutput.contains("legal name: Devendra Rao") && shown.standardOutput.contains("known as: Dev Rao"))

        let family = try cli.run(update + ["--preferred-family-name", "Rao-Smith"] + Self.dana(store))
        #expect(family.status == 0, "\(family.standardError)")
        #expect(family.standardOutput.contains("Updated Dev Rao-Smith (preferred family name)"), "\(family.standardOutput)")
        let one = try cli.run(update + ["--clear-preferred-names", "--preferred-given-name", "Devi"] + Self.dana(store))
        #expect(one.status == 0, "\(one.standardError)")
        #expect(
            one.standardOutput.contains("Updated Devi Rao (preferred given name, preferred family name cleared)"), "\(one.standardOutput)")
        let json = try cli.run(["people", "show", dev, "--json"] + Self.dana(store))
        let record = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let learner = try #require(record["learner"] as? [String: Any])
        #expect(learner["preferredGivenName"] as? String == "Devi" && learner["preferredFamilyName"] == nil, "\(learner)")
        let cleared = try cli.run(update + ["--clear-preferred-names"] + Self.dana(store))
        #expect(cleared.status == 0, "\(cleared.standardError)")
        #expect(cleared.standardOutput.contains("Updated Devendra Rao (preferred names cleared)"), "\(cleared.standardOutput)")
        let after = try cli.run(["people", "show", dev] + Self.dana(store))
        #expect(after.standardOutput.contains("Devendra Rao (learner") && !after.standardOutput.contains("known as"))

        // Anyone else: refused before anything is written, when added and when changed.
        let staff = try cli.run(
            [
                "people", "add", "--kind", "staff", "--given-name", "Sam", "--family-name", "Patel", "--email", "sam.patel@chilton.example",
                "--preferred-given-name", "Sammy",
            ] + Self.dana(store))
        #expect(staff.status == 64 && staff.standardError.contains("for learners only"), "\(staff.standardError)")
        #expect(!staff.standardError.contains("Sammy"))
        #expect(try cli.run(["people", "show", "sam.patel@chilton.example"] + Self.dana(store)).status == 66, "no one was added")
        for options in [
            ["--preferred-given-name", "Icky"], ["--clear-preferred-names"], ["--preferred-family-name", "C", "--job-title", "IT"],
        ] {
            let refused = try cli.run(["people", "update", "ian.cole@chilton.example"] + options + Self.dana(store))
            #expect(refused.status == 64 && refused.standardError.contains("for learners only"), "\(options): \(refused.standardError)")
            #expect(!refused.standardError.contains("Icky"))
        }
        let ian = try cli.run(["people", "show", "ian.cole@chilton.example"] + Self.dana(store))
        #expect(ian.standardOutput.contains("Ian Cole (staff") && !ian.standardOutput.contains("job title: IT\n"), "nothing was written")

        // Blank, or both given with nothing left to clear.
        let blank = try cli.run(update + ["--preferred-given-name", " \n\t"] + Self.dana(store))
        #expect(blank.status == 64 && blank.standardError.contains("--preferred-given-name takes a name"), "\(blank.standardError)")
        #expect(blank.standardError.contains("--clear-preferred-names"), "says how to clear it")
        let empty = try cli.run(update + ["--preferred-family-name", ""] + Self.dana(store))
        #expect(empty.status == 64 && empty.standardError.contains("--preferred-family-name takes a name"), "\(empty.standardError)")
        let both = try cli.run(
            update + ["--clear-preferred-names", "--preferred-given-name", "Dev", "--preferred-family-name", "Rao"] + Self.dana(store))
        #expect(both.status == 64 && both.standardError.contains("--clear-preferred-names"), "\(both.standardError)")
        let nothing = try cli.run(update + Self.dana(store))
        #expect(nothing.status == 64 && nothing.standardError.contains("--preferred-given-name"), "\(nothing.standardError)")
    }

    @Test func aLeavingDayRecordedByMistakeIsCorrectedWithAReason() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let yesterday = CalendarDate(Date()).adding(days: -1)
        let earlier = yesterday.adding(days: -7)
        let tom = "tom.hughes@chilton.example"
        let correct = ["people", "correct-leaving", tom]
        #expect(try cli.run(["people", "leaver", tom, "--on", "\(yesterday)"] + Self.dana(store)).status == 0)

        let both = try cli.run(correct + ["--day", "\(earlier)", "--not-left", "--reason", "typo"] + Self.dana(store))
        #expect(both.status == 64 && both.standardError.contains("Give one of --day or --not-left"))
        let neither = try cli.run(correct + ["--reason", "typo"] + Self.dana(store))
        #expect(neither.status == 64)
        let blank = try cli.run(correct + ["--day", "\(earlier)", "--reason", "  "] + Self.dana(store))
        #expect(blank.status == 64 && blank.standardError.contains("--reason"))
        let lineBreaks = try cli.run(correct + ["--day", "\(earlier)", "--reason", "\n\t"] + Self.dana(store))
        #expect(lineBreaks.status == 64 && lineBreaks.standardError.contains("--reason"), "\(lineBreaks.standardError)")
        let long = try cli.run(correct + ["--day", "\(earlier)", "--reason", String(repeating: "x", count: 2_049)] + Self.dana(store))
        #expect(long.status == 65, "\(long.standardError)")
        #expect(
            long.standardError.contains("leavingCorrection.reason") && long.standardError.contains("at most 2,048 characters"),
            "\(long.standardError)")
        #expect(!long.standardError.contains("xxxx"), "the reason given is not repeated")
        let badDay = try cli.run(correct + ["--day", "last week", "--reason", "typo"] + Self.dana(store))
        #expect(badDay.status == 64 && badDay.standardError.contains("--day") && !badDay.standardError.contains("last week"))
        let priya = try cli.run(correct + ["--not-left", "--reason", "typo"] + CLI.acting("priya.shah", store: store))
        #expect(priya.status == 77, "a deputy DSL does not manage people")

        let moved = try cli.run(correct + ["--day", "\(earlier)", "--reason", "the leaving form gave the week before"] + Self.dana(store))
        #expect(moved.status == 0, "\(moved.standardError)")
        #expect(moved.standardOutput.contains("Corrected: Tom Hughes leaves on \(earlier)"))
        let lastDay = try cli.run(["roles", "list", "--on", "\(yesterday)", "--role", "staff"] + Self.dana(store))
        #expect(!lastDay.standardOutput.contains("Tom Hughes"), "his role now ends on the earlier day")

        let restored = try cli.run(correct + ["--not-left", "--reason", "recorded against the wrong member of staff"] + Self.dana(store))
        #expect(restored.status == 0, "\(restored.standardError)")
        #expect(restored.standardOutput.contains("Tom Hughes did not leave and is on roll again"))
        let present = try cli.run(["people", "list", "--kind", "staff"] + Self.dana(store))
        #expect(present.standardOutput.contains("Tom Hughes"), "he is on roll again")
        #expect(try cli.run(["whoami"] + CLI.acting("tom.hughes", store: store)).status == 77, "but holds no role until granted one")
        let granted = try cli.run(["roles", "grant", tom, "staff", "--groups", "Oak"] + Self.dana(store))
        #expect(granted.status == 0, "\(granted.standardError)")
        #expect(try cli.run(["whoami"] + CLI.acting("tom.hughes", store: store)).status == 0)

        let trail = try cli.run(["audit", "trail", tom] + Self.dana(store))
        #expect(trail.status == 0, "\(trail.standardError)")
        let lines = trail.standardOutput.split(separator: "\n")
        #expect(lines.contains { $0.contains("person.leaveCorrect") && $0.contains("allowed") && $0.contains("the week before") })
        #expect(lines.contains { $0.contains("person.restore") && $0.contains("allowed") && $0.contains("wrong member of staff") })
    }

    @Test func aTeacherAskingForAnotherClassesChildIsAnsweredAsForNoOne() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let tom = CLI.acting("tom.hughes", store: store)
        let own = try cli.run(["people", "show", "B801200005001"] + tom)
        #expect(own.status == 0)
        #expect(own.standardOutput.contains("Ava Miller"))

        let other = try cli.run(["people", "show", Self.ben] + tom)
        let unknown = try cli.run(["people", "show", Self.upn("886900125099")] + tom)
        let unknownID = try cli.run(["people", "show", UUID().uuidString] + tom)
        let staff = try cli.run(["people", "show", "kate.law@chilton.example"] + tom)
        for result in [other, unknown, unknownID, staff] {
            #expect(result.status == 66)
            #expect(result.standardError == other.standardError)
            #expect(result.standardOutput.isEmpty)
        }
        #expect(other.standardError.contains("no one at this school matches that reference"))
        #expect(!other.standardError.contains(Self.ben))
        // Ben's record is readable to the data manager, so it is there.
        #expect(try cli.run(["people", "show", Self.ben] + Self.dana(store)).status == 0)

        let list = try cli.run(["people", "list"] + tom)
        #expect(list.status == 0)
        #expect(list.standardOutput.contains("Ava Miller") && list.standardOutput.contains("Cleo Evans"))
        #expect(!list.standardOutput.contains("Ben Clarke") && !list.standardOutput.contains("Kate Law"))
        let contacts = try cli.run(["contacts", "list", "--learner", Self.ben] + tom)
        #expect(contacts.status == 66)
        #expect(contacts.standardError == other.standardError)
    }

    @Test func aCommandThatNeedsACapabilityAnswersAChildOutOfReachAsItAnswersNoOne() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let tom = CLI.acting("tom.hughes", store: store)
        let yesterday = CalendarDate(Date()).adding(days: -1)
        // Ben is a child Tom may not read; the others name no one: a UPN no one has (its check
        // letter is right), an address no one has, and a UUID no one has.
        let fakeUPN = Self.upn("886900125099")
        let fakeEmail = "no.one@chilton.example"
        let references = [Self.ben, fakeUPN, fakeEmail, UUID().uuidString]
        let commands: [(before: [String], after: [String])] = [
            (["people", "correct-leaving"], ["--not-left", "--reason", "recorded by mistake"]),
            (["people", "leaver"], ["--on", "\(yesterday)"]),
            (["roles", "grant"], ["staff"]),
            (["audit", "trail"], []),
            (["access", "grant", "--person"], ["--system", "email"]),
            (["access", "history", "--person"], []),
            (["incident", "chronology", "--child"], []),
        ]
        for (before, after) in commands {
            let results = try references.map { try cli.run(before + [$0] + after + tom) }
            for (reference, result) in zip(references, results) {
                #expect(result.status == 77, "\(before) \(reference): \(result.standardError)")
                #expect(result.standardError == results[0].standardError, "\(before) \(reference)")
                #expect(result.standardOutput == results[0].standardOutput, "\(before) \(reference)")
            }
            #expect(results[0].standardError.hasPrefix("error: forbidden: a member of staff cannot "), "\(before)")
            #expect(!results[0].standardError.contains(Self.ben), "\(before)")
        }

        // The data manager holds the capabilities: a reference no one has is not found, and
        // nothing is written for no one.
        let dana = Self.dana(store)
        let holders = try cli.run(["roles", "list"] + dana)
        // (Every command but the child's chronology, which is the DSL's.)
        for (before, after) in commands.dropLast() {
            for reference in [fakeUPN, fakeEmail] {
                let result = try cli.run(before + [reference] + after + dana)
                #expect(result.status == 66, "\(before) \(reference): \(result.standardError)")
                #expect(result.standardError.hasPrefix("error: notFound: "), "\(before) \(reference)")
                #expect(result.standardOutput.isEmpty, "\(before) \(reference)")
            }
        }
        #expect(try cli.run(["roles", "list"] + dana).standardOutput == holders.standardOutput, "no role was granted to no one")
        let leavers = try cli.run(["people", "list", "--include-leavers"] + dana)
        #expect(!leavers.standardOutput.contains("left on \(yesterday)"), "no one was recorded as a leaver")

        // And for someone who is there, the command does what it says.
        let trail = try cli.run(["audit", "trail", Self.ben] + dana)
        #expect(trail.status == 0, "\(trail.standardError)")
        #expect(trail.standardOutput.contains("person.insert"))
        let granted = try cli.run(["roles", "grant", "ian.cole@chilton.example", "staff", "--groups", "Ash"] + dana)
        #expect(granted.status == 0, "\(granted.standardError)")
        let left = try cli.run(["people", "leaver", Self.ben, "--on", "\(yesterday)"] + dana)
        #expect(left.status == 0, "\(left.standardError)")
        let restored = try cli.run(["people", "correct-leaving", Self.ben, "--not-left", "--reason", "recorded by mistake"] + dana)
        #expect(restored.status == 0, "\(restored.standardError)")
    }

    @Test func aContactAddedIsListedInOrder() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        for (given, email) in [("Sam", "sam.miller@example.com"), ("Jo", "jo.miller@example.com")] {
            let added = try cli.run(
                ["people", "add", "--kind", "parentCarer", "--given-name", given, "--family-name", "Miller", "--email", email]
                    + Self.dana(store))
            #expect(added.status == 0, "\(added.standardError)")
        }
        let mother = try cli.run(
            [
                "contacts", "add", "--learner", "B801200005001", "--adult", "sam.miller@example.com", "--relationship", "mother",
                "--parental-responsibility", "--priority", "1",
            ] + Self.dana(store))
        #expect(mother.status == 0, "\(mother.standardError)")
        #expect(mother.standardOutput.contains("Linked Ava Miller"))
        #expect(mother.standardOutput.contains("mother, parental responsibility, priority 1"))
        let grandparent = try cli.run(
            [
                "contacts", "add", "--learner", "B801200005001", "--adult", "jo.miller@example.com", "--relationship", "grandparent",
                "--priority", "2",
            ] + Self.dana(store))
        #expect(grandparent.status == 0, "\(grandparent.standardError)")
        let negative = try cli.run(
            [
                "contacts", "add", "--learner", "B801200005001", "--adult", "jo.miller@example.com", "--relationship", "other",
                "--priority", "-1",
            ] + Self.dana(store))
        #expect(negative.status == 64 && negative.standardError.contains("--priority starts at 1"), "-1 is read as the value")

        let listed = try cli.run(["contacts", "list", "--learner", "B801200005001"] + CLI.acting("kate.law", store: store))
        #expect(listed.status == 0, "\(listed.standardError)")
        let lines = listed.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first == "2 contacts")
        let sam = try #require(lines.firstIndex { $0.contains("Sam Miller") })
        let jo = try #require(lines.firstIndex { $0.contains("Jo Miller") })
        #expect(sam < jo)
        #expect(lines[sam].contains("mother") && lines[sam].contains("yes"))
        #expect(lines[jo].contains("grandparent") && lines[jo].contains("no"))

        // Ava's class teacher sees her contacts, but not the adults' records: they are named by identifier only.
        let teacherView = try cli.run(["contacts", "list", "--learner", "B801200005001"] + CLI.acting("tom.hughes", store: store))
        #expect(teacherView.status == 0)
        #expect(teacherView.standardOutput.contains("2 contacts") && teacherView.standardOutput.contains("mother"))
        #expect(!teacherView.standardOutput.contains("Sam Miller") && !teacherView.standardOutput.contains("@example.com"))

        let teacher = try cli.run(
            ["contacts", "add", "--learner", "B801200005001", "--adult", "jo.miller@example.com", "--relationship", "carer"]
                + CLI.acting("tom.hughes", store: store))
        #expect(teacher.status == 77)
    }

    @Test func aRoleGrantedIsListedAndEnded() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let granted = try cli.run(["roles", "grant", "ian.cole@chilton.example", "staff", "--groups", "Oak,Ash"] + Self.dana(store))
        #expect(granted.status == 0, "\(granted.standardError)")
        #expect(granted.standardOutput.contains("Granted member of staff to Ian Cole"))
        let id = try #require(Self.grantID(in: granted.standardOutput))

        let listed = try cli.run(["roles", "list", "--role", "staff"] + Self.dana(store))
        #expect(listed.status == 0)
        let line = try #require(listed.standardOutput.split(separator: "\n").first { $0.contains("Ian Cole") })
        #expect(line.contains("Oak,Ash") && line.contains(id))
        #expect(!listed.standardOutput.contains("technical staff"), "--role staff lists staff only")

        let json = try cli.run(["roles", "list", "--json"] + CLI.acting("kate.law", store: store))
        let holders = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [[String: Any]])
        #expect(holders.contains { $0["role"] as? String == "designatedSafeguardingLead" && $0["name"] as? String == "Kate Law" })
        #expect(holders.contains { $0["role"] as? String == "dataManager" && $0["trustWide"] as? Bool == true })

        // Ian now reads the learners of Ash.
        #expect(try cli.run(["people", "show", Self.ben] + CLI.acting("ian.cole", store: store)).status == 0)

        let today = CalendarDate(Date())
        let ended = try cli.run(["roles", "end", id, "--on", "\(today)"] + Self.dana(store))
        #expect(ended.status == 0, "\(ended.standardError)")
        #expect(ended.standardOutput.contains("Ended member of staff for Ian Cole"))
        let tomorrow = try cli.run(["roles", "list", "--role", "staff", "--on", "\(today.adding(days: 1))"] + Self.dana(store))
        #expect(!tomorrow.standardOutput.contains("Ian Cole"))

        // A school's headteacher cannot grant a trust-wide role; a teacher cannot grant at all.
        let trustWide = try cli.run(
            ["roles", "grant", "priya.shah@chilton.example", "leadership", "--trust-wide"]
                + CLI.acting("kate.law", store: store))
        #expect(trustWide.status == 77)
        let teacher = try cli.run(["roles", "grant", "priya.shah@chilton.example", "leadership"] + CLI.acting("tom.hughes", store: store))
        #expect(teacher.status == 77)
        let missing = try cli.run(["roles", "end", UUID().uuidString, "--on", "\(today)"] + Self.dana(store))
        #expect(missing.status == 66)

        // A trustee belongs to the trust: their role is trust-wide, and the tool says so.
        let trustee = try cli.run(
            [
                "people", "add", "--kind", "governor", "--given-name", "Joanna", "--family-name", "Brand", "--email",
                "joanna.brand@vikingtrust.example", "--trust-level",
            ] + Self.dana(store))
        #expect(trustee.status == 0, "\(trustee.standardError)")
        #expect(trustee.standardOutput.contains("Joanna Brand (governor, the trust)"))
        let atSchool = try cli.run(["roles", "grant", "joanna.brand@vikingtrust.example", "governor"] + Self.dana(store))
        #expect(atSchool.status == 65)
        #expect(atSchool.standardError.contains("add --trust-wide"))
        let acrossTrust = try cli.run(
            ["roles", "grant", "joanna.brand@vikingtrust.example", "governor", "--trust-wide"] + Self.dana(store))
        #expect(acrossTrust.status == 0, "\(acrossTrust.standardError)")
        #expect(acrossTrust.standardOutput.contains("across the trust"))
    }

    @Test func aSchoolSettingIsPersistedAndASchoolAddedToTheTrust() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let shown = try cli.run(["school", "show"] + CLI.acting("kate.law", store: store))
        #expect(shown.status == 0)
        #expect(shown.standardOutput.contains("URN 999001, DfE number 886/9001, primary"))
        #expect(shown.standardOutput.contains("filteringProvider") && shown.standardOutput.contains("Netsweeper"))

        let set = try cli.run(["school", "set", "filteringProvider", "Smoothwall"] + Self.dana(store))
        #expect(set.status == 0, "\(set.standardError)")
        #expect(set.standardOutput.contains("filteringProvider is now Smoothwall"))
        let phone = try cli.run(["school", "set", "lado.phone", "03000 000 000"] + Self.dana(store))
        #expect(phone.status == 0, "\(phone.standardError)")
        let platform = try cli.run(["school", "set", "learningPlatform", "--clear"] + Self.dana(store))
        #expect(platform.status == 0, "\(platform.standardError)")
        let age = try cli.run(["school", "set", "learnerConsentAge", "12"] + Self.dana(store))
        #expect(age.status == 0, "\(age.standardError)")

        let again = try cli.run(["school", "show"] + CLI.acting("kate.law", store: store))
        let lines = again.standardOutput.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.contains { $0.hasPrefix("filteringProvider ") && $0.hasSuffix(" Smoothwall") })
        #expect(lines.contains { $0.hasPrefix("lado.phone ") && $0.hasSuffix(" 03000 000 000") })
        #expect(lines.contains { $0.hasPrefix("learningPlatform ") && $0.hasSuffix(" -") })
        #expect(lines.contains { $0.hasPrefix("learnerConsentAge ") && $0.hasSuffix(" 12") })
        #expect(!again.standardOutput.contains("Netsweeper"))

        let outOfRange = try cli.run(["school", "set", "learnerConsentAge", "25"] + Self.dana(store))
        #expect(outOfRange.status == 65)
        #expect(outOfRange.standardError.contains("learnerConsentAge") && !outOfRange.standardError.contains("25"))
        let word = try cli.run(["school", "set", "learnerConsentAge", "twelve"] + Self.dana(store))
        #expect(word.status == 64)
        #expect(word.standardError.contains("learnerConsentAge takes a whole number") && !word.standardError.contains("twelve"))
        #expect(word.standardError.contains("Usage: onlinesafety school set"), "the usage shown is the subcommand's")
        let below = try cli.run(["school", "set", "learnerConsentAge", "-3"] + Self.dana(store))
        #expect(below.status == 65 && below.standardError.contains("between 1 and 20"), "-3 is read as the value")
        let typo = try cli.run(["school", "set", "learningPlatform", "--clera"] + Self.dana(store))
        #expect(typo.status == 64 && typo.standardError.contains("Unknown option '--clera'"))
        let monitoring = try cli.run(["school", "set", "monitoringProvider", "Smoothwall Monitor"] + Self.dana(store))
        #expect(monitoring.status == 0, "\(monitoring.standardError)")
        let register = try cli.run(["register", "show"] + CLI.acting("kate.law", store: store))
        #expect(register.status == 0, "\(register.standardError)")
        #expect(register.standardOutput.contains("Filtering: Smoothwall; monitoring: Smoothwall Monitor"))
        let threshold = try cli.run(["school", "set", "governorReportThreshold", "1"] + Self.dana(store))
        #expect(threshold.status == 65, "a threshold of 1 would print a single child's incident")
        #expect(threshold.standardError.contains("governorReportThreshold"))
        let unknown = try cli.run(["school", "set", "favouriteColour", "blue"] + Self.dana(store))
        #expect(unknown.status == 64)
        let dsl = try cli.run(["school", "set", "designatedSafeguardingLead.name", "--clear"] + Self.dana(store))
        #expect(dsl.status == 64)
        let teacher = try cli.run(["school", "set", "filteringProvider", "None"] + CLI.acting("tom.hughes", store: store))
        #expect(teacher.status == 77)

        let add = [
            "school", "add", "--urn", "999004", "--dfe-number", "886/9004", "--name", "Upton Junior School", "--phase", "junior",
            "--dsl", "Rae Moss", "--head", "Rae Moss",
        ]
        let head = try cli.run(add + CLI.acting("kate.law", store: store))
        #expect(head.status == 77, "a school's head is not trust-wide")
        let added = try cli.run(add + Self.dana(store))
        #expect(added.status == 0, "\(added.standardError)")
        #expect(added.standardOutput.contains("Added Upton Junior School (URN 999004, DfE number 886/9004) to the trust"))
        let twice = try cli.run(add + Self.dana(store))
        #expect(twice.status == 65)
        let badDfE = try cli.run(
            ["school", "add", "--urn", "999005", "--dfe-number", "88-90", "--name", "X", "--phase", "junior", "--dsl", "A", "--head", "A"]
                + Self.dana(store))
        #expect(badDfE.status == 65)
        #expect(badDfE.standardError.contains("--dfe-number") && !badDfE.standardError.contains("88-90"))

        let list = try cli.run(["school", "list"] + Self.dana(store))
        #expect(list.standardOutput.contains("2 schools in the Viking Academy Trust"))
        #expect(list.standardOutput.contains("Chilton Primary School") && list.standardOutput.contains("Upton Junior School"))
        let upton = try cli.run(["school", "show", "--store", store, "--as", "dana.price@vikingtrust.example", "--school", "999004"])
        #expect(upton.status == 0, "\(upton.standardError)")
        #expect(upton.standardOutput.contains("URN 999004, DfE number 886/9004, junior"))
        #expect(upton.standardOutput.contains("key stages: ks2"))
        #expect(upton.standardOutput.contains("Smoothwall"), "a new school's local settings start from the acting school's")
    }

    @Test func whoamiNamesTheRolesAndWhatTheyAllow() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let tom = try cli.run(["whoami"] + CLI.acting("tom.hughes", store: store))
        #expect(tom.status == 0, "\(tom.standardError)")
        #expect(tom.standardOutput.contains("Tom Hughes, Class teacher"))
        #expect(tom.standardOutput.contains("Acting at Chilton Primary School (URN 999001), Viking Academy Trust"))
        #expect(tom.standardOutput.contains("member of staff at Chilton Primary School for Oak"))
        #expect(tom.standardOutput.contains("record a concern"))
        #expect(tom.standardOutput.contains("reads the learners of Oak only"))
        #expect(!tom.standardOutput.contains("grant and end roles"))

        let dana = try cli.run(["whoami"] + Self.dana(store))
        #expect(dana.status == 0)
        #expect(dana.standardOutput.contains("data manager across the trust"))
        #expect(dana.standardOutput.contains("grant and end roles (`roles grant`, `roles end`) (trust-wide)"))
    }

    @Test func theAuditTrailListsWhoReadARecord() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        #expect(try cli.run(["people", "show", Self.ben] + Self.dana(store)).status == 0)
        #expect(try cli.run(["people", "show", Self.ben] + CLI.acting("tom.hughes", store: store)).status == 66)
        #expect(try cli.run(["people", "list", "--kind", "learner"] + Self.dana(store)).status == 0)

        let trail = try cli.run(["audit", "trail", Self.ben] + CLI.acting("kate.law", store: store))
        #expect(trail.status == 0, "\(trail.standardError)")
        let lines = trail.standardOutput.split(separator: "\n")
        #expect(lines.contains { $0.contains("person.read") && $0.contains("allowed") && $0.contains("Dana Price") })
        #expect(lines.contains { $0.contains("person.read") && $0.contains("denied") && $0.contains("Tom Hughes") })
        #expect(lines.contains { $0.contains("person.insert") })
        // A listing that named him reads as one event, with how many others it named.
        #expect(lines.contains { $0.contains("person.list") && $0.contains("Dana Price") && $0.contains("listed with") })

        let last = try cli.run(["audit", "trail", Self.ben, "--last", "1"] + CLI.acting("kate.law", store: store))
        #expect(last.standardOutput.hasPrefix("1 audit event about"))

        let verify = try cli.run(["audit", "verify"] + CLI.acting("kate.law", store: store))
        #expect(verify.status == 0, "\(verify.standardError)")
        #expect(verify.standardOutput.contains("intact"))
        #expect(verify.standardOutput.contains("events: last event"))

        let teacher = try cli.run(["audit", "trail", "B801200005001"] + CLI.acting("tom.hughes", store: store))
        #expect(teacher.status == 77)
        #expect(try cli.run(["audit", "verify"] + CLI.acting("tom.hughes", store: store)).status == 77)
    }

    @Test func badInputNamesTheFieldAndNeverTheValue() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let learner = ["people", "add", "--kind", "learner", "--given-name", "Eve", "--family-name", "Hart", "--year", "2"]

        let kind = try cli.run(["people", "add", "--kind", "Eve Hart", "--given-name", "Eve", "--family-name", "Hart"] + Self.dana(store))
        #expect(kind.status == 64)
        #expect(kind.standardError.contains("--kind takes one of: learner, staff"))
        #expect(!kind.standardError.contains("Eve Hart"))

        let date = try cli.run(learner + ["--upn", Self.upn("801200025009"), "--date-of-birth", "2019-31-12"] + Self.dana(store))
        #expect(date.status == 64)
        #expect(date.standardError.contains("--date-of-birth takes a date as YYYY-MM-DD"))
        #expect(!date.standardError.contains("2019-31-12"))

        let future = try cli.run(learner + ["--upn", Self.upn("801200025009"), "--date-of-birth", "2099-01-01"] + Self.dana(store))
        #expect(future.status == 65)
        #expect(future.standardError.contains("dateOfBirth") && !future.standardError.contains("2099"))

        let badUPN = "A801200025009"
        let upn = try cli.run(learner + ["--upn", badUPN, "--date-of-birth", "2019-01-12"] + Self.dana(store))
        #expect(upn.status == 65)
        #expect(upn.standardError.contains("--upn") && upn.standardError.contains("check letter"))
        #expect(!upn.standardError.contains(badUPN))

        let shown = try cli.run(["people", "show", badUPN] + Self.dana(store))
        #expect(shown.status == 65)
        #expect(!shown.standardError.contains(badUPN))

        let missing = try cli.run(learner + ["--date-of-birth", "2019-01-12"] + Self.dana(store))
        #expect(missing.status == 64)
        #expect(missing.standardError.contains("--upn"))
        let notLearner = try cli.run(
            ["people", "add", "--kind", "staff", "--given-name", "A", "--family-name", "B", "--upn", badUPN] + Self.dana(store))
        #expect(notLearner.status == 64)
        let year = try cli.run(
            Array(learner.dropLast()) + ["Y9", "--upn", Self.upn("801200025009"), "--date-of-birth", "2019-01-12"] + Self.dana(store))
        #expect(year.status == 64)
        #expect(year.standardError.contains("--year"))

        let role = try cli.run(["roles", "grant", "ian.cole@chilton.example", "superuser"] + Self.dana(store))
        #expect(role.status == 64)
        #expect(role.standardError.contains("designatedSafeguardingLead") && !role.standardError.contains("superuser"))
        let groups = try cli.run(["roles", "grant", "ian.cole@chilton.example", "governor", "--groups", "Oak"] + Self.dana(store))
        #expect(groups.status == 64)
        let until = try cli.run(["roles", "grant", "ian.cole@chilton.example", "staff", "--until", "next week"] + Self.dana(store))
        #expect(until.status == 64)
        #expect(until.standardError.contains("--until") && !until.standardError.contains("next week"))
        let leaver = try cli.run(["people", "leaver", "ian.cole@chilton.example", "--on", "soon"] + Self.dana(store))
        #expect(leaver.status == 64)
        let relationship = try cli.run(
            ["contacts", "add", "--learner", "B801200005001", "--adult", "kate.law@chilton.example", "--relationship", "aunt"]
                + Self.dana(store))
        #expect(relationship.status == 64)
        #expect(relationship.standardError.contains("--relationship") && !relationship.standardError.contains("aunt"))
        let list = try cli.run(["people", "list", "--kind", "pupil"] + Self.dana(store))
        #expect(list.status == 64)

        // Nothing was added by the refused commands.
        let learners = try cli.run(["people", "list", "--kind", "learner"] + Self.dana(store))
        #expect(learners.standardOutput.contains("3 people"))
    }
}
