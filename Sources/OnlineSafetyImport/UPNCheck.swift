import Foundation
public import OnlineSafetyCore

/// Checks a unique pupil number as the readers find it in a file.
///
/// A UPN whose shape or check letter is wrong is an error (the row is rejected); a UPN whose
/// local authority code (characters 2 to 4) is not in ``knownAuthorityCodes`` is only a warning,
/// because LA codes change with local government reorganisation and a list can be out of date.
/// Temporary UPNs (ending in a letter) are accepted.
public enum UPNCheck {
    /// Checks `text` (surrounding white space is ignored, letters may be lower case).
    ///
    /// Requires nothing of `text`. Throws nothing: returns the UPN (or `nil` when it is
    /// rejected) and the problems found, each at `location` with its field set to `UPN` unless
    /// the location already names one. Codes: `upn.missing` and `upn.malformed` (wrong shape),
    /// `upn.checkLetter` (errors), `upn.unknownAuthority` (warning). Reasons never quote the value.
    public static func check(_ text: String, at location: FileLocation) -> (UPN?, [RosterProblem]) {
        let place = location.field == nil ? location.field("UPN") : location
        let trimmed = text.trimmedWhitespace()
        // Most UPNs are written as they are stored: checked on their bytes, without the steps
        // below that say what is wrong.
        if UPN.isValidAsWritten(trimmed), let upn = try? UPN(trimmed) {
            let authority = String(decoding: trimmed.utf8.dropFirst().prefix(3), as: UTF8.self)
            return (upn, knownAuthoritySet.contains(authority) ? [] : [unknownAuthority(at: place)])
        }
        let characters = Array(trimmed.uppercased())
        guard !characters.isEmpty else {
            return (nil, [.error("upn.missing", at: place, "the UPN is missing")])
        }
        guard characters.count == 13 else {
            return (nil, [.error("upn.malformed", at: place, "a UPN has 13 characters")])
        }
        guard checkAlphabet.contains(characters[0]) else {
            return (nil, [.error("upn.malformed", at: place, "a UPN starts with a check letter (A to Z without I, O and S)")])
        }
        guard characters[1...11].allSatisfy(isDigit) else {
            return (nil, [.error("upn.malformed", at: place, "characters 2 to 12 of a UPN are digits")])
        }
        guard isDigit(characters[12]) || checkAlphabet.contains(characters[12]) else {
            return (nil, [.error("upn.malformed", at: place, "the last character of a UPN is a digit or a letter other than I, O and S")])
        }
        guard let expected = UPN.checkLetter(for: characters[1...]), expected == characters[0] else {
            return (nil, [.error("upn.checkLetter", at: place, "the check letter of the UPN does not match the rest of it")])
        }
        let upn: UPN
        do {
            upn = try UPN(String(characters))
        } catch {
            return (nil, [.error("upn.malformed", at: place, "the UPN is not valid")])
        }
        return (upn, knownAuthoritySet.contains(String(characters[1...3])) ? [] : [unknownAuthority(at: place)])
    }

    private static func unknownAuthority(at place: FileLocation) -> RosterProblem {
        .warning(
            "upn.unknownAuthority", at: place,
            "characters 2 to 4 of the UPN are not a local authority code on the reader's list; the UPN is kept")
    }

    /// Whether `code` (3 digits) is a local authority or pseudo-LA code on the reader's list.
    ///
    /// Requires nothing; throws nothing.
    public static func isKnownAuthority(_ code: String) -> Bool { knownAuthoritySet.contains(code) }

    /// Every LA code a UPN may carry: current and former English authorities (a UPN keeps the
    /// code of the authority it was issued in), Welsh authorities (Wales issues UPNs in the same
    /// form), and pseudo-LA codes.
    ///
    /// Kept as data so that a reorganisation is one edit here; a code missing from the list only
    /// ever produces a warning.
    public static let knownAuthorityCodes: [String] =
        LocalAuthorityCodes.england.map(\.code) + LocalAuthorityCodes.formerEngland.map(\.code)
        + LocalAuthorityCodes.wales.map(\.code) + LocalAuthorityCodes.pseudo.map(\.code)

    private static let knownAuthoritySet = Set(knownAuthorityCodes)
    private static let checkAlphabet = Set("ABCDEFGHJKLMNPQRTUVWXYZ")
    private static func isDigit(_ character: Character) -> Bool { ("0"..."9").contains(character) }
}
