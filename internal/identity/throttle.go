package identity

import (
	"context"
	"fmt"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/arbokluis/arbokluis/internal/derrors"
)

// Scope names one kind of attempt counter.
type Scope string

// The attempt counters. Logins count per account (across every client
// address), per client address (across accounts) and in total; password
// resets per address (the request) or per link (the completion), and per
// client address.
const (
	ScopeLoginAccount Scope = "login_account"
	ScopeLoginClient  Scope = "login_client"
	ScopeLoginTotal   Scope = "login_total"
	ScopeResetAddress Scope = "reset_address"
	ScopeResetLink    Scope = "reset_link"
	ScopeResetClient  Scope = "reset_client"
)

// Limit allows Max attempts per fixed Window, which starts at the first
// attempt after the previous one ended.
type Limit struct {
	Max    int
	Window time.Duration
}

// Limits are the attempt limits of logins and password resets. A zero
// field takes its DefaultLimits value.
type Limits struct {
	LoginAccount, LoginClient, LoginTotal Limit
	ResetAddress, ResetClient             Limit
}

// DefaultLimits allow 20 logins per account and 100 per client address in
// 15 minutes (ASVS 4.0 V2.2.1: at most 100 failures an hour on one
// account), 2,000 service-wide, and 5 password-reset requests per address
// and 20 per client address in an hour.
var DefaultLimits = Limits{
	LoginAccount: Limit{Max: 20, Window: 15 * time.Minute},
	LoginClient:  Limit{Max: 100, Window: 15 * time.Minute},
	LoginTotal:   Limit{Max: 2000, Window: 15 * time.Minute},
	ResetAddress: Limit{Max: 5, Window: time.Hour},
	ResetClient:  Limit{Max: 20, Window: time.Hour},
}

// withDefaults fills each zero limit from DefaultLimits.
func (l Limits) withDefaults() Limits {
	fill := func(v *Limit, d Limit) {
		if v.Max <= 0 {
			v.Max = d.Max
		}
		if v.Window <= 0 {
			v.Window = d.Window
		}
	}
	fill(&l.LoginAccount, DefaultLimits.LoginAccount)
	fill(&l.LoginClient, DefaultLimits.LoginClient)
	fill(&l.LoginTotal, DefaultLimits.LoginTotal)
	fill(&l.ResetAddress, DefaultLimits.ResetAddress)
	fill(&l.ResetClient, DefaultLimits.ResetClient)
	return l
}

// Counter is one attempt counter to reserve an attempt on.
type Counter struct {
	Scope Scope
	Key   []byte
	Limit Limit
}

// CounterState is a counter after an attempt was counted on it: the
// attempts in its window, this one included, and when the window ends.
type CounterState struct {
	Scope      Scope
	Key        []byte
	Attempts   int
	WindowEnds time.Time
}

// RetryAt decides a reservation: given the counters and their states after
// the attempt was counted, and when the (account, client) back-off ends
// (zero: none), it returns the zero time when the attempt may go on, or
// else the earliest time at which every exhausted counter has a new window
// and the back-off has ended, at most one window from now. A counter
// without a state is not exhausted.
func RetryAt(counters []Counter, states []CounterState, blockedUntil, now time.Time) time.Time {
	var retry time.Time
	if now.Before(blockedUntil) {
		retry = blockedUntil
	}
	for _, c := range counters {
		for _, st := range states {
			if st.Scope != c.Scope || string(st.Key) != string(c.Key) {
				continue
			}
			// A window never ends later than one window from now: a
			// concurrent attempt that read the clock a moment after this
			// one may have opened it.
			ends := st.WindowEnds
			if latest := now.Add(c.Limit.Window); ends.After(latest) {
				ends = latest
			}
			if st.Attempts > c.Limit.Max && ends.After(retry) {
				retry = ends
			}
		}
	}
	if !retry.IsZero() && !retry.After(now) {
		retry = now.Add(time.Second) // a window ending right now: try again in a moment
	}
	return retry
}

// errThrottled is an attempt refused by a limit: 429 with Retry-After.
type errThrottled struct{ wait time.Duration }

func (e errThrottled) Error() string {
	return fmt.Sprintf("identity: too many attempts; retry in %s", e.wait)
}

func (e errThrottled) Unwrap() error { return derrors.ErrThrottled }

// RetryAfter is how long the caller must wait.
func (e errThrottled) RetryAfter() time.Duration { return e.wait }

// throttled returns the error for an attempt refused until retry.
func throttled(retry, now time.Time) error {
	return errThrottled{wait: max(retry.Sub(now), time.Second)}
}

// errHashesBusy is a password hash refused because every hash slot is in
// use: 503 with Retry-After.
type errHashesBusy struct{}

func (errHashesBusy) Error() string { return "identity: every password hash slot is busy" }

func (errHashesBusy) Unwrap() error { return derrors.ErrUnavailable }

// RetryAfter is how long the caller should wait.
func (errHashesBusy) RetryAfter() time.Duration { return time.Second }

// DefaultHashMemoryBudget is the memory, in KiB, that password hashes may
// use at once when Options.HashMemoryBudget is zero: 1 GiB, 16 hashes at
// the default cost.
const DefaultHashMemoryBudget = 1024 * 1024

// DefaultHashWait is how long a password hash waits for a free slot when
// Options.HashWait is zero.
const DefaultHashWait = 50 * time.Millisecond

// HashSlots returns how many password hashes of memory KiB each fit in
// budget KiB: at least one.
func HashSlots(budget uint64, memory uint32) int {
	if memory == 0 {
		return 1
	}
	return int(max(budget/uint64(memory), 1))
}

// hashGate bounds the password hashes running at once. A hash waits at most
// wait for a slot; then it is refused, never queued.
type hashGate struct {
	slots  chan struct{}
	wait   time.Duration
	onHash func()
	count  atomic.Int64
}

func newHashGate(slots int, wait time.Duration, onHash func()) *hashGate {
	return &hashGate{slots: make(chan struct{}, slots), wait: wait, onHash: onHash}
}

// acquire takes a slot and returns its release, or errHashesBusy when none
// frees within the wait; ctx ending is its error.
func (g *hashGate) acquire(ctx context.Context) (func(), error) {
	select {
	case g.slots <- struct{}{}:
	default:
		t := time.NewTimer(g.wait)
		defer t.Stop()
		select {
		case g.slots <- struct{}{}:
		case <-t.C:
			return nil, errHashesBusy{}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return func() { <-g.slots }, nil
}

// run evaluates one password hash in a slot.
func (g *hashGate) run(ctx context.Context, hash func()) error {
	release, err := g.acquire(ctx)
	if err != nil {
		return err
	}
	defer release()
	g.count.Add(1)
	if g.onHash != nil {
		g.onHash()
	}
	hash()
	return nil
}

// PasswordHashes returns how many password hashes (argon2id evaluations
// for logins, invitations and console users) the service has run.
func (s *Service) PasswordHashes() int64 { return s.gate.count.Load() }

// hashPassword hashes pw in a hash slot; errHashesBusy (503 with
// Retry-After) when none is free.
func (s *Service) hashPassword(ctx context.Context, pw string) (string, error) {
	var (
		hash string
		err  error
	)
	if gateErr := s.gate.run(ctx, func() { hash, err = HashPassword(pw, s.opts.PasswordParams) }); gateErr != nil {
		return "", gateErr
	}
	return hash, err
}

// verifyPassword checks pw against encoded in a hash slot; errHashesBusy
// when none is free.
func (s *Service) verifyPassword(ctx context.Context, encoded, pw string) (bool, error) {
	var (
		ok  bool
		err error
	)
	if gateErr := s.gate.run(ctx, func() { ok, err = VerifyPassword(encoded, pw) }); gateErr != nil {
		return false, gateErr
	}
	return ok, err
}

// loginCounters are the counters a login attempt reserves, in the order
// every transaction locks them: account, client address, total.
func (s *Service) loginCounters(key []byte, ip netip.Addr) []Counter {
	l := s.opts.Limits
	return []Counter{
		{Scope: ScopeLoginAccount, Key: key, Limit: l.LoginAccount},
		{Scope: ScopeLoginClient, Key: ip.AsSlice(), Limit: l.LoginClient},
		{Scope: ScopeLoginTotal, Key: []byte("all"), Limit: l.LoginTotal},
	}
}

// clientIPKey carries the client address of a request into the reset
// routes.
type clientIPKey struct{}

// WithClientIP returns ctx carrying the request's client address, which the
// password-reset routes count attempts by.
func WithClientIP(ctx context.Context, ip netip.Addr) context.Context {
	return context.WithValue(ctx, clientIPKey{}, ip)
}

// clientIPFrom returns the client address WithClientIP put in ctx.
func clientIPFrom(ctx context.Context) (netip.Addr, bool) {
	ip, ok := ctx.Value(clientIPKey{}).(netip.Addr)
	return ip, ok && ip.IsValid()
}

// throttleReset reserves one password-reset attempt on key (an address's
// or a link's hash) in scope and on the client address in ctx. A request
// without a client address is derrors.ErrInvalid; an exhausted limit is
// derrors.ErrThrottled with Retry-After, the same whether or not an account
// or link exists behind key.
func (s *Service) throttleReset(ctx context.Context, scope Scope, key []byte) error {
	ip, ok := clientIPFrom(ctx)
	if !ok {
		return fmt.Errorf("identity: password reset without client IP: %w", derrors.ErrInvalid)
	}
	l := s.opts.Limits
	now := s.opts.LimitsNow()
	retry, err := s.store.ReserveAttempt(ctx, []Counter{
		{Scope: scope, Key: key, Limit: l.ResetAddress},
		{Scope: ScopeResetClient, Key: ip.AsSlice(), Limit: l.ResetClient},
	}, now)
	if err != nil {
		return err
	}
	if !retry.IsZero() {
		return throttled(retry, now)
	}
	return nil
}

// SweepAttempts deletes the attempt counters whose window ended and the
// failed-login records quiet for a login window, auditing the denied
// attempts those still held. It returns how many rows it removed. Serve
// runs it every minute; running it in several processes at once is safe.
func (s *Service) SweepAttempts(ctx context.Context) (int, error) {
	return s.store.SweepAttempts(ctx, s.opts.LimitsNow(), s.opts.Limits.LoginAccount.Window)
}
