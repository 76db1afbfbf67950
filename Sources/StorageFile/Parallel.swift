import Dispatch
import Foundation

/// Work split across the machine's cores inside one turn of the engine: each part gets values
/// already read from the tables, never the tables themselves.
enum Parallel {
    /// `body` of each index in `0..<count`, in order, run on up to as many threads as there are
    /// cores; the error of the lowest index that threw is rethrown.
    static func map<T: Sendable>(_ count: Int, _ body: @Sendable (Int) throws -> T) throws -> [T] {
        guard count > 1, ProcessInfo.processInfo.activeProcessorCount > 1 else { return try (0..<count).map(body) }
        var results = [Result<T, any Error>?](repeating: nil, count: count)
        results.withUnsafeMutableBufferPointer { buffer in
            // Each index is written by exactly one iteration, and read only after all have ended.
            let slots = Slots(buffer: buffer)
            DispatchQueue.concurrentPerform(iterations: count) { index in
                slots.buffer[index] = Result { try body(index) }
            }
        }
        return try results.map { try $0!.get() }
    }

    /// How many parts to split `count` items into: one per core, none smaller than `minimum`.
    static func parts(of count: Int, minimum: Int) -> Int {
        max(1, min(ProcessInfo.processInfo.activeProcessorCount, count / max(1, minimum)))
    }

    private struct Slots<T>: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<Result<T, any Error>?>
    }
}
