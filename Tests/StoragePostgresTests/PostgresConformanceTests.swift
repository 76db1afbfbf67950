import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
@_spi(StorageBackend) import OnlineSafetyTestKit
import PostgresNIO
import StoragePostgres
import Testing

@Suite("Conformance: PostgreSQL", .enabled(if: PostgresTestDatabase.shouldRun))
struct PostgresConformanceTests {
    static let harness = ConformanceHarness(
        makeStore: { try await PostgresTestDatabase.makeStore() },
        tamperAuditEvent: { store, sequence in
            guard let store = store as? PostgresStore else { throw SafetyError(.invalidInput, "not a PostgreSQL store") }
            try await PostgresTestDatabase.withRawConnection(store.configuration) { connection in
                let logger = PostgresTestDatabase.logger
                _ = try await connection.query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only", logger: logger)
                    .collect()
                _ = try await connection.query(
                    "UPDATE audit_events SET action = upper(action) WHERE sequence = \(sequence)", logger: logger
                ).collect()
                _ = try await connection.query("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only", logger: logger).collect()
            }
            return store
        },
        attemptAuditRewrite: { store in
            guard let store = store as? PostgresStore else { throw SafetyError(.invalidInput, "not a PostgreSQL store") }
            var attempts: [AuditRewriteAttempt] = []
            for statement in [
                "UPDATE audit_events SET reason = 'rewritten' WHERE sequence = 1", "DELETE FROM audit_events WHERE sequence = 2",
                "TRUNCATE audit_events",
            ] {
                do {
                    try await PostgresTestDatabase.withRawConnection(store.configuration) { connection in
                        _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: PostgresTestDatabase.logger).collect()
                    }
                    attempts.append(AuditRewriteAttempt(statement, refused: false))
                } catch let error as PSQLError where error.serverInfo?[.sqlState] == "OS001" {
                    attempts.append(AuditRewriteAttempt(statement, refused: true))
                }
            }
            return attempts
        },
        storedBytesContain: { store, text in
            guard let store = store as? PostgresStore else { throw SafetyError(.invalidInput, "not a PostgreSQL store") }
            return try await PostgresTestDatabase.withRawConnection(store.configuration) { connection in
                var found = 0
                for table in ["incidents", "chronology_entries", "procedure_status", "devices"] {
                    let rows = try await connection.query(
                        "SELECT count(*) FROM \(unescaped: table) WHERE strpos(doc::text, \(text)) > 0", logger: PostgresTestDatabase.logger
                    ).collect()
                    found += try rows.first?.decode(Int.self) ?? 0
                }
                return found > 0
            }
        })

    /// Every check of the shared conformance suite, each its own test case.
    @Test(arguments: ConformanceSuite.all)
    func conformance(_ check: ConformanceCase) async throws { try await check.run(Self.harness) }
}

@Suite("PostgreSQL backend", .enabled(if: PostgresTestDatabase.shouldRun))
struct PostgresStoreTests {
    @Test func migrationsAreRecordedAndRunOnce() async throws {
        let store = try await PostgresTestDatabase.makeStore()
        try await store.migrate()
        #expect(try await store.appliedMigrations() == PostgresStore.schemaVersions)
        #expect(PostgresStore.schemaVersions.first == 1)
        #expect(zip(PostgresStore.schemaVersions, PostgresStore.schemaVersions.dropFirst()).allSatisfy { $0 < $1 })
        #expect(try await store.appliedMigrations() == Array(1...21))
        try await store.close()
    }

    @Test func urlConfigurationParsesEveryPart() throws {
        let config = try PostgresConfiguration(url: "postgres://app:s%40cret@db.example:6543/safety?sslmode=require")
        #expect(config.host == "db.example")
        #expect(config.port == 6543)
        #expect(config.username == "app")
        #expect(config.password == "s@cret")
        #expect(config.database == "safety")
        #expect(config.tls == .require)
    }

    @Test func badURLSaysWhichPartIsWrong() {
        let refusal1 = #expect(throws: SafetyError.self) { try PostgresConfiguration(url: "mysql://x@y/z") }
        #expect(refusal1?.code == .invalidInput)
        do {
            _ = try PostgresConfiguration(url: "postgres://user:secret@host:5432/db?sslmode=sometimes")
            Issue.record("an unknown sslmode was accepted")
        } catch let error as SafetyError {
            #expect(error.location == "url.sslmode")
            #expect(!error.description.contains("secret"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func unreachableServerIsUnavailable() async throws {
        var config = try PostgresTestDatabase.base()
        config.port = 1
        let refusal2 = await #expect(throws: SafetyError.self) {
            try await PostgresStore.connect(config, logger: PostgresTestDatabase.logger)
        }
        #expect(refusal2?.code == .unavailable)
    }
}

@Suite("PostgreSQL: rows altered by a superuser", .enabled(if: PostgresTestDatabase.shouldRun))
struct PostgresTamperTests {
    /// A role grant edited by hand (a teacher made DSL), with the row's MAC left or removed, and
    /// an audit event rewritten with its hash recomputed: each is refused on the next read.
    @Test func rowsAndAuditEventsEditedOutsideTheSDKAreRefused() async throws {
        let store = try await PostgresTestDatabase.makeStore()
        let fixture = try await Fixture.make(on: store)
        let grant = try #require(try await store.roleGrants.find(RoleGrantQuery(personID: fixture.teacher.id)).first)
        #expect(String(describing: PostgresTestDatabase.integrityKey) == "IntegrityKey(***)")
        try await PostgresTestDatabase.withRawConnection(store.configuration) { connection in
            let logger = PostgresTestDatabase.logger
            _ = try await connection.query(
                "UPDATE role_grants SET role = 'designatedSafeguardingLead', doc = jsonb_set(doc, '{role}', '\"designatedSafeguardingLead\"') WHERE id = \(grant.id.uuid)",
                logger: logger
            ).collect()
        }
        let edited = await #expect(throws: SafetyError.self) { try await store.roleGrants.get(grant.id) }
        #expect(edited?.code == .corruptData && edited?.location == "role_grants:\(grant.id.uuidString)")
        await #expect(throws: SafetyError.self) {
            try await fixture.safety.session(actingAs: fixture.teacher.id, at: fixture.school.id)
        }
        try await PostgresTestDatabase.withRawConnection(store.configuration) { connection in
            _ = try await connection.query(
                "UPDATE role_grants SET mac = NULL WHERE id = \(grant.id.uuid)", logger: PostgresTestDatabase.logger
            )
            .collect()
        }
        let unsigned = await #expect(throws: SafetyError.self) { try await store.roleGrants.get(grant.id) }
        #expect(unsigned?.code == .corruptData, "a MAC cannot be removed to hide an edit")

        let events = try await store.audit.events(AuditQuery(chains: [.school(fixture.school.id, restricted: false)]))
        let target = events[events.count / 2]
        var altered = target.draft
        altered.reason = "rewritten"
        let rehashed = AuditChain.hash(previous: target.previousHash, sequence: target.sequence, altered, chain: target.chain)
        try await PostgresTestDatabase.withRawConnection(store.configuration) { connection in
            let logger = PostgresTestDatabase.logger
            _ = try await connection.query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only", logger: logger).collect()
            _ = try await connection.query(
                "UPDATE audit_events SET reason = 'rewritten', hash = \(rehashed) WHERE chain = \(target.chain.rawValue) AND sequence = \(target.sequence)",
                logger: logger
            ).collect()
            _ = try await connection.query("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only", logger: logger).collect()
        }
        let audit = await #expect(throws: SafetyError.self) { try await AuditChain.verify(store.audit) }
        #expect(audit?.code == .corruptData && audit?.location == "audit_events:\(target.chain):\(target.sequence)")
        try await store.close()
    }
}
