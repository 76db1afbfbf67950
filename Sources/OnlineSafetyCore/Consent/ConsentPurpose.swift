import Foundation

/// Something a school asks consent for: a use of a learner's image, a recording, a search.
///
/// The built-in catalogue follows the seed policies (Chilton §6.7, Mersham §7.9 and §9.3).
/// Schools and trusts add their own with codes `custom.<code>`.
public struct ConsentPurpose: Hashable, Sendable, Codable {
    /// A stable code, for example `images.website`.
    public let code: String
    /// Words for the purpose.
    public let name: String
    /// Whether it is one of the SDK's own.
    public let builtIn: Bool

    /// Creates a purpose.
    public init(code: String, name: String, builtIn: Bool = false) {
        self.code = code
        self.name = name
        self.builtIn = builtIn
    }

    /// Images on the school website.
    public static let websiteImages = ConsentPurpose(code: "images.website", name: "Images on the school website", builtIn: true)
    /// Images on the school's official social media.
    public static let socialMediaImages = ConsentPurpose(
        code: "images.social-media", name: "Images on the school's official social media", builtIn: true)
    /// Images in the press.
    public static let pressImages = ConsentPurpose(code: "images.press", name: "Images in the press", builtIn: true)
    /// Taking part in videoconferencing (Mersham §7.9.1).
    public static let videoconferencing = ConsentPurpose(code: "videoconferencing", name: "Taking part in videoconferencing", builtIn: true)
    /// Recording a lesson or videoconference (written permission of all participants).
    public static let lessonRecording = ConsentPurpose(
        code: "recording.lesson", name: "Recording a lesson or videoconference", builtIn: true)
    /// Tapestry journal images that show other families' children.
    public static let tapestrySharing = ConsentPurpose(
        code: "tapestry.shared-images", name: "Tapestry journal images shared with other families", builtIn: true)
    /// Searching a learner's phone (Mersham §9.3: consent of the learner or a parent).
    public static let phoneSearch = ConsentPurpose(code: "search.phone", name: "Searching the learner's phone", builtIn: true)

    /// The built-in purposes.
    public static let builtIns: [ConsentPurpose] = [
        .websiteImages, .socialMediaImages, .pressImages, .videoconferencing, .lessonRecording, .tapestrySharing, .phoneSearch,
    ]
}

/// Identifies a ``CustomConsentPurpose``.
public typealias CustomConsentPurposeID = Identifier<CustomConsentPurpose>

/// A school's or trust's own consent purpose, added to the built-in catalogue.
public struct CustomConsentPurpose: Aggregate {
    /// The purpose's identifier.
    public var id: CustomConsentPurposeID
    /// The school it belongs to, or `nil` when it is the trust's.
    public var schoolID: SchoolID?
    /// The trust it belongs to, for trust-wide purposes.
    public var trustID: TrustID?
    /// A short code, unique within the school and its trust (letters, digits and dashes).
    public var code: String
    /// Words for the purpose.
    public var name: String
    /// The optimistic-concurrency revision.
    public var revision: Int

    /// Creates a purpose.
    public init(
        id: CustomConsentPurposeID = CustomConsentPurposeID(), schoolID: SchoolID?, trustID: TrustID?, code: String, name: String,
        revision: Int = 0
    ) {
        self.id = id
        self.schoolID = schoolID
        self.trustID = trustID
        self.code = code
        self.name = name
        self.revision = revision
    }

    /// The purpose as consent decisions use it: code `custom.<code>`.
    public var purpose: ConsentPurpose { ConsentPurpose(code: "custom.\(code)", name: name) }

    /// Checks the scope, code and name.
    public func validate() throws(SafetyError) {
        guard (schoolID == nil) != (trustID == nil) else {
            throw .invalid("consentPurpose.scope", "a consent purpose belongs to one school or to the trust")
        }
        guard !code.isEmpty, code.count <= 64, code.allSatisfy({ ($0.isLetter && $0.isASCII) || $0.isASCIIDigit || $0 == "-" }) else {
            throw .invalid("consentPurpose.code", "a purpose code is letters, digits and dashes")
        }
        if name.trimmingCharacters(in: .whitespaces).isEmpty { throw .invalid("consentPurpose.name", "a consent purpose needs a name") }
    }
}
