import ArgumentParser
import Foundation
import Logging
import OnlineSafetyCore
import StorageFile
import StoragePostgres

/// Where the records are: a flat-file directory or a PostgreSQL database.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "A flat-file store directory (it must hold a store: `store init` or `demo` creates one).")
    var store: String?

    @Option(name: .long, help: "A postgres:// URL (default: $ONLINESAFETY_POSTGRES_URL).")
    var postgres: String?

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp(
            "How long to wait for a flat-file store another command has open, in seconds.", valueName: "seconds"))
    var wait: Double = 5

    @Option(
        help: ArgumentHelp(
            "A file outside the store that keeps the head of its journal, so a rewritten or cut journal is refused "
                + "(default: $ONLINESAFETY_ANCHOR).", valueName: "path"))
    var anchor: String?

    private var anchorPath: String? { anchor ?? ProcessInfo.processInfo.environment["ONLINESAFETY_ANCHOR"] }

    @Flag(name: .long, help: "Log what the SDK does (identifiers only, never record content).")
    var verbose = false

    func validate() throws {
        if store != nil && postgresURL != nil {
            throw ValidationError("Give either --store or --postgres, not both.")
        }
        if store == nil && postgresURL == nil {
            throw ValidationError("Give a store: --store DIR for a flat-file store, or --postgres URL.")
        }
        if let store, store.isEmpty { throw ValidationError("--store needs a directory.") }
        guard wait.isFinite, wait >= 0, wait <= 3_600 else { throw ValidationError("--wait takes a number of seconds from 0 to 3600.") }
        if let anchorPath, let store {
            let directory = URL(fileURLWithPath: store).standardizedFileURL.path + "/"
            if URL(fileURLWithPath: anchorPath).standardizedFileURL.path.hasPrefix(directory) {
                throw ValidationError("--anchor must name a file outside the store: inside it, whoever edits the store can edit it too.")
            }
        }
    }

    var postgresURL: String? { postgres ?? ProcessInfo.processInfo.environment["ONLINESAFETY_POSTGRES_URL"] }

    /// The flat-file store's directory, when the store is one.
    var fileStore: URL? { store.map { URL(fileURLWithPath: $0, isDirectory: true) } }

    var logger: Logger {
        var logger = Logger(label: "onlinesafety")
        logger.logLevel = verbose ? .debug : .warning
        return logger
    }

    /// How to open a flat-file store: create it or not, and wait `--wait` for its lock.
    func fileOptions(create: Bool) -> FileStore.OpenOptions {
        FileStore.OpenOptions(
            createIfMissing: create, lockWait: .milliseconds(Int((wait * 1_000).rounded())),
            anchor: anchorPath.map { JournalAnchor(url: URL(fileURLWithPath: $0)) })
    }

    /// The PostgreSQL settings, with the integrity key from `ONLINESAFETY_INTEGRITY_KEY` (base64),
    /// or `nil` for a flat-file store.
    func postgresConfiguration() throws -> PostgresConfiguration? {
        guard let url = postgresURL else { return nil }
        var configuration = try PostgresConfiguration(url: url)
        if let key = ProcessInfo.processInfo.environment["ONLINESAFETY_INTEGRITY_KEY"] {
            // Rows and audit events altered outside the SDK are refused (the key is never printed).
            configuration.integrityKey = try IntegrityKey(base64: key)
        }
        return configuration
    }

    /// Opens (and migrates) the chosen flat-file store. It is created only with `create`;
    /// otherwise a directory without a store is `notFound`, naming the path.
    func open(create: Bool = false) async throws -> any OnlineSafetyBackend {
        let directory = fileStore ?? URL(fileURLWithPath: ".")
        let store: FileStore
        do {
            store = try await FileStore.open(at: directory, logger: logger, options: fileOptions(create: create))
        } catch let error as SafetyError where error.code == .notFound {
            throw SafetyError(
                .notFound,
                "\(error.reason): check the --store path, or create a store there with `onlinesafety store init --store \(directory.path)`")
        } catch let error as SafetyError where error.code == .corruptData && error.location?.hasPrefix("journal.jsonl") == true {
            throw SafetyError(
                .corruptData,
                "the store at \(directory.path) is not opened for writing: \(error.reason); "
                    + "`onlinesafety store verify --store \(directory.path)` says what it touches, `onlinesafety store export` "
                    + "copies what can be read into a new store, and `onlinesafety store repair --from-line N` sets the damage aside in place",
                location: error.location, underlying: error)
        }
        try await store.migrate()
        return store
    }
}

/// Runs `body` with an open store and closes it afterwards, also on failure. A store is created
/// only when `create` says so. Once `body` has returned, nothing fails the command: a failure to
/// close is a warning (every write was flushed when it returned).
///
/// A PostgreSQL pool runs for the length of `body` only (`PostgresStore.withStore`), in a child
/// task of the command's.
func withStore<R: Sendable>(
    _ options: StoreOptions, create: Bool = false, _ body: (any OnlineSafetyBackend) async throws -> R
) async throws -> R {
    if let configuration = try options.postgresConfiguration() {
        return try await PostgresStore.withStore(configuration, logger: options.logger) { store in
            try await store.migrate()
            return try await body(store)
        }
    }
    let opening = ContinuousClock.now
    let store = try await options.open(create: create)
    options.logger.debug("store opened", metadata: ["store": "\(options.store ?? "")", "took": "\(opening.duration(to: .now))"])
    let result: R
    do {
        result = try await body(store)
    } catch {
        try? await store.close()
        throw error
    }
    do {
        try await store.close()
    } catch {
        warn("the store did not close cleanly (\(error)); what was saved is kept")
    }
    return result
}

/// Refuses a path to write to (`--output`, `store export --to`) that lies inside a store
/// directory (one holding a flat-file store's `manifest.json`), or is a store directory: a report
/// written there could overwrite the journal or be taken for part of the store.
///
/// Symbolic links are followed as far as the path exists. Throws a usage error naming the store.
func refuseInsideStore(_ path: String, option: String) throws {
    var url = URL(fileURLWithPath: path).standardizedFileURL
    // Resolve links in the part of the path that exists.
    var missing: [String] = []
    while !FileManager.default.fileExists(atPath: url.path) && url.path != "/" {
        missing.insert(url.lastPathComponent, at: 0)
        url.deleteLastPathComponent()
    }
    url = url.resolvingSymlinksInPath()
    for component in missing { url.append(path: component) }
    var candidate = url
    while true {
        if isStoreDirectory(candidate) {
            throw ValidationError("\(option) \(path) is inside the store at \(candidate.path); write it somewhere outside any store.")
        }
        if candidate.path == "/" || candidate.path.isEmpty { return }
        candidate.deleteLastPathComponent()
    }
}

/// Whether a directory holds a flat-file store: a journal, or a `manifest.json` naming the store's format.
func isStoreDirectory(_ directory: URL) -> Bool {
    if FileManager.default.fileExists(atPath: directory.appending(path: "journal.jsonl").path) { return true }
    guard let data = try? Data(contentsOf: directory.appending(path: "manifest.json")), data.count < 4_096,
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { return false }
    return object["format"] as? String == "onlinesafety-file-store"
}

/// Writes text to a file the user named, refusing paths inside a store first.
func writeOutput(_ text: String, to path: String) throws {
    try refuseInsideStore(path, option: "--output")
    do {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    } catch {
        throw CannotWrite(path: path, reason: (error as NSError).localizedDescription)
    }
}
