import Crypto
import Foundation
@_spi(StorageBackend) import OnlineSafetyCore

/// The journal record an open transaction will commit, built change by change as they are staged.
///
/// The record's hash and CRC-32 are carried forward with each change, so a commit needs neither
/// the changes nor the whole record laid out in one buffer: it writes the frame, the body and the
/// closing fields in parts. Once more than ``spillThreshold`` bytes are waiting, they go to a
/// temporary file in the store's directory that has no name (it is unlinked as soon as it is
/// opened), so a transaction of a whole trust's roster holds a few megabytes of its record in
/// memory rather than all of it, and a crash or a rollback leaves nothing behind. The bytes are
/// exactly those ``JournalFormat/line(seq:prev:changes:)`` lays out.
struct StagedLine {
    /// Bytes held in memory before they are moved to the temporary file.
    static let spillThreshold = 8 << 20

    /// The sequence number the record will carry.
    let seq: Int64
    /// The hash of the record before it.
    let prev: String
    /// How many changes the record holds.
    private(set) var count = 0
    private var hasher = SHA256()
    private var crc = CRC32.start
    private var bodyLength = 0
    private var buffer: [UInt8] = []
    private var spill: SpillFile?
    /// Where a temporary file may be made; `nil` keeps everything in memory.
    private let directory: String?

    private static let opening = Array(#"{"changes":["#.utf8)
    private static let closing = Array("]}".utf8)
    private static let comma: [UInt8] = [UInt8(ascii: ",")]

    /// Starts the record that follows `prev` as number `seq`; with a `directory`, large bodies
    /// move to a temporary file there.
    init(seq: Int64, prev: String, directory: String?) {
        self.seq = seq
        self.prev = prev
        self.directory = directory
        hasher.update(data: Array(prev.utf8))
        hasher.update(data: [0x1E])
        hasher.update(data: Array(String(seq).utf8))
        hasher.update(data: [0x1E])
        hasher.update(data: Self.opening)
        crc = CRC32.update(crc, JournalFormat.prefix)
        crc = CRC32.update(crc, Self.opening)
    }

    /// Whether no change has been added.
    var isEmpty: Bool { count == 0 }

    /// Adds one encoded change to the body.
    ///
    /// - Throws: `unavailable` when the temporary file cannot be made or written.
    mutating func append(_ change: [UInt8]) throws(SafetyError) {
        if count > 0 { add(Self.comma) }
        add(change)
        count += 1
        if buffer.count >= Self.spillThreshold, let directory {
            if spill == nil { spill = try SpillFile(in: directory) }
            try spill?.write(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
    }

    private mutating func add(_ bytes: [UInt8]) {
        hasher.update(data: bytes)
        crc = CRC32.update(crc, bytes)
        bodyLength += bytes.count
        buffer.append(contentsOf: bytes)
    }

    /// The record's frame and opening bytes, its closing bytes and newline, and its hash.
    private mutating func ends() -> (head: [UInt8], tail: [UInt8], hash: String) {
        hasher.update(data: Self.closing)
        let hash = HexText.lowercase(hasher.finalize())
        let suffix = JournalFormat.suffix(hash: hash, prev: prev, seq: seq)
        crc = CRC32.update(crc, Self.closing)
        crc = CRC32.update(crc, suffix)
        let jsonLength = JournalFormat.prefix.count + Self.opening.count + bodyLength + Self.closing.count + suffix.count
        let head = Array("\(jsonLength) \(JournalFrame.hex(CRC32.finish(crc))) ".utf8) + JournalFormat.prefix + Self.opening
        return (head, Self.closing + suffix + [UInt8(ascii: "\n")], hash)
    }

    /// Writes the whole record, newline included, to the journal in parts and flushes it; returns
    /// the record's hash.
    ///
    /// - Throws: `unavailable` when the journal cannot be written or flushed (it is then cut back
    ///   to its length before, as ``JournalFile/append(_:)`` does), or the temporary file read.
    mutating func write(to journal: JournalFile) throws(SafetyError) -> String {
        let (head, tail, hash) = ends()
        let spilled = spill
        let held = buffer
        try journal.append { (write: ([UInt8]) throws(SafetyError) -> Void) throws(SafetyError) in
            try write(head)
            try spilled?.readBack(write)
            try write(held)
            try write(tail)
        }
        return hash
    }

    /// The whole record, newline included, in one buffer, and its hash. Only for a record built
    /// without a directory (a spilled body is not read back here).
    mutating func bytes() -> (bytes: [UInt8], hash: String) {
        precondition(spill == nil, "a spilled record is written, not laid out in memory")
        let (head, tail, hash) = ends()
        return (head + buffer + tail, hash)
    }
}

/// A temporary file with no name in the store's directory, holding part of a large record's body
/// until the commit copies it into the journal. Closed (and so gone) when released.
final class SpillFile {
    private static let prefix = ".transaction-"
    private static let suffix = ".spill"
    private let descriptor: Int32
    private let path: String
    private var length = 0

    /// Creates and at once unlinks a new file in `directory`.
    ///
    /// - Throws: `unavailable` when the file cannot be made.
    init(in directory: String) throws(SafetyError) {
        var made: (fd: Int32, path: String)?
        for _ in 0..<8 {
            let path = directory + "/" + Self.prefix + UUIDText.string(UUID()) + Self.suffix
            if let fd = try Posix.createExclusive(path) {
                made = (fd, path)
                break
            }
        }
        guard let made else { throw SafetyError(.unavailable, "cannot create a temporary file in \(directory)") }
        descriptor = made.fd
        path = made.path
        Posix.unlink(made.path)
    }

    /// Appends bytes.
    func write(_ bytes: [UInt8]) throws(SafetyError) {
        try Posix.writeAll(descriptor, bytes, path: path)
        length += bytes.count
    }

    /// Hands the file's bytes, from the start, to `write` in chunks of a few megabytes.
    func readBack(_ write: ([UInt8]) throws(SafetyError) -> Void) throws(SafetyError) {
        var offset = 0
        var chunk = [UInt8](repeating: 0, count: 4 << 20)
        while offset < length {
            let size = min(chunk.count, length - offset)
            try Posix.readAll(descriptor, into: &chunk, count: size, at: offset, path: path)
            try write(size == chunk.count ? chunk : Array(chunk[0..<size]))
            offset += size
        }
    }

    /// Removes temporary files that a crash left between their creation and their unlinking.
    /// Only for the holder of the store's lock.
    static func removeLeftovers(in directory: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(suffix) { Posix.unlink(directory + "/" + name) }
    }

    deinit { Posix.closeDescriptor(descriptor) }
}
