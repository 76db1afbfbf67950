import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
@_spi(StorageBackend) import OnlineSafetyTestKit
import PostgresNIO
import Testing

@testable import StoragePostgres

/// People and contact links come back from PostgreSQL as `jsonb` prints them (keys reordered,
/// white space added, escapes rewritten); the fast reader reads that text itself, to the records
/// the store wrote.
@Suite("PostgreSQL: stored people and contacts read from jsonb's text", .enabled(if: PostgresTestDatabase.shouldRun))
struct StoredJSONReadTests {
    private static let names = [
        "Zoë", "O'Brien", "Łukasz", "Nguyễn", "中村", "محمد", "👩‍👧 Kim", "\"Quoted\" \\ back/slash", "<b>&amp;</b>",
        "'); DROP TABLE people;--", "tab\tline\nbreak", "\u{1F}\u{7F}\u{2028}\u{FEFF}", "e\u{301}", "😀",
    ]

    @Test func jsonbTextIsReadByTheFastReaderToTheRecordsWritten() async throws {
        let store = try await PostgresTestDatabase.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let school = fixture.school.id
        var people: [Person] = []
        var links: [ContactLink] = []
        for (index, name) in Self.names.enumerated() {
            let learner = Person(
                tenancy: .school(school), kind: .learner, givenName: name, familyName: Self.names[(index + 3) % Self.names.count],
                sources: [SourceRef(system: "onerOster", id: "{LDAP:\(index)} \(name)")],
                learner: LearnerDetails(
                    upn: Self.upn(index),
                    dateOfBirth: CalendarDate(year: 2016, month: 3, day: 1 + index)!, ncYear: .year4, registrationGroup: name,
                    groups: [name, "Oak"], keyPerson: name, preferredGivenName: index.isMultiple(of: 2) ? name : nil,
                    preferredFamilyName: index.isMultiple(of: 3) ? name : nil))
            let adult = Person(
                tenancy: .school(school), kind: .parentCarer, givenName: name, familyName: "Parent", email: "\(index)@example.org",
                phone: "+44 7700 900\(100 + index)")
            people += [learner, adult]
            links.append(
                ContactLink(
                    schoolID: index.isMultiple(of: 2) ? school : nil, learnerID: learner.id, adultID: adult.id, relationship: .mother,
                    parentalResponsibility: true, priority: 1 + index % 3))
        }
        try await store.withTransaction { [people, links] tx in
            try await tx.people.insertMany(people)
            try await tx.contacts.insertMany(links)
        }
        let texts = try await PostgresTestDatabase.withRawConnection(store.configuration) { connection in
            var texts: [String: String] = [:]
            for table in ["people", "contacts"] {
                for try await (id, doc) in try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT id, doc::text FROM \(table)"), logger: PostgresTestDatabase.logger
                ).decode((UUID, String).self) {
                    texts[UUIDText.string(id)] = doc
                }
            }
            return texts
        }
        func fast<T: StoredJSONReadable>(_ type: T.Type, _ text: String) -> T? {
            Array(text.utf8).withUnsafeBufferPointer { T.readStoredJSON($0) }
        }
        for person in people {
            let text = try #require(texts[UUIDText.string(person.id.uuid)])
            let read = try #require(fast(Person.self, text), "jsonb's text of a person is read by the fast reader")
            #expect(try await store.people.get(person.id) == read, "the store reads it so, its MAC checked")
            #expect(read.givenName == person.givenName && read.familyName == person.familyName, "names unchanged")
            #expect(read.sources == person.sources && read.learner == person.learner && read.phone == person.phone)
        }
        for link in links {
            let text = try #require(texts[UUIDText.string(link.id.uuid)])
            let read = try #require(fast(ContactLink.self, text))
            #expect(try await store.contacts.get(link.id) == read)
            #expect(read.schoolID == link.schoolID && read.adultID == link.adultID && read.priority == link.priority)
        }
        #expect(texts.values.contains { $0.contains(": ") }, "jsonb's text has white space the SDK's coding does not write")
    }

    private static func upn(_ index: Int) -> UPN {
        let body = String(80_120_000_000 + index) + "A"
        return try! UPN(String(UPN.checkLetter(for: Array(body))!) + body)
    }
}
