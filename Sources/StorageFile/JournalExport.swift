public import Foundation
public import Logging
@_spi(StorageBackend) import OnlineSafetyCore

/// What ``FileStore/exportReadable(from:to:logger:options:)`` wrote.
///
/// It names records by count and journal line only, never by content.
public struct JournalExport: Hashable, Sendable, CustomStringConvertible {
    /// The new store's directory.
    public let destination: URL
    /// The journal records copied into the new store: every record the source store reads.
    public let recordsCopied: Int
    /// The bytes of journal copied.
    public let bytesCopied: Int
    /// The first line of the source journal that was not copied (the first damaged record, or a
    /// write cut off by a crash), if any.
    public let firstLineNotCopied: Int?
    /// Where the bytes that were not copied were saved, relative to the new store's directory
    /// (`recovered/not-exported-from-line<N>.bin`), so nothing is lost; `nil` when everything was copied.
    public let notCopiedSavedAs: String?
    /// The report on the source journal, taken while it was copied.
    public let source: JournalReport

    /// Creates a summary.
    public init(
        destination: URL, recordsCopied: Int, bytesCopied: Int, firstLineNotCopied: Int?, notCopiedSavedAs: String?, source: JournalReport
    ) {
        self.destination = destination
        self.recordsCopied = recordsCopied
        self.bytesCopied = bytesCopied
        self.firstLineNotCopied = firstLineNotCopied
        self.notCopiedSavedAs = notCopiedSavedAs
        self.source = source
    }

    /// `copied N records (B bytes) to <path>`, and what was left out and where it was saved.
    public var description: String {
        var text = "copied \(recordsCopied) records (\(bytesCopied) bytes) to \(destination.path)"
        if let line = firstLineNotCopied {
            text += "; not copied: journal.jsonl from line \(line)"
            if let saved = notCopiedSavedAs { text += ", its bytes saved as \(saved) in the new store" }
        }
        return text
    }
}

extension FileStore {
    /// Writes every record a store can read into a new store directory: the journal's readable
    /// prefix (every record before the first damaged one, without a torn last write), with the
    /// source's manifest. The source is opened read-only and not changed.
    ///
    /// Use it to go on from a store whose journal is damaged: the new store opens read-write,
    /// holding what ``openReadOnly(at:logger:)`` reads from the old one. The records are copied
    /// byte for byte, so their hash chain still verifies (a line that did not verify in the source
    /// does not verify in the copy either). The bytes that were not copied (the damaged record and
    /// everything after it, or a torn write) are saved in the new store's `recovered/` folder.
    ///
    /// The new store is built in a temporary directory beside `destination` and renamed into place
    /// only when it is complete and reads back with as many records as the source.
    ///
    /// - Parameters:
    ///   - source: the store to copy; it must hold a store (`manifest.json`).
    ///   - destination: a directory that does not exist yet, or is empty, outside the source store.
    ///   - logger: where the source's warnings go.
    ///   - options: how long to wait for the source's lock (`createIfMissing` is ignored).
    /// - Returns: what was copied and what was left out.
    /// - Throws: `notFound` when there is no store at `source`; `invalidInput` (location
    ///   `destination`) when `destination` is not empty or is inside the source store;
    ///   `unavailable` when the source is open elsewhere after the wait, or a file cannot be
    ///   read or written; `corruptData` when the copy does not read back as expected;
    ///   `corruptData` or `migrationFailed` for the source's manifest, as ``openReadOnly(at:logger:)``.
    public static func exportReadable(
        from source: URL, to destination: URL, logger: Logger, options: OpenOptions = OpenOptions()
    ) async throws -> JournalExport {
        let sourcePath = source.standardizedFileURL.resolvingSymlinksInPath().path
        let target = destination.standardizedFileURL
        let parent = target.deletingLastPathComponent().resolvingSymlinksInPath().path
        let targetPath = parent + "/" + target.lastPathComponent
        if targetPath == sourcePath || targetPath.hasPrefix(sourcePath + "/") {
            throw SafetyError.invalid("destination", "the export cannot be written inside the store it copies (\(sourcePath))")
        }
        if Posix.exists(targetPath) {
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: targetPath)) ?? ["?"]
            guard contents.isEmpty else {
                throw SafetyError.invalid("destination", "\(targetPath) already exists and is not an empty directory")
            }
        }

        let store = try await openReadOnly(at: source, logger: logger, options: options)
        let report = store.journalReport
        let export: JournalExport
        do {
            export = try await writeExport(from: sourcePath, report: report, parent: parent, targetPath: targetPath, logger: logger)
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
        return export
    }

    /// Copies the readable prefix while the source is held open read-only (so nothing writes it).
    private static func writeExport(
        from sourcePath: String, report: JournalReport, parent: String, targetPath: String, logger: Logger
    ) async throws -> JournalExport {
        let version = try Manifest.check(directory: sourcePath)
        let journalPath = sourcePath + "/journal.jsonl"
        var bytes: [UInt8] = []
        if Posix.exists(journalPath) {
            do {
                bytes = Array(try Data(contentsOf: URL(fileURLWithPath: journalPath)))
            } catch {
                throw SafetyError(.unavailable, "cannot read \(journalPath)", underlying: error)
            }
        }
        let replayed = ReplayedJournal(bytes)
        let end: Int
        let firstNotCopied: Int?
        if let damage = replayed.damaged.first {
            end = damage.location.offset
            firstNotCopied = damage.location.line
        } else {
            end = replayed.validLength
            firstNotCopied = replayed.torn?.location.line
        }
        var prefix = Array(bytes[..<end])
        if let last = prefix.last, last != 0x0A { prefix.append(0x0A) }  // a last record without its newline
        let rest = Array(bytes[end...])

        let staging = parent + "/.\(URL(fileURLWithPath: targetPath).lastPathComponent).export-\(UUID().uuidString)"
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw SafetyError(.unavailable, "cannot create \(parent)", underlying: error)
        }
        try Posix.makeDirectory(staging, parent: parent)
        do {
            _ = try Posix.writeNewFile(in: staging, name: "journal", ext: "jsonl", prefix)
            _ = try Posix.writeNewFile(
                in: staging, name: "manifest", ext: "json",
                Array(#"{"format":"\#(Manifest.formatName)","version":\#(version)}"#.utf8) + [0x0A])
            var savedAs: String?
            if !rest.isEmpty, firstNotCopied != nil {
                try Posix.makeDirectory(staging + "/recovered", parent: staging)
                let name = try Posix.writeNewFile(
                    in: staging + "/recovered", name: "not-exported-from-line\(firstNotCopied ?? 0)", ext: "bin", rest)
                try Posix.syncDirectory(staging + "/recovered")
                savedAs = "recovered/" + name
            }
            try Posix.syncDirectory(staging)

            let copy = try await FileStore.inspect(at: URL(fileURLWithPath: staging), logger: logger)
            guard copy.damaged.isEmpty, copy.tornTail == nil, copy.applied == replayed.applied else {
                throw SafetyError(
                    .corruptData,
                    "the exported journal reads back with \(copy.applied) records, not \(replayed.applied); nothing was exported")
            }
            try Posix.move(staging, to: targetPath)  // replaces an empty directory, checked above
            try Posix.syncDirectory(parent)
            return JournalExport(
                destination: URL(fileURLWithPath: targetPath, isDirectory: true), recordsCopied: replayed.applied,
                bytesCopied: prefix.count, firstLineNotCopied: firstNotCopied, notCopiedSavedAs: savedAs, source: report)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }
}
