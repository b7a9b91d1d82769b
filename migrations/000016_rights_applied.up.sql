-- AVG rights applied to the HR record: requests filed by a representative
-- (with the signed, dated authorisation on record), the fields a
-- rectification is about, the outcome of an erasure or restriction (fixed
-- category names, dates and grounds: never data), and the record's
-- restriction and erasure marks.
ALTER TABLE hr.requests
    ADD COLUMN representative_name     text,
    ADD COLUMN authorisation_signed_on date,
    ADD COLUMN fields                  text[],
    ADD COLUMN outcome                 jsonb,
    ADD CONSTRAINT requests_representative_check
        CHECK ((representative_name IS NULL) = (authorisation_signed_on IS NULL)
               AND (representative_name IS NULL OR length(representative_name) BETWEEN 1 AND 200)),
    ADD CONSTRAINT requests_authorisation_check CHECK (authorisation_signed_on IS NULL OR authorisation_signed_on <= received_on),
    ADD CONSTRAINT requests_fields_check CHECK (fields IS NULL OR (type = 'rectification' AND cardinality(fields) BETWEEN 1 AND 8
        AND fields <@ ARRAY['first_name', 'last_name', 'date_of_birth', 'employment_start', 'employment_end', 'email',
                            'phone', 'bsn']::text[]));
GRANT UPDATE (outcome) ON hr.requests TO arbokluis_hr;
-- A privacy officer who registers a representative's request files nothing
-- of their own, and may decide it.
ALTER TABLE hr.requests DROP CONSTRAINT requests_not_self_check,
    ADD CONSTRAINT requests_not_self_check CHECK (decided_by IS NULL OR decided_by <> filed_by OR representative_name IS NOT NULL);

-- restricted_since: processing restricted (AVG art. 18) at the employee's
-- request; the record is then kept but not changed. erased_at: the record
-- was anonymised after its retention term; only the register and the audit
-- trail still refer to it.
ALTER TABLE hr.employees
    ADD COLUMN restricted_since timestamptz,
    ADD COLUMN erased_at        timestamptz;

-- Erasure removes case data whose retention term has passed.
GRANT DELETE ON hr.absences, hr.absence_changes, hr.absence_milestones_done, hr.absence_extensions, hr.plans,
    hr.evaluations, hr.contacts, hr.notes, hr.verdicts, hr.advices TO arbokluis_hr;
