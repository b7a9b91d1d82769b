package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

// insertEvent writes e into audit.outbox inside tx, so the event commits or
// rolls back with the change it records.
func insertEvent(ctx context.Context, tx pgx.Tx, e audit.Event) error {
	// No event, no access: whatever makes the audit write fail, the
	// business change rolls back with it and the caller is told the service
	// is unavailable, never that their input was wrong.
	return insertEvents(ctx, tx, []audit.Event{e})
}

// insertEvents writes events into audit.outbox inside tx in one statement
// (an import writes one event per person created; a list read writes one
// event whose Subjects are the people listed).
func insertEvents(ctx context.Context, tx pgx.Tx, events []audit.Event) error {
	n := len(events)
	actors, behalf, subjects, tenants := make([]any, n), make([]any, n), make([]any, n), make([]any, n)
	roles, actions, kinds, objects, outcomes, requests, ips := make([]any, n), make([]string, n), make([]string, n),
		make([]any, n), make([]string, n), make([]any, n), make([]any, n)
	// unnest cannot take a ragged array of arrays: each event's subjects
	// travel as one comma-separated text and are split back in SQL.
	listed := make([]any, n)
	for i, e := range events {
		actors[i], behalf[i], subjects[i], tenants[i] = nullUUID(e.ActorUserID), nullUUID(e.OnBehalfOf), nullUUID(e.SubjectEmployeeID), nullUUID(e.TenantID)
		roles[i], actions[i], kinds[i], objects[i] = nullString(e.ActorRole), string(e.Action), e.ObjectKind, nullString(e.ObjectID)
		outcomes[i], requests[i] = string(e.Outcome), nullString(e.RequestID)
		if e.ClientIP.IsValid() {
			ips[i] = e.ClientIP.String()
		}
		if len(e.Subjects) > 0 {
			ids := make([]string, len(e.Subjects))
			for j, id := range e.Subjects {
				ids[j] = id.String()
			}
			listed[i] = strings.Join(ids, ",")
		}
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO audit.outbox (actor_user_id, actor_role, on_behalf_of, subject_employee_id, tenant_id,
			action, object_kind, object_id, outcome, request_id, client_ip, subjects)
		SELECT a, r, b, s, t, act, k, o, out, req, ip, string_to_array(l, ',')::uuid[]
		FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::uuid[],
			$6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::inet[], $12::text[])
			AS e(a, r, b, s, t, act, k, o, out, req, ip, l)`,
		actors, roles, behalf, subjects, tenants, actions, kinds, objects, outcomes, requests, ips, listed)
	if err != nil {
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

// nullSubjects is a list read's subjects, or NULL for any other event.
func nullSubjects(ids []uuid.UUID) any {
	if len(ids) == 0 {
		return nil
	}
	return ids
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
