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

// TestSessionEndsWithStatusOrGrant: Authenticate reads the user's status
// and grants on every call, so a session ends at its next request once
// the user is blocked, or once their only grant is revoked, without
// anyone touching the session.
func TestSessionEndsWithStatusOrGrant(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	store := postgres.NewIdentityStore(w.hr)
	tests := []struct {
		name, change string
	}{
		{"user blocked", `UPDATE hr.users SET status = 'blocked' WHERE id = $1`},
		{"only grant revoked", `UPDATE hr.role_grants SET status = 'revoked' WHERE user_id = $1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			user := w.user(access.RoleLabourExpert, uuid.Nil)
			_, hash, _ := identity.NewToken()
			now := time.Now()
			w.exec(`INSERT INTO hr.sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)`, hash, user, now.Add(time.Hour))
			if _, err := store.Authenticate(w.ctx, hash, now, time.Hour); err != nil {
				t.Fatalf("Authenticate before %s: %v", tt.name, err)
			}
			w.exec(tt.change, user)
			if _, err := store.Authenticate(w.ctx, hash, now.Add(time.Second), time.Hour); !errors.Is(err, derrors.ErrUnauthenticated) {
				t.Errorf("Authenticate after %s = %v, want ErrUnauthenticated", tt.name, err)
			}
		})
	}
}
