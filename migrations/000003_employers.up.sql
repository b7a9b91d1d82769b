-- Client employers are the tenants of the service.
CREATE TABLE hr.employers (
    id                         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name                       text NOT NULL,
    kvk_number                 text NOT NULL,
    share_advice_with_employer boolean NOT NULL DEFAULT false,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT employers_name_check CHECK (length(name) BETWEEN 1 AND 200),
    CONSTRAINT employers_kvk_number_check CHECK (kvk_number ~ '^[0-9]{8}$'),
    CONSTRAINT employers_kvk_number_key UNIQUE (kvk_number)
);

GRANT SELECT, INSERT, UPDATE, DELETE ON hr.employers TO arbokluis_hr;
