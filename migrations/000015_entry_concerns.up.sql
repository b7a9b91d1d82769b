-- An own statement (or another entry) may concern an earlier entry: the
-- employee's view stands beside the entry it disputes.
ALTER TABLE medical.entries ADD COLUMN concerns uuid REFERENCES medical.entries (id);
CREATE INDEX entries_concerns_idx ON medical.entries (concerns) WHERE concerns IS NOT NULL;

-- The register references a request's medical content (the employee's
-- statement) and the entry it concerns by id only.
ALTER TABLE hr.requests ADD COLUMN content_entry_id uuid, ADD COLUMN concerns_entry_id uuid;
