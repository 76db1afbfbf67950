import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import Testing

@testable import StorageFile

/// People and contact links are written into the journal by their own writers: the change's
/// bytes are the ones the journal's `JSONEncoder` writes, so lines written before and after read
/// and chain alike.
@Suite("Flat file: record changes written by the kinds' own writers")
struct JournalRecordEncodingTests {
    private static let texts = [
        "Zoë", "O'Brien", "a/b//c", "\"quoted\" \\ back", "<b>&amp;</b>", "'); DROP TABLE people;--", "tab\tline\nbreak\r",
        "\u{0}\u{1}\u{8}\u{C}\u{1F}\u{7F}", "\u{2028}\u{2029}\u{FEFF}", "中村 محمد 👩‍👧 😀", "e\u{301}", "",
    ]

    @Test func peopleAndLinksAreTheBytesTheJournalsEncoderWrites() throws {
        let encoder = JournalFormat.makeEncoder()
        func viaEncoder<V: Aggregate>(_ value: V, _ op: String) throws -> [UInt8] {
            Array(try encoder.encode(Change(kind: V.recordKind, op: op, value: value)))
        }
        var checked = 0
        for (index, text) in Self.texts.enumerated() {
            let other = Self.texts[(index + 5) % Self.texts.count]
            let body = String(80_120_000_000 + index) + "A"
            let upn = try UPN(String(UPN.checkLetter(for: Array(body))!) + body)
            let learner = Person(
                tenancy: .school(SchoolID()), kind: .learner, givenName: text, familyName: other, email: text.isEmpty ? nil : "\(text)@x/y",
                phone: other, sources: [SourceRef(system: "oneroster", id: "{LDAP:\(index)}/\(text)")],
                learner: LearnerDetails(
                    upn: upn, dateOfBirth: CalendarDate(year: 2016, month: 1, day: 1 + index)!, ncYear: .reception,
                    registrationGroup: text, lookedAfter: index.isMultiple(of: 2), groups: [text, other], keyPerson: other),
                leftOn: index.isMultiple(of: 3) ? CalendarDate(year: 2026, month: 7, day: 22) : nil, revision: index)
            let adult = Person(
                tenancy: .trust(TrustID()), kind: .parentCarer, givenName: other, familyName: text, jobTitle: text, revision: 1)
            let link = ContactLink(
                schoolID: index.isMultiple(of: 2) ? SchoolID() : nil, learnerID: learner.id, adultID: adult.id, relationship: .carer,
                parentalResponsibility: true, priority: 2)
            for op in ["insert", "update"] {
                #expect(try JournalChange.encodeRecord(learner, operation: op, with: encoder) == viaEncoder(learner, op))
                #expect(try JournalChange.encodeRecord(adult, operation: op, with: encoder) == viaEncoder(adult, op))
                #expect(try JournalChange.encodeRecord(link, operation: op, with: encoder) == viaEncoder(link, op))
                checked += 3
            }
        }
        #expect(checked == Self.texts.count * 6)
    }
}

/// A record change as the journal's coding writes it, through `JSONEncoder`.
private struct Change<V: Aggregate>: Encodable {
    let kind: String
    let op: String
    let value: V
}
