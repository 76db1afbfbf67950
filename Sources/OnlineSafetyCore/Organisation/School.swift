import Foundation

/// Identifies a ``School``.
public typealias SchoolID = Identifier<School>

/// The DfE number of a school: a 3-digit local authority code and a 4-digit establishment number.
public struct DfENumber: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The local authority code, for example `886` (Kent).
    public let laCode: String
    /// The establishment number within the authority, for example `2074`.
    public let establishmentNumber: String

    /// Creates a DfE number; throws `invalidInput` unless the parts are 3 and 4 digits.
    public init(laCode: String, establishmentNumber: String) throws(SafetyError) {
        guard laCode.count == 3, laCode.allSatisfy(\.isASCIIDigit) else {
            throw .invalid("school.dfeNumber.laCode", "a local authority code is 3 digits")
        }
        guard establishmentNumber.count == 4, establishmentNumber.allSatisfy(\.isASCIIDigit) else {
            throw .invalid("school.dfeNumber.establishmentNumber", "an establishment number is 4 digits")
        }
        self.laCode = laCode
        self.establishmentNumber = establishmentNumber
    }

    /// Parses `8862074` or `886/2074`.
    public init(_ text: String) throws(SafetyError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let digits: String
        if parts.count == 2, parts[0].count == 3 {
            digits = String(parts[0] + parts[1])
        } else if parts.count == 1 {
            digits = text
        } else {
            throw .invalid("school.dfeNumber", "a DfE number is written LLL/EEEE or LLLEEEE")
        }
        guard digits.count == 7 else { throw .invalid("school.dfeNumber", "a DfE number is 7 digits (LA code and establishment number)") }
        try self.init(laCode: String(digits.prefix(3)), establishmentNumber: String(digits.suffix(4)))
    }

    /// `LLL/EEEE`.
    public var description: String { "\(laCode)/\(establishmentNumber)" }
}

/// A school's phase of education.
public enum SchoolPhase: String, Hashable, Sendable, Codable, CaseIterable {
    /// Nursery.
    case nursery
    /// Infant (EYFS and KS1).
    case infant
    /// Junior (KS2).
    case junior
    /// Primary (EYFS to KS2).
    case primary
    /// Secondary (KS3 and KS4, perhaps KS5).
    case secondary
    /// All-through.
    case allThrough
    /// Special school.
    case special
    /// Alternative provision.
    case alternativeProvision
}

/// A school: identified by URN and DfE number, with its own online safety policy settings.
public struct School: Aggregate {
    /// The school's identifier.
    public var id: SchoolID
    /// The trust the school belongs to, if any.
    public var trustID: TrustID?
    /// The unique reference number (6 digits).
    public var urn: String
    /// The DfE number.
    public var dfeNumber: DfENumber
    /// The school's name.
    public var name: String
    /// The phase of education.
    public var phase: SchoolPhase
    /// The key stages taught.
    public var keyStages: [KeyStage]
    /// What the school's online safety policy names and sets.
    public var settings: PolicySettings
    /// The optimistic-concurrency revision.
    public var revision: Int

    /// Creates a school.
    public init(
        id: SchoolID = SchoolID(), trustID: TrustID?, urn: String, dfeNumber: DfENumber, name: String,
        phase: SchoolPhase, keyStages: [KeyStage], settings: PolicySettings, revision: Int = 0
    ) {
        self.id = id
        self.trustID = trustID
        self.urn = urn
        self.dfeNumber = dfeNumber
        self.name = name
        self.phase = phase
        self.keyStages = keyStages
        self.settings = settings
        self.revision = revision
    }

    /// The record's own school.
    public var schoolID: SchoolID? { id }

    /// Checks the URN and name.
    public func validate() throws(SafetyError) {
        guard urn.count == 6, urn.allSatisfy(\.isASCIIDigit) else { throw .invalid("school.urn", "a URN is 6 digits") }
        if name.isBlank { throw .invalid("school.name", "a school needs a name") }
        try settings.validate()
    }
}

extension Character {
    /// Whether this is one of `0` to `9`.
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
