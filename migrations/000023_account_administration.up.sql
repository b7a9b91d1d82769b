-- Two keys on role grants, and the account administration an admin does:
-- block and unblock a user, revoke a grant, reset a lost second factor.
--
-- Proposer, approver and subject of a role grant are three different
-- people (as for assignments, substitutions and statements). Until now a
-- user holding both admin and lead_physician could propose a medical grant
-- and approve it alone. Such a live grant is revoked here, audited by ids
-- only (no actor: the migration acts); a revoked grant gives nothing, so the
-- check leaves revoked rows as they were recorded.
WITH one_key AS (
    UPDATE hr.role_grants SET status = 'revoked', decided_at = now()
    WHERE status <> 'revoked' AND approved_by IS NOT NULL AND approved_by = proposed_by
    RETURNING id, employer_id
)
INSERT INTO audit.outbox (tenant_id, action, object_kind, object_id, outcome, request_id)
SELECT employer_id, 'grant', 'role_grant', id::text, 'ok', 'migration-000023' FROM one_key;

ALTER TABLE hr.role_grants
    ADD CONSTRAINT role_grants_two_keys_check CHECK (
        status = 'revoked' OR approved_by IS NULL OR (approved_by <> proposed_by AND approved_by <> user_id));

-- An admin's action on an account. On a user with a medical role (or a
-- medical grant) it is a proposal that a lead physician, neither the
-- proposer nor the subject, approves; otherwise it is done at once.
--   kind        block, unblock, revoke_grant or second_factor_reset
--   grant_id    the grant a revoke_grant ends
--   activation  how the activation code of an employee's fresh enrolment
--               link reaches them (second_factor_reset of an employee)
CREATE TABLE hr.account_actions (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind        text NOT NULL,
    user_id     uuid NOT NULL REFERENCES hr.users (id) ON DELETE CASCADE,
    grant_id    uuid REFERENCES hr.role_grants (id) ON DELETE CASCADE,
    activation  text,
    status      text NOT NULL,
    proposed_by uuid NOT NULL REFERENCES hr.users (id),
    approved_by uuid REFERENCES hr.users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    decided_at  timestamptz,
    CONSTRAINT account_actions_kind_check CHECK (kind IN ('block', 'unblock', 'revoke_grant', 'second_factor_reset')),
    CONSTRAINT account_actions_grant_check CHECK ((kind = 'revoke_grant') = (grant_id IS NOT NULL)),
    CONSTRAINT account_actions_activation_check CHECK (
        activation IS NULL OR (activation IN ('in_person', 'letter') AND kind = 'second_factor_reset')),
    CONSTRAINT account_actions_status_check CHECK (status IN ('proposed', 'done')),
    CONSTRAINT account_actions_decided_check CHECK ((status = 'done') = (decided_at IS NOT NULL)),
    -- nobody acts on their own account.
    CONSTRAINT account_actions_not_self_check CHECK (proposed_by <> user_id),
    CONSTRAINT account_actions_two_keys_check CHECK (
        approved_by IS NULL OR (approved_by <> proposed_by AND approved_by <> user_id))
);
CREATE UNIQUE INDEX account_actions_proposed_key ON hr.account_actions
    (user_id, kind, coalesce(grant_id, '00000000-0000-0000-0000-000000000000'::uuid))
    WHERE status = 'proposed';

GRANT SELECT, INSERT, UPDATE ON hr.account_actions TO arbokluis_hr;

-- Off-boarding counts the dossiers a physician is responsible for.
CREATE INDEX dossiers_responsible_physician_idx ON medical.dossiers (responsible_physician_id)
    WHERE status <> 'destroyed';
