import Foundation
import OnlineSafetyCore

/// Runs the built `onlinesafety` tool as a user would, in a scratch directory.
struct CLI {
    /// What one run gave back.
    struct Result {
        let status: Int32
        let standardOutput: String
        let standardError: String
        /// Standard output's raw bytes, to look for control characters.
        let outputBytes: [UInt8]
    }

    /// A scratch directory for stores and reports.
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory
            .appending(path: "onlinesafety-cli-tests", directoryHint: .isDirectory)
            .appending(path: UUID().uuidString, directoryHint: .isDirectory)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    /// Removes the scratch directory.
    func cleanUp() { try? FileManager.default.removeItem(at: root) }

    /// A path inside the scratch directory.
    func path(_ name: String) -> String { root.appending(path: name).path }

    /// The options acting as a person of the demo community at Chilton.
    static func acting(_ who: String, store: String) -> [String] {
        ["--store", store, "--as", "\(who)@chilton.example", "--school", "999001"]
    }

    /// Starts the tool with its output going to files (a pipe could fill and stall it).
    func start(_ arguments: [String], environment: [String: String] = [:]) throws -> (Process, URL, URL) {
        let name = UUID().uuidString
        let outputURL = root.appending(path: "\(name).out")
        let errorURL = root.appending(path: "\(name).err")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        let process = Process()
        process.executableURL = try Self.executable()
        process.arguments = arguments
        process.currentDirectoryURL = root
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "ONLINESAFETY_POSTGRES_URL")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        try process.run()
        return (process, outputURL, errorURL)
    }

    /// Waits for a started run and reads what it wrote.
    func finish(_ started: (Process, URL, URL)) throws -> Result {
        let (process, outputURL, errorURL) = started
        process.waitUntilExit()
        let output = Array(try Data(contentsOf: outputURL))
        let error = String(decoding: try Data(contentsOf: errorURL), as: UTF8.self)
        try? FileManager.default.removeItem(at: outputURL)
        try? FileManager.default.removeItem(at: errorURL)
        return Result(
            status: process.terminationStatus, standardOutput: String(decoding: output, as: UTF8.self), standardError: error,
            outputBytes: output)
    }

    /// Runs the tool to its end.
    @discardableResult
    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        try finish(try start(arguments, environment: environment))
    }

    /// A store holding the demo community, made with `demo`.
    func demoStore(_ name: String = "store") throws -> String {
        let store = path(name)
        let result = try run(["demo", "--store", store])
        guard result.status == 0 else { throw SafetyError(.unavailable, "demo failed: \(result.standardError)") }
        return store
    }

    /// The incident identifier `incident record` printed.
    static func incidentID(in output: String) -> String? {
        guard let range = output.range(of: "Recorded incident ") else { return nil }
        return output[range.upperBound...].split(separator: " ").first.map(String.init)
    }

    /// The `onlinesafety` executable SwiftPM built beside the test bundle.
    static func executable() throws -> URL {
        let name = "onlinesafety"
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        var candidates: [URL] = []
        var directory = testBinary.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(directory)
            directory = directory.deletingLastPathComponent()
        }
        candidates.append(packageRoot.appending(path: ".build/debug"))
        for candidate in candidates {
            let url = candidate.appending(path: name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw SafetyError(.notFound, "\(name) was not built; looked in \(candidates.map(\.path).joined(separator: ", "))")
    }
}
