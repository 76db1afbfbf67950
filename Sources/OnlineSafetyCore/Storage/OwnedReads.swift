/// Reads of records that belong to a school or to its trust, for several schools at once.
package enum OwnedReads {
    /// For each school, in order, the school's own records matching `conditions`, in the
    /// repository's order: what a query for each school alone would find, read in one query.
    package static func atSchools<Value: Aggregate, Query>(
        _ repository: any Repository<Value, Query>, _ schoolIDs: [SchoolID], _ conditions: [Condition] = []
    ) async throws -> [[Value]] {
        guard !schoolIDs.isEmpty else { return [] }
        let all = try await repository.find(matching: [.oneOf("school_id", schoolIDs.map { .id($0) })] + conditions, limit: nil)
        var bySchool: [SchoolID: [Value]] = [:]
        for value in all { if let id = value.schoolID { bySchool[id, default: []].append(value) } }
        return schoolIDs.map { bySchool[$0] ?? [] }
    }

    /// For each school, in order, the records matching `conditions` that belong to the school or
    /// to its trust, in the repository's order: what ``Condition/ownedBy(school:orTrust:)`` of each
    /// school would find, read in one query for all of them.
    package static func bySchool<Value: Aggregate, Query>(
        _ repository: any Repository<Value, Query>, _ schools: [School], _ conditions: [Condition] = []
    ) async throws -> [[Value]] {
        let schoolIDs = schools.map { IndexValue.id($0.id) }
        let trustIDs = Set(schools.compactMap(\.trustID)).sorted().map { IndexValue.id($0) }
        guard !schoolIDs.isEmpty else { return [] }
        let owner: Condition =
            trustIDs.isEmpty ? .oneOf("school_id", schoolIDs) : .or(.oneOf("school_id", schoolIDs), .oneOf("trust_id", trustIDs))
        let all = try await repository.find(matching: [owner] + conditions, limit: nil).map { ($0, $0.indexValues["trust_id"] ?? .null) }
        return schools.map { school in
            let trust = IndexValue.id(school.trustID)
            return all.filter { value, owner in value.schoolID == school.id || (school.trustID != nil && owner == trust) }.map(\.0)
        }
    }
}
