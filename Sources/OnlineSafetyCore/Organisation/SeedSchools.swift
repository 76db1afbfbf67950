/// The three seed schools, ready to store, with policy settings taken from each school's online safety policy.
///
/// - Chilton Primary School, Ramsgate (Viking Academy Trust, Kent).
/// - Mersham Primary School, Ashford (Kent, no trust).
/// - Dormansland Primary School (Surrey, no trust).
///
/// Every contact, system and figure is the one the school's policy gives. Where a policy names nobody
/// for a role that ``PolicySettings`` requires (the DSL, the head), the contact carries the role's
/// name instead; roles that are optional and unnamed stay `nil`. School holidays are left empty.
///
/// Mersham's URN (118377) is its published one. The URNs of Chilton and Dormansland, and all three
/// DfE numbers, are illustrative: they have the right shape and local authority code (Kent 886,
/// Surrey 936) but are not the schools' registered identifiers.
///
/// ```swift
/// let trust = SeedSchools.vikingAcademyTrust()
/// let chilton = SeedSchools.chilton(trustID: trust.id)
/// for school in SeedSchools.all(vikingTrustID: trust.id) {
///     try school.validate()
/// }
/// ```
public enum SeedSchools {
    // MARK: - Viking Academy Trust

    /// The Viking Academy Trust, which holds Chilton Primary, Ramsgate Arts Primary and Upton Junior.
    ///
    /// Chilton's policy does not give the trust's Companies House number, so none is set.
    public static func vikingAcademyTrust(id: TrustID = TrustID()) -> Trust {
        Trust(id: id, name: "Viking Academy Trust")
    }

    // MARK: - Chilton Primary School

    /// Chilton Primary School's settings, from its online safety policy (Viking Academy Trust, reviewed annually in term 1).
    ///
    /// - Kate Law is both DSL and Head of School; no deputy DSL, chair of governors or SENCO is named.
    /// - Hannah Cheshire is the named safeguarding governor and Joanna Brand the trust safeguarding governor.
    /// - Advice comes from the Kent Education Safeguarding Service (Thanet, 03000 418 503); the Kent LADO
    ///   is on 03000 41 08 88 and kentchildrenslado@kent.gov.uk; the police on 101.
    /// - Netsweeper filters the Schools Broadband connection; Microsoft Teams is the learning platform and
    ///   Bromcom / My Child At School (MCAS) tracks progress.
    /// - Staff change passwords every term; the DSL meets the school governor three times a year and the
    ///   trust governor at least once.
    public static func chiltonSettings() -> PolicySettings {
        let headOfSchool = NamedContact(name: "Kate Law", title: "Head of School")
        return PolicySettings(
            designatedSafeguardingLead: headOfSchool,
            deputyDesignatedSafeguardingLeads: [],
            headteacher: headOfSchool,
            headteacherTitle: "Head of School",
            chairOfGovernors: nil,
            safeguardingGovernor: NamedContact(name: "Hannah Cheshire", title: "Named governor with lead responsibility"),
            trustSafeguardingGovernor: NamedContact(name: "Joanna Brand", title: "Trust governor with lead responsibility"),
            senco: nil,
            safeguardingAdvice: Agency(name: "Kent Education Safeguarding Service", area: "Thanet", phone: "03000 418 503"),
            lado: Agency(
                name: "Local Authority Designated Officer (LADO)",
                area: "Kent",
                phone: "03000 41 08 88",
                email: "kentchildrenslado@kent.gov.uk"
            ),
            police: Agency(name: "Kent Police", phone: "101"),
            filteringProvider: "Netsweeper",
            internetServiceProvider: "Schools Broadband",
            learningPlatform: "Microsoft Teams",
            progressApps: ["Bromcom / MCAS"],
            socialMediaChannels: ["Facebook: Chilton Primary", "Twitter: ChiltonRamsgate", "Instagram: chiltonramsgate"],
            policyReviewIntervalMonths: 12,
            staffPasswordRotation: "every term",
            dslGovernorMeetingsPerYear: 3,
            dslTrustGovernorMeetingsPerYear: 1,
            learnerConsentAge: 13,
            ladoContactWorkingDays: 1,
            holidays: []
        )
    }

    /// Chilton Primary School, Ramsgate: a primary academy in Kent and a member of the Viking Academy Trust.
    ///
    /// The URN and DfE number are illustrative.
    public static func chilton(trustID: TrustID?, id: SchoolID = SchoolID()) -> School {
        School(
            id: id,
            trustID: trustID,
            urn: "999001",
            dfeNumber: dfeNumber(laCode: kentLACode, establishmentNumber: "9001"),
            name: "Chilton Primary School",
            phase: .primary,
            keyStages: primaryKeyStages,
            settings: chiltonSettings()
        )
    }

    // MARK: - Mersham Primary School

    /// Mersham Primary School's settings, from its online safety policy (reviewed September 2018, at least annually).
    ///
    /// - Cheryl Chalkley is both DSL and Headteacher; Sarah Wilson is the SENCO; no deputy DSL, chair of
    ///   governors or safeguarding governor is named.
    /// - Advice comes from Kent's Education Safeguarding Team (03000 415797); the policy names the LADO
    ///   without contact details; the police are Kent Police on 101.
    /// - Lightspeed filters the EIS connection; no learning platform is named; Tapestry records Early
    ///   Years progress; the school runs no official social media channels.
    /// - Staff change passwords every season, and the DSL meets the safeguarding governor seasonally,
    ///   read here as four times a year.
    public static func mershamSettings() -> PolicySettings {
        let headteacher = NamedContact(name: "Cheryl Chalkley", title: "Headteacher")
        return PolicySettings(
            designatedSafeguardingLead: headteacher,
            deputyDesignatedSafeguardingLeads: [],
            headteacher: headteacher,
            headteacherTitle: "Headteacher",
            chairOfGovernors: nil,
            safeguardingGovernor: nil,
            trustSafeguardingGovernor: nil,
            senco: NamedContact(name: "Sarah Wilson", title: "SENCO"),
            safeguardingAdvice: Agency(
                name: "Education Safeguarding Team",
                area: "Kent",
                phone: "03000 415797",
                website: "www.kelsi.org.uk/support-for-children-and-young-people/child-protection-and-safeguarding"
            ),
            lado: Agency(name: "Local Authority Designated Officer (LADO)", area: "Kent"),
            police: Agency(name: "Kent Police", phone: "101", website: "www.kent.police.uk"),
            filteringProvider: "Lightspeed",
            internetServiceProvider: "EIS",
            learningPlatform: nil,
            progressApps: ["Tapestry"],
            socialMediaChannels: [],
            policyReviewIntervalMonths: 12,
            staffPasswordRotation: "every season",
            dslGovernorMeetingsPerYear: 4,
            dslTrustGovernorMeetingsPerYear: 0,
            learnerConsentAge: 13,
            ladoContactWorkingDays: 1,
            holidays: []
        )
    }

    /// Mersham Primary School, Ashford: a maintained primary in Kent, outside any multi-academy trust.
    ///
    /// The URN is the school's published one; the DfE number is illustrative.
    public static func mersham(trustID: TrustID? = nil, id: SchoolID = SchoolID()) -> School {
        School(
            id: id,
            trustID: trustID,
            urn: "118377",
            dfeNumber: dfeNumber(laCode: kentLACode, establishmentNumber: "9002"),
            name: "Mersham Primary School",
            phase: .primary,
            keyStages: primaryKeyStages,
            settings: mershamSettings()
        )
    }

    // MARK: - Dormansland Primary School

    /// Dormansland Primary School's settings, from its online safety policy (adopted autumn 2023, reviewed annually).
    ///
    /// - The policy names no DSL, deputy DSL, headteacher, chair of governors, safeguarding governor or
    ///   SENCO, so the DSL and head carry their role names and the rest stay `nil`. (It was written by
    ///   Mark Cook and reviewed by governor Marie Langer, but gives neither a role in these settings.)
    /// - Advice comes from the Surrey Safeguarding Children Partnership; the policy names the LADO
    ///   without contact details; the police are Surrey Police on 101.
    /// - LGfL WebScreen filters the BT Unicorn connection; no learning platform, progress app or social
    ///   media channel is named.
    /// - The policy sets no password rotation, so the stricter default, every term, applies; the DSL
    ///   meets the safeguarding governor "regularly", taken as the default three times a year.
    public static func dormanslandSettings() -> PolicySettings {
        PolicySettings(
            designatedSafeguardingLead: NamedContact(name: "Designated Safeguarding Lead"),
            deputyDesignatedSafeguardingLeads: [],
            headteacher: NamedContact(name: "Headteacher"),
            headteacherTitle: "Headteacher",
            chairOfGovernors: nil,
            safeguardingGovernor: nil,
            trustSafeguardingGovernor: nil,
            senco: nil,
            safeguardingAdvice: Agency(name: "Surrey Safeguarding Children Partnership", area: "Surrey"),
            lado: Agency(name: "Local Authority Designated Officer (LADO)", area: "Surrey"),
            police: Agency(name: "Surrey Police", phone: "101"),
            filteringProvider: "LGfL WebScreen",
            internetServiceProvider: "BT Unicorn",
            learningPlatform: nil,
            progressApps: [],
            socialMediaChannels: [],
            policyReviewIntervalMonths: 12,
            staffPasswordRotation: "every term",
            dslGovernorMeetingsPerYear: 3,
            dslTrustGovernorMeetingsPerYear: 0,
            learnerConsentAge: 13,
            ladoContactWorkingDays: 1,
            holidays: []
        )
    }

    /// Dormansland Primary School: a maintained primary in Surrey, outside any multi-academy trust.
    ///
    /// The URN and DfE number are illustrative.
    public static func dormansland(trustID: TrustID? = nil, id: SchoolID = SchoolID()) -> School {
        School(
            id: id,
            trustID: trustID,
            urn: "999003",
            dfeNumber: dfeNumber(laCode: surreyLACode, establishmentNumber: "9003"),
            name: "Dormansland Primary School",
            phase: .primary,
            keyStages: primaryKeyStages,
            settings: dormanslandSettings()
        )
    }

    // MARK: - All three

    /// All three seed schools, each with a new identifier: Chilton in the trust `vikingTrustID`, the others standalone.
    public static func all(vikingTrustID: TrustID = TrustID()) -> [School] {
        [chilton(trustID: vikingTrustID), mersham(), dormansland()]
    }

    /// The three schools' settings, in the same order as ``all(vikingTrustID:)``.
    public static func allSettings() -> [PolicySettings] {
        [chiltonSettings(), mershamSettings(), dormanslandSettings()]
    }

    // MARK: - Helpers

    /// Kent County Council's local authority code.
    private static let kentLACode = "886"

    /// Surrey County Council's local authority code.
    private static let surreyLACode = "936"

    /// The key stages of a primary school with a reception class.
    private static let primaryKeyStages: [KeyStage] = [.eyfs, .ks1, .ks2]

    /// Builds a DfE number from literal parts, checking them as ``DfENumber`` always does.
    ///
    /// The parts in this file are all 3 and 4 digits, so the check passes; should one ever be mistyped,
    /// the number is kept as written rather than stopping the program.
    private static func dfeNumber(laCode: String, establishmentNumber: String) -> DfENumber {
        if let number = try? DfENumber(laCode: laCode, establishmentNumber: establishmentNumber) {
            return number
        }
        return DfENumber(seedLACode: laCode, establishmentNumber: establishmentNumber)
    }
}

extension DfENumber {
    /// Creates a DfE number from the seed literals without checking them; used only as the fallback above.
    fileprivate init(seedLACode laCode: String, establishmentNumber: String) {
        self.laCode = laCode
        self.establishmentNumber = establishmentNumber
    }
}
