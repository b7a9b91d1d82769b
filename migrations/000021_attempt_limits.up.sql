-- Attempt counters for logins and password resets, one row per (scope, key)
-- in a fixed window: a login reserves an attempt on its account, its client
-- address and the service-wide counter in one transaction before any
-- password is hashed. Keys are hashes or addresses, never a typed address:
-- login_account and reset_address hold SHA-256 of the normalised email,
-- reset_link SHA-256 of the link token, login_client and reset_client the
-- client IP's bytes, login_total the constant 'all'. Rows whose window ended
-- are deleted by the sweep.
CREATE TABLE hr.auth_attempts (
    scope       text NOT NULL,
    key         bytea NOT NULL,
    attempts    integer NOT NULL,
    window_ends timestamptz NOT NULL,
    PRIMARY KEY (scope, key),
    CONSTRAINT auth_attempts_scope_check CHECK (scope IN
        ('login_account', 'login_client', 'login_total', 'reset_address', 'reset_client', 'reset_link')),
    CONSTRAINT auth_attempts_attempts_check CHECK (attempts >= 0)
);
CREATE INDEX auth_attempts_window_idx ON hr.auth_attempts (window_ends);
GRANT SELECT, INSERT, UPDATE, DELETE ON hr.auth_attempts TO arbokluis_hr;

-- Denied logins per (account, client IP) are audited in aggregate: the
-- first one of the pair at once, later ones counted in unaudited and audited
-- as one event carrying their count (on success, every 100, or when the
-- sweep removes the quiet row). user_id is the account's user when known.
ALTER TABLE hr.login_failures
    ADD COLUMN user_id uuid,
    ADD COLUMN unaudited integer NOT NULL DEFAULT 0,
    ADD CONSTRAINT login_failures_unaudited_check CHECK (unaudited >= 0),
    ADD CONSTRAINT login_failures_failures_check CHECK (failures >= 0);
CREATE INDEX login_failures_last_failure_idx ON hr.login_failures (last_failure_at);
