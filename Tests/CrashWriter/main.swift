// A writer for the crash test: commits trusts to a file store until it is killed.
//
// Usage: filestore-crash-writer <directory> [lock-wait-seconds [kill-after-milliseconds start|commit]]
//
// After each transaction returns, it prints `committed <uuid>` for every trust the transaction
// stored, and writes the line straight to the file descriptor (no buffering), so everything it
// printed was committed. Transactions vary in size so that kills land inside writes of
// different lengths.
//
// Given a delay, it kills itself with SIGKILL that many milliseconds after it starts (`start`:
// while it opens the store) or after its first commit (`commit`: while it writes). The timer
// runs in the writer, so a busy machine slows the writes and the timer alike, and each run adds
// a bounded number of commits to the store.

import Foundation
import Logging
@_spi(StorageBackend) import OnlineSafetyCore
@_spi(StorageBackend) import StorageFile

let arguments = CommandLine.arguments
let usage = "usage: filestore-crash-writer <directory> [lock-wait-seconds [kill-after-milliseconds start|commit]]\n"
guard [2, 3, 5].contains(arguments.count), let wait = arguments.count >= 3 ? Int(arguments[2]) : 5 else {
    FileHandle.standardError.write(Data(usage.utf8))
    exit(64)
}
var killAfter: (milliseconds: Int, fromFirstCommit: Bool)?
if arguments.count == 5 {
    guard let milliseconds = Int(arguments[3]), milliseconds >= 0, ["start", "commit"].contains(arguments[4]) else {
        FileHandle.standardError.write(Data(usage.utf8))
        exit(64)
    }
    killAfter = (milliseconds, arguments[4] == "commit")
}

/// Kills this process with SIGKILL after `milliseconds`, from a thread of its own.
func killSelf(after milliseconds: Int) {
    Thread.detachNewThread {
        Thread.sleep(forTimeInterval: Double(milliseconds) / 1_000)
        kill(getpid(), SIGKILL)
    }
}
if let killAfter, !killAfter.fromFirstCommit { killSelf(after: killAfter.milliseconds) }

let logger = Logger(label: "filestore-crash-writer") { _ in SwiftLogNoOpLogHandler() }
let store: FileStore
do {
    store = try await FileStore.open(at: URL(fileURLWithPath: arguments[1]), logger: logger, options: .init(lockWait: .seconds(wait)))
} catch {
    FileHandle.standardError.write(Data("cannot open the store: \(error)\n".utf8))
    exit(1)
}

var round = 0
while true {
    round += 1
    let batch = (0..<(round % 7 == 0 ? 40 : 1 + round % 3)).map { index in
        Trust(name: "Crash Test Trust \(round)-\(index) " + String(repeating: "x", count: (round * 37) % 500))
    }
    do {
        try await store.withTransaction { tx in
            try await tx.trusts.insertMany(batch)
            _ = try await tx.audit.append(
                AuditDraft(
                    at: Date(), actorID: nil, schoolID: nil, action: AuditAction(stored: "trust.insert"), subjectKind: Trust.recordKind,
                    subjectID: batch[0].id.uuid)
            )
        }
    } catch {
        FileHandle.standardError.write(Data("a transaction failed: \(error)\n".utf8))
        exit(1)
    }
    FileHandle.standardOutput.write(Data(batch.map { "committed \($0.id.uuidString)\n" }.joined().utf8))
    if round == 1, let killAfter, killAfter.fromFirstCommit { killSelf(after: killAfter.milliseconds) }
}
