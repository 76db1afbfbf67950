import ArgumentParser
import Foundation
import Logging
@_spi(StorageBackend) import OnlineSafetyCore
import PostgresNIO
import StorageFile
import StoragePostgres

/// Audited writes through the gate: 8 sessions at 8 schools writing at once against one session
/// doing the same writes alone, and one audited write against a bare insert of the same row.
///
/// Each school keeps its own audit chain, so concurrent sessions at different schools should not
/// wait for one another; the ratio says how far that holds.
struct AuditedWritesBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audited-writes",
        abstract: "Audited writes from 8 concurrent sessions at 8 schools against one session, and an audited write against a bare insert."
    )

    @OptionGroup var backends: BackendOptions

    @Option(help: "Writes per session in the concurrent run.")
    var writes: Int = 200

    @Option(help: "Schools, each with a session of its own.")
    var schools: Int = 8

    func validate() throws {
        guard writes >= 1, schools >= 2 else { throw ValidationError("--writes is at least 1 and --schools at least 2") }
    }

    func run() async throws {
        let logger = benchLogger()
        print("Audited writes: \(schools) sessions at \(schools) schools, \(writes) writes each (median of \(backends.runs) runs)")
        if backends.wantsFile {
            let (store, _) = try await freshFileStore(logger)
            try await measure(store, name: "flat file", logger: logger, bare: nil)
            try await store.close()
        }
        if backends.wantsPostgres {
            let base = try backends.postgresConfiguration()
            var config = base
            config.maximumConnections = max(schools + 2, config.maximumConnections)
            let store = try await freshPostgresStore(config, logger: logger)
            let database = store.configuration
            try await measure(store, name: "PostgreSQL", logger: logger) { person in
                try await withRawConnection(database, logger: logger) { connection in
                    let start = ContinuousClock.now
                    try await Self.bareInsert(person, connection, logger)
                    return ContinuousClock.now - start
                }
            }
            try await store.close()
        }
    }

    /// The same row as an audited `people.add` writes, inserted with plain SQL and nothing else.
    private static func bareInsert(_ person: Person, _ connection: PostgresConnection, _ logger: Logger) async throws {
        let doc = String(decoding: try JSONEncoder().encode(person), as: UTF8.self)
        _ = try await connection.query(
            """
            INSERT INTO people (id, revision, sort_key, doc, school_id, kind, family_name)
            VALUES (\(person.id.uuid), 1, \(person.sortKey), \(doc)::jsonb, \(person.schoolID?.uuid), \(person.kind.rawValue),
                \(person.familyName))
            """, logger: logger
        ).collect()
    }

    private func measure(
        _ store: any OnlineSafetyStore, name: String, logger: Logger,
        bare: (@Sendable (Person) async throws -> Duration)?
    ) async throws {
        let safety = OnlineSafety(backend: store, clock: .system, logger: logger)
        let trust = SeedSchools.vikingAcademyTrust()
        let first = SeedSchools.chilton(trustID: trust.id)
        let boot = try await safety.bootstrap(
            trust: trust, school: first,
            administrator: Person(tenancy: .trust(trust.id), kind: .staff, givenName: "Bench", familyName: "Manager"))
        let admin = try await safety.session(actingAs: boot.administrator.id, at: boot.school.id)
        var schoolIDs = [boot.school.id]
        for index in 1..<schools {
            var school = SeedSchools.chilton(trustID: trust.id)
            school.id = SchoolID()
            school.urn = String(700_000 + index)
            school.name = "School \(index + 1)"
            schoolIDs.append(try await admin.organisation.addSchool(school).id)
        }
        var sessions: [SafetySession] = []
        for id in schoolIDs { sessions.append(try await safety.session(actingAs: boot.administrator.id, at: id)) }
        let total = writes * schools
        let writes = writes
        func parent(_ session: SafetySession, _ n: Int) -> Person {
            Person(tenancy: .school(session.principal.school.id), kind: .parentCarer, givenName: "P\(n)", familyName: "Bench")
        }
        let alone = try await medianSeconds(runs: backends.runs) {
            let session = sessions[0]
            for n in 0..<total { _ = try await session.people.add(parent(session, n)) }
        }
        let together = try await medianSeconds(runs: backends.runs) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for session in sessions {
                    group.addTask { for n in 0..<writes { _ = try await session.people.add(parent(session, n)) } }
                }
                try await group.waitForAll()
            }
        }
        let verified = try await AuditChain.verify(store.audit)
        guard verified.isIntact else { throw SafetyError(.corruptData, "the audit chains do not verify after the benchmark") }
        print("\(name):")
        print("  one session, \(total) audited writes: \(ms(alone)) (\(Int(Double(total) / alone)) writes/s)")
        print(
            "  \(schools) sessions at \(schools) schools, \(total) audited writes: \(ms(together)) (\(Int(Double(total) / together)) writes/s)"
        )
        print(String(format: "  concurrent throughput against one session: %.2fx", alone / together))
        print("  audit chains verified: \(verified.heads.count) chains, \(verified.eventsChecked) events")
        guard let bare else { return }
        var audited: [Double] = []
        var plain: [Double] = []
        for n in 0..<max(50, backends.runs) {
            let start = ContinuousClock.now
            _ = try await sessions[1].people.add(parent(sessions[1], 1_000_000 + n))
            audited.append(Self.seconds(ContinuousClock.now - start))
            plain.append(Self.seconds(try await bare(parent(sessions[1], 2_000_000 + n))))
        }
        let auditedMedian = audited.sorted()[audited.count / 2]
        let plainMedian = plain.sorted()[plain.count / 2]
        print("  one audited write (gate, insert and audit event in one transaction): \(ms(auditedMedian)) median of \(audited.count)")
        print("  a bare INSERT of the same row on its own connection: \(ms(plainMedian)) median of \(plain.count)")
        print(String(format: "  audited write against bare insert: %.2fx", auditedMedian / plainMedian))
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
