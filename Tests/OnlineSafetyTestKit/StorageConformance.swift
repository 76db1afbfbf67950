import Foundation
import Logging
@_spi(StorageBackend) import OnlineSafetyCore

/// The behaviour every storage backend must show. Each backend's test target calls every function
/// here from a `@Test` of the same name, against a real store.
public enum StorageConformance {
    /// Every aggregate survives insert, read, update and read unchanged, with revisions counted.
    @_spi(StorageBackend)
    public static func roundTripEveryAggregate(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let trust = try await store.trusts.insert(SeedSchools.vikingAcademyTrust())
        try expect(trust.revision == 1, "insert stores revision 1")
        try expect(try await store.trusts.get(trust.id) == trust, "trust round trip")

        for var school in SeedSchools.all(vikingTrustID: trust.id) {
            school.settings.holidays = [
                DateRange(first: CalendarDate(year: 2026, month: 12, day: 21)!, last: CalendarDate(year: 2027, month: 1, day: 1)!)
            ]
            let stored = try await store.schools.insert(school)
            try expect(try await store.schools.get(school.id) == stored, "school round trip keeps every policy setting")
        }
        let chilton = try await store.schools.find(SchoolQuery(trustID: trust.id))[0]

        let learner = Person(
            tenancy: .school(chilton.id), kind: .learner, givenName: "Zoë", familyName: "O'Neill-Ştefan", email: nil,
            learner: LearnerDetails(
                upn: try UPN("B801200005001"), dateOfBirth: CalendarDate(year: 2014, month: 2, day: 28)!, ncYear: .year6,
                registrationGroup: "Willow", lookedAfter: true, send: true, eal: true))
        let adult = Person(
            tenancy: .school(chilton.id), kind: .parentCarer, givenName: "Jo", familyName: "O'Neill", email: "jo@example.org")
        let storedLearner = try await store.people.insert(learner)
        let storedAdult = try await store.people.insert(adult)
        try expect(try await store.people.get(learner.id) == storedLearner, "learner round trip keeps UPN, birth date, year and flags")
        let link = try await store.contacts.insert(
            ContactLink(
                schoolID: chilton.id, learnerID: learner.id, adultID: adult.id, relationship: .mother, parentalResponsibility: true,
                priority: 1))
        try expect(try await store.contacts.get(link.id) == link, "contact round trip")
        let grant = try await store.roleGrants.insert(
            RoleGrant(
                personID: storedAdult.id, role: .parentCarer, scope: .school(chilton.id),
                starts: CalendarDate(year: 2025, month: 9, day: 1)!,
                ends: CalendarDate(year: 2026, month: 7, day: 31)!, groups: ["Willow"]))
        try expect(try await store.roleGrants.get(grant.id) == grant, "role grant round trip")
        let trustGrant = try await store.roleGrants.insert(
            RoleGrant(
                personID: storedAdult.id, role: .governor, scope: .trust(trust.id), starts: CalendarDate(year: 2025, month: 9, day: 1)!))
        try expect(try await store.roleGrants.get(trustGrant.id) == trustGrant, "trust-wide grant round trip")

        var changed = storedLearner
        changed.learner?.ncYear = .year7
        changed.leftOn = CalendarDate(year: 2027, month: 7, day: 23)
        let updated = try await store.people.update(changed)
        try expect(updated.revision == 2, "update stores the next revision")
        try expect(try await store.people.get(learner.id) == updated, "updated learner round trip")
        var renamed = trust
        renamed.name = "Viking Academy Trust (renamed)"
        try expect(try await store.trusts.update(renamed).revision == 2, "trust update")
        try expect(try await store.trusts.get(trust.id)?.name == renamed.name, "trust update is read back")
        try expect(try await store.people.get(PersonID()) == nil, "a missing record reads as nil")
    }

    /// Queries filter on every indexed column, sort by name then id, page, and count.
    @_spi(StorageBackend)
    public static func queriesFilterSortAndPage(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let trust = try await store.trusts.insert(SeedSchools.vikingAcademyTrust())
        let chilton = try await store.schools.insert(SeedSchools.chilton(trustID: trust.id))
        let mersham = try await store.schools.insert(SeedSchools.mersham())
        var learners: [Person] = []
        for index in 0..<12 {
            let person = Person(
                tenancy: .school(chilton.id), kind: .learner, givenName: "Child\(index)",
                familyName: index.isMultiple(of: 2) ? "Smith" : "Jones",
                learner: LearnerDetails(
                    upn: try UPN(Fixture.upn(serial: 100 + index)), dateOfBirth: CalendarDate(year: 2017, month: 1, day: 1 + index)!,
                    ncYear: .year3, registrationGroup: index < 5 ? "Oak" : "Ash"),
                leftOn: index == 11 ? CalendarDate(year: 2026, month: 7, day: 20) : nil)
            learners.append(person)
        }
        try await store.people.insertMany(learners)
        let staff = try await store.people.insert(Person(tenancy: .school(chilton.id), kind: .staff, givenName: "Sam", familyName: "Staff"))
        _ = try await store.people.insert(
            Person(
                tenancy: .school(mersham.id), kind: .learner, givenName: "Other", familyName: "Smith",
                learner: LearnerDetails(
                    upn: try UPN(Fixture.upn(serial: 300)), dateOfBirth: CalendarDate(year: 2016, month: 5, day: 5)!, ncYear: .year4)))

        try expect(try await store.schools.find(SchoolQuery(trustID: trust.id)).map(\.id) == [chilton.id], "schools by trust")
        try expect(try await store.schools.find(SchoolQuery(urn: mersham.urn)).map(\.id) == [mersham.id], "school by URN")
        let atChilton = try await store.people.find(PersonQuery(scope: .school(chilton.id)))
        try expect(atChilton.count == 13, "people by school: 13, got \(atChilton.count)")
        let sorted = atChilton.sorted { ($0.sortKey, $0.id.uuidString) < ($1.sortKey, $1.id.uuidString) }
        try expect(atChilton.map(\.id) == sorted.map(\.id), "results sorted by family name, given name, then id")
        try expect(try await store.people.count(PersonQuery(scope: .school(chilton.id), kinds: [.learner])) == 12, "count learners")
        try expect(try await store.people.find(PersonQuery(scope: .everywhere, kinds: [.staff])).map(\.id) == [staff.id], "people by kind")
        try expect(try await store.people.count(PersonQuery(scope: .school(chilton.id), registrationGroup: "Oak")) == 5, "people by group")
        let byUPN = try await store.people.find(PersonQuery(scope: .everywhere, upn: learners[3].learner!.upn))
        try expect(byUPN.map(\.id) == [learners[3].id], "person by UPN")
        try expect(
            try await store.people.count(PersonQuery(scope: .everywhere, familyNameContains: "smi")) == 7,
            "family name contains, ignoring case")
        let present = try await store.people.count(
            PersonQuery(scope: .school(chilton.id), kinds: [.learner], presentOn: CalendarDate(year: 2026, month: 9, day: 1)!))
        try expect(present == 11, "leavers left out of presentOn: 11, got \(present)")
        let page1 = try await store.people.find(PersonQuery(scope: .school(chilton.id), limit: 5))
        let page2 = try await store.people.find(PersonQuery(scope: .school(chilton.id), limit: 5, offset: 5))
        try expect(page1.map(\.id) == Array(sorted.prefix(5)).map(\.id), "first page")
        try expect(page2.map(\.id) == Array(sorted.dropFirst(5).prefix(5)).map(\.id), "second page")
        try expect(try await store.people.count(PersonQuery(scope: .school(chilton.id), limit: 2)) == 13, "count ignores the limit")

        let september = CalendarDate(year: 2025, month: 9, day: 1)!
        let ended = try await store.roleGrants.insert(
            RoleGrant(
                personID: staff.id, role: .staff, scope: .school(chilton.id), starts: september,
                ends: CalendarDate(year: 2026, month: 3, day: 31)!))
        let open = try await store.roleGrants.insert(
            RoleGrant(personID: staff.id, role: .technicalStaff, scope: .school(chilton.id), starts: september))
        let trustWide = try await store.roleGrants.insert(
            RoleGrant(personID: staff.id, role: .dataManager, scope: .trust(trust.id), starts: september))
        let future = try await store.roleGrants.insert(
            RoleGrant(
                personID: staff.id, role: .leadership, scope: .school(chilton.id), starts: CalendarDate(year: 2027, month: 1, day: 1)!))
        let activeIDs = Set(
            try await store.roleGrants.find(RoleGrantQuery(personID: staff.id, activeOn: CalendarDate(year: 2026, month: 11, day: 23)!))
                .map(\.id))
        try expect(activeIDs == [open.id, trustWide.id], "grants active on a day leave out ended and future ones")
        let onLastDay = Set(
            try await store.roleGrants.find(RoleGrantQuery(personID: staff.id, activeOn: CalendarDate(year: 2026, month: 3, day: 31)!)).map(
                \.id))
        try expect(onLastDay.contains(ended.id), "a grant is active on its last day")
        try expect(try await store.roleGrants.find(RoleGrantQuery(trustID: trust.id)).map(\.id) == [trustWide.id], "grants by trust")
        try expect(
            try await store.roleGrants.count(RoleGrantQuery(schoolID: chilton.id, roles: [.leadership, .staff])) == 2, "grants by role")
        _ = future
        let link = try await store.contacts.insert(
            ContactLink(
                schoolID: chilton.id, learnerID: learners[0].id, adultID: staff.id, relationship: .other, parentalResponsibility: false,
                priority: 2))
        try expect(try await store.contacts.find(ContactQuery(learnerID: learners[0].id)).map(\.id) == [link.id], "contacts by learner")
        try expect(try await store.contacts.find(ContactQuery(adultID: staff.id)).map(\.id) == [link.id], "contacts by adult")
        try expect(try await store.trusts.find(TrustQuery(nameContains: "viking")).count == 1, "trusts by name")
    }

    /// A throw inside a transaction leaves no record and no audit event behind.
    @_spi(StorageBackend)
    public static func rollbackOnThrow(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        struct Abort: Error {}
        let trust = SeedSchools.vikingAcademyTrust()
        let before = try await store.audit.latest()
        do {
            _ = try await store.withTransaction { tx in
                _ = try await tx.trusts.insert(trust)
                _ = try await tx.withTransaction { inner in try await inner.schools.insert(SeedSchools.chilton(trustID: trust.id)) }
                try expect(try await tx.trusts.get(trust.id) != nil, "a transaction reads its own writes")
                _ = try await tx.audit.append(
                    AuditDraft(
                        at: Date(), actorID: nil, schoolID: nil, action: AuditAction(stored: "trust.insert"), subjectKind: "trust",
                        subjectID: trust.id.uuid))
                throw Abort()
            }
            throw ConformanceFailure("the transaction should have thrown")
        } catch is Abort {}
        try expect(try await store.trusts.get(trust.id) == nil, "the trust was rolled back")
        try expect(try await store.schools.count(SchoolQuery()) == 0, "the nested school insert was rolled back")
        try expect(try await store.audit.latest() == before, "the audit event was rolled back")
        let committed = try await store.withTransaction { tx in try await tx.trusts.insert(trust) }
        try expect(try await store.trusts.get(trust.id) == committed, "the same write commits afterwards")
    }

    /// Writes based on a stale revision, duplicate ids and duplicate unique values are conflicts.
    @_spi(StorageBackend)
    public static func staleRevisionIsConflict(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let school = try await store.schools.insert(SeedSchools.mersham())
        var first = school
        first.name = "Mersham Primary School (first edit)"
        var second = school
        second.name = "Mersham Primary School (second edit)"
        _ = try await store.schools.update(first)
        try await expectError(.conflict, "a second edit from the same revision") { try await store.schools.update(second) }
        try expect(try await store.schools.get(school.id)?.name == first.name, "the first edit is not overwritten")
        try await expectError(.notFound, "updating a missing record") { try await store.trusts.update(Trust(name: "Nobody", revision: 1)) }
        var again = school
        again.revision = 0
        try await expectError(.conflict, "inserting the same id twice") { try await store.schools.insert(again) }
        var sameURN = SeedSchools.mersham()
        sameURN.name = "Another school with Mersham's URN"
        try await expectError(.conflict, "a duplicate URN") { try await store.schools.insert(sameURN) }
        let upn = try UPN(Fixture.upn(serial: 7))
        let details = LearnerDetails(upn: upn, dateOfBirth: CalendarDate(year: 2018, month: 6, day: 1)!, ncYear: .year2)
        _ = try await store.people.insert(
            Person(tenancy: .school(school.id), kind: .learner, givenName: "A", familyName: "One", learner: details))
        try await expectError(.conflict, "a duplicate UPN") {
            try await store.people.insert(
                Person(tenancy: .school(school.id), kind: .learner, givenName: "B", familyName: "Two", learner: details))
        }
        try await expectError(.invalidInput, "an invalid record") {
            try await store.people.insert(Person(tenancy: .school(school.id), kind: .learner, givenName: "C", familyName: "Three"))
        }
    }

    /// Stored audit events cannot be changed or removed through the backend.
    @_spi(StorageBackend)
    public static func auditIsAppendOnly(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let before = try await store.audit.events(AuditQuery())
        try expect(before.count >= 10, "the fixture wrote audit events")
        let attempts = try await harness.attemptAuditRewrite(store)
        try expect(attempts.allSatisfy(\.refused), "every attempt to rewrite the audit is refused: \(attempts)")
        let after = try await store.audit.events(AuditQuery())
        try expect(after == before, "every audit event is unchanged")
        let session = try await fixture.safety.session(actingAs: fixture.dsl.id, at: fixture.school.id)
        try expect(try await session.audit.verify().isIntact, "the chain still verifies")
    }

    /// Audit events chain from the genesis hash, in order, and verify.
    @_spi(StorageBackend)
    public static func auditChainVerifies(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let events = try await store.audit.events(AuditQuery())
        try expect(events.first?.previousHash == AuditChain.genesis, "the first event chains from the genesis hash")
        try expect(events.map(\.sequence) == Array(1...Int64(events.count)), "sequences run from 1 without gaps")
        for (previous, event) in zip(events, events.dropFirst()) {
            try expect(event.previousHash == previous.hash, "event \(event.sequence) chains to the one before")
        }
        let session = try await fixture.safety.session(actingAs: fixture.dsl.id, at: fixture.school.id)
        let before = try await store.audit.events(AuditQuery()).count
        let mark = try await store.audit.heads()
        let everyone = try await session.people.list()
        let reads = try await store.audit.events(since: mark)
        try expect(everyone.count == 5 && reads.count == 1, "a listing is audited as one read")
        try expect(
            reads[0].draft.listed == everyone.map(\.id.uuid) && reads[0].draft.subjectID == nil,
            "the read names every record returned, in the order returned")
        for person in everyone {
            let trail = try await store.audit.events(AuditQuery(subjectID: person.id.uuid))
            try expect(trail.contains { $0.hash == reads[0].hash }, "each listed record's trail finds the listing")
        }
        let result = try await session.audit.verify()
        try expect(result.isIntact, "an untouched chain verifies: \(String(describing: result.firstBreak))")
        try expect(result.eventsChecked == before + reads.count, "every event is checked (\(result.eventsChecked))")
        try expect(result.headSequence == Int64(before + reads.count), "the head is the last event")
        let mine = try await session.audit.events(AuditQuery(actorID: fixture.admin.id))
        try expect(
            mine.contains { $0.draft.action.rawValue == "person.insert" && $0.draft.subjectID == fixture.oakLearner.id.uuid },
            "events by actor")
        let trail = try await session.audit.trail(of: fixture.ashLearner.id.uuid)
        try expect(
            trail.map(\.draft.action.rawValue) == ["person.insert", "person.list"],
            "the trail of one record: added, then read in the listing: \(trail.map(\.draft.action.rawValue))")

        // Many listings appended in one batch (a backend's bulk path) keep their records, in order,
        // and each record's trail finds its listing.
        let lists = (0..<80).map { index in (0..<(1 + index % 4)).map { _ in UUID() } }
        let drafts = lists.map { list in
            AuditDraft(
                at: Fixture.now, actorID: fixture.dsl.id, schoolID: fixture.school.id, action: .personRead, subjectKind: "person",
                subjectID: nil, listed: list)
        }
        let appended = try await store.withTransaction { tx in try await tx.audit.appendMany(drafts) }
        try expect(appended.map(\.draft.listed) == lists, "each listing is chained with its records")
        let found = try await store.audit.events(AuditQuery(subjectID: lists[57][1]))
        try expect(
            found.count == 1 && found[0].draft.listed == lists[57] && found[0].hash == appended[57].hash,
            "a record's trail finds the one listing that named it, read back as written")
        try expect(try await AuditChain.verify(store.audit).isIntact, "the chains verify with the listings")
    }

    /// A batch that cannot be stored whole (a NUL in the last record's name, past the backends'
    /// windows and statements) stores nothing, even when the transaction's body catches the error
    /// and returns: the batch is refused with `invalidInput`, and the transaction either refuses
    /// to commit or commits nothing of the batch.
    @_spi(StorageBackend)
    public static func aBatchIsStoredWholeOrNotAtAll(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let trust = try await store.trusts.insert(SeedSchools.vikingAcademyTrust())
        // Two of the flat-file store's encoding windows and three more; one PostgreSQL statement of
        // people (4,615 rows) and three more, sent as a statement of their own; a batch below both.
        for count in [8_192 + 3, 4_615 + 3, 40] {
            var people = (0..<count).map {
                Person(tenancy: .trust(trust.id), kind: .staff, givenName: "Staff", familyName: "Number \($0)")
            }
            people[count - 1].familyName = "Bad\u{0}Name"
            let batch = people
            do {
                try await store.withTransaction { tx in
                    do {
                        try await tx.people.insertMany(batch)
                        throw SafetyError(.conflict, "a name with a NUL was stored")
                    } catch let error as SafetyError where error.code == .invalidInput {
                        // Caught, and the body returns as if nothing had gone wrong.
                    }
                }
            } catch let error as SafetyError where error.code == .unavailable {
                // The backend refused to commit a transaction that could not stage the batch.
            }
            let stored = try await store.people.count(PersonQuery(scope: .trust(trust.id)))
            try expect(stored == 0, "no person of a refused batch of \(count) is stored: \(stored)")
        }
    }

    /// A batch of audit events across chains, in one transaction after events already there,
    /// is chained exactly as appending them one by one would chain them; a batch in a transaction
    /// that throws leaves nothing behind.
    @_spi(StorageBackend)
    public static func auditBatchChainsAsOneByOne(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let trust = try await store.trusts.insert(SeedSchools.vikingAcademyTrust())
        let schools = [
            try await store.schools.insert(SeedSchools.chilton(trustID: trust.id)),
            try await store.schools.insert(SeedSchools.mersham(trustID: trust.id)),
        ]
        let at = Date(timeIntervalSince1970: 1_790_000_000)
        @Sendable func draft(_ index: Int) -> AuditDraft {
            // Three chains interleaved: each school's ordinary chain, and the first school's restricted one.
            AuditDraft(
                at: at.addingTimeInterval(Double(index)), actorID: nil, schoolID: schools[index % 2].id,
                action: AuditAction(stored: "person.insert"), subjectKind: "person", subjectID: UUID(), reason: "batch \(index)",
                restricted: index % 3 == 0 && index % 2 == 0)
        }
        let opening = draft(0)
        let first = try await store.withTransaction { tx in try await tx.audit.append(opening) }
        let drafts = (1...1_200).map(draft)
        let batch = try await store.withTransaction { tx in try await tx.audit.appendMany(drafts) }
        try expect(batch.map(\.draft) == drafts, "the batch holds the drafts in order")
        var heads: [AuditChainID: AuditEvent] = [first.chain: first]
        for event in batch {
            let last = heads[event.chain]
            try expect(event.chain == event.draft.chain, "each event is on its draft's chain")
            try expect(event.sequence == (last?.sequence ?? 0) + 1, "sequence \(event.sequence) follows its chain's last")
            try expect(event.previousHash == last?.hash ?? AuditChain.genesis, "each event chains to its chain's last")
            try expect(
                event.hash == AuditChain.hash(previous: event.previousHash, sequence: event.sequence, event.draft, chain: event.chain),
                "each hash covers the event")
            heads[event.chain] = event
        }
        try expect(heads.count == 3, "three chains were written")
        let stored = try await store.audit.events(AuditQuery())
        try expect(Set(stored) == Set([first] + batch), "the store holds the events the batch returned")
        let verified = try await AuditChain.verify(store.audit)
        try expect(verified.isIntact && verified.eventsChecked == 1 + drafts.count, "the chains verify")

        struct Abort: Error {}
        let more = (1_201...1_800).map(draft)
        do {
            _ = try await store.withTransaction { tx in
                _ = try await tx.audit.appendMany(more)
                throw Abort()
            }
        } catch is Abort {}
        try expect(try await store.audit.events(AuditQuery()).count == 1 + drafts.count, "a batch rolled back leaves no event")
    }

    /// Altering one stored audit event by hand is caught: on open (the store is refused, naming the
    /// record) or by verification, which names the event.
    @_spi(StorageBackend)
    public static func tamperingIsDetected(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        let fixture = try await Fixture.make(on: store)
        let count = try await store.audit.events(AuditQuery()).count
        let target = Int64(count / 2)
        let reopened: any OnlineSafetyStore
        do {
            reopened = try await harness.tamperAuditEvent(store, target)
        } catch let error as SafetyError where error.code == .corruptData {
            // Detected on open: the backend refuses a store whose records were altered, naming where.
            try expect(error.location != nil, "the refusal names the altered record: \(error)")
            return
        }
        defer { Task { try? await reopened.close() } }
        let safety = OnlineSafety(backend: reopened, clock: fixture.safety.clock, logger: Logger(label: "conformance"))
        let session = try await safety.session(actingAs: fixture.dsl.id, at: fixture.school.id)
        let result = try await session.audit.verify()
        try expect(
            result.firstBreak?.sequence == target, "verification names event \(target), got \(String(describing: result.firstBreak))")
    }

    /// A class teacher reading another child's record is refused exactly as for an absent record,
    /// and the refusal is audited; the DSL reads it.
    @_spi(StorageBackend)
    public static func forbiddenReadIsAudited(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let teacher = try await fixture.safety.session(actingAs: fixture.teacher.id, at: fixture.school.id)
        try expect(try await teacher.people.get(fixture.oakLearner.id) == fixture.oakLearner, "the teacher reads a learner they teach")
        do {
            _ = try await teacher.people.get(fixture.ashLearner.id)
            throw ConformanceFailure("the teacher read another class's child")
        } catch let error as SafetyError {
            try expect(error.code == .notFound && error.reason == "no such person", "refused as absent, got \(error.code)")
            try expect(error.reason == SafetyError.notFound("person").reason, "the same words as for an unknown identifier")
            try expect(!error.description.contains("Ashworth") && !error.description.contains("Ben"), "no child's data in the error")
        }
        let denied = try await store.audit.events(AuditQuery(subjectID: fixture.ashLearner.id.uuid)).last
        try expect(denied?.draft.outcome == .denied && denied?.draft.actorID == fixture.teacher.id, "the refusal is audited")
        try expect(denied?.draft.action.rawValue == "person.read", "as a read of the person")
        let listed = try await teacher.people.list()
        try expect(listed.map(\.id) == [fixture.oakLearner.id], "the teacher's list holds only their class")

        let dsl = try await fixture.safety.session(actingAs: fixture.dsl.id, at: fixture.school.id)
        try expect(try await dsl.people.get(fixture.ashLearner.id) == fixture.ashLearner, "the DSL reads the record")
        let allowed = try await store.audit.events(AuditQuery(subjectID: fixture.ashLearner.id.uuid)).last
        try expect(allowed?.draft.outcome == .allowed && allowed?.draft.actorID == fixture.dsl.id, "the DSL's read is audited")
        try expect(try await dsl.people.contacts(of: fixture.ashLearner.id).map(\.adultID) == [fixture.parent.id], "the DSL reads contacts")
        try await expectError(.forbidden, "a teacher cannot add people") {
            try await teacher.people.add(Person(tenancy: .school(fixture.school.id), kind: .visitor, givenName: "V", familyName: "Visitor"))
        }
        try await expectError(.forbidden, "a teacher cannot read the audit trail") { try await teacher.audit.events() }
        try await expectError(.forbidden, "a parent with no role cannot open a session") {
            try await fixture.safety.session(actingAs: fixture.parent.id, at: fixture.school.id)
        }
    }

    /// A leaver keeps their record, loses every role, and can no longer open a session.
    @_spi(StorageBackend)
    public static func leaverLosesRoles(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let yesterday = Fixture.today.adding(days: -1)
        _ = try await admin.people.recordLeaver(fixture.teacher.id, on: yesterday)
        try await expectError(.forbidden, "a leaver cannot open a session") {
            try await fixture.safety.session(actingAs: fixture.teacher.id, at: fixture.school.id)
        }
        let grants = try await store.roleGrants.find(RoleGrantQuery(personID: fixture.teacher.id))
        try expect(!grants.isEmpty && grants.allSatisfy { $0.ends == yesterday }, "every grant ended on the leaving day")
        try expect(try await admin.people.get(fixture.teacher.id).leftOn == yesterday, "the record stays, marked as left")
        let holders = try await admin.roles.holders()
        try expect(!holders.contains { $0.person.id == fixture.teacher.id }, "a leaver holds no role today")
        try expect(holders.contains { $0.person.id == fixture.dsl.id && $0.grant.role == .designatedSafeguardingLead }, "the DSL is listed")
    }
}

extension StorageConformance {
    /// One organisation's data manager cannot change, grant roles to, or read another organisation's people.
    @_spi(StorageBackend)
    public static func recordsStayWithTheirSchool(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let mershamSchool = SeedSchools.mersham()
        let mersham = try await fixture.safety.bootstrap(
            trust: nil, school: mershamSchool,
            administrator: Person(tenancy: .school(mershamSchool.id), kind: .staff, givenName: "Mo", familyName: "Manager"))
        let mershamAdmin = try await fixture.safety.session(actingAs: mersham.administrator.id, at: mersham.school.id)
        let mershamLearner = try await mershamAdmin.people.add(
            Person(
                tenancy: .school(mersham.school.id), kind: .learner, givenName: "Max", familyName: "Mersham",
                learner: LearnerDetails(
                    upn: try UPN(Fixture.upn(serial: 501)), dateOfBirth: CalendarDate(year: 2016, month: 2, day: 2)!, ncYear: .year5)))
        let chiltonAdmin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        var moved = mershamLearner
        moved.tenancy = .school(fixture.school.id)
        try await expectError(.notFound, "another school's person cannot be taken over") { try await chiltonAdmin.people.update(moved) }
        try await expectError(.notFound, "another school's person cannot be given a role here: to this school they do not exist") {
            try await chiltonAdmin.roles.grant(
                RoleGrant(personID: mershamLearner.id, role: .learner, scope: .school(fixture.school.id), starts: Fixture.today))
        }
        try await expectError(.notFound, "another school's record is not read through this school: it is answered as absent") {
            try await chiltonAdmin.people.get(mershamLearner.id)
        }
        try await expectError(.forbidden, "a session cannot open at a school where one holds no role") {
            try await fixture.safety.session(actingAs: fixture.admin.id, at: mersham.school.id)
        }
        try expect(try await store.people.get(mershamLearner.id)?.schoolID == mersham.school.id, "the learner stays at Mersham")
        let chiltonDSL = try await fixture.safety.session(actingAs: fixture.dsl.id, at: fixture.school.id)
        _ = try await chiltonDSL.incidents.addCategory(code: "chilton-only", name: "Chilton's own", under: "cyberbullying")
        try expect(
            !(try await mershamAdmin.incidents.categories()).contains { $0.code == "custom.chilton-only" },
            "a school without a trust does not see another school's own categories")
        try expect(
            try await chiltonDSL.incidents.categories().contains { $0.code == "custom.chilton-only" }, "the school sees its own category")
    }
}
