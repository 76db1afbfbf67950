import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import PostgresNIO
import Synchronization

/// Change stamps by school: a number the server moves on, in the same transaction, whenever a
/// statement changes what a school's report counts read, so that a count made once can be given
/// again until the school's stamp moves.
///
/// Four topics are stamped:
/// - ``Topic/roster``: people, agreement acceptances, access grants and consent states. A change
///   to a person or an acceptance also moves the stamp of every school where that person holds
///   an access grant, since a school's grants are counted with their holders wherever they are
///   on roll.
/// - ``Topic/incidents``: incidents.
/// - ``Topic/training``: role grants and training summaries (migration 19), from which the
///   training standings of the dashboard and the reports are worked out.
/// - ``Topic/procedures``: procedure statuses (migration 20), from which the dashboard's steps
///   overdue and due soon are counted and listed.
///
/// Triggers run once per statement (over its transition tables, so a `COPY` of 250,000 rows
/// moves each school's stamp once) and take each new stamp from one sequence, which never gives
/// the same number twice, even when a transaction rolls back. A transaction that moves a stamp
/// holds that school's stamp row until it ends: another writer to the same school and topic waits
/// for it, as PostgreSQL's row locks make it; the rows are taken in the order of their school.
enum ReportStamps {
    /// What a stamp covers.
    enum Topic: String, Sendable {
        /// People, acceptances, access grants and consent states.
        case roster
        /// Incidents.
        case incidents
        /// Role grants and training summaries.
        case training
        /// Procedure statuses.
        case procedures
    }

    /// The schools a statement's rows (in the transition table `rows`) touch, for one table.
    private struct Watched: Sendable {
        let table: String
        let topic: Topic
        let schools: @Sendable (_ rows: String) -> String
    }

    /// The tables whose changes move a stamp.
    private static let watched: [Watched] = [
        Watched(table: "people", topic: .roster) { rows in
            "SELECT school_id FROM \(rows) UNION ALL SELECT g.school_id FROM access_grants g WHERE g.person_id IN (SELECT id FROM \(rows))"
        },
        Watched(table: "aup_acceptances", topic: .roster) { rows in
            "SELECT school_id FROM \(rows) UNION ALL SELECT g.school_id FROM access_grants g WHERE g.person_id IN (SELECT person_id FROM \(rows))"
        },
        Watched(table: "access_grants", topic: .roster) { "SELECT school_id FROM \($0)" },
        Watched(table: "consent_states", topic: .roster) { "SELECT school_id FROM \($0)" },
        Watched(table: "incidents", topic: .incidents) { "SELECT school_id FROM \($0)" },
    ]

    /// The tables whose changes move the training stamp (migration 19).
    private static let watchedForTraining: [Watched] = [
        Watched(table: "role_grants", topic: .training) { "SELECT school_id FROM \($0)" },
        Watched(table: "training_summaries", topic: .training) { "SELECT school_id FROM \($0)" },
    ]

    /// Migration 18's statements: the table, the sequence, the function that moves stamps and,
    /// for each watched table, its trigger function and its three statement triggers.
    static var migration: [String] {
        let statements = [
            "CREATE SEQUENCE report_stamp_seq",
            """
            CREATE TABLE report_stamps (
                school_id uuid NOT NULL, topic text NOT NULL, stamp bigint NOT NULL, PRIMARY KEY (school_id, topic)
            )
            """,
            """
            CREATE FUNCTION report_stamps_move(changed_topic text, schools uuid[]) RETURNS void LANGUAGE sql AS $$
                INSERT INTO report_stamps AS s (school_id, topic, stamp)
                SELECT d.school_id, changed_topic, nextval('report_stamp_seq')
                FROM (SELECT DISTINCT u.school_id FROM unnest(schools) AS u (school_id) WHERE u.school_id IS NOT NULL) AS d
                ORDER BY d.school_id
                ON CONFLICT (school_id, topic) DO UPDATE SET stamp = EXCLUDED.stamp
            $$
            """,
        ]
        return statements + triggers(watched)
    }

    /// Migration 19's statements: the training stamp's trigger functions and triggers.
    static var trainingMigration: [String] { triggers(watchedForTraining) }

    /// Migration 20's statements: the procedures stamp's trigger function and triggers.
    static var proceduresMigration: [String] {
        triggers([Watched(table: "procedure_status", topic: .procedures) { "SELECT school_id FROM \($0)" }])
    }

    /// Each watched table's trigger function and its three statement triggers.
    private static func triggers(_ watched: [Watched]) -> [String] {
        var statements: [String] = []
        for each in watched {
            let function = "\(each.table)_report_stamp"
            statements.append(
                """
                CREATE FUNCTION \(function)() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'UPDATE' THEN
                        PERFORM report_stamps_move('\(each.topic.rawValue)', ARRAY(\(each.schools("changed")) UNION ALL \(each.schools("before_rows"))));
                    ELSE
                        PERFORM report_stamps_move('\(each.topic.rawValue)', ARRAY(\(each.schools("changed"))));
                    END IF;
                    RETURN NULL;
                END
                $$
                """)
            for (event, transition) in [
                ("INSERT", "NEW TABLE AS changed"), ("UPDATE", "OLD TABLE AS before_rows NEW TABLE AS changed"),
                ("DELETE", "OLD TABLE AS changed"),
            ] {
                statements.append(
                    """
                    CREATE TRIGGER \(each.table)_stamp_\(event.lowercased()) AFTER \(event) ON \(each.table)
                    REFERENCING \(transition) FOR EACH STATEMENT EXECUTE FUNCTION \(function)()
                    """)
            }
        }
        return statements
    }

    /// The stamps of `schools` under `topic`, as `executor` sees them (0 for a school never stamped:
    /// the sequence starts at 1).
    static func read(_ topic: Topic, of schools: some Collection<UUID>, _ executor: Executor) async throws -> [UUID: Int64] {
        var stamps: [UUID: Int64] = [:]
        guard !schools.isEmpty else { return stamps }
        let rows = try await executor.rows(
            "SELECT school_id, stamp FROM report_stamps WHERE topic = \(topic.rawValue) AND school_id = ANY(\(Array(schools)))")
        for row in rows {
            let (school, stamp) = try row.decode((UUID, Int64).self)
            stamps[school] = stamp
        }
        return stamps
    }
}

/// Report counts already made (the dashboard's open incidents by age among them), the role grants
/// in force and training summaries of schools already read, and the dashboard's steps overdue and
/// due soon, each with the stamp (``ReportStamps``) its school had when it was counted or read,
/// held by one store for every transaction on it. The steps are given again only at an instant where no outstanding deadline
/// has fallen due, or come within the due-soon window, since they were counted.
///
/// A count is given again only while its school's stamp is unchanged, and is kept only when the
/// stamp read before counting equals the one read after (so that no change committed meanwhile
/// can be missed, whatever the snapshot each statement saw). Stamps are read from the database
/// every time, so a change made by another process, or another store on the same database, is
/// seen as soon as it is committed. What is kept is bounded: past ``limit`` entries of a kind,
/// those are all let go.
final class ReportCache: Sendable {
    /// Entries of each kind kept at most.
    static let limit = 2_048

    /// Schools' steps kept at most (each holds up to ``stepsListLimit`` statuses of each list).
    static let stepsLimit = 512

    /// The longest lists of steps kept: a dashboard asking for more reads them each time, so that
    /// what is held stays a few hundred statuses per school.
    static let stepsListLimit = 50

    /// The key of one school's learners in repeated incidents.
    struct RepeatedKey: Hashable, Sendable {
        let school: UUID
        let includeRestricted: Bool
        let occurredFrom: Date
        let minimum: Int
    }

    /// One school's learners in repeated incidents, counted over every incident from the window's
    /// start up to `latest` (the last such incident's instant, `nil` for none): the same for any
    /// window end at or after it.
    struct Repeated: Sendable {
        let stamp: Int64
        let latest: Date?
        let counts: [PersonID: Int]
    }

    /// The key of one school's role grants in force on a day.
    struct GrantsKey: Hashable, Sendable {
        let school: UUID
        let day: CalendarDate
    }

    /// The key of one school's open incidents counted within windows of occurrence.
    struct AgesKey: Hashable, Sendable {
        let school: UUID
        let includeRestricted: Bool
        let windows: [OpenIncidentsRequest.Window]
    }

    /// The key of one school's steps overdue and due soon.
    struct StepsKey: Hashable, Sendable {
        let school: UUID
        let includeRestricted: Bool
        let dueSoonHours: Int
        let listLimit: Int
    }

    /// One school's steps overdue and due soon, the same at every instant from `from` up to (not
    /// including) `until`: before `until` no outstanding deadline falls due and none enters the
    /// due-soon window.
    struct Steps: Sendable {
        let from: Date
        let until: Date
        let steps: PendingSteps
    }

    /// Values kept by key, each with the stamp it was made at; past ``ReportCache/limit`` keys,
    /// all are let go.
    private struct Stamped<Key: Hashable, Value> {
        private var entries: [Key: (stamp: Int64, value: Value)] = [:]
        /// Keys kept at most.
        let limit: Int

        init(limit: Int = ReportCache.limit) { self.limit = limit }

        /// The value kept for `key` at `stamp`, if any.
        func value(for key: Key, stamp: Int64) -> Value? { entries[key].flatMap { $0.stamp == stamp ? $0.value : nil } }

        /// Keeps `value` for `key`, made at `stamp`.
        mutating func keep(_ value: Value, for key: Key, stamp: Int64) {
            if entries.count >= limit && entries[key] == nil { entries.removeAll() }
            entries[key] = (stamp, value)
        }
    }

    private struct State {
        var tallies = Stamped<ComplianceTallyRequest, ComplianceTally>()
        var repeated: [RepeatedKey: Repeated] = [:]
        var grants = Stamped<GrantsKey, [RoleGrant]>()
        var summaries = Stamped<UUID, [TrainingSummary]>()
        var steps = Stamped<StepsKey, Steps>(limit: ReportCache.stepsLimit)
        var ages = Stamped<AgesKey, [Int]>()
    }

    private let state = Mutex(State())

    /// The tally kept for `request` at `stamp`, if any.
    func tally(_ request: ComplianceTallyRequest, stamp: Int64) -> ComplianceTally? {
        state.withLock { $0.tallies.value(for: request, stamp: stamp) }
    }

    /// Keeps `tally` for `request`, counted at `stamp`.
    func keep(_ tally: ComplianceTally, for request: ComplianceTallyRequest, stamp: Int64) {
        state.withLock { $0.tallies.keep(tally, for: request, stamp: stamp) }
    }

    /// The learners kept for `key` at `stamp` that hold for a window ending at `end`, if any.
    func repeated(_ key: RepeatedKey, stamp: Int64, endingAt end: Date) -> [PersonID: Int]? {
        state.withLock { state in
            guard let entry = state.repeated[key], entry.stamp == stamp, (entry.latest ?? .distantPast) <= end else { return nil }
            return entry.counts
        }
    }

    /// Keeps `entry` for `key`.
    func keep(_ entry: Repeated, for key: RepeatedKey) {
        state.withLock { state in
            if state.repeated.count >= Self.limit && state.repeated[key] == nil { state.repeated.removeAll() }
            state.repeated[key] = entry
        }
    }

    /// The role grants in force kept for `key` at `stamp` (the school's training stamp), if any.
    func grants(_ key: GrantsKey, stamp: Int64) -> [RoleGrant]? {
        state.withLock { $0.grants.value(for: key, stamp: stamp) }
    }

    /// Keeps `grants` for `key`, read at `stamp`.
    func keep(_ grants: [RoleGrant], for key: GrantsKey, stamp: Int64) {
        state.withLock { $0.grants.keep(grants, for: key, stamp: stamp) }
    }

    /// The training summaries kept at `school` as read at `stamp` (its training stamp), if any.
    func summaries(at school: UUID, stamp: Int64) -> [TrainingSummary]? {
        state.withLock { $0.summaries.value(for: school, stamp: stamp) }
    }

    /// Keeps the training summaries kept at `school`, read at `stamp`.
    func keep(_ summaries: [TrainingSummary], at school: UUID, stamp: Int64) {
        state.withLock { $0.summaries.keep(summaries, for: school, stamp: stamp) }
    }

    /// The open incidents' counts kept for `key` at `stamp` (the school's incidents stamp), if any.
    func ages(_ key: AgesKey, stamp: Int64) -> [Int]? {
        state.withLock { $0.ages.value(for: key, stamp: stamp) }
    }

    /// Keeps the open incidents' counts `ages` for `key`, counted at `stamp`.
    func keep(_ ages: [Int], for key: AgesKey, stamp: Int64) {
        state.withLock { $0.ages.keep(ages, for: key, stamp: stamp) }
    }

    /// The steps kept for `key` at `stamp` (the school's procedures stamp) that hold at `time`, if any.
    func steps(_ key: StepsKey, stamp: Int64, at time: Date) -> PendingSteps? {
        state.withLock { state in
            guard let kept = state.steps.value(for: key, stamp: stamp), kept.from <= time, time < kept.until else { return nil }
            return kept.steps
        }
    }

    /// Keeps `steps` for `key`, counted at `stamp`, when its lists are at most ``stepsListLimit`` long.
    func keep(_ steps: Steps, for key: StepsKey, stamp: Int64) {
        guard key.listLimit <= Self.stepsListLimit else { return }
        state.withLock { $0.steps.keep(steps, for: key, stamp: stamp) }
    }
}
