import Foundation
import Testing

@testable @_spi(StorageBackend) import OnlineSafetyCore

/// People and contact links read straight from their stored JSON are the values `JSONDecoder`
/// reads from the same bytes, and a document the fast reader does not read is left to it.
@Suite("Stored JSON read from its bytes")
struct StoredJSONTests {
    /// Pieces of text: quotes, backslashes, slashes, markup and SQL metacharacters, control
    /// characters, accents, combining marks, non-Latin letters and emoji.
    private static let pieces: [String] = [
        "a", "Z", "7", "'", "\"", "\\", "/", "<", ">", "&", "é", "Zoë", "ß", "Ł", "中文", "👩‍👧", "\u{301}", "\t", "\n", "\r",
        "\u{0}", "\u{1F}", "\u{7F}", "\u{2028}", "\u{FEFF}", "\u{10FFFF}", "O'Brien", "'); DROP TABLE people;--", " ", "😀", "ﷺ",
        "<script>", "{\"id\":1}",
    ]

    private static func text(_ numbers: inout SeededNumbers, upTo count: Int = 5) -> String {
        (0..<Int.random(in: 0...count, using: &numbers)).map { _ in pieces.randomElement(using: &numbers)! }.joined()
    }

    private static func maybe<T>(_ numbers: inout SeededNumbers, _ make: (inout SeededNumbers) -> T) -> T? {
        Bool.random(using: &numbers) ? make(&numbers) : nil
    }

    /// A UPN with its right check letter, from 12 random characters after it.
    private static func upn(_ numbers: inout SeededNumbers) -> UPN {
        let body = (0..<11).map { _ in String(Int.random(in: 0...9, using: &numbers)) }.joined() + "A"
        return try! UPN(String(UPN.checkLetter(for: Array(body))!) + body)
    }

    private static func date(_ numbers: inout SeededNumbers) -> CalendarDate {
        CalendarDate(year: Int.random(in: 1_990...2_030, using: &numbers), month: Int.random(in: 1...12, using: &numbers), day: 28)!
    }

    static func person(_ numbers: inout SeededNumbers) -> Person {
        let kind = PersonKind.allCases.randomElement(using: &numbers)!
        let tenancy: Tenancy = Bool.random(using: &numbers) ? .school(SchoolID()) : .trust(TrustID())
        let sources = (0..<Int.random(in: 0...3, using: &numbers)).map { _ in
            SourceRef(system: Self.text(&numbers, upTo: 2), id: Self.text(&numbers, upTo: 3))
        }
        var learner: LearnerDetails?
        if kind == .learner {
            learner = LearnerDetails(
                upn: upn(&numbers), dateOfBirth: date(&numbers), ncYear: NCYear.allCases.randomElement(using: &numbers)!,
                registrationGroup: maybe(&numbers) { text(&$0) }, lookedAfter: Bool.random(using: &numbers),
                send: Bool.random(using: &numbers), eal: Bool.random(using: &numbers),
                groups: (0..<Int.random(in: 0...3, using: &numbers)).map { _ in text(&numbers) },
                keyPerson: maybe(&numbers) { text(&$0) }, preferredGivenName: maybe(&numbers) { text(&$0) },
                preferredFamilyName: maybe(&numbers) { text(&$0) })
        }
        return Person(
            tenancy: tenancy, kind: kind, givenName: text(&numbers), familyName: text(&numbers),
            email: maybe(&numbers) { text(&$0) }, phone: maybe(&numbers) { text(&$0) }, sources: sources,
            jobTitle: maybe(&numbers) { text(&$0) }, learner: learner, leftOn: maybe(&numbers) { date(&$0) },
            revision: Int.random(in: 0...100_000, using: &numbers))
    }

    static func link(_ numbers: inout SeededNumbers) -> ContactLink {
        ContactLink(
            schoolID: Bool.random(using: &numbers) ? SchoolID() : nil, learnerID: PersonID(), adultID: PersonID(),
            relationship: Relationship.allCases.randomElement(using: &numbers)!, parentalResponsibility: Bool.random(using: &numbers),
            priority: Int.random(in: 1...9, using: &numbers), revision: Int.random(in: 0...50, using: &numbers))
    }

    private static var writers: [JSONEncoder] { StoredJSONLayouts.writers }

    private static func canonical<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try! encoder.encode(value)
    }

    private static func fast<T: StoredJSONReadable>(_ type: T.Type, _ bytes: [UInt8]) -> T? {
        bytes.withUnsafeBufferPointer { T.readStoredJSON($0) }
    }

    /// Every document the coding writes is read by the fast reader, to the value (and the very
    /// bytes, once written again) that `JSONDecoder` reads.
    private func readsEveryWrittenDocument<T: Codable & StoredJSONReadable & Equatable>(
        _ type: T.Type, count: Int, seed: UInt64, _ make: (inout SeededNumbers) -> T
    ) throws {
        var numbers = SeededNumbers(state: seed)
        for _ in 0..<count {
            let value = make(&numbers)
            for writer in Self.writers {
                let bytes = Array(try writer.encode(value))
                let decoded = try JSONDecoder().decode(T.self, from: Data(bytes))
                let read = try #require(Self.fast(T.self, bytes), "the fast reader reads what the coding writes")
                #expect(read == decoded)
                #expect(Self.canonical(read) == Self.canonical(decoded), "the same text, byte for byte")
                #expect(read == value)
            }
        }
    }

    @Test func peopleAreReadAsJSONDecoderReadsThem() throws {
        try readsEveryWrittenDocument(Person.self, count: 2_000, seed: 31) { Self.person(&$0) }
    }

    @Test func contactLinksAreReadAsJSONDecoderReadsThem() throws {
        try readsEveryWrittenDocument(ContactLink.self, count: 2_000, seed: 37) { Self.link(&$0) }
    }

    /// The kinds' own writers give `JSONEncoder`'s bytes exactly (a row's MAC is computed over
    /// them), for every control character, escapes and text beside, and read back to the value.
    private func writesWhatJSONEncoderWrites<T: Codable & StoredJSONReadable & StoredJSONWritable & Equatable>(
        _ type: T.Type, count: Int, seed: UInt64, _ make: (inout SeededNumbers) -> T
    ) throws {
        var numbers = SeededNumbers(state: seed)
        for _ in 0..<count {
            let value = make(&numbers)
            let written = value.storedJSON()
            #expect(Data(written) == Self.canonical(value), "byte for byte what JSONEncoder writes")
            #expect(Self.fast(T.self, written) == value)
            let slashes = JSONEncoder()
            slashes.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            #expect(Data(value.storedJSON(escapingSlashes: false)) == (try slashes.encode(value)), "and without escaped slashes")
        }
    }

    @Test func peopleAreWrittenAsJSONEncoderWritesThem() throws {
        try writesWhatJSONEncoderWrites(Person.self, count: 3_000, seed: 53) { Self.person(&$0) }
        // Every character below U+0020, and U+007F, alone and beside others.
        for value in 0...0x7F {
            let character = String(UnicodeScalar(UInt8(value)))
            let person = Person(
                tenancy: .school(SchoolID()), kind: .staff, givenName: character, familyName: "a\(character)b/\\\"",
                email: character + character, sources: [SourceRef(system: character, id: "x\(character)")], revision: value)
            #expect(Data(person.storedJSON()) == Self.canonical(person), "U+\(String(value, radix: 16))")
        }
        let negative = Person(tenancy: .trust(TrustID()), kind: .visitor, givenName: "", familyName: "", revision: -7)
        #expect(Data(negative.storedJSON()) == Self.canonical(negative))
    }

    /// A learner stored before preferred names were kept (no such keys) reads, by `JSONDecoder`
    /// and by the fast reader, with none and is shown by the legal name; it writes back to the
    /// very same bytes, so its row's MAC still holds. Preferred names, once held, are written
    /// beside the legal names and read back.
    @Test func aLearnerStoredWithoutPreferredNamesReadsAndWritesUnchanged() throws {
        let id = PersonID()
        let school = SchoolID()
        let older = Array(
            ("{\"familyName\":\"Oakley\",\"givenName\":\"Ava\",\"id\":\"\(id.uuidString)\",\"kind\":\"learner\","
                + "\"learner\":{\"dateOfBirth\":\"2017-03-14\",\"eal\":false,\"lookedAfter\":false,\"ncYear\":\"4\","
                + "\"registrationGroup\":\"Oak\",\"send\":false,\"upn\":\"B801200005001\"},\"revision\":3,"
                + "\"tenancy\":{\"school\":{\"_0\":\"\(school.uuidString)\"}}}").utf8)
        let decoded = try JSONDecoder().decode(Person.self, from: Data(older))
        #expect(decoded.learner?.preferredGivenName == nil && decoded.learner?.preferredFamilyName == nil)
        #expect(decoded.givenName == "Ava" && decoded.familyName == "Oakley" && decoded.learner?.registrationGroup == "Oak")
        #expect(decoded.displayName == "Ava Oakley" && decoded.fullName == "Ava Oakley" && !decoded.isKnownByAnotherName)
        #expect(Self.fast(Person.self, older) == decoded, "the fast reader reads it too")
        #expect(decoded.storedJSON() == older, "written back byte for byte")
        #expect(Self.canonical(decoded) == Data(older))

        var known = decoded
        known.learner?.preferredGivenName = "Avie"
        known.learner?.preferredFamilyName = "Oakley-Hart"
        let written = known.storedJSON()
        #expect(Data(written) == Self.canonical(known))
        let text = String(decoding: written, as: UTF8.self)
        #expect(text.contains("\"preferredFamilyName\":\"Oakley-Hart\",\"preferredGivenName\":\"Avie\""))
        #expect(text.contains("\"givenName\":\"Ava\""), "the legal name stays")
        #expect(try JSONDecoder().decode(Person.self, from: Data(written)) == known)
        #expect(Self.fast(Person.self, written) == known)
        #expect(known.fullName == "Ava Oakley" && known.displayName == "Avie Oakley-Hart" && known.isKnownByAnotherName)
        #expect(known.sortKey == decoded.sortKey, "a preferred name does not move a learner in a list")
    }

    @Test func contactLinksAreWrittenAsJSONEncoderWritesThem() throws {
        try writesWhatJSONEncoderWrites(ContactLink.self, count: 2_000, seed: 59) { Self.link(&$0) }
    }

    /// Mutated documents: whenever the fast reader gives a value, `JSONDecoder` reads the same
    /// bytes to the same value; it never reads a document differently, and it never crashes.
    @Test func aMutatedDocumentIsReadAsJSONDecoderReadsItOrLeftToIt() throws {
        var numbers = SeededNumbers(state: 41)
        let significant = Array("{}[]\":,\\ 0123456789-.eEtrufalsn/u\t\n".utf8) + [0x00, 0x7F, 0xC3, 0xA9, 0xF0, 0xFF]
        var readFast = 0
        var cases = 0
        func check<T: Codable & StoredJSONReadable & Equatable>(_ type: T.Type, _ bytes: [UInt8]) {
            cases += 1
            guard let read = Self.fast(T.self, bytes) else { return }
            readFast += 1
            let decoded = try? JSONDecoder().decode(T.self, from: Data(bytes))
            #expect(decoded != nil, "a document the fast reader reads is one JSONDecoder reads")
            if let decoded {
                #expect(read == decoded)
                #expect(Self.canonical(read) == Self.canonical(decoded))
            }
        }
        for round in 0..<12_000 {
            let isPerson = round % 3 != 0
            let writer = Self.writers.randomElement(using: &numbers)!
            let written =
                isPerson ? Array(try writer.encode(Self.person(&numbers))) : Array(try writer.encode(Self.link(&numbers)))
            let bytes = numbers.mutated(written, from: significant)
            if isPerson { check(Person.self, bytes) } else { check(ContactLink.self, bytes) }
            // Cut short anywhere.
            if isPerson { check(Person.self, Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &numbers)))) }
        }
        #expect(cases == 20_000)
        #expect(readFast > 0, "some mutations (inside text) leave a document the fast reader still reads")
    }

    /// What the fast reader leaves to `JSONDecoder`: a record that names its school the old way,
    /// a key it does not know, a fraction, a `null`, an unpaired surrogate, a wrong check letter.
    @Test func documentsItDoesNotReadAreLeftToJSONDecoder() throws {
        let school = SchoolID()
        let id = PersonID()
        func document(_ members: String) -> [UInt8] { Array("{\(members)}".utf8) }
        let plain =
            "\"id\": \"\(id.uuidString)\", \"kind\": \"staff\", \"givenName\": \"Ada\", \"familyName\": \"L\", \"revision\": 2, "

        let tenancy = document(plain + "\"tenancy\": {\"school\": {\"_0\": \"\(school.uuidString)\"}}")
        let read = try #require(Self.fast(Person.self, tenancy))
        #expect(read.tenancy == .school(school) && read.id == id && read.revision == 2)

        let legacy = document(plain + "\"schoolID\": \"\(school.uuidString)\"")
        #expect(Self.fast(Person.self, legacy) == nil)
        #expect(try JSONDecoder().decode(Person.self, from: Data(legacy)).tenancy == .school(school), "read the old way instead")

        let schoolPart = "\"tenancy\": {\"school\": {\"_0\": \"\(school.uuidString)\"}}"
        for odd in [
            plain + schoolPart + ", \"nickname\": \"x\"",
            plain.replacingOccurrences(of: "\"revision\": 2", with: "\"revision\": 2.0") + schoolPart,
            plain + schoolPart + ", \"email\": null",
            plain.replacingOccurrences(of: "Ada", with: "\\ud83d") + schoolPart,
            plain + schoolPart + ", \"givenName\": \"Bea\"",
            plain + "\"tenancy\": {\"school\": {\"_0\": \"\(school.uuidString)\"}, \"trust\": {\"_0\": \"\(school.uuidString)\"}}",
        ] {
            #expect(Self.fast(Person.self, document(odd)) == nil, "left to JSONDecoder: \(odd)")
        }

        var numbers = SeededNumbers(state: 43)
        let valid = Self.upn(&numbers).value
        let wrong = (valid.first == "A" ? "B" : "A") + valid.dropFirst()
        let learner =
            plain.replacingOccurrences(of: "staff", with: "learner") + schoolPart
            + ", \"learner\": {\"upn\": \"\(wrong)\", \"dateOfBirth\": \"2015-01-01\", \"ncYear\": \"5\", \"lookedAfter\": false, "
            + "\"send\": false, \"eal\": false}"
        let refused = #expect(throws: SafetyError.self) { try JSONDecoder().decode(Person.self, from: Data(document(learner))) }
        #expect(refused?.code == .invalidInput)
        #expect(Self.fast(Person.self, document(learner)) == nil, "a wrong check letter is JSONDecoder's error to give")

        // Escapes, a surrogate pair among them, are read as JSON reads them.
        let escaped = document(plain.replacingOccurrences(of: "Ada", with: "Zo\\u00eb \\ud83d\\ude00 \\\"\\/\\n") + schoolPart)
        let decoded = try JSONDecoder().decode(Person.self, from: Data(escaped))
        #expect(decoded.givenName == "Zoë 😀 \"/\n")
        #expect(Self.fast(Person.self, escaped) == decoded)
    }
}
