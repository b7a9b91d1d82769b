DROP TABLE medical.emergency_accesses;
ALTER TABLE hr.confidentiality_statements
    DROP CONSTRAINT confidentiality_statements_two_keys_check,
    DROP CONSTRAINT confidentiality_statements_status_check,
    DROP COLUMN decided_at,
    DROP COLUMN approved_by,
    DROP COLUMN status;
DELETE FROM hr.confidentiality_statements WHERE grant_id IS NULL;
ALTER TABLE hr.confidentiality_statements ALTER COLUMN grant_id SET NOT NULL;
DROP TABLE hr.substitutions;
DROP TABLE hr.physician_assignments;
DROP TABLE hr.employees;
DROP POLICY employers_tenant ON hr.employers;
ALTER TABLE hr.employers DISABLE ROW LEVEL SECURITY;
DROP FUNCTION hr.scope_ids();
DROP FUNCTION hr.scope_all();
