package app

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/config"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// testClock is a wall clock that moves only when told.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestListReadsAreThrottled: with the limit set to a burst of 3 and 6 reads
// a minute, a user's fourth overview read at once answers 429 problem+json
// with Retry-After: 10, reads and audits nothing; the next read is allowed
// once those 10 seconds have passed (an injected clock, no sleeping); other
// users, and the same user's other list routes, are not held up.
func TestListReadsAreThrottled(t *testing.T) {
	t.Parallel()
	clock := &testClock{t: time.Now()}
	s := newStackWith(t, testenv.Load(t), func(c *config.Config) {
		c.ListReadsPerMinute, c.ListReadBurst, c.Clock = 6, 3, clock.Now
	})
	owner := testenv.Pool(t, s.env.MigrateURL)
	tenant := s.addEmployer()
	addEmployees(t, owner, tenant, 3)
	hr, colleague := s.addUser(access.RoleEmployer, tenant), s.addUser(access.RoleEmployer, tenant)
	hrTok, colleagueTok := s.session(hr), s.session(colleague)
	overview := "/api/v1/employers/" + tenant.String() + "/overview"
	events := func() int {
		t.Helper()
		var n int
		if err := owner.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM audit.outbox WHERE actor_user_id = $1)
			+ (SELECT count(*) FROM audit.events WHERE actor_user_id = $1)`, hr.userID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := events()
	for i := range 3 {
		if r := s.do("GET", overview, hrTok, nil); r.status != http.StatusOK {
			t.Fatalf("overview read %d within the burst = %d %s, want 200", i+1, r.status, r.raw)
		}
	}
	audited := events()
	r := s.do("GET", overview, hrTok, nil)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "10" ||
		r.header.Get("Content-Type") != "application/problem+json" || r.body["type"] != "urn:arbokluis:problem:throttled" {
		t.Fatalf("overview read 4 at once = %d Retry-After %q %s, want 429 problem+json throttled with Retry-After 10",
			r.status, r.header.Get("Retry-After"), r.raw)
	}
	if strings.Contains(r.raw, "Persoon") {
		t.Errorf("the 429 answer carries people: %s", r.raw)
	}
	if got := events(); got != audited || audited-before != 3 {
		t.Errorf("audit events of 3 reads and a refused one = %d then %d, want 3 and no more", audited-before, got-before)
	}
	if r := s.do("GET", overview, colleagueTok, nil); r.status != http.StatusOK {
		t.Errorf("a colleague's overview read = %d, want 200: the limit is per user", r.status)
	}
	if r := s.do("GET", "/api/v1/signals", hrTok, nil); r.status != http.StatusOK {
		t.Errorf("the same user's signals read = %d, want 200: the limit is per route", r.status)
	}
	clock.Advance(9 * time.Second)
	if r := s.do("GET", overview, hrTok, nil); r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "1" {
		t.Errorf("overview read after 9 s = %d Retry-After %q, want 429 with Retry-After 1", r.status, r.header.Get("Retry-After"))
	}
	clock.Advance(time.Second)
	if r := s.do("GET", overview, hrTok, nil); r.status != http.StatusOK {
		t.Errorf("overview read once Retry-After passed = %d %s, want 200", r.status, r.raw)
	}
	if r := s.do("GET", overview, hrTok, nil); r.status != http.StatusTooManyRequests {
		t.Errorf("the next overview read at once = %d, want 429", r.status)
	}
}

// TestPortalFollowsTheConfiguredClock: the portal reads the clock the
// configuration gives, as the API does: its list-read limit lets the next
// overview through once the injected clock has moved on, without sleeping.
func TestPortalFollowsTheConfiguredClock(t *testing.T) {
	t.Parallel()
	clock := &testClock{t: time.Now()}
	s := newStackWith(t, testenv.Load(t), func(c *config.Config) {
		c.ListReadsPerMinute, c.ListReadBurst, c.Clock = 6, 1, clock.Now
	})
	tenant := s.addEmployer()
	tok := s.session(s.addUser(access.RoleEmployer, tenant))
	for i, want := range []int{http.StatusOK, http.StatusTooManyRequests} {
		if r := s.portal("GET", "/werkgever", tok, nil); r.status != want {
			t.Fatalf("portal overview read %d at once = %d, want %d", i+1, r.status, want)
		}
	}
	clock.Advance(10 * time.Second)
	if r := s.portal("GET", "/werkgever", tok, nil); r.status != http.StatusOK {
		t.Errorf("portal overview read once the injected clock passed 10 s = %d, want 200", r.status)
	}
}
