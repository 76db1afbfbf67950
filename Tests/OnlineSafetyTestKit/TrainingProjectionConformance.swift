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
            if let projected = try await tx.reports.roleGrantsInForce(at: schools, on: day) {
                try expect(projected == records, "the projected grants are the records, in their order")
            }
            let kept = try await tx.trainingSummaries.find(matching: [.oneOf("school_id", schools.map { .id($0) })], limit: nil)
            try expect(kept.count == 3, "three summaries are kept at the two schools")
            if let projected = try await tx.reports.trainingSummaries(keptAt: schools, of: []) {
                try expect(projected == kept, "the projected summaries kept at the schools are the records, in their order")
            }
            let theirs = try await tx.trainingSummaries.find(TrainingSummaryQuery(personIDs: wanted))
            try expect(theirs.count == 2, "two of the three people have summaries")
            if let projected = try await tx.reports.trainingSummaries(keptAt: nil, of: wanted) {
                try expect(projected == theirs, "the projected summaries of the people are the records, in their order")
            }
        }
    }
}
