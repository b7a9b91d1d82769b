-- Authorization: tenant-owned employee records, physician assignments,
-- substitution periods, reviewed confidentiality statements, and emergency
-- access to medical dossiers.
--
-- Tenant isolation is enforced twice: every query names the caller's
-- employers, and row-level security on every tenant-owned hr table admits
-- only rows of the employers listed in the transaction-local setting
-- arbokluis.employer_ids ('*' for service-wide callers; see hr.scope_all and
-- hr.scope_ids). Without the setting
-- no tenant row is visible at all.
CREATE FUNCTION hr.scope_all() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(current_setting('arbokluis.employer_ids', true), '') = '*'
$$;
CREATE FUNCTION hr.scope_ids() RETURNS uuid[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN coalesce(current_setting('arbokluis.employer_ids', true), '') IN ('', '*') THEN '{}'::uuid[]
        ELSE current_setting('arbokluis.employer_ids', true)::uuid[] END
$$;
REVOKE ALL ON FUNCTION hr.scope_all(), hr.scope_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hr.scope_all(), hr.scope_ids() TO arbokluis_hr;

-- The policies call the functions in sub-selects, so that PostgreSQL
-- evaluates them once per query (an InitPlan) rather than once per row.
ALTER TABLE hr.employers ENABLE ROW LEVEL SECURITY;
CREATE POLICY employers_tenant ON hr.employers TO arbokluis_hr
    USING ((SELECT hr.scope_all()) OR id = ANY ((SELECT hr.scope_ids())::uuid[]))
    WITH CHECK ((SELECT hr.scope_all()) OR id = ANY ((SELECT hr.scope_ids())::uuid[]));

-- Employees of a client employer. user_id links the employee's own login.
CREATE TABLE hr.employees (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    employer_id      uuid NOT NULL REFERENCES hr.employers (id),
    employee_number  text NOT NULL,
    first_name       text NOT NULL,
    last_name        text NOT NULL,
    date_of_birth    date NOT NULL,
    employment_start date NOT NULL,
    employment_end   date,
    email            text,
    phone            text,
    user_id          uuid REFERENCES hr.users (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT employees_number_key UNIQUE (employer_id, employee_number),
    CONSTRAINT employees_user_id_key UNIQUE (user_id),
    CONSTRAINT employees_employee_number_check CHECK (employee_number ~ '^[A-Za-z0-9._/-]{1,32}$'),
    CONSTRAINT employees_first_name_check CHECK (length(first_name) BETWEEN 1 AND 100),
    CONSTRAINT employees_last_name_check CHECK (length(last_name) BETWEEN 1 AND 100),
    CONSTRAINT employees_employment_check CHECK (employment_end IS NULL OR employment_end >= employment_start),
    CONSTRAINT employees_email_check CHECK (email = lower(email) AND email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
    CONSTRAINT employees_phone_check CHECK (phone ~ '^\+?[0-9 ()-]{6,20}$')
);
CREATE INDEX employees_employer_idx ON hr.employees (employer_id, last_name, id);
ALTER TABLE hr.employees ENABLE ROW LEVEL SECURITY;
CREATE POLICY employees_tenant ON hr.employees TO arbokluis_hr
    USING ((SELECT hr.scope_all()) OR employer_id = ANY ((SELECT hr.scope_ids())::uuid[]))
    WITH CHECK ((SELECT hr.scope_all()) OR employer_id = ANY ((SELECT hr.scope_ids())::uuid[]));

-- The physician assigned to a client employer: responsible for the dossiers
-- of its employees. An admin proposes, a lead physician approves (two keys);
-- approving ends the employer's previous assignment.
CREATE TABLE hr.physician_assignments (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    employer_id  uuid NOT NULL REFERENCES hr.employers (id),
    physician_id uuid NOT NULL REFERENCES hr.users (id),
    status       text NOT NULL DEFAULT 'proposed',
    proposed_by  uuid NOT NULL REFERENCES hr.users (id),
    approved_by  uuid REFERENCES hr.users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    decided_at   timestamptz,
    ended_at     timestamptz,
    CONSTRAINT physician_assignments_status_check CHECK (status IN ('proposed', 'active', 'ended')),
    CONSTRAINT physician_assignments_two_keys_check CHECK (
        approved_by IS NULL OR (approved_by <> proposed_by AND approved_by <> physician_id))
);
CREATE UNIQUE INDEX physician_assignments_active_key ON hr.physician_assignments (employer_id) WHERE status = 'active';
CREATE INDEX physician_assignments_physician_idx ON hr.physician_assignments (physician_id) WHERE status = 'active';
-- Assignments are the service's own staffing, read when a session is
-- resolved (before any tenant scope is known), so they carry no tenant
-- policy; no employer-side route reads them.

-- A substitution period: while it runs (dates inclusive, Europe/Amsterdam),
-- the substitute acts as the responsible physician for the absent one's
-- dossiers. Two keys: proposed by an admin or lead physician, approved by
-- another lead physician who is not the substitute.
CREATE TABLE hr.substitutions (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    absent_physician_id uuid NOT NULL REFERENCES hr.users (id),
    substitute_id       uuid NOT NULL REFERENCES hr.users (id),
    starts_on           date NOT NULL,
    ends_on             date NOT NULL,
    status              text NOT NULL DEFAULT 'proposed',
    proposed_by         uuid NOT NULL REFERENCES hr.users (id),
    approved_by         uuid REFERENCES hr.users (id),
    created_at          timestamptz NOT NULL DEFAULT now(),
    decided_at          timestamptz,
    CONSTRAINT substitutions_period_check CHECK (ends_on >= starts_on AND ends_on - starts_on <= 366),
    CONSTRAINT substitutions_not_self_check CHECK (absent_physician_id <> substitute_id),
    CONSTRAINT substitutions_status_check CHECK (status IN ('proposed', 'active', 'cancelled')),
    CONSTRAINT substitutions_two_keys_check CHECK (
        approved_by IS NULL OR (approved_by <> proposed_by AND approved_by <> substitute_id))
);
CREATE INDEX substitutions_substitute_idx ON hr.substitutions (substitute_id, ends_on) WHERE status = 'active';

-- Statements renewed after the grant: proposed by an admin, approved by a
-- lead physician. Statements recorded with the assistant's grant take effect
-- with the grant (status active).
ALTER TABLE hr.confidentiality_statements
    ADD COLUMN status text NOT NULL DEFAULT 'active',
    ADD COLUMN approved_by uuid REFERENCES hr.users (id),
    ADD COLUMN decided_at timestamptz,
    ALTER COLUMN grant_id DROP NOT NULL,
    ADD CONSTRAINT confidentiality_statements_status_check CHECK (status IN ('proposed', 'active')),
    ADD CONSTRAINT confidentiality_statements_two_keys_check CHECK (
        approved_by IS NULL OR (approved_by <> recorded_by AND approved_by <> assistant_user_id));

GRANT SELECT, INSERT, UPDATE, DELETE ON hr.employees, hr.physician_assignments, hr.substitutions TO arbokluis_hr;

-- Emergency access: a lead physician opens a dossier they are not
-- responsible for, with a reason (Vault ciphertext, key "pii", associated
-- data the access id), for a limited time.
CREATE TABLE medical.emergency_accesses (
    id                uuid PRIMARY KEY,
    dossier_id        uuid NOT NULL REFERENCES medical.dossiers (id) ON DELETE CASCADE,
    physician_id      uuid NOT NULL,
    reason_ciphertext text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    expires_at        timestamptz NOT NULL,
    CONSTRAINT emergency_accesses_period_check CHECK (expires_at > created_at),
    CONSTRAINT emergency_accesses_reason_check CHECK (reason_ciphertext ~ '^vault:v[0-9]+:')
);
CREATE INDEX emergency_accesses_lookup_idx ON medical.emergency_accesses (dossier_id, physician_id, expires_at);

GRANT SELECT, INSERT ON medical.emergency_accesses TO arbokluis_med;
