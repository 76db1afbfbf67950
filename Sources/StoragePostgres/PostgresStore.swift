import Foundation
public import Logging
@_spi(StorageBackend) public import OnlineSafetyCore
public import PostgresNIO

/// The PostgreSQL backend, on PostgresNIO.
///
/// Every value is bound as a parameter; SQL text is only ever built from the SDK's own column
/// names. Each aggregate has a table with typed columns for what queries use and the whole value
/// as `jsonb`. Audit events are append-only, enforced by a trigger.
///
/// ```swift
/// let store = try await PostgresStore.connect(try PostgresConfiguration(url: url), logger: logger)
/// try await store.migrate()
/// let safety = OnlineSafety(backend: store, logger: logger)
/// ```
///
/// The pool's lifetime is owned in one of two ways:
/// - ``withStore(_:logger:_:)`` runs the pool for the length of a closure, in a child task of the
///   caller's (structured concurrency: nothing outlives the call);
/// - ``init(client:configuration:logger:)`` takes a `PostgresClient` the caller runs, for example
///   in a swift-service-lifecycle `ServiceGroup` beside the application's other services
///   (`PostgresClient` is a `Service`).
///
/// ``connect(_:logger:)`` remains for scripts and tests: it runs the pool in a task the store
/// owns and cancels on ``close()``.
///
/// Whichever owns the pool, the store keeps up to two connections of its own beside it (see
/// ``PostgresConfiguration/maximumConnections``): a report's largest counts run there, in the
/// snapshot of the report's transaction, while its other statements run on the transaction's
/// connection. ``close()`` closes them.
public final class PostgresStore: OnlineSafetyBackend {
    private let client: PostgresClient
    private let runner: Task<Void, Never>?
    let executor: Executor
    /// The connections beside the pool that reports count on (none for a pool of fewer than four).
    let side: SideReads?
    /// Report counts already made, for every transaction on this store (``ReportCache``).
    let cache = ReportCache()
    let logger: Logger
    /// How this store reaches its server.
    public let configuration: PostgresConfiguration

    private init(client: PostgresClient, runner: Task<Void, Never>?, configuration: PostgresConfiguration, logger: Logger) {
        self.client = client
        self.configuration = configuration
        self.runner = runner
        self.logger = logger
        self.executor = .pool(client, logger, configuration.integrityKey.map(RowIntegrity.init))
        let sides = min(2, configuration.maximumConnections / 4)
        self.side =
            sides > 0
            ? (try? configuration.connectionConfiguration()).map { SideReads(configuration: $0, limit: sides, logger: logger) } : nil
    }

    /// A store over a pool the caller owns and runs (`try await client.run()`, or a
    /// `ServiceGroup`). The store never starts or stops it; ``close()`` does nothing to it.
    /// Requires that `client` was made from `configuration`'s ``PostgresConfiguration/clientConfiguration``.
    public convenience init(client: PostgresClient, configuration: PostgresConfiguration, logger: Logger) {
        self.init(client: client, runner: nil, configuration: configuration, logger: logger)
    }

    /// Connects, runs the pool while `body` runs (in a child task, cancelled when `body`
    /// returns or throws) and returns what `body` returns. Throws as ``connect(_:logger:)``.
    public static func withStore<R: Sendable>(
        _ configuration: PostgresConfiguration, logger: Logger, _ body: (PostgresStore) async throws -> R
    ) async throws -> R {
        try await probe(configuration, logger: logger)
        let client = PostgresClient(configuration: configuration.clientConfiguration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(PostgresStore(client: client, runner: nil, configuration: configuration, logger: logger))
        }
    }

    /// Connects a pool to the server and checks that it answers.
    ///
    /// - Throws: `unavailable` when the server cannot be used, with a reason that says what
    ///   failed (the server cannot be reached, authentication failed, the database does not exist,
    ///   TLS could not be negotiated), naming the host, port, user and database but never the
    ///   password. The PostgreSQL error is kept as `underlying`.
    public static func connect(_ configuration: PostgresConfiguration, logger: Logger) async throws -> PostgresStore {
        try await probe(configuration, logger: logger)
        let client = PostgresClient(configuration: configuration.clientConfiguration, backgroundLogger: logger)
        let runner = Task { await client.run() }
        return PostgresStore(client: client, runner: runner, configuration: configuration, logger: logger)
    }

    /// One direct connection first: a wrong address or password fails at once instead of the pool retrying.
    private static func probe(_ configuration: PostgresConfiguration, logger: Logger) async throws {
        do {
            let probe = try await PostgresConnection.connect(
                configuration: try configuration.connectionConfiguration(), id: 0, logger: logger)
            try await probe.close()
        } catch {
            throw SafetyError(.unavailable, connectionFailure(error, configuration), underlying: error)
        }
    }

    /// Trusts.
    @_spi(StorageBackend) public var trusts: any Repository<Trust, TrustQuery> { PostgresRepository(executor, table: "trusts") }
    /// Schools.
    @_spi(StorageBackend) public var schools: any Repository<School, SchoolQuery> { PostgresRepository(executor, table: "schools") }
    /// People.
    @_spi(StorageBackend) public var people: any Repository<Person, PersonQuery> { PostgresRepository(executor, table: "people") }
    /// Contact links.
    @_spi(StorageBackend) public var contacts: any Repository<ContactLink, ContactQuery> { PostgresRepository(executor, table: "contacts") }
    /// Role grants.
    @_spi(StorageBackend) public var roleGrants: any Repository<RoleGrant, RoleGrantQuery> {
        PostgresRepository(executor, table: "role_grants")
    }
    /// Incidents.
    @_spi(StorageBackend) public var incidents: any Repository<Incident, IncidentQuery> { PostgresRepository(executor, table: "incidents") }
    /// Incident chronology entries (append-only, enforced by a trigger).
    @_spi(StorageBackend) public var chronology: any Repository<ChronologyEntry, ChronologyQuery> {
        PostgresRepository(executor, table: "chronology_entries")
    }
    /// Each incident's derived procedure steps.
    @_spi(StorageBackend) public var procedures: any Repository<ProcedureStatus, ProcedureStatusQuery> {
        PostgresRepository(executor, table: "procedure_status")
    }
    /// The device custody register.
    @_spi(StorageBackend) public var devices: any Repository<DeviceRecord, DeviceQuery> { PostgresRepository(executor, table: "devices") }
    /// Schools' and trusts' own incident categories.
    @_spi(StorageBackend) public var categories: any Repository<CustomCategory, CategoryQuery> {
        PostgresRepository(executor, table: "incident_categories")
    }
    /// Acceptable use policy documents (append-only, enforced by a trigger).
    @_spi(StorageBackend) public var aupDocuments: any Repository<AUPDocument, AUPDocumentQuery> {
        PostgresRepository(executor, table: "aup_documents")
    }
    /// Acceptances of acceptable use policies (append-only, enforced by a trigger).
    @_spi(StorageBackend) public var aupAcceptances: any Repository<AUPAcceptance, AUPAcceptanceQuery> {
        PostgresRepository(executor, table: "aup_acceptances")
    }
    /// The access register.
    @_spi(StorageBackend) public var accessGrants: any Repository<AccessGrant, AccessGrantQuery> {
        PostgresRepository(executor, table: "access_grants")
    }
    /// Schools' and trusts' own consent purposes.
    @_spi(StorageBackend) public var consentPurposes: any Repository<CustomConsentPurpose, ConsentPurposeQuery> {
        PostgresRepository(executor, table: "consent_purposes")
    }
    /// Consent decisions (append-only, enforced by a trigger).
    @_spi(StorageBackend) public var consentDecisions: any Repository<ConsentDecision, ConsentDecisionQuery> {
        PostgresRepository(executor, table: "consent_decisions")
    }
    /// Each learner's consent decisions in force.
    @_spi(StorageBackend) public var consentStates: any Repository<ConsentState, ConsentStateQuery> {
        PostgresRepository(executor, table: "consent_states")
    }
    /// Training records (append-only, enforced by a trigger).
    @_spi(StorageBackend) public var trainingRecords: any Repository<TrainingRecord, TrainingRecordQuery> {
        PostgresRepository(executor, table: "training_records")
    }
    /// Each person's latest training per topic.
    @_spi(StorageBackend) public var trainingSummaries: any Repository<TrainingSummary, TrainingSummaryQuery> {
        PostgresRepository(executor, table: "training_summaries")
    }
    /// The audit log.
    /// The record of each applied import run.
    @_spi(StorageBackend) public var importRuns: any Repository<ImportRun, ImportRunQuery> {
        PostgresRepository(executor, table: "import_runs")
    }
    /// The versions of each school's policy as adopted.
    @_spi(StorageBackend) public var policies: any Repository<AdoptedPolicy, AdoptedPolicyQuery> {
        PostgresRepository(executor, table: "adopted_policies")
    }
    /// Each school's filtering and monitoring provision.
    @_spi(StorageBackend) public var filteringProvisions: any Repository<FilteringProvision, FilteringProvisionQuery> {
        PostgresRepository(executor, table: "filtering_provisions")
    }
    /// The filtering change log.
    @_spi(StorageBackend) public var filteringChanges: any Repository<FilteringChange, FilteringChangeQuery> {
        PostgresRepository(executor, table: "filtering_changes")
    }
    /// The filtering and monitoring checks log.
    @_spi(StorageBackend) public var filteringChecks: any Repository<FilteringCheck, FilteringCheckQuery> {
        PostgresRepository(executor, table: "filtering_checks")
    }
    /// The annual filtering and monitoring reviews.
    @_spi(StorageBackend) public var filteringReviews: any Repository<FilteringReview, FilteringReviewQuery> {
        PostgresRepository(executor, table: "filtering_reviews")
    }
    /// Monitoring alerts.
    @_spi(StorageBackend) public var monitoringAlerts: any Repository<MonitoringAlert, MonitoringAlertQuery> {
        PostgresRepository(executor, table: "monitoring_alerts")
    }
    /// Governance meetings and reviews.
    @_spi(StorageBackend) public var governanceRecords: any Repository<GovernanceRecord, GovernanceRecordQuery> {
        PostgresRepository(executor, table: "governance_records")
    }
    /// The append-only, hash-chained audit log.
    @_spi(StorageBackend) public var audit: any AuditLog { PostgresAuditLog(executor: executor) }
    /// Report counts as grouped SQL.
    @_spi(StorageBackend) public var reports: any ReportQueries { PostgresReportQueries(executor: executor, side: nil, cache: cache) }

    /// Runs `body` in one database transaction: committed if it returns, rolled back if it throws.
    /// When the transaction wrote thousands of rows to a table, the server's planner statistics
    /// for that table are renewed before this returns.
    @_spi(StorageBackend) public func withTransaction<R: Sendable>(_ body: @Sendable (any OnlineSafetyStore) async throws -> R) async throws
        -> R
    {
        // A transaction that fills a table is followed by `ANALYZE` of it (``BulkWrites``).
        let written = BulkWrites()
        let result = try await BulkWrites.$current.withValue(written) {
            try await executor.transaction { connection in
                try await body(PostgresTransactionStore(executor: executor.on(connection), side: side, cache: cache))
            }
        }
        await written.refreshStatistics(through: executor)
        return result
    }

    /// Applies the migrations not yet recorded in `schema_migrations`, each in its own transaction.
    public func migrate() async throws {
        try await SchemaMigrator(executor: executor, logger: logger).migrate()
    }

    /// The schema versions applied, in order.
    public func appliedMigrations() async throws -> [Int] {
        try await SchemaMigrator(executor: executor, logger: logger).applied()
    }

    /// Stops the pool this store runs (one from ``connect(_:logger:)``); a caller-owned pool is
    /// left to its owner.
    public func close() async throws {
        await side?.close()
        runner?.cancel()
    }
}

@_spi(StorageBackend)
extension PostgresStore: OnlineSafetyStore {
    /// Outside a transaction a lock would end at once: nothing to do.
    public func lock(_ key: String) async throws {}
}

/// The store a transaction body sees: every call runs on the transaction's connection.
struct PostgresTransactionStore: OnlineSafetyStore {
    let executor: Executor
    /// Where the transaction's reports may send their largest counts.
    let side: SideReads?
    /// The store's report counts already made.
    let cache: ReportCache

    var trusts: any Repository<Trust, TrustQuery> { PostgresRepository(executor, table: "trusts") }
    var schools: any Repository<School, SchoolQuery> { PostgresRepository(executor, table: "schools") }
    var people: any Repository<Person, PersonQuery> { PostgresRepository(executor, table: "people") }
    var contacts: any Repository<ContactLink, ContactQuery> { PostgresRepository(executor, table: "contacts") }
    var roleGrants: any Repository<RoleGrant, RoleGrantQuery> { PostgresRepository(executor, table: "role_grants") }
    var incidents: any Repository<Incident, IncidentQuery> { PostgresRepository(executor, table: "incidents") }
    var chronology: any Repository<ChronologyEntry, ChronologyQuery> { PostgresRepository(executor, table: "chronology_entries") }
    var procedures: any Repository<ProcedureStatus, ProcedureStatusQuery> { PostgresRepository(executor, table: "procedure_status") }
    var devices: any Repository<DeviceRecord, DeviceQuery> { PostgresRepository(executor, table: "devices") }
    var categories: any Repository<CustomCategory, CategoryQuery> { PostgresRepository(executor, table: "incident_categories") }
    var aupDocuments: any Repository<AUPDocument, AUPDocumentQuery> { PostgresRepository(executor, table: "aup_documents") }
    var aupAcceptances: any Repository<AUPAcceptance, AUPAcceptanceQuery> { PostgresRepository(executor, table: "aup_acceptances") }
    var accessGrants: any Repository<AccessGrant, AccessGrantQuery> { PostgresRepository(executor, table: "access_grants") }
    var consentPurposes: any Repository<CustomConsentPurpose, ConsentPurposeQuery> {
        PostgresRepository(executor, table: "consent_purposes")
    }
    var consentDecisions: any Repository<ConsentDecision, ConsentDecisionQuery> { PostgresRepository(executor, table: "consent_decisions") }
    var consentStates: any Repository<ConsentState, ConsentStateQuery> { PostgresRepository(executor, table: "consent_states") }
    var trainingRecords: any Repository<TrainingRecord, TrainingRecordQuery> { PostgresRepository(executor, table: "training_records") }
    var trainingSummaries: any Repository<TrainingSummary, TrainingSummaryQuery> {
        PostgresRepository(executor, table: "training_summaries")
    }
    var importRuns: any Repository<ImportRun, ImportRunQuery> { PostgresRepository(executor, table: "import_runs") }
    var policies: any Repository<AdoptedPolicy, AdoptedPolicyQuery> { PostgresRepository(executor, table: "adopted_policies") }
    var filteringProvisions: any Repository<FilteringProvision, FilteringProvisionQuery> {
        PostgresRepository(executor, table: "filtering_provisions")
    }
    var filteringChanges: any Repository<FilteringChange, FilteringChangeQuery> { PostgresRepository(executor, table: "filtering_changes") }
    var filteringChecks: any Repository<FilteringCheck, FilteringCheckQuery> { PostgresRepository(executor, table: "filtering_checks") }
    var filteringReviews: any Repository<FilteringReview, FilteringReviewQuery> { PostgresRepository(executor, table: "filtering_reviews") }
    var monitoringAlerts: any Repository<MonitoringAlert, MonitoringAlertQuery> { PostgresRepository(executor, table: "monitoring_alerts") }
    var governanceRecords: any Repository<GovernanceRecord, GovernanceRecordQuery> {
        PostgresRepository(executor, table: "governance_records")
    }
    var audit: any AuditLog { PostgresAuditLog(executor: executor) }
    var reports: any ReportQueries { PostgresReportQueries(executor: executor, side: side, cache: cache) }

    func withTransaction<R: Sendable>(_ body: @Sendable (any OnlineSafetyStore) async throws -> R) async throws -> R {
        try await body(self)
    }

    /// A transaction-scoped advisory lock on the key's 64-bit hash.
    func lock(_ key: String) async throws {
        _ = try await executor.rows("SELECT pg_advisory_xact_lock(hashtextextended(\(key), 0))")
    }

    func tryLock(_ key: String) async throws -> Bool {
        let rows = try await executor.rows("SELECT pg_try_advisory_xact_lock(hashtextextended(\(key), 0))")
        return try rows.first?.decode(Bool.self) ?? false
    }

    func migrate() async throws {
        throw SafetyError(.migrationFailed, "migrations cannot run inside a transaction")
    }

    func close() async throws {}
}

/// Where statements run: a pooled connection per call, or a transaction's connection.
enum Executor: Sendable {
    case pool(PostgresClient, Logger, RowIntegrity?)
    case connection(PostgresConnection, Logger, RowIntegrity?)

    /// The integrity key's MACs for rows and audit events, when the store has a key.
    var integrity: RowIntegrity? {
        switch self {
        case .pool(_, _, let integrity), .connection(_, _, let integrity): integrity
        }
    }

    /// The executor of a transaction's connection, keeping this one's logger and key.
    func on(_ connection: PostgresConnection) -> Executor { .connection(connection, logger, integrity) }

    /// The caller's logger, which every statement and audit append logs to.
    var logger: Logger {
        switch self {
        case .pool(_, let logger, _), .connection(_, let logger, _): logger
        }
    }

    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        do {
            switch self {
            case .pool(let client, let logger, _):
                return try await client.withConnection { try await $0.query(query, logger: logger).collect() }
            case .connection(let connection, let logger, _):
                return try await connection.query(query, logger: logger).collect()
            }
        } catch let error as PSQLError {
            throw Executor.translate(error)
        }
    }

    /// Writes rows with `COPY table (columns) FROM STDIN`, on the transaction's connection (or a
    /// pooled one), in pieces of about a megabyte. Errors are mapped as for statements.
    func copy(into table: String, columns: [String], rows: CopyText.Rows) async throws {
        // One call adds every row and says there are no more.
        try await copy(into: table, columns: columns) { (batch: inout CopyText.Rows) in
            batch = rows
            return false
        }
    }

    /// Streams rows into `COPY table (columns) FROM STDIN`: `produce` is called until it returns
    /// `false`, each call adding some rows, and what it added is sent before the next call, so the
    /// server reads one batch while the next is being encoded. An error `produce` throws ends the
    /// copy, and the statement fails with it. Errors are mapped as for statements.
    func copy(into table: String, columns: [String], produce: (inout CopyText.Rows) throws -> Bool) async throws {
        func send(_ connection: PostgresConnection, _ logger: Logger) async throws {
            var written = 0
            try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                var more = true
                while more {
                    var rows = CopyText.Rows()
                    more = try produce(&rows)
                    written += rows.count
                    let bytes = rows.bytes
                    var start = 0
                    while start < bytes.count {
                        let end = min(bytes.count, start + 1 << 20)
                        try await writer.write(ByteBuffer(bytes: bytes[start..<end]))
                        start = end
                    }
                }
            }
            await BulkWrites.current?.wrote(written, to: table)
        }
        do {
            switch self {
            case .pool(let client, let logger, _):
                // Outside a transaction the rows are made first, then sent on a pooled connection.
                var rows = CopyText.Rows()
                while try produce(&rows) {}
                let all = rows
                try await client.withConnection { connection in
                    try await Executor.connection(connection, logger, nil).copy(into: table, columns: columns, rows: all)
                }
            case .connection(let connection, let logger, _):
                try await send(connection, logger)
            }
        } catch let error as PSQLError {
            throw Executor.translate(error)
        }
    }

    func transaction<R: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> R) async throws -> R {
        switch self {
        case .pool(let client, let logger, _):
            do {
                return try await client.withTransaction(logger: logger) { try await body($0) }
            } catch let error as PostgresTransactionError {
                if let closure = error.closureError { throw closure }
                if let failure = (error.beginError ?? error.commitError) as? PSQLError { throw Executor.translate(failure) }
                throw SafetyError(.unavailable, "the transaction could not be committed", underlying: error)
            } catch let error as PSQLError {
                throw Executor.translate(error)
            }
        case .connection(let connection, _, _):
            return try await body(connection)
        }
    }

    /// Maps server errors to SDK codes. The server's message can hold values, so it stays in `underlying`.
    static func translate(_ error: PSQLError) -> SafetyError {
        let state = error.serverInfo?[.sqlState]
        switch state {
        case "23505": return SafetyError(.conflict, "a record with the same identifier or unique value already exists", underlying: error)
        case "23503", "23502", "23514", "22P02", "22007", "22008":
            return SafetyError(
                .constraintViolation, "the database refused the write (\(state ?? "")): a rule of the schema", underlying: error)
        case "OS001":
            return SafetyError(.constraintViolation, "the table is append-only: its rows cannot be changed or removed", underlying: error)
        case "40001", "40P01": return SafetyError(.conflict, "the transaction clashed with another; try again", underlying: error)
        case nil: return SafetyError(.unavailable, "the PostgreSQL server could not be reached", underlying: error)
        default: return SafetyError(.unavailable, "the database failed (\(state ?? ""))", underlying: error)
        }
    }
}

// MARK: - Why a connection failed

extension PostgresStore {
    /// Words for why connecting failed: what failed, and where, never the password.
    static func connectionFailure(_ error: any Error, _ configuration: PostgresConfiguration) -> String {
        let server = "the PostgreSQL server at \(configuration.host):\(configuration.port)"
        guard let error = error as? PSQLError else {
            if let tls = tlsFailure(error) { return "TLS with \(server) failed: \(tls)" }
            return "cannot connect to \(server): \(networkFailure(error) ?? "\(type(of: error))")"
        }
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            switch state {
            case "28P01", "28000":
                return "\(server) refused user \(configuration.username): authentication failed (SQLSTATE \(state)); "
                    + "check the user name and password"
            case "3D000":
                return "\(server) has no database named \(configuration.database) (SQLSTATE 3D000)"
            case "53300":
                return "\(server) has too many connections (SQLSTATE 53300); try again later"
            case "57P03":
                return "\(server) is starting up or shutting down (SQLSTATE 57P03); try again later"
            default:
                return "\(server) refused the connection (SQLSTATE \(state.isEmpty ? "unknown" : state))"
            }
        case .sslUnsupported:
            return "\(server) does not offer TLS, and the configuration requires it (sslmode=require)"
        case .failedToAddSSLHandler, .receivedUnencryptedDataAfterSSLRequest:
            return "TLS with \(server) could not be set up"
        case .authMechanismRequiresPassword:
            return "\(server) asks user \(configuration.username) for a password, and the configuration gives none"
        case .unsupportedAuthMechanism:
            return "\(server) asks for an authentication method this client does not support"
        case .saslError:
            return "\(server) refused user \(configuration.username): authentication failed; check the user name and password"
        case .serverClosedConnection, .uncleanShutdown:
            if let underlying = error.underlying, let tls = tlsFailure(underlying) { return "TLS with \(server) failed: \(tls)" }
            return "\(server) closed the connection before it was ready (is it a PostgreSQL server that accepts connections from here?)"
        case .connectionError:
            if let underlying = error.underlying {
                if let tls = tlsFailure(underlying) { return "TLS with \(server) failed: \(tls)" }
                if let network = networkFailure(underlying) { return "cannot reach \(server): \(network)" }
            }
            return "cannot reach \(server)"
        default:
            if let underlying = error.underlying, let tls = tlsFailure(underlying) { return "TLS with \(server) failed: \(tls)" }
            return "cannot connect to \(server) (\(error.code))"
        }
    }

    /// A TLS failure in words, or `nil` when the error is not one.
    private static func tlsFailure(_ error: any Error) -> String? {
        if let error = error as? NIOSSLError {
            switch error {
            case .handshakeFailed(let reason): return "the handshake failed (\(reason)); check the server's certificate"
            case .uncleanShutdown: return "the server closed the connection during the handshake"
            default: return "\(error)"
            }
        }
        if let error = error as? BoringSSLError { return "\(error); check the server's certificate" }
        return nil
    }

    /// A network failure in words (refused, timed out, unknown host), or `nil` when not one.
    private static func networkFailure(_ error: any Error) -> String? {
        if let error = error as? NIOConnectionError {
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "the host name \(error.host) cannot be resolved" }
            if let first = error.connectionErrors.first { return networkFailure(first.error) ?? "\(first.error)" }
            return "no address to connect to"
        }
        if let error = error as? IOError {
            switch error.errnoCode {
            case ECONNREFUSED: return "the connection was refused (is the server running, and on this port?)"
            case ETIMEDOUT: return "the connection timed out"
            case EHOSTUNREACH, ENETUNREACH: return "the host cannot be reached from here"
            default: return "\(error)"
            }
        }
        if let error = error as? ChannelError, case .connectTimeout = error { return "the connection timed out" }
        return nil
    }
}
