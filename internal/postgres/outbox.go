package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

// insertEvent writes e into audit.outbox inside tx, so the event commits or
// rolls back with the change it records.
func insertEvent(ctx context.Context, tx pgx.Tx, e audit.Event) error {
	var ip any
	if e.ClientIP.IsValid() {
		ip = e.ClientIP
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO audit.outbox (actor_user_id, actor_role, on_behalf_of, subject_employee_id, tenant_id,
			action, object_kind, object_id, outcome, request_id, client_ip)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		nullUUID(e.ActorUserID), nullString(e.ActorRole), nullUUID(e.OnBehalfOf), nullUUID(e.SubjectEmployeeID),
		nullUUID(e.TenantID), string(e.Action), e.ObjectKind, nullString(e.ObjectID), string(e.Outcome),
		nullString(e.RequestID), ip)
	if err != nil {
		// No event, no access: whatever made the audit write fail, the
		// business change rolls back with it and the caller is told the
		// service is unavailable, never that their input was wrong.
		return fmt.Errorf("postgres: audit outbox (%v): %w", Translate(err), derrors.ErrUnavailable)
	}
	return nil
}

func nullUUID(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}
