public import Foundation
import OnlineSafetyCore

/// How big a generated benchmark trust is.
public struct SampleTrustScale: Hashable, Sendable {
    /// Schools in the trust (at least 2: half are exported as OneRoster, half as CTF).
    public var schools: Int
    /// Learners across the trust, spread evenly over the schools.
    public var learners: Int
    /// Staff across the trust.
    public var staff: Int
    /// The random seed.
    public var seed: UInt64

    /// Creates a scale; every learner has two contacts.
    public init(schools: Int, learners: Int, staff: Int, seed: UInt64 = 20_261_130) {
        self.schools = max(2, schools)
        self.learners = max(self.schools, learners)
        self.staff = max(self.schools, staff)
        self.seed = seed
    }

    /// The benchmark trust: 40 schools, 60,000 learners (120,000 contact rows), 8,000 staff.
    public static let benchmark = SampleTrustScale(schools: 40, learners: 60_000, staff: 8_000)

    /// The benchmark's per-school sizes for `schools` schools.
    public static func benchmark(schools: Int) -> SampleTrustScale {
        SampleTrustScale(schools: schools, learners: 1_500 * schools, staff: 200 * schools)
    }
}

/// What a generator wrote.
public struct SampleTrustSummary: Hashable, Sendable {
    /// Schools.
    public var schools: Int
    /// Learners (each once, however many files describe them).
    public var learners: Int
    /// Distinct adult contacts.
    public var adults: Int
    /// Contact rows: one per learner and contact.
    public var contactLinks: Int
    /// Staff.
    public var staff: Int
    /// Files written, relative to the directory, with their sizes in bytes.
    public var files: [String: Int]

    /// The bytes written.
    public var bytes: Int { files.values.reduce(0, +) }
}

/// Generates a synthetic multi-academy trust: invented people in the files a school's MIS
/// writes (CTF 25 and 24, a OneRoster 1.1 ZIP, Bromcom-style and Tapestry-style CSV), with a
/// `trust.json` describing them. Deterministic: one seed always writes the same bytes.
///
/// Nobody in the output is real: names are drawn from invented lists, addresses are made up,
/// emails use reserved `example` domains and phones the Ofcom drama range.
public enum SampleTrust {
    /// The export day every file carries.
    static let exportDay = Day(year: 2026, month: 11, day: 30)

    /// Writes the small committed sample (4 schools, about 30 learners each, every quirk the
    /// readers handle) into `directory`, creating it. Throws what writing throws.
    @discardableResult
    public static func writeSample(to directory: URL, seed: UInt64 = 20_261_130) throws -> SampleTrustSummary {
        var builder = SampleBuilder(seed: seed)
        let plan = builder.samplePlan()
        var writer = SampleWriter(directory: directory, plan: plan)
        return try writer.write()
    }

    /// Writes a benchmark trust of `scale` into `directory`: half the schools' learners and
    /// contacts in one OneRoster ZIP (with every school's staff), the other half as one CTF per
    /// school. Throws what writing throws.
    @discardableResult
    public static func writeScale(_ scale: SampleTrustScale, to directory: URL) throws -> SampleTrustSummary {
        var builder = SampleBuilder(seed: scale.seed)
        let plan = builder.scalePlan(scale)
        var writer = SampleWriter(directory: directory, plan: plan)
        return try writer.write()
    }
}

/// Which school goes into which files.
struct SamplePlan {
    var schools: [SampleSchool]
    /// Schools whose learners and contacts are in the OneRoster set (by key).
    var oneRosterLearners: Set<String>
    /// Schools in the OneRoster set at all (their staff).
    var oneRosterSchools: Set<String>
    /// Schools with a CTF 25 (full), by key.
    var ctf25: Set<String>
    /// Schools with a CTF 24 (partial, namespaced, Gender), by key.
    var ctf24: Set<String>
    /// Schools with Bromcom-style CSV of the same children as their CTF.
    var bromcom: Set<String>
    /// Schools with Tapestry-style CSV.
    var tapestry: Set<String>
    /// Whether this is the small sample (quirks on) or a benchmark trust.
    var sample: Bool
}

/// Builds the people.
struct SampleBuilder {
    var random: SeededRandom
    var adultCount = 0
    var staffCount = 0

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    // MARK: Plans

    mutating func samplePlan() -> SamplePlan {
        var harbour = SampleSchool(
            key: "harbour", urn: "999101", laCode: "886", establishmentNumber: "2101", name: "Harbour Primary School",
            phase: "primary", policy: "chilton")
        var cliffside = SampleSchool(
            key: "cliffside", urn: "999102", laCode: "886", establishmentNumber: "4102", name: "Cliffside Academy",
            phase: "secondary", policy: "dormansland")
        var downland = SampleSchool(
            key: "downland", urn: "999103", laCode: "886", establishmentNumber: "2103", name: "Downland Primary School",
            phase: "primary", policy: "mersham")
        var acorns = SampleSchool(
            key: "acorns", urn: "999104", laCode: "886", establishmentNumber: "1104", name: "Little Acorns Nursery School",
            phase: "nursery", policy: "mersham")
        let primaryYears: [NCYear] = [.nursery1, .nursery2, .reception, .year1, .year2, .year3, .year4, .year5, .year6]
        populate(&harbour, learners: 30, years: primaryYears, staff: 0, sample: true)
        populate(&cliffside, learners: 26, years: [.year7, .year8, .year9, .year10, .year11], staff: 6, sample: true)
        populate(&downland, learners: 28, years: Array(primaryYears.dropFirst(2)), staff: 6, sample: true)
        populate(&acorns, learners: 20, years: [.nursery1, .nursery2], staff: 0, sample: true)
        applySampleQuirks(&harbour, &cliffside, &downland, &acorns)
        return SamplePlan(
            schools: [harbour, cliffside, downland, acorns], oneRosterLearners: ["cliffside", "downland"],
            oneRosterSchools: ["cliffside", "downland"], ctf25: ["harbour"], ctf24: ["cliffside"], bromcom: ["harbour"],
            tapestry: ["acorns"], sample: true)
    }

    mutating func scalePlan(_ scale: SampleTrustScale) -> SamplePlan {
        var schools: [SampleSchool] = []
        let primaryYears: [NCYear] = [.reception, .year1, .year2, .year3, .year4, .year5, .year6]
        let secondaryYears: [NCYear] = [.year7, .year8, .year9, .year10, .year11]
        for index in 0..<scale.schools {
            let secondary = index % 4 == 3
            var school = SampleSchool(
                key: String(format: "school%02d", index + 1), urn: String(998_001 + index), laCode: "886",
                establishmentNumber: String(secondary ? 4_001 + index : 3_001 + index),
                name: "Northdown \(secondary ? "Academy" : "Primary School") \(index + 1)", phase: secondary ? "secondary" : "primary",
                policy: ["chilton", "mersham", "dormansland"][index % 3])
            let learners = scale.learners / scale.schools + (index < scale.learners % scale.schools ? 1 : 0)
            let staff = scale.staff / scale.schools + (index < scale.staff % scale.schools ? 1 : 0)
            populate(&school, learners: learners, years: secondary ? secondaryYears : primaryYears, staff: staff, sample: false)
            schools.append(school)
        }
        let half = scale.schools / 2
        let keys = schools.map(\.key)
        return SamplePlan(
            schools: schools, oneRosterLearners: Set(keys.prefix(half)), oneRosterSchools: Set(keys), ctf25: Set(keys.dropFirst(half)),
            ctf24: [], bromcom: [], tapestry: [], sample: false)
    }

    // MARK: People

    /// Fills a school with families (siblings share their parents) and staff.
    mutating func populate(_ school: inout SampleSchool, learners: Int, years: [NCYear], staff: Int, sample: Bool) {
        var serial = 0
        let groups = sample ? 2 : max(1, learners / (years.count * 30))
        while school.children.count < learners {
            let family = random.pick(SampleNames.families)
            let siblings = min(
                learners - school.children.count, sample ? random.pick([1, 1, 1, 2, 2, 3]) : random.pick([1, 1, 1, 1, 1, 2]))
            // The adults: mother and father (both with parental responsibility) for most
            // families; in the sample, some single parents with a grandparent (no responsibility).
            var links: [SampleLink] = []
            let single = sample && random.chance(20)
            if single {
                links.append(
                    SampleLink(adult: addAdult(&school, family: family, female: true), code: "PAR", responsibility: true, priority: 1))
                links.append(
                    SampleLink(
                        adult: addAdult(&school, family: family, female: true, grand: true), code: "GRM", responsibility: false, priority: 2
                    ))
            } else {
                let motherFamily = sample && random.chance(15) ? random.pick(SampleNames.families) : family
                links.append(
                    SampleLink(adult: addAdult(&school, family: motherFamily, female: true), code: "PAM", responsibility: true, priority: 1)
                )
                links.append(
                    SampleLink(adult: addAdult(&school, family: family, female: false), code: "PAF", responsibility: true, priority: 2))
            }
            for _ in 0..<siblings {
                let year = random.pick(years)
                let female = random.chance(50)
                let given = random.pick(female ? SampleNames.girls : SampleNames.boys)
                let form = random.int(0...(groups - 1))
                let names = ["Oak", "Ash", "Elm", "Yew", "Fir", "Bay"]
                let suffix = form >= names.count ? String(form / names.count + 1) : ""
                let group = Self.groupPrefix(year) + " " + names[form % names.count] + suffix
                serial += 1
                school.children.append(
                    SampleChild(
                        id: "\(school.key.prefix(3).uppercased())\(String(format: "%05d", serial))",
                        upn: Self.upn(la: school.laCode, estab: school.establishmentNumber, serial: serial),
                        givenName: given, preferredName: sample && random.chance(10) ? String(given.prefix(3)) + "ie" : nil,
                        familyName: family, female: female, dateOfBirth: birthDay(year), ncYear: year, registrationGroup: group,
                        groups: [], keyPerson: nil, lookedAfter: false,
                        senProvision: random.chance(12) ? random.pick(["K", "K", "K", "E"]) : "N", links: links))
            }
        }
        for index in 0..<staff {
            staffCount += 1
            let given = random.pick(SampleNames.staffGiven)
            let familyName = random.pick(SampleNames.families)
            let slug = SampleNames.slug(familyName)
            school.staff.append(
                SampleStaff(
                    id: "stf-\(school.key)-\(String(format: "%04d", index + 1))", givenName: given, familyName: familyName,
                    email: "\(SampleNames.slug(given)).\(slug.isEmpty ? "staff" : slug)\(staffCount)@\(school.domain)",
                    role: index % 10 == 9 ? "aide" : (index == 0 ? "administrator" : "teacher"), classes: []))
        }
        // Class teachers: one teacher per registration group, in order.
        let registrationGroups = Array(Set(school.children.map(\.registrationGroup))).sorted()
        var teacher = 0
        for group in registrationGroups where !school.staff.isEmpty {
            while school.staff[teacher % school.staff.count].role != "teacher" && teacher < school.staff.count * 2 { teacher += 1 }
            school.staff[teacher % school.staff.count].classes.append(group)
            teacher += 1
        }
    }

    mutating func addAdult(_ school: inout SampleSchool, family: String, female: Bool, grand: Bool = false) -> Int {
        adultCount += 1
        let parentName = random.pick(female ? SampleNames.mothers : SampleNames.fathers)
        let given = grand ? random.pick(["Margaret", "Dorothy", "Ewa", "Αικατερίνη", "Bridget"]) : parentName
        let slugGiven = SampleNames.slug(given)
        let slugFamily = SampleNames.slug(family)
        let local = [slugGiven, slugFamily].filter { !$0.isEmpty }.joined(separator: ".")
        school.adults.append(
            SampleAdult(
                id: "C\(String(format: "%06d", adultCount))",
                title: grand ? "Mrs" : (female ? random.pick(["Mrs", "Ms", "Miss", "Dr"]) : random.pick(["Mr", "Mr", "Dr"])),
                givenName: given, familyName: family,
                email: "\(local.isEmpty ? "parent" : local)\(adultCount)@example.net",
                phone: "07700 900\(String(format: "%03d", adultCount % 1000))", female: female))
        return school.adults.count - 1
    }

    /// A day of birth in the academic year that puts a child in `year` in 2026/27.
    mutating func birthDay(_ year: NCYear) -> Day {
        let offset: Int =
            switch year {
            case .nursery1: -2
            case .nursery2: -1
            case .reception: 0
            case .outsideYearGroups: 10
            default: Int(year.rawValue) ?? 0
            }
        // Year 1 in 2026/27: born 1 September 2020 to 31 August 2021.
        let month = random.int(1...12)
        let startYear = 2021 - offset
        return Day(year: month >= 9 ? startYear : startYear + 1, month: month, day: random.int(1...28))
    }

    static func groupPrefix(_ year: NCYear) -> String {
        switch year {
        case .nursery1, .nursery2: "Nursery"
        case .reception: "Reception"
        case .outsideYearGroups: "Unit"
        default: "Y\(year.rawValue)"
        }
    }

    /// A permanent UPN: check letter, LA, establishment, two digits and a 3-digit serial.
    static func upn(la: String, estab: String, serial: Int) -> String {
        let body = "\(la)\(estab)\(String(format: "%02d", 20 + serial / 1000))\(String(format: "%03d", serial % 1000))"
        return withCheckLetter(body)
    }

    static func withCheckLetter(_ body: String) -> String {
        guard let letter = UPN.checkLetter(for: Array(body)) else { return "A" + body }
        return String(letter) + body
    }

    /// A UPN whose check letter is wrong.
    static func wrongCheckLetter(_ upn: String) -> String {
        let right = upn.first ?? "A"
        let wrong: Character = right == "B" ? "C" : "B"
        return String(wrong) + upn.dropFirst()
    }

    // MARK: Sample quirks

    /// The named rows the README describes: names from many scripts, an emoji, metacharacters,
    /// bad and odd UPNs, looked-after and SEN pupils, consent refused, and so on.
    mutating func applySampleQuirks(
        _ harbour: inout SampleSchool, _ cliffside: inout SampleSchool, _ downland: inout SampleSchool, _ acorns: inout SampleSchool
    ) {
        // Harbour (CTF 25 + Bromcom).
        harbour.children[0].givenName = "Siobhán"
        harbour.children[0].familyName = "O'Neill"
        harbour.children[1].givenName = "Joanna"
        harbour.children[1].preferredName = "Jojo 🌟"
        harbour.children[2].givenName = "娜"
        harbour.children[2].familyName = "李"
        harbour.children[3].givenName = "Ελένη"
        harbour.children[3].familyName = "Παπαδοπούλου"
        harbour.children[4].givenName = "Łukasz"
        harbour.children[4].familyName = "Wiśniewski-Smith"
        harbour.children[5].consent = false
        harbour.children[6].lookedAfter = true
        harbour.children[6].senProvision = "E"
        // A looked-after child's first contact is a foster carer without parental responsibility.
        let foster = addAdult(&harbour, family: "Okafor", female: true)
        harbour.children[6].links =
            [
                SampleLink(adult: foster, code: "FOS", responsibility: false, priority: 1)
            ]
            + harbour.children[6].links.map {
                SampleLink(adult: $0.adult, code: $0.code, responsibility: $0.responsibility, priority: $0.priority + 1)
            }
        harbour.children[7].upn = "\(SampleBuilder.withCheckLetter("88621012601A"))"  // temporary UPN
        harbour.children[8].ncYear = .nursery1
        harbour.children[8].dateOfBirth = Day(year: 2023, month: 10, day: 14)
        harbour.children[8].registrationGroup = "Nursery Oak"
        let metaAdult = harbour.children[9].links[0].adult
        harbour.adults[metaAdult].givenName = "Robert'); DROP TABLE people;--"
        harbour.adults[metaAdult].familyName = "Tables"
        let quoteAdult = harbour.children[10].links[0].adult
        harbour.adults[quoteAdult].givenName = "Mary \"Molly\""
        harbour.adults[quoteAdult].familyName = "Brown, née Smith"

        // Cliffside (CTF 24 + OneRoster): an unknown LA code, a pupil outside year groups.
        cliffside.children[0].upn = SampleBuilder.withCheckLetter("990410220001")
        cliffside.children[1].ncYear = .outsideYearGroups
        cliffside.children[1].dateOfBirth = Day(year: 2012, month: 3, day: 9)
        cliffside.children[1].registrationGroup = "Unit Oak"
        cliffside.children[2].givenName = "Γιώργος"
        cliffside.children[2].familyName = "Nikolaidis"
        cliffside.children[3].lookedAfter = true
        cliffside.children[4].familyName = "Mac an tSaoir"

        // Downland (OneRoster only): a wrong check letter, markup in a parent's name,
        // an inactive student and a teacher to be deleted.
        downland.children[0].upn = SampleBuilder.wrongCheckLetter(downland.children[0].upn)
        downland.children[1].status = "inactive"
        downland.children[2].status = ""
        let markup = downland.children[3].links[0].adult
        downland.adults[markup].givenName = "<b>Kim</b>"
        downland.staff[5].status = "tobedeleted"
        downland.staff[1].id = "{LDAP:12}"

        // Acorns (Tapestry): key people and groups; a relative without an email.
        let keyPeople = ["Mrs Bronwen Evans", "Mr Colm Murphy", "Ms Anita Patel"]
        for index in acorns.children.indices {
            acorns.children[index].keyPerson = keyPeople[index % keyPeople.count]
            acorns.children[index].registrationGroup = index % 2 == 0 ? "Caterpillars" : "Butterflies"
            acorns.children[index].groups = index % 3 == 0 ? ["Forest School", "Rhyme Time"] : ["Rhyme Time"]
        }
        acorns.children[0].preferredName = "Ollie 🦊"
        acorns.children[1].upn = SampleBuilder.withCheckLetter("88611042402B")  // temporary UPN
        let noEmail = acorns.children[2].links[1].adult
        acorns.adults[noEmail].email = nil
    }
}
