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
///
/// A member of staff may look up anyone at the school by UPN or email address (a concern may name
/// any child), so this answers "no one matches" only for a reference no one has. Use it where the
/// call that follows lets the acting person name anyone they find; where the call decides whom
/// they may see or act on, use ``withPeople(_:in:_:)``, which answers both alike.
func resolvePerson(_ reference: String, in session: SafetySession) async throws -> PersonID {
    guard let id = try await identifiedPerson(reference, in: session) else { throw SafetyError(.notFound, noOneMatches) }
    return id
}

/// The person a UUID names, or whom a UPN or email address names within the session's reach
/// (looked up through the session, audited); `nil` when no one there has the UPN or address.
/// Throws `invalidInput` (location `upn`) for a UPN whose check letter is wrong, and `forbidden`
/// for someone who may look no one up.
func identifiedPerson(_ reference: String, in session: SafetySession) async throws -> PersonID? {
    if let id = PersonID(uuidString: reference) { return id }
    do {
        return try await session.people.identify(reference)
    } catch let error as SafetyError where error.code == .notFound {
        return nil
    } catch let error as SafetyError where error.code == .invalidInput && error.location == "upn" {
        throw SafetyError(
            .invalidInput, "the reference looks like a UPN, but its check letter does not match the rest: check it for a typing mistake",
            location: "upn")
    }
}

/// People named by UUID, UPN or email address, each as ``identifiedPerson(_:in:)`` finds them, or
/// a new identifier that names no one where no one within reach has the reference; and whether
/// any reference named no one.
func identifiedPeople(_ references: [String], in session: SafetySession) async throws -> (ids: [PersonID], namesNoOne: Bool) {
    var ids: [PersonID] = []
    var namesNoOne = false
    for reference in references {
        if let id = try await identifiedPerson(reference, in: session) {
            ids.append(id)
        } else {
            ids.append(PersonID())
            namesNoOne = true
        }
    }
    return (ids, namesNoOne)
}

/// Makes a call about people named by UUID, UPN or email address, answering a reference no one
/// has exactly as the call answers a person the acting person may not see.
///
/// Any member of staff may look a person up by UPN or email address, so a reference that names
/// someone the acting person may not read or act on is found, while one no one has is not. Were
/// the second answered "no one matches" and the first with the call's refusal (`forbidden` for a
/// capability the acting person lacks), the answer would tell them who exists. So a reference
/// that names no one is handed to the call as a new identifier that names no one, and the call
/// answers as it does for any person who does not exist, as it would for a UUID no one has:
/// `forbidden` without its capability, `notFound` with it, and with the same words. A call that
/// answers for no one without refusing (an audit trail with no events) is answered `notFound`,
/// as a reference no one has.
///
/// Every call made through this function refuses an identifier that names no one before it
/// writes anything but the audit of its refusal: the services read the person first, or (for
/// whoever accepts or decides for a learner) look for them among the learner's contacts.
func withPeople<R>(
    _ references: [String], in session: SafetySession, _ call: ([PersonID]) async throws -> R
) async throws -> R {
    let (ids, namesNoOne) = try await identifiedPeople(references, in: session)
    let result = try await call(ids)
    guard !namesNoOne else { throw SafetyError(.notFound, noOneMatches) }
    return result
}

/// ``withPeople(_:in:_:)`` for one person.
func withPerson<R>(_ reference: String, in session: SafetySession, _ call: (PersonID) async throws -> R) async throws -> R {
    try await withPeople([reference], in: session) { ids in try await call(ids[0]) }
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
