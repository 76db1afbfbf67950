import ArgumentParser
import Foundation
import Logging
import StorageFile

/// `benchmarks open-store DIR`: opens a flat-file store and prints how long that took and the
/// process's peak resident memory. The import benchmark runs it in a new process, so the figure
/// is what a command of the CLI pays to open a trust's store, with nothing else in memory.
struct OpenStoreBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open-store",
        abstract: "Open a flat-file store and print the seconds taken and the peak resident memory.",
        shouldDisplay: false
    )

    @Argument(help: "The store's directory.")
    var directory: String

    func run() async throws {
        let start = ContinuousClock.now
        let store = try await FileStore.open(at: URL(fileURLWithPath: directory), logger: benchLogger())
        let taken = seconds(ContinuousClock.now - start)
        try await store.close()
        print("\(taken) \(peakMemoryBytes() ?? 0)")
    }

    /// Runs this command on `directory` in a child process (this executable) and reads its figures.
    ///
    /// - Throws: `CocoaError` when the child cannot be started; `ValidationError` when it fails
    ///   or prints something else.
    static func inChildProcess(_ directory: URL) throws -> (seconds: Double, peak: Int) {
        let child = Process()
        child.executableURL = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        child.arguments = ["open-store", directory.path]
        let output = Pipe()
        child.standardOutput = output
        try child.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        let fields = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isWhitespace)
        guard child.terminationStatus == 0, fields.count == 2, let taken = Double(fields[0]), let peak = Int(fields[1]) else {
            throw ValidationError("opening the store in a child process failed (status \(child.terminationStatus))")
        }
        return (taken, peak)
    }
}
