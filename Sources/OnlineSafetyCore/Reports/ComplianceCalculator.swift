import Foundation

/// What the compliance figures of one school are computed from: records already read.
///
/// ``ComplianceService`` reads these from the store; anything holding the same records in memory
/// (an import preview, a benchmark's baseline) gets the same figures from ``ComplianceCalculator``.
public struct ComplianceInputs: Sendable {
    /// The school.
    public var school: School
    /// The people on roll at the school on the day.
    public var people: [Person]
    /// The acceptable use policies that apply at the school (its own and its trust's).
    public var documents: [AUPDocument]
    /// Acceptances of the policies in force (acceptances of other versions are ignored).
    public var acceptances: [AUPAcceptance]
    /// The access grants at the school in force on the day.
    public var grants: [AccessGrant]
    /// Holders of those grants who are not on roll at the school (trust staff, for example).
    public var otherHolders: [Person]
    /// The consent purposes offered at the school.
    public var purposes: [ConsentPurpose]
    /// The learners' consent decisions in force.
    public var consentStates: [ConsentState]
    /// The school's own role grants in force on the day.
    public var roleGrants: [RoleGrant]
    /// The latest training of the role holders.
    public var trainingSummaries: [TrainingSummary]

    /// Creates inputs.
    public init(
        school: School, people: [Person], documents: [AUPDocument], acceptances: [AUPAcceptance], grants: [AccessGrant],
        otherHolders: [Person] = [], purposes: [ConsentPurpose], consentStates: [ConsentState], roleGrants: [RoleGrant],
        trainingSummaries: [TrainingSummary]
    ) {
        self.school = school
        self.people = people
        self.documents = documents
        self.acceptances = acceptances
        self.grants = grants
        self.otherHolders = otherHolders
        self.purposes = purposes
        self.consentStates = consentStates
        self.roleGrants = roleGrants
        self.trainingSummaries = trainingSummaries
    }
}

/// Computes compliance figures from records in memory. Pure functions; no storage.
public enum ComplianceCalculator {
    /// One school's part of the report on a day.
    public static func school(
        _ inputs: ComplianceInputs, on date: CalendarDate, dueSoonDays: Int, requirements: [TrainingRequirement], detailed: Bool
    ) -> SchoolCompliance {
        let current = AgreementRules.currentByAudience(among: inputs.documents, on: date)
        return school(
            inputs.school, tally: ComplianceTally(inputs, on: date, current: current, listExceptions: detailed), current: current,
            purposes: inputs.purposes, roleGrants: inputs.roleGrants, trainingSummaries: inputs.trainingSummaries, on: date,
            dueSoonDays: dueSoonDays, requirements: requirements, detailed: detailed)
    }

    /// One school's part of the report on a day, from its counts and its role holders' training.
    ///
    /// `current` is the policy in force for each audience, `purposes` the consent purposes
    /// offered at the school, `roleGrants` the school's role grants and `trainingSummaries` their
    /// holders' latest training.
    public static func school(
        _ school: School, tally: ComplianceTally, current: [AUPAudience: AUPDocument], purposes: [ConsentPurpose],
        roleGrants: [RoleGrant], trainingSummaries: [TrainingSummary], on date: CalendarDate, dueSoonDays: Int,
        requirements: [TrainingRequirement], detailed: Bool
    ) -> SchoolCompliance {
        let aup = AUPAudience.allCases.compactMap { audience -> AUPCoverage? in
            let document = current[audience]
            guard tally.people[audience] != nil || document != nil else { return nil }
            return AUPCoverage(
                audience: audience, currentVersion: document?.version, currentDocumentID: document?.id,
                people: tally.people[audience] ?? 0, accepted: tally.accepted[audience] ?? 0, published: document != nil)
        }
        let access = AccessCoverage(activeGrants: tally.activeGrants, withoutCurrentAUP: tally.exceptionCount)
        let consent = purposes.map { purpose in
            let counts = tally.consent[purpose.code] ?? [:]
            return ConsentCoverage(
                purposeCode: purpose.code, purposeName: purpose.name, learners: tally.learners, granted: counts[.granted] ?? 0,
                refused: counts[.refused] ?? 0, withdrawn: counts[.withdrawn] ?? 0)
        }
        let training = training(
            holders: roleGrants.filter { $0.isActive(on: date) && $0.applies(to: school) }, summaries: trainingSummaries,
            on: date, dueSoonDays: dueSoonDays, requirements: requirements)
        return SchoolCompliance(
            schoolID: school.id, urn: school.urn, name: school.name,
            figures: ComplianceFigures(aup: aup, access: access, consent: consent, training: training),
            accessExceptions: detailed ? tally.exceptions : [])
    }

    /// The grants in force on a day whose holder has not accepted the policy now in force for
    /// their audience (or whose audience has no policy published), or has left.
    public static func accessExceptions(_ inputs: ComplianceInputs, on date: CalendarDate) -> [AccessException] {
        let current = AgreementRules.currentByAudience(among: inputs.documents, on: date)
        return ComplianceTally(inputs, on: date, current: current, listExceptions: true).exceptions
    }

    /// Where the holders of each role stand against each requirement that applies to it.
    ///
    /// A person holding a role through several grants counts once for it; a person holding two
    /// roles (a DSL who also teaches) counts under each.
    public static func training(
        holders: [RoleGrant], summaries: [TrainingSummary], on date: CalendarDate, dueSoonDays: Int, requirements: [TrainingRequirement]
    ) -> [TrainingCoverage] {
        var byRole: [Role: Set<PersonID>] = [:]
        for grant in holders { byRole[grant.role, default: []].insert(grant.personID) }
        let latest = Dictionary(summaries.map { ($0.personID, $0.latest) }, uniquingKeysWith: { first, _ in first })
        var result: [TrainingCoverage] = []
        for role in Role.allCases {
            guard let people = byRole[role] else { continue }
            for requirement in requirements where requirement.roles.contains(role) {
                var counts: [TrainingState: Int] = [:]
                for person in people {
                    let status = TrainingRules.status(
                        of: person, roles: [role], against: requirement, latest: latest[person] ?? [], on: date, dueSoonDays: dueSoonDays)
                    counts[status.state, default: 0] += 1
                }
                result.append(
                    TrainingCoverage(
                        role: role, requirementCode: requirement.code, people: people.count, compliant: counts[.compliant] ?? 0,
                        dueSoon: counts[.dueSoon] ?? 0, overdue: counts[.overdue] ?? 0, neverDone: counts[.neverDone] ?? 0))
            }
        }
        return result
    }
}

/// Reads one school's compliance inputs from a store (in the caller's transaction).
enum ComplianceLoader {
    /// One school's part of the report: the policies in force, the store's counts
    /// (``ReportQueries/complianceTally(_:)``) and the role holders' latest training, so that no
    /// person, grant or consent state is read one by one.
    static func school(
        _ school: School, on date: CalendarDate, dueSoonDays: Int, requirements: [TrainingRequirement], detailed: Bool,
        holders known: TrainingHolders? = nil, _ tx: any OnlineSafetyStore
    ) async throws -> SchoolCompliance {
        try await schools(
            [school], on: date, dueSoonDays: dueSoonDays, requirements: requirements, detailed: detailed, holders: known.map { [$0] },
            tx)[0]
    }

    /// Several schools' parts, in their order, with their counts asked of storage at once
    /// (``ReportQueries/complianceTallies(_:)``); `holders`, when given, holds each school's
    /// role holders and their training, in the same order. `withoutGrants` leaves the access
    /// figures out (zero), for a reader of coverage alone.
    static func schools(
        _ schools: [School], on date: CalendarDate, dueSoonDays: Int, requirements: [TrainingRequirement], detailed: Bool,
        holders known: [TrainingHolders]? = nil, withoutGrants: Bool = false, _ tx: any OnlineSafetyStore
    ) async throws -> [SchoolCompliance] {
        let requests = try await tallyRequests(schools, on: date, listExceptions: detailed, withoutGrants: withoutGrants, tx)
        // The counts, the role holders with their training (several schools' read together, not
        // school by school) and the schools' own consent purposes are asked for at once: a backend
        // works on one while the answer of another is read.
        async let counted = tx.reports.complianceTallies(requests)
        async let holders: [TrainingHolders]? =
            known == nil && schools.count > 1 ? TrainingService.holders(at: schools, on: date, tx) : known
        async let owned = OwnedReads.bySchool(tx.consentPurposes, schools)
        let (tallies, known, purposes) = try await (counted, holders, owned)
        var parts: [SchoolCompliance] = []
        for (index, school) in schools.enumerated() {
            parts.append(
                try await part(
                    school, tally: tallies[index], current: requests[index].current, on: date, dueSoonDays: dueSoonDays,
                    requirements: requirements, detailed: detailed, holders: known?[index], purposes: purposes[index], tx))
        }
        return parts
    }

    /// For each school, the policies in force for each audience on the day, as the request for its
    /// counts; every school's policies are read in one query.
    static func tallyRequests(
        _ schools: [School], on date: CalendarDate, listExceptions: Bool, grantsOnly: Bool = false, withoutGrants: Bool = false,
        _ tx: any OnlineSafetyStore
    ) async throws -> [ComplianceTallyRequest] {
        var requests: [ComplianceTallyRequest] = []
        let owned = try await OwnedReads.bySchool(tx.aupDocuments, schools, [.atMost("effective_from", .date(date))])
        for (school, documents) in zip(schools, owned) {
            requests.append(
                ComplianceTallyRequest(
                    school: school, date: date, current: AgreementRules.currentByAudience(among: documents, on: date),
                    listExceptions: listExceptions, grantsOnly: grantsOnly, withoutGrants: withoutGrants))
        }
        return requests
    }

    private static func part(
        _ school: School, tally: ComplianceTally, current: [AUPAudience: AUPDocument], on date: CalendarDate, dueSoonDays: Int,
        requirements: [TrainingRequirement], detailed: Bool, holders known: TrainingHolders?, purposes custom: [CustomConsentPurpose],
        _ tx: any OnlineSafetyStore
    ) async throws -> SchoolCompliance {
        let roleGrants: [RoleGrant]
        let summaries: [TrainingSummary]
        if let known {
            roleGrants = known.schoolGrants
            summaries = known.summaries
        } else {
            roleGrants = try await tx.roleGrants.find(RoleGrantQuery(schoolID: school.id, activeOn: date))
            summaries = try await trainingSummaries(of: Set(roleGrants.map(\.personID)), atSchool: school.id, tx)
        }
        return ComplianceCalculator.school(
            school, tally: tally, current: current, purposes: ConsentPurpose.builtIns + custom.map(\.purpose), roleGrants: roleGrants,
            trainingSummaries: summaries, on: date, dueSoonDays: dueSoonDays, requirements: requirements, detailed: detailed)
    }

    static func inputs(for school: School, on date: CalendarDate, _ tx: any OnlineSafetyStore) async throws -> ComplianceInputs {
        let people = try await tx.people.find(PersonQuery(scope: .school(school.id), presentOn: date))
        let documents = try await tx.aupDocuments.find(AUPDocumentQuery(schoolID: school.id, trustID: school.trustID, effectiveBy: date))
        let current = Array(AgreementRules.currentByAudience(among: documents, on: date).values)
        var acceptances =
            current.isEmpty ? [] : try await tx.aupAcceptances.find(AUPAcceptanceQuery(schoolID: school.id, documentIDs: current.map(\.id)))
        let grants = try await tx.accessGrants.find(AccessGrantQuery(schoolID: school.id, activeOn: date))
        let onRoll = Set(people.map(\.id))
        var otherHolders: [Person] = []
        for personID in Set(grants.map(\.personID)).subtracting(onRoll).sorted() {
            guard let person = try await tx.people.get(personID, within: .reach(of: school)) else { continue }
            otherHolders.append(person)
            if !current.isEmpty {
                acceptances += try await tx.aupAcceptances.find(AUPAcceptanceQuery(personID: personID, documentIDs: current.map(\.id)))
            }
        }
        let custom = try await tx.consentPurposes.find(ConsentPurposeQuery(schoolID: school.id, trustID: school.trustID))
        let states = try await tx.consentStates.find(ConsentStateQuery(schoolID: school.id))
        let roleGrants = try await tx.roleGrants.find(RoleGrantQuery(schoolID: school.id, activeOn: date))
        let summaries = try await trainingSummaries(of: Set(roleGrants.map(\.personID)), atSchool: school.id, tx)
        return ComplianceInputs(
            school: school, people: people, documents: documents, acceptances: acceptances, grants: grants, otherHolders: otherHolders,
            purposes: ConsentPurpose.builtIns + custom.map(\.purpose), consentStates: states, roleGrants: roleGrants,
            trainingSummaries: summaries)
    }

    /// The training summaries of some people: those kept at a school (when one is given) in one
    /// read, the others (the trust's own staff, people of other schools) in another, without
    /// reading who is on roll.
    static func trainingSummaries(
        of people: Set<PersonID>, atSchool schoolID: SchoolID?, _ tx: any OnlineSafetyStore
    ) async throws -> [TrainingSummary] {
        guard !people.isEmpty else { return [] }
        var summaries: [TrainingSummary] = []
        if let schoolID {
            summaries = try await tx.trainingSummaries.find(TrainingSummaryQuery(schoolID: schoolID)).filter {
                people.contains($0.personID)
            }
        }
        let others = people.subtracting(summaries.map(\.personID)).sorted()
        if !others.isEmpty { summaries += try await tx.trainingSummaries.find(TrainingSummaryQuery(personIDs: others)) }
        return summaries
    }
}
