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

@Suite("File store crash safety", .serialized)
struct CrashTests {
    @Test func survivesKillNineDuringWrites() async throws {
        let writer = try Self.crashWriter()
        let root = Scratch.directory()
        let store = root.appending(path: "store", directoryHint: .isDirectory)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        var committed = Set<String>()
        var kills = 0
        var tornLinesDropped = 0

        for round in 1...25 {
            // The writer kills itself: every fifth round while it opens the store (replaying, or
            // cutting off a torn last line), otherwise while it writes, a short time after its
            // first commit. Its own timer keeps each round's commits (and so the store, and each
            // round's check of all of it) bounded however busy the machine is.
            let (delay, from) = round % 5 == 0 ? (Int.random(in: 0...50), "start") : (Int.random(in: 10...150), "commit")
            let run = try Self.start(writer, arguments: [store.path, "5", "\(delay)", from], outputIn: root, name: "round-\(round)")
            try await Self.waitForExit(of: run, seconds: 120)
            let output = try run.finish()
            try #require(
                run.process.terminationReason == .uncaughtSignal && run.process.terminationStatus == SIGKILL,
                "the writer did not die of its kill in round \(round): \(output.error)")
            kills += 1
            // The writer prints after each transaction returns. Only whole lines count: whatever
            // follows the last newline was cut off by the kill.
            for line in output.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            where line.hasPrefix("committed ") {
                committed.insert(String(line.dropFirst("committed ".count)))
            }

            let capture = LogCapture()
            let reopened = try await FileStore.open(at: store, logger: capture.logger())
            tornLinesDropped += capture.entries.filter { $0.message.contains("incomplete last line") }.count
            // Every dropped tail was copied aside first.
            let recovered = try? FileManager.default.contentsOfDirectory(atPath: store.appending(path: "recovered").path)
            #expect((recovered?.count ?? 0) == tornLinesDropped, "round \(round): a dropped tail was not copied aside")
            #expect(reopened.journalReport.damaged.isEmpty, "round \(round): \(reopened.journalReport)")
            let stored = Set(try await reopened.trusts.findAll(matching: []).map(\.id.uuidString))
            let missing = committed.subtracting(stored)
            #expect(missing.isEmpty, "round \(round): \(missing.count) committed trusts are missing after the kill")
            #expect(await reopened.verifyJournal().isEmpty, "round \(round): the journal does not verify")
            #expect(try await AuditChain.verify(reopened.audit).isIntact, "round \(round): the audit chain is broken")
            try await reopened.close()
        }
        print("filestore crash test: \(kills) kills, \(committed.count) committed writes checked, \(tornLinesDropped) torn lines dropped")
        #expect(!committed.isEmpty)
    }

    @Test func anotherProcessIsRefusedWhileTheStoreIsOpen() async throws {
        let writer = try Self.crashWriter()
        let root = Scratch.directory()
        let directory = root.appending(path: "store", directoryHint: .isDirectory)
        let store = try await FileStore.open(at: directory, logger: quietLogger())
        let run = try Self.start(writer, arguments: [directory.path], outputIn: root, name: "second-process")
        run.process.waitUntilExit()
        let output = try run.finish()
        #expect(run.process.terminationReason == .exit && run.process.terminationStatus == 1)
        #expect(output.error.contains("is open in another process"))
        #expect(try await store.trusts.count(TrustQuery()) == 0)
        try await store.close()
    }

    // MARK: - Running the writer

    /// Waits for the writer to end; one still running after `seconds` is killed here.
    static func waitForExit(of run: Run, seconds: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while run.process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        if run.process.isRunning { kill(run.process.processIdentifier, SIGTERM) }
        run.process.waitUntilExit()
    }

    /// A started writer whose output goes to files (a pipe could fill and stall it).
    struct Run {
        let process: Process
        let outputURL: URL
        let errorURL: URL
        let handles: [FileHandle]

        /// Closes the output files and reads them.
        func finish() throws -> (standardOutput: String, error: String) {
            for handle in handles { try handle.close() }
            return (
                String(decoding: try Data(contentsOf: outputURL), as: UTF8.self),
                String(decoding: try Data(contentsOf: errorURL), as: UTF8.self)
            )
        }
    }

    static func start(_ executable: URL, arguments: [String], outputIn directory: URL, name: String) throws -> Run {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let outputURL = directory.appending(path: "\(name).out")
        let errorURL = directory.appending(path: "\(name).err")
        try Data().write(to: outputURL)
        try Data().write(to: errorURL)
        let output = try FileHandle(forWritingTo: outputURL)
        let error = try FileHandle(forWritingTo: errorURL)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = error
        try process.run()
        return Run(process: process, outputURL: outputURL, errorURL: errorURL, handles: [output, error])
    }

    /// The `filestore-crash-writer` executable SwiftPM built beside the test bundle.
    static func crashWriter() throws -> URL {
        let name = "filestore-crash-writer"
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        var candidates: [URL] = []
        var directory = testBinary.deletingLastPathComponent()
        for _ in 0..<4 {  // on macOS the binary sits inside <name>.xctest/Contents/MacOS
            candidates.append(directory)
            directory = directory.deletingLastPathComponent()
        }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        candidates.append(packageRoot.appending(path: ".build/debug"))
        for candidate in candidates {
            let url = candidate.appending(path: name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw SafetyError(.notFound, "\(name) was not built; looked in \(candidates.map(\.path).joined(separator: ", "))")
    }
}
