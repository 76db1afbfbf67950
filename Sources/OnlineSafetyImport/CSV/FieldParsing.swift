import Foundation
import OnlineSafetyCore

/// Parsers for the values roster files hold, shared by the readers. None quotes a value in a
/// problem's reason.
enum FieldParsing {
    /// Whether a character is one of the ASCII digits 0 to 9.
    static func isDigit(_ character: Character) -> Bool { character.isASCII && character.isNumber }

    /// Text trimmed of white space, or `nil` when blank.
    static func text(_ value: String) -> String? {
        let trimmed = value.trimmedWhitespace()
        return trimmed.isEmpty ? nil : trimmed
    }

    /// A yes/no value: Yes/No, True/False, Y/N, 1/0 in any case; `nil` when unrecognised.
    static func boolean(_ value: String) -> Bool? {
        switch value.trimmedWhitespace().lowercased() {
        case "yes", "y", "true", "t", "1": true
        case "no", "n", "false", "f", "0": false
        default: nil
        }
    }

    /// A year group: `R`, `Reception`, `KG` → reception; `N1`, `N2`, `PK` → nursery; `1`..`14`
    /// with or without a leading zero or `Y`/`Year`; `X`. `nil` when unrecognised.
    static func ncYear(_ value: String) -> NCYear? {
        var code = value.trimmedWhitespace().uppercased().replacingOccurrences(of: " ", with: "")
        switch code {
        case "R", "REC", "RECEPTION", "YR", "KG": return .reception
        case "N1", "NURSERY1": return .nursery1
        case "N2", "NURSERY2", "PK", "NURSERY": return .nursery2
        case "X": return .outsideYearGroups
        default: break
        }
        if code.hasPrefix("YEAR") {
            code.removeFirst(4)
        } else if code.hasPrefix("Y") {
            code.removeFirst()
        }
        guard !code.isEmpty, code.count <= 3, code.allSatisfy(FieldParsing.isDigit), let number = Int(code), (1...14).contains(number)
        else { return nil }
        return NCYear(rawValue: String(number))
    }

    /// How a relationship is written, mapped; `nil` when unrecognised.
    static func relationship(_ value: String) -> Relationship? {
        let key = String(value.lowercased().filter { $0.isLetter })
        switch key {
        case "mother", "mum", "mom": return .mother
        case "father", "dad": return .father
        case "parent", "parentcarer", "parentguardian": return .parent
        case "stepmother", "stepfather", "stepparent": return .stepParent
        case "fostercarer", "fosterparent", "fostermother", "fosterfather": return .fosterCarer
        case "carer", "guardian", "legalguardian": return .carer
        case "grandparent", "grandmother", "grandfather", "grandma", "grandad", "grandpa": return .grandparent
        case "aunt", "uncle", "otherrelative", "relative", "sibling", "brother", "sister", "cousin", "auntuncle":
            return .otherRelative
        case "socialworker": return .socialWorker
        case "other", "otherfamilymember", "familyfriend", "friend", "childminder": return .other
        default: return nil
        }
    }

    /// A plausible email address: one `@` with text either side, a dot in the domain, no spaces.
    static func isEmail(_ value: String) -> Bool {
        if let plain = isPlainEmail(value) { return plain }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix(".")
        else { return false }
        return !value.contains(where: { $0.isWhitespace })
    }

    /// ``isEmail(_:)`` of ASCII text, worked out over its bytes; `nil` for any other text.
    private static func isPlainEmail(_ value: String) -> Bool? {
        var at: Int?
        var lastDot: Int?
        var count = 0
        for byte in value.utf8 {
            guard byte < 0x80 else { return nil }
            switch byte {
            case 0x40:
                guard at == nil else { return false }
                at = count
            case 0x2E:
                if let at, count == at + 1 { return false }
                lastDot = count
            case 0x09...0x0D, 0x20: return false
            default: break
            }
            count += 1
        }
        guard let at, at > 0, let lastDot, lastDot > at, lastDot < count - 1 else { return false }
        return true
    }

    /// Whether text holds a character no record may store (U+0000 and other C0 controls except
    /// tab and line breaks).
    static func hasControlCharacter(_ value: String) -> Bool {
        value.unicodeScalars.contains { $0.value < 0x20 && $0 != "\t" && $0 != "\n" && $0 != "\r" }
    }

    /// The outcome of reading a date.
    enum DateResult: Equatable {
        /// A real date.
        case date(CalendarDate)
        /// Not in the expected shape.
        case badFormat
        /// In the expected shape but no such day (31/02, month 13).
        case impossible
    }

    /// An ISO date, `yyyy-MM-dd`, with an optional time part after `T` or a space.
    static func isoDate(_ value: String) -> DateResult {
        if let plain = plainISODate(value) { return plain }
        let trimmed = value.trimmedWhitespace()
        let datePart = trimmed.split(maxSplits: 1, whereSeparator: { $0 == "T" || $0 == " " }).first.map(String.init) ?? ""
        let parts = datePart.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(isDigit) }), let year = Int(parts[0]), let month = Int(parts[1]),
            let day = Int(parts[2])
        else { return .badFormat }
        guard let date = CalendarDate(year: year, month: month, day: day) else { return .impossible }
        return .date(date)
    }

    /// ``isoDate(_:)`` of the common case, `yyyy-MM-dd` alone or followed by `T` or a space,
    /// read over its bytes; `nil` for anything else, left to the careful path.
    private static func plainISODate(_ value: String) -> DateResult? {
        value.utf8.withContiguousStorageIfAvailable { bytes -> DateResult? in
            guard bytes.count == 10 || (bytes.count > 10 && (bytes[10] == 0x54 || bytes[10] == 0x20)) else { return nil }
            func number(_ range: Range<Int>) -> Int? {
                var result = 0
                for index in range {
                    guard (0x30...0x39).contains(bytes[index]) else { return nil }
                    result = result * 10 + Int(bytes[index] - 0x30)
                }
                return result
            }
            guard bytes[4] == 0x2D, bytes[7] == 0x2D, let year = number(0..<4), let month = number(5..<7), let day = number(8..<10)
            else { return nil }
            return CalendarDate(year: year, month: month, day: day).map { .date($0) } ?? .impossible
        } ?? nil
    }

    /// A date in a slashed day-month or month-day order (`dd/MM/yyyy`, `MM/dd/yyyy`, 1 or 2
    /// digit day and month, 4-digit year), with an optional time part after a space or `T`.
    static func slashedDate(_ value: String, dayFirst: Bool) -> DateResult {
        let trimmed = value.trimmedWhitespace()
        let datePart = trimmed.split(maxSplits: 1, whereSeparator: { $0 == "T" || $0 == " " }).first.map(String.init) ?? ""
        let parts = datePart.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, (1...2).contains(parts[0].count), (1...2).contains(parts[1].count), parts[2].count == 4,
            parts.allSatisfy({ $0.allSatisfy(isDigit) }), let first = Int(parts[0]), let second = Int(parts[1]),
            let year = Int(parts[2])
        else { return .badFormat }
        let (day, month) = dayFirst ? (first, second) : (second, first)
        guard let date = CalendarDate(year: year, month: month, day: day) else { return .impossible }
        return .date(date)
    }

    /// The entries of a list field, split on `separator`, trimmed, empties dropped.
    static func list(_ value: String, separator: Character) -> [String] {
        value.split(separator: separator).compactMap { text(String($0)) }
    }

    /// Appends `item` unless already present.
    static func appendUnique(_ item: String, to list: inout [String]) {
        if !list.contains(item) { list.append(item) }
    }
}
