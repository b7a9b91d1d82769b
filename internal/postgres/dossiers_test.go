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

// TestDossierStore: a dossier is opened once per employee, reads back
// with its event (and none when the read is refused), carries a declared
// emergency access for its physician only, and closes once; an employee
// without a dossier has none to read.
func TestDossierStore(t *testing.T) {
	w := newWorld(t)
	store := postgres.NewDossierStore(w.med)
	employee, physician, lead := uuid.New(), uuid.New(), uuid.New()

	d := w.dossier(employee, physician)
	if again, err := store.Open(w.ctx, employee, uuid.New()); err != nil || again.ID != d.ID || again.ResponsiblePhysicianID != physician {
		t.Errorf("Open(again) = %+v, %v; want the first dossier %+v", again, err, d)
	}
	if d.EmployeeID != employee || d.Status != "open" || d.KeyName != "dossier-"+d.ID.String()+"-g1" || !d.KeyReadyAt.IsZero() {
		t.Errorf("Open = %+v; want an open dossier of the employee, key g1 not ready", d)
	}
	if err := store.MarkKeyReady(w.ctx, d.ID); err != nil {
		t.Fatalf("MarkKeyReady: %v", err)
	}
	if got, until, err := store.Lookup(w.ctx, employee, physician); err != nil || got.ID != d.ID || got.KeyReadyAt.IsZero() || !until.IsZero() {
		t.Errorf("Lookup = %+v, %v, %v; want the dossier, key ready, no emergency access", got, until, err)
	}
	if got, _, err := store.Lookup(w.ctx, uuid.New(), physician); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Lookup(employee without a dossier) = %+v, %v; want derrors.ErrNotFound", got, err)
	}

	ev := testEvent(physician, audit.ActionRead, "dossier")
	if got, err := store.Read(w.ctx, employee, physician, allowDossier(ev)); err != nil || got.ID != d.ID {
		t.Errorf("Read = %+v, %v; want the dossier", got, err)
	}
	if n := w.events(ev.RequestID); n != 1 {
		t.Errorf("Read stored %d events, want 1", n)
	}
	refused := testEvent(physician, audit.ActionRead, "dossier")
	if _, err := store.Read(w.ctx, employee, physician, func(dossier.Dossier, time.Time) (audit.Event, error) {
		return refused, derrors.ErrNotFound
	}); !errors.Is(err, derrors.ErrNotFound) || w.events(refused.RequestID) != 0 {
		t.Errorf("Read(refused) = %v with %d events; want the refusal and no event", err, w.events(refused.RequestID))
	}

	expires := time.Now().UTC().Add(time.Hour).Truncate(time.Microsecond)
	if _, err := store.DeclareEmergency(w.ctx, employee, dossier.EmergencyAccess{ID: uuid.New(), PhysicianID: lead,
		ReasonCiphertext: "vault:v1:reason", ExpiresAt: expires}, func(d dossier.Dossier) audit.Event {
		return testEvent(lead, audit.ActionEmergencyAccess, "dossier")
	}); err != nil {
		t.Fatalf("DeclareEmergency: %v", err)
	}
	if _, until, err := store.Lookup(w.ctx, employee, lead); err != nil || !until.Equal(expires) {
		t.Errorf("Lookup(by the lead physician) = until %v, %v; want %v", until, err, expires)
	}
	if _, until, err := store.Lookup(w.ctx, employee, physician); err != nil || !until.IsZero() {
		t.Errorf("Lookup(by another physician) = until %v, %v; want none", until, err)
	}

	closeIt := func() error {
		return store.Close(w.ctx, employee, physician, allowDossier(testEvent(physician, audit.ActionUpdate, "dossier")))
	}
	if err := closeIt(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got, _, err := store.Lookup(w.ctx, employee, physician); err != nil || got.Status != "closed" {
		t.Errorf("Lookup after Close = %+v, %v; want status closed", got, err)
	}
	if err := closeIt(); !errors.Is(err, derrors.ErrConflict) {
		t.Errorf("Close(closed dossier) = %v, want derrors.ErrConflict", err)
	}
}
