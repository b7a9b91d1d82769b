ALTER TABLE hr.requests DROP COLUMN entry_ids;
REVOKE DELETE ON medical.entries, medical.attachments, medical.exposures, medical.releases,
    medical.release_entries, medical.emergency_accesses FROM arbokluis_med;
DROP TABLE medical.destruction_refusals;
DROP TABLE medical.destructions;
DROP INDEX medical.dossiers_employee_id_key;
DELETE FROM medical.dossiers WHERE status = 'destroyed';
UPDATE medical.dossiers SET status = 'closed' WHERE status IN ('destroying', 'rekeying');
ALTER TABLE medical.dossiers DROP CONSTRAINT dossiers_status_check,
    ADD CONSTRAINT dossiers_status_check CHECK (status IN ('open', 'closed', 'destroyed')),
    ADD CONSTRAINT dossiers_employee_id_key UNIQUE (employee_id);
