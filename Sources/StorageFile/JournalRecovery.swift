public import Foundation
public import Logging
@_spi(StorageBackend) import OnlineSafetyCore

// MARK: - The report

/// What opening a store found in its journal: damaged records, a cut-off last write, a missing
/// final newline.
///
/// Every field names journal records by line and byte offset and the records they hold by kind
/// and identifier only, never by content, so a report can be logged or shown to an administrator.
///
/// ```swift
/// let report = try await FileStore.inspect(at: directory, logger: logger)
/// for damage in report.damaged { print(damage) }
/// // journal.jsonl:3 (byte 1184, 412 bytes): its checksum does not match its bytes; touches trust 5F1C…, audit event 7
/// ```
public struct JournalReport: Hashable, Sendable, CustomStringConvertible {
    /// The journal's records that were read and applied, in order.
    public let applied: Int
    /// Damaged committed records, in journal order. When there is any, the store can only be
    /// opened read-only (``FileStore/openReadOnly(at:logger:)``), holding the records before the first.
    public let damaged: [JournalDamage]
    /// Intact records after the first damaged one: they were not applied, because they may build
    /// on the damaged one (a later revision of one of its records).
    public let notApplied: [JournalRecordSummary]
    /// A last write cut off by a crash (never acknowledged), if the journal ended in one.
    public let tornTail: JournalTornTail?
    /// Whether the last record is complete and intact but has no newline after it (as an editor
    /// or a file-sync tool can leave it). It is kept; the next write adds the newline first.
    public let lastNewlineMissing: Bool
    /// The lines (from 1) of applied records that are intact but do not verify against the hash
    /// chain: lines rewritten outside the SDK with a frame to match. The same as
    /// ``FileStore/verifyJournal()``.
    public let brokenChain: [Int]

    /// Creates a report.
    public init(
        applied: Int, damaged: [JournalDamage], notApplied: [JournalRecordSummary], tornTail: JournalTornTail?,
        lastNewlineMissing: Bool, brokenChain: [Int]
    ) {
        self.applied = applied
        self.damaged = damaged
        self.notApplied = notApplied
        self.tornTail = tornTail
        self.lastNewlineMissing = lastNewlineMissing
        self.brokenChain = brokenChain
    }

    /// Whether the journal has no damaged record and every line verifies (a dropped torn tail and
    /// a missing newline are not damage).
    public var isIntact: Bool { damaged.isEmpty && brokenChain.isEmpty }

    /// One line per finding, or "the journal is intact (N records)".
    public var description: String {
        var lines: [String] = []
        lines.append(contentsOf: damaged.map { "damaged: \($0)" })
        if !notApplied.isEmpty {
            lines.append("not applied after the damage: \(notApplied.count) intact records, from \(notApplied[0].location)")
        }
        if !brokenChain.isEmpty {
            lines.append("do not verify against the hash chain: lines \(brokenChain.map(String.init).joined(separator: ", "))")
        }
        if let tornTail { lines.append("cut off by a crash: \(tornTail)") }
        if lastNewlineMissing { lines.append("the last record has no newline after it (kept)") }
        if lines.isEmpty { return "the journal is intact (\(applied) records)" }
        return lines.joined(separator: "\n")
    }
}

/// Where a record stands in `journal.jsonl`.
public struct JournalRecordLocation: Hashable, Sendable, CustomStringConvertible {
    /// The line, from 1.
    public let line: Int
    /// The byte offset of its first byte in the file, from 0.
    public let offset: Int
    /// Its length in bytes, frame included, newline excluded.
    public let length: Int

    /// Creates a location.
    public init(line: Int, offset: Int, length: Int) {
        self.line = line
        self.offset = offset
        self.length = length
    }

    /// `journal.jsonl:<line> (byte <offset>, <length> bytes)`.
    public var description: String { "journal.jsonl:\(line) (byte \(offset), \(length) bytes)" }
}

/// A record or an audit event a journal record writes.
public enum JournalEntryReference: Hashable, Sendable, CustomStringConvertible {
    /// A record of a kind (`Aggregate.recordKind`, or `unreadable`), and its identifier if it could be read.
    case record(kind: String, id: UUID?)
    /// An audit event, and its sequence number if it could be read.
    case auditEvent(sequence: Int64?)

    /// `trust 5F1C…` or `audit event 7`, with `?` for what could not be read.
    public var description: String {
        switch self {
        case .record(let kind, let id): "\(kind) \(id?.uuidString ?? "?")"
        case .auditEvent(let sequence): "audit event \(sequence.map(String.init) ?? "?")"
        }
    }
}

/// A damaged committed record.
public struct JournalDamage: Hashable, Sendable, CustomStringConvertible {
    /// What is wrong with a record.
    public enum Problem: String, Hashable, Sendable, CustomStringConvertible {
        /// The CRC-32 in its frame does not match its bytes (a byte was changed).
        case checksumMismatch
        /// It is longer, or (followed by a newline) shorter, than its frame says.
        case lengthMismatch
        /// Its frame cannot be read.
        case malformedFrame
        /// It has no frame, but follows a framed record.
        case unframed
        /// Its frame checks, but its JSON is not a journal record.
        case unreadable
        /// It holds a kind of record this SDK does not know (written by a newer version, or altered).
        case unknownKind
        /// It holds a record this store cannot keep (of the wrong kind for its table).
        case notKept
        /// Its frame checks, but its hash does not follow from the record before it: it was
        /// edited (and its checksum recomputed) after it was written.
        case chainBroken

        /// The problem in words.
        public var description: String {
            switch self {
            case .checksumMismatch: "its checksum does not match its bytes"
            case .lengthMismatch: "it is not as long as its frame says"
            case .malformedFrame: "its frame cannot be read"
            case .unframed: "it has no frame, but follows framed records"
            case .chainBroken: "its hash does not follow from the record before it: it was edited after it was written"
            case .unreadable: "it is not a journal record"
            case .unknownKind: "it holds a kind of record this SDK does not know"
            case .notKept: "it holds a record this store cannot keep"
            }
        }
    }

    /// Where the record is.
    public let location: JournalRecordLocation
    /// What is wrong with it.
    public let problem: Problem
    /// The records and audit events it writes, as far as its bytes can still be read: its kinds
    /// and identifiers (empty when nothing could be read).
    public let touches: [JournalEntryReference]

    /// Creates a damage entry.
    public init(location: JournalRecordLocation, problem: Problem, touches: [JournalEntryReference]) {
        self.location = location
        self.problem = problem
        self.touches = touches
    }

    /// `<location>: <problem>; touches <references>`.
    public var description: String {
        let touched = touches.isEmpty ? "" : "; touches \(touches.map(\.description).joined(separator: ", "))"
        return "\(location): \(problem)\(touched)"
    }
}

/// An intact record that was not applied.
public struct JournalRecordSummary: Hashable, Sendable, CustomStringConvertible {
    /// Where the record is.
    public let location: JournalRecordLocation
    /// The records and audit events it writes.
    public let touches: [JournalEntryReference]

    /// Creates a summary.
    public init(location: JournalRecordLocation, touches: [JournalEntryReference]) {
        self.location = location
        self.touches = touches
    }

    /// `<location>: touches <references>`.
    public var description: String { "\(location): touches \(touches.map(\.description).joined(separator: ", "))" }
}

/// The bytes of a last write cut off by a crash.
public struct JournalTornTail: Hashable, Sendable, CustomStringConvertible {
    /// Where the bytes were.
    public let location: JournalRecordLocation
    /// The length its frame declared, if the frame was complete.
    public let declaredLength: Int?
    /// Where its bytes were copied before they were cut from the journal, relative to the store's
    /// directory (`recovered/torn-…bin`); `nil` when the store was opened read-only and the journal
    /// was left as it is.
    public let savedAs: String?

    /// Creates a torn-tail entry.
    public init(location: JournalRecordLocation, declaredLength: Int?, savedAs: String?) {
        self.location = location
        self.declaredLength = declaredLength
        self.savedAs = savedAs
    }

    /// `<location>, saved as <path>`.
    public var description: String {
        let declared = declaredLength.map { ", \($0) bytes of JSON declared" } ?? ""
        let saved = savedAs.map { ", saved as \($0)" } ?? ", left in the journal (read-only)"
        return "\(location)\(declared)\(saved)"
    }
}

// MARK: - Opening read-only

extension FileStore {
    /// Opens a store read-only: its files are not changed (only its lock file is created, if it is
    /// missing), and every write is refused.
    ///
    /// Use it to read a store whose journal has a damaged committed record, which
    /// ``open(at:logger:)`` refuses: the records before the first damaged one are readable, and
    /// ``journalReport`` names the damage. It also opens an intact store, for reading or copying.
    /// A torn last write is left in the journal and not applied.
    ///
    /// Requires the directory to hold a store (`manifest.json`); the store's lock is taken, so no
    /// other process writes while it is open. Writes throw `corruptData` when the journal is
    /// damaged, `constraintViolation` otherwise; so does anything that audits (a session's reads
    /// append audit events), so read it through the store's repositories.
    ///
    /// - Throws: `notFound` when there is no store in the directory; `unavailable` when the store is
    ///   open elsewhere or cannot be read; `corruptData` when the manifest cannot be read;
    ///   `migrationFailed` when the store was written in a newer format.
    public static func openReadOnly(at directory: URL, logger: Logger) async throws -> FileStore {
        FileStore(directory: directory, engine: try FileEngine(directory: directory, logger: logger, mode: .readOnly))
    }

    /// Reads a store's journal and reports on it, without changing anything: opens the store
    /// read-only, takes the report, and closes it.
    ///
    /// - Throws: what ``openReadOnly(at:logger:)`` throws.
    public static func inspect(at directory: URL, logger: Logger) async throws -> JournalReport {
        let store = try await openReadOnly(at: directory, logger: logger)
        let report = store.journalReport
        try await store.close()
        return report
    }

    /// What opening the store found in its journal (see ``JournalReport``).
    public var journalReport: JournalReport { engine.journalReport }

    /// Whether the store was opened read-only, by ``openReadOnly(at:logger:)``.
    public var isReadOnly: Bool { engine.isReadOnly }
}

// MARK: - Salvage

/// Reads what records a damaged journal line writes, as far as its bytes allow.
enum JournalSalvage {
    /// The kinds and identifiers a line writes. Tries the line as JSON first (a change at a time,
    /// when it opens as the writer opens a record, so a damaged record of a whole trust is never
    /// parsed into one tree), then scans its bytes for the changes the writer lays out
    /// (`{"kind":"…","op":"…","value":{…,"id":"…",…}}` and `{"event":{…,"sequence":N},"op":"audit"}`).
    static func touches(_ line: ArraySlice<UInt8>) -> [JournalEntryReference] {
        guard let start = line.firstIndex(of: UInt8(ascii: "{")) else { return [] }
        let json = line[start...]
        if let parsed = parsedTouches(json) { return parsed }
        return scannedTouches(json)
    }

    /// The references of a line that decoded.
    static func touches(_ line: JournalLine) -> [JournalEntryReference] {
        line.body.changes.map { change in
            switch change {
            case .record(let value): .record(kind: type(of: value).recordKind, id: identifier(of: value))
            case .audit(let event): .auditEvent(sequence: event.sequence)
            case .purge(let kind, let id): .record(kind: kind, id: id)
            }
        }
    }

    private static func identifier<Value: Aggregate>(of value: Value) -> UUID { value.id.uuid }

    private static func parsedTouches(_ json: ArraySlice<UInt8>) -> [JournalEntryReference]? {
        // A line laid out as the writer lays it out is parsed a change at a time, so a damaged
        // record of a whole trust's roster is never held in memory as one tree of objects.
        if let ranges = JournalLineReader.changeRanges(json) {
            var result: [JournalEntryReference] = []
            result.reserveCapacity(ranges.count)
            for range in ranges {
                // A change that is not JSON makes the whole line not JSON: it is scanned instead.
                guard let change = try? JSONSerialization.jsonObject(with: Data(json[range])) as? [String: Any] else { return nil }
                result.append(reference(of: change))
            }
            return result
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
            let body = object["body"] as? [String: Any], let changes = body["changes"] as? [[String: Any]]
        else { return nil }
        return changes.map(reference(of:))
    }

    /// What one parsed change writes.
    private static func reference(of change: [String: Any]) -> JournalEntryReference {
        if change["op"] as? String == "audit" {
            let sequence = ((change["event"] as? [String: Any])?["sequence"] as? NSNumber)?.int64Value
            return .auditEvent(sequence: sequence)
        }
        let id = ((change["value"] as? [String: Any])?["id"] as? String).flatMap(UUID.init(uuidString:))
        return .record(kind: kindName(change["kind"] as? String), id: id)
    }

    private static func scannedTouches(_ json: ArraySlice<UInt8>) -> [JournalEntryReference] {
        let recordMarker = Array(#"{"kind":""#.utf8)
        let auditMarker = Array(#"{"event":{"#.utf8)
        var starts: [(index: Int, isAudit: Bool)] = []
        starts += json.ranges(of: recordMarker).map { ($0.lowerBound, false) }
        starts += json.ranges(of: auditMarker).map { ($0.lowerBound, true) }
        starts.sort { $0.index < $1.index }
        var result: [JournalEntryReference] = []
        for (position, start) in starts.enumerated() {
            let end = position + 1 < starts.count ? starts[position + 1].index : json.endIndex
            let change = json[start.index..<end]
            if start.isAudit {
                let event = change.index(start.index, offsetBy: auditMarker.count - 1)
                let sequence = value(of: "sequence", inObjectAt: event, in: change).flatMap { Int64(String(decoding: $0, as: UTF8.self)) }
                result.append(.auditEvent(sequence: sequence))
            } else {
                let kindStart = start.index + recordMarker.count
                let kindEnd = change[kindStart...].firstIndex(of: UInt8(ascii: "\"")) ?? kindStart
                let kind = kindName(String(decoding: change[kindStart..<kindEnd], as: UTF8.self))
                let valueMarker = Array(#""value":{"#.utf8)
                let id = change.firstRange(of: valueMarker).flatMap { range in
                    value(of: "id", inObjectAt: range.upperBound - 1, in: change)
                }.flatMap { UUID(uuidString: String(decoding: $0, as: UTF8.self)) }
                result.append(.record(kind: kind, id: id))
            }
        }
        return result
    }

    /// The raw value (a string's contents, or a number's digits) of a key of the object that
    /// opens at `open`, ignoring keys of nested objects.
    private static func value(of key: String, inObjectAt open: Int, in bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        let quote = UInt8(ascii: "\"")
        let wanted = Array(key.utf8)
        var depth = 0
        var index = open
        var expectingKey = false
        while index < bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                expectingKey = byte == UInt8(ascii: "{") && depth == 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth <= 0 { return nil }
            case UInt8(ascii: ","):
                expectingKey = depth == 1
            case quote:
                let stringStart = index + 1
                var end = stringStart
                while end < bytes.endIndex, bytes[end] != quote {
                    end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard end < bytes.endIndex else { return nil }
                let isWanted = expectingKey && bytes[stringStart..<end].elementsEqual(wanted)
                index = end
                if isWanted, index + 1 < bytes.endIndex, bytes[index + 1] == UInt8(ascii: ":") {
                    return rawValue(in: bytes, from: index + 2)
                }
                expectingKey = false
            default:
                break
            }
            index += 1
        }
        return nil
    }

    /// A string's contents or a number's digits starting at `start`.
    private static func rawValue(in bytes: ArraySlice<UInt8>, from start: Int) -> ArraySlice<UInt8>? {
        guard start < bytes.endIndex else { return nil }
        if bytes[start] == UInt8(ascii: "\"") {
            guard let end = bytes[(start + 1)...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
            return bytes[(start + 1)..<end]
        }
        let end = bytes[start...].firstIndex { !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) && $0 != UInt8(ascii: "-") }
        return bytes[start..<(end ?? bytes.endIndex)]
    }

    /// A kind's name as the store knows it, or `unreadable` (a damaged name could be anything).
    private static func kindName(_ name: String?) -> String {
        guard let name, FileRegistry.tableType(for: name) != nil else { return "unreadable" }
        return name
    }
}
