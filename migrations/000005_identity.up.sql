-- Users, role grants, sessions and failed-login state. Passwords are argon2id
-- hashes; TOTP secrets are Vault transit ciphertexts (key "pii", associated
-- data the user id); session tokens are stored only as SHA-256 hashes.
CREATE TABLE hr.users (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email                  text NOT NULL,
    display_name           text NOT NULL,
    status                 text NOT NULL DEFAULT 'invited',
    password_hash          text,
    totp_secret_ciphertext text,
    totp_last_step         bigint NOT NULL DEFAULT 0,
    big_number             text,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_email_check CHECK (email = lower(email) AND email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
    CONSTRAINT users_display_name_check CHECK (length(display_name) BETWEEN 1 AND 200),
    CONSTRAINT users_status_check CHECK (status IN ('invited', 'active', 'blocked')),
    CONSTRAINT users_active_credentials_check CHECK (
        status <> 'active' OR (password_hash IS NOT NULL AND totp_secret_ciphertext IS NOT NULL)),
    CONSTRAINT users_big_number_check CHECK (big_number ~ '^[0-9]{11}$')
);

CREATE TABLE hr.role_grants (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES hr.users (id) ON DELETE CASCADE,
    role        text NOT NULL,
    employer_id uuid REFERENCES hr.employers (id),
    status      text NOT NULL DEFAULT 'active',
    proposed_by uuid REFERENCES hr.users (id),
    approved_by uuid REFERENCES hr.users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    decided_at  timestamptz,
    CONSTRAINT role_grants_role_check CHECK (role IN ('physician', 'lead_physician', 'medical_assistant',
        'case_manager', 'labour_expert', 'employer', 'employee', 'privacy_officer', 'admin')),
    CONSTRAINT role_grants_status_check CHECK (status IN ('proposed', 'active', 'revoked')),
    -- employer and employee users belong to exactly one tenant.
    CONSTRAINT role_grants_tenant_check CHECK (role NOT IN ('employer', 'employee') OR employer_id IS NOT NULL),
    -- nobody proposes or approves a grant for themselves.
    CONSTRAINT role_grants_not_self_check CHECK (
        (proposed_by IS NULL OR proposed_by <> user_id) AND (approved_by IS NULL OR approved_by <> user_id))
);
CREATE UNIQUE INDEX role_grants_live_key ON hr.role_grants
    (user_id, role, coalesce(employer_id, '00000000-0000-0000-0000-000000000000'::uuid))
    WHERE status <> 'revoked';

CREATE TABLE hr.sessions (
    token_hash   bytea PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES hr.users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    CONSTRAINT sessions_token_hash_check CHECK (length(token_hash) = 32)
);
CREATE INDEX sessions_user_idx ON hr.sessions (user_id);

-- Failed logins per (account, client IP). account_key is SHA-256 of the
-- normalised email, so attempts on unknown addresses are tracked the same way
-- without storing the address.
CREATE TABLE hr.login_failures (
    account_key     bytea NOT NULL,
    client_ip       inet NOT NULL,
    failures        integer NOT NULL,
    last_failure_at timestamptz NOT NULL,
    blocked_until   timestamptz,
    PRIMARY KEY (account_key, client_ip)
);

GRANT SELECT, INSERT, UPDATE, DELETE ON hr.users, hr.role_grants, hr.sessions, hr.login_failures TO arbokluis_hr;
