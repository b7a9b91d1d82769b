DROP TABLE medical.exposures, medical.attachments, medical.entries;
DROP TRIGGER dossiers_key_name ON medical.dossiers;
DROP FUNCTION medical.dossier_key_name();
ALTER TABLE medical.dossiers DROP COLUMN key_ready_at, ALTER COLUMN key_name DROP NOT NULL;
