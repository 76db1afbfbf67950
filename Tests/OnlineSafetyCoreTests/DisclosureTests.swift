import Foundation
import Testing

@testable @_spi(StorageBackend) import OnlineSafetyCore

@Suite("Small counts cannot be worked out from totals")
struct DisclosureTests {
    /// The printed value of a figure, or `nil` when it is hidden.
    private static func printed(_ figure: ReportFigure) -> Int? { figure.count }

    /// Whether some hidden figure of `parts` equals `total` less the printed others: that is,
    /// whether exactly one member of the sum is hidden while the rest print.
    private static func recoverable(total: ReportFigure, parts: [ReportFigure]) -> Bool {
        ([total] + parts).filter(\.isSuppressed).count == 1
    }

    private static func counts(
        name: String, autumn: [String: Int], spring: [String: Int] = [:], referrals: [String: Int] = [:]
    ) -> GovernorsCounts {
        func keyed(_ raw: [String: Int]) -> [GovernorsCounts.IncidentKey: Int] {
            Dictionary(
                uniqueKeysWithValues: raw.map {
                    (GovernorsCounts.IncidentKey(category: $0.key, restricted: $0.key == "nudeImageSharing", riskArea: "conduct"), $0.value)
                })
        }
        let year = ReportPeriod.academicYear(containing: CalendarDate(year: 2026, month: 11, day: 1)!)
        let terms = year.terms
        return GovernorsCounts(
            schoolID: SchoolID(), urn: nil, name: name,
            terms: [(terms[0], keyed(autumn), [:]), (terms[1], keyed(spring), [:]), (terms[2], [:], [:])],
            referrals: referrals, responseMinutes: [], training: [], agreements: [], consent: [], filtering: nil, calendar: nil,
            categoryNames: [:])
    }

    private static func report(_ schools: [GovernorsCounts], threshold: Int = 5) -> (schools: [GovernorsSection], trust: GovernorsSection) {
        let sum = GovernorsCounts.sum(schools, name: "Trust")
        let withheld = GovernorsCalculator.withheld(schools: schools.map { ($0, threshold) }, trust: (sum, threshold))
        return (
            schools.indices.map { GovernorsCalculator.section(schools[$0], threshold: threshold, withheld: withheld.schools[$0]) },
            GovernorsCalculator.section(sum, threshold: threshold, withheld: withheld.trust)
        )
    }

    private static func line(_ lines: [ReportLine], _ code: String) -> ReportFigure {
        lines.first { $0.code == code }?.figure ?? ReportFigure(0, threshold: 5)
    }

    /// Checks every sum a reader of the printed report could use.
    private static func expectNothingRecoverable(_ schools: [GovernorsSection], _ trust: GovernorsSection) {
        for section in schools + [trust] {
            for term in section.terms {
                #expect(
                    !recoverable(total: term.total, parts: term.byCategory.map(\.figure)),
                    "\(section.name): a category from its term's total")
                #expect(
                    !recoverable(total: term.total, parts: term.byRiskArea.map(\.figure) + [line(term.byCategory, "restricted")]),
                    "\(section.name): the restricted line from the risk areas")
            }
            #expect(!recoverable(total: section.total, parts: section.terms.map(\.total)), "\(section.name): a term from the year's total")
        }
        let codes = Set((schools + [trust]).flatMap { $0.terms.flatMap { $0.byCategory.map(\.code) } })
        for (index, term) in trust.terms.enumerated() {
            for code in codes {
                #expect(
                    !recoverable(total: line(term.byCategory, code), parts: schools.map { line($0.terms[index].byCategory, code) }),
                    "a school's \(code) from the trust's less the other schools'")
            }
            #expect(!recoverable(total: term.total, parts: schools.map { $0.terms[index].total }), "a school's term total from the trust's")
        }
        for agency in trust.referralsByAgency.map(\.code) {
            #expect(
                !recoverable(
                    total: line(trust.referralsByAgency, agency), parts: schools.map { line($0.referralsByAgency, agency) }),
                "a school's referrals from the trust's")
        }
    }

    @Test("a school's three incidents cannot be worked out from the trust's figure less the other school's")
    func trustLessSchools() {
        let small = Self.counts(name: "Small", autumn: ["cyberbullying": 3, "onlineGaming": 20])
        let large = Self.counts(name: "Large", autumn: ["cyberbullying": 6, "onlineGaming": 30])
        let (schools, trust) = Self.report([small, large])
        let autumn = schools[0].terms[0]
        #expect(Self.line(autumn.byCategory, "cyberbullying").description == "fewer than 5")
        #expect(
            Self.line(trust.terms[0].byCategory, "cyberbullying").withheld
                || Self.line(schools[1].terms[0].byCategory, "cyberbullying").withheld,
            "the trust's 9 or the other school's 6 is withheld")
        Self.expectNothingRecoverable(schools, trust)
        #expect(
            trust.terms[0].byCategory.contains { $0.figure.count != nil && $0.figure.count! > 0 },
            "figures without a small count still print")
    }

    @Test("a small category cannot be worked out from its term's total, nor a small term from the year's")
    func withinASchool() {
        let school = Self.counts(
            name: "Only", autumn: ["cyberbullying": 2, "onlineGaming": 11, "nudeImageSharing": 7], spring: ["onlineGaming": 3])
        let (schools, trust) = Self.report([school])
        let autumn = schools[0].terms[0]
        #expect(Self.line(autumn.byCategory, "cyberbullying").description == "fewer than 5")
        #expect(autumn.total.count == 20 || autumn.total.withheld)
        #expect(schools[0].terms[1].total.description == "fewer than 5")
        Self.expectNothingRecoverable(schools, trust)
        let json = String(decoding: try! JSONEncoder().encode(schools[0]), as: UTF8.self)
        #expect(json.contains("\"withheld\":true") && json.contains("\"text\":\"not shown\""), "a withheld figure says so in JSON")
    }

    /// One sum, `total` of `parts`, protected under `threshold`.
    private static func protected(total: Int, parts: [(String, Int)], threshold: Int) -> Disclosure {
        var disclosure = Disclosure()
        disclosure.add("total", total, threshold: threshold)
        for (key, value) in parts { disclosure.add(key, value, threshold: threshold) }
        disclosure.sum("total", of: parts.map(\.0))
        disclosure.protect()
        return disclosure
    }

    @Test("two small counts whose sum is known are not each pinned to one value")
    func pinnedByBounds() {
        let disclosure = Self.protected(total: 12, parts: [("a", 1), ("b", 1), ("c", 10)], threshold: 5)
        // With "c" printed, a + b = 2 and each is at least 1: both are 1.
        #expect(disclosure.state("a") == .small && disclosure.state("b") == .small)
        #expect(disclosure.withheld == ["c"], "the only other count is withheld")
    }

    @Test("figures with no small count among them all print, and a threshold of 2 needs nothing withheld")
    func nothingToHide() {
        let disclosure = Self.protected(total: 30, parts: [("a", 10), ("b", 20)], threshold: 5)
        #expect(disclosure.withheld.isEmpty)

        let pair = Self.protected(total: 11, parts: [("a", 1), ("b", 10)], threshold: 2)
        #expect(pair.state("a") == .small)
        #expect(pair.withheld.isEmpty, "a count of 1 under a threshold of 2 is already known to be 1: withholding more would not help")
    }

    @Test("a referral at one school cannot be worked out from the trust's referrals")
    func referrals() {
        let small = Self.counts(name: "Small", autumn: [:], referrals: ["lado": 1])
        let large = Self.counts(name: "Large", autumn: [:], referrals: ["lado": 8])
        let (schools, trust) = Self.report([small, large])
        #expect(Self.line(schools[0].referralsByAgency, "lado").description == "fewer than 5")
        Self.expectNothingRecoverable(schools, trust)
    }
}

@Suite("A governor's compliance figures")
struct ComplianceDisclosureTests {
    private static func school(_ urn: String, learners: Int, granted: Int, refused: Int) -> SchoolCompliance {
        SchoolCompliance(
            schoolID: SchoolID(), urn: urn, name: "School \(urn)",
            figures: ComplianceFigures(
                aup: [], access: AccessCoverage(activeGrants: 40, withoutCurrentAUP: 0),
                consent: [
                    ConsentCoverage(
                        purposeCode: "images", purposeName: "Images", learners: learners, granted: granted, refused: refused, withdrawn: 0)
                ],
                training: []),
            accessExceptions: [])
    }

    @Test("two refusals at one school cannot be worked out from its learners, nor from the trust's total")
    func refusals() {
        let schools = [
            Self.school("100001", learners: 60, granted: 58, refused: 2), Self.school("100002", learners: 90, granted: 80, refused: 10),
        ]
        let report = ComplianceReport(
            trustID: TrustID(), asOf: CalendarDate(year: 2026, month: 12, day: 1)!, generatedAt: Date(), dueSoonDays: 30, detailed: false,
            schools: schools, trustWideTraining: [], totals: ComplianceFigures.sum(schools.map(\.figures))
        ).suppressed(below: 5)
        func hidden(_ scope: String, _ measure: String) -> Bool { report.isHidden(scope, "consent", "images", measure) }
        #expect(report.shown(0, "100001", "consent", "images", "refused") == "fewer than 5")
        let measures = ["learners", "granted", "refused", "withdrawn", "no_record"]
        for scope in ["100001", "100002", "total"] {
            #expect(measures.filter { hidden(scope, $0) }.count != 1, "\(scope): one hidden figure is its learners less the others")
        }
        for measure in measures {
            #expect(
                ["100001", "100002", "total"].filter { hidden($0, measure) }.count != 1,
                "\(measure): one hidden figure is the total less the other school")
        }
        #expect(!report.withheldCells.isEmpty && report.withheldCells.isDisjoint(with: report.suppressedCells))
        let figures = report.schools[0].figures.consent[0]
        #expect(figures.refused == 0 && figures.granted == 0, "hidden figures are not in the value")
        #expect(report.shown(figures.granted, "100001", "consent", "images", "granted") == "not shown")
    }
}
