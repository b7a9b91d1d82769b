package postgres_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/postgres"
)

// TestSealedStore: the ciphertexts of a dossier below a key version are
// listed per kind, and a rewrap replaces each only where its old text
// still is, moving an entry's key version with it; another dossier's are
// never listed.
func TestSealedStore(t *testing.T) {
	w := newWorld(t)
	store := postgres.NewDossierStore(w.med)
	physician := uuid.New()
	d, other := w.dossier(uuid.New(), physician), w.dossier(uuid.New(), physician)
	e := sealedEntry(d, physician, dossier.KindNote, uuid.Nil)
	if err := store.InsertEntry(w.ctx, e, d, testEvent(physician, audit.ActionCreate, "dossier_entry")); err != nil {
		t.Fatalf("InsertEntry: %v", err)
	}
	if err := store.InsertEntry(w.ctx, sealedEntry(other, physician, dossier.KindNote, uuid.Nil), other,
		testEvent(physician, audit.ActionCreate, "dossier_entry")); err != nil {
		t.Fatalf("InsertEntry(other dossier): %v", err)
	}
	a := dossier.SealedAttachment{Attachment: dossier.Attachment{ID: uuid.New(), DossierID: d.ID, ContentType: "image/png", Size: 1,
		AuthorID: physician, CreatedAt: time.Now().UTC()}, WrappedKey: "vault:v1:key", Nonce: make([]byte, 12), Sealed: []byte{1}}
	if err := store.InsertAttachment(w.ctx, a, d, testEvent(physician, audit.ActionCreate, "attachment")); err != nil {
		t.Fatalf("InsertAttachment: %v", err)
	}

	stale, err := store.Stale(w.ctx, d.ID, 2, 10)
	if err != nil || len(stale) != 2 {
		t.Fatalf("Stale(below v2) = %+v, %v; want the entry and the attachment key", stale, err)
	}
	kinds := map[dossier.CiphertextKind]dossier.Stale{}
	for _, s := range stale {
		kinds[s.Kind] = s
	}
	if kinds[dossier.CiphertextEntry].ID != e.ID || kinds[dossier.CiphertextEntry].Ciphertext != e.Ciphertext ||
		kinds[dossier.CiphertextAttachmentKey].ID != a.ID || kinds[dossier.CiphertextAttachmentKey].Ciphertext != a.WrappedKey {
		t.Errorf("Stale(below v2) = %+v; want entry %s and attachment %s with their texts", stale, e.ID, a.ID)
	}
	if none, err := store.Stale(w.ctx, d.ID, 1, 10); err != nil || len(none) != 0 {
		t.Errorf("Stale(below v1) = %+v, %v; want none", none, err)
	}

	// A text that changed since it was read is left alone.
	moved := stale[0]
	moved.Ciphertext = "vault:v1:changed-meanwhile"
	if err := store.Replace(w.ctx, []dossier.Stale{moved}, []string{"vault:v2:new"}, 2); err != nil {
		t.Fatalf("Replace(changed meanwhile): %v", err)
	}
	if still, err := store.Stale(w.ctx, d.ID, 2, 10); err != nil || len(still) != 2 {
		t.Errorf("Stale after replacing a changed text = %+v, %v; want both still below v2", still, err)
	}
	news := make([]string, len(stale))
	for i := range stale {
		news[i] = "vault:v2:" + uuid.NewString()
	}
	if err := store.Replace(w.ctx, stale, news, 2); err != nil {
		t.Fatalf("Replace: %v", err)
	}
	if left, err := store.Stale(w.ctx, d.ID, 2, 10); err != nil || len(left) != 0 {
		t.Errorf("Stale(below v2) after Replace = %+v, %v; want none", left, err)
	}
	_, got, err := store.Entry(w.ctx, d.EmployeeID, e.ID, physician, func(dossier.Dossier, time.Time, dossier.SealedEntry) (audit.Event, error) {
		return testEvent(physician, audit.ActionRead, "dossier_entry"), nil
	})
	if err != nil || got.KeyVersion != 2 || got.Ciphertext[:9] != "vault:v2:" {
		t.Errorf("Entry after Replace = %+v, %v; want the v2 text at key version 2", got, err)
	}
	if err := store.Replace(w.ctx, stale, news[:1], 2); err == nil {
		t.Errorf("Replace(%d items, 1 text) = nil, want an error", len(stale))
	}
}
