import Foundation
import OnlineSafetyCore

/// Checks made on a file's bytes before any XML parser sees them.
///
/// A CTF is UTF-8 without a document type declaration. Refusing anything else up front keeps
/// the parser to input it handles safely: Foundation's `XMLParser` on Linux stops the process
/// on text that is not valid UTF-8, and a document type declaration could declare entities
/// that expand without bound.
enum XMLInputCheck {
    /// Throws `xml.malformed` (bytes that are not UTF-8, or a NUL character), `xml.encoding` (a
    /// UTF-16 or UTF-32 byte order mark, or a declared encoding other than UTF-8 or ASCII) or
    /// `xml.doctype` (a document type declaration), located at the first offending byte.
    static func check(_ data: Data, file: String) throws(RosterProblem) {
        let bytes = [UInt8](data)
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) {
            throw .error(
                "xml.encoding", at: FileLocation(file: file, line: 1, column: 1),
                "the file is UTF-16 or UTF-32; a CTF is UTF-8")
        }
        if let offset = firstInvalidUTF8(in: bytes) {
            throw .error(
                "xml.malformed", at: location(ofByte: offset, in: bytes, file: file),
                "the file is not valid UTF-8 text; nothing of it is read")
        }
        if let offset = bytes.firstIndex(of: 0) {
            throw .error(
                "xml.malformed", at: location(ofByte: offset, in: bytes, file: file),
                "the file contains a NUL character, which XML does not allow; nothing of it is read")
        }
        if let encoding = declaredEncoding(in: bytes), !["utf-8", "utf8", "us-ascii", "ascii"].contains(encoding.lowercased()) {
            throw .error(
                "xml.encoding", at: FileLocation(file: file, line: 1, column: 1),
                "the XML declaration names an encoding other than UTF-8; a CTF is UTF-8")
        }
        if let offset = firstOffset(of: Array("<!DOCTYPE".utf8), in: bytes) {
            throw .error(
                "xml.doctype", at: location(ofByte: offset, in: bytes, file: file),
                "a CTF has no document type declaration; the file is refused")
        }
    }

    /// The offset of the first byte that does not start or continue a valid UTF-8 sequence.
    static func firstInvalidUTF8(in bytes: [UInt8]) -> Int? {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0:
                length = 3
                lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED:
                length = 3
                upper = 0x9F
            case 0xF0:
                length = 4
                lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4:
                length = 4
                upper = 0x8F
            default: return index
            }
            guard index + length <= count else { return index }
            guard (lower...upper).contains(bytes[index + 1]) else { return index }
            for offset in 2..<length where !(0x80...0xBF).contains(bytes[index + offset]) { return index }
            index += length
        }
        return nil
    }

    /// The encoding an XML declaration at the start of the file names, if any.
    static func declaredEncoding(in bytes: [UInt8]) -> String? {
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        let head = bytes[start..<min(bytes.count, start + 256)]
        guard head.starts(with: Array("<?xml".utf8)) else { return nil }
        let declaration = Array(head.prefix { $0 != UInt8(ascii: ">") })
        guard let key = firstOffset(of: Array("encoding".utf8), in: declaration) else { return nil }
        var index = key + 8
        while index < declaration.count, declaration[index] == UInt8(ascii: " ") || declaration[index] == UInt8(ascii: "=") {
            index += 1
        }
        guard index < declaration.count, declaration[index] == UInt8(ascii: "\"") || declaration[index] == UInt8(ascii: "'") else {
            return nil
        }
        let quote = declaration[index]
        let value = declaration[(index + 1)...].prefix { $0 != quote }
        return String(decoding: value, as: UTF8.self)
    }

    private static func firstOffset(of marker: [UInt8], in bytes: [UInt8]) -> Int? {
        guard !marker.isEmpty, bytes.count >= marker.count else { return nil }
        for index in 0...(bytes.count - marker.count) where bytes[index] == marker[0] {
            if bytes[index..<(index + marker.count)].elementsEqual(marker) { return index }
        }
        return nil
    }

    /// The 1-based line and column (counting characters) of a byte.
    static func location(ofByte offset: Int, in bytes: [UInt8], file: String) -> FileLocation {
        var line = 1
        var column = 1
        for byte in bytes.prefix(offset) {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return FileLocation(file: file, line: line, column: column)
    }
}
