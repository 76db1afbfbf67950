/// Reads of records that belong to a school or to its trust, for several schools at once.
package enum OwnedReads {
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
