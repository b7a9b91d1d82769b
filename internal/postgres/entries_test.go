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

// sealedEntry is an entry of d by author, version 1 unless it supersedes
// another.
func sealedEntry(d dossier.Dossier, author uuid.UUID, kind dossier.EntryKind, supersedes uuid.UUID) dossier.SealedEntry {
	e := dossier.SealedEntry{Entry: dossier.Entry{ID: uuid.New(), DossierID: d.ID, Kind: kind, AuthorID: author,
		CreatedAt: time.Now().UTC().Truncate(time.Microsecond), Version: 1, Supersedes: supersedes},
		Ciphertext: "vault:v1:" + uuid.NewString(), KeyVersion: 1}
	if supersedes != uuid.Nil {
		e.Version = 2
	}
	return e
}

// TestEntryStore: an entry is stored with its event only while the
// dossier is as the writer saw it, reads back as stored, and a correction
// replaces it in the current list; a working note is listed to its author
// only; nothing of another dossier is reachable through this one.
func TestEntryStore(t *testing.T) {
	w := newWorld(t)
	store := postgres.NewDossierStore(w.med)
	employee, other, physician := uuid.New(), uuid.New(), uuid.New()
	d, od := w.dossier(employee, physician), w.dossier(other, physician)
	read := func(employeeID, reader uuid.UUID) ([]dossier.SealedEntry, error) {
		_, es, err := store.Entries(w.ctx, employeeID, dossier.EntryQuery{ReaderID: reader, Limit: 50},
			allowDossier(testEvent(reader, audit.ActionRead, "dossier")))
		return es, err
	}
	entry := func(employeeID, id uuid.UUID) (dossier.SealedEntry, error) {
		_, e, err := store.Entry(w.ctx, employeeID, id, physician,
			func(dossier.Dossier, time.Time, dossier.SealedEntry) (audit.Event, error) {
				return testEvent(physician, audit.ActionRead, "dossier_entry"), nil
			})
		return e, err
	}

	e1 := sealedEntry(d, physician, dossier.KindConsultation, uuid.Nil)
	e1.OccurredOn = day("2026-01-05")
	ev := testEvent(physician, audit.ActionCreate, "dossier_entry")
	if err := store.InsertEntry(w.ctx, e1, d, ev); err != nil {
		t.Fatalf("InsertEntry: %v", err)
	}
	if n := w.events(ev.RequestID); n != 1 {
		t.Errorf("InsertEntry stored %d events, want 1", n)
	}
	got, err := entry(employee, e1.ID)
	if err != nil || got.ID != e1.ID || got.DossierID != d.ID || got.Kind != e1.Kind || got.AuthorID != physician ||
		!got.OccurredOn.Equal(e1.OccurredOn) || !got.CreatedAt.Equal(e1.CreatedAt) || got.Ciphertext != e1.Ciphertext ||
		got.Version != 1 || got.KeyVersion != 1 || got.SupersededBy != uuid.Nil {
		t.Errorf("Entry(e1) = %+v, %v; want %+v", got, err, e1)
	}

	// The guard: a dossier no longer as the writer saw it stores nothing.
	stale := d
	stale.KeyName = "dossier-" + d.ID.String() + "-g2"
	refused := sealedEntry(d, physician, dossier.KindNote, uuid.Nil)
	ev = testEvent(physician, audit.ActionCreate, "dossier_entry")
	if err := store.InsertEntry(w.ctx, refused, stale, ev); !errors.Is(err, derrors.ErrConflict) {
		t.Errorf("InsertEntry(another key than the dossier's) = %v, want derrors.ErrConflict", err)
	}
	if _, err := entry(employee, refused.ID); !errors.Is(err, derrors.ErrNotFound) || w.events(ev.RequestID) != 0 {
		t.Errorf("after a refused InsertEntry: Entry = %v, %d events; want nothing stored", err, w.events(ev.RequestID))
	}
	foreign := sealedEntry(od, physician, dossier.KindNote, uuid.Nil)
	if err := store.InsertEntry(w.ctx, foreign, od, testEvent(physician, audit.ActionCreate, "dossier_entry")); err != nil {
		t.Fatalf("InsertEntry(other dossier): %v", err)
	}
	if err := store.InsertEntry(w.ctx, sealedEntry(d, physician, dossier.KindNote, foreign.ID), d,
		testEvent(physician, audit.ActionCreate, "dossier_entry")); !errors.Is(err, derrors.ErrConflict) {
		t.Errorf("InsertEntry(correcting another dossier's entry) = %v, want derrors.ErrConflict", err)
	}
	if got, err := entry(employee, foreign.ID); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Entry(another dossier's entry) = %+v, %v; want derrors.ErrNotFound", got, err)
	}

	// A correction, and a working note.
	e2 := sealedEntry(d, physician, dossier.KindConsultation, e1.ID)
	note := sealedEntry(d, physician, dossier.KindWorkingNote, uuid.Nil)
	for _, e := range []dossier.SealedEntry{e2, note} {
		if err := store.InsertEntry(w.ctx, e, d, testEvent(physician, audit.ActionCreate, "dossier_entry")); err != nil {
			t.Fatalf("InsertEntry(%s): %v", e.Kind, err)
		}
	}
	if got, err := entry(employee, e1.ID); err != nil || got.SupersededBy != e2.ID {
		t.Errorf("Entry(corrected e1) = %+v, %v; want it superseded by %s", got, err, e2.ID)
	}
	for _, tc := range []struct {
		reader uuid.UUID
		name   string
		want   []uuid.UUID
	}{
		{physician, "the author", []uuid.UUID{e2.ID, note.ID}},
		{uuid.New(), "another reader", []uuid.UUID{e2.ID}},
	} {
		es, err := read(employee, tc.reader)
		if ids := ids(es, func(e dossier.SealedEntry) uuid.UUID { return e.ID }); err != nil || !equalIDs(ids, tc.want) {
			t.Errorf("Entries(read by %s) = %v, %v; want %v", tc.name, ids, err, tc.want)
		}
	}
}

// TestAttachmentAndExposureStore: an attachment is stored with its event
// only for an entry of its own dossier and while the dossier is as the
// writer saw it, and reads back as stored; exposures read back as
// recorded.
func TestAttachmentAndExposureStore(t *testing.T) {
	w := newWorld(t)
	store := postgres.NewDossierStore(w.med)
	employee, other, physician := uuid.New(), uuid.New(), uuid.New()
	d, od := w.dossier(employee, physician), w.dossier(other, physician)
	e := sealedEntry(d, physician, dossier.KindExamination, uuid.Nil)
	foreign := sealedEntry(od, physician, dossier.KindNote, uuid.Nil)
	for _, x := range []struct {
		e dossier.SealedEntry
		d dossier.Dossier
	}{{e, d}, {foreign, od}} {
		if err := store.InsertEntry(w.ctx, x.e, x.d, testEvent(physician, audit.ActionCreate, "dossier_entry")); err != nil {
			t.Fatalf("InsertEntry: %v", err)
		}
	}
	attachment := func(entry uuid.UUID) dossier.SealedAttachment {
		return dossier.SealedAttachment{Attachment: dossier.Attachment{ID: uuid.New(), DossierID: d.ID, EntryID: entry,
			ContentType: "application/pdf", Size: 3, AuthorID: physician, CreatedAt: time.Now().UTC().Truncate(time.Microsecond)},
			WrappedKey: "vault:v1:key", Nonce: make([]byte, 12), Sealed: []byte{1, 2, 3}}
	}
	readAttachment := func(id uuid.UUID) (dossier.SealedAttachment, error) {
		_, a, err := store.Attachment(w.ctx, employee, id, physician, allowDossier(testEvent(physician, audit.ActionRead, "attachment")))
		return a, err
	}

	a := attachment(e.ID)
	ev := testEvent(physician, audit.ActionCreate, "attachment")
	if err := store.InsertAttachment(w.ctx, a, d, ev); err != nil {
		t.Fatalf("InsertAttachment: %v", err)
	}
	got, err := readAttachment(a.ID)
	if err != nil || got.ID != a.ID || got.EntryID != e.ID || got.ContentType != a.ContentType || got.Size != 3 ||
		got.WrappedKey != a.WrappedKey || string(got.Sealed) != string(a.Sealed) || len(got.Nonce) != 12 || !got.CreatedAt.Equal(a.CreatedAt) {
		t.Errorf("Attachment = %+v, %v; want %+v", got, err, a)
	}
	if n := w.events(ev.RequestID); n != 1 {
		t.Errorf("InsertAttachment stored %d events, want 1", n)
	}
	var fe derrors.FieldErrors
	if err := store.InsertAttachment(w.ctx, attachment(foreign.ID), d, testEvent(physician, audit.ActionCreate, "attachment")); !errors.As(err, &fe) || fe["entry_id"] == "" {
		t.Errorf("InsertAttachment(for another dossier's entry) = %v, want a field error on entry_id", err)
	}
	closed := d
	closed.Status, closed.ResponsiblePhysicianID = "open", uuid.New()
	if err := store.InsertAttachment(w.ctx, attachment(uuid.Nil), closed, testEvent(physician, audit.ActionCreate, "attachment")); !errors.Is(err, derrors.ErrConflict) {
		t.Errorf("InsertAttachment(another responsible physician than the dossier's) = %v, want derrors.ErrConflict", err)
	}
	if got, err := readAttachment(uuid.New()); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Attachment(unknown id) = %+v, %v; want derrors.ErrNotFound", got, err)
	}

	x := dossier.Exposure{ID: uuid.New(), DossierID: d.ID, Agent: dossier.AgentCarcinogen, From: day("2019-01-01"), To: day("2020-06-30"),
		RecordedBy: physician, RecordedAt: time.Now().UTC().Truncate(time.Microsecond)}
	if err := store.InsertExposure(w.ctx, x, d, testEvent(physician, audit.ActionCreate, "exposure")); err != nil {
		t.Fatalf("InsertExposure: %v", err)
	}
	xs, err := store.Exposures(w.ctx, employee, physician, allowDossier(testEvent(physician, audit.ActionRead, "exposures")))
	if err != nil || len(xs) != 1 || xs[0].ID != x.ID || xs[0].Agent != x.Agent || !xs[0].From.Equal(x.From) || !xs[0].To.Equal(x.To) ||
		xs[0].RecordedBy != physician || !xs[0].RecordedAt.Equal(x.RecordedAt) {
		t.Errorf("Exposures = %+v, %v; want [%+v]", xs, err, x)
	}
}

// equalIDs reports whether a and b hold the same ids in the same order.
func equalIDs(a, b []uuid.UUID) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
