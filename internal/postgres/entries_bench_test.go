package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// BenchmarkEntryStore measures the dossier's entry paths in the store
// alone, without Vault, as the med role: the guarded insert of one entry
// with its event (one statement), the dossier lookup every entry request
// starts with, and a page of 200 entries read with its event. It isolates
// the store's share of the figures in docs/performance.md ("Medical
// entries"), so a change in how rows are built or scanned shows here
// rather than in Vault's noise.
func BenchmarkEntryStore(b *testing.B) {
	env := testenv.FreshDatabase(b)
	store := postgres.NewDossierStore(testenv.Pool(b, env.MedURL))
	ctx := context.Background()
	employee, physician := uuid.New(), uuid.New()
	d, err := store.Open(ctx, employee, physician)
	if err != nil {
		b.Fatal(err)
	}
	ciphertext := "vault:v1:" + strings.Repeat("A", 1400) // about 1 KiB of text, sealed
	ev := audit.Event{ActorUserID: physician, ActorRole: "physician", SubjectEmployeeID: employee,
		Action: audit.ActionCreate, ObjectKind: "dossier_entry", Outcome: audit.OutcomeOK}
	insert := func() error {
		e := dossier.SealedEntry{Entry: dossier.Entry{ID: uuid.New(), DossierID: d.ID, Kind: dossier.KindNote, AuthorID: physician,
			CreatedAt: time.Now().UTC().Truncate(time.Microsecond), Version: 1}, Ciphertext: ciphertext, KeyVersion: 1}
		return store.InsertEntry(ctx, e, d, ev)
	}
	for range 200 {
		if err := insert(); err != nil {
			b.Fatal(err)
		}
	}
	read := func(d dossier.Dossier, _ time.Time) (audit.Event, error) {
		return audit.Event{ActorUserID: physician, ActorRole: "physician", SubjectEmployeeID: employee,
			Action: audit.ActionRead, ObjectKind: "dossier", ObjectID: d.ID.String(), Outcome: audit.OutcomeOK}, nil
	}
	b.Run("page_of_200", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, es, err := store.Entries(ctx, employee, dossier.EntryQuery{ReaderID: physician, Limit: 200}, read); err != nil || len(es) != 200 {
				b.Fatalf("Entries = %d entries, %v; want 200", len(es), err)
			}
		}
	})
	b.Run("lookup", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := store.Lookup(ctx, employee, physician); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("insert", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := insert(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
