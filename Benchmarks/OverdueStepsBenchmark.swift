import ArgumentParser
import Foundation
import Logging
@_spi(StorageBackend) import OnlineSafetyCore
import PostgresNIO
import StorageFile
import StoragePostgres

/// `benchmarks overdue`: the overdue-steps query across a trust with 250,000 incidents.
struct OverdueStepsBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overdue",
        abstract: "Time the trust-wide overdue-steps query against a baseline of the same rows read directly."
    )

    @Option(help: "Incidents across the trust.")
    var incidents: Int = 250_000

    @Option(help: "Schools in the trust.")
    var schools: Int = 10

    @OptionGroup var backends: BackendOptions

    func run() async throws {
        let logger = benchLogger()
        let now = SafetyClock.truncated(Date(timeIntervalSince1970: 1_795_428_000))
        print("Overdue steps across a trust: \(incidents) incidents in \(schools) schools, median of \(backends.runs) runs")
        if backends.wantsFile {
            let (store, directory) = try await freshFileStore(logger)
            try await measure(store, name: "flat file", now: now, logger: logger) { statuses, schoolIDs in
                // Baseline: the same statuses held in an array, scanned in memory with no store in between.
                let scan = try await medianSeconds(runs: backends.runs) {
                    var found = 0
                    for status in statuses where schoolIDs.contains(status.schoolIDValue) {
                        if status.steps.contains(where: { $0.isOverdue(asOf: now) }) { found += 1 }
                    }
                    if found < 0 { throw CancellationError() }
                }
                return ("in-memory scan of the same statuses", scan)
            }
            try await store.close()
            try? FileManager.default.removeItem(at: directory)
        }
        if backends.wantsPostgres {
            let base = try backends.postgresConfiguration()
            let store = try await freshPostgresStore(base, logger: logger)
            try await measure(store, name: "PostgreSQL", now: now, logger: logger) { _, schoolIDs in
                // Baseline: the same index scan as plain SQL on a PostgresNIO connection, rows fetched as text.
                let ids = schoolIDs.map(\.uuid)
                let seconds = try await withRawConnection(store.configuration, logger: logger) { connection in
                    try await medianSeconds(runs: backends.runs) {
                        let rows = try await connection.query(
                            """
                            SELECT doc::text FROM procedure_status WHERE school_id = ANY(\(ids))
                            AND (next_due <= \(now) OR (first_due <= \(now) AND last_satisfied_at >= \(now)))
                            """, logger: logger
                        ).collect()
                        if rows.isEmpty { throw CancellationError() }
                    }
                }
                return ("plain SQL over PostgresNIO, same rows", seconds)
            }
            try await store.close()
        }
    }

    private func measure(
        _ store: any OnlineSafetyStore, name: String, now: Date, logger: Logger,
        baseline: ([ProcedureStatus], Set<SchoolID>) async throws -> (String, Double)
    ) async throws {
        let loadStart = ContinuousClock.now
        let (dsl, schoolIDs, statuses) = try await load(store, now: now)
        let load = ContinuousClock.now - loadStart
        let safety = OnlineSafety(backend: store, clock: .fixed(now), logger: logger)
        let session = try await safety.session(actingAs: dsl, at: schoolIDs[0])
        var overdueIncidents = 0
        var overdueSteps = 0
        let sdk = try await medianSeconds(runs: backends.runs) {
            let report = try await session.steps.overdue(asOf: now, acrossTrust: true)
            overdueIncidents = report.count
            overdueSteps = report.reduce(0) { $0 + $1.steps.count }
        }
        let storeOnly = try await medianSeconds(runs: backends.runs) {
            _ = try await store.procedures.find(ProcedureStatusQuery(schoolIDs: schoolIDs, includeRestricted: true, dueBy: now))
        }
        let (baselineName, baselineSeconds) = try await baseline(statuses, Set(schoolIDs))
        print("\n[\(name)] loaded \(incidents) incidents with their steps in \(load)")
        print(
            "[\(name)] overdue-steps query (SDK, through the session): \(ms(sdk)): \(overdueIncidents) incidents, \(overdueSteps) overdue steps"
        )
        print("[\(name)] of which the repository query alone: \(ms(storeOnly))")
        print("[\(name)] baseline (\(baselineName)): \(ms(baselineSeconds))")
        print("[\(name)] ratio SDK / baseline: \(String(format: "%.2f", sdk / max(baselineSeconds, 1e-9)))")
    }

    /// Loads the trust: schools from the seed settings, a trust-wide DSL, incidents and their steps.
    private func load(_ store: any OnlineSafetyStore, now: Date) async throws -> (PersonID, [SchoolID], [ProcedureStatus]) {
        var random = SeededGenerator(state: 42)
        let trust = try await store.trusts.insert(SeedSchools.vikingAcademyTrust())
        var schoolList: [School] = []
        for index in 0..<schools {
            var school = SeedSchools.chilton(trustID: trust.id)
            school.urn = String(910_000 + index)
            school.name = "School \(index + 1) of the Viking Academy Trust"
            schoolList.append(school)
        }
        try await store.schools.insertMany(schoolList)
        let dsl = try await store.people.insert(Person(tenancy: .trust(trust.id), kind: .staff, givenName: "Trust", familyName: "DSL"))
        _ = try await store.roleGrants.insert(
            RoleGrant(
                personID: dsl.id, role: .designatedSafeguardingLead, scope: .trust(trust.id),
                starts: CalendarDate(year: 2020, month: 1, day: 1)!))
        var all: [ProcedureStatus] = []
        all.reserveCapacity(incidents)
        let batchSize = 5_000
        var made = 0
        while made < incidents {
            let count = min(batchSize, incidents - made)
            var batch: [Incident] = []
            var statuses: [ProcedureStatus] = []
            for offset in 0..<count {
                let school = schoolList[(made + offset) % schoolList.count]
                let incident = makeIncident(school: school, now: now, random: &random)
                var steps = ProcedureEngine.steps(for: incident, settings: school.settings, entries: [])
                let age = now.timeIntervalSince(incident.reportedAt)
                for index in steps.indices {
                    // Older incidents are mostly handled; recent ones mostly not.
                    let handled = age > 30 * 86_400 ? Int.random(in: 0..<100, using: &random) < 97 : Bool.random(using: &random)
                    if handled {
                        steps[index].satisfiedBy = ChronologyEntryID()
                        steps[index].satisfiedAt = steps[index].requiredFrom.addingTimeInterval(
                            Double.random(in: 600...200_000, using: &random))
                    }
                }
                batch.append(incident)
                var status = ProcedureStatus(incident: incident, steps: steps)
                status.revision = 1
                statuses.append(status)
            }
            let incidentsToStore = batch
            let statusesToStore = statuses.map { status in
                var fresh = status
                fresh.revision = 0
                return fresh
            }
            try await store.withTransaction { tx in
                try await tx.incidents.insertMany(incidentsToStore)
                try await tx.procedures.insertMany(statusesToStore)
            }
            all += statuses
            made += count
        }
        return (dsl.id, schoolList.map(\.id), all)
    }

    private func makeIncident(school: School, now: Date, random: inout SeededGenerator) -> Incident {
        let category = IncidentCategory.builtIns.randomElement(using: &random)!
        let reported = now.addingTimeInterval(-Double.random(in: 0...(730 * 86_400), using: &random))
        var facts: [RecordedFact] = []
        for fact in IncidentFact.allCases where Int.random(in: 0..<100, using: &random) < 6 {
            facts.append(RecordedFact(fact, at: reported))
        }
        let born = CalendarDate(year: Int.random(in: 2012...2020, using: &random), month: Int.random(in: 1...12, using: &random), day: 1)
        let participants = [
            Participant(personID: PersonID(), part: .victim, isLearner: true, dateOfBirth: born),
            Participant(personID: PersonID(), part: .allegedPerpetrator, isLearner: Bool.random(using: &random), dateOfBirth: born),
        ]
        return Incident(
            schoolID: school.id, reporterID: PersonID(), occurredAt: SafetyClock.truncated(reported.addingTimeInterval(-3600)),
            reportedAt: SafetyClock.truncated(reported), location: .onSite, equipment: .school, summary: "Benchmark incident",
            riskArea: .conduct, category: category, participants: participants, facts: facts)
    }
}
