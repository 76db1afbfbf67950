import ArgumentParser
import Foundation
import Logging
import OnlineSafetyCore
import StorageFile
import StoragePostgres

/// Where the records are: a flat-file directory or a PostgreSQL database.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "A flat-file store directory (created if missing).")
    var store: String?

    @Option(name: .long, help: "A postgres:// URL (default: $ONLINESAFETY_POSTGRES_URL).")
    var postgres: String?

    @Flag(name: .long, help: "Log what the SDK does (identifiers only, never record content).")
    var verbose = false

    func validate() throws {
        if store != nil && postgresURL != nil {
            throw ValidationError("Give either --store or --postgres, not both.")
        }
        if store == nil && postgresURL == nil {
            throw ValidationError("Give a store: --store DIR for a flat-file store, or --postgres URL.")
        }
    }

    private var postgresURL: String? { postgres ?? ProcessInfo.processInfo.environment["ONLINESAFETY_POSTGRES_URL"] }

    var logger: Logger {
        var logger = Logger(label: "onlinesafety")
        logger.logLevel = verbose ? .debug : .warning
        return logger
    }

    /// Opens (and migrates) the chosen store.
    func open() async throws -> any OnlineSafetyBackend {
        if let url = postgresURL {
            let store = try await PostgresStore.connect(try PostgresConfiguration(url: url), logger: logger)
            try await store.migrate()
            return store
        }
        let store = try await FileStore.open(at: URL(fileURLWithPath: self.store ?? "."), logger: logger)
        try await store.migrate()
        return store
    }
}

/// Runs `body` with an open store and closes it afterwards, also on failure.
func withStore<R>(_ options: StoreOptions, _ body: (any OnlineSafetyBackend) async throws -> R) async throws -> R {
    let store = try await options.open()
    do {
        let result = try await body(store)
        try await store.close()
        return result
    } catch {
        try? await store.close()
        throw error
    }
}
