public import Foundation

/// A typed identifier: a UUID that knows which kind of record it names.
///
/// Typed identifiers stop a ``PersonID`` being passed where a ``SchoolID`` is expected.
///
/// ```swift
/// let id = PersonID()
/// let same = PersonID(uuidString: id.uuidString)
/// ```
public struct Identifier<Entity>: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// The underlying UUID.
    public let uuid: UUID

    /// Creates a new random identifier.
    public init() { self.uuid = UUIDText.random() }

    /// Wraps an existing UUID.
    public init(_ uuid: UUID) { self.uuid = uuid }

    /// Parses an identifier from its string form; `nil` when the text is not a UUID.
    public init?(uuidString: String) {
        guard let uuid = UUIDText.uuid(uuidString) else { return nil }
        self.uuid = uuid
    }

    /// The canonical upper-case string form.
    public var uuidString: String { UUIDText.string(uuid) }

    /// The canonical string form.
    public var description: String { UUIDText.string(uuid) }

    /// Orders identifiers by their string form, for stable listings.
    public static func < (lhs: Self, rhs: Self) -> Bool { UUIDText.precedes(lhs.uuid, rhs.uuid) }

    /// Decodes from a single UUID string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let uuid = UUIDText.uuid(try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "Attempted to decode UUID from invalid UUID string.")
        }
        self.uuid = uuid
    }

    /// Encodes as a single UUID string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(UUIDText.string(uuid))
    }
}
