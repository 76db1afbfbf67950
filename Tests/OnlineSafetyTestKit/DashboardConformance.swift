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
        let after = try await store.audit.events(AuditQuery())
        try expect(
            after.count - before == 1 && Set(after.last?.draft.listed ?? []) == Set(part.subjects)
                && after.last?.draft.listed.count == Set(part.subjects).count,
            "the read is recorded as one event naming each entry it listed once, and no more")

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

extension StorageConformance {
    /// Where the backend counts and lists the dashboard's steps itself (keeping them between
    /// reads), its answer equals the repository's counts and first records of the same queries:
    /// read twice at one instant, at later instants as deadlines fall overdue and come within the
    /// due-soon window, after a step is satisfied, for a window and a limit of another size, and
    /// inside and after a transaction that rolls back its change.
    @_spi(StorageBackend)
    public static func dashboardStepsFollowChangesAndTime(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let school = fixture.school
        let now = SafetyClock.truncated(Fixture.now)
        // One outstanding step each, due (in hours from now): long overdue, due in 10 hours, in 60
        // hours and in 5 days; the last of them restricted.
        let hours: [Double] = [-30, -2, 10, 60, 120]
        var incidents: [Incident] = []
        var statuses: [ProcedureStatus] = []
        for (index, offset) in hours.enumerated() {
            let reported = now.addingTimeInterval(-86_400 - Double(index) * 60)
            let category = index == hours.count - 1 ? IncidentCategory.nudeImageSharing : IncidentCategory.cyberbullying
            let incident = Incident(
                schoolID: school.id, reporterID: fixture.teacher.id, occurredAt: reported.addingTimeInterval(-600), reportedAt: reported,
                location: .onSite, equipment: .school, summary: "Steps check", riskArea: .contact, category: category,
                participants: [Participant(personID: fixture.oakLearner.id, part: .victim, isLearner: true)])
            var steps = Array(ProcedureEngine.steps(for: incident, settings: school.settings, entries: []).prefix(1))
            try expect(steps.count == 1, "the incident has a first step")
            steps[0].due = now.addingTimeInterval(offset * 3_600)
            steps[0].satisfiedAt = nil
            steps[0].satisfiedBy = nil
            incidents.append(incident)
            statuses.append(ProcedureStatus(incident: incident, steps: steps))
        }
        let stored = (incidents, statuses)
        try await store.withTransaction { tx in
            try await tx.incidents.insertMany(stored.0)
            try await tx.procedures.insertMany(stored.1)
        }
        let other = SchoolID()

        /// The repository's answer to `request`, school by school.
        @Sendable func reference(_ request: PendingStepsRequest, _ tx: any OnlineSafetyStore) async throws -> [SchoolID: PendingSteps] {
            var result: [SchoolID: PendingSteps] = [:]
            for each in request.schoolIDs {
                let (late, soon) = (request.overdueQuery([each]), request.soonQuery([each]))
                result[each] = PendingSteps(
                    overdueTotal: try await tx.procedures.count(late), dueSoonTotal: try await tx.procedures.count(soon),
                    overdue: try await tx.procedures.find(late.limited(request.listLimit)),
                    dueSoon: try await tx.procedures.find(soon.limited(request.listLimit)))
            }
            return result
        }
        @discardableResult
        func check(
            at time: Date, restricted: Bool = true, dueSoonHours: Int = 48, listLimit: Int = 20, _ step: String
        ) async throws -> PendingSteps {
            let request = PendingStepsRequest(
                schoolIDs: [school.id, other], includeRestricted: restricted, at: time, dueSoonHours: dueSoonHours, listLimit: listLimit)
            let expected = try await store.withTransaction { tx in try await reference(request, tx) }
            if let native = try await store.withTransaction({ tx in try await tx.reports.pendingSteps(request) }) {
                try expect(native == expected, "the steps \(step) are the repository's")
            }
            return expected[school.id] ?? PendingSteps(overdueTotal: 0, dueSoonTotal: 0, overdue: [], dueSoon: [])
        }
        func ids(_ list: [ProcedureStatus]) -> Set<IncidentID> { Set(list.map(\.incidentID)) }

        var part = try await check(at: now, "at first")
        try expect(part.overdueTotal == 2 && part.dueSoonTotal == 1, "two overdue and one due soon at first")
        part = try await check(at: now, "read again at the same instant")
        try expect(ids(part.dueSoon) == [incidents[2].id], "the step due in 10 hours is due soon")
        part = try await check(at: now.addingTimeInterval(11 * 3_600), "once a deadline has passed")
        try expect(part.overdueTotal == 3 && part.dueSoonTotal == 0, "11 hours on, the step due in 10 hours is overdue")
        part = try await check(at: now.addingTimeInterval(13 * 3_600), "once a deadline comes within the window")
        try expect(ids(part.dueSoon) == [incidents[3].id], "13 hours on, the step due in 60 hours is due soon")
        part = try await check(at: now.addingTimeInterval(13 * 3_600), restricted: false, "without restricted incidents")
        try expect(part.overdueTotal == 3, "the restricted incident is not yet due either way")
        part = try await check(at: now.addingTimeInterval(73 * 3_600), restricted: false, "without restricted incidents, later")
        try expect(part.dueSoonTotal == 0 && part.overdueTotal == 4, "the restricted incident's step is left out")
        part = try await check(at: now.addingTimeInterval(73 * 3_600), "with restricted incidents, later")
        try expect(ids(part.dueSoon) == [incidents[4].id], "the restricted incident's step is due soon for those who may see it")
        try await check(at: now.addingTimeInterval(13 * 3_600), dueSoonHours: 24 * 6, listLimit: 1, "for a wider window and a limit of one")

        // A step satisfied: read again at an instant already asked.
        var satisfied = try await store.procedures.get(statuses[0].id) ?? statuses[0]
        satisfied.steps[0].satisfiedAt = now.addingTimeInterval(-3_600)
        satisfied.steps[0].satisfiedBy = ChronologyEntryID()
        _ = try await store.procedures.update(satisfied)
        part = try await check(at: now.addingTimeInterval(13 * 3_600), "after a step was satisfied")
        try expect(part.overdueTotal == 2 && !ids(part.overdue).contains(incidents[0].id), "the satisfied step is no longer overdue")

        // A transaction sees its own change, and after it rolls back no one does.
        var reopened = try await store.procedures.get(statuses[0].id) ?? satisfied
        reopened.steps[0].satisfiedAt = nil
        reopened.steps[0].satisfiedBy = nil
        let changed = reopened
        let request = PendingStepsRequest(schoolIDs: [school.id], includeRestricted: true, at: now, dueSoonHours: 48, listLimit: 20)
        try await expectError(.conflict, "a transaction that throws after reopening a step") {
            try await store.withTransaction { tx in
                _ = try await tx.procedures.update(changed)
                let expected = try await reference(request, tx)
                if let inside = try await tx.reports.pendingSteps(request) {
                    try expect(inside == expected, "the transaction's steps are its repository's")
                }
                try expect(expected[school.id]?.overdueTotal == 2, "the transaction counts its reopened step")
                throw SafetyError(.conflict, "rolled back on purpose")
            }
        }
        part = try await check(at: now, "after a transaction rolled back")
        try expect(part.overdueTotal == 1, "the rolled-back reopening is not counted")

        // The open incidents by age: where the backend counts them itself, its counts are the
        // repository's, with and without restricted incidents, and once an incident is closed.
        func ages(restricted: Bool, _ step: String) async throws -> [Int] {
            let split = now.addingTimeInterval(-86_400 - 750)
            let request = OpenIncidentsRequest(
                schoolIDs: [school.id, other], includeRestricted: restricted,
                windows: [.init(from: split, to: now), .init(from: nil, to: split.addingTimeInterval(-0.001))])
            let expected = try await store.withTransaction { tx in
                var counts: [SchoolID: [Int]] = [:]
                for each in request.schoolIDs {
                    var row: [Int] = []
                    for window in request.windows { row.append(try await tx.incidents.count(request.query(window, at: [each]))) }
                    counts[each] = row
                }
                return counts
            }
            if let native = try await store.withTransaction({ tx in try await tx.reports.openIncidentCounts(request) }) {
                try expect(native == expected, "the open incidents by age \(step) are the repository's")
            }
            return expected[school.id] ?? []
        }
        try expect(try await ages(restricted: true, "at first") == [3, 2], "three incidents in the last window, two before it")
        try expect(try await ages(restricted: false, "without restricted incidents") == [3, 1], "the restricted one is left out")
        try expect(try await ages(restricted: true, "read again") == [3, 2], "the same counts read again")
        var closing = try await store.incidents.get(incidents[0].id) ?? incidents[0]
        closing.participants[0].outcome = "Resolved"
        closing.participants[0].closedAt = now
        _ = try await store.incidents.update(closing)
        try expect(try await ages(restricted: true, "once an incident closed") == [2, 2], "the closed incident is no longer counted")
    }
}
