@_spi(StorageBackend) public import OnlineSafetyCore

/// What a backend's test target supplies to run the shared conformance suite.
@_spi(StorageBackend)
public struct ConformanceHarness: Sendable {
    /// Opens a fresh, empty, migrated store.
    public let makeStore: @Sendable () async throws -> any OnlineSafetyStore
    /// Alters the stored audit event with the given sequence by hand, outside the SDK (a byte in
    /// the file, or a row updated after disabling the trigger), then returns a store to read it
    /// back with (the same one, or a reopened one).
    public let tamperAuditEvent: @Sendable (any OnlineSafetyStore, Int64) async throws -> any OnlineSafetyStore
    /// Tries to change and remove stored audit events through every means the backend offers
    /// (SQL statements, file APIs) the way a careless caller might, and reports each attempt
    /// and whether the backend itself refused it (recognised by the backend's own refusal, not
    /// by any error). A backend that offers no such means reports none.
    public let attemptAuditRewrite: @Sendable (any OnlineSafetyStore) async throws -> [AuditRewriteAttempt]
    /// Closes a store and opens it again from what it wrote (a backend whose data lives
    /// elsewhere may hand the same store back).
    public let reopen: @Sendable (any OnlineSafetyStore) async throws -> any OnlineSafetyStore
    /// Whether any byte the store keeps (files, table rows) holds the text, or `nil` when the
    /// backend cannot tell.
    public let storedBytesContain: @Sendable (any OnlineSafetyStore, String) async throws -> Bool?

    /// Creates a harness.
    public init(
        makeStore: @escaping @Sendable () async throws -> any OnlineSafetyStore,
        tamperAuditEvent: @escaping @Sendable (any OnlineSafetyStore, Int64) async throws -> any OnlineSafetyStore,
        attemptAuditRewrite: @escaping @Sendable (any OnlineSafetyStore) async throws -> [AuditRewriteAttempt],
        reopen: @escaping @Sendable (any OnlineSafetyStore) async throws -> any OnlineSafetyStore = { $0 },
        storedBytesContain: @escaping @Sendable (any OnlineSafetyStore, String) async throws -> Bool? = { _, _ in nil }
    ) {
        self.makeStore = makeStore
        self.tamperAuditEvent = tamperAuditEvent
        self.attemptAuditRewrite = attemptAuditRewrite
        self.reopen = reopen
        self.storedBytesContain = storedBytesContain
    }
}

/// One attempt to change or remove stored audit events, and whether the backend refused it.
@_spi(StorageBackend)
public struct AuditRewriteAttempt: Sendable, CustomStringConvertible {
    /// What was tried, for example `DELETE FROM audit_events`.
    public let attempt: String
    /// Whether the backend refused it with its own append-only refusal.
    public let refused: Bool

    /// Creates a report of one attempt.
    public init(_ attempt: String, refused: Bool) {
        self.attempt = attempt
        self.refused = refused
    }

    /// "attempt: refused" or "attempt: ALLOWED".
    public var description: String { "\(attempt): \(refused ? "refused" : "ALLOWED")" }
}

/// A failed expectation of the conformance suite, with the conformance file and line it comes from.
public struct ConformanceFailure: Error, CustomStringConvertible {
    /// What was expected.
    public let description: String
    /// The conformance source file, as `#fileID`.
    public let fileID: String
    /// The conformance source file, as `#filePath`.
    public let filePath: String
    /// The line.
    public let line: Int

    init(_ description: String, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line) {
        self.description = description
        self.fileID = fileID
        self.filePath = filePath
        self.line = line
    }
}

func expect(
    _ condition: Bool, _ message: @autoclosure () -> String, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line
) throws {
    if !condition { throw ConformanceFailure(message(), fileID: fileID, filePath: filePath, line: line) }
}

func expectError<T>(
    _ code: SafetyError.Code, _ message: String, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line,
    _ body: () async throws -> T
) async throws {
    do {
        _ = try await body()
    } catch let error as SafetyError {
        try expect(
            error.code == code, "\(message): expected \(code), got \(error.code) (\(error.reason))", fileID: fileID, filePath: filePath,
            line: line)
        return
    }
    throw ConformanceFailure("\(message): expected \(code), but it succeeded", fileID: fileID, filePath: filePath, line: line)
}

/// The result of a call a principal may lack the capability for: `nil` when it was refused as
/// `forbidden`; any other error is rethrown, so a wrong refusal cannot pass as "not allowed".
func unlessForbidden<T>(_ body: () async throws -> T) async throws -> T? {
    do {
        return try await body()
    } catch let error as SafetyError where error.code == .forbidden {
        return nil
    }
}
