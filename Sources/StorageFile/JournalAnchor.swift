public import Foundation
@_spi(StorageBackend) import OnlineSafetyCore

/// Where the flat-file store keeps the head of its journal's hash chain outside its directory.
///
/// Someone with the store's files can edit a record and recompute its checksum and every hash
/// after it, and the journal would verify again. An anchor kept where they cannot write (another
/// disk, a share the trust controls) records the sequence number and hash of the last record
/// after every commit; on open, the journal must hold that record with that hash, so a rewritten
/// chain and records cut from the end are both refused. The anchor says nothing of a store it
/// was never given: keep it with the trust's other secrets.
public struct JournalAnchor: Hashable, Sendable {
    /// The anchor file.
    public let url: URL

    /// An anchor kept in the file at `url` (created on the store's first open with it).
    public init(url: URL) { self.url = url }

    /// The sequence number and hash the anchor holds, or `nil` when the file does not exist yet.
    /// Throws `corruptData` when the file cannot be read as an anchor.
    func read() throws(SafetyError) -> (seq: Int64, hash: String)? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw SafetyError(.corruptData, "the journal anchor at \(url.path) cannot be read", underlying: error)
        }
        let parts = text.split(whereSeparator: \.isWhitespace)
        guard parts.count == 2, let seq = Int64(parts[0]), seq >= 0, parts[1].count == 64, parts[1].allSatisfy(\.isHexDigit) else {
            throw SafetyError(.corruptData, "the journal anchor at \(url.path) is not an anchor", location: url.lastPathComponent)
        }
        return (seq, String(parts[1]))
    }

    /// Replaces the anchor with a new head: written beside it, flushed, and renamed over it.
    func write(seq: Int64, hash: String) throws(SafetyError) {
        let temporary = url.path + ".writing"
        let bytes = Array("\(seq) \(hash)\n".utf8)
        try? FileManager.default.removeItem(atPath: temporary)
        let file = try JournalFile(path: temporary, length: 0, truncating: true)
        try file.append(bytes)
        file.close()
        let moved = temporary.withCString { source in url.path.withCString { target in rename(source, target) == 0 } }
        guard moved else { throw SafetyError(.unavailable, "the journal anchor at \(url.path) could not be written") }
    }

    /// Checks a replayed journal against the anchor: the anchored record must be there with the
    /// anchored hash. Throws `corruptData` saying what does not match.
    func check(_ anchored: (seq: Int64, hash: String), lastSeq: Int64, hashAtAnchor: String?) throws(SafetyError) {
        if anchored.seq > lastSeq {
            throw SafetyError(
                .corruptData,
                "the journal ends at record \(lastSeq), but its anchor says record \(anchored.seq) was written: records were removed",
                location: "journal.jsonl")
        }
        if anchored.seq > 0 && hashAtAnchor != anchored.hash {
            throw SafetyError(
                .corruptData,
                "journal record \(anchored.seq) does not have the hash its anchor holds: the journal was rewritten",
                location: "journal.jsonl:\(anchored.seq)")
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
