import Crypto
public import Foundation

/// Digests of the files an import reads, recorded in ``RosterFile/sha256``.
public enum FileDigest {
    /// The SHA-256 of `data` as 64 lower-case hexadecimal digits.
    ///
    /// Requires nothing of the data (it may be empty) and throws nothing.
    public static func sha256(_ data: Data) -> String {
        let digest = SHA256.hash(data: data)
        let digits = Array("0123456789abcdef")
        var text = ""
        text.reserveCapacity(64)
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return text
    }
}
