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
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// TestDestructionStore: a destruction job is recorded once per request
// with what it takes counted, closes its dossier, and reads back by id, by
// request and by employee; a refusal of the exposures records nothing; a
// partial job takes every version of a chosen entry and its attachments,
// and leaves the rest; an unknown job is not found.
func TestDestructionStore(t *testing.T) {
	// Its jobs carry made-up ciphertext and never finish: on a database of
	// its own, no destruction worker of another test retries them.
	w := newWorldOn(t, testenv.FreshDatabase(t))
	store := postgres.NewDossierStore(w.med)
	employee, physician := uuid.New(), uuid.New()
	d := w.dossier(employee, physician)
	e1 := sealedEntry(d, physician, dossier.KindConsultation, uuid.Nil)
	e2 := sealedEntry(d, physician, dossier.KindConsultation, e1.ID)
	kept := sealedEntry(d, physician, dossier.KindNote, uuid.Nil)
	note := sealedEntry(d, physician, dossier.KindWorkingNote, uuid.Nil)
	for _, e := range []dossier.SealedEntry{e1, e2, kept, note} {
		if err := store.InsertEntry(w.ctx, e, d, testEvent(physician, audit.ActionCreate, "dossier_entry")); err != nil {
			t.Fatalf("InsertEntry: %v", err)
		}
	}
	att := dossier.SealedAttachment{Attachment: dossier.Attachment{ID: uuid.New(), DossierID: d.ID, EntryID: e1.ID,
		ContentType: "image/png", Size: 1, AuthorID: physician, CreatedAt: time.Now().UTC()},
		WrappedKey: "vault:v1:key", Nonce: make([]byte, 12), Sealed: []byte{1}}
	if err := store.InsertAttachment(w.ctx, att, d, testEvent(physician, audit.ActionCreate, "attachment")); err != nil {
		t.Fatalf("InsertAttachment: %v", err)
	}

	var fe derrors.FieldErrors
	if err := store.CheckEntries(w.ctx, employee, []uuid.UUID{e1.ID, note.ID}); !errors.As(err, &fe) {
		t.Errorf("CheckEntries(with a working note) = %v, want field errors", err)
	}
	if err := store.CheckEntries(w.ctx, employee, []uuid.UUID{e1.ID, kept.ID}); err != nil {
		t.Errorf("CheckEntries(two entries of the dossier) = %v, want nil", err)
	}
	if err := store.CheckEntries(w.ctx, uuid.New(), []uuid.UUID{e1.ID}); !errors.Is(err, derrors.ErrConflict) {
		t.Errorf("CheckEntries(employee without a dossier) = %v, want derrors.ErrConflict", err)
	}

	job := func(scope dossier.DestructionScope) dossier.Destruction {
		return dossier.Destruction{ID: uuid.New(), Origin: dossier.OriginRequest, RequestID: uuid.New(), DossierID: d.ID, EmployeeID: employee,
			Scope: scope, OldKeys: []string{d.KeyName}, PriorStatus: d.Status, DecidedBy: physician,
			DecidedAt: time.Now().UTC().Truncate(time.Microsecond)}
	}
	accept := func([]dossier.Exposure) error { return nil }

	// Refused on the exposures: nothing recorded, the dossier stays open.
	x := dossier.Exposure{ID: uuid.New(), DossierID: d.ID, Agent: dossier.AgentIonisingRadiation, From: day("2010-01-01"),
		RecordedBy: physician, RecordedAt: time.Now().UTC()}
	if err := store.InsertExposure(w.ctx, x, d, testEvent(physician, audit.ActionCreate, "exposure")); err != nil {
		t.Fatalf("InsertExposure: %v", err)
	}
	refusedJob := job(dossier.ScopeDossier)
	var seen []dossier.Exposure
	if _, err := store.BeginDestruction(w.ctx, refusedJob, d, nil, func(xs []dossier.Exposure) error {
		seen = xs
		return derrors.ErrRefused
	}, testEvent(physician, audit.ActionDestroy, "dossier")); !errors.Is(err, derrors.ErrRefused) ||
		len(seen) != 1 || seen[0].Agent != x.Agent || seen[0].DossierID != d.ID {
		t.Errorf("BeginDestruction(refused) = %v after seeing %+v; want the refusal after seeing the exposure", err, seen)
	}
	if got, err := store.DestructionFor(w.ctx, refusedJob.RequestID); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("DestructionFor(refused request) = %+v, %v; want derrors.ErrNotFound", got, err)
	}

	// A partial job: e1 with its correction e2 and its attachment.
	partial := job(dossier.ScopeEntries)
	partial.NewKey = "dossier-" + d.ID.String() + "-g2"
	got, err := store.BeginDestruction(w.ctx, partial, d, []uuid.UUID{e1.ID}, accept, testEvent(physician, audit.ActionDestroy, "dossier"))
	if err != nil || got.ID != partial.ID || got.State != dossier.StatePending || !sameIDs(got.EntryIDs, e1.ID, e2.ID) ||
		!sameIDs(got.AttachmentIDs, att.ID) || got.Counts.Entries[dossier.KindConsultation] != 2 || got.Counts.Attachments != 1 ||
		got.NewKey != partial.NewKey {
		t.Fatalf("BeginDestruction(partial, e1) = %+v, %v; want e1, e2 and the attachment taken", got, err)
	}
	// Another request: the dossier is rekeying now, no longer as expected.
	if again, err := store.BeginDestruction(w.ctx, job(dossier.ScopeDossier), d, nil, accept, audit.Event{}); !errors.Is(err, derrors.ErrConflict) {
		t.Errorf("BeginDestruction(another request while rekeying) = %+v, %v; want derrors.ErrConflict", again, err)
	}
	if again, err := store.BeginDestruction(w.ctx, partial, d, []uuid.UUID{e1.ID}, accept, audit.Event{}); err != nil || again.ID != partial.ID {
		t.Errorf("BeginDestruction(same request again) = %+v, %v; want the recorded job", again, err)
	}
	rest, err := store.Remaining(w.ctx, got)
	if restIDs := ids(rest, func(s dossier.Stale) uuid.UUID { return s.ID }); err != nil || !sameIDs(restIDs, kept.ID, note.ID) {
		t.Errorf("Remaining = %v, %v; want the kept entry and the working note", restIDs, err)
	}
	for name, read := range map[string]func() (dossier.Destruction, error){
		"Destruction":    func() (dossier.Destruction, error) { return store.Destruction(w.ctx, partial.ID) },
		"DestructionFor": func() (dossier.Destruction, error) { return store.DestructionFor(w.ctx, partial.RequestID) },
	} {
		if r, err := read(); err != nil || r.ID != partial.ID || r.Scope != dossier.ScopeEntries || !r.DecidedAt.Equal(partial.DecidedAt) {
			t.Errorf("%s = %+v, %v; want the partial job", name, r, err)
		}
	}
	if js, err := store.Destructions(w.ctx, employee); err != nil || len(js) != 1 || js[0].ID != partial.ID {
		t.Errorf("Destructions(employee) = %+v, %v; want the one job", js, err)
	}
	if r, err := store.Destruction(w.ctx, uuid.New()); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Destruction(unknown id) = %+v, %v; want derrors.ErrNotFound", r, err)
	}
}

// sameIDs reports whether got holds exactly want, in any order.
func sameIDs(got []uuid.UUID, want ...uuid.UUID) bool {
	if len(got) != len(want) {
		return false
	}
	seen := map[uuid.UUID]bool{}
	for _, id := range got {
		seen[id] = true
	}
	for _, id := range want {
		if !seen[id] {
			return false
		}
	}
	return true
}
