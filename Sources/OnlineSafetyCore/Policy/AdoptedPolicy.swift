public import Foundation

/// Identifies an ``AdoptedPolicy``.
public typealias AdoptedPolicyID = Identifier<AdoptedPolicy>

/// A version of a school's policy, or of a trust's policy adopted for its schools, as adopted at
/// a review: the document, from when it applies, and who recorded its adoption. Incidents
/// reported from ``effectiveFrom`` follow it; an open incident follows it only once the DSL
/// applies it (``PolicyService/apply(to:)``). A trust's version applies at every school of the
/// trust that has no version of its own in force.
public struct AdoptedPolicy: Aggregate {
    /// The adoption's identifier.
    public var id: AdoptedPolicyID
    /// The school, for a school's own version; `nil` for a trust's.
    public var schoolIDValue: SchoolID?
    /// The trust, for a trust's version adopted by its schools; `nil` for a school's own.
    public var trustIDValue: TrustID?
    /// The document.
    public var document: PolicyDocument
    /// The first day incidents follow it.
    public var effectiveFrom: CalendarDate
    /// When the adoption was recorded.
    public var adoptedAt: Date
    /// Who recorded it.
    public var recordedBy: PersonID
    /// The optimistic-concurrency revision.
    public var revision: Int

    /// Creates an adoption record, for a school (`schoolID`) or for a trust (`trustID`): exactly
    /// one of them (``validate()`` throws `invalidInput` otherwise).
    public init(
        id: AdoptedPolicyID = AdoptedPolicyID(), schoolID: SchoolID?, trustID: TrustID? = nil, document: PolicyDocument,
        effectiveFrom: CalendarDate, adoptedAt: Date, recordedBy: PersonID, revision: Int = 0
    ) {
        self.id = id
        self.schoolIDValue = schoolID
        self.trustIDValue = trustID
        self.document = document
        self.effectiveFrom = effectiveFrom
        self.adoptedAt = SafetyClock.truncated(adoptedAt)
        self.recordedBy = recordedBy
        self.revision = revision
    }

    /// `adoptedPolicy`.
    public static var recordKind: String { "adoptedPolicy" }
    /// Queryable columns.
    public static var indexColumns: [IndexColumn] {
        [
            IndexColumn("school_id", .uuid), IndexColumn("trust_id", .uuid), IndexColumn("version", .text),
            IndexColumn("version_key", .text, unique: true), IndexColumn("effective_from", .text),
        ]
    }
    /// The school, for a school's own version; `nil` for a trust's (a trust-level record).
    public var schoolID: SchoolID? { schoolIDValue }
    /// Whether this is a trust's version, adopted by its schools.
    public var isTrustWide: Bool { trustIDValue != nil }
    /// Index values.
    public var indexValues: [String: IndexValue] {
        [
            "school_id": schoolIDValue.map { .id($0) } ?? .null, "trust_id": trustIDValue.map { .id($0) } ?? .null,
            "version": .text(document.version), "version_key": .text(versionKey),
            "effective_from": .text(effectiveFrom.description),
        ]
    }
    /// The key that makes a version name unique within its school or trust.
    var versionKey: String {
        let scope = schoolIDValue.map { "school:\($0.uuidString)" } ?? "trust:\(trustIDValue?.uuidString ?? "")"
        return "\(scope)/\(document.version)"
    }
    /// Sorted by effective date, then when it was adopted.
    public var sortKey: String {
        effectiveFrom.description + String(format: "/%015.0f", adoptedAt.timeIntervalSince1970 * 1000)
    }

    /// Checks the scope (one school or one trust) and the document's structure (the floor is
    /// checked against the settings of the schools it applies to when adopting). Throws `invalidInput`.
    public func validate() throws(SafetyError) {
        guard (schoolIDValue == nil) != (trustIDValue == nil) else {
            throw .invalid("policy.scope", "an adopted policy belongs to one school or to the trust")
        }
        if let issue = document.structuralIssues().first { throw .invalid("policy.\(issue.field)", issue.message) }
    }
}

/// Which adopted policies to return.
public struct AdoptedPolicyQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = AdoptedPolicy
    /// The school's own versions.
    public var schoolID: SchoolID?
    /// The trust's versions.
    public var trustID: TrustID?
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Creates a query for a school's own adopted versions and (given its trust) the trust's,
    /// oldest first. With neither, it matches nothing.
    public init(schoolID: SchoolID?, trustID: TrustID? = nil, limit: Int? = nil, offset: Int = 0) {
        self.schoolID = schoolID
        self.trustID = trustID
        self.limit = limit
        self.offset = offset
    }

    /// The conditions.
    public var conditions: [Condition] {
        var scope: [Condition] = []
        if let schoolID { scope.append(.equals("school_id", .id(schoolID))) }
        if let trustID { scope.append(.equals("trust_id", .id(trustID))) }
        return [scope.count == 2 ? .or(scope[0], scope[1]) : scope.first ?? .isNull("version_key")]
    }
}
