public import Foundation

/// The canonical text of a UUID (upper-case hexadecimal in the 8-4-4-4-12 form), written and
/// read without going through the C library's `printf` and `scanf`, which Foundation's
/// `uuidString` and `UUID(uuidString:)` use: every record read or written carries several.
///
/// The text is exactly `UUID.uuidString`'s, and ``uuid(_:)`` accepts exactly what
/// `UUID(uuidString:)` accepts (either case), so stored documents and their MACs are unchanged.
@_spi(StorageBackend) public enum UUIDText {
    private static let digits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// A new random UUID (version 4, RFC 9562 variant) from the system's secure random
    /// generator, as `UUID()` makes, without opening and reading `/dev/urandom` for each one as
    /// Foundation does on Linux: an import makes one for every record and audit event. The
    /// generator's bytes are read a page at a time (``RandomBytes``), one read for 256 UUIDs.
    public static func random() -> UUID {
        var bytes = RandomBytes.shared.next16()
        return withUnsafeMutableBytes(of: &bytes) { raw in
            raw[6] = (raw[6] & 0x0F) | 0x40
            raw[8] = (raw[8] & 0x3F) | 0x80
            return UUID(uuid: raw.load(as: uuid_t.self))
        }
    }

    /// The upper-case 36-character form, as `uuid.uuidString`.
    public static func string(_ uuid: UUID) -> String {
        String(unsafeUninitializedCapacity: 36) { buffer in write(uuid, into: buffer) }
    }

    /// Appends the UTF-8 bytes of ``string(_:)`` to `bytes`, without making the text first.
    public static func append(_ uuid: UUID, to bytes: inout [UInt8]) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: 36))
        bytes.withUnsafeMutableBufferPointer { buffer in
            _ = write(uuid, into: UnsafeMutableBufferPointer(rebasing: buffer[start..<start + 36]))
        }
    }

    /// Writes the 36 bytes of the canonical form into `buffer`, which holds at least 36; returns 36.
    private static func write(_ uuid: UUID, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        withUnsafeBytes(of: uuid.uuid) { raw in
            var at = 0
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    buffer[at] = 0x2D
                    at += 1
                }
                let byte = raw[index]
                buffer[at] = digits[Int(byte >> 4)]
                buffer[at + 1] = digits[Int(byte & 0x0F)]
                at += 2
            }
            return 36
        }
    }

    /// Parses the 36-character form in either case; `nil` for anything else, as
    /// `UUID(uuidString:)`.
    public static func uuid(_ text: String) -> UUID? {
        var text = text
        return text.withUTF8 { bytes in uuid(bytes) }
    }

    /// Each byte's value as a hex digit, or 0xFF for a byte that is not one.
    private static let nibbles: [UInt8] = (0..<256).map { byte in
        switch UInt8(byte) {
        case 0x30...0x39: UInt8(byte) - 0x30
        case 0x41...0x46: UInt8(byte) - 0x37
        case 0x61...0x66: UInt8(byte) - 0x57
        default: 0xFF
        }
    }

    /// Where each byte's two digits start in the 36-character form.
    private static let digitOffsets = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34]

    /// Parses the 36-character form from UTF-8 bytes; `nil` for anything else.
    public static func uuid(_ text: UnsafeBufferPointer<UInt8>) -> UUID? {
        guard text.count == 36, text[8] == 0x2D, text[13] == 0x2D, text[18] == 0x2D, text[23] == 0x2D else { return nil }
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = nibbles.withUnsafeBufferPointer { nibbles in
            withUnsafeMutableBytes(of: &value) { out -> Bool in
                // Any byte that is not a hex digit has 0xFF for its nibble, which survives the OR.
                var invalid: UInt8 = 0
                for index in 0..<16 {
                    let at = Self.digitOffsets[index]
                    let high = nibbles[Int(text[at])]
                    let low = nibbles[Int(text[at + 1])]
                    invalid |= high | low
                    out[index] = high << 4 | low
                }
                return invalid & 0xF0 == 0
            }
        }
        return parsed ? UUID(uuid: value) : nil
    }

    /// Whether `lhs` comes before `rhs` in the order of their canonical text: the order of their
    /// bytes, since the text is fixed-width hexadecimal.
    public static func precedes(_ lhs: UUID, _ rhs: UUID) -> Bool {
        withUnsafeBytes(of: lhs.uuid) { left in
            withUnsafeBytes(of: rhs.uuid) { right in left.lexicographicallyPrecedes(right) }
        }
    }
}

/// Bytes as lower-case hexadecimal digits, two to a byte (digests and MACs), written without
/// making a string for each byte.
@_spi(StorageBackend) public enum HexText {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// The lower-case hexadecimal text of the bytes.
    public static func lowercase(_ bytes: some Sequence<UInt8>) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// Bytes from the system's secure random generator, read a page at a time and handed out once
/// each: a system call per page rather than two per identifier. Each page comes from
/// `/dev/urandom` where it can be read, and from `SystemRandomNumberGenerator` otherwise.
private final class RandomBytes: @unchecked Sendable {
    static let shared = RandomBytes()

    private let lock = NSLock()
    private var page = [UInt8](repeating: 0, count: 4096)
    private var used = 4096
    private var device: Int32 = -2

    /// The next 16 bytes, never handed out before.
    func next16() -> (UInt64, UInt64) {
        lock.lock()
        defer { lock.unlock() }
        if used + 16 > page.count {
            refill()
            used = 0
        }
        let start = used
        used += 16
        return page.withUnsafeMutableBytes { raw in
            let value = (
                raw.loadUnaligned(fromByteOffset: start, as: UInt64.self), raw.loadUnaligned(fromByteOffset: start + 8, as: UInt64.self)
            )
            // Handed out bytes do not stay in memory.
            if let base = raw.baseAddress { memset(base + start, 0, 16) }
            return value
        }
    }

    private func refill() {
        if device == -2 { device = open("/dev/urandom", O_RDONLY | O_CLOEXEC) }
        let filled = page.withUnsafeMutableBytes { raw -> Bool in
            guard device >= 0, let base = raw.baseAddress else { return false }
            var count = 0
            while count < raw.count {
                let read = read(device, base + count, raw.count - count)
                if read > 0 {
                    count += read
                } else if read < 0, errno == EINTR {
                    continue
                } else {
                    return false
                }
            }
            return true
        }
        guard !filled else { return }
        var generator = SystemRandomNumberGenerator()
        page.withUnsafeMutableBytes { raw in
            for offset in stride(from: 0, to: raw.count, by: 8) {
                raw.storeBytes(of: generator.next() as UInt64, toByteOffset: offset, as: UInt64.self)
            }
        }
    }
}
