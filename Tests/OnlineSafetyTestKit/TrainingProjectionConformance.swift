import Foundation
@_spi(StorageBackend) import OnlineSafetyCore

extension StorageConformance {
    /// Where a backend builds role grants and training summaries from its columns for the
    /// reports, each equals the record its repository returns, in the same order: grants with
    /// groups and an end, grants ended before the day or not yet started (left out), a trust's
    /// grant and another school's (left out); summaries with several completions, with none, and
    /// one kept outside any school.
    @_spi(StorageBackend)
    public static func trainingProjectionsMatchTheRecords(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let day = CalendarDate(year: 2026, month: 3, day: 2)!
        let trust = try await store.trusts.insert(SeedSchools.vikingAcademyTrust())
        var first = SeedSchools.chilton(trustID: trust.id)
        first.urn = "910011"
        var second = SeedSchools.chilton(trustID: trust.id)
        second.id = SchoolID()
        second.urn = "910012"
        var third = SeedSchools.chilton(trustID: trust.id)
        third.id = SchoolID()
        third.urn = "910013"
        try await store.schools.insertMany([first, second, third])
        var people: [Person] = []
        for (index, school) in [first, second, third, first, second].enumerated() {
            people.append(
                Person(tenancy: .school(school.id), kind: .staff, givenName: "Member \(index)", familyName: "O'Brien-Łukasz 👩‍🏫"))
        }
        let central = Person(tenancy: .trust(trust.id), kind: .staff, givenName: "Central", familyName: "Staff")
        try await store.people.insertMany(people + [central])
        let long = CalendarDate(year: 2024, month: 9, day: 1)!
        let grants = [
            RoleGrant(personID: people[0].id, role: .designatedSafeguardingLead, scope: .school(first.id), starts: long),
            RoleGrant(
                personID: people[0].id, role: .staff, scope: .school(first.id), starts: long, ends: day, groups: ["7A", "Year 8 \"Set\" 2"]),
            RoleGrant(personID: people[1].id, role: .technicalStaff, scope: .school(second.id), starts: day),
            RoleGrant(personID: people[3].id, role: .staff, scope: .school(first.id), starts: long, ends: day.adding(days: -1)),
            RoleGrant(personID: people[4].id, role: .governor, scope: .school(second.id), starts: day.adding(days: 1)),
            RoleGrant(personID: people[2].id, role: .staff, scope: .school(third.id), starts: long),
            RoleGrant(personID: central.id, role: .dataManager, scope: .trust(trust.id), starts: long),
        ]
        try await store.roleGrants.insertMany(grants)
        func summary(_ person: Person, at school: SchoolID?, _ topics: [(TrainingTopic, Int)]) -> TrainingSummary {
            var summary = TrainingSummary(personID: person.id, schoolID: school)
            for (topic, days) in topics {
                summary.apply(
                    TrainingRecord(
                        schoolID: school, personID: person.id, topic: topic, course: "Course", provider: "Provider",
                        completedOn: day.adding(days: -days), recordedBy: central.id, recordedAt: day.startOfDay))
            }
            return summary
        }
        let summaries = [
            summary(people[0], at: first.id, [(.onlineSafety, 20), (.dslFormal, 400), (.dslRefresh, 30)]),
            summary(people[1], at: second.id, []),
            summary(people[3], at: first.id, [(.onlineSafety, 3)]),
            summary(people[2], at: third.id, [(.onlineSafety, 5)]),
            summary(central, at: nil, [(.onlineSafety, 100), (.governorSafeguarding, 1)]),
        ]
        try await store.trainingSummaries.insertMany(summaries)

        let schools = [first.id, second.id]
        let wanted = [central.id, people[2].id, people[4].id]
        try await store.withTransaction { tx in
            let inForce: [Condition] = [
                .oneOf("school_id", schools.map { .id($0) }), .atMost("starts", .date(day)),
                .or(.isNull("ends"), .atLeast("ends", .date(day))),
            ]
            let records = try await tx.roleGrants.find(matching: inForce, limit: nil)
            try expect(records.count == 3, "three grants of the two schools are in force on the day")
            // School by school in the order asked, each school's in the repository's order.
            func bySchool<T: Aggregate>(_ values: [T], _ order: [SchoolID]) -> [T] {
                order.flatMap { school in values.filter { $0.schoolID == school } }
            }
            for order in [schools, schools.reversed()] {
                if let projected = try await tx.reports.roleGrantsInForce(at: order, on: day) {
                    try expect(projected == bySchool(records, order), "the projected grants are the records, in their order")
                }
            }
            let kept = try await tx.trainingSummaries.find(matching: [.oneOf("school_id", schools.map { .id($0) })], limit: nil)
            try expect(kept.count == 3, "three summaries are kept at the two schools")
            for order in [schools, schools.reversed()] {
                if let projected = try await tx.reports.trainingSummaries(keptAt: order, of: []) {
                    try expect(
                        projected == bySchool(kept, order), "the projected summaries kept at the schools are the records, in their order")
                }
            }
            let theirs = try await tx.trainingSummaries.find(TrainingSummaryQuery(personIDs: wanted))
            try expect(theirs.count == 2, "two of the three people have summaries")
            if let projected = try await tx.reports.trainingSummaries(keptAt: nil, of: wanted) {
                try expect(projected == theirs, "the projected summaries of the people are the records, in their order")
            }
        }
    }
}

extension StorageConformance {
    /// Reading several schools' own and their trust's records at once (consent purposes, incident
    /// categories, filtering checks, governance records, agreements and the calendars made of
    /// them, for the reports) gives each school what its own query gives, in the same order: two
    /// schools of one trust, a school of another trust, and a school in none.
    @_spi(StorageBackend)
    public static func ownedReadsAreEachSchoolsOwn(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let trust = try await store.trusts.insert(SeedSchools.vikingAcademyTrust())
        let other = try await store.trusts.insert(Trust(name: "Another Trust"))
        var schools: [School] = []
        for (index, trustID) in [trust.id, trust.id, other.id, nil].enumerated() {
            var school = SeedSchools.chilton(trustID: trustID)
            school.urn = "91002\(index)"
            schools.append(school)
        }
        try await store.schools.insertMany(schools)
        var purposes: [CustomConsentPurpose] = []
        var categories: [CustomCategory] = []
        let owners: [(SchoolID?, TrustID?)] = schools.map { ($0.id, nil) } + [(nil, trust.id), (nil, other.id)]
        for (index, owner) in owners.enumerated() {
            for serial in 0..<2 {
                purposes.append(
                    CustomConsentPurpose(schoolID: owner.0, trustID: owner.1, code: "use\(index)x\(serial)", name: "Use \(index) \(serial)")
                )
                categories.append(
                    CustomCategory(
                        schoolID: owner.0, trustID: owner.1, code: "kind\(index)x\(serial)", name: "Kind \(index) \(serial)",
                        parentCode: "cyberbullying"))
            }
        }
        try await store.consentPurposes.insertMany(purposes)
        try await store.categories.insertMany(categories)
        // Each school's checks (one failed and still open), governance records and agreements; the
        // trusts' agreements too.
        let day = CalendarDate(year: 2026, month: 11, day: 23)!
        var people: [Person] = []
        var checks: [FilteringCheck] = []
        var records: [GovernanceRecord] = []
        var documents: [AUPDocument] = []
        for (index, school) in schools.enumerated() {
            let person = Person(tenancy: .school(school.id), kind: .staff, givenName: "Ada", familyName: "School\(index)")
            people.append(person)
            for (offset, result) in [(0, FilteringCheckResult.passed), (1, .failed), (40, .passed)] {
                checks.append(
                    FilteringCheck(
                        schoolID: school.id,
                        check: NewFilteringCheck(
                            checkedOn: day.adding(days: offset - 20), device: "laptop", locationOrGroup: "Oak", tested: "probe",
                            result: result),
                        checkedBy: person.id, recordedAt: day.adding(days: 30).startOfDay))
            }
            records.append(
                GovernanceRecord(
                    schoolID: school.id, activity: .dslGovernorMeeting, heldOn: day.adding(days: -index), participants: [person.id],
                    minutesReference: "M\(index)", recordedBy: person.id, recordedAt: day.startOfDay))
        }
        try await store.people.insertMany(people)
        for (index, owner) in owners.enumerated() {
            for (version, audience) in [AUPAudience.staffAndVolunteers, .parentsAndCarers].enumerated() {
                documents.append(
                    AUPDocument(
                        schoolID: owner.0, trustID: owner.1, audience: audience, version: version + 1, title: "AUP \(index)",
                        effectiveFrom: day.adding(days: index - 3), contentHash: String(repeating: "a", count: 64),
                        publishedAt: day.startOfDay, publishedBy: people[0].id))
            }
        }
        try await store.filteringChecks.insertMany(checks)
        try await store.governanceRecords.insertMany(records)
        try await store.aupDocuments.insertMany(documents)
        let subsets = [schools, [schools[1], schools[3]], [schools[2]]]
        for subset in subsets {
            try await store.withTransaction { tx in
                let owned = try await OwnedReads.bySchool(tx.consentPurposes, subset)
                let kinds = try await OwnedReads.bySchool(tx.categories, subset)
                for (index, school) in subset.enumerated() {
                    let own = try await tx.consentPurposes.find(ConsentPurposeQuery(schoolID: school.id, trustID: school.trustID))
                    try expect(
                        owned[index] == own && own.count == (school.trustID == nil ? 2 : 4),
                        "a school's consent purposes are its own query's")
                    let ownKinds = try await tx.categories.find(CategoryQuery(schoolID: school.id, trustID: school.trustID))
                    try expect(kinds[index] == ownKinds && ownKinds.count == own.count, "a school's categories are its own query's")
                }
                let ids = subset.map(\.id)
                let open = try await OwnedReads.atSchools(tx.filteringChecks, ids, FilteringCheckQuery(openOnly: true).conditions)
                let through = try await OwnedReads.atSchools(tx.filteringChecks, ids, FilteringCheckQuery(through: day).conditions)
                let held = try await OwnedReads.atSchools(tx.governanceRecords, ids, GovernanceRecordQuery(through: day).conditions)
                let calendars = try await GovernanceService.calendars(
                    of: subset, on: day, requirements: TrainingRequirement.defaults,
                    training: Array(repeating: ([], [:]), count: subset.count), tx)
                for (index, school) in subset.enumerated() {
                    let ownOpen = try await tx.filteringChecks.find(FilteringCheckQuery(schoolID: school.id, openOnly: true))
                    try expect(open[index] == ownOpen && ownOpen.count == 1, "a school's open failed check is its own query's")
                    let ownThrough = try await tx.filteringChecks.find(FilteringCheckQuery(schoolID: school.id, through: day))
                    try expect(through[index] == ownThrough && ownThrough.count == 2, "a school's checks to a day are its own query's")
                    let ownHeld = try await tx.governanceRecords.find(GovernanceRecordQuery(schoolID: school.id, through: day))
                    try expect(held[index] == ownHeld && ownHeld.count == 1, "a school's governance records are its own query's")
                    let one = try await GovernanceService.calendar(
                        of: school, on: day, requirements: TrainingRequirement.defaults, training: ([], [:]), tx)
                    try expect(calendars[index] == one, "a school's calendar read with others' is its own")
                    let ownDocuments = try await tx.aupDocuments.find(
                        AUPDocumentQuery(schoolID: school.id, trustID: school.trustID, audiences: AUPAudience.allCases, effectiveBy: day))
                    let renewals = Set(calendars[index].items.compactMap(\.audience))
                    try expect(
                        renewals == Set(ownDocuments.map(\.audience)) && !ownDocuments.isEmpty,
                        "a school's agreement renewals come from its own and its trust's agreements")
                }
            }
        }
    }
}
