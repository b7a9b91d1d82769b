-- Sickness-absence cases (Wet verbetering poortwachter) and their process
-- records, plus the employee's optional BSN. Every table is tenant-owned
-- (employer_id) with the same row-level security as hr.employees. Nothing
-- medical is stored here: the free-text columns are for process notes, and
-- the API says so.

-- The BSN is encrypted with the Vault key pii; bsn_hash is a keyed HMAC
-- (Vault transit hmac with the same key) for uniqueness and lookup.
ALTER TABLE hr.employees
    ADD COLUMN bsn_ciphertext text,
    ADD COLUMN bsn_hash text,
    ADD CONSTRAINT employees_bsn_check CHECK ((bsn_ciphertext IS NULL) = (bsn_hash IS NULL));
CREATE UNIQUE INDEX employees_bsn_key ON hr.employees (employer_id, bsn_hash) WHERE bsn_hash IS NOT NULL;

-- A case: one or more sickness periods joined by the 28-day rule.
CREATE TABLE hr.absences (
    id                      uuid PRIMARY KEY,
    employer_id             uuid NOT NULL REFERENCES hr.employers (id),
    employee_id             uuid NOT NULL REFERENCES hr.employees (id),
    first_sick_day          date NOT NULL,
    percentage              integer NOT NULL,
    status                  text NOT NULL DEFAULT 'open',
    closed_on               date,
    close_reason            text,
    vangnet                 boolean NOT NULL DEFAULT false,
    vangnet_type            text,
    expected_duration_weeks integer,
    work_accident           boolean,
    liable_third_party      boolean,
    created_by              uuid NOT NULL REFERENCES hr.users (id),
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT absences_percentage_check CHECK (percentage BETWEEN 0 AND 100),
    CONSTRAINT absences_status_check CHECK (status IN ('open', 'closed')),
    CONSTRAINT absences_closed_check CHECK ((status = 'closed') = (closed_on IS NOT NULL AND close_reason IS NOT NULL)),
    CONSTRAINT absences_close_reason_check CHECK (close_reason IN ('recovered', 'employment_end', 'death')),
    CONSTRAINT absences_vangnet_type_check CHECK (
        vangnet_type IS NULL OR (vangnet AND vangnet_type IN ('no_risk', 'pregnancy', 'organ_donation', 'employment_end'))),
    CONSTRAINT absences_expected_duration_check CHECK (expected_duration_weeks BETWEEN 1 AND 104)
);
CREATE UNIQUE INDEX absences_one_open_key ON hr.absences (employee_id) WHERE status = 'open';
CREATE INDEX absences_employee_idx ON hr.absences (employee_id, first_sick_day DESC);
CREATE INDEX absences_employer_idx ON hr.absences (employer_id) WHERE status = 'open';

-- The sick reports (first, and reopening under the 28-day rule) and the
-- changes of a case, each effective from its date.
CREATE TABLE hr.absence_changes (
    id           uuid PRIMARY KEY,
    absence_id   uuid NOT NULL REFERENCES hr.absences (id),
    employer_id  uuid NOT NULL REFERENCES hr.employers (id),
    kind         text NOT NULL,
    effective_on date NOT NULL,
    percentage   integer NOT NULL,
    leave_days   integer NOT NULL DEFAULT 0,
    recorded_by  uuid NOT NULL REFERENCES hr.users (id),
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT absence_changes_kind_check CHECK (kind IN ('report', 'change')),
    CONSTRAINT absence_changes_percentage_check CHECK (
        percentage BETWEEN 0 AND 100 AND (kind = 'change' OR percentage >= 1)),
    CONSTRAINT absence_changes_leave_days_check CHECK (leave_days BETWEEN 0 AND 366)
);
CREATE INDEX absence_changes_absence_idx ON hr.absence_changes (absence_id, effective_on);

-- Milestones recorded as done. Evaluations repeat; the others once.
CREATE TABLE hr.absence_milestones_done (
    id          uuid PRIMARY KEY,
    absence_id  uuid NOT NULL REFERENCES hr.absences (id),
    employer_id uuid NOT NULL REFERENCES hr.employers (id),
    kind        text NOT NULL,
    done_on     date NOT NULL,
    late_onset  boolean NOT NULL DEFAULT false,
    recorded_by uuid NOT NULL REFERENCES hr.users (id),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT absence_milestones_done_kind_check CHECK (kind IN ('problem_analysis', 'plan_of_action', 'evaluation',
        'uwv_report_vangnet', 'uwv_report_42', 'first_year_evaluation', 'wia_application', 'end_of_wage_continuation')),
    CONSTRAINT absence_milestones_done_late_onset_check CHECK (NOT late_onset OR kind = 'problem_analysis')
);
CREATE UNIQUE INDEX absence_milestones_done_once_key ON hr.absence_milestones_done (absence_id, kind) WHERE kind <> 'evaluation';

-- Extensions of wage continuation: a UWV wage sanction or a voluntary one.
CREATE TABLE hr.absence_extensions (
    id          uuid PRIMARY KEY,
    absence_id  uuid NOT NULL REFERENCES hr.absences (id),
    employer_id uuid NOT NULL REFERENCES hr.employers (id),
    kind        text NOT NULL,
    weeks       integer NOT NULL,
    reason      text NOT NULL,
    decided_on  date NOT NULL,
    recorded_by uuid NOT NULL REFERENCES hr.users (id),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT absence_extensions_kind_check CHECK (kind IN ('wage_sanction', 'voluntary')),
    CONSTRAINT absence_extensions_weeks_check CHECK (weeks BETWEEN 1 AND 52),
    CONSTRAINT absence_extensions_reason_check CHECK (length(reason) BETWEEN 1 AND 2000)
);
CREATE INDEX absence_extensions_absence_idx ON hr.absence_extensions (absence_id);

-- The calendar as computed by absence.Calendar, rewritten in the
-- transaction of every change to the case, so that work lists are an index
-- scan. state is pending, done or cancelled; open/overdue depend on today
-- and are derived when read.
CREATE TABLE hr.milestones (
    absence_id  uuid NOT NULL REFERENCES hr.absences (id),
    employer_id uuid NOT NULL REFERENCES hr.employers (id),
    employee_id uuid NOT NULL REFERENCES hr.employees (id),
    kind        text NOT NULL,
    n           integer NOT NULL DEFAULT 0,
    due         date NOT NULL,
    remind_from date,
    done_on     date,
    state       text NOT NULL,
    PRIMARY KEY (absence_id, kind, n),
    CONSTRAINT milestones_state_check CHECK (state IN ('pending', 'done', 'cancelled'))
);
CREATE INDEX milestones_pending_idx ON hr.milestones (due, absence_id, kind, n) WHERE state = 'pending';
CREATE INDEX milestones_employer_pending_idx ON hr.milestones (employer_id, due, absence_id, kind, n) WHERE state = 'pending';

-- The plan of action, versioned; activities are
-- [{"description","who","by_when"}]. Both views on reintegration are
-- required since 2023-07-01.
CREATE TABLE hr.plans (
    id                 uuid PRIMARY KEY,
    absence_id         uuid NOT NULL REFERENCES hr.absences (id),
    employer_id        uuid NOT NULL REFERENCES hr.employers (id),
    version            integer NOT NULL,
    goals              text NOT NULL,
    activities         jsonb NOT NULL,
    employer_view      text NOT NULL,
    employee_view      text NOT NULL,
    employer_signed_on date,
    employee_signed_on date,
    recorded_by        uuid NOT NULL REFERENCES hr.users (id),
    recorded_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT plans_version_key UNIQUE (absence_id, version),
    CONSTRAINT plans_activities_check CHECK (jsonb_typeof(activities) = 'array')
);

-- Evaluations of the plan and the first-year evaluation.
CREATE TABLE hr.evaluations (
    id            uuid PRIMARY KEY,
    absence_id    uuid NOT NULL REFERENCES hr.absences (id),
    employer_id   uuid NOT NULL REFERENCES hr.employers (id),
    kind          text NOT NULL,
    held_on       date NOT NULL,
    summary       text NOT NULL,
    employer_view text NOT NULL,
    employee_view text NOT NULL,
    recorded_by   uuid NOT NULL REFERENCES hr.users (id),
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT evaluations_kind_check CHECK (kind IN ('evaluation', 'first_year_evaluation'))
);
CREATE INDEX evaluations_absence_idx ON hr.evaluations (absence_id, held_on);

-- The contact log. Calls are never recorded: there is no audio column.
CREATE TABLE hr.contacts (
    id           uuid PRIMARY KEY,
    absence_id   uuid NOT NULL REFERENCES hr.absences (id),
    employer_id  uuid NOT NULL REFERENCES hr.employers (id),
    occurred_on  date NOT NULL,
    channel      text NOT NULL,
    participants text[] NOT NULL,
    summary      text NOT NULL,
    recorded_by  uuid NOT NULL REFERENCES hr.users (id),
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT contacts_channel_check CHECK (channel IN ('phone', 'email', 'meeting', 'video', 'letter'))
);
CREATE INDEX contacts_absence_idx ON hr.contacts (absence_id, occurred_on);

-- Process notes. A note with medical detail typed by mistake is redacted:
-- the text is removed, the reason and who did it are kept.
CREATE TABLE hr.notes (
    id               uuid PRIMARY KEY,
    absence_id       uuid NOT NULL REFERENCES hr.absences (id),
    employer_id      uuid NOT NULL REFERENCES hr.employers (id),
    body             text,
    author_id        uuid NOT NULL REFERENCES hr.users (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    redacted_at      timestamptz,
    redacted_by      uuid REFERENCES hr.users (id),
    redaction_reason text,
    CONSTRAINT notes_redaction_check CHECK (
        (redacted_at IS NULL AND body IS NOT NULL AND redacted_by IS NULL AND redaction_reason IS NULL)
        OR (redacted_at IS NOT NULL AND body IS NULL AND redacted_by IS NOT NULL AND redaction_reason IS NOT NULL))
);
CREATE INDEX notes_absence_idx ON hr.notes (absence_id, created_at);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['absences', 'absence_changes', 'absence_milestones_done', 'absence_extensions',
                             'milestones', 'plans', 'evaluations', 'contacts', 'notes'] LOOP
        EXECUTE format('ALTER TABLE hr.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON hr.%I TO arbokluis_hr
            USING ((SELECT hr.scope_all()) OR employer_id = ANY ((SELECT hr.scope_ids())::uuid[]))
            WITH CHECK ((SELECT hr.scope_all()) OR employer_id = ANY ((SELECT hr.scope_ids())::uuid[]))',
            t || '_tenant', t);
    END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON hr.absences, hr.absence_changes, hr.absence_milestones_done,
    hr.absence_extensions, hr.plans, hr.evaluations, hr.contacts, hr.notes TO arbokluis_hr;
GRANT SELECT, INSERT, UPDATE, DELETE ON hr.milestones TO arbokluis_hr;
