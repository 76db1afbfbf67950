public import Foundation
public import Logging
@_spi(StorageBackend) import OnlineSafetyCore

/// What ``FileStore/repair(at:droppingFromLine:reason:logger:options:)`` did.
public struct JournalRepair: Sendable, Hashable {
    /// The first journal record set aside (a damaged one, or a torn tail).
    public let firstLineSetAside: Int
    /// How many bytes were set aside.
    public let bytesSetAside: Int
    /// Where they are kept, relative to the store.
    public let savedAs: String
    /// The records the store holds after the repair.
    public let recordsKept: Int
}

extension FileStore {
    /// Repairs a store whose journal holds a damaged record by setting aside that record and
    /// everything after it: the administrator's explicit choice, audited.
    ///
    /// `line` must be the first damaged record's line as ``inspect(at:logger:)`` reports it (the
    /// choice is explicit: nothing is dropped that the caller did not name). Its bytes and every
    /// byte after them are first copied to `recovered/repair-<time>-from-line<N>.bin` and
    /// flushed; only then is the journal cut there. The store then opens for writing and records
    /// an audit event (`store.repair`, on the store's own chain) saying from which line records
    /// were set aside, with `reason`; an anchor in `options` is moved to the new head. The intact
    /// records that followed the damage are in the copy, to be entered again by hand or read from
    /// a backup; prefer ``exportReadable(from:to:logger:options:)`` when a second directory is
    /// possible, which changes nothing in place.
    ///
    /// - Throws: `invalidInput` when the journal has no damaged record or `line` is not the first
    ///   one, or `reason` is blank; `unavailable` when the store is open elsewhere or a file cannot
    ///   be written; what ``open(at:logger:options:)`` throws for the repaired store.
    @discardableResult
    public static func repair(
        at directory: URL, droppingFromLine line: Int, reason: String, logger: Logger, options: OpenOptions = OpenOptions()
    ) async throws -> JournalRepair {
        guard !reason.isBlank else {
            throw SafetyError.invalid("reason", "a repair records why records were set aside")
        }
        let path = directory.standardizedFileURL.path
        var readOnlyOptions = options
        readOnlyOptions.anchor = nil
        let report = try await inspect(at: directory, logger: logger, options: readOnlyOptions)
        guard let damage = report.damaged.first else {
            throw SafetyError.invalid("line", "the journal has no damaged record: there is nothing to repair")
        }
        guard damage.location.line == line else {
            throw SafetyError.invalid("line", "the first damaged record is line \(damage.location.line); a repair starts there")
        }
        let journalPath = path + "/journal.jsonl"
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: journalPath)))
        } catch {
            throw SafetyError(.unavailable, "cannot read \(journalPath)", underlying: error)
        }
        let offset = damage.location.offset
        try Posix.makeDirectory(path + "/recovered", parent: path)
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let name = try Posix.writeNewFile(
            in: path + "/recovered", name: "repair-\(stamp)-from-line\(line)", ext: "bin", Array(bytes[offset...]))
        try Posix.syncDirectory(path + "/recovered")
        let journal = try JournalFile(path: journalPath, length: offset, truncating: true)
        journal.close()

        var writable = options
        writable.anchor = nil
        writable.createIfMissing = false
        let store = try await open(at: directory, logger: logger, options: writable)
        let saved = "recovered/" + name
        do {
            try await store.withTransaction { tx in
                _ = try await tx.audit.append(
                    AuditDraft(
                        at: Date(), actorID: nil, schoolID: nil, action: .storeRepair, subjectKind: "journal", subjectID: nil,
                        reason: "\(reason) (journal records from line \(line) on set aside in \(saved))"))
            }
        } catch {
            try? await store.close()
            throw error
        }
        let kept = store.journalReport.applied
        try await store.close()
        if let anchor = options.anchor {
            let replayed = ReplayedJournal(Array(try Data(contentsOf: URL(fileURLWithPath: journalPath))))
            try anchor.write(seq: replayed.lastSeq, hash: replayed.lastHash)
        }
        logger.warning("the store was repaired", metadata: ["path": "\(path)", "fromLine": "\(line)", "savedAs": "\(saved)"])
        return JournalRepair(firstLineSetAside: line, bytesSetAside: bytes.count - offset, savedAs: saved, recordsKept: kept)
    }
}
