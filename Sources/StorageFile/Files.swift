import Foundation
import Logging
@_spi(StorageBackend) import OnlineSafetyCore

/// The exclusive lock on a store directory, held from open to close.
///
/// `flock` locks belong to an open file description, so a second `open` of the same store in
/// the same process is refused just like one from another process; the kernel drops the lock
/// when the process dies, so a crash never leaves a stale lock behind.
final class FileLock {
    private var descriptor: Int32

    /// Locks `<directory>/lock`, or throws `unavailable` naming the directory.
    init(directory: String) throws(SafetyError) {
        let path = directory + "/lock"
        let descriptor = try Posix.open(path, flags: Posix.readWriteCreate)
        let code = Posix.lockExclusively(descriptor)
        guard code == 0 else {
            Posix.closeDescriptor(descriptor)
            if Posix.isLockHeld(code) { throw SafetyError(.unavailable, "the store at \(directory) is open in another process") }
            throw SafetyError(.unavailable, "cannot lock the store at \(directory): \(Posix.reason(code))")
        }
        self.descriptor = descriptor
    }

    /// Releases the lock (closing the descriptor releases it).
    func release() {
        guard descriptor >= 0 else { return }
        Posix.closeDescriptor(descriptor)
        descriptor = -1
    }

    deinit { release() }
}

/// The append-only journal file: each append is written whole and flushed before it returns.
final class JournalFile {
    /// The file's path.
    let path: String
    private var descriptor: Int32
    /// The length of the journal's committed lines.
    private(set) var length: Int
    /// Set when a failed write could not be undone; the store must be reopened.
    private var damaged = false

    /// Opens the journal for appending (creating it if missing) and cuts it to `length` if it is longer.
    init(path: String, length: Int, truncating: Bool) throws(SafetyError) {
        self.path = path
        self.length = length
        self.descriptor = try Posix.open(path, flags: Posix.appendCreate)
        if truncating {
            try Posix.truncate(descriptor, to: length, path: path)
            try Posix.sync(descriptor, path: path)
        }
    }

    /// Appends bytes and flushes them to disk. On failure the partial write is cut off again, so the
    /// journal never keeps half a line; if even that fails, every later append is refused.
    func append(_ bytes: [UInt8]) throws(SafetyError) {
        guard descriptor >= 0, !damaged else {
            throw SafetyError(.unavailable, "an earlier write to \(path) failed and could not be undone; reopen the store")
        }
        do throws(SafetyError) {
            try Posix.writeAll(descriptor, bytes, path: path)
        } catch {
            undo()
            throw error
        }
        do throws(SafetyError) {
            try Posix.sync(descriptor, path: path)
        } catch {
            // After a failed fsync the kernel's copy of the file cannot be trusted: stop writing.
            undo()
            damaged = true
            throw error
        }
        length += bytes.count
    }

    private func undo() {
        do {
            try Posix.truncate(descriptor, to: length, path: path)
            try Posix.sync(descriptor, path: path)
        } catch {
            damaged = true
        }
    }

    /// Closes the file.
    func close() {
        guard descriptor >= 0 else { return }
        Posix.closeDescriptor(descriptor)
        descriptor = -1
    }

    deinit { close() }
}

/// `manifest.json`: which format the directory holds.
struct Manifest: Codable, Equatable {
    /// Always ``formatName``.
    var format: String
    /// The format version.
    var version: Int

    /// The format's name.
    static let formatName = "onlinesafety-file-store"
    /// The version this SDK reads and writes.
    static let currentVersion = 1
    /// The manifest this SDK writes.
    static let current = Manifest(format: formatName, version: currentVersion)

    /// Reads and checks a directory's manifest: `corruptData` if unreadable or not this format,
    /// `migrationFailed` if it is a version this SDK cannot read.
    static func check(directory: String) throws(SafetyError) {
        let path = directory + "/manifest.json"
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SafetyError(.unavailable, "cannot read \(path)", underlying: error)
        }
        let manifest: Manifest
        do {
            manifest = try JSONDecoder().decode(Manifest.self, from: data)
        } catch {
            throw SafetyError(
                .corruptData, "the manifest of the store at \(directory) cannot be read", location: "manifest.json", underlying: error)
        }
        guard manifest.format == formatName else {
            throw SafetyError(.corruptData, "\(path) does not describe an online safety file store", location: "manifest.json")
        }
        if manifest.version > currentVersion {
            throw SafetyError(
                .migrationFailed,
                "the store at \(directory) has format version \(manifest.version), newer than the version this SDK reads "
                    + "(\(currentVersion)); open it with a newer SDK",
                location: "manifest.json")
        }
        guard manifest.version == currentVersion else {
            throw SafetyError(
                .corruptData, "the store at \(directory) has format version \(manifest.version), which never existed",
                location: "manifest.json")
        }
    }

    /// Writes the current manifest atomically (temporary file, flush, rename, flush the directory).
    static func create(directory: String) throws(SafetyError) {
        let path = directory + "/manifest.json"
        let temporary = path + ".tmp"
        let descriptor = try Posix.open(temporary, flags: Posix.writeTruncate)
        defer { Posix.closeDescriptor(descriptor) }
        try Posix.writeAll(descriptor, Array(#"{"format":"\#(formatName)","version":\#(currentVersion)}"#.utf8) + [0x0A], path: temporary)
        try Posix.sync(descriptor, path: temporary)
        try Posix.move(temporary, to: path)
        try Posix.syncDirectory(directory)
    }
}

/// The state rebuilt from the journal on open.
struct ReplayedJournal {
    /// Every record, by kind.
    var tables: [String: any RecordTable] = FileRegistry.emptyTables()
    /// Every audit event, in journal order.
    var events: [AuditEvent] = []
    /// The last line's sequence number (0 when empty).
    var lastSeq: Int64 = 0
    /// The last line's hash (the genesis hash when empty).
    var lastHash = JournalFormat.genesis
    /// Lines (from 1) whose hash or link to the previous line does not verify.
    var brokenLines: [Int] = []
    /// The length in bytes of the complete lines.
    var validLength = 0
    /// The number of the incomplete last line that was dropped, if any.
    var droppedLine: Int?

    /// Replays a journal's bytes.
    ///
    /// An incomplete last line (no newline, or not a journal line at all) is left out of
    /// ``validLength`` for the caller to cut off. Any other line that cannot be read is
    /// `corruptData` naming `journal.jsonl:<line>`. A line that reads but does not verify is
    /// applied and listed in ``brokenLines``, so an altered audit event can still be found and named.
    init(_ bytes: [UInt8]) throws(SafetyError) {
        let decoder = JournalFormat.makeDecoder()
        var offset = 0
        var number = 0
        while offset < bytes.count {
            number += 1
            guard let end = bytes[offset...].firstIndex(of: 0x0A) else {
                droppedLine = number
                return
            }
            let lineBytes = Array(bytes[offset..<end])
            let isLast = end + 1 == bytes.count
            let line: JournalLine
            do {
                line = try decoder.decode(JournalLine.self, from: Data(lineBytes))
            } catch {
                let wellFormed = (try? decoder.decode(JournalHeader.self, from: Data(lineBytes))) != nil
                if isLast && !wellFormed {
                    droppedLine = number
                    return
                }
                throw Self.unreadable(line: number, error)
            }
            let body = JournalFormat.body(of: lineBytes, header: line.header)
            let verifies =
                line.seq == lastSeq + 1 && line.prev == lastHash
                && body.map { JournalFormat.hash(prev: line.prev, seq: line.seq, body: $0) == line.hash } == true
            if !verifies { brokenLines.append(number) }
            for change in line.body.changes {
                switch change {
                case .record(let value):
                    let kind = type(of: value).recordKind
                    guard let table = tables[kind], table.replay(value) else {
                        throw SafetyError(
                            .corruptData, "journal line \(number) holds a \(kind) this store cannot keep",
                            location: "journal.jsonl:\(number)")
                    }
                case .audit(let event):
                    events.append(event)
                }
            }
            lastSeq = line.seq
            lastHash = line.hash
            offset = end + 1
            validLength = offset
        }
    }

    private static func unreadable(line: Int, _ error: any Error) -> SafetyError {
        if let unknown = error as? UnknownRecordKind {
            return SafetyError(
                .corruptData, "journal line \(line) holds records of kind \(unknown.kind), which this SDK does not know",
                location: "journal.jsonl:\(line)", underlying: error)
        }
        return SafetyError(.corruptData, "journal line \(line) cannot be read", location: "journal.jsonl:\(line)", underlying: error)
    }
}
