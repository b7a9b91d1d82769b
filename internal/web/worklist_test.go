package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/ratelimit"
	"github.com/arbokluis/arbokluis/internal/worklist"
)

// TestBuildWorklist: the page merges the worklists of a caller's grants
// (each person and request once, overdue requests first), narrows every
// list to the search text, and says why an assistant sees nothing only
// when no grant lists anyone.
func TestBuildWorklist(t *testing.T) {
	today := time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC)
	anna := worklist.Row{Person: worklist.Person{EmployeeID: uuid.New(), FirstName: "Anna", LastName: "Aal", EmployeeNumber: "N-1",
		Case: &worklist.Case{FirstSickDay: today.AddDate(0, 0, -50), Percentage: 100, ProblemAnalysisDue: today.AddDate(0, 0, -9)}}}
	bram := worklist.Row{Person: worklist.Person{EmployeeID: uuid.New(), FirstName: "Bram", LastName: "Bos", EmployeeNumber: "N-2"}}
	late := worklist.RequestRow{Request: worklist.Request{ID: uuid.New(), EmployeeID: bram.EmployeeID, Type: "copy", Status: "received",
		Due: today.AddDate(0, 0, -1)}, Name: "Bram Bos", Overdue: true}
	soon := worklist.RequestRow{Request: worklist.Request{ID: uuid.New(), EmployeeID: anna.EmployeeID, Type: "inspection", Status: "in_review",
		Due: today.AddDate(0, 0, 3)}, Name: "Anna Aal"}
	own := worklist.Worklist{People: []worklist.Row{anna}, Consultations: []worklist.Row{anna}, ProblemAnalyses: []worklist.Row{anna},
		Requests: []worklist.RequestRow{soon}}
	assistant := worklist.Worklist{OnBehalfOf: []string{"Pieter Verant"}, People: []worklist.Row{anna, bram},
		Requests: []worklist.RequestRow{late, soon}}
	expired := worklist.Worklist{Blocked: worklist.BlockedExpired, StatementExpired: today.AddDate(0, 0, -1)}
	names := func(ps []worklistPerson) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Name)
		}
		return out
	}
	for _, tc := range []struct {
		name              string
		lists             []worklist.Worklist
		q                 string
		people, analyses  []string
		requests          []string
		onBehalf, blocked string
	}{
		{"one grant", []worklist.Worklist{own}, "", []string{"Anna Aal"}, []string{"Anna Aal"}, []string{soon.ID.String()}, "", ""},
		{"two grants merged", []worklist.Worklist{own, assistant}, "", []string{"Anna Aal", "Bram Bos"}, []string{"Anna Aal"},
			[]string{late.ID.String(), soon.ID.String()}, "Pieter Verant", ""},
		{"searched by name", []worklist.Worklist{own, assistant}, "BOS", []string{"Bram Bos"}, nil, []string{late.ID.String()}, "Pieter Verant", ""},
		{"searched by number", []worklist.Worklist{own, assistant}, "n-1", []string{"Anna Aal"}, []string{"Anna Aal"},
			[]string{soon.ID.String()}, "Pieter Verant", ""},
		{"expired statement alone", []worklist.Worklist{expired}, "", nil, nil, nil, "", "Uw geheimhoudingsverklaring is verlopen op 19 april 2026. " +
			"Daarom ziet u geen dossiers. Vraag de beheerder om een nieuwe verklaring."},
		{"expired statement beside another grant", []worklist.Worklist{expired, own}, "", []string{"Anna Aal"}, []string{"Anna Aal"},
			[]string{soon.ID.String()}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := buildWorklist(tc.lists, tc.q, today)
			var reqs []string
			for _, r := range d.Requests {
				reqs = append(reqs, r.ID)
			}
			if got := names(d.People); !slices.Equal(got, tc.people) {
				t.Errorf("buildWorklist(%s).People = %v, want %v", tc.name, got, tc.people)
			}
			if got := names(d.Analyses); !slices.Equal(got, tc.analyses) {
				t.Errorf("buildWorklist(%s).Analyses = %v, want %v", tc.name, got, tc.analyses)
			}
			if !slices.Equal(reqs, tc.requests) {
				t.Errorf("buildWorklist(%s).Requests = %v, want %v", tc.name, reqs, tc.requests)
			}
			if d.OnBehalfOf != tc.onBehalf || d.Blocked != tc.blocked {
				t.Errorf("buildWorklist(%s) on behalf of %q, blocked %q; want %q, %q", tc.name, d.OnBehalfOf, d.Blocked, tc.onBehalf, tc.blocked)
			}
		})
	}
	d := buildWorklist([]worklist.Worklist{own}, "", today)
	if p := d.Analyses[0]; !p.AnalysisOverdue || p.AnalysisDue != "11 april 2026" || p.Absence != "Ziek voor 100% sinds 1 maart 2026" {
		t.Errorf("buildWorklist: Anna's analysis row = %+v, want overdue on 11 april 2026, ziek sinds 1 maart 2026", p)
	}
}

// physicianAuth authenticates the token "tok" as a physician.
type physicianAuth struct{ *fakeAuth }

// physicianID is the user physicianAuth authenticates.
var physicianID = uuid.New()

func (physicianAuth) Authenticate(_ context.Context, token string) (access.Principal, error) {
	if token == "tok" {
		return access.Principal{UserID: physicianID, Grants: []access.Grant{{Role: access.RolePhysician}}}, nil
	}
	return access.Principal{}, derrors.ErrUnauthenticated
}

// fixedWorklist answers one worklist and counts the calls.
type fixedWorklist struct {
	w     worklist.Worklist
	calls *int
}

func (f fixedWorklist) List(context.Context, access.Actor) (worklist.Worklist, error) {
	*f.calls++
	return f.w, nil
}

// TestWorklistHomeAndListReadLimit: for a physician the home page is the
// worklist, the same page as /arts; both spend reads of the one list-read
// limit (then the 429 page that says how long to wait, and no service
// call); a search text over 100 characters is the page again with the
// field's message (400), read from nobody.
func TestWorklistHomeAndListReadLimit(t *testing.T) {
	calls := 0
	wl := worklist.Worklist{People: []worklist.Row{{Person: worklist.Person{EmployeeID: uuid.New(), FirstName: "Anna", LastName: "Aal"}}}}
	s, err := New(Options{Auth: physicianAuth{&fakeAuth{}}, Invitations: fakeInvitations{}, Recorder: &fakeRecorder{},
		Authz:     &fakeAuthz{auths: []access.Authority{{Role: access.RolePhysician}}},
		Worklist:  WorklistServices{Worklist: fixedWorklist{w: wl, calls: &calls}},
		ListReads: ratelimit.Limit{PerMinute: 1, Burst: 2}})
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	get := func(path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(&http.Cookie{Name: SessionCookie, Value: "tok"})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for i, tt := range []struct {
		path       string
		wantStatus int
		wantText   string
		wantCalls  int
	}{
		{"/", http.StatusOK, "Anna Aal", 1},
		{"/arts?zoek=" + strings.Repeat("x", 101), http.StatusBadRequest, "hoogstens 100 tekens", 1},
		{"/arts", http.StatusOK, "Anna Aal", 2},
		{"/arts", http.StatusTooManyRequests, "Probeer het over 1 minuut opnieuw.", 2},
	} {
		rec := get(tt.path)
		if rec.Code != tt.wantStatus || !strings.Contains(rec.Body.String(), tt.wantText) || calls != tt.wantCalls {
			t.Errorf("read %d: GET %s as a physician = %d after %d service calls, want %d with %q after %d", i+1, tt.path, rec.Code, calls,
				tt.wantStatus, tt.wantText, tt.wantCalls)
		}
	}
}
