import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import PostgresNIO

/// Report counts as grouped SQL: a few rows per school come back, not its people, grants and
/// consent states.
///
/// The audience of each person is worked out in SQL by a `CASE` generated from
/// ``AUPAudience/of(_:ncYear:)``, over the `kind` and `nc_year` columns (the year group is a
/// column the server generates from the person's document); consent choices are read from each state's document entries. The conformance suite
/// checks every answer against the same counts made in memory from the records themselves.
struct PostgresReportQueries: ReportQueries {
    let executor: Executor

    func complianceTally(_ request: ComplianceTallyRequest) async throws -> ComplianceTally {
        let school = request.school.id.uuid
        let trust = request.school.trustID?.uuid
        let day = request.date.description
        let current = request.current.sorted { $0.key < $1.key }
        let audiences = current.map(\.key.rawValue)
        let documents = current.map(\.value.id.uuid)
        let audience = Self.audienceCase

        // People on roll by audience, those who accepted their audience's policy at the school, and learners.
        let people: PostgresQuery = """
            WITH cur AS (SELECT * FROM unnest(\(audiences)::text[], \(documents)::uuid[]) AS c (audience, document_id)),
            p AS (
                SELECT id, kind, \(unescaped: audience) AS audience FROM people
                WHERE school_id = \(school) AND (left_on IS NULL OR left_on > \(day)::date)
            )
            SELECT p.audience, count(*)::bigint,
                count(*) FILTER (WHERE EXISTS (
                    SELECT 1 FROM aup_acceptances a JOIN cur ON cur.document_id = a.document_id AND cur.audience = p.audience
                    WHERE a.person_id = p.id AND a.school_id = \(school)))::bigint,
                count(*) FILTER (WHERE p.kind = 'learner')::bigint
            FROM p GROUP BY p.audience
            """
        var byAudience: [AUPAudience: Int] = [:]
        var accepted: [AUPAudience: Int] = [:]
        var learners = 0
        for row in request.grantsOnly ? [] : (try await executor.rows(people)) {
            let (name, count, acceptedCount, learnerCount) = try row.decode((String, Int, Int, Int).self)
            guard let each = AUPAudience(rawValue: name) else { continue }
            byAudience[each] = count
            if acceptedCount > 0 { accepted[each] = acceptedCount }
            learners += learnerCount
        }

        // Grants in force, with their holder if within the school's reach, and whether each is an exception.
        let grants = """
            WITH cur AS (SELECT * FROM unnest($4::text[], $5::uuid[]) AS c (audience, document_id)),
            g AS (
                SELECT g.id, g.sort_key, g.doc, g.mac, p.id AS holder, \(Self.audienceOf("p")) AS audience,
                    (p.left_on IS NOT NULL AND p.left_on <= $3::date) AS has_left,
                    COALESCE(p.school_id = $1 AND (p.left_on IS NULL OR p.left_on > $3::date), false) AS on_roll
                FROM access_grants g
                LEFT JOIN people p ON p.id = g.person_id AND (p.school_id = $1 OR p.trust_id = $2)
                WHERE g.school_id = $1 AND g.granted_on <= $3::date AND (g.revoked_on IS NULL OR g.revoked_on > $3::date)
            ),
            x AS (
                SELECT g.*, g.holder IS NOT NULL AND (g.has_left OR NOT EXISTS (
                    SELECT 1 FROM aup_acceptances a JOIN cur ON cur.document_id = a.document_id AND cur.audience = g.audience
                    WHERE a.person_id = g.holder AND (a.school_id = $1 OR NOT g.on_roll))) AS exception
                FROM g
            )
            """
        var binds = PostgresBindings()
        binds.append(school)
        binds.append(trust)
        binds.append(day)
        binds.append(audiences)
        binds.append(documents)
        let counts = try await executor.rows(
            PostgresQuery(
                unsafeSQL: grants + " SELECT count(*)::bigint, count(*) FILTER (WHERE exception)::bigint FROM x", binds: binds))
        let (activeGrants, exceptionCount) = try counts.first?.decode((Int, Int).self) ?? (0, 0)
        var exceptions: [AccessException] = []
        if request.listExceptions && exceptionCount > 0 {
            let rows = try await executor.rows(
                PostgresQuery(
                    unsafeSQL: grants
                        + " SELECT doc::text, mac, audience, has_left FROM x WHERE exception ORDER BY sort_key COLLATE \"C\", id",
                    binds: binds))
            let repository = PostgresRepository<AccessGrant, AccessGrantQuery>(executor, table: "access_grants")
            for row in rows {
                let (doc, mac, name, left) = try row.decode((String, String?, String, Bool).self)
                let grant = try repository.read(doc, mac: mac)
                guard let each = AUPAudience(rawValue: name) else { continue }
                let document = request.current[each]
                exceptions.append(
                    AccessException(
                        grant: grant, audience: each, requiredDocumentID: document?.id, requiredVersion: document?.version,
                        holderHasLeft: left))
            }
        }

        // Consent decisions in force of the learners on roll, by purpose and choice.
        let consent: PostgresQuery = """
            SELECT e.doc ->> 'purposeCode', e.doc ->> 'choice', count(*)::bigint
            FROM consent_states cs JOIN people p ON p.id = cs.id
            CROSS JOIN LATERAL jsonb_array_elements(cs.doc -> 'entries') AS e (doc)
            WHERE cs.school_id = \(school) AND p.school_id = \(school) AND p.kind = 'learner'
                AND (p.left_on IS NULL OR p.left_on > \(day)::date)
            GROUP BY 1, 2
            """
        var choices: [String: [ConsentChoice: Int]] = [:]
        for row in request.grantsOnly ? [] : (try await executor.rows(consent)) {
            let (purpose, choice, count) = try row.decode((String?, String?, Int).self)
            guard let purpose, let choice = choice.flatMap(ConsentChoice.init(rawValue:)) else { continue }
            choices[purpose, default: [:]][choice, default: 0] += count
        }
        return ComplianceTally(
            people: byAudience, accepted: accepted, activeGrants: activeGrants, exceptionCount: exceptionCount, exceptions: exceptions,
            learners: learners, consent: choices)
    }

    func repeatedLearners(_ request: RepeatedLearnersRequest) async throws -> [PersonID: Int] {
        let schools = request.schoolIDs.map(\.uuid)
        let query: PostgresQuery = """
            SELECT (p.doc ->> 'personID')::uuid, count(*)::bigint FROM incidents i
            CROSS JOIN LATERAL jsonb_array_elements(i.doc -> 'participants') AS p (doc)
            WHERE i.school_id = ANY(\(schools)) AND (\(request.includeRestricted) OR NOT i.restricted)
                AND i.occurred_at >= \(request.occurredFrom) AND i.occurred_at <= \(request.occurredTo)
                AND (p.doc ->> 'isLearner')::boolean
            GROUP BY 1 HAVING count(*) >= \(request.minimum)
            """
        var result: [PersonID: Int] = [:]
        for row in try await executor.rows(query) {
            let (id, count) = try row.decode((UUID, Int).self)
            result[PersonID(id)] = count
        }
        return result
    }

    /// The audience of the people row, as SQL.
    static let audienceCase = audienceOf("people")

    /// The audience of a person row under an alias: every kind, and for learners every year group,
    /// mapped as ``AUPAudience/of(_:ncYear:)`` maps them (the values are the enums' own codes).
    static func audienceOf(_ alias: String) -> String {
        var cases: [String] = []
        for kind in PersonKind.allCases where kind != .learner {
            cases.append("WHEN \(alias).kind = '\(kind.rawValue)' THEN '\(AUPAudience.of(kind, ncYear: nil).rawValue)'")
        }
        let byAudience = Dictionary(grouping: NCYear.allCases) { AUPAudience.of(.learner, ncYear: $0) }
        for (audience, years) in byAudience.sorted(by: { $0.key < $1.key }) {
            let list = years.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            cases.append(
                "WHEN \(alias).kind = 'learner' AND \(alias).nc_year IN (\(list)) THEN '\(audience.rawValue)'")
        }
        cases.append("WHEN \(alias).kind = 'learner' THEN '\(AUPAudience.of(.learner, ncYear: nil).rawValue)'")
        return "CASE " + cases.joined(separator: " ") + " END"
    }
}
