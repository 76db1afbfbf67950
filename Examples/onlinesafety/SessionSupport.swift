import ArgumentParser
import Foundation
import OnlineSafetyCore

/// Parses `YYYY-MM-DD` for an option, or fails validation naming the option.
func parseDate(_ text: String?, option: String) throws -> CalendarDate? {
    guard let text else { return nil }
    guard let date = CalendarDate(iso: text) else { throw ValidationError("\(option) takes a date as YYYY-MM-DD.") }
    return date
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
///
/// Every subcommand that acts as a person goes through this one function, so the codes are the
/// same everywhere.
@discardableResult
func withSession<R>(
    _ storeOptions: StoreOptions, _ acting: ActingOptions, _ body: (SafetySession) async throws -> R
) async throws -> R {
    do {
        return try await withStore(storeOptions) { store in
            let safety = OnlineSafety(backend: store, clock: .system, logger: storeOptions.logger)
            return try await body(try await acting.session(safety))
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

/// Several people, each by UUID, UPN or email address, through the session.
func resolvePeople(_ references: [String], in session: SafetySession) async throws -> [PersonID] {
    var ids: [PersonID] = []
    for reference in references { ids.append(try await resolvePerson(reference, in: session)) }
    return ids
}
