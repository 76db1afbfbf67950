import ArgumentParser
import Foundation
import OnlineSafetyCore
import StorageFile

/// `onlinesafety store`: create a store, check a flat-file store's journal, and copy what can be
/// read of a damaged one into a new store.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Create a store, verify a flat-file store's journal, or export what can be read of it.",
        discussion: """
            Only `store init` and `demo` create a store; every other command refuses a --store path that holds none. \
            There is no `store repair`: a damaged flat-file store is read with `store verify` and `store export`, \
            and the export is opened in its place.
            """,
        subcommands: [Init.self, Verify.self, Export.self, Repair.self]
    )

    /// `store init`: a new, empty store.
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a new, empty store (a flat-file directory, or the tables of a PostgreSQL database).")

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await reportingErrors {
                if let directory = storeOptions.fileStore {
                    let path = directory.standardizedFileURL.path
                    if isStoreDirectory(directory) {
                        throw SafetyError(.constraintViolation, "there is already a store at \(path)")
                    }
                    if let contents = try? FileManager.default.contentsOfDirectory(atPath: path), !contents.isEmpty {
                        throw SafetyError(.constraintViolation, "\(path) is not empty; a new store needs a new or empty directory")
                    }
                    try refuseInsideStore(path, option: "--store")
                }
                try await withStore(storeOptions, create: true) { _ in }
                if let directory = storeOptions.fileStore {
                    say("Created an empty store at \(directory.standardizedFileURL.path).")
                } else {
                    say("The PostgreSQL database is ready (every migration applied).")
                }
            }
        }
    }

    /// `store verify`: the journal report, without record content.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a flat-file store's journal: which records are damaged, and which kinds and ids they touch.",
            discussion: "Exit status 0 when the journal is intact, 65 when a record is damaged or does not verify against the hash chain.")

        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            guard storeOptions.fileStore != nil else { throw ValidationError("store verify checks a flat-file store: give --store DIR.") }
        }

        func run() async throws {
            try await reportingErrors {
                guard let directory = storeOptions.fileStore else { return }
                let report = try await FileStore.inspect(
                    at: directory, logger: storeOptions.logger, options: storeOptions.fileOptions(create: false))
                say(lines: Self.lines(report, directory: directory))
                if !report.isIntact { throw ExitCode(Exit.dataError) }
            }
        }

        /// The report as lines: records by line, byte offset, kind and identifier only.
        static func lines(_ report: JournalReport, directory: URL) -> [String] {
            var lines = ["Store \(directory.standardizedFileURL.path): \(report.applied) journal records read."]
            if report.isIntact && report.tornTail == nil && !report.lastNewlineMissing {
                lines.append("The journal is intact.")
            }
            for damage in report.damaged {
                lines.append("DAMAGED \(damage.location): \(damage.problem)")
                lines.append(contentsOf: touched(damage.touches))
            }
            if !report.notApplied.isEmpty {
                lines.append(
                    "Not read, because they follow the damage (intact, but they may build on it): \(report.notApplied.count) records")
                for record in report.notApplied {
                    lines.append("  \(record.location)")
                    lines.append(contentsOf: touched(record.touches, indent: "    "))
                }
            }
            if !report.brokenChain.isEmpty {
                lines.append(
                    "ALTERED: lines \(report.brokenChain.map(String.init).joined(separator: ", ")) do not verify against the hash chain "
                        + "(rewritten outside the SDK)")
            }
            if let torn = report.tornTail {
                lines.append(
                    "A last write cut off by a crash (never acknowledged) is at \(torn.location); it is copied aside and dropped on the next open."
                )
            }
            if report.lastNewlineMissing { lines.append("The last record has no newline after it (it is kept).") }
            if !report.isIntact {
                lines.append(
                    "The store cannot be opened for writing. `onlinesafety store export --store \(directory.path) --to NEW-DIR` copies the "
                        + "\(report.applied) records that can be read into a new store.")
            }
            return lines
        }

        private static func touched(_ references: [JournalEntryReference], indent: String = "  ") -> [String] {
            guard !references.isEmpty else { return ["\(indent)touches: nothing that can still be read"] }
            var lines: [String] = []
            for reference in references.prefix(50) { lines.append("\(indent)touches \(reference)") }
            if references.count > 50 { lines.append("\(indent)... and \(references.count - 50) more") }
            return lines
        }
    }

    /// `store export`: what can be read, into a new store.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy every record a flat-file store can read into a new store directory.",
            discussion: """
                The records before the first damaged one are copied as they are (their hash chain still verifies); \
                the bytes not copied are saved in the new store's recovered/ folder. The old store is not changed.
                """)

        @OptionGroup var storeOptions: StoreOptions

        @Option(help: ArgumentHelp("The new store's directory: it must not exist, or be empty, outside any store.", valueName: "dir"))
        var to: String

        func validate() throws {
            guard storeOptions.fileStore != nil else { throw ValidationError("store export copies a flat-file store: give --store DIR.") }
            try refuseInsideStore(to, option: "--to")
        }

        func run() async throws {
            try await reportingErrors {
                guard let source = storeOptions.fileStore else { return }
                let export: JournalExport
                do {
                    export = try await FileStore.exportReadable(
                        from: source, to: URL(fileURLWithPath: to, isDirectory: true), logger: storeOptions.logger,
                        options: storeOptions.fileOptions(create: false))
                } catch let error as SafetyError where error.code == .invalidInput && error.location == "destination" {
                    throw ValidationError("--to: \(error.reason).")
                } catch let error as SafetyError where error.code == .notFound {
                    throw SafetyError(.notFound, "\(error.reason): check the --store path")
                }
                say("Copied \(export.recordsCopied) journal records (\(export.bytesCopied) bytes) to \(export.destination.path).")
                if let line = export.firstLineNotCopied {
                    say("Not copied: journal.jsonl from line \(line) on.")
                    if let saved = export.notCopiedSavedAs { say("Its bytes are saved in the new store as \(saved).") }
                }
                if !export.source.brokenChain.isEmpty {
                    say("Lines that do not verify against the hash chain were copied as they are and still do not verify.")
                }
            }
        }
    }

    struct Repair: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set aside a flat-file store's journal from its first damaged record on, so the store opens for writing.",
            discussion: """
                The choice is explicit: --from-line must name the first damaged record, as `store verify` reports it. \
                Its bytes and everything after them are copied to the store's recovered/ folder before the journal is cut; \
                the repair is recorded in the audit with --reason. Prefer `store export`, which changes nothing in place.
                """)

        @OptionGroup var storeOptions: StoreOptions

        @Option(
            parsing: .unconditional,
            help: ArgumentHelp("The first damaged record's line, as `store verify` reports it.", valueName: "line"))
        var fromLine: Int

        @Option(help: ArgumentHelp("Why the records are set aside (kept in the audit).", valueName: "text"))
        var reason: String

        func validate() throws {
            guard storeOptions.fileStore != nil else { throw ValidationError("store repair works on a flat-file store: give --store DIR.") }
            guard fromLine >= 1 else { throw ValidationError("--from-line is a journal line number, from 1.") }
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("--reason says why the records are set aside.")
            }
        }

        func run() async throws {
            try await reportingErrors {
                guard let store = storeOptions.fileStore else { return }
                let repair: JournalRepair
                do {
                    repair = try await FileStore.repair(
                        at: store, droppingFromLine: fromLine, reason: reason, logger: storeOptions.logger,
                        options: storeOptions.fileOptions(create: false))
                } catch let error as SafetyError where error.code == .invalidInput && error.location == "line" {
                    throw ValidationError("--from-line: \(error.reason).")
                }
                say(
                    "Set aside journal.jsonl from line \(repair.firstLineSetAside) on (\(repair.bytesSetAside) bytes), saved as \(repair.savedAs)."
                )
                say("The store holds \(repair.recordsKept) journal records and opens for writing; the repair is in its audit.")
            }
        }
    }
}
