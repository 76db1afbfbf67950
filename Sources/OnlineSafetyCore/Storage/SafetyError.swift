/// The one error type the SDK throws.
///
/// An error carries an opaque ``Code`` that callers switch on, a short reason, and optionally the
/// underlying error. Its ``description`` never contains record content: reasons are written by
/// the SDK from fixed phrases and identifiers, so children's data cannot leak into logs.
///
/// ```swift
/// do {
///     _ = try await session.people.get(learnerID)
/// } catch let error as SafetyError where error.code == .forbidden {
///     print(error.reason)  // "a member of staff can read only the learners they teach"
/// }
/// ```
public struct SafetyError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The record does not exist (or the caller may not learn that it exists).
        public static let notFound = Code("notFound")
        /// A write was based on a stale revision, or the record already exists.
        public static let conflict = Code("conflict")
        /// A rule of the domain or the schema refused the write.
        public static let constraintViolation = Code("constraintViolation")
        /// The store cannot be reached or is locked by another process.
        public static let unavailable = Code("unavailable")
        /// Stored data is damaged or unreadable.
        public static let corruptData = Code("corruptData")
        /// A schema migration failed; nothing of it was applied.
        public static let migrationFailed = Code("migrationFailed")
        /// The acting person lacks the capability for this operation.
        public static let forbidden = Code("forbidden")
        /// The input is malformed or fails validation.
        public static let invalidInput = Code("invalidInput")

        /// The code's name, for example `forbidden`.
        public var description: String { name }
    }

    /// What kind of failure this is.
    public let code: Code
    /// Why it failed, in words safe to log (no record content).
    public let reason: String
    /// Where the bad input was, for `invalidInput` (for example a field name or `file:line:column`).
    public let location: String?
    /// The error this one wraps, if any. Not included in ``description``.
    public let underlying: (any Error)?

    /// Creates an error.
    public init(_ code: Code, _ reason: String, location: String? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.reason = reason
        self.location = location
        self.underlying = underlying
    }

    /// `code: reason`, with the location when there is one.
    public var description: String {
        if let location { return "\(code) at \(location): \(reason)" }
        return "\(code): \(reason)"
    }

    /// A `notFound` error for a kind of record.
    public static func notFound(_ kind: String) -> SafetyError { SafetyError(.notFound, "no such \(kind)") }

    /// A `conflict` error for a stale revision.
    public static func staleRevision(_ kind: String, expected: Int, found: Int) -> SafetyError {
        SafetyError(.conflict, "the \(kind) was changed by someone else (revision \(expected) expected, \(found) stored)")
    }

    /// An `invalidInput` error naming the field that is wrong.
    public static func invalid(_ field: String, _ reason: String) -> SafetyError {
        SafetyError(.invalidInput, reason, location: field)
    }
}
