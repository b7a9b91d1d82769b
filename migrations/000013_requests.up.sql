-- The register of the employee's rights requests: metadata only (type,
-- dates, status, who decided, a fixed ground). Any medical content of a
-- request lives in the dossier as an encrypted entry.
CREATE TABLE hr.requests (
    id               uuid PRIMARY KEY,
    employer_id      uuid NOT NULL REFERENCES hr.employers (id),
    employee_id      uuid NOT NULL REFERENCES hr.employees (id),
    type             text NOT NULL,
    status           text NOT NULL DEFAULT 'received',
    received_on      date NOT NULL,
    due_on           date NOT NULL,
    extended_to      date,
    extension_reason text,
    filed_by         uuid NOT NULL REFERENCES hr.users (id),
    decided_by       uuid REFERENCES hr.users (id),
    decided_at       timestamptz,
    ground           text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT requests_type_check CHECK (type IN ('inspection', 'copy', 'correction', 'own_statement', 'destruction',
        'access', 'rectification', 'erasure', 'restriction', 'objection', 'portability')),
    CONSTRAINT requests_status_check CHECK (status IN ('received', 'in_review', 'granted', 'partly_granted', 'refused',
        'delivered', 'closed')),
    CONSTRAINT requests_own_statement_check CHECK (type <> 'own_statement' OR status NOT IN ('refused', 'partly_granted')),
    CONSTRAINT requests_due_check CHECK (due_on > received_on AND (extended_to IS NULL OR extended_to > due_on)),
    CONSTRAINT requests_extension_check CHECK ((extended_to IS NULL) = (extension_reason IS NULL)),
    CONSTRAINT requests_ground_check CHECK ((status IN ('refused', 'partly_granted')) <= (ground IS NOT NULL)),
    CONSTRAINT requests_not_self_check CHECK (decided_by IS NULL OR decided_by <> filed_by)
);
CREATE INDEX requests_employee_idx ON hr.requests (employee_id, received_on DESC);
CREATE INDEX requests_open_idx ON hr.requests (coalesce(extended_to, due_on), id)
    WHERE status IN ('received', 'in_review', 'granted', 'partly_granted');

ALTER TABLE hr.requests ENABLE ROW LEVEL SECURITY;
CREATE POLICY requests_tenant ON hr.requests TO arbokluis_hr
    USING ((SELECT hr.scope_all()) OR employer_id = ANY ((SELECT hr.scope_ids())::uuid[]))
    WITH CHECK ((SELECT hr.scope_all()) OR employer_id = ANY ((SELECT hr.scope_ids())::uuid[]));

GRANT SELECT, INSERT ON hr.requests TO arbokluis_hr;
GRANT UPDATE (status, extended_to, extension_reason, decided_by, decided_at, ground, updated_at) ON hr.requests TO arbokluis_hr;
