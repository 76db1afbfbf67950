public import Foundation

/// Identifies an ``ImportRun``.
public typealias ImportRunID = Identifier<ImportRun>

/// The record of one applied import: who ran it, when, which files (with their SHA-256), and
/// what it did. Each record an import creates or changes names the run in its audit event.
public struct ImportRun: Aggregate {
    /// The run's identifier.
    public var id: ImportRunID
    /// The trust the run was for, or the one school when the school has no trust.
    public var tenancy: Tenancy
    /// Who ran it.
    public var actorID: PersonID
    /// When it was applied.
    public var appliedAt: Date
    /// The files read, each with its SHA-256.
    public var files: [RosterFile]
    /// The schools it touched, by URN.
    public var schoolURNs: [String]
    /// What it did, per subject and action.
    public var counts: RosterCounts
    /// Whether it was run with `strict` (any rejection refuses the run).
    public var strict: Bool
    /// The optimistic-concurrency revision.
    public var revision: Int

    /// Creates a run record.
    public init(
        id: ImportRunID = ImportRunID(), tenancy: Tenancy, actorID: PersonID, appliedAt: Date, files: [RosterFile],
        schoolURNs: [String], counts: RosterCounts, strict: Bool, revision: Int = 0
    ) {
        self.id = id
        self.tenancy = tenancy
        self.actorID = actorID
        self.appliedAt = SafetyClock.truncated(appliedAt)
        self.files = files
        self.schoolURNs = schoolURNs
        self.counts = counts
        self.strict = strict
        self.revision = revision
    }

    /// `importRun`.
    public static var recordKind: String { "importRun" }
    /// Queryable columns.
    public static var indexColumns: [IndexColumn] {
        [IndexColumn("school_id", .uuid), IndexColumn("trust_id", .uuid), IndexColumn("applied_at", .timestamp)]
    }
    /// The school of a run at a school without a trust, else `nil`.
    public var schoolID: SchoolID? { tenancy.schoolID }
    /// The trust of a run, if it was for one.
    public var trustID: TrustID? { tenancy.trustID }
    /// Index values.
    public var indexValues: [String: IndexValue] {
        ["school_id": .id(schoolID), "trust_id": .id(trustID), "applied_at": .timestamp(appliedAt)]
    }
    /// Sorted by when it was applied.
    public var sortKey: String { String(format: "%015.0f", appliedAt.timeIntervalSince1970 * 1000) }

    /// Checks the run names its files.
    public func validate() throws(SafetyError) {
        for file in files where file.sha256.count != 64 || !file.sha256.allSatisfy(\.isHexDigit) {
            throw .invalid("importRun.files.sha256", "a file's digest is 64 hexadecimal digits")
        }
    }
}

/// Which import runs to return.
public struct ImportRunQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = ImportRun
    /// Whose runs.
    public var scope: QueryScope
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Creates a query.
    public init(scope: QueryScope, limit: Int? = nil, offset: Int = 0) {
        self.scope = scope
        self.limit = limit
        self.offset = offset
    }

    /// The conditions.
    public var conditions: [Condition] { scope.condition.map { [$0] } ?? [] }
}
