import Foundation
import Logging
import OnlineSafetyCore
import StorageFile
import StoragePostgres
import Testing

/// The example tool, run as a user would: bad input is met with a clear error and the documented
/// exit code, and nothing saved is lost or reported as failed.
@Suite("onlinesafety: bad input, exit codes and what reaches the terminal", .serialized)
struct CLIInputTests {
    static let record = [
        "incident", "record", "--category", "cyberbullying", "--risk", "conduct", "--victim", "B801200005001", "--summary",
    ]

    @Test func anUnknownEnumValueIsAUsageErrorListingTheValidOnesAndStoresNothing() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let recorded = try cli.run(Self.record + ["Unkind messages"] + CLI.acting("kate.law", store: store))
        let id = try #require(CLI.incidentID(in: recorded.standardOutput))

        let pigeon = try cli.run(
            ["incident", "add", id, "referral", "--agency", "childrensSocialCare", "--method", "carrierPigeon"]
                + CLI.acting("kate.law", store: store))
        #expect(pigeon.status == 64)
        #expect(pigeon.standardError.contains("'carrierPigeon' is invalid for '--method <method>'"))
        for method in ContactMethod.allCases { #expect(pigeon.standardError.contains("'\(method.rawValue)'")) }

        let kind = try cli.run(["incident", "add", id, "telegram"] + CLI.acting("kate.law", store: store))
        #expect(kind.status == 64)
        #expect(kind.standardError.contains("note") && kind.standardError.contains("referral"))

        let audience = try cli.run(["aup", "due", "--audience", "everyone"] + CLI.acting("kate.law", store: store))
        #expect(audience.status == 64)
        #expect(audience.standardError.contains("staffAndVolunteers"))

        let format = try cli.run(["compliance", "--format", "xml"] + CLI.acting("kate.law", store: store))
        #expect(format.status == 64)

        let step = try cli.run(
            ["incident", "add", id, "note", "--text", "x", "--satisfies", "noSuchStep"] + CLI.acting("kate.law", store: store))
        #expect(step.status == 65)
        #expect(step.standardError.contains("only steps of this incident's procedure"))

        // Nothing was added to the chronology by the refused commands.
        let shown = try cli.run(["incident", "show", id] + CLI.acting("kate.law", store: store))
        #expect(shown.status == 0)
        #expect(!shown.standardOutput.contains("referral"))
    }

    @Test func aReporterAddingANoteIsToldItIsSavedAndTheCommandSucceeds() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let recorded = try cli.run(Self.record + ["Unkind messages"] + CLI.acting("tom.hughes", store: store))
        #expect(recorded.status == 0)
        let id = try #require(CLI.incidentID(in: recorded.standardOutput))

        let note = try cli.run(["incident", "add", id, "note", "--text", "Spoke to the class"] + CLI.acting("tom.hughes", store: store))
        #expect(note.status == 0, "\(note.standardError)")
        #expect(note.standardOutput.contains("Added entry 1 (note)."))
        #expect(note.standardError.isEmpty)

        // The DSL sees the note exactly once.
        let shown = try cli.run(["incident", "show", id] + CLI.acting("kate.law", store: store))
        #expect(shown.standardOutput.components(separatedBy: "note: Spoke to the class").count == 2)
    }

    @Test func controlCharactersFromRecordsAreEscapedBeforeTheyReachTheTerminal() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let hostile = "Messages \u{1B}[2J\u{1B}]0;owned\u{07} sent\r\nDSL: nothing to see\u{202E}txt.exe"
        let recorded = try cli.run(Self.record + [hostile] + CLI.acting("kate.law", store: store))
        let id = try #require(CLI.incidentID(in: recorded.standardOutput))
        let shown = try cli.run(["incident", "show", id] + CLI.acting("kate.law", store: store))
        let chronology = try cli.run(["incident", "chronology", "--child", "B801200005001"] + CLI.acting("kate.law", store: store))
        for result in [shown, chronology] {
            #expect(result.status == 0)
            #expect(!result.outputBytes.contains(0x1B), "an escape character reached the terminal")
            #expect(!result.outputBytes.contains(0x07) && !result.outputBytes.contains(0x0D))
            #expect(!result.standardOutput.contains("\u{202E}"))
            #expect(result.standardOutput.contains(#"Messages \u{1B}[2J\u{1B}]0;owned\u{7} sent\r\nDSL: nothing to see\u{202E}txt.exe"#))
        }
    }

    @Test func verboseLogsWhatWasDoneByIdentifiersOnly() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let quiet = try cli.run(["people", "list"] + CLI.acting("kate.law", store: store))
        #expect(quiet.status == 0 && quiet.standardError.isEmpty)
        let verbose = try cli.run(["people", "list", "--verbose"] + CLI.acting("kate.law", store: store))
        #expect(verbose.status == 0)
        #expect(verbose.standardError.contains("session opened") && verbose.standardError.contains("store opened"))
        #expect(verbose.standardError.contains("action=person.list") && verbose.standardError.contains("listed="))
        #expect(!verbose.standardError.contains("Ava Miller"), "no record content")
        #expect(!verbose.standardError.contains("B801200005001"), "no UPN")
    }

    @Test func aUPNWithAWrongCheckLetterIsReportedAsSuch() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let wrong = try cli.run(
            ["incident", "record", "--category", "cyberbullying", "--risk", "conduct", "--victim", "C801200005001", "--summary", "x"]
                + CLI.acting("kate.law", store: store))
        #expect(wrong.status == 65)
        #expect(wrong.standardError.contains("check letter"))
        #expect(!wrong.standardOutput.contains("Recorded incident"))

        // An address no one has is answered as a UUID no one has, without the address.
        let nobody = try cli.run(
            ["access", "history", "--person", "nobody@chilton.example"] + CLI.acting("kate.law", store: store))
        let noID = try cli.run(["access", "history", "--person", UUID().uuidString] + CLI.acting("kate.law", store: store))
        #expect(nobody.status == 66)
        #expect(nobody.standardError == noID.standardError)
        #expect(!nobody.standardError.contains("nobody@"))
    }

    @Test func outputIsRefusedInsideAnyStore() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let journal = try Data(contentsOf: URL(fileURLWithPath: store + "/journal.jsonl"))
        let other = try cli.demoStore("other-store")
        try FileManager.default.createSymbolicLink(atPath: cli.path("link"), withDestinationPath: other)
        for output in [store + "/journal.jsonl", store + "/reports/x.csv", other + "/manifest.json", cli.path("link") + "/x.csv"] {
            let result = try cli.run(["compliance", "--format", "csv", "--output", output] + CLI.acting("kate.law", store: store))
            #expect(result.status == 64, "\(output)")
            #expect(result.standardError.contains("is inside the store at"), "\(output)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: store + "/journal.jsonl")).count >= journal.count)
        #expect(try cli.run(["store", "verify", "--store", store]).status == 0)

        let fine = try cli.run(
            ["compliance", "--format", "csv", "--output", cli.path("report.csv")] + CLI.acting("kate.law", store: store))
        #expect(fine.status == 0)
        #expect(try String(contentsOfFile: cli.path("report.csv"), encoding: .utf8).hasPrefix("school_urn,"))
    }

    @Test func aStoreIsCreatedOnlyByACommandThatSaysSo() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let typo = cli.path("demo-stor")
        let missing = try cli.run(Self.record + ["x"] + CLI.acting("tom.hughes", store: typo))
        #expect(missing.status == 66)
        #expect(missing.standardError.contains("there is no store at \(typo)"))
        #expect(!FileManager.default.fileExists(atPath: typo), "a store was created by a command that does not create one")

        let initialised = try cli.run(["store", "init", "--store", typo])
        #expect(initialised.status == 0)
        #expect(FileManager.default.fileExists(atPath: typo + "/manifest.json"))
        let again = try cli.run(["store", "init", "--store", typo])
        #expect(again.status == 65)
        #expect(again.standardError.contains("there is already a store at"))

        try FileManager.default.createDirectory(atPath: cli.path("documents"), withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: cli.path("documents/letter.txt")))
        let notEmpty = try cli.run(["store", "init", "--store", cli.path("documents")])
        #expect(notEmpty.status == 65)
        #expect(!FileManager.default.fileExists(atPath: cli.path("documents/manifest.json")))

        // In the new, empty store no one can act yet: the same answer as for a stranger.
        let empty = try cli.run(Self.record + ["x"] + CLI.acting("tom.hughes", store: typo))
        #expect(empty.status == 77)
    }

    @Test func everySubcommandAnswersAStrangerAndAMissingRecordWithTheSameCodes() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let stranger = CLI.acting("nobody", store: store)
        let commands: [[String]] = [
            ["incident", "overdue"], ["aup", "list"], ["access", "exceptions"], ["consent", "purposes"], ["training", "status"],
            ["compliance"], Self.record + ["x"],
        ]
        for command in commands {
            let result = try cli.run(command + stranger)
            #expect(result.status == 77, "\(command.prefix(2)): \(result.standardError)")
            #expect(result.standardError.hasPrefix("error: forbidden:"), "\(command.prefix(2))")
        }
        let missing = UUID().uuidString
        for command in [
            ["incident", "show", missing], ["incident", "steps", missing], ["access", "revoke", "--grant", missing, "--reason", "x"],
        ] {
            let result = try cli.run(command + CLI.acting("kate.law", store: store))
            #expect(result.status == 66, "\(command.prefix(2)): \(result.standardError)")
        }
        // A teacher asking for a restricted incident is answered as if it did not exist.
        let restricted = try cli.run(
            ["incident", "record", "--category", "nudeImageSharing", "--risk", "conduct", "--victim", "B801200005001", "--summary", "x"]
                + CLI.acting("kate.law", store: store))
        let id = try #require(CLI.incidentID(in: restricted.standardOutput))
        let teacher = try cli.run(["incident", "show", id] + CLI.acting("tom.hughes", store: store))
        #expect(teacher.status == 66)
        #expect(teacher.standardError == "error: notFound: no such incident\n")
        // Input the SDK refuses before any session is opened gets the same code as inside one.
        let badSystem = try cli.run(["access", "list", "--system", "Not A Code!"] + CLI.acting("kate.law", store: store))
        #expect(badSystem.status == 65, "\(badSystem.standardError)")
        #expect(badSystem.standardError.hasPrefix("error: invalidInput"))
        // A class teacher may not grant access: forbidden, naming the capability only.
        let grant = try cli.run(
            ["access", "grant", "--person", "ian.cole@chilton.example", "--system", "email"] + CLI.acting("tom.hughes", store: store))
        #expect(grant.status == 77)
    }

    // MARK: - Two at once

    @Test func twoMembersOfStaffRecordingAtTheSameMomentBothSucceed() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let started = try ["tom.hughes", "priya.shah", "kate.law"].map { who in
            try cli.start(Self.record + ["Recorded by \(who.prefix(3)) at once"] + CLI.acting(who, store: store))
        }
        let results = try started.map { try cli.finish($0) }
        for result in results { #expect(result.status == 0, "\(result.standardError)") }
        let ids = results.compactMap { CLI.incidentID(in: $0.standardOutput) }
        #expect(Set(ids).count == 3)
        for id in ids {
            #expect(try cli.run(["incident", "show", id] + CLI.acting("kate.law", store: store)).status == 0)
        }
    }

    @Test func aCommandWaitsForTheStoreAsLongAsItIsToldAndThenSaysWhy() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let held = try await FileStore.open(
            at: URL(fileURLWithPath: store), logger: Logger(label: "held") { _ in SwiftLogNoOpLogHandler() })
        let clock = ContinuousClock()
        let start = clock.now
        let impatient = try cli.run(Self.record + ["x", "--wait", "0.5"] + CLI.acting("tom.hughes", store: store))
        let waited = clock.now - start
        #expect(impatient.status == 69)
        #expect(impatient.standardError.contains("waited 0.5 s for the lock"))
        #expect(impatient.standardError.contains("is open in another process"))
        #expect(waited >= .milliseconds(500))

        let patient = try cli.start(Self.record + ["x", "--wait", "20"] + CLI.acting("tom.hughes", store: store))
        try await Task.sleep(for: .milliseconds(500))
        #expect(patient.0.isRunning)
        try await held.close()
        let result = try cli.finish(patient)
        #expect(result.status == 0, "\(result.standardError)")
    }

    // MARK: - store verify and export

    @Test func verifyNamesTheDamagedRecordAndExportCopiesWhatCanBeRead() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let intact = try cli.run(["store", "verify", "--store", store])
        #expect(intact.status == 0)
        #expect(intact.standardOutput.contains("The journal is intact."))

        // A concern, then a flipped bit inside it.
        let secret = "Summary that must stay in the store"
        let recorded = try cli.run(Self.record + [secret] + CLI.acting("kate.law", store: store))
        let id = try #require(CLI.incidentID(in: recorded.standardOutput))
        let journalURL = URL(fileURLWithPath: store + "/journal.jsonl")
        var bytes = Array(try Data(contentsOf: journalURL))
        let marker = try #require(bytes.firstRange(of: Array(secret.utf8)))
        bytes[marker.lowerBound + 3] ^= 0x02
        try Data(bytes).write(to: journalURL)

        let verify = try cli.run(["store", "verify", "--store", store])
        #expect(verify.status == 65)
        #expect(verify.standardOutput.contains("DAMAGED journal.jsonl:"))
        #expect(verify.standardOutput.contains("touches incident \(id)"))
        #expect(!verify.standardOutput.contains("must stay") && !verify.standardOutput.contains("Summary"), "record content was printed")

        let blocked = try cli.run(["incident", "overdue"] + CLI.acting("kate.law", store: store))
        #expect(blocked.status == 65)
        #expect(blocked.standardError.contains("store verify"))

        let exported = cli.path("exported")
        let export = try cli.run(["store", "export", "--store", store, "--to", exported])
        #expect(export.status == 0, "\(export.standardError)")
        #expect(export.standardOutput.contains("Not copied: journal.jsonl from line"))
        #expect(try cli.run(["store", "verify", "--store", exported]).status == 0)
        #expect(try cli.run(["incident", "show", id] + CLI.acting("kate.law", store: exported)).status == 66)
        let after = try cli.run(Self.record + ["Recorded again"] + CLI.acting("kate.law", store: exported))
        #expect(after.status == 0)
        #expect(Array(try Data(contentsOf: journalURL)) == bytes, "the damaged store was changed")

        let inside = try cli.run(["store", "export", "--store", store, "--to", store + "/copy"])
        #expect(inside.status == 64)
        let occupied = try cli.run(["store", "export", "--store", store, "--to", exported])
        #expect(occupied.status == 64)
        let nothing = try cli.run(["store", "verify", "--store", cli.path("nowhere")])
        #expect(nothing.status == 66)
    }

    // MARK: - PostgreSQL

    @Test func postgresFailuresSayWhatFailedWithoutThePassword() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let password = "Pa55-w0rd-never-shown"
        let refused = try cli.run(["store", "init", "--postgres", "postgres://safety:\(password)@127.0.0.1:1/safety?sslmode=disable"])
        #expect(refused.status == 69)
        #expect(refused.standardError.contains("cannot reach the PostgreSQL server at 127.0.0.1:1"))
        #expect(refused.standardError.contains("refused"))
        #expect(!refused.standardError.contains(password) && !refused.standardOutput.contains(password))

        let badURL = try cli.run(["store", "init", "--postgres", "mysql://safety:\(password)@host/db"])
        #expect(badURL.status == 65)
        #expect(!badURL.standardError.contains(password))
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["ONLINESAFETY_POSTGRES_URL"] != nil, "needs scripts/with-postgres"))
    func postgresNamesAnUnknownDatabaseAndAMissingTLS() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let url = try #require(ProcessInfo.processInfo.environment["ONLINESAFETY_POSTGRES_URL"])
        var components = try #require(URLComponents(string: url))
        components.path = "/no_such_database"
        let unknown = try cli.run(["store", "init", "--postgres", try #require(components.string)])
        #expect(unknown.status == 69)
        #expect(unknown.standardError.contains("has no database named no_such_database"))
        components = try #require(URLComponents(string: url))
        components.path = "/" + (components.path.split(separator: "/").first.map(String.init) ?? "")
        components.queryItems = [URLQueryItem(name: "sslmode", value: "require")]
        let tls = try cli.run(["store", "init", "--postgres", try #require(components.string)])
        if tls.status != 0 {  // a server with TLS configured would accept it
            #expect(tls.status == 69)
            #expect(tls.standardError.contains("TLS"))
        }
    }

    @Test func aPostgresConfigurationNeverPrintsItsPassword() throws {
        let password = "Pa55-w0rd-never-shown"
        let configuration = try PostgresConfiguration(url: "postgres://safety:\(password)@db.internal:5432/safety?sslmode=require")
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in [
            configuration.description, configuration.debugDescription, "\(configuration)", String(reflecting: configuration), dumped,
        ] {
            #expect(!text.contains(password), "\(text)")
        }
        #expect(configuration.description == "postgres://safety:***@db.internal:5432/safety?sslmode=require")
    }
}
