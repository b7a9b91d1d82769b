package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

func TestDayAndDateTime(t *testing.T) {
	tests := []struct {
		in            time.Time
		day, dateTime string
	}{
		// 23:30 UTC on 31 December is already New Year in Amsterdam.
		{time.Date(2025, 12, 31, 23, 30, 0, 0, time.UTC), "1 januari 2026", "1 januari 2026 om 00:30"},
		{time.Date(2026, 7, 1, 12, 5, 0, 0, time.UTC), "1 juli 2026", "1 juli 2026 om 14:05"},
		{time.Time{}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in.String(), func(t *testing.T) {
			if got := Day(tt.in); got != tt.day {
				t.Errorf("Day(%v) = %q, want %q", tt.in, got, tt.day)
			}
			if got := DateTime(tt.in); got != tt.dateTime {
				t.Errorf("DateTime(%v) = %q, want %q", tt.in, got, tt.dateTime)
			}
		})
	}
}

// countingAuth knows one session, of a caller with role, and counts how
// often a request is authenticated. It is safe for concurrent use.
type countingAuth struct {
	fakeAuth
	role  access.Role
	calls atomic.Int64
}

func (a *countingAuth) Authenticate(_ context.Context, token string) (access.Principal, error) {
	a.calls.Add(1)
	if token != "tok" {
		return access.Principal{}, derrors.ErrUnauthenticated
	}
	return access.Principal{UserID: uuid.New(), Grants: []access.Grant{{Role: a.role}}}, nil
}

// TestEmployeePagesAuthenticateOnce: the employee's own pages, and the
// home page that shows the employee's start page, look the session up
// once per request, whoever asks and whatever the page answers.
func TestEmployeePagesAuthenticateOnce(t *testing.T) {
	for _, role := range []access.Role{access.RoleEmployee, access.RoleEmployer} {
		for _, path := range []string{"/", "/mijn", "/mijn/inzage", "/mijn/gegevens.json"} {
			t.Run(string(role)+path, func(t *testing.T) {
				auth := &countingAuth{role: role}
				s, err := New(Options{Auth: auth, Invitations: fakeInvitations{}, Authz: &fakeAuthz{}, Recorder: &fakeRecorder{}})
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req.AddCookie(&http.Cookie{Name: SessionCookie, Value: "tok"})
				rec := httptest.NewRecorder()
				s.Handler().ServeHTTP(rec, req)
				if got := auth.calls.Load(); got != 1 {
					t.Errorf("GET %s as %s (status %d) authenticated %d times, want 1", path, role, rec.Code, got)
				}
			})
		}
	}
}
