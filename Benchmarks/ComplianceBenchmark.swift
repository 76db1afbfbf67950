import ArgumentParser
import Foundation
import Logging
@_spi(StorageBackend) import OnlineSafetyCore
import PostgresNIO
import StorageFile
import StoragePostgres

/// `benchmarks compliance`: the trust-wide compliance report for 60,000 learners and 8,000 staff.
///
/// The data set, the same on every run: a trust of `--schools` schools sharing `--learners`
/// learners (EYFS to year 6) and `--staff` staff (with DSLs, deputies, heads and technicians), a
/// dozen governors per school; trust-wide acceptable use policies for every audience, a second
/// staff version in force since September (5% of staff have not accepted it), some schools' own
/// EYFS/KS1 policy; access grants (network, email and MCAS for staff, the learning platform for
/// KS2 learners); consent in force for 85% of learners over the seven built-in purposes; and the
/// latest training of 90% of role holders. The report reads each learner's consent in force and
/// each person's latest training, so the decision and training histories are not loaded.
struct ComplianceBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compliance",
        abstract: "Time the trust-wide compliance report against the same computation over records already in memory."
    )

    @Option(help: "Learners across the trust.")
    var learners: Int = 60_000

    @Option(help: "Staff across the trust.")
    var staff: Int = 8_000

    @Option(help: "Schools in the trust.")
    var schools: Int = 20

    @OptionGroup var backends: BackendOptions

    func validate() throws {
        guard schools >= 1, schools <= 999 else { throw ValidationError("--schools is 1 to 999") }
        guard learners >= schools, learners / schools <= 99_000 else { throw ValidationError("--learners is at least one per school") }
        guard staff >= 4 * schools else { throw ValidationError("--staff is at least 4 per school") }
    }

    func run() async throws {
        let logger = benchLogger()
        let now = SafetyClock.truncated(Date(timeIntervalSince1970: 1_795_428_000))
        print(
            "Compliance report across a trust: \(learners) learners and \(staff) staff in \(schools) schools, "
                + "median of \(backends.runs) runs"
        )
        let data = TrustData.make(schools: schools, learners: learners, staff: staff, today: CalendarDate(now))
        print("Data set: \(data.recordCount) records (\(data.people.count) people, \(data.grants.count) access grants)")
        if backends.wantsFile {
            let (store, directory) = try await freshFileStore(logger)
            try await measure(store, name: "flat file", data: data, now: now, logger: logger, rawBaseline: nil)
            try await store.close()
            try? FileManager.default.removeItem(at: directory)
        }
        if backends.wantsPostgres {
            let store = try await freshPostgresStore(try backends.postgresConfiguration(), logger: logger)
            try await measure(store, name: "PostgreSQL", data: data, now: now, logger: logger) { schoolIDs, documentIDs in
                // The same rows the report reads, fetched as text with plain SQL on a PostgresNIO connection.
                try await withRawConnection(store.configuration, logger: logger) { connection in
                    try await medianSeconds(runs: backends.runs) {
                        try await Self.fetchRows(
                            connection, schoolIDs: schoolIDs, documentIDs: documentIDs, today: CalendarDate(now), logger: logger)
                    }
                }
            }
            try await store.close()
        }
    }

    private func measure(
        _ store: any OnlineSafetyStore, name: String, data: TrustData, now: Date, logger: Logger,
        rawBaseline: (([UUID], [UUID]) async throws -> Double)?
    ) async throws {
        let loadStart = ContinuousClock.now
        try await data.load(into: store)
        let load = ContinuousClock.now - loadStart
        let safety = OnlineSafety(backend: store, clock: .fixed(now), logger: logger)
        let session = try await safety.session(actingAs: data.dataManager.id, at: data.schools[0].id)
        var report: ComplianceReport?
        let trustSeconds = try await medianSeconds(runs: backends.runs) {
            report = try await session.compliance.report(acrossTrust: true)
        }
        let schoolSeconds = try await medianSeconds(runs: backends.runs) {
            _ = try await session.compliance.report()
        }
        var baselineReport: ComplianceReport?
        let baseline = await medianSeconds(runs: backends.runs) { baselineReport = data.inMemoryReport(now: now) }
        guard let report, let baselineReport else { return }
        guard report.totals == baselineReport.totals else {
            throw ValidationError("[\(name)] the SDK's figures differ from the in-memory computation's")
        }
        let totals = report.totals
        let staffAUP = totals.aup.first { $0.audience == .staffAndVolunteers }
        let website = totals.consent.first { $0.purposeCode == ConsentPurpose.websiteImages.code }
        print("\n[\(name)] loaded \(data.recordCount) records in \(load)")
        print("[\(name)] trust report (SDK, through the session, \(report.schools.count) schools): \(ms(trustSeconds))")
        print(
            "[\(name)]   staff AUP \(staffAUP?.accepted ?? 0) of \(staffAUP?.people ?? 0) accepted; grants \(totals.access.activeGrants), "
                + "\(totals.access.withoutCurrentAUP) without a current AUP; "
                + "website images granted for \(website?.granted ?? 0) of \(website?.learners ?? 0)"
        )
        print("[\(name)] one school's report (SDK): \(ms(schoolSeconds))")
        print("[\(name)] baseline (the same computation over the records in memory, no store): \(ms(baseline))")
        print("[\(name)] ratio SDK / in-memory baseline: \(String(format: "%.1f", trustSeconds / max(baseline, 1e-9)))")
        if let rawBaseline {
            let raw = try await rawBaseline(data.schools.map(\.id.uuid), data.documents.map(\.id.uuid))
            print("[\(name)] baseline (the same rows fetched as text with plain SQL over PostgresNIO): \(ms(raw))")
            print("[\(name)] ratio SDK / plain SQL: \(String(format: "%.2f", trustSeconds / max(raw, 1e-9)))")
        }
    }

    /// Fetches, school by school, the rows the report reads, as text.
    private static func fetchRows(
        _ connection: PostgresConnection, schoolIDs: [UUID], documentIDs: [UUID], today: CalendarDate, logger: Logger
    ) async throws {
        let day = today.description
        var rows = 0
        for school in schoolIDs {
            let queries: [PostgresQuery] = [
                """
                SELECT doc::text FROM people WHERE school_id = \(school) AND (left_on IS NULL OR left_on > \(day)::date)
                ORDER BY sort_key
                """,
                "SELECT doc::text FROM aup_documents WHERE school_id = \(school) OR trust_id IS NOT NULL",
                "SELECT doc::text FROM aup_acceptances WHERE school_id = \(school) AND document_id = ANY(\(documentIDs))",
                """
                SELECT doc::text FROM access_grants WHERE school_id = \(school) AND granted_on <= \(day)::date
                AND (revoked_on IS NULL OR revoked_on > \(day)::date)
                """,
                "SELECT doc::text FROM consent_states WHERE school_id = \(school)",
                """
                SELECT doc::text FROM role_grants WHERE school_id = \(school) AND starts <= \(day)::date
                AND (ends IS NULL OR ends >= \(day)::date)
                """,
                "SELECT doc::text FROM training_summaries WHERE school_id = \(school)",
            ]
            for query in queries {
                for try await row in try await connection.query(query, logger: logger) {
                    _ = try row.decode(String.self)
                    rows += 1
                }
            }
        }
        if rows == 0 { throw CancellationError() }
    }
}

/// The benchmark's trust, generated deterministically and kept in memory for the baseline.
struct TrustData {
    var trust: Trust
    var schools: [School] = []
    var dataManager: Person
    var people: [Person] = []
    var roleGrants: [RoleGrant] = []
    var documents: [AUPDocument] = []
    var acceptances: [AUPAcceptance] = []
    var grants: [AccessGrant] = []
    var consentStates: [ConsentState] = []
    var summaries: [TrainingSummary] = []

    var recordCount: Int {
        1 + schools.count + 1 + people.count + roleGrants.count + documents.count + acceptances.count + grants.count + consentStates.count
            + summaries.count
    }

    static func make(schools count: Int, learners: Int, staff: Int, today: CalendarDate) -> TrustData {
        var random = SeededGenerator(state: 2026)
        let trust = SeedSchools.vikingAcademyTrust()
        let manager = Person(tenancy: .trust(trust.id), kind: .staff, givenName: "Trust", familyName: "Data Manager")
        var data = TrustData(trust: trust, dataManager: manager)
        let longAgo = CalendarDate(year: 2020, month: 9, day: 1)!
        data.roleGrants.append(RoleGrant(personID: manager.id, role: .dataManager, scope: .trust(trust.id), starts: longAgo))
        let published = today.adding(days: -500).startOfDay
        func document(_ audience: AUPAudience, _ version: Int, _ effective: CalendarDate, school: SchoolID? = nil) -> AUPDocument {
            let text = Data("\(audience.rawValue) acceptable use policy, version \(version), \(school?.uuidString ?? "trust")".utf8)
            return AUPDocument(
                schoolID: school, trustID: school == nil ? trust.id : nil, audience: audience, version: version,
                title: "\(audience.title) AUP",
                effectiveFrom: effective, contentHash: AUPDocument.contentHash(of: text), publishedAt: published, publishedBy: manager.id)
        }
        let lastYear = today.adding(days: -450)
        let september = CalendarDate(year: today.month >= 9 ? today.year : today.year - 1, month: 9, day: 1)!
        var trustDocuments: [AUPAudience: AUPDocument] = [:]
        for audience in AUPAudience.allCases { trustDocuments[audience] = document(audience, 1, lastYear) }
        let staffV2 = document(.staffAndVolunteers, 2, september)
        data.documents = Array(trustDocuments.values).sorted { $0.audience < $1.audience } + [staffV2]

        let years: [NCYear] = [.nursery2, .reception, .year1, .year2, .year3, .year4, .year5, .year6]
        let purposes = ConsentPurpose.builtIns.map(\.code)
        for index in 0..<count {
            var school = SeedSchools.chilton(trustID: trust.id)
            school.urn = String(910_000 + index)
            school.name = "School \(index + 1) of the Viking Academy Trust"
            data.schools.append(school)
            var current = trustDocuments
            current[.staffAndVolunteers] = staffV2
            if index.isMultiple(of: 2) {
                let own = document(.youngerLearners, 1, september, school: school.id)
                data.documents.append(own)
                current[.youngerLearners] = own
            }
            func accept(_ person: Person, _ document: AUPDocument, by acceptor: PersonID? = nil) {
                data.acceptances.append(
                    AUPAcceptance(
                        schoolID: person.schoolID, personID: person.id, document: document, acceptedBy: acceptor ?? person.id,
                        method: .online, acceptedAt: document.effectiveFrom.startOfDay, recordedBy: manager.id))
            }
            func grant(_ person: Person, _ system: SystemCode, under document: AUPDocument) {
                data.grants.append(
                    AccessGrant(
                        schoolID: school.id, personID: person.id, system: system, grantedOn: document.effectiveFrom,
                        grantedAt: document.effectiveFrom.startOfDay, grantedBy: manager.id, documentID: document.id,
                        acceptanceID: AUPAcceptance.id(person: person.id, document: document.id)))
            }
            func trained(_ person: Person, _ topics: [TrainingTopic]) {
                guard Int.random(in: 0..<100, using: &random) < 90 else { return }
                let latest = topics.map {
                    TrainingLatest(
                        topic: $0, completedOn: today.adding(days: -Int.random(in: 0...450, using: &random)), recordID: TrainingRecordID())
                }
                data.summaries.append(TrainingSummary(personID: person.id, schoolID: school.id, latest: latest))
            }

            let learnerCount = learners / count + (index < learners % count ? 1 : 0)
            for serial in 0..<learnerCount {
                let body =
                    "886" + String(format: "%04d", 2000 + index) + String(format: "%02d", 10 + serial / 1000)
                    + String(format: "%03d", serial % 1000)
                let year = years[serial % years.count]
                let learner = Person(
                    tenancy: .school(school.id), kind: .learner, givenName: "Learner\(serial)", familyName: "School\(index)",
                    learner: LearnerDetails(
                        upn: try! UPN(String(UPN.checkLetter(for: Array(body))!) + body),
                        dateOfBirth: CalendarDate(
                            year: today.year - 4 - years.firstIndex(of: year)!, month: 1 + serial % 12, day: 1 + serial % 28)!,
                        ncYear: year, registrationGroup: "\(year.rawValue)-\(serial % 2 == 0 ? "A" : "B")"))
                data.people.append(learner)
                let audience = AUPAudience.of(learner)
                if Int.random(in: 0..<100, using: &random) < 92, let document = current[audience] {
                    accept(learner, document, by: audience == .youngerLearners ? PersonID() : nil)
                }
                if audience == .olderLearners, let document = trustDocuments[.olderLearners] {
                    grant(learner, .learningPlatform, under: document)
                }
                if Int.random(in: 0..<100, using: &random) < 85 {
                    var state = ConsentState(learnerID: learner.id, schoolID: school.id)
                    for purpose in purposes {
                        let roll = Int.random(in: 0..<100, using: &random)
                        let choice: ConsentChoice = roll < 80 ? .granted : roll < 95 ? .refused : .withdrawn
                        let at = today.adding(days: -Int.random(in: 1...700, using: &random)).startOfDay
                        state.apply(
                            ConsentDecision(
                                schoolID: school.id, learnerID: learner.id, purposeCode: purpose, choice: choice, decidedBy: PersonID(),
                                byLearner: false, relationship: .parent, method: .written, effectiveAt: at, recordedAt: at,
                                recordedBy: manager.id), over: nil)
                    }
                    data.consentStates.append(state)
                }
            }

            let staffCount = staff / count + (index < staff % count ? 1 : 0)
            for serial in 0..<staffCount {
                let member = Person(tenancy: .school(school.id), kind: .staff, givenName: "Staff\(serial)", familyName: "School\(index)")
                data.people.append(member)
                let roles: [Role] =
                    switch serial {
                    case 0: [.headteacher, .staff]
                    case 1: [.designatedSafeguardingLead, .leadership, .staff]
                    case 2, 3: [.deputyDesignatedSafeguardingLead, .staff]
                    case _ where serial % 50 == 7: [.technicalStaff]
                    default: [.staff]
                    }
                for role in roles {
                    data.roleGrants.append(RoleGrant(personID: member.id, role: role, scope: .school(school.id), starts: lastYear))
                }
                var topics: [TrainingTopic] = [.onlineSafety]
                if roles.contains(.designatedSafeguardingLead) || roles.contains(.deputyDesignatedSafeguardingLead) {
                    topics += [.dslFormal, .dslRefresh]
                }
                trained(member, topics)
                accept(member, trustDocuments[.staffAndVolunteers]!)
                if Int.random(in: 0..<100, using: &random) < 95 { accept(member, staffV2) }
                for system in [SystemCode.network, .email, .mcas] { grant(member, system, under: trustDocuments[.staffAndVolunteers]!) }
            }
            for serial in 0..<12 {
                let governor = Person(
                    tenancy: .school(school.id), kind: .governor, givenName: "Governor\(serial)", familyName: "School\(index)")
                data.people.append(governor)
                data.roleGrants.append(
                    RoleGrant(
                        personID: governor.id, role: serial == 0 ? .chairOfGovernors : .governor, scope: .school(school.id),
                        starts: lastYear))
                trained(governor, [.governorSafeguarding])
                if Int.random(in: 0..<100, using: &random) < 80 { accept(governor, trustDocuments[.governors]!) }
            }
        }
        return data
    }

    /// Stores everything with `insertMany`, in batched transactions.
    func load(into store: any OnlineSafetyStore) async throws {
        let (trust, schools, manager) = (trust, schools, dataManager)
        try await store.withTransaction { tx in
            _ = try await tx.trusts.insert(trust)
            try await tx.schools.insertMany(schools)
            _ = try await tx.people.insert(manager)
        }
        try await Self.batches(people) { batch in try await store.withTransaction { try await $0.people.insertMany(batch) } }
        try await Self.batches(roleGrants) { batch in try await store.withTransaction { try await $0.roleGrants.insertMany(batch) } }
        try await Self.batches(documents) { batch in try await store.withTransaction { try await $0.aupDocuments.insertMany(batch) } }
        try await Self.batches(acceptances) { batch in try await store.withTransaction { try await $0.aupAcceptances.insertMany(batch) } }
        try await Self.batches(grants) { batch in try await store.withTransaction { try await $0.accessGrants.insertMany(batch) } }
        try await Self.batches(consentStates) { batch in try await store.withTransaction { try await $0.consentStates.insertMany(batch) } }
        try await Self.batches(summaries) { batch in try await store.withTransaction { try await $0.trainingSummaries.insertMany(batch) } }
    }

    private static func batches<T: Sendable>(_ values: [T], size: Int = 5_000, _ body: ([T]) async throws -> Void) async throws {
        var start = 0
        while start < values.count {
            let end = min(values.count, start + size)
            try await body(Array(values[start..<end]))
            start = end
        }
    }

    /// The same report computed from the records in memory: grouped by school, then the same
    /// calculator the SDK uses, with no store in between.
    func inMemoryReport(now: Date) -> ComplianceReport {
        let today = CalendarDate(now)
        var people: [SchoolID: [Person]] = [:]
        for person in self.people where !person.hasLeft(by: today) {
            if let school = person.schoolID { people[school, default: []].append(person) }
        }
        var acceptances: [SchoolID: [AUPAcceptance]] = [:]
        for acceptance in self.acceptances { if let school = acceptance.schoolID { acceptances[school, default: []].append(acceptance) } }
        var grants: [SchoolID: [AccessGrant]] = [:]
        for grant in self.grants where grant.isActive(on: today) { grants[grant.schoolIDValue, default: []].append(grant) }
        var states: [SchoolID: [ConsentState]] = [:]
        for state in consentStates { states[state.schoolIDValue, default: []].append(state) }
        var roles: [SchoolID: [RoleGrant]] = [:]
        for grant in roleGrants where grant.isActive(on: today) {
            if let school = grant.schoolID { roles[school, default: []].append(grant) }
        }
        var trained: [SchoolID: [TrainingSummary]] = [:]
        for summary in summaries { if let school = summary.schoolID { trained[school, default: []].append(summary) } }
        let parts = schools.map { school in
            ComplianceCalculator.school(
                ComplianceInputs(
                    school: school, people: people[school.id] ?? [], documents: documents.filter { $0.applies(to: school) },
                    acceptances: acceptances[school.id] ?? [], grants: grants[school.id] ?? [], purposes: ConsentPurpose.builtIns,
                    consentStates: states[school.id] ?? [], roleGrants: roles[school.id] ?? [],
                    trainingSummaries: trained[school.id] ?? []),
                on: today, dueSoonDays: 30, requirements: TrainingRequirement.defaults, detailed: true)
        }
        let trustWide = ComplianceCalculator.training(
            holders: roleGrants.filter { $0.trustID != nil && $0.isActive(on: today) }, summaries: [], on: today, dueSoonDays: 30,
            requirements: TrainingRequirement.defaults)
        return ComplianceReport(
            trustID: trust.id, asOf: today, generatedAt: now, dueSoonDays: 30, detailed: true, schools: parts, trustWideTraining: trustWide,
            totals: ComplianceFigures.sum(parts.map(\.figures), extraTraining: trustWide))
    }
}
