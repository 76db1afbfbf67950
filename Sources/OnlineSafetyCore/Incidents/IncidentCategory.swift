import Foundation

/// The four areas of online risk.
public enum RiskArea: String, Hashable, Sendable, Codable, CaseIterable {
    /// Being exposed to illegal, inappropriate or harmful content.
    case content
    /// Being subjected to harmful online interaction with other users.
    case contact
    /// Online behaviour that increases the likelihood of, or causes, harm.
    case conduct
    /// Risks such as online gambling, inappropriate advertising, phishing or financial scams.
    case commerce
}

/// A category of incident: one of the built-in categories every school's policy names, or a
/// school's own category filed under one of them.
public struct IncidentCategory: Hashable, Sendable, Codable {
    /// A stable code, for example `nudeImageSharing`, or `custom.<code>` for a school's own.
    public let code: String
    /// Words for the category.
    public let name: String
    /// The built-in category whose procedure applies (itself for built-ins).
    public let procedureCode: String
    /// Whether only the DSL and deputies may learn that such an incident exists.
    public let restricted: Bool
    /// Whether the SDK refuses image and video attachments for it.
    public let refusesImagery: Bool

    /// Filtering breach (policy §6.3.2).
    public static let filteringBreach = builtIn("filteringBreach", "Filtering breach")
    /// Cyberbullying (§10.1.3).
    public static let cyberbullying = builtIn("cyberbullying", "Cyberbullying")
    /// Online child-on-child (peer-on-peer) abuse (§10.1).
    public static let childOnChildAbuse = builtIn("childOnChildAbuse", "Online child-on-child abuse")
    /// Online sexual violence and sexual harassment (§10.1.1).
    public static let sexualViolenceHarassment = builtIn("sexualViolenceHarassment", "Online sexual violence or sexual harassment")
    /// Nude or semi-nude image sharing (§10.1.2).
    public static let nudeImageSharing = builtIn("nudeImageSharing", "Nude or semi-nude image sharing", restricted: true, imagery: true)
    /// Online child sexual abuse and exploitation, including criminal exploitation (§10.2).
    public static let sexualAbuseExploitation = builtIn(
        "sexualAbuseExploitation", "Online child sexual abuse or exploitation (including criminal exploitation)", restricted: true)
    /// Indecent images of children (§10.3).
    public static let indecentImages = builtIn("indecentImages", "Indecent images of children (IIOC)", restricted: true, imagery: true)
    /// Online hate (§10.4).
    public static let onlineHate = builtIn("onlineHate", "Online hate")
    /// Online radicalisation and extremism (§10.5).
    public static let radicalisation = builtIn("radicalisation", "Online radicalisation and extremism")
    /// Cybercrime (§10.6).
    public static let cybercrime = builtIn("cybercrime", "Cybercrime")
    /// A concern about a member of staff's online conduct (§8.2): an allegation against staff.
    public static let staffConduct = builtIn("staffConduct", "Concern about staff online conduct", restricted: true)
    /// A concern about a parent or carer's online conduct (§8.2).
    public static let parentConduct = builtIn("parentConduct", "Concern about a parent or carer's online conduct")
    /// A concern about content on the learning platform.
    public static let learningPlatformContent = builtIn("learningPlatformContent", "Learning platform content concern")

    /// Every built-in category, in the order the policies give them.
    public static let builtIns: [IncidentCategory] = [
        filteringBreach, cyberbullying, childOnChildAbuse, sexualViolenceHarassment, nudeImageSharing, sexualAbuseExploitation,
        indecentImages, onlineHate, radicalisation, cybercrime, staffConduct, parentConduct, learningPlatformContent,
    ]

    /// The built-in category with a code, if any.
    public static func builtIn(code: String) -> IncidentCategory? { builtIns.first { $0.code == code } }

    private static func builtIn(_ code: String, _ name: String, restricted: Bool = false, imagery: Bool = false) -> IncidentCategory {
        IncidentCategory(code: code, name: name, procedureCode: code, restricted: restricted, refusesImagery: imagery)
    }

    /// Creates a category; use ``CustomCategory`` to add a school's own.
    public init(code: String, name: String, procedureCode: String, restricted: Bool, refusesImagery: Bool) {
        self.code = code
        self.name = name
        self.procedureCode = procedureCode
        self.restricted = restricted
        self.refusesImagery = refusesImagery
    }
}

/// Identifies a ``CustomCategory``.
public typealias CustomCategoryID = Identifier<CustomCategory>

/// A school's or trust's own category, filed under a built-in one whose procedure and
/// restrictions it inherits (for example "Online gaming contact" under child sexual exploitation).
public struct CustomCategory: Aggregate {
    /// The category's identifier.
    public var id: CustomCategoryID
    /// The school it belongs to, or `nil` when it is the trust's.
    public var schoolID: SchoolID?
    /// The trust it belongs to, for trust-wide categories.
    public var trustID: TrustID?
    /// A short code, unique within the school or trust (letters, digits and dashes).
    public var code: String
    /// Words for the category.
    public var name: String
    /// The built-in category it is filed under.
    public var parentCode: String
    /// The optimistic-concurrency revision.
    public var revision: Int

    /// Creates a category.
    public init(
        id: CustomCategoryID = CustomCategoryID(), schoolID: SchoolID?, trustID: TrustID?, code: String, name: String,
        parentCode: String, revision: Int = 0
    ) {
        self.id = id
        self.schoolID = schoolID
        self.trustID = trustID
        self.code = code
        self.name = name
        self.parentCode = parentCode
        self.revision = revision
    }

    /// The category as incidents use it: restrictions and procedure from its parent.
    public var category: IncidentCategory {
        let parent = IncidentCategory.builtIn(code: parentCode)
        return IncidentCategory(
            code: "custom.\(code)", name: name, procedureCode: parentCode, restricted: parent?.restricted ?? true,
            refusesImagery: parent?.refusesImagery ?? true)
    }

    /// Checks the code, name and parent.
    public func validate() throws(SafetyError) {
        guard !code.isEmpty, code.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
            throw .invalid("category.code", "a category code is letters, digits and dashes")
        }
        if name.isBlank { throw .invalid("category.name", "a category needs a name") }
        guard IncidentCategory.builtIn(code: parentCode) != nil else {
            throw .invalid("category.parentCode", "a school's category is filed under one of the trust's built-in categories")
        }
        guard (schoolID == nil) != (trustID == nil) else {
            throw .invalid("category.schoolID", "a category belongs to a school or to a trust")
        }
    }
}
