import Crypto
public import Foundation

/// Who an acceptable use policy is written for (§5.1, §6.1 "Managing internet access").
///
/// Each person belongs to exactly one audience, from their kind and, for learners, their key stage:
/// "appropriate to their age, understanding and role".
public enum AUPAudience: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    /// Younger learners: EYFS and key stage 1.
    case youngerLearners
    /// Older learners: key stage 2 and above.
    case olderLearners
    /// Staff and volunteers.
    case staffAndVolunteers
    /// Governors and trustees.
    case governors
    /// Parents and carers.
    case parentsAndCarers
    /// Visitors, contractors and community users.
    case visitors

    /// Words for the audience, for lists and messages.
    public var title: String {
        switch self {
        case .youngerLearners: "younger learners (EYFS and KS1)"
        case .olderLearners: "older learners (KS2 and above)"
        case .staffAndVolunteers: "staff and volunteers"
        case .governors: "governors"
        case .parentsAndCarers: "parents and carers"
        case .visitors: "visitors and community users"
        }
    }

    /// The audience a person belongs to: learners by key stage, adults by the part they play.
    public static func of(_ person: Person) -> AUPAudience { of(person.kind, ncYear: person.learner?.ncYear) }

    /// The audience of a person of a kind and, for a learner, a year group (a learner outside
    /// year groups, or with none recorded, counts among the older learners).
    public static func of(_ kind: PersonKind, ncYear: NCYear?) -> AUPAudience {
        switch kind {
        case .learner: (ncYear?.keyStage ?? .ks2) <= .ks1 ? .youngerLearners : .olderLearners
        case .staff, .volunteer: .staffAndVolunteers
        case .governor: .governors
        case .parentCarer: .parentsAndCarers
        case .visitor, .contractor: .visitors
        }
    }

    /// Orders audiences as they are declared.
    public static func < (lhs: AUPAudience, rhs: AUPAudience) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Identifies an ``AUPDocument``.
public typealias AUPDocumentID = Identifier<AUPDocument>

/// One version of an acceptable use policy for one audience, at a school or across a trust.
///
/// Documents are never changed once published: a new version is a new document, and from its
/// effective date everyone in its audience must accept it again. The text itself lives wherever
/// the school keeps it; the SDK records its SHA-256 ``contentHash`` so an acceptance proves which
/// words were agreed to.
///
/// ```swift
/// let text = try Data(contentsOf: URL(fileURLWithPath: "staff-aup-2026.pdf"))
/// let aup = try await session.agreements.publish(
///     audience: .staffAndVolunteers, title: "Staff acceptable use policy", content: text,
///     effectiveFrom: CalendarDate(iso: "2026-09-01")!)
/// ```
public struct AUPDocument: Aggregate {
    /// The document's identifier.
    public var id: AUPDocumentID
    /// The school it applies to, or `nil` for a trust-wide document.
    public var schoolID: SchoolID?
    /// The trust it applies to, for trust-wide documents.
    public var trustID: TrustID?
    /// Who it is written for.
    public var audience: AUPAudience
    /// The version, from 1, counted per audience within the school or trust.
    public var version: Int
    /// The document's title.
    public var title: String
    /// The first day it is in force.
    public var effectiveFrom: CalendarDate
    /// The SHA-256 of the document's content, as 64 lower-case hexadecimal digits.
    public var contentHash: String
    /// Where the text is kept (a file name or web address), if given.
    public var reference: String?
    /// When it was published.
    public var publishedAt: Date
    /// Who published it.
    public var publishedBy: PersonID
    /// The optimistic-concurrency revision.
    public var revision: Int

    /// Creates a document.
    public init(
        id: AUPDocumentID = AUPDocumentID(), schoolID: SchoolID?, trustID: TrustID?, audience: AUPAudience, version: Int, title: String,
        effectiveFrom: CalendarDate, contentHash: String, reference: String? = nil, publishedAt: Date, publishedBy: PersonID,
        revision: Int = 0
    ) {
        self.id = id
        self.schoolID = schoolID
        self.trustID = trustID
        self.audience = audience
        self.version = version
        self.title = title
        self.effectiveFrom = effectiveFrom
        self.contentHash = contentHash
        self.reference = reference
        self.publishedAt = publishedAt
        self.publishedBy = publishedBy
        self.revision = revision
    }

    /// The SHA-256 of some content, as 64 lower-case hexadecimal digits.
    public static func contentHash(of content: Data) -> String {
        HexText.lowercase(SHA256.hash(data: content))
    }

    /// Whether this is a trust-wide document.
    public var isTrustWide: Bool { trustID != nil }

    /// Words naming the agreement, safe for messages: "the staff and volunteers acceptable use
    /// policy, version 3 (effective 2026-09-01)".
    public var name: String {
        "the \(audience.title) acceptable use policy, version \(version) (effective \(effectiveFrom))"
    }

    /// Whether the document applies at a school: its own, or its trust's.
    public func applies(to school: School) -> Bool {
        if let schoolID { return schoolID == school.id }
        return trustID != nil && trustID == school.trustID
    }

    /// Checks the scope, version, title and hash.
    public func validate() throws(SafetyError) {
        guard (schoolID == nil) != (trustID == nil) else {
            throw .invalid("aup.scope", "an acceptable use policy belongs to one school or to the trust")
        }
        guard version >= 1 else { throw .invalid("aup.version", "versions start at 1") }
        _ = try effectiveFrom.checked("aup.effectiveFrom", .policy, asOf: CalendarDate(publishedAt))
        if title.trimmingCharacters(in: .whitespaces).isEmpty { throw .invalid("aup.title", "an acceptable use policy needs a title") }
        guard contentHash.count == 64, contentHash.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            throw .invalid("aup.contentHash", "the content hash is a SHA-256 in 64 lower-case hexadecimal digits")
        }
    }

    /// The key that makes a version unique within its scope and audience.
    var versionKey: String {
        let scope = schoolID.map { "school:\($0.uuidString)" } ?? "trust:\(trustID?.uuidString ?? "")"
        return "\(scope)/\(audience.rawValue)/\(version)"
    }
}

/// The rules that decide which acceptable use policy is in force. Pure functions; no storage.
public enum AgreementRules {
    /// The document in force for an audience on a day, among those that apply at a school.
    ///
    /// The latest effective date wins, whether the document is the school's own or the trust's; on
    /// the same day a school's own document wins over the trust's, and then the higher version.
    /// Documents effective after the day are not yet in force.
    public static func current(for audience: AUPAudience, among documents: [AUPDocument], on date: CalendarDate) -> AUPDocument? {
        documents.filter { $0.audience == audience && $0.effectiveFrom <= date }.max { a, b in
            (a.effectiveFrom, a.isTrustWide ? 0 : 1, a.version, a.id.uuidString) < (
                b.effectiveFrom, b.isTrustWide ? 0 : 1, b.version, b.id.uuidString
            )
        }
    }

    /// The document in force for every audience that has one on a day.
    public static func currentByAudience(among documents: [AUPDocument], on date: CalendarDate) -> [AUPAudience: AUPDocument] {
        var result: [AUPAudience: AUPDocument] = [:]
        for audience in AUPAudience.allCases {
            if let document = current(for: audience, among: documents, on: date) { result[audience] = document }
        }
        return result
    }
}

/// A UUID derived from others, so that a record keyed by them is unique in every backend.
enum DerivedIdentifier {
    /// A version-8 UUID from the SHA-256 of a label and the UUIDs' bytes.
    static func make(_ label: String, _ parts: UUID...) -> UUID {
        var hasher = SHA256()
        hasher.update(data: Data(label.utf8))
        for part in parts { withUnsafeBytes(of: part.uuid) { hasher.update(bufferPointer: $0) } }
        var bytes = Array(hasher.finalize().prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10], bytes[11],
                bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}
