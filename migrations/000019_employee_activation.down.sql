-- The revocations of the up migration are not undone: a revoked employee
-- invitation stays revoked, and staff issue a new one.
ALTER TABLE hr.one_time_links
    DROP COLUMN revoked_at,
    DROP COLUMN activation_attempts,
    DROP COLUMN activation_code_hmac,
    DROP COLUMN activation,
    DROP COLUMN id;
