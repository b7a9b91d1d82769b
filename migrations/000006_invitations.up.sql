-- One-time links (invitations) and the in-app notification inbox.
-- Link tokens are stored only as SHA-256 hashes; notification text never
-- holds a token or medical content.
CREATE TABLE hr.invitations (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES hr.users (id) ON DELETE CASCADE,
    created_by uuid REFERENCES hr.users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    CONSTRAINT invitations_token_hash_check CHECK (length(token_hash) = 32)
);
CREATE INDEX invitations_user_idx ON hr.invitations (user_id);

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

GRANT SELECT, INSERT, UPDATE, DELETE ON hr.invitations, hr.notifications TO arbokluis_hr;
