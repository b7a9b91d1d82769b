package postgres_test

import (
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/notify"
	"github.com/arbokluis/arbokluis/internal/postgres"
)

// TestInvitationStore: an employee invitation links the record and reads
// back through its working link and for its issuer; accepting it
// activates the user with a first notification. Another issuer, an
// unknown or expired link, and an unknown employer find nothing.
func TestInvitationStore(t *testing.T) {
	w := newWorld(t)
	store := postgres.NewIdentityStore(w.hr)
	a := w.employer()
	emp := w.employee(a)
	cm, otherCM := w.user(access.RoleCaseManager, a), w.user(access.RoleCaseManager, a)
	now := time.Now().UTC().Truncate(time.Microsecond)
	token := sha256.Sum256([]byte(uuid.NewString()))
	inv := identity.NewInvitation{ID: uuid.New(), UserID: uuid.New(), Email: "inv-" + uuid.NewString() + "@private.test",
		DisplayName: "Anna Jansen", Grant: identity.GrantRecord{ID: uuid.New(), Role: access.RoleEmployee, EmployerID: a,
			Status: identity.GrantActive, ProposedBy: cm}, EmployeeID: emp, Activation: identity.ActivationInPerson,
		CodeHMAC: "vault:v1:hmac", TokenHash: token[:], CreatedBy: cm, ExpiresAt: now.Add(72 * time.Hour),
		Mail:  notify.Mail{ID: uuid.New(), Subject: "Uitnodiging", Sealed: "vault:v1:sealed"},
		Event: testEvent(cm, audit.ActionCreate, "invitation")}
	userID, err := store.CreateInvitation(w.ctx, inv)
	if err != nil || userID != inv.UserID {
		t.Fatalf("CreateInvitation = %s, %v; want the new user %s", userID, err, inv.UserID)
	}
	// The mail is queued with the invitation, to the invited user; it is
	// taken out again at once, before a sender of another test finds it.
	var mailTo uuid.UUID
	if err := w.owner.QueryRow(w.ctx, `DELETE FROM hr.mail_outbox WHERE id = $1 RETURNING user_id`, inv.Mail.ID).Scan(&mailTo); err != nil || mailTo != userID {
		t.Errorf("the queued invitation mail is to %s (%v), want the invited user %s", mailTo, err, userID)
	}

	p, err := store.InvitedUser(w.ctx, token[:], now)
	if err != nil || p.ID != inv.ID || p.UserID != userID || p.Email != inv.Email || !p.Employee ||
		p.Activation != identity.ActivationInPerson || p.CodeHMAC != inv.CodeHMAC {
		t.Errorf("InvitedUser = %+v, %v; want the pending invitation", p, err)
	}
	other := sha256.Sum256([]byte("unknown"))
	for name, tc := range map[string]struct {
		token []byte
		at    time.Time
	}{"an unknown link": {other[:], now}, "an expired link": {token[:], now.Add(73 * time.Hour)}} {
		if p, err := store.InvitedUser(w.ctx, tc.token, tc.at); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("InvitedUser(%s) = %+v, %v; want derrors.ErrNotFound", name, p, err)
		}
	}
	issued, err := store.IssuedInvitation(w.ctx, inv.ID, cm, now)
	if err != nil || issued.ID != inv.ID || issued.UserID != userID || issued.EmployerID != a || issued.EmployeeID != emp ||
		!issued.HasCode || !issued.Pending || issued.Activation != identity.ActivationInPerson || !issued.ExpiresAt.Equal(inv.ExpiresAt) {
		t.Errorf("IssuedInvitation(by its issuer) = %+v, %v; want the invitation with its employee record", issued, err)
	}
	if got, err := store.IssuedInvitation(w.ctx, inv.ID, otherCM, now); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("IssuedInvitation(by another issuer) = %+v, %v; want derrors.ErrNotFound", got, err)
	}
	if domains, err := store.EmployerMailDomains(w.ctx, uuid.New()); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("EmployerMailDomains(unknown employer) = %v, %v; want derrors.ErrNotFound", domains, err)
	}

	if err := store.AcceptInvitation(w.ctx, identity.AcceptedInvitation{TokenHash: token[:], UserID: userID, Now: now,
		Secrets: identity.Secrets{PasswordHash: "argon2", TOTPCiphertext: "vault:v1:totp"},
		Notice:  identity.Notice{Kind: "welcome", Subject: "Welkom", Body: "Uw account is actief."},
		Event:   testEvent(userID, audit.ActionUpdate, "invitation")}); err != nil {
		t.Fatalf("AcceptInvitation: %v", err)
	}
	if p, err := store.InvitedUser(w.ctx, token[:], now); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("InvitedUser(accepted link) = %+v, %v; want derrors.ErrNotFound", p, err)
	}
	ns, err := store.Notifications(w.ctx, userID, 10)
	if err != nil || len(ns) != 1 || ns[0].Kind != "welcome" || ns[0].Subject != "Welkom" || ns[0].Read || ns[0].CreatedAt.IsZero() {
		t.Errorf("Notifications = %+v, %v; want the unread welcome", ns, err)
	}
	if ns, err := store.Notifications(w.ctx, cm, 10); err != nil || len(ns) != 0 {
		t.Errorf("Notifications(another user) = %+v, %v; want none", ns, err)
	}
}
