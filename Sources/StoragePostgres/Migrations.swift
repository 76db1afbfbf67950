/// A versioned schema change: statements run in one transaction and recorded in `schema_migrations`.
struct Migration: Sendable {
    let version: Int
    let name: String
    let statements: [String]
}

extension PostgresStore {
    /// The schema versions this build of the SDK knows, in order.
    public static var schemaVersions: [Int] { Migrations.all.map(\.version) }
}

enum Migrations {
    /// Every migration, in order. Append only: never edit one that has shipped.
    static let all: [Migration] = [
        Migration(
            version: 1, name: "organisation, people, roles and the audit log",
            statements: [
                """
                CREATE FUNCTION onlinesafety_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION '% on % is not allowed: the table is append-only', TG_OP, TG_TABLE_NAME
                        USING ERRCODE = 'OS001';
                END;
                $$
                """,
                """
                CREATE TABLE trusts (
                    id uuid PRIMARY KEY, revision integer NOT NULL, sort_key text NOT NULL, doc jsonb NOT NULL,
                    name text NOT NULL
                )
                """,
                """
                CREATE TABLE schools (
                    id uuid PRIMARY KEY, revision integer NOT NULL, sort_key text NOT NULL, doc jsonb NOT NULL,
                    trust_id uuid REFERENCES trusts (id), urn text NOT NULL UNIQUE, name text NOT NULL
                )
                """,
                "CREATE INDEX schools_trust ON schools (trust_id)",
                """
                CREATE TABLE people (
                    id uuid PRIMARY KEY, revision integer NOT NULL, sort_key text NOT NULL, doc jsonb NOT NULL,
                    school_id uuid REFERENCES schools (id), kind text NOT NULL, upn text UNIQUE,
                    registration_group text, family_name text NOT NULL, left_on date
                )
                """,
                "CREATE INDEX people_school_kind ON people (school_id, kind, sort_key)",
                "CREATE INDEX people_school_group ON people (school_id, registration_group)",
                """
                CREATE TABLE contacts (
                    id uuid PRIMARY KEY, revision integer NOT NULL, sort_key text NOT NULL, doc jsonb NOT NULL,
                    learner_id uuid NOT NULL REFERENCES people (id), adult_id uuid NOT NULL REFERENCES people (id)
                )
                """,
                "CREATE INDEX contacts_learner ON contacts (learner_id)",
                "CREATE INDEX contacts_adult ON contacts (adult_id)",
                """
                CREATE TABLE role_grants (
                    id uuid PRIMARY KEY, revision integer NOT NULL, sort_key text NOT NULL, doc jsonb NOT NULL,
                    person_id uuid NOT NULL REFERENCES people (id), school_id uuid REFERENCES schools (id),
                    trust_id uuid REFERENCES trusts (id), role text NOT NULL, starts date NOT NULL, ends date,
                    CHECK ((school_id IS NULL) <> (trust_id IS NULL))
                )
                """,
                "CREATE INDEX role_grants_person ON role_grants (person_id)",
                "CREATE INDEX role_grants_school ON role_grants (school_id, role)",
                "CREATE INDEX role_grants_trust ON role_grants (trust_id, role)",
                """
                CREATE TABLE audit_events (
                    sequence bigint PRIMARY KEY, at_ms bigint NOT NULL, actor_id uuid, school_id uuid,
                    action text NOT NULL, subject_kind text NOT NULL, subject_id uuid, outcome text NOT NULL,
                    reason text, restricted boolean NOT NULL DEFAULT false, previous_hash text NOT NULL, hash text NOT NULL
                )
                """,
                "CREATE INDEX audit_events_school ON audit_events (school_id, sequence)",
                "CREATE INDEX audit_events_subject ON audit_events (subject_id, sequence)",
                "CREATE INDEX audit_events_actor ON audit_events (actor_id, sequence)",
                """
                CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
                    FOR EACH ROW EXECUTE FUNCTION onlinesafety_reject_change()
                """,
                """
                CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
                    FOR EACH STATEMENT EXECUTE FUNCTION onlinesafety_reject_change()
                """,
            ]),
        Migration(
            version: 2, name: "incidents, chronology, procedures, device custody and categories",
            statements: [
                """
                CREATE TABLE incident_categories (
                    id uuid PRIMARY KEY, revision integer NOT NULL, sort_key text NOT NULL, doc jsonb NOT NULL,
                    school_id uuid REFERENCES schools (id), trust_id uuid REFERENCES trusts (id)
                )
                """,
                "CREATE INDEX incident_categories_school ON incident_categories (school_id)",
                "CREATE INDEX incident_categories_trust ON incident_categories (trust_id)",
                """
                CREATE TABLE incidents (
                    id uuid PRIMARY KEY, revision integer NOT NULL, sort_key text NOT NULL, doc jsonb NOT NULL,
                    school_id uuid NOT NULL REFERENCES schools (id), category text NOT NULL, restricted boolean NOT NULL,
                    reporter_id uuid NOT NULL, participant_ids uuid[] NOT NULL, occurred_at timestamptz NOT NULL, open boolean NOT NULL
                )
                """,
                "CREATE INDEX incidents_school ON incidents (school_id, restricted, category, occurred_at)",
                "CREATE INDEX incidents_reporter ON incidents (reporter_id)",
                "CREATE INDEX incidents_participants ON incidents USING gin (participant_ids)",
                """
                CREATE TABLE chronology_entries (
                    id uuid PRIMARY KEY, revision integer NOT NULL, sort_key text NOT NULL, doc jsonb NOT NULL,
                    incident_id uuid NOT NULL REFERENCES incidents (id), school_id uuid NOT NULL, restricted boolean NOT NULL
                )
                """,
                "CREATE UNIQUE INDEX chronology_entries_incident ON chronology_entries (incident_id, sort_key)",
                """
                CREATE TRIGGER chronology_entries_append_only BEFORE UPDATE OR DELETE ON chronology_entries
                    FOR EACH ROW EXECUTE FUNCTION onlinesafety_reject_change()
                """,
                """
                CREATE TRIGGER chronology_entries_no_truncate BEFORE TRUNCATE ON chronology_entries
                    FOR EACH STATEMENT EXECUTE FUNCTION onlinesafety_reject_change()
                """,
                """
                CREATE TABLE procedure_status (
                    id uuid PRIMARY KEY REFERENCES incidents (id), revision integer NOT NULL, sort_key text NOT NULL,
                    doc jsonb NOT NULL, school_id uuid NOT NULL, restricted boolean NOT NULL, next_due timestamptz,
                    first_due timestamptz, last_satisfied_at timestamptz, outstanding integer NOT NULL
                )
                """,
                "CREATE INDEX procedure_status_next_due ON procedure_status (school_id, next_due) WHERE next_due IS NOT NULL",
                "CREATE INDEX procedure_status_first_due ON procedure_status (school_id, first_due, last_satisfied_at)",
                "CREATE INDEX procedure_status_outstanding ON procedure_status (school_id, outstanding)",
                """
                CREATE TABLE devices (
                    id uuid PRIMARY KEY, revision integer NOT NULL, sort_key text NOT NULL, doc jsonb NOT NULL,
                    school_id uuid NOT NULL REFERENCES schools (id), incident_id uuid REFERENCES incidents (id), owner_id uuid,
                    status text NOT NULL, restricted boolean NOT NULL,
                    CHECK (NOT (status = 'contentDeleted' AND (doc ->> 'holdsEvidence')::boolean))
                )
                """,
                "CREATE INDEX devices_school ON devices (school_id, status)",
                "CREATE INDEX devices_incident ON devices (incident_id)",
            ]),
        Migration(
            version: 3, name: "acceptable use, access register, consent and training",
            statements: [
                """
                CREATE TABLE aup_documents (
                    id uuid PRIMARY KEY, revision integer NOT NULL, sort_key text NOT NULL, doc jsonb NOT NULL,
                    school_id uuid REFERENCES schools (id), trust_id uuid REFERENCES trusts (id), audience text NOT NULL,
                    version integer NOT NULL CHECK (version >= 1), effective_from date NOT NULL, version_key text NOT NULL UNIQUE,
                    CHECK ((school_id IS NULL) <> (trust_id IS NULL))
                )
                """,
                "CREATE INDEX aup_documents_school ON aup_documents (school_id, audience, effective_from)",
                "CREATE INDEX aup_documents_trust ON aup_documents (trust_id, audience, effective_from)",
                """
                CREATE TABLE aup_acceptances (
                    id uuid PRIMARY KEY, revision integer NOT NULL, sort_key text NOT NULL, doc jsonb NOT NULL,
                    school_id uuid REFERENCES schools (id), person_id uuid NOT NULL REFERENCES people (id),
                    document_id uuid NOT NULL REFERENCES aup_documents (id)
                )
                """,
                "CREATE INDEX aup_acceptances_school_document ON aup_acceptances (school_id, document_id)",
                "CREATE INDEX aup_acceptances_person ON aup_acceptances (person_id, document_id)",
                """
                CREATE TABLE access_grants (
                    id uuid PRIMARY KEY, revision integer NOT NULL, sort_key text NOT NULL, doc jsonb NOT NULL,
                    school_id uuid NOT NULL REFERENCES schools (id), person_id uuid NOT NULL REFERENCES people (id),
                    system text NOT NULL, granted_on date NOT NULL, revoked_on date,
                    CHECK (revoked_on IS NULL OR revoked_on >= granted_on)
                )
                """,
                "CREATE INDEX access_grants_school_active ON access_grants (school_id, revoked_on, granted_on)",
                "CREATE INDEX access_grants_school_system ON access_grants (school_id, system, revoked_on)",
                "CREATE INDEX access_grants_person ON access_grants (person_id)",
                """
                CREATE TABLE consent_purposes (
                    id uuid PRIMARY KEY, revision integer NOT NULL, sort_key text NOT NULL, doc jsonb NOT NULL,
                    school_id uuid REFERENCES schools (id), trust_id uuid REFERENCES trusts (id), code text NOT NULL,
                    CHECK ((school_id IS NULL) <> (trust_id IS NULL))
                )
                """,
                "CREATE INDEX consent_purposes_school ON consent_purposes (school_id)",
                "CREATE INDEX consent_purposes_trust ON consent_purposes (trust_id)",
                """
                CREATE TABLE consent_decisions (
                    id uuid PRIMARY KEY, revision integer NOT NULL, sort_key text NOT NULL, doc jsonb NOT NULL,
                    school_id uuid NOT NULL REFERENCES schools (id), learner_id uuid NOT NULL REFERENCES people (id),
                    purpose text NOT NULL
                )
                """,
                "CREATE INDEX consent_decisions_learner ON consent_decisions (learner_id, purpose)",
                "CREATE INDEX consent_decisions_school ON consent_decisions (school_id, purpose)",
                """
                CREATE TABLE consent_states (
                    id uuid PRIMARY KEY REFERENCES people (id), revision integer NOT NULL, sort_key text NOT NULL,
                    doc jsonb NOT NULL, school_id uuid NOT NULL REFERENCES schools (id)
                )
                """,
                "CREATE INDEX consent_states_school ON consent_states (school_id)",
                """
                CREATE TABLE training_records (
                    id uuid PRIMARY KEY, revision integer NOT NULL, sort_key text NOT NULL, doc jsonb NOT NULL,
                    school_id uuid REFERENCES schools (id), person_id uuid NOT NULL REFERENCES people (id), topic text NOT NULL,
                    completed_on date NOT NULL
                )
                """,
                "CREATE INDEX training_records_person ON training_records (person_id, completed_on)",
                "CREATE INDEX training_records_school ON training_records (school_id, completed_on)",
                """
                CREATE TABLE training_summaries (
                    id uuid PRIMARY KEY REFERENCES people (id), revision integer NOT NULL, sort_key text NOT NULL,
                    doc jsonb NOT NULL, school_id uuid REFERENCES schools (id), person_id uuid NOT NULL UNIQUE REFERENCES people (id)
                )
                """,
                "CREATE INDEX training_summaries_school ON training_summaries (school_id)",
            ]
                + ["aup_documents", "aup_acceptances", "consent_decisions", "training_records"].flatMap { table in
                    [
                        """
                        CREATE TRIGGER \(table)_append_only BEFORE UPDATE OR DELETE ON \(table)
                            FOR EACH ROW EXECUTE FUNCTION onlinesafety_reject_change()
                        """,
                        """
                        CREATE TRIGGER \(table)_no_truncate BEFORE TRUNCATE ON \(table)
                            FOR EACH STATEMENT EXECUTE FUNCTION onlinesafety_reject_change()
                        """,
                    ]
                }),
        Migration(
            version: 4, name: "tenancy of people, per-school audit chains",
            statements: [
                "ALTER TABLE people ADD COLUMN trust_id uuid REFERENCES trusts (id)",
                "ALTER TABLE people ADD COLUMN email text",
                """
                UPDATE people SET trust_id = (
                    SELECT g.trust_id FROM role_grants g WHERE g.person_id = people.id AND g.trust_id IS NOT NULL LIMIT 1)
                WHERE school_id IS NULL
                """,
                """
                UPDATE people SET email = lower(doc->>'email'), doc = doc - 'schoolID' || jsonb_build_object('tenancy',
                    CASE WHEN school_id IS NOT NULL THEN jsonb_build_object('school', jsonb_build_object('_0', school_id))
                    ELSE jsonb_build_object('trust', jsonb_build_object('_0', trust_id)) END)
                """,
                "ALTER TABLE people ADD CONSTRAINT people_one_tenancy CHECK ((school_id IS NULL) <> (trust_id IS NULL))",
                "ALTER TABLE people DROP CONSTRAINT people_upn_key",
                "CREATE UNIQUE INDEX people_school_upn ON people (school_id, upn) WHERE upn IS NOT NULL",
                "CREATE INDEX people_trust_kind ON people (trust_id, kind, sort_key)",
                "CREATE INDEX people_email ON people (email)",
                "ALTER TABLE audit_events ADD COLUMN chain text NOT NULL DEFAULT 'legacy'",
                "ALTER TABLE audit_events ALTER COLUMN chain DROP DEFAULT",
                "ALTER TABLE audit_events DROP CONSTRAINT audit_events_pkey",
                "ALTER TABLE audit_events ADD PRIMARY KEY (chain, sequence)",
                "CREATE INDEX audit_events_school_at ON audit_events (school_id, at_ms)",
            ]),
        Migration(
            version: 5, name: "the sanctioned purge of record bodies",
            statements: [
                """
                CREATE FUNCTION onlinesafety_reject_change_unless_purged() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'DELETE' AND current_setting('onlinesafety.purge', true) = 'on' THEN
                        RETURN OLD;
                    END IF;
                    RAISE EXCEPTION '% on % is not allowed: the table is append-only', TG_OP, TG_TABLE_NAME
                        USING ERRCODE = 'OS001';
                END;
                $$
                """
            ]
                + ["chronology_entries", "aup_documents", "aup_acceptances", "consent_decisions", "training_records"].flatMap { table in
                    [
                        "DROP TRIGGER \(table)_append_only ON \(table)",
                        """
                        CREATE TRIGGER \(table)_append_only BEFORE UPDATE OR DELETE ON \(table)
                            FOR EACH ROW EXECUTE FUNCTION onlinesafety_reject_change_unless_purged()
                        """,
                    ]
                }),
        Migration(
            version: 6, name: "MACs of rows and audit events under the integrity key",
            statements: [
                "ALTER TABLE trusts ADD COLUMN mac text", "ALTER TABLE schools ADD COLUMN mac text",
                "ALTER TABLE people ADD COLUMN mac text", "ALTER TABLE contacts ADD COLUMN mac text",
                "ALTER TABLE role_grants ADD COLUMN mac text", "ALTER TABLE incident_categories ADD COLUMN mac text",
                "ALTER TABLE incidents ADD COLUMN mac text", "ALTER TABLE chronology_entries ADD COLUMN mac text",
                "ALTER TABLE procedure_status ADD COLUMN mac text", "ALTER TABLE devices ADD COLUMN mac text",
                "ALTER TABLE aup_documents ADD COLUMN mac text", "ALTER TABLE aup_acceptances ADD COLUMN mac text",
                "ALTER TABLE access_grants ADD COLUMN mac text", "ALTER TABLE consent_purposes ADD COLUMN mac text",
                "ALTER TABLE consent_decisions ADD COLUMN mac text", "ALTER TABLE consent_states ADD COLUMN mac text",
                "ALTER TABLE training_records ADD COLUMN mac text", "ALTER TABLE training_summaries ADD COLUMN mac text",
                "ALTER TABLE audit_events ADD COLUMN mac text",
            ]),
        Migration(
            version: 7, name: "listing indexes in the order listings are read",
            statements: [
                "CREATE INDEX people_listing ON people (school_id, sort_key COLLATE \"C\", id)",
                "CREATE INDEX incidents_listing ON incidents (school_id, sort_key COLLATE \"C\", id)",
                "CREATE INDEX devices_listing ON devices (school_id, sort_key COLLATE \"C\", id)",
                "CREATE INDEX access_grants_listing ON access_grants (school_id, sort_key COLLATE \"C\", id)",
                "CREATE INDEX aup_acceptances_listing ON aup_acceptances (school_id, sort_key COLLATE \"C\", id)",
                "CREATE INDEX consent_decisions_listing ON consent_decisions (school_id, sort_key COLLATE \"C\", id)",
                "CREATE INDEX training_records_listing ON training_records (school_id, sort_key COLLATE \"C\", id)",
                "CREATE INDEX procedure_status_listing ON procedure_status (school_id, sort_key COLLATE \"C\", id)",
                "CREATE INDEX consent_states_listing ON consent_states (school_id, sort_key COLLATE \"C\", id)",
                "CREATE INDEX people_trust_listing ON people (trust_id, sort_key COLLATE \"C\", id)",
            ]),
        Migration(
            version: 8, name: "import runs",
            statements: [
                """
                CREATE TABLE import_runs (
                    id uuid PRIMARY KEY, revision integer NOT NULL, sort_key text NOT NULL, doc jsonb NOT NULL, mac text,
                    school_id uuid REFERENCES schools (id), trust_id uuid REFERENCES trusts (id), applied_at timestamptz NOT NULL,
                    CHECK ((school_id IS NULL) <> (trust_id IS NULL))
                )
                """,
                "CREATE INDEX import_runs_trust ON import_runs (trust_id, sort_key)",
                "CREATE INDEX import_runs_school ON import_runs (school_id, sort_key)",
            ]),
        Migration(
            version: 9, name: "adopted policy versions",
            statements: [
                """
                CREATE TABLE adopted_policies (
                    id uuid PRIMARY KEY, revision integer NOT NULL, sort_key text NOT NULL, doc jsonb NOT NULL, mac text,
                    school_id uuid NOT NULL REFERENCES schools (id), version text NOT NULL, effective_from text NOT NULL
                )
                """,
                "CREATE UNIQUE INDEX adopted_policies_version ON adopted_policies (school_id, version)",
                "CREATE INDEX adopted_policies_school ON adopted_policies (school_id, sort_key COLLATE \"C\", id)",
            ]),
        Migration(
            version: 10, name: "the filtering and monitoring register and the governance calendar",
            statements: [
                """
                CREATE TABLE filtering_provisions (
                    id uuid PRIMARY KEY, revision integer NOT NULL, sort_key text NOT NULL, doc jsonb NOT NULL, mac text,
                    school_id uuid NOT NULL UNIQUE REFERENCES schools (id)
                )
                """,
                """
                CREATE TABLE filtering_changes (
                    id uuid PRIMARY KEY, revision integer NOT NULL, sort_key text NOT NULL, doc jsonb NOT NULL, mac text,
                    school_id uuid NOT NULL REFERENCES schools (id), status text NOT NULL, requested_at timestamptz NOT NULL,
                    review_on date, incident_id uuid REFERENCES incidents (id)
                )
                """,
                "CREATE INDEX filtering_changes_listing ON filtering_changes (school_id, sort_key COLLATE \"C\", id)",
                "CREATE INDEX filtering_changes_status ON filtering_changes (school_id, status)",
                "CREATE INDEX filtering_changes_incident ON filtering_changes (incident_id)",
                """
                CREATE TABLE filtering_checks (
                    id uuid PRIMARY KEY, revision integer NOT NULL, sort_key text NOT NULL, doc jsonb NOT NULL, mac text,
                    school_id uuid NOT NULL REFERENCES schools (id), checked_on date NOT NULL, is_open boolean NOT NULL
                )
                """,
                "CREATE INDEX filtering_checks_listing ON filtering_checks (school_id, sort_key COLLATE \"C\", id)",
                "CREATE INDEX filtering_checks_open ON filtering_checks (school_id, is_open) WHERE is_open",
                """
                CREATE TABLE filtering_reviews (
                    id uuid PRIMARY KEY, revision integer NOT NULL, sort_key text NOT NULL, doc jsonb NOT NULL, mac text,
                    school_id uuid NOT NULL REFERENCES schools (id), reviewed_on date NOT NULL
                )
                """,
                "CREATE INDEX filtering_reviews_listing ON filtering_reviews (school_id, sort_key COLLATE \"C\", id)",
                """
                CREATE TABLE monitoring_alerts (
                    id uuid PRIMARY KEY, revision integer NOT NULL, sort_key text NOT NULL, doc jsonb NOT NULL, mac text,
                    school_id uuid NOT NULL REFERENCES schools (id), raised_at timestamptz NOT NULL,
                    incident_id uuid REFERENCES incidents (id)
                )
                """,
                "CREATE INDEX monitoring_alerts_listing ON monitoring_alerts (school_id, sort_key COLLATE \"C\", id)",
                "CREATE INDEX monitoring_alerts_incident ON monitoring_alerts (incident_id)",
                """
                CREATE TABLE governance_records (
                    id uuid PRIMARY KEY, revision integer NOT NULL, sort_key text NOT NULL, doc jsonb NOT NULL, mac text,
                    school_id uuid NOT NULL REFERENCES schools (id), activity text NOT NULL, held_on date NOT NULL
                )
                """,
                "CREATE INDEX governance_records_listing ON governance_records (school_id, sort_key COLLATE \"C\", id)",
                "CREATE INDEX governance_records_activity ON governance_records (school_id, activity, held_on)",
            ]
                + ["filtering_reviews", "governance_records"].flatMap { table in
                    [
                        """
                        CREATE TRIGGER \(table)_append_only BEFORE UPDATE OR DELETE ON \(table)
                            FOR EACH ROW EXECUTE FUNCTION onlinesafety_reject_change_unless_purged()
                        """,
                        """
                        CREATE TRIGGER \(table)_no_truncate BEFORE TRUNCATE ON \(table)
                            FOR EACH STATEMENT EXECUTE FUNCTION onlinesafety_reject_change()
                        """,
                    ]
                }),
        Migration(
            version: 11, name: "trust policies adopted by their schools",
            statements: [
                "ALTER TABLE adopted_policies ALTER COLUMN school_id DROP NOT NULL",
                "ALTER TABLE adopted_policies ADD COLUMN trust_id uuid REFERENCES trusts (id)",
                "ALTER TABLE adopted_policies ADD COLUMN version_key text",
                "UPDATE adopted_policies SET version_key = 'school:' || upper(school_id::text) || '/' || version",
                "ALTER TABLE adopted_policies ALTER COLUMN version_key SET NOT NULL",
                "ALTER TABLE adopted_policies ADD CONSTRAINT adopted_policies_scope CHECK ((school_id IS NULL) <> (trust_id IS NULL))",
                "DROP INDEX adopted_policies_version",
                "CREATE UNIQUE INDEX adopted_policies_version_key ON adopted_policies (version_key)",
                "CREATE INDEX adopted_policies_trust ON adopted_policies (trust_id, sort_key COLLATE \"C\", id)",
            ]),
        Migration(
            version: 12, name: "report columns: incidents' risk area; chronology entries' kind, agency, report time and response time",
            statements: [
                "ALTER TABLE incidents ADD COLUMN risk_area text",
                "UPDATE incidents SET risk_area = doc->>'riskArea'",
                "CREATE INDEX incidents_figures ON incidents (school_id, occurred_at)",
                """
                ALTER TABLE chronology_entries ADD COLUMN entry_kind text, ADD COLUMN referral_agency text,
                    ADD COLUMN incident_reported_at timestamptz, ADD COLUMN response_minutes integer
                """,
                // Entries are append-only: the backfill of their new columns (never their bodies) runs
                // with the trigger set aside inside this migration's transaction.
                "ALTER TABLE chronology_entries DISABLE TRIGGER chronology_entries_append_only",
                """
                UPDATE chronology_entries c SET
                    entry_kind = (SELECT k FROM jsonb_object_keys(c.doc->'content') AS k LIMIT 1),
                    referral_agency = c.doc->'content'->'referral'->'_0'->>'agency'
                """,
                """
                UPDATE chronology_entries c SET
                    incident_reported_at = timestamptz '2001-01-01 00:00:00+00' + (i.doc->>'reportedAt')::float8 * interval '1 second',
                    response_minutes = CASE WHEN c.entry_kind IN (
                        'action', 'decision', 'referral', 'parentNotification', 'riskAssessment', 'imageViewing', 'deviceCustody',
                        'escalation')
                        THEN greatest(0, floor((coalesce((c.doc->>'occurredAt')::float8, (c.doc->>'recordedAt')::float8)
                            - (i.doc->>'reportedAt')::float8) / 60))::integer END
                FROM incidents i WHERE i.id = c.incident_id AND c.doc->>'incidentReportedAt' IS NULL
                """,
                "ALTER TABLE chronology_entries ENABLE TRIGGER chronology_entries_append_only",
                "CREATE INDEX chronology_entries_figures ON chronology_entries (school_id, entry_kind, incident_reported_at)",
            ]),
        Migration(
            version: 13, name: "indexes for the dashboard and the overdue page across a trust; people's year group as a column",
            statements: [
                // Steps not yet satisfied in deadline order across schools: a trust's first page
                // of overdue incidents reads its page, not every match.
                "CREATE INDEX procedure_status_pending ON procedure_status (sort_key COLLATE \"C\", id) WHERE next_due IS NOT NULL",
                // Open incidents by age, counted from the index alone.
                "CREATE INDEX incidents_open ON incidents (school_id, occurred_at) INCLUDE (restricted) WHERE open",
                // A learner's year group beside the document, kept by the server itself: the
                // compliance counts work out each person's audience without reading documents.
                "ALTER TABLE people ADD COLUMN nc_year text GENERATED ALWAYS AS (doc -> 'learner' ->> 'ncYear') STORED",
            ]),
        Migration(
            version: 14, name: "consent choices and incidents' learners as columns, for counts that read no documents",
            statements: [
                // Each consent state's decisions in force as "purpose choice" pairs, kept by the
                // server beside the document: the compliance counts read this short array, not
                // every state's document.
                """
                CREATE FUNCTION consent_state_choices(doc jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
                    SELECT COALESCE(array_agg((e ->> 'purposeCode') || ' ' || (e ->> 'choice')), '{}')
                    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(doc -> 'entries') = 'array' THEN doc -> 'entries' ELSE '[]' END) AS e
                    WHERE e ->> 'purposeCode' IS NOT NULL AND e ->> 'choice' IS NOT NULL
                $$
                """,
                "ALTER TABLE consent_states ADD COLUMN choices text[] GENERATED ALWAYS AS (consent_state_choices(doc)) STORED",
                // The learners taking part in each incident, for the repeated-concern counts; a
                // damaged identifier is left out rather than failing the write or this migration.
                """
                CREATE FUNCTION incident_learner_ids(doc jsonb) RETURNS uuid[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
                    SELECT COALESCE(array_agg((p ->> 'personID')::uuid), '{}')
                    FROM jsonb_array_elements(
                        CASE WHEN jsonb_typeof(doc -> 'participants') = 'array' THEN doc -> 'participants' ELSE '[]' END) AS p
                    WHERE jsonb_typeof(p -> 'isLearner') = 'boolean' AND (p ->> 'isLearner')::boolean
                        AND p ->> 'personID' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                $$
                """,
                "ALTER TABLE incidents ADD COLUMN learner_ids uuid[] GENERATED ALWAYS AS (incident_learner_ids(doc)) STORED",
                // Read from the index alone: a school's incidents of a window with their learners.
                "CREATE INDEX incidents_learners ON incidents (school_id, occurred_at) INCLUDE (restricted, learner_ids)",
            ]),
        Migration(
            version: 15, name: "covering indexes for the report counts: people, acceptances, grants and incidents read from indexes alone",
            statements: [
                // Each school's people with what their audience and standing need, so the counts
                // scan a few megabytes of index rather than every person's document.
                "CREATE INDEX people_school_standing ON people (school_id) INCLUDE (id, kind, nc_year, left_on, trust_id)",
                // The acceptances of the policies in force, by policy.
                "CREATE INDEX aup_acceptances_document ON aup_acceptances (document_id) INCLUDE (person_id, school_id)",
                // Each school's grants with their holder and dates.
                "CREATE INDEX access_grants_school_holder ON access_grants (school_id) INCLUDE (id, person_id, granted_on, revoked_on)",
                // A school's incidents of a window with their category, restriction, risk area and
                // learners, for the governors' figures and the repeated-concern counts: one index in
                // place of the two that held part of this.
                "DROP INDEX incidents_learners",
                "DROP INDEX incidents_figures",
                """
                CREATE INDEX incidents_figures ON incidents (school_id, occurred_at)
                    INCLUDE (category, restricted, risk_area, learner_ids)
                """,
            ]),
        Migration(
            version: 16, name: "consent choices counted from an index: each school's states with their learner and choices",
            statements: [
                // The consent counts read a few megabytes of index, not every state's document;
                // it serves the lookups by school the plain index served.
                "CREATE INDEX consent_states_tally ON consent_states (school_id) INCLUDE (id, choices)",
                "DROP INDEX consent_states_school",
            ]),
        Migration(
            version: 17, name: "referrals' follow-up dates as a column: the dashboard reads only the referrals due",
            statements: [
                "ALTER TABLE chronology_entries ADD COLUMN follow_up_due timestamptz",
                // Entries are append-only: the backfill of the new column (never their bodies) runs
                // with the trigger set aside inside this migration's transaction.
                "ALTER TABLE chronology_entries DISABLE TRIGGER chronology_entries_append_only",
                """
                UPDATE chronology_entries SET follow_up_due = timestamptz '2001-01-01 00:00:00+00'
                    + (doc->'content'->'referral'->'_0'->>'followUpDue')::float8 * interval '1 second'
                WHERE doc->'content'->'referral'->'_0'->>'followUpDue' IS NOT NULL
                """,
                "ALTER TABLE chronology_entries ENABLE TRIGGER chronology_entries_append_only",
                "CREATE INDEX chronology_entries_follow_ups ON chronology_entries (school_id, follow_up_due) WHERE follow_up_due IS NOT NULL",
            ]),
        Migration(
            version: 18, name: "change stamps by school, so that report counts are counted again only where something changed",
            statements: ReportStamps.migration),
        Migration(
            version: 19, name: "training stamps by school: role grants and training summaries are read again only where they changed",
            statements: ReportStamps.trainingMigration),
        Migration(
            version: 20, name: "procedure stamps by school: the dashboard's steps are counted again only where they changed or fell due",
            statements: ReportStamps.proceduresMigration),
        Migration(
            version: 21, name: "a listing's audit is one event naming the records it returned, found by each record's trail",
            statements: [
                "ALTER TABLE audit_events ADD COLUMN listed uuid[]",
                // Events are append-only; the new column is empty on every event written before it.
                "CREATE INDEX audit_events_listed ON audit_events USING gin (listed)",
            ]),
    ]
}
