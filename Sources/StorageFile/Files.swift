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
    ///
    /// With `readOnly`, an existing lock file is opened for reading only (a lock needs no more),
    /// so a store on read-only media can still be opened read-only.
    init(directory: String, readOnly: Bool = false) throws(SafetyError) {
        let path = directory + "/lock"
        let existing = readOnly && Posix.exists(path)
        let descriptor = try Posix.open(path, flags: existing ? Posix.readOnly : Posix.readWriteCreate)
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
    /// Whether the last record has no newline after it yet; the next append writes one first.
    private var needsNewline: Bool

    /// Opens the journal for appending (creating it if missing) and cuts it to `length` if it is
    /// longer. `needsNewline` says the last record is complete but has no newline after it.
    init(path: String, length: Int, truncating: Bool, needsNewline: Bool = false) throws(SafetyError) {
        self.path = path
        self.length = length
        self.needsNewline = needsNewline
        self.descriptor = try Posix.open(path, flags: Posix.appendCreate)
        if truncating {
            try Posix.truncate(descriptor, to: length, path: path)
            try Posix.sync(descriptor, path: path)
        }
    }

    /// Appends a record and flushes it to disk. On failure the partial write is cut off again, so
    /// the journal never keeps half a line; if even that fails, every later append is refused. If
    /// the last record has no newline after it, the newline is written first.
    func append(_ record: [UInt8]) throws(SafetyError) {
        try append { (write: ([UInt8]) throws(SafetyError) -> Void) throws(SafetyError) in try write(record) }
    }

    /// Appends a record that `parts` hands over in pieces, in order, then flushes it to disk, as
    /// ``append(_:)`` does: a failure in any piece, or in `parts` itself, cuts the journal back to
    /// its length before. The record's newline must come last, so a crash part-way leaves a
    /// record with no newline, which the reader takes for a torn write.
    func append(
        _ parts: (_ write: ([UInt8]) throws(SafetyError) -> Void) throws(SafetyError) -> Void
    ) throws(SafetyError) {
        guard descriptor >= 0, !damaged else {
            throw SafetyError(.unavailable, "an earlier write to \(path) failed and could not be undone; reopen the store")
        }
        var written = 0
        do throws(SafetyError) {
            if needsNewline {
                try Posix.writeAll(descriptor, [UInt8(ascii: "\n")], path: path)
                written += 1
            }
            try parts { (bytes: [UInt8]) throws(SafetyError) in
                try Posix.writeAll(descriptor, bytes, path: path)
                written += bytes.count
            }
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
        length += written
        needsNewline = false
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
    /// The version this SDK writes: 2, journal records framed with their length and CRC-32.
    /// Version 1 journals hold unframed lines; they are read as they are, and the manifest moves
    /// to version 2 before the first framed record is appended, so an older SDK refuses the store
    /// instead of misreading it.
    static let currentVersion = 2
    /// The versions this SDK reads.
    static let readableVersions = 1...currentVersion
    /// The manifest this SDK writes.
    static let current = Manifest(format: formatName, version: currentVersion)

    /// Reads and checks a directory's manifest and returns its version: `corruptData` if
    /// unreadable or not this format, `migrationFailed` if it is a version this SDK cannot read.
    @discardableResult
    static func check(directory: String) throws(SafetyError) -> Int {
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
        guard readableVersions.contains(manifest.version) else {
            throw SafetyError(
                .corruptData, "the store at \(directory) has format version \(manifest.version), which never existed",
                location: "manifest.json")
        }
        return manifest.version
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

/// The state rebuilt from the journal on open, and what was found on the way.
struct ReplayedJournal {
    /// Every applied record, by kind.
    var tables: [String: any RecordTable] = FileRegistry.emptyTables()
    /// Every applied audit event, in journal order.
    var events: [AuditEvent] = []
    /// The last applied line's sequence number (0 when none).
    var lastSeq: Int64 = 0
    /// The last applied line's hash (the genesis hash when none).
    var lastHash = JournalFormat.genesis
    /// Applied lines (from 1) whose hash or link to the previous line does not verify.
    var brokenLines: [Int] = []
    /// The number of lines applied.
    var applied = 0
    /// The length in bytes of everything but a torn tail.
    var validLength = 0
    /// Damaged committed records, in order; nothing from the first one on is applied.
    var damaged: [JournalDamage] = []
    /// Why the first damaged record could not be decoded, when that was the problem.
    var firstDamageError: (any Error)?
    /// Intact records after the first damaged one, not applied.
    var notApplied: [JournalRecordSummary] = []
    /// A last write cut off by a crash, if the journal ends in one.
    var torn: (location: JournalRecordLocation, declaredLength: Int?)?
    /// Whether the last record is intact but has no newline after it.
    var lastNewlineMissing = false
    /// The sequence number whose hash to keep (an anchor's), and that hash once applied.
    var watched: Int64?
    var watchedHash: String?

    /// How one line reads.
    enum Line {
        /// A record whose frame checks (or an unframed line): its JSON, to decode.
        case record(ArraySlice<UInt8>, framed: Bool)
        /// Damage to a committed record.
        case damaged(JournalDamage.Problem)
        /// The last line, cut off while it was written.
        case torn(declaredLength: Int?)
    }

    /// Replays a journal's bytes (see ``JournalFormat`` for how lines are told apart).
    ///
    /// Lines are applied in order up to the first damaged one; the rest are checked and
    /// reported but not applied. A torn last line is left out of ``validLength`` for the caller
    /// to copy aside and cut off. A line that reads but does not verify against the hash chain is
    /// damage like any other (its bytes were edited and its checksum recomputed): it and what
    /// follows are not applied, and it is listed in ``brokenLines`` too.
    init(_ bytes: [UInt8], watching watched: Int64? = nil) {
        self.watched = watched
        let decoder = JournalFormat.makeDecoder()
        var offset = 0
        var number = 0
        var seenFramed = false
        while offset < bytes.count {
            number += 1
            let newline = bytes[offset...].firstIndex(of: 0x0A)
            let end = newline ?? bytes.count
            let line = bytes[offset..<end]
            let location = JournalRecordLocation(line: number, offset: offset, length: end - offset)
            switch Self.classify(line, terminated: newline != nil, afterFramed: seenFramed) {
            case .torn(let declaredLength):
                torn = (location, declaredLength)
                return
            case .damaged(let problem):
                damaged.append(JournalDamage(location: location, problem: problem, touches: JournalSalvage.touches(line)))
            case .record(let json, let framed):
                seenFramed = seenFramed || framed
                if apply(json, at: location, decoder), newline == nil { lastNewlineMissing = true }
                if newline == nil, json.endIndex < end {
                    // A whole last record, then zeros where its newline was never written: the
                    // zeros are cut off (copied aside first) and the next write adds the newline.
                    torn = (JournalRecordLocation(line: number, offset: json.endIndex, length: end - json.endIndex), nil)
                    validLength = json.endIndex
                    return
                }
            }
            offset = newline.map { $0 + 1 } ?? bytes.count
            validLength = offset
        }
    }

    /// Decodes a line whose frame checks and applies it, unless an earlier line was damaged.
    /// Returns whether the line decoded.
    private mutating func apply(_ json: ArraySlice<UInt8>, at location: JournalRecordLocation, _ decoder: JSONDecoder) -> Bool {
        let line: JournalLine
        if let read = JournalLineReader.read(json) {
            line = read
        } else {
            do {
                line = try decoder.decode(JournalLine.self, from: Data(json))
            } catch {
                if damaged.isEmpty { firstDamageError = error }
                let problem: JournalDamage.Problem = error is UnknownRecordKind ? .unknownKind : .unreadable
                damaged.append(JournalDamage(location: location, problem: problem, touches: JournalSalvage.touches(json)))
                return false
            }
        }
        guard damaged.isEmpty else {
            notApplied.append(JournalRecordSummary(location: location, touches: JournalSalvage.touches(line)))
            return true
        }
        let keepable = line.body.changes.allSatisfy { change in
            guard case .record(let value) = change else { return true }
            return tables[type(of: value).recordKind] != nil
        }
        guard keepable else {
            damaged.append(JournalDamage(location: location, problem: .notKept, touches: JournalSalvage.touches(line)))
            return true
        }
        let body = JournalFormat.body(of: json, header: line.header)
        let verifies =
            line.seq == lastSeq + 1 && line.prev == lastHash
            && body.map { JournalFormat.hash(prev: line.prev, seq: line.seq, body: $0) == line.hash } == true
        guard verifies else {
            brokenLines.append(location.line)
            damaged.append(JournalDamage(location: location, problem: .chainBroken, touches: JournalSalvage.touches(line)))
            return true
        }
        if line.body.changes.count >= Self.parallelApplyMinimum {
            applyByKind(line.body.changes)
        } else {
            for change in line.body.changes {
                switch change {
                case .record(let value):
                    _ = tables[type(of: value).recordKind]?.replay(value)
                case .audit(let event):
                    events.append(event)
                case .purge(let kind, let id):
                    tables[kind]?.purge(id)
                }
            }
        }
        lastSeq = line.seq
        lastHash = line.hash
        if line.seq == watched { watchedHash = line.hash }
        applied += 1
        return true
    }

    /// How many changes a record holds at least before its tables are filled on several cores.
    static let parallelApplyMinimum = 4_096

    /// Applies a large record's changes a kind at a time, each kind's table on one thread, so a
    /// trust's people and contact links are indexed at once. Within a kind, changes are applied
    /// in the record's order (a purge after the insert it undoes), and audit events keep theirs:
    /// the tables end as the record's changes applied one by one leave them.
    private mutating func applyByKind(_ changes: [JournalChange]) {
        var byKind: [String: [Int]] = [:]
        for (index, change) in changes.enumerated() {
            switch change {
            case .record(let value): byKind[type(of: value).recordKind, default: []].append(index)
            case .audit(let event): events.append(event)
            case .purge(let kind, _): byKind[kind, default: []].append(index)
            }
        }
        let work = byKind.compactMap { kind, indices in tables[kind].map { TableWork(table: $0, indices: indices) } }
            .sorted { $0.indices.count > $1.indices.count }
        // Each table is handed to exactly one iteration, and no other code runs on it meanwhile;
        // the changes are only read.
        _ = try? Parallel.map(work.count) { index in work[index].apply(changes) }
    }

    /// One table and the places of its kind's changes in the record, applied on one thread.
    private struct TableWork: @unchecked Sendable {
        let table: any RecordTable
        let indices: [Int]

        func apply(_ changes: [JournalChange]) {
            table.reserve(indices.count)
            for index in indices {
                switch changes[index] {
                case .record(let value): _ = table.replay(value)
                case .purge(_, let id): table.purge(id)
                case .audit: break
                }
            }
        }
    }

    /// Tells an intact record, a damaged one and a cut-off write apart.
    ///
    /// Only the last line can lack a newline. A cut-off write is a prefix of a record and its
    /// newline, written together: so it has no newline, and it stops inside its frame, or before
    /// the length its frame declares (with a checksum that does not match what is there). Zero
    /// bytes at its end (or all of it) are where the file system extended the file but never
    /// wrote the data; a record's JSON never holds a zero byte. Every other line that does not
    /// check is damage.
    static func classify(_ line: ArraySlice<UInt8>, terminated: Bool, afterFramed: Bool) -> Line {
        if !terminated, line.allSatisfy({ $0 == 0 }) { return .torn(declaredLength: nil) }
        switch JournalFrame.parse(line) {
        case .unframed:
            if afterFramed { return .damaged(.unframed) }
            // A journal from before framing: an unframed last line that reaches its closing
            // `"seq":N}` is a whole record (missing only its newline); one that stops short is a
            // cut-off write. Without a frame, damage inside such a line cannot be told apart.
            if terminated { return .record(line, framed: false) }
            let written = line[...(line.lastIndex { $0 != 0 } ?? line.startIndex)]
            if endsLikeAnUnframedRecord(written) { return .record(written, framed: false) }
            return .torn(declaredLength: nil)
        case .incomplete:
            return terminated ? .damaged(.malformedFrame) : .torn(declaredLength: nil)
        case .malformed:
            if !terminated, let last = line.lastIndex(where: { $0 != 0 }), case .incomplete = JournalFrame.parse(line[...last]) {
                return .torn(declaredLength: nil)
            }
            return .damaged(.malformedFrame)
        case .framed(let length, let checksum, let jsonStart):
            var json = line[jsonStart...]
            if !terminated, json.last == 0 {
                // Zeros after a cut-off write's bytes: the writer's JSON never holds a zero byte (it
                // escapes control characters), so they are space the file system never filled.
                json = json[..<(json.lastIndex { $0 != 0 }.map { $0 + 1 } ?? json.startIndex)]
                if json.count < length, CRC32.checksum(json) != checksum { return .torn(declaredLength: length) }
            }
            if json.count == length {
                return CRC32.checksum(json) == checksum ? .record(json, framed: true) : .damaged(.checksumMismatch)
            }
            // Longer than declared, shorter but followed by a newline, or shorter but complete
            // (its checksum matches: the length in the frame is what changed): never a torn write.
            if terminated || json.count > length || CRC32.checksum(json) == checksum { return .damaged(.lengthMismatch) }
            return .torn(declaredLength: length)
        }
    }

    /// Whether an unframed line ends as the writer ends one: `,"seq":<digits>}`.
    private static func endsLikeAnUnframedRecord(_ line: ArraySlice<UInt8>) -> Bool {
        guard line.last == UInt8(ascii: "}") else { return false }
        let beforeBrace = line.dropLast()
        let digits = beforeBrace.reversed().prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }.count
        guard digits > 0 else { return false }
        let marker = Array(#""seq":"#.utf8)
        return beforeBrace.dropLast(digits).suffix(marker.count).elementsEqual(marker)
    }
}
