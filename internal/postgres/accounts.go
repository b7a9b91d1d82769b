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
)

var _ identity.AccountStore = (*IdentityStore)(nil)

// userRow is hr.users as the account administration lists it.
type userRow struct {
	ID          uuid.UUID `db:"id"`
	Email       string    `db:"email"`
	DisplayName string    `db:"display_name"`
	Status      string    `db:"status"`
}

func (r userRow) domain() identity.UserSummary {
	return identity.UserSummary{ID: r.ID, Email: r.Email, DisplayName: r.DisplayName, Status: identity.UserStatus(r.Status)}
}

// grantColumns are the columns grantRow reads.
const grantColumns = `id, user_id, role, employer_id, status, proposed_by, approved_by, decided_at`

// Users returns a page of users by id with their grants, and writes the
// list read's event, naming the employee records linked to the listed
// logins, in the same transaction. The links are read service-wide (the
// administration spans every tenant) and only as ids.
func (s *IdentityStore) Users(ctx context.Context, after uuid.UUID, limit int, event func([]identity.UserSummary) audit.Event) ([]identity.UserSummary, error) {
	return s.SearchUsers(ctx, "", after, limit, event)
}

// SearchUsers is Users restricted to the users whose display name or
// address contains q (case-insensitive); an empty q restricts nothing.
func (s *IdentityStore) SearchUsers(ctx context.Context, q string, after uuid.UUID, limit int, event func([]identity.UserSummary) audit.Event) ([]identity.UserSummary, error) {
	var out []identity.UserSummary
	err := InScope(ctx, s.pool, access.Scope{All: true}, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT id, email, display_name, status FROM hr.users
			WHERE id > $1 AND ($3 = '' OR strpos(lower(display_name || ' ' || email), lower($3)) > 0)
			ORDER BY id LIMIT $2`, after, limit, q)
		users, err := collect[userRow](rows)
		if err != nil {
			return Translate(err)
		}
		ids := make([]uuid.UUID, len(users))
		at := make(map[uuid.UUID]int, len(users))
		for i, u := range users {
			ids[i], at[u.ID] = u.ID, i
		}
		rows, _ = tx.Query(ctx, `SELECT `+grantColumns+` FROM hr.role_grants WHERE user_id = ANY ($1) ORDER BY created_at, id`, ids)
		grants, err := collect[grantRow](rows)
		if err != nil {
			return Translate(err)
		}
		for _, g := range grants {
			users[at[g.UserID]].Grants = append(users[at[g.UserID]].Grants, g)
		}
		rows, _ = tx.Query(ctx, `SELECT id, user_id FROM hr.employees WHERE user_id = ANY ($1)`, ids)
		type link struct {
			ID     uuid.UUID `db:"id"`
			UserID uuid.UUID `db:"user_id"`
		}
		links, err := pgx.CollectRows(rows, pgx.RowToStructByName[link])
		if err != nil {
			return Translate(err)
		}
		for _, l := range links {
			users[at[l.UserID]].EmployeeID = l.ID
		}
		out = users
		return insertEvent(ctx, tx, event(users))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AccountSubject returns the user with their live grants.
func (s *IdentityStore) AccountSubject(ctx context.Context, userID uuid.UUID) (identity.AccountSubject, error) {
	var u identity.AccountSubject
	var status string
	if err := s.pool.QueryRow(ctx, `SELECT id, email, status FROM hr.users WHERE id = $1`, userID).Scan(&u.UserID, &u.Email, &status); err != nil {
		return identity.AccountSubject{}, Translate(err)
	}
	u.Status = identity.UserStatus(status)
	rows, _ := s.pool.Query(ctx, `SELECT `+grantColumns+` FROM hr.role_grants WHERE user_id = $1 AND status <> 'revoked' ORDER BY created_at, id`, userID)
	grants, err := collect[grantRow](rows)
	if err != nil {
		return identity.AccountSubject{}, Translate(err)
	}
	u.Grants = grants
	return u, nil
}

// ProposeAccountAction stores a proposed action with its event.
func (s *IdentityStore) ProposeAccountAction(ctx context.Context, a identity.AccountAction, event audit.Event) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO hr.account_actions (id, kind, user_id, grant_id, activation, status, proposed_by)
			VALUES ($1, $2, $3, $4, $5, 'proposed', $6)`,
			a.ID, string(a.Kind), a.UserID, nullUUID(a.GrantID), nullString(string(a.Activation)), a.ProposedBy); err != nil {
			return Translate(err)
		}
		return insertEvent(ctx, tx, event)
	})
}

// accountActionRow is hr.account_actions as read.
type accountActionRow struct {
	ID         uuid.UUID  `db:"id"`
	Kind       string     `db:"kind"`
	UserID     uuid.UUID  `db:"user_id"`
	GrantID    *uuid.UUID `db:"grant_id"`
	Activation *string    `db:"activation"`
	Status     string     `db:"status"`
	ProposedBy uuid.UUID  `db:"proposed_by"`
	ApprovedBy *uuid.UUID `db:"approved_by"`
}

func (r accountActionRow) domain() identity.AccountAction {
	return identity.AccountAction{ID: r.ID, Kind: identity.AccountActionKind(r.Kind), UserID: r.UserID, GrantID: deref(r.GrantID),
		Activation: identity.Activation(deref(r.Activation)), Status: identity.AccountActionStatus(r.Status),
		ProposedBy: r.ProposedBy, ApprovedBy: deref(r.ApprovedBy)}
}

// AccountAction returns the action with id.
func (s *IdentityStore) AccountAction(ctx context.Context, id uuid.UUID) (identity.AccountAction, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT id, kind, user_id, grant_id, activation, status, proposed_by, approved_by
		FROM hr.account_actions WHERE id = $1`, id)
	a, err := pgx.CollectOneRow(rows, scanAs[accountActionRow])
	if err != nil {
		return identity.AccountAction{}, Translate(err)
	}
	return a, nil
}

// ApplyAccountAction does the action, records it done, and writes its
// event, in one transaction.
func (s *IdentityStore) ApplyAccountAction(ctx context.Context, a identity.AccountAction, link *identity.EnrolmentLink, now time.Time, event audit.Event) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := recordAccountAction(ctx, tx, a, now); err != nil {
			return err
		}
		if err := applyAccountAction(ctx, tx, a, link, now); err != nil {
			return err
		}
		return insertEvent(ctx, tx, event)
	})
}

// recordAccountAction marks a proposal done by its approver, or stores an
// action done at once.
func recordAccountAction(ctx context.Context, tx pgx.Tx, a identity.AccountAction, now time.Time) error {
	if a.ApprovedBy == uuid.Nil {
		_, err := tx.Exec(ctx, `
			INSERT INTO hr.account_actions (id, kind, user_id, grant_id, activation, status, proposed_by, decided_at)
			VALUES ($1, $2, $3, $4, $5, 'done', $6, $7)`,
			a.ID, string(a.Kind), a.UserID, nullUUID(a.GrantID), nullString(string(a.Activation)), a.ProposedBy, now)
		return Translate(err)
	}
	tag, err := tx.Exec(ctx, `
		UPDATE hr.account_actions SET status = 'done', approved_by = $2, decided_at = $3
		WHERE id = $1 AND status = 'proposed'`, a.ID, a.ApprovedBy, now)
	var ce *ConstraintError
	if err = Translate(err); errors.As(err, &ce) && ce.Constraint == "account_actions_two_keys_check" {
		return fmt.Errorf("postgres: account action %s: the approver proposed it or is its user: %w", a.ID, derrors.ErrForbidden)
	}
	if err != nil {
		return err
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("postgres: account action %s is not proposed: %w", a.ID, derrors.ErrConflict)
	}
	return nil
}

// applyAccountAction changes the account as a says.
func applyAccountAction(ctx context.Context, tx pgx.Tx, a identity.AccountAction, link *identity.EnrolmentLink, now time.Time) error {
	var (
		sql  string
		args = []any{a.UserID, now}
	)
	switch a.Kind {
	case identity.ActionBlock:
		sql = `UPDATE hr.users SET status = 'blocked', updated_at = $2 WHERE id = $1 AND status <> 'blocked'`
	case identity.ActionUnblock:
		sql = `UPDATE hr.users SET updated_at = $2, status = CASE
				WHEN password_hash IS NOT NULL AND totp_secret_ciphertext IS NOT NULL THEN 'active' ELSE 'invited' END
			WHERE id = $1 AND status = 'blocked'`
	case identity.ActionRevokeGrant:
		sql = `UPDATE hr.role_grants SET status = 'revoked', decided_at = $2 WHERE user_id = $1 AND id = $3 AND status <> 'revoked'`
		args = append(args, a.GrantID)
	case identity.ActionSecondFactorReset:
		if link == nil {
			return fmt.Errorf("postgres: second-factor reset without a link: %w", derrors.ErrInvalid)
		}
		sql = `UPDATE hr.users SET status = 'invited', password_hash = NULL, totp_secret_ciphertext = NULL,
				totp_last_step = 0, updated_at = $2
			WHERE id = $1 AND status = 'active'`
	default:
		return fmt.Errorf("postgres: unknown account action %q: %w", a.Kind, derrors.ErrInvalid)
	}
	tag, err := tx.Exec(ctx, sql, args...)
	if err != nil {
		return Translate(err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("postgres: %s: the account is not in a state it changes: %w", a.Kind, derrors.ErrConflict)
	}
	switch a.Kind {
	case identity.ActionBlock:
		return revokeSessions(ctx, tx, a.UserID, now)
	case identity.ActionSecondFactorReset:
		if err := revokeSessions(ctx, tx, a.UserID, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM hr.recovery_codes WHERE user_id = $1`, a.UserID); err != nil {
			return Translate(err)
		}
		if _, err := tx.Exec(ctx, `UPDATE hr.one_time_links SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL`,
			a.UserID, now); err != nil {
			return Translate(err)
		}
		creator := a.ApprovedBy
		if creator == uuid.Nil {
			creator = a.ProposedBy
		}
		_, err := tx.Exec(ctx, `
			INSERT INTO hr.one_time_links (token_hash, id, user_id, purpose, created_by, expires_at, activation, activation_code_hmac)
			VALUES ($1, $2, $3, 'invitation', $4, $5, $6, $7)`,
			link.TokenHash, link.ID, a.UserID, creator, link.ExpiresAt, nullString(string(link.Activation)), nullString(link.CodeHMAC))
		if err != nil {
			return Translate(err)
		}
		return insertMail(ctx, tx, link.Mail, a.UserID)
	}
	return nil
}

var _ identity.DossierLoad = (*DossierStore)(nil)

// ResponsibleDossiers counts the dossiers, not destroyed, whose
// responsible physician is physicianID.
func (s *DossierStore) ResponsibleDossiers(ctx context.Context, physicianID uuid.UUID) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `
		SELECT count(*) FROM medical.dossiers WHERE responsible_physician_id = $1 AND status <> 'destroyed'`,
		physicianID).Scan(&n); err != nil {
		return 0, Translate(err)
	}
	return n, nil
}
