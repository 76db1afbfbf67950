import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
@_spi(StorageBackend) import OnlineSafetyTestKit
@_spi(StorageBackend) import StorageFile
import Testing

@Suite("Conformance: flat file")
struct FileConformanceTests {
    /// The flat-file backend's side of the shared conformance suite.
    static let harness = ConformanceHarness(
        makeStore: {
            try await FileStore.open(at: Scratch.directory(), logger: quietLogger())
        },
        tamperAuditEvent: { store, sequence in
            // Outside the SDK: close the store, edit one byte of the event's action in the journal, reopen.
            let fileStore = try fileStore(store)
            try await fileStore.close()
            try StoreFiles.alterAuditAction(sequence: sequence, in: fileStore.directory)
            return try await FileStore.open(at: fileStore.directory, logger: quietLogger())
        },
        attemptAuditRewrite: { _ in
            // The file store offers no call that changes or removes an audit event: the SPI's log
            // only appends. Editing the journal by hand is tampering, which `tamperingIsDetected`
            // covers. There is nothing to attempt, and the suite checks the log is unchanged.
            []
        },
        reopen: { store in
            let fileStore = try fileStore(store)
            try await fileStore.close()
            return try await FileStore.open(at: fileStore.directory, logger: quietLogger())
        },
        storedBytesContain: { store, text in
            let directory = try fileStore(store).directory
            let needle = Data(text.utf8)
            let files = try FileManager.default.subpathsOfDirectory(atPath: directory.path)
            return try files.contains { name in
                var isDirectory: ObjCBool = false
                let path = directory.appendingPathComponent(name).path
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { return false }
                return try Data(contentsOf: URL(fileURLWithPath: path)).range(of: needle) != nil
            }
        }
    )

    /// Every check of the shared conformance suite, each its own test case.
    @Test(arguments: ConformanceSuite.all)
    func conformance(_ check: ConformanceCase) async throws { try await check.run(Self.harness) }

    private static func fileStore(_ store: any OnlineSafetyStore) throws -> FileStore {
        guard let fileStore = store as? FileStore else {
            throw SafetyError(.invalidInput, "the flat-file harness was given a store of another backend")
        }
        return fileStore
    }

}
