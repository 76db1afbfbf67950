import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import Testing

@Suite("DfE number")
struct DfENumberTests {
    @Test func slashedFormIsParsed() throws {
        let number = try DfENumber("886/2074")
        #expect(number.laCode == "886")
        #expect(number.establishmentNumber == "2074")
        #expect(number.description == "886/2074")
    }

    @Test func unslashedFormIsParsedToTheSameNumber() throws {
        #expect(try DfENumber("8862074") == DfENumber("886/2074"))
        #expect(try DfENumber("8862074").description == "886/2074")
        #expect(try DfENumber("8862074") == DfENumber(laCode: "886", establishmentNumber: "2074"))
    }

    @Test(arguments: ["886/207", "886207", "886/20745", "88620745", "", "/"])
    func wrongLengthIsRefusedWithItsLocation(text: String) {
        let error = #expect(throws: SafetyError.self) { try DfENumber(text) }
        #expect(error?.code == .invalidInput)
        #expect(error?.location == "school.dfeNumber")
    }

    @Test func nonDigitsAreRefusedNamingThePart() {
        let laError = #expect(throws: SafetyError.self) { try DfENumber("88A/2074") }
        #expect(laError?.code == .invalidInput)
        #expect(laError?.location == "school.dfeNumber.laCode")
        let establishmentError = #expect(throws: SafetyError.self) { try DfENumber("886/20X4") }
        #expect(establishmentError?.code == .invalidInput)
        #expect(establishmentError?.location == "school.dfeNumber.establishmentNumber")
    }

    @Test func partsOfTheWrongLengthAreRefused() {
        let laError = #expect(throws: SafetyError.self) { try DfENumber(laCode: "88", establishmentNumber: "2074") }
        #expect(laError?.code == .invalidInput)
        #expect(laError?.location == "school.dfeNumber.laCode")
        let establishmentError = #expect(throws: SafetyError.self) { try DfENumber(laCode: "886", establishmentNumber: "20745") }
        #expect(establishmentError?.code == .invalidInput)
        #expect(establishmentError?.location == "school.dfeNumber.establishmentNumber")
    }
}

@Suite("School and policy settings")
struct SchoolValidationTests {
    private func school(urn: String = "118377", name: String = "Test Primary", settings: PolicySettings? = nil) throws -> School {
        School(
            trustID: nil, urn: urn, dfeNumber: try DfENumber("886/9002"), name: name, phase: .primary, keyStages: [.eyfs, .ks1, .ks2],
            settings: settings ?? SeedSchools.mershamSettings())
    }

    @Test func wellFormedSchoolValidates() throws {
        try school().validate()
    }

    @Test(arguments: ["", "11837", "1183777", "11837A", "118 77", "ABCDEF"])
    func badURNIsRefused(urn: String) throws {
        let candidate = try school(urn: urn)
        let error = #expect(throws: SafetyError.self) { try candidate.validate() }
        #expect(error?.code == .invalidInput)
        #expect(error?.location == "school.urn")
    }

    @Test func schoolWithoutANameIsRefused() throws {
        let candidate = try school(name: "   ")
        let error = #expect(throws: SafetyError.self) { try candidate.validate() }
        #expect(error?.code == .invalidInput)
        #expect(error?.location == "school.name")
    }

    @Test(arguments: [13, 24, 0, -1])
    func reviewIntervalOutsideOneToTwelveMonthsIsRefused(months: Int) throws {
        var settings = SeedSchools.chiltonSettings()
        settings.policyReviewIntervalMonths = months
        let error = #expect(throws: SafetyError.self) { try settings.validate() }
        #expect(error?.code == .invalidInput)
        #expect(error?.location == "settings.policyReviewIntervalMonths")
        let candidate = try school(settings: settings)
        let schoolError = #expect(throws: SafetyError.self) { try candidate.validate() }
        #expect(schoolError?.code == .invalidInput)
        #expect(schoolError?.location == "settings.policyReviewIntervalMonths")
    }

    @Test(arguments: [1, 6, 12])
    func reviewIntervalOfAtMostAYearIsAccepted(months: Int) throws {
        var settings = SeedSchools.chiltonSettings()
        settings.policyReviewIntervalMonths = months
        try settings.validate()
    }

    @Test func holidayEndingBeforeItStartsIsRefusedNamingIt() throws {
        var settings = SeedSchools.chiltonSettings()
        settings.holidays = [
            DateRange(first: try day("2026-10-26"), last: try day("2026-10-30")),
            DateRange(first: try day("2026-12-21"), last: try day("2026-12-20")),
        ]
        let error = #expect(throws: SafetyError.self) { try settings.validate() }
        #expect(error?.code == .invalidInput)
        #expect(error?.location == "settings.holidays[1]")
    }

    @Test func oneDayHolidayIsAccepted() throws {
        var settings = SeedSchools.chiltonSettings()
        settings.holidays = [DateRange(first: try day("2026-05-04"), last: try day("2026-05-04"))]
        try settings.validate()
    }

    @Test func policyMustNameADSL() {
        var settings = SeedSchools.chiltonSettings()
        settings.designatedSafeguardingLead = NamedContact(name: " ")
        let error = #expect(throws: SafetyError.self) { try settings.validate() }
        #expect(error?.code == .invalidInput)
        #expect(error?.location == "settings.designatedSafeguardingLead")
    }

    @Test func holidayRangeIncludesBothEnds() throws {
        let range = DateRange(first: try day("2026-10-26"), last: try day("2026-10-30"))
        #expect(!range.contains(try day("2026-10-25")))
        #expect(range.contains(try day("2026-10-26")))
        #expect(range.contains(try day("2026-10-28")))
        #expect(range.contains(try day("2026-10-30")))
        #expect(!range.contains(try day("2026-10-31")))
    }

    @Test func defaultsAreTheStricterFigures() {
        let settings = PolicySettings(
            designatedSafeguardingLead: NamedContact(name: "DSL"), headteacher: NamedContact(name: "Head"),
            safeguardingAdvice: Agency(name: "Advice"), lado: Agency(name: "LADO"), police: Agency(name: "Police"),
            filteringProvider: "Filter", internetServiceProvider: "ISP")
        #expect(settings.policyReviewIntervalMonths <= 12)
        #expect(settings.staffPasswordRotation == "every term")
        #expect(settings.learnerConsentAge == 13)
        #expect(settings.ladoContactWorkingDays == 1)
    }
}

@Suite("Seed schools")
struct SeedSchoolsTests {
    @Test(arguments: SeedSchools.all())
    func seedSchoolValidates(school: School) throws {
        try school.validate()
        try school.checkedForInsert().validate()
    }

    @Test func seedsAreThreeDistinctPrimarySchools() {
        let schools = SeedSchools.all()
        #expect(schools.map(\.name) == ["Chilton Primary School", "Mersham Primary School", "Dormansland Primary School"])
        #expect(Set(schools.map(\.urn)).count == 3)
        #expect(Set(schools.map(\.id)).count == 3)
        #expect(schools.allSatisfy { $0.phase == .primary && $0.keyStages == [.eyfs, .ks1, .ks2] })
        #expect(SeedSchools.allSettings() == schools.map(\.settings))
    }

    @Test func chiltonIsInTheVikingAcademyTrust() throws {
        let trust = SeedSchools.vikingAcademyTrust()
        try trust.validate()
        #expect(trust.name == "Viking Academy Trust")
        let chilton = SeedSchools.chilton(trustID: trust.id)
        #expect(chilton.trustID == trust.id)
        let all = SeedSchools.all(vikingTrustID: trust.id)
        #expect(all[0].trustID == trust.id)
        #expect(all[1].trustID == nil)
        #expect(all[2].trustID == nil)
    }

    @Test func chiltonNamesItsPeople() {
        let settings = SeedSchools.chilton(trustID: TrustID()).settings
        #expect(settings.designatedSafeguardingLead.name == "Kate Law")
        #expect(settings.headteacher.name == "Kate Law")
        #expect(settings.headteacherTitle == "Head of School")
        #expect(settings.safeguardingGovernor?.name == "Hannah Cheshire")
        #expect(settings.trustSafeguardingGovernor?.name == "Joanna Brand")
    }

    @Test func chiltonNamesItsSystemsAndContacts() {
        let settings = SeedSchools.chilton(trustID: TrustID()).settings
        #expect(settings.filteringProvider == "Netsweeper")
        #expect(settings.internetServiceProvider == "Schools Broadband")
        #expect(settings.safeguardingAdvice.name == "Kent Education Safeguarding Service")
        #expect(settings.safeguardingAdvice.area == "Thanet")
        #expect(settings.safeguardingAdvice.phone == "03000 418 503")
        #expect(settings.police.phone == "101")
    }

    @Test func chiltonSetsItsMeetingsAndPasswordRotation() {
        let settings = SeedSchools.chilton(trustID: TrustID()).settings
        #expect(settings.dslGovernorMeetingsPerYear == 3)
        #expect(settings.dslTrustGovernorMeetingsPerYear == 1)
        #expect(settings.staffPasswordRotation == "every term")
        #expect(settings.policyReviewIntervalMonths == 12)
    }

    @Test func mershamNamesLightspeedOverEIS() {
        let mersham = SeedSchools.mersham()
        #expect(mersham.urn == "118377")
        #expect(mersham.trustID == nil)
        #expect(mersham.dfeNumber.laCode == "886")
        #expect(mersham.settings.filteringProvider == "Lightspeed")
        #expect(mersham.settings.internetServiceProvider == "EIS")
        #expect(mersham.settings.designatedSafeguardingLead.name == "Cheryl Chalkley")
        #expect(mersham.settings.senco?.name == "Sarah Wilson")
        #expect(mersham.settings.staffPasswordRotation == "every season")
    }

    @Test func dormanslandNamesSurreyPartnershipAndLGfLWebScreen() {
        let dormansland = SeedSchools.dormansland()
        #expect(dormansland.trustID == nil)
        #expect(dormansland.dfeNumber.laCode == "936")
        #expect(dormansland.settings.safeguardingAdvice.name == "Surrey Safeguarding Children Partnership")
        #expect(dormansland.settings.filteringProvider == "LGfL WebScreen")
        #expect(dormansland.settings.internetServiceProvider == "BT Unicorn")
        #expect(dormansland.settings.police.name == "Surrey Police")
    }

    @Test func seedSchoolsKeepTheIdentifiersTheyAreGiven() {
        let id = SchoolID()
        #expect(SeedSchools.chilton(trustID: nil, id: id).id == id)
        #expect(SeedSchools.mersham(id: id).id == id)
        #expect(SeedSchools.dormansland(id: id).id == id)
        let trustID = TrustID()
        #expect(SeedSchools.vikingAcademyTrust(id: trustID).id == trustID)
    }
}
