import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import Testing

@testable import StorageFile

/// Kinds the store keeps before `OnlineSafetyStore` exposes their repositories: list-valued
/// index columns and append-only records, through the same generic repository.
@Suite("File store: incident kinds")
struct IncidentKindsTests {
    private static func incidents(_ store: FileStore) -> FileRepository<Incident, IncidentQuery> {
        FileRepository(access: FileAccess(store: store, transaction: nil))
    }

    /// A school for the records to belong to (records refer to stored records on every backend).
    private static func school(_ store: FileStore) async throws -> SchoolID {
        try await FileRepository<School, SchoolQuery>(access: FileAccess(store: store, transaction: nil)).insert(SeedSchools.mersham()).id
    }

    @Test func incidentsAreFoundByParticipantBeforeAndAfterReopen() async throws {
        let directory = Scratch.directory()
        var store = try await FileStore.open(at: directory, logger: quietLogger())
        let school = try await Self.school(store)
        let (victim, other, reporter) = (PersonID(), PersonID(), PersonID())
        let now = SafetyClock.system.now()
        let incident = try await Self.incidents(store).insert(
            Incident(
                schoolID: school, reporterID: reporter, occurredAt: now, reportedAt: now, location: .onSite, equipment: .school,
                summary: "A concern", riskArea: .contact, category: .cyberbullying,
                participants: [Participant(personID: victim, part: .victim), Participant(personID: other, part: .witness)]))
        let involving = { (person: PersonID) in IncidentQuery(schoolIDs: [school], participantID: person, includeRestricted: true) }
        #expect(try await Self.incidents(store).find(involving(victim)).map(\.id) == [incident.id])

        var changed = incident
        changed.participants.removeAll { $0.personID == victim }
        _ = try await Self.incidents(store).update(changed)
        #expect(try await Self.incidents(store).find(involving(victim)).isEmpty)
        #expect(try await Self.incidents(store).count(involving(other)) == 1)
        try await store.close()

        store = try await FileStore.open(at: directory, logger: quietLogger())
        #expect(try await Self.incidents(store).find(involving(victim)).isEmpty)
        #expect(try await Self.incidents(store).get(incident.id)?.revision == 2)
        #expect(try await Self.incidents(store).get(incident.id)?.occurredAt == now)
        try await store.close()
    }

    @Test func appendOnlyRecordsCannotBeUpdated() async throws {
        let store = try await FileStore.open(at: Scratch.directory(), logger: quietLogger())
        let entries = FileRepository<ChronologyEntry, ChronologyQuery>(access: FileAccess(store: store, transaction: nil))
        let school = try await Self.school(store)
        let now = SafetyClock.system.now()
        let incident = try await Self.incidents(store).insert(
            Incident(
                schoolID: school, reporterID: PersonID(), occurredAt: now, reportedAt: now, location: .onSite, equipment: .school,
                summary: "A concern", riskArea: .contact, category: .cyberbullying,
                participants: [Participant(personID: PersonID(), part: .victim)]))
        let entry = try await entries.insert(
            ChronologyEntry(
                incidentID: incident.id, schoolID: school, restricted: false, recordedAt: SafetyClock.system.now(),
                recordedBy: PersonID(), content: .note("Spoke to the class teacher")))
        var edited = entry
        edited.content = .note("Rewritten")
        let error = await #expect(throws: SafetyError.self) { try await entries.update(edited) }
        #expect(error?.code == .constraintViolation)
        #expect(try await entries.get(entry.id) == entry)
        try await store.close()
    }
}
