import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
@_spi(StorageBackend) import StorageFile
import Testing

/// `FileStore.exportReadable`: what a damaged store can read, into a new store that opens for writing.
@Suite("File store: exporting what can be read")
struct JournalExportTests {
    @Test func anIntactStoreIsCopiedWholeAndTheCopyOpensForWriting() async throws {
        let source = try await JournalFramingTests.threeRecords()
        let destination = Scratch.directory()
        defer {
            try? FileManager.default.removeItem(at: source.directory)
            try? FileManager.default.removeItem(at: destination)
        }
        let export = try await FileStore.exportReadable(from: source.directory, to: destination, logger: quietLogger())
        #expect(export.recordsCopied == 3 && export.firstLineNotCopied == nil && export.notCopiedSavedAs == nil)
        #expect(Array(try Data(contentsOf: StoreFiles.journal(destination))) == source.bytes)

        let copy = try await FileStore.open(at: destination, logger: quietLogger(), options: .init(createIfMissing: false))
        #expect(copy.journalReport.isIntact)
        #expect(try await JournalFramingTests.trustNames(in: copy) == JournalFramingTests.names.sorted())
        #expect(try await AuditChain.verify(copy.audit).isIntact)
        _ = try await copy.trusts.insert(Trust(name: "Written In The Copy"))
        try await copy.close()
        #expect(try source.journal() == source.bytes, "the source was changed")
    }

    @Test func aDamagedStoreIsCopiedUpToTheDamageAndTheRestSavedAside() async throws {
        let source = try await JournalFramingTests.threeRecords()
        let destination = Scratch.directory()
        defer {
            try? FileManager.default.removeItem(at: source.directory)
            try? FileManager.default.removeItem(at: destination)
        }
        var damaged = source.bytes
        damaged[source.starts[1] + 40] ^= 0x01  // a bit of the second record
        try source.write(damaged)

        let export = try await FileStore.exportReadable(from: source.directory, to: destination, logger: quietLogger())
        #expect(export.recordsCopied == 1)
        #expect(export.firstLineNotCopied == 2)
        #expect(export.source.damaged.map(\.location.line) == [2])
        let saved = try #require(export.notCopiedSavedAs)
        #expect(Array(try Data(contentsOf: destination.appending(path: saved))) == Array(damaged[source.starts[1]...]))

        let copy = try await FileStore.open(at: destination, logger: quietLogger(), options: .init(createIfMissing: false))
        #expect(copy.journalReport.isIntact)
        #expect(try await JournalFramingTests.trustNames(in: copy) == [JournalFramingTests.names[0]])
        _ = try await copy.trusts.insert(Trust(name: "Written After The Export"))
        try await copy.close()
        #expect(try source.journal() == damaged, "the source was changed")
    }

    @Test func theDestinationMustBeNewAndOutsideTheStore() async throws {
        let source = try await JournalFramingTests.threeRecords()
        let occupied = Scratch.directory()
        defer {
            try? FileManager.default.removeItem(at: source.directory)
            try? FileManager.default.removeItem(at: occupied)
        }
        try FileManager.default.createDirectory(at: occupied, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: occupied.appending(path: "notes.txt"))
        for destination in [source.directory.appending(path: "inside"), occupied, source.directory] {
            var caught: SafetyError?
            do {
                _ = try await FileStore.exportReadable(from: source.directory, to: destination, logger: quietLogger())
            } catch let error as SafetyError {
                caught = error
            }
            #expect(caught?.code == .invalidInput && caught?.location == "destination", "\(destination.lastPathComponent)")
        }
        #expect(try String(contentsOf: occupied.appending(path: "notes.txt"), encoding: .utf8) == "keep me")
        #expect(try source.journal() == source.bytes)
    }

    @Test func thereIsNothingToExportWhereThereIsNoStore() async throws {
        let missing = Scratch.directory()
        let destination = Scratch.directory()
        var caught: SafetyError?
        do {
            _ = try await FileStore.exportReadable(from: missing, to: destination, logger: quietLogger())
        } catch let error as SafetyError {
            caught = error
        }
        #expect(caught?.code == .notFound)
        #expect(!FileManager.default.fileExists(atPath: destination.path))
    }
}
