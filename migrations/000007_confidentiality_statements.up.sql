-- A medical assistant works under derived medical secrecy only while a
-- signed, unexpired confidentiality statement naming the physician they act
-- for is on record. The statement is recorded with the assistant's grant.
CREATE TABLE hr.confidentiality_statements (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    grant_id          uuid NOT NULL REFERENCES hr.role_grants (id) ON DELETE CASCADE,
    assistant_user_id uuid NOT NULL REFERENCES hr.users (id) ON DELETE CASCADE,
    physician_user_id uuid NOT NULL REFERENCES hr.users (id),
    signed_on         date NOT NULL,
    expires_on        date NOT NULL,
    recorded_by       uuid REFERENCES hr.users (id),
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT confidentiality_statements_period_check CHECK (expires_on > signed_on),
    CONSTRAINT confidentiality_statements_not_self_check CHECK (assistant_user_id <> physician_user_id)
);
CREATE INDEX confidentiality_statements_assistant_idx ON hr.confidentiality_statements (assistant_user_id, expires_on);

GRANT SELECT, INSERT, UPDATE, DELETE ON hr.confidentiality_statements TO arbokluis_hr;
