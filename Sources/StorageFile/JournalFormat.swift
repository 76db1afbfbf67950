import Crypto
import Foundation
@_spi(StorageBackend) import OnlineSafetyCore

/// The layout of one journal record, and how it is hashed and framed.
///
/// A record is one committed transaction: a frame, then compact JSON with sorted keys, then a
/// newline:
///
/// ```
/// 412 3f9a0c1b {"body":{"changes":[{"kind":"trust","op":"insert","value":{...}},{"event":{...},"op":"audit"}]},"hash":"<64 hex>","prev":"<64 hex>","seq":7}
/// ```
///
/// The frame is the JSON's length in bytes (decimal, without the frame or the newline), a space,
/// the CRC-32 of those bytes (the IEEE polynomial, as zlib and PNG use; eight lower-case hex
/// digits), and a space. Neither the frame nor the JSON ever holds a raw newline (the encoder
/// escapes newlines in strings), so records are split at newlines and the frame then tells the
/// rest:
///
/// - a record whose JSON is as long as its frame says and whose CRC matches is intact;
/// - the last record, with no newline after it, that is *shorter* than its frame says (or that
///   stops inside its frame, or is only zero bytes) is a write cut off by a crash: the writer
///   appends a record in one or more writes with its newline last, and acknowledges it only
///   after `fsync`, so a cut-off write has no newline and was never acknowledged;
/// - anything else (a CRC that does not match, a record longer or shorter than its frame between
///   newlines, a frame that cannot be read) is damage to a committed record, never a torn write.
///
/// Journals written before framing (manifest version 1) hold the JSON alone, one line per
/// record; they are read as they are, and a store that has such lines keeps them, with framed
/// records appended after. An unframed line after a framed one is damage.
///
/// `hash` is SHA-256 over `prev`, a record separator (0x1E), the decimal `seq`, another 0x1E,
/// and the exact bytes of `body` as they stand in the line. Because the writer always lays a line
/// out the same way, the body's bytes are its canonical encoding: any change to them, however
/// small, fails the hash.
enum JournalFormat {
    /// The previous hash of the first line.
    static let genesis = String(repeating: "0", count: 64)

    /// The bytes every line starts with.
    static let prefix = Array(#"{"body":"#.utf8)

    /// The bytes after the body: hash, previous hash and sequence, then `}`.
    static func suffix(hash: String, prev: String, seq: Int64) -> [UInt8] {
        Array(#","hash":"\#(hash)","prev":"\#(prev)","seq":\#(seq)}"#.utf8)
    }

    /// The hash of a line's body after the previous line's hash.
    static func hash(prev: String, seq: Int64, body: some DataProtocol) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(prev.utf8))
        hasher.update(data: [0x1E])
        hasher.update(data: Array(String(seq).utf8))
        hasher.update(data: [0x1E])
        hasher.update(data: body)
        return HexText.lowercase(hasher.finalize())
    }

    /// Assembles a complete record, frame and newline included, from encoded changes, in one
    /// buffer. A commit builds its record with ``StagedLine`` as changes are staged instead.
    static func line(seq: Int64, prev: String, changes: [[UInt8]]) -> (bytes: [UInt8], hash: String) {
        var line = StagedLine(seq: seq, prev: prev, directory: nil)
        // Without a directory nothing is written anywhere, so appending cannot fail.
        for change in changes { try? line.append(change) }
        return line.bytes()
    }

    /// A record's JSON in its frame, newline included: `<length> <crc32> <json>\n`.
    static func framed(_ json: [UInt8]) -> [UInt8] {
        var bytes = Array("\(json.count) \(JournalFrame.hex(CRC32.checksum(json))) ".utf8)
        bytes.reserveCapacity(bytes.count + json.count + 1)
        bytes.append(contentsOf: json)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// The bytes of a line's body, or `nil` when the line is not laid out as the writer lays it out.
    static func body(of line: ArraySlice<UInt8>, header: JournalHeader) -> ArraySlice<UInt8>? {
        let suffix = suffix(hash: header.hash, prev: header.prev, seq: header.seq)
        guard line.count >= prefix.count + suffix.count, line.starts(with: prefix), line.suffix(suffix.count).elementsEqual(suffix)
        else { return nil }
        return line[(line.startIndex + prefix.count)..<(line.endIndex - suffix.count)]
    }

    /// How the journal's JSON is written: keys sorted, slashes as they are.
    static let outputFormatting: JSONEncoder.OutputFormatting = [.sortedKeys, .withoutEscapingSlashes]

    /// The encoder for changes: compact, sorted keys, lossless dates.
    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = outputFormatting
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            if let text = JournalDate.text(date) {
                try container.encode(text)
            } else {
                try container.encode(date.timeIntervalSinceReferenceDate)
            }
        }
        return encoder
    }

    /// The decoder matching ``makeEncoder()``.
    static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                guard let date = JournalDate.date(text) else {
                    throw DecodingError.dataCorruptedError(
                        in: container, debugDescription: "expected an instant as YYYY-MM-DDTHH:MM:SS.mmmZ")
                }
                return date
            }
            return Date(timeIntervalSinceReferenceDate: try container.decode(Double.self))
        }
        return decoder
    }
}

/// How the bytes of one journal line (without its newline) begin.
enum JournalFrame: Equatable {
    /// An unframed line, as journals before framing hold: the JSON alone.
    case unframed
    /// A frame: the JSON's declared length, its CRC-32, and where the JSON starts in the line.
    case framed(length: Int, checksum: UInt32, jsonStart: Int)
    /// The line stops inside what is so far a well-formed frame (a cut-off write).
    case incomplete
    /// The line starts with something that is neither JSON nor a frame.
    case malformed

    /// The longest a frame's length can be written (a journal line is far shorter).
    static let maximumLengthDigits = 12

    /// Reads the frame at the start of a line.
    static func parse(_ line: ArraySlice<UInt8>) -> JournalFrame {
        var index = line.startIndex
        guard index < line.endIndex else { return .incomplete }
        if line[index] == UInt8(ascii: "{") { return .unframed }
        var length = 0
        var digits = 0
        while index < line.endIndex, let digit = decimal(line[index]) {
            guard digits < maximumLengthDigits, !(digits == 1 && length == 0) else { return .malformed }
            length = length * 10 + digit
            digits += 1
            index += 1
        }
        guard digits > 0 else { return .malformed }
        guard index < line.endIndex else { return .incomplete }
        guard line[index] == UInt8(ascii: " ") else { return .malformed }
        index += 1
        var checksum: UInt32 = 0
        for _ in 0..<8 {
            guard index < line.endIndex else { return .incomplete }
            guard let digit = hexadecimal(line[index]) else { return .malformed }
            checksum = checksum << 4 | UInt32(digit)
            index += 1
        }
        guard index < line.endIndex else { return .incomplete }
        guard line[index] == UInt8(ascii: " ") else { return .malformed }
        return .framed(length: length, checksum: checksum, jsonStart: index + 1)
    }

    /// Eight lower-case hexadecimal digits.
    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    private static func decimal(_ byte: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte - UInt8(ascii: "0")) : nil
    }

    /// A lower-case hexadecimal digit's value (the writer never writes upper case).
    private static func hexadecimal(_ byte: UInt8) -> Int? {
        if let value = decimal(byte) { return value }
        return (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte) ? Int(byte - UInt8(ascii: "a")) + 10 : nil
    }
}

/// CRC-32 with the IEEE 802.3 polynomial (reflected, 0xEDB88320), as zlib's `crc32` computes it.
enum CRC32 {
    /// Eight tables of 256 entries, one after another: the first is the classic byte table, and
    /// each next one advances the previous by a zero byte, so eight bytes are folded in at once
    /// ("slicing by 8").
    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for entry in 0..<256 {
            var value = UInt32(entry)
            for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
            tables[entry] = value
        }
        for slice in 1..<8 {
            for entry in 0..<256 {
                let previous = tables[(slice - 1) * 256 + entry]
                tables[slice * 256 + entry] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    /// The register before any byte.
    static let start: UInt32 = 0xFFFF_FFFF

    /// The register after more bytes.
    static func update(_ register: UInt32, _ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { update(register, $0) }
    }

    /// The register after the bytes in `buffer`.
    static func update(_ register: UInt32, _ buffer: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var crc = register
        tables.withUnsafeBufferPointer { table in
            var index = 0
            let count = buffer.count
            while index + 8 <= count {
                let one =
                    crc
                    ^ (UInt32(buffer[index]) | UInt32(buffer[index + 1]) << 8 | UInt32(buffer[index + 2]) << 16
                        | UInt32(buffer[index + 3]) << 24)
                let two =
                    UInt32(buffer[index + 4]) | UInt32(buffer[index + 5]) << 8 | UInt32(buffer[index + 6]) << 16
                    | UInt32(buffer[index + 7]) << 24
                crc =
                    table[7 * 256 + Int(one & 0xFF)] ^ table[6 * 256 + Int((one >> 8) & 0xFF)]
                    ^ table[5 * 256 + Int((one >> 16) & 0xFF)] ^ table[4 * 256 + Int(one >> 24)]
                    ^ table[3 * 256 + Int(two & 0xFF)] ^ table[2 * 256 + Int((two >> 8) & 0xFF)]
                    ^ table[1 * 256 + Int((two >> 16) & 0xFF)] ^ table[Int(two >> 24)]
                index += 8
            }
            while index < count {
                crc = table[Int((crc ^ UInt32(buffer[index])) & 0xFF)] ^ (crc >> 8)
                index += 1
            }
        }
        return crc
    }

    /// The checksum from a register.
    static func finish(_ register: UInt32) -> UInt32 { register ^ 0xFFFF_FFFF }

    /// The checksum of some bytes.
    static func checksum(_ bytes: some Collection<UInt8>) -> UInt32 {
        if let crc = bytes.withContiguousStorageIfAvailable({ update(start, $0) }) { return finish(crc) }
        return finish(update(start, Array(bytes)))
    }
}

/// The fields of a line outside its body.
struct JournalHeader: Decodable {
    /// The line's sequence number, from 1.
    var seq: Int64
    /// The previous line's hash.
    var prev: String
    /// This line's hash.
    var hash: String
}

/// A whole decoded line.
struct JournalLine: Decodable {
    /// The line's sequence number, from 1.
    var seq: Int64
    /// The previous line's hash.
    var prev: String
    /// This line's hash.
    var hash: String
    /// The transaction's changes.
    var body: Body

    /// The transaction's changes, in the order they were made.
    struct Body: Decodable {
        var changes: [JournalChange]
    }

    /// The fields outside the body.
    var header: JournalHeader { JournalHeader(seq: seq, prev: prev, hash: hash) }
}

/// A line's record kind that this SDK does not know (written by a newer version, or altered).
struct UnknownRecordKind: Error {
    /// The kind's name (a fixed identifier such as `person`, never record content).
    let kind: String
}

/// One change in a transaction.
enum JournalChange: Decodable, Sendable {
    /// A record was inserted or updated; the value is the whole record as stored.
    case record(any Aggregate)
    /// An audit event was appended.
    case audit(AuditEvent)
    /// A record's body was removed for good (retention's purge).
    case purge(kind: String, id: UUID)

    enum CodingKeys: String, CodingKey {
        case op
        case kind
        case value
        case event
        case id
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let operation = try container.decode(String.self, forKey: .op)
        switch operation {
        case "audit":
            self = .audit(try container.decode(AuditEvent.self, forKey: .event))
        case "purge":
            let kind = try container.decode(String.self, forKey: .kind)
            guard FileRegistry.tableType(for: kind) != nil else { throw UnknownRecordKind(kind: kind) }
            self = .purge(kind: kind, id: try container.decode(UUID.self, forKey: .id))
        case "insert", "update":
            let kind = try container.decode(String.self, forKey: .kind)
            guard let table = FileRegistry.tableType(for: kind) else { throw UnknownRecordKind(kind: kind) }
            self = .record(try table.decodeRecord(from: container))
        default:
            throw DecodingError.dataCorruptedError(forKey: .op, in: container, debugDescription: "unknown operation")
        }
    }

    /// The encoding of a record change.
    ///
    /// A kind that writes its own JSON (``StoredJSONWritable``) is written by it, into the same
    /// bytes `encoder` (``makeEncoder()``) writes for the change.
    static func encodeRecord<Value: Aggregate>(_ value: Value, operation: String, with encoder: JSONEncoder) throws -> [UInt8] {
        if let writable = value as? any StoredJSONWritable, encoder.outputFormatting == JournalFormat.outputFormatting {
            var line = Array(#"{"kind":"#.utf8)
            line += StoredJSONText.quoted(Value.recordKind, escapingSlashes: false)
            line += Array(#","op":"#.utf8)
            line += StoredJSONText.quoted(operation, escapingSlashes: false)
            line += Array(#","value":"#.utf8)
            line += writable.storedJSON(escapingSlashes: false)
            line.append(0x7D)
            return line
        }
        return Array(try encoder.encode(RecordChange(kind: Value.recordKind, op: operation, value: value)))
    }

    /// The encoding of a purge: the kind and identifier only, never content.
    static func encodePurge(kind: String, id: UUID, with encoder: JSONEncoder) throws -> [UInt8] {
        Array(try encoder.encode(PurgeChange(id: id, kind: kind, op: "purge")))
    }

    private struct PurgeChange: Encodable {
        let id: UUID
        let kind: String
        let op: String
    }

    /// The encoding of an audit change.
    ///
    /// The event writes its own JSON (``AuditEvent/storedJSON(escapingSlashes:date:)``), into the
    /// same bytes `encoder` (``makeEncoder()``) writes for the change; an instant the journal
    /// does not write as text goes through `encoder`.
    static func encodeAudit(_ event: AuditEvent, with encoder: JSONEncoder) throws -> [UInt8] {
        if encoder.outputFormatting == JournalFormat.outputFormatting,
            let json = event.storedJSON(escapingSlashes: false, date: JournalDate.text)
        {
            var line = Array(#"{"event":"#.utf8)
            line.reserveCapacity(line.count + json.count + 16)
            line += json
            line += Array(#","op":"audit"}"#.utf8)
            return line
        }
        return Array(try encoder.encode(AuditChange(event: event, op: "audit")))
    }

    /// ``encodeAudit(_:with:)`` through `JSONEncoder` alone.
    static func encodeAuditWithJSONEncoder(_ event: AuditEvent, with encoder: JSONEncoder) throws -> [UInt8] {
        Array(try encoder.encode(AuditChange(event: event, op: "audit")))
    }

    private struct RecordChange<Value: Aggregate>: Encodable {
        let kind: String
        let op: String
        let value: Value
    }

    private struct AuditChange: Encodable {
        let event: AuditEvent
        let op: String
    }
}

/// Instants as readable, exact text.
///
/// An instant that is a whole number of milliseconds (every audit time is) is written as
/// `2024-09-02T08:15:00.250Z` and read back to the identical `Date`. Any other instant is written
/// as its raw `timeIntervalSinceReferenceDate`, which JSON carries exactly.
enum JournalDate {
    private static let millisecondsPerDay: Int64 = 86_400_000

    /// The text form, or `nil` when the instant is not a whole millisecond in years 1 to 9999.
    static func text(_ date: Date) -> String? {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, abs(seconds) < 300_000_000_000 else { return nil }
        let milliseconds = Int64((seconds * 1000).rounded(.down))
        guard instant(milliseconds) == date else { return nil }
        let days = floorDivide(milliseconds, millisecondsPerDay)
        let inDay = milliseconds - days * millisecondsPerDay
        let (year, month, day) = civil(days: days)
        guard (1...9999).contains(year) else { return nil }
        let time = [inDay / 3_600_000, inDay / 60_000 % 60, inDay / 1000 % 60]
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(time.map { pad($0, 2) }.joined(separator: ":")).\(pad(inDay % 1000, 3))Z"
    }

    /// Parses the text form; `nil` unless it is exactly `YYYY-MM-DDTHH:MM:SS.mmmZ` and a real instant.
    static func date(_ text: String) -> Date? {
        let characters = Array(text.utf8)
        guard characters.count == 24 else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for character in characters[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(character) else { return nil }
                value = value * 10 + Int64(character - UInt8(ascii: "0"))
            }
            return value
        }
        let separators: [(Int, Character)] = [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "."), (23, "Z")]
        guard separators.allSatisfy({ characters[$0.0] == $0.1.asciiValue }),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
            let minute = number(14..<16), let second = number(17..<19), let millisecond = number(20..<23),
            year >= 1, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        guard civil(days: days) == (year, month, day) else { return nil }
        return instant(days * millisecondsPerDay + ((hour * 60 + minute) * 60 + second) * 1000 + millisecond)
    }

    /// The instant of whole milliseconds since 1970, built exactly as `SafetyClock.truncated` builds it.
    private static func instant(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    /// Year, month and day of a day count since 1970-01-01 (proleptic Gregorian).
    private static func civil(days: Int64) -> (Int64, Int64, Int64) {
        let date = CalendarDate.civil(fromDays: Int(days))
        return (Int64(date.year), Int64(date.month), Int64(date.day))
    }

    /// Days since 1970-01-01 of a date (proleptic Gregorian).
    private static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        Int64(CalendarDate.days(year: Int(year), month: Int(month), day: Int(day)))
    }
}
