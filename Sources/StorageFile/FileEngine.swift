import Foundation
import Logging
@_spi(StorageBackend) import OnlineSafetyCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The store's state and its files, owned by one actor.
///
/// Every method is synchronous, so no call interleaves with another: a method's checks and its
/// changes happen as one step. Transactions span many calls, so ``FileStore`` serializes them
/// with a ``TransactionGate`` before calling ``begin()``; at most one is staged at a time.
actor FileEngine {
    /// How a store is opened.
    enum Mode: Sendable {
        /// Reads and writes; refuses a journal with a damaged record.
        case readWrite
        /// Changes nothing in the directory and refuses every write; opens a damaged journal,
        /// holding the records before the first damaged one.
        case readOnly
    }

    /// The store's directory.
    nonisolated let directoryPath: String
    /// Whether the store was opened read-only.
    nonisolated let isReadOnly: Bool
    private let logger: Logger
    private let lock: FileLock
    /// The journal, for appending; `nil` when read-only.
    private var journal: JournalFile?
    private let encoder = JournalFormat.makeEncoder()
    private var isClosed = false
    /// The manifest's version; a version 1 manifest is moved on before the first framed record.
    private var manifestVersion: Int
    /// What opening found in the journal.
    nonisolated let journalReport: JournalReport

    private var tables: [String: any RecordTable]
    /// Audit events by chain, each in sequence order.
    private var events: [AuditChainID: [AuditEvent]]
    private var lastSeq: Int64
    private var lastHash: String
    private let brokenLines: [Int]
    /// Where the head of the chain is kept outside the directory, written after every commit.
    private let anchor: JournalAnchor?

    private var staged: Staged?
    private var nextTransaction: UInt64 = 1

    /// The changes of the open transaction, not yet written.
    private struct Staged {
        let id: UInt64
        /// Records written by the transaction, by kind (they shadow the committed ones).
        var tables: [String: any RecordTable] = [:]
        /// The encoded changes, in order: the record the commit writes.
        var line: StagedLine
        /// Audit events appended by the transaction.
        var events: [AuditEvent] = []
        /// Records purged by the transaction, by kind; removed when it commits.
        var purges: [(kind: String, id: UUID)] = []
        /// Set when a change could not be added to the record: the transaction can only roll back.
        var failed = false
    }

    /// Adds an encoded change to the open transaction's record. If that fails, the transaction
    /// is marked so that it can no longer commit (its tables may hold what the record lacks).
    private func stage(_ change: [UInt8]) throws(SafetyError) {
        do throws(SafetyError) {
            try staged?.line.append(change)
        } catch {
            staged?.failed = true
            throw error
        }
    }

    /// Opens the store in a directory: lock, manifest, journal replay.
    ///
    /// Read-write, the directory and an empty store are created if missing, a torn last write is
    /// copied to `recovered/` and cut off, and a damaged committed record is refused with
    /// `corruptData` naming it. Read-only, nothing is created or changed, and damage is reported.
    init(directory: URL, logger: Logger, mode: Mode = .readWrite, anchor: JournalAnchor? = nil) throws(SafetyError) {
        let path = directory.standardizedFileURL.path
        let readOnly = mode == .readOnly
        let manifestExists = FileManager.default.fileExists(atPath: path + "/manifest.json")
        let journalPath = path + "/journal.jsonl"
        let journalExists = FileManager.default.fileExists(atPath: journalPath)
        if readOnly {
            guard FileManager.default.fileExists(atPath: path) else { throw SafetyError(.notFound, "there is no store at \(path)") }
            if !manifestExists && !journalExists { throw SafetyError(.notFound, "there is no store at \(path) (no manifest.json)") }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw SafetyError(.unavailable, "cannot create the store directory at \(path)", underlying: error)
            }
        }
        let lock = try FileLock(directory: path, readOnly: readOnly)
        // Holding the lock, no transaction of another process can own a temporary file here.
        if !readOnly { SpillFile.removeLeftovers(in: path) }
        let manifestVersion: Int
        if manifestExists {
            manifestVersion = try Manifest.check(directory: path)
        } else if journalExists {
            throw SafetyError(.corruptData, "the store at \(path) has a journal but no manifest.json", location: "manifest.json")
        } else {
            try Manifest.create(directory: path)
            manifestVersion = Manifest.currentVersion
        }

        var bytes: [UInt8] = []
        if journalExists {
            do {
                bytes = Array(try Data(contentsOf: URL(fileURLWithPath: journalPath)))
            } catch {
                throw SafetyError(.unavailable, "cannot read \(journalPath)", underlying: error)
            }
        }
        let anchored = try anchor?.read()
        let replayed = ReplayedJournal(bytes, watching: anchored?.seq)
        for damage in replayed.damaged {
            logger.warning(
                "a committed journal record is damaged",
                metadata: [
                    "path": "\(journalPath)", "line": "\(damage.location.line)", "offset": "\(damage.location.offset)",
                    "problem": "\(damage.problem.rawValue)",
                ])
        }
        if let damage = replayed.damaged.first, !readOnly {
            throw SafetyError(
                .corruptData,
                "journal line \(damage.location.line) (byte \(damage.location.offset)) is damaged: \(damage.problem); "
                    + "the store was not opened, so that nothing more is written after it. FileStore.openReadOnly "
                    + "reads the records before it (\(replayed.applied)), and FileStore.inspect reports what the damage touches",
                location: "journal.jsonl:\(damage.location.line)", underlying: replayed.firstDamageError)
        }
        if let anchor, let anchored, replayed.damaged.isEmpty {
            try anchor.check(anchored, lastSeq: replayed.lastSeq, hashAtAnchor: replayed.watchedHash)
        }

        var tornTail: JournalTornTail?
        var journal: JournalFile?
        if readOnly {
            tornTail = replayed.torn.map { JournalTornTail(location: $0.location, declaredLength: $0.declaredLength, savedAs: nil) }
        } else {
            if let torn = replayed.torn {
                let saved = try Self.copyAside(Array(bytes[replayed.validLength...]), line: torn.location.line, directory: path)
                tornTail = JournalTornTail(location: torn.location, declaredLength: torn.declaredLength, savedAs: saved)
                logger.warning(
                    "dropped an incomplete last line of the journal (a write interrupted by a crash), after copying its bytes aside",
                    metadata: [
                        "path": "\(journalPath)", "line": "\(torn.location.line)",
                        "bytes": "\(bytes.count - replayed.validLength)", "savedAs": "\(saved)",
                    ])
            }
            journal = try JournalFile(
                path: journalPath, length: replayed.validLength, truncating: replayed.torn != nil,
                needsNewline: replayed.lastNewlineMissing)
            if !journalExists { try Posix.syncDirectory(path) }
        }
        if replayed.lastNewlineMissing {
            logger.notice(
                "the journal's last record is complete but has no newline after it; it is kept, and the next write adds the newline",
                metadata: ["path": "\(journalPath)"])
        }
        for line in replayed.brokenLines {
            logger.warning(
                "a journal line does not verify against its hash chain: it was altered",
                metadata: ["path": "\(journalPath)", "line": "\(line)"])
        }

        self.directoryPath = path
        self.isReadOnly = readOnly
        self.logger = logger
        self.lock = lock
        self.journal = journal
        self.manifestVersion = manifestVersion
        self.tables = replayed.tables
        self.events = Dictionary(grouping: replayed.events, by: \.chain)
        self.lastSeq = replayed.lastSeq
        self.lastHash = replayed.lastHash
        self.brokenLines = replayed.brokenLines
        self.anchor = readOnly ? nil : anchor
        if !readOnly, let anchor, anchored?.seq != replayed.lastSeq || anchored == nil {
            try anchor.write(seq: replayed.lastSeq, hash: replayed.lastHash)
        }
        self.journalReport = JournalReport(
            applied: replayed.applied, damaged: replayed.damaged, notApplied: replayed.notApplied, tornTail: tornTail,
            lastNewlineMissing: replayed.lastNewlineMissing, brokenChain: replayed.brokenLines)
    }

    /// Copies the bytes of a torn last write to `recovered/torn-<time>-line<N>.bin` in the store,
    /// flushed, before they are cut from the journal. Returns the path relative to the store.
    private static func copyAside(_ bytes: [UInt8], line: Int, directory: String) throws(SafetyError) -> String {
        let folder = directory + "/recovered"
        try Posix.makeDirectory(folder, parent: directory)
        let now = Date()
        let stamp = (JournalDate.text(Date(timeIntervalSince1970: (now.timeIntervalSince1970 * 1000).rounded(.down) / 1000)) ?? "now")
            .replacingOccurrences(of: ":", with: "")
        let file = try Posix.writeNewFile(in: folder, name: "torn-\(stamp)-line\(line)", ext: "bin", bytes)
        try Posix.syncDirectory(folder)
        return "recovered/" + file
    }

    // MARK: - Lifecycle

    /// Writes nothing more, and releases the journal and the lock. Closing twice does nothing.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        staged = nil
        journal?.close()
        lock.release()
        tables = FileRegistry.emptyTables()
        events = [:]
    }

    /// The lines that did not verify when the store was opened.
    func verifyJournal() -> [Int] { brokenLines }

    /// Checks the manifest on disk is still the current format.
    func checkFormat() throws(SafetyError) {
        try requireOpen()
        try Manifest.check(directory: directoryPath)
    }

    // MARK: - Transactions

    /// Starts staging a transaction; the caller holds the gate.
    func begin() throws(SafetyError) -> UInt64 {
        try requireOpen()
        guard staged == nil else {
            throw SafetyError(.constraintViolation, "a transaction is already open on the store at \(directoryPath)")
        }
        let id = nextTransaction
        nextTransaction += 1
        staged = Staged(id: id, line: StagedLine(seq: lastSeq + 1, prev: lastHash, directory: directoryPath))
        return id
    }

    /// Whether a transaction is the one being staged.
    func isActive(_ id: UInt64) -> Bool { !isClosed && staged?.id == id }

    /// Writes the transaction as one line, flushes it to disk, then makes its changes visible.
    /// A transaction that changed nothing writes nothing.
    func commit(_ id: UInt64) throws(SafetyError) {
        var transaction = try requireTransaction(id)
        staged = nil  // the transaction is now the only owner of its buffers
        guard !transaction.failed else {
            throw SafetyError(.unavailable, "the transaction could not stage all of its changes; it was rolled back")
        }
        guard !transaction.line.isEmpty else { return }
        try requireWritable()
        guard let journal else { throw SafetyError(.unavailable, "the store at \(directoryPath) has no journal open for writing") }
        if manifestVersion < Manifest.currentVersion {
            // Framed records follow: an older SDK must refuse the store rather than misread them.
            try Manifest.create(directory: directoryPath)
            manifestVersion = Manifest.currentVersion
        }
        guard transaction.line.seq == lastSeq + 1, transaction.line.prev == lastHash else {
            throw SafetyError(.conflict, "the store at \(directoryPath) changed while the transaction was open")
        }
        let hash = try transaction.line.write(to: journal)
        // Each staged table is let go once applied, so a large transaction's records are not
        // held twice over (staged and committed) for every kind at once.
        for kind in Array(transaction.tables.keys) {
            if let table = transaction.tables.removeValue(forKey: kind) { tables[kind]?.apply(table) }
        }
        for event in transaction.events { events[event.chain, default: []].append(event) }
        for purge in transaction.purges { tables[purge.kind]?.purge(purge.id) }
        lastSeq += 1
        lastHash = hash
        if !transaction.purges.isEmpty { try compact() }
        if let anchor {
            do {
                try anchor.write(seq: lastSeq, hash: lastHash)
            } catch {
                // The commit is durable; an anchor left one record behind still matches on open.
                logger.error("the journal anchor could not be advanced", metadata: ["anchor": "\(anchor.url.path)"])
            }
        }
    }

    /// Stages the removal of a record for good; it is gone from the store, and from the journal's
    /// bytes, when the transaction commits. Returns whether the record existed.
    func purge<Value: Aggregate>(_: Value.Type, _ id: Value.ID, in transaction: UInt64) throws -> Bool {
        try checkTransaction(transaction)
        try requireWritable()
        let committed = try committedTable(Value.self)
        let written = stagedTable(Value.self)
        guard written[id] != nil || committed[id] != nil else { return false }
        written.purge(id.uuid)
        try stage(try JournalChange.encodePurge(kind: Value.recordKind, id: id.uuid, with: encoder))
        staged?.purges.append((Value.recordKind, id.uuid))
        return true
    }

    /// Rewrites the journal as a snapshot of what the store holds now: every record once, then
    /// every audit event of every chain in order, in new framed records chained afresh. A purged
    /// record's body then exists nowhere in the directory. Audit events are carried over exactly,
    /// so every audit chain still verifies. The new journal is written beside the old one,
    /// flushed, and renamed over it, so a crash leaves one or the other, whole.
    private func compact() throws(SafetyError) {
        let path = directoryPath + "/journal.jsonl"
        let temporary = directoryPath + "/journal.jsonl.compacting"
        var changes: [[UInt8]] = []
        do {
            for kind in tables.keys.sorted() { changes += try tables[kind]?.encodedRecords(with: encoder) ?? [] }
            for chain in events.keys.sorted() {
                for event in events[chain] ?? [] { changes.append(try JournalChange.encodeAudit(event, with: encoder)) }
            }
        } catch {
            throw SafetyError(.invalidInput, "the store could not be written as a compacted journal", underlying: error)
        }
        var seq: Int64 = 0
        var hash = JournalFormat.genesis
        var bytes: [UInt8] = []
        var start = 0
        while start < changes.count {
            let chunk = Array(changes[start..<min(changes.count, start + 1_000)])
            let line = JournalFormat.line(seq: seq + 1, prev: hash, changes: chunk)
            bytes += line.bytes
            seq += 1
            hash = line.hash
            start += chunk.count
        }
        try? FileManager.default.removeItem(atPath: temporary)
        let replacement = try JournalFile(path: temporary, length: 0, truncating: true)
        if !bytes.isEmpty { try replacement.append(bytes) }
        replacement.close()
        journal?.close()
        guard Self.renameFile(temporary, to: path) else {
            journal = nil
            throw SafetyError(.unavailable, "the compacted journal could not replace the old one; reopen the store")
        }
        try Posix.syncDirectory(directoryPath)
        journal = try JournalFile(path: path, length: bytes.count, truncating: false)
        lastSeq = seq
        lastHash = hash
    }

    /// Discards the transaction's changes (nothing of it was written).
    func rollback(_ id: UInt64) {
        if staged?.id == id { staged = nil }
    }

    // MARK: - Records

    /// Stages new records (each checked, stored at revision 1); all or none.
    func insert<Value: Aggregate>(_ values: [Value], in transaction: UInt64) throws -> [Value] {
        try checkTransaction(transaction)
        try requireWritable()
        let committed = try committedTable(Value.self)
        let written = stagedTable(Value.self)
        written.reserve(values.count)
        var batchIDs = Set<Value.ID>()
        batchIDs.reserveCapacity(values.count)
        var batchUnique: [String: Set<[IndexValue]>] = [:]
        // The kind's unique and reference columns are worked out once for the whole batch.
        let unique = Value.indexColumns.filter(\.unique)
        let references = Value.references
        // Each record's index values are worked out once, for the checks and the entry stored.
        var stored: [Table<Value>.Entry] = []
        stored.reserveCapacity(values.count)
        for value in values {
            var value = try value.checkedForInsert()
            value.revision = 1
            guard written[value.id] == nil, committed[value.id] == nil, !batchIDs.contains(value.id) else {
                throw SafetyError(.conflict, "the \(Value.recordKind) \(value.id.uuidString) already exists")
            }
            let indexValues = value.indexValues
            try checkUnique(value, indexValues, unique, committed: committed, written: written, batch: batchUnique)
            try checkReferences(indexValues, of: Value.self, references, transaction: transaction, batch: values)
            batchIDs.insert(value.id)
            for column in unique {
                let key = indexValues[column.name] ?? .null
                if key != .null { batchUnique[column.name, default: []].insert(Self.uniqueKey(key, column, indexValues)) }
            }
            stored.append(written.entry(value, indexValues))
        }
        // Encoded once every check has passed, in parts on the machine's cores (a whole trust's
        // roster is mostly encoding), a window at a time as audit events are: no more encoded
        // bytes wait in memory than the staged record holds before it moves them to its file.
        var start = 0
        while start < stored.count {
            let window = Array(stored[start..<min(stored.count, start + Self.encodingWindow)])
            for (entry, change) in zip(window, try afterStaging(start) { try encodeAll(window.map(\.value), operation: "insert") }) {
                written.put(entry)
                try stage(change)
            }
            start += window.count
        }
        return stored.map(\.value)
    }

    /// Stages a new revision of a stored record.
    func update<Value: Aggregate>(_ value: Value, in transaction: UInt64) throws -> Value {
        try checkTransaction(transaction)
        try requireWritable()
        if Value.isAppendOnly { throw SafetyError(.constraintViolation, "a \(Value.recordKind) is never changed once recorded") }
        try value.validate()
        let committed = try committedTable(Value.self)
        let written = stagedTable(Value.self)
        guard let current = written[value.id] ?? committed[value.id] else { throw SafetyError.notFound(Value.recordKind) }
        guard current.revision == value.revision else {
            throw SafetyError.staleRevision(Value.recordKind, expected: value.revision, found: current.revision)
        }
        var stored = value
        stored.revision = current.revision + 1
        let indexValues = stored.indexValues
        try checkUnique(stored, indexValues, Value.indexColumns.filter(\.unique), committed: committed, written: written, batch: [:])
        try checkReferences(indexValues, of: Value.self, Value.references, transaction: transaction, batch: [Value]())
        let change = try encode(stored, operation: "update")
        written.put(written.entry(stored, indexValues))
        try stage(change)
        return stored
    }

    /// Renames a file over another in one step (POSIX `rename`).
    private static func renameFile(_ from: String, to: String) -> Bool {
        from.withCString { source in to.withCString { target in rename(source, target) == 0 } }
    }

    /// Whether the open transaction `transaction` purged a record.
    private func isPurged(_ id: UUID, in transaction: UInt64?) -> Bool {
        guard let transaction, staged?.id == transaction else { return false }
        return staged?.purges.contains { $0.id == id } ?? false
    }

    /// A record by identifier: the transaction's own write if any, else the committed one.
    func get<Value: Aggregate>(_ id: Value.ID, in transaction: UInt64?) throws -> Value? {
        if isPurged(id.uuid, in: transaction) { return nil }
        let committed = try committedTable(Value.self)
        if let written = try writtenTable(Value.self, transaction), let value = written[id] { return value }
        return committed[id]
    }

    /// The records matching a query, sorted by sort key then identifier, paged.
    func find<Query: AggregateQuery>(_ query: Query, in transaction: UInt64?) throws -> [Query.Value] {
        guard query.offset >= 0 else { throw SafetyError.invalid("query.offset", "an offset cannot be negative") }
        if let limit = query.limit, limit < 0 { throw SafetyError.invalid("query.limit", "a limit cannot be negative") }
        func precedes(_ a: Table<Query.Value>.Entry, _ b: Table<Query.Value>.Entry) -> Bool {
            Self.precedes(a.sortKey, a.value.id.uuid, b.sortKey, b.value.id.uuid)
        }
        let matches = try matching(query, transaction)
        if let limit = query.limit, query.offset + limit < matches.count / 4 {
            // A first page of many: keep only the first `offset + limit`, in order, as they are found.
            return Self.first(query.offset + limit, of: matches, by: precedes).dropFirst(query.offset).map(\.value)
        }
        let page = matches.sorted(by: precedes).dropFirst(query.offset)
        return (query.limit.map { Array(page.prefix($0)) } ?? Array(page)).map(\.value)
    }

    /// Every record matching a query's conditions, in no order (its page is ignored).
    func findUnordered<Query: AggregateQuery>(_ query: Query, in transaction: UInt64?) throws -> [Query.Value] {
        try matching(query, transaction).map { $0.value }
    }

    /// The order `find` returns records in: by sort key, then by identifier (the bytes of a UUID
    /// order as its upper-case text does, as in SQL).
    static func precedes(_ aKey: String, _ aID: UUID, _ bKey: String, _ bID: UUID) -> Bool {
        if aKey != bKey { return aKey < bKey }
        return withUnsafeBytes(of: aID.uuid) { x in withUnsafeBytes(of: bID.uuid) { y in x.lexicographicallyPrecedes(y) } }
    }

    /// The first `count` elements of `elements` in the order `precedes` gives, in that order,
    /// without sorting the rest: a sorted buffer that only an element preceding its last joins.
    static func first<T>(_ count: Int, of elements: [T], by precedes: (T, T) -> Bool) -> [T] {
        guard count > 0 else { return [] }
        var kept: [T] = []
        kept.reserveCapacity(count + 1)
        for element in elements {
            if kept.count == count, let last = kept.last, !precedes(element, last) { continue }
            var low = 0
            var high = kept.count
            while low < high {
                let middle = (low + high) / 2
                if precedes(element, kept[middle]) { high = middle } else { low = middle + 1 }
            }
            kept.insert(element, at: low)
            if kept.count > count { kept.removeLast() }
        }
        return kept
    }

    /// The records matching a query counted by the index values they were stored with, without
    /// sorting or copying them; the query's page is ignored, as in SQL. Requires that `keys` name
    /// index columns of the kind; throws `invalidInput` otherwise.
    func countGrouped<Query: AggregateQuery>(_ query: Query, by keys: [GroupKey], in transaction: UInt64?) throws -> [GroupedCount] {
        try GroupKey.check(keys, for: Query.Value.self)
        // Each key's place among the kind's index columns, so a record's key is read from its
        // stored column values by position rather than looked up by name.
        let names = Query.Value.indexColumns.map(\.name)
        let places = keys.map { key -> (place: Int?, byMonth: Bool) in
            switch key {
            case .column(let name): (names.firstIndex(of: name), false)
            case .month(let name): (names.firstIndex(of: name), true)
            }
        }
        var counts: [[IndexValue]: Int] = [:]
        for entry in try matching(query, transaction) {
            let key = places.map { place, byMonth -> IndexValue in
                guard let place else { return .null }
                return byMonth ? GroupKey.month(of: entry.columns[place]) : entry.columns[place]
            }
            counts[key, default: 0] += 1
        }
        return GroupedCount.sorted(counts)
    }

    /// How many records match a query, ignoring its page.
    func count<Query: AggregateQuery>(_ query: Query, in transaction: UInt64?) throws -> Int {
        try matching(query, transaction).count
    }

    // MARK: - Audit

    /// Chains a draft after the last event of its chain (the transaction's own included) and stages it.
    func append(_ draft: AuditDraft, in transaction: UInt64) throws -> AuditEvent {
        try checkTransaction(transaction)
        try requireWritable()
        let chain = draft.chain
        let event = AuditChain.chain(draft, after: staged?.events.last { $0.chain == chain } ?? events[chain]?.last)
        let change = try JournalChange.encodeAudit(event, with: encoder)
        try stage(change)
        staged?.events.append(event)
        return event
    }

    /// Chains drafts in order, each after the last event of its chain (the ones before it in
    /// `drafts` included), and stages them: the same events as appending them one by one, with
    /// the encoding done in parts on the machine's cores.
    func append(_ drafts: [AuditDraft], in transaction: UInt64) throws -> [AuditEvent] {
        try checkTransaction(transaction)
        try requireWritable()
        // The last event of each chain the transaction has staged, found in one pass.
        var heads: [AuditChainID: AuditEvent] = [:]
        for event in staged?.events ?? [] { heads[event.chain] = event }
        var all: [AuditEvent] = []
        all.reserveCapacity(drafts.count)
        // A few thousand at a time, so no more encoded bytes wait in memory than the staged
        // record holds before it moves them to its temporary file.
        var start = 0
        while start < drafts.count {
            let window = drafts[start..<min(drafts.count, start + Self.encodingWindow)]
            var chained: [AuditEvent] = []
            chained.reserveCapacity(window.count)
            for draft in window {
                let chain = draft.chain
                let last = heads[chain] ?? events[chain]?.last
                let event = AuditChain.chain(draft, after: last)
                heads[chain] = event
                chained.append(event)
            }
            let changes = try afterStaging(start) {
                try Self.inParts(chained) { part in
                    let encoder = JournalFormat.makeEncoder()
                    return try part.map { try JournalChange.encodeAudit($0, with: encoder) }
                }
            }
            for (event, change) in zip(chained, changes) {
                try stage(change)
                staged?.events.append(event)
            }
            all += chained
            start += window.count
        }
        return all
    }

    /// Events matching a query: one chain's in sequence order, several chains' by time, chain, sequence.
    func events(_ query: AuditQuery, in transaction: UInt64?) throws -> [AuditEvent] {
        try requireOpen()
        if let limit = query.limit, limit < 0 { throw SafetyError.invalid("query.limit", "a limit cannot be negative") }
        var own: [AuditEvent] = []
        if let transaction {
            try checkTransaction(transaction)
            own = staged?.events ?? []
        }
        let limit = query.limit ?? Int.max
        guard limit > 0 else { return [] }
        let chains = query.chains.map { Array($0) } ?? Array(Set(events.keys).union(own.map(\.chain)))
        var result: [AuditEvent] = []
        for chain in chains {
            var found: [AuditEvent] = []
            for part in [events[chain] ?? [], own.filter { $0.chain == chain }] {
                for event in part[startIndex(of: query.fromSequence, in: part)...] where query.matches(event) {
                    found.append(event)
                    if found.count >= limit { break }
                }
                if found.count >= limit { break }
            }
            result += found
        }
        guard chains.count > 1 else { return result }
        return Array(result.sorted { AuditQuery.order($0, $1, singleChain: false) }.prefix(limit))
    }

    /// The last event of a chain, the transaction's own included.
    func last(of chain: AuditChainID, in transaction: UInt64?) throws -> AuditEvent? {
        try requireOpen()
        if let transaction {
            try checkTransaction(transaction)
            if let own = staged?.events.last(where: { $0.chain == chain }) { return own }
        }
        return events[chain]?.last
    }

    /// Every chain holding an event, the transaction's own included.
    func chains(in transaction: UInt64?) throws -> [AuditChainID] {
        try requireOpen()
        var chains = Set(events.keys)
        if let transaction {
            try checkTransaction(transaction)
            chains.formUnion(staged?.events.map(\.chain) ?? [])
        }
        return chains.sorted()
    }

    // MARK: - Helpers

    private func requireOpen() throws(SafetyError) {
        if isClosed { throw SafetyError(.unavailable, "the store at \(directoryPath) is closed") }
    }

    /// Throws unless the store was opened for writing: `corruptData` naming the first damaged
    /// record when that is why it is read-only, `constraintViolation` otherwise.
    private func requireWritable() throws(SafetyError) {
        try requireOpen()
        guard isReadOnly else { return }
        if let damage = journalReport.damaged.first {
            throw SafetyError(
                .corruptData,
                "the store at \(directoryPath) is open read-only because journal line \(damage.location.line) "
                    + "(byte \(damage.location.offset)) is damaged: \(damage.problem); nothing can be written until an "
                    + "administrator repairs the journal",
                location: "journal.jsonl:\(damage.location.line)")
        }
        throw SafetyError(.constraintViolation, "the store at \(directoryPath) was opened read-only; nothing can be written to it")
    }

    /// Throws unless `id` is the transaction being staged.
    ///
    /// Methods that change the staged transaction check it with this and then mutate `staged` in
    /// place: holding a copy of it while appending would copy its buffers on every call.
    private func checkTransaction(_ id: UInt64) throws(SafetyError) {
        try requireOpen()
        guard staged?.id == id else {
            throw SafetyError(
                .constraintViolation, "the transaction has ended; use the store passed to withTransaction only inside its body")
        }
    }

    /// The staged transaction `id`, checked.
    private func requireTransaction(_ id: UInt64) throws(SafetyError) -> Staged {
        try checkTransaction(id)
        return staged!
    }

    private func committedTable<Value: Aggregate>(_: Value.Type) throws(SafetyError) -> Table<Value> {
        try requireOpen()
        guard let table = tables[Value.recordKind] as? Table<Value> else {
            throw SafetyError(.constraintViolation, "the file store keeps no \(Value.recordKind) records (the kind is not in FileRegistry)")
        }
        return table
    }

    /// The committed records of a kind when they are all a read in `transaction` sees: when it
    /// has written and purged no record of the kind (`nil` otherwise, for the general path).
    func unshadowedTable<Value: Aggregate>(_: Value.Type, _ transaction: UInt64?) throws(SafetyError) -> Table<Value>? {
        let committed = try committedTable(Value.self)
        if let transaction {
            try checkTransaction(transaction)
            if staged?.tables[Value.recordKind] != nil || staged?.purges.isEmpty == false { return nil }
        }
        return committed
    }

    /// The open transaction's table of a kind, created on first write.
    private func stagedTable<Value: Aggregate>(_: Value.Type) -> Table<Value> {
        if let table = staged?.tables[Value.recordKind] as? Table<Value> { return table }
        let table = Table<Value>()
        staged?.tables[Value.recordKind] = table
        return table
    }

    /// The records a transaction wrote, if reading inside one.
    private func writtenTable<Value: Aggregate>(_: Value.Type, _ transaction: UInt64?) throws(SafetyError) -> Table<Value>? {
        guard let transaction else { return nil }
        try checkTransaction(transaction)
        return staged?.tables[Value.recordKind] as? Table<Value>
    }

    private func encode<Value: Aggregate>(_ value: Value, operation: String) throws -> [UInt8] {
        try Self.encode(value, operation: operation, with: encoder)
    }

    /// How many records or audit events a batch encodes before staging them.
    static let encodingWindow = 8_192

    /// `encode` of a batch's window; when it throws after `staged` of the batch's items were
    /// already staged, the transaction is marked so that it can only roll back, as when staging
    /// fails: a batch is written whole or not at all, even by a caller that catches the error.
    private func afterStaging<R>(_ staged: Int, _ encode: () throws -> R) throws -> R {
        do {
            return try encode()
        } catch {
            if staged > 0 { self.staged?.failed = true }
            throw error
        }
    }

    /// The journal changes of `values`, in order, encoded in parts on the machine's cores.
    private func encodeAll<Value: Aggregate>(_ values: [Value], operation: String) throws -> [[UInt8]] {
        try Self.inParts(values) { part in
            let encoder = JournalFormat.makeEncoder()
            return try part.map { try Self.encode($0, operation: operation, with: encoder) }
        }
    }

    /// `body` of consecutive parts of `items`, one part per core (none under 256 items), joined
    /// in order.
    private static func inParts<T: Sendable, R: Sendable>(
        _ items: [T], _ body: @Sendable (ArraySlice<T>) throws -> [R]
    ) throws -> [R] {
        let parts = Parallel.parts(of: items.count, minimum: 256)
        guard parts > 1 else { return try body(items[...]) }
        let size = (items.count + parts - 1) / parts
        return try Parallel.map(parts) { part in try body(items[(part * size)..<min(items.count, (part + 1) * size)]) }.flatMap { $0 }
    }

    private static func encode<Value: Aggregate>(_ value: Value, operation: String, with encoder: JSONEncoder) throws -> [UInt8] {
        let bytes: [UInt8]
        do {
            bytes = try JournalChange.encodeRecord(value, operation: operation, with: encoder)
        } catch {
            throw SafetyError(.invalidInput, "the \(Value.recordKind) \(value.id.uuidString) cannot be encoded", underlying: error)
        }
        try StoredText.refuseNUL(bytes, kind: Value.recordKind)
        return bytes
    }

    /// Refuses a value whose `unique` columns (the kind's) clash with another record, committed,
    /// written or in the batch.
    private func checkUnique<Value: Aggregate>(
        _ value: Value, _ indexValues: [String: IndexValue], _ unique: [IndexColumn], committed: Table<Value>, written: Table<Value>,
        batch: [String: Set<[IndexValue]>]
    ) throws(SafetyError) {
        for column in unique {
            let key = indexValues[column.name] ?? .null
            guard key != .null else { continue }
            let scope = column.uniqueWithin.map { indexValues[$0] ?? .null }
            func sameScope(_ other: Value?) -> Bool {
                guard let scope, let within = column.uniqueWithin else { return true }
                return (other?.indexValues[within] ?? .null) == scope
            }
            let clash =
                batch[column.name]?.contains(Self.uniqueKey(key, column, indexValues)) == true
                || written.ids(where: column.name, is: key).contains { $0 != value.id.uuid && sameScope(written[Value.ID($0)]) }
                || committed.ids(where: column.name, is: key).contains {
                    $0 != value.id.uuid && written[Value.ID($0)] == nil && sameScope(committed[Value.ID($0)])
                }
            if clash { throw SafetyError(.conflict, "another \(Value.recordKind) already has this \(column.name)") }
        }
    }

    /// Refuses a value whose reference columns (the kind's `references`) name no record:
    /// committed, written by the transaction, or in the same batch (a batch may hold records that
    /// refer to one another).
    private func checkReferences<Value: Aggregate>(
        _ values: [String: IndexValue], of _: Value.Type, _ references: [(column: String, kind: String)], transaction: UInt64,
        batch: [Value]
    ) throws(SafetyError) {
        for reference in references {
            guard case .uuid(let target) = values[reference.column] ?? .null else { continue }
            if isPurged(target, in: transaction) {
                throw SafetyError(
                    .constraintViolation, "the \(Value.recordKind) refers to a \(reference.kind) that does not exist",
                    location: "\(Value.recordKind).\(reference.column)")
            }
            if tables[reference.kind]?.holds(target) == true || staged?.tables[reference.kind]?.holds(target) == true { continue }
            if reference.kind == Value.recordKind && batch.contains(where: { $0.id.uuid == target }) { continue }
            throw SafetyError(
                .constraintViolation, "the \(Value.recordKind) refers to a \(reference.kind) that does not exist",
                location: "\(Value.recordKind).\(reference.column)")
        }
    }

    /// A unique column's value together with the value of the column that scopes it, if any.
    private static func uniqueKey(_ key: IndexValue, _ column: IndexColumn, _ values: [String: IndexValue]) -> [IndexValue] {
        guard let within = column.uniqueWithin else { return [key] }
        return [values[within] ?? .null, key]
    }

    /// The records of a query's kind that match it, unsorted: committed ones not rewritten by the
    /// transaction, then the transaction's own. The most selective `equals`, `oneOf` or `includes`
    /// condition on an indexed column narrows the scan.
    func matching<Query: AggregateQuery>(
        _ query: Query, _ transaction: UInt64?
    ) throws -> [Table<Query.Value>.Entry] {
        let committed = try committedTable(Query.Value.self)
        let written = try writtenTable(Query.Value.self, transaction)
        let columns = Set(Query.Value.indexColumns.map(\.name))
        let conditions = query.conditions
        var result: [Table<Query.Value>.Entry] = []
        // Conditions are evaluated on each record's index values as stored, not worked out again.
        let names = Query.Value.indexColumns.map(\.name)
        let tests = conditions.map { $0.compiled(columns: names) }
        let test: ([IndexValue]) -> Bool = { values in tests.allSatisfy { $0(values) } }
        let purged = Set((staged?.id == transaction && transaction != nil ? staged?.purges ?? [] : []).map(\.id))
        func consider(_ id: Query.Value.ID, in table: Table<Query.Value>) {
            if purged.contains(id.uuid) { return }
            if let selected = table.select(id, where: test) { result.append(selected) }
        }
        // The candidates: the records the most selective indexed condition allows. A value's records
        // are disjoint from another value's, so the sets of a `oneOf` are walked without a union.
        let narrowest = conditions.compactMap { condition -> [Set<UUID>]? in
            switch condition {
            case .equals(let column, let value) where columns.contains(column):
                return [committed.ids(where: column, is: value)]
            case .oneOf(let column, let options) where columns.contains(column):
                return Set(options).map { committed.ids(where: column, is: $0) }
            case .includes(let column, let member) where columns.contains(column):
                return [committed.ids(where: column, includes: member)]
            default:
                return nil
            }
        }.min { $0.reduce(0) { $0 + $1.count } < $1.reduce(0) { $0 + $1.count } }
        // Where the narrowest condition still allows most of the table, every record is walked in
        // place rather than each candidate looked up by its identifier.
        if let narrowest, narrowest.reduce(0, { $0 + $1.count }) < committed.count / 2 {
            for ids in narrowest {
                for uuid in ids {
                    let id = Query.Value.ID(uuid)
                    if written?[id] == nil { consider(id, in: committed) }
                }
            }
        } else {
            committed.forEach(where: test) { id, entry in
                if written?[id] == nil && !purged.contains(id.uuid) { result.append(entry) }
            }
        }
        if let written { for id in written.ids { consider(id, in: written) } }
        return result
    }

    /// Where to start reading events for a first sequence number (events are stored in order,
    /// sequence n at n - 1 relative to the first; a damaged log is scanned from its start).
    private func startIndex(of sequence: Int64, in part: [AuditEvent]) -> Int {
        guard let first = part.first?.sequence, sequence > first else { return 0 }
        let offset = sequence - first
        guard offset < Int64(part.count) else { return part[part.count - 1].sequence < sequence ? part.count : 0 }
        let index = Int(offset)
        return part[index].sequence == sequence && part[index - 1].sequence < sequence ? index : 0
    }
}
