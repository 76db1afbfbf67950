public import Foundation

/// A device or system the access register covers: a built-in one, or a school's own.
///
/// Codes are short, lower-case and stable (`network`, `email`, `learning-platform`, `mcas`,
/// `tapestry`, or a school's own such as `scratch`); ``title`` gives words for the built-ins.
public struct SystemCode: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// The code.
    public let rawValue: String

    /// Wraps a code; throws `invalidInput` unless it is 1 to 64 lower-case letters, digits, `-`, `_` or `.`.
    public init(_ rawValue: String) throws(SafetyError) {
        guard !rawValue.isEmpty, rawValue.count <= 64,
            rawValue.allSatisfy({ ($0.isLetter && $0.isLowercase) || $0.isASCIIDigit || "-_.".contains($0) })
        else {
            throw .invalid("access.system", "a system code is 1 to 64 lower-case letters, digits, dashes, dots or underscores")
        }
        self.rawValue = rawValue
    }

    private init(builtIn: String) { self.rawValue = builtIn }

    /// The school network and its devices.
    public static let network = SystemCode(builtIn: "network")
    /// School email.
    public static let email = SystemCode(builtIn: "email")
    /// The learning platform (for example Microsoft Teams).
    public static let learningPlatform = SystemCode(builtIn: "learning-platform")
    /// Bromcom / My Child At School.
    public static let mcas = SystemCode(builtIn: "mcas")
    /// Tapestry, the EYFS learning journal.
    public static let tapestry = SystemCode(builtIn: "tapestry")

    /// The built-in systems.
    public static let builtIns: [SystemCode] = [.network, .email, .learningPlatform, .mcas, .tapestry]

    /// Words for the system.
    public var title: String {
        switch rawValue {
        case "network": "the school network"
        case "email": "school email"
        case "learning-platform": "the learning platform"
        case "mcas": "MCAS (My Child At School)"
        case "tapestry": "Tapestry"
        default: rawValue
        }
    }

    /// The code.
    public var description: String { rawValue }

    /// Orders by code.
    public static func < (lhs: SystemCode, rhs: SystemCode) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Decodes from the code.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self.rawValue = try container.decode(String.self)
    }

    /// Encodes as the code.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// Identifies an ``AccessGrant``.
public typealias AccessGrantID = Identifier<AccessGrant>

/// An entry of the access register: a person given access to a system at a school, under the
/// acceptable use policy they had accepted, until it is revoked.
///
/// "We will maintain a record of users who are granted access to our devices and systems." A
/// revoked grant stays in the register with when, by whom and why, so the history is kept.
public struct AccessGrant: Aggregate {
    /// The grant's identifier.
    public var id: AccessGrantID
    /// The school whose system it is.
    public var schoolIDValue: SchoolID
    /// Who has access.
    public var personID: PersonID
    /// The system.
    public var system: SystemCode
    /// The first day of access.
    public var grantedOn: CalendarDate
    /// When it was recorded.
    public var grantedAt: Date
    /// Who granted it.
    public var grantedBy: PersonID
    /// The acceptable use policy in force when it was granted.
    public var documentID: AUPDocumentID
    /// The person's acceptance of that policy.
    public var acceptanceID: AUPAcceptanceID
    /// A note, such as the account name.
    public var note: String?
    /// The day access ended, once revoked (access ends at the start of that day).
    public var revokedOn: CalendarDate?
    /// When the revocation was recorded.
    public var revokedAt: Date?
    /// Who revoked it.
    public var revokedBy: PersonID?
    /// Why it was revoked (for example "leaver").
    public var revocationReason: String?
    /// The optimistic-concurrency revision.
    public var revision: Int

    /// Creates a grant.
    public init(
        id: AccessGrantID = AccessGrantID(), schoolID: SchoolID, personID: PersonID, system: SystemCode, grantedOn: CalendarDate,
        grantedAt: Date, grantedBy: PersonID, documentID: AUPDocumentID, acceptanceID: AUPAcceptanceID, note: String? = nil,
        revokedOn: CalendarDate? = nil, revokedAt: Date? = nil, revokedBy: PersonID? = nil, revocationReason: String? = nil,
        revision: Int = 0
    ) {
        self.id = id
        self.schoolIDValue = schoolID
        self.personID = personID
        self.system = system
        self.grantedOn = grantedOn
        self.grantedAt = SafetyClock.truncated(grantedAt)
        self.grantedBy = grantedBy
        self.documentID = documentID
        self.acceptanceID = acceptanceID
        self.note = note
        self.revokedOn = revokedOn
        self.revokedAt = revokedAt.map(SafetyClock.truncated)
        self.revokedBy = revokedBy
        self.revocationReason = revocationReason
        self.revision = revision
    }

    /// The school whose system it is.
    public var schoolID: SchoolID? { schoolIDValue }

    /// Whether the person has access on a day.
    public func isActive(on date: CalendarDate) -> Bool { grantedOn <= date && (revokedOn.map { date < $0 } ?? true) }

    /// Checks the dates and that a revocation says why.
    public func validate() throws(SafetyError) {
        _ = try grantedOn.checked("access.grantedOn", .record, asOf: CalendarDate(grantedAt))
        if let revokedOn { _ = try revokedOn.checked("access.revokedOn", .record, asOf: CalendarDate(revokedAt ?? grantedAt)) }
        if let revokedOn {
            guard revokedOn >= grantedOn else { throw .invalid("access.revokedOn", "access cannot be revoked before it was granted") }
            guard let reason = revocationReason, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw .invalid("access.revocationReason", "a revocation needs a reason")
            }
        }
    }
}

/// An entry of the access register with no current acceptable use policy behind it: the holder has
/// not accepted the policy now in force for their audience, none is published, or the holder has
/// left (their grants should have been revoked with them).
public struct AccessException: Sendable, Hashable, Codable {
    /// The grant.
    public let grant: AccessGrant
    /// The holder's audience.
    public let audience: AUPAudience
    /// The policy in force for that audience, or `nil` when none is published.
    public let requiredDocumentID: AUPDocumentID?
    /// Its version.
    public let requiredVersion: Int?
    /// Whether the holder has left.
    public let holderHasLeft: Bool

    /// Creates an entry.
    public init(
        grant: AccessGrant, audience: AUPAudience, requiredDocumentID: AUPDocumentID?, requiredVersion: Int?, holderHasLeft: Bool = false
    ) {
        self.grant = grant
        self.audience = audience
        self.requiredDocumentID = requiredDocumentID
        self.requiredVersion = requiredVersion
        self.holderHasLeft = holderHasLeft
    }
}
