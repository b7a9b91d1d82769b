package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/notify"
)

var (
	_ identity.InvitationStore = (*IdentityStore)(nil)
	_ notify.Store             = (*IdentityStore)(nil)
)

// EmployerMailDomains returns the employer's own mail domains. The
// inviter has been authorised for this employer (identity.mayInvite), so
// the transaction is scoped to it alone.
func (s *IdentityStore) EmployerMailDomains(ctx context.Context, employerID uuid.UUID) ([]string, error) {
	var domains []string
	err := InScope(ctx, s.pool, access.Scope{Employers: []uuid.UUID{employerID}}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT mail_domains FROM hr.employers WHERE id = $1`, employerID).Scan(&domains)
	})
	if err != nil {
		return nil, Translate(err)
	}
	return domains, nil
}

// CreateInvitation stores the invited user (or reuses one still invited),
// the grant and the link, ending earlier links of that user.
func (s *IdentityStore) CreateInvitation(ctx context.Context, inv identity.NewInvitation) (uuid.UUID, error) {
	userID := inv.UserID
	err := InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var status string
		err := tx.QueryRow(ctx, `SELECT id, status FROM hr.users WHERE email = $1 FOR UPDATE`, inv.Email).Scan(&userID, &status)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			userID = inv.UserID
			if _, err := tx.Exec(ctx, `INSERT INTO hr.users (id, email, display_name, status) VALUES ($1, $2, $3, 'invited')`,
				userID, inv.Email, inv.DisplayName); err != nil {
				return Translate(err)
			}
		case err != nil:
			return Translate(err)
		case status != "invited":
			return fmt.Errorf("postgres: the address has an account: %w", derrors.ErrConflict)
		default:
			if _, err := tx.Exec(ctx, `UPDATE hr.one_time_links SET used_at = now() WHERE user_id = $1 AND purpose = 'invitation' AND used_at IS NULL`, userID); err != nil {
				return Translate(err)
			}
		}
		if inv.EmployeeID != uuid.Nil {
			if err := linkEmployee(ctx, tx, inv.EmployeeID, inv.Grant.EmployerID, userID); err != nil {
				return err
			}
		}
		g := inv.Grant
		if _, err := tx.Exec(ctx, `
			INSERT INTO hr.role_grants (id, user_id, role, employer_id, status, proposed_by, decided_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT DO NOTHING`,
			g.ID, userID, string(g.Role), nullUUID(g.EmployerID), string(g.Status), nullUUID(g.ProposedBy), nullTime(g.DecidedAt)); err != nil {
			return Translate(err)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO hr.one_time_links (token_hash, id, user_id, purpose, created_by, expires_at, activation, activation_code_hmac)
			VALUES ($1, $2, $3, 'invitation', $4, $5, $6, $7)`,
			inv.TokenHash, inv.ID, userID, nullUUID(inv.CreatedBy), inv.ExpiresAt, nullString(string(inv.Activation)),
			nullString(inv.CodeHMAC)); err != nil {
			return Translate(err)
		}
		if err := insertMail(ctx, tx, inv.Mail, userID); err != nil {
			return err
		}
		ev := inv.Event
		ev.ObjectID = userID.String()
		return insertEvent(ctx, tx, ev)
	})
	return userID, err
}

// linkEmployee links the employee record employeeID of employerID to the
// login userID, within a transaction scoped to that employer alone. A
// record of another employer is derrors.ErrNotFound; a record linked to
// another login is derrors.ErrConflict, as is a login already linked to
// another record (employees_user_id_key).
func linkEmployee(ctx context.Context, tx pgx.Tx, employeeID, employerID, userID uuid.UUID) error {
	if _, err := tx.Exec(ctx, `SELECT set_config($1, $2, true)`, scopeSetting,
		scopeValue(access.Scope{Employers: []uuid.UUID{employerID}})); err != nil {
		return Translate(err)
	}
	var linked *uuid.UUID
	err := tx.QueryRow(ctx, `SELECT user_id FROM hr.employees WHERE id = $1 AND employer_id = $2 FOR UPDATE`,
		employeeID, employerID).Scan(&linked)
	switch {
	case err != nil:
		return Translate(err)
	case linked != nil && *linked == userID:
		return nil
	case linked != nil:
		return fmt.Errorf("postgres: the employee has a login already: %w", derrors.ErrConflict)
	}
	_, err = tx.Exec(ctx, `UPDATE hr.employees SET user_id = $1 WHERE id = $2 AND employer_id = $3`, userID, employeeID, employerID)
	return Translate(err)
}

// InvitedUser returns the invitation behind a working link: neither used
// (nor voided, which sets used_at too) nor expired, of a user still
// invited.
func (s *IdentityStore) InvitedUser(ctx context.Context, tokenHash []byte, now time.Time) (identity.PendingInvitation, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT l.id, u.id AS user_id, u.email, l.activation, l.activation_code_hmac,
			EXISTS (SELECT 1 FROM hr.role_grants g WHERE g.user_id = u.id AND g.role = 'employee' AND g.status <> 'revoked') AS employee
		FROM hr.one_time_links l JOIN hr.users u ON u.id = l.user_id
		WHERE l.token_hash = $1 AND l.purpose = 'invitation' AND l.used_at IS NULL AND l.expires_at > $2
		  AND u.status = 'invited'`,
		tokenHash, now)
	p, err := pgx.CollectOneRow(rows, scanAs[pendingInvitationRow])
	if err != nil {
		return identity.PendingInvitation{}, Translate(err)
	}
	return p, nil
}

// pendingInvitationRow is a working invitation link with its user.
type pendingInvitationRow struct {
	ID         uuid.UUID `db:"id"`
	UserID     uuid.UUID `db:"user_id"`
	Email      string    `db:"email"`
	Activation *string   `db:"activation"`
	CodeHMAC   *string   `db:"activation_code_hmac"`
	Employee   bool      `db:"employee"`
}

func (r pendingInvitationRow) domain() identity.PendingInvitation {
	return identity.PendingInvitation{ID: r.ID, UserID: r.UserID, Email: r.Email, Employee: r.Employee,
		Activation: identity.Activation(deref(r.Activation)), CodeHMAC: deref(r.CodeHMAC)}
}

// ReserveActivationAttempt counts an attempt with a code on a working
// invitation that has attempts left, in one statement, so that concurrent
// attempts never exceed max.
func (s *IdentityStore) ReserveActivationAttempt(ctx context.Context, id uuid.UUID, max int, now time.Time) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `
		UPDATE hr.one_time_links SET activation_attempts = activation_attempts + 1
		WHERE id = $1 AND purpose = 'invitation' AND used_at IS NULL AND expires_at > $2 AND activation_attempts < $3
		RETURNING activation_attempts`, id, now, max).Scan(&n)
	if err != nil {
		return 0, Translate(err)
	}
	return n, nil
}

// RejectActivationCode writes the event of a wrong code and, for the last
// attempt, voids the invitation.
func (s *IdentityStore) RejectActivationCode(ctx context.Context, f identity.ActivationFailure) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if f.Void {
			if _, err := tx.Exec(ctx, `
				UPDATE hr.one_time_links SET used_at = $2, revoked_at = $2
				WHERE id = $1 AND purpose = 'invitation' AND used_at IS NULL`, f.InvitationID, f.Now); err != nil {
				return Translate(err)
			}
		}
		return insertEvent(ctx, tx, f.Event)
	})
}

// IssuedInvitation returns the invitation id that issuer created, with the
// employer and employee record of its employee grant.
func (s *IdentityStore) IssuedInvitation(ctx context.Context, id, issuer uuid.UUID, now time.Time) (identity.IssuedInvitation, error) {
	var inv identity.IssuedInvitation
	err := InTx(ctx, s.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `
			SELECT l.id, l.user_id, l.activation, l.activation_code_hmac IS NOT NULL AS has_code,
				l.used_at IS NULL AND l.expires_at > $3 AND u.status = 'invited' AS pending, l.expires_at,
				(SELECT g.employer_id FROM hr.role_grants g
				 WHERE g.user_id = l.user_id AND g.role = 'employee' AND g.status <> 'revoked' ORDER BY g.created_at LIMIT 1) AS employer_id
			FROM hr.one_time_links l JOIN hr.users u ON u.id = l.user_id
			WHERE l.id = $1 AND l.created_by = $2 AND l.purpose = 'invitation'`,
			id, issuer, now)
		r, err := pgx.CollectOneRow(rows, pgx.RowToStructByName[issuedInvitationRow])
		if err != nil {
			return Translate(err)
		}
		inv = identity.IssuedInvitation{ID: r.ID, UserID: r.UserID, Activation: identity.Activation(deref(r.Activation)),
			HasCode: r.HasCode, Pending: r.Pending, ExpiresAt: r.ExpiresAt}
		if r.EmployerID == nil {
			return nil
		}
		inv.EmployerID = *r.EmployerID
		// The employee record is tenant data: read under that tenant alone.
		if _, err := tx.Exec(ctx, `SELECT set_config($1, $2, true)`, scopeSetting,
			scopeValue(access.Scope{Employers: []uuid.UUID{inv.EmployerID}})); err != nil {
			return Translate(err)
		}
		err = tx.QueryRow(ctx, `SELECT id FROM hr.employees WHERE user_id = $1 AND employer_id = $2`,
			inv.UserID, inv.EmployerID).Scan(&inv.EmployeeID)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return Translate(err)
	})
	if err != nil {
		return identity.IssuedInvitation{}, err
	}
	return inv, nil
}

// issuedInvitationRow is an invitation link as its issuer sees it, with
// the employer of its employee grant.
type issuedInvitationRow struct {
	ID         uuid.UUID  `db:"id"`
	UserID     uuid.UUID  `db:"user_id"`
	Activation *string    `db:"activation"`
	HasCode    bool       `db:"has_code"`
	Pending    bool       `db:"pending"`
	ExpiresAt  time.Time  `db:"expires_at"`
	EmployerID *uuid.UUID `db:"employer_id"`
}

// SetActivationCode stores the keyed hash of a letter's code, once, on a
// working letter invitation of issuer, with the event.
func (s *IdentityStore) SetActivationCode(ctx context.Context, id, issuer uuid.UUID, codeHMAC string, now time.Time, event audit.Event) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE hr.one_time_links SET activation_code_hmac = $3
			WHERE id = $1 AND created_by = $2 AND purpose = 'invitation' AND activation = 'letter'
			  AND activation_code_hmac IS NULL AND used_at IS NULL AND expires_at > $4`, id, issuer, codeHMAC, now)
		if err != nil {
			return Translate(err)
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("postgres: no letter invitation without a code: %w", derrors.ErrConflict)
		}
		return insertEvent(ctx, tx, event)
	})
}

// employeeLoginRow is an employee record for issuing its login.
type employeeLoginRow struct {
	ID             uuid.UUID `db:"id"`
	EmployerID     uuid.UUID `db:"employer_id"`
	EmployerName   string    `db:"employer_name"`
	EmployeeNumber string    `db:"employee_number"`
	FirstName      string    `db:"first_name"`
	LastName       string    `db:"last_name"`
	HasLogin       bool      `db:"has_login"`
}

// EmployeeForLogin loads the employee record id, asks authorize for the
// read event and writes it before returning the record. The record is
// looked up service-wide (who may issue a login for it depends on its
// employer, which authorize decides).
func (s *IdentityStore) EmployeeForLogin(ctx context.Context, id uuid.UUID, authorize func(identity.EmployeeRecord) (audit.Event, error)) (identity.EmployeeRecord, error) {
	var out identity.EmployeeRecord
	err := InScope(ctx, s.pool, access.Scope{All: true}, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `
			SELECT e.id, e.employer_id, r.name AS employer_name, e.employee_number, e.first_name, e.last_name,
				e.user_id IS NOT NULL AS has_login
			FROM hr.employees e JOIN hr.employers r ON r.id = e.employer_id WHERE e.id = $1`, id)
		r, err := pgx.CollectOneRow(rows, pgx.RowToStructByName[employeeLoginRow])
		if err != nil {
			return Translate(err)
		}
		rec := identity.EmployeeRecord(r)
		ev, err := authorize(rec)
		if err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		out = rec
		return nil
	})
	if err != nil {
		return identity.EmployeeRecord{}, err
	}
	return out, nil
}

// AssignedEmployersOf returns the employers whose active assigned
// physician is one of physicians. Assignments are the service's own
// staffing and carry no tenant row security.
func (s *IdentityStore) AssignedEmployersOf(ctx context.Context, physicians []uuid.UUID) ([]uuid.UUID, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT DISTINCT employer_id FROM hr.physician_assignments WHERE physician_id = ANY ($1) AND status = 'active'`, physicians)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return nil, Translate(err)
	}
	return ids, nil
}

// AcceptInvitation uses the link once, sets the credentials, activates the
// user and puts the first notification in the inbox, with its event.
func (s *IdentityStore) AcceptInvitation(ctx context.Context, a identity.AcceptedInvitation) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE hr.one_time_links SET used_at = $3
			WHERE token_hash = $1 AND user_id = $2 AND purpose = 'invitation' AND used_at IS NULL AND expires_at > $3`,
			a.TokenHash, a.UserID, a.Now)
		if err != nil {
			return Translate(err)
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("postgres: invitation link no longer works: %w", derrors.ErrNotFound)
		}
		tag, err = tx.Exec(ctx, `
			UPDATE hr.users SET status = 'active', password_hash = $2, totp_secret_ciphertext = $3,
				totp_last_step = 0, updated_at = $4
			WHERE id = $1 AND status = 'invited'`, a.UserID, a.Secrets.PasswordHash, a.Secrets.TOTPCiphertext, a.Now)
		if err != nil {
			return Translate(err)
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("postgres: user is no longer invited: %w", derrors.ErrNotFound)
		}
		if err := replaceRecoveryCodes(ctx, tx, a.UserID, a.Secrets.RecoveryHashes); err != nil {
			return err
		}
		if err := insertNotice(ctx, tx, a.UserID, a.Notice); err != nil {
			return err
		}
		return insertEvent(ctx, tx, a.Event)
	})
}

// notificationRow is hr.notifications as read.
type notificationRow struct {
	ID        uuid.UUID `db:"id"`
	Kind      string    `db:"kind"`
	Subject   string    `db:"subject"`
	Body      string    `db:"body"`
	CreatedAt time.Time `db:"created_at"`
	Read      bool      `db:"read"`
}

func (r notificationRow) domain() notify.Notification {
	return notify.Notification{ID: r.ID, Kind: r.Kind, Subject: r.Subject, Body: r.Body, CreatedAt: r.CreatedAt, Read: r.Read}
}

// Notifications returns the user's newest notifications.
func (s *IdentityStore) Notifications(ctx context.Context, userID uuid.UUID, limit int) ([]notify.Notification, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT id, kind, subject, body, created_at, read_at IS NOT NULL AS read
		FROM hr.notifications WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT $2`, userID, limit)
	out, err := collect[notificationRow](rows)
	if err != nil {
		return nil, Translate(err)
	}
	return out, nil
}

var _ identity.ResetStore = (*IdentityStore)(nil)

// RequestReset stores the reset link and queues its mail when r.Email
// belongs to an active user, ending the user's earlier links, in one
// statement; then it writes the event. Both paths make the same two
// statements in one transaction that writes, so the time they take does
// not tell whether the address has an account.
func (s *IdentityStore) RequestReset(ctx context.Context, r identity.ResetRequest) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var userID *uuid.UUID
		err := tx.QueryRow(ctx, `
			WITH u AS (
				SELECT id FROM hr.users WHERE email = $1 AND status = 'active'
			), ended AS (
				UPDATE hr.one_time_links SET used_at = now()
				WHERE user_id IN (SELECT id FROM u) AND purpose = 'password_reset' AND used_at IS NULL
			), link AS (
				INSERT INTO hr.one_time_links (token_hash, user_id, purpose, expires_at)
				SELECT $2, id, 'password_reset', $3 FROM u
			), mail AS (
				INSERT INTO hr.mail_outbox (id, user_id, subject, body_ciphertext)
				SELECT $4, id, $5, $6 FROM u
			)
			SELECT (SELECT id FROM u)`,
			r.Email, r.TokenHash, r.ExpiresAt, r.Mail.ID, r.Mail.Subject, r.Mail.Sealed).Scan(&userID)
		if err != nil {
			return Translate(err)
		}
		ev := r.Event
		if userID != nil {
			ev.ActorUserID, ev.ObjectID = *userID, userID.String()
		} else {
			ev.Outcome = audit.OutcomeDenied
		}
		return insertEvent(ctx, tx, ev)
	})
}

// ResetLinkWorks reports whether the reset link works: a read of one row,
// before any password is hashed.
func (s *IdentityStore) ResetLinkWorks(ctx context.Context, tokenHash []byte, now time.Time) error {
	var ok bool
	err := s.pool.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM hr.one_time_links l JOIN hr.users u ON u.id = l.user_id
			WHERE l.token_hash = $1 AND l.purpose = 'password_reset' AND l.used_at IS NULL AND l.expires_at > $2
			  AND u.status = 'active')`, tokenHash, now).Scan(&ok)
	if err != nil {
		return Translate(err)
	}
	if !ok {
		return fmt.Errorf("postgres: reset link does not work: %w", derrors.ErrNotFound)
	}
	return nil
}

// ResetPassword uses the link once, sets the password, ends the sessions and
// notifies the user, with the event.
func (s *IdentityStore) ResetPassword(ctx context.Context, r identity.PasswordReset) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var userID uuid.UUID
		err := tx.QueryRow(ctx, `
			UPDATE hr.one_time_links l SET used_at = $2
			FROM hr.users u
			WHERE l.token_hash = $1 AND l.purpose = 'password_reset' AND l.used_at IS NULL AND l.expires_at > $2
			  AND u.id = l.user_id AND u.status = 'active'
			RETURNING l.user_id`, r.TokenHash, r.Now).Scan(&userID)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("postgres: reset link no longer works: %w", derrors.ErrNotFound)
		}
		if err != nil {
			return Translate(err)
		}
		if _, err := tx.Exec(ctx, `UPDATE hr.users SET password_hash = $2, updated_at = $3 WHERE id = $1`,
			userID, r.PasswordHash, r.Now); err != nil {
			return Translate(err)
		}
		if err := revokeSessions(ctx, tx, userID, r.Now); err != nil {
			return err
		}
		if err := insertNotice(ctx, tx, userID, r.Notice); err != nil {
			return err
		}
		ev := r.Event
		ev.ActorUserID, ev.ObjectID = userID, userID.String()
		return insertEvent(ctx, tx, ev)
	})
}
