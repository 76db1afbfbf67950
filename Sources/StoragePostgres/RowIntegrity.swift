import Crypto
public import Foundation
@_spi(StorageBackend) import OnlineSafetyCore

/// A secret key that lets the PostgreSQL backend tell rows altered outside the SDK.
///
/// With a key, every row the SDK writes carries an HMAC-SHA256 of its table, identifier,
/// revision and body, and every audit event one of its chain, sequence and hash. A row or event
/// whose MAC does not match is refused as `corruptData`, naming the table and identifier (or the
/// chain and sequence): a superuser who edits a role grant, or rewrites the audit chain with new
/// hashes, is caught on the next read. Keep the key where the database's administrators cannot
/// read it (the application's secret store), and set it from the database's first use: a row
/// without a MAC is refused too, so a MAC cannot be removed to hide an edit.
public struct IntegrityKey: Sendable, Hashable, CustomStringConvertible {
    let bytes: Data

    /// A key of at least 32 random bytes. Throws `invalidInput` for a shorter one.
    public init(_ bytes: Data) throws {
        guard bytes.count >= 32 else {
            throw SafetyError(.invalidInput, "an integrity key has at least 32 bytes", location: "integrityKey")
        }
        self.bytes = bytes
    }

    /// A key from its base64 text (as kept in a secret store or an environment variable).
    /// Throws `invalidInput` when the text is not base64 of at least 32 bytes.
    public init(base64 text: String) throws {
        guard let bytes = Data(base64Encoded: text.trimmedWhitespace()) else {
            throw SafetyError(.invalidInput, "an integrity key is given as base64", location: "integrityKey")
        }
        try self.init(bytes)
    }

    /// A new random key.
    public static func random() -> IntegrityKey {
        IntegrityKey(unchecked: SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
    }

    private init(unchecked bytes: Data) { self.bytes = bytes }

    /// The key as base64, to keep in a secret store.
    public var base64: String { bytes.base64EncodedString() }

    /// Never the key itself.
    public var description: String { "IntegrityKey(***)" }
}

/// MACs of rows and audit events under an integrity key.
struct RowIntegrity: Sendable {
    /// An HMAC already keyed: each MAC starts from a copy of it (its hash states are copied when
    /// first written), rather than working out the key's padded states again.
    private let keyed: HMAC<SHA256>

    init(_ key: IntegrityKey) { keyed = HMAC<SHA256>(key: SymmetricKey(data: key.bytes)) }

    /// The MAC of a record row: its table, identifier, revision and canonical body.
    func mac(table: String, id: UUID, revision: Int, doc: String) -> String {
        var doc = doc
        return doc.withUTF8 { mac(table: table, id: id, revision: revision, body: UnsafeRawBufferPointer($0)) }
    }

    /// ``mac(table:id:revision:doc:)`` of a body given as its UTF-8 bytes.
    func mac(table: String, id: UUID, revision: Int, body: UnsafeRawBufferPointer) -> String {
        var mac = keyed
        var head: [UInt8] = []
        head.reserveCapacity(64 + table.utf8.count)
        head.append(contentsOf: "row".utf8)
        head.append(0x1E)
        head.append(contentsOf: table.utf8)
        head.append(0x1E)
        head.append(contentsOf: UUIDText.string(id).utf8)
        head.append(0x1E)
        head.append(contentsOf: String(revision).utf8)
        head.append(0x1E)
        mac.update(data: head)
        mac.update(data: body)
        return Self.hex(mac.finalize())
    }

    /// The MAC of an audit event: its chain, sequence and hash (which covers its content).
    func mac(chain: String, sequence: Int64, hash: String) -> String {
        var mac = keyed
        Self.update(&mac, "audit\u{1E}\(chain)\u{1E}\(sequence)\u{1E}\(hash)")
        return Self.hex(mac.finalize())
    }

    /// Adds the UTF-8 bytes of `text`, without copying them where the string holds them together.
    private static func update(_ mac: inout HMAC<SHA256>, _ text: String) {
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { mac.update(data: UnsafeRawBufferPointer($0)) }
        if done == nil { mac.update(data: Array(text.utf8)) }
    }

    private static func hex(_ code: HashedAuthenticationCode<SHA256>) -> String {
        code.withUnsafeBytes { HexText.lowercase($0) }
    }
}
