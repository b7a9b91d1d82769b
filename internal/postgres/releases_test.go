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
	"github.com/arbokluis/arbokluis/internal/rights"
)

// TestReleaseStore: a release snapshots every entry version of the
// dossier but working notes, once per request, and reads back with those
// entries and its event; it is listed for its employee only, counts its
// copies, and an unknown release is not found.
func TestReleaseStore(t *testing.T) {
	w := newWorld(t)
	store := postgres.NewReleaseStore(w.med)
	entries := postgres.NewDossierStore(w.med)
	employee, physician := uuid.New(), uuid.New()
	d := w.dossier(employee, physician)
	e1 := sealedEntry(d, physician, dossier.KindConsultation, uuid.Nil)
	e2 := sealedEntry(d, physician, dossier.KindConsultation, e1.ID)
	note := sealedEntry(d, physician, dossier.KindWorkingNote, uuid.Nil)
	for _, e := range []dossier.SealedEntry{e1, e2, note} {
		if err := entries.InsertEntry(w.ctx, e, d, testEvent(physician, audit.ActionCreate, "dossier_entry")); err != nil {
			t.Fatalf("InsertEntry: %v", err)
		}
	}

	in := rights.Release{ID: uuid.New(), EmployeeID: employee, RequestID: uuid.New(), ReleasedBy: physician,
		ReleasedAt: time.Now().UTC().Truncate(time.Microsecond)}
	r, err := store.CreateRelease(w.ctx, in, testEvent(physician, audit.ActionRelease, "release"))
	if err != nil || r.ID != in.ID || r.DossierID != d.ID || r.RequestID != in.RequestID || r.Entries != 2 || r.KeyName != d.KeyName ||
		r.Copies != 0 || !r.ReleasedAt.Equal(in.ReleasedAt) {
		t.Fatalf("CreateRelease = %+v, %v; want a release of the dossier's 2 entry versions", r, err)
	}
	again := in
	again.ID = uuid.New()
	if r2, err := store.CreateRelease(w.ctx, again, testEvent(physician, audit.ActionRelease, "release")); err != nil || r2.ID != in.ID {
		t.Errorf("CreateRelease(same request again) = %+v, %v; want the first release %s", r2, err, in.ID)
	}

	ev := testEvent(employee, audit.ActionRead, "release")
	got, items, err := store.Release(w.ctx, in.ID, func(rights.Release) (audit.Event, error) { return ev, nil })
	if ids := ids(items, func(e dossier.SealedEntry) uuid.UUID { return e.ID }); err != nil || got.ID != in.ID || !equalIDs(ids, []uuid.UUID{e1.ID, e2.ID}) {
		t.Errorf("Release = %+v with entries %v, %v; want e1 and e2, no working note", got, ids, err)
	}
	if n := w.events(ev.RequestID); n != 1 {
		t.Errorf("Release stored %d events, want 1", n)
	}
	if got, _, err := store.Release(w.ctx, uuid.New(), func(rights.Release) (audit.Event, error) { return ev, nil }); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Release(unknown id) = %+v, %v; want derrors.ErrNotFound", got, err)
	}
	if rs, err := store.Releases(w.ctx, employee); err != nil || len(rs) != 1 || rs[0].ID != in.ID || rs[0].Entries != 2 {
		t.Errorf("Releases(employee) = %+v, %v; want the one release", rs, err)
	}
	if rs, err := store.Releases(w.ctx, uuid.New()); err != nil || len(rs) != 0 {
		t.Errorf("Releases(another employee) = %+v, %v; want none", rs, err)
	}
	for want := range 2 {
		if before, err := store.CountCopy(w.ctx, in.ID, testEvent(employee, audit.ActionPrint, "release")); err != nil || before != want {
			t.Errorf("CountCopy #%d = %d, %v; want %d copies before", want+1, before, err, want)
		}
	}
}
