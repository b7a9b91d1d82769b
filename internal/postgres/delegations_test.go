package postgres_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/postgres"
)

// TestDelegationStore: assignments, substitutions and statements are
// proposed with their events, read back per kind, and approved once; a
// proposal for an unknown employer or a grantee who is not what the kind
// needs is refused, and an unknown delegation is not found.
func TestDelegationStore(t *testing.T) {
	w := newWorld(t)
	store := postgres.NewIdentityStore(w.hr)
	a := w.employer()
	admin, lead := w.user(access.RoleAdmin, uuid.Nil), w.user(access.RoleLeadPhysician, uuid.Nil)
	p1, p2 := w.user(access.RolePhysician, uuid.Nil), w.user(access.RolePhysician, uuid.Nil)
	assistant, cm := w.user(access.RoleMedicalAssistant, uuid.Nil), w.user(access.RoleCaseManager, a)
	proposal := func(kind identity.DelegationKind, grantee uuid.UUID) identity.Delegation {
		return identity.Delegation{Kind: kind, ID: uuid.New(), Status: identity.DelegationProposed, Grantee: grantee, ProposedBy: admin}
	}
	ev := func() audit.Event { return testEvent(admin, audit.ActionGrant, "delegation") }

	if err := store.ProposeAssignment(w.ctx, proposal(identity.KindAssignment, p1),
		identity.Assignment{EmployerID: uuid.New(), PhysicianID: p1}, ev()); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("ProposeAssignment(unknown employer) = %v, want derrors.ErrNotFound", err)
	}
	var fe derrors.FieldErrors
	if err := store.ProposeAssignment(w.ctx, proposal(identity.KindAssignment, cm),
		identity.Assignment{EmployerID: a, PhysicianID: cm}, ev()); !errors.As(err, &fe) || fe["physician_id"] == "" {
		t.Errorf("ProposeAssignment(a case manager as physician) = %v, want a field error on physician_id", err)
	}
	if err := store.ProposeStatement(w.ctx, proposal(identity.KindStatement, cm),
		identity.Statement{PhysicianID: p1, SignedOn: day("2026-01-01"), ExpiresOn: day("2027-01-01")}, ev()); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("ProposeStatement(for a case manager) = %v, want derrors.ErrNotFound", err)
	}

	assignment, substitution, statement := proposal(identity.KindAssignment, p1), proposal(identity.KindSubstitution, p2),
		proposal(identity.KindStatement, assistant)
	first := ev()
	if err := store.ProposeAssignment(w.ctx, assignment, identity.Assignment{EmployerID: a, PhysicianID: p1}, first); err != nil {
		t.Fatalf("ProposeAssignment: %v", err)
	}
	if n := w.events(first.RequestID); n != 1 {
		t.Errorf("ProposeAssignment stored %d events, want 1", n)
	}
	if err := store.ProposeSubstitution(w.ctx, substitution, identity.Substitution{AbsentPhysicianID: p1, SubstituteID: p2,
		StartsOn: day("2026-07-01"), EndsOn: day("2026-07-31")}, ev()); err != nil {
		t.Fatalf("ProposeSubstitution: %v", err)
	}
	if err := store.ProposeStatement(w.ctx, statement, identity.Statement{PhysicianID: p1, SignedOn: day("2026-01-01"),
		ExpiresOn: day("2027-01-01")}, ev()); err != nil {
		t.Fatalf("ProposeStatement: %v", err)
	}
	for _, tc := range []struct {
		d        identity.Delegation
		employer uuid.UUID
	}{{assignment, a}, {substitution, uuid.Nil}, {statement, uuid.Nil}} {
		got, err := store.Delegation(w.ctx, tc.d.Kind, tc.d.ID)
		if err != nil || got.ID != tc.d.ID || got.Kind != tc.d.Kind || got.Status != identity.DelegationProposed ||
			got.Grantee != tc.d.Grantee || got.ProposedBy != admin || got.ApprovedBy != uuid.Nil || got.EmployerID != tc.employer {
			t.Errorf("Delegation(%s) = %+v, %v; want the proposal %+v at employer %s", tc.d.Kind, got, err, tc.d, tc.employer)
		}
	}

	approve := func() error {
		return store.ApproveDelegation(w.ctx, identity.KindAssignment, assignment.ID, lead, time.Now().UTC(),
			testEvent(lead, audit.ActionGrant, "delegation"))
	}
	if err := approve(); err != nil {
		t.Fatalf("ApproveDelegation: %v", err)
	}
	if got, err := store.Delegation(w.ctx, identity.KindAssignment, assignment.ID); err != nil ||
		got.Status != identity.DelegationActive || got.ApprovedBy != lead {
		t.Errorf("Delegation after approval = %+v, %v; want it active, approved by %s", got, err, lead)
	}
	if err := approve(); !errors.Is(err, derrors.ErrConflict) {
		t.Errorf("ApproveDelegation(approved already) = %v, want derrors.ErrConflict", err)
	}
	if got, err := store.Delegation(w.ctx, identity.KindSubstitution, assignment.ID); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Delegation(an assignment's id as a substitution) = %+v, %v; want derrors.ErrNotFound", got, err)
	}
	if _, err := store.Delegation(w.ctx, "grant", assignment.ID); !errors.Is(err, derrors.ErrInvalid) {
		t.Errorf("Delegation(unknown kind) = %v, want derrors.ErrInvalid", err)
	}
}
