-- Destruction on request (BW 7:455) by crypto-shredding. A destruction is a
-- resumable job: its state lives here, so that a crash between any two steps
-- is finished by a retry and nothing is half-deleted without the job
-- knowing. The row stays as the tombstone: who decided, when, on which
-- request, and what was destroyed as counts per kind; never content.

-- A dossier being destroyed as a whole is gone for readers and writers at
-- once; one being re-keyed for a partial destruction is still read but takes
-- no writes. A destroyed dossier stays as a tombstone; the employee may get
-- a new dossier later, so only one dossier that is not destroyed may exist
-- per employee.
ALTER TABLE medical.dossiers DROP CONSTRAINT dossiers_status_check,
    ADD CONSTRAINT dossiers_status_check CHECK (status IN ('open', 'closed', 'rekeying', 'destroying', 'destroyed')),
    DROP CONSTRAINT dossiers_employee_id_key;
CREATE UNIQUE INDEX dossiers_employee_id_key ON medical.dossiers (employee_id) WHERE status <> 'destroyed';

CREATE TABLE medical.destructions (
    id                uuid PRIMARY KEY,
    -- What the destruction answers: the employee's request in hr.requests,
    -- or a transfer's hand-over (medical.transfers), by value.
    origin            text NOT NULL,
    request_id        uuid NOT NULL,
    dossier_id        uuid NOT NULL REFERENCES medical.dossiers (id),
    employee_id       uuid NOT NULL,
    -- dossier: everything; entries: the chosen entries with every version,
    -- the own statements about them and their attachments.
    scope             text NOT NULL,
    entry_ids         uuid[] NOT NULL DEFAULT '{}',
    attachment_ids    uuid[] NOT NULL DEFAULT '{}',
    -- The key generations deleted in Vault, and for a partial destruction
    -- the generation the remaining content moves to.
    old_keys          text[] NOT NULL,
    new_key           text,
    prior_status      text NOT NULL,
    state             text NOT NULL DEFAULT 'pending',
    counts            jsonb NOT NULL,
    decided_by        uuid NOT NULL,
    decided_at        timestamptz NOT NULL,
    completed_at      timestamptz,
    backup_safe_after date,
    -- When the request the job answers was delivered to the employee (or,
    -- for a destruction after a transfer, when there was none to deliver).
    delivered_at      timestamptz,
    CONSTRAINT destructions_request_key UNIQUE (request_id),
    CONSTRAINT destructions_origin_check CHECK (origin IN ('request', 'transfer')),
    CONSTRAINT destructions_scope_check CHECK (scope IN ('dossier', 'entries')),
    CONSTRAINT destructions_state_check CHECK (state IN ('pending', 'keys_deleted', 'rekeyed', 'done')),
    CONSTRAINT destructions_done_check CHECK ((state = 'done') = (completed_at IS NOT NULL AND backup_safe_after IS NOT NULL)),
    CONSTRAINT destructions_new_key_check CHECK ((scope = 'entries') = (new_key IS NOT NULL)),
    CONSTRAINT destructions_prior_status_check CHECK (prior_status IN ('open', 'closed'))
);
CREATE INDEX destructions_unfinished_idx ON medical.destructions (decided_at) WHERE state <> 'done' OR delivered_at IS NULL;
CREATE INDEX destructions_dossier_idx ON medical.destructions (dossier_id) WHERE state <> 'done';
CREATE INDEX destructions_employee_idx ON medical.destructions (employee_id, decided_at DESC);

-- A refusal on the ground of someone else's substantial interest keeps its
-- written reason, encrypted (Vault key pii, bound to the request id): it may
-- speak of health.
CREATE TABLE medical.destruction_refusals (
    request_id        uuid PRIMARY KEY,
    dossier_id        uuid NOT NULL REFERENCES medical.dossiers (id),
    ground            text NOT NULL,
    reason_ciphertext text,
    decided_by        uuid NOT NULL,
    decided_at        timestamptz NOT NULL,
    CONSTRAINT destruction_refusals_ground_check CHECK (ground IN ('legal_retention_duty', 'substantial_interest_of_another')),
    CONSTRAINT destruction_refusals_reason_check CHECK (
        (ground = 'substantial_interest_of_another') = (reason_ciphertext IS NOT NULL)
        AND (reason_ciphertext IS NULL OR reason_ciphertext ~ '^vault:v[0-9]+:'))
);

GRANT SELECT, INSERT ON medical.destructions, medical.destruction_refusals TO arbokluis_med;
GRANT UPDATE (state, completed_at, backup_safe_after, delivered_at) ON medical.destructions TO arbokluis_med;
-- Destruction deletes the medical rows (crypto-shredding has made them
-- unreadable already); the release lists lose the destroyed entries.
GRANT DELETE ON medical.entries, medical.attachments, medical.exposures, medical.releases,
    medical.release_entries, medical.emergency_accesses, medical.destruction_refusals TO arbokluis_med;

-- A destruction request may name the entries to destroy (ids only: the
-- register holds no content); none means the whole dossier.
ALTER TABLE hr.requests ADD COLUMN entry_ids uuid[],
    ADD CONSTRAINT requests_entry_ids_check CHECK (entry_ids IS NULL OR (type = 'destruction' AND cardinality(entry_ids) BETWEEN 1 AND 200));
