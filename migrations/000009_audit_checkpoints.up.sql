-- Signed checkpoints of the audit chain: every N events and at least
-- hourly, the appender signs (seq, hash) with the Vault transit key
-- audit-checkpoint (ed25519). A chain rewritten consistently — even by the
-- database owner — no longer matches the signed hash.
CREATE TABLE audit.checkpoints (
    seq        bigint PRIMARY KEY,
    hash       bytea NOT NULL,
    signature  text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT checkpoints_hash_length_check CHECK (length(hash) = 32),
    CONSTRAINT checkpoints_signature_check CHECK (signature ~ '^vault:v[0-9]+:[A-Za-z0-9+/=]+$')
);

CREATE TRIGGER checkpoints_append_only
    BEFORE UPDATE OR DELETE ON audit.checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit.forbid_change();
CREATE TRIGGER checkpoints_no_truncate
    BEFORE TRUNCATE ON audit.checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit.forbid_change();

CREATE INDEX outbox_occurred_idx ON audit.outbox (occurred_at);

GRANT SELECT, INSERT ON audit.checkpoints TO arbokluis_audit;
