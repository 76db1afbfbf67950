import Foundation

/// Identifies a ``Trust``.
public typealias TrustID = Identifier<Trust>

/// A multi-academy trust: the body that holds several schools.
public struct Trust: Aggregate {
    /// The trust's identifier.
    public var id: TrustID
    /// The trust's name, for example "Viking Academy Trust".
    public var name: String
    /// The Companies House number, when known.
    public var companyNumber: String?
    /// The optimistic-concurrency revision: 0 before the first insert, then incremented per write.
    public var revision: Int

    /// Creates a trust.
    public init(id: TrustID = TrustID(), name: String, companyNumber: String? = nil, revision: Int = 0) {
        self.id = id
        self.name = name
        self.companyNumber = companyNumber
        self.revision = revision
    }

    /// Trusts belong to no school.
    public var schoolID: SchoolID? { nil }

    /// Checks the name is present.
    public func validate() throws(SafetyError) {
        if name.isBlank { throw .invalid("trust.name", "a trust needs a name") }
    }
}
