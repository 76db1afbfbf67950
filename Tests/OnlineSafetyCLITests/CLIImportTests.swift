import Foundation
import Testing

/// `onlinesafety import`, run as a trust's data manager would: a trust set up from its
/// configuration, the same files twice, a report of every rejection, and bad files refused with
/// where they are wrong and nothing written.
@Suite("onlinesafety import: plan, apply, reports and exit codes", .serialized)
struct CLIImportTests {
    static let ctf = """
        <?xml version="1.0" encoding="UTF-8"?>
        <CTfile>
          <Header>
            <DocumentName>Common Transfer File</DocumentName>
            <CTFversion>25.0</CTFversion>
            <DateTime>2026-11-30T10:00:00</DateTime>
            <DocumentQualifier>full</DocumentQualifier>
            <SourceSchool>
              <LEA>886</LEA>
              <Estab>2101</Estab>
              <URN>999101</URN>
              <SchoolName>Harbour Primary School</SchoolName>
            </SourceSchool>
          </Header>
          <CTFpupilData>
            <Pupil>
              <UPN>B801200005001</UPN><Surname>O&apos;Neill</Surname><Forename>Aoife</Forename><DOB>2017-03-14</DOB><Sex>F</Sex>
              <BasicDetails><NCyearActual>4</NCyearActual></BasicDetails>
              <Contacts><Contact><Order>1</Order><Surname>O&apos;Neill</Surname><Forename>Siobhan</Forename>
                <Relationship>PAM</Relationship><Responsibility>true</Responsibility><Email>s.oneill@example.org</Email></Contact></Contacts>
            </Pupil>
            <Pupil>
              <UPN>A801200005001</UPN><Surname>Wrong</Surname><Forename>Letter</Forename><DOB>2017-03-14</DOB><Sex>M</Sex>
              <BasicDetails><NCyearActual>4</NCyearActual></BasicDetails>
            </Pupil>
          </CTFpupilData>
        </CTfile>
        """

    static let configuration = """
        {
          "trust": {"name": "Northdown Learning Trust"},
          "administrator": {"givenName": "Dana", "familyName": "Price", "email": "dana.price@northdown.example"},
          "schools": [
            {"urn": "999101", "laCode": "886", "establishmentNumber": "2101", "name": "Harbour Primary School",
             "phase": "primary", "policy": "chilton",
             "files": [{"path": "harbour.xml", "format": "ctf"}],
             "roleHolders": [{"email": "ali.khan@harbour.example", "givenName": "Ali", "familyName": "Khan",
                              "role": "designatedSafeguardingLead"}]}
          ]
        }
        """

    func trust(_ cli: CLI, ctf: String = Self.ctf, configuration: String = Self.configuration) throws -> String {
        try ctf.write(toFile: cli.path("harbour.xml"), atomically: true, encoding: .utf8)
        try configuration.write(toFile: cli.path("trust.json"), atomically: true, encoding: .utf8)
        return cli.path("trust.json")
    }

    @Test func aTrustIsSetUpFromItsConfigurationAndTheSameFilesAgainChangeNothing() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let config = try trust(cli)
        let store = cli.path("store")

        let first = try cli.run(["import", "apply", config, "--store", store, "--init", "--report", cli.path("first.csv")])
        #expect(first.status == 2, "applied with one rejection: \(first.standardError)")
        #expect(first.standardOutput.contains("Created Northdown Learning Trust"))
        #expect(first.standardOutput.contains("999101  Harbour Primary School  0 → 1"))
        #expect(first.standardOutput.contains("Applied as import run"))
        #expect(first.standardOutput.contains("harbour.xml:22") && first.standardOutput.contains("[UPN]: upn.checkLetter"))
        #expect(!first.standardOutput.contains("A801200005001") && !first.standardOutput.contains("Wrong"), "no child's data")
        let report = try String(contentsOfFile: cli.path("first.csv"), encoding: .utf8)
        #expect(report.hasPrefix("action,subject,school,source file,line,field,code,reason,fields,record\n"))
        #expect(report.contains("reject,row,999101,harbour.xml,22,UPN,upn.checkLetter,"))
        #expect(report.contains("create,learner,999101,harbour.xml,16,,new,"))

        let second = try cli.run(["import", "apply", config, "--store", store, "--init"])
        #expect(second.status == 2)
        #expect(second.standardOutput.contains("Nothing changed"))
        #expect(second.standardOutput.contains("learner: 1 unchanged"))

        let dsl = try cli.run(["whoami", "--store", store, "--as", "ali.khan@harbour.example", "--school", "999101"])
        #expect(dsl.status == 0 && dsl.standardOutput.contains("designated safeguarding lead"), "\(dsl.standardError)")
        let runs = try cli.run(["import", "runs", "--store", store, "--as", "dana.price@northdown.example", "--school", "999101"])
        #expect(runs.status == 0)
        #expect(runs.standardOutput.components(separatedBy: "sha256 ").count == 3, "two runs, each naming its file's digest")
        #expect(
            runs.standardOutput.components(separatedBy: "  by Dana Price [").count == 3, "who ran each, by name: \(runs.standardOutput)")
    }

    /// The README's command: the committed sample trust, imported into a new flat-file store,
    /// and again with nothing changed.
    @Test func theSampleTrustImportsAndAgainChangesNothing() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let sample = repository.appending(path: "Examples/SampleTrust/data/trust.json").path
        let store = cli.path("trust-store")
        let first = try cli.run(["import", "apply", sample, "--store", store, "--init"])
        #expect(first.status == 2, "the sample's rejections are on purpose: \(first.standardError)")
        for urn in ["999101", "999102", "999103", "999104"] { #expect(first.standardOutput.contains(urn)) }
        #expect(first.standardOutput.contains("Applied as import run"))
        #expect(first.standardOutput.contains("upn.checkLetter") && first.standardOutput.contains("email.required"))
        let second = try cli.run(["import", "apply", sample, "--store", store, "--init"])
        #expect(second.standardOutput.contains("Nothing changed"), "\(second.standardOutput)")
        #expect(!second.standardOutput.contains("Created"), "the trust is not created twice")

        // Harbour's own data manager sees the runs that touched Harbour, narrowed to Harbour's
        // files, and is told the other schools are the trust's but not this session's.
        let office = ["--as", "office@harbour.northdown.example"]
        // Joanna, known as Jojo 🌟 (the CTF's PreferredForename and Bromcom's preferred first
        // name), is shown by that name, with her legal name kept beside it.
        let joanna = try cli.run(["people", "show", "U886210120002", "--store", store, "--school", "999101"] + office)
        #expect(joanna.status == 0, "\(joanna.standardError)")
        #expect(joanna.standardOutput.contains("Jojo 🌟 Brown (learner, Harbour Primary School)"), "\(joanna.standardOutput)")
        #expect(
            joanna.standardOutput.contains("legal name: Joanna Brown") && joanna.standardOutput.contains("known as: Jojo 🌟 Brown"),
            "\(joanna.standardOutput)")
        let runs = try cli.run(["import", "runs", "--store", store, "--school", "999101"] + office)
        #expect(runs.status == 0 && runs.standardOutput.contains("harbour/"), "\(runs.standardOutput)")
        #expect(!runs.standardOutput.contains("acorns/"), "no other school's files: \(runs.standardOutput)")
        let plan = try cli.run(["import", "plan", sample, "--store", store, "--at", "999101"] + office)
        #expect(plan.standardOutput.contains("school.notThisSession"), "\(plan.standardOutput)")
        #expect(!plan.standardOutput.contains("school.unknown"), "the trust's schools are not called unknown")
    }

    @Test func aTrustsFirstImportCanBePlannedBeforeTheStoreHoldsIt() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let config = try trust(cli)
        let missing = cli.path("new-store")
        let plain = try cli.run(["import", "plan", config, "--store", missing])
        #expect(plain.status == 66 && plain.standardError.contains("import apply … --init"), "\(plain.standardError)")
        let planned = try cli.run(["import", "plan", config, "--store", missing, "--init"])
        #expect(planned.status == 2, "one rejection, as applying would give: \(planned.standardError)")
        #expect(planned.standardOutput.contains("999101  Harbour Primary School  0 → 1"))
        #expect(planned.standardOutput.contains("Dry run: nothing was written"))
        #expect(!FileManager.default.fileExists(atPath: missing), "a plan creates no store")

        let empty = cli.path("empty-store")
        #expect(try cli.run(["store", "init", "--store", empty]).status == 0)
        let refused = try cli.run(["import", "plan", config, "--store", empty])
        #expect(refused.status == 77 && refused.standardError.contains("import apply … --init"), "\(refused.standardError)")
        // A store that exists is not copied aside to plan on: its refusal stands, and says how to go on.
        let existing = try cli.run(["import", "plan", config, "--store", empty, "--init"])
        #expect(existing.status == 77 && existing.standardError.contains("import apply … --init"), "\(existing.standardError)")
        #expect(try cli.run(["import", "plan", config, "--store", empty]).status == 77, "nothing was created in the store")
    }

    @Test func aPlanWritesNothingAndAStrictRunWithARejectionIsRefused() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let config = try trust(cli)
        let store = cli.path("store")
        #expect(try cli.run(["import", "apply", config, "--store", store, "--init"]).status == 2)
        let edited = Self.ctf.replacingOccurrences(of: "<NCyearActual>4</NCyearActual>", with: "<NCyearActual>5</NCyearActual>")
        _ = try trust(cli, ctf: edited)

        let plan = try cli.run(["import", "plan", config, "--store", store, "--report", cli.path("plan.json")])
        #expect(plan.status == 2)
        #expect(plan.standardOutput.contains("Dry run: nothing was written"))
        let json = try String(contentsOfFile: cli.path("plan.json"), encoding: .utf8)
        #expect(json.contains("\"ncYear\"") && json.contains("\"update\""), "the plan names the changing field")

        let strict = try cli.run(["import", "apply", config, "--store", store, "--strict"])
        #expect(strict.status == 65)
        #expect(strict.standardOutput.contains("Refused, nothing written: 1 row was rejected"))
        // The refused run is in no `import runs`; its id leads to its own event in the audit trail.
        let refusedRun = String(strict.standardOutput.components(separatedBy: "(run ").last?.prefix(36) ?? "")
        let trail = try cli.run(
            ["audit", "trail", refusedRun, "--store", store, "--as", "dana.price@northdown.example", "--school", "999101"])
        #expect(trail.status == 0, "\(trail.standardError)")
        #expect(
            trail.standardOutput.contains("import.apply") && trail.standardOutput.contains("refused: strict.rejections; nothing written"),
            "\(trail.standardOutput)")
        let again = try cli.run(["import", "plan", config, "--store", store])
        #expect(again.standardOutput.contains("learner: 1 update"), "the strict run wrote nothing")
    }

    /// A full CTF from a school listing the learners with these UPN bodies (12 characters each).
    static func ctf(establishment: String, urn: String, name: String, pupils bodies: [String]) -> String {
        let pupils = bodies.enumerated().map { index, body in
            """
                <Pupil>
                  <UPN>\(CLIAdminTests.upn(body))</UPN>
                  <Surname>Learner</Surname><Forename>Pupil\(index)</Forename>
                  <DOB>2017-03-14</DOB><Sex>F</Sex>
                  <BasicDetails><NCyearActual>4</NCyearActual></BasicDetails>
                </Pupil>
            """
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <CTfile>
              <Header>
                <DocumentName>Common Transfer File</DocumentName>
                <CTFversion>25.0</CTFversion>
                <DateTime>2026-11-30T10:00:00</DateTime>
                <DocumentQualifier>full</DocumentQualifier>
                <SourceSchool><LEA>886</LEA><Estab>\(establishment)</Estab><URN>\(urn)</URN><SchoolName>\(name)</SchoolName></SourceSchool>
              </Header>
              <CTFpupilData>
            \(pupils.joined(separator: "\n"))
              </CTFpupilData>
            </CTfile>
            """
    }

    /// A trust of two schools, each with its own CTF.
    static let twoSchools = """
        {
          "trust": {"name": "Northdown Learning Trust"},
          "administrator": {"givenName": "Dana", "familyName": "Price", "email": "dana.price@northdown.example"},
          "schools": [
            {"urn": "999101", "laCode": "886", "establishmentNumber": "2101", "name": "Harbour Primary School",
             "phase": "primary", "policy": "chilton", "files": [{"path": "harbour.xml", "format": "ctf"}]},
            {"urn": "999102", "laCode": "886", "establishmentNumber": "2102", "name": "Cliffside Primary School",
             "phase": "primary", "policy": "chilton", "files": [{"path": "cliffside.xml", "format": "ctf"}]}
          ]
        }
        """

    /// Writes both schools' CTFs, each listing the first `listed` of its two learners.
    func twoSchools(_ cli: CLI, listed: Int) throws -> String {
        let harbour = ["886210126001", "886210126002"].prefix(listed)
        let cliffside = ["886210226001", "886210226002"].prefix(listed)
        try Self.ctf(establishment: "2101", urn: "999101", name: "Harbour Primary School", pupils: Array(harbour))
            .write(toFile: cli.path("harbour.xml"), atomically: true, encoding: .utf8)
        try Self.ctf(establishment: "2102", urn: "999102", name: "Cliffside Primary School", pupils: Array(cliffside))
            .write(toFile: cli.path("cliffside.xml"), atomically: true, encoding: .utf8)
        try Self.twoSchools.write(toFile: cli.path("trust.json"), atomically: true, encoding: .utf8)
        return cli.path("trust.json")
    }

    /// A run that would make half of two schools' rolls leavers is refused (65): the refusal
    /// names the first school over the limit, and goes on to say the others are in the table and
    /// which of this tool's options apply the run; with --allow-many-leavers it applies.
    @Test func aRefusalForTooManyLeaversNamesTheOptionsThatApplyIt() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = cli.path("store")
        let first = try cli.run(["import", "apply", try twoSchools(cli, listed: 2), "--store", store, "--init"])
        #expect(first.status == 0, "\(first.standardOutput)\(first.standardError)")

        let config = try twoSchools(cli, listed: 1)
        for command in ["plan", "apply"] {
            let refused = try cli.run(["import", command, config, "--store", store])
            #expect(refused.status == 65, "\(command): \(refused.standardError)")
            let lines = refused.standardOutput.split(separator: "\n").map(String.init)
            let refusal = try #require(lines.firstIndex { $0.hasPrefix("Refused, nothing written: ") }, "\(refused.standardOutput)")
            #expect(lines[refusal].contains("1 of 2 learners at URN 999101 would leave"), "\(lines[refusal])")
            let hint = lines[(refusal + 1)...].joined(separator: "\n")
            #expect(hint.contains("The first school over the limit is named"), "\(refused.standardOutput)")
            #expect(hint.contains("--allow-many-leavers") && hint.contains("--max-leaver-share (0.2 now)"), "\(refused.standardOutput)")
            #expect(!refused.standardOutput.contains("Pupil"), "no child's data")
        }
        let again = try cli.run(["import", "plan", config, "--store", store])
        let learners = again.standardOutput.split(separator: "\n").first { $0.hasPrefix("learner: ") } ?? ""
        #expect(learners.hasSuffix(", 2 leaver"), "the refused apply wrote nothing: \(again.standardOutput)")

        let strict = try cli.run(["import", "plan", config, "--store", store, "--strict", "--allow-many-leavers"])
        #expect(strict.status == 0 && !strict.standardOutput.contains("--allow-many-leavers"), "no hint without a refusal")
        let applied = try cli.run(["import", "apply", config, "--store", store, "--allow-many-leavers"])
        #expect(applied.status == 0, "\(applied.standardOutput)\(applied.standardError)")
        let rolls = applied.standardOutput.split(separator: "\n").filter { $0.hasPrefix("99910") && $0.contains("2 → 1") }
        #expect(rolls.count == 2, "each school's roll goes from 2 to 1: \(applied.standardOutput)")
        #expect(applied.standardOutput.contains("Applied as import run"))
    }

    /// A configuration whose school reads two Tapestry-style files instead of a CTF.
    static let tapestryConfiguration = configuration.replacingOccurrences(
        of: "\"files\": [{\"path\": \"harbour.xml\", \"format\": \"ctf\"}]",
        with: "\"files\": [{\"path\": \"children.csv\", \"format\": \"tapestry-children\"}, "
            + "{\"path\": \"relatives.csv\", \"format\": \"tapestry-relatives\"}]")

    /// A `--map` naming a field that is not one is the command line's mistake: said once, before
    /// any file is read (these files do not even exist), naming the field and the fields there are.
    @Test func aMapToAFieldThatIsNotOneIsAUsageErrorBeforeAnyFileIsRead() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try #require(Self.tapestryConfiguration != Self.configuration)
        let config = try trust(cli, configuration: Self.tapestryConfiguration)
        let store = cli.path("store")
        let plan = ["import", "plan", config, "--store", store, "--init"]

        let unknown = try cli.run(plan + ["--map", "House=nosuchfield"])
        #expect(unknown.status == 64, "\(unknown.standardError)")
        #expect(unknown.standardError.contains("--map House=nosuchfield: mapping.unknownField:"), "\(unknown.standardError)")
        #expect(unknown.standardError.contains("sourceID, upn, givenName") && unknown.standardError.contains("jobTitle, status"))
        #expect(unknown.standardError.components(separatedBy: "nosuchfield").count == 2, "said once: \(unknown.standardError)")
        #expect(!unknown.standardError.contains("file.missing") && unknown.standardOutput.isEmpty, "no file was read")
        #expect(!FileManager.default.fileExists(atPath: store))

        let twice = try cli.run(plan + ["--map", "A=groups", "--map", "B=Groups"])
        #expect(twice.status == 64 && twice.standardError.contains("--map B=Groups: mapping.duplicateField:"), "\(twice.standardError)")

        // A field that is one passes, and the run goes on to read the files.
        let known = try cli.run(plan + ["--map", "House=groups"])
        #expect(known.status == 65 && known.standardError.contains("file.missing"), "\(known.standardError)")
    }

    /// The warnings a data manager must act on are printed under the summary, with their file:
    /// a full export that makes no leavers, and a file read as Windows-1252. No row's data is.
    @Test func aFullExportWithholdingLeaversAndAWindows1252FileAreSaidUnderTheSummary() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let config = try trust(cli, configuration: Self.tapestryConfiguration)
        // Renée's row is fine; the row after it has no Child ID, so it could be anyone's. Both
        // names are written in Windows-1252 (é and ë are one byte each).
        var children = Array("Child ID,First Name,Last Name,Date of Birth\r\nT1,Ren".utf8) + [0xE9]
        children += Array("e,Quarrington,05/06/2021\r\n,Zo".utf8) + [0xEB] + Array(",Quarrington,06/06/2021\r\n".utf8)
        try Data(children).write(to: cli.root.appending(path: "children.csv"))
        let relatives = "Relative ID,First Name,Last Name,Email,Children\nR1,Ada,Quarrington,a.q@mail.example,T1\n"
        try relatives.write(toFile: cli.path("relatives.csv"), atomically: true, encoding: .utf8)

        let plan = try cli.run(["import", "plan", config, "--store", cli.path("store"), "--init"])
        #expect(plan.status == 2, "the row without an id is rejected: \(plan.standardError)")
        let lines = plan.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let warnings = lines.filter { $0.hasPrefix("warning ") }
        #expect(
            warnings == [
                "warning children.csv: csv.encoding: the file is not UTF-8; it was read as Windows-1252",
                "warning children.csv: leavers.withheld: 1 row was left out without an id or UPN, so this full export makes no "
                    + "leavers at URN 999101 this run; correct it and import again",
            ], "\(plan.standardOutput)")
        let summary = try #require(lines.firstIndex { $0.hasPrefix("URN ") })
        let dryRun = try #require(lines.firstIndex { $0.hasPrefix("Dry run") })
        #expect(lines.indices.filter { lines[$0].hasPrefix("warning ") }.allSatisfy { $0 > summary && $0 < dryRun }, "under the summary")
        #expect(plan.standardOutput.contains("rejected children.csv:3:1 [Child ID]: id.required"), "\(plan.standardOutput)")
        for value in ["Quarrington", "Ren\u{E9}e", "Zo\u{EB}", "a.q@mail.example"] {
            #expect(!plan.standardOutput.contains(value) && !plan.standardError.contains(value), "no row's data: \(value)")
        }
    }

    @Test func aMalformedFileOrConfigurationIsRefusedWithWhereAndNothingIsWritten() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let broken = Self.ctf.replacingOccurrences(of: "</Forename><DOB>2017", with: "<DOB>2017")
        let config = try trust(cli, ctf: broken)
        let store = cli.path("store")
        let malformed = try cli.run(["import", "apply", config, "--store", store, "--init"])
        #expect(malformed.status == 65)
        #expect(malformed.standardError.contains("harbour.xml:") && malformed.standardError.contains("xml.malformed"))
        #expect(malformed.standardError.contains("nothing was imported"))
        #expect(!FileManager.default.fileExists(atPath: store), "no store is created for a run that reads nothing")

        let badFormat = Self.configuration.replacingOccurrences(of: "\"format\": \"ctf\"", with: "\"format\": \"sims\"")
        let badConfig = try trust(cli, configuration: badFormat)
        let refused = try cli.run(["import", "plan", badConfig, "--store", store])
        #expect(refused.status == 65)
        #expect(refused.standardError.contains("trust.json:7:") && refused.standardError.contains("schools[0].files[0].format"))
        #expect(refused.standardError.contains("ctf, oneroster, bromcom-students"))
        #expect(refused.standardError.components(separatedBy: "trust.json:7:").count == 2, "the location is given once")

        let unparsable = Self.configuration.replacingOccurrences(of: "\"name\": \"Harbour", with: "\"name\" \"Harbour")
        let unparsableConfig = try trust(cli, configuration: unparsable)
        let syntax = try cli.run(["import", "plan", unparsableConfig, "--store", store])
        #expect(syntax.status == 65)
        #expect(syntax.standardError.contains("trust.json:5:") && syntax.standardError.contains("config.syntax"))
        #expect(syntax.standardError.components(separatedBy: "trust.json:").count == 2, "the location is given once")

        let good = try trust(cli)
        #expect(try cli.run(["import", "apply", good, "--store", store, "--init"]).status == 2)
        let teacher = try cli.run(["import", "plan", good, "--store", store, "--as", "nobody@harbour.example"])
        #expect(teacher.status == 77, "no session for someone the store does not know: \(teacher.standardError)")
        let elsewhere = try cli.run(["import", "plan", good, "--store", store, "--at", "999999"])
        #expect(elsewhere.status == 77, "an unknown school is answered as a refused session, as the help says")
        #expect(elsewhere.standardError.contains("--at 999999 is none of the configuration's schools"))
    }
}
