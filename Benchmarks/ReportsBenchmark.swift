import ArgumentParser
import Foundation
import Logging
@_spi(StorageBackend) import OnlineSafetyCore
import PostgresNIO
import StorageFile
import StoragePostgres

/// `benchmarks reports`: the DSL dashboard, the first page of overdue steps and the governors'
/// report across a trust of 60,000 learners, 8,000 staff and 250,000 incidents.
///
/// The people, agreements, access, consent and training are those of `benchmarks compliance`;
/// the incidents are spread over two years and the trust's schools, each with one or two of the
/// school's own learners taking part, steps derived from the school's policy (older incidents
/// mostly handled and closed, recent ones mostly not). Each figure is printed beside the same
/// aggregate computed by hand in the same run: plain SQL over PostgresNIO on PostgreSQL, a scan
/// of the same records held in an array on the flat file.
struct ReportsBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reports",
        abstract: "Time the dashboard, the overdue-steps page and the governors' report at trust scale."
    )

    @Option(help: "Learners across the trust.")
    var learners: Int = 60_000

    @Option(help: "Staff across the trust.")
    var staff: Int = 8_000

    @Option(help: "Schools in the trust.")
    var schools: Int = 20

    @Option(help: "Incidents across the trust.")
    var incidents: Int = 250_000

    @Option(help: "Timed runs of the dashboard and the overdue page (the 95th percentile is reported).")
    var samples: Int = 20

    @OptionGroup var backends: BackendOptions

    func validate() throws {
        guard schools >= 1, schools <= 999 else { throw ValidationError("--schools is 1 to 999") }
        guard learners >= schools else { throw ValidationError("--learners is at least one per school") }
        guard staff >= 4 * schools else { throw ValidationError("--staff is at least 4 per school") }
        guard incidents >= 0, samples >= 1 else { throw ValidationError("--incidents and --samples cannot be negative") }
    }

    func run() async throws {
        let logger = benchLogger()
        let now = SafetyClock.truncated(Date(timeIntervalSince1970: 1_795_428_000))
        print(
            "Reports across a trust: \(learners) learners, \(staff) staff and \(incidents) incidents in \(schools) schools; "
                + "medians of \(backends.runs) runs, 95th percentiles of \(samples)")
        let data = TrustData.make(schools: schools, learners: learners, staff: staff, today: CalendarDate(now))
        let cases = IncidentData.make(data, count: incidents, now: now)
        if backends.wantsFile {
            let (store, directory) = try await freshFileStore(logger)
            try await measure(store, name: "flat file", data: data, cases: cases, now: now, logger: logger, sql: nil)
            try await store.close()
            try? FileManager.default.removeItem(at: directory)
        }
        if backends.wantsPostgres {
            let store = try await freshPostgresStore(try backends.postgresConfiguration(), logger: logger)
            try await measure(store, name: "PostgreSQL", data: data, cases: cases, now: now, logger: logger, sql: store.configuration)
            try await store.close()
        }
    }

    private func measure(
        _ store: any OnlineSafetyStore, name: String, data: TrustData, cases: IncidentData, now: Date, logger: Logger,
        sql: PostgresConfiguration?
    ) async throws {
        let loadStart = ContinuousClock.now
        try await data.load(into: store)
        try await cases.load(into: store)
        print("\n[\(name)] loaded \(data.recordCount + 2 * cases.incidents.count) records in \(ContinuousClock.now - loadStart)")
        if let sql {
            // What autovacuum does soon after a bulk load: statistics for the planner, and the
            // visibility map that lets counts read an index alone.
            try await withRawConnection(sql, logger: logger) { connection in
                _ = try await connection.query("VACUUM ANALYZE", logger: logger).collect()
            }
            print("[\(name)] vacuumed and analysed, as autovacuum would after a bulk load")
        }
        let safety = OnlineSafety(backend: store, clock: .fixed(now), logger: logger)
        let manager = try await safety.session(actingAs: data.dataManager.id, at: data.schools[0].id)
        let dsl = try await safety.session(actingAs: cases.dsl.id, at: data.schools[0].id)
        let period = ReportPeriod.academicYear(containing: CalendarDate(now))
        let schoolIDs = data.schools.map(\.id)

        // PostgreSQL gives a report's counts again while no school's change stamp has moved; what
        // a change in one school costs is timed by moving that school's stamps (as any write to
        // its people, grants, acceptances, consent, incidents or procedure statuses does) before each run.
        let changeOne: () async throws -> Void = {
            guard let sql else { return }
            try await withRawConnection(sql, logger: logger) { connection in
                let school = schoolIDs[0].uuid
                _ = try await connection.query(
                    """
                    SELECT report_stamps_move('roster', ARRAY[\(school)]::uuid[]), report_stamps_move('incidents', ARRAY[\(school)]::uuid[]),
                        report_stamps_move('procedures', ARRAY[\(school)]::uuid[])
                    """,
                    logger: logger
                ).collect()
            }
        }

        // The compliance report, for reference beside the reports built on its counts: the first
        // read (every count made), then unchanged, then after a change in one school.
        let complianceFirst = try await medianSeconds(runs: 1) { _ = try await manager.compliance.report(acrossTrust: true) }
        let compliance = try await medianSeconds(runs: backends.runs) { _ = try await manager.compliance.report(acrossTrust: true) }
        let complianceChanged = try await percentiles(backends.runs, after: changeOne) {
            _ = try await manager.compliance.report(acrossTrust: true)
        }
        print(
            "[\(name)] trust compliance report (SDK): \(ms(compliance)) unchanged; first read \(ms(complianceFirst)); "
                + "after a change in one school \(ms(complianceChanged.p50))")

        // The dashboard.
        var board: Dashboard?
        let dashboardFirst = try await medianSeconds(runs: 1) { board = try await dsl.dashboard.current(acrossTrust: true) }
        let dashboard = try await percentiles(samples) { board = try await dsl.dashboard.current(acrossTrust: true) }
        let dashboardChanged = try await percentiles(samples, after: changeOne) {
            board = try await dsl.dashboard.current(acrossTrust: true)
        }
        let overdueIncidents = board?.schools.reduce(0) { $0 + $1.overdueTotal } ?? 0
        let repeated = board?.schools.reduce(0) { $0 + $1.repeatedConcernsTotal } ?? 0
        print(
            "[\(name)] trust dashboard (SDK): p50 \(ms(dashboard.p50)), p95 \(ms(dashboard.p95)) unchanged; first read "
                + "\(ms(dashboardFirst)); after a change in one school p50 \(ms(dashboardChanged.p50)), p95 \(ms(dashboardChanged.p95)): "
                + "\(overdueIncidents) incidents with steps overdue, \(repeated) learners with repeated concerns")

        // The first page of overdue steps, with the total.
        var page: OverdueStepsPage?
        let overdue = try await percentiles(samples) { page = try await dsl.steps.overduePage(acrossTrust: true, limit: 50) }
        print(
            "[\(name)] first 50 overdue of \(page?.total ?? 0) (SDK): p50 \(ms(overdue.p50)), p95 \(ms(overdue.p95))")

        // The governors' report for the year.
        var report: GovernorsReport?
        let governors = try await medianSeconds(runs: backends.runs) {
            report = try await dsl.reports.governors(period: period, acrossTrust: true)
        }
        print("[\(name)] governors' trust report for \(period) (SDK): \(ms(governors)), \(report?.schools.count ?? 0) schools")

        // The same aggregates by hand.
        let baselines: Baselines
        if let sql {
            baselines = try await withRawConnection(sql, logger: logger) { connection in
                try await Baselines.sql(connection, schoolIDs: schoolIDs, period: period, now: now, runs: backends.runs, samples: samples)
            }
        } else {
            baselines = try await Baselines.memory(
                cases, schoolIDs: Set(schoolIDs), period: period, now: now, runs: backends.runs, samples: samples)
        }
        guard baselines.overdueTotal == page?.total else {
            throw ValidationError("[\(name)] the SDK's overdue total differs from the baseline's (\(baselines.overdueTotal))")
        }
        print("[\(name)] baseline (\(baselines.label)):")
        print(
            "[\(name)]   dashboard's counts and lists: p95 \(ms(baselines.dashboard.p95)); ratio SDK / baseline \(ratio(dashboard.p95, baselines.dashboard.p95)) unchanged, "
                + "\(ratio(dashboardChanged.p95, baselines.dashboard.p95)) after a change in one school"
        )
        print(
            "[\(name)]   overdue page and total: p95 \(ms(baselines.overdue.p95)); ratio SDK / baseline \(ratio(overdue.p95, baselines.overdue.p95))"
        )
        print(
            "[\(name)]   governors' incident counts by term: \(ms(baselines.governors)); ratio SDK / baseline \(ratio(governors, baselines.governors))"
        )
    }

    private func ratio(_ sdk: Double, _ baseline: Double) -> String { String(format: "%.2f", sdk / max(baseline, 1e-9)) }
}

/// The 50th and 95th percentiles of `count` timed runs, in seconds.
func percentiles(_ count: Int, _ body: () async throws -> Void) async rethrows -> (p50: Double, p95: Double) {
    try await percentiles(count, after: {}, body)
}

/// The 50th and 95th percentiles of `count` timed runs, in seconds, each after `prepare` (untimed).
func percentiles(
    _ count: Int, after prepare: () async throws -> Void, _ body: () async throws -> Void
) async rethrows -> (p50: Double, p95: Double) {
    var samples: [Double] = []
    for _ in 0..<count {
        try await prepare()
        let start = ContinuousClock.now
        try await body()
        let elapsed = ContinuousClock.now - start
        samples.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
    samples.sort()
    return (samples[samples.count / 2], samples[min(samples.count - 1, Int((Double(samples.count) * 0.95).rounded(.up)) - 1)])
}

/// The benchmark's incidents and their steps, generated deterministically.
struct IncidentData {
    var dsl: Person
    var dslGrant: RoleGrant
    var incidents: [Incident] = []
    var statuses: [ProcedureStatus] = []

    static func make(_ trust: TrustData, count: Int, now: Date) -> IncidentData {
        var random = SeededGenerator(state: 7)
        let dsl = Person(tenancy: .trust(trust.trust.id), kind: .staff, givenName: "Trust", familyName: "DSL")
        let grant = RoleGrant(
            personID: dsl.id, role: .designatedSafeguardingLead, scope: .trust(trust.trust.id),
            starts: CalendarDate(year: 2020, month: 1, day: 1)!)
        var data = IncidentData(dsl: dsl, dslGrant: grant)
        var learners: [SchoolID: [Person]] = [:]
        for person in trust.people where person.kind == .learner { learners[person.schoolID!, default: []].append(person) }
        data.incidents.reserveCapacity(count)
        data.statuses.reserveCapacity(count)
        for index in 0..<count {
            let school = trust.schools[index % trust.schools.count]
            let roll = learners[school.id] ?? []
            let category = IncidentCategory.builtIns.randomElement(using: &random)!
            let reported = SafetyClock.truncated(now.addingTimeInterval(-Double.random(in: 600...(730 * 86_400), using: &random)))
            let age = now.timeIntervalSince(reported)
            let closed = age > 60 * 86_400 && Int.random(in: 0..<100, using: &random) < 95
            var participants: [Participant] = []
            for _ in 0..<(Bool.random(using: &random) ? 1 : 2) where !roll.isEmpty {
                let learner = roll.randomElement(using: &random)!
                guard !participants.contains(where: { $0.personID == learner.id }) else { continue }
                participants.append(
                    Participant(
                        personID: learner.id, part: participants.isEmpty ? .victim : .allegedPerpetrator, isLearner: true,
                        dateOfBirth: learner.learner?.dateOfBirth, keyStage: learner.learner?.keyStage,
                        outcome: closed ? "Closed" : nil, closedAt: closed ? reported.addingTimeInterval(20 * 86_400) : nil))
            }
            var facts: [RecordedFact] = []
            for fact in IncidentFact.allCases where Int.random(in: 0..<100, using: &random) < 6 {
                facts.append(RecordedFact(fact, at: reported))
            }
            let incident = Incident(
                schoolID: school.id, reporterID: trust.dataManager.id, occurredAt: reported.addingTimeInterval(-3_600),
                reportedAt: reported,
                location: .onSite, equipment: .school, summary: "Benchmark incident",
                riskArea: RiskArea.allCases.randomElement(using: &random)!,
                category: category, participants: participants, facts: facts)
            var steps = ProcedureEngine.steps(for: incident, settings: school.settings, entries: [])
            for step in steps.indices {
                let handled = age > 30 * 86_400 ? Int.random(in: 0..<100, using: &random) < 97 : Bool.random(using: &random)
                guard handled else { continue }
                let at = min(now, steps[step].requiredFrom.addingTimeInterval(Double.random(in: 600...200_000, using: &random)))
                steps[step].satisfiedBy = ChronologyEntryID()
                steps[step].satisfiedAt = SafetyClock.truncated(at)
            }
            data.incidents.append(incident)
            data.statuses.append(ProcedureStatus(incident: incident, steps: steps))
        }
        return data
    }

    /// Stores the DSL, the incidents and their steps in batched transactions.
    func load(into store: any OnlineSafetyStore) async throws {
        let (dsl, grant) = (dsl, dslGrant)
        try await store.withTransaction { tx in
            _ = try await tx.people.insert(dsl)
            _ = try await tx.roleGrants.insert(grant)
        }
        var start = 0
        while start < incidents.count {
            let end = min(incidents.count, start + 5_000)
            let batch = Array(incidents[start..<end])
            let steps = Array(statuses[start..<end])
            try await store.withTransaction { tx in
                try await tx.incidents.insertMany(batch)
                try await tx.procedures.insertMany(steps)
            }
            start = end
        }
    }
}

/// The same aggregates computed by hand, for the ratios.
private struct Baselines {
    var label: String
    var dashboard: (p50: Double, p95: Double)
    var overdue: (p50: Double, p95: Double)
    var overdueTotal: Int
    var governors: Double

    /// Over records held in arrays, with no store in between.
    static func memory(
        _ cases: IncidentData, schoolIDs: Set<SchoolID>, period: ReportPeriod, now: Date, runs: Int, samples: Int
    ) async throws -> Baselines {
        let day = CalendarDate(now)
        let horizon = now.addingTimeInterval(48 * 3_600)
        let dashboard = await percentiles(samples) {
            var open = 0
            var late = 0
            var involvement: [PersonID: Int] = [:]
            let since = day.adding(days: -90).startOfDay
            for incident in cases.incidents where schoolIDs.contains(incident.schoolIDValue) {
                if incident.isOpen { open += 1 }
                if incident.occurredAt >= since {
                    for participant in incident.participants where participant.isLearner {
                        involvement[participant.personID, default: 0] += 1
                    }
                }
            }
            for status in cases.statuses
            where status.steps.contains(where: {
                $0.isOverdue(asOf: now) || ($0.satisfiedAt == nil && ($0.due ?? .distantFuture) <= horizon)
            }) {
                late += 1
            }
            if open + late + involvement.count < 0 { print("unreachable") }
        }
        var total = 0
        let overdue = await percentiles(samples) {
            let late = cases.statuses.filter { schoolIDs.contains($0.schoolIDValue) && $0.steps.contains { $0.isOverdue(asOf: now) } }
            total = late.count
            let first = late.sorted { ($0.nextDue ?? .distantFuture) < ($1.nextDue ?? .distantFuture) }.prefix(50)
            if first.count > total { print("unreachable") }
        }
        let terms = period.terms.flatMap { [$0, $0.lastYear] }
        let governors = await medianSeconds(runs: runs) {
            var counts: [String: Int] = [:]
            for term in terms {
                for incident in cases.incidents where schoolIDs.contains(incident.schoolIDValue) {
                    guard incident.occurredAt >= term.start, incident.occurredAt <= term.end else { continue }
                    counts[
                        "\(incident.schoolIDValue)|\(incident.category.code)|\(incident.isRestricted)|\(incident.riskArea.rawValue)",
                        default: 0] += 1
                }
            }
            if counts.isEmpty { print("no incidents in the period") }
        }
        return Baselines(
            label: "a scan of the same incidents and steps held in arrays", dashboard: dashboard, overdue: overdue, overdueTotal: total,
            governors: governors)
    }

    /// As plain SQL over a PostgresNIO connection, rows fetched as text.
    static func sql(
        _ connection: PostgresConnection, schoolIDs: [SchoolID], period: ReportPeriod, now: Date, runs: Int, samples: Int
    ) async throws -> Baselines {
        let ids = schoolIDs.map(\.uuid)
        let logger = benchLogger()
        let horizon = now.addingTimeInterval(48 * 3_600)
        let since = CalendarDate(now).adding(days: -90).startOfDay
        let dashboard = try await percentiles(samples) {
            for query: PostgresQuery in [
                "SELECT school_id, count(*) FROM incidents WHERE school_id = ANY(\(ids)) GROUP BY school_id",
                "SELECT doc::text FROM procedure_status WHERE school_id = ANY(\(ids)) AND next_due <= \(horizon)",
                """
                SELECT p, count(*) FROM incidents, unnest(participant_ids) AS p
                WHERE school_id = ANY(\(ids)) AND occurred_at >= \(since) GROUP BY p HAVING count(*) >= 2
                """,
            ] {
                _ = try await connection.query(query, logger: logger).collect()
            }
        }
        var total = 0
        let overdue = try await percentiles(samples) {
            let count = try await connection.query(
                "SELECT count(*) FROM procedure_status WHERE school_id = ANY(\(ids)) AND next_due < \(now)", logger: logger
            ).collect()
            total = try count.first?.decode(Int.self) ?? 0
            _ = try await connection.query(
                """
                SELECT doc::text FROM procedure_status WHERE school_id = ANY(\(ids)) AND next_due < \(now)
                ORDER BY sort_key COLLATE "C", id LIMIT 50
                """, logger: logger
            ).collect()
        }
        let terms = period.terms.flatMap { [$0, $0.lastYear] }
        let governors = try await medianSeconds(runs: runs) {
            for term in terms {
                _ = try await connection.query(
                    """
                    SELECT school_id, category, restricted, risk_area, count(*) FROM incidents
                    WHERE school_id = ANY(\(ids)) AND occurred_at >= \(term.start) AND occurred_at <= \(term.end)
                    GROUP BY 1, 2, 3, 4
                    """, logger: logger
                ).collect()
            }
        }
        return Baselines(
            label: "plain SQL over PostgresNIO", dashboard: dashboard, overdue: overdue, overdueTotal: total, governors: governors)
    }
}
