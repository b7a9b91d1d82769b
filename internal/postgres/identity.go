package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/identity"
)

// IdentityStore keeps users, grants, sessions and login failures in schema
// hr, through the hr pool.
type IdentityStore struct {
	pool *pgxpool.Pool
}

var _ identity.Store = (*IdentityStore)(nil)

// NewIdentityStore returns an IdentityStore on the hr pool.
func NewIdentityStore(pool *pgxpool.Pool) *IdentityStore { return &IdentityStore{pool: pool} }

// Credentials returns the credentials of the active user with email.
func (s *IdentityStore) Credentials(ctx context.Context, email string) (identity.Credentials, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT id, password_hash, totp_secret_ciphertext, totp_last_step
		FROM hr.users WHERE email = $1 AND status = 'active'`, email)
	c, err := pgx.CollectOneRow(rows, scanAs[credentialsRow])
	if err != nil {
		return identity.Credentials{}, Translate(err)
	}
	return c, nil
}

// credentialsRow is what a login checks of hr.users.
type credentialsRow struct {
	ID             uuid.UUID `db:"id"`
	PasswordHash   string    `db:"password_hash"`
	TOTPCiphertext string    `db:"totp_secret_ciphertext"`
	TOTPLastStep   int64     `db:"totp_last_step"`
}

func (r credentialsRow) domain() identity.Credentials {
	return identity.Credentials{UserID: r.ID, PasswordHash: r.PasswordHash, TOTPCiphertext: r.TOTPCiphertext, TOTPLastStep: r.TOTPLastStep}
}

// ReserveLogin counts one attempt on each counter and reads the pair's
// back-off in one transaction. The counter rows are locked in the order
// given (account, client, total, as identity passes them) until commit, so
// parallel attempts on one account are counted one after another and at
// most the limit of them is allowed; a refused attempt is not counted and
// is recorded as denied on the pair instead.
func (s *IdentityStore) ReserveLogin(ctx context.Context, a identity.LoginAttempt) (time.Time, error) {
	var retry time.Time
	err := InTx(ctx, s.pool, func(tx pgx.Tx) error {
		states, err := countAttempts(ctx, tx, a.Counters, a.Now)
		if err != nil {
			return err
		}
		var blocked *time.Time
		err = tx.QueryRow(ctx, `
			SELECT blocked_until FROM hr.login_failures WHERE account_key = $1 AND client_ip = $2`,
			a.AccountKey, a.ClientIP).Scan(&blocked)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return Translate(err)
		}
		if retry = identity.RetryAt(a.Counters, states, deref(blocked), a.Now); retry.IsZero() {
			return nil
		}
		if err := giveBack(ctx, tx, a.Counters); err != nil {
			return err
		}
		return recordFailure(ctx, tx, identity.Failure{AccountKey: a.AccountKey, ClientIP: a.ClientIP, Now: a.Now, Event: a.Event})
	})
	return retry, err
}

// ReserveAttempt counts one attempt on each counter in one transaction,
// and undoes it when one of them is exhausted.
func (s *IdentityStore) ReserveAttempt(ctx context.Context, counters []identity.Counter, now time.Time) (time.Time, error) {
	var retry time.Time
	err := InTx(ctx, s.pool, func(tx pgx.Tx) error {
		states, err := countAttempts(ctx, tx, counters, now)
		if err != nil {
			return err
		}
		if retry = identity.RetryAt(counters, states, time.Time{}, now); retry.IsZero() {
			return nil
		}
		return giveBack(ctx, tx, counters)
	})
	return retry, err
}

// countAttempts adds one attempt to each counter, starting a new window
// where the last one ended, and returns the counters' states. The rows are
// inserted, and so locked, in the order of counters.
func countAttempts(ctx context.Context, tx pgx.Tx, counters []identity.Counter, now time.Time) ([]identity.CounterState, error) {
	scopes, keys, windows := make([]string, len(counters)), make([][]byte, len(counters)), make([]float64, len(counters))
	for i, c := range counters {
		scopes[i], keys[i], windows[i] = string(c.Scope), c.Key, c.Limit.Window.Seconds()
	}
	rows, _ := tx.Query(ctx, `
		INSERT INTO hr.auth_attempts AS t (scope, key, attempts, window_ends)
		SELECT c.s, c.k, 1, $3::timestamptz + make_interval(secs => c.w)
		FROM unnest($1::text[], $2::bytea[], $4::float8[]) WITH ORDINALITY AS c(s, k, w, n)
		ORDER BY c.n
		ON CONFLICT (scope, key) DO UPDATE SET
			attempts    = CASE WHEN t.window_ends <= $3 THEN 1 ELSE t.attempts + 1 END,
			window_ends = CASE WHEN t.window_ends <= $3 THEN EXCLUDED.window_ends ELSE t.window_ends END
		RETURNING scope, key, attempts, window_ends`, scopes, keys, now, windows)
	type stateRow struct {
		Scope      string    `db:"scope"`
		Key        []byte    `db:"key"`
		Attempts   int       `db:"attempts"`
		WindowEnds time.Time `db:"window_ends"`
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByName[stateRow])
	if err != nil {
		return nil, Translate(err)
	}
	states := make([]identity.CounterState, len(got))
	for i, r := range got {
		states[i] = identity.CounterState{Scope: identity.Scope(r.Scope), Key: r.Key, Attempts: r.Attempts, WindowEnds: r.WindowEnds}
	}
	return states, nil
}

// giveBack takes one attempt off each counter: the attempt was refused, or
// it succeeded. One statement per counter, in the order given, so a
// success locks the rows in the order a reservation does and the two never
// deadlock.
func giveBack(ctx context.Context, tx pgx.Tx, counters []identity.Counter) error {
	for _, c := range counters {
		if _, err := tx.Exec(ctx, `
			UPDATE hr.auth_attempts SET attempts = attempts - 1
			WHERE scope = $1 AND key = $2 AND attempts > 0`, string(c.Scope), c.Key); err != nil {
			return Translate(err)
		}
	}
	return nil
}

func counterKeys(counters []identity.Counter) ([]string, [][]byte) {
	scopes, keys := make([]string, len(counters)), make([][]byte, len(counters))
	for i, c := range counters {
		scopes[i], keys[i] = string(c.Scope), c.Key
	}
	return scopes, keys
}

// RecordFailure records a denied attempt on its pair with its audit event
// or its share of an aggregate one, atomically.
func (s *IdentityStore) RecordFailure(ctx context.Context, f identity.Failure) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error { return recordFailure(ctx, tx, f) })
}

// recordFailure counts a denied attempt on the pair in tx: the pair's first
// writes f.Event, every FailedLoginsAuditEvery-th after it one aggregate
// event for them; a counted failure sets the back-off.
func recordFailure(ctx context.Context, tx pgx.Tx, f identity.Failure) error {
	counted := 0
	if f.Counted {
		counted = 1
	}
	var (
		failures, unaudited int
		userID              *uuid.UUID
		inserted            bool
	)
	err := tx.QueryRow(ctx, `
		INSERT INTO hr.login_failures AS f (account_key, client_ip, failures, last_failure_at, user_id, unaudited)
		VALUES ($1, $2, $3, $4, $5, 0)
		ON CONFLICT (account_key, client_ip) DO UPDATE SET
			failures = f.failures + EXCLUDED.failures,
			last_failure_at = greatest(f.last_failure_at, EXCLUDED.last_failure_at),
			user_id = coalesce(EXCLUDED.user_id, f.user_id),
			unaudited = f.unaudited + 1
		RETURNING failures, unaudited, user_id, xmax = 0`,
		f.AccountKey, f.ClientIP, counted, f.Now, nullUUID(f.Event.ActorUserID)).Scan(&failures, &unaudited, &userID, &inserted)
	if err != nil {
		return Translate(err)
	}
	if d := f.Backoff.Delay(failures); f.Counted && d > 0 {
		if _, err := tx.Exec(ctx, `
			UPDATE hr.login_failures SET blocked_until = $3
			WHERE account_key = $1 AND client_ip = $2`, f.AccountKey, f.ClientIP, f.Now.Add(d)); err != nil {
			return Translate(err)
		}
	}
	switch {
	case inserted:
		return insertEvent(ctx, tx, f.Event)
	case unaudited >= identity.FailedLoginsAuditEvery:
		if _, err := tx.Exec(ctx, `
			UPDATE hr.login_failures SET unaudited = 0 WHERE account_key = $1 AND client_ip = $2`,
			f.AccountKey, f.ClientIP); err != nil {
			return Translate(err)
		}
		return insertEvent(ctx, tx, identity.AggregateEvent(deref(userID), f.ClientIP, unaudited))
	}
	return nil
}

// sweepBatch bounds the rows one sweep removes per table.
const sweepBatch = 5000

// SweepAttempts deletes the counters whose window ended and the quiet
// pairs, with the aggregate events of the pairs' unaudited attempts, in
// one transaction. Rows another transaction holds are skipped.
func (s *IdentityStore) SweepAttempts(ctx context.Context, now time.Time, quiet time.Duration) (int, error) {
	var removed int
	err := InTx(ctx, s.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `
			DELETE FROM hr.login_failures
			WHERE (account_key, client_ip) IN (
				SELECT account_key, client_ip FROM hr.login_failures
				WHERE last_failure_at <= $1::timestamptz - make_interval(secs => $2)
				  AND (blocked_until IS NULL OR blocked_until <= $1)
				LIMIT $3 FOR UPDATE SKIP LOCKED)
			RETURNING user_id, host(client_ip) AS client_ip, unaudited`, now, quiet.Seconds(), sweepBatch)
		type gone struct {
			UserID    *uuid.UUID `db:"user_id"`
			ClientIP  string     `db:"client_ip"`
			Unaudited int        `db:"unaudited"`
		}
		pairs, err := pgx.CollectRows(rows, pgx.RowToStructByName[gone])
		if err != nil {
			return Translate(err)
		}
		var events []audit.Event
		for _, p := range pairs {
			if p.Unaudited > 0 {
				ip, _ := netip.ParseAddr(p.ClientIP)
				events = append(events, identity.AggregateEvent(deref(p.UserID), ip, p.Unaudited))
			}
		}
		if len(events) > 0 {
			if err := insertEvents(ctx, tx, events); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, `
			DELETE FROM hr.auth_attempts
			WHERE (scope, key) IN (
				SELECT scope, key FROM hr.auth_attempts WHERE window_ends <= $1
				LIMIT $2 FOR UPDATE SKIP LOCKED)`, now, sweepBatch)
		if err != nil {
			return Translate(err)
		}
		removed = len(pairs) + int(tag.RowsAffected())
		return nil
	})
	return removed, err
}

// CompleteLogin consumes the TOTP step, forgets the pair's failures, and
// creates the session with its event, in one transaction.
func (s *IdentityStore) CompleteLogin(ctx context.Context, c identity.CompletedLogin) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var (
			tag pgconn.CommandTag
			err error
		)
		if c.RecoveryCodeHash != nil {
			tag, err = tx.Exec(ctx, `
				UPDATE hr.recovery_codes SET used_at = $3
				WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`, c.UserID, c.RecoveryCodeHash, c.Now)
		} else {
			tag, err = tx.Exec(ctx, `
				UPDATE hr.users SET totp_last_step = $2, updated_at = $3
				WHERE id = $1 AND status = 'active' AND totp_last_step < $2`, c.UserID, c.TOTPStep, c.Now)
		}
		if err != nil {
			return Translate(err)
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("postgres: second factor already used or unknown: %w", derrors.ErrConflict)
		}
		// The counters first, in the order a reservation locks them.
		if len(c.Forget) > 0 {
			scopes, keys := counterKeys(c.Forget)
			if _, err := tx.Exec(ctx, `
				DELETE FROM hr.auth_attempts WHERE (scope, key) IN (SELECT * FROM unnest($1::text[], $2::bytea[]))`,
				scopes, keys); err != nil {
				return Translate(err)
			}
		}
		if err := giveBack(ctx, tx, c.Refund); err != nil {
			return err
		}
		var unaudited int
		err = tx.QueryRow(ctx, `DELETE FROM hr.login_failures WHERE account_key = $1 AND client_ip = $2 RETURNING unaudited`,
			c.AccountKey, c.ClientIP).Scan(&unaudited)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return Translate(err)
		}
		if unaudited > 0 {
			if err := insertEvent(ctx, tx, identity.AggregateEvent(c.UserID, c.ClientIP, unaudited)); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO hr.sessions (token_hash, user_id, created_at, last_seen_at, expires_at)
			VALUES ($1, $2, $3, $3, $4)`, c.TokenHash, c.UserID, c.Now, c.ExpiresAt); err != nil {
			return Translate(err)
		}
		return insertEvent(ctx, tx, c.Event)
	})
}

// Authenticate resolves a live session to its principal and marks it seen.
// The user's status, grants, physician assignments, substitution periods
// and confidentiality statements are read on every call, so blocking a user,
// revoking a role or ending a statement takes effect on the next request.
func (s *IdentityStore) Authenticate(ctx context.Context, tokenHash []byte, now time.Time, idle time.Duration) (access.Principal, error) {
	// One round trip on the hot path: touch the session and read what the
	// caller may do, one row per grant or capacity.
	rows, _ := s.pool.Query(ctx, `
		WITH live AS (
			UPDATE hr.sessions s SET last_seen_at = $2
			FROM hr.users u
			WHERE s.token_hash = $1 AND u.id = s.user_id AND u.status = 'active'
			  AND s.revoked_at IS NULL AND s.expires_at > $2
			  AND s.last_seen_at > $2 - make_interval(secs => $3)
			RETURNING s.user_id)
		SELECT live.user_id, 'grant' AS kind, g.role, coalesce(g.employer_id, '00000000-0000-0000-0000-000000000000'::uuid) AS id
		FROM live JOIN hr.role_grants g ON g.user_id = live.user_id AND g.status = 'active'
		UNION ALL
		SELECT live.user_id, 'assigned', '', a.employer_id
		FROM live JOIN hr.physician_assignments a ON a.physician_id = live.user_id AND a.status = 'active'
		UNION ALL
		SELECT live.user_id, 'substitute', '', sub.absent_physician_id
		FROM live JOIN hr.substitutions sub ON sub.substitute_id = live.user_id AND sub.status = 'active'
			AND $4::date BETWEEN sub.starts_on AND sub.ends_on
		UNION ALL
		SELECT live.user_id, 'statement', '', c.physician_user_id
		FROM live JOIN hr.confidentiality_statements c ON c.assistant_user_id = live.user_id AND c.status = 'active'
			AND c.signed_on <= $4::date AND c.expires_on > $4::date
		WHERE (c.grant_id IS NULL OR EXISTS (
				SELECT 1 FROM hr.role_grants ag WHERE ag.id = c.grant_id AND ag.status = 'active'))
		  AND EXISTS (SELECT 1 FROM hr.role_grants pg JOIN hr.users pu ON pu.id = pg.user_id
				WHERE pg.user_id = c.physician_user_id AND pg.status = 'active' AND pu.status = 'active'
				  AND pg.role IN ('physician', 'lead_physician'))
		ORDER BY kind, role, id`, tokenHash, now, idle.Seconds(), access.Today(now))
	// One row per capacity: its kind, the role of a grant, and the
	// employer or physician it names.
	type capacity struct {
		UserID uuid.UUID `db:"user_id"`
		Kind   string    `db:"kind"`
		Role   string    `db:"role"`
		ID     uuid.UUID `db:"id"`
	}
	caps, err := pgx.CollectRows(rows, pgx.RowToStructByName[capacity])
	if err != nil {
		return access.Principal{}, Translate(err)
	}
	var p access.Principal
	for _, c := range caps {
		p.UserID = c.UserID
		switch c.Kind {
		case "grant":
			p.Grants = append(p.Grants, access.Grant{Role: access.Role(c.Role), EmployerID: c.ID})
		case "assigned":
			p.AssignedEmployers = append(p.AssignedEmployers, c.ID)
		case "substitute":
			p.Substitutes = append(p.Substitutes, c.ID)
		case "statement":
			p.ActsForPhysicians = append(p.ActsForPhysicians, c.ID)
		}
	}
	if len(p.Grants) == 0 {
		// No live session, or a user without an active role: the same answer.
		return access.Principal{}, fmt.Errorf("postgres: no live session with an active role: %w", derrors.ErrUnauthenticated)
	}
	return p, nil
}

// Logout revokes the session with its event.
func (s *IdentityStore) Logout(ctx context.Context, tokenHash []byte, now time.Time, event audit.Event) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE hr.sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL`,
			tokenHash, now)
		if err != nil {
			return Translate(err)
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("postgres: no live session: %w", derrors.ErrUnauthenticated)
		}
		return insertEvent(ctx, tx, event)
	})
}

// CreateUser stores an active user with one active grant and its event.
func (s *IdentityStore) CreateUser(ctx context.Context, u identity.NewUser) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO hr.users (id, email, display_name, status, password_hash, totp_secret_ciphertext, big_number)
			VALUES ($1, $2, $3, 'active', $4, $5, $6)`,
			u.ID, u.Email, u.DisplayName, u.Secrets.PasswordHash, u.Secrets.TOTPCiphertext, nullString(u.BIGNumber)); err != nil {
			return Translate(err)
		}
		if err := replaceRecoveryCodes(ctx, tx, u.ID, u.Secrets.RecoveryHashes); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO hr.role_grants (user_id, role, employer_id, status, decided_at)
			VALUES ($1, $2, $3, 'active', now())`, u.ID, string(u.Grant.Role), nullUUID(u.Grant.EmployerID)); err != nil {
			return Translate(err)
		}
		return insertEvent(ctx, tx, u.Event)
	})
}

// UserIDByEmail returns the id of the user with email.
func (s *IdentityStore) UserIDByEmail(ctx context.Context, email string) (uuid.UUID, error) {
	var id uuid.UUID
	if err := s.pool.QueryRow(ctx, `SELECT id FROM hr.users WHERE email = $1`, email).Scan(&id); err != nil {
		return uuid.Nil, Translate(err)
	}
	return id, nil
}

// SetCredentials replaces the user's credentials, resets the TOTP step and
// revokes every session of the user, with its event.
func (s *IdentityStore) SetCredentials(ctx context.Context, c identity.NewCredentials) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE hr.users SET password_hash = $2, totp_secret_ciphertext = $3, totp_last_step = 0, updated_at = now()
			WHERE id = $1`, c.UserID, c.Secrets.PasswordHash, c.Secrets.TOTPCiphertext)
		if err != nil {
			return Translate(err)
		}
		if tag.RowsAffected() != 1 {
			return derrors.ErrNotFound
		}
		if err := replaceRecoveryCodes(ctx, tx, c.UserID, c.Secrets.RecoveryHashes); err != nil {
			return err
		}
		if err := revokeSessions(ctx, tx, c.UserID, time.Now()); err != nil {
			return err
		}
		return insertEvent(ctx, tx, c.Event)
	})
}

var _ identity.GrantStore = (*IdentityStore)(nil)

// ProposeGrant stores a grant (and the user's BIG number when given) with
// its event.
func (s *IdentityStore) ProposeGrant(ctx context.Context, g identity.GrantRecord, bigNumber string, st *identity.Statement, event audit.Event) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE hr.users SET big_number = coalesce($2, big_number), updated_at = now() WHERE id = $1`,
			g.UserID, nullString(bigNumber))
		if err != nil {
			return Translate(err)
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("postgres: user %s: %w", g.UserID, derrors.ErrNotFound)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO hr.role_grants (id, user_id, role, employer_id, status, proposed_by, decided_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			g.ID, g.UserID, string(g.Role), nullUUID(g.EmployerID), string(g.Status), nullUUID(g.ProposedBy), nullTime(g.DecidedAt)); err != nil {
			return Translate(err)
		}
		if st != nil {
			tag, err := tx.Exec(ctx, `
				INSERT INTO hr.confidentiality_statements
					(grant_id, assistant_user_id, physician_user_id, signed_on, expires_on, recorded_by)
				SELECT $1, $2, $3, $4, $5, $6
				WHERE EXISTS (SELECT 1 FROM hr.role_grants r JOIN hr.users u ON u.id = r.user_id
					WHERE r.user_id = $3 AND r.status = 'active' AND u.status = 'active'
					  AND r.role IN ('physician', 'lead_physician'))`,
				g.ID, g.UserID, st.PhysicianID, st.SignedOn, st.ExpiresOn, nullUUID(g.ProposedBy))
			if err != nil {
				return Translate(err)
			}
			if tag.RowsAffected() != 1 {
				return derrors.FieldErrors{"statement.physician_id": "must name an active physician"}
			}
		}
		return insertEvent(ctx, tx, event)
	})
}

// Grant returns the grant with id.
func (s *IdentityStore) Grant(ctx context.Context, id uuid.UUID) (identity.GrantRecord, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT id, user_id, role, employer_id, status, proposed_by, approved_by, decided_at
		FROM hr.role_grants WHERE id = $1`, id)
	g, err := pgx.CollectOneRow(rows, scanAs[grantRow])
	if err != nil {
		return identity.GrantRecord{}, Translate(err)
	}
	return g, nil
}

// grantRow is hr.role_grants as read.
type grantRow struct {
	ID         uuid.UUID  `db:"id"`
	UserID     uuid.UUID  `db:"user_id"`
	Role       string     `db:"role"`
	EmployerID *uuid.UUID `db:"employer_id"`
	Status     string     `db:"status"`
	ProposedBy *uuid.UUID `db:"proposed_by"`
	ApprovedBy *uuid.UUID `db:"approved_by"`
	DecidedAt  *time.Time `db:"decided_at"`
}

func (r grantRow) domain() identity.GrantRecord {
	return identity.GrantRecord{ID: r.ID, UserID: r.UserID, Role: access.Role(r.Role), EmployerID: deref(r.EmployerID),
		Status: identity.GrantStatus(r.Status), ProposedBy: deref(r.ProposedBy), ApprovedBy: deref(r.ApprovedBy), DecidedAt: deref(r.DecidedAt)}
}

// ApproveGrant activates a proposed grant with its event. A violation of
// role_grants_two_keys_check (approver is the proposer or the subject) is
// derrors.ErrForbidden.
func (s *IdentityStore) ApproveGrant(ctx context.Context, id, approver uuid.UUID, at time.Time, event audit.Event) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE hr.role_grants SET status = 'active', approved_by = $2, decided_at = $3
			WHERE id = $1 AND status = 'proposed'`, id, approver, at)
		var ce *ConstraintError
		if err = Translate(err); errors.As(err, &ce) && ce.Constraint == "role_grants_two_keys_check" {
			return fmt.Errorf("postgres: grant %s: the approver proposed it or is its subject: %w", id, derrors.ErrForbidden)
		}
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("postgres: grant %s is not proposed: %w", id, derrors.ErrConflict)
		}
		return insertEvent(ctx, tx, event)
	})
}

// deref returns *p, or the zero value for a NULL column.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// replaceRecoveryCodes makes hashes the user's only recovery codes.
func replaceRecoveryCodes(ctx context.Context, tx pgx.Tx, userID uuid.UUID, hashes [][]byte) error {
	if _, err := tx.Exec(ctx, `DELETE FROM hr.recovery_codes WHERE user_id = $1`, userID); err != nil {
		return Translate(err)
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO hr.recovery_codes (user_id, code_hash) SELECT $1, unnest($2::bytea[])`, userID, hashes); err != nil {
		return Translate(err)
	}
	return nil
}

// revokeSessions ends every live session of the user.
func revokeSessions(ctx context.Context, tx pgx.Tx, userID uuid.UUID, at time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE hr.sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`, userID, at)
	return Translate(err)
}

// insertNotice puts a notification in the user's inbox.
func insertNotice(ctx context.Context, tx pgx.Tx, userID uuid.UUID, n identity.Notice) error {
	_, err := tx.Exec(ctx, `INSERT INTO hr.notifications (user_id, kind, subject, body) VALUES ($1, $2, $3, $4)`,
		userID, n.Kind, n.Subject, n.Body)
	return Translate(err)
}
