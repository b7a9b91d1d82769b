DROP TABLE hr.notes, hr.contacts, hr.evaluations, hr.plans, hr.milestones, hr.absence_extensions,
    hr.absence_milestones_done, hr.absence_changes, hr.absences;
DROP INDEX hr.employees_bsn_key;
ALTER TABLE hr.employees DROP CONSTRAINT employees_bsn_check, DROP COLUMN bsn_hash, DROP COLUMN bsn_ciphertext;
