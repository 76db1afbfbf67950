import CSV
import Foundation
import OnlineSafetyCore

/// A CSV file parsed into a header and rows, each row knowing the physical line it starts on.
///
/// Parsing is CSV.swift's; this type adds what the readers need around it: the UTF-8 byte order
/// mark removed, a Windows-1252 fallback for files that are not UTF-8, blank lines dropped, and
/// line numbers counted from the line breaks each record consumed (a quoted field can span lines).
struct CSVTable: Sendable {
    /// One data row.
    struct Row: Sendable {
        /// The 1-based physical line the row starts on.
        var line: Int
        /// The fields as written, unquoted.
        var fields: [String]

        /// The field at `index`, or the empty string when the row is short.
        subscript(_ index: Int?) -> String {
            guard let index, index >= 0, index < fields.count else { return "" }
            return fields[index]
        }
    }

    /// The file's name, for locations.
    var file: String
    /// The headers as written (trimmed of surrounding white space).
    var headers: [String]
    /// The data rows, blank lines left out.
    var rows: [Row]
    /// Problems found while parsing (encoding, field counts, an unterminated quote).
    var problems: [RosterProblem]

    /// The largest file the readers accept, in bytes.
    static let maximumBytes = 256 * 1024 * 1024

    /// A header in the form headers are compared in: lower case, without white space.
    static func normalise(_ header: String) -> String {
        String(header.lowercased().unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) })
    }

    /// The location of a whole file.
    static func fileLocation(_ file: String) -> FileLocation { FileLocation(file: file, line: 0) }

    /// Parses `data`.
    ///
    /// Requires nothing of the bytes. Throws `csv.tooLarge` for a file over ``maximumBytes``,
    /// `csv.encoding` (at line 1) for UTF-16 or UTF-32 text, and `csv.empty` when there is no
    /// header row; everything else is reported in ``problems``.
    static func parse(_ data: Data, file: String) throws(RosterProblem) -> CSVTable {
        guard data.count <= maximumBytes else {
            throw .error("csv.tooLarge", at: fileLocation(file), "the file is larger than the readers accept")
        }
        if let encoding = wideEncoding(of: data) {
            // Read as Windows-1252 it would only fail later, as a header that matches no column.
            throw .error(
                "csv.encoding", at: FileLocation(file: file, line: 1),
                "the file is \(encoding) text; the readers take UTF-8: save it as \"CSV UTF-8\" and import it again")
        }
        var problems: [RosterProblem] = []
        var text: String
        if let decoded = String(data: data, encoding: .utf8) {
            text = decoded
        } else {
            text = String(data: data, encoding: .windowsCP1252) ?? String(data: data, encoding: .isoLatin1) ?? ""
            problems.append(
                .warning("csv.encoding", at: fileLocation(file), "the file is not UTF-8; it was read as Windows-1252"))
        }
        if text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }

        let records: [[String]]
        do {
            let reader = try CSVReader(string: text, hasHeaderRow: false)
            var collected: [[String]] = []
            while let row = reader.next() { collected.append(row) }
            records = collected
        } catch {
            throw .error("csv.unreadable", at: fileLocation(file), "the file could not be read as CSV")
        }

        var line = 1
        var header: [String]?
        var rows: [Row] = []
        for record in records {
            let start = line
            line += 1 + record.reduce(0) { $0 + lineBreaks(in: $1) }
            if record.allSatisfy(\.isBlank) { continue }
            if header == nil {
                header = record.map { $0.trimmedWhitespace() }
            } else {
                rows.append(Row(line: start, fields: record))
            }
        }
        guard let header else { throw .error("csv.empty", at: fileLocation(file), "the file has no header row") }

        // The rows after a quote that never closes cannot be told apart: the file is refused
        // whole, rather than read short (a full export read short would make leavers).
        if let openLine = unterminatedQuoteLine(text) {
            throw .error(
                "csv.unterminatedQuote", at: FileLocation(file: file, line: openLine),
                "a quoted field opened on this line is never closed, so the rows after it cannot be read")
        }
        return CSVTable(file: file, headers: header, rows: rows, problems: problems)
    }

    /// `UTF-16` or `UTF-32` when the bytes are text in one of them, by its byte order mark or, without
    /// one, by the NUL bytes every other byte of ASCII text has in UTF-16; `nil` otherwise.
    static func wideEncoding(of data: Data) -> String? {
        let head = Array(data.prefix(4))
        if head == [0xFF, 0xFE, 0x00, 0x00] || head == [0x00, 0x00, 0xFE, 0xFF] { return "UTF-32" }
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) { return "UTF-16" }
        guard head.count == 4 else { return nil }
        let littleEndian = head[0] != 0 && head[1] == 0 && head[2] != 0 && head[3] == 0
        let bigEndian = head[0] == 0 && head[1] != 0 && head[2] == 0 && head[3] != 0
        return littleEndian || bigEndian ? "UTF-16" : nil
    }

    /// How many physical line breaks (CR LF, CR or LF) a field holds.
    static func lineBreaks(in field: String) -> Int {
        var count = 0
        var afterCR = false
        for scalar in field.unicodeScalars {
            if scalar == "\r" {
                count += 1
                afterCR = true
            } else {
                if scalar == "\n" && !afterCR { count += 1 }
                afterCR = false
            }
        }
        return count
    }

    /// The line a quoted field opens on when the file ends inside it, else `nil`.
    ///
    /// Follows CSV.swift's rules: a field is quoted when it starts with a quote, and a quote
    /// inside closes it only when followed by a comma, a line break or the end of the file.
    static func unterminatedQuoteLine(_ text: String) -> Int? {
        var line = 1
        var quoted = false
        var openedOn = 1
        var atFieldStart = true
        var previousCR = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar?
        while let scalar = pending ?? iterator.next() {
            pending = nil
            if scalar == "\r" || (scalar == "\n" && !previousCR) { line += 1 }
            previousCR = scalar == "\r"
            if quoted {
                guard scalar == "\"" else { continue }
                guard let next = iterator.next() else { return nil }
                if next == "," || next == "\r" || next == "\n" {
                    quoted = false
                    pending = next
                }
                continue
            }
            if scalar == "\"" && atFieldStart {
                quoted = true
                openedOn = line
                atFieldStart = false
            } else {
                atFieldStart = scalar == "," || scalar == "\r" || scalar == "\n"
            }
        }
        return quoted ? openedOn : nil
    }

    /// The index of the first header matching one of `names` (compared by ``normalise(_:)``),
    /// skipping `taken` columns.
    func column(_ names: [String], excluding taken: Set<Int> = []) -> Int? {
        let wanted = names.map(CSVTable.normalise)
        let normalised = headers.map(CSVTable.normalise)
        for name in wanted {
            if let index = normalised.indices.first(where: { normalised[$0] == name && !taken.contains($0) }) {
                return index
            }
        }
        return nil
    }

    /// The location of a field on a row: the file, the row's line, the 1-based column and the
    /// header as written.
    func location(_ row: Row, _ column: Int?) -> FileLocation {
        guard let column, column < headers.count else { return FileLocation(file: file, line: row.line) }
        return FileLocation(file: file, line: row.line, column: column + 1, field: headers[column])
    }

    /// Warnings for rows whose field count differs from the header's.
    func fieldCountProblems() -> [RosterProblem] {
        rows.compactMap { row in
            guard row.fields.count != headers.count else { return nil }
            let reason =
                row.fields.count < headers.count
                ? "the row has fewer fields than the header; the missing ones are read as blank"
                : "the row has more fields than the header; the extra ones are ignored"
            return .warning("csv.fieldCount", at: FileLocation(file: file, line: row.line), reason)
        }
    }
}
