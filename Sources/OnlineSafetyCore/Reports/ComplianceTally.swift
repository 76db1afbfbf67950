public import Foundation

/// What one school's agreement, access and consent figures are counted for: a school on a day
/// and the acceptable use policy in force for each audience there.
public struct ComplianceTallyRequest: Sendable, Hashable {
    /// The school.
    public var school: School
    /// The day.
    public var date: CalendarDate
    /// The policy in force for each audience at the school on the day (see
    /// ``AgreementRules/currentByAudience(among:on:)``).
    public var current: [AUPAudience: AUPDocument]
    /// Whether to return the grants without a current agreement themselves, not only their number.
    public var listExceptions: Bool
    /// Whether only the grants are wanted (in force, and without a current agreement): a backend
    /// may then leave the people, agreement and consent counts empty.
    public var grantsOnly: Bool
    /// Whether the grants are not wanted (the governors' report reads coverage alone): a backend
    /// may then leave the grants in force, the exceptions and their number empty.
    public var withoutGrants: Bool

    /// Creates a request.
    public init(
        school: School, date: CalendarDate, current: [AUPAudience: AUPDocument], listExceptions: Bool, grantsOnly: Bool = false,
        withoutGrants: Bool = false
    ) {
        self.school = school
        self.date = date
        self.current = current
        self.listExceptions = listExceptions
        self.grantsOnly = grantsOnly
        self.withoutGrants = withoutGrants
    }
}

/// The counts behind one school's agreement, access and consent figures on a day.
///
/// Backends count these where the records are kept (grouped counts in SQL, a scan of the index
/// values in memory) rather than handing every person, grant and consent state to the report.
/// ``init(_:on:current:listExceptions:)`` counts the same from records already in memory, and is
/// what every backend's answer must equal.
public struct ComplianceTally: Sendable, Hashable {
    /// People on roll at the school on the day, by audience.
    public var people: [AUPAudience: Int]
    /// Of those, the people who have accepted the policy in force for their audience (recorded at
    /// the school).
    public var accepted: [AUPAudience: Int]
    /// Access grants at the school in force on the day.
    public var activeGrants: Int
    /// Of those, the grants whose holder (on roll, left, or a member of the trust's own staff) has
    /// left, or has not accepted the policy in force for their audience, or whose audience has none.
    public var exceptionCount: Int
    /// Those grants, in the order of the register (sort key, then identifier), when asked for.
    public var exceptions: [AccessException]
    /// Learners on roll on the day.
    public var learners: Int
    /// Learners on roll by consent purpose code and the decision in force.
    public var consent: [String: [ConsentChoice: Int]]

    /// Creates a tally from counts.
    public init(
        people: [AUPAudience: Int], accepted: [AUPAudience: Int], activeGrants: Int, exceptionCount: Int, exceptions: [AccessException],
        learners: Int, consent: [String: [ConsentChoice: Int]]
    ) {
        self.people = people
        self.accepted = accepted
        self.activeGrants = activeGrants
        self.exceptionCount = exceptionCount
        self.exceptions = exceptions
        self.learners = learners
        self.consent = consent
    }

    /// Counts from records in memory: the reference every backend's tally equals.
    public init(_ inputs: ComplianceInputs, on date: CalendarDate, current: [AUPAudience: AUPDocument], listExceptions: Bool) {
        let inForce = Set(current.values.map(\.id))
        var accepted = Set<AcceptanceKey>()
        for acceptance in inputs.acceptances where inForce.contains(acceptance.documentID) {
            accepted.insert(AcceptanceKey(personID: acceptance.personID, documentID: acceptance.documentID))
        }
        func hasAccepted(_ person: Person, _ audience: AUPAudience) -> Bool {
            guard let document = current[audience] else { return false }
            return accepted.contains(AcceptanceKey(personID: person.id, documentID: document.id))
        }
        var people: [AUPAudience: Int] = [:]
        var acceptedCount: [AUPAudience: Int] = [:]
        var learners: [PersonID] = []
        for person in inputs.people {
            let audience = AUPAudience.of(person)
            people[audience, default: 0] += 1
            if hasAccepted(person, audience) { acceptedCount[audience, default: 0] += 1 }
            if person.kind == .learner { learners.append(person.id) }
        }

        // Only the holders of grants are looked up: none are gathered when there are no grants.
        let granted = Set(inputs.grants.map(\.personID))
        var holders: [PersonID: Person] = [:]
        if !granted.isEmpty {
            for person in inputs.otherHolders where granted.contains(person.id) { holders[person.id] = person }
            for person in inputs.people where granted.contains(person.id) { holders[person.id] = person }
        }
        var activeGrants = 0
        var exceptionCount = 0
        var exceptions: [AccessException] = []
        for grant in inputs.grants where grant.isActive(on: date) {
            activeGrants += 1
            guard let person = holders[grant.personID] else { continue }
            let audience = AUPAudience.of(person)
            let left = person.hasLeft(by: date)
            if !left, hasAccepted(person, audience) { continue }
            exceptionCount += 1
            guard listExceptions else { continue }
            let document = current[audience]
            exceptions.append(
                AccessException(
                    grant: grant, audience: audience, requiredDocumentID: document?.id, requiredVersion: document?.version,
                    holderHasLeft: left))
        }

        let states = Dictionary(inputs.consentStates.map { ($0.learnerID, $0) }, uniquingKeysWith: { first, _ in first })
        var consent: [String: [ConsentChoice: Int]] = [:]
        for learner in learners {
            for entry in states[learner]?.entries ?? [] { consent[entry.purposeCode, default: [:]][entry.choice, default: 0] += 1 }
        }
        self.init(
            people: people, accepted: acceptedCount, activeGrants: activeGrants, exceptionCount: exceptionCount, exceptions: exceptions,
            learners: learners.count, consent: consent)
    }
}

/// Report counts a backend computes where its records are kept.
///
/// Every backend gets ``RepositoryReportQueries``, which reads records through the repositories
/// and counts them in memory; the built-in backends answer natively, and the conformance suite
/// checks that each answer equals that one.
@_spi(StorageBackend)
public protocol ReportQueries: Sendable {
    /// One school's compliance counts on a day, read in the caller's transaction. Requires the
    /// request's policies to be those in force at the school; throws as the store's reads do.
    func complianceTally(_ request: ComplianceTallyRequest) async throws -> ComplianceTally

    /// Several schools' compliance counts at once, in the order of `requests`, read in the
    /// caller's transaction: each equals ``complianceTally(_:)`` of its request. A backend that
    /// can count every school in one grouped query answers here; the default asks school by
    /// school. Throws as the store's reads do.
    func complianceTallies(_ requests: [ComplianceTallyRequest]) async throws -> [ComplianceTally]

    /// The learners taking part in at least `minimum` of the incidents at the request's schools
    /// that occurred within its window, with in how many (a learner taking part twice in one
    /// incident counts twice), read in the caller's transaction. Throws as the store's reads do.
    func repeatedLearners(_ request: RepeatedLearnersRequest) async throws -> [PersonID: Int]

    /// ``repeatedLearners(_:)`` for each of the request's schools on its own, keyed by school (a
    /// school with no learner at the minimum is left out): a learner's incidents at one school
    /// are not counted with those at another. The default asks school by school; a backend that
    /// can count every school in one grouped query answers here. Read in the caller's
    /// transaction; throws as the store's reads do.
    func repeatedLearnersBySchool(_ request: RepeatedLearnersRequest) async throws -> [SchoolID: [PersonID: Int]]

    /// For each school of `query`, the first `limit` procedure statuses matching it at that school,
    /// each list as ``Repository/find(_:)`` of the query narrowed to the school and limited would
    /// give it (the query's own limit and offset are not used); a school with none is left out.
    /// `nil` from a backend that answers school by school, and the caller then asks so. Read in the
    /// caller's transaction; throws as the store's reads do.
    func firstProcedureStatuses(_ query: ProcedureStatusQuery, perSchool limit: Int) async throws -> [SchoolID: [ProcedureStatus]]?

    /// For each of the request's schools (each once), its incidents with a step overdue and with
    /// one due soon at the request's instant, counted as ``Repository/countGrouped(_:by:)`` of the
    /// request's queries counts them, and the first `listLimit` of each as
    /// ``firstProcedureStatuses(_:perSchool:)`` gives them. Requires the instant to be at or after
    /// every satisfaction recorded (the steps are weighed as they stand). `nil` from a backend with
    /// nothing kept between reads, and the caller then counts and lists them itself. Read in the
    /// caller's transaction; throws as the store's reads do.
    func pendingSteps(_ request: PendingStepsRequest) async throws -> [SchoolID: PendingSteps]?

    /// For each of the request's schools (each once), how many of its open incidents occurred
    /// within each of the request's windows, in their order, each as ``Repository/count(_:)`` of
    /// ``OpenIncidentsRequest/query(_:at:)`` for the school counts them. `nil` from a backend with
    /// no faster way than the repository's counts, and the caller then counts them itself. Read
    /// in the caller's transaction; throws as the store's reads do.
    func openIncidentCounts(_ request: OpenIncidentsRequest) async throws -> [SchoolID: [Int]]?

    /// The incidents at `schoolIDs` (restricted ones included) that occurred within each of
    /// `periods`, counted by school, category, restriction and risk area: one list per period, in
    /// order, each as ``Repository/countGrouped(_:by:)`` of an ``IncidentQuery`` for the period gives
    /// it. `nil` from a backend that counts period by period, and the caller then asks so. Read in
    /// the caller's transaction; throws as the store's reads do.
    func incidentCounts(at schoolIDs: [SchoolID], in periods: [ReportPeriod]) async throws -> [[GroupedCount]]?

    /// The role grants in force on `day` that are scoped to one of `schoolIDs`, each equal to the
    /// record the repository holds, school by school in the order of `schoolIDs` and each
    /// school's in the repository's order (sort key bytewise, then identifier), built from the
    /// store's columns rather than decoded one document at a time:
    /// what the training standings of the dashboard and the reports are worked out from. `nil`
    /// from a backend with no such projection, and the caller then reads the records. Read in the caller's transaction; throws as the
    /// store's reads do, and `corruptData` for a value the columns cannot hold.
    func roleGrantsInForce(at schoolIDs: [SchoolID], on day: CalendarDate) async throws -> [RoleGrant]?

    /// The training summaries kept at one of `schoolIDs`, or (when `schoolIDs` is `nil`) those of
    /// `personIDs` wherever they are kept, built as ``roleGrantsInForce(at:on:)`` builds grants:
    /// each equal to its record, those kept at schools school by school in the order of
    /// `schoolIDs`, and each school's (or the people's) in the repository's order, `nil` where the backend has no such
    /// projection. Read in the caller's transaction; throws as the store's reads do.
    func trainingSummaries(keptAt schoolIDs: [SchoolID]?, of personIDs: [PersonID]) async throws -> [TrainingSummary]?

    /// Which of `incidentIDs` are incidents still open, read in one query rather than one record
    /// at a time; identifiers of no incident are left out. The caller has already decided which
    /// incidents it may ask after. `nil` from a backend that reads each record as cheaply, and the
    /// caller then reads them. Read in the caller's transaction; throws as the store's reads do.
    func openIncidents(among incidentIDs: [IncidentID]) async throws -> Set<IncidentID>?
}

@_spi(StorageBackend)
extension ReportQueries {
    /// Asks ``repeatedLearners(_:)`` for each school in turn.
    public func repeatedLearnersBySchool(_ request: RepeatedLearnersRequest) async throws -> [SchoolID: [PersonID: Int]] {
        var result: [SchoolID: [PersonID: Int]] = [:]
        for schoolID in Set(request.schoolIDs).sorted() {
            var one = request
            one.schoolIDs = [schoolID]
            let counts = try await repeatedLearners(one)
            if !counts.isEmpty { result[schoolID] = counts }
        }
        return result
    }

    /// None: the caller counts period by period.
    public func incidentCounts(at schoolIDs: [SchoolID], in periods: [ReportPeriod]) async throws -> [[GroupedCount]]? { nil }

    /// None: the caller asks school by school.
    public func firstProcedureStatuses(_ query: ProcedureStatusQuery, perSchool limit: Int) async throws -> [SchoolID: [ProcedureStatus]]? {
        nil
    }

    /// None: the caller counts and lists the steps itself.
    public func pendingSteps(_ request: PendingStepsRequest) async throws -> [SchoolID: PendingSteps]? { nil }

    /// None: the caller counts the incidents itself.
    public func openIncidentCounts(_ request: OpenIncidentsRequest) async throws -> [SchoolID: [Int]]? { nil }

    /// No projection: the caller reads the records.
    public func roleGrantsInForce(at schoolIDs: [SchoolID], on day: CalendarDate) async throws -> [RoleGrant]? { nil }

    /// No projection: the caller reads the records.
    public func trainingSummaries(keptAt schoolIDs: [SchoolID]?, of personIDs: [PersonID]) async throws -> [TrainingSummary]? {
        nil
    }

    /// None: the caller reads the records.
    public func openIncidents(among incidentIDs: [IncidentID]) async throws -> Set<IncidentID>? { nil }

    /// Asks ``complianceTally(_:)`` for each request in turn.
    public func complianceTallies(_ requests: [ComplianceTallyRequest]) async throws -> [ComplianceTally] {
        var tallies: [ComplianceTally] = []
        for request in requests { tallies.append(try await complianceTally(request)) }
        return tallies
    }
}

/// Which incidents ``ReportQueries/repeatedLearners(_:)`` counts learners over.
public struct RepeatedLearnersRequest: Sendable, Hashable {
    /// The schools.
    public var schoolIDs: [SchoolID]
    /// Whether restricted incidents count.
    public var includeRestricted: Bool
    /// The window's first instant.
    public var occurredFrom: Date
    /// The window's last instant.
    public var occurredTo: Date
    /// The fewest incidents a learner must be in to be returned (at least 1).
    public var minimum: Int

    /// Creates a request.
    public init(schoolIDs: [SchoolID], includeRestricted: Bool, occurredFrom: Date, occurredTo: Date, minimum: Int) {
        self.schoolIDs = schoolIDs
        self.includeRestricted = includeRestricted
        self.occurredFrom = occurredFrom
        self.occurredTo = occurredTo
        self.minimum = minimum
    }

    /// The incidents counted over.
    public var query: IncidentQuery {
        IncidentQuery(schoolIDs: schoolIDs, includeRestricted: includeRestricted, occurredFrom: occurredFrom, occurredTo: occurredTo)
    }

    /// Counts the learners of incidents in memory: the reference every backend's answer equals.
    public func count(_ incidents: [Incident]) -> [PersonID: Int] {
        var involvement: [PersonID: Int] = [:]
        for incident in incidents {
            for participant in incident.participants where participant.isLearner { involvement[participant.personID, default: 0] += 1 }
        }
        return involvement.filter { $0.value >= minimum }
    }
}

/// Report counts from records read through a store's repositories and counted in memory.
@_spi(StorageBackend)
public struct RepositoryReportQueries: ReportQueries {
    /// The store (or transaction) read.
    public let store: any OnlineSafetyStore

    /// Reads through `store`.
    public init(store: any OnlineSafetyStore) { self.store = store }

    /// Reads the school's people, acceptances, grants and consent states, and counts them.
    public func complianceTally(_ request: ComplianceTallyRequest) async throws -> ComplianceTally {
        let inputs = try await ComplianceLoader.inputs(for: request.school, on: request.date, store)
        return ComplianceTally(inputs, on: request.date, current: request.current, listExceptions: request.listExceptions)
    }

    /// Reads the window's incidents and counts their learners.
    public func repeatedLearners(_ request: RepeatedLearnersRequest) async throws -> [PersonID: Int] {
        request.count(try await store.incidents.find(request.query))
    }
}

@_spi(StorageBackend)
extension OnlineSafetyStore {
    /// Report counts read through the repositories and counted in memory.
    public var reports: any ReportQueries { RepositoryReportQueries(store: self) }
}
