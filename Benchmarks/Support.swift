import ArgumentParser
import Foundation
import Logging
@_spi(StorageBackend) import OnlineSafetyCore
import PostgresNIO
import StorageFile
import StoragePostgres

/// Which backends a benchmark runs on, and how to reach PostgreSQL.
struct BackendOptions: ParsableArguments {
    @Option(help: "Which backends to measure: file, postgres or both.")
    var backend: String = "both"

    @Option(help: "A postgres:// URL (default: $ONLINESAFETY_POSTGRES_URL, or the POSTGRES_* variables scripts/test sets).")
    var postgres: String?

    @Option(help: "Timed runs per measurement (the median is reported).")
    var runs: Int = 5

    @Flag(help: "On PostgreSQL, MAC every row under a random integrity key, as a store given one does, and check it on every read.")
    var integrityKey = false

    func validate() throws {
        guard ["file", "postgres", "both"].contains(backend) else { throw ValidationError("--backend is file, postgres or both") }
        guard runs >= 1 else { throw ValidationError("--runs is at least 1") }
    }

    var wantsFile: Bool { backend != "postgres" }
    var wantsPostgres: Bool { backend != "file" }

    /// The PostgreSQL configuration, from the option or the environment.
    func postgresConfiguration() throws -> PostgresConfiguration {
        let environment = ProcessInfo.processInfo.environment
        if let url = postgres ?? environment["ONLINESAFETY_POSTGRES_URL"] ?? environment["POSTGRES_URL"] {
            var config = try PostgresConfiguration(url: url)
            if !url.contains("sslmode") { config.tls = .disable }
            if integrityKey { config.integrityKey = IntegrityKey.random() }
            return config
        }
        throw ValidationError("Give --postgres URL (or set ONLINESAFETY_POSTGRES_URL) to measure PostgreSQL, or use --backend file.")
    }
}

/// Opens a fresh flat-file store in a temporary directory.
func freshFileStore(_ logger: Logger) async throws -> (FileStore, URL) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("onlinesafety-bench-\(UUID().uuidString)")
    return (try await FileStore.open(at: directory, logger: logger), directory)
}

/// Creates an empty database of its own on the server and returns a migrated store on it.
func freshPostgresStore(_ base: PostgresConfiguration, logger: Logger) async throws -> PostgresStore {
    let name = "bench_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    try await withRawConnection(base, logger: logger) { connection in
        _ = try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger).collect()
    }
    var config = base
    config.database = name
    let store = try await PostgresStore.connect(config, logger: logger)
    try await store.migrate()
    return store
}

/// Times `body` `runs` times and returns the median in seconds.
func medianSeconds(runs: Int, _ body: () async throws -> Void) async rethrows -> Double {
    var samples: [Double] = []
    for _ in 0..<runs {
        let start = ContinuousClock.now
        try await body()
        let elapsed = ContinuousClock.now - start
        samples.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
    return samples.sorted()[samples.count / 2]
}

/// Formats seconds as milliseconds.
func ms(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }

/// A quiet logger for benchmarks.
func benchLogger() -> Logger {
    var logger = Logger(label: "onlinesafety.benchmarks")
    logger.logLevel = .error
    return logger
}

/// A deterministic pseudo-random generator, so every run loads the same data set.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Runs `body` on a plain PostgresNIO connection of its own: the baseline side of a measurement.
func withRawConnection<R: Sendable>(
    _ config: PostgresConfiguration, logger: Logger, _ body: @Sendable (PostgresConnection) async throws -> R
) async throws -> R {
    let connection = try await PostgresConnection.connect(
        configuration: PostgresConnection.Configuration(
            host: config.host, port: config.port, username: config.username, password: config.password, database: config.database,
            tls: .disable),
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
