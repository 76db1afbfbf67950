import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import Testing

/// An audit log held in memory: the events exactly as "stored", so tests can tamper with them.
private actor MemoryAuditLog: AuditLog {
    private(set) var stored: [AuditEvent]

    init(_ events: [AuditEvent] = []) { stored = events }

    func append(_ draft: AuditDraft) -> AuditEvent {
        let event = AuditChain.chain(draft, after: stored.last)
        stored.append(event)
        return event
    }

    func events(_ query: AuditQuery) -> [AuditEvent] {
        let matching = stored.filter(query.matches).sorted { $0.sequence < $1.sequence }
        return query.limit.map { Array(matching.prefix($0)) } ?? matching
    }

    func last(of chain: AuditChainID) -> AuditEvent? { stored.last { $0.chain == chain } }

    func chains() -> [AuditChainID] { Set(stored.map(\.chain)).sorted() }
}

/// 2026-11-23 09:30:00.250 UK time.
private let base = Date(timeIntervalSince1970: 1_795_426_200.25)

/// The school every test event is at, so they share one chain.
private let school = SchoolID()

private func draft(_ number: Int, at instant: Date = base, actor: PersonID = PersonID(), reason: String? = nil) -> AuditDraft {
    AuditDraft(
        at: instant.addingTimeInterval(Double(number)), actorID: actor, schoolID: school, action: AuditAction(stored: "person.read"),
        subjectKind: "person", subjectID: UUID(), reason: reason)
}

private func chained(_ count: Int) -> [AuditEvent] {
    var events: [AuditEvent] = []
    for number in 1...count { events.append(AuditChain.chain(draft(number), after: events.last)) }
    return events
}

private func isLowerHex64(_ text: String) -> Bool {
    text.count == 64 && text.allSatisfy { "0123456789abcdef".contains($0) }
}

/// One field of a draft to change.
enum DraftField: String, CaseIterable, Sendable {
    case action
    case reason
    case actor
    case school
    case subjectKind
    case subjectID
    case outcome
    case restricted
    case timeByOneMillisecond
    case listedRecordAdded
    case listedRecordsReordered
}

@Suite("Audit chain")
struct AuditChainTests {
    @Test func threeDraftsAreChainedInSequence() {
        let events = chained(3)
        #expect(events.map(\.sequence) == [1, 2, 3])
        #expect(events[0].previousHash == AuditChain.genesis)
        #expect(events[0].previousHash == String(repeating: "0", count: 64))
        #expect(events[1].previousHash == events[0].hash)
        #expect(events[2].previousHash == events[1].hash)
        #expect(events.allSatisfy { isLowerHex64($0.hash) })
        #expect(Set(events.map(\.hash)).count == 3)
        #expect(events.allSatisfy { $0.chain == .school(school, restricted: false) })
    }

    @Test func hashIsDeterministic() {
        let original = draft(1)
        let first = AuditChain.chain(original, after: nil)
        let second = AuditChain.chain(original, after: nil)
        #expect(first.hash == second.hash)
        #expect(AuditChain.hash(previous: AuditChain.genesis, sequence: 1, original, chain: original.chain) == first.hash)
    }

    @Test(arguments: DraftField.allCases)
    func changingAnyFieldChangesTheHash(field: DraftField) {
        var original = draft(1, reason: "bootstrap")
        original.listed = [UUID(), UUID()]
        var changed = original
        switch field {
        case .action: changed.action = AuditAction(stored: "person.update")
        case .reason: changed.reason = "bootstrap."
        case .actor: changed.actorID = PersonID()
        case .school: changed.schoolID = SchoolID()
        case .subjectKind: changed.subjectKind = "roleGrant"
        case .subjectID: changed.subjectID = UUID()
        case .outcome: changed.outcome = .denied
        case .restricted: changed.restricted = true
        case .listedRecordAdded: changed.listed.append(UUID())
        case .listedRecordsReordered: changed.listed.reverse()
        case .timeByOneMillisecond:
            changed = AuditDraft(
                at: original.at.addingTimeInterval(0.001_5), actorID: original.actorID, schoolID: original.schoolID,
                action: original.action, subjectKind: original.subjectKind, subjectID: original.subjectID,
                outcome: original.outcome, reason: original.reason, restricted: original.restricted, listed: original.listed)
            #expect(SafetyClock.milliseconds(changed.at) == SafetyClock.milliseconds(original.at) + 1)
        }
        #expect(changed != original)
        #expect(AuditChain.chain(changed, after: nil).hash != AuditChain.chain(original, after: nil).hash)
    }

    @Test func removingTheReasonChangesTheHash() {
        let original = draft(1, reason: "bootstrap")
        var changed = original
        changed.reason = nil
        #expect(AuditChain.chain(changed, after: nil).hash != AuditChain.chain(original, after: nil).hash)
    }

    @Test func sequenceAndPreviousHashAreBoundIntoTheHash() {
        let original = draft(1)
        let hash = AuditChain.hash(previous: AuditChain.genesis, sequence: 1, original, chain: original.chain)
        #expect(AuditChain.hash(previous: AuditChain.genesis, sequence: 2, original, chain: original.chain) != hash)
        #expect(AuditChain.hash(previous: String(repeating: "f", count: 64), sequence: 1, original, chain: original.chain) != hash)
    }

    @Test func instantsInTheSameMillisecondHashEqual() {
        let actor = PersonID()
        let school = SchoolID()
        let subject = UUID()
        let early = AuditDraft(
            at: Date(timeIntervalSince1970: 1_795_426_200.123_1), actorID: actor, schoolID: school,
            action: AuditAction(stored: "person.read"),
            subjectKind: "person", subjectID: subject)
        let late = AuditDraft(
            at: Date(timeIntervalSince1970: 1_795_426_200.123_9), actorID: actor, schoolID: school,
            action: AuditAction(stored: "person.read"),
            subjectKind: "person", subjectID: subject)
        #expect(early.at == late.at)
        #expect(AuditChain.canonical(sequence: 1, early) == AuditChain.canonical(sequence: 1, late))
        #expect(AuditChain.chain(early, after: nil).hash == AuditChain.chain(late, after: nil).hash)
    }

    @Test func canonicalEncodingUsesWholeMillisecondsEvenForAnUntruncatedDraft() {
        var draft = draft(1)
        draft.at = Date(timeIntervalSince1970: 1_795_426_200.123_4)
        var same = draft
        same.at = Date(timeIntervalSince1970: 1_795_426_200.123_8)
        let hash = AuditChain.hash(previous: AuditChain.genesis, sequence: 1, draft, chain: draft.chain)
        #expect(hash == AuditChain.hash(previous: AuditChain.genesis, sequence: 1, same, chain: same.chain))
        let text = String(decoding: AuditChain.canonical(sequence: 1, draft), as: UTF8.self)
        #expect(text.contains("1795426200123"))
    }

    @Test func draftStoresItsInstantTruncatedToMilliseconds() {
        let draft = AuditDraft(
            at: Date(timeIntervalSince1970: 1_795_426_200.987_6), actorID: nil, schoolID: nil, action: AuditAction(stored: "migrate"),
            subjectKind: "store",
            subjectID: nil)
        #expect(draft.at == Date(timeIntervalSince1970: 1_795_426_200.987))
        #expect(draft.outcome == .allowed)
        #expect(draft.reason == nil)
    }

    @Test func canonicalEncodingNamesRecordsByIdentifierOnly() {
        let actor = PersonID()
        let subject = UUID()
        let draft = AuditDraft(
            at: base, actorID: actor, schoolID: nil, action: AuditAction(stored: "person.read"), subjectKind: "person", subjectID: subject,
            outcome: .denied, reason: "a governor cannot read other people's records")
        let text = String(decoding: AuditChain.canonical(sequence: 7, draft), as: UTF8.self)
        #expect(text.contains(actor.uuidString))
        #expect(text.contains(subject.uuidString))
        #expect(text.contains("denied"))
    }
}

@Suite("Audit verification")
struct AuditVerificationTests {
    @Test(arguments: [1, 2, 5, 5_000])
    func intactChainVerifies(pageSize: Int) async throws {
        let log = MemoryAuditLog()
        for number in 1...7 { _ = await log.append(draft(number)) }
        let result = try await AuditChain.verify(log, pageSize: pageSize)
        #expect(result.isIntact)
        #expect(result.firstBreak == nil)
        #expect(result.eventsChecked == 7)
    }

    @Test func emptyLogVerifies() async throws {
        let result = try await AuditChain.verify(MemoryAuditLog())
        #expect(result.isIntact)
        #expect(result.eventsChecked == 0)
    }

    @Test(arguments: [1, 3, 5])
    func alteredEventIsReportedAtItsSequence(sequence: Int) async throws {
        var events = chained(5)
        events[sequence - 1].draft.reason = "edited afterwards"
        let result = try await AuditChain.verify(MemoryAuditLog(events), pageSize: 2)
        #expect(!result.isIntact)
        let broken = try #require(result.firstBreak)
        #expect(broken.sequence == Int64(sequence))
        #expect(broken.problem.contains("altered"))
        #expect(result.eventsChecked == sequence)
        #expect(broken.description.contains("audit event \(sequence)"))
    }

    @Test func alteredEventWithARecomputedHashBreaksTheNextLink() async throws {
        var events = chained(5)
        events[2].draft.action = AuditAction(stored: "person.delete")
        events[2].hash = AuditChain.hash(previous: events[2].previousHash, sequence: 3, events[2].draft, chain: events[2].draft.chain)
        let result = try await AuditChain.verify(MemoryAuditLog(events))
        let broken = try #require(result.firstBreak)
        #expect(broken.sequence == 4)
        #expect(broken.problem.contains("previous-hash"))
    }

    @Test func removedMiddleEventIsReportedMissing() async throws {
        var events = chained(5)
        events.remove(at: 2)
        let result = try await AuditChain.verify(MemoryAuditLog(events), pageSize: 2)
        let broken = try #require(result.firstBreak)
        #expect(broken.sequence == 3)
        #expect(broken.problem.contains("missing"))
    }

    @Test func removedFirstEventIsReportedMissing() async throws {
        let events = Array(chained(3).dropFirst())
        let result = try await AuditChain.verify(MemoryAuditLog(events))
        let broken = try #require(result.firstBreak)
        #expect(broken.sequence == 1)
        #expect(broken.problem.contains("missing"))
    }

    @Test func renumberedChainAfterARemovalIsCaught() async throws {
        var events = chained(5)
        events.remove(at: 2)
        for index in 2..<events.count { events[index].sequence -= 1 }
        let result = try await AuditChain.verify(MemoryAuditLog(events))
        let broken = try #require(result.firstBreak)
        #expect(broken.sequence == 3)
    }

    @Test func eventsAppendedThroughTheLogChainOnTheLast() async throws {
        let log = MemoryAuditLog()
        let first = await log.append(draft(1))
        let second = await log.append(draft(2))
        #expect(first.sequence == 1)
        #expect(second.sequence == 2)
        #expect(second.previousHash == first.hash)
        #expect(await log.last(of: second.chain) == second)
    }
    /// Hashes pinned by values worked out apart from the SDK (Python's `hashlib` over the layout
    /// the canonical encoding documents), so that stored chains keep verifying whatever the
    /// encoding's code becomes.
    @Test func hashesMatchValuesWorkedOutApartFromTheSDK() throws {
        let school = try #require(SchoolID(uuidString: "5C4E0B1A-2D3F-4A5B-8C9D-0E1F2A3B4C5D"))
        let draft = AuditDraft(
            at: Date(timeIntervalSince1970: 1_795_426_200.123), actorID: PersonID(uuidString: "0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9"),
            schoolID: school, action: .personRead, subjectKind: "person",
            subjectID: UUID(uuidString: "F0E1D2C3-B4A5-4697-8879-6A5B4C3D2E1F"), reason: "note: é/€ \"x\"")
        #expect(
            AuditChain.hash(previous: String(repeating: "ab", count: 32), sequence: 7, draft, chain: draft.chain)
                == "a482c9229b1b360d8976e8eaee6ecbb0dffbbfa1ef9121a550acdc26117db675")
        let legacy = AuditDraft(
            at: Date(timeIntervalSince1970: 1_795_426_200), actorID: nil, schoolID: nil, action: AuditAction(stored: "store.migrate"),
            subjectKind: "store", subjectID: nil, outcome: .denied, restricted: true)
        #expect(
            String(decoding: AuditChain.canonical(sequence: 1, legacy), as: UTF8.self)
                == "2:v1;1:1;13:1795426200000;-;-;13:store.migrate;5:store;-;6:denied;-;10:restricted;")
        #expect(
            AuditChain.hash(previous: AuditChain.genesis, sequence: 1, legacy)
                == "8c49f7fbfabf735ac7eaf07cc0cf06fe579437900afa9e5ec743cbdfa053d5a4")
    }

    @Test func aListingsRecordsFollowTheLastFieldAndMatchAHashWorkedOutApartFromTheSDK() throws {
        let school = try #require(SchoolID(uuidString: "5C4E0B1A-2D3F-4A5B-8C9D-0E1F2A3B4C5D"))
        let first = try #require(UUID(uuidString: "F0E1D2C3-B4A5-4697-8879-6A5B4C3D2E1F"))
        let second = try #require(UUID(uuidString: "01234567-89AB-4DEF-8123-456789ABCDEF"))
        let listing = AuditDraft(
            at: Date(timeIntervalSince1970: 1_795_426_200.123), actorID: PersonID(uuidString: "0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9"),
            schoolID: school, action: AuditAction(stored: "dashboard.read"), subjectKind: "procedureStatus", subjectID: nil,
            listed: [first, second])
        #expect(
            String(decoding: AuditChain.canonical(sequence: 3, listing, chain: listing.chain), as: UTF8.self)
                == "2:v2;43:school:5C4E0B1A-2D3F-4A5B-8C9D-0E1F2A3B4C5D;1:3;13:1795426200123;36:0A1B2C3D-4E5F-4061-8273-94A5B6C7D8E9;"
                + "36:5C4E0B1A-2D3F-4A5B-8C9D-0E1F2A3B4C5D;14:dashboard.read;15:procedureStatus;-;7:allowed;-;4:open;"
                + "6:listed;1:2;36:F0E1D2C3-B4A5-4697-8879-6A5B4C3D2E1F;36:01234567-89AB-4DEF-8123-456789ABCDEF;")
        #expect(
            AuditChain.hash(previous: String(repeating: "cd", count: 32), sequence: 3, listing, chain: listing.chain)
                == "24e37af5086492a7a4fd5c819403515137c43869ff10d5468eaa52e9e69eadcc")
        // A listing names each of its records, in the order given; the trail of each finds it.
        #expect(listing.subjects == [first, second] && listing.names(second) && !listing.names(UUID()))
        let event = AuditChain.chain(listing, after: nil)
        #expect(AuditQuery(subjectID: first).matches(event) && !AuditQuery(subjectID: UUID()).matches(event))
        // It reads back as written, and an event that lists nothing writes no `listed` key.
        let encoded = try JSONEncoder().encode(event)
        #expect(try JSONDecoder().decode(AuditEvent.self, from: encoded) == event)
        var plain = listing
        plain.listed = []
        #expect(!String(decoding: try JSONEncoder().encode(plain), as: UTF8.self).contains("listed"))
    }
}
