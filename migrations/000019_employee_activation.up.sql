-- Employee logins: only arbodienst staff issue them, to an address the
-- employee gave them, and accepting one needs a one-time activation code
-- besides the mailed link (DESIGN §1). The code reaches the employee in
-- person or by a letter to the home address they gave staff; it is stored
-- only as a Vault transit HMAC (key "activation-code", bound to the
-- invitation id), never in plain text or as a plain hash.
--
--   id                   names an invitation in the API (the letter route)
--   activation           how the code reaches the employee; NULL for staff
--                        logins, which need no code
--   activation_code_hmac the code's HMAC ("vault:v<n>:…"); NULL until the
--                        code exists (a letter invitation gets it when the
--                        letter is made)
--   activation_attempts  attempts with a code so far; the last allowed one
--                        that fails voids the invitation
--   revoked_at           when the link was voided (too many wrong codes, or
--                        this migration) rather than used; used_at is set
--                        with it, so every "used_at IS NULL" test stays right
ALTER TABLE hr.one_time_links
    ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid(),
    ADD COLUMN activation text,
    ADD COLUMN activation_code_hmac text,
    ADD COLUMN activation_attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN revoked_at timestamptz,
    ADD CONSTRAINT one_time_links_id_key UNIQUE (id),
    ADD CONSTRAINT one_time_links_activation_check CHECK (
        activation IS NULL OR (activation IN ('in_person', 'letter') AND purpose = 'invitation')),
    ADD CONSTRAINT one_time_links_activation_code_check CHECK (
        activation_code_hmac IS NULL OR (activation IS NOT NULL AND activation_code_hmac ~ '^vault:v[0-9]+:.')),
    ADD CONSTRAINT one_time_links_activation_attempts_check CHECK (activation_attempts >= 0),
    ADD CONSTRAINT one_time_links_revoked_check CHECK (revoked_at IS NULL OR used_at IS NOT NULL);

-- Until now an employer user (and an admin) could create the employee login
-- of any employee of its tenant, to an address of its choosing, and whoever
-- accepted it owned that login. Every employee invitation not yet accepted
-- is revoked: none carries an activation code, so none could be accepted
-- any more, and those an employer or admin created are the ones that must
-- never be. Revoking ends the link, revokes the employee grant it came with
-- and unlinks the employee record from the never-activated login, so that
-- staff can issue the employee a login to the address the employee gives
-- them. Each revocation is audited by ids only (no actor: the migration
-- acts, as `arbokluis user add` does). A down migration does not undo it.
WITH pending AS (
    SELECT DISTINCT ON (l.token_hash)
        l.token_hash, l.user_id, g.id AS grant_id, g.employer_id, e.id AS employee_id
    FROM hr.one_time_links l
    JOIN hr.users u ON u.id = l.user_id AND u.status = 'invited'
    JOIN hr.role_grants g ON g.user_id = l.user_id AND g.role = 'employee' AND g.status <> 'revoked'
    LEFT JOIN hr.employees e ON e.user_id = l.user_id
    WHERE l.purpose = 'invitation' AND l.used_at IS NULL
    ORDER BY l.token_hash, g.created_at
), ended AS (
    UPDATE hr.one_time_links l SET used_at = now(), revoked_at = now()
    FROM pending p WHERE l.token_hash = p.token_hash
    RETURNING l.token_hash
), grants AS (
    UPDATE hr.role_grants g SET status = 'revoked', decided_at = now()
    FROM pending p WHERE g.user_id = p.user_id AND g.role = 'employee' AND g.status <> 'revoked'
    RETURNING g.id
), unlinked AS (
    UPDATE hr.employees e SET user_id = NULL, updated_at = now()
    FROM pending p WHERE e.id = p.employee_id
    RETURNING e.id
)
INSERT INTO audit.outbox (subject_employee_id, tenant_id, action, object_kind, object_id, outcome, request_id)
SELECT p.employee_id, p.employer_id, 'update', 'invitation', p.user_id::text, 'ok', 'migration-000019'
FROM pending p;
