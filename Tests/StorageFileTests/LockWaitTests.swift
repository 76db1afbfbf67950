import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
@_spi(StorageBackend) import StorageFile
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A second opener waits for the store's lock instead of failing at once, and a missing store is
/// created only when asked.
@Suite("File store: waiting for the lock, and not creating a store by mistake", .serialized)
struct LockWaitTests {
    @Test func aSecondOpenWaitsForTheFirstToCloseAndThenOpens() async throws {
        let directory = Scratch.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try await FileStore.open(at: directory, logger: quietLogger())
        _ = try await first.trusts.insert(Trust(name: "Written By The First"))
        let clock = ContinuousClock()
        let start = clock.now
        let second = Task {
            try await FileStore.open(at: directory, logger: quietLogger(), options: .init(lockWait: .seconds(120)))
        }
        try await Task.sleep(for: .milliseconds(400))
        try await first.close()
        let opened = try await second.value
        let waited = clock.now - start
        #expect(waited >= .milliseconds(400), "the second open did not wait for the first to close")
        #expect(try await opened.trusts.find(TrustQuery()).map(\.name) == ["Written By The First"])
        _ = try await opened.trusts.insert(Trust(name: "Written By The Second"))
        try await opened.close()
    }

    @Test func aSecondOpenGivesUpAfterItsWaitSayingHowLongItWaited() async throws {
        let directory = Scratch.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try await FileStore.open(at: directory, logger: quietLogger())
        let clock = ContinuousClock()
        let start = clock.now
        var caught: SafetyError?
        do {
            _ = try await FileStore.open(at: directory, logger: quietLogger(), options: .init(lockWait: .milliseconds(500)))
        } catch let error as SafetyError {
            caught = error
        }
        let waited = clock.now - start
        #expect(caught?.code == .unavailable)
        #expect(caught?.reason.contains("waited") == true)
        #expect(caught?.reason.hasSuffix("is open in another process") == true)
        #expect(waited >= .milliseconds(450), "it waited for its time before giving up: \(waited)")
        try await first.close()
    }

    @Test func aZeroWaitFailsAtOnce() async throws {
        let directory = Scratch.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try await FileStore.open(at: directory, logger: quietLogger())
        var caught: SafetyError?
        do {
            _ = try await FileStore.open(at: directory, logger: quietLogger(), options: .init(lockWait: .zero))
        } catch let error as SafetyError {
            caught = error
        }
        #expect(caught?.code == .unavailable)
        #expect(caught?.reason.contains("waited") == false, "it did not wait")
        try await first.close()
    }

    @Test func readOnlyOpeningWaitsForTheLockToo() async throws {
        let directory = Scratch.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try await FileStore.open(at: directory, logger: quietLogger())
        _ = try await first.trusts.insert(Trust(name: "Kept"))
        let inspection = Task {
            try await FileStore.inspect(at: directory, logger: quietLogger(), options: .init(lockWait: .seconds(10)))
        }
        try await Task.sleep(for: .milliseconds(200))
        try await first.close()
        let report = try await inspection.value
        #expect(report.isIntact && report.applied == 1)
    }

    /// Two processes: the second opens while this one holds the store, waits, and writes as soon
    /// as the store is closed; what both wrote is there.
    @Test func anotherProcessWaitsForTheStoreAndThenWrites() async throws {
        let writer = try CrashTests.crashWriter()
        let root = Scratch.directory()
        let directory = root.appending(path: "store", directoryHint: .isDirectory)
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try await FileStore.open(at: directory, logger: quietLogger())
        let mine = try await store.trusts.insert(Trust(name: "Recorded First"))
        // It waits up to a minute: a loaded machine may start it well before the store is closed.
        let run = try CrashTests.start(writer, arguments: [directory.path, "60"], outputIn: root, name: "waiting-writer")
        try await Task.sleep(for: .milliseconds(800))
        #expect(run.process.isRunning, "the second process gave up instead of waiting")
        let beforeClose = String(decoding: try Data(contentsOf: run.outputURL), as: UTF8.self)
        #expect(!beforeClose.contains("committed"), "the second process wrote while the store was held")
        try await store.close()

        // It writes as soon as the lock is free: wait for its first acknowledged write.
        var output = ""
        // Up to 20 seconds: a loaded machine runs the whole suite beside it.
        for _ in 0..<400 where !output.contains("committed ") {
            try await Task.sleep(for: .milliseconds(50))
            output = String(decoding: try Data(contentsOf: run.outputURL), as: UTF8.self)
        }
        kill(run.process.processIdentifier, SIGKILL)
        run.process.waitUntilExit()
        let finished = try run.finish()
        let theirs = Set(
            finished.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
                .filter { $0.hasPrefix("committed ") }.map { String($0.dropFirst("committed ".count)) })
        #expect(!theirs.isEmpty, "the second process never wrote after the store was closed: \(finished.error)")

        let reopened = try await FileStore.open(at: directory, logger: quietLogger())
        let stored = Set(try await reopened.trusts.find(TrustQuery()).map(\.id.uuidString))
        #expect(stored.contains(mine.id.uuidString))
        #expect(theirs.isSubset(of: stored))
        try await reopened.close()
    }

    @Test func aMissingStoreIsNotCreatedUnlessAsked() async throws {
        let root = Scratch.directory()
        defer { try? FileManager.default.removeItem(at: root) }
        let missing = root.appending(path: "mistyped-store", directoryHint: .isDirectory)
        var caught: SafetyError?
        do {
            _ = try await FileStore.open(at: missing, logger: quietLogger(), options: .init(createIfMissing: false))
        } catch let error as SafetyError {
            caught = error
        }
        #expect(caught?.code == .notFound)
        #expect(caught?.reason.contains(missing.standardizedFileURL.path) == true)
        #expect(!FileManager.default.fileExists(atPath: missing.path), "the directory was created")

        // An existing directory that holds no store is refused too, and left as it was.
        try FileManager.default.createDirectory(at: missing, withIntermediateDirectories: true)
        caught = nil
        do {
            _ = try await FileStore.open(at: missing, logger: quietLogger(), options: .init(createIfMissing: false))
        } catch let error as SafetyError {
            caught = error
        }
        #expect(caught?.code == .notFound)
        #expect(caught?.reason.contains("no manifest.json") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: missing.path).isEmpty)

        // With the default options it is created, and then opens without creating.
        let created = try await FileStore.open(at: missing, logger: quietLogger())
        try await created.close()
        let reopened = try await FileStore.open(at: missing, logger: quietLogger(), options: .init(createIfMissing: false))
        try await reopened.close()
    }
}
