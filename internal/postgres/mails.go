package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/notify"
)

var _ notify.Outbox = (*IdentityStore)(nil)

// insertMail queues m to userID in hr.mail_outbox inside tx, so the mail
// commits or rolls back with the link it carries.
func insertMail(ctx context.Context, tx pgx.Tx, m notify.Mail, userID uuid.UUID) error {
	if m.ID == uuid.Nil || m.Sealed == "" {
		return fmt.Errorf("postgres: mail without id or body: %w", derrors.ErrInvalid)
	}
	_, err := tx.Exec(ctx, `INSERT INTO hr.mail_outbox (id, user_id, subject, body_ciphertext) VALUES ($1, $2, $3, $4)`,
		m.ID, userID, m.Subject, m.Sealed)
	return Translate(err)
}

// mailRow is a claimed hr.mail_outbox row with its recipient's address.
type mailRow struct {
	ID       uuid.UUID `db:"id"`
	UserID   uuid.UUID `db:"user_id"`
	To       string    `db:"email"`
	Subject  string    `db:"subject"`
	Sealed   string    `db:"body_ciphertext"`
	Attempts int       `db:"attempts"`
}

func (r mailRow) domain() notify.Delivery {
	return notify.Delivery{Mail: notify.Mail{ID: r.ID, UserID: r.UserID, Subject: r.Subject, Sealed: r.Sealed},
		To: r.To, Attempts: r.Attempts}
}

// ClaimMails takes up to limit due mails, oldest due first, skipping rows
// another sender holds (FOR UPDATE SKIP LOCKED), counts an attempt on each
// and moves it past the lease, in one statement: concurrent claims never
// return the same mail.
func (s *IdentityStore) ClaimMails(ctx context.Context, limit int, lease time.Duration) ([]notify.Delivery, error) {
	rows, _ := s.pool.Query(ctx, `
		WITH due AS (
			SELECT id FROM hr.mail_outbox WHERE next_attempt_at <= now()
			ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED
		)
		UPDATE hr.mail_outbox o SET attempts = o.attempts + 1, next_attempt_at = now() + $2 * interval '1 microsecond'
		FROM due, hr.users u
		WHERE o.id = due.id AND u.id = o.user_id
		RETURNING o.id, o.user_id, u.email, o.subject, o.body_ciphertext, o.attempts`,
		limit, lease.Microseconds())
	out, err := collect[mailRow](rows)
	if err != nil {
		return nil, Translate(err)
	}
	return out, nil
}

// MailSent deletes a mail that went out.
func (s *IdentityStore) MailSent(ctx context.Context, id uuid.UUID) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM hr.mail_outbox WHERE id = $1`, id)
	return Translate(err)
}

// DropMail deletes a mail that is given up.
func (s *IdentityStore) DropMail(ctx context.Context, id uuid.UUID) error {
	return s.MailSent(ctx, id)
}

// MailFailed makes a mail due again after delay.
func (s *IdentityStore) MailFailed(ctx context.Context, id uuid.UUID, delay time.Duration) error {
	_, err := s.pool.Exec(ctx, `UPDATE hr.mail_outbox SET next_attempt_at = now() + $2 * interval '1 microsecond' WHERE id = $1`,
		id, delay.Microseconds())
	return Translate(err)
}
