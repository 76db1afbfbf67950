import Foundation

/// A ZIP archive of stored (uncompressed) entries with a fixed timestamp, so the same files
/// always give the same bytes.
enum StoredZip {
    /// The archive of `entries` (name, bytes), in order.
    static func archive(_ entries: [(String, Data)]) -> Data {
        var out = Data()
        var central = Data()
        // 2026-11-30 00:00 in MS-DOS form.
        let time: UInt16 = 0
        let date: UInt16 = UInt16((2026 - 1980) << 9 | 11 << 5 | 30)
        for (name, data) in entries {
            let nameBytes = Data(name.utf8)
            let crc = crc32(data)
            let offset = UInt32(out.count)
            out.append(le32(0x0403_4B50))
            out.append(le16(20))
            out.append(le16(0x0800))  // UTF-8 names
            out.append(le16(0))  // stored
            out.append(le16(time))
            out.append(le16(date))
            out.append(le32(crc))
            out.append(le32(UInt32(data.count)))
            out.append(le32(UInt32(data.count)))
            out.append(le16(UInt16(nameBytes.count)))
            out.append(le16(0))
            out.append(nameBytes)
            out.append(data)

            central.append(le32(0x0201_4B50))
            central.append(le16(20))
            central.append(le16(20))
            central.append(le16(0x0800))
            central.append(le16(0))
            central.append(le16(time))
            central.append(le16(date))
            central.append(le32(crc))
            central.append(le32(UInt32(data.count)))
            central.append(le32(UInt32(data.count)))
            central.append(le16(UInt16(nameBytes.count)))
            central.append(le16(0))
            central.append(le16(0))
            central.append(le16(0))
            central.append(le16(0))
            central.append(le32(0))
            central.append(le32(offset))
            central.append(nameBytes)
        }
        let centralOffset = UInt32(out.count)
        out.append(central)
        out.append(le32(0x0605_4B50))
        out.append(le16(0))
        out.append(le16(0))
        out.append(le16(UInt16(entries.count)))
        out.append(le16(UInt16(entries.count)))
        out.append(le32(UInt32(central.count)))
        out.append(le32(centralOffset))
        out.append(le16(0))
        return out
    }

    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    static func crc32(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        data.withUnsafeBytes { buffer in
            for byte in buffer { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        }
        return crc ^ 0xFFFF_FFFF
    }

    private static func le16(_ value: UInt16) -> Data { withUnsafeBytes(of: value.littleEndian) { Data($0) } }
    private static func le32(_ value: UInt32) -> Data { withUnsafeBytes(of: value.littleEndian) { Data($0) } }
}
