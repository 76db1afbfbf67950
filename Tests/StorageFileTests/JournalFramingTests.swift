import Foundation
import Logging
@_spi(StorageBackend) import OnlineSafetyCore
@_spi(StorageBackend) import StorageFile
import Testing

/// The journal's frames on real files: a torn write is told from damage to a committed record.
@Suite("File store: journal framing and recovery")
struct JournalFramingTests {
    /// A store of three committed transactions, each one journal line: a trust and an audit event.
    struct ThreeRecords {
        let directory: URL
        let trusts: [Trust]
        /// The whole journal.
        let bytes: [UInt8]
        /// Where each line starts, and where the journal ends.
        let starts: [Int]

        /// The bytes of line `number` (from 1), newline included.
        func line(_ number: Int) -> ArraySlice<UInt8> { bytes[starts[number - 1]..<starts[number]] }

        /// Replaces the journal.
        func write(_ journal: some Sequence<UInt8>) throws {
            try Data(journal).write(to: StoreFiles.journal(directory))
        }

        /// The journal as it is on disk.
        func journal() throws -> [UInt8] { Array(try Data(contentsOf: StoreFiles.journal(directory))) }

        /// The files in `recovered/`.
        func recovered() -> [String] {
            (try? FileManager.default.contentsOfDirectory(atPath: directory.appending(path: "recovered").path))?.sorted() ?? []
        }

        /// Empties `recovered/`.
        func clearRecovered() throws {
            let folder = directory.appending(path: "recovered")
            if FileManager.default.fileExists(atPath: folder.path) { try FileManager.default.removeItem(at: folder) }
        }
    }

    static let names = ["Viking Academy Trust", "Kent Primary Partnership", "Thanet Learning Trust"]

    static func threeRecords() async throws -> ThreeRecords {
        let directory = Scratch.directory()
        let store = try await FileStore.open(at: directory, logger: quietLogger())
        var trusts: [Trust] = []
        for name in names {
            let trust = try await store.withTransaction { tx in
                let trust = try await tx.trusts.insert(Trust(name: name))
                _ = try await tx.audit.append(
                    AuditDraft(
                        at: Date(), actorID: nil, schoolID: nil, action: AuditAction(stored: "trust.insert"), subjectKind: Trust.recordKind,
                        subjectID: trust.id.uuid))
                return trust
            }
            trusts.append(trust)
        }
        try await store.close()
        let bytes = Array(try Data(contentsOf: StoreFiles.journal(directory)))
        let starts = [0] + bytes.indices.filter { bytes[$0] == 0x0A }.map { $0 + 1 }
        #expect(starts.count == 4 && starts.last == bytes.count)
        return ThreeRecords(directory: directory, trusts: trusts, bytes: bytes, starts: starts)
    }

    /// The trusts a store holds, by name.
    static func trustNames(in store: FileStore) async throws -> [String] {
        try await store.trusts.find(TrustQuery()).map(\.name).sorted()
    }

    // MARK: - The frame

    @Test func everyRecordIsFramedWithItsLengthAndCRC32() async throws {
        #expect(CRC32Reference.hex(Array("123456789".utf8)) == "cbf43926")  // the standard check value
        let store = try await Self.threeRecords()
        for line in try StoreFiles.lines(store.directory) {
            let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            try #require(parts.count == 3)
            #expect(Int(parts[0]) == parts[2].utf8.count)
            #expect(parts[1] == Substring(CRC32Reference.hex(parts[2].utf8)))
            #expect(parts[2].hasPrefix(#"{"body":"#))
            #expect((try JSONSerialization.jsonObject(with: Data(parts[2].utf8))) is [String: Any])
        }
        let manifest = String(decoding: try Data(contentsOf: StoreFiles.manifest(store.directory)), as: UTF8.self)
        #expect(manifest == #"{"format":"onlinesafety-file-store","version":2}"# + "\n")
    }

    // MARK: - Torn writes

    /// Truncation at every byte of the last record; with `zeroFilled`, the rest of the record's
    /// bytes are zeros, as a file system that extended the file but never wrote the data leaves it.
    @Test(arguments: [false, true])
    func truncationAtEveryByteOfTheLastRecordNeverLosesAnAcknowledgedRecord(zeroFilled: Bool) async throws {
        let store = try await Self.threeRecords()
        let intact = store.starts[2]
        let last = store.line(3)
        var dropped = 0
        for cut in 0...last.count {
            let tail = Array(last.prefix(cut)) + (zeroFilled ? [UInt8](repeating: 0, count: last.count - cut) : [])
            try store.write(store.bytes[..<intact] + tail)
            try store.clearRecovered()

            let opened = try await FileStore.open(at: store.directory, logger: quietLogger())
            let names = try await Self.trustNames(in: opened)
            let report = opened.journalReport
            try await opened.close()
            #expect(names.contains(Self.names[0]) && names.contains(Self.names[1]), "cut at \(cut): an earlier record is lost")
            #expect(report.damaged.isEmpty, "cut at \(cut)")
            if cut >= last.count - 1 {
                // The whole record (perhaps without its newline) was written: it is kept.
                #expect(names.count == 3, "cut at \(cut)")
                #expect(try store.journal() == Array(store.bytes[..<(intact + cut)]), "cut at \(cut)")
                #expect(report.lastNewlineMissing == (cut == last.count - 1))
                if zeroFilled && cut == last.count - 1 {
                    // The zero where the newline should be is copied aside, then cut off.
                    let saved = try #require(report.tornTail?.savedAs)
                    #expect(Array(try Data(contentsOf: store.directory.appending(path: saved))) == [0])
                } else {
                    #expect(store.recovered().isEmpty, "cut at \(cut)")
                }
            } else if cut == 0 && !zeroFilled {
                #expect(names.count == 2)
                #expect(report.tornTail == nil && store.recovered().isEmpty)
            } else {
                // A cut-off write: dropped, and its bytes are in the copy-aside file.
                #expect(names.count == 2, "cut at \(cut)")
                #expect(try store.journal() == Array(store.bytes[..<intact]), "cut at \(cut)")
                let saved = try #require(report.tornTail?.savedAs, "cut at \(cut)")
                #expect(store.recovered() == [String(saved.dropFirst("recovered/".count))])
                #expect(Array(try Data(contentsOf: store.directory.appending(path: saved))) == tail, "cut at \(cut)")
                #expect(report.tornTail?.location == JournalRecordLocation(line: 3, offset: intact, length: tail.count))
                #expect(report.isIntact)
                dropped += 1
            }
        }
        #expect(dropped == last.count - (zeroFilled ? 1 : 2))

        // After a drop the store writes on, and the journal verifies.
        try store.write(store.bytes[..<intact] + last.prefix(last.count / 2))
        let reopened = try await FileStore.open(at: store.directory, logger: quietLogger())
        _ = try await reopened.trusts.insert(Trust(name: "Written After Repair"))
        try await reopened.close()
        let again = try await FileStore.open(at: store.directory, logger: quietLogger())
        #expect(try await again.trusts.count(TrustQuery()) == 3)
        #expect(again.journalReport.isIntact && again.journalReport.tornTail == nil)
        #expect(await again.verifyJournal().isEmpty)
        try await again.close()
    }

    @Test func aCutOffWriteFollowedByANewlineIsDamageNotATornWrite() async throws {
        let store = try await Self.threeRecords()
        let last = store.line(3)
        try store.write(store.bytes[..<store.starts[2]] + last.prefix(last.count / 2) + [0x0A])

        let error = await #expect(throws: SafetyError.self) { try await FileStore.open(at: store.directory, logger: quietLogger()) }
        #expect(error?.code == .corruptData)
        #expect(error?.location == "journal.jsonl:3")
        #expect(store.recovered().isEmpty)
        #expect(try store.journal().count == store.starts[2] + last.count / 2 + 1)

        let readOnly = try await FileStore.openReadOnly(at: store.directory, logger: quietLogger())
        #expect(try await Self.trustNames(in: readOnly) == Self.names.prefix(2).sorted())
        #expect(readOnly.journalReport.damaged.map(\.problem) == [.lengthMismatch])
        try await readOnly.close()
    }

    // MARK: - A complete last record

    @Test func aLastRecordMissingOnlyItsNewlineIsKeptAndTheNewlineRestored() async throws {
        let store = try await Self.threeRecords()
        try store.write(store.bytes.dropLast())
        let capture = LogCapture()
        var opened = try await FileStore.open(at: store.directory, logger: capture.logger())
        #expect(try await Self.trustNames(in: opened) == Self.names.sorted())
        #expect(opened.journalReport.lastNewlineMissing)
        #expect(opened.journalReport.tornTail == nil && opened.journalReport.isIntact)
        #expect(try store.journal() == Array(store.bytes.dropLast()))
        #expect(!capture.entries.contains { $0.level >= .warning })

        let fourth = try await opened.trusts.insert(Trust(name: "Written After The Newline"))
        try await opened.close()
        #expect(try store.journal().starts(with: store.bytes))
        #expect(try StoreFiles.lines(store.directory).count == 4)
        opened = try await FileStore.open(at: store.directory, logger: quietLogger())
        #expect(try await opened.trusts.get(fourth.id) == fourth)
        #expect(try await opened.trusts.count(TrustQuery()) == 4)
        #expect(opened.journalReport.isIntact && !opened.journalReport.lastNewlineMissing)
        #expect(await opened.verifyJournal().isEmpty)
        #expect(store.recovered().isEmpty)
        try await opened.close()
    }

    /// Each byte of the last record flipped in turn; with `withoutNewline`, the record's final
    /// newline is also gone (as an editor can leave it).
    @Test(arguments: [false, true])
    func aFlippedByteInTheLastRecordIsNeverDroppedOrAccepted(withoutNewline: Bool) async throws {
        let store = try await Self.threeRecords()
        let start = store.starts[2]
        let end = store.starts[3] - (withoutNewline ? 1 : 0)
        for position in start..<end {
            var damaged = Array(store.bytes[..<end])
            damaged[position] ^= 0x01
            try store.write(damaged)

            let error = await #expect(throws: SafetyError.self, "byte \(position - start)") {
                try await FileStore.open(at: store.directory, logger: quietLogger())
            }
            #expect(error?.code == .corruptData, "byte \(position - start)")
            #expect(error?.location == "journal.jsonl:3", "byte \(position - start)")
            #expect(try store.journal() == damaged, "byte \(position - start): the journal was changed")
            #expect(store.recovered().isEmpty)

            let readOnly = try await FileStore.openReadOnly(at: store.directory, logger: quietLogger())
            #expect(try await Self.trustNames(in: readOnly) == Self.names.prefix(2).sorted(), "byte \(position - start)")
            let damage = readOnly.journalReport.damaged.first
            #expect(damage?.location.line == 3 && damage?.location.offset == start, "byte \(position - start)")
            #expect(readOnly.journalReport.tornTail == nil, "byte \(position - start): taken for a torn write")
            try await readOnly.close()
        }
    }

    // MARK: - Damage in the middle

    @Test func aFlippedByteInAMiddleRecordOpensOnlyReadOnlyNamingIt() async throws {
        let store = try await Self.threeRecords()
        var damaged = store.bytes
        // One letter of the second trust's name: the JSON still parses, only the checksum tells.
        let name = Array(Self.names[1].utf8)
        let at = try #require(store.line(2).firstRange(of: name)).lowerBound + 3
        damaged[at] ^= 0x20
        try store.write(damaged)

        let capture = LogCapture()
        let error = await #expect(throws: SafetyError.self) { try await FileStore.open(at: store.directory, logger: capture.logger()) }
        #expect(error?.code == .corruptData)
        #expect(error?.location == "journal.jsonl:2")
        #expect(error?.reason.contains("openReadOnly") == true)

        let readOnly = try await FileStore.openReadOnly(at: store.directory, logger: capture.logger())
        #expect(readOnly.isReadOnly)
        #expect(try await readOnly.trusts.get(store.trusts[0].id) == store.trusts[0])
        #expect(try await readOnly.trusts.get(store.trusts[1].id) == nil)  // never applied as altered
        #expect(try await readOnly.trusts.get(store.trusts[2].id) == nil)  // after the damage: held back
        let report = readOnly.journalReport
        #expect(!report.isIntact)
        #expect(report.applied == 1)
        let damage = try #require(report.damaged.first)
        #expect(report.damaged.count == 1)
        #expect(damage.problem == .checksumMismatch)
        #expect(damage.location == JournalRecordLocation(line: 2, offset: store.starts[1], length: store.line(2).count - 1))
        #expect(damage.touches == [.record(kind: "trust", id: store.trusts[1].id.uuid), .auditEvent(sequence: 2)])
        #expect(report.notApplied.map(\.location.line) == [3])
        #expect(report.notApplied.first?.touches == [.record(kind: "trust", id: store.trusts[2].id.uuid), .auditEvent(sequence: 3)])

        // Writes are refused, naming the damage, and nothing is written.
        let refused = await #expect(throws: SafetyError.self) { try await readOnly.trusts.insert(Trust(name: "Not Written")) }
        #expect(refused?.code == .corruptData)
        #expect(refused?.location == "journal.jsonl:2")
        #expect(refused?.reason.contains("read-only") == true)
        let audit = await #expect(throws: SafetyError.self) {
            try await readOnly.audit.append(
                AuditDraft(
                    at: Date(), actorID: nil, schoolID: nil, action: AuditAction(stored: "trust.read"), subjectKind: "trust", subjectID: nil
                ))
        }
        #expect(audit?.code == .corruptData)
        try await readOnly.close()
        #expect(try store.journal() == damaged)
        #expect(store.recovered().isEmpty)

        // Nothing said about it names a record's content.
        let said = capture.entries.map(\.text) + [error?.description ?? "", refused?.description ?? "", report.description]
        for name in Self.names { #expect(!said.contains { $0.contains(name) || $0.contains(name.dropFirst(5)) }) }
        #expect(capture.entries.contains { $0.level == .warning && $0.metadata["line"] == "2" })
    }

    @Test func aMiddleRecordThatNoLongerParsesIsNamedWithWhatItTouches() async throws {
        let store = try await Self.threeRecords()
        var damaged = store.bytes
        // Break the JSON itself: the quote that opens the second trust's name.
        let name = Array(Self.names[1].utf8)
        let at = try #require(store.line(2).firstRange(of: name)).lowerBound - 1
        damaged[at] = UInt8(ascii: "?")
        try store.write(damaged)

        let report = try await FileStore.inspect(at: store.directory, logger: quietLogger())
        let damage = try #require(report.damaged.first)
        #expect(damage.location.line == 2)
        #expect(damage.problem == .checksumMismatch)
        #expect(damage.touches == [.record(kind: "trust", id: store.trusts[1].id.uuid), .auditEvent(sequence: 2)])
        #expect(report.description.contains("journal.jsonl:2"))
        #expect(try store.journal() == damaged)
    }

    @Test func aRecordWhoseLengthNoLongerMatchesItsFrameIsDamage() async throws {
        let store = try await Self.threeRecords()
        // Remove one byte from inside the middle record: shorter than declared, but followed by a newline.
        var damaged = store.bytes
        damaged.remove(at: store.starts[1] + 40)
        try store.write(damaged)
        let report = try await FileStore.inspect(at: store.directory, logger: quietLogger())
        #expect(report.damaged.map(\.problem) == [.lengthMismatch])
        #expect(report.damaged.first?.location.line == 2)
        #expect(report.notApplied.count == 1)
        let refusal1 = await #expect(throws: SafetyError.self) { try await FileStore.open(at: store.directory, logger: quietLogger()) }
        #expect(refusal1?.code == .corruptData)
        #expect(try store.journal() == damaged)
    }

    // MARK: - Journals from before framing

    /// The store's journal rewritten as version 1 wrote it: unframed lines, manifest version 1.
    static func unframed(_ store: ThreeRecords) throws {
        let lines = try StoreFiles.lines(store.directory).map(StoreFiles.json(of:))
        try StoreFiles.write(lines: lines, to: store.directory)
        try Data(#"{"format":"onlinesafety-file-store","version":1}"#.utf8 + [0x0A]).write(to: StoreFiles.manifest(store.directory))
    }

    @Test func anUnframedJournalFromVersionOneOpensAndFramedRecordsFollowIt() async throws {
        let store = try await Self.threeRecords()
        try Self.unframed(store)
        let legacy = try store.journal()

        var opened = try await FileStore.open(at: store.directory, logger: quietLogger())
        #expect(try await Self.trustNames(in: opened) == Self.names.sorted())
        #expect(opened.journalReport.isIntact)
        let fourth = try await opened.trusts.insert(Trust(name: "Written In Version Two"))
        try await opened.close()

        let manifest = String(decoding: try Data(contentsOf: StoreFiles.manifest(store.directory)), as: UTF8.self)
        #expect(manifest.contains(#""version":2"#))
        #expect(try store.journal().starts(with: legacy))
        let lines = try StoreFiles.lines(store.directory)
        #expect(lines.count == 4 && lines[0].hasPrefix("{") && lines[3].first?.isNumber == true)

        opened = try await FileStore.open(at: store.directory, logger: quietLogger())
        #expect(try await opened.trusts.get(fourth.id) == fourth)
        #expect(try await opened.trusts.count(TrustQuery()) == 4)
        #expect(await opened.verifyJournal().isEmpty)
        #expect(try await AuditChain.verify(opened.audit).isIntact)
        try await opened.close()
    }

    @Test func anUnframedJournalKeepsALastLineMissingOnlyItsNewlineAndCopiesACutOffOneAside() async throws {
        let store = try await Self.threeRecords()
        try Self.unframed(store)
        let legacy = try store.journal()

        try store.write(legacy.dropLast())
        var opened = try await FileStore.open(at: store.directory, logger: quietLogger())
        #expect(try await opened.trusts.count(TrustQuery()) == 3)
        try await opened.close()

        let lastStart = try #require(legacy.dropLast().lastIndex(of: 0x0A)) + 1
        let cut = Array(legacy[lastStart..<(legacy.count - 10)])
        try store.write(legacy[..<lastStart] + cut)
        opened = try await FileStore.open(at: store.directory, logger: quietLogger())
        #expect(try await opened.trusts.count(TrustQuery()) == 2)
        let saved = try #require(opened.journalReport.tornTail?.savedAs)
        #expect(Array(try Data(contentsOf: store.directory.appending(path: saved))) == cut)
        try await opened.close()
    }

    @Test func anUnframedLineAfterFramedOnesIsDamage() async throws {
        let store = try await Self.threeRecords()
        var lines = try StoreFiles.lines(store.directory)
        lines[2] = StoreFiles.json(of: lines[2])
        try StoreFiles.write(lines: lines, to: store.directory)
        let error = await #expect(throws: SafetyError.self) { try await FileStore.open(at: store.directory, logger: quietLogger()) }
        #expect(error?.code == .corruptData)
        #expect(error?.location == "journal.jsonl:3")
        let report = try await FileStore.inspect(at: store.directory, logger: quietLogger())
        #expect(report.damaged.map(\.problem) == [.unframed])
        #expect(report.damaged.first?.touches == [.record(kind: "trust", id: store.trusts[2].id.uuid), .auditEvent(sequence: 3)])
    }

    // MARK: - Read-only

    @Test func readOnlyOpeningOfAnIntactStoreReadsEverythingAndChangesNothing() async throws {
        let store = try await Self.threeRecords()
        let last = store.line(3)
        let torn = store.bytes[..<store.starts[2]] + last.prefix(20)
        try store.write(torn)
        let manifest = try Data(contentsOf: StoreFiles.manifest(store.directory))

        let readOnly = try await FileStore.openReadOnly(at: store.directory, logger: quietLogger())
        #expect(try await Self.trustNames(in: readOnly) == Self.names.prefix(2).sorted())
        #expect(readOnly.journalReport.tornTail?.savedAs == nil)
        let declared = Int(String(decoding: last.prefix { $0 != UInt8(ascii: " ") }, as: UTF8.self))
        #expect(declared == last.count - 1 - (String(declared ?? 0).utf8.count + 10))
        #expect(readOnly.journalReport.tornTail?.declaredLength == declared)
        let error = await #expect(throws: SafetyError.self) { try await readOnly.trusts.insert(Trust(name: "Not Written")) }
        #expect(error?.code == .constraintViolation)
        #expect(error?.reason.contains("read-only") == true)
        // A transaction that only reads still runs.
        #expect(try await readOnly.withTransaction { tx in try await tx.trusts.count(TrustQuery()) } == 2)
        try await readOnly.close()
        #expect(try store.journal() == Array(torn))
        #expect(try Data(contentsOf: StoreFiles.manifest(store.directory)) == manifest)
        #expect(store.recovered().isEmpty)
    }

    @Test func readOnlyOpeningNeedsAStore() async throws {
        let missing = Scratch.directory()
        let error = await #expect(throws: SafetyError.self) { try await FileStore.openReadOnly(at: missing, logger: quietLogger()) }
        #expect(error?.code == .notFound)
        #expect(!FileManager.default.fileExists(atPath: missing.path))
    }
}
