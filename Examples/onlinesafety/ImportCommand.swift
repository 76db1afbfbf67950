import ArgumentParser
import Foundation
import Logging
import OnlineSafetyCore
import OnlineSafetyImport
import StorageFile

/// `onlinesafety import`: a trust's MIS exports (CTF, OneRoster, Bromcom-style and
/// Tapestry-style CSV) synced into the store, as a dry run (`plan`) or for real (`apply`).
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a trust's MIS exports: plan (a dry run) or apply, driven by a trust configuration file.",
        discussion: """
            A trust configuration (JSON or YAML) names the trust, its data manager, each school (URN, LA code and \
            establishment number, name, the policy it starts from, its role holders) and the files to read. Paths are \
            relative to the configuration file.

            Exit status of plan and apply: 0 every row applies (or would); 2 applied, but some rows were rejected (see \
            --report); 64 the command line is wrong (such as a --map field that is not one); 65 refused, nothing written \
            (a malformed file or configuration, --strict with a rejection, too many leavers); 66 the store was not found; \
            69 the store is busy (another import) or unreachable; 77 the acting person may not import, or no session \
            opens for them at the school (an unknown URN is answered the same way).
            """,
        subcommands: [ImportPlanCommand.self, ImportApplyCommand.self, ImportRunsCommand.self]
    )
}

/// What `plan` and `apply` share.
struct ImportOptions: ParsableArguments {
    @Argument(help: "The trust configuration file (JSON or YAML).")
    var configuration: String

    @Option(name: .customLong("as"), help: "The acting person's email address (default: the configuration's administrator).")
    var actor: String?

    @Option(name: .customLong("at"), help: "The school to act at, by URN (default: the configuration's first school).")
    var school: String?

    @Flag(help: "Refuse the whole run if any row is rejected.")
    var strict = false

    @Option(
        parsing: .unconditional,
        help: "The largest share of a school's roll, or of its staff (beyond two people), one run may make leavers, from 0 to 1.")
    var maxLeaverShare: Double = 0.2

    @Flag(help: "Apply even when more of a roll or of a staff would leave than --max-leaver-share.")
    var allowManyLeavers = false

    @Option(help: "Write every decision (file, line, field, code, reason) to FILE: .csv or .json.")
    var report: String?

    @Flag(help: "Print the plan as JSON on standard output instead of the summary.")
    var json = false

    @Option(
        name: .customLong("map"),
        help: ArgumentHelp(
            "Read a CSV column as a field in each column-mapped CSV file that has it (repeatable): Column=field.",
            valueName: "Column=field"))
    var maps: [String] = []

    /// The `--map` pairs, column to field.
    var columnMap: [String: String] {
        var pairs: [String: String] = [:]
        for map in maps {
            let parts = map.split(separator: "=", maxSplits: 1)
            pairs[String(parts[0]).trimmingCharacters(in: .whitespaces)] = String(parts[1]).trimmingCharacters(in: .whitespaces)
        }
        return pairs
    }

    func validate() throws {
        for map in maps {
            let parts = map.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].trimmingCharacters(in: .whitespaces).isEmpty,
                !parts[1].trimmingCharacters(in: .whitespaces).isEmpty
            else { throw ValidationError("--map takes a column and a field as Column=field, such as --map \"House=groups\".") }
        }
        // A field that is not one is the command line's mistake, said once before any file is read.
        do { _ = try CSVMapping.fields(columnMap) } catch {
            let column = error.location.field ?? ""
            throw ValidationError(
                "--map \(terminalSafe(column))=\(terminalSafe(columnMap[column] ?? "")): \(error.code): \(error.reason).")
        }
        guard (0...1).contains(maxLeaverShare) else { throw ValidationError("--max-leaver-share is a share from 0 to 1, such as 0.2.") }
        if let report {
            guard report.hasSuffix(".csv") || report.hasSuffix(".json") else {
                throw ValidationError("--report names a .csv or a .json file.")
            }
            try refuseInsideStore(report, option: "--report")
        }
    }

    var options: RosterOptions {
        RosterOptions(strict: strict, maximumLeaverShare: maxLeaverShare, allowManyLeavers: allowManyLeavers)
    }
}

/// `onlinesafety import plan`.
struct ImportPlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what an import would do, writing nothing (a dry run of the same pipeline).",
        discussion: """
            With --init, a flat-file store that does not exist yet is planned as `import apply --init` would find it: \
            on a new, empty store in a temporary directory, where the trust, its first school and its data manager \
            are created first, removed afterwards. Nothing is written to --store, which is not created.

            Examples:
              onlinesafety import plan Examples/SampleTrust/data/trust.json --store ./trust-store --report plan.csv
              onlinesafety import plan Examples/SampleTrust/data/trust.json --store ./new-store --init
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var importOptions: ImportOptions

    @Flag(help: "Plan a trust's first import: as `import apply --init` would run it on a store without the trust.")
    var `init` = false

    func validate() throws {
        if `init` && storeOptions.postgresURL != nil {
            throw ValidationError("plan --init plans on a new scratch flat-file store; give --store, or run apply --init.")
        }
    }

    func run() async throws {
        try await TrustImport(storeOptions: storeOptions, options: importOptions).run(apply: false, initialise: `init`)
    }
}

/// `onlinesafety import apply`.
struct ImportApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Import for real: all or nothing, every record written audited with the run, file and line.",
        discussion: """
            With --init, a missing flat-file store is created, and a store without the trust gets it: the trust, its \
            first school and its data manager, from the configuration. Running the same files again changes nothing.

            Example:
              onlinesafety import apply Examples/SampleTrust/data/trust.json --store ./trust-store --init
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var importOptions: ImportOptions

    @Flag(help: "Create the store and the trust when they do not exist yet.")
    var `init` = false

    func run() async throws {
        try await TrustImport(storeOptions: storeOptions, options: importOptions).run(apply: true, initialise: `init`)
    }
}

/// `onlinesafety import runs`.
struct ImportRunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List the imports applied to the trust: when, by whom, which files (with their SHA-256) and what they did.",
        discussion: """
            Example:
              onlinesafety import runs --store ./trust-store --as dana.price@northdown.example --school 999101
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var acting: ActingOptions

    func run() async throws {
        try await withSession(storeOptions, acting) { session in
            let runs = try await session.roster.runs()
            if runs.isEmpty { return say("No imports have been applied.") }
            let names = await names(of: runs.map(\.actorID), in: session)
            for run in runs {
                say(
                    "\(ISO8601DateFormatter().string(from: run.appliedAt))  run \(run.id.uuidString.lowercased())  "
                        + "by \(label(run.actorID, names))")
                say("  schools: \(run.schoolURNs.joined(separator: ", "))")
                for file in run.files { say("  \(terminalSafe(file.name))  \(file.format)  \(file.rows) rows  sha256 \(file.sha256)") }
                let counts = RosterAction.allCases.compactMap { action -> String? in
                    let total = run.counts.total(action)
                    return total > 0 ? "\(total) \(action.rawValue)" : nil
                }
                say("  \(counts.isEmpty ? "nothing" : counts.joined(separator: ", "))")
            }
        }
    }
}

/// The run of `plan` or `apply`.
struct TrustImport {
    let storeOptions: StoreOptions
    let options: ImportOptions

    func run(apply: Bool, initialise: Bool) async throws {
        let configURL = URL(fileURLWithPath: options.configuration)
        let outcome: Int32 = try await reportingErrors {
            var configuration = try loadConfiguration(configURL)
            configuration.applyColumnMap(options.columnMap)
            let progress = ProgressLine(enabled: isatty(STDERR_FILENO) == 1 && !options.json)
            let started = Date()
            let logger = storeOptions.logger
            let read = TrustFiles.read(configuration, relativeTo: configURL.deletingLastPathComponent()) { step in
                logger.debug("file read", metadata: ["file": "\(step.file)", "files": "\(step.files)/\(step.totalFiles)"])
                progress.show(
                    "reading \(step.files)/\(step.totalFiles) files, \(step.rows) rows, "
                        + "\(Int(Double(step.rows) / max(Date().timeIntervalSince(started), 0.001))) rows/s")
            }
            progress.finish()
            guard read.fatal.isEmpty else {
                for problem in read.fatal { complain(terminalSafe(problem.description)) }
                complain("nothing was imported: \(read.fatal.count) file\(read.fatal.count == 1 ? "" : "s") could not be read")
                return Exit.dataError
            }
            // A --map column that no file has is a mistake, not a column some files lack.
            let mapped = (configuration.files + configuration.schools.flatMap(\.files)).count { $0.format.mapping != nil }
            let absent = read.batch.problems.filter { $0.code == "mapping.columnAbsent" }.compactMap(\.location.field)
            if let column = options.columnMap.keys.sorted().first(where: { column in absent.count { $0 == column } == mapped }) {
                complain("--map \(terminalSafe(column)): no column-mapped CSV file has this column; nothing was imported")
                return Exit.dataError
            }
            let planFirstImport = initialise && !apply
            if storeOptions.postgresURL == nil, let directory = storeOptions.fileStore, !isStoreDirectory(directory) {
                guard initialise else {
                    throw SafetyError(
                        .notFound,
                        "there is no store at \(directory.path): check the --store path; a trust's first import "
                            + "creates the store with `import apply … --init`, and `import plan … --init` shows first "
                            + "what that would do")
                }
                if planFirstImport {
                    return try await onScratchStore(configuration) { try await sync($0, configuration, read, false, started) }
                }
                try await withStore(storeOptions, create: true) { _ in }
            }
            return try await withStore(storeOptions) { store in
                let safety = OnlineSafety(backend: store, clock: .system, logger: storeOptions.logger)
                // A store that exists is never copied aside to plan on: `plan --init` on it is refused
                // as `plan` is, and the refusal says `apply --init` creates the trust there.
                let session = try await openSession(safety, configuration, initialise: initialise && apply)
                return try await sync(session, configuration, read, apply, started)
            }
        }
        if outcome != 0 { throw ExitCode(outcome) }
    }

    /// `plan --init` on a flat-file store that does not exist yet: a new, empty store in a temporary directory, with the trust, its first school and its data
    /// manager created as `apply --init` would, given to `body`; it is removed afterwards. Nothing
    /// of the user's store is copied.
    private func onScratchStore(
        _ configuration: TrustConfiguration, _ body: (SafetySession) async throws -> Int32
    ) async throws -> Int32 {
        let scratch = FileManager.default.temporaryDirectory
            .appending(path: "onlinesafety-plan-\(UUID().uuidString)", directoryHint: .isDirectory)
        defer { try? FileManager.default.removeItem(at: scratch) }
        // No anchor and no wait: the scratch store is this command's alone.
        let store = try await FileStore.open(
            at: scratch, logger: storeOptions.logger, options: FileStore.OpenOptions(createIfMissing: true, lockWait: .zero))
        do {
            try await store.migrate()
            let safety = OnlineSafety(backend: store, clock: .system, logger: storeOptions.logger)
            let session: SafetySession
            session = try await openSession(safety, configuration, initialise: true, dryRun: true)
            let outcome = try await body(session)
            try? await store.close()
            return outcome
        } catch {
            try? await store.close()
            throw error
        }
    }

    /// Plans or applies the files read, through a session, and prints the outcome; gives the exit status.
    private func sync(
        _ session: SafetySession, _ configuration: TrustConfiguration, _ read: TrustFiles.Read, _ apply: Bool, _ started: Date
    ) async throws -> Int32 {
        let progress = ProgressLine(enabled: isatty(STDERR_FILENO) == 1 && !options.json)
        var rosterOptions = options.options
        rosterOptions.schools = configuration.setups(trustID: session.principal.school.trustID)
        progress.show(apply ? "applying \(read.batch.files.count) files…" : "planning…")
        let plan: RosterPlan
        let applied: Bool
        if apply {
            let result = try await session.roster.apply(read.batch, options: rosterOptions)
            (plan, applied) = (result.plan, result.applied)
        } else {
            (plan, applied) = (try await session.roster.plan(read.batch, options: rosterOptions), false)
        }
        progress.finish()
        if let report = options.report { try writeReport(plan, to: report) }
        if options.json {
            try printJSON(plan)
        } else {
            summarise(plan, apply: apply, applied: applied, seconds: Date().timeIntervalSince(started))
        }
        if plan.refusal != nil { return Exit.dataError }
        return plan.rejections.isEmpty ? 0 : 2
    }

    private func loadConfiguration(_ url: URL) throws -> TrustConfiguration {
        do {
            return try TrustConfiguration.load(from: url, name: options.configuration)
        } catch {
            // The location goes in `location` only: `SafetyError.description` prints it before the reason.
            throw SafetyError(.invalidInput, "\(error.code): \(error.reason)", location: error.location.description)
        }
    }

    /// A session as the acting person at the acting school; with `initialise`, a store without
    /// the trust gets it first (the trust, its first school and its data manager).
    private func openSession(
        _ safety: OnlineSafety, _ configuration: TrustConfiguration, initialise: Bool, dryRun: Bool = false
    ) async throws -> SafetySession {
        let email = options.actor ?? configuration.administrator.email
        let urn = options.school ?? configuration.schools[0].urn
        let configured = configuration.schools.contains { $0.urn == urn }
        do {
            return try await safety.session(as: .email(email), at: .urn(urn))
        } catch let error as SafetyError where error.code == .forbidden && !configured {
            // The SDK answers a school it does not hold as one the person may not act at (77): say what the configuration says.
            throw SafetyError(.forbidden, "\(error.reason) (--at \(urn) is none of the configuration's schools)")
        } catch let error as SafetyError where error.code == .forbidden && !initialise && options.actor == nil {
            throw SafetyError(
                .forbidden,
                "\(error.reason); if the store does not hold the trust yet, `import apply … --init` creates it there "
                    + "(`import plan … --init` plans a first import into a store that does not exist yet)")
        } catch let error as SafetyError where error.code == .forbidden && initialise && options.actor == nil {
            let trust = Trust(name: configuration.trustName, companyNumber: configuration.companyNumber)
            guard let first = configuration.setups(trustID: trust.id).first(where: { $0.school.urn == urn }) else { throw error }
            let admin = configuration.administrator
            do {
                _ = try await safety.bootstrap(
                    trust: trust, school: first.school,
                    administrator: Person(
                        tenancy: .trust(trust.id), kind: .staff, givenName: admin.givenName, familyName: admin.familyName,
                        email: admin.email, jobTitle: admin.jobTitle))
            } catch let refusal as SafetyError where refusal.code == .conflict {
                throw error
            }
            if dryRun {
                say(
                    "\(configuration.trustName) is not in the store yet: planned on a new scratch store where, as "
                        + "`import apply --init` would, it was created first with \(first.school.name) and its data manager.")
            } else {
                say("Created \(configuration.trustName) with \(first.school.name) and its data manager.")
            }
            return try await safety.session(as: .email(email), at: .urn(urn))
        }
    }

    private func summarise(_ plan: RosterPlan, apply: Bool, applied: Bool, seconds: Double) {
        let actions: [RosterAction] = [.create, .update, .unchanged, .leaver, .restore, .skip, .reject]
        var rows: [[String]] = []
        for school in plan.schools {
            let roll = "\(school.rollBefore) → \(school.rollAfter)"
            rows.append(
                [school.urn, terminalSafe(school.name) + (school.created ? " (new)" : ""), roll]
                    + actions.map { "\(school.counts.total($0))" })
        }
        let placed = Set(plan.schools.map(\.urn))
        let unplaced = plan.entries.filter { entry in entry.schoolURN.map { !placed.contains($0) } ?? true }
        if !unplaced.isEmpty {
            let tally = actions.map { action in "\(unplaced.count { $0.action == action })" }
            rows.append(["", "not attributed to a school", ""] + tally)
        }
        say(lines: table(["URN", "school", "roll"] + actions.map(\.rawValue), rows))
        say()
        let counts = plan.counts
        for subject in RosterSubject.allCases {
            let parts = actions.compactMap { action -> String? in
                let n = counts[subject, action]
                return n > 0 ? "\(n) \(action.rawValue)" : nil
            }
            if !parts.isEmpty { say("\(subject.rawValue): \(parts.joined(separator: ", "))") }
        }
        if !plan.matches.isEmpty {
            say("\(plan.matches.count) contacts matched without a shared id (by name with email, phone or learner)")
        }
        if !plan.warnings.isEmpty { say("\(plan.warnings.count) warnings (see --report)") }
        // Each code's first ten; the report has every one.
        var shown: [String: Int] = [:]
        for warning in plan.warnings where Self.shownWarnings.contains(warning.code) {
            shown[warning.code, default: 0] += 1
            guard shown[warning.code, default: 0] <= 10 else { continue }
            say("warning \(terminalSafe(warning.location.description)): \(warning.code): \(terminalSafe(warning.reason))")
        }
        for (code, count) in shown.sorted(by: { $0.key < $1.key }) where count > 10 {
            say("... and \(count - 10) more \(code) warnings (see --report)")
        }
        for entry in plan.rejections.prefix(10) {
            say(
                "rejected \(terminalSafe(entry.location?.description ?? "URN \(entry.schoolURN ?? "?")")): \(entry.code): \(terminalSafe(entry.reason))"
            )
        }
        if plan.rejections.count > 10 { say("… and \(plan.rejections.count - 10) more rejections (see --report)") }
        say()
        if let refusal = plan.refusal {
            say("Refused, nothing written: \(refusal.reason) (run \(plan.runID.uuidString.lowercased())).")
            if refusal.code == "leavers.tooMany" { say(lines: Self.manyLeaversHint(plan, share: options.maxLeaverShare)) }
        } else if apply && applied {
            say(
                counts.writesAnything
                    ? "Applied as import run \(plan.runID.uuidString.lowercased()) in \(String(format: "%.1f", seconds)) s."
                    : "Nothing changed: the store already says what these files say (run \(plan.runID.uuidString.lowercased())).")
        } else {
            say("Dry run: nothing was written. Run `import apply` with the same arguments to apply it.")
        }
    }

    /// What a refusal for too many leavers goes on to say: the refusal names the first school
    /// over the limit, so when other schools would lose people too the table above is the place
    /// to check them; then the options that apply the run, in this tool's words.
    static func manyLeaversHint(_ plan: RosterPlan, share: Double) -> [String] {
        var lines: [String] = []
        if plan.schools.count(where: { $0.counts.total(.leaver) > 0 }) > 1 {
            lines.append("The first school over the limit is named; the leaver column above gives every school's leavers.")
        }
        lines.append("If the exports are complete, run again with --allow-many-leavers, or raise --max-leaver-share (\(share) now).")
        return lines
    }

    /// The warnings the summary prints in full, as a data manager has to act on them: a full
    /// export that made no leavers (a left-out row named nobody), people whose leaving was
    /// decided by hand after the export was taken, two files that disagree about someone, a file
    /// that says it was exported after today, and a file that was not UTF-8 and was read as
    /// Windows-1252. Their reasons name files, lines, fields, counts and URNs, never a person or
    /// a value.
    static let shownWarnings: Set<String> = [
        "leavers.withheld", "leaving.decidedByHand", "row.conflict", "export.dayAhead", "csv.encoding",
    ]

    private func writeReport(_ plan: RosterPlan, to path: String) throws {
        if path.hasSuffix(".json") {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            try writeOutput(String(decoding: try encoder.encode(plan), as: UTF8.self) + "\n", to: path)
            return
        }
        var lines = ["action,subject,school,source file,line,field,code,reason,fields,record"]
        let rows =
            plan.entries.map { entry in
                [
                    entry.action.rawValue, entry.subject.rawValue, entry.schoolURN ?? "", entry.location?.file ?? "",
                    entry.location.map(lineField) ?? "", entry.location?.field ?? "", entry.code, entry.reason,
                    entry.fields.joined(separator: " "), entry.recordID?.uuidString.lowercased() ?? "",
                ]
            }
            + plan.warnings.map { warning in
                [
                    "warning", "row", "", warning.location.file, lineField(warning.location), warning.location.field ?? "",
                    warning.code, warning.reason, "", "",
                ]
            }
        for row in rows { lines.append(row.map(csvField).joined(separator: ",")) }
        try writeOutput(lines.joined(separator: "\n") + "\n", to: path)
    }

    /// A location's line for the report, empty for the whole file (line 0).
    private func lineField(_ location: FileLocation) -> String { location.line > 0 ? String(location.line) : "" }

    private func csvField(_ text: String) -> String {
        guard text.contains(where: { ",\"\n\r".contains($0) }) || text.hasPrefix("=") || text.hasPrefix("+") || text.hasPrefix("@") else {
            return text
        }
        let guarded = text.hasPrefix("=") || text.hasPrefix("+") || text.hasPrefix("@") ? "'" + text : text
        return "\"" + guarded.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// A one-line progress display on standard error, redrawn in place; silent when standard error
/// is not a terminal.
final class ProgressLine: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private var shown = false

    init(enabled: Bool) { self.enabled = enabled }

    func show(_ text: String) {
        guard enabled else { return }
        lock.withLock {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
            shown = true
        }
    }

    func finish() {
        guard enabled else { return }
        lock.withLock {
            if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            shown = false
        }
    }
}
