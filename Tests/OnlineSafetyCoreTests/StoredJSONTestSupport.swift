import Foundation

/// The ways the stored-JSON tests write a document: the store's own coding, with white space
/// between its parts (as PostgreSQL's `jsonb` prints it), in declaration order, and without
/// escaped slashes.
enum StoredJSONLayouts {
    static let writers: [JSONEncoder] = [
        [.sortedKeys], [.prettyPrinted], [], [.withoutEscapingSlashes, .sortedKeys],
    ].map { (formatting: JSONEncoder.OutputFormatting) in
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        return encoder
    }
}

extension SeededNumbers {
    /// `bytes` with one to three random changes: a byte replaced by or one inserted from
    /// `significant`, a byte removed, or a run of up to 12 bytes repeated.
    mutating func mutated(_ bytes: [UInt8], from significant: [UInt8]) -> [UInt8] {
        var bytes = bytes
        for _ in 0..<Int.random(in: 1...3, using: &self) {
            guard !bytes.isEmpty else { break }
            let at = Int.random(in: 0..<bytes.count, using: &self)
            switch Int.random(in: 0..<4, using: &self) {
            case 0: bytes[at] = significant.randomElement(using: &self)!
            case 1: bytes.remove(at: at)
            case 2: bytes.insert(significant.randomElement(using: &self)!, at: at)
            default:
                let end = min(bytes.count, at + Int.random(in: 1...12, using: &self))
                bytes.insert(contentsOf: bytes[at..<end], at: at)
            }
        }
        return bytes
    }
}
