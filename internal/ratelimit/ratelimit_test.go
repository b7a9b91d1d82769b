package ratelimit

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
)

var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func TestTake(t *testing.T) {
	alice := uuid.MustParse("11111111-1111-1111-1111-111111111111")
	bob := uuid.MustParse("22222222-2222-2222-2222-222222222222")
	const signals = "/api/v1/signals"
	type step struct {
		advance  time.Duration
		user     uuid.UUID
		name     string
		wantOK   bool
		wantWait time.Duration
	}
	tests := []struct {
		name  string
		limit Limit
		steps []step
	}{
		{"burst, then one a Retry-After later", Limit{PerMinute: 6, Burst: 3}, []step{
			{0, alice, signals, true, 0}, {0, alice, signals, true, 0}, {0, alice, signals, true, 0},
			{0, alice, signals, false, 10 * time.Second},
			{9 * time.Second, alice, signals, false, time.Second},
			{time.Second, alice, signals, true, 0},
			{0, alice, signals, false, 10 * time.Second},
		}},
		{"a refusal spends nothing", Limit{PerMinute: 60, Burst: 1}, []step{
			{0, alice, signals, true, 0},
			{0, alice, signals, false, time.Second}, {0, alice, signals, false, time.Second}, {0, alice, signals, false, time.Second},
			{time.Second, alice, signals, true, 0},
		}},
		{"the bucket refills to the burst, not beyond", Limit{PerMinute: 60, Burst: 2}, []step{
			{0, alice, signals, true, 0}, {0, alice, signals, true, 0},
			{time.Hour, alice, signals, true, 0}, {0, alice, signals, true, 0}, {0, alice, signals, false, time.Second},
		}},
		{"a wait under a second is announced as one second", Limit{PerMinute: 600, Burst: 1}, []step{
			{0, alice, signals, true, 0}, {0, alice, signals, false, time.Second},
			{100 * time.Millisecond, alice, signals, true, 0},
		}},
		{"each user and each name has its own bucket", Limit{PerMinute: 1, Burst: 1}, []step{
			{0, alice, signals, true, 0}, {0, alice, signals, false, time.Minute},
			{0, bob, signals, true, 0},
			{0, alice, "/api/v1/employers/:id/overview", true, 0},
		}},
		{"a zero limit takes the defaults", Limit{}, []step{
			{0, alice, "overview", true, 0}, {0, alice, "overview", true, 0}, {0, alice, "overview", true, 0},
			{0, alice, "overview", true, 0}, {0, alice, "overview", true, 0}, {0, alice, "overview", true, 0},
			{0, alice, "overview", true, 0}, {0, alice, "overview", true, 0}, {0, alice, "overview", true, 0},
			{0, alice, "overview", true, 0}, {0, alice, "overview", true, 0}, {0, alice, "overview", true, 0},
			{0, alice, "overview", true, 0}, {0, alice, "overview", true, 0}, {0, alice, "overview", true, 0},
			{0, alice, "overview", true, 0}, {0, alice, "overview", true, 0}, {0, alice, "overview", true, 0},
			{0, alice, "overview", true, 0}, {0, alice, "overview", true, 0},
			{0, alice, "overview", false, time.Second},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := New(tt.limit)
			if err != nil {
				t.Fatalf("New(%+v): %v", tt.limit, err)
			}
			now := start
			for i, st := range tt.steps {
				now = now.Add(st.advance)
				wait, ok := l.Take(st.user, st.name, now)
				if ok != st.wantOK || wait != st.wantWait {
					t.Errorf("step %d: Take(%v, %q) at +%s = (%s, %v), want (%s, %v)", i, st.user, st.name, now.Sub(start), wait, ok, st.wantWait, st.wantOK)
				}
			}
		})
	}
}

func TestNewRejectsANegativeLimit(t *testing.T) {
	for _, limit := range []Limit{{PerMinute: -1}, {Burst: -1}, {PerMinute: -1, Burst: -1}} {
		t.Run("", func(t *testing.T) {
			if _, err := New(limit); err == nil || !strings.Contains(err.Error(), "negative") {
				t.Errorf("New(%+v) error = %v, want one saying negative", limit, err)
			}
		})
	}
}

func TestLimiterForgetsFullBuckets(t *testing.T) {
	l, _ := New(Limit{PerMinute: 60, Burst: 10})
	for range 1000 {
		l.Take(uuid.New(), "/api/v1/signals", start)
	}
	if got := l.size(); got != 1000 {
		t.Fatalf("buckets after 1000 callers = %d, want 1000", got)
	}
	l.Take(uuid.New(), "/api/v1/signals", start.Add(10*time.Second)) // time to fill a bucket
	if got := l.size(); got != 1 {
		t.Errorf("buckets after they refilled = %d, want 1 (the new caller's)", got)
	}
}

func TestLimiterIsSafeForConcurrentUse(t *testing.T) {
	l, _ := New(Limit{PerMinute: 60, Burst: 25})
	user := uuid.New()
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, ok := l.Take(user, "/api/v1/signals", start); ok {
				allowed.Add(1)
			}
		}()
	}
	wg.Wait()
	if got := allowed.Load(); got != 25 {
		t.Errorf("200 concurrent takes of a bucket of 25 allowed %d, want 25", got)
	}
}
