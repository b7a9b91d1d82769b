REVOKE DELETE ON hr.absences, hr.absence_changes, hr.absence_milestones_done, hr.absence_extensions, hr.plans,
    hr.evaluations, hr.contacts, hr.notes, hr.verdicts, hr.advices FROM arbokluis_hr;
ALTER TABLE hr.employees DROP COLUMN erased_at, DROP COLUMN restricted_since;
REVOKE UPDATE (outcome) ON hr.requests FROM arbokluis_hr;
ALTER TABLE hr.requests DROP CONSTRAINT requests_not_self_check,
    ADD CONSTRAINT requests_not_self_check CHECK (decided_by IS NULL OR decided_by <> filed_by);
ALTER TABLE hr.requests DROP CONSTRAINT requests_fields_check, DROP CONSTRAINT requests_authorisation_check,
    DROP CONSTRAINT requests_representative_check, DROP COLUMN outcome, DROP COLUMN fields,
    DROP COLUMN authorisation_signed_on, DROP COLUMN representative_name;
