package postgres_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/postgres"
)

// TestAttachmentsList: a dossier's attachments list without their content,
// oldest first, with one event; a refused list writes no event; an
// employee without a dossier has none.
func TestAttachmentsList(t *testing.T) {
	w := newWorld(t)
	store := postgres.NewDossierStore(w.med)
	employee, other, physician := uuid.New(), uuid.New(), uuid.New()
	d, od := w.dossier(employee, physician), w.dossier(other, physician)
	created := time.Now().UTC().Truncate(time.Microsecond)
	add := func(d dossier.Dossier, at time.Time, ct string) dossier.SealedAttachment {
		t.Helper()
		a := dossier.SealedAttachment{Attachment: dossier.Attachment{ID: uuid.New(), DossierID: d.ID, ContentType: ct, Size: 3,
			AuthorID: physician, CreatedAt: at}, WrappedKey: "vault:v1:key", Nonce: make([]byte, 12), Sealed: []byte{1, 2, 3}}
		if err := store.InsertAttachment(w.ctx, a, d, testEvent(physician, audit.ActionCreate, "attachment")); err != nil {
			t.Fatalf("InsertAttachment: %v", err)
		}
		return a
	}
	second := add(d, created, "image/png")
	first := add(d, created.Add(-time.Hour), "application/pdf")
	add(od, created, "application/pdf")

	ev := testEvent(physician, audit.ActionRead, "dossier_attachments")
	got, err := store.Attachments(w.ctx, employee, physician, allowDossier(ev))
	if err != nil || len(got) != 2 {
		t.Fatalf("Attachments = %+v, %v; want two", got, err)
	}
	for i, want := range []dossier.SealedAttachment{first, second} {
		g := got[i]
		if g.ID != want.ID || g.ContentType != want.ContentType || g.Size != 3 || g.AuthorID != physician ||
			!g.CreatedAt.Equal(want.CreatedAt) || g.Content != nil {
			t.Errorf("Attachments[%d] = %+v; want %+v without content", i, g, want.Attachment)
		}
	}
	if n := w.events(ev.RequestID); n != 1 {
		t.Errorf("Attachments stored %d events, want 1", n)
	}
	refused := testEvent(physician, audit.ActionRead, "dossier_attachments")
	deny := func(dossier.Dossier, time.Time) (audit.Event, error) { return refused, derrors.ErrNotFound }
	if got, err := store.Attachments(w.ctx, employee, physician, deny); !errors.Is(err, derrors.ErrNotFound) || got != nil {
		t.Errorf("Attachments(refused) = %+v, %v; want derrors.ErrNotFound", got, err)
	}
	if n := w.events(refused.RequestID); n != 0 {
		t.Errorf("Attachments(refused) stored %d events, want 0", n)
	}
	if got, err := store.Attachments(w.ctx, uuid.New(), physician, allowDossier(ev)); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Attachments(employee without a dossier) = %+v, %v; want derrors.ErrNotFound", got, err)
	}
}

// TestRunningEmergency: a lead physician's running emergency access reads
// back with its reason ciphertext, the longest running first; an expired
// one, another physician's or another dossier's is not found.
func TestRunningEmergency(t *testing.T) {
	w := newWorld(t)
	store := postgres.NewDossierStore(w.med)
	employee, other, physician, lead := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	w.dossier(employee, physician)
	w.dossier(other, physician)
	now := time.Now().UTC().Truncate(time.Microsecond)
	declare := func(emp uuid.UUID, until time.Time, reason string) dossier.EmergencyAccess {
		t.Helper()
		ea := dossier.EmergencyAccess{ID: uuid.New(), PhysicianID: lead, ReasonCiphertext: reason, ExpiresAt: until}
		if _, err := store.DeclareEmergency(w.ctx, emp, ea, func(dossier.Dossier) audit.Event {
			return testEvent(lead, audit.ActionEmergencyAccess, "dossier")
		}); err != nil {
			t.Fatalf("DeclareEmergency: %v", err)
		}
		return ea
	}
	if _, err := store.RunningEmergency(w.ctx, employee, lead, now); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("RunningEmergency(none declared) = %v, want derrors.ErrNotFound", err)
	}
	declare(employee, now.Add(time.Hour), "vault:v1:short")
	long := declare(employee, now.Add(3*time.Hour), "vault:v1:long")
	got, err := store.RunningEmergency(w.ctx, employee, lead, now)
	if err != nil || got.ID != long.ID || got.ReasonCiphertext != long.ReasonCiphertext || !got.ExpiresAt.Equal(long.ExpiresAt) {
		t.Errorf("RunningEmergency = %+v, %v; want %+v", got, err, long)
	}
	for name, tc := range map[string]struct {
		employee, caller uuid.UUID
		now              time.Time
	}{
		"after it ended":         {employee, lead, now.Add(4 * time.Hour)},
		"by another physician":   {employee, physician, now},
		"of another's dossier":   {other, lead, now},
		"of an unknown employee": {uuid.New(), lead, now},
	} {
		if got, err := store.RunningEmergency(w.ctx, tc.employee, tc.caller, tc.now); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("RunningEmergency(%s) = %+v, %v; want derrors.ErrNotFound", name, got, err)
		}
	}
}
