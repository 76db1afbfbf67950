import Foundation
@_spi(StorageBackend) import OnlineSafetyCore

extension StorageConformance {
    /// The dashboard lists the most pressing entries of each kind, up to its limit, beside totals
    /// counted in storage; the totals equal what the records say, now and at an earlier instant;
    /// its read records exactly what it listed; the overdue page walks the same incidents in the
    /// same order; and the backend's count of repeated concerns equals the same count made from
    /// the incidents in memory.
    @_spi(StorageBackend)
    public static func dashboardListsTheFirstAndCountsTheRest(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let school = fixture.school
        let now = Fixture.now
        var incidents: [Incident] = []
        var statuses: [ProcedureStatus] = []
        for index in 0..<36 {
            let reported = SafetyClock.truncated(now.addingTimeInterval(-Double(index) * 86_400 - 3_600))
            let category = index % 6 == 5 ? IncidentCategory.nudeImageSharing : IncidentCategory.cyberbullying
            var participants = [
                Participant(
                    personID: (index.isMultiple(of: 2) ? fixture.oakLearner : fixture.ashLearner).id, part: .victim, isLearner: true)
            ]
            if index.isMultiple(of: 3) { participants.append(Participant(personID: fixture.teacher.id, part: .witness, isLearner: false)) }
            let incident = Incident(
                schoolID: school.id, reporterID: fixture.teacher.id, occurredAt: reported.addingTimeInterval(-600), reportedAt: reported,
                location: .onSite, equipment: .school, summary: "Dashboard check", riskArea: .contact, category: category,
                participants: participants)
            var steps = ProcedureEngine.steps(for: incident, settings: school.settings, entries: [])
            if index % 4 == 3, !steps.isEmpty {
                // Some handled: the first step satisfied two hours after it was required.
                steps[0].satisfiedBy = ChronologyEntryID()
                steps[0].satisfiedAt = SafetyClock.truncated(min(now, steps[0].requiredFrom.addingTimeInterval(7_200)))
            }
            incidents.append(incident)
            statuses.append(ProcedureStatus(incident: incident, steps: steps))
        }
        let (stored, steps) = (incidents, statuses)
        try await store.withTransaction { tx in
            try await tx.incidents.insertMany(stored)
            try await tx.procedures.insertMany(steps)
        }
        let dsl = try await fixture.safety.session(actingAs: fixture.dsl.id, at: school.id)

        func expectedOverdue(at time: Date) -> [ProcedureStatus] {
            statuses.filter { $0.steps.contains { $0.isOverdue(asOf: time) } }
                .sorted { ($0.nextDue ?? .distantFuture, $0.id.uuidString) < ($1.nextDue ?? .distantFuture, $1.id.uuidString) }
        }
        let overdue = expectedOverdue(at: now)
        try expect(overdue.count > 10, "the check needs more overdue incidents than the list limit: \(overdue.count)")

        let before = try await store.audit.events(AuditQuery()).count
        let board = try await dsl.dashboard.current(listLimit: 4)
        let part = board.schools[0]
        try expect(part.overdueTotal == overdue.count && part.overdueSteps.count == 4, "4 listed of \(overdue.count) overdue")
        try expect(
            part.overdueSteps.map(\.incidentID) == overdue.prefix(4).map(\.incidentID), "the longest overdue are listed first")
        try expect(part.overdueSteps.allSatisfy { !$0.steps.isEmpty }, "each listed incident carries its overdue steps")
        try expect(
            part.repeatedConcernsTotal == 2
                && part.repeatedConcerns.map(\.learnerID).sorted() == [fixture.oakLearner.id, fixture.ashLearner.id].sorted(),
            "both learners are repeated concerns; the teacher who witnessed is not")
        let after = try await store.audit.events(AuditQuery()).count
        try expect(after - before == Set(part.subjects).count, "the read records each entry it listed, and no more")

        let earlier = now.addingTimeInterval(-5 * 86_400)
        let past = try await dsl.dashboard.current(asOf: earlier, listLimit: 4)
        try expect(
            past.schools[0].overdueTotal == expectedOverdue(at: earlier).count && past.schools[0].overdueSteps.count == 4,
            "at an earlier instant the steps are counted as they stood then")
        let wide = try await dsl.dashboard.current(listLimit: 500)
        try expect(
            wide.schools[0].overdueTotal == part.overdueTotal && wide.schools[0].dueSoonTotal == part.dueSoonTotal
                && wide.schools[0].dueSoonSteps.count == part.dueSoonTotal,
            "the totals do not depend on the limit")
        try await expectError(.invalidInput, "a list limit of 0") { try await dsl.dashboard.current(listLimit: 0) }

        var walked: [IncidentID] = []
        var offset = 0
        while true {
            let page = try await dsl.steps.overduePage(limit: 7, offset: offset)
            try expect(page.total == overdue.count, "every page gives the same total")
            walked += page.incidents.map(\.incidentID)
            offset += 7
            if page.incidents.count < 7 { break }
        }
        try expect(walked == overdue.map(\.incidentID), "the pages walk the overdue incidents in order, once each")
        try await expectError(.invalidInput, "a page of 501") { try await dsl.steps.overduePage(limit: 501) }

        // Where the backend counts several periods' incidents at once, each period's counts are
        // those of its own grouped count (the year, its terms and the same a year earlier).
        let year = ReportPeriod.academicYear(containing: CalendarDate(now))
        let periods = [year, year.lastYear] + year.terms + year.terms.map(\.lastYear)
        let keys: [GroupKey] = [.column("school_id"), .column("category"), .column("restricted"), .column("risk_area")]
        let batched = try await store.withTransaction { tx in try await tx.reports.incidentCounts(at: [school.id, SchoolID()], in: periods)
        }
        var expectedCounts: [[GroupedCount]] = []
        for period in periods {
            let query = IncidentQuery(schoolIDs: [school.id], includeRestricted: true, occurredFrom: period.start, occurredTo: period.end)
            expectedCounts.append(try await store.withTransaction { tx in try await tx.incidents.countGrouped(query, by: keys) })
        }
        try expect(!expectedCounts[0].isEmpty, "the school's year has incidents")
        if let batched { try expect(batched == expectedCounts, "each period's incidents are counted as its own grouped count") }

        // Where the backend reads each school's first overdue incidents at once, they are those
        // the repository gives for the school, limited.
        for limit in [1, 3, 50] {
            let query = ProcedureStatusQuery(schoolIDs: [school.id, SchoolID()], includeRestricted: true, unsatisfiedDueBefore: now)
            let first = try await store.withTransaction { tx in try await tx.reports.firstProcedureStatuses(query, perSchool: limit) }
            var narrowed = query
            narrowed.schoolIDs = [school.id]
            let expected = try await store.withTransaction { [narrowed] tx in try await tx.procedures.find(narrowed.limited(limit)) }
            try expect(!expected.isEmpty, "the school has overdue incidents")
            if let first { try expect(first == [school.id: expected], "the first \(limit) overdue by school are the repository's") }
        }

        for restricted in [false, true] {
            let request = RepeatedLearnersRequest(
                schoolIDs: [school.id], includeRestricted: restricted, occurredFrom: now.addingTimeInterval(-20 * 86_400), occurredTo: now,
                minimum: 2)
            let native = try await store.withTransaction { tx in try await tx.reports.repeatedLearners(request) }
            let reference = try await store.withTransaction { tx in try await RepositoryReportQueries(store: tx).repeatedLearners(request) }
            let expected = request.count(
                incidents.filter { restricted || !$0.isRestricted }.filter { $0.occurredAt >= request.occurredFrom })
            try expect(native == reference && native == expected, "repeated concerns counted in storage (restricted: \(restricted))")
            try expect(native[fixture.teacher.id] == nil && native.count == 2, "only learners count")
            // Asked with a school that has no incidents, the school's own counts come back alone.
            var both = request
            both.schoolIDs = [school.id, SchoolID()]
            let bySchool = try await store.withTransaction { [both] tx in try await tx.reports.repeatedLearnersBySchool(both) }
            let referenceBySchool = try await store.withTransaction { [both] tx in
                try await RepositoryReportQueries(store: tx).repeatedLearnersBySchool(both)
            }
            try expect(
                bySchool == [school.id: native] && referenceBySchool == bySchool,
                "repeated concerns by school are each school's own, and a school with none is left out (restricted: \(restricted))")
        }
    }
}

extension StorageConformance {
    /// The dashboard lists the referrals whose follow-up falls due by the end of its window, of
    /// incidents still open, soonest first and each marked overdue or not; a referral without a
    /// follow-up date, one due later, and one of a closed incident are not listed. Where the
    /// backend says which incidents are open in one query, it names exactly the open ones asked
    /// after.
    @_spi(StorageBackend)
    public static func dashboardListsReferralsAwaitingFollowUp(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let school = fixture.school
        let now = Fixture.now
        func incident(daysAgo: Double, closed: Bool) -> Incident {
            let reported = SafetyClock.truncated(now.addingTimeInterval(-daysAgo * 86_400))
            return Incident(
                schoolID: school.id, reporterID: fixture.teacher.id, occurredAt: reported.addingTimeInterval(-600), reportedAt: reported,
                location: .onSite, equipment: .school, summary: "Follow-up check", riskArea: .contact, category: .cyberbullying,
                participants: [
                    Participant(
                        personID: fixture.oakLearner.id, part: .victim, isLearner: true, outcome: closed ? "Closed" : nil,
                        closedAt: closed ? reported.addingTimeInterval(86_400) : nil)
                ])
        }
        let open = incident(daysAgo: 5, closed: false)
        let later = incident(daysAgo: 4, closed: false)
        let closed = incident(daysAgo: 30, closed: true)
        func referral(_ incident: Incident, _ agency: ReferralAgency, due hours: Double?, sequence: Int) -> ChronologyEntry {
            ChronologyEntry(
                incidentID: incident.id, schoolID: school.id, sequence: sequence, restricted: false,
                recordedAt: SafetyClock.truncated(incident.reportedAt.addingTimeInterval(3_600)), recordedBy: fixture.dsl.id,
                content: .referral(
                    Referral(
                        agency: agency, method: .phone,
                        followUpDue: hours.map { SafetyClock.truncated(now.addingTimeInterval($0 * 3_600)) })))
        }
        let entries = [
            referral(open, .childrensSocialCare, due: 24, sequence: 1),
            referral(open, .police101, due: -30, sequence: 2),
            referral(later, .childrensSocialCare, due: 24 * 10, sequence: 1),
            referral(later, .police101, due: nil, sequence: 2),
            referral(closed, .childrensSocialCare, due: -24 * 20, sequence: 1),
        ]
        try await store.withTransaction { tx in
            try await tx.incidents.insertMany([open, later, closed])
            try await tx.chronology.insertMany(entries)
        }
        // Storage reads only the referrals whose follow-up falls due by the instant asked, one due
        // exactly then included, and none without a follow-up date.
        var dueQuery = ChronologyQuery(schoolIDs: [school.id], kinds: ["referral"], includeRestricted: false)
        dueQuery.followUpDueBy = now
        let due = try await store.withTransaction { [dueQuery] tx in try await tx.chronology.find(dueQuery) }
        try expect(Set(due.map(\.id)) == [entries[1].id, entries[4].id], "only the two referrals due by now are read: \(due.count)")
        if case .referral(let first) = entries[0].content, let instant = first.followUpDue {
            dueQuery.followUpDueBy = instant
            let atInstant = try await store.withTransaction { [dueQuery] tx in try await tx.chronology.find(dueQuery) }
            try expect(
                atInstant.count == 3 && atInstant.contains { $0.id == entries[0].id }, "a follow-up due at the instant asked is read")
        }

        let dsl = try await fixture.safety.session(actingAs: fixture.dsl.id, at: school.id)
        let part = try await dsl.dashboard.current(asOf: now).schools[0]
        try expect(part.referralsTotal == 2, "two referrals of the open incident await follow-up: \(part.referralsTotal)")
        try expect(
            part.referralsAwaitingFollowUp.map(\.agency) == [.police101, .childrensSocialCare]
                && part.referralsAwaitingFollowUp.map(\.overdue) == [true, false]
                && part.referralsAwaitingFollowUp.allSatisfy { $0.incidentID == open.id },
            "the overdue one first, then the one due within the window")
        let one = try await dsl.dashboard.current(asOf: now, listLimit: 1).schools[0]
        try expect(
            one.referralsTotal == 2 && one.referralsAwaitingFollowUp.map(\.agency) == [.police101], "a limit of one lists the first of two")
        let wide = try await dsl.dashboard.current(asOf: now, dueSoonHours: 24 * 11).schools[0]
        try expect(wide.referralsTotal == 3, "a window of eleven days takes in the later incident's follow-up too")

        let asked = [open.id, later.id, closed.id, IncidentID()]
        if let found = try await store.withTransaction({ tx in try await tx.reports.openIncidents(among: asked) }) {
            try expect(found == [open.id, later.id], "the open incidents asked after, and no others")
        }
        let none = try await store.withTransaction { tx in try await tx.reports.openIncidents(among: []) }
        try expect(none == nil || none == [], "asking after none finds none")
    }
}
