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

    func openIncidentCounts(_ request: OpenIncidentsRequest) async throws -> [SchoolID: [Int]]? {
        try await access.engine.openIncidentCounts(request, in: await access.readTransaction())
    }
}

extension FileEngine {
    /// One school's compliance counts, in one turn of the engine.
    func complianceTally(_ request: ComplianceTallyRequest, in transaction: UInt64?) throws -> ComplianceTally {
        try complianceRecords(request, in: transaction).tally()
    }

    /// Several schools' compliance counts in one turn of the engine: each school's records
    /// selected in turn, then the schools counted on every core at once.
    func complianceTallies(_ requests: [ComplianceTallyRequest], in transaction: UInt64?) throws -> [ComplianceTally] {
        let records = try requests.map { try complianceRecords($0, in: transaction) }
        return try Parallel.map(records.count) { records[$0].tally() }
    }

    /// The records one school's compliance counts are worked out from, as the tables hold them.
    struct ComplianceRecords: Sendable {
        let request: ComplianceTallyRequest
        let people: [Table<Person>.Entry]
        let acceptances: [Table<AUPAcceptance>.Entry]
        let grants: [Table<AccessGrant>.Entry]
        let otherHolders: [Person]
        let states: [Table<ConsentState>.Entry]

        /// The counts, the exceptions in the register's order (sort key, then identifier, as
        /// `find` returns grants).
        func tally() -> ComplianceTally {
            let inputs = ComplianceInputs(
                school: request.school, people: people.map(\.value), documents: Array(request.current.values),
                acceptances: acceptances.map(\.value), grants: grants.map(\.value), otherHolders: otherHolders, purposes: [],
                consentStates: states.map(\.value), roleGrants: [], trainingSummaries: [])
            var tally = ComplianceTally(inputs, on: request.date, current: request.current, listExceptions: request.listExceptions)
            tally.exceptions.sort { FileEngine.precedes($0.grant.sortKey, $0.grant.id.uuid, $1.grant.sortKey, $1.grant.id.uuid) }
            return tally
        }
    }

    /// The records one school's counts need: no grants when the request is without them, and no
    /// consent states when it wants the grants alone.
    private func complianceRecords(_ request: ComplianceTallyRequest, in transaction: UInt64?) throws -> ComplianceRecords {
        let school = request.school
        let date = request.date
        let people = try matching(PersonQuery(scope: .school(school.id), presentOn: date), transaction)
        let documents = request.current.values.map(\.id)
        var acceptances =
            documents.isEmpty ? [] : try matching(AUPAcceptanceQuery(schoolID: school.id, documentIDs: documents), transaction)
        let grants = request.withoutGrants ? [] : try matching(AccessGrantQuery(schoolID: school.id, activeOn: date), transaction)
        let onRoll = Set(people.map(\.value.id))
        var otherHolders: [Person] = []
        let reach = QueryScope.reach(of: school).condition
        for personID in Set(grants.map(\.value.personID)).subtracting(onRoll) {
            guard let person: Person = try get(personID, in: transaction), reach?.matches(person.indexValues) ?? true else { continue }
            otherHolders.append(person)
            if !documents.isEmpty {
                acceptances += try matching(AUPAcceptanceQuery(personID: personID, documentIDs: documents), transaction)
            }
        }
        let states = request.grantsOnly ? [] : try matching(ConsentStateQuery(schoolID: school.id), transaction)
        return ComplianceRecords(
            request: request, people: people, acceptances: acceptances, grants: grants, otherHolders: otherHolders, states: states)
    }

    /// Each period's incidents counted by school, category, restriction and risk area, in one
    /// pass over the incidents from the earliest period's start to the latest one's end. Each
    /// record's instant, school, category, restriction and risk area are read from its index
    /// values where they lie, and each period's bounds tested as its own ``IncidentQuery`` tests
    /// them (from its start to its end, both included). Where the transaction has written no
    /// incident, every committed incident is walked in place; otherwise the query's records are
    /// selected as `find` selects them. The incidents are split between the cores in parts of at
    /// least `partMinimum`.
    func incidentCounts(
        at schoolIDs: [SchoolID], in periods: [ReportPeriod], in transaction: UInt64?, partMinimum: Int = 20_000
    ) throws -> [[GroupedCount]] {
        guard let from = periods.map(\.start).min(), let to = periods.map(\.end).max() else { return [] }
        let names = Incident.indexColumns.map(\.name)
        guard let schoolPlace = names.firstIndex(of: "school_id"), let atPlace = names.firstIndex(of: "occurred_at"),
            let categoryPlace = names.firstIndex(of: "category"), let restrictedPlace = names.firstIndex(of: "restricted"),
            let areaPlace = names.firstIndex(of: "risk_area")
        else {
            throw SafetyError(.constraintViolation, "incidents are not indexed by school, instant, category, restriction and risk area")
        }
        let entries: [Table<Incident>.Entry]
        if let table = try unshadowedTable(Incident.self, transaction) {
            entries = Array(table.all)
        } else {
            entries = try matching(
                IncidentQuery(schoolIDs: schoolIDs, includeRestricted: true, occurredFrom: from, occurredTo: to), transaction)
        }
        let schools = schoolIDs.map(\.uuid)
        let bounds = periods.map { (from: $0.start, to: $0.end) }
        // A record's key: its school's place in `schools` and three of its index values.
        struct Key: Hashable {
            let school: Int
            let category: IndexValue
            let restricted: IndexValue
            let area: IndexValue
        }
        let parts = Parallel.parts(of: entries.count, minimum: partMinimum)
        let size = (entries.count + parts - 1) / max(1, parts)
        let partial = try Parallel.map(parts) { part in
            var counts = [[Key: Int]](repeating: [:], count: bounds.count)
            for entry in entries[min(entries.count, part * size)..<min(entries.count, (part + 1) * size)] {
                let columns = entry.columns
                guard case .timestamp(let at) = columns[atPlace], at >= from, at <= to,
                    case .uuid(let school) = columns[schoolPlace], let slot = schools.firstIndex(of: school)
                else { continue }
                var key: Key?
                for (index, bound) in bounds.enumerated() where at >= bound.from && at <= bound.to {
                    if key == nil {
                        key = Key(
                            school: slot, category: columns[categoryPlace], restricted: columns[restrictedPlace], area: columns[areaPlace])
                    }
                    counts[index][key!, default: 0] += 1
                }
            }
            return counts
        }
        var counts = [[Key: Int]](repeating: [:], count: bounds.count)
        for part in partial {
            for index in bounds.indices { counts[index].merge(part[index], uniquingKeysWith: +) }
        }
        return counts.map { period in
            var keyed: [[IndexValue]: Int] = [:]
            for (key, count) in period {
                keyed[[.uuid(schools[key.school]), key.category, key.restricted, key.area], default: 0] += count
            }
            return GroupedCount.sorted(keyed)
        }
    }

    /// The open incidents of each of the request's schools in each of its windows, in one pass
    /// over the committed incidents: each record's school, openness, restriction and instant read
    /// from its index values where they lie, and tested as ``OpenIncidentsRequest/query(_:at:)``
    /// tests them. `nil` when the transaction has written or purged an incident (the caller then
    /// counts through the repository, which sees them).
    func openIncidentCounts(_ request: OpenIncidentsRequest, in transaction: UInt64?) throws -> [SchoolID: [Int]]? {
        guard let table = try unshadowedTable(Incident.self, transaction) else { return nil }
        let names = Incident.indexColumns.map(\.name)
        guard let schoolPlace = names.firstIndex(of: "school_id"), let atPlace = names.firstIndex(of: "occurred_at"),
            let openPlace = names.firstIndex(of: "open"), let restrictedPlace = names.firstIndex(of: "restricted")
        else { return nil }
        var schools: [UUID] = []
        for id in request.schoolIDs where !schools.contains(id.uuid) { schools.append(id.uuid) }
        let windows = request.windows
        var counts = [[Int]](repeating: [Int](repeating: 0, count: windows.count), count: schools.count)
        for entry in table.all {
            let columns = entry.columns
            guard case .boolean(true) = columns[openPlace], case .uuid(let school) = columns[schoolPlace],
                let slot = schools.firstIndex(of: school), case .timestamp(let at) = columns[atPlace]
            else { continue }
            if !request.includeRestricted, columns[restrictedPlace] != .boolean(false) { continue }
            for (index, window) in windows.enumerated() where at <= window.to && window.from.map({ at >= $0 }) ?? true {
                counts[slot][index] += 1
            }
        }
        var result: [SchoolID: [Int]] = [:]
        for (slot, school) in schools.enumerated() { result[SchoolID(school)] = counts[slot] }
        return result
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
