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
    /// Each school's part: the files with rows for it and what the run did there (`nil` for a run
    /// recorded before runs kept them).
    public var schools: [ImportRunSchool]?
    /// Whether it was run with `strict` (any rejection refuses the run).
    public var strict: Bool
    /// The optimistic-concurrency revision.
    public var revision: Int

    /// Creates a run record.
    public init(
        id: ImportRunID = ImportRunID(), tenancy: Tenancy, actorID: PersonID, appliedAt: Date, files: [RosterFile],
        schoolURNs: [String], counts: RosterCounts, schools: [ImportRunSchool]? = nil, strict: Bool, revision: Int = 0
    ) {
        self.id = id
        self.tenancy = tenancy
        self.actorID = actorID
        self.appliedAt = SafetyClock.truncated(appliedAt)
        self.files = files
        self.schoolURNs = schoolURNs
        self.counts = counts
        self.schools = schools
        self.strict = strict
        self.revision = revision
    }

    /// The run as a role at one school sees it: that school's URN, the files with rows for it and
    /// its counts, so no other school's figures. `nil` when the run did not touch the school, or
    /// touched others too and was recorded without ``schools``.
    public func part(forSchool urn: String) -> ImportRun? {
        guard schoolURNs.contains(urn) else { return nil }
        guard let own = schools?.first(where: { $0.urn == urn }) else { return schoolURNs == [urn] ? self : nil }
        var part = self
        part.schoolURNs = [urn]
        part.files = files.filter { own.files.contains($0.name) }
        part.counts = own.counts
        part.schools = [own]
        return part
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

/// One school's part of an import run.
public struct ImportRunSchool: Hashable, Sendable, Codable {
    /// The school's URN.
    public var urn: String
    /// The names of the files (as in ``RosterFile/name``) that had rows for the school.
    public var files: [String]
    /// What the run did at the school, per subject and action.
    public var counts: RosterCounts

    /// Creates a school's part.
    public init(urn: String, files: [String], counts: RosterCounts) {
        self.urn = urn
        self.files = files
        self.counts = counts
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
