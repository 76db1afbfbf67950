import Foundation
import Logging
@_spi(StorageBackend) import OnlineSafetyCore
@_spi(StorageBackend) import StorageFile
import Testing

@Suite("File store")
struct FileStoreTests {
    // MARK: - Lock

    @Test func secondOpenerIsRefusedWhileTheStoreIsOpen() async throws {
        let directory = Scratch.directory()
        let store = try await FileStore.open(at: directory, logger: quietLogger())
        let error = await #expect(throws: SafetyError.self) {
            try await FileStore.open(at: directory, logger: quietLogger())
        }
        #expect(error?.code == .unavailable)
        #expect(error?.reason.hasSuffix("\(directory.lastPathComponent) is open in another process") == true)

        try await store.close()
        let reopened = try await FileStore.open(at: directory, logger: quietLogger())
        try await reopened.close()
    }

    // MARK: - Crash recovery

    /// How the tail of the journal can look after a crash in the middle of a write.
    enum TornTail: String, CaseIterable, Sendable {
        /// The first half of a line, no newline.
        case halfALine
        /// Zeros where the file system extended the file but never wrote the data.
        case zeros
        /// The first half of a line, then zeros for the rest of it.
        case halfALineThenZeros
    }
    // Half a line followed by a newline is not a cut-off write (the writer writes the newline
    // last, in the same write): JournalFramingTests checks it is treated as damage.

    @Test(arguments: TornTail.allCases)
    func tornLastLineIsDroppedOnReopenWithEarlierCommitsIntact(tail: TornTail) async throws {
        let directory = Scratch.directory()
        let first = Trust(name: "Viking Academy Trust")
        let second = Trust(name: "Kent Primary Partnership")
        let lost = Trust(name: "Torn Write Trust")
        var store = try await FileStore.open(at: directory, logger: quietLogger())
        _ = try await store.trusts.insert(first)
        _ = try await store.trusts.insert(second)
        try await store.close()
        let intact = try Data(contentsOf: StoreFiles.journal(directory))

        store = try await FileStore.open(at: directory, logger: quietLogger())
        _ = try await store.trusts.insert(lost)
        try await store.close()
        let thirdLine = try Data(contentsOf: StoreFiles.journal(directory)).dropFirst(intact.count)
        let torn: Data =
            switch tail {
            case .halfALine: Data(thirdLine.prefix(thirdLine.count / 2))
            case .zeros: Data(count: thirdLine.count)
            case .halfALineThenZeros: Data(thirdLine.prefix(thirdLine.count / 2)) + Data(count: thirdLine.count - thirdLine.count / 2)
            }
        try (intact + torn).write(to: StoreFiles.journal(directory))

        let capture = LogCapture()
        store = try await FileStore.open(at: directory, logger: capture.logger())
        #expect(try await store.trusts.get(first.id) == Trust(id: first.id, name: first.name, revision: 1))
        #expect(try await store.trusts.get(second.id) == Trust(id: second.id, name: second.name, revision: 1))
        #expect(try await store.trusts.get(lost.id) == nil)
        #expect(try StoreFiles.journalSize(directory) == intact.count)
        let warnings = capture.entries.filter { $0.level == .warning }
        #expect(warnings.count == 1)
        #expect(warnings.first?.metadata["line"] == "3")
        // The dropped bytes were copied aside first, never deleted.
        let saved = try #require(store.journalReport.tornTail?.savedAs)
        #expect(warnings.first?.metadata["savedAs"] == saved)
        #expect(try Data(contentsOf: directory.appending(path: saved)) == torn)
        #expect(!capture.entries.contains { $0.text.contains("Torn Write") || $0.text.contains("Viking") })

        // The store writes on after the repair, and the journal verifies.
        let later = try await store.trusts.insert(Trust(name: "Written After Repair"))
        try await store.close()
        store = try await FileStore.open(at: directory, logger: quietLogger())
        #expect(try await store.trusts.count(TrustQuery()) == 3)
        #expect(try await store.trusts.get(later.id) == later)
        #expect(await store.verifyJournal().isEmpty)
        try await store.close()
    }

    @Test func unreadableMiddleLineIsCorruptDataNamingTheLine() async throws {
        let directory = Scratch.directory()
        let store = try await FileStore.open(at: directory, logger: quietLogger())
        for name in ["First Trust", "Second Trust", "Third Trust"] { _ = try await store.trusts.insert(Trust(name: name)) }
        try await store.close()
        var lines = try StoreFiles.lines(directory)
        lines[1] = "this is not json"
        try StoreFiles.write(lines: lines, to: directory)

        let error = await #expect(throws: SafetyError.self) {
            try await FileStore.open(at: directory, logger: quietLogger())
        }
        #expect(error?.code == .corruptData)
        #expect(error?.location == "journal.jsonl:2")
        #expect(error?.description.contains("Trust") == false)
    }

    @Test func anAlteredLineIsRefusedNamingItAndReadOnlyOpeningReportsIt() async throws {
        let directory = Scratch.directory()
        var store = try await FileStore.open(at: directory, logger: quietLogger())
        for action in ["trust.insert", "trust.read", "trust.update"] {
            _ = try await store.audit.append(
                AuditDraft(
                    at: Date(), actorID: nil, schoolID: nil, action: AuditAction(stored: action), subjectKind: "trust", subjectID: UUID()))
        }
        try await store.close()
        let line = try StoreFiles.alterAuditAction(sequence: 2, in: directory)
        #expect(line == 2)

        let capture = LogCapture()
        let refusal = await #expect(throws: SafetyError.self) { try await FileStore.open(at: directory, logger: capture.logger()) }
        #expect(refusal?.code == .corruptData && refusal?.location == "journal.jsonl:2")
        #expect(capture.entries.contains { $0.level == .warning && $0.metadata["line"] == "2" })
        store = try await FileStore.openReadOnly(at: directory, logger: quietLogger())
        #expect(await store.verifyJournal() == [2])
        #expect(store.journalReport.damaged.map(\.problem) == [.chainBroken])
        let verification = try await AuditChain.verify(store.audit)
        #expect(verification.isIntact && verification.eventsChecked == 1, "only the event before the altered one is read")
        try await store.close()
    }

    // MARK: - Manifest

    @Test func newerFormatVersionIsRefused() async throws {
        let directory = Scratch.directory()
        try await FileStore.open(at: directory, logger: quietLogger()).close()
        try Data(#"{"format":"onlinesafety-file-store","version":3}"#.utf8).write(to: StoreFiles.manifest(directory))

        let error = await #expect(throws: SafetyError.self) {
            try await FileStore.open(at: directory, logger: quietLogger())
        }
        #expect(error?.code == .migrationFailed)
        #expect(error?.reason.contains("format version 3") == true)
    }

    @Test func foreignManifestIsRefused() async throws {
        let directory = Scratch.directory()
        try await FileStore.open(at: directory, logger: quietLogger()).close()
        try Data(#"{"format":"something-else","version":1}"#.utf8).write(to: StoreFiles.manifest(directory))

        let error = await #expect(throws: SafetyError.self) {
            try await FileStore.open(at: directory, logger: quietLogger())
        }
        #expect(error?.code == .corruptData)
        #expect(error?.location == "manifest.json")
    }

    @Test func migrateChecksTheFormatVersion() async throws {
        let directory = Scratch.directory()
        let store = try await FileStore.open(at: directory, logger: quietLogger())
        try await store.migrate()
        try Data(#"{"format":"onlinesafety-file-store","version":3}"#.utf8).write(to: StoreFiles.manifest(directory))
        let refusal1 = await #expect(throws: SafetyError.self) { try await store.migrate() }
        #expect(refusal1?.code == .migrationFailed)
        try await store.close()
    }

    // MARK: - Transactions

    struct Rollback: Error {}

    @Test func rollbackLeavesNothingOnDiskOrInMemory() async throws {
        let directory = Scratch.directory()
        var store = try await FileStore.open(at: directory, logger: quietLogger())
        let kept = try await store.trusts.insert(Trust(name: "Kept Trust"))
        let sizeBefore = try StoreFiles.journalSize(directory)
        let discarded = Trust(name: "Discarded Trust")

        await #expect(throws: Rollback.self) {
            try await store.withTransaction { tx in
                _ = try await tx.trusts.insert(discarded)
                var renamed = kept
                renamed.name = "Renamed Trust"
                _ = try await tx.trusts.update(renamed)
                _ = try await tx.audit.append(
                    AuditDraft(
                        at: Date(), actorID: nil, schoolID: nil, action: AuditAction(stored: "trust.insert"), subjectKind: "trust",
                        subjectID: discarded.id.uuid)
                )
                #expect(try await tx.trusts.get(discarded.id) != nil)
                #expect(try await tx.audit.latest() != nil)
                throw Rollback()
            }
        }

        #expect(try StoreFiles.journalSize(directory) == sizeBefore)
        #expect(try await store.trusts.get(discarded.id) == nil)
        #expect(try await store.trusts.get(kept.id) == kept)
        #expect(try await store.trusts.count(TrustQuery()) == 1)
        #expect(try await store.audit.latest() == nil)
        try await store.close()
        store = try await FileStore.open(at: directory, logger: quietLogger())
        #expect(try await store.trusts.find(TrustQuery()) == [kept])
        #expect(try await store.audit.events(AuditQuery()).isEmpty)
        try await store.close()
    }

    /// Trusts whose journal changes together run to more than `megabytes` MB.
    static func bulkyTrusts(megabytes: Int) -> [Trust] {
        let padding = String(repeating: "p", count: 900)
        return (0..<(megabytes * 1_100)).map { Trust(name: "Bulk Trust \($0) \(padding)") }
    }

    /// The names in a store's directory, hidden ones included.
    static func directoryNames(_ directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    /// A transaction larger than the part of its record kept in memory (the rest waits in an
    /// unnamed temporary file) commits as one record that reads back whole and verifies, and
    /// leaves no file behind, whether it commits or rolls back.
    @Test func aTransactionLargerThanItsInMemoryRecordCommitsWholeAndLeavesNoFileBehind() async throws {
        let directory = Scratch.directory()
        var store = try await FileStore.open(at: directory, logger: quietLogger())
        let before = try await store.trusts.insert(Trust(name: "Before Trust"))
        let namesBefore = try Self.directoryNames(directory)
        let bulky = Self.bulkyTrusts(megabytes: 20)
        let sizeBefore = try StoreFiles.journalSize(directory)

        await #expect(throws: Rollback.self) {
            try await store.withTransaction { tx in
                try await tx.trusts.insertMany(bulky)
                // The spilled part of the record has no name in the directory.
                #expect(try Self.directoryNames(directory) == namesBefore)
                throw Rollback()
            }
        }
        #expect(try StoreFiles.journalSize(directory) == sizeBefore)
        #expect(try await store.trusts.count(TrustQuery()) == 1)

        try await store.withTransaction { tx in
            try await tx.trusts.insertMany(bulky)
            _ = try await tx.audit.append(
                AuditDraft(
                    at: Date(), actorID: nil, schoolID: nil, action: AuditAction(stored: "trust.insert"), subjectKind: "trust",
                    subjectID: bulky[0].id.uuid))
        }
        let sizeAfter = try StoreFiles.journalSize(directory)
        #expect(sizeAfter - sizeBefore > 20_000_000)
        #expect(try Self.directoryNames(directory) == namesBefore)
        let journal = try Data(contentsOf: StoreFiles.journal(directory))
        #expect(journal.filter { $0 == UInt8(ascii: "\n") }.count == 2, "one record for each transaction")
        try await store.close()

        store = try await FileStore.open(at: directory, logger: quietLogger())
        #expect(await store.verifyJournal().isEmpty)
        #expect(try await store.trusts.count(TrustQuery()) == bulky.count + 1)
        let last = try await store.trusts.get(bulky[bulky.count - 1].id)
        #expect(last?.name == bulky[bulky.count - 1].name)
        #expect(last?.revision == 1)
        #expect(try await store.trusts.get(before.id) == before)
        #expect(try await store.audit.events(AuditQuery()).count == 1)
        // The store goes on committing after the large record.
        _ = try await store.trusts.insert(Trust(name: "After Trust"))
        try await store.close()
        store = try await FileStore.open(at: directory, logger: quietLogger())
        #expect(try await store.trusts.count(TrustQuery()) == bulky.count + 2)
        try await store.close()
    }

    /// A temporary file a crash left in the instant between making and unlinking it is removed
    /// when the store is next opened for writing, and nothing else is touched.
    @Test func aTemporaryFileLeftByACrashIsRemovedOnTheNextOpen() async throws {
        let directory = Scratch.directory()
        var store = try await FileStore.open(at: directory, logger: quietLogger())
        let kept = try await store.trusts.insert(Trust(name: "Kept Trust"))
        try await store.close()
        let namesBefore = try Self.directoryNames(directory)
        let leftover = directory.appending(path: ".transaction-0A1B.spill")
        try Data("{\"kind\":\"trust\"}".utf8).write(to: leftover)

        store = try await FileStore.open(at: directory, logger: quietLogger())
        #expect(!FileManager.default.fileExists(atPath: leftover.path))
        #expect(try Self.directoryNames(directory) == namesBefore)
        #expect(try await store.trusts.get(kept.id) == kept)
        try await store.close()
    }

    @Test func transactionReadsItsOwnWritesWhileOthersSeeOnlyCommits() async throws {
        let store = try await FileStore.open(at: Scratch.directory(), logger: quietLogger())
        let trust = Trust(name: "Staged Trust")
        try await store.withTransaction { tx in
            _ = try await tx.trusts.insert(trust)
            #expect(try await tx.trusts.get(trust.id)?.revision == 1)
            #expect(try await tx.trusts.find(TrustQuery(nameContains: "staged")).map(\.id) == [trust.id])
            // Joining: a nested transaction and the store itself are part of this transaction.
            let joined = try await tx.withTransaction { inner in try await inner.trusts.count(TrustQuery()) }
            #expect(joined == 1)
            #expect(try await store.trusts.get(trust.id) != nil)
            // Another task outside the transaction sees only committed data, without waiting.
            let outside = try await Task.detached { try await store.trusts.get(trust.id) }.value
            #expect(outside == nil)
        }
        #expect(try await store.trusts.get(trust.id)?.revision == 1)
        try await store.close()
    }

    @Test func transactionsRunOneAtATime() async throws {
        let store = try await FileStore.open(at: Scratch.directory(), logger: quietLogger())
        let counter = try await store.trusts.insert(Trust(name: "Counter"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await store.withTransaction { tx in
                        guard var current = try await tx.trusts.get(counter.id) else { throw Rollback() }
                        await Task.yield()
                        current.companyNumber = String(current.revision)
                        _ = try await tx.trusts.update(current)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await store.trusts.get(counter.id)?.revision == 21)
        try await store.close()
    }

    // MARK: - Repository semantics

    @Test func duplicatesAndStaleRevisionsAreConflicts() async throws {
        let store = try await FileStore.open(at: Scratch.directory(), logger: quietLogger())
        let trust = try await store.trusts.insert(Trust(name: "Viking Academy Trust"))
        let chilton = try await store.schools.insert(SeedSchools.chilton(trustID: trust.id))
        #expect(chilton.revision == 1)

        func code(_ body: () async throws -> Void) async -> SafetyError.Code? {
            do {
                try await body()
                return nil
            } catch let error as SafetyError {
                return error.code
            } catch {
                return nil
            }
        }
        #expect(await code { _ = try await store.trusts.insert(Trust(id: trust.id, name: "Same Identifier")) } == .conflict)
        #expect(await code { _ = try await store.trusts.insert(trust) } == .conflict)  // revision 1, not 0
        var sameURN = SeedSchools.mersham()
        sameURN.urn = chilton.urn
        #expect(await code { _ = try await store.schools.insert(sameURN) } == .conflict)
        // A batch is all or nothing, and a clash inside the batch is a conflict too.
        let mersham = SeedSchools.mersham()
        var clash = SeedSchools.dormansland()
        clash.urn = mersham.urn
        #expect(await code { try await store.schools.insertMany([mersham, clash]) } == .conflict)
        #expect(try await store.schools.get(mersham.id) == nil)

        var renamed = trust
        renamed.name = "Viking Trust"
        let updated = try await store.trusts.update(renamed)
        #expect(updated.revision == 2)
        #expect(await code { _ = try await store.trusts.update(renamed) } == .conflict)
        #expect(await code { _ = try await store.trusts.update(Trust(name: "Missing", revision: 1)) } == .notFound)

        // Two schools may swap unique values inside one transaction.
        let other = try await store.schools.insert(SeedSchools.mersham(trustID: trust.id))
        try await store.withTransaction { tx in
            var first = chilton
            var second = other
            first.urn = "999999"
            _ = try await tx.schools.update(first)
            second.urn = chilton.urn
            second = try await tx.schools.update(second)
            first.revision = 2
            first.urn = other.urn
            _ = try await tx.schools.update(first)
        }
        #expect(try await store.schools.find(SchoolQuery(urn: chilton.urn)).map(\.id) == [other.id])
        #expect(try await store.schools.find(SchoolQuery(urn: other.urn)).map(\.id) == [chilton.id])
        try await store.close()
    }

    @Test func findFiltersSortsAndPages() async throws {
        let store = try await FileStore.open(at: Scratch.directory(), logger: quietLogger())
        let school = try await store.schools.insert(SeedSchools.mersham()).id
        let elsewhere = try await store.schools.insert(SeedSchools.dormansland()).id
        let names = ["Zeller", "Adams", "Mills", "adams", "Brook"]
        let people = names.map { Person(tenancy: .school(school), kind: .staff, givenName: "Sam", familyName: $0) }
        try await store.people.insertMany(people)
        try await store.people.insertMany([Person(tenancy: .school(elsewhere), kind: .staff, givenName: "Other", familyName: "Adams")])

        let all = try await store.people.find(PersonQuery(scope: .school(school)))
        let expected = people.sorted { ($0.sortKey, $0.id.uuidString) < ($1.sortKey, $1.id.uuidString) }
        #expect(all.map(\.id) == expected.map(\.id))
        #expect(all.allSatisfy { $0.revision == 1 })
        let page = try await store.people.find(PersonQuery(scope: .school(school), limit: 2, offset: 1))
        #expect(page.map(\.id) == expected[1...2].map(\.id))
        #expect(try await store.people.count(PersonQuery(scope: .school(school), limit: 1, offset: 3)) == 5)
        #expect(try await store.people.count(PersonQuery(scope: .everywhere, familyNameContains: "ADAMS")) == 3)
        try await store.close()
    }

    @Test func closedStoreRefusesCalls() async throws {
        let store = try await FileStore.open(at: Scratch.directory(), logger: quietLogger())
        try await store.close()
        try await store.close()
        let error = await #expect(throws: SafetyError.self) { try await store.trusts.count(TrustQuery()) }
        #expect(error?.code == .unavailable)
    }

    // MARK: - Round trip

    @Test func valuesRoundTripExactlyAfterReopen() async throws {
        let directory = Scratch.directory()
        var store = try await FileStore.open(at: directory, logger: quietLogger())
        let trust = Trust(name: "Viking Academy Trust — “Ramsgate” / Kent 🏫", companyNumber: "07654321")
        let school = SeedSchools.chilton(trustID: trust.id)
        let learner = Person(
            tenancy: .school(school.id), kind: .learner, givenName: "Zoë", familyName: "O'Brien-Smith", email: nil,
            learner: LearnerDetails(
                upn: try UPN("B801200005001"), dateOfBirth: CalendarDate(year: 2016, month: 2, day: 29)!, ncYear: .year3,
                registrationGroup: "Oak", lookedAfter: true, send: true, eal: false))
        let adult = Person(
            tenancy: .school(school.id), kind: .parentCarer, givenName: "Ann", familyName: "O'Brien", email: "ann@example.org")
        let contact = ContactLink(
            schoolID: school.id, learnerID: learner.id, adultID: adult.id, relationship: .mother, parentalResponsibility: true, priority: 1)
        let grant = RoleGrant(
            personID: adult.id, role: .designatedSafeguardingLead, scope: .trust(trust.id),
            starts: CalendarDate(year: 2024, month: 9, day: 1)!,
            ends: CalendarDate(year: 2025, month: 8, day: 31)!, groups: ["Oak", "Ash\nElm", "\"quoted\""])

        let instants: [Date] =
            [
                SafetyClock.system.now(),
                Date(timeIntervalSinceReferenceDate: 0.1),
                Date(timeIntervalSinceReferenceDate: 745_000_000.123_456_789),
                Date(timeIntervalSince1970: -1_234_567.891),
                Date(timeIntervalSince1970: 1e-7),
                .distantPast,
                .distantFuture,
            ] + (0..<200).map { _ in Date(timeIntervalSince1970: Double.random(in: -4e9...4e9)) }

        let stored = try await store.withTransaction { tx in
            let trust = try await tx.trusts.insert(trust)
            let school = try await tx.schools.insert(school)
            var learner = try await tx.people.insert(learner)
            learner.leftOn = CalendarDate(year: 2027, month: 7, day: 23)
            learner = try await tx.people.update(learner)
            let adult = try await tx.people.insert(adult)
            let contact = try await tx.contacts.insert(contact)
            let grant = try await tx.roleGrants.insert(grant)
            var events: [AuditEvent] = []
            for (index, instant) in instants.enumerated() {
                var draft = AuditDraft(
                    at: instant, actorID: adult.id, schoolID: school.id, action: AuditAction(stored: "person.read"), subjectKind: "person",
                    subjectID: learner.id.uuid, outcome: index.isMultiple(of: 2) ? .allowed : .denied, reason: index == 1 ? "note" : nil)
                draft.at = instant  // unrounded, to prove any instant survives
                events.append(try await tx.audit.append(draft))
            }
            return (trust, school, [learner, adult], contact, grant, events)
        }
        try await store.close()

        store = try await FileStore.open(at: directory, logger: quietLogger())
        #expect(try await store.trusts.get(trust.id) == stored.0)
        #expect(try await store.schools.get(school.id) == stored.1)
        #expect(try await store.people.find(PersonQuery(scope: .school(school.id))) == stored.2.sorted { $0.sortKey < $1.sortKey })
        #expect(try await store.people.get(learner.id)?.revision == 2)
        #expect(try await store.contacts.get(contact.id) == stored.3)
        #expect(try await store.roleGrants.get(grant.id) == stored.4)
        let events = try await store.audit.events(AuditQuery())
        #expect(events == stored.5)
        #expect(events.map(\.draft.at) == instants)
        #expect(try await AuditChain.verify(store.audit).isIntact)
        #expect(await store.verifyJournal().isEmpty)
        try await store.close()
    }
}

/// A transaction that writes more records than a table holds commits by making its own table
/// the table: every record, committed or new, is found afterwards by identifier and by index.
@Suite("File store: a large transaction's records join the table")
struct LargeTransactionTests {
    @Test func aTransactionLargerThanItsTableKeepsEveryRecordFindable() async throws {
        let directory = Scratch.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await FileStore.open(at: directory, logger: quietLogger())
        let kept = try await store.trusts.insert(Trust(name: "Kept Trust"))
        var edited = try await store.trusts.insert(Trust(name: "Old Name Trust"))
        edited.name = "Renamed Trust"
        let renamed = edited
        let added = (1...5).map { Trust(name: "Added Trust \($0)") }
        try await store.withTransaction { tx in
            try await tx.trusts.insertMany(added)
            _ = try await tx.trusts.update(renamed)
        }
        #expect(try await store.trusts.find(TrustQuery()).count == 7, "the two committed trusts and the five added")
        #expect(try await store.trusts.get(kept.id) == kept, "a committed record the transaction left alone is still there")
        #expect(try await store.trusts.get(renamed.id)?.name == "Renamed Trust", "the transaction's update replaced the record")
        #expect(try await store.trusts.find(TrustQuery(nameContains: "old name")).isEmpty, "the old name is no longer found")
        #expect(try await store.trusts.find(TrustQuery(nameContains: "added")).count == 5, "the added records are found")
        let names = ([kept.name, renamed.name] + added.map(\.name)).sorted()
        try await store.close()
        let reopened = try await FileStore.open(at: directory, logger: quietLogger())
        #expect(try await reopened.trusts.find(TrustQuery()).map(\.name).sorted() == names, "the journal holds the same records")
        try await reopened.close()
    }

    /// A batch larger than the engine encodes at once (two of its windows of 8,192 and part of a
    /// third), beside another kind in the same transaction, commits whole and reads back the same.
    @Test func aBatchOfSeveralEncodingWindowsCommitsWholeBesideAnotherKind() async throws {
        let directory = Scratch.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await FileStore.open(at: directory, logger: quietLogger())
        let trust = try await store.trusts.insert(Trust(name: "Windowed Trust"))
        let count = 8_192 * 2 + 17
        let people = (0..<count).map { Person(tenancy: .trust(trust.id), kind: .staff, givenName: "Staff", familyName: "Number \($0)") }
        let other = Trust(name: "Second Trust")
        try await store.withTransaction { tx in
            try await tx.people.insertMany(people)
            _ = try await tx.trusts.insert(other)
        }
        #expect(try await store.people.count(PersonQuery(scope: .trust(trust.id))) == count, "every person of the batch is stored")
        #expect(try await store.people.get(people[8_192].id)?.familyName == "Number 8192", "the first of the second window")
        try await store.close()
        let reopened = try await FileStore.open(at: directory, logger: quietLogger())
        #expect(try await reopened.people.count(PersonQuery(scope: .trust(trust.id))) == count, "the journal holds them all")
        #expect(try await reopened.people.get(people[count - 1].id)?.familyName == "Number \(count - 1)", "the last of the third window")
        #expect(try await reopened.trusts.get(other.id)?.name == "Second Trust", "the other kind of the transaction")
        try await reopened.close()
    }

    /// A batch whose last window cannot be encoded (a NUL in a name) after its first was staged is
    /// written not at all: even a caller that catches the error cannot commit half of it.
    @Test func aBatchRefusedInALaterWindowLeavesTheTransactionAbleOnlyToRollBack() async throws {
        let directory = Scratch.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await FileStore.open(at: directory, logger: quietLogger())
        let trust = try await store.trusts.insert(Trust(name: "Refused Trust"))
        var people = (0..<(8_192 + 3)).map {
            Person(tenancy: .trust(trust.id), kind: .staff, givenName: "Staff", familyName: "Number \($0)")
        }
        people[people.count - 1].familyName = "Bad\u{0}Name"
        let refusal = await #expect(throws: SafetyError.self) {
            try await store.withTransaction { [people] tx in
                do {
                    try await tx.people.insertMany(people)
                    Issue.record("a name with a NUL was stored")
                } catch let error as SafetyError {
                    #expect(error.code == .invalidInput, "the batch names what cannot be stored")
                }
            }
        }
        #expect(refusal?.code == .unavailable, "the transaction that caught it cannot commit")
        #expect(try await store.people.count(PersonQuery(scope: .trust(trust.id))) == 0, "no person of the batch is stored")
        try await store.close()
        let reopened = try await FileStore.open(at: directory, logger: quietLogger())
        #expect(try await reopened.people.count(PersonQuery(scope: .trust(trust.id))) == 0, "nor written to the journal")
        try await reopened.close()
    }
}
