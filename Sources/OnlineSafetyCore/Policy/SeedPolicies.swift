import Foundation

/// The three seed schools' online safety policies as documents, each read from its own text with
/// its own section numbers and wording.
///
/// - Chilton Primary School (Viking Academy Trust, Kent template, reviewed Term 1 2021): §6–§10.
/// - Mersham Primary School (the older Kent template, reviewed September 2018): specific concerns
///   at §11.1–§11.7, "youth produced sexual imagery", and intelligence about child sexual
///   exploitation passed to the Child Sexual Exploitation Team (CSET).
/// - Dormansland Primary School (Surrey, adopted Autumn 2023): headed but unnumbered sections
///   (only IIOC is §11.3), Surrey Police and the Surrey Safeguarding Children Partnership.
///
/// The committed YAML files are `Sources/OnlineSafetyCore/Policy/Seeds/*.yaml`;
/// `scripts/generate-policy-seeds` turns them into the JSON text this type decodes.
public enum SeedPolicies {
    /// Chilton Primary School's policy.
    public static let chilton = decode("chilton")
    /// Mersham Primary School's policy.
    public static let mersham = decode("mersham")
    /// Dormansland Primary School's policy.
    public static let dormansland = decode("dormansland")

    /// All three, in the order of ``SeedSchools/all(vikingTrustID:)``.
    public static var all: [PolicyDocument] { [chilton, mersham, dormansland] }

    /// The policy a school follows until it adopts its own: its seed policy when it is one of
    /// the seed schools (by name), otherwise the Kent template as Chilton's policy gives it.
    public static func builtIn(forSchoolNamed name: String) -> PolicyDocument {
        all.first { $0.school == name } ?? template
    }

    /// The Kent template, as Chilton's policy gives it, for a school that has adopted none.
    public static let template: PolicyDocument = {
        var document = chilton
        document.school = "Kent online safety policy template"
        document.title = "Kent online safety policy template (as Chilton Primary School's policy, reviewed Term 1 2021)"
        document.version = "template-" + chilton.version
        document.adoptedBy = nil
        return document
    }()

    static func decode(_ name: String) -> PolicyDocument {
        guard let text = text[name], let document = try? JSONDecoder().decode(PolicyDocument.self, from: Data(text.utf8)) else {
            preconditionFailure("the seed policy \(name) does not decode; run scripts/generate-policy-seeds")
        }
        return document
    }
}
