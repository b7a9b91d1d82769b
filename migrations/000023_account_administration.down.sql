DROP INDEX medical.dossiers_responsible_physician_idx;
DROP TABLE hr.account_actions;
ALTER TABLE hr.role_grants DROP CONSTRAINT role_grants_two_keys_check;
