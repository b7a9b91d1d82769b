package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

// fakeAuthz allows what auths says, for every resource and action.
type fakeAuthz struct {
	auths   []access.Authority
	unknown bool // Knows answers false
}

func (f *fakeAuthz) Authorize(access.Principal, string, string) ([]access.Authority, error) {
	if len(f.auths) == 0 {
		return nil, fmt.Errorf("fake: %w", derrors.ErrForbidden)
	}
	return f.auths, nil
}

func (f *fakeAuthz) Knows(string, string) bool { return !f.unknown }

// fakeRecorder keeps the events it is given.
type fakeRecorder struct{ events []audit.Event }

func (f *fakeRecorder) Record(_ context.Context, e audit.Event) error {
	f.events = append(f.events, e)
	return nil
}

// TestAllowDecidesUnderOneGrant: a page runs under each allowing grant in
// turn; the first grant whose object rules do not refuse decides, a
// refusal by every grant is the 404 page with one audited denial, and no
// allowing grant at all is a refusal too.
func TestAllowDecidesUnderOneGrant(t *testing.T) {
	own, other := uuid.New(), uuid.New()
	id := uuid.New()
	grants := []access.Authority{
		{Role: access.RoleEmployer, Scope: access.Scope{Employers: []uuid.UUID{other}}},
		{Role: access.RoleCaseManager, Scope: access.Scope{Employers: []uuid.UUID{own}}},
	}
	// page shows the object to the actor whose scope holds own.
	page := func(w http.ResponseWriter, r *http.Request, a access.Actor) error {
		if !a.Scope.Contains(own) {
			return fmt.Errorf("not in scope: %w", derrors.ErrNotFound)
		}
		fmt.Fprintf(w, "shown as %s", a.Role)
		return nil
	}
	tests := []struct {
		name       string
		auths      []access.Authority
		h          pageFunc
		wantStatus int
		wantBody   string
		wantDenied int
	}{
		{"the second grant may", grants, page, http.StatusOK, "shown as case_manager", 0},
		{"the first grant may", []access.Authority{grants[1], grants[0]}, page, http.StatusOK, "shown as case_manager", 0},
		{"no grant's object rules allow", grants[:1], page, http.StatusNotFound, "", 1},
		{"no grant allows the page", nil, page, http.StatusForbidden, "", 1},
		{"an error other than a refusal stops at once", grants, func(http.ResponseWriter, *http.Request, access.Actor) error {
			return derrors.ErrConflict
		}, http.StatusConflict, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &fakeRecorder{}
			s, err := New(Options{Auth: &fakeAuth{token: "tok"}, Invitations: fakeInvitations{},
				Authz: &fakeAuthz{auths: tt.auths}, Recorder: rec})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			mux := http.NewServeMux()
			mux.HandleFunc("GET /ding/{id}", s.allow("employees", "read", tt.h))
			req := httptest.NewRequest(http.MethodGet, "/ding/"+id.String(), nil)
			req.AddCookie(&http.Cookie{Name: SessionCookie, Value: "tok"})
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, req)
			if w.Code != tt.wantStatus || !strings.Contains(w.Body.String(), tt.wantBody) {
				t.Errorf("allow(%s): GET = %d %.80q, want %d containing %q", tt.name, w.Code, w.Body.String(), tt.wantStatus, tt.wantBody)
			}
			if len(rec.events) != tt.wantDenied {
				t.Fatalf("allow(%s): %d audited events, want %d", tt.name, len(rec.events), tt.wantDenied)
			}
			for _, e := range rec.events {
				if e.Outcome != audit.OutcomeDenied || e.ObjectID != id.String() || e.ObjectKind != "employees" {
					t.Errorf("allow(%s): audited %+v, want a denied read of employees %s", tt.name, e, id)
				}
			}
		})
	}
}

// TestCheckPermissions: a page asking for a permission no policy line
// allows stops start-up rather than deny everyone silently.
func TestCheckPermissions(t *testing.T) {
	for _, known := range []bool{true, false} {
		s := &Server{opts: Options{Authz: &fakeAuthz{unknown: !known}}}
		s.permissions = append(s.permissions, permission{"employees", "read"})
		if err := s.checkPermissions(); (err == nil) != known {
			t.Errorf("checkPermissions() with the permission known %v = %v, want an error only when unknown", known, err)
		}
	}
}

// TestAllowBoundsTheFormBody: a form post larger than maxFormBytes is
// refused (400) before the page runs; one within the bound reaches the
// page; an upload is left to its page, which sets its own bound.
func TestAllowBoundsTheFormBody(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		size        int
		wantStatus  int
		wantRan     bool
	}{
		{"form within the bound", "application/x-www-form-urlencoded", maxFormBytes - 100, http.StatusOK, true},
		{"form over the bound", "application/x-www-form-urlencoded", maxFormBytes + 1, http.StatusBadRequest, false},
		{"upload over the form bound", "multipart/form-data; boundary=x", maxFormBytes + 1, http.StatusOK, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(Options{Auth: &fakeAuth{token: "tok"}, Invitations: fakeInvitations{},
				Authz: &fakeAuthz{auths: []access.Authority{{Role: access.RoleEmployer}}}, Recorder: &fakeRecorder{}})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			ran := false
			mux := http.NewServeMux()
			mux.HandleFunc("POST /ding", s.allow("employees", "create", func(w http.ResponseWriter, r *http.Request, _ access.Actor) error {
				ran = true
				return nil
			}))
			body := "a=" + strings.Repeat("x", tt.size-2)
			req := httptest.NewRequest(http.MethodPost, "/ding", strings.NewReader(body))
			req.Header.Set("Content-Type", tt.contentType)
			req.AddCookie(&http.Cookie{Name: SessionCookie, Value: "tok"})
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, req)
			if w.Code != tt.wantStatus || ran != tt.wantRan {
				t.Errorf("allow: POST %s of %d bytes = %d, page ran %v; want %d, ran %v", tt.contentType, tt.size, w.Code, ran, tt.wantStatus, tt.wantRan)
			}
		})
	}
}
