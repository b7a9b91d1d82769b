-- One-time links (invitations, password resets), recovery codes and the
-- in-app notification inbox. Link tokens and recovery codes are stored only
-- as SHA-256 hashes; notification text never holds a token or medical content.
CREATE TABLE hr.one_time_links (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES hr.users (id) ON DELETE CASCADE,
    purpose    text NOT NULL,
    created_by uuid REFERENCES hr.users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    CONSTRAINT one_time_links_token_hash_check CHECK (length(token_hash) = 32),
    CONSTRAINT one_time_links_purpose_check CHECK (purpose IN ('invitation', 'password_reset'))
);
CREATE INDEX one_time_links_user_idx ON hr.one_time_links (user_id, purpose);

CREATE TABLE hr.recovery_codes (
    user_id   uuid NOT NULL REFERENCES hr.users (id) ON DELETE CASCADE,
    code_hash bytea NOT NULL,
    used_at   timestamptz,
    PRIMARY KEY (user_id, code_hash),
    CONSTRAINT recovery_codes_code_hash_check CHECK (length(code_hash) = 32)
);

CREATE TABLE hr.notifications (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES hr.users (id) ON DELETE CASCADE,
    kind       text NOT NULL,
    subject    text NOT NULL,
    body       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at    timestamptz,
    CONSTRAINT notifications_kind_check CHECK (kind ~ '^[a-z_]{1,64}$')
);
CREATE INDEX notifications_user_idx ON hr.notifications (user_id, created_at);

-- Addresses at these domains belong to the employer; employees are invited
-- on a private address instead (the employer could read that mailbox).
ALTER TABLE hr.employers ADD COLUMN mail_domains text[] NOT NULL DEFAULT '{}';

GRANT SELECT, INSERT, UPDATE, DELETE ON hr.one_time_links, hr.recovery_codes, hr.notifications TO arbokluis_hr;
