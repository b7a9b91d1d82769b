package identity

import (
	"context"
	"errors"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/arbokluis/arbokluis/internal/derrors"
)

func TestRetryAt(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	account := Counter{Scope: ScopeLoginAccount, Key: []byte("a"), Limit: Limit{Max: 3, Window: time.Minute}}
	client := Counter{Scope: ScopeLoginClient, Key: []byte{192, 0, 2, 1}, Limit: Limit{Max: 5, Window: time.Minute}}
	state := func(c Counter, attempts int, ends time.Duration) CounterState {
		return CounterState{Scope: c.Scope, Key: c.Key, Attempts: attempts, WindowEnds: now.Add(ends)}
	}
	tests := []struct {
		name    string
		states  []CounterState
		blocked time.Time
		want    time.Time
	}{
		{"first attempts", []CounterState{state(account, 1, time.Minute), state(client, 1, time.Minute)}, time.Time{}, time.Time{}},
		{"at every limit", []CounterState{state(account, 3, 10*time.Second), state(client, 5, 20*time.Second)}, time.Time{}, time.Time{}},
		{"account over", []CounterState{state(account, 4, 10*time.Second), state(client, 2, 20*time.Second)}, time.Time{}, now.Add(10 * time.Second)},
		{"client over", []CounterState{state(account, 1, 10*time.Second), state(client, 6, 20*time.Second)}, time.Time{}, now.Add(20 * time.Second)},
		{"both over: the later window", []CounterState{state(account, 9, 40*time.Second), state(client, 6, 20*time.Second)}, time.Time{}, now.Add(40 * time.Second)},
		{"back-off running", []CounterState{state(account, 1, time.Minute)}, now.Add(8 * time.Second), now.Add(8 * time.Second)},
		{"back-off over", []CounterState{state(account, 1, time.Minute)}, now.Add(-time.Second), time.Time{}},
		{"back-off later than a window", []CounterState{state(account, 4, 5*time.Second)}, now.Add(time.Minute), now.Add(time.Minute)},
		{"window ending now", []CounterState{state(account, 4, 0)}, time.Time{}, now.Add(time.Second)},
		{"a state of another key", []CounterState{{Scope: ScopeLoginAccount, Key: []byte("b"), Attempts: 99, WindowEnds: now.Add(time.Hour)}}, time.Time{}, time.Time{}},
		{"no states", nil, time.Time{}, time.Time{}},
		{"a window opened by a later clock reading", []CounterState{state(account, 4, time.Minute+300*time.Millisecond)}, time.Time{}, now.Add(time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RetryAt([]Counter{account, client}, tt.states, tt.blocked, now); !got.Equal(tt.want) {
				t.Errorf("RetryAt(%v, blocked %v) = %v, want %v", tt.states, tt.blocked, got, tt.want)
			}
		})
	}
}

func TestHashSlots(t *testing.T) {
	tests := []struct {
		budget uint64
		memory uint32
		want   int
	}{
		{DefaultHashMemoryBudget, DefaultPasswordParams.Memory, 16},
		{1024 * 1024, 8 * 1024, 128},
		{100 * 1024, 64 * 1024, 1}, // less than one hash: still one
		{8 * 1024, 8 * 1024, 1},
		{0, 64 * 1024, 1},
		{64 * 1024, 0, 1},
	}
	for _, tt := range tests {
		if got := HashSlots(tt.budget, tt.memory); got != tt.want {
			t.Errorf("HashSlots(%d KiB, %d KiB) = %d, want %d", tt.budget, tt.memory, got, tt.want)
		}
	}
}

// TestHashGateRefusesWhenFull: with every slot held, a hash is refused
// after the short wait with a 503-kind error carrying Retry-After; once a
// slot is free it runs and is counted.
func TestHashGateRefusesWhenFull(t *testing.T) {
	var calls atomic.Int64
	g := newHashGate(2, 20*time.Millisecond, func() { calls.Add(1) })
	r1, err1 := g.acquire(context.Background())
	r2, err2 := g.acquire(context.Background())
	if err1 != nil || err2 != nil {
		t.Fatalf("acquire two of two slots = %v, %v; want both", err1, err2)
	}
	start := time.Now()
	ran := false
	err := g.run(context.Background(), func() { ran = true })
	var ra interface{ RetryAfter() time.Duration }
	if !errors.Is(err, derrors.ErrUnavailable) || !errors.As(err, &ra) || ra.RetryAfter() != time.Second || ran {
		t.Fatalf("run with every slot held = %v (ran %v), want ErrUnavailable with RetryAfter 1s, not run", err, ran)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("run with every slot held waited %v, want the short wait only", d)
	}
	r1()
	if err := g.run(context.Background(), func() { ran = true }); err != nil || !ran || calls.Load() != 1 || g.count.Load() != 1 {
		t.Errorf("run with a slot free = %v (ran %v, hook %d, count %d), want it run and counted once", err, ran, calls.Load(), g.count.Load())
	}
	r2()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var wg sync.WaitGroup
	hold, release := make(chan struct{}), make(chan struct{})
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.run(context.Background(), func() { hold <- struct{}{}; <-release }) //nolint:errcheck // slots are free
		}()
		<-hold
	}
	if err := g.run(ctx, func() {}); !errors.Is(err, context.Canceled) && !errors.Is(err, derrors.ErrUnavailable) {
		t.Errorf("run with a cancelled context and every slot held = %v, want the context's error or ErrUnavailable", err)
	}
	close(release)
	wg.Wait()
}

// TestThrottleResetNeedsClientIP: a password-reset attempt without a client
// address in its context is invalid input, refused before any counting.
func TestThrottleResetNeedsClientIP(t *testing.T) {
	s := &Service{}
	if err := s.throttleReset(context.Background(), ScopeResetAddress, []byte("k")); !errors.Is(err, derrors.ErrInvalid) {
		t.Errorf("throttleReset without a client IP = %v, want ErrInvalid", err)
	}
	ip := netip.MustParseAddr("192.0.2.4")
	if got, ok := clientIPFrom(WithClientIP(context.Background(), ip)); !ok || got != ip {
		t.Errorf("clientIPFrom(WithClientIP(%v)) = %v, %v; want it back", ip, got, ok)
	}
}
