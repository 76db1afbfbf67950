import ArgumentParser
import Foundation
import OnlineSafetyCore

/// Parses `YYYY-MM-DD` for an option, or fails validation naming the option.
func parseDate(_ text: String?, option: String) throws -> CalendarDate? {
    guard let text else { return nil }
    guard let date = CalendarDate(iso: text) else { throw ValidationError("\(option) takes a date as YYYY-MM-DD.") }
    return date
}

/// The exit codes every subcommand uses (from `sysexits.h`), as the README documents them.
enum Exit {
    /// The command line is wrong: an unknown option or value, a missing one, or an `--output`
    /// inside a store. ArgumentParser exits with it for usage errors.
    static let usage: Int32 = 64
    /// A rule refused the input, or the input or the stored data is malformed or damaged
    /// (`store verify` found damage).
    static let dataError: Int32 = 65
    /// A record, a person or the store itself was not found.
    static let notFound: Int32 = 66
    /// The store cannot be used now: locked by another process after `--wait`, or the
    /// PostgreSQL server cannot be reached or refused the connection.
    static let unavailable: Int32 = 69
    /// Something unexpected went wrong (a bug).
    static let software: Int32 = 70
    /// A file the command was asked to write (`--output`, `store export --to`) cannot be written.
    static let cannotCreate: Int32 = 73
    /// The acting person may not do this.
    static let forbidden: Int32 = 77

    /// The code for a refusal of the SDK.
    static func code(for error: SafetyError) -> Int32 {
        switch error.code {
        case .forbidden: forbidden
        case .notFound: notFound
        case .unavailable: unavailable
        default: dataError
        }
    }
}

/// A file the command was asked to write could not be written (exit 73).
struct CannotWrite: Error, CustomStringConvertible {
    /// The path.
    let path: String
    /// The system's reason.
    let reason: String

    var description: String { "cannot write \(path): \(reason)" }
}

/// Runs a command's body and turns what it throws into a message on standard error and one of
/// the documented exit codes (``Exit``): the SDK's refusals by their code, usage errors as
/// ArgumentParser reports them (64), an unwritable output file 73, anything else 70.
///
/// Every subcommand runs through this function (through ``withSession(_:_:_:)`` or directly), so
/// the codes are the same everywhere.
@discardableResult
func reportingErrors<R>(_ body: () async throws -> R) async throws -> R {
    do {
        return try await body()
    } catch let error as SafetyError {
        complain("\(error)")
        throw ExitCode(Exit.code(for: error))
    } catch let error as CannotWrite {
        complain(error.description)
        throw ExitCode(Exit.cannotCreate)
    } catch let error as ExitCode {
        throw error
    } catch let error where error is ValidationError || error is CleanExit {
        throw error
    } catch {
        complain("unexpected failure: \(type(of: error))")
        throw ExitCode(Exit.software)
    }
}

/// Runs a command's body with a session for the acting person on the chosen store (which must
/// exist), with the error handling of ``reportingErrors(_:)``.
@discardableResult
func withSession<R: Sendable>(
    _ storeOptions: StoreOptions, _ acting: ActingOptions, _ body: (SafetySession) async throws -> R
) async throws -> R {
    try await withSession(storeOptions, acting) { _, session in try await body(session) }
}

/// ``withSession(_:_:_:)`` that also hands over the library, for a command that opens the acting
/// person's sessions at the trust's other schools.
func withSession<R: Sendable>(
    _ storeOptions: StoreOptions, _ acting: ActingOptions, _ body: (OnlineSafety, SafetySession) async throws -> R
) async throws -> R {
    try await reportingErrors {
        try await withStore(storeOptions) { store in
            let safety = OnlineSafety(backend: store, clock: .system, logger: storeOptions.logger)
            return try await body(safety, try await acting.session(safety))
        }
    }
}

/// People's names by identifier, as they are known (``Person/displayName``), read through the
/// session (each read is audited); the identifier stands in for anyone the acting person may
/// not read.
func names(of ids: [PersonID], in session: SafetySession) async -> [PersonID: String] {
    var names: [PersonID: String] = [:]
    for id in Set(ids) {
        if let person = try? await session.people.get(id) { names[id] = person.displayName }
    }
    return names
}

/// A person as a list shows them: their name and identifier, or the identifier alone.
func label(_ id: PersonID, _ names: [PersonID: String]) -> String {
    names[id].map { "\($0) [\(id)]" } ?? id.uuidString
}
