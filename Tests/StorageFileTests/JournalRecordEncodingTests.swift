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
                    registrationGroup: text, lookedAfter: index.isMultiple(of: 2), groups: [text, other], keyPerson: other,
                    preferredGivenName: index.isMultiple(of: 2) ? other : nil, preferredFamilyName: index.isMultiple(of: 3) ? text : nil),
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

    @Test func auditChangesAreTheBytesTheJournalsEncoderWrites() throws {
        let encoder = JournalFormat.makeEncoder()
        var previous: AuditEvent?
        var checked = 0
        for (index, text) in Self.texts.enumerated() {
            let school: SchoolID? = index.isMultiple(of: 4) ? nil : SchoolID()
            let draft = AuditDraft(
                at: Date(timeIntervalSince1970: 1_790_000_000 + Double(index) * 86_400.5 + 0.007),
                actorID: index.isMultiple(of: 3) ? nil : PersonID(), schoolID: school, action: AuditAction(stored: "person.read/\(text)"),
                subjectKind: text.isEmpty ? "person" : text, subjectID: index.isMultiple(of: 5) ? nil : UUID(),
                outcome: index.isMultiple(of: 2) ? .allowed : .denied, reason: index.isMultiple(of: 3) ? text : nil,
                restricted: index.isMultiple(of: 2), listed: (0..<(index % 3)).map { _ in UUID() })
            let event = AuditChain.chain(draft, after: previous)
            previous = event
            #expect(try JournalChange.encodeAudit(event, with: encoder) == JournalChange.encodeAuditWithJSONEncoder(event, with: encoder))
            checked += 1
        }
        // An instant that is not a whole millisecond is written as a number: by `JSONEncoder`.
        var odd = AuditChain.chain(
            AuditDraft(at: Date(), actorID: nil, schoolID: nil, action: .personRead, subjectKind: "person", subjectID: nil), after: nil)
        odd.draft.at = Date(timeIntervalSinceReferenceDate: 0.000_1)
        let oddBytes = try JournalChange.encodeAudit(odd, with: encoder)
        #expect(oddBytes == (try JournalChange.encodeAuditWithJSONEncoder(odd, with: encoder)))
        #expect(String(decoding: oddBytes, as: UTF8.self).contains(#""at":0.0001"#))
        // And every change reads back as the event it was written from.
        let decoded = try JournalFormat.makeDecoder().decode(JournalChange.self, from: Data(oddBytes))
        guard case .audit(let back) = decoded else {
            Issue.record("an audit change read back as another kind of change")
            return
        }
        #expect(back == odd)
        #expect(checked == Self.texts.count)
    }
}

/// A record change as the journal's coding writes it, through `JSONEncoder`.
private struct Change<V: Aggregate>: Encodable {
    let kind: String
    let op: String
    let value: V
}
