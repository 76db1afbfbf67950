import Foundation

/// A person the policy names in a role, such as the DSL or the chair of governors.
public struct NamedContact: Hashable, Sendable, Codable {
    /// The person's name as the policy gives it.
    public var name: String
    /// Their title or post, for example "Head of School".
    public var title: String?
    /// Telephone, when the policy gives one.
    public var phone: String?
    /// Email, when the policy gives one.
    public var email: String?
    /// The person's record in the SDK, once linked.
    public var personID: PersonID?

    /// Creates a named contact.
    public init(name: String, title: String? = nil, phone: String? = nil, email: String? = nil, personID: PersonID? = nil) {
        self.name = name
        self.title = title
        self.phone = phone
        self.email = email
        self.personID = personID
    }
}

/// An outside body the policy tells staff to contact: a safeguarding partnership, the LADO, the police.
public struct Agency: Hashable, Sendable, Codable {
    /// The agency's name, for example "Kent Education Safeguarding Service".
    public var name: String
    /// The area or office, for example "Thanet".
    public var area: String?
    /// Telephone.
    public var phone: String?
    /// Email.
    public var email: String?
    /// Web address.
    public var website: String?

    /// Creates an agency.
    public init(name: String, area: String? = nil, phone: String? = nil, email: String? = nil, website: String? = nil) {
        self.name = name
        self.area = area
        self.phone = phone
        self.email = email
        self.website = website
    }
}

/// An inclusive range of calendar dates, such as a school holiday.
public struct DateRange: Hashable, Sendable, Codable {
    /// The first day.
    public var first: CalendarDate
    /// The last day.
    public var last: CalendarDate

    /// Creates a range.
    public init(first: CalendarDate, last: CalendarDate) {
        self.first = first
        self.last = last
    }

    /// Whether the date falls within the range.
    public func contains(_ date: CalendarDate) -> Bool { first <= date && date <= last }
}

/// What one school's online safety policy names and sets.
///
/// Where the seed policies differ (contacts, filtering provider, MIS, password rotation), the
/// difference lives here, not in code. Figures that are local practice default to the stricter
/// value.
public struct PolicySettings: Hashable, Sendable, Codable {
    /// The designated safeguarding lead.
    public var designatedSafeguardingLead: NamedContact
    /// Deputy DSLs.
    public var deputyDesignatedSafeguardingLeads: [NamedContact]
    /// The headteacher or head of school.
    public var headteacher: NamedContact
    /// What the school calls its head ("Headteacher", "Head of School").
    public var headteacherTitle: String
    /// The chair of governors (allegations about the head go here).
    public var chairOfGovernors: NamedContact?
    /// The governor with lead responsibility for safeguarding.
    public var safeguardingGovernor: NamedContact?
    /// The trust-level governor with lead responsibility for safeguarding.
    public var trustSafeguardingGovernor: NamedContact?
    /// The special educational needs coordinator.
    public var senco: NamedContact?
    /// The local safeguarding partnership or advice line.
    public var safeguardingAdvice: Agency
    /// The local authority designated officer.
    public var lado: Agency
    /// The police force.
    public var police: Agency
    /// The filtering provider, for example "Netsweeper".
    public var filteringProvider: String
    /// The monitoring provider when another firm monitors (for example "Smoothwall Monitor");
    /// `nil` when the filtering provider also monitors.
    public var monitoringProvider: String?
    /// The internet service provider, for example "Schools Broadband".
    public var internetServiceProvider: String
    /// The learning platform, for example "Microsoft Teams".
    public var learningPlatform: String?
    /// Progress and communication apps, for example "Tapestry", "Bromcom / MCAS".
    public var progressApps: [String]
    /// Official social media channels.
    public var socialMediaChannels: [String]
    /// How often the policy is reviewed, in months (at least annually: 12 or fewer).
    public var policyReviewIntervalMonths: Int
    /// How often staff change passwords, in the policy's words ("every term").
    public var staffPasswordRotation: String
    /// Meetings per year between the DSL and the safeguarding governor.
    public var dslGovernorMeetingsPerYear: Int
    /// Meetings per year between the DSL and the trust safeguarding governor.
    public var dslTrustGovernorMeetingsPerYear: Int
    /// From what age a learner decides consent for themselves (13 by default).
    public var learnerConsentAge: Int
    /// Working days within which the LADO must be contacted (1 by default).
    public var ladoContactWorkingDays: Int
    /// School holidays, skipped when counting working days.
    public var holidays: [DateRange]
    /// Minutes within which "immediately" must be done (60 by default).
    public var immediateActionMinutes: Int
    /// Working days within which parents are informed, unless that would put a child at risk (1).
    public var parentNotificationWorkingDays: Int
    /// Working days within which the debrief follows closure (10).
    public var debriefWorkingDays: Int
    /// The smallest count the governors' report prints as a number: smaller non-zero counts
    /// print as "fewer than" it, so that no child can be identified (5 unless the school sets another).
    public var governorReportThreshold: Int

    /// Creates settings; every figure has the stricter default.
    public init(
        designatedSafeguardingLead: NamedContact,
        deputyDesignatedSafeguardingLeads: [NamedContact] = [],
        headteacher: NamedContact,
        headteacherTitle: String = "Headteacher",
        chairOfGovernors: NamedContact? = nil,
        safeguardingGovernor: NamedContact? = nil,
        trustSafeguardingGovernor: NamedContact? = nil,
        senco: NamedContact? = nil,
        safeguardingAdvice: Agency,
        lado: Agency,
        police: Agency,
        filteringProvider: String,
        monitoringProvider: String? = nil,
        internetServiceProvider: String,
        learningPlatform: String? = nil,
        progressApps: [String] = [],
        socialMediaChannels: [String] = [],
        policyReviewIntervalMonths: Int = 12,
        staffPasswordRotation: String = "every term",
        dslGovernorMeetingsPerYear: Int = 3,
        dslTrustGovernorMeetingsPerYear: Int = 1,
        learnerConsentAge: Int = 13,
        ladoContactWorkingDays: Int = 1,
        holidays: [DateRange] = [],
        immediateActionMinutes: Int = 60,
        parentNotificationWorkingDays: Int = 1,
        debriefWorkingDays: Int = 10,
        governorReportThreshold: Int = 5
    ) {
        self.designatedSafeguardingLead = designatedSafeguardingLead
        self.deputyDesignatedSafeguardingLeads = deputyDesignatedSafeguardingLeads
        self.headteacher = headteacher
        self.headteacherTitle = headteacherTitle
        self.chairOfGovernors = chairOfGovernors
        self.safeguardingGovernor = safeguardingGovernor
        self.trustSafeguardingGovernor = trustSafeguardingGovernor
        self.senco = senco
        self.safeguardingAdvice = safeguardingAdvice
        self.lado = lado
        self.police = police
        self.filteringProvider = filteringProvider
        self.monitoringProvider = monitoringProvider
        self.internetServiceProvider = internetServiceProvider
        self.learningPlatform = learningPlatform
        self.progressApps = progressApps
        self.socialMediaChannels = socialMediaChannels
        self.policyReviewIntervalMonths = policyReviewIntervalMonths
        self.staffPasswordRotation = staffPasswordRotation
        self.dslGovernorMeetingsPerYear = dslGovernorMeetingsPerYear
        self.dslTrustGovernorMeetingsPerYear = dslTrustGovernorMeetingsPerYear
        self.learnerConsentAge = learnerConsentAge
        self.ladoContactWorkingDays = ladoContactWorkingDays
        self.holidays = holidays
        self.immediateActionMinutes = immediateActionMinutes
        self.parentNotificationWorkingDays = parentNotificationWorkingDays
        self.debriefWorkingDays = debriefWorkingDays
        self.governorReportThreshold = governorReportThreshold
    }

    private enum CodingKeys: String, CodingKey {
        case designatedSafeguardingLead, deputyDesignatedSafeguardingLeads, headteacher, headteacherTitle, chairOfGovernors,
            safeguardingGovernor, trustSafeguardingGovernor, senco, safeguardingAdvice, lado, police, filteringProvider,
            monitoringProvider, internetServiceProvider, learningPlatform, progressApps, socialMediaChannels, policyReviewIntervalMonths,
            staffPasswordRotation,
            dslGovernorMeetingsPerYear, dslTrustGovernorMeetingsPerYear, learnerConsentAge, ladoContactWorkingDays, holidays,
            immediateActionMinutes, parentNotificationWorkingDays, debriefWorkingDays, governorReportThreshold
    }

    /// Who monitors: the monitoring provider, else the filtering provider.
    public var monitoringProviderInUse: String { monitoringProvider ?? filteringProvider }

    /// Decodes settings; documents stored before ``governorReportThreshold`` existed read it as 5,
    /// and before ``monitoringProvider`` existed, with none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        designatedSafeguardingLead = try container.decode(NamedContact.self, forKey: .designatedSafeguardingLead)
        deputyDesignatedSafeguardingLeads = try container.decode([NamedContact].self, forKey: .deputyDesignatedSafeguardingLeads)
        headteacher = try container.decode(NamedContact.self, forKey: .headteacher)
        headteacherTitle = try container.decode(String.self, forKey: .headteacherTitle)
        chairOfGovernors = try container.decodeIfPresent(NamedContact.self, forKey: .chairOfGovernors)
        safeguardingGovernor = try container.decodeIfPresent(NamedContact.self, forKey: .safeguardingGovernor)
        trustSafeguardingGovernor = try container.decodeIfPresent(NamedContact.self, forKey: .trustSafeguardingGovernor)
        senco = try container.decodeIfPresent(NamedContact.self, forKey: .senco)
        safeguardingAdvice = try container.decode(Agency.self, forKey: .safeguardingAdvice)
        lado = try container.decode(Agency.self, forKey: .lado)
        police = try container.decode(Agency.self, forKey: .police)
        filteringProvider = try container.decode(String.self, forKey: .filteringProvider)
        monitoringProvider = try container.decodeIfPresent(String.self, forKey: .monitoringProvider)
        internetServiceProvider = try container.decode(String.self, forKey: .internetServiceProvider)
        learningPlatform = try container.decodeIfPresent(String.self, forKey: .learningPlatform)
        progressApps = try container.decode([String].self, forKey: .progressApps)
        socialMediaChannels = try container.decode([String].self, forKey: .socialMediaChannels)
        policyReviewIntervalMonths = try container.decode(Int.self, forKey: .policyReviewIntervalMonths)
        staffPasswordRotation = try container.decode(String.self, forKey: .staffPasswordRotation)
        dslGovernorMeetingsPerYear = try container.decode(Int.self, forKey: .dslGovernorMeetingsPerYear)
        dslTrustGovernorMeetingsPerYear = try container.decode(Int.self, forKey: .dslTrustGovernorMeetingsPerYear)
        learnerConsentAge = try container.decode(Int.self, forKey: .learnerConsentAge)
        ladoContactWorkingDays = try container.decode(Int.self, forKey: .ladoContactWorkingDays)
        holidays = try container.decode([DateRange].self, forKey: .holidays)
        immediateActionMinutes = try container.decode(Int.self, forKey: .immediateActionMinutes)
        parentNotificationWorkingDays = try container.decode(Int.self, forKey: .parentNotificationWorkingDays)
        debriefWorkingDays = try container.decode(Int.self, forKey: .debriefWorkingDays)
        governorReportThreshold = try container.decodeIfPresent(Int.self, forKey: .governorReportThreshold) ?? 5
    }

    /// Checks the figures the policies require.
    public func validate() throws(SafetyError) {
        for holiday in holidays {
            _ = try holiday.first.checked("settings.holidays", .record)
            _ = try holiday.last.checked("settings.holidays", .record)
        }
        if designatedSafeguardingLead.name.isBlank {
            throw .invalid("settings.designatedSafeguardingLead", "the policy must name a DSL")
        }
        guard (1...12).contains(policyReviewIntervalMonths) else {
            throw .invalid("settings.policyReviewIntervalMonths", "the policy is reviewed at least annually (1 to 12 months)")
        }
        guard (1...20).contains(learnerConsentAge) else {
            throw .invalid("settings.learnerConsentAge", "the consent age must be between 1 and 20")
        }
        guard ladoContactWorkingDays >= 0 else {
            throw .invalid("settings.ladoContactWorkingDays", "working days cannot be negative")
        }
        guard (1...1440).contains(immediateActionMinutes) else {
            throw .invalid("settings.immediateActionMinutes", "immediate actions are due within 1 to 1440 minutes")
        }
        guard (2...100).contains(governorReportThreshold) else {
            throw .invalid(
                "settings.governorReportThreshold", "the governors' report threshold is between 2 and 100: a count of 1 would name a child")
        }
        if filteringProvider.isBlank { throw .invalid("settings.filteringProvider", "the filtering provider needs a name") }
        if monitoringProvider?.isBlank == true {
            throw .invalid(
                "settings.monitoringProvider", "the monitoring provider needs a name, or none when the filtering provider monitors")
        }
        guard parentNotificationWorkingDays >= 0, debriefWorkingDays >= 0 else {
            throw .invalid("settings.parentNotificationWorkingDays", "working days cannot be negative")
        }
        for (index, holiday) in holidays.enumerated() where holiday.last < holiday.first {
            throw .invalid("settings.holidays[\(index)]", "a holiday ends before it starts")
        }
    }
}
