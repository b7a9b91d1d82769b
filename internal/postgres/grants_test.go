package postgres_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/postgres"
)

// TestGrantApprovalNeedsASecondPerson: the database itself refuses a role
// grant approved by its proposer (role_grants_two_keys_check), whatever
// the service checks; the store answers that with derrors.ErrForbidden and
// changes nothing. An approver who is a third person is accepted.
func TestGrantApprovalNeedsASecondPerson(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	store := postgres.NewIdentityStore(w.hr)
	proposer := w.user(access.RoleAdmin, uuid.Nil)
	third := w.user(access.RoleLeadPhysician, uuid.Nil)
	tests := []struct {
		name     string
		approver func(subject uuid.UUID) uuid.UUID
		want     error
	}{
		{"approved by the proposer", func(uuid.UUID) uuid.UUID { return proposer }, derrors.ErrForbidden},
		{"approved by a third person", func(uuid.UUID) uuid.UUID { return third }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			subject := w.user(access.RoleCaseManager, uuid.Nil)
			g := identity.GrantRecord{ID: uuid.New(), UserID: subject, Role: access.RolePhysician,
				Status: identity.GrantProposed, ProposedBy: proposer}
			if err := store.ProposeGrant(w.ctx, g, "12345678901", nil, testEvent(proposer, audit.ActionGrant, "role_grant")); err != nil {
				t.Fatalf("ProposeGrant: %v", err)
			}
			err := store.ApproveGrant(w.ctx, g.ID, tt.approver(subject), time.Now(), testEvent(third, audit.ActionGrant, "role_grant"))
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("ApproveGrant(%s) = %v, want %v", tt.name, err, tt.want)
			}
			got, err := store.Grant(w.ctx, g.ID)
			if err != nil {
				t.Fatalf("Grant: %v", err)
			}
			wantStatus := identity.GrantActive
			if tt.want != nil {
				wantStatus = identity.GrantProposed
			}
			if got.Status != wantStatus {
				t.Errorf("ApproveGrant(%s) left status %s, want %s", tt.name, got.Status, wantStatus)
			}
		})
	}

	// Written directly, past every service: the check names itself.
	subject := w.user(access.RoleCaseManager, uuid.Nil)
	_, err := w.owner.Exec(w.ctx, `INSERT INTO hr.role_grants (user_id, role, status, proposed_by, approved_by, decided_at)
		VALUES ($1, 'physician', 'active', $2, $2, now())`, subject, proposer)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.ConstraintName != "role_grants_two_keys_check" {
		t.Errorf("insert a grant approved by its proposer = %v, want a violation of role_grants_two_keys_check", err)
	}
}
