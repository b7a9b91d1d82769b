package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/identity"
)

var _ identity.MyAccountStore = (*IdentityStore)(nil)

// OwnCredentials returns the email and password hash of the active user;
// derrors.ErrNotFound when there is none.
func (s *IdentityStore) OwnCredentials(ctx context.Context, userID uuid.UUID) (string, string, error) {
	var email, hash string
	err := s.pool.QueryRow(ctx, `SELECT email, password_hash FROM hr.users WHERE id = $1 AND status = 'active'`,
		userID).Scan(&email, &hash)
	if err != nil {
		return "", "", Translate(err)
	}
	return email, hash, nil
}

// ChangePassword replaces the password hash of the active user, revokes
// the user's live sessions but c.KeepTokenHash, and writes the inbox notice
// and the event, in one transaction; derrors.ErrNotFound when the user is
// not active.
func (s *IdentityStore) ChangePassword(ctx context.Context, c identity.PasswordChange) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE hr.users SET password_hash = $2, updated_at = now() WHERE id = $1 AND status = 'active'`,
			c.UserID, c.PasswordHash)
		if err != nil {
			return Translate(err)
		}
		if tag.RowsAffected() != 1 {
			return derrors.ErrNotFound
		}
		if _, err := tx.Exec(ctx, `
			UPDATE hr.sessions SET revoked_at = $2
			WHERE user_id = $1 AND revoked_at IS NULL AND token_hash <> $3`, c.UserID, c.Now, c.KeepTokenHash); err != nil {
			return Translate(err)
		}
		if err := insertNotice(ctx, tx, c.UserID, c.Notice); err != nil {
			return err
		}
		return insertEvent(ctx, tx, c.Event)
	})
}

// LiveSessions returns the user's unrevoked, unexpired sessions seen within
// idle before now, newest first.
func (s *IdentityStore) LiveSessions(ctx context.Context, userID uuid.UUID, now time.Time, idle time.Duration) ([]identity.SessionRecord, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT token_hash, created_at, last_seen_at, expires_at FROM hr.sessions
		WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 AND last_seen_at > $2 - make_interval(secs => $3)
		ORDER BY created_at DESC, token_hash`, userID, now, idle.Seconds())
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (identity.SessionRecord, error) {
		var r identity.SessionRecord
		err := row.Scan(&r.TokenHash, &r.CreatedAt, &r.LastSeenAt, &r.ExpiresAt)
		return r, err
	})
	if err != nil {
		return nil, Translate(err)
	}
	return out, nil
}

// EndSessions revokes the user's live sessions among tokenHashes (never
// another user's) and writes event when at least one ended, in one
// transaction; it returns how many ended.
func (s *IdentityStore) EndSessions(ctx context.Context, userID uuid.UUID, tokenHashes [][]byte, now time.Time, event audit.Event) (int, error) {
	var n int
	err := InTx(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE hr.sessions SET revoked_at = $2
			WHERE user_id = $1 AND revoked_at IS NULL AND token_hash = ANY($3::bytea[])`, userID, now, tokenHashes)
		if err != nil {
			return Translate(err)
		}
		n = int(tag.RowsAffected())
		if n == 0 {
			return nil
		}
		return insertEvent(ctx, tx, event)
	})
	return n, err
}
