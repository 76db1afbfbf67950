import Foundation
import OnlineSafetyCore

/// The code sets a CTF uses, mapped to the core's types.
enum CTFCodes {
    /// How a CTF relationship code maps: the relationship, and whether the code is one the
    /// reader knows (an unknown code maps to `.other` with a warning).
    struct RelationshipCode: Sendable {
        let relationship: Relationship
        let known: Bool
    }

    /// The DfE "relationship to pupil" codes (common basic data set) a CTF contact carries.
    static let relationships: [String: Relationship] = [
        "PAM": .mother,  // Mother
        "PAF": .father,  // Father
        "PAR": .parent,  // Parent
        "STM": .stepParent,  // Step-mother
        "STF": .stepParent,  // Step-father
        "STP": .stepParent,  // Step-parent
        "FOM": .fosterCarer,  // Foster mother
        "FOF": .fosterCarer,  // Foster father
        "FOS": .fosterCarer,  // Foster carer
        "CAR": .carer,  // Carer
        "GRM": .grandparent,  // Grandmother
        "GRF": .grandparent,  // Grandfather
        "GRP": .grandparent,  // Grandparent
        "REL": .otherRelative,  // Other relative
        "FAM": .otherRelative,  // Other family member
        "SWR": .socialWorker,  // Social worker
        "OTH": .other,  // Other contact
        "DOC": .other,  // Doctor
        "CHM": .other,  // Childminder
        "HTC": .other,  // Head teacher
        "RLG": .other,  // Religious or community contact
    ]

    /// Maps a relationship code (case and surrounding white space ignored).
    static func relationship(_ code: String) -> RelationshipCode {
        let key = code.trimmedWhitespace().uppercased()
        if let relationship = relationships[key] { return RelationshipCode(relationship: relationship, known: true) }
        return RelationshipCode(relationship: .other, known: false)
    }

    /// Parses `NCyearActual`: N1, N2, R, 1 to 14 (leading zeros allowed), X.
    static func ncYear(_ text: String) -> NCYear? {
        let key = text.trimmedWhitespace().uppercased()
        if let year = NCYear(rawValue: key) { return year }
        if !key.isEmpty, key.count <= 3, key.allSatisfy({ ("0"..."9").contains($0) }), let number = Int(key) {
            return NCYear(rawValue: String(number))
        }
        return nil
    }

    /// Parses a CTF boolean: `true`/`false` (also `1`/`0`, `yes`/`no`, any case).
    static func flag(_ text: String) -> Bool? {
        switch text.trimmedWhitespace().lowercased() {
        case "true", "1", "yes", "y": true
        case "false", "0", "no", "n": false
        default: nil
        }
    }

    /// Whether an `SENprovision` code means the pupil has special educational needs: anything
    /// but N (no special educational need) or an empty value.
    static func isSENProvision(_ code: String) -> Bool {
        let key = code.trimmedWhitespace().uppercased()
        return !(key.isEmpty || key == "N" || key == "NONE")
    }

    /// The major version of a `CTFversion` text such as `25.0`, or `nil` when it has no leading number.
    static func majorVersion(_ text: String) -> Int? {
        let trimmed = text.trimmedWhitespace()
        let digits = trimmed.prefix { ("0"..."9").contains($0) }
        guard !digits.isEmpty, digits.count <= 4 else { return nil }
        let rest = trimmed.dropFirst(digits.count)
        guard rest.isEmpty || rest.first == "." else { return nil }
        return Int(digits)
    }

    /// The date part of a header `DateTime` (`yyyy-MM-ddTHH:mm:ss`; a bare `yyyy-MM-dd` is accepted too).
    static func exportDate(_ text: String) -> CalendarDate? {
        let trimmed = text.trimmedWhitespace()
        guard trimmed.count >= 10 else { return nil }
        let datePart = String(trimmed.prefix(10))
        let rest = trimmed.dropFirst(10)
        if !rest.isEmpty {
            guard rest.first == "T" || rest.first == " " else { return nil }
            let time = rest.dropFirst()
            let parts = time.prefix(8).split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count >= 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy { ("0"..."9").contains($0) } }) else {
                return nil
            }
        }
        return CalendarDate(iso: datePart)
    }
}
