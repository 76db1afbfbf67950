import Foundation
@_spi(StorageBackend) import OnlineSafetyCore

extension StorageConformance {
    /// Grouped counts, keyset paging in both directions, upsert by natural key and lists of any
    /// length give the same answers on every backend.
    @_spi(StorageBackend)
    public static func groupedCountsPagingAndUpsert(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let dsl = try await fixture.safety.session(actingAs: fixture.dsl.id, at: fixture.school.id)
        let november = Fixture.now
        let october = Fixture.now.addingTimeInterval(-86_400 * 30)
        for (category, when) in [("cyberbullying", november), ("cyberbullying", october), ("onlineHate", november)] {
            _ = try await dsl.incidents.record(
                NewIncident(
                    occurredAt: when, location: .onSite, equipment: .school, summary: "s", riskArea: .conduct, categoryCode: category,
                    participants: [.subject: [fixture.oakLearner.id]]))
        }
        let query = IncidentQuery(schoolIDs: [fixture.school.id], includeRestricted: true)
        let byCategory = try await store.incidents.countGrouped(query, by: [.column("category")])
        try expect(
            byCategory == [
                GroupedCount(key: [.text("cyberbullying")], count: 2), GroupedCount(key: [.text("onlineHate")], count: 1),
            ], "counts by category: \(byCategory)")
        let byMonth = try await store.incidents.countGrouped(query, by: [.column("school_id"), .month("occurred_at")])
        try expect(
            byMonth == [
                GroupedCount(key: [.uuid(fixture.school.id.uuid), .text("2026-10")], count: 1),
                GroupedCount(key: [.uuid(fixture.school.id.uuid), .text("2026-11")], count: 2),
            ], "counts by school and month in UK time: \(byMonth)")
        try await expectError(.invalidInput, "grouping by a column the kind does not have") {
            try await store.incidents.countGrouped(query, by: [.column("nonsense")])
        }

        let everyone = try await store.people.find(PersonQuery(scope: .school(fixture.school.id)))
        var forward: [PersonID] = []
        var cursor: PageCursor?
        repeat {
            let page = try await store.people.page(
                PersonQuery(scope: .school(fixture.school.id)), after: cursor, limit: 2, direction: .ascending)
            forward += page.values.map(\.id)
            cursor = page.next
        } while cursor != nil
        try expect(forward == everyone.map(\.id), "ascending pages walk the listing in order, each record once")
        var backward: [PersonID] = []
        cursor = nil
        repeat {
            let page = try await store.people.page(
                PersonQuery(scope: .school(fixture.school.id)), after: cursor, limit: 3, direction: .descending)
            backward += page.values.map(\.id)
            cursor = page.next
        } while cursor != nil
        try expect(backward == everyone.map(\.id).reversed(), "descending pages walk it backwards")

        var twin = fixture.oakLearner
        twin.id = PersonID()
        twin.revision = 0
        let unchanged = try await store.people.upsert(twin, naturalKey: ["school_id", "upn"])
        guard case .unchanged(let kept) = unchanged else { throw ConformanceFailure("the same learner again is unchanged: \(unchanged)") }
        try expect(kept.id == fixture.oakLearner.id, "the stored record keeps its identifier")
        twin.familyName = "Oakley-Smith"
        let updated = try await store.people.upsert(twin, naturalKey: ["school_id", "upn"])
        guard case .updated(let changed) = updated else { throw ConformanceFailure("a changed name is an update: \(updated)") }
        try expect(changed.id == fixture.oakLearner.id && changed.revision == 2, "updated in place at the next revision")
        var newcomer = twin
        newcomer.id = PersonID()
        newcomer.learner?.upn = try UPN(Fixture.upn(serial: 77))
        let inserted = try await store.people.upsert(newcomer, naturalKey: ["school_id", "upn"])
        guard case .inserted(let stored) = inserted else { throw ConformanceFailure("a new UPN is an insert: \(inserted)") }
        try expect(stored.id == newcomer.id && stored.revision == 1, "inserted as new")

        // A list longer than any statement's parameter limit (65,535 on PostgreSQL), with a null
        // and text lists long and short, answers as the short lists do.
        let learners = everyone.filter { $0.kind == .learner }
        let unknown = (0..<70_000).map { _ in IndexValue.uuid(UUID()) }
        var links: [ContactLink] = []
        for learner in learners { links += try await store.contacts.find(ContactQuery(learnerID: learner.id)) }
        let long = try await store.contacts.find(matching: [.oneOf("learner_id", unknown + learners.map { .id($0.id) })], limit: nil)
        try expect(
            Set(long.map(\.id)) == Set(links.map(\.id)) && long.count == links.count && !links.isEmpty,
            "a long list finds every learner's links once each")
        let withNull = try await store.people.find(
            matching: [.oneOf("upn", [.null] + (0..<40).map { .text("X\($0)") })], limit: nil)
        let withoutUPN = try await store.people.find(matching: [.isNull("upn")], limit: nil)
        try expect(
            Set(withNull.map(\.id)) == Set(withoutUPN.map(\.id)) && withoutUPN.contains { $0.id == fixture.admin.id },
            "a long text list with a null matches the people without a UPN")
        let byName = try await store.people.find(
            matching: [.oneOf("family_name", (0..<40).map { .text("Nobody\($0)") } + [.text(changed.familyName)])], limit: nil)
        let short = try await store.people.find(matching: [.oneOf("family_name", [.text(changed.familyName)])], limit: nil)
        try expect(Set(byName.map(\.id)) == Set(short.map(\.id)) && !short.isEmpty, "a long text list matches as a short one")
    }

    /// The sanctioned purge removes an incident and its chronology for good, audited, and every
    /// audit chain still verifies; nothing else can remove an append-only record.
    @_spi(StorageBackend)
    public static func purgeRemovesRecordsAndTheAuditStillVerifies(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let dsl = try await fixture.safety.session(actingAs: fixture.dsl.id, at: fixture.school.id)
        let incident = try await dsl.incidents.record(
            NewIncident(
                occurredAt: Fixture.now, location: .onSite, equipment: .school, summary: "PURGEME summary", riskArea: .conduct,
                categoryCode: "cyberbullying", participants: [.subject: [fixture.oakLearner.id]]))
        _ = try await dsl.chronology.append(.note("PURGEME note"), to: incident.id)
        _ = try await dsl.devices.seize(
            for: incident.id, item: "phone", ownerID: nil, reason: "r", storageLocation: "safe", holdsEvidence: false)
        let keep = try await dsl.incidents.record(
            NewIncident(
                occurredAt: Fixture.now, location: .onSite, equipment: .school, summary: "kept", riskArea: .conduct,
                categoryCode: "cyberbullying", participants: [.subject: [fixture.ashLearner.id]]))
        let teacher = try await fixture.safety.session(actingAs: fixture.teacher.id, at: fixture.school.id)
        try await expectError(.forbidden, "a class teacher cannot purge") {
            try await teacher.retention.purgeIncident(incident.id, reason: "no")
        }
        try await expectError(.invalidInput, "a purge needs its reason") { try await dsl.retention.purgeIncident(incident.id, reason: " ") }
        let removed = try await dsl.retention.purgeIncident(incident.id, reason: "retention period over")
        try expect(removed == 5, "the incident, its two entries, its device and its steps are removed: \(removed)")
        try await expectError(.notFound, "the incident is gone") { try await dsl.incidents.get(incident.id) }
        try expect(try await store.chronology.count(ChronologyQuery(incidentIDs: [incident.id])) == 0, "its chronology is gone")
        try expect(try await dsl.incidents.get(keep.id) == keep, "another incident is untouched")
        let purges = try await store.audit.events(AuditQuery(actorID: fixture.dsl.id)).filter { $0.draft.action == .recordPurge }
        try expect(
            purges.contains { $0.draft.subjectID == incident.id.uuid && $0.draft.reason == nil && $0.draft.outcome == .allowed }
                && purges.filter { $0.draft.reason == "retention period over" }.count == 3,
            "each purged record is audited, with the reason: \(purges.map(\.draft.subjectKind))")
        try expect(try await AuditChain.verify(store.audit).isIntact, "every audit chain still verifies")
        let reopened = try await harness.reopen(store)
        try expect(try await reopened.incidents.get(incident.id) == nil, "the purge holds after the store is reopened")
        try expect(try await reopened.incidents.get(keep.id) == keep, "and the rest is still there")
        try expect(try await AuditChain.verify(reopened.audit).isIntact, "and the chains verify")
        if let leftover = try await harness.storedBytesContain(reopened, "PURGEME") {
            try expect(!leftover, "no byte of the purged record's text is left in the store")
        }
        try await reopened.close()
    }
}

extension StorageConformance {
    /// `satisfies` names only steps of the incident's procedure, and a note never ticks a step
    /// that needs its own kind of entry (the risk assessment); that entry does, covering only
    /// people involved in the incident.
    @_spi(StorageBackend)
    public static func aNoteNeverTicksAStepThatNeedsItsOwnEntry(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let dsl = try await fixture.safety.session(actingAs: fixture.dsl.id, at: fixture.school.id)
        let incident = try await dsl.incidents.record(
            NewIncident(
                occurredAt: Fixture.now, location: .onSite, equipment: .school, summary: "s", riskArea: .contact,
                categoryCode: "sexualViolenceHarassment", participants: [.subject: [fixture.oakLearner.id]]))
        let before = try await dsl.steps.steps(for: incident.id, asOf: Fixture.now)
        guard let assessment = before.first(where: { $0.code == "riskAssessment" }) else {
            throw ConformanceFailure("a sexual violence concern needs a risk assessment")
        }
        try expect(assessment.satisfiedAt == nil, "the risk assessment is due")
        for codes in [["riskAssessment"], ["noSuchStep"]] {
            do {
                _ = try await dsl.chronology.append(.note("we assessed it"), to: incident.id, satisfies: codes)
                throw ConformanceFailure("a note satisfied \(codes)")
            } catch let error as SafetyError {
                try expect(error.code == .invalidInput && error.location == "entry.satisfies", "refused naming the field: \(error)")
            }
        }
        // An assessment covers people involved in the incident: an identifier of no one, or of a
        // learner not involved, is refused and nothing is kept.
        for covered in [PersonID(), fixture.ashLearner.id] {
            do {
                _ = try await dsl.chronology.append(
                    .riskAssessment(RiskAssessment(personIDs: [covered], summary: "plan", reviewDate: Fixture.today.adding(days: 14))),
                    to: incident.id)
                throw ConformanceFailure("a risk assessment covering someone not involved was kept")
            } catch let error as SafetyError {
                try expect(error.code == .invalidInput && error.location == "entry.personIDs", "refused naming the field: \(error)")
            }
        }
        try expect(try await dsl.chronology.entries(of: incident.id).isEmpty, "nothing was written by the refused entries")
        _ = try await dsl.chronology.append(
            .riskAssessment(
                RiskAssessment(personIDs: [fixture.oakLearner.id], summary: "plan", reviewDate: Fixture.today.adding(days: 14))),
            to: incident.id)
        let after = try await dsl.steps.steps(for: incident.id, asOf: Fixture.now)
        try expect(after.first { $0.code == "riskAssessment" }?.satisfiedAt != nil, "the risk assessment ticks its step")
    }
}

extension StorageConformance {
    /// A write that names a record that does not exist (an orphan) is refused alike on every
    /// backend, as `constraintViolation`, and nothing of it is stored.
    @_spi(StorageBackend)
    public static func orphanWritesAreRefusedAlike(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let orphanLink = ContactLink(
            schoolID: fixture.school.id, learnerID: PersonID(), adultID: fixture.parent.id, relationship: .mother,
            parentalResponsibility: true, priority: 1)
        try await expectError(.constraintViolation, "a contact of a learner who does not exist") {
            try await store.contacts.insert(orphanLink)
        }
        try expect(try await store.contacts.get(orphanLink.id) == nil, "the orphan link is not stored")
        let orphanEntry = ChronologyEntry(
            incidentID: IncidentID(), schoolID: fixture.school.id, restricted: false, recordedAt: Fixture.now, recordedBy: fixture.dsl.id,
            content: .note("about nothing"))
        try await expectError(.constraintViolation, "an entry of an incident that does not exist") {
            try await store.chronology.insert(orphanEntry)
        }
        var moved = fixture.teacher
        moved.tenancy = .school(SchoolID())
        try await expectError(.constraintViolation, "a person moved to a school that does not exist") {
            try await store.people.update(moved)
        }
        try expect(try await store.people.get(fixture.teacher.id) == fixture.teacher, "the person is unchanged")
    }
}
