import Foundation

/// A storage backend as an embedder holds it: something to hand to ``OnlineSafety``, migrate and close.
///
/// An embedder never reaches records through a backend: every read and write goes through a
/// ``SafetySession``. The repositories and the audit log are the storage SPI
/// (`@_spi(StorageBackend) import OnlineSafetyCore`), which backends, their tests and benchmarks
/// import on purpose.
public protocol OnlineSafetyBackend: Sendable {
    /// Brings the store's schema or format up to date. Throws `migrationFailed` (nothing of a
    /// failed step is applied) or `unavailable`.
    func migrate() async throws

    /// Releases connections, files and locks. A closed backend refuses further work.
    func close() async throws
}

/// The storage SPI: one repository per aggregate, the audit log, and closure-scoped transactions.
///
/// Backends (PostgreSQL, flat file) implement this protocol and pass the shared conformance
/// suite (the `OnlineSafetyTestKit` product). Applications never see it: they hand the backend to
/// ``OnlineSafety`` and go through a ``SafetySession``, which checks access and audits before
/// storage is touched. The contract a backend keeps is written down in the article
/// "Implementing a storage backend".
///
/// ```swift
/// let result = try await store.withTransaction { tx in
///     let school = try await tx.schools.insert(school)
///     _ = try await tx.audit.append(draft)
///     return school
/// }
/// ```
@_spi(StorageBackend)
public protocol OnlineSafetyStore: OnlineSafetyBackend {
    /// Trusts.
    var trusts: any Repository<Trust, TrustQuery> { get }
    /// Schools and their policy settings.
    var schools: any Repository<School, SchoolQuery> { get }
    /// People.
    var people: any Repository<Person, PersonQuery> { get }
    /// Contact links between learners and adults.
    var contacts: any Repository<ContactLink, ContactQuery> { get }
    /// Role grants.
    var roleGrants: any Repository<RoleGrant, RoleGrantQuery> { get }
    /// Incidents.
    var incidents: any Repository<Incident, IncidentQuery> { get }
    /// Incident chronology entries (append-only).
    var chronology: any Repository<ChronologyEntry, ChronologyQuery> { get }
    /// Each incident's derived procedure steps.
    var procedures: any Repository<ProcedureStatus, ProcedureStatusQuery> { get }
    /// The device custody register.
    var devices: any Repository<DeviceRecord, DeviceQuery> { get }
    /// Schools' and trusts' own incident categories.
    var categories: any Repository<CustomCategory, CategoryQuery> { get }
    /// Acceptable use policy documents (append-only).
    var aupDocuments: any Repository<AUPDocument, AUPDocumentQuery> { get }
    /// Acceptances of acceptable use policies (append-only).
    var aupAcceptances: any Repository<AUPAcceptance, AUPAcceptanceQuery> { get }
    /// The access register.
    var accessGrants: any Repository<AccessGrant, AccessGrantQuery> { get }
    /// Schools' and trusts' own consent purposes.
    var consentPurposes: any Repository<CustomConsentPurpose, ConsentPurposeQuery> { get }
    /// Consent decisions (append-only).
    var consentDecisions: any Repository<ConsentDecision, ConsentDecisionQuery> { get }
    /// Each learner's consent decisions in force.
    var consentStates: any Repository<ConsentState, ConsentStateQuery> { get }
    /// Training records (append-only).
    var trainingRecords: any Repository<TrainingRecord, TrainingRecordQuery> { get }
    /// Each person's latest training per topic.
    var trainingSummaries: any Repository<TrainingSummary, TrainingSummaryQuery> { get }
    /// The record of each applied import run.
    var importRuns: any Repository<ImportRun, ImportRunQuery> { get }
    /// The versions of each school's policy as adopted.
    var policies: any Repository<AdoptedPolicy, AdoptedPolicyQuery> { get }
    /// Each school's filtering and monitoring provision (who is responsible).
    var filteringProvisions: any Repository<FilteringProvision, FilteringProvisionQuery> { get }
    /// The filtering change log.
    var filteringChanges: any Repository<FilteringChange, FilteringChangeQuery> { get }
    /// The filtering and monitoring checks log.
    var filteringChecks: any Repository<FilteringCheck, FilteringCheckQuery> { get }
    /// The annual filtering and monitoring reviews (append-only).
    var filteringReviews: any Repository<FilteringReview, FilteringReviewQuery> { get }
    /// Monitoring alerts.
    var monitoringAlerts: any Repository<MonitoringAlert, MonitoringAlertQuery> { get }
    /// Governance meetings and reviews (append-only).
    var governanceRecords: any Repository<GovernanceRecord, GovernanceRecordQuery> { get }
    /// The append-only, hash-chained audit log.
    var audit: any AuditLog { get }
    /// Report counts computed where the records are kept (by default, read through the
    /// repositories and counted in memory: ``RepositoryReportQueries``).
    var reports: any ReportQueries { get }

    /// Runs `body` atomically: commits if it returns, rolls back if it throws.
    ///
    /// Calling it on the store passed to `body` joins the same transaction.
    func withTransaction<R: Sendable>(_ body: @Sendable (any OnlineSafetyStore) async throws -> R) async throws -> R

    /// Holds a lock named `key` until the current transaction ends, so that a read-check-write
    /// rule (no duplicate access grant, no duplicate category code) holds under concurrent
    /// transactions. A backend whose transactions already run one at a time may do nothing.
    /// Called outside a transaction it has no effect.
    func lock(_ key: String) async throws

    /// Takes the lock named `key` until the current transaction ends if no other transaction
    /// holds it, and says whether it did; never waits. A backend whose writers run one at a time
    /// (the flat file's store lock, which a second process waits on) may always answer `true`.
    func tryLock(_ key: String) async throws -> Bool
}

@_spi(StorageBackend)
extension OnlineSafetyStore {
    /// Takes the lock, waiting if need be: for backends whose transactions run one at a time.
    public func tryLock(_ key: String) async throws -> Bool {
        try await lock(key)
        return true
    }
}

/// Which organisations' records a query reaches. Every query of records that belong to a school
/// or a trust says which it wants; there is no default, and no `nil` that means "anywhere".
public enum QueryScope: Hashable, Sendable {
    /// The records of one school.
    case school(SchoolID)
    /// The records of a trust itself (not those of its schools).
    case trust(TrustID)
    /// A school's records and, when it has one, its trust's: what a session at the school reaches.
    case schoolAndItsTrust(SchoolID, TrustID?)
    /// The records of several schools.
    case schools(Set<SchoolID>)
    /// Every organisation's records: for storage tests, migrations and benchmarks, never a session.
    case everywhere

    /// The scope a session at `school` reaches: the school and its trust.
    public static func reach(of school: School) -> QueryScope { .schoolAndItsTrust(school.id, school.trustID) }

    /// The condition on a kind's `school_id` and `trust_id` columns, or `nil` for ``everywhere``.
    public var condition: Condition? {
        switch self {
        case .school(let id): .equals("school_id", .id(id))
        case .trust(let id): .equals("trust_id", .id(id))
        case .schoolAndItsTrust(let school, let trust): .ownedBy(school: school, orTrust: trust)
        case .schools(let ids): .oneOf("school_id", ids.map(\.uuid).sorted(by: UUIDText.precedes).map { .uuid($0) })
        case .everywhere: nil
        }
    }
}

/// Which trusts to return.
public struct TrustQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = Trust
    /// Only trusts whose name contains this text.
    public var nameContains: String?
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Creates a query; by default every trust.
    public init(nameContains: String? = nil, limit: Int? = nil, offset: Int = 0) {
        self.nameContains = nameContains
        self.limit = limit
        self.offset = offset
    }

    /// The conditions.
    public var conditions: [Condition] { nameContains.map { [.contains("name", $0)] } ?? [] }
}

/// Which schools to return.
public struct SchoolQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = School
    /// Only schools of this trust.
    public var trustID: TrustID?
    /// Only the school with this URN.
    public var urn: String?
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Creates a query; by default every school.
    public init(trustID: TrustID? = nil, urn: String? = nil, limit: Int? = nil, offset: Int = 0) {
        self.trustID = trustID
        self.urn = urn
        self.limit = limit
        self.offset = offset
    }

    /// The conditions.
    public var conditions: [Condition] {
        var result: [Condition] = []
        if let trustID { result.append(.equals("trust_id", .id(trustID))) }
        if let urn { result.append(.equals("urn", .text(urn))) }
        return result
    }
}

/// Which people to return.
public struct PersonQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = Person
    /// Whose people: a school's, a trust's, or both.
    public var scope: QueryScope
    /// Only people of these kinds.
    public var kinds: Set<PersonKind>?
    /// Only the learner with this UPN.
    public var upn: UPN?
    /// Only learners in this registration group.
    public var registrationGroup: String?
    /// Only learners in one of these registration groups.
    public var registrationGroups: Set<String>?
    /// Only the person with this email address (compared without case).
    public var email: String?
    /// Only people whose family name contains this text.
    public var familyNameContains: String?
    /// Leave out people who had left by this day.
    public var presentOn: CalendarDate?
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Creates a query over the people of `scope`; by default all of them.
    public init(
        scope: QueryScope, kinds: Set<PersonKind>? = nil, upn: UPN? = nil, registrationGroup: String? = nil,
        registrationGroups: Set<String>? = nil, email: String? = nil, familyNameContains: String? = nil,
        presentOn: CalendarDate? = nil, limit: Int? = nil, offset: Int = 0
    ) {
        self.scope = scope
        self.kinds = kinds
        self.upn = upn
        self.registrationGroup = registrationGroup
        self.registrationGroups = registrationGroups
        self.email = email
        self.familyNameContains = familyNameContains
        self.presentOn = presentOn
        self.limit = limit
        self.offset = offset
    }

    /// The conditions.
    public var conditions: [Condition] {
        var result: [Condition] = scope.condition.map { [$0] } ?? []
        if let kinds { result.append(.oneOf("kind", kinds.map(\.rawValue).sorted().map { .text($0) })) }
        if let upn { result.append(.equals("upn", .text(upn.value))) }
        if let registrationGroup { result.append(.equals("registration_group", .text(registrationGroup))) }
        if let registrationGroups { result.append(.oneOf("registration_group", registrationGroups.sorted().map { .text($0) })) }
        if let email { result.append(.equals("email", .text(email.lowercased()))) }
        if let familyNameContains { result.append(.contains("family_name", familyNameContains)) }
        if let presentOn { result.append(.or(.isNull("left_on"), .atLeast("left_on", .date(presentOn.adding(days: 1))))) }
        return result
    }
}

/// Which contact links to return.
public struct ContactQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = ContactLink
    /// Only links of this learner.
    public var learnerID: PersonID?
    /// Only links to this adult.
    public var adultID: PersonID?
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Creates a query.
    public init(learnerID: PersonID? = nil, adultID: PersonID? = nil, limit: Int? = nil, offset: Int = 0) {
        self.learnerID = learnerID
        self.adultID = adultID
        self.limit = limit
        self.offset = offset
    }

    /// The conditions.
    public var conditions: [Condition] {
        var result: [Condition] = []
        if let learnerID { result.append(.equals("learner_id", .id(learnerID))) }
        if let adultID { result.append(.equals("adult_id", .id(adultID))) }
        return result
    }
}

/// Which role grants to return.
public struct RoleGrantQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = RoleGrant
    /// Only grants held by this person.
    public var personID: PersonID?
    /// Only grants scoped to this school.
    public var schoolID: SchoolID?
    /// Only grants scoped to this trust.
    public var trustID: TrustID?
    /// Only grants of these roles.
    public var roles: Set<Role>?
    /// Only grants in force on this day.
    public var activeOn: CalendarDate?
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Creates a query.
    public init(
        personID: PersonID? = nil, schoolID: SchoolID? = nil, trustID: TrustID? = nil, roles: Set<Role>? = nil,
        activeOn: CalendarDate? = nil, limit: Int? = nil, offset: Int = 0
    ) {
        self.personID = personID
        self.schoolID = schoolID
        self.trustID = trustID
        self.roles = roles
        self.activeOn = activeOn
        self.limit = limit
        self.offset = offset
    }

    /// The conditions.
    public var conditions: [Condition] {
        var result: [Condition] = []
        if let personID { result.append(.equals("person_id", .id(personID))) }
        if let schoolID { result.append(.equals("school_id", .id(schoolID))) }
        if let trustID { result.append(.equals("trust_id", .id(trustID))) }
        if let roles { result.append(.oneOf("role", roles.map(\.rawValue).sorted().map { .text($0) })) }
        if let activeOn {
            result.append(.atMost("starts", .date(activeOn)))
            result.append(.or(.isNull("ends"), .atLeast("ends", .date(activeOn))))
        }
        return result
    }
}

// MARK: - Index columns

extension Trust {
    /// `trust`.
    public static var recordKind: String { "trust" }
    /// Queryable columns.
    public static var indexColumns: [IndexColumn] { [IndexColumn("name", .text)] }
    /// Index values.
    public var indexValues: [String: IndexValue] { ["name": .text(name)] }
    /// Sorted by name.
    public var sortKey: String { name }
}

extension School {
    /// `school`.
    public static var recordKind: String { "school" }
    /// Queryable columns.
    public static var indexColumns: [IndexColumn] {
        [IndexColumn("trust_id", .uuid), IndexColumn("urn", .text, unique: true), IndexColumn("name", .text)]
    }
    /// Index values.
    public var indexValues: [String: IndexValue] { ["trust_id": .id(trustID), "urn": .text(urn), "name": .text(name)] }
    /// Sorted by name.
    public var sortKey: String { name }
}

extension Person {
    /// `person`.
    public static var recordKind: String { "person" }
    /// Queryable columns.
    public static var indexColumns: [IndexColumn] {
        [
            IndexColumn("school_id", .uuid), IndexColumn("trust_id", .uuid), IndexColumn("kind", .text),
            IndexColumn("upn", .text, uniqueWithin: "school_id"), IndexColumn("registration_group", .text),
            IndexColumn("family_name", .text), IndexColumn("left_on", .date), IndexColumn("email", .text),
        ]
    }
    /// Index values (the email address in lower case).
    public var indexValues: [String: IndexValue] {
        [
            "school_id": .id(schoolID), "trust_id": .id(trustID), "kind": .text(kind.rawValue),
            "upn": .optionalText(learner?.upn.value), "email": .optionalText(email?.lowercased()),
            "registration_group": .optionalText(learner?.registrationGroup), "family_name": .text(familyName),
            "left_on": .optionalDate(leftOn),
        ]
    }
    /// Sorted by legal family name, then legal given name. A learner's preferred names do not
    /// move them: the order stays the same whether or not a source gives preferred names, and
    /// follows the `family_name` column a search reads.
    public var sortKey: String { "\(familyName.lowercased())\u{1F}\(givenName.lowercased())" }
}

extension ContactLink {
    /// `contact`.
    public static var recordKind: String { "contact" }
    /// Queryable columns.
    public static var indexColumns: [IndexColumn] { [IndexColumn("learner_id", .uuid), IndexColumn("adult_id", .uuid)] }
    /// Index values.
    public var indexValues: [String: IndexValue] { ["learner_id": .id(learnerID), "adult_id": .id(adultID)] }
    /// Sorted by priority: the priority in six digits, zero-padded (as `%06d` writes it).
    public var sortKey: String {
        guard priority >= 0 else { return String(format: "%06d", priority) }
        let digits = String(priority)
        return digits.count >= 6 ? digits : String(repeating: "0", count: 6 - digits.count) + digits
    }
}

extension RoleGrant {
    /// `roleGrant`.
    public static var recordKind: String { "roleGrant" }
    /// Queryable columns.
    public static var indexColumns: [IndexColumn] {
        [
            IndexColumn("person_id", .uuid), IndexColumn("school_id", .uuid), IndexColumn("trust_id", .uuid),
            IndexColumn("role", .text), IndexColumn("starts", .date), IndexColumn("ends", .date),
        ]
    }
    /// Index values.
    public var indexValues: [String: IndexValue] {
        [
            "person_id": .id(personID), "school_id": .id(schoolID), "trust_id": .id(trustID), "role": .text(role.rawValue),
            "starts": .date(starts), "ends": .optionalDate(ends),
        ]
    }
    /// Sorted by role, then start.
    public var sortKey: String { "\(role.rawValue)\u{1F}\(starts)" }
}
