import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
@_spi(StorageBackend) import StorageFile
import Testing

@Suite("Flat file: repair")
struct JournalRepairTests {
    private static func damagedStore(anchor: JournalAnchor? = nil) async throws -> URL {
        let directory = Scratch.directory()
        let store = try await FileStore.open(at: directory, logger: quietLogger(), options: .init(anchor: anchor))
        for name in ["Kept", "Damaged", "After"] { _ = try await store.trusts.insert(Trust(name: name)) }
        try await store.close()
        var lines = try StoreFiles.lines(directory)
        lines[1] = lines[1].replacingOccurrences(of: "Damaged", with: "Dameged")
        try StoreFiles.write(lines: lines, to: directory)
        return directory
    }

    @Test func aRepairNamesTheFirstDamagedRecordSetsItAsideAndIsAudited() async throws {
        let anchor = JournalAnchor(url: Scratch.directory().appendingPathExtension("head"))
        try FileManager.default.createDirectory(at: anchor.url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let directory = try await Self.damagedStore(anchor: anchor)
        let before = try Data(contentsOf: StoreFiles.journal(directory))
        let wrongLine = await #expect(throws: SafetyError.self) {
            try await FileStore.repair(at: directory, droppingFromLine: 3, reason: "disk fault", logger: quietLogger())
        }
        #expect(wrongLine?.code == .invalidInput && wrongLine?.location == "line")
        let noReason = await #expect(throws: SafetyError.self) {
            try await FileStore.repair(at: directory, droppingFromLine: 2, reason: " ", logger: quietLogger())
        }
        #expect(noReason?.code == .invalidInput)
        #expect(try Data(contentsOf: StoreFiles.journal(directory)) == before, "a refused repair changes nothing")

        let repair = try await FileStore.repair(
            at: directory, droppingFromLine: 2, reason: "disk fault", logger: quietLogger(), options: .init(anchor: anchor))
        #expect(repair.firstLineSetAside == 2 && repair.recordsKept == 1)
        let saved = try Data(contentsOf: directory.appending(path: repair.savedAs))
        #expect(saved == before.suffix(repair.bytesSetAside), "every byte set aside is kept in recovered/")
        let store = try await FileStore.open(at: directory, logger: quietLogger(), options: .init(anchor: anchor))
        #expect(try await store.trusts.find(TrustQuery()).map(\.name) == ["Kept"])
        let events = try await store.audit.events(AuditQuery(chains: [.store]))
        #expect(events.last?.draft.action == .storeRepair && events.last?.draft.reason?.contains("line 2") == true)
        #expect(try await AuditChain.verify(store.audit).isIntact)
        _ = try await store.trusts.insert(Trust(name: "Written after the repair"))
        try await store.close()
    }

    @Test func anIntactStoreHasNothingToRepair() async throws {
        let directory = Scratch.directory()
        let store = try await FileStore.open(at: directory, logger: quietLogger())
        _ = try await store.trusts.insert(Trust(name: "Fine"))
        try await store.close()
        let refusal = await #expect(throws: SafetyError.self) {
            try await FileStore.repair(at: directory, droppingFromLine: 1, reason: "why not", logger: quietLogger())
        }
        #expect(refusal?.code == .invalidInput && refusal?.location == "line")
    }
}
