import Foundation

/// A unique pupil number: a check letter followed by 12 characters (LA code, establishment
/// number, year of allocation, serial, and a final digit or letter for temporary UPNs).
///
/// The check letter is validated on creation:
/// ```swift
/// let upn = try UPN("B801200005001")   // valid
/// _ = try UPN("A801200005001")         // throws invalidInput
/// ```
public struct UPN: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The 13-character value, upper-case.
    public let value: String

    private static let letters = Array("ABCDEFGHJKLMNPQRTUVWXYZ")

    /// Validates and wraps a UPN. The error names the field and never echoes the value.
    public init(_ text: String) throws(SafetyError) {
        if UPN.isValidAsWritten(text) {
            value = text
            return
        }
        let value = text.uppercased()
        let characters = Array(value)
        guard characters.count == 13 else { throw .invalid("upn", "a UPN has 13 characters") }
        guard characters[1..<12].allSatisfy(\.isASCIIDigit) else {
            throw .invalid("upn", "characters 2 to 12 of a UPN are digits")
        }
        guard characters[12].isASCIIDigit || UPN.letters.contains(characters[12]) else {
            throw .invalid("upn", "the last character of a UPN is a digit or a check-alphabet letter")
        }
        guard let expected = UPN.checkLetter(for: characters[1...]), characters[0] == expected else {
            throw .invalid("upn", "the check letter of the UPN does not match")
        }
        self.value = value
    }

    /// Reads a reference that may be a UPN: `nil` when it does not look like one (an email
    /// address, say), the UPN when it is one, and `invalidInput` when it has a UPN's shape (13
    /// characters, a letter then 11 digits) but its check letter or last character is wrong.
    public static func parseReference(_ text: String) throws(SafetyError) -> UPN? {
        let characters = Array(text.trimmingCharacters(in: .whitespaces).uppercased())
        guard characters.count == 13, characters[0].isLetter, characters[1...11].allSatisfy(\.isASCIIDigit) else { return nil }
        return try UPN(String(characters))
    }

    /// The check letter for the 12 characters after it, or `nil` if they are malformed.
    public static func checkLetter(for body: some Collection<Character>) -> Character? {
        guard body.count == 12 else { return nil }
        var sum = 0
        for (offset, character) in body.enumerated() {
            let weight = offset + 2
            if let digit = character.wholeNumberValue, character.isASCIIDigit {
                sum += digit * weight
            } else if let index = letters.firstIndex(of: character) {
                sum += index * weight
            } else {
                return nil
            }
        }
        return letters[sum % 23]
    }

    /// The check alphabet's letters as bytes, and each byte's place in it (-1 for none).
    private static let letterBytes = Array("ABCDEFGHJKLMNPQRTUVWXYZ".utf8)
    private static let letterPlaces: [Int8] = (0..<256).map { byte in
        Int8(letterBytes.firstIndex(of: UInt8(byte)) ?? -1)
    }

    /// Whether `text` is a valid UPN exactly as written (13 ASCII bytes, upper case), checked on
    /// its bytes: the common case, read without making characters. Anything else (lower case,
    /// another length, a mistake) is left to the checks that say what is wrong.
    package static func isValidAsWritten(_ text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard bytes.count == 13 else { return false }
            var sum = 0
            for offset in 0..<12 {
                let byte = bytes[offset + 1]
                let weight = offset + 2
                if (0x30...0x39).contains(byte) {
                    sum += Int(byte - 0x30) * weight
                } else if offset == 11, letterPlaces[Int(byte)] >= 0 {
                    sum += Int(letterPlaces[Int(byte)]) * weight
                } else {
                    return false
                }
            }
            return bytes[0] == letterBytes[sum % 23]
        } ?? false
    }

    /// A UPN is sensitive: its description is masked.
    public var description: String { "UPN(***)" }

    /// Decodes and validates a UPN string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        try self.init(try container.decode(String.self))
    }

    /// Encodes the 13-character value.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
