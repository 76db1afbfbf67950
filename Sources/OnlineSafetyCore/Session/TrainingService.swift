import Foundation

/// Training records and who is due training, through the session's checks and audit (§5.3).
///
/// ```swift
/// try await session.training.record(
///     .onlineSafety, for: teacherID, course: "Online safety and filtering", provider: "The Education People",
///     completedOn: CalendarDate(iso: "2026-09-02")!, evidence: "CERT-2291")
/// let overdue = try await session.training.statuses().filter { $0.state == .overdue }
/// ```
public struct TrainingService: Sendable {
    let session: SafetySession

    private var principal: Principal { session.principal }

    /// Records a completed course for a person at the school (or a trust-level person). Requires
    /// `manageTraining`.
    @discardableResult
    public func record(
        _ topic: TrainingTopic, for personID: PersonID, course: String, provider: String, completedOn: CalendarDate, evidence: String? = nil
    ) async throws -> TrainingRecord {
        let decision = AccessPolicy.require(.manageTraining, principal, to: "record training")
        let recorder = principal.person.id
        let now = session.clock.now()
        let id = TrainingRecordID()
        return try await session.gate(.trainingRecordInsert, TrainingRecord.recordKind, subject: id.uuid, authority: decision) { context in
            let person = try await context.person(personID)
            let record = TrainingRecord(
                id: id, schoolID: person.schoolID, personID: person.id, topic: topic, course: course, provider: provider,
                completedOn: completedOn, evidenceReference: evidence, recordedBy: recorder, recordedAt: now)
            let stored = try await context.tx.trainingRecords.insert(record.checkedForInsert())
            var summary =
                try await context.tx.trainingSummaries.get(TrainingSummaryID(person.id.uuid))
                ?? TrainingSummary(personID: person.id, schoolID: person.schoolID)
            summary.apply(stored)
            _ =
                summary.revision == 0
                ? try await context.tx.trainingSummaries.insert(summary) : try await context.tx.trainingSummaries.update(summary)
            return stored
        }
    }

    /// A person's training records, oldest first: one's own, or anyone's at the school for those
    /// who manage training or read compliance. Throws `forbidden`, and `notFound` for a person out
    /// of the session's reach.
    public func records(of personID: PersonID) async throws -> [TrainingRecord] {
        let decision = personID == principal.person.id ? .allowed : readDecision
        return try await session.gate(.trainingRecordList, Person.recordKind, subject: personID.uuid, authority: decision) { context in
            _ = try await context.person(personID)
            return try await context.tx.trainingRecords.find(TrainingRecordQuery(personID: personID))
        }
    }

    /// One person's standing against each requirement of the roles they hold at the school on a
    /// day (today by default). `dueSoonDays` sets the window for "due soon". Throws `forbidden`,
    /// and `notFound` for a person out of the session's reach.
    public func status(
        of personID: PersonID, on date: CalendarDate? = nil, dueSoonDays: Int = 30,
        requirements: [TrainingRequirement] = TrainingRequirement.defaults
    ) async throws -> [TrainingStatus] {
        let decision = personID == principal.person.id ? .allowed : readDecision
        let day = date ?? session.today
        let school = principal.school
        return try await session.gate(.trainingStatus, Person.recordKind, subject: personID.uuid, authority: decision) { context in
            _ = try await context.person(personID)
            let grants = try await context.tx.roleGrants.find(RoleGrantQuery(personID: personID, activeOn: day)).filter {
                $0.applies(to: school)
            }
            let latest = try await context.tx.trainingSummaries.get(TrainingSummaryID(personID.uuid))?.latest ?? []
            return TrainingRules.requirements(for: Set(grants.map(\.role)), among: requirements).map { requirement, roles in
                TrainingRules.status(of: personID, roles: roles, against: requirement, latest: latest, on: day, dueSoonDays: dueSoonDays)
            }
        }
    }

    /// Everyone holding a role at the school on a day (directly or trust-wide), against each
    /// requirement of their roles. Requires `manageTraining` or `readCompliance`; throws
    /// `forbidden`. Records whose standing it listed.
    public func statuses(
        on date: CalendarDate? = nil, dueSoonDays: Int = 30, requirements: [TrainingRequirement] = TrainingRequirement.defaults
    ) async throws -> [TrainingStatus] {
        let day = date ?? session.today
        let school = principal.school
        return try await session.gate(
            .trainingStatus, TrainingRecord.recordKind, subject: nil, authority: readDecision,
            subjects: .of { Array(Set($0.map(\.personID.uuid))) }
        ) { context in
            try await Self.standings(
                at: school, on: day, dueSoonDays: dueSoonDays, requirements: requirements, context.tx
            ).statuses
        }
    }

    /// Everyone holding a role at the school on a day against each requirement of their roles,
    /// with each person's latest completions: the body of ``statuses(on:dueSoonDays:requirements:)``,
    /// also read by the governance calendar.
    static func standings(
        at school: School, on day: CalendarDate, dueSoonDays: Int, requirements: [TrainingRequirement], _ tx: any OnlineSafetyStore
    ) async throws -> (statuses: [TrainingStatus], latest: [PersonID: [TrainingLatest]]) {
        standings(of: try await holders(at: school, on: day, tx), on: day, dueSoonDays: dueSoonDays, requirements: requirements)
    }

    /// The roles in force at a school on a day (the school's own and the trust's) and their
    /// holders' training summaries, read once for whatever needs them.
    static func holders(at school: School, on day: CalendarDate, _ tx: any OnlineSafetyStore) async throws -> TrainingHolders {
        try await holders(at: [school], on: day, tx)[0]
    }

    /// ``holders(at:on:_:)`` for several schools, in their order: the schools' own grants and the
    /// summaries kept at them are each read in one query for all of them, and a trust's own
    /// grants, and the summaries of people kept outside the schools (the trust's staff), once
    /// for all of its schools.
    static func holders(at schools: [School], on day: CalendarDate, _ tx: any OnlineSafetyStore) async throws -> [TrainingHolders] {
        guard schools.count > 1 else {
            guard let school = schools.first else { return [] }
            let own = try await tx.roleGrants.find(RoleGrantQuery(schoolID: school.id, activeOn: day))
            var trust: [RoleGrant] = []
            if let trustID = school.trustID { trust = try await tx.roleGrants.find(RoleGrantQuery(trustID: trustID, activeOn: day)) }
            let summaries = try await ComplianceLoader.trainingSummaries(
                of: Set((own + trust).map(\.personID)), atSchool: school.id, tx)
            return [TrainingHolders(schoolGrants: own, trustGrants: trust, summaries: summaries)]
        }
        let ids = schools.map { IndexValue.id($0.id) }
        let trusts = Set(schools.compactMap(\.trustID)).sorted()
        // The backend's projections where it has them, the records otherwise; the schools' grants,
        // the trusts' and the summaries are asked for at once.
        async let projectedGrants = tx.reports.roleGrantsInForce(at: schools.map(\.id), on: day)
        async let projectedSummaries = tx.reports.trainingSummaries(keptAt: schools.map(\.id), of: [])
        async let trustRead: [TrustID: [RoleGrant]] = {
            var read: [TrustID: [RoleGrant]] = [:]
            for trustID in trusts { read[trustID] = try await tx.roleGrants.find(RoleGrantQuery(trustID: trustID, activeOn: day)) }
            return read
        }()
        var grants = try await projectedGrants
        if grants == nil {
            let inForce: [Condition] = [.atMost("starts", .date(day)), .or(.isNull("ends"), .atLeast("ends", .date(day)))]
            grants = try await tx.roleGrants.find(matching: [.oneOf("school_id", ids)] + inForce, limit: nil)
        }
        let own = Dictionary(grouping: grants ?? []) { $0.schoolID }
        let trustGrants = try await trustRead
        var keptSummaries = try await projectedSummaries
        if keptSummaries == nil { keptSummaries = try await tx.trainingSummaries.find(matching: [.oneOf("school_id", ids)], limit: nil) }
        let kept = Dictionary(grouping: keptSummaries ?? []) { $0.schoolID }
        // Each school's holders, and those whose summary is not kept at that school.
        var holders: [(own: [RoleGrant], trust: [RoleGrant], summaries: [TrainingSummary], others: Set<PersonID>)] = []
        var others: Set<PersonID> = []
        for school in schools {
            let schoolGrants = own[school.id] ?? []
            let trust = school.trustID.flatMap { trustGrants[$0] } ?? []
            let people = Set((schoolGrants + trust).map(\.personID))
            let summaries = (kept[school.id] ?? []).filter { people.contains($0.personID) }
            let missing = people.subtracting(summaries.map(\.personID))
            others.formUnion(missing)
            holders.append((schoolGrants, trust, summaries, missing))
        }
        var found: [TrainingSummary] = []
        if !others.isEmpty {
            let people = others.sorted()
            if let projected = try await tx.reports.trainingSummaries(keptAt: nil, of: people) {
                found = projected
            } else {
                found = try await tx.trainingSummaries.find(TrainingSummaryQuery(personIDs: people))
            }
        }
        let elsewhere = Dictionary(grouping: found) { $0.personID }
        return holders.map { each in
            TrainingHolders(
                schoolGrants: each.own, trustGrants: each.trust,
                summaries: each.summaries + each.others.sorted().flatMap { elsewhere[$0] ?? [] })
        }
    }

    /// The standings of the holders read by ``holders(at:on:_:)``.
    static func standings(
        of holders: TrainingHolders, on day: CalendarDate, dueSoonDays: Int, requirements: [TrainingRequirement]
    ) -> (statuses: [TrainingStatus], latest: [PersonID: [TrainingLatest]]) {
        var roles: [PersonID: Set<Role>] = [:]
        for grant in holders.schoolGrants + holders.trustGrants { roles[grant.personID, default: []].insert(grant.role) }
        let summaries = holders.summaries
        let latest = Dictionary(summaries.map { ($0.personID, $0.latest) }, uniquingKeysWith: { first, _ in first })
        let statuses = roles.keys.sorted().flatMap { personID in
            TrainingRules.requirements(for: roles[personID] ?? [], among: requirements).map { requirement, through in
                TrainingRules.status(
                    of: personID, roles: through, against: requirement, latest: latest[personID] ?? [], on: day, dueSoonDays: dueSoonDays)
            }
        }
        return (statuses, latest)
    }

    private var readDecision: AccessDecision {
        principal.can(.manageTraining) || principal.can(.readCompliance)
            ? .allowed : AccessPolicy.require(.manageTraining, principal, to: "read other people's training")
    }
}

/// The role grants in force at a school (its own and its trust's) and the training summaries of
/// their holders.
struct TrainingHolders: Sendable {
    var schoolGrants: [RoleGrant]
    var trustGrants: [RoleGrant]
    var summaries: [TrainingSummary]
}
