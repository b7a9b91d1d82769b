package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/arbokluis/arbokluis/internal/absence"
	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

// fakeClock is a clock that moves only when told; safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestNewRejectsANegativeListReadLimit(t *testing.T) {
	for _, l := range []RateLimit{{PerMinute: -1}, {Burst: -1}} {
		_, err := New(Options{Logger: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(), MaxBodyBytes: 1024,
			ListReads: l}.withoutServices())
		if err == nil || !strings.Contains(err.Error(), "ListReads") {
			t.Errorf("New(ListReads %+v) error = %v, want one naming ListReads", l, err)
		}
	}
}

// tokenAuth knows one principal per bearer token.
type tokenAuth struct {
	noAuth
	users map[string]access.Principal
}

func (a tokenAuth) Authenticate(_ context.Context, token string) (access.Principal, error) {
	if p, ok := a.users[token]; ok {
		return p, nil
	}
	return access.Principal{}, derrors.ErrUnauthenticated
}

// allowAll allows every permission as a service-wide case manager.
type allowAll struct{ noAuthz }

func (allowAll) Authorize(access.Principal, string, string) ([]access.Authority, error) {
	return []access.Authority{{Role: access.RoleCaseManager, Scope: access.Scope{All: true}}}, nil
}

// countingAbsences answers the list reads with nothing and counts them.
type countingAbsences struct {
	Absences
	reads atomic.Int64
}

func (a *countingAbsences) Overview(context.Context, access.Actor, uuid.UUID) ([]absence.OverviewRow, error) {
	a.reads.Add(1)
	return nil, nil
}

func (a *countingAbsences) Signals(context.Context, access.Actor, int, int, *absence.Cursor) ([]absence.Signal, error) {
	a.reads.Add(1)
	return nil, nil
}

// TestListReadsAnswer429WithRetryAfter: after the burst a user's next
// overview read is 429 problem+json with Retry-After and never reaches the
// service; the read is allowed again once the announced delay has passed;
// another user, and the same user on another list route, are not held up.
func TestListReadsAnswer429WithRetryAfter(t *testing.T) {
	clock := newFakeClock()
	abs := &countingAbsences{}
	o := Options{Logger: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(), MaxBodyBytes: 1024,
		ListReads: RateLimit{PerMinute: 6, Burst: 3}, Now: clock.Now}.withoutServices()
	o.Auth = tokenAuth{users: map[string]access.Principal{"alice": {UserID: uuid.New()}, "bob": {UserID: uuid.New()}}}
	o.Authz, o.Absences = allowAll{}, abs
	s, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	overview := "/api/v1/employers/" + uuid.NewString() + "/overview"
	get := func(token, path string) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		return rec
	}
	for i := range 3 {
		if rec := get("alice", overview); rec.Code != http.StatusOK {
			t.Fatalf("overview read %d within the burst = %d %s, want 200", i+1, rec.Code, rec.Body)
		}
	}
	rec := get("alice", overview)
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("overview read 4 after a burst of 3 = %d %s, want 429", rec.Code, rec.Body)
	}
	if got := rec.Header().Get("Retry-After"); got != "10" {
		t.Errorf("Retry-After of the 429 = %q, want %q (one read every 10 s)", got, "10")
	}
	if p := decodeProblem(t, rec); p.Type != "urn:arbokluis:problem:throttled" || p.Detail == "" {
		t.Errorf("429 problem = %+v, want type urn:arbokluis:problem:throttled with a detail", p)
	}
	if got := abs.reads.Load(); got != 3 {
		t.Errorf("service reads after a refused read = %d, want 3: a refused read reads (and audits) nothing", got)
	}
	if rec := get("bob", overview); rec.Code != http.StatusOK {
		t.Errorf("another user's overview read = %d, want 200", rec.Code)
	}
	if rec := get("alice", "/api/v1/signals"); rec.Code != http.StatusOK {
		t.Errorf("the same user's first signals read = %d, want 200", rec.Code)
	}
	clock.Advance(9 * time.Second)
	if rec := get("alice", overview); rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "1" {
		t.Errorf("overview read 9 s later = %d Retry-After %q, want 429 with Retry-After 1", rec.Code, rec.Header().Get("Retry-After"))
	}
	clock.Advance(time.Second)
	if rec := get("alice", overview); rec.Code != http.StatusOK {
		t.Errorf("overview read once Retry-After passed = %d %s, want 200", rec.Code, rec.Body)
	}
	if rec := get("alice", overview); rec.Code != http.StatusTooManyRequests {
		t.Errorf("the next overview read at once = %d, want 429", rec.Code)
	}
}
