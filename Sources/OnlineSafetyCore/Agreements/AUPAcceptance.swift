public import Foundation

/// How an acceptable use policy was accepted.
public enum AcceptanceMethod: String, Hashable, Sendable, Codable, CaseIterable {
    /// Signed on paper.
    case signedOnPaper
    /// Accepted online.
    case online
    /// Acknowledged when logging on.
    case acknowledgedAtLogOn
}

/// Identifies an ``AUPAcceptance``.
public typealias AUPAcceptanceID = Identifier<AUPAcceptance>

/// A person's acceptance of one version of an acceptable use policy: by themselves, or for a
/// learner by an adult with parental responsibility.
///
/// Acceptances are never changed. A person accepts each version once: the identifier is derived
/// from the person and the document, so a second acceptance of the same version is a `conflict`
/// in every backend.
public struct AUPAcceptance: Aggregate {
    /// The acceptance's identifier (derived from the person and the document).
    public var id: AUPAcceptanceID
    /// The person's school, or `nil` for trust-level people.
    public var schoolID: SchoolID?
    /// Whose agreement it is.
    public var personID: PersonID
    /// The document accepted.
    public var documentID: AUPDocumentID
    /// The document's audience.
    public var audience: AUPAudience
    /// The document's version.
    public var version: Int
    /// The document's content hash: which words were agreed to.
    public var contentHash: String
    /// Who accepted: the person, or an adult with parental responsibility for a learner.
    public var acceptedBy: PersonID
    /// How.
    public var method: AcceptanceMethod
    /// When.
    public var acceptedAt: Date
    /// Who recorded it.
    public var recordedBy: PersonID
    /// The optimistic-concurrency revision.
    public var revision: Int

    /// Creates an acceptance of a document for a person.
    public init(
        schoolID: SchoolID?, personID: PersonID, document: AUPDocument, acceptedBy: PersonID, method: AcceptanceMethod, acceptedAt: Date,
        recordedBy: PersonID, revision: Int = 0
    ) {
        self.id = AUPAcceptance.id(person: personID, document: document.id)
        self.schoolID = schoolID
        self.personID = personID
        self.documentID = document.id
        self.audience = document.audience
        self.version = document.version
        self.contentHash = document.contentHash
        self.acceptedBy = acceptedBy
        self.method = method
        self.acceptedAt = SafetyClock.truncated(acceptedAt)
        self.recordedBy = recordedBy
        self.revision = revision
    }

    /// The identifier of a person's acceptance of a document.
    public static func id(person: PersonID, document: AUPDocumentID) -> AUPAcceptanceID {
        AUPAcceptanceID(DerivedIdentifier.make("aupAcceptance", person.uuid, document.uuid))
    }

    /// Whether someone else accepted on the person's behalf.
    public var onBehalf: Bool { acceptedBy != personID }

    /// Checks the identifier matches the person and document.
    public func validate() throws(SafetyError) {
        guard id == AUPAcceptance.id(person: personID, document: documentID) else {
            throw .invalid("aupAcceptance.id", "an acceptance's identifier is derived from the person and the document")
        }
        guard version >= 1 else { throw .invalid("aupAcceptance.version", "versions start at 1") }
    }
}

/// Someone who must accept the acceptable use policy in force for their audience.
public struct AUPDue: Sendable, Hashable, Codable {
    /// The person.
    public let personID: PersonID
    /// Their audience.
    public let audience: AUPAudience
    /// The document they must accept.
    public let documentID: AUPDocumentID
    /// Its version.
    public let version: Int
    /// The latest version of their audience's policy they accepted before, if any.
    public let lastAcceptedVersion: Int?

    /// Creates an entry.
    public init(personID: PersonID, audience: AUPAudience, documentID: AUPDocumentID, version: Int, lastAcceptedVersion: Int?) {
        self.personID = personID
        self.audience = audience
        self.documentID = documentID
        self.version = version
        self.lastAcceptedVersion = lastAcceptedVersion
    }
}
