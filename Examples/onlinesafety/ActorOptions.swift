import ArgumentParser
import Foundation
import OnlineSafetyCore

/// Who is acting, and at which school: every compliance command works through a session.
struct ActorOptions: ParsableArguments {
    @Option(name: .customLong("as"), help: "The acting person's UUID (default: the school's or trust's data manager).")
    var actor: String?

    @Option(help: "The school's UUID or URN (default: the only school in the store).")
    var school: String?

    func validate() throws {
        if let actor, UUID(uuidString: actor) == nil { throw ValidationError("--as takes a person's UUID.") }
    }

    /// Opens a session for the acting person at the school, looking either up when not given.
    func session(_ safety: OnlineSafety) async throws -> SafetySession {
        let school = try await resolveSchool(safety.store)
        let actor = try await resolveActor(safety.store, school: school)
        return try await safety.session(actingAs: actor, at: school.id)
    }

    private func resolveSchool(_ store: any OnlineSafetyStore) async throws -> School {
        if let school {
            if let id = SchoolID(uuidString: school), let found = try await store.schools.get(id) { return found }
            if let found = try await store.schools.find(SchoolQuery(urn: school)).first { return found }
            throw ValidationError("No school with UUID or URN \(school) in the store.")
        }
        let schools = try await store.schools.find(SchoolQuery(limit: 2))
        guard schools.count == 1 else {
            throw ValidationError(
                schools.isEmpty ? "The store holds no school: run `onlinesafety demo` first." : "Name the school with --school.")
        }
        return schools[0]
    }

    private func resolveActor(_ store: any OnlineSafetyStore, school: School) async throws -> PersonID {
        if let actor, let id = PersonID(uuidString: actor) { return id }
        var grants = try await store.roleGrants.find(RoleGrantQuery(schoolID: school.id, roles: [.dataManager]))
        if let trustID = school.trustID {
            grants += try await store.roleGrants.find(RoleGrantQuery(trustID: trustID, roles: [.dataManager]))
        }
        guard let grant = grants.first else { throw ValidationError("The school has no data manager: give --as PERSON-UUID.") }
        return grant.personID
    }
}

/// Parses `YYYY-MM-DD` for an option, or fails validation naming the option.
func parseDate(_ text: String?, option: String) throws -> CalendarDate? {
    guard let text else { return nil }
    guard let date = CalendarDate(iso: text) else { throw ValidationError("\(option) takes a date as YYYY-MM-DD.") }
    return date
}

/// Parses a person's UUID for an option.
func parsePerson(_ text: String, option: String) throws -> PersonID {
    guard let id = PersonID(uuidString: text) else { throw ValidationError("\(option) takes a person's UUID.") }
    return id
}

/// Parses one of an enumeration's raw values for an option, listing the choices when it is not one.
func parseChoice<T: RawRepresentable & CaseIterable>(_ text: String, option: String) throws -> T where T.RawValue == String {
    guard let value = T(rawValue: text) else {
        throw ValidationError("\(option) is one of: \(T.allCases.map(\.rawValue).joined(separator: ", ")).")
    }
    return value
}

/// Runs a command's body with a session, and turns the SDK's refusals into a message and an exit
/// code that says what went wrong: 77 refused (not permitted), 65 refused by a rule or bad input,
/// 66 not found, 69 the store is unavailable.
func withSession(
    _ storeOptions: StoreOptions, _ actor: ActorOptions, _ body: (SafetySession) async throws -> Void
) async throws {
    do {
        try await withStore(storeOptions) { store in
            let safety = OnlineSafety(store: store, clock: .system, logger: storeOptions.logger)
            try await body(try await actor.session(safety))
        }
    } catch let error as SafetyError {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        switch error.code {
        case .forbidden: throw ExitCode(77)
        case .notFound: throw ExitCode(66)
        case .unavailable: throw ExitCode(69)
        default: throw ExitCode(65)
        }
    }
}

/// People's names by identifier, read through the session (each read is audited); the
/// identifier stands in for anyone the acting person may not read.
func names(of ids: [PersonID], in session: SafetySession) async -> [PersonID: String] {
    var names: [PersonID: String] = [:]
    for id in Set(ids) {
        if let person = try? await session.people.get(id) { names[id] = person.fullName }
    }
    return names
}

/// A person as a list shows them: their name and identifier, or the identifier alone.
func label(_ id: PersonID, _ names: [PersonID: String]) -> String {
    names[id].map { "\($0) [\(id)]" } ?? id.uuidString
}
