import Foundation
import Testing

@testable @_spi(StorageBackend) import OnlineSafetyCore

/// The text handling that skips `NSString` on the import's hot paths gives Foundation's answers.
@Suite("Text fast paths")
struct TextFastPathTests {
    /// Characters the samples are built from: letters, digits, punctuation, accents, combining
    /// marks, every kind of white space and line break, and characters beside them.
    private static let pieces: [String] = [
        "a", "Z", "7", "-", "'", ".", "_", "é", "Zoë", "ß", "Ł", "\u{301}", "中", "👩‍👧", " ", "\t", "\n", "\r\n", "\u{0B}",
        "\u{0C}", "\u{85}", "\u{A0}", "\u{1680}", "\u{2000}", "\u{2007}", "\u{200A}", "\u{200B}", "\u{2028}", "\u{2029}",
        "\u{202F}", "\u{205F}", "\u{3000}", "\u{FEFF}", "\u{180E}", "\u{1F}", "\u{7F}",
    ]

    @Test func trimmingMatchesFoundationOverEveryWhiteSpaceCharacterAndRandomText() {
        for value in 0...0x3100 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = "\(Character(scalar))x\(Character(scalar))"
            #expect(text.trimmedWhitespace() == text.trimmingCharacters(in: .whitespacesAndNewlines), "U+\(String(value, radix: 16))")
            let alone = String(Character(scalar))
            #expect(alone.isBlank == alone.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "U+\(String(value, radix: 16))")
        }
        var numbers = SeededNumbers(state: 7)
        for _ in 0..<5_000 {
            let text = (0..<Int.random(in: 0...8, using: &numbers)).map { _ in Self.pieces.randomElement(using: &numbers)! }.joined()
            #expect(text.trimmedWhitespace() == text.trimmingCharacters(in: .whitespacesAndNewlines))
            #expect(text.isBlank == text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
            let slice = text.dropFirst()
            #expect(slice.trimmedWhitespace() == slice.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        #expect("  Ada Lovelace \n".trimmedWhitespace() == "Ada Lovelace")
        #expect(" \u{3000}\t".isBlank)
        #expect(!" x ".isBlank)
    }

    /// A name for matching is worked out over the bytes when it is plain ASCII; it must be what
    /// Foundation's folding gives, and text that is not ASCII still goes through the folding.
    @Test func matchingNamesOfPlainTextAreWhatFoldingGives() {
        func folded(_ given: String, _ family: String) -> String {
            "\(given) \(family)".folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
                .split { !$0.isLetter && !$0.isNumber }.joined(separator: " ")
        }
        let ascii = (0x20...0x7E).map { String(UnicodeScalar($0)!) } + ["\t", "\n"]
        var numbers = SeededNumbers(state: 11)
        for _ in 0..<5_000 {
            let given = (0..<Int.random(in: 0...6, using: &numbers)).map { _ in ascii.randomElement(using: &numbers)! }.joined()
            let family = (0..<Int.random(in: 0...6, using: &numbers)).map { _ in ascii.randomElement(using: &numbers)! }.joined()
            #expect(RosterNormal.name(given, family) == folded(given, family))
        }
        #expect(RosterNormal.name("  Mary-Jane ", "O'BRIEN") == "mary jane o brien")
        #expect(RosterNormal.name("Zoë", "Łukasz") == folded("Zoë", "Łukasz"))
        #expect(RosterNormal.name("Zoë", "Smith") == RosterNormal.name("zoe", "SMITH"))
    }

    /// A phone number for matching is its ASCII digits (a leading 44 read as 0), worked out over
    /// the bytes when the text is ASCII: the same digits its characters give.
    @Test func phoneNumbersForMatchingAreTheirDigits() {
        func characters(_ value: String) -> String? {
            var digits = value.filter(\.isASCIIDigit)
            if digits.hasPrefix("44") { digits = "0" + digits.dropFirst(2) }
            return digits.count >= 6 ? digits : nil
        }
        let pieces = ["0", "1", "4", "7", "9", " ", "+", "(", ")", "-", ".", "x", "\t", "٣", "\u{301}", "\r\n", "é"]
        var numbers = SeededNumbers(state: 17)
        for _ in 0..<5_000 {
            let text = (0..<Int.random(in: 0...16, using: &numbers)).map { _ in pieces.randomElement(using: &numbers)! }.joined()
            #expect(RosterNormal.phone(text) == characters(text))
        }
        #expect(RosterNormal.phone("+44 (0)1632 960 123") == "001632960123")
        #expect(RosterNormal.phone("01632 960123") == "01632960123")
        #expect(RosterNormal.phone("12345") == nil)
        #expect(RosterNormal.phone(nil) == nil)
    }

    @Test func newIdentifiersAreVersionFourUUIDsAndDoNotRepeat() {
        var seen = Set<UUID>()
        for _ in 0..<20_000 {
            let uuid = PersonID().uuid
            let text = uuid.uuidString
            #expect(Array(text)[14] == "4", "version 4")
            #expect("89AB".contains(Array(text)[19]), "the RFC 9562 variant")
            seen.insert(uuid)
        }
        #expect(seen.count == 20_000)
    }
}

/// A contact link's sort key is its priority as `%06d` writes it, without the C library.
@Test func aContactLinksSortKeyIsItsPriorityInSixDigits() {
    for priority in [0, 1, 7, 42, 999, 12_345, 999_999, 1_000_000, 123_456_789, -1, -42] {
        let link = ContactLink(
            schoolID: SchoolID(), learnerID: PersonID(), adultID: PersonID(), relationship: .mother, parentalResponsibility: true,
            priority: priority)
        #expect(link.sortKey == String(format: "%06d", priority))
    }
}

/// Digests are written as two lower-case hexadecimal digits a byte, as `String(_:radix:)` pads them.
@Test func hexTextIsTwoLowerCaseDigitsPerByte() {
    let bytes = (0...255).map(UInt8.init) + [0, 15, 16, 255]
    let expected = bytes.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    #expect(HexText.lowercase(bytes) == expected)
    #expect(HexText.lowercase([UInt8]()).isEmpty)
}

/// A calendar date is written and read over its bytes: every day from year 0 to 9999 that is
/// sampled prints as `%04d-%02d-%02d`, decodes back to itself, and near-misses of the form are
/// refused exactly as before (a day that does not exist, a digit that is not ASCII, a short
/// part), while the older short-year form is still read.
@Test func aCalendarDateIsWrittenAndReadOverItsBytes() throws {
    let decoder = JSONDecoder()
    func decoded(_ text: String) -> CalendarDate? { try? decoder.decode(CalendarDate.self, from: Data("\"\(text)\"".utf8)) }
    var numbers = SeededNumbers(state: 11)
    for _ in 0..<20_000 {
        let year = Int.random(in: 0...9999, using: &numbers)
        let month = Int.random(in: 1...12, using: &numbers)
        let day = Int.random(in: 1...31, using: &numbers)
        let text = String(format: "%04d-%02d-%02d", year, month, day)
        guard let date = CalendarDate(year: year, month: month, day: day) else {
            #expect(decoded(text) == nil, "\(text) is not a day")
            #expect(CalendarDate(iso: text) == nil)
            continue
        }
        #expect(date.description == text)
        #expect(decoded(text) == date)
        #expect(CalendarDate(iso: text) == date)
    }
    for text in [
        "2025-02-29", "2025-13-01", "2025-00-10", "2025-1-01", "2025-01-1", "20250101--", "2025/01/01", "２025-01-01", "2025-01-01 ",
    ] {
        #expect(decoded(text) == nil, "\(text)")
        #expect(CalendarDate(iso: text) == nil, "\(text)")
    }
    #expect(decoded("2024-02-29") == CalendarDate(year: 2024, month: 2, day: 29))
    #expect(decoded("226-09-01") == CalendarDate(year: 226, month: 9, day: 1))
    #expect(decoded("0226-09-01") == CalendarDate(year: 226, month: 9, day: 1))
    #expect(decoded("0226-9-01") == nil)
}
