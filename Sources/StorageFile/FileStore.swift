public import Foundation
public import Logging
@_spi(StorageBackend) public import OnlineSafetyCore

/// A storage backend in a plain directory: no server, backed up by copying the folder.
///
/// The directory holds three files:
/// - `manifest.json`: the format and its version, `{"format":"onlinesafety-file-store","version":1}`.
/// - `journal.jsonl`: one JSON line per committed transaction, holding every record it wrote (in
///   full) and every audit event it appended. Each line carries `seq`, the previous line's hash
///   `prev`, and its own `hash` (SHA-256 over `prev`, `seq` and the line's body), so an edited line
///   is detected. Lines are only ever appended.
/// - `lock`: locked exclusively while the store is open, so a second process (or a second
///   ``open(at:logger:)`` in the same process) waits for it (``OpenOptions/lockWait``, 5 seconds
///   by default) and then gets `unavailable`, instead of corrupting the journal.
///
/// A commit writes its line and flushes it to disk (`fsync`) before returning; only then do its
/// changes become visible to readers. A crash mid-write leaves at most an incomplete last line,
/// which the next open drops (with a warning). On open the journal is replayed into memory: the
/// whole store is read, so opening takes time and memory in proportion to what it holds. People
/// and contact links are read by their own readers, and each kind's table is filled on a core of
/// its own. Each queryable column is indexed when a query first asks for it, and kept in step
/// from then on. A trust of 40 schools (300,000 records, a journal of 114 MB) opens in 2 to 3
/// seconds on two cores and holds about 450 MiB (`benchmarks import` measures it).
///
/// ```swift
/// let store = try await FileStore.open(at: URL(fileURLWithPath: "/srv/safety"), logger: logger)
/// let safety = OnlineSafety(backend: store, clock: .system, logger: logger)
/// // ...
/// try await store.close()
/// ```
///
/// Transactions run one at a time. Inside `withTransaction`, every call made by the body's task
/// joins the transaction, whether through the store passed to the body or through this store
/// itself, and reads see the transaction's own writes. Calls outside a transaction are
/// transactions of their own; reads outside a transaction see committed data and never wait.
public final class FileStore: OnlineSafetyBackend {
    /// The store's directory.
    public let directory: URL

    let engine: FileEngine
    let gate = TransactionGate()

    init(directory: URL, engine: FileEngine) {
        self.directory = directory
        self.engine = engine
    }

    /// Opens the store in a directory, creating the directory and an empty store if missing, and
    /// waiting up to ``OpenOptions/defaultLockWait`` for another process that has it open.
    ///
    /// The same as ``open(at:logger:options:)`` with the default ``OpenOptions``.
    ///
    /// - Throws: `unavailable` when the store is still open elsewhere after the wait, or the
    ///   directory cannot be used; `corruptData` when the manifest or a journal line (other than
    ///   an incomplete last one) cannot be read, with `location` naming the file and line;
    ///   `migrationFailed` when the store was written in a newer format.
    public static func open(at directory: URL, logger: Logger) async throws -> FileStore {
        try await open(at: directory, logger: logger, options: OpenOptions())
    }

    /// How ``open(at:logger:options:)`` and ``openReadOnly(at:logger:options:)`` open a store.
    public struct OpenOptions: Hashable, Sendable {
        /// How long to wait by default for another process to close the store: 5 seconds.
        public static let defaultLockWait: Duration = .seconds(5)

        /// Whether a missing store is created (the directory too, if needed). When `false`, a
        /// directory without `manifest.json` is refused with `notFound` naming the path, so a
        /// mistyped path is not taken for a new, empty store. Read-only opening never creates.
        public var createIfMissing: Bool
        /// How long to wait for the store's lock while another process (or another open store
        /// in this process) holds it, before failing with `unavailable`. Zero fails at once.
        /// Waiting polls the lock a few times a second, so it costs no thread.
        public var lockWait: Duration
        /// Where to keep the head of the journal's hash chain outside the store's directory, so
        /// that a rewritten chain or records cut from the end are refused on open; `nil` for none.
        public var anchor: JournalAnchor?

        /// Creates options.
        ///
        /// - Parameters:
        ///   - createIfMissing: whether a missing store is created (default `true`).
        ///   - lockWait: how long to wait for another process's lock (default 5 seconds; a
        ///     negative value counts as zero).
        ///   - anchor: where to keep the journal's head outside the directory (default none).
        public init(createIfMissing: Bool = true, lockWait: Duration = OpenOptions.defaultLockWait, anchor: JournalAnchor? = nil) {
            self.createIfMissing = createIfMissing
            self.lockWait = max(lockWait, .zero)
            self.anchor = anchor
        }
    }

    /// Opens the store in a directory for reading and writing.
    ///
    /// When another process holds the store, this waits for it to close the store, for up to
    /// `options.lockWait`, so two people recording at the same moment through short-lived tools
    /// both succeed, one after the other. A caller that keeps the store open keeps everyone else
    /// waiting: close it when done.
    ///
    /// - Parameters:
    ///   - directory: the store's directory.
    ///   - logger: where warnings (a dropped torn write, a line that does not verify) go.
    ///   - options: whether a missing store is created, and how long to wait for the lock.
    /// - Throws: `notFound` naming the path when `createIfMissing` is `false` and the directory
    ///   holds no store; `unavailable` when the store is still open elsewhere after the wait
    ///   (saying how long it waited), or the directory cannot be used; `corruptData` when the
    ///   manifest or a committed journal record cannot be read, with `location` naming the file
    ///   and line; `migrationFailed` when the store was written in a newer format.
    public static func open(at directory: URL, logger: Logger, options: OpenOptions) async throws -> FileStore {
        let path = directory.standardizedFileURL.path
        if !options.createIfMissing && !Posix.exists(path + "/manifest.json") && !Posix.exists(path + "/journal.jsonl") {
            let reason = Posix.exists(path) ? "there is no store at \(path) (no manifest.json)" : "there is no store at \(path)"
            throw SafetyError(.notFound, reason)
        }
        let engine = try await waitingForLock(at: path, for: options.lockWait) { () throws(SafetyError) in
            try FileEngine(directory: directory, logger: logger, anchor: options.anchor)
        }
        return FileStore(directory: directory, engine: engine)
    }

    /// Opens a store read-only (see ``openReadOnly(at:logger:)``), waiting up to
    /// `options.lockWait` for another process that has it open. `createIfMissing` is ignored:
    /// read-only opening never creates a store.
    ///
    /// - Throws: what ``openReadOnly(at:logger:)`` throws; `unavailable` only once the wait is over.
    public static func openReadOnly(at directory: URL, logger: Logger, options: OpenOptions) async throws -> FileStore {
        let engine = try await waitingForLock(at: directory.standardizedFileURL.path, for: options.lockWait) { () throws(SafetyError) in
            try FileEngine(directory: directory, logger: logger, mode: .readOnly, anchor: options.anchor)
        }
        return FileStore(directory: directory, engine: engine)
    }

    /// Reports on a store's journal (see ``inspect(at:logger:)``), waiting up to
    /// `options.lockWait` for another process that has the store open.
    ///
    /// - Throws: what ``openReadOnly(at:logger:options:)`` throws.
    public static func inspect(at directory: URL, logger: Logger, options: OpenOptions) async throws -> JournalReport {
        let store = try await openReadOnly(at: directory, logger: logger, options: options)
        let report = store.journalReport
        try await store.close()
        return report
    }

    /// Runs `attempt` (which takes the store's lock) until it succeeds, fails for a reason other
    /// than a held lock, or `wait` is over. Between attempts it sleeps 10 ms, doubling up to 100 ms.
    static func waitingForLock<T>(
        at path: String, for wait: Duration, _ attempt: () throws(SafetyError) -> T
    ) async throws -> T {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + wait
        var pause = Duration.milliseconds(10)
        var freeAfterFailure = false
        while true {
            let failure: SafetyError
            switch Result(catching: attempt) {
            case .success(let value): return value
            case .failure(let error): failure = error
            }
            guard failure.code == .unavailable else { throw failure }
            switch Posix.probeLock(path + "/lock") {
            case .unusable:
                throw failure
            case .free:
                // Released between the attempt and the probe: try again at once, but only once, so
                // an `unavailable` that has nothing to do with the lock is not retried until the deadline.
                if freeAfterFailure { throw failure }
                freeAfterFailure = true
            case .held:
                freeAfterFailure = false
                let now = clock.now
                guard now < deadline else {
                    guard wait > .zero else { throw failure }
                    throw SafetyError(
                        .unavailable, "waited \(Self.seconds(now - start)) s for the lock; \(failure.reason)", location: failure.location,
                        underlying: failure)
                }
                try await Task.sleep(for: min(pause, deadline - now))
                pause = min(pause * 2, .milliseconds(100))
            }
        }
    }

    /// A duration in seconds with at most one decimal, for messages.
    private static func seconds(_ duration: Duration) -> String {
        let tenths = (Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18) * 10
        let rounded = tenths.rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// Trusts.
    @_spi(StorageBackend) public var trusts: any Repository<Trust, TrustQuery> { FileRepository(access: access) }
    /// Schools and their policy settings.
    @_spi(StorageBackend) public var schools: any Repository<School, SchoolQuery> { FileRepository(access: access) }
    /// People.
    @_spi(StorageBackend) public var people: any Repository<Person, PersonQuery> { FileRepository(access: access) }
    /// Contact links between learners and adults.
    @_spi(StorageBackend) public var contacts: any Repository<ContactLink, ContactQuery> { FileRepository(access: access) }
    /// Role grants.
    @_spi(StorageBackend) public var roleGrants: any Repository<RoleGrant, RoleGrantQuery> { FileRepository(access: access) }
    /// Incidents.
    @_spi(StorageBackend) public var incidents: any Repository<Incident, IncidentQuery> { FileRepository(access: access) }
    /// Incident chronology entries (append-only).
    @_spi(StorageBackend) public var chronology: any Repository<ChronologyEntry, ChronologyQuery> { FileRepository(access: access) }
    /// Each incident's derived procedure steps.
    @_spi(StorageBackend) public var procedures: any Repository<ProcedureStatus, ProcedureStatusQuery> { FileRepository(access: access) }
    /// The device custody register.
    @_spi(StorageBackend) public var devices: any Repository<DeviceRecord, DeviceQuery> { FileRepository(access: access) }
    /// Schools' and trusts' own incident categories.
    @_spi(StorageBackend) public var categories: any Repository<CustomCategory, CategoryQuery> { FileRepository(access: access) }
    /// Acceptable use policy documents (append-only).
    @_spi(StorageBackend) public var aupDocuments: any Repository<AUPDocument, AUPDocumentQuery> { FileRepository(access: access) }
    /// Acceptances of acceptable use policies (append-only).
    @_spi(StorageBackend) public var aupAcceptances: any Repository<AUPAcceptance, AUPAcceptanceQuery> { FileRepository(access: access) }
    /// The access register.
    @_spi(StorageBackend) public var accessGrants: any Repository<AccessGrant, AccessGrantQuery> { FileRepository(access: access) }
    /// Schools' and trusts' own consent purposes.
    @_spi(StorageBackend) public var consentPurposes: any Repository<CustomConsentPurpose, ConsentPurposeQuery> {
        FileRepository(access: access)
    }
    /// Consent decisions (append-only).
    @_spi(StorageBackend) public var consentDecisions: any Repository<ConsentDecision, ConsentDecisionQuery> {
        FileRepository(access: access)
    }
    /// Each learner's consent decisions in force.
    @_spi(StorageBackend) public var consentStates: any Repository<ConsentState, ConsentStateQuery> { FileRepository(access: access) }
    /// Training records (append-only).
    @_spi(StorageBackend) public var trainingRecords: any Repository<TrainingRecord, TrainingRecordQuery> { FileRepository(access: access) }
    /// Each person's latest training per topic.
    @_spi(StorageBackend) public var trainingSummaries: any Repository<TrainingSummary, TrainingSummaryQuery> {
        FileRepository(access: access)
    }
    /// The record of each applied import run.
    @_spi(StorageBackend) public var importRuns: any Repository<ImportRun, ImportRunQuery> { FileRepository(access: access) }
    /// The versions of each school's policy as adopted.
    @_spi(StorageBackend) public var policies: any Repository<AdoptedPolicy, AdoptedPolicyQuery> { FileRepository(access: access) }
    /// Each school's filtering and monitoring provision.
    @_spi(StorageBackend) public var filteringProvisions: any Repository<FilteringProvision, FilteringProvisionQuery> {
        FileRepository(access: access)
    }
    /// The filtering change log.
    @_spi(StorageBackend) public var filteringChanges: any Repository<FilteringChange, FilteringChangeQuery> {
        FileRepository(access: access)
    }
    /// The filtering and monitoring checks log.
    @_spi(StorageBackend) public var filteringChecks: any Repository<FilteringCheck, FilteringCheckQuery> { FileRepository(access: access) }
    /// The annual filtering and monitoring reviews.
    @_spi(StorageBackend) public var filteringReviews: any Repository<FilteringReview, FilteringReviewQuery> {
        FileRepository(access: access)
    }
    /// Monitoring alerts.
    @_spi(StorageBackend) public var monitoringAlerts: any Repository<MonitoringAlert, MonitoringAlertQuery> {
        FileRepository(access: access)
    }
    /// Governance meetings and reviews.
    @_spi(StorageBackend) public var governanceRecords: any Repository<GovernanceRecord, GovernanceRecordQuery> {
        FileRepository(access: access)
    }
    /// The append-only, hash-chained audit log.
    @_spi(StorageBackend) public var audit: any AuditLog { FileAuditLog(access: access) }
    /// Report counts from a scan of the records held in memory.
    @_spi(StorageBackend) public var reports: any ReportQueries { FileReportQueries(access: access) }

    private var access: FileAccess { FileAccess(store: self, transaction: nil) }

    /// Runs `body` atomically: its changes are written as one journal line when it returns, and
    /// discarded if it throws.
    ///
    /// Waits while another transaction runs. Calling it again inside `body` (on either store)
    /// joins the same transaction; there are no nested savepoints.
    @_spi(StorageBackend) public func withTransaction<R: Sendable>(_ body: @Sendable (any OnlineSafetyStore) async throws -> R) async throws
        -> R
    {
        if let joined = await ambientTransaction() {
            return try await body(FileTransactionStore(store: self, transaction: joined))
        }
        return try await transact { id in try await body(FileTransactionStore(store: self, transaction: id)) }
    }

    /// Checks the format version; the file format needs no migration yet.
    ///
    /// - Throws: `migrationFailed` for a newer format, `corruptData` for an unreadable manifest.
    public func migrate() async throws {
        try await engine.checkFormat()
    }

    /// Waits for a running transaction, then releases the journal and the lock. Later calls throw
    /// `unavailable`; closing twice does nothing.
    public func close() async throws {
        if await ambientTransaction() != nil {
            throw SafetyError(.constraintViolation, "a store cannot be closed inside one of its transactions")
        }
        await gate.acquire()
        await engine.close()
        await gate.release()
    }

    /// The numbers (from 1) of the journal lines whose hash did not verify when the store was
    /// opened: lines edited outside the SDK. Empty when the journal is intact.
    ///
    /// A broken line does not stop the store opening, so the audit verifier can still name the
    /// altered audit event.
    public func verifyJournal() async -> [Int] {
        await engine.verifyJournal()
    }

    // MARK: - Transactions

    /// The transaction this task is running on this store, if any.
    func ambientTransaction() async -> UInt64? {
        guard let ambient = AmbientTransaction.current, ambient.engine === engine else { return nil }
        return await engine.isActive(ambient.id) ? ambient.id : nil
    }

    /// Runs `body` as a new transaction: waits for the gate, stages, commits or rolls back.
    func transact<R: Sendable>(_ body: @Sendable (UInt64) async throws -> R) async throws -> R {
        await gate.acquire()
        let outcome: Result<R, any Error>
        do {
            let id = try await engine.begin()
            do {
                let result = try await AmbientTransaction.$current.withValue(AmbientTransaction(engine: engine, id: id)) {
                    try await body(id)
                }
                try await engine.commit(id)
                outcome = .success(result)
            } catch {
                await engine.rollback(id)
                throw error
            }
        } catch {
            outcome = .failure(error)
        }
        await gate.release()
        return try outcome.get()
    }
}

@_spi(StorageBackend)
extension FileStore: OnlineSafetyStore {
    /// Transactions on a file store run one at a time, so a rule's lock is already held.
    public func lock(_ key: String) async throws {}
}

/// The transaction a task is running, so that calls through the store itself join it.
struct AmbientTransaction: Sendable {
    /// The store's engine.
    let engine: FileEngine
    /// The transaction.
    let id: UInt64

    /// The current task's transaction.
    @TaskLocal static var current: AmbientTransaction?
}

/// The store passed to a transaction's body: every call is part of the transaction.
struct FileTransactionStore: OnlineSafetyStore {
    let store: FileStore
    let transaction: UInt64

    private var access: FileAccess { FileAccess(store: store, transaction: transaction) }

    var trusts: any Repository<Trust, TrustQuery> { FileRepository(access: access) }
    var schools: any Repository<School, SchoolQuery> { FileRepository(access: access) }
    var people: any Repository<Person, PersonQuery> { FileRepository(access: access) }
    var contacts: any Repository<ContactLink, ContactQuery> { FileRepository(access: access) }
    var roleGrants: any Repository<RoleGrant, RoleGrantQuery> { FileRepository(access: access) }
    var incidents: any Repository<Incident, IncidentQuery> { FileRepository(access: access) }
    var chronology: any Repository<ChronologyEntry, ChronologyQuery> { FileRepository(access: access) }
    var procedures: any Repository<ProcedureStatus, ProcedureStatusQuery> { FileRepository(access: access) }
    var devices: any Repository<DeviceRecord, DeviceQuery> { FileRepository(access: access) }
    var categories: any Repository<CustomCategory, CategoryQuery> { FileRepository(access: access) }
    var aupDocuments: any Repository<AUPDocument, AUPDocumentQuery> { FileRepository(access: access) }
    var aupAcceptances: any Repository<AUPAcceptance, AUPAcceptanceQuery> { FileRepository(access: access) }
    var accessGrants: any Repository<AccessGrant, AccessGrantQuery> { FileRepository(access: access) }
    var consentPurposes: any Repository<CustomConsentPurpose, ConsentPurposeQuery> { FileRepository(access: access) }
    var consentDecisions: any Repository<ConsentDecision, ConsentDecisionQuery> { FileRepository(access: access) }
    var consentStates: any Repository<ConsentState, ConsentStateQuery> { FileRepository(access: access) }
    var trainingRecords: any Repository<TrainingRecord, TrainingRecordQuery> { FileRepository(access: access) }
    var trainingSummaries: any Repository<TrainingSummary, TrainingSummaryQuery> { FileRepository(access: access) }
    var importRuns: any Repository<ImportRun, ImportRunQuery> { FileRepository(access: access) }
    var policies: any Repository<AdoptedPolicy, AdoptedPolicyQuery> { FileRepository(access: access) }
    var filteringProvisions: any Repository<FilteringProvision, FilteringProvisionQuery> { FileRepository(access: access) }
    var filteringChanges: any Repository<FilteringChange, FilteringChangeQuery> { FileRepository(access: access) }
    var filteringChecks: any Repository<FilteringCheck, FilteringCheckQuery> { FileRepository(access: access) }
    var filteringReviews: any Repository<FilteringReview, FilteringReviewQuery> { FileRepository(access: access) }
    var monitoringAlerts: any Repository<MonitoringAlert, MonitoringAlertQuery> { FileRepository(access: access) }
    var governanceRecords: any Repository<GovernanceRecord, GovernanceRecordQuery> { FileRepository(access: access) }
    var audit: any AuditLog { FileAuditLog(access: access) }
    var reports: any ReportQueries { FileReportQueries(access: access) }

    /// Transactions run one at a time: nothing more to lock.
    func lock(_ key: String) async throws {}

    /// Joins the transaction.
    func withTransaction<R: Sendable>(_ body: @Sendable (any OnlineSafetyStore) async throws -> R) async throws -> R {
        try await body(self)
    }

    func migrate() async throws {
        try await store.migrate()
    }

    func close() async throws {
        throw SafetyError(.constraintViolation, "a store cannot be closed inside one of its transactions")
    }
}

/// How a repository reaches the engine: inside a given transaction, or as the store itself.
struct FileAccess: Sendable {
    let store: FileStore
    /// The transaction of a ``FileTransactionStore``; `nil` for the store itself.
    let transaction: UInt64?

    var engine: FileEngine { store.engine }

    /// The transaction to read in: the given one, the task's own, or none (committed data).
    func readTransaction() async -> UInt64? {
        if let transaction { return transaction }
        return await store.ambientTransaction()
    }

    /// Runs a write in the given transaction, the task's own, or a new one-operation transaction.
    func write<T: Sendable>(_ operation: @Sendable (FileEngine, UInt64) async throws -> T) async throws -> T {
        if let id = await readTransaction() { return try await operation(engine, id) }
        return try await store.transact { id in try await operation(engine, id) }
    }
}
