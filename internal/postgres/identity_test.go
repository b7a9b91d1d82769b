package postgres_test

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// TestSessionLifetime drives IdentityStore with an injected clock: a session
// lives until its absolute expiry, but dies after idling longer than the
// idle timeout, and a TOTP step can be consumed once.
func TestSessionLifetime(t *testing.T) {
	env := testenv.Load(t)
	store := postgres.NewIdentityStore(testenv.Pool(t, env.HRURL))
	ctx := context.Background()
	id := uuid.New()
	if err := store.CreateUser(ctx, identity.NewUser{
		ID: id, Email: "s-" + id.String() + "@example.test", DisplayName: "S",
		Secrets: identity.Secrets{PasswordHash: "x", TOTPCiphertext: "vault:v1:x"}, Grant: access.Grant{Role: access.RoleCaseManager},
		Event: audit.Event{Action: audit.ActionGrant, ObjectKind: "user", Outcome: audit.OutcomeOK},
	}); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	t0 := time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)
	ip := netip.MustParseAddr("192.0.2.1")
	login := func(step int64, tokenHash []byte) error {
		return store.CompleteLogin(ctx, identity.CompletedLogin{
			UserID: id, TOTPStep: step, AccountKey: []byte("k"), ClientIP: ip, TokenHash: tokenHash,
			Now: t0, ExpiresAt: t0.Add(12 * time.Hour),
			Event: audit.Event{ActorUserID: id, Action: audit.ActionLogin, ObjectKind: "session", Outcome: audit.OutcomeOK},
		})
	}
	_, hash, _ := identity.NewToken()
	if err := login(100, hash); err != nil {
		t.Fatalf("CompleteLogin(step 100): %v", err)
	}
	_, other, _ := identity.NewToken()
	if err := login(100, other); !errors.Is(err, derrors.ErrConflict) {
		t.Errorf("CompleteLogin(step 100 again) = %v, want ErrConflict (replay)", err)
	}

	steps := []struct {
		at   time.Duration
		idle time.Duration
		ok   bool
	}{
		{10 * time.Minute, 30 * time.Minute, true},          // seen at +10m
		{39 * time.Minute, 30 * time.Minute, true},          // 29m idle; seen at +39m
		{70 * time.Minute, 30 * time.Minute, false},         // 31m idle
		{11 * time.Hour, 24 * time.Hour, true},              // a long idle limit keeps it alive…
		{12*time.Hour + time.Second, 24 * time.Hour, false}, // …until the absolute expiry
	}
	for _, st := range steps {
		p, err := store.Authenticate(ctx, hash, t0.Add(st.at), st.idle)
		if st.ok && (err != nil || p.UserID != id || len(p.Grants) != 1) {
			t.Errorf("Authenticate at +%v (idle %v) = %+v, %v; want the user with one grant", st.at, st.idle, p, err)
		}
		if !st.ok && !errors.Is(err, derrors.ErrUnauthenticated) {
			t.Errorf("Authenticate at +%v (idle %v) = %v, want ErrUnauthenticated", st.at, st.idle, err)
		}
	}
}

// TestReserveAttemptIsAtomic: 40 reservations at once on one counter with
// a limit of 5 allow exactly 5, and the refused ones are not counted; the
// window starts over once it ended, and the sweep deletes ended counters
// only. On a database of its own: the sweep is service-wide.
func TestReserveAttemptIsAtomic(t *testing.T) {
	env := testenv.FreshDatabase(t)
	pool := testenv.Pool(t, env.HRURL)
	store := postgres.NewIdentityStore(pool)
	ctx := context.Background()
	key := []byte(uuid.NewString())
	limit := identity.Limit{Max: 5, Window: time.Minute}
	counters := []identity.Counter{{Scope: identity.ScopeResetLink, Key: key, Limit: limit}}
	now := time.Now().Truncate(time.Microsecond)
	results := make(chan time.Time, 40)
	errs := make(chan error, 40)
	for range 40 {
		go func() {
			retry, err := store.ReserveAttempt(ctx, counters, now)
			errs <- err
			results <- retry
		}()
	}
	allowed := 0
	for range 40 {
		if err := <-errs; err != nil {
			t.Fatalf("ReserveAttempt: %v", err)
		}
		retry := <-results
		switch {
		case retry.IsZero():
			allowed++
		case !retry.Equal(now.Add(time.Minute)):
			t.Errorf("ReserveAttempt refused until %v, want the window's end %v", retry, now.Add(time.Minute))
		}
	}
	if allowed != limit.Max {
		t.Errorf("40 parallel ReserveAttempt with a limit of %d allowed %d, want %d", limit.Max, allowed, limit.Max)
	}
	var attempts int
	if err := pool.QueryRow(ctx, `SELECT attempts FROM hr.auth_attempts WHERE scope = $1 AND key = $2`,
		string(identity.ScopeResetLink), key).Scan(&attempts); err != nil || attempts != limit.Max {
		t.Errorf("counted attempts = %d, %v; want %d (refused ones are not counted)", attempts, err, limit.Max)
	}
	if retry, err := store.ReserveAttempt(ctx, counters, now.Add(time.Minute)); err != nil || !retry.IsZero() {
		t.Errorf("ReserveAttempt once the window ended = %v, %v; want allowed", retry, err)
	}
	if _, err := store.SweepAttempts(ctx, now.Add(90*time.Second), time.Minute); err != nil {
		t.Fatalf("SweepAttempts: %v", err)
	}
	if err := pool.QueryRow(ctx, `SELECT attempts FROM hr.auth_attempts WHERE scope = $1 AND key = $2`,
		string(identity.ScopeResetLink), key).Scan(&attempts); err != nil || attempts != 1 {
		t.Errorf("the counter of a running window after a sweep = %d, %v; want kept with 1 attempt", attempts, err)
	}
	if _, err := store.SweepAttempts(ctx, now.Add(3*time.Minute), time.Minute); err != nil {
		t.Fatalf("SweepAttempts: %v", err)
	}
	err := pool.QueryRow(ctx, `SELECT attempts FROM hr.auth_attempts WHERE scope = $1 AND key = $2`,
		string(identity.ScopeResetLink), key).Scan(&attempts)
	if !errors.Is(err, pgx.ErrNoRows) {
		t.Errorf("the counter after its window ended and a sweep: %v, want deleted", err)
	}
}
