package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

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
	err := InScope(ctx, s.pool, identity.Scope{Employers: []uuid.UUID{employerID}}, func(tx pgx.Tx) error {
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
			INSERT INTO hr.one_time_links (token_hash, user_id, purpose, created_by, expires_at)
			VALUES ($1, $2, 'invitation', $3, $4)`,
			inv.TokenHash, userID, nullUUID(inv.CreatedBy), inv.ExpiresAt); err != nil {
			return Translate(err)
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
		scopeValue(identity.Scope{Employers: []uuid.UUID{employerID}})); err != nil {
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

// InvitedUser returns the user behind a working link.
func (s *IdentityStore) InvitedUser(ctx context.Context, tokenHash []byte, now time.Time) (uuid.UUID, string, error) {
	var (
		id    uuid.UUID
		email string
	)
	err := s.pool.QueryRow(ctx, `
		SELECT u.id, u.email FROM hr.one_time_links l JOIN hr.users u ON u.id = l.user_id
		WHERE l.token_hash = $1 AND l.purpose = 'invitation' AND l.used_at IS NULL AND l.expires_at > $2
		  AND u.status = 'invited'`,
		tokenHash, now).Scan(&id, &email)
	if err != nil {
		return uuid.Nil, "", Translate(err)
	}
	return id, email, nil
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
	ID                  uuid.UUID
	Kind, Subject, Body string
	CreatedAt           time.Time
	Read                bool
}

// Notifications returns the user's newest notifications.
func (s *IdentityStore) Notifications(ctx context.Context, userID uuid.UUID, limit int) ([]notify.Notification, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT id, kind, subject, body, created_at, read_at IS NOT NULL
		FROM hr.notifications WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT $2`, userID, limit)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[notificationRow])
	if err != nil {
		return nil, Translate(err)
	}
	out := make([]notify.Notification, len(list))
	for i, r := range list {
		out[i] = notify.Notification{ID: r.ID, Kind: r.Kind, Subject: r.Subject, Body: r.Body, CreatedAt: r.CreatedAt, Read: r.Read}
	}
	return out, nil
}

var _ identity.ResetStore = (*IdentityStore)(nil)

// ActiveUserID returns the id of the active user with email.
func (s *IdentityStore) ActiveUserID(ctx context.Context, email string) (uuid.UUID, error) {
	var id uuid.UUID
	if err := s.pool.QueryRow(ctx, `SELECT id FROM hr.users WHERE email = $1 AND status = 'active'`, email).Scan(&id); err != nil {
		return uuid.Nil, Translate(err)
	}
	return id, nil
}

// CreateResetLink stores a reset link and ends the user's earlier ones.
func (s *IdentityStore) CreateResetLink(ctx context.Context, userID uuid.UUID, tokenHash []byte, expiresAt time.Time, event audit.Event) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			UPDATE hr.one_time_links SET used_at = now()
			WHERE user_id = $1 AND purpose = 'password_reset' AND used_at IS NULL`, userID); err != nil {
			return Translate(err)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO hr.one_time_links (token_hash, user_id, purpose, expires_at) VALUES ($1, $2, 'password_reset', $3)`,
			tokenHash, userID, expiresAt); err != nil {
			return Translate(err)
		}
		return insertEvent(ctx, tx, event)
	})
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
