package identity

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

// readStore is an AdminReadStore that counts its calls and keeps the
// events it is given.
type readStore struct {
	calls  int
	events []audit.Event
}

func (r *readStore) PendingProposals(_ context.Context, event func([]Proposal) audit.Event) ([]Proposal, error) {
	r.calls++
	r.events = append(r.events, event(nil))
	return nil, nil
}

func (r *readStore) User(_ context.Context, id uuid.UUID, event func(UserSummary) audit.Event) (UserSummary, error) {
	r.calls++
	u := UserSummary{ID: id, EmployeeID: uuid.New()}
	r.events = append(r.events, event(u))
	return u, nil
}

func (r *readStore) Staffing(context.Context, uuid.UUID, string) ([]Proposal, error) {
	r.calls++
	return nil, nil
}

func (r *readStore) SearchUsers(_ context.Context, _ string, _ uuid.UUID, _ int, event func([]UserSummary) audit.Event) ([]UserSummary, error) {
	r.calls++
	r.events = append(r.events, event(nil))
	return nil, nil
}

func (r *readStore) ActivePhysicians(context.Context) ([]UserSummary, error) {
	r.calls++
	return nil, nil
}

// TestAdminReadsRefuseOtherRoles: every read of the two-key rule answers
// derrors.ErrNotFound to the roles it is not for, without reading.
func TestAdminReadsRefuseOtherRoles(t *testing.T) {
	ctx := context.Background()
	all := access.Scope{All: true}
	reads := map[string]func(*AdminReads, access.Actor) error{
		"Pending":    func(s *AdminReads, a access.Actor) error { _, err := s.Pending(ctx, a); return err },
		"User":       func(s *AdminReads, a access.Actor) error { _, err := s.User(ctx, a, uuid.New()); return err },
		"Staffing":   func(s *AdminReads, a access.Actor) error { _, err := s.Staffing(ctx, a, uuid.New()); return err },
		"Physicians": func(s *AdminReads, a access.Actor) error { _, err := s.Physicians(ctx, a); return err },
		"SearchUsers": func(s *AdminReads, a access.Actor) error {
			_, err := s.SearchUsers(ctx, a, "x", uuid.Nil, 10)
			return err
		},
	}
	// Who may read what, besides the admin: the lead physician decides on
	// proposals and staffing, never on users.
	lead := map[string]bool{"Pending": true, "Staffing": true, "Physicians": true}
	for name, read := range reads {
		for _, role := range []access.Role{access.RolePhysician, access.RoleMedicalAssistant, access.RoleCaseManager,
			access.RoleEmployer, access.RoleEmployee, access.RolePrivacyOfficer, access.RoleLabourExpert, access.RoleLeadPhysician} {
			if role == access.RoleLeadPhysician && lead[name] {
				continue
			}
			st := &readStore{}
			err := read(NewAdminReads(st, nil), access.Actor{Role: role, Scope: all})
			if !errors.Is(err, derrors.ErrNotFound) || st.calls != 0 {
				t.Errorf("%s as %s = %v after %d store calls, want ErrNotFound without reading", name, role, err, st.calls)
			}
		}
	}
}

// TestAdminReadsAudit: the user read names the linked employee, the
// search is one search event; a bad search reads nothing.
func TestAdminReadsAudit(t *testing.T) {
	ctx := context.Background()
	admin := access.Actor{Role: access.RoleAdmin, Scope: access.Scope{All: true}, RequestID: "r1"}
	st := &readStore{}
	s := NewAdminReads(st, nil)
	u, err := s.User(ctx, admin, uuid.New())
	if err != nil {
		t.Fatalf("User: %v", err)
	}
	if len(st.events) != 1 || st.events[0].SubjectEmployeeID != u.EmployeeID || st.events[0].Action != audit.ActionRead {
		t.Errorf("User's event = %+v, want a read naming employee %s", st.events, u.EmployeeID)
	}
	if _, err := s.SearchUsers(ctx, admin, "an", uuid.Nil, 10); err != nil {
		t.Fatalf("SearchUsers: %v", err)
	}
	if len(st.events) != 2 || st.events[1].Action != audit.ActionSearch {
		t.Errorf("SearchUsers' event = %+v, want one search", st.events[1:])
	}
	calls := st.calls
	for _, tc := range []struct {
		q     string
		limit int
	}{{strings.Repeat("x", MaxSearchLength+1), 10}, {"x", 0}, {"x", MaxUsersPage + 1}} {
		var fe derrors.FieldErrors
		if _, err := s.SearchUsers(ctx, admin, tc.q, uuid.Nil, tc.limit); !errors.As(err, &fe) {
			t.Errorf("SearchUsers(%d bytes, limit %d) = %v, want field errors", len(tc.q), tc.limit, err)
		}
	}
	if st.calls != calls {
		t.Errorf("bad searches called the store %d times, want 0", st.calls-calls)
	}
}
