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

/// The crash and fault campaigns `scripts/crash-campaign` and `scripts/fault-campaign` run.
///
/// Each is off unless its environment variable says how big a run to make, so the ordinary test
/// run stays quick; the scripts set them (and a smaller run is made from `scripts/test`):
/// - `CRASH_CAMPAIGN_KILLS`: how many times a writer is killed with `SIGKILL`.
/// - `FAULT_CAMPAIGN_STRIDE`: truncate the last record at every Nth byte offset (1: every one);
///   `FAULT_CAMPAIGN_FLIPS`: how many random bit flips in the last record, and as many in a middle one.
/// - `FULL_DISK_DIR`: a directory on a small file system of its own to fill; `FULL_DISK_RUNS` how many times.
///
/// Each prints one `campaign:` line with its figures. The stores hold trusts only, no one's data.
@Suite("File store: crash and fault campaigns", .serialized)
struct FaultCampaignTests {
    static func setting(_ name: String) -> Int? {
        ProcessInfo.processInfo.environment[name].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
    }

    // MARK: - kill -9

    @Test(.enabled(if: setting("CRASH_CAMPAIGN_KILLS") != nil, "set CRASH_CAMPAIGN_KILLS to run"))
    func killedWritersNeverLoseAnAcknowledgedWrite() async throws {
        let kills = Self.setting("CRASH_CAMPAIGN_KILLS") ?? 0
        let writer = try CrashTests.crashWriter()
        let root = Scratch.directory()
        defer { try? FileManager.default.removeItem(at: root) }
        var figures = (kills: 0, checked: 0, opens: 0, torn: 0, tornLarge: 0, epochs: 0, unacknowledged: 0)
        var committed = Set<String>()
        var unacknowledged = 0
        var store = root
        for round in 1...kills {
            // A fresh store every 50 kills, so the journal stays small enough to replay quickly.
            if round % 50 == 1 {
                if figures.epochs > 0 { try? FileManager.default.removeItem(at: store) }
                figures.epochs += 1
                store = root.appending(path: "store-\(figures.epochs)", directoryHint: .isDirectory)
                committed = []
                unacknowledged = 0
            }
            let run = try CrashTests.start(writer, arguments: [store.path], outputIn: root, name: "kill")
            try await Task.sleep(for: .milliseconds(Int.random(in: 30...350)))
            let wasRunning = run.process.isRunning
            kill(run.process.processIdentifier, SIGKILL)
            run.process.waitUntilExit()
            let output = try run.finish()
            try #require(wasRunning && run.process.terminationReason == .uncaughtSignal, "round \(round): \(output.error)")
            figures.kills += 1
            for line in output.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            where line.hasPrefix("committed ") {
                committed.insert(String(line.dropFirst("committed ".count)))
            }

            let reopened = try await FileStore.open(at: store, logger: quietLogger())
            figures.opens += 1
            if let torn = reopened.journalReport.tornTail {
                figures.torn += 1
                if (torn.declaredLength ?? 0) > 10_000 { figures.tornLarge += 1 }
                #expect(torn.savedAs != nil, "round \(round): a dropped tail was not copied aside")
            }
            #expect(reopened.journalReport.damaged.isEmpty, "round \(round): \(reopened.journalReport)")
            let stored = Set(try await reopened.trusts.find(TrustQuery()).map(\.id.uuidString))
            let missing = committed.subtracting(stored)
            #expect(missing.isEmpty, "round \(round): \(missing.count) acknowledged trusts are missing")
            // Written and flushed, but killed before it was acknowledged: kept, which is allowed.
            let extra = stored.subtracting(committed).count
            if extra > unacknowledged { figures.unacknowledged += 1 }
            unacknowledged = extra
            #expect(await reopened.verifyJournal().isEmpty, "round \(round): the journal does not verify")
            #expect(try await AuditChain.verify(reopened.audit).isIntact, "round \(round): the audit chain is broken")
            figures.checked = max(figures.checked, committed.count)
            try await reopened.close()
            try? FileManager.default.removeItem(at: root.appending(path: "kill.out"))
            try? FileManager.default.removeItem(at: root.appending(path: "kill.err"))
        }
        print(
            "campaign: crash: \(figures.kills) kill -9s in \(figures.epochs) stores, \(figures.opens) reopenings all opened, "
                + "\(figures.torn) torn last writes dropped after being copied aside (\(figures.tornLarge) inside a multi-record "
                + "transaction over 10 kB), \(figures.unacknowledged) kills between a commit's flush and its acknowledgement "
                + "(the write kept), every acknowledged write present (up to \(figures.checked) per store)")
    }

    // MARK: - Power loss: truncation and bit flips

    /// A store of 30 one-trust transactions and a last transaction of 25 trusts.
    struct Journal {
        let directory: URL
        let bytes: [UInt8]
        /// Where each line starts, and where the journal ends.
        let starts: [Int]
        /// Trust names written by each line (from 1).
        let names: [[String]]

        var lineCount: Int { starts.count - 1 }
        func names(through line: Int) -> [String] { names.prefix(line).flatMap { $0 }.sorted() }
    }

    static func journal() async throws -> Journal {
        let directory = Scratch.directory()
        let store = try await FileStore.open(at: directory, logger: quietLogger())
        var names: [[String]] = []
        for index in 1...31 {
            let batch = (0..<(index == 31 ? 25 : 1)).map {
                Trust(name: "Campaign Trust \(index)-\($0) " + String(repeating: "y", count: 60))
            }
            try await store.withTransaction { tx in
                try await tx.trusts.insertMany(batch)
                _ = try await tx.audit.append(
                    AuditDraft(
                        at: Date(), actorID: nil, schoolID: nil, action: AuditAction(stored: "trust.insert"), subjectKind: Trust.recordKind,
                        subjectID: batch[0].id.uuid))
            }
            names.append(batch.map(\.name))
        }
        try await store.close()
        let bytes = Array(try Data(contentsOf: StoreFiles.journal(directory)))
        let starts = [0] + bytes.indices.filter { bytes[$0] == 0x0A }.map { $0 + 1 }
        return Journal(directory: directory, bytes: bytes, starts: starts, names: names)
    }

    static func replaceJournal(in directory: URL, with bytes: [UInt8]) throws {
        try Data(bytes).write(to: StoreFiles.journal(directory))
        try? FileManager.default.removeItem(at: directory.appending(path: "recovered"))
    }

    static func names(in store: FileStore) async throws -> [String] {
        try await store.trusts.find(TrustQuery()).map(\.name).sorted()
    }

    @Test(.enabled(if: setting("FAULT_CAMPAIGN_STRIDE") != nil, "set FAULT_CAMPAIGN_STRIDE to run"))
    func truncationAtEveryOffsetOfTheLastRecordLosesNoAcknowledgedWrite() async throws {
        let stride = Self.setting("FAULT_CAMPAIGN_STRIDE") ?? 1
        let journal = try await Self.journal()
        defer { try? FileManager.default.removeItem(at: journal.directory) }
        let last = journal.lineCount
        let start = journal.starts[last - 1]
        let end = journal.bytes.count
        var figures = (cuts: 0, keptWhole: 0, dropped: 0, zeroFilled: 0)
        // Every `stride`th offset, and always the cuts that leave the record whole or without its newline.
        let offsets = Set(Swift.stride(from: start, through: end, by: stride)).union([end - 1, end]).sorted()
        for offset in offsets {
            for zeroFill in [false, true] where !(zeroFill && offset == end) {
                // Cut at `offset`; with `zeroFill`, the file keeps its length with zeros past the cut
                // (the file system extended the file but never wrote the data).
                let cut = Array(journal.bytes[..<offset]) + (zeroFill ? [UInt8](repeating: 0, count: end - offset) : [])
                try Self.replaceJournal(in: journal.directory, with: cut)
                let store = try await FileStore.open(at: journal.directory, logger: quietLogger())
                let report = store.journalReport
                let names = try await Self.names(in: store)
                let whole = offset >= end - 1  // the record and at most its newline missing
                #expect(report.damaged.isEmpty, "cut at \(offset)\(zeroFill ? " zero-filled" : ""): \(report)")
                #expect(names == journal.names(through: whole ? last : last - 1), "cut at \(offset): acknowledged records lost")
                if let torn = report.tornTail {
                    let saved = Array(try Data(contentsOf: journal.directory.appending(path: try #require(torn.savedAs))))
                    #expect(saved == Array(cut[torn.location.offset...]), "cut at \(offset): the dropped bytes were not all saved")
                    figures.dropped += 1
                } else {
                    #expect(whole || offset == start, "cut at \(offset): bytes were dropped without a report")
                }
                if whole { figures.keptWhole += 1 }
                if zeroFill { figures.zeroFilled += 1 }
                figures.cuts += 1
                try await store.close()
            }
        }
        print(
            "campaign: truncation: \(figures.cuts) cuts at \(offsets.count) offsets of the last record (\(end - start) bytes, 25 trusts, every \(stride) byte"
                + "\(stride == 1 ? "" : "s"); \(figures.zeroFilled) of them zero-filled to the old length): every one opened, "
                + "\(figures.dropped) torn tails copied aside and dropped, the record kept whole \(figures.keptWhole) times, "
                + "no acknowledged record lost")
    }

    @Test(.enabled(if: setting("FAULT_CAMPAIGN_FLIPS") != nil, "set FAULT_CAMPAIGN_FLIPS to run"))
    func bitFlipsInTheLastAndAMiddleRecordAreNeverAcceptedOrDropped() async throws {
        let flips = Self.setting("FAULT_CAMPAIGN_FLIPS") ?? 0
        let journal = try await Self.journal()
        defer { try? FileManager.default.removeItem(at: journal.directory) }
        let intact = try await FileStore.open(at: journal.directory, logger: quietLogger())
        let original = try await intact.trusts.find(TrustQuery()).sorted { $0.id.uuidString < $1.id.uuidString }
        try await intact.close()
        var generator = SystemRandomNumberGenerator()
        var figures = (refused: 0, harmless: 0, readOnlyChecked: 0)
        for (label, line) in [("last", journal.lineCount), ("middle", journal.lineCount / 2)] {
            let range = journal.starts[line - 1]..<journal.starts[line]
            for _ in 0..<flips {
                let position = Int.random(in: range, using: &generator)
                let bit = UInt8(1) << UInt8.random(in: 0...7, using: &generator)
                var flipped = journal.bytes
                flipped[position] ^= bit
                try Self.replaceJournal(in: journal.directory, with: flipped)
                let what = "\(label) record, byte \(position - range.lowerBound), bit \(bit)"
                do {
                    let store = try await FileStore.open(at: journal.directory, logger: quietLogger())
                    // Accepted: only if nothing changed (a hexadecimal digit of the checksum in the other case).
                    let now = try await store.trusts.find(TrustQuery()).sorted { $0.id.uuidString < $1.id.uuidString }
                    #expect(now == original, "\(what): a changed record was accepted")
                    #expect(store.journalReport.tornTail == nil, "\(what): a committed record was dropped as a torn write")
                    #expect(store.journalReport.isIntact, "\(what): \(store.journalReport)")
                    try await store.close()
                    figures.harmless += 1
                } catch let error as SafetyError {
                    #expect(error.code == .corruptData, "\(what): \(error)")
                    #expect(error.location == "journal.jsonl:\(line)", "\(what): \(error)")
                    #expect(
                        Array(try Data(contentsOf: StoreFiles.journal(journal.directory))) == flipped, "\(what): the journal was changed")
                    figures.refused += 1
                    // Everything before the damage is still readable.
                    let readOnly = try await FileStore.openReadOnly(at: journal.directory, logger: quietLogger())
                    #expect(try await Self.names(in: readOnly) == journal.names(through: line - 1), "\(what)")
                    #expect(readOnly.journalReport.damaged.first?.location.line == line)
                    try await readOnly.close()
                    figures.readOnlyChecked += 1
                }
            }
        }
        print(
            "campaign: bit flips: \(2 * flips) random single-bit flips (\(flips) in the last record, \(flips) in a middle one): "
                + "\(figures.refused) refused naming the record (journal left as it was, the records before it read read-only "
                + "\(figures.readOnlyChecked) times), \(figures.harmless) changed nothing that is read (accepted unchanged), "
                + "0 changes accepted, 0 committed records dropped")
    }

    // MARK: - A full disk

    @Test(.enabled(if: ProcessInfo.processInfo.environment["FULL_DISK_DIR"] != nil, "set FULL_DISK_DIR to run"))
    func aFullDiskFailsTheWriteCleanlyAndTheStoreStaysConsistent() async throws {
        let root = URL(fileURLWithPath: try #require(ProcessInfo.processInfo.environment["FULL_DISK_DIR"]), isDirectory: true)
        let runs = Self.setting("FULL_DISK_RUNS") ?? 5
        var figures = (acknowledged: 0, failed: 0, reopened: 0, afterSpaceFreed: 0)
        for run in 1...runs {
            let directory = root.appending(path: "store-\(run)", directoryHint: .isDirectory)
            let filler = root.appending(path: "filler")
            defer {
                try? FileManager.default.removeItem(at: directory)
                try? FileManager.default.removeItem(at: filler)
            }
            let store = try await FileStore.open(at: directory, logger: quietLogger())
            // Leave a little room, different each run, so the disk fills at a different point of a record.
            try Self.fill(filler, leaving: Int.random(in: 12_000...80_000), on: root)
            var acknowledged: [String] = []
            var failure: SafetyError?
            var attempt = 0
            while failure == nil && attempt < 10_000 {
                attempt += 1
                let batch = (0..<Int.random(in: 1...8)).map {
                    Trust(name: "Full Disk Trust \(run)-\(attempt)-\($0) " + String(repeating: "z", count: 300))
                }
                do {
                    try await store.withTransaction { tx in
                        try await tx.trusts.insertMany(batch)
                    }
                    acknowledged += batch.map(\.name)
                } catch let error as SafetyError {
                    failure = error
                }
            }
            let error = try #require(failure, "run \(run): the disk never filled")
            figures.failed += 1
            figures.acknowledged += acknowledged.count
            #expect(error.code == .unavailable, "run \(run): \(error)")
            #expect(error.reason.contains("cannot write") || error.reason.contains("cannot flush"), "run \(run): \(error)")
            // The failed transaction left nothing behind, in memory or on disk.
            #expect(try await Self.names(in: store) == acknowledged.sorted(), "run \(run): the store does not hold what was acknowledged")
            try await store.close()
            let reopened = try await FileStore.open(at: directory, logger: quietLogger())
            #expect(reopened.journalReport.isIntact && reopened.journalReport.tornTail == nil, "run \(run): \(reopened.journalReport)")
            #expect(try await Self.names(in: reopened) == acknowledged.sorted(), "run \(run): acknowledged writes lost on reopening")
            figures.reopened += 1
            // With room again, writing goes on.
            try FileManager.default.removeItem(at: filler)
            _ = try await reopened.trusts.insert(Trust(name: "After Space Was Freed \(run)"))
            try await reopened.close()
            let again = try await FileStore.open(at: directory, logger: quietLogger())
            #expect(try await Self.names(in: again).count == acknowledged.count + 1)
            try await again.close()
            figures.afterSpaceFreed += 1
        }
        print(
            "campaign: full disk: \(runs) runs on a small file system, each ended by a write refused with unavailable "
                + "(\(figures.failed) refusals, \(figures.acknowledged) acknowledged trusts all kept), the store reopened intact "
                + "\(figures.reopened) times and took writes again \(figures.afterSpaceFreed) times once space was freed")
    }

    /// Writes a file that leaves about `free` bytes free on the file system of `directory`.
    static func fill(_ file: URL, leaving free: Int, on directory: URL) throws {
        var stats = statvfs()
        guard statvfs(directory.path, &stats) == 0 else { throw SafetyError(.unavailable, "statvfs failed") }
        let available = Int(stats.f_bavail) * Int(stats.f_frsize)
        let size = max(0, available - free)
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        let chunk = Data(repeating: 0x55, count: 65_536)
        var written = 0
        while written < size {
            let part = min(chunk.count, size - written)
            try handle.write(contentsOf: chunk.prefix(part))
            written += part
        }
        try handle.synchronize()
    }
}
