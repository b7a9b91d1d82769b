-- The mail outbox: invitation and password-reset mails are queued here in
-- the transaction that creates their one-time link, and a sender in every
-- serve process delivers them (at least once, with retries and back-off).
-- No request ever talks SMTP, so a reset request answers in the same time
-- whether or not the address has an account.
--
--   user_id          the recipient: the mail goes to the user's own address
--                    (hr.users.email), which is not copied here
--   subject          the subject line; never a secret
--   body_ciphertext  the body, which holds the one-time link: sealed with
--                    the Vault transit key "pii", bound to the mail id; the
--                    row is deleted once the mail is sent or given up
--   attempts         delivery attempts so far (counted when claimed)
--   next_attempt_at  when the mail is due; a sender that claims it moves
--                    this past its lease, so no other sender takes it
--                    meanwhile (claims use FOR UPDATE SKIP LOCKED)
CREATE TABLE hr.mail_outbox (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES hr.users (id) ON DELETE CASCADE,
    subject         text NOT NULL,
    body_ciphertext text NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT mail_outbox_subject_check CHECK (length(subject) BETWEEN 1 AND 200 AND subject !~ '[\r\n]'),
    CONSTRAINT mail_outbox_body_ciphertext_check CHECK (body_ciphertext ~ '^vault:v[0-9]+:.'),
    CONSTRAINT mail_outbox_attempts_check CHECK (attempts >= 0)
);
CREATE INDEX mail_outbox_due_idx ON hr.mail_outbox (next_attempt_at);
CREATE INDEX mail_outbox_user_idx ON hr.mail_outbox (user_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON hr.mail_outbox TO arbokluis_hr;
