extension StringProtocol {
    /// The text without white space or line breaks at either end: exactly the characters of
    /// Foundation's `CharacterSet.whitespacesAndNewlines` (Unicode's White_Space property, and
    /// the zero width space U+200B, which Foundation still counts as a space),
    /// found without bridging to `NSString`, which costs far more than the trimming on the
    /// import's hot paths. Text with nothing to trim comes back as it is.
    package func trimmedWhitespace() -> String { Self.trimmed(String(self)) }

    private static func trimmed(_ text: String) -> String {
        let utf8 = text.utf8
        if let first = utf8.first, let last = utf8.last, isPlainASCII(first), isPlainASCII(last) { return text }
        let scalars = text.unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, isWhitespace(scalars[start]) { start = scalars.index(after: start) }
        while start < end {
            let before = scalars.index(before: end)
            guard isWhitespace(scalars[before]) else { break }
            end = before
        }
        return String(text[start..<end])
    }

    /// Whether the text is empty or only white space and line breaks (as ``trimmedWhitespace()``
    /// would leave it empty).
    package var isBlank: Bool { unicodeScalars.allSatisfy(Self.isWhitespace) }

    /// A byte that is a whole printable ASCII character other than the space.
    private static func isPlainASCII(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }

    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 { return scalar.value == 0x20 || (0x09...0x0D).contains(scalar.value) }
        return scalar.value == 0x200B || scalar.properties.isWhitespace
    }
}
