-- What the company doctor tells the HR side: fitness verdicts and
-- examination outcomes (outcomes only, never why), and the work-ability
-- advice in non-medical terms. Tenant-owned, with the row-level security
-- of every hr table.

CREATE TABLE hr.verdicts (
    id                      uuid PRIMARY KEY,
    employer_id             uuid NOT NULL REFERENCES hr.employers (id),
    employee_id             uuid NOT NULL REFERENCES hr.employees (id),
    kind                    text NOT NULL,
    verdict                 text,
    work_ability_percentage integer,
    absence_id              uuid REFERENCES hr.absences (id),
    outcome                 text,
    employee_decision       text,
    decided_on              date NOT NULL,
    recorded_by             uuid NOT NULL REFERENCES hr.users (id),
    recorded_at             timestamptz NOT NULL DEFAULT now(),
    employee_decided_at     timestamptz,
    CONSTRAINT verdicts_kind_check CHECK (kind IN ('absence', 'examination')),
    CONSTRAINT verdicts_absence_check CHECK (kind <> 'absence' OR (
        verdict IN ('fit', 'unfit', 'partly_fit') AND outcome IS NULL AND employee_decision IS NULL
        AND (verdict = 'partly_fit') = (work_ability_percentage IS NOT NULL)
        AND (work_ability_percentage IS NULL OR work_ability_percentage BETWEEN 1 AND 99))),
    CONSTRAINT verdicts_examination_check CHECK (kind <> 'examination' OR (
        outcome IN ('approved', 'rejected') AND verdict IS NULL AND work_ability_percentage IS NULL
        AND absence_id IS NULL AND employee_decision IN ('pending', 'released', 'blocked')))
);
CREATE INDEX verdicts_employee_idx ON hr.verdicts (employee_id, decided_on DESC, recorded_at DESC);

CREATE TABLE hr.advices (
    id                      uuid PRIMARY KEY,
    employer_id             uuid NOT NULL REFERENCES hr.employers (id),
    employee_id             uuid NOT NULL REFERENCES hr.employees (id),
    absence_id              uuid REFERENCES hr.absences (id),
    limitations             text NOT NULL,
    possibilities           text NOT NULL,
    expected_duration_weeks integer NOT NULL DEFAULT 0,
    published_by            uuid NOT NULL REFERENCES hr.users (id),
    published_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT advices_duration_check CHECK (expected_duration_weeks BETWEEN 0 AND 104),
    CONSTRAINT advices_text_check CHECK (length(limitations) BETWEEN 1 AND 4000 AND length(possibilities) BETWEEN 1 AND 4000)
);
CREATE INDEX advices_employee_idx ON hr.advices (employee_id, published_at DESC);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['verdicts', 'advices'] LOOP
        EXECUTE format('ALTER TABLE hr.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON hr.%I TO arbokluis_hr
            USING ((SELECT hr.scope_all()) OR employer_id = ANY ((SELECT hr.scope_ids())::uuid[]))
            WITH CHECK ((SELECT hr.scope_all()) OR employer_id = ANY ((SELECT hr.scope_ids())::uuid[]))',
            t || '_tenant', t);
    END LOOP;
END $$;

GRANT SELECT, INSERT ON hr.verdicts, hr.advices TO arbokluis_hr;
GRANT UPDATE (employee_decision, employee_decided_at) ON hr.verdicts TO arbokluis_hr;
