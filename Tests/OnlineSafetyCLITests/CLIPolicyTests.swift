import Foundation
import OnlineSafetyCore
import OnlineSafetyPolicyText
import Testing

/// The policy text loader and `onlinesafety policy validate`.
@Suite("Policy files")
struct CLIPolicyTests {
    static let seeds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appending(path: "Sources/OnlineSafetyCore/Policy/Seeds")

    @Test(arguments: [("chilton", SeedPolicies.chilton), ("mersham", SeedPolicies.mersham), ("dormansland", SeedPolicies.dormansland)])
    func committedYAMLIsTheShippedPolicy(name: String, document: PolicyDocument) throws {
        #expect(try PolicyLoader.load(contentsOf: Self.seeds.appending(path: "\(name).yaml")) == document)
    }

    @Test func aBadDeadlineNamesTheLineAndField() throws {
        var text = try String(contentsOf: Self.seeds.appending(path: "chilton.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "due: settings.ladoContactWorkingDays", with: "due: soon")
        let issue = try #require(PolicyLoader.check(text, file: "edited.yaml").first)
        #expect(issue.file == "edited.yaml" && issue.line > 0)
        #expect(issue.field.hasSuffix(".due") && issue.message.contains("'soon' is not a deadline"))
    }

    @Test func aLoosenedFloorStepNamesItsLineAndStep() throws {
        var text = try String(contentsOf: Self.seeds.appending(path: "chilton.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "due: settings.ladoContactWorkingDays", with: "due: 5 working days")
        let issue = try #require(PolicyLoader.check(text, file: "edited.yaml").first)
        #expect(issue.floorStep == "lado.contacted")
        let line = text.split(separator: "\n", omittingEmptySubsequences: false)[issue.line - 1]
        #expect(line.contains("5 working days"), "the issue points at the loosened line: \(issue)")
    }

    @Test func validateExitsWithDataErrorForALoosenedCopy() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        var text = try String(contentsOf: Self.seeds.appending(path: "mersham.yaml"), encoding: .utf8)
        #expect(try cli.run(["policy", "validate", Self.seeds.appending(path: "mersham.yaml").path]).status == 0)
        text = text.replacingOccurrences(of: "code: decision.referral", with: "code: decision.considered")
        try text.write(toFile: cli.path("loose.yaml"), atomically: true, encoding: .utf8)
        let result = try cli.run(["policy", "validate", cli.path("loose.yaml")])
        #expect(result.status == 65)
        #expect(result.standardError.contains("loose.yaml:") && result.standardError.contains("'decision.referral'"))
    }

    @Test func aKeyStageConditionIsReadAndABadOneNamesItsLineAndField() throws {
        let text = try String(contentsOf: Self.seeds.appending(path: "chilton.yaml"), encoding: .utf8)
        let step = """
                  - code: antiBullying.response
                    title: Respond under the anti-bullying policy and support the child harmed
                    responsible: dsl
                    due: 1 working day
                    when: {keyStageAtMost: KS}
            """
        let original = """
                  - code: antiBullying.response
                    title: Respond under the anti-bullying policy and support the child harmed
                    responsible: dsl
                    due: 1 working day
            """
        #expect(text.contains(original))
        let good = text.replacingOccurrences(of: original, with: step.replacingOccurrences(of: "KS", with: "ks2"))
        let document = try PolicyLoader.load(good, file: "edited.yaml")
        let procedure = try #require(document.procedure(for: "cyberbullying"))
        #expect(procedure.steps[0].when?.keyStageAtMost == .ks2)
        let bad = text.replacingOccurrences(of: original, with: step.replacingOccurrences(of: "KS", with: "year6"))
        let issue = try #require(PolicyLoader.check(bad, file: "edited.yaml").first)
        #expect(issue.field.hasSuffix("steps[0].when.keyStageAtMost"), "\(issue)")
        #expect(issue.message.contains("not a key stage") && issue.message.contains("ks2"))
        let line = bad.split(separator: "\n", omittingEmptySubsequences: false)[issue.line - 1]
        #expect(line.contains("year6"), "the issue points at the key stage: \(issue)")
    }

    // MARK: show, adopt and diff on a demo store

    static let seedChilton = seeds.appending(path: "chilton.yaml")

    /// Chilton's seed policy edited at a review: a new version and title, and the staff-conduct
    /// LADO step given `due` (and, when tightened, a title to match).
    static func chiltonEdited(due: String, title: String = "Contact the LADO within one working day") throws -> String {
        let text = try String(contentsOf: seedChilton, encoding: .utf8)
        let start = try #require(text.range(of: "  - categories: [staffConduct]"))
        let end = try #require(text.range(of: "  - categories: [parentConduct]"))
        let staff = String(text[start.lowerBound..<end.lowerBound])
            .replacingOccurrences(of: "due: settings.ladoContactWorkingDays", with: "due: \(due)")
            .replacingOccurrences(of: "title: Contact the LADO within one working day", with: "title: \(title)")
        return (String(text[..<start.lowerBound]) + staff + String(text[end.lowerBound...]))
            .replacingOccurrences(of: "version: \"2021-term1\"", with: "version: \"2026-review\"")
            .replacingOccurrences(
                of: "title: Chilton Primary School online safety policy, reviewed Term 1 2021",
                with: "title: Chilton Primary School online safety policy, reviewed November 2026")
    }

    static func today() -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let parts = calendar.dateComponents([.year, .month, .day], from: Date())
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    /// The `by:` deadline printed for a step in `incident record`'s output.
    static func deadline(of code: String, in output: String) throws -> Date {
        let line = try #require(output.split(separator: "\n").first { $0.contains("step: \(code)") }, "no \(code) in \(output)")
        let by = try #require(line.range(of: "by: "))
        let text = line[by.upperBound...].prefix { $0 != ";" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.dateFormat = "EEE d MMM yyyy HH:mm"
        return try #require(formatter.date(from: String(text)), "cannot read \(text)")
    }

    @Test func showPrintsTheVersionInForceWithItsSections() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let result = try cli.run(["policy", "show"] + CLI.acting("kate.law", store: store))
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first == "Chilton Primary School online safety policy, reviewed Term 1 2021 (version 2021-term1)")
        #expect(lines.contains("staffConduct:") && lines.contains("nudeImageSharing:") && lines.contains("every category:"))
        #expect(
            lines.contains {
                $0.contains("lado.contacted — Contact the LADO within one working day")
                    && $0.contains("[settings.ladoContactWorkingDays; §8.2 Concerns about staff online behaviour and/or welfare]")
            })
        #expect(lines.contains { $0.contains("decision.referral") && $0.contains("§10.1.2 Nude or semi-nude image sharing") })
        #expect(lines.last == "It meets the statutory floor under the school's settings.")
    }

    @Test func adoptingATightenedCopyChangesTheNextIncidentsSteps() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let kate = CLI.acting("kate.law", store: store)
        try Self.chiltonEdited(due: "4 hours", title: "Contact the LADO within four hours")
            .write(toFile: cli.path("chilton-2026.yaml"), atomically: true, encoding: .utf8)
        let adopt = try cli.run(["policy", "adopt", cli.path("chilton-2026.yaml"), "--effective", Self.today()] + kate)
        #expect(adopt.status == 0, "\(adopt.standardError)")
        #expect(
            adopt.standardOutput.contains(
                "Adopted Chilton Primary School online safety policy, reviewed November 2026 (version 2026-review)"))
        let show = try cli.run(["policy", "show"] + kate)
        #expect(show.standardOutput.hasPrefix("Chilton Primary School online safety policy, reviewed November 2026 (version 2026-review)"))
        let record = try cli.run(
            [
                "incident", "record", "--category", "staffConduct", "--risk", "conduct", "--subject", "tom.hughes@chilton.example",
                "--summary", "A concern about a teacher's messages",
            ] + kate)
        #expect(record.status == 0, "\(record.standardError)")
        #expect(record.standardOutput.contains("Contact the LADO within four hours"))
        #expect(!record.standardOutput.contains("reviewed Term 1 2021"), "every step follows the new version")
        #expect(
            record.standardOutput.contains(
                "why: Chilton Primary School online safety policy, reviewed November 2026, §8.2 (Concerns about staff online behaviour"))
        // The head is told within Chilton's "immediately" (an hour); the LADO now within four hours.
        let head = try Self.deadline(of: "head.informed", in: record.standardOutput)
        let lado = try Self.deadline(of: "lado.contacted", in: record.standardOutput)
        #expect(lado.timeIntervalSince(head) == 3 * 3600)
    }

    @Test func adoptingALoosenedCopyIsRefusedNamingTheFloorStep() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let kate = CLI.acting("kate.law", store: store)
        try Self.chiltonEdited(due: "5 working days").write(toFile: cli.path("loose.yaml"), atomically: true, encoding: .utf8)
        let adopt = try cli.run(["policy", "adopt", cli.path("loose.yaml"), "--effective", Self.today()] + kate)
        #expect(adopt.status == 65)
        #expect(adopt.standardError.contains("loose.yaml:") && adopt.standardError.contains("'lado.contacted'"))
        #expect(adopt.standardError.contains("Keeping children safe in education"))
        let show = try cli.run(["policy", "show"] + kate)
        #expect(show.standardOutput.contains("(version 2021-term1)"), "the version in force is unchanged")
    }

    @Test func diffListsTheChangedStepForItsCategory() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try Self.chiltonEdited(due: "4 hours").write(toFile: cli.path("chilton-2026.yaml"), atomically: true, encoding: .utf8)
        let diff = try cli.run(["policy", "diff", Self.seedChilton.path, cli.path("chilton-2026.yaml")])
        #expect(diff.status == 0, "\(diff.standardError)")
        #expect(diff.standardOutput == "staffConduct: changed lado.contacted (due settings.ladoContactWorkingDays → 4 hours)\n")
        let same = try cli.run(["policy", "diff", Self.seedChilton.path, Self.seedChilton.path])
        #expect(same.status == 0 && same.standardOutput == "No steps change.\n")
    }

    @Test func badInputExitsWithItsCode() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let store = try cli.demoStore()
        let kate = CLI.acting("kate.law", store: store)
        let missing = try cli.run(["policy", "adopt", cli.path("missing.yaml"), "--effective", Self.today()] + kate)
        #expect(missing.status == 66 && missing.standardError.contains("missing.yaml: the file cannot be read"))
        let badDate = try cli.run(["policy", "adopt", Self.seedChilton.path, "--effective", "2026-02-30"] + kate)
        #expect(badDate.status == 64 && badDate.standardError.contains("--effective"))
        let diff = try cli.run(["policy", "diff", cli.path("missing.yaml"), Self.seedChilton.path])
        #expect(diff.status == 66)
        let show = try cli.run(["policy", "show", "--on", "yesterday"] + kate)
        #expect(show.status == 64)
    }

    // MARK: The README's example

    /// The commands of the README's "adopted at its review" section, run as written (with
    /// `swift run onlinesafety` as the built tool) in a scratch directory beside the sources.
    @Test func theReadmeExampleRunsAsWritten() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let packageRoot = Self.seeds.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let readme = try String(contentsOf: packageRoot.appending(path: "README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "## The school's own policy, adopted at its review"))
        let open = try #require(readme.range(of: "```sh\n", range: section.upperBound..<readme.endIndex))
        let close = try #require(readme.range(of: "```", range: open.upperBound..<readme.endIndex))
        let script = String(readme[open.upperBound..<close.lowerBound])
        #expect(script.contains("policy adopt chilton-2026.yaml") && script.contains("incident record"))
        try FileManager.default.createSymbolicLink(
            atPath: cli.path("Sources"), withDestinationPath: packageRoot.appending(path: "Sources").path)
        let bin = cli.path("bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try "#!/bin/sh\n[ \"$1\" = run ] && [ \"$2\" = onlinesafety ] || exit 99\nshift 2\nexec '\(try CLI.executable().path)' \"$@\"\n"
            .write(toFile: bin + "/swift", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/swift")
        try script.write(toFile: cli.path("readme.sh"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-e", cli.path("readme.sh")]
        process.currentDirectoryURL = cli.root
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = bin + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment.removeValue(forKey: "ONLINESAFETY_POSTGRES_URL")
        process.environment = environment
        let output = cli.root.appending(path: "readme.out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: cli.path("readme.err"), contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: cli.root.appending(path: "readme.err"))
        try process.run()
        process.waitUntilExit()
        let printed = String(decoding: try Data(contentsOf: output), as: UTF8.self)
        let errors = String(decoding: try Data(contentsOf: cli.root.appending(path: "readme.err")), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(errors)")
        #expect(printed.contains("staffConduct: changed lado.contacted (title, due settings.ladoContactWorkingDays → 4 hours)\n"))
        #expect(
            printed.contains(
                "chilton-2026.yaml: Chilton Primary School online safety policy, reviewed November 2026 (version 2026-review) meets the statutory floor"
            ))
        #expect(printed.contains("Adopted Chilton Primary School online safety policy, reviewed November 2026 (version 2026-review) from"))
        #expect(printed.contains("Contact the LADO within four hours"))
        #expect(printed.contains("why: Chilton Primary School online safety policy, reviewed November 2026, §8.2"))
        #expect(printed.contains("lado.contacted — Contact the LADO within four hours [4 hours; §8.2"))
        let head = try Self.deadline(of: "head.informed", in: printed)
        let lado = try Self.deadline(of: "lado.contacted", in: printed)
        #expect(lado.timeIntervalSince(head) == 3 * 3600)
    }
}
