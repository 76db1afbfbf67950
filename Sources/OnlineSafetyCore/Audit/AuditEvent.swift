import Crypto
public import Foundation

/// Whether an audited operation went ahead.
public enum AuditOutcome: String, Hashable, Sendable, Codable {
    /// It went ahead.
    case allowed
    /// It was refused by the access policy.
    case denied
}

/// Which chain an audit event is kept on.
///
/// Each school keeps two chains: one of its ordinary events and one of events about restricted
/// records (nude images, indecent images, exploitation, allegations against staff), which only
/// its DSL and deputies read and verify. Someone who may read one chain learns nothing of the
/// other: every chain's sequence numbers run without gaps. Events that concern no school (a
/// refused session for an unknown school) go on the store's own chain. Chains are independent,
/// so audited writes at different schools never wait for one another. Events written before
/// chains existed stay on the `legacy` chain, which verifies as it always did.
public struct AuditChainID: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// The chain's stored name, for example `school:<uuid>` or `school:<uuid>:restricted`.
    public let rawValue: String

    /// A chain by its stored name (backends reading events back).
    public init(rawValue: String) { self.rawValue = rawValue }

    /// A school's chain of ordinary or of restricted events.
    public static func school(_ id: SchoolID, restricted: Bool) -> AuditChainID {
        AuditChainID(rawValue: "school:\(id.uuidString)" + (restricted ? ":restricted" : ""))
    }

    /// Events that concern no school.
    public static let store = AuditChainID(rawValue: "store")
    /// Events written before chains existed, in one global sequence.
    public static let legacy = AuditChainID(rawValue: "legacy")

    /// The stored name.
    public var description: String { rawValue }

    /// Orders by stored name.
    public static func < (lhs: AuditChainID, rhs: AuditChainID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Decodes the stored name.
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }

    /// Encodes the stored name.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// What an audited operation did: one of a fixed set of typed actions, never free text.
public struct AuditAction: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The stored name, for example `person.read`.
    public let rawValue: String

    init(_ rawValue: String) { self.rawValue = rawValue }

    /// An action as stored (backends reading events back; unknown names are kept as they are).
    public init(stored rawValue: String) { self.rawValue = rawValue }

    /// The stored name.
    public var description: String { rawValue }

    /// Decodes the stored name.
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }

    /// Encodes the stored name.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// An audit event before it is chained: what happened, by whom, to what.
///
/// Events name records by kind and identifier only, never by content.
public struct AuditDraft: Hashable, Sendable, Codable {
    /// When it happened (whole milliseconds).
    public var at: Date
    /// The acting person, or `nil` for the SDK itself (migrations, bootstrap).
    public var actorID: PersonID?
    /// The school the session was opened at.
    public var schoolID: SchoolID?
    /// The action, for example ``AuditAction/personRead``.
    public var action: AuditAction
    /// The kind of record acted on, for example `person`.
    public var subjectKind: String
    /// The identifier of the record acted on.
    public var subjectID: UUID?
    /// Whether it went ahead.
    public var outcome: AuditOutcome
    /// Why it was refused, or a note (never record content).
    public var reason: String?
    /// Whether the record acted on is restricted: only the DSL and deputies see such events.
    public var restricted: Bool
    /// The records a listing returned, in the order it returned them, when the event records a
    /// listing (a dashboard, a search, a register): one event names everything the reader was
    /// shown, so that the trail of each of them finds it. Empty for an event about one record
    /// (``subjectID``) or about none.
    public var listed: [UUID]

    /// How many records one event names at most in ``listed``; more are recorded in as many
    /// events as they need.
    public static let listedPerEvent = 1_000

    /// Creates a draft.
    public init(
        at: Date, actorID: PersonID?, schoolID: SchoolID?, action: AuditAction, subjectKind: String, subjectID: UUID?,
        outcome: AuditOutcome = .allowed, reason: String? = nil, restricted: Bool = false, listed: [UUID] = []
    ) {
        self.at = SafetyClock.truncated(at)
        self.actorID = actorID
        self.schoolID = schoolID
        self.action = action
        self.subjectKind = subjectKind
        self.subjectID = subjectID
        self.outcome = outcome
        self.reason = reason
        self.restricted = restricted
        self.listed = listed
    }

    /// Every record the event names: its subject, or the records a listing returned.
    public var subjects: [UUID] { subjectID.map { [$0] + listed } ?? listed }

    /// Whether the event names a record, as its subject or among the records a listing returned.
    public func names(_ id: UUID) -> Bool { subjectID == id || listed.contains(id) }

    private enum CodingKeys: String, CodingKey {
        case at, actorID, schoolID, action, subjectKind, subjectID, outcome, reason, restricted, listed
    }

    /// Decodes a draft; one stored before listings were recorded in one event lists nothing.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        at = try container.decode(Date.self, forKey: .at)
        actorID = try container.decodeIfPresent(PersonID.self, forKey: .actorID)
        schoolID = try container.decodeIfPresent(SchoolID.self, forKey: .schoolID)
        action = try container.decode(AuditAction.self, forKey: .action)
        subjectKind = try container.decode(String.self, forKey: .subjectKind)
        subjectID = try container.decodeIfPresent(UUID.self, forKey: .subjectID)
        outcome = try container.decode(AuditOutcome.self, forKey: .outcome)
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        restricted = try container.decode(Bool.self, forKey: .restricted)
        listed = try container.decodeIfPresent([UUID].self, forKey: .listed) ?? []
    }

    /// Encodes the draft; absent fields, and an empty `listed`, are left out.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(at, forKey: .at)
        try container.encodeIfPresent(actorID, forKey: .actorID)
        try container.encodeIfPresent(schoolID, forKey: .schoolID)
        try container.encode(action, forKey: .action)
        try container.encode(subjectKind, forKey: .subjectKind)
        try container.encodeIfPresent(subjectID, forKey: .subjectID)
        try container.encode(outcome, forKey: .outcome)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encode(restricted, forKey: .restricted)
        if !listed.isEmpty { try container.encode(listed, forKey: .listed) }
    }

    /// The chain the event belongs on: its school's ordinary or restricted chain, or the store's.
    public var chain: AuditChainID {
        guard let schoolID else { return .store }
        return .school(schoolID, restricted: restricted)
    }
}

/// A stored audit event: a draft with its place in the chain.
///
/// `hash` is SHA-256 over the previous event's hash and the canonical encoding of this event
/// (see ``AuditChain``), so altering any stored event breaks the chain from that event on.
public struct AuditEvent: Hashable, Sendable, Codable {
    /// The chain the event is on.
    public var chain: AuditChainID
    /// Position in its chain, from 1.
    public var sequence: Int64
    /// What happened.
    public var draft: AuditDraft
    /// The previous event's hash (64 zeros for the first).
    public var previousHash: String
    /// This event's hash.
    public var hash: String

    /// Creates an event; backends use ``AuditChain/chain(_:after:)`` instead.
    public init(chain: AuditChainID, sequence: Int64, draft: AuditDraft, previousHash: String, hash: String) {
        self.chain = chain
        self.sequence = sequence
        self.draft = draft
        self.previousHash = previousHash
        self.hash = hash
    }

    private enum CodingKeys: String, CodingKey { case chain, sequence, draft, previousHash, hash }

    /// Decodes an event; one written before chains existed is on the ``AuditChainID/legacy`` chain.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        chain = try container.decodeIfPresent(AuditChainID.self, forKey: .chain) ?? .legacy
        sequence = try container.decode(Int64.self, forKey: .sequence)
        draft = try container.decode(AuditDraft.self, forKey: .draft)
        previousHash = try container.decode(String.self, forKey: .previousHash)
        hash = try container.decode(String.self, forKey: .hash)
    }
}

/// The first place an audit chain is broken.
public struct AuditBreak: Hashable, Sendable, CustomStringConvertible {
    /// The chain.
    public let chain: AuditChainID
    /// The sequence number of the event that does not verify.
    public let sequence: Int64
    /// What is wrong with it.
    public let problem: String

    /// Creates a break.
    public init(chain: AuditChainID = .legacy, sequence: Int64, problem: String) {
        self.chain = chain
        self.sequence = sequence
        self.problem = problem
    }

    /// "audit event N: problem" (with the chain, for chains other than the legacy one).
    public var description: String {
        chain == .legacy ? "audit event \(sequence): \(problem)" : "audit event \(sequence) of chain \(chain): \(problem)"
    }
}

/// The head of one verified chain: keep it outside the store and compare later to detect events
/// removed from the end.
public struct AuditChainHead: Hashable, Sendable {
    /// The chain.
    public let chain: AuditChainID
    /// Its last sequence number.
    public let sequence: Int64
    /// The hash of its last event.
    public let hash: String

    /// Creates a head.
    public init(chain: AuditChainID, sequence: Int64, hash: String) {
        self.chain = chain
        self.sequence = sequence
        self.hash = hash
    }
}

/// The result of verifying the audit chain.
public struct AuditVerification: Hashable, Sendable {
    /// How many events were checked.
    public let eventsChecked: Int
    /// The first broken link, if any.
    public let firstBreak: AuditBreak?
    /// The sequence number of the last event checked.
    ///
    /// Removing events from the end of a log leaves a chain that still verifies; keep the last
    /// sequence and hash somewhere else (a governors' report, a backup log) and compare.
    public let headSequence: Int64
    /// The hash of the last event checked (the genesis hash for an empty log).
    public let headHash: String
    /// The head of every chain verified, in chain order.
    public let heads: [AuditChainHead]

    /// Creates a result.
    public init(
        eventsChecked: Int, firstBreak: AuditBreak?, headSequence: Int64 = 0, headHash: String = AuditChain.genesis,
        heads: [AuditChainHead] = []
    ) {
        self.eventsChecked = eventsChecked
        self.firstBreak = firstBreak
        self.headSequence = headSequence
        self.headHash = headHash
        self.heads = heads
    }

    /// Whether every link verified.
    public var isIntact: Bool { firstBreak == nil }
}

/// Hashing and verification of the audit chain, shared by every backend.
public enum AuditChain {
    /// The previous hash of the first event.
    public static let genesis = String(repeating: "0", count: 64)

    /// The canonical encoding of an event: a fixed field order, each field length-prefixed (so no
    /// field's text can be mistaken for another's) and `-` for an absent field, time in milliseconds.
    ///
    /// Events on the legacy chain keep the `v1` encoding; others are `v2`, which adds the chain.
    /// A listing's records, when it has any, follow the last field: `listed`, their number, then
    /// each identifier.
    public static func canonical(sequence: Int64, _ draft: AuditDraft, chain: AuditChainID = .legacy) -> Data {
        Data(canonicalBytes(sequence: sequence, draft, chain: chain))
    }

    /// ``canonical(sequence:_:chain:)`` as bytes, written field by field.
    static func canonicalBytes(sequence: Int64, _ draft: AuditDraft, chain: AuditChainID) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(320)
        func field(_ text: String?) {
            guard let text else {
                bytes.append(contentsOf: [0x2D, 0x3B])
                return
            }
            bytes.append(contentsOf: String(text.utf8.count).utf8)
            bytes.append(0x3A)
            bytes.append(contentsOf: text.utf8)
            bytes.append(0x3B)
        }
        // An identifier's field, as `field` writes its canonical text: always 36 bytes long.
        func identifier(_ id: UUID?) {
            guard let id else {
                bytes.append(contentsOf: [0x2D, 0x3B])
                return
            }
            bytes.append(contentsOf: [0x33, 0x36, 0x3A])
            UUIDText.append(id, to: &bytes)
            bytes.append(0x3B)
        }
        if chain == .legacy {
            field("v1")
        } else {
            field("v2")
            field(chain.rawValue)
        }
        field(String(sequence))
        field(String(SafetyClock.milliseconds(draft.at)))
        identifier(draft.actorID?.uuid)
        identifier(draft.schoolID?.uuid)
        field(draft.action.rawValue)
        field(draft.subjectKind)
        identifier(draft.subjectID)
        field(draft.outcome.rawValue)
        field(draft.reason)
        field(draft.restricted ? "restricted" : "open")
        // A listing's records follow, counted; an event that lists nothing ends here, as every
        // event did before listings were recorded in one event, so their hashes are unchanged.
        if !draft.listed.isEmpty {
            bytes.reserveCapacity(bytes.count + 16 + draft.listed.count * 40)
            field("listed")
            field(String(draft.listed.count))
            for id in draft.listed { identifier(id) }
        }
        return bytes
    }

    /// The hash of an event given the previous hash.
    public static func hash(previous: String, sequence: Int64, _ draft: AuditDraft, chain: AuditChainID = .legacy) -> String {
        var hasher = SHA256()
        var previous = previous
        previous.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        hasher.update(data: [0x1E] as [UInt8])
        canonicalBytes(sequence: sequence, draft, chain: chain).withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return HexText.lowercase(hasher.finalize())
    }

    /// Chains a draft after the last stored event of its chain (or as the chain's first).
    ///
    /// Requires `last` to be the last event of `draft.chain`, or `nil` when that chain is empty.
    public static func chain(_ draft: AuditDraft, after last: AuditEvent?) -> AuditEvent {
        chain(draft, on: draft.chain, after: last)
    }

    /// ``chain(_:after:)`` for a draft whose chain is known (from ``chains(of:)``).
    ///
    /// Requires `chain` to be `draft.chain`, and `last` to be the last event of that chain or
    /// `nil` when it is empty.
    @_spi(StorageBackend)
    public static func chain(_ draft: AuditDraft, on chain: AuditChainID, after last: AuditEvent?) -> AuditEvent {
        let sequence = (last?.sequence ?? 0) + 1
        let previous = last?.hash ?? genesis
        return AuditEvent(
            chain: chain, sequence: sequence, draft: draft, previousHash: previous,
            hash: hash(previous: previous, sequence: sequence, draft, chain: chain))
    }

    /// The chain of each of `drafts`, in order: each ``AuditDraft/chain``, worked out once for each
    /// run of drafts of the same school and restriction (a listing's events are one such run).
    @_spi(StorageBackend)
    public static func chains(of drafts: [AuditDraft]) -> [AuditChainID] {
        var chains: [AuditChainID] = []
        chains.reserveCapacity(drafts.count)
        var run: (school: SchoolID?, restricted: Bool, chain: AuditChainID)?
        for draft in drafts {
            if let run, run.school == draft.schoolID, run.restricted == draft.restricted {
                chains.append(run.chain)
            } else {
                let chain = draft.chain
                run = (draft.schoolID, draft.restricted, chain)
                chains.append(chain)
            }
        }
        return chains
    }

    /// Verifies the given chains (by default every chain in the log), each in sequence order
    /// page by page, and returns the first break found and every chain's head.
    @_spi(StorageBackend)
    public static func verify(
        _ log: any AuditLog, chains: [AuditChainID]? = nil, pageSize: Int = 5_000
    ) async throws -> AuditVerification {
        var chains = chains ?? []
        if chains.isEmpty { chains = try await log.chains() }
        var checked = 0
        var heads: [AuditChainHead] = []
        for chain in chains.sorted() {
            let result = try await verify(log, chain: chain, pageSize: pageSize)
            checked += result.eventsChecked
            if let problem = result.firstBreak {
                return AuditVerification(eventsChecked: checked, firstBreak: problem, heads: heads)
            }
            if result.headSequence > 0 { heads.append(AuditChainHead(chain: chain, sequence: result.headSequence, hash: result.headHash)) }
        }
        let last = heads.last
        return AuditVerification(
            eventsChecked: checked, firstBreak: nil, headSequence: last?.sequence ?? 0, headHash: last?.hash ?? genesis, heads: heads)
    }

    /// Verifies one chain in sequence order, reading it page by page.
    @_spi(StorageBackend)
    public static func verify(_ log: any AuditLog, chain: AuditChainID, pageSize: Int = 5_000) async throws -> AuditVerification {
        var expectedPrevious = genesis
        var expectedSequence: Int64 = 1
        var checked = 0
        func broken(_ sequence: Int64, _ problem: String) -> AuditVerification {
            AuditVerification(eventsChecked: checked, firstBreak: AuditBreak(chain: chain, sequence: sequence, problem: problem))
        }
        while true {
            let page = try await log.events(AuditQuery(chains: [chain], fromSequence: expectedSequence, limit: pageSize))
            if page.isEmpty { break }
            for event in page {
                checked += 1
                if event.sequence != expectedSequence { return broken(expectedSequence, "the event is missing") }
                if event.previousHash != expectedPrevious {
                    return broken(event.sequence, "its previous-hash does not match the event before it")
                }
                if event.chain != chain || (chain != .legacy && event.draft.chain != chain) {
                    return broken(event.sequence, "it is filed on a chain it does not belong to")
                }
                if hash(previous: event.previousHash, sequence: event.sequence, event.draft, chain: chain) != event.hash {
                    return broken(event.sequence, "its content does not match its hash: it was altered")
                }
                expectedPrevious = event.hash
                expectedSequence += 1
            }
        }
        return AuditVerification(eventsChecked: checked, firstBreak: nil, headSequence: expectedSequence - 1, headHash: expectedPrevious)
    }
}

/// Which audit events to read.
///
/// Events of one chain come in sequence order; events of several chains in time order, then by
/// chain and sequence.
public struct AuditQuery: Hashable, Sendable {
    /// Only events on these chains (`nil`: every chain, for storage tests and verification).
    public var chains: Set<AuditChainID>?
    /// The first sequence number to return (of each chain).
    public var fromSequence: Int64
    /// Only events by this actor.
    public var actorID: PersonID?
    /// Only events that name this record: as their subject, or among a listing's records.
    public var subjectID: UUID?
    /// Only events at this school.
    public var schoolID: SchoolID?
    /// Whether to include events about restricted records.
    public var includeRestricted: Bool
    /// How many events at most.
    public var limit: Int?

    /// Creates a query; by default every event from the first.
    public init(
        chains: Set<AuditChainID>? = nil, fromSequence: Int64 = 1, actorID: PersonID? = nil, subjectID: UUID? = nil,
        schoolID: SchoolID? = nil, includeRestricted: Bool = true, limit: Int? = nil
    ) {
        self.chains = chains
        self.fromSequence = fromSequence
        self.actorID = actorID
        self.subjectID = subjectID
        self.schoolID = schoolID
        self.includeRestricted = includeRestricted
        self.limit = limit
    }

    /// Whether an event matches.
    public func matches(_ event: AuditEvent) -> Bool {
        (chains.map { $0.contains(event.chain) } ?? true) && event.sequence >= fromSequence
            && (actorID.map { $0 == event.draft.actorID } ?? true)
            && (subjectID.map { event.draft.names($0) } ?? true) && (schoolID.map { $0 == event.draft.schoolID } ?? true)
            && (includeRestricted || !event.draft.restricted)
    }
}

@_spi(StorageBackend)
extension AuditLog {
    /// The last sequence number of every chain: a mark from which ``events(since:)`` reads.
    public func heads() async throws -> [AuditChainID: Int64] {
        var heads: [AuditChainID: Int64] = [:]
        for chain in try await chains() { heads[chain] = try await last(of: chain)?.sequence ?? 0 }
        return heads
    }

    /// The events appended after a mark taken with ``heads()``, in time order.
    public func events(since heads: [AuditChainID: Int64]) async throws -> [AuditEvent] {
        var result: [AuditEvent] = []
        for chain in try await chains() {
            result += try await events(AuditQuery(chains: [chain], fromSequence: (heads[chain] ?? 0) + 1))
        }
        return result.sorted { AuditQuery.order($0, $1, singleChain: false) }
    }

    /// The latest event on any chain, if there is one.
    public func latest() async throws -> AuditEvent? {
        try await events(AuditQuery()).last
    }

    /// Appends the events one by one; backends with a cheaper batch path override it.
    public func appendMany(_ drafts: [AuditDraft]) async throws -> [AuditEvent] {
        var events: [AuditEvent] = []
        for draft in drafts { events.append(try await append(draft)) }
        return events
    }
}

/// The append-only audit log (storage SPI). There is no way to change or remove an event.
@_spi(StorageBackend)
public protocol AuditLog: Sendable {
    /// Chains and appends an event in the current transaction; returns it as stored.
    func append(_ draft: AuditDraft) async throws -> AuditEvent
    /// Chains and appends several events, in order, in the current transaction.
    func appendMany(_ drafts: [AuditDraft]) async throws -> [AuditEvent]
    /// Events matching the query: one chain's in sequence order, several chains' by time, chain, sequence.
    func events(_ query: AuditQuery) async throws -> [AuditEvent]
    /// The last event of a chain, if it has any.
    func last(of chain: AuditChainID) async throws -> AuditEvent?
    /// Every chain that holds an event.
    func chains() async throws -> [AuditChainID]
}

@_spi(StorageBackend)
extension AuditQuery {
    /// Orders events as ``AuditLog/events(_:)`` returns them.
    public static func order(_ lhs: AuditEvent, _ rhs: AuditEvent, singleChain: Bool) -> Bool {
        if singleChain { return lhs.sequence < rhs.sequence }
        return (lhs.draft.at, lhs.chain.rawValue, lhs.sequence) < (rhs.draft.at, rhs.chain.rawValue, rhs.sequence)
    }

    /// Whether the query reads exactly one chain.
    public var isSingleChain: Bool { chains?.count == 1 }
}
