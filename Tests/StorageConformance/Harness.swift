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
    /// Tries to change and remove stored audit events through the backend's own means (SQL,
    /// file APIs) the way a careless caller might; must throw if the backend refused.
    public let attemptAuditRewrite: @Sendable (any OnlineSafetyStore) async throws -> Void

    /// Creates a harness.
    public init(
        makeStore: @escaping @Sendable () async throws -> any OnlineSafetyStore,
        tamperAuditEvent: @escaping @Sendable (any OnlineSafetyStore, Int64) async throws -> any OnlineSafetyStore,
        attemptAuditRewrite: @escaping @Sendable (any OnlineSafetyStore) async throws -> Void
    ) {
        self.makeStore = makeStore
        self.tamperAuditEvent = tamperAuditEvent
        self.attemptAuditRewrite = attemptAuditRewrite
    }
}

/// A failed expectation of the conformance suite.
public struct ConformanceFailure: Error, CustomStringConvertible {
    /// What was expected.
    public let description: String
    /// Where.
    public let line: Int

    init(_ description: String, line: Int) {
        self.description = description
        self.line = line
    }
}

func expect(_ condition: Bool, _ message: @autoclosure () -> String, line: Int = #line) throws {
    if !condition { throw ConformanceFailure(message(), line: line) }
}

func expectError<T>(
    _ code: SafetyError.Code, _ message: String, line: Int = #line, _ body: () async throws -> T
) async throws {
    do {
        _ = try await body()
    } catch let error as SafetyError {
        try expect(error.code == code, "\(message): expected \(code), got \(error.code) (\(error.reason))", line: line)
        return
    }
    throw ConformanceFailure("\(message): expected \(code), but it succeeded", line: line)
}
