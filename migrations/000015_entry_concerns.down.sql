ALTER TABLE hr.requests DROP COLUMN concerns_entry_id, DROP COLUMN content_entry_id;
ALTER TABLE medical.entries DROP COLUMN concerns;
