package postgres_test

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// TestMyAccountStore: a user lists only their own live sessions, ends only
// their own, and a password change keeps the session asking and ends the
// user's other sessions only.
func TestMyAccountStore(t *testing.T) {
	env := testenv.Load(t)
	store := postgres.NewIdentityStore(testenv.Pool(t, env.HRURL))
	ctx := context.Background()
	t0 := time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC)
	ip := netip.MustParseAddr("192.0.2.7")
	addUser := func() uuid.UUID {
		id := uuid.New()
		if err := store.CreateUser(ctx, identity.NewUser{
			ID: id, Email: "m-" + id.String() + "@example.test", DisplayName: "M",
			Secrets: identity.Secrets{PasswordHash: "old", TOTPCiphertext: "vault:v1:x"}, Grant: access.Grant{Role: access.RolePhysician},
			Event: audit.Event{Action: audit.ActionGrant, ObjectKind: "user", Outcome: audit.OutcomeOK},
		}); err != nil {
			t.Fatalf("CreateUser: %v", err)
		}
		return id
	}
	step := int64(1000)
	session := func(user uuid.UUID, at time.Time) []byte {
		_, hash, _ := identity.NewToken()
		step++
		if err := store.CompleteLogin(ctx, identity.CompletedLogin{UserID: user, TOTPStep: step, AccountKey: []byte("k"),
			ClientIP: ip, TokenHash: hash, Now: at, ExpiresAt: at.Add(12 * time.Hour),
			Event: audit.Event{ActorUserID: user, Action: audit.ActionLogin, ObjectKind: "session", Outcome: audit.OutcomeOK}}); err != nil {
			t.Fatalf("CompleteLogin: %v", err)
		}
		return hash
	}
	ev := func(user uuid.UUID) audit.Event {
		return audit.Event{ActorUserID: user, Action: audit.ActionLogout, ObjectKind: "session", Outcome: audit.OutcomeOK}
	}
	alive := func(hash []byte, at time.Time) bool {
		_, err := store.Authenticate(ctx, hash, at, time.Hour)
		return err == nil
	}
	me, other := addUser(), addUser()
	a, b, c := session(me, t0), session(me, t0.Add(time.Minute)), session(me, t0.Add(2*time.Minute))
	theirs := session(other, t0)
	now := t0.Add(5 * time.Minute)

	t.Run("live sessions are the user's own, newest first", func(t *testing.T) {
		got, err := store.LiveSessions(ctx, me, now, time.Hour)
		if err != nil || len(got) != 3 || string(got[0].TokenHash) != string(c) || string(got[2].TokenHash) != string(a) {
			t.Fatalf("LiveSessions(me) = %d sessions, %v; want c, b, a", len(got), err)
		}
		if got, _ := store.LiveSessions(ctx, me, t0.Add(13*time.Hour), 24*time.Hour); len(got) != 0 {
			t.Errorf("LiveSessions(me, after expiry) = %d sessions, want 0", len(got))
		}
		if got, _ := store.LiveSessions(ctx, me, t0.Add(2*time.Hour), time.Hour); len(got) != 0 {
			t.Errorf("LiveSessions(me, idle 2h > 1h) = %d sessions, want 0", len(got))
		}
	})
	t.Run("another user's session is never ended", func(t *testing.T) {
		n, err := store.EndSessions(ctx, me, [][]byte{theirs}, now, ev(me))
		if err != nil || n != 0 {
			t.Errorf("EndSessions(me, their session) = %d, %v; want 0, nil", n, err)
		}
		if !alive(theirs, now) {
			t.Errorf("EndSessions(me, their session) ended it")
		}
	})
	t.Run("ending own session", func(t *testing.T) {
		n, err := store.EndSessions(ctx, me, [][]byte{b}, now, ev(me))
		if err != nil || n != 1 {
			t.Fatalf("EndSessions(me, b) = %d, %v; want 1, nil", n, err)
		}
		if alive(b, now) || !alive(a, now) || !alive(c, now) {
			t.Errorf("after EndSessions(me, b): b alive %v, a alive %v, c alive %v; want false, true, true",
				alive(b, now), alive(a, now), alive(c, now))
		}
		if n, _ := store.EndSessions(ctx, me, [][]byte{b}, now, ev(me)); n != 0 {
			t.Errorf("EndSessions(me, b again) = %d, want 0", n)
		}
	})
	t.Run("password change keeps the asking session only", func(t *testing.T) {
		err := store.ChangePassword(ctx, identity.PasswordChange{UserID: me, KeepTokenHash: c, PasswordHash: "new", Now: now,
			Notice: identity.Notice{Kind: "password_changed", Subject: "s", Body: "b"},
			Event:  audit.Event{ActorUserID: me, Action: audit.ActionUpdate, ObjectKind: "password", Outcome: audit.OutcomeOK}})
		if err != nil {
			t.Fatalf("ChangePassword: %v", err)
		}
		if _, hash, err := store.OwnCredentials(ctx, me); err != nil || hash != "new" {
			t.Errorf("OwnCredentials after ChangePassword = %q, %v; want new", hash, err)
		}
		if alive(a, now) || !alive(c, now) || !alive(theirs, now) {
			t.Errorf("after ChangePassword keeping c: a alive %v, c alive %v, theirs alive %v; want false, true, true",
				alive(a, now), alive(c, now), alive(theirs, now))
		}
		if _, hash, _ := store.OwnCredentials(ctx, other); hash != "old" {
			t.Errorf("OwnCredentials(other) = %q after my change, want old", hash)
		}
	})
	t.Run("unknown user", func(t *testing.T) {
		if _, _, err := store.OwnCredentials(ctx, uuid.New()); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("OwnCredentials(unknown) = %v, want ErrNotFound", err)
		}
		err := store.ChangePassword(ctx, identity.PasswordChange{UserID: uuid.New(), KeepTokenHash: c, PasswordHash: "x", Now: now,
			Notice: identity.Notice{Kind: "password_changed", Subject: "s", Body: "b"},
			Event:  audit.Event{Action: audit.ActionUpdate, ObjectKind: "password", Outcome: audit.OutcomeOK}})
		if !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("ChangePassword(unknown user) = %v, want ErrNotFound", err)
		}
	})
}
