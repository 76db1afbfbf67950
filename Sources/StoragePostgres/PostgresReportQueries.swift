import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import PostgresNIO

/// Report counts as grouped SQL: a few rows per school come back, not its people, grants and
/// consent states, and every school asked for is counted in the same few queries.
///
/// The audience of each person is worked out in SQL by a `CASE` generated from
/// ``AUPAudience/of(_:ncYear:)``, over the `kind` and `nc_year` columns (the year group is a
/// column the server generates from the person's document); consent choices and an incident's
/// learners are read from columns the server generates from the documents too (migration 14).
/// The conformance suite checks every answer against the same counts made in memory from the
/// records themselves.
struct PostgresReportQueries: ReportQueries {
    let executor: Executor
    /// Connections beside the transaction's that the tallies run on, in its snapshot (``SideReads``).
    let side: SideReads?
    /// The store's counts already made, given again while their schools' stamps hold (``ReportCache``).
    let cache: ReportCache

    /// The transaction's snapshot for reads beside it, when the store has connections for them
    /// and the transaction has written nothing (``SideReads/snapshot(of:)``); `nil` otherwise.
    private func snapshot() async throws -> String? {
        side == nil ? nil : try await SideReads.snapshot(of: executor)
    }

    /// The rows of `query`, read on a connection beside the transaction in `snapshot` when one
    /// is free (with `settings` for that read alone), else on the transaction's own.
    private func besideTheTransaction(
        _ query: PostgresQuery, in snapshot: String?, settings: [(String, String)] = [("jit", "off")]
    ) async throws -> [PostgresRow] {
        guard let side else { return try await executor.rows(query) }
        return try await side.rows(query, in: snapshot, settings: settings, else: executor)
    }

    func complianceTally(_ request: ComplianceTallyRequest) async throws -> ComplianceTally {
        try await complianceTallies([request])[0]
    }

    /// Each request's counts as kept by the store while its school's roster stamp holds
    /// (``ReportCache``), the others counted (``countTallies(_:)``) and kept when the school's
    /// stamp did not move while they were counted.
    func complianceTallies(_ requests: [ComplianceTallyRequest]) async throws -> [ComplianceTally] {
        guard !requests.isEmpty else { return [] }
        let before = try await ReportStamps.read(.roster, of: Set(requests.map(\.school.id.uuid)), executor)
        var tallies = requests.map { cache.tally($0, stamp: before[$0.school.id.uuid] ?? 0) }
        let missing = tallies.indices.filter { tallies[$0] == nil }
        guard !missing.isEmpty else { return tallies.compactMap(\.self) }
        let counted = try await countTallies(missing.map { requests[$0] })
        let after = try await ReportStamps.read(.roster, of: Set(missing.map { requests[$0].school.id.uuid }), executor)
        for (index, tally) in zip(missing, counted) {
            tallies[index] = tally
            let school = requests[index].school.id.uuid
            if before[school] == after[school] { cache.keep(tally, for: requests[index], stamp: after[school] ?? 0) }
        }
        return tallies.compactMap(\.self)
    }

    /// Every request's counts in three grouped queries (people, grants, consent; the grants' left
    /// out when no request wants them) and, when exceptions are asked for, the grants' query
    /// also lists them: each row is keyed by the request's
    /// place in the list, so a school's people, grants and acceptances are each read once.
    private func countTallies(_ requests: [ComplianceTallyRequest]) async throws -> [ComplianceTally] {
        guard !requests.isEmpty else { return [] }
        // Whether each person accepted their policy is a test against a hash table of the
        // acceptances in force. Inside a transaction (as every report is read) its memory is
        // raised for that transaction alone, so a large trust's table stays hashed rather than
        // being scanned once per person; and the server does not compile these statements to
        // machine code, which its cost estimates can ask for and which takes longer than they run
        // (400 ms to compile a grants count that runs in 100 ms, on a trust of 54,000 grants).
        if case .connection = executor {
            _ = try await executor.rows("SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true)")
        }
        // $1 to $6: the requests (school, trust, day, by place) and the policy in force for each
        // audience at each.
        var binds = PostgresBindings()
        binds.append(requests.map(\.school.id.uuid))
        binds.append(requests.map { $0.school.trustID?.uuid.uuidString ?? "" })
        binds.append(requests.map(\.date.description))
        var places: [Int] = []
        var audiences: [String] = []
        var documents: [UUID] = []
        for (index, request) in requests.enumerated() {
            for (audience, document) in request.current.sorted(by: { $0.key < $1.key }) {
                places.append(index + 1)
                audiences.append(audience.rawValue)
                documents.append(document.id.uuid)
            }
        }
        binds.append(places)
        binds.append(audiences)
        binds.append(documents)
        let inputs = """
            WITH req AS (
                SELECT r.school_id, NULLIF(r.trust, '')::uuid AS trust_id, r.day::date AS day, r.n
                FROM unnest($1::uuid[], $2::text[], $3::text[]) WITH ORDINALITY AS r (school_id, trust, day, n)
            ),
            cur AS (SELECT * FROM unnest($4::bigint[], $5::text[], $6::uuid[]) AS c (n, audience, document_id)),
            acc AS (
                SELECT a.person_id, a.document_id, a.school_id FROM aup_acceptances a
                WHERE a.document_id = ANY(ARRAY(SELECT DISTINCT document_id FROM cur))
            )
            """
        // Each of the three counts runs on a connection beside the transaction's when one is free,
        // in the transaction's snapshot, so the server works on them at the same time.
        let snapshot = try await snapshot()
        @Sendable func tally(_ query: PostgresQuery) async throws -> [PostgresRow] {
            try await besideTheTransaction(query, in: snapshot, settings: [("work_mem", "64MB"), ("jit", "off")])
        }
        let inputBinds = binds
        @Sendable func rows(_ sql: String) async throws -> [PostgresRow] {
            try await tally(PostgresQuery(unsafeSQL: inputs + ",\n" + sql, binds: inputBinds))
        }
        var tallies = [ComplianceTally](
            repeating: ComplianceTally(
                people: [:], accepted: [:], activeGrants: 0, exceptionCount: 0, exceptions: [], learners: 0, consent: [:]),
            count: requests.count)
        func place(_ n: Int) -> Int? { requests.indices.contains(n - 1) ? n - 1 : nil }
        let counted = requests.contains { !$0.grantsOnly }

        // People on roll by audience, those who accepted their audience's policy at the school, and
        // learners. Each person's audience and policy come from hash joins with the few kinds and
        // year groups there are (``audienceTable``) and the policies in force, rather than a `CASE`
        // worked out for every person; their acceptance from a hash join with the acceptances of
        // those policies, of which a person has at most one each (its identifier is derived from
        // the person and the policy), so no one is counted twice.
        let people = """
            aud AS (SELECT * FROM \(Self.audienceTable) AS a (kind, ncy, audience))
            SELECT req.n, aud.audience, count(*)::bigint, count(a.person_id)::bigint,
                count(*) FILTER (WHERE p.kind = 'learner')::bigint
            FROM req JOIN people p ON p.school_id = req.school_id AND (p.left_on IS NULL OR p.left_on > req.day)
            LEFT JOIN aud ON aud.kind = p.kind AND aud.ncy = CASE WHEN p.kind = 'learner' THEN COALESCE(p.nc_year, '') ELSE '' END
            LEFT JOIN cur ON cur.n = req.n AND cur.audience = aud.audience
            LEFT JOIN acc a ON a.person_id = p.id AND a.document_id = cur.document_id AND a.school_id = p.school_id
            GROUP BY 1, 2
            """
        // Grants in force, with their holder if within the school's reach, and whether each is an
        // exception: a holder who has left, or has no acceptance of their audience's policy (at the
        // school for those on roll, anywhere for the others). Every step is a hash join: the
        // holder's audience from ``audienceTable``, the policy in force for it, and the holder's
        // acceptance of that policy, of which there is at most one (as for the people above).
        let grants = """
            aud AS (SELECT * FROM \(Self.audienceTable) AS a (kind, ncy, audience)),
            x AS (
                SELECT req.n, g.id, aud.audience, COALESCE(p.left_on <= req.day, false) AS has_left,
                    p.id IS NOT NULL AND (COALESCE(p.left_on <= req.day, false) OR a.person_id IS NULL
                        OR (COALESCE(p.school_id = req.school_id AND (p.left_on IS NULL OR p.left_on > req.day), false)
                            AND a.school_id IS DISTINCT FROM req.school_id)) AS exception
                FROM req JOIN access_grants g ON g.school_id = req.school_id
                LEFT JOIN people p ON p.id = g.person_id AND (p.school_id = req.school_id OR p.trust_id = req.trust_id)
                LEFT JOIN aud ON aud.kind = p.kind AND aud.ncy = CASE WHEN p.kind = 'learner' THEN COALESCE(p.nc_year, '') ELSE '' END
                LEFT JOIN cur ON cur.n = req.n AND cur.audience = aud.audience
                LEFT JOIN acc a ON a.person_id = p.id AND a.document_id = cur.document_id
                WHERE g.granted_on <= req.day AND (g.revoked_on IS NULL OR g.revoked_on > req.day)
            )
            """
        // Consent decisions in force of the learners on roll, by purpose and choice.
        let consent = """
            s AS (
                SELECT req.n, cs.choices, count(*) AS learners FROM req
                JOIN consent_states cs ON cs.school_id = req.school_id
                JOIN people p ON p.id = cs.id AND p.school_id = req.school_id
                WHERE p.kind = 'learner' AND (p.left_on IS NULL OR p.left_on > req.day)
                GROUP BY 1, 2
            )
            SELECT s.n, c.choice, sum(s.learners)::bigint FROM s CROSS JOIN LATERAL unnest(s.choices) AS c (choice) GROUP BY 1, 2
            """
        let listing = requests.indices.filter { requests[$0].listExceptions && !requests[$0].withoutGrants }.map { $0 + 1 }
        let wantsGrants = requests.contains { !$0.withoutGrants }
        // The counts and, for the requests that list them ($7), the exceptions themselves, in one
        // pass over the grants.
        var listBinds = binds
        listBinds.append(listing)
        let listed = PostgresQuery(
            unsafeSQL: inputs + ",\n" + grants
                + """
                , xm AS MATERIALIZED (SELECT * FROM x)
                SELECT n, count(*)::bigint, count(*) FILTER (WHERE exception)::bigint,
                    NULL::text, NULL::text, NULL::text, NULL::boolean, NULL::text, NULL::uuid
                FROM xm GROUP BY n
                UNION ALL
                SELECT xm.n, 0, 0, ag.doc::text, ag.mac, xm.audience, xm.has_left, ag.sort_key, ag.id
                FROM xm JOIN access_grants ag ON ag.id = xm.id WHERE xm.exception AND xm.n = ANY($7::bigint[])
                """,
            binds: listBinds)
        // The three statements are sent together: the server runs each while the rows of the one
        // before are read here.
        async let peopleRows = counted ? rows(people) : []
        async let grantRows =
            !wantsGrants
            ? []
            : listing.isEmpty
                ? rows(grants + " SELECT n, count(*)::bigint, count(*) FILTER (WHERE exception)::bigint FROM x GROUP BY 1")
                : tally(listed)
        async let consentRows = counted ? rows(consent) : []

        for row in try await peopleRows {
            let (n, name, count, acceptedCount, learnerCount) = try row.decode((Int, String?, Int, Int, Int).self)
            guard let index = place(n), !requests[index].grantsOnly else { continue }
            tallies[index].learners += learnerCount
            guard let each = name.flatMap(AUPAudience.init(rawValue:)) else { continue }
            tallies[index].people[each] = count
            if acceptedCount > 0 { tallies[index].accepted[each] = acceptedCount }
        }

        if listing.isEmpty {
            for row in try await grantRows {
                let (n, active, exceptions) = try row.decode((Int, Int, Int).self)
                guard let index = place(n), !requests[index].withoutGrants else { continue }
                tallies[index].activeGrants = active
                tallies[index].exceptionCount = exceptions
            }
        } else {
            // The exceptions' documents are decoded in parts on the machine's cores; the register's
            // order (sort key bytewise, then identifier) is restored here.
            var found: [(index: Int, audience: AUPAudience, left: Bool, key: [UInt8], id: String, doc: String, mac: String?)] = []
            for row in try await grantRows {
                let (n, active, exceptions, doc, mac, name, left, sortKey, id) = try row.decode(
                    (Int, Int, Int, String?, String?, String?, Bool?, String?, UUID?).self)
                guard let index = place(n), !requests[index].withoutGrants else { continue }
                guard let doc, let sortKey, let id else {
                    tallies[index].activeGrants = active
                    tallies[index].exceptionCount = exceptions
                    continue
                }
                guard let each = name.flatMap(AUPAudience.init(rawValue:)) else { continue }
                found.append((index, each, left ?? false, Array(sortKey.utf8), id.uuidString, doc, mac))
            }
            let repository = PostgresRepository<AccessGrant, AccessGrantQuery>(executor, table: "access_grants")
            let grants = try await PostgresRepository<AccessGrant, AccessGrantQuery>.inParts(found.map { ($0.doc, $0.mac) }) {
                try repository.read($0.0, mac: $0.1)
            }
            var byRequest: [Int: [(key: [UInt8], id: String, exception: AccessException)]] = [:]
            for (entry, grant) in zip(found, grants) {
                let document = requests[entry.index].current[entry.audience]
                let exception = AccessException(
                    grant: grant, audience: entry.audience, requiredDocumentID: document?.id, requiredVersion: document?.version,
                    holderHasLeft: entry.left)
                byRequest[entry.index, default: []].append((entry.key, entry.id, exception))
            }
            for (index, entries) in byRequest {
                tallies[index].exceptions = entries.sorted {
                    $0.key.lexicographicallyPrecedes($1.key) || ($0.key == $1.key && $0.id < $1.id)
                }.map(\.exception)
            }
        }

        for row in try await consentRows {
            let (n, pair, count) = try row.decode((Int, String, Int).self)
            guard let index = place(n), !requests[index].grantsOnly else { continue }
            // Each element is the purpose code and the choice, joined by the last space.
            guard let split = pair.lastIndex(of: " "), let choice = ConsentChoice(rawValue: String(pair[pair.index(after: split)...]))
            else { continue }
            tallies[index].consent[String(pair[..<split]), default: [:]][choice, default: 0] += count
        }
        return tallies
    }

    func repeatedLearners(_ request: RepeatedLearnersRequest) async throws -> [PersonID: Int] {
        let schools = request.schoolIDs.map(\.uuid)
        let query: PostgresQuery = """
            SELECT l.id, count(*)::bigint FROM incidents i CROSS JOIN LATERAL unnest(i.learner_ids) AS l (id)
            WHERE i.school_id = ANY(\(schools)) AND (\(request.includeRestricted) OR NOT i.restricted)
                AND i.occurred_at >= \(request.occurredFrom) AND i.occurred_at <= \(request.occurredTo)
            GROUP BY 1 HAVING count(*) >= \(request.minimum)
            """
        var result: [PersonID: Int] = [:]
        for row in try await executor.rows(query) {
            let (id, count) = try row.decode((UUID, Int).self)
            result[PersonID(id)] = count
        }
        return result
    }

    /// One statement for every school, each school's part read through its index.
    func firstProcedureStatuses(_ query: ProcedureStatusQuery, perSchool limit: Int) async throws -> [SchoolID: [ProcedureStatus]]? {
        let repository = PostgresRepository<ProcedureStatus, ProcedureStatusQuery>(executor, table: "procedure_status")
        let statuses = try await repository.first(limit, perSchool: query.schoolIDs.map(\.uuid), matching: query)
        return Dictionary(grouping: statuses) { $0.schoolIDValue }
    }

    /// Each school's steps as kept by the store while its procedures stamp holds and the instant
    /// lies where they were counted for (``ReportCache/Steps``); the other schools' counted in two
    /// grouped counts and listed in one read per list, with the first instant at which any of
    /// their lists could change, and kept when the school's stamp did not move meanwhile.
    func pendingSteps(_ request: PendingStepsRequest) async throws -> [SchoolID: PendingSteps]? {
        var seen = Set<UUID>()
        let schools = request.schoolIDs.map(\.uuid).filter { seen.insert($0).inserted }
        guard !schools.isEmpty else { return [:] }
        func key(_ school: UUID) -> ReportCache.StepsKey {
            ReportCache.StepsKey(
                school: school, includeRestricted: request.includeRestricted, dueSoonHours: request.dueSoonHours,
                listLimit: request.listLimit)
        }
        let before = try await ReportStamps.read(.procedures, of: schools, executor)
        var result: [SchoolID: PendingSteps] = [:]
        var missing: [SchoolID] = []
        for school in schools {
            if let kept = cache.steps(key(school), stamp: before[school] ?? 0, at: request.time) {
                result[SchoolID(school)] = kept
            } else {
                missing.append(SchoolID(school))
            }
        }
        guard !missing.isEmpty else { return result }
        let repository = PostgresRepository<ProcedureStatus, ProcedureStatusQuery>(executor, table: "procedure_status")
        async let changes = stepsChange(missing.map(\.uuid), request)
        async let overdueGroups = repository.countGrouped(request.overdueQuery(missing), by: [.column("school_id")])
        async let soonGroups = repository.countGrouped(request.soonQuery(missing), by: [.column("school_id")])
        func bySchool(_ groups: [GroupedCount]) -> [SchoolID: Int] {
            var counts: [SchoolID: Int] = [:]
            for group in groups { if case .uuid(let id) = group.key[0] { counts[SchoolID(id), default: 0] += group.count } }
            return counts
        }
        let (overdueTotals, soonTotals) = (bySchool(try await overdueGroups), bySchool(try await soonGroups))
        let late = missing.filter { (overdueTotals[$0] ?? 0) > 0 }
        let soon = missing.filter { (soonTotals[$0] ?? 0) > 0 }
        async let lateLists = late.isEmpty ? [:] : firstProcedureStatuses(request.overdueQuery(late), perSchool: request.listLimit)
        async let soonLists = soon.isEmpty ? [:] : firstProcedureStatuses(request.soonQuery(soon), perSchool: request.listLimit)
        let (overdue, dueSoon, until) = try await (lateLists, soonLists, changes)
        let after = try await ReportStamps.read(.procedures, of: missing.map(\.uuid), executor)
        for school in missing {
            let part = PendingSteps(
                overdueTotal: overdueTotals[school] ?? 0, dueSoonTotal: soonTotals[school] ?? 0, overdue: overdue?[school] ?? [],
                dueSoon: dueSoon?[school] ?? [])
            result[school] = part
            guard before[school.uuid] == after[school.uuid], let end = until[school.uuid], request.time < end else { continue }
            cache.keep(
                ReportCache.Steps(from: request.time, until: end, steps: part), for: key(school.uuid), stamp: after[school.uuid] ?? 0)
        }
        return result
    }

    /// Each school's counts as kept by the store while its incidents stamp holds (``ReportCache``);
    /// the other schools' counted in one grouped count, a filtered count for each window, and
    /// kept when the school's stamp did not move meanwhile.
    func openIncidentCounts(_ request: OpenIncidentsRequest) async throws -> [SchoolID: [Int]]? {
        var seen = Set<UUID>()
        let schools = request.schoolIDs.map(\.uuid).filter { seen.insert($0).inserted }
        guard !schools.isEmpty, !request.windows.isEmpty else {
            return Dictionary(uniqueKeysWithValues: schools.map { (SchoolID($0), []) })
        }
        func key(_ school: UUID) -> ReportCache.AgesKey {
            ReportCache.AgesKey(school: school, includeRestricted: request.includeRestricted, windows: request.windows)
        }
        let before = try await ReportStamps.read(.incidents, of: schools, executor)
        var result: [SchoolID: [Int]] = [:]
        var missing: [UUID] = []
        for school in schools {
            if let kept = cache.ages(key(school), stamp: before[school] ?? 0) {
                result[SchoolID(school)] = kept
            } else {
                missing.append(school)
            }
        }
        guard !missing.isEmpty else { return result }
        var binds = PostgresBindings()
        var counts: [String] = []
        for window in request.windows {
            var bounds = ["occurred_at <= \(try bind(window.to, &binds))"]
            if let from = window.from { bounds.insert("occurred_at >= \(try bind(from, &binds))", at: 0) }
            counts.append("count(*) FILTER (WHERE \(bounds.joined(separator: " AND ")))")
        }
        var sql = "SELECT school_id, " + counts.joined(separator: ", ") + " FROM incidents WHERE school_id = ANY("
        sql += try bind(missing, &binds) + ") AND open"
        if !request.includeRestricted { sql += " AND NOT restricted" }
        sql += " GROUP BY 1"
        var counted: [UUID: [Int]] = [:]
        for row in try await executor.rows(PostgresQuery(unsafeSQL: sql, binds: binds)) {
            let cells = row.makeRandomAccess()
            let school = try cells[0].decode(UUID.self)
            counted[school] = try (1...request.windows.count).map { try cells[$0].decode(Int.self) }
        }
        let after = try await ReportStamps.read(.incidents, of: missing, executor)
        for school in missing {
            let part = counted[school] ?? Array(repeating: 0, count: request.windows.count)
            result[SchoolID(school)] = part
            if before[school] == after[school] { cache.keep(part, for: key(school), stamp: after[school] ?? 0) }
        }
        return result
    }

    /// For each of `schools`, the first instant at which its steps overdue or due soon could
    /// differ from those at the request's instant while its statuses stay as they are: the
    /// earliest outstanding deadline from a second before the instant (one falls overdue), and
    /// the earliest from a second before the window's end, less the window (one falls due soon);
    /// each read through the index of the school's outstanding deadlines.
    private func stepsChange(_ schools: [UUID], _ request: PendingStepsRequest) async throws -> [UUID: Date] {
        let (falls, enters) = (request.time.addingTimeInterval(-1), request.horizon.addingTimeInterval(-1))
        let query: PostgresQuery = """
            SELECT s.id,
                (SELECT min(p.next_due) FROM procedure_status p
                    WHERE p.school_id = s.id AND p.next_due >= \(falls) AND (\(request.includeRestricted) OR NOT p.restricted)),
                (SELECT min(p.next_due) FROM procedure_status p
                    WHERE p.school_id = s.id AND p.next_due >= \(enters) AND (\(request.includeRestricted) OR NOT p.restricted))
            FROM unnest(\(schools)::uuid[]) AS s (id)
            """
        let window = request.horizon.timeIntervalSince(request.time)
        var until: [UUID: Date] = [:]
        for row in try await executor.rows(query) {
            let (school, falling, entering) = try row.decode((UUID, Date?, Date?).self)
            until[school] = min(falling ?? .distantFuture, (entering ?? .distantFuture).addingTimeInterval(-window))
        }
        return until
    }

    /// Each school's learners as kept by the store while its incidents stamp holds and the window
    /// ends at or after the last incident counted (``ReportCache``); the other schools' counted
    /// (``countRepeatedLearners(_:)``) with the instant of their last incident in the window, and
    /// kept when the school's stamp did not move while they were counted.
    func repeatedLearnersBySchool(_ request: RepeatedLearnersRequest) async throws -> [SchoolID: [PersonID: Int]] {
        let schools = Set(request.schoolIDs.map(\.uuid))
        func key(_ school: UUID) -> ReportCache.RepeatedKey {
            ReportCache.RepeatedKey(
                school: school, includeRestricted: request.includeRestricted, occurredFrom: request.occurredFrom,
                minimum: request.minimum)
        }
        let before = try await ReportStamps.read(.incidents, of: schools, executor)
        var result: [SchoolID: [PersonID: Int]] = [:]
        var missing: [UUID] = []
        for school in schools.sorted(by: { $0.uuidString < $1.uuidString }) {
            if let kept = cache.repeated(key(school), stamp: before[school] ?? 0, endingAt: request.occurredTo) {
                if !kept.isEmpty { result[SchoolID(school)] = kept }
            } else {
                missing.append(school)
            }
        }
        guard !missing.isEmpty else { return result }
        var asked = request
        asked.schoolIDs = missing.map(SchoolID.init)
        let filter: PostgresQuery = """
            SELECT school_id, max(occurred_at) FROM incidents
            WHERE school_id = ANY(\(missing)) AND (\(request.includeRestricted) OR NOT restricted) AND occurred_at >= \(request.occurredFrom)
            GROUP BY 1
            """
        async let latestRows = executor.rows(filter)
        let counted = try await countRepeatedLearners(asked)
        var latest: [UUID: Date] = [:]
        for row in try await latestRows {
            let (school, instant) = try row.decode((UUID, Date).self)
            latest[school] = instant
        }
        let after = try await ReportStamps.read(.incidents, of: missing, executor)
        for school in missing {
            let counts = counted[SchoolID(school)] ?? [:]
            if !counts.isEmpty { result[SchoolID(school)] = counts }
            guard before[school] == after[school], (latest[school] ?? .distantPast) <= request.occurredTo else { continue }
            cache.keep(ReportCache.Repeated(stamp: after[school] ?? 0, latest: latest[school], counts: counts), for: key(school))
        }
        return result
    }

    /// One grouped count over every school's incidents in the window, keyed by school and learner.
    private func countRepeatedLearners(_ request: RepeatedLearnersRequest) async throws -> [SchoolID: [PersonID: Int]] {
        let schools = request.schoolIDs.map(\.uuid)
        let query: PostgresQuery = """
            SELECT i.school_id, l.id, count(*)::bigint FROM incidents i CROSS JOIN LATERAL unnest(i.learner_ids) AS l (id)
            WHERE i.school_id = ANY(\(schools)) AND (\(request.includeRestricted) OR NOT i.restricted)
                AND i.occurred_at >= \(request.occurredFrom) AND i.occurred_at <= \(request.occurredTo)
            GROUP BY 1, 2 HAVING count(*) >= \(request.minimum)
            """
        var result: [SchoolID: [PersonID: Int]] = [:]
        for row in try await besideTheTransaction(query, in: try await snapshot()) {
            let (school, id, count) = try row.decode((UUID, UUID, Int).self)
            result[SchoolID(school), default: [:]][PersonID(id)] = count
        }
        return result
    }

    /// Every kind of person and, for learners, every year group (and none, as the empty text),
    /// with its audience as ``AUPAudience/of(_:ncYear:)`` gives it: a `VALUES` list of the enums'
    /// own codes, to join people with.
    static let audienceTable: String = {
        var rows: [String] = []
        for kind in PersonKind.allCases where kind != .learner {
            rows.append("('\(kind.rawValue)', '', '\(AUPAudience.of(kind, ncYear: nil).rawValue)')")
        }
        rows.append("('\(PersonKind.learner.rawValue)', '', '\(AUPAudience.of(.learner, ncYear: nil).rawValue)')")
        for year in NCYear.allCases {
            rows.append("('\(PersonKind.learner.rawValue)', '\(year.rawValue)', '\(AUPAudience.of(.learner, ncYear: year).rawValue)')")
        }
        return "(VALUES " + rows.joined(separator: ", ") + ")"
    }()

    /// Each school's grants as kept by the store while its training stamp holds (``ReportCache``),
    /// the others' read from the columns (``readRoleGrantsInForce(at:on:)``) and kept when the
    /// school's stamp did not move while they were read.
    func roleGrantsInForce(at schoolIDs: [SchoolID], on day: CalendarDate) async throws -> [RoleGrant]? {
        try await keptWhileStampHolds(
            schoolIDs.map(\.uuid), kept: { school, stamp in cache.grants(.init(school: school, day: day), stamp: stamp) },
            read: { try await readRoleGrantsInForce(at: $0, on: day) },
            keep: { grants, school, stamp in cache.keep(grants, for: .init(school: school, day: day), stamp: stamp) })
    }

    /// What `kept` gives for each of `schools` at its training stamp, and for the others what
    /// `read` gives (one read for all of them), kept (by `keep`, each school's part) where a
    /// school's stamp was the same before and after the read: school by school in the order of
    /// `schools` (each once), each school's part in the order `read` gives it.
    private func keptWhileStampHolds<Value: Aggregate>(
        _ schools: [UUID], kept: (UUID, Int64) -> [Value]?, read: ([UUID]) async throws -> [Value], keep: ([Value], UUID, Int64) -> Void
    ) async throws -> [Value] {
        var seen = Set<UUID>()
        let schools = schools.filter { seen.insert($0).inserted }
        guard !schools.isEmpty else { return [] }
        let before = try await ReportStamps.read(.training, of: schools, executor)
        var parts: [UUID: [Value]] = [:]
        var missing: [UUID] = []
        for each in schools {
            if let part = kept(each, before[each] ?? 0) { parts[each] = part } else { missing.append(each) }
        }
        if !missing.isEmpty {
            let found = Dictionary(grouping: try await read(missing)) { $0.schoolID?.uuid }
            let after = try await ReportStamps.read(.training, of: missing, executor)
            for each in missing {
                let part = found[each] ?? []
                parts[each] = part
                if before[each] == after[each] { keep(part, each, after[each] ?? 0) }
            }
        }
        return schools.flatMap { parts[$0] ?? [] }
    }

    /// Built from the columns (dates written out whatever the server's `DateStyle`) and, for the
    /// groups, the one part of the document that has no column. As with the grouped counts, what is read is not checked against the record's MAC
    /// (which covers the whole document); reading the records themselves checks it.
    private func readRoleGrantsInForce(at schoolIDs: [UUID], on day: CalendarDate) async throws -> [RoleGrant] {
        let query: PostgresQuery = """
            SELECT id, revision, person_id, role, school_id, to_char(starts, 'YYYY-MM-DD'), to_char(ends, 'YYYY-MM-DD'),
                (doc->'groups')::text FROM role_grants
            WHERE school_id = ANY(\(schoolIDs)) AND starts <= \(day.description)::date
                AND (ends IS NULL OR ends >= \(day.description)::date)
            ORDER BY sort_key COLLATE "C", id
            """
        var grants: [RoleGrant] = []
        for row in try await executor.rows(query) {
            let (id, revision, person, roleCode, school, startsText, endsText, groupsText) = try row.decode(
                (UUID, Int, UUID, String, UUID, String, String?, String?).self)
            let location = "role_grants:\(id.uuidString)"
            guard let role = Role(rawValue: roleCode), let starts = CalendarDate(iso: startsText) else {
                throw SafetyError(.corruptData, "a stored role grant could not be read", location: location)
            }
            var ends: CalendarDate?
            if let endsText {
                guard let day = CalendarDate(iso: endsText) else {
                    throw SafetyError(.corruptData, "a stored role grant could not be read", location: location)
                }
                ends = day
            }
            var groups: [String] = []
            if let groupsText, groupsText != "[]" { groups = try SQLJSON.decode([String].self, from: groupsText) }
            grants.append(
                RoleGrant(
                    id: RoleGrantID(id), personID: PersonID(person), role: role, scope: .school(SchoolID(school)), starts: starts,
                    ends: ends, groups: groups, revision: revision))
        }
        return grants
    }

    /// The summaries kept at schools as kept by the store while each school's training stamp
    /// holds, as ``roleGrantsInForce(at:on:)`` keeps grants; a person's wherever they are kept
    /// read each time.
    func trainingSummaries(keptAt schoolIDs: [SchoolID]?, of personIDs: [PersonID]) async throws -> [TrainingSummary]? {
        guard let schoolIDs else { return try await readTrainingSummaries(keptAt: nil, of: personIDs) }
        return try await keptWhileStampHolds(
            schoolIDs.map(\.uuid), kept: { school, stamp in cache.summaries(at: school, stamp: stamp) },
            read: { try await readTrainingSummaries(keptAt: $0, of: []) },
            keep: { summaries, school, stamp in cache.keep(summaries, at: school, stamp: stamp) })
    }

    /// Built from the columns and one row per entry of the document's latest completions, in
    /// their stored order, unchecked against the record's MAC as ``readRoleGrantsInForce(at:on:)``.
    private func readTrainingSummaries(keptAt schoolIDs: [UUID]?, of personIDs: [PersonID]) async throws -> [TrainingSummary] {
        let filter: PostgresQuery =
            if let schoolIDs { "s.school_id = ANY(\(schoolIDs))" } else { "s.person_id = ANY(\(personIDs.map(\.uuid)))" }
        var query: PostgresQuery = """
            SELECT s.id, s.revision, s.school_id, s.person_id, e.value->>'topic', e.value->>'completedOn', e.value->>'recordID'
            FROM training_summaries s LEFT JOIN LATERAL jsonb_array_elements(s.doc->'latest') WITH ORDINALITY AS e (value, place) ON true
            WHERE
            """
        query.sql += " " + filter.sql + " ORDER BY s.sort_key COLLATE \"C\", s.id, e.place"
        query.binds = filter.binds
        var summaries: [TrainingSummary] = []
        for row in try await executor.rows(query) {
            let (id, revision, school, person, topicCode, completed, record) = try row.decode(
                (UUID, Int, UUID?, UUID, String?, String?, String?).self)
            if summaries.last?.id.uuid != id {
                var summary = TrainingSummary(personID: PersonID(person), schoolID: school.map(SchoolID.init), revision: revision)
                summary.id = TrainingSummaryID(id)
                summaries.append(summary)
            }
            guard let topicCode else { continue }
            guard let topic = TrainingTopic(rawValue: topicCode), let completed, let completedOn = CalendarDate(stored: completed),
                let record, let recordID = UUIDText.uuid(record)
            else {
                throw SafetyError(
                    .corruptData, "a stored training summary could not be read", location: "training_summaries:\(id.uuidString)")
            }
            summaries[summaries.count - 1].latest.append(
                TrainingLatest(topic: topic, completedOn: completedOn, recordID: TrainingRecordID(recordID)))
        }
        return summaries
    }

    /// One query over the incidents' identifiers and their `open` column.
    func openIncidents(among incidentIDs: [IncidentID]) async throws -> Set<IncidentID>? {
        guard !incidentIDs.isEmpty else { return [] }
        var binds = PostgresBindings()
        binds.append(incidentIDs.map(\.uuid))
        let query = PostgresQuery(unsafeSQL: "SELECT id FROM incidents WHERE id = ANY($1::uuid[]) AND open", binds: binds)
        var open: Set<IncidentID> = []
        for row in try await executor.rows(query) { open.insert(IncidentID(try row.decode(UUID.self))) }
        return open
    }
}
