import Crypto
public import Foundation

/// Whether an audited operation went ahead.
public enum AuditOutcome: String, Hashable, Sendable, Codable {
    /// It went ahead.
    case allowed
    /// It was refused by the access policy.
    case denied
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
    /// The action, for example `person.read` or `roleGrant.insert`.
    public var action: String
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

    /// Creates a draft.
    public init(
        at: Date, actorID: PersonID?, schoolID: SchoolID?, action: String, subjectKind: String, subjectID: UUID?,
        outcome: AuditOutcome = .allowed, reason: String? = nil, restricted: Bool = false
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
    }
}

/// A stored audit event: a draft with its place in the chain.
///
/// `hash` is SHA-256 over the previous event's hash and the canonical encoding of this event
/// (see ``AuditChain``), so altering any stored event breaks the chain from that event on.
public struct AuditEvent: Hashable, Sendable, Codable, Identifiable {
    /// Position in the log, from 1.
    public var sequence: Int64
    /// What happened.
    public var draft: AuditDraft
    /// The previous event's hash (64 zeros for the first).
    public var previousHash: String
    /// This event's hash.
    public var hash: String

    /// Creates an event; backends use ``AuditChain/chain(_:after:)`` instead.
    public init(sequence: Int64, draft: AuditDraft, previousHash: String, hash: String) {
        self.sequence = sequence
        self.draft = draft
        self.previousHash = previousHash
        self.hash = hash
    }

    /// The sequence number identifies the event.
    public var id: Int64 { sequence }
}

/// The first place the audit chain is broken.
public struct AuditBreak: Hashable, Sendable, CustomStringConvertible {
    /// The sequence number of the event that does not verify.
    public let sequence: Int64
    /// What is wrong with it.
    public let problem: String

    /// Creates a break.
    public init(sequence: Int64, problem: String) {
        self.sequence = sequence
        self.problem = problem
    }

    /// "audit event N: problem".
    public var description: String { "audit event \(sequence): \(problem)" }
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

    /// Creates a result.
    public init(eventsChecked: Int, firstBreak: AuditBreak?, headSequence: Int64 = 0, headHash: String = AuditChain.genesis) {
        self.eventsChecked = eventsChecked
        self.firstBreak = firstBreak
        self.headSequence = headSequence
        self.headHash = headHash
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
    public static func canonical(sequence: Int64, _ draft: AuditDraft) -> Data {
        let fields: [String?] = [
            "v1",
            String(sequence),
            String(SafetyClock.milliseconds(draft.at)),
            draft.actorID?.uuidString,
            draft.schoolID?.uuidString,
            draft.action,
            draft.subjectKind,
            draft.subjectID?.uuidString,
            draft.outcome.rawValue,
            draft.reason,
            draft.restricted ? "restricted" : "open",
        ]
        var text = ""
        for field in fields {
            if let field { text += "\(field.utf8.count):\(field);" } else { text += "-;" }
        }
        return Data(text.utf8)
    }

    /// The hash of an event given the previous hash.
    public static func hash(previous: String, sequence: Int64, _ draft: AuditDraft) -> String {
        var hasher = SHA256()
        hasher.update(data: Data(previous.utf8))
        hasher.update(data: Data([0x1E]))
        hasher.update(data: canonical(sequence: sequence, draft))
        return hasher.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }

    /// Chains a draft after the last stored event (or as the first).
    public static func chain(_ draft: AuditDraft, after last: AuditEvent?) -> AuditEvent {
        let sequence = (last?.sequence ?? 0) + 1
        let previous = last?.hash ?? genesis
        return AuditEvent(
            sequence: sequence, draft: draft, previousHash: previous, hash: hash(previous: previous, sequence: sequence, draft))
    }

    /// Verifies events in sequence order, reading the log page by page.
    public static func verify(_ log: any AuditLog, pageSize: Int = 5_000) async throws -> AuditVerification {
        var expectedPrevious = genesis
        var expectedSequence: Int64 = 1
        var checked = 0
        while true {
            let page = try await log.events(AuditQuery(fromSequence: expectedSequence, limit: pageSize))
            if page.isEmpty { break }
            for event in page {
                checked += 1
                if event.sequence != expectedSequence {
                    return AuditVerification(
                        eventsChecked: checked, firstBreak: AuditBreak(sequence: expectedSequence, problem: "the event is missing"))
                }
                if event.previousHash != expectedPrevious {
                    return AuditVerification(
                        eventsChecked: checked,
                        firstBreak: AuditBreak(sequence: event.sequence, problem: "its previous-hash does not match the event before it"))
                }
                if hash(previous: event.previousHash, sequence: event.sequence, event.draft) != event.hash {
                    return AuditVerification(
                        eventsChecked: checked,
                        firstBreak: AuditBreak(sequence: event.sequence, problem: "its content does not match its hash: it was altered"))
                }
                expectedPrevious = event.hash
                expectedSequence += 1
            }
        }
        return AuditVerification(eventsChecked: checked, firstBreak: nil, headSequence: expectedSequence - 1, headHash: expectedPrevious)
    }
}

/// Which audit events to read.
public struct AuditQuery: Hashable, Sendable {
    /// The first sequence number to return.
    public var fromSequence: Int64
    /// Only events by this actor.
    public var actorID: PersonID?
    /// Only events about this record.
    public var subjectID: UUID?
    /// Only events at this school.
    public var schoolID: SchoolID?
    /// Whether to include events about restricted records.
    public var includeRestricted: Bool
    /// How many events at most.
    public var limit: Int?

    /// Creates a query; by default every event from the first.
    public init(
        fromSequence: Int64 = 1, actorID: PersonID? = nil, subjectID: UUID? = nil, schoolID: SchoolID? = nil,
        includeRestricted: Bool = true, limit: Int? = nil
    ) {
        self.fromSequence = fromSequence
        self.actorID = actorID
        self.subjectID = subjectID
        self.schoolID = schoolID
        self.includeRestricted = includeRestricted
        self.limit = limit
    }

    /// Whether an event matches.
    public func matches(_ event: AuditEvent) -> Bool {
        event.sequence >= fromSequence && (actorID.map { $0 == event.draft.actorID } ?? true)
            && (subjectID.map { $0 == event.draft.subjectID } ?? true) && (schoolID.map { $0 == event.draft.schoolID } ?? true)
            && (includeRestricted || !event.draft.restricted)
    }
}

extension AuditLog {
    /// Appends the events one by one; backends with a cheaper batch path override it.
    public func appendMany(_ drafts: [AuditDraft]) async throws -> [AuditEvent] {
        var events: [AuditEvent] = []
        for draft in drafts { events.append(try await append(draft)) }
        return events
    }
}

/// The append-only audit log. There is no way to change or remove an event.
public protocol AuditLog: Sendable {
    /// Chains and appends an event in the current transaction; returns it as stored.
    func append(_ draft: AuditDraft) async throws -> AuditEvent
    /// Chains and appends several events, in order, in the current transaction.
    func appendMany(_ drafts: [AuditDraft]) async throws -> [AuditEvent]
    /// Events in sequence order.
    func events(_ query: AuditQuery) async throws -> [AuditEvent]
    /// The last event, if any.
    func last() async throws -> AuditEvent?
}
