import Foundation
import Logging
@_spi(StorageBackend) import OnlineSafetyCore
import PostgresNIO
import StoragePostgres

/// The throwaway server `scripts/test` starts, read from the environment.
enum PostgresTestDatabase {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// Whether a server is configured, or required (then a missing one fails instead of skipping).
    static var shouldRun: Bool { environment["POSTGRES_HOSTNAME"] != nil || environment["POSTGRES_REQUIRED"] == "1" }

    static func base() throws -> PostgresConfiguration {
        guard let host = environment["POSTGRES_HOSTNAME"] else {
            throw SafetyError(.unavailable, "POSTGRES_HOSTNAME is not set: run the tests with scripts/test, which starts a server")
        }
        return PostgresConfiguration(
            host: host, port: Int(environment["POSTGRES_PORT"] ?? "") ?? 5432, username: environment["POSTGRES_USER"] ?? "postgres",
            password: environment["POSTGRES_PASSWORD"], database: environment["POSTGRES_DB"] ?? "postgres", tls: .disable,
            maximumConnections: 4)
    }

    /// Creates an empty database of its own for one test, migrates it and connects a store to it.
    /// The key every test store's rows and audit events are MACed under.
    static let integrityKey = IntegrityKey.random()

    static func makeStore() async throws -> PostgresStore {
        var configuration = try base()
        let name = "os_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await withRawConnection(configuration) { connection in
            _ = try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger).collect()
        }
        configuration.database = name
        configuration.integrityKey = integrityKey
        let store = try await PostgresStore.connect(configuration, logger: logger)
        try await store.migrate()
        return store
    }

    /// Runs statements on a connection of its own, outside the SDK (as a superuser would by hand).
    static func withRawConnection<R: Sendable>(
        _ configuration: PostgresConfiguration, _ body: @Sendable (PostgresConnection) async throws -> R
    ) async throws -> R {
        let connection = try await PostgresConnection.connect(
            configuration: PostgresConnection.Configuration(
                host: configuration.host, port: configuration.port, username: configuration.username, password: configuration.password,
                database: configuration.database, tls: .disable),
            id: 1, logger: logger)
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    static let logger = Logger(label: "onlinesafety.tests.postgres")
}
