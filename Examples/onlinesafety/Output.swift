import Foundation

/// Text made safe for a terminal: every control character is shown escaped (`\u{1B}`), so text
/// from a record (a summary, a note, a name) cannot move the cursor, change colours, retitle the
/// window, hide what follows it or pass itself off as another line of output.
///
/// Escaped: C0 controls (U+0000–U+001F; `\n` too unless `keepingNewlines`), DEL, C1 controls
/// (U+0080–U+009F), and the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069)
/// that can make text read in a different order than it is stored. A tab becomes `\t`, a line
/// feed `\n`, a carriage return `\r`.
func terminalSafe(_ text: String, keepingNewlines: Bool = false) -> String {
    var result = ""
    result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
    for scalar in text.unicodeScalars {
        switch scalar.value {
        case 0x0A where keepingNewlines:
            result.unicodeScalars.append(scalar)
        case 0x09:
            result += "\\t"
        case 0x0A:
            result += "\\n"
        case 0x0D:
            result += "\\r"
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069:
            result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        default:
            result.unicodeScalars.append(scalar)
        }
    }
    return result
}

/// Prints one line to standard output with ``terminalSafe(_:keepingNewlines:)``: every line the
/// tool prints goes through here (or ``say(lines:)``), so no text from a record reaches the
/// terminal raw, and a line break inside a record shows as `\n` instead of starting a line.
func say(_ line: String = "") {
    print(terminalSafe(line))
}

/// Prints several lines, each escaped as ``say(_:)`` escapes it.
func say(lines: [String]) {
    for line in lines { say(line) }
}

/// Writes `error: <message>` to standard error, escaped as ``say(_:)`` escapes it.
func complain(_ message: String) {
    FileHandle.standardError.write(Data("error: \(terminalSafe(message))\n".utf8))
}

/// Writes `warning: <message>` to standard error, escaped.
func warn(_ message: String) {
    FileHandle.standardError.write(Data("warning: \(terminalSafe(message))\n".utf8))
}
