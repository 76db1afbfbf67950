public import Foundation

/// A record kind whose stored JSON can be read straight from its bytes, without `Decodable`.
///
/// A store reads the kinds it holds most of (people and contact links) many thousands at a time,
/// for an import's plan, and `JSONDecoder` spends most of that time in its generic containers.
/// ``readStoredJSON(_:)`` reads the document the kind's own coding writes, with any JSON white
/// space between its parts (as PostgreSQL's `jsonb` prints it) and its members in any order.
///
/// It gives `nil` for anything it does not read itself: a key it does not know, a key twice, a
/// `null`, a number with a fraction or an exponent, an escaped key, text that is not valid UTF-8,
/// or a value the type's own decoding refuses (a UPN whose check letter is wrong, say). The caller
/// then decodes the same bytes with `JSONDecoder` and gets its value or its error. Whenever it
/// gives a value, that value is the one `JSONDecoder` gives for the same bytes.
@_spi(StorageBackend)
public protocol StoredJSONReadable {
    /// The value `bytes` (one JSON document, UTF-8) holds, or `nil` when the document is not one
    /// this reader reads itself (the caller decodes it with `JSONDecoder` instead). Never throws.
    static func readStoredJSON(_ bytes: UnsafeBufferPointer<UInt8>) -> Self?
}

/// A position in one JSON document, read forward; every read gives `nil` (or `false`) for bytes
/// that are not what it reads, and the document's reader then gives up.
struct StoredJSONCursor {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var at = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private static let quote: UInt8 = 0x22
    private static let backslash: UInt8 = 0x5C

    private mutating func skipSpace() {
        while at < bytes.count {
            switch bytes[at] {
            case 0x20, 0x09, 0x0A, 0x0D: at += 1
            default: return
            }
        }
    }

    /// Takes `byte` (after white space), if it is next.
    private mutating func take(_ byte: UInt8) -> Bool {
        skipSpace()
        guard at < bytes.count, bytes[at] == byte else { return false }
        at += 1
        return true
    }

    /// Whether only white space is left.
    mutating func atEnd() -> Bool {
        skipSpace()
        return at == bytes.count
    }

    /// Opens an object: `{`.
    mutating func beginObject() -> Bool { take(0x7B) }

    /// The next key of the object opened last (the cursor then at its value), or `nil` at the
    /// object's end (`}` taken) or on malformed bytes (`failed` set). `first` is the object's own
    /// flag, `true` before its first key. A key is plain: an escape in it is malformed here.
    mutating func nextKey(_ first: inout Bool, failed: inout Bool) -> Range<Int>? {
        skipSpace()
        guard at < bytes.count else {
            failed = true
            return nil
        }
        if bytes[at] == 0x7D {
            at += 1
            return nil
        }
        if first {
            first = false
        } else {
            guard bytes[at] == 0x2C else {
                failed = true
                return nil
            }
            at += 1
            skipSpace()
        }
        guard at < bytes.count, bytes[at] == Self.quote else {
            failed = true
            return nil
        }
        at += 1
        let start = at
        while at < bytes.count, bytes[at] != Self.quote {
            guard bytes[at] != Self.backslash, bytes[at] >= 0x20 else {
                failed = true
                return nil
            }
            at += 1
        }
        guard at < bytes.count else {
            failed = true
            return nil
        }
        let key = start..<at
        at += 1
        guard take(0x3A) else {
            failed = true
            return nil
        }
        return key
    }

    /// Whether the key at `range` is `name` (ASCII).
    func key(_ range: Range<Int>, is name: StaticString) -> Bool {
        guard range.count == name.utf8CodeUnitCount else { return false }
        let expected = name.utf8Start
        for offset in 0..<range.count where bytes[range.lowerBound + offset] != expected[offset] { return false }
        return true
    }

    /// A string: its escapes read as JSON reads them; `nil` for malformed text, an unpaired
    /// surrogate or bytes that are not UTF-8.
    mutating func string() -> String? {
        skipSpace()
        guard at < bytes.count, bytes[at] == Self.quote else { return nil }
        at += 1
        let start = at
        var ascii = true
        while at < bytes.count {
            let byte = bytes[at]
            if byte == Self.quote {
                let raw = UnsafeBufferPointer(rebasing: bytes[start..<at])
                // ASCII is always valid UTF-8: only other text needs validating.
                let text = ascii ? String(decoding: raw, as: UTF8.self) : String(validating: raw, as: UTF8.self)
                at += 1
                return text
            }
            if byte == Self.backslash { break }
            guard byte >= 0x20 else { return nil }
            if byte >= 0x80 { ascii = false }
            at += 1
        }
        guard at < bytes.count else { return nil }
        var out = Array(bytes[start..<at])
        while at < bytes.count {
            let byte = bytes[at]
            if byte == Self.quote {
                at += 1
                return String(validating: out, as: UTF8.self)
            }
            guard byte >= 0x20 else { return nil }
            guard byte == Self.backslash else {
                out.append(byte)
                at += 1
                continue
            }
            at += 1
            guard at < bytes.count else { return nil }
            switch bytes[at] {
            case Self.quote: out.append(Self.quote)
            case Self.backslash: out.append(Self.backslash)
            case 0x2F: out.append(0x2F)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                guard var value = hex4(after: at) else { return nil }
                at += 4
                if (0xD800..<0xDC00).contains(value) {
                    guard at + 2 < bytes.count, bytes[at + 1] == Self.backslash, bytes[at + 2] == 0x75,
                        let low = hex4(after: at + 2), (0xDC00..<0xE000).contains(low)
                    else { return nil }
                    value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                    at += 6
                }
                guard let scalar = Unicode.Scalar(value) else { return nil }
                out.append(contentsOf: UTF8.encode(scalar).map(Array.init) ?? [])
            default: return nil
            }
            at += 1
        }
        return nil
    }

    /// The four hex digits after `index`, as a number.
    private func hex4(after index: Int) -> UInt32? {
        guard index + 4 < bytes.count else { return nil }
        var value: UInt32 = 0
        for offset in 1...4 {
            let byte = bytes[index + offset]
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// A UUID in its 36-character form, written plainly (no escapes).
    mutating func uuid() -> UUID? {
        skipSpace()
        guard at + 37 < bytes.count, bytes[at] == Self.quote, bytes[at + 37] == Self.quote else { return nil }
        guard let uuid = UUIDText.uuid(UnsafeBufferPointer(rebasing: bytes[(at + 1)..<(at + 37)])) else { return nil }
        at += 38
        return uuid
    }

    /// A whole number with no fraction or exponent, within `Int`.
    mutating func int() -> Int? {
        skipSpace()
        var negative = false
        if at < bytes.count, bytes[at] == 0x2D {
            negative = true
            at += 1
        }
        let start = at
        var value = 0
        while at < bytes.count, (0x30...0x39).contains(bytes[at]) {
            let (times, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = times.addingReportingOverflow(Int(bytes[at] - 0x30))
            guard !overflowA, !overflowB else { return nil }
            value = sum
            at += 1
        }
        let digits = at - start
        guard digits > 0, !(digits > 1 && bytes[start] == 0x30) else { return nil }
        if at < bytes.count {
            switch bytes[at] {
            case 0x2E, 0x65, 0x45: return nil
            default: break
            }
        }
        return negative ? -value : value
    }

    /// A number with no exponent, as `Double` reads its digits (the nearest `Double`, as
    /// `JSONDecoder` gives it).
    mutating func double() -> Double? {
        skipSpace()
        let start = at
        if at < bytes.count, bytes[at] == 0x2D { at += 1 }
        let integerStart = at
        while at < bytes.count, (0x30...0x39).contains(bytes[at]) { at += 1 }
        let integerDigits = at - integerStart
        guard integerDigits > 0, !(integerDigits > 1 && bytes[integerStart] == 0x30) else { return nil }
        if at < bytes.count, bytes[at] == 0x2E {
            at += 1
            let fractionStart = at
            while at < bytes.count, (0x30...0x39).contains(bytes[at]) { at += 1 }
            guard at > fractionStart else { return nil }
        }
        if at < bytes.count, bytes[at] == 0x65 || bytes[at] == 0x45 { return nil }
        guard at - start <= 40 else { return nil }
        return Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self))
    }

    /// An empty object: `{}`.
    mutating func emptyObject() -> Bool { take(0x7B) && take(0x7D) }

    /// `true` or `false`.
    mutating func bool() -> Bool? {
        skipSpace()
        if literal("true") { return true }
        if literal("false") { return false }
        return nil
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard at + count <= bytes.count else { return false }
        let expected = word.utf8Start
        for offset in 0..<count where bytes[at + offset] != expected[offset] { return false }
        // A literal ends where a value does.
        if at + count < bytes.count {
            switch bytes[at + count] {
            case 0x20, 0x09, 0x0A, 0x0D, 0x2C, 0x7D, 0x5D: break
            default: return false
            }
        }
        at += count
        return true
    }

    /// An array, each element read by `element`; `nil` if any is not.
    mutating func array<Element>(_ element: (inout StoredJSONCursor) -> Element?) -> [Element]? {
        guard take(0x5B) else { return nil }
        var elements: [Element] = []
        if take(0x5D) { return elements }
        while true {
            guard let next = element(&self) else { return nil }
            elements.append(next)
            if take(0x5D) { return elements }
            guard take(0x2C) else { return nil }
        }
    }
}

extension StoredJSONCursor {
    /// Reads an object whose keys are among `names`, each at most once: `member` is given the
    /// index in `names` of each key in turn, with the cursor at its value, and reads the value.
    /// `false` for a key not in `names`, a key twice, a value `member` could not read (it
    /// returned `false`) or malformed bytes.
    mutating func object(_ names: [StaticString], _ member: (Int, inout StoredJSONCursor) -> Bool) -> Bool {
        guard beginObject() else { return false }
        var first = true
        var failed = false
        var seen: UInt64 = 0
        while let key = nextKey(&first, failed: &failed) {
            guard let index = names.firstIndex(where: { self.key(key, is: $0) }), seen & (1 << UInt64(index)) == 0 else {
                return false
            }
            seen |= 1 << UInt64(index)
            guard member(index, &self) else { return false }
        }
        return !failed
    }

    /// Reads a value with `read` into `slot`: `false` when it could not.
    mutating func read<T>(into slot: inout T?, _ read: (inout StoredJSONCursor) -> T?) -> Bool {
        slot = read(&self)
        return slot != nil
    }

    /// A tenancy as its coding writes it: `{"school":{"_0":"…"}}` or `{"trust":{"_0":"…"}}`.
    mutating func tenancy() -> Tenancy? {
        var tenancy: Tenancy?
        let read = object(["school", "trust"]) { index, cursor in
            guard tenancy == nil else { return false }
            var uuid: UUID?
            guard cursor.object(["_0"], { _, inner in inner.read(into: &uuid) { $0.uuid() } }), let uuid else { return false }
            tenancy = index == 0 ? .school(SchoolID(uuid)) : .trust(TrustID(uuid))
            return true
        }
        return read ? tenancy : nil
    }

    /// A date as records hold it.
    mutating func calendarDate() -> CalendarDate? { string().flatMap { CalendarDate(stored: $0) } }

    /// A source reference: `{"id":…,"system":…}`.
    mutating func sourceRef() -> SourceRef? {
        var system: String?
        var id: String?
        let read = object(["system", "id"]) { index, cursor in
            index == 0 ? cursor.read(into: &system) { $0.string() } : cursor.read(into: &id) { $0.string() }
        }
        guard read, let system, let id else { return nil }
        var source = SourceRef(system: "", id: id)
        // As decoded: the system as written (the initialiser lower-cases it).
        source.system = system
        return source
    }
}

extension LearnerDetails {
    private static let storedKeys: [StaticString] = [
        "upn", "dateOfBirth", "ncYear", "registrationGroup", "lookedAfter", "send", "eal", "groups", "keyPerson",
        "preferredGivenName", "preferredFamilyName",
    ]

    /// Reads the details at `cursor`, as ``StoredJSONReadable`` reads a record.
    static func readStoredJSON(_ cursor: inout StoredJSONCursor) -> LearnerDetails? {
        var upn: UPN?
        var dateOfBirth: CalendarDate?
        var ncYear: NCYear?
        var registrationGroup: String?
        var lookedAfter: Bool?
        var send: Bool?
        var eal: Bool?
        var groups: [String]?
        var keyPerson: String?
        var preferredGivenName: String?
        var preferredFamilyName: String?
        let read = cursor.object(storedKeys) { index, cursor in
            switch index {
            case 0: cursor.read(into: &upn) { $0.string().flatMap { try? UPN($0) } }
            case 1: cursor.read(into: &dateOfBirth) { $0.calendarDate() }
            case 2: cursor.read(into: &ncYear) { $0.string().flatMap(NCYear.init(rawValue:)) }
            case 3: cursor.read(into: &registrationGroup) { $0.string() }
            case 4: cursor.read(into: &lookedAfter) { $0.bool() }
            case 5: cursor.read(into: &send) { $0.bool() }
            case 6: cursor.read(into: &eal) { $0.bool() }
            case 7: cursor.read(into: &groups) { $0.array { $0.string() } }
            case 8: cursor.read(into: &keyPerson) { $0.string() }
            case 9: cursor.read(into: &preferredGivenName) { $0.string() }
            default: cursor.read(into: &preferredFamilyName) { $0.string() }
            }
        }
        guard read, let upn, let dateOfBirth, let ncYear, let lookedAfter, let send, let eal else { return nil }
        return LearnerDetails(
            upn: upn, dateOfBirth: dateOfBirth, ncYear: ncYear, registrationGroup: registrationGroup, lookedAfter: lookedAfter,
            send: send, eal: eal, groups: groups ?? [], keyPerson: keyPerson, preferredGivenName: preferredGivenName,
            preferredFamilyName: preferredFamilyName)
    }
}

@_spi(StorageBackend)
extension Person: StoredJSONReadable {
    private static let storedKeys: [StaticString] = [
        "id", "tenancy", "kind", "givenName", "familyName", "email", "phone", "sources", "jobTitle", "learner", "leftOn",
        "leavingDecidedOn",
        "revision",
    ]

    /// Reads a stored person from its JSON, as ``StoredJSONReadable`` describes; a record that
    /// still names its school as `schoolID` is left to `JSONDecoder`.
    public static func readStoredJSON(_ bytes: UnsafeBufferPointer<UInt8>) -> Person? {
        var cursor = StoredJSONCursor(bytes)
        var id: UUID?
        var tenancy: Tenancy?
        var kind: PersonKind?
        var givenName: String?
        var familyName: String?
        var email: String?
        var phone: String?
        var sources: [SourceRef]?
        var jobTitle: String?
        var learner: LearnerDetails?
        var leftOn: CalendarDate?
        var leavingDecidedOn: CalendarDate?
        var revision: Int?
        let read = cursor.object(storedKeys) { index, cursor in
            switch index {
            case 0: cursor.read(into: &id) { $0.uuid() }
            case 1: cursor.read(into: &tenancy) { $0.tenancy() }
            case 2: cursor.read(into: &kind) { $0.string().flatMap(PersonKind.init(rawValue:)) }
            case 3: cursor.read(into: &givenName) { $0.string() }
            case 4: cursor.read(into: &familyName) { $0.string() }
            case 5: cursor.read(into: &email) { $0.string() }
            case 6: cursor.read(into: &phone) { $0.string() }
            case 7: cursor.read(into: &sources) { $0.array { $0.sourceRef() } }
            case 8: cursor.read(into: &jobTitle) { $0.string() }
            case 9: cursor.read(into: &learner) { LearnerDetails.readStoredJSON(&$0) }
            case 10: cursor.read(into: &leftOn) { $0.calendarDate() }
            case 11: cursor.read(into: &leavingDecidedOn) { $0.calendarDate() }
            default: cursor.read(into: &revision) { $0.int() }
            }
        }
        guard read, cursor.atEnd(), let id, let tenancy, let kind, let givenName, let familyName, let revision else { return nil }
        return Person(
            id: PersonID(id), tenancy: tenancy, kind: kind, givenName: givenName, familyName: familyName, email: email, phone: phone,
            sources: sources ?? [], jobTitle: jobTitle, learner: learner, leftOn: leftOn, leavingDecidedOn: leavingDecidedOn,
            revision: revision)
    }
}

@_spi(StorageBackend)
extension ContactLink: StoredJSONReadable {
    private static let storedKeys: [StaticString] = [
        "id", "schoolID", "learnerID", "adultID", "relationship", "parentalResponsibility", "priority", "revision",
    ]

    /// Reads a stored contact link from its JSON, as ``StoredJSONReadable`` describes.
    public static func readStoredJSON(_ bytes: UnsafeBufferPointer<UInt8>) -> ContactLink? {
        var cursor = StoredJSONCursor(bytes)
        var id: UUID?
        var schoolID: UUID?
        var learnerID: UUID?
        var adultID: UUID?
        var relationship: Relationship?
        var parentalResponsibility: Bool?
        var priority: Int?
        var revision: Int?
        let read = cursor.object(storedKeys) { index, cursor in
            switch index {
            case 0: cursor.read(into: &id) { $0.uuid() }
            case 1: cursor.read(into: &schoolID) { $0.uuid() }
            case 2: cursor.read(into: &learnerID) { $0.uuid() }
            case 3: cursor.read(into: &adultID) { $0.uuid() }
            case 4: cursor.read(into: &relationship) { $0.string().flatMap(Relationship.init(rawValue:)) }
            case 5: cursor.read(into: &parentalResponsibility) { $0.bool() }
            case 6: cursor.read(into: &priority) { $0.int() }
            default: cursor.read(into: &revision) { $0.int() }
            }
        }
        guard read, cursor.atEnd(), let id, let learnerID, let adultID, let relationship, let parentalResponsibility, let priority,
            let revision
        else { return nil }
        return ContactLink(
            id: ContactLinkID(id), schoolID: schoolID.map(SchoolID.init), learnerID: PersonID(learnerID), adultID: PersonID(adultID),
            relationship: relationship, parentalResponsibility: parentalResponsibility, priority: priority, revision: revision)
    }
}

/// A record kind that writes its own stored JSON, without `Encodable`.
///
/// ``storedJSON(escapingSlashes:)`` gives, byte for byte, what `JSONEncoder` with `.sortedKeys`
/// (and `.withoutEscapingSlashes` when slashes are not escaped) writes for the value: the form a
/// store writes and computes a row's MAC over. A store encodes and checks the kinds it holds most
/// of (people and contact links) many thousands at a time, and `JSONEncoder` spends most of that
/// time in its generic containers.
@_spi(StorageBackend)
public protocol StoredJSONWritable {
    /// The value as `JSONEncoder` with `.sortedKeys` writes it (UTF-8), with `/` written `\/`
    /// when `escapingSlashes` (as `JSONEncoder` does unless told `.withoutEscapingSlashes`).
    /// Requires nothing; never throws.
    func storedJSON(escapingSlashes: Bool) -> [UInt8]
}

@_spi(StorageBackend)
extension StoredJSONWritable {
    /// ``storedJSON(escapingSlashes:)`` with slashes escaped: what `JSONEncoder` with `.sortedKeys` writes.
    public func storedJSON() -> [UInt8] { storedJSON(escapingSlashes: true) }
}

/// JSON text written as `JSONEncoder` writes it.
@_spi(StorageBackend)
public enum StoredJSONText {
    /// `text` as a JSON string, quoted and escaped as `JSONEncoder` writes it (``StoredJSONWritable``).
    /// Requires nothing; never throws.
    public static func quoted(_ text: String, escapingSlashes: Bool) -> [UInt8] {
        var writer = StoredJSONWriter(capacity: text.utf8.count + 2, escapingSlashes: escapingSlashes)
        writer.string(text)
        return writer.bytes
    }
}

/// Writes one JSON document as `JSONEncoder` does with `.sortedKeys`: no white space, slashes and
/// control characters escaped, other text as its UTF-8; the caller gives each object's keys in
/// sorted order.
struct StoredJSONWriter {
    private(set) var bytes: [UInt8] = []
    /// Whether the object or array opened last has no member yet.
    private var empty = false
    /// Whether `/` is written `\/`.
    private let escapingSlashes: Bool

    init(capacity: Int = 512, escapingSlashes: Bool = true) {
        bytes.reserveCapacity(capacity)
        self.escapingSlashes = escapingSlashes
    }

    mutating func beginObject() {
        bytes.append(0x7B)
        empty = true
    }

    mutating func endObject() {
        bytes.append(0x7D)
        empty = false
    }

    mutating func beginArray() {
        bytes.append(0x5B)
        empty = true
    }

    mutating func endArray() {
        bytes.append(0x5D)
        empty = false
    }

    /// Starts an array element.
    mutating func element() {
        if !empty { bytes.append(0x2C) }
        empty = false
    }

    /// Starts a member: its key (plain ASCII, as every key of the SDK's records is).
    mutating func key(_ name: StaticString) {
        if !empty { bytes.append(0x2C) }
        empty = false
        bytes.append(0x22)
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(0x22)
        bytes.append(0x3A)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    mutating func string(_ text: String) {
        bytes.append(0x22)
        // Most text needs no escape: it is copied whole once a scan has found none.
        let copied =
            text.utf8.withContiguousStorageIfAvailable { buffer -> Bool in
                for byte in buffer where byte < 0x20 || byte == 0x22 || byte == 0x5C || (byte == 0x2F && escapingSlashes) {
                    return false
                }
                bytes.append(contentsOf: buffer)
                return true
            } ?? false
        if !copied { escaped(text) }
        bytes.append(0x22)
    }

    /// The bytes of `text` with what JSON escapes escaped, without the quotes.
    private mutating func escaped(_ text: String) {
        for byte in text.utf8 {
            switch byte {
            case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
            case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x2F:
                if escapingSlashes { bytes.append(0x5C) }
                bytes.append(0x2F)
            case 0x08: bytes.append(contentsOf: [0x5C, 0x62])
            case 0x0C: bytes.append(contentsOf: [0x5C, 0x66])
            case 0x0A: bytes.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: bytes.append(contentsOf: [0x5C, 0x72])
            case 0x09: bytes.append(contentsOf: [0x5C, 0x74])
            case 0x00..<0x20:
                bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, Self.hexDigits[Int(byte >> 4)], Self.hexDigits[Int(byte & 0x0F)]])
            default: bytes.append(byte)
            }
        }
    }

    mutating func uuid(_ uuid: UUID) {
        bytes.append(0x22)
        UUIDText.append(uuid, to: &bytes)
        bytes.append(0x22)
    }

    mutating func int(_ value: Int) { bytes.append(contentsOf: String(value).utf8) }

    mutating func int64(_ value: Int64) { bytes.append(contentsOf: String(value).utf8) }

    mutating func bool(_ value: Bool) { bytes.append(contentsOf: value ? Array("true".utf8) : Array("false".utf8)) }

    mutating func tenancy(_ tenancy: Tenancy) {
        beginObject()
        switch tenancy {
        case .school(let id):
            key("school")
            beginObject()
            key("_0")
            uuid(id.uuid)
            endObject()
        case .trust(let id):
            key("trust")
            beginObject()
            key("_0")
            uuid(id.uuid)
            endObject()
        }
        endObject()
    }

    mutating func learner(_ details: LearnerDetails) {
        beginObject()
        key("dateOfBirth")
        string(details.dateOfBirth.description)
        key("eal")
        bool(details.eal)
        if !details.groups.isEmpty {
            key("groups")
            beginArray()
            for group in details.groups {
                element()
                string(group)
            }
            endArray()
        }
        if let keyPerson = details.keyPerson {
            key("keyPerson")
            string(keyPerson)
        }
        key("lookedAfter")
        bool(details.lookedAfter)
        key("ncYear")
        string(details.ncYear.rawValue)
        if let preferred = details.preferredFamilyName {
            key("preferredFamilyName")
            string(preferred)
        }
        if let preferred = details.preferredGivenName {
            key("preferredGivenName")
            string(preferred)
        }
        if let group = details.registrationGroup {
            key("registrationGroup")
            string(group)
        }
        key("send")
        bool(details.send)
        key("upn")
        string(details.upn.value)
        endObject()
    }
}

@_spi(StorageBackend)
extension Person: StoredJSONWritable {
    /// The person as `JSONEncoder` with `.sortedKeys` writes it.
    public func storedJSON(escapingSlashes: Bool) -> [UInt8] {
        var writer = StoredJSONWriter(escapingSlashes: escapingSlashes)
        writer.beginObject()
        if let email {
            writer.key("email")
            writer.string(email)
        }
        writer.key("familyName")
        writer.string(familyName)
        writer.key("givenName")
        writer.string(givenName)
        writer.key("id")
        writer.uuid(id.uuid)
        if let jobTitle {
            writer.key("jobTitle")
            writer.string(jobTitle)
        }
        writer.key("kind")
        writer.string(kind.rawValue)
        if let learner {
            writer.key("learner")
            writer.learner(learner)
        }
        if let leavingDecidedOn {
            writer.key("leavingDecidedOn")
            writer.string(leavingDecidedOn.description)
        }
        if let leftOn {
            writer.key("leftOn")
            writer.string(leftOn.description)
        }
        if let phone {
            writer.key("phone")
            writer.string(phone)
        }
        writer.key("revision")
        writer.int(revision)
        if !sources.isEmpty {
            writer.key("sources")
            writer.beginArray()
            for source in sources {
                writer.element()
                writer.beginObject()
                writer.key("id")
                writer.string(source.id)
                writer.key("system")
                writer.string(source.system)
                writer.endObject()
            }
            writer.endArray()
        }
        writer.key("tenancy")
        writer.tenancy(tenancy)
        writer.endObject()
        return writer.bytes
    }
}

@_spi(StorageBackend)
extension ContactLink: StoredJSONWritable {
    /// The link as `JSONEncoder` with `.sortedKeys` writes it.
    public func storedJSON(escapingSlashes: Bool) -> [UInt8] {
        var writer = StoredJSONWriter(capacity: 256, escapingSlashes: escapingSlashes)
        writer.beginObject()
        writer.key("adultID")
        writer.uuid(adultID.uuid)
        writer.key("id")
        writer.uuid(id.uuid)
        writer.key("learnerID")
        writer.uuid(learnerID.uuid)
        writer.key("parentalResponsibility")
        writer.bool(parentalResponsibility)
        writer.key("priority")
        writer.int(priority)
        writer.key("relationship")
        writer.string(relationship.rawValue)
        writer.key("revision")
        writer.int(revision)
        if let schoolID {
            writer.key("schoolID")
            writer.uuid(schoolID.uuid)
        }
        writer.endObject()
        return writer.bytes
    }
}

extension AuditEvent {
    /// The event as `JSONEncoder` with `.sortedKeys` writes it, its draft's instant written as
    /// `date` gives it (the text a store's date strategy writes), or `nil` when `date` gives `nil`
    /// for the instant (the caller then encodes the event with `JSONEncoder`). `/` is written `\/`
    /// when `escapingSlashes`. Requires nothing; never throws.
    @_spi(StorageBackend)
    public func storedJSON(escapingSlashes: Bool, date: (Date) -> String?) -> [UInt8]? {
        guard let at = date(draft.at) else { return nil }
        var writer = StoredJSONWriter(capacity: 512, escapingSlashes: escapingSlashes)
        writer.beginObject()
        writer.key("chain")
        writer.string(chain.rawValue)
        writer.key("draft")
        writer.beginObject()
        writer.key("action")
        writer.string(draft.action.rawValue)
        if let actorID = draft.actorID {
            writer.key("actorID")
            writer.uuid(actorID.uuid)
        }
        writer.key("at")
        writer.string(at)
        if !draft.listed.isEmpty {
            writer.key("listed")
            writer.beginArray()
            for id in draft.listed {
                writer.element()
                writer.uuid(id)
            }
            writer.endArray()
        }
        writer.key("outcome")
        writer.string(draft.outcome.rawValue)
        if let reason = draft.reason {
            writer.key("reason")
            writer.string(reason)
        }
        writer.key("restricted")
        writer.bool(draft.restricted)
        if let schoolID = draft.schoolID {
            writer.key("schoolID")
            writer.uuid(schoolID.uuid)
        }
        if let subjectID = draft.subjectID {
            writer.key("subjectID")
            writer.uuid(subjectID)
        }
        writer.key("subjectKind")
        writer.string(draft.subjectKind)
        writer.endObject()
        writer.key("hash")
        writer.string(hash)
        writer.key("previousHash")
        writer.string(previousHash)
        writer.key("sequence")
        writer.int64(sequence)
        writer.endObject()
        return writer.bytes
    }
}
