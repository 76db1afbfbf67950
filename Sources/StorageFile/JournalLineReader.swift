import Foundation
@_spi(StorageBackend) import OnlineSafetyCore

/// A kind whose journal changes its own reader reads (``StoredJSONReadable``), without
/// `JSONDecoder`. Its stored JSON holds no instant, so the journal's date strategy has nothing
/// to read differently from the reader.
protocol JournalReadable: StoredJSONReadable, Aggregate {}

extension Person: JournalReadable {}
extension ContactLink: JournalReadable {}

/// Reads a journal record laid out exactly as the writer lays it out (see ``JournalFormat``),
/// so that opening a store with a trust's roster in it is not mostly `JSONDecoder`.
///
/// The record's envelope (`{"body":{"changes":[…]},"hash":…,"prev":…,"seq":…}`) is read from
/// its fixed layout, and the changes are split at their top-level commas. A change of a
/// ``JournalReadable`` kind is read by the kind's reader; any other change (an audit event, a
/// purge, another kind) is decoded alone with `JSONDecoder`. Changes are read on the machine's
/// cores, in parts, and given back in order.
///
/// Whenever ``read(_:)`` gives a record, it is the one `JSONDecoder` gives for the same bytes.
/// It gives `nil` for anything else: another layout, a change a reader leaves and `JSONDecoder`
/// refuses, an unknown kind. The caller then decodes the whole record with `JSONDecoder`, which
/// gives its value or the error that says what is wrong with it.
enum JournalLineReader {
    private static let opening = Array(#"{"body":{"changes":["#.utf8)
    private static let closing = Array("]}".utf8)
    private static let hashKey = Array(#","hash":""#.utf8)
    private static let prevKey = Array(#"","prev":""#.utf8)
    private static let seqKey = Array(#"","seq":"#.utf8)
    private static let changeOpening = Array(#"{"kind":""#.utf8)
    private static let insertKey = Array(#"","op":"insert","value":"#.utf8)
    private static let updateKey = Array(#"","op":"update","value":"#.utf8)

    /// How many changes a part holds at least before the record is split across cores.
    static let minimumPart = 256

    /// The record `json` holds (without its frame or newline), or `nil` when it is not one this
    /// reader reads (see the type's description).
    static func read(_ json: ArraySlice<UInt8>) -> JournalLine? {
        json.withUnsafeBufferPointer { read(Bytes(base: $0)) }
    }

    private static func read(_ bytes: Bytes) -> JournalLine? {
        let b = bytes.base
        guard let header = header(b), header.start >= opening.count + closing.count,
            starts(b, at: header.start - closing.count, with: closing)
        else { return nil }
        // The changes must close exactly where the fields after the body begin.
        guard let (ranges, close) = split(b), close == header.start - closing.count else { return nil }
        let parts = Parallel.parts(of: ranges.count, minimum: minimumPart)
        let size = (ranges.count + parts - 1) / max(1, parts)
        let decoded: [[JournalChange]?]
        do {
            decoded = try Parallel.map(parts) { part in
                let decoder = JournalFormat.makeDecoder()
                var reader = KindReader()
                var out: [JournalChange] = []
                let range = (part * size)..<min(ranges.count, (part + 1) * size)
                out.reserveCapacity(range.count)
                for index in range {
                    guard let change = reader.change(UnsafeBufferPointer(rebasing: bytes.base[ranges[index]]), decoder) else {
                        return nil
                    }
                    out.append(change)
                }
                return out
            }
        } catch {
            return nil
        }
        var all: [JournalChange] = []
        all.reserveCapacity(ranges.count)
        for part in decoded {
            guard let part else { return nil }
            all.append(contentsOf: part)
        }
        return JournalLine(seq: header.seq, prev: header.prev, hash: header.hash, body: JournalLine.Body(changes: all))
    }

    /// The fields after the body, read from the end: `,"hash":"<64>","prev":"<64>","seq":<n>}`.
    private static func header(_ b: UnsafeBufferPointer<UInt8>) -> (seq: Int64, prev: String, hash: String, start: Int)? {
        let last = b.count - 1
        guard last > 0, b[last] == 0x7D else { return nil }
        var digitsStart = last
        while digitsStart > 0, (0x30...0x39).contains(b[digitsStart - 1]) { digitsStart -= 1 }
        let digits = last - digitsStart
        guard digits > 0, digits <= 18, !(digits > 1 && b[digitsStart] == 0x30) else { return nil }
        var seq: Int64 = 0
        for index in digitsStart..<last { seq = seq * 10 + Int64(b[index] - 0x30) }
        let prevEnd = digitsStart - seqKey.count
        let prevStart = prevEnd - 64
        let hashEnd = prevStart - prevKey.count
        let hashStart = hashEnd - 64
        let start = hashStart - hashKey.count
        guard start >= 0, starts(b, at: prevEnd, with: seqKey), starts(b, at: hashEnd, with: prevKey),
            starts(b, at: start, with: hashKey), let prev = plain(b, prevStart..<prevEnd), let hash = plain(b, hashStart..<hashEnd)
        else { return nil }
        return (seq, prev, hash, start)
    }

    /// Text of printable ASCII with no quote or backslash, which JSON reads as it stands.
    private static func plain(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String? {
        for index in range where !(0x20...0x7E).contains(b[index]) || b[index] == 0x22 || b[index] == 0x5C { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: b[range]), as: UTF8.self)
    }

    private static func starts(_ b: UnsafeBufferPointer<UInt8>, at offset: Int, with expected: [UInt8]) -> Bool {
        guard offset >= 0, offset + expected.count <= b.count else { return false }
        for index in 0..<expected.count where b[offset + index] != expected[index] { return false }
        return true
    }

    /// The places in `json` of a record's changes, when it opens as the writer opens one
    /// (`{"body":{"changes":[`) and its changes are objects separated by commas up to the `]`
    /// that closes them; `nil` otherwise. The bytes after that `]` are not read, so a record
    /// damaged elsewhere (its hash, say) still splits. A change's bytes may still not be JSON.
    static func changeRanges(_ json: ArraySlice<UInt8>) -> [Range<Int>]? {
        json.withUnsafeBufferPointer { b in
            split(b).map { split in split.ranges.map { (json.startIndex + $0.lowerBound)..<(json.startIndex + $0.upperBound) } }
        }
    }

    /// The changes after the opening, as offsets in `b`, and the offset of the `]` that closes
    /// them; `nil` when the bytes do not open as a record or are not objects separated by commas.
    private static func split(_ b: UnsafeBufferPointer<UInt8>) -> (ranges: [Range<Int>], close: Int)? {
        guard starts(b, at: 0, with: opening) else { return nil }
        var ranges: [Range<Int>] = []
        var at = opening.count
        if at < b.count, b[at] == 0x5D { return ([], at) }
        while true {
            guard let end = objectEnd(b, from: at, limit: b.count), end < b.count else { return nil }
            ranges.append(at..<end)
            if b[end] == 0x5D { return (ranges, end) }
            guard b[end] == 0x2C else { return nil }
            at = end + 1
        }
    }

    /// Where the object that opens at `start` ends (the index after its `}`), skipping strings
    /// and what they escape; `nil` when there is no object there or it does not end before `limit`.
    private static func objectEnd(_ b: UnsafeBufferPointer<UInt8>, from start: Int, limit: Int) -> Int? {
        guard start < limit, b[start] == 0x7B else { return nil }
        var depth = 0
        var index = start
        while index < limit {
            switch b[index] {
            case 0x22:
                index += 1
                while index < limit, b[index] != 0x22 { index += b[index] == 0x5C ? 2 : 1 }
                guard index < limit else { return nil }
            case 0x7B, 0x5B:
                depth += 1
            case 0x7D, 0x5D:
                depth -= 1
                if depth == 0 { return b[index] == 0x7D ? index + 1 : nil }
            default:
                break
            }
            index += 1
        }
        return nil
    }

    /// The journal's bytes, shared read-only with the threads that read its parts for the length
    /// of one ``read(_:)``.
    private struct Bytes: @unchecked Sendable {
        let base: UnsafeBufferPointer<UInt8>
    }

    /// Reads one change, remembering the last kind it looked up (a record's changes come in runs
    /// of one kind).
    private struct KindReader {
        private var kind: [UInt8] = []
        private var reader: ((UnsafeBufferPointer<UInt8>) -> (any Aggregate)?)?

        mutating func change(_ b: UnsafeBufferPointer<UInt8>, _ decoder: JSONDecoder) -> JournalChange? {
            if let value = own(b) { return .record(value) }
            return try? decoder.decode(JournalChange.self, from: Data(b))
        }

        /// The record a change of a ``JournalReadable`` kind holds, read by the kind's reader.
        private mutating func own(_ b: UnsafeBufferPointer<UInt8>) -> (any Aggregate)? {
            guard starts(b, at: 0, with: changeOpening), b.last == 0x7D else { return nil }
            var kindEnd = changeOpening.count
            while kindEnd < b.count, b[kindEnd] != 0x22, b[kindEnd] != 0x5C { kindEnd += 1 }
            let valueStart: Int
            if starts(b, at: kindEnd, with: insertKey) {
                valueStart = kindEnd + insertKey.count
            } else if starts(b, at: kindEnd, with: updateKey) {
                valueStart = kindEnd + updateKey.count
            } else {
                return nil
            }
            let name = UnsafeBufferPointer(rebasing: b[changeOpening.count..<kindEnd])
            if !name.elementsEqual(kind) {
                kind = Array(name)
                reader = FileRegistry.tableType(for: String(decoding: name, as: UTF8.self))?.ownReader
            }
            return reader?(UnsafeBufferPointer(rebasing: b[valueStart..<(b.count - 1)]))
        }
    }
}
