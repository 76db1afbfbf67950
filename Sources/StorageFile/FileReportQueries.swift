import Foundation
@_spi(StorageBackend) import OnlineSafetyCore

/// Report counts from a scan of the records the store holds in memory: the records a report
/// counts are selected through the indexes and counted where they are, without sorting or copying
/// them out of the store.
struct FileReportQueries: ReportQueries {
    let access: FileAccess

    func complianceTally(_ request: ComplianceTallyRequest) async throws -> ComplianceTally {
        try await access.engine.complianceTally(request, in: await access.readTransaction())
    }

    func complianceTallies(_ requests: [ComplianceTallyRequest]) async throws -> [ComplianceTally] {
        try await access.engine.complianceTallies(requests, in: await access.readTransaction())
    }

    func repeatedLearners(_ request: RepeatedLearnersRequest) async throws -> [PersonID: Int] {
        try await access.engine.repeatedLearners(request, in: await access.readTransaction())
    }

    func incidentCounts(at schoolIDs: [SchoolID], in periods: [ReportPeriod]) async throws -> [[GroupedCount]]? {
        try await access.engine.incidentCounts(at: schoolIDs, in: periods, in: await access.readTransaction())
    }

    func repeatedLearnersBySchool(_ request: RepeatedLearnersRequest) async throws -> [SchoolID: [PersonID: Int]] {
        try await access.engine.repeatedLearnersBySchool(request, in: await access.readTransaction())
    }
}

extension FileEngine {
    /// One school's compliance counts, in one turn of the engine.
    func complianceTally(_ request: ComplianceTallyRequest, in transaction: UInt64?) throws -> ComplianceTally {
        Self.tally(try complianceInputs(request, in: transaction), request)
    }

    /// What one school's compliance counts are worked out from, read from the tables.
    private func complianceInputs(_ request: ComplianceTallyRequest, in transaction: UInt64?) throws -> ComplianceInputs {
        let school = request.school
        let date = request.date
        func values<Query: AggregateQuery>(_ query: Query) throws -> [Query.Value] { try matching(query, transaction).map(\.value) }
        let people = try values(PersonQuery(scope: .school(school.id), presentOn: date))
        let documents = request.current.values.map(\.id)
        var acceptances = documents.isEmpty ? [] : try values(AUPAcceptanceQuery(schoolID: school.id, documentIDs: documents))
        let grants = try values(AccessGrantQuery(schoolID: school.id, activeOn: date))
        let onRoll = Set(people.map(\.id))
        var otherHolders: [Person] = []
        let reach = QueryScope.reach(of: school).condition
        for personID in Set(grants.map(\.personID)).subtracting(onRoll) {
            guard let person: Person = try get(personID, in: transaction), reach?.matches(person.indexValues) ?? true else { continue }
            otherHolders.append(person)
            if !documents.isEmpty { acceptances += try values(AUPAcceptanceQuery(personID: personID, documentIDs: documents)) }
        }
        let states = try values(ConsentStateQuery(schoolID: school.id))
        return ComplianceInputs(
            school: school, people: people, documents: Array(request.current.values), acceptances: acceptances, grants: grants,
            otherHolders: otherHolders, purposes: [], consentStates: states, roleGrants: [], trainingSummaries: [])
    }

    /// The counts of one school's inputs, the exceptions in the register's order.
    private static func tally(_ inputs: ComplianceInputs, _ request: ComplianceTallyRequest) -> ComplianceTally {
        var tally = ComplianceTally(inputs, on: request.date, current: request.current, listExceptions: request.listExceptions)
        // The register's order, as `find` returns grants: sort key, then identifier.
        tally.exceptions.sort { precedes($0.grant.sortKey, $0.grant.id.uuid, $1.grant.sortKey, $1.grant.id.uuid) }
        return tally
    }

    /// Several schools' compliance counts in one turn of the engine: each school's records read
    /// in turn, then the schools counted on every core at once.
    func complianceTallies(_ requests: [ComplianceTallyRequest], in transaction: UInt64?) throws -> [ComplianceTally] {
        let inputs = try requests.map { try complianceInputs($0, in: transaction) }
        return try Parallel.map(requests.count) { Self.tally(inputs[$0], requests[$0]) }
    }

    /// Each period's incidents counted by school, category, restriction and risk area, in one
    /// pass over the incidents from the earliest period's start to the latest one's end: each
    /// period's test is the one its own ``IncidentQuery`` makes. The incidents are split between
    /// the cores in parts of at least `partMinimum`.
    func incidentCounts(
        at schoolIDs: [SchoolID], in periods: [ReportPeriod], in transaction: UInt64?, partMinimum: Int = 20_000
    ) throws -> [[GroupedCount]] {
        guard let from = periods.map(\.start).min(), let to = periods.map(\.end).max() else { return [] }
        let names = Incident.indexColumns.map(\.name)
        let places = ["school_id", "category", "restricted", "risk_area"].map { names.firstIndex(of: $0) }
        let tests = periods.map { period in
            IncidentQuery(includeRestricted: true, occurredFrom: period.start, occurredTo: period.end).conditions.map {
                $0.compiled(columns: names)
            }
        }
        let query = IncidentQuery(schoolIDs: schoolIDs, includeRestricted: true, occurredFrom: from, occurredTo: to)
        let entries = try matching(query, transaction)
        // The incidents are counted in one part per core, and the parts' counts added up.
        let parts = Parallel.parts(of: entries.count, minimum: partMinimum)
        let size = (entries.count + parts - 1) / max(1, parts)
        let partial = try Parallel.map(parts) { part in
            var counts = [[[IndexValue]: Int]](repeating: [:], count: periods.count)
            for entry in entries[(part * size)..<min(entries.count, (part + 1) * size)] {
                var key: [IndexValue]?
                for index in periods.indices where tests[index].allSatisfy({ $0(entry.columns) }) {
                    if key == nil { key = places.map { $0.map { entry.columns[$0] } ?? .null } }
                    counts[index][key!, default: 0] += 1
                }
            }
            return counts
        }
        var counts = [[[IndexValue]: Int]](repeating: [:], count: periods.count)
        for part in partial {
            for index in periods.indices { counts[index].merge(part[index], uniquingKeysWith: +) }
        }
        return counts.map(GroupedCount.sorted)
    }

    /// ``repeatedLearners(_:in:)`` of each school, in one pass over the window's incidents.
    func repeatedLearnersBySchool(_ request: RepeatedLearnersRequest, in transaction: UInt64?) throws -> [SchoolID: [PersonID: Int]] {
        var involvement: [SchoolID: [PersonID: Int]] = [:]
        for entry in try matching(request.query, transaction) {
            for participant in entry.value.participants where participant.isLearner {
                involvement[entry.value.schoolIDValue, default: [:]][participant.personID, default: 0] += 1
            }
        }
        return involvement.compactMapValues { counts in
            let repeated = counts.filter { $0.value >= request.minimum }
            return repeated.isEmpty ? nil : repeated
        }
    }

    /// The learners of the window's incidents, counted without sorting or copying the incidents.
    func repeatedLearners(_ request: RepeatedLearnersRequest, in transaction: UInt64?) throws -> [PersonID: Int] {
        var involvement: [PersonID: Int] = [:]
        for entry in try matching(request.query, transaction) {
            for participant in entry.value.participants where participant.isLearner {
                involvement[participant.personID, default: 0] += 1
            }
        }
        return involvement.filter { $0.value >= request.minimum }
    }
}
