-- The medical dossier, one per employee. Only ids, status and times are
-- plaintext; content lives in encrypted entries. employee_id refers to
-- hr.employees by value only: there are no foreign keys across schemas.
CREATE TABLE medical.dossiers (
    id                       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    employee_id              uuid NOT NULL,
    responsible_physician_id uuid,
    key_name                 text,
    status                   text NOT NULL DEFAULT 'open',
    created_at               timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT dossiers_employee_id_key UNIQUE (employee_id),
    CONSTRAINT dossiers_key_name_key UNIQUE (key_name),
    CONSTRAINT dossiers_key_name_check CHECK (key_name ~ '^dossier-[0-9a-f-]{36}-g[1-9][0-9]*$'),
    CONSTRAINT dossiers_status_check CHECK (status IN ('open', 'closed', 'destroyed'))
);

GRANT SELECT, INSERT, UPDATE, DELETE ON medical.dossiers TO arbokluis_med;
