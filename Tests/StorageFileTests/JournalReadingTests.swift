import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import OnlineSafetyTestKit
import Testing

@testable import StorageFile

/// Opening a store reads its journal with the record's own layout and the kinds' own readers:
/// what it reads must be what `JSONDecoder` reads from the same bytes, and anything it does not
/// read itself must be left to `JSONDecoder`, whose error then names the damage.
@Suite("Flat file: reading journal records")
struct JournalReadingTests {
    private static let texts = [
        "Zoë", "O'Brien", "a/b//c", "\"quoted\" \\ back", "<b>&amp;</b>", "'); DROP TABLE people;--", "tab\tline\nbreak\r",
        "\u{1}\u{8}\u{1F}\u{7F}", "\u{2028}\u{FEFF}", "中村 محمد 👩‍👧 😀", "e\u{301}", "{\"kind\":\"x\"},]}", "",
    ]

    /// A record of every kind of change: people and links (read by their own readers), a school
    /// and a role (left to `JSONDecoder`), audit events with listings, and a purge.
    private static func changes() throws -> [[UInt8]] {
        let encoder = JournalFormat.makeEncoder()
        let trust = Trust(name: "A \"trust\" / ñ", companyNumber: "01234567")
        let school = SchoolID()
        var changes = [try JournalChange.encodeRecord(trust, operation: "insert", with: encoder)]
        var previous: AuditEvent?
        for (index, text) in texts.enumerated() {
            let other = texts[(index + 5) % texts.count]
            let body = String(80_120_000_000 + index) + "A"
            let upn = try UPN(String(UPN.checkLetter(for: Array(body))!) + body)
            let learner = Person(
                tenancy: .school(school), kind: .learner, givenName: text, familyName: other, email: text.isEmpty ? nil : "\(text)@x/y",
                phone: other, sources: [SourceRef(system: "oneroster", id: "{LDAP:\(index)}/\(text)")],
                learner: LearnerDetails(
                    upn: upn, dateOfBirth: CalendarDate(year: 2016, month: 1, day: 1 + index)!, ncYear: .reception,
                    registrationGroup: text, lookedAfter: index.isMultiple(of: 2), groups: [text, other], keyPerson: other,
                    preferredGivenName: index.isMultiple(of: 2) ? other : nil, preferredFamilyName: index.isMultiple(of: 3) ? text : nil),
                leftOn: index.isMultiple(of: 3) ? CalendarDate(year: 2026, month: 7, day: 22) : nil, revision: index + 1)
            let adult = Person(
                tenancy: .trust(trust.id), kind: .parentCarer, givenName: other, familyName: text, jobTitle: text, revision: 1)
            let link = ContactLink(
                schoolID: index.isMultiple(of: 2) ? school : nil, learnerID: learner.id, adultID: adult.id, relationship: .carer,
                parentalResponsibility: true, priority: 2)
            let role = RoleGrant(
                personID: adult.id, role: .governor, scope: .school(school), starts: CalendarDate(year: 2026, month: 9, day: 1)!,
                groups: [text])
            let event = AuditChain.chain(
                AuditDraft(
                    at: Date(timeIntervalSince1970: 1_790_000_000 + Double(index) * 86_400.5 + 0.007), actorID: nil, schoolID: school,
                    action: .personRead, subjectKind: "person", subjectID: learner.id.uuid, outcome: .allowed, reason: text,
                    listed: [learner.id.uuid, adult.id.uuid]),
                after: previous)
            previous = event
            changes += [
                try JournalChange.encodeRecord(learner, operation: index.isMultiple(of: 2) ? "insert" : "update", with: encoder),
                try JournalChange.encodeRecord(adult, operation: "insert", with: encoder),
                try JournalChange.encodeRecord(link, operation: "insert", with: encoder),
                try JournalChange.encodeRecord(role, operation: "insert", with: encoder),
                try JournalChange.encodeAudit(event, with: encoder),
            ]
        }
        changes.append(try JournalChange.encodePurge(kind: ContactLink.recordKind, id: UUID(), with: encoder))
        return changes
    }

    /// The JSON of a whole record (its frame and newline taken off).
    private static func json(_ changes: [[UInt8]], seq: Int64 = 7) -> [UInt8] {
        let framed = JournalFormat.line(seq: seq, prev: String(repeating: "ab", count: 32), changes: changes).bytes
        let afterFrame = framed.indices.filter { framed[$0] == 0x20 }[1] + 1
        return Array(framed[afterFrame..<(framed.count - 1)])
    }

    /// A record's changes and fields, comparable: each record and event as the journal writes it.
    private static func summary(_ line: JournalLine) throws -> [String] {
        let encoder = JournalFormat.makeEncoder()
        func encoded<V: Aggregate>(_ value: V) throws -> [UInt8] { try JournalChange.encodeRecord(value, operation: "-", with: encoder) }
        var out = ["\(line.seq) \(line.prev) \(line.hash)"]
        for change in line.body.changes {
            switch change {
            case .record(let value): out.append("record " + String(decoding: try encoded(value), as: UTF8.self))
            case .audit(let event):
                out.append("audit " + String(decoding: try JournalChange.encodeAudit(event, with: encoder), as: UTF8.self))
            case .purge(let kind, let id): out.append("purge \(kind) \(id)")
            }
        }
        return out
    }

    private static func read(_ json: [UInt8]) -> JournalLine? { JournalLineReader.read(json[...]) }

    private static func decoded(_ json: [UInt8]) -> JournalLine? {
        try? JournalFormat.makeDecoder().decode(JournalLine.self, from: Data(json))
    }

    @Test func everyKindOfChangeReadsAsJSONDecoderReadsIt() throws {
        let changes = try Self.changes()
        let json = Self.json(changes)
        let read = try #require(Self.read(json))
        let expected = try #require(Self.decoded(json))
        #expect(read.body.changes.count == changes.count)
        #expect(try Self.summary(read) == Self.summary(expected))
        // Records keep every field: the people and links read by their own readers equal the
        // values `JSONDecoder` gives.
        for (mine, theirs) in zip(read.body.changes, expected.body.changes) {
            if case .record(let a) = mine, case .record(let b) = theirs { #expect(AnyHashable(a) == AnyHashable(b)) }
        }
    }

    /// People and contact links have readers of their own; other kinds are left to `JSONDecoder`.
    @Test func peopleAndLinksAreReadByTheirOwnReaders() throws {
        let school = SchoolID()
        let person = Person(tenancy: .school(school), kind: .parentCarer, givenName: "Zoë", familyName: "O'Brien", email: "z@x.example")
        let link = ContactLink(
            schoolID: school, learnerID: PersonID(), adultID: person.id, relationship: .mother, parentalResponsibility: true, priority: 1)
        let personBytes = person.storedJSON(escapingSlashes: false)
        let linkBytes = link.storedJSON(escapingSlashes: false)
        let readPerson = try #require(Table<Person>.ownReader)
        let readLink = try #require(Table<ContactLink>.ownReader)
        #expect(personBytes.withUnsafeBufferPointer { readPerson($0) } as? Person == person)
        #expect(linkBytes.withUnsafeBufferPointer { readLink($0) } as? ContactLink == link)
        #expect(Table<RoleGrant>.ownReader == nil)
        #expect(Table<Trust>.ownReader == nil)
    }

    @Test func aRecordOfManyChangesIsReadInPartsAndInOrder() throws {
        let encoder = JournalFormat.makeEncoder()
        let school = SchoolID()
        let people = (0..<(JournalLineReader.minimumPart * 4 + 3)).map { index in
            Person(
                tenancy: .school(school), kind: .staff, givenName: "Name \(index)", familyName: "Ñ\(index)", email: "s\(index)@x.example")
        }
        let json = Self.json(try people.map { try JournalChange.encodeRecord($0, operation: "insert", with: encoder) })
        let read = try #require(Self.read(json))
        let names = read.body.changes.compactMap { change -> String? in
            guard case .record(let value) = change else { return nil }
            return (value as? Person)?.givenName
        }
        #expect(names == people.map(\.givenName))
    }

    @Test func anEmptyRecordAndTheSequenceAreRead() throws {
        let json = Self.json([], seq: 1_234_567)
        let read = try #require(Self.read(json))
        #expect(read.seq == 1_234_567)
        #expect(read.body.changes.isEmpty)
        let expected = try #require(Self.decoded(json))
        #expect(try Self.summary(read) == Self.summary(expected))
    }

    @Test func whatTheReaderDoesNotReadIsLeftToJSONDecoder() throws {
        let changes = try Self.changes()
        let json = String(decoding: Self.json(changes), as: UTF8.self)
        // White space, a key the reader does not know, a kind this SDK does not know, and a
        // leading zero in the sequence: never read here; `JSONDecoder` decides.
        let unknownKind = json.replacingOccurrences(of: #"{"kind":"trust""#, with: #"{"kind":"spaceship""#)
        let spaced = json.replacingOccurrences(of: #"{"body":{"changes":["#, with: #"{"body": {"changes":["#)
        let zeroSeq = json.replacingOccurrences(of: #""seq":7}"#, with: #""seq":07}"#)
        for text in [unknownKind, spaced, zeroSeq] {
            let read = Self.read(Array(text.utf8))
            #expect(read == nil)
        }
        let unknownDecoded = Self.decoded(Array(unknownKind.utf8))
        let zeroDecoded = Self.decoded(Array(zeroSeq.utf8))
        #expect(unknownDecoded == nil)
        #expect(zeroDecoded == nil)
        // A person with a key its reader does not know: that change goes to `JSONDecoder`, which
        // ignores the key, and the record still reads as a whole record does.
        let extraKey = json.replacingOccurrences(of: #""givenName":"Zoë""#, with: #""givenName":"Zoë","nickname":"Z""#)
        #expect(extraKey.utf8.count > json.utf8.count)
        let read = try #require(Self.read(Array(extraKey.utf8)))
        let expected = try #require(Self.decoded(Array(extraKey.utf8)))
        #expect(try Self.summary(read) == Self.summary(expected))
    }

    /// Thousands of records with bytes changed, cut or repeated: whenever the reader gives a
    /// record, `JSONDecoder` gives the same one; whenever `JSONDecoder` refuses, so does it.
    @Test func mutatedRecordsReadAsJSONDecoderReadsThemOrAreLeftToIt() throws {
        let json = Self.json(Array(try Self.changes().prefix(16)))
        var random = SeededRandom(seed: 0x5EED_F00D)
        let interesting = Array(#"{}[]",:\ 0aZ"#.utf8) + [0x00, 0x0A, 0xC3, 0xFF]
        var agreed = 0
        var readHere = 0
        for round in 0..<3_000 {
            var bytes = json
            for _ in 0...(round % 3) {
                let at = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 4 {
                case 0: bytes[at] = interesting[Int(random.next() % UInt64(interesting.count))]
                case 1: bytes.remove(at: at)
                case 2: bytes.insert(interesting[Int(random.next() % UInt64(interesting.count))], at: at)
                default: bytes[at] ^= UInt8(1 << (random.next() % 8))
                }
            }
            let expected = Self.decoded(bytes)
            guard let read = Self.read(bytes) else { continue }
            readHere += 1
            let theirs = try #require(expected, "the reader read a record JSONDecoder refuses (round \(round))")
            #expect(try Self.summary(read) == Self.summary(theirs), "round \(round)")
            agreed += 1
        }
        #expect(agreed == readHere)
        #expect(readHere > 100)
    }

    /// A damaged record is named by what it writes, read a change at a time when it is laid out
    /// as the writer lays it out (so a trust's roster is never parsed whole), and the same
    /// whichever way it is read.
    @Test func aDamagedRecordIsNamedByWhatItWritesChangeByChange() throws {
        // Read as JSON, a purge names its kind but not its identifier (it has no `value`), so the
        // records and events alone are compared with the decoded record; with the purge, the
        // change-by-change reading is compared with the reading of the whole line.
        let all = try Self.changes()
        let withPurge = Self.json(all)
        let spacedPurge = Array(
            String(decoding: withPurge, as: UTF8.self).replacingOccurrences(of: #"{"body":{"changes":["#, with: #"{"body": {"changes":["#)
                .utf8)
        #expect(JournalSalvage.touches(withPurge[...]) == JournalSalvage.touches(spacedPurge[...]))
        let changes = Array(all.dropLast())
        let json = Self.json(changes)
        let expected = JournalSalvage.touches(try #require(Self.decoded(json)))
        #expect(expected.count == changes.count)
        let ranges = try #require(JournalLineReader.changeRanges(json[...]))
        #expect(ranges.count == changes.count)
        #expect(JournalSalvage.touches(json[...]) == expected)
        // Its hash altered, or white space where the writer writes none: still every change.
        let text = String(decoding: json, as: UTF8.self)
        let badHash = Array(text.replacingOccurrences(of: #","hash":""#, with: #","hash":"x"#).utf8)
        #expect(JournalSalvage.touches(badHash[...]) == expected)
        let spaced = Array(text.replacingOccurrences(of: #"{"body":{"changes":["#, with: #"{"body": {"changes": ["#).utf8)
        #expect(JournalLineReader.changeRanges(spaced[...]) == nil)
        #expect(JournalSalvage.touches(spaced[...]) == expected)
        // A change that no longer parses: the bytes are scanned, and still name what they write.
        var brokenText = text
        let update = try #require(brokenText.range(of: #","op":"update","value":{"#))
        brokenText.replaceSubrange(update, with: #","op":"update","value":{{"#)
        let broken = Array(brokenText.utf8)
        #expect(broken.count > json.count)
        let scanned = JournalSalvage.touches(broken[...])
        #expect(scanned.count == changes.count)
        // Every change but the broken one (whose identifier the scan cannot reach) is named as before.
        #expect(zip(scanned, expected).filter { $0 != $1 }.count == 1)
        // An empty record splits into no changes.
        let empty = Self.json([])
        #expect(JournalLineReader.changeRanges(empty[...]) == [])
    }

    @Test func crc32MatchesTheStandardAndTheBytewiseRegister() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
        var random = SeededRandom(seed: 42)
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            var register: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                register ^= UInt32(byte)
                for _ in 0..<8 { register = register & 1 == 1 ? 0xEDB8_8320 ^ (register >> 1) : register >> 1 }
            }
            #expect(CRC32.checksum(bytes) == register ^ 0xFFFF_FFFF, "length \(length)")
            let cut = length / 3
            let parts = CRC32.finish(CRC32.update(CRC32.update(CRC32.start, Array(bytes[..<cut])), Array(bytes[cut...])))
            #expect(parts == register ^ 0xFFFF_FFFF, "length \(length) in two parts")
        }
    }
}
