public import Foundation

/// How many people of one audience have accepted the acceptable use policy in force for it.
public struct AUPCoverage: Sendable, Hashable, Codable {
    /// The audience.
    public var audience: AUPAudience
    /// The version in force (`nil` when none is published, or in trust totals when schools differ).
    public var currentVersion: Int?
    /// The policy in force, when one document applies.
    public var currentDocumentID: AUPDocumentID?
    /// People of the audience on roll.
    public var people: Int
    /// Of those, who accepted the policy in force.
    public var accepted: Int
    /// Whether any policy is published for the audience.
    public var published: Bool
    /// Who must still accept (everyone, when no policy is published).
    public var due: Int

    /// Creates a figure.
    public init(audience: AUPAudience, currentVersion: Int?, currentDocumentID: AUPDocumentID?, people: Int, accepted: Int, published: Bool)
    {
        self.audience = audience
        self.currentVersion = currentVersion
        self.currentDocumentID = currentDocumentID
        self.people = people
        self.accepted = accepted
        self.published = published
        self.due = people - accepted
    }
}

/// The access register in figures.
public struct AccessCoverage: Sendable, Hashable, Codable {
    /// Grants in force.
    public var activeGrants: Int
    /// Of those, grants whose holder has not accepted the policy in force (the target is zero).
    public var withoutCurrentAUP: Int

    /// Creates a figure.
    public init(activeGrants: Int, withoutCurrentAUP: Int) {
        self.activeGrants = activeGrants
        self.withoutCurrentAUP = withoutCurrentAUP
    }
}

/// Where learners stand on one consent purpose.
public struct ConsentCoverage: Sendable, Hashable, Codable {
    /// The purpose's code.
    public var purposeCode: String
    /// Its name.
    public var purposeName: String
    /// Learners on roll.
    public var learners: Int
    /// With consent given.
    public var granted: Int
    /// With consent refused.
    public var refused: Int
    /// With consent withdrawn.
    public var withdrawn: Int
    /// With no decision recorded.
    public var noRecord: Int

    /// Creates a figure.
    public init(purposeCode: String, purposeName: String, learners: Int, granted: Int, refused: Int, withdrawn: Int) {
        self.purposeCode = purposeCode
        self.purposeName = purposeName
        self.learners = learners
        self.granted = granted
        self.refused = refused
        self.withdrawn = withdrawn
        self.noRecord = learners - granted - refused - withdrawn
    }
}

/// Where the holders of one role stand against one training requirement.
public struct TrainingCoverage: Sendable, Hashable, Codable {
    /// The role.
    public var role: Role
    /// The requirement's code.
    public var requirementCode: String
    /// People holding the role.
    public var people: Int
    /// Compliant.
    public var compliant: Int
    /// Due within the window.
    public var dueSoon: Int
    /// Overdue.
    public var overdue: Int
    /// Never done.
    public var neverDone: Int

    /// Creates a figure.
    public init(role: Role, requirementCode: String, people: Int, compliant: Int, dueSoon: Int, overdue: Int, neverDone: Int) {
        self.role = role
        self.requirementCode = requirementCode
        self.people = people
        self.compliant = compliant
        self.dueSoon = dueSoon
        self.overdue = overdue
        self.neverDone = neverDone
    }
}

/// A school's (or a trust's) compliance in figures: no one is named.
public struct ComplianceFigures: Sendable, Hashable, Codable {
    /// Acceptable use policy coverage, by audience.
    public var aup: [AUPCoverage]
    /// The access register.
    public var access: AccessCoverage
    /// Consent, by purpose.
    public var consent: [ConsentCoverage]
    /// Training, by role and requirement.
    public var training: [TrainingCoverage]

    /// Creates figures.
    public init(aup: [AUPCoverage], access: AccessCoverage, consent: [ConsentCoverage], training: [TrainingCoverage]) {
        self.aup = aup
        self.access = access
        self.consent = consent
        self.training = training
    }

    /// The sum of several schools' figures: versions and documents are kept only where all agree.
    public static func sum(_ parts: [ComplianceFigures], extraTraining: [TrainingCoverage] = []) -> ComplianceFigures {
        var aup: [AUPCoverage] = []
        for audience in AUPAudience.allCases {
            let rows = parts.flatMap(\.aup).filter { $0.audience == audience }
            guard let first = rows.first else { continue }
            let sameDocument = rows.allSatisfy { $0.currentDocumentID == first.currentDocumentID }
            aup.append(
                AUPCoverage(
                    audience: audience, currentVersion: sameDocument ? first.currentVersion : nil,
                    currentDocumentID: sameDocument ? first.currentDocumentID : nil, people: rows.reduce(0) { $0 + $1.people },
                    accepted: rows.reduce(0) { $0 + $1.accepted }, published: rows.allSatisfy(\.published)))
        }
        let access = AccessCoverage(
            activeGrants: parts.reduce(0) { $0 + $1.access.activeGrants },
            withoutCurrentAUP: parts.reduce(0) { $0 + $1.access.withoutCurrentAUP })
        var consent: [ConsentCoverage] = []
        for row in parts.flatMap(\.consent) {
            guard let index = consent.firstIndex(where: { $0.purposeCode == row.purposeCode }) else {
                consent.append(row)
                continue
            }
            let sum = consent[index]
            consent[index] = ConsentCoverage(
                purposeCode: sum.purposeCode, purposeName: sum.purposeName, learners: sum.learners + row.learners,
                granted: sum.granted + row.granted, refused: sum.refused + row.refused, withdrawn: sum.withdrawn + row.withdrawn)
        }
        var training: [TrainingCoverage] = []
        for row in parts.flatMap(\.training) + extraTraining {
            if let index = training.firstIndex(where: { $0.role == row.role && $0.requirementCode == row.requirementCode }) {
                training[index].people += row.people
                training[index].compliant += row.compliant
                training[index].dueSoon += row.dueSoon
                training[index].overdue += row.overdue
                training[index].neverDone += row.neverDone
            } else {
                training.append(row)
            }
        }
        // By role, keeping the order in which requirements first appear within a role.
        training = training.enumerated().sorted { a, b in
            (Role.allCases.firstIndex(of: a.element.role)!, a.offset) < (Role.allCases.firstIndex(of: b.element.role)!, b.offset)
        }.map(\.element)
        return ComplianceFigures(aup: aup, access: access, consent: consent, training: training)
    }
}

/// One school's part of a compliance report.
public struct SchoolCompliance: Sendable, Hashable, Codable {
    /// The school.
    public var schoolID: SchoolID
    /// Its URN.
    public var urn: String
    /// Its name.
    public var name: String
    /// Its figures.
    public var figures: ComplianceFigures
    /// The grants without a current agreement behind them; empty in a report of figures only.
    public var accessExceptions: [AccessException]

    /// Creates a school's part.
    public init(schoolID: SchoolID, urn: String, name: String, figures: ComplianceFigures, accessExceptions: [AccessException]) {
        self.schoolID = schoolID
        self.urn = urn
        self.name = name
        self.figures = figures
        self.accessExceptions = accessExceptions
    }
}

/// The compliance report for a school or a trust: acceptable use coverage by audience, access
/// grants without a current agreement (the target is zero), consent coverage by purpose and
/// training status by role.
///
/// Those who read compliance in detail (data managers, leaders, the DSL) also get the grants
/// without an agreement; governors get figures only, which never identify anyone.
public struct ComplianceReport: Sendable, Hashable, Codable {
    /// The trust, for a trust-wide report.
    public var trustID: TrustID?
    /// The day the figures describe.
    public var asOf: CalendarDate
    /// When the report was made.
    public var generatedAt: Date
    /// The window, in days, within which training counts as due soon.
    public var dueSoonDays: Int
    /// Whether the report lists the grants without an agreement (not a report of figures only).
    public var detailed: Bool
    /// Each school's part.
    public var schools: [SchoolCompliance]
    /// Training of those holding roles trust-wide (a trust-wide report only).
    public var trustWideTraining: [TrainingCoverage]
    /// The figures over every school (and trust-wide role holders).
    public var totals: ComplianceFigures
    /// For figures-only reports (governors): counts from 1 below this read "fewer than" it, and
    /// are stored as 0 with their cell named in ``suppressedCells``. `nil` for a detailed report.
    public var suppressedBelow: Int? = nil
    /// The cells whose counts are suppressed, as ``cell(_:_:_:_:)`` names them.
    public var suppressedCells: Set<String> = []
    /// The cells whose counts are withheld (stored as 0): not small themselves, but printed they
    /// would let a reader work out a suppressed one from a total.
    public var withheldCells: Set<String> = []

    /// Creates a report.
    public init(
        trustID: TrustID?, asOf: CalendarDate, generatedAt: Date, dueSoonDays: Int, detailed: Bool, schools: [SchoolCompliance],
        trustWideTraining: [TrainingCoverage], totals: ComplianceFigures
    ) {
        self.trustID = trustID
        self.asOf = asOf
        self.generatedAt = generatedAt
        self.dueSoonDays = dueSoonDays
        self.detailed = detailed
        self.schools = schools
        self.trustWideTraining = trustWideTraining
        self.totals = totals
    }
}

extension ComplianceReport {
    /// The name of one cell: a scope (a school's URN, `trust-wide` or `total`), a section (`aup`,
    /// `access`, `consent`, `training`), an item and a measure.
    public static func cell(_ scope: String, _ section: String, _ item: String, _ measure: String) -> String {
        [scope, section, item, measure].joined(separator: "|")
    }

    /// A count as it is shown: "fewer than N" when the cell is suppressed, "not shown" when it is
    /// withheld, else the number.
    public func shown(_ value: Int, _ scope: String, _ section: String, _ item: String, _ measure: String) -> String {
        let cell = Self.cell(scope, section, item, measure)
        if let below = suppressedBelow, suppressedCells.contains(cell) { return "fewer than \(below)" }
        if withheldCells.contains(cell) { return "not shown" }
        return "\(value)"
    }

    /// Whether a cell's count is hidden (suppressed or withheld), so that a share worked out from
    /// it must not print either.
    public func isHidden(_ scope: String, _ section: String, _ item: String, _ measure: String) -> Bool {
        let cell = Self.cell(scope, section, item, measure)
        return suppressedCells.contains(cell) || withheldCells.contains(cell)
    }

    /// The report with every count from 1 below `threshold` set to 0 and named as suppressed,
    /// and every count that would give one of them back (a school's people less those counted
    /// in each state, a total less its schools) set to 0 and named as withheld: what a reader of
    /// figures only (a governor) gets, so that no small group is identified.
    func suppressed(below threshold: Int) -> ComplianceReport {
        var report = self
        var disclosure = Disclosure()
        /// Visits every count of the report with its cell name.
        func visit(_ report: inout ComplianceReport, _ body: (inout Int, String) -> Void) {
            func figures(_ figures: inout ComplianceFigures, _ scope: String) {
                for index in figures.aup.indices {
                    let item = figures.aup[index].audience.rawValue
                    body(&figures.aup[index].people, Self.cell(scope, "aup", item, "people"))
                    body(&figures.aup[index].accepted, Self.cell(scope, "aup", item, "accepted"))
                    body(&figures.aup[index].due, Self.cell(scope, "aup", item, "due"))
                }
                body(&figures.access.activeGrants, Self.cell(scope, "access", "grants", "active"))
                body(&figures.access.withoutCurrentAUP, Self.cell(scope, "access", "grants", "without_current_aup"))
                for index in figures.consent.indices {
                    let item = figures.consent[index].purposeCode
                    for (measure, path) in Self.consentMeasures {
                        body(&figures.consent[index][keyPath: path], Self.cell(scope, "consent", item, measure))
                    }
                }
                training(&figures.training, scope)
            }
            func training(_ rows: inout [TrainingCoverage], _ scope: String) {
                for index in rows.indices {
                    let item = "\(rows[index].role.rawValue)/\(rows[index].requirementCode)"
                    for (measure, path) in Self.trainingMeasures {
                        body(&rows[index][keyPath: path], Self.cell(scope, "training", item, measure))
                    }
                }
            }
            for index in report.schools.indices { figures(&report.schools[index].figures, report.schools[index].urn) }
            training(&report.trustWideTraining, "trust-wide")
            figures(&report.totals, "total")
        }
        visit(&report) { value, cell in disclosure.add(cell, value, threshold: threshold) }
        // The sums a reader could use: within a group, and the total over the schools.
        let scopes = report.schools.map(\.urn) + ["trust-wide"]
        func parts(_ scope: String, _ section: String, _ item: String, _ measures: [String]) -> [String] {
            measures.map { Self.cell(scope, section, item, $0) }
        }
        for scope in scopes + ["total"] {
            for row in (report.schools.first { $0.urn == scope }?.figures ?? (scope == "total" ? report.totals : nil))?.aup ?? [] {
                let item = row.audience.rawValue
                disclosure.sum(Self.cell(scope, "aup", item, "people"), of: parts(scope, "aup", item, ["accepted", "due"]))
            }
            for row in (report.schools.first { $0.urn == scope }?.figures ?? (scope == "total" ? report.totals : nil))?.consent ?? [] {
                disclosure.sum(
                    Self.cell(scope, "consent", row.purposeCode, "learners"),
                    of: parts(scope, "consent", row.purposeCode, Self.consentMeasures.map(\.0).filter { $0 != "learners" }))
            }
        }
        for (scope, rows) in report.schools.map({ ($0.urn, $0.figures.training) }) + [
            ("trust-wide", report.trustWideTraining), ("total", report.totals.training),
        ] {
            for row in rows {
                let item = "\(row.role.rawValue)/\(row.requirementCode)"
                disclosure.sum(
                    Self.cell(scope, "training", item, "people"),
                    of: parts(scope, "training", item, Self.trainingMeasures.map(\.0).filter { $0 != "people" }))
            }
        }
        var totalCells: [String] = []
        visit(&report) { _, cell in if cell.hasPrefix("total|") { totalCells.append(cell) } }
        for cell in totalCells {
            let rest = cell.dropFirst("total|".count)
            disclosure.sum(cell, of: scopes.map { "\($0)|\(rest)" })
        }
        disclosure.protect()
        var small: Set<String> = []
        var withheld: Set<String> = []
        visit(&report) { value, cell in
            switch disclosure.state(cell) {
            case .shown: return
            case .small: small.insert(cell)
            case .withheld: withheld.insert(cell)
            }
            value = 0
        }
        for index in report.schools.indices { report.schools[index].accessExceptions = [] }
        report.suppressedBelow = threshold
        report.suppressedCells = small
        report.withheldCells = withheld
        return report
    }

    private static var consentMeasures: [(String, WritableKeyPath<ConsentCoverage, Int>)] {
        [
            ("learners", \.learners), ("granted", \.granted), ("refused", \.refused), ("withdrawn", \.withdrawn), ("no_record", \.noRecord),
        ]
    }
    private static var trainingMeasures: [(String, WritableKeyPath<TrainingCoverage, Int>)] {
        [
            ("people", \.people), ("compliant", \.compliant), ("due_soon", \.dueSoon), ("overdue", \.overdue), ("never_done", \.neverDone),
        ]
    }
}
