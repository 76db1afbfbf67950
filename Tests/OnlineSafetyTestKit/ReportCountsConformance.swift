import Foundation
@_spi(StorageBackend) import OnlineSafetyCore

extension StorageConformance {
    /// A backend's own compliance counts equal the same counts made in memory from the records,
    /// and the figures they should be, over the cases that decide them: learners of each key
    /// stage and outside year groups, a leaver before and after the day, an acceptance of an old
    /// version or recorded at another school, a holder from the trust's own staff, holders out of
    /// the school's reach, grants revoked or not yet started, and a leaver's consent.
    @_spi(StorageBackend)
    public static func complianceCountsMatchTheRecords(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let day = CalendarDate(year: 2026, month: 1, day: 15)!
        let published = CalendarDate(year: 2025, month: 6, day: 1)!.startOfDay
        let trust = try await store.trusts.insert(SeedSchools.vikingAcademyTrust())
        let other = try await store.trusts.insert(Trust(name: "Another Trust"))
        var chilton = SeedSchools.chilton(trustID: trust.id)
        chilton.urn = "910001"
        var sibling = SeedSchools.chilton(trustID: trust.id)
        sibling.id = SchoolID()
        sibling.urn = "910002"
        var stranger = SeedSchools.chilton(trustID: other.id)
        stranger.id = SchoolID()
        stranger.urn = "910003"
        try await store.schools.insertMany([chilton, sibling, stranger])
        let manager = try await store.people.insert(
            Person(tenancy: .trust(trust.id), kind: .staff, givenName: "Trust", familyName: "Manager"))

        func document(_ audience: AUPAudience, _ version: Int) -> AUPDocument {
            AUPDocument(
                schoolID: nil, trustID: trust.id, audience: audience, version: version, title: "\(audience.title) AUP",
                effectiveFrom: CalendarDate(year: 2025, month: 9, day: version)!,
                contentHash: AUPDocument.contentHash(of: Data([UInt8(version)])),
                publishedAt: published, publishedBy: manager.id)
        }
        let staffV1 = document(.staffAndVolunteers, 1)
        let staffV2 = document(.staffAndVolunteers, 2)
        let older = document(.olderLearners, 1)
        let younger = document(.youngerLearners, 1)
        try await store.aupDocuments.insertMany([staffV1, staffV2, older, younger])
        let current: [AUPAudience: AUPDocument] = [.staffAndVolunteers: staffV2, .olderLearners: older, .youngerLearners: younger]

        var serial = 0
        func learner(_ year: NCYear, at school: School = chilton, leftOn: CalendarDate? = nil) -> Person {
            serial += 1
            return Person(
                tenancy: .school(school.id), kind: .learner, givenName: "Learner", familyName: "Number \(serial)",
                learner: LearnerDetails(
                    upn: try! UPN(Fixture.upn(serial: serial)), dateOfBirth: CalendarDate(year: 2018, month: 3, day: 1)!, ncYear: year),
                leftOn: leftOn)
        }
        func adult(_ kind: PersonKind, at school: School = chilton, leftOn: CalendarDate? = nil) -> Person {
            serial += 1
            return Person(tenancy: .school(school.id), kind: kind, givenName: "Adult", familyName: "Number \(serial)", leftOn: leftOn)
        }
        let infant = learner(.year1)
        let nursery = learner(.nursery1)
        let junior = learner(.year3)
        let outside = learner(.outsideYearGroups)
        let gone = learner(.year4, leftOn: day)
        let going = learner(.year5, leftOn: day.adding(days: 1))
        let teacher = adult(.staff)
        let oldVersion = adult(.staff)
        let elsewhere = adult(.staff)
        let leaverStaff = adult(.staff, leftOn: day.adding(days: -10))
        let governor = adult(.governor)
        let volunteer = adult(.volunteer)
        let trustStaff = Person(tenancy: .trust(trust.id), kind: .staff, givenName: "Trust", familyName: "Technician")
        let outsider = adult(.staff, at: stranger)
        let siblingStaff = adult(.staff, at: sibling)
        try await store.people.insertMany([
            infant, nursery, junior, outside, gone, going, teacher, oldVersion, elsewhere, leaverStaff, governor, volunteer, trustStaff,
            outsider, siblingStaff,
        ])

        func accept(_ person: Person, _ document: AUPDocument, at school: SchoolID? = chilton.id) -> AUPAcceptance {
            AUPAcceptance(
                schoolID: school, personID: person.id, document: document, acceptedBy: person.id, method: .online,
                acceptedAt: document.effectiveFrom.startOfDay, recordedBy: manager.id)
        }
        try await store.aupAcceptances.insertMany([
            accept(infant, younger), accept(junior, older), accept(going, older), accept(gone, older),
            accept(teacher, staffV2), accept(oldVersion, staffV1), accept(elsewhere, staffV2, at: sibling.id),
            accept(leaverStaff, staffV2), accept(volunteer, staffV2), accept(trustStaff, staffV2, at: nil), accept(outsider, staffV2),
        ])

        func grant(
            _ person: Person, _ system: SystemCode, from: CalendarDate = CalendarDate(year: 2025, month: 9, day: 3)!,
            revokedOn: CalendarDate? = nil
        ) -> AccessGrant {
            AccessGrant(
                schoolID: chilton.id, personID: person.id, system: system, grantedOn: from, grantedAt: published.addingTimeInterval(86_400),
                grantedBy: manager.id, documentID: staffV2.id, acceptanceID: AUPAcceptance.id(person: person.id, document: staffV2.id),
                revokedOn: revokedOn, revokedAt: revokedOn.map { $0.startOfDay }, revocationReason: revokedOn.map { _ in "leaver" })
        }
        let grants = [
            grant(teacher, .email),  // accepted the current version: fine
            grant(oldVersion, .email),  // only the old version: an exception
            grant(elsewhere, .email),  // accepted, but recorded at another school: an exception
            grant(leaverStaff, .network),  // has left: an exception
            grant(trustStaff, .network),  // the trust's own staff, accepted: fine
            grant(governor, .email),  // no acceptance: an exception
            grant(junior, .learningPlatform),  // accepted: fine
            grant(outside, .learningPlatform),  // no acceptance: an exception
            grant(outsider, .email),  // out of reach: counted in force, never listed
            grant(siblingStaff, .email),  // at another school of the trust: out of reach too
            grant(teacher, .network, revokedOn: day),  // revoked on the day: not in force
            grant(teacher, .mcas, from: day.adding(days: 1)),  // starts tomorrow: not in force
        ]
        try await store.accessGrants.insertMany(grants)

        func consent(_ person: Person, _ choices: [String: ConsentChoice]) -> ConsentState {
            var state = ConsentState(learnerID: person.id, schoolID: chilton.id)
            for (purpose, choice) in choices.sorted(by: { $0.key < $1.key }) {
                let at = CalendarDate(year: 2025, month: 10, day: 1)!.startOfDay
                state.apply(
                    ConsentDecision(
                        schoolID: chilton.id, learnerID: person.id, purposeCode: purpose, choice: choice, decidedBy: manager.id,
                        byLearner: false, relationship: .parent, method: .written, effectiveAt: at, recordedAt: at, recordedBy: manager.id),
                    over: nil)
            }
            return state
        }
        let website = ConsentPurpose.websiteImages.code
        let video = ConsentPurpose.builtIns.map(\.code).first { $0 != website }!
        try await store.consentStates.insertMany([
            consent(infant, [website: .granted, video: .refused]), consent(junior, [website: .granted]),
            consent(outside, [website: .withdrawn]), consent(gone, [website: .granted, video: .granted]),
        ])

        for listed in [false, true] {
            let request = ComplianceTallyRequest(school: chilton, date: day, current: current, listExceptions: listed)
            let native = try await store.withTransaction { tx in try await tx.reports.complianceTally(request) }
            let reference = try await store.withTransaction { tx in
                try await RepositoryReportQueries(store: tx).complianceTally(request)
            }
            try expect(native == reference, "the backend's counts equal the records' (exceptions listed: \(listed))")
            try expect(
                native.people == [.youngerLearners: 2, .olderLearners: 3, .staffAndVolunteers: 4, .governors: 1],
                "on roll by audience: N1 and Y1 younger; Y3, X and the leaver of tomorrow older; four staff and volunteers")
            try expect(
                native.accepted == [.youngerLearners: 1, .olderLearners: 2, .staffAndVolunteers: 2],
                "accepted at the school: the infant; the junior and tomorrow's leaver; the teacher and the volunteer")
            try expect(native.learners == 5, "five learners on roll")
            try expect(native.activeGrants == 10, "ten grants in force (one revoked on the day, one not yet started)")
            try expect(native.exceptionCount == 5, "five grants lack the current agreement or have a leaver")
            try expect(
                native.consent == [website: [.granted: 2, .withdrawn: 1], video: [.refused: 1]],
                "consent of learners on roll only, by purpose and decision")
            if listed {
                let holders = Set(native.exceptions.map(\.grant.personID))
                try expect(
                    holders == [oldVersion.id, elsewhere.id, leaverStaff.id, governor.id, outside.id]
                        && native.exceptions.count == 5, "the five grants are listed, the out-of-reach holders' are not")
                try expect(
                    native.exceptions.first { $0.grant.personID == leaverStaff.id }?.holderHasLeft == true
                        && native.exceptions.first { $0.grant.personID == governor.id }?.requiredDocumentID == nil
                        && native.exceptions.first { $0.grant.personID == outside.id }?.audience == .olderLearners,
                    "each says whether the holder left and which policy is required")
            } else {
                try expect(native.exceptions.isEmpty, "not listed unless asked")
            }
        }

        // Asked for several schools at once (the sibling school, the school a day
        // earlier, the grants alone, and the school again), each answer equals its own.
        let requests = [
            ComplianceTallyRequest(school: chilton, date: day, current: current, listExceptions: true),
            ComplianceTallyRequest(school: sibling, date: day, current: current, listExceptions: true),
            ComplianceTallyRequest(school: chilton, date: day.adding(days: -1), current: current, listExceptions: false),
            ComplianceTallyRequest(school: chilton, date: day, current: current, listExceptions: false, grantsOnly: true),
            ComplianceTallyRequest(school: chilton, date: day, current: [:], listExceptions: true),
            ComplianceTallyRequest(school: chilton, date: day, current: current, listExceptions: true, withoutGrants: true),
        ]
        let batch = try await store.withTransaction { tx in try await tx.reports.complianceTallies(requests) }
        var single: [ComplianceTally] = []
        for request in requests {
            single.append(try await store.withTransaction { tx in try await tx.reports.complianceTally(request) })
        }
        try expect(batch.count == requests.count, "one tally per request, in order")
        for index in requests.indices where !requests[index].grantsOnly && !requests[index].withoutGrants {
            try expect(batch[index] == single[index], "request \(index + 1) of the batch equals its own tally")
        }
        try expect(
            batch[3].activeGrants == 10 && batch[3].exceptionCount == 5, "the grants alone are counted as in the full tally")
        try expect(
            batch[1].activeGrants == 0 && batch[1].people == [.staffAndVolunteers: 1] && batch[1].accepted.isEmpty,
            "the sibling school's counts are its own: its one member of staff, who has not accepted there, and no grants")
        try expect(
            batch[4].exceptionCount == 8 && batch[4].accepted.isEmpty,
            "with no policy in force, the eight grants whose holders are within reach are exceptions")
        // Without the grants, the coverage is counted as in the full tally.
        let coverage = batch[5]
        try expect(
            coverage.people == batch[0].people && coverage.accepted == batch[0].accepted && coverage.learners == batch[0].learners
                && coverage.consent == batch[0].consent && !coverage.people.isEmpty,
            "without the grants, the people, acceptances, learners and consent are those of the full tally")
    }
}
