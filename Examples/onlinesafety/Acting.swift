import ArgumentParser
import Foundation
import OnlineSafetyCore

/// Who is acting and where: the options every command that opens a session takes.
struct ActingOptions: ParsableArguments {
    @Option(name: .customLong("as"), help: "The acting person: a UUID or an email address.")
    var actor: String

    @Option(help: "The school: a UUID or a URN.")
    var school: String

    /// Opens a session for the acting person at the school.
    func session(_ safety: OnlineSafety) async throws -> SafetySession {
        let schoolID = try await resolveSchool(school, in: safety.store)
        let personID = try await actingPerson(actor, in: safety.store, schoolID: schoolID)
        return try await safety.session(actingAs: personID, at: schoolID)
    }
}

/// Finds a school by UUID or URN.
func resolveSchool(_ reference: String, in store: any OnlineSafetyStore) async throws -> SchoolID {
    if let id = SchoolID(uuidString: reference) { return id }
    guard let school = try await store.schools.find(SchoolQuery(urn: reference)).first else {
        throw ValidationError("No school has the URN or identifier given to --school.")
    }
    return school.id
}

/// The person a command acts as, by UUID or by their own email address (who you are is not a
/// look-up of anyone else's record, so it happens before a session exists).
func actingPerson(_ reference: String, in store: any OnlineSafetyStore, schoolID: SchoolID) async throws -> PersonID {
    if let id = PersonID(uuidString: reference) { return id }
    let candidates =
        try await store.people.find(PersonQuery(schoolID: schoolID, kinds: [.staff, .governor, .volunteer]))
        + store.people.find(PersonQuery(schoolID: nil))
    if let person = candidates.first(where: { $0.email?.lowercased() == reference.lowercased() }) { return person.id }
    throw ValidationError("--as takes your identifier (a UUID) or your email address; no member of staff has that address.")
}

/// Another person, by UUID, or by UPN or email address through the session (audited).
func resolvePerson(_ reference: String, in session: SafetySession) async throws -> PersonID {
    if let id = PersonID(uuidString: reference) { return id }
    do {
        return try await session.people.identify(reference)
    } catch let error as SafetyError where error.code == .notFound {
        throw ValidationError("No one at this school matches that reference (give a UUID, a learner's UPN or an email address).")
    }
}

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
