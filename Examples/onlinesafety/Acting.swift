import ArgumentParser
import Foundation
import OnlineSafetyCore

/// Who is acting and where: the options every command that opens a session takes.
struct ActingOptions: ParsableArguments {
    @Option(name: .customLong("as"), help: "The acting person: a UUID or an email address.")
    var actor: String

    @Option(help: "The school: a UUID or a URN.")
    var school: String

    /// Opens a session for the acting person at the school. The SDK looks both up in one
    /// audited step and gives one answer for "unknown" and "not yours".
    func session(_ safety: OnlineSafety) async throws -> SafetySession {
        try await safety.session(as: OnlineSafety.ActorReference(actor), at: OnlineSafety.SchoolReference(school))
    }
}

/// Another person, by UUID, or by UPN or email address through the session (audited).
///
/// Throws `notFound` when no one within reach matches, and `invalidInput` (location `upn`) when
/// the reference looks like a UPN whose check letter is wrong, each with a message that says so
/// without repeating the reference (it can be a child's UPN).
func resolvePerson(_ reference: String, in session: SafetySession) async throws -> PersonID {
    if let id = PersonID(uuidString: reference) { return id }
    do {
        return try await session.people.identify(reference)
    } catch let error as SafetyError where error.code == .notFound {
        throw SafetyError(.notFound, noOneMatches)
    } catch let error as SafetyError where error.code == .invalidInput && error.location == "upn" {
        throw SafetyError(
            .invalidInput, "the reference looks like a UPN, but its check letter does not match the rest: check it for a typing mistake",
            location: "upn")
    }
}

/// What a person reference that names no one within reach is answered with: the same words
/// whether no one has it or the acting person may not read whoever has it.
let noOneMatches = "no one at this school matches that reference (give a UUID, a learner's UPN or an email address)"

/// Parses `2026-11-23T09:30` or `2026-11-23` (UK time), or `now`.
func parseInstant(_ text: String, option: String) throws -> Date {
    if text == "now" { return Date() }
    if let date = CalendarDate(iso: text) { return date.startOfDay }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_GB_POSIX")
    formatter.timeZone = TimeZone(identifier: "Europe/London")
    for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm"] {
        formatter.dateFormat = format
        if let date = formatter.date(from: text) { return date }
    }
    throw ValidationError("\(option) takes a time as 2026-11-23T09:30 (UK time), a date as 2026-11-23, or 'now'.")
}

/// Prints a time in UK local time.
func show(_ date: Date?) -> String {
    guard let date else { return "no deadline" }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_GB_POSIX")
    formatter.timeZone = TimeZone(identifier: "Europe/London")
    formatter.dateFormat = "EEE d MMM yyyy HH:mm"
    return formatter.string(from: date)
}
