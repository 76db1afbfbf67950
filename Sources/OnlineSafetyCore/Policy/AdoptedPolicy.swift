public import Foundation

/// Identifies an ``AdoptedPolicy``.
public typealias AdoptedPolicyID = Identifier<AdoptedPolicy>

/// A version of a school's policy as adopted at a review: the document, from when it applies,
/// and who recorded its adoption. Incidents reported from ``effectiveFrom`` follow it; an open
/// incident follows it only once the DSL applies it (``PolicyService/apply(to:)``).
public struct AdoptedPolicy: Aggregate {
    /// The adoption's identifier.
    public var id: AdoptedPolicyID
    /// The school.
    public var schoolIDValue: SchoolID
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

    /// Creates an adoption record.
    public init(
        id: AdoptedPolicyID = AdoptedPolicyID(), schoolID: SchoolID, document: PolicyDocument, effectiveFrom: CalendarDate,
        adoptedAt: Date, recordedBy: PersonID, revision: Int = 0
    ) {
        self.id = id
        self.schoolIDValue = schoolID
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
        [IndexColumn("school_id", .uuid), IndexColumn("version", .text, uniqueWithin: "school_id"), IndexColumn("effective_from", .text)]
    }
    /// The school.
    public var schoolID: SchoolID? { schoolIDValue }
    /// Index values.
    public var indexValues: [String: IndexValue] {
        ["school_id": .id(schoolIDValue), "version": .text(document.version), "effective_from": .text(effectiveFrom.description)]
    }
    /// Sorted by effective date, then when it was adopted.
    public var sortKey: String {
        effectiveFrom.description + String(format: "/%015.0f", adoptedAt.timeIntervalSince1970 * 1000)
    }

    /// Checks the document's structure (the floor is checked against the school's settings when adopting).
    public func validate() throws(SafetyError) {
        if let issue = document.structuralIssues().first { throw .invalid("policy.\(issue.field)", issue.message) }
    }
}

/// Which adopted policies to return.
public struct AdoptedPolicyQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = AdoptedPolicy
    /// The school's.
    public var schoolID: SchoolID
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Creates a query for a school's adopted versions, oldest first.
    public init(schoolID: SchoolID, limit: Int? = nil, offset: Int = 0) {
        self.schoolID = schoolID
        self.limit = limit
        self.offset = offset
    }

    /// The conditions.
    public var conditions: [Condition] { [.equals("school_id", .id(schoolID))] }
}
