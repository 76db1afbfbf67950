import Foundation
import Logging
@_spi(StorageBackend) import OnlineSafetyCore
@_spi(StorageBackend) import StorageFile

/// Fresh directories under the system's temporary directory.
enum Scratch {
    /// A new, not yet existing directory path.
    static func directory() -> URL {
        FileManager.default.temporaryDirectory
            .appending(path: "onlinesafety-filestore-tests", directoryHint: .isDirectory)
            .appending(path: UUID().uuidString, directoryHint: .isDirectory)
    }
}

/// A logger that drops everything.
func quietLogger() -> Logger {
    Logger(label: "filestore-tests") { _ in SwiftLogNoOpLogHandler() }
}

/// Log events collected by a ``CapturingLogHandler``.
final class LogCapture: @unchecked Sendable {
    /// One collected event.
    struct Entry: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]

        /// Message and metadata as one string, to search for leaked content.
        var text: String { ([message] + metadata.map { "\($0.key)=\($0.value)" }).joined(separator: " ") }
    }

    private let lock = NSLock()
    private var collected: [Entry] = []

    /// Everything logged so far.
    var entries: [Entry] { lock.withLock { collected } }

    /// A logger writing into this capture.
    func logger() -> Logger {
        Logger(label: "filestore-tests") { _ in CapturingLogHandler(capture: self) }
    }

    fileprivate func append(_ entry: Entry) { lock.withLock { collected.append(entry) } }
}

/// A log handler that records events in a ``LogCapture``.
struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        capture.append(.init(level: event.level, message: event.message.description, metadata: merged.mapValues { "\($0)" }))
    }
}

/// Reading and rewriting a store's files by hand, as a crash or an intruder would.
enum StoreFiles {
    static func journal(_ directory: URL) -> URL { directory.appending(path: "journal.jsonl") }
    static func manifest(_ directory: URL) -> URL { directory.appending(path: "manifest.json") }

    /// The journal's complete lines, without their newlines.
    static func lines(_ directory: URL) throws -> [String] {
        let text = String(decoding: try Data(contentsOf: journal(directory)), as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    /// Replaces the journal with these lines, each ending in a newline.
    static func write(lines: [String], to directory: URL) throws {
        try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: journal(directory))
    }

    /// The journal's size in bytes.
    static func journalSize(_ directory: URL) throws -> Int {
        try Data(contentsOf: journal(directory)).count
    }

    /// The JSON of a journal line: after its frame (`<length> <crc32> `), or the whole of an unframed line.
    static func json(of line: String) -> String {
        guard line.first?.isNumber == true else { return line }
        return String(line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false).last ?? "")
    }

    /// A line with its frame worked out again for its JSON, as someone who knows the format and
    /// edits the JSON would leave it (so only the hash chain can tell).
    static func reframed(_ line: String) -> String {
        let json = json(of: line)
        return "\(json.utf8.count) \(CRC32Reference.hex(json.utf8)) \(json)"
    }

    /// Flips the case of one letter inside the `"action"` value of the audit event with this
    /// sequence number: a one-byte edit that keeps the line valid JSON, with the frame rewritten to
    /// match. Returns the line number.
    @discardableResult
    static func alterAuditAction(sequence: Int64, in directory: URL) throws -> Int {
        var lines = try lines(directory)
        for (index, line) in lines.enumerated() {
            guard
                let object = try JSONSerialization.jsonObject(with: Data(json(of: line).utf8)) as? [String: Any],
                let body = object["body"] as? [String: Any], let changes = body["changes"] as? [[String: Any]],
                changes.contains(where: { ($0["event"] as? [String: Any])?["sequence"] as? Int == Int(sequence) })
            else { continue }
            // Keys are sorted, so an event reads {"draft":{"action":...},...,"sequence":N}: the nearest
            // "action" before the event's own `"sequence":N}` belongs to it.
            var bytes = Array(line.utf8)
            let marker = Array(#""sequence":\#(sequence)}"#.utf8)
            let action = Array(#""action":""#.utf8)
            guard let end = bytes.firstRange(of: marker)?.lowerBound,
                let start = bytes[..<end].ranges(of: action).last?.upperBound,
                let letter = bytes[start..<end].firstIndex(where: { (65...90).contains($0) || (97...122).contains($0) })
            else { throw StoreFileError.notFound("the action of audit event \(sequence)") }
            bytes[letter] ^= 0x20
            lines[index] = reframed(String(decoding: bytes, as: UTF8.self))
            try write(lines: lines, to: directory)
            return index + 1
        }
        throw StoreFileError.notFound("audit event \(sequence)")
    }
}

/// CRC-32 (IEEE, as zlib's `crc32`), written bit by bit here independently of the store's table
/// version, to check the frames the store writes.
enum CRC32Reference {
    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = String(checksum(bytes), radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}

/// A hand edit that found nothing to edit.
enum StoreFileError: Error {
    case notFound(String)
}
