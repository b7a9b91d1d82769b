-- The audit trail (NEN 7513). Services write an event into audit.outbox in the
-- same transaction as the change they audit; the appender (role
-- arbokluis_audit) moves events into audit.events with a gapless seq and a
-- hash chain. No medical content and no request bodies are ever stored here.

CREATE TABLE audit.outbox (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_user_id       uuid,
    actor_role          text,
    on_behalf_of        uuid,
    subject_employee_id uuid,
    tenant_id           uuid,
    action              text NOT NULL,
    object_kind         text NOT NULL,
    object_id           text,
    outcome             text NOT NULL,
    request_id          text,
    client_ip           inet,
    CONSTRAINT outbox_action_check CHECK (action IN (
        'create', 'read', 'update', 'delete', 'search', 'export', 'print',
        'release', 'destroy', 'login', 'logout', 'emergency_access', 'grant')),
    CONSTRAINT outbox_outcome_check CHECK (outcome IN ('ok', 'denied', 'error')),
    CONSTRAINT outbox_object_kind_check CHECK (object_kind ~ '^[a-z_]{1,64}$'),
    CONSTRAINT outbox_object_id_check CHECK (length(object_id) <= 128),
    CONSTRAINT outbox_request_id_check CHECK (length(request_id) <= 64)
);

CREATE TABLE audit.events (
    seq                 bigint PRIMARY KEY,
    occurred_at         timestamptz NOT NULL,
    actor_user_id       uuid,
    actor_role          text,
    on_behalf_of        uuid,
    subject_employee_id uuid,
    tenant_id           uuid,
    action              text NOT NULL,
    object_kind         text NOT NULL,
    object_id           text,
    outcome             text NOT NULL,
    request_id          text,
    client_ip           inet,
    appended_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    prev_hash           bytea NOT NULL,
    hash                bytea NOT NULL,
    CONSTRAINT events_seq_check CHECK (seq > 0),
    CONSTRAINT events_hash_length_check CHECK (length(hash) = 32 AND length(prev_hash) = 32)
);

CREATE INDEX events_subject_idx ON audit.events (subject_employee_id, occurred_at)
    WHERE subject_employee_id IS NOT NULL;
CREATE INDEX events_actor_idx ON audit.events (actor_user_id, occurred_at);

-- Events are append-only, for every role: the chain and the signed
-- checkpoints detect what a superuser could still do.
CREATE FUNCTION audit.forbid_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit.events is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER events_append_only
    BEFORE UPDATE OR DELETE ON audit.events
    FOR EACH ROW EXECUTE FUNCTION audit.forbid_change();
CREATE TRIGGER events_no_truncate
    BEFORE TRUNCATE ON audit.events
    FOR EACH STATEMENT EXECUTE FUNCTION audit.forbid_change();

GRANT INSERT ON audit.outbox TO arbokluis_hr, arbokluis_med;
GRANT SELECT, DELETE ON audit.outbox TO arbokluis_audit;
GRANT SELECT, INSERT ON audit.events TO arbokluis_audit;
