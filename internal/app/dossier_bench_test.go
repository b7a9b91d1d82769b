package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"runtime"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/testenv"
	"github.com/arbokluis/arbokluis/internal/vault"
)

// countingCipher counts the Vault calls the entries service makes.
type countingCipher struct {
	dossier.EntryCipher
	calls *atomic.Int64
}

func (c countingCipher) CreateKey(ctx context.Context, name string) error {
	c.calls.Add(1)
	return c.EntryCipher.CreateKey(ctx, name)
}

func (c countingCipher) Encrypt(ctx context.Context, key string, pt, ad []byte) (string, error) {
	c.calls.Add(1)
	return c.EntryCipher.Encrypt(ctx, key, pt, ad)
}

func (c countingCipher) DecryptBatch(ctx context.Context, key string, items []dossier.Sealed) ([][]byte, error) {
	c.calls.Add(1)
	return c.EntryCipher.DecryptBatch(ctx, key, items)
}

// entriesBench is the entries service over the real stores and Vault, with
// a dossier whose responsible physician is the actor.
type entriesBench struct {
	svc      *dossier.Entries
	vc       *vault.Client
	actor    access.Actor
	employee uuid.UUID
	calls    *atomic.Int64
}

func newEntriesBench(tb testing.TB) *entriesBench {
	tb.Helper()
	e := testenv.Load(tb)
	vc, err := newVault(configFor(e))
	if err != nil {
		tb.Fatal(err)
	}
	physician, employee := uuid.New(), uuid.New()
	if _, err := testenv.Pool(tb, e.MigrateURL).Exec(context.Background(),
		`INSERT INTO medical.dossiers (employee_id, responsible_physician_id) VALUES ($1, $2)`, employee, physician); err != nil {
		tb.Fatal(err)
	}
	calls := &atomic.Int64{}
	svc := dossier.NewEntries(postgres.NewDossierStore(testenv.Pool(tb, e.MedURL)), postgres.NewSubjectStore(testenv.Pool(tb, e.HRURL)),
		countingCipher{vc, calls}, nil)
	actor := access.Actor{Principal: access.Principal{UserID: physician, Grants: []access.Grant{{Role: access.RolePhysician}}},
		Role: access.RolePhysician}
	return &entriesBench{svc: svc, vc: vc, actor: actor, employee: employee, calls: calls}
}

// payload is about 1 KiB of text.
func payload(tb testing.TB) string {
	b := make([]byte, 512)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func (eb *entriesBench) fill(tb testing.TB, n int) {
	tb.Helper()
	for i := 0; i < n; i++ {
		if _, err := eb.svc.Create(context.Background(), eb.actor, eb.employee, dossier.NewEntry{Kind: dossier.KindNote, Text: payload(tb)}); err != nil {
			tb.Fatalf("Create entry %d: %v", i, err)
		}
	}
}

// TestListing200EntriesIsOneVaultCall: a page of 200 entries is decrypted
// with one batch call, and a write costs one call (plus the key, once).
func TestListing200EntriesIsOneVaultCall(t *testing.T) {
	t.Parallel()
	eb := newEntriesBench(t)
	eb.fill(t, 200)
	if got := eb.calls.Load(); got != 201 {
		t.Errorf("Vault calls for 200 writes = %d, want 201 (the key once, one encrypt each)", got)
	}
	eb.calls.Store(0)
	es, err := eb.svc.List(context.Background(), eb.actor, eb.employee, 200, nil)
	if err != nil || len(es) != 200 {
		t.Fatalf("List(200) = %d entries, %v; want 200", len(es), err)
	}
	if got := eb.calls.Load(); got != 1 {
		t.Errorf("Vault calls for listing 200 entries = %d, want exactly 1", got)
	}
	for i, e := range es {
		if len(e.Text) != 1024 {
			t.Fatalf("entry %d decrypted to %d bytes, want 1024", i, len(e.Text))
		}
	}
}

// BenchmarkEntryCreate compares a raw transit encrypt of a 1 KiB payload
// with creating an entry through the service (encrypt, then the insert and
// its audit event in one transaction), sequentially, in the same run. The
// target is service ≥ 0.7× the raw rate (docs/performance.md). A third
// case measures the least any audited write can cost: the raw encrypt,
// then one committed audit row and nothing else.
func BenchmarkEntryCreate(b *testing.B) {
	eb := newEntriesBench(b)
	eb.fill(b, 1) // the key exists
	text := payload(b)
	var key string
	if err := testenv.Pool(b, testenv.Load(b).MigrateURL).QueryRow(context.Background(),
		`SELECT key_name FROM medical.dossiers WHERE employee_id = $1`, eb.employee).Scan(&key); err != nil {
		b.Fatal(err)
	}
	raw := func() error {
		_, err := eb.vc.Encrypt(context.Background(), key, []byte(text), []byte(uuid.NewString()))
		return err
	}
	create := func() error {
		_, err := eb.svc.Create(context.Background(), eb.actor, eb.employee, dossier.NewEntry{Kind: dossier.KindNote, Text: text})
		return err
	}
	med := testenv.Pool(b, testenv.Load(b).MedURL)
	floor := func() error {
		id := uuid.NewString()
		if _, err := eb.vc.Encrypt(context.Background(), key, []byte(text), []byte(id)); err != nil {
			return err
		}
		_, err := med.Exec(context.Background(), `INSERT INTO audit.outbox (actor_user_id, actor_role, subject_employee_id,
			action, object_kind, object_id, outcome) VALUES ($1, 'physician', $2, 'create', 'dossier_entry', $3, 'ok')`,
			eb.actor.UserID(), eb.employee, id)
		return err
	}
	for _, par := range []int{1, 8} {
		for _, tc := range []struct {
			name string
			f    func() error
		}{{"raw_transit_encrypt", raw}, {"service_create_audited", create}, {"floor_encrypt_then_audit_row", floor}} {
			b.Run(fmt.Sprintf("%s/concurrency_%d", tc.name, par), func(b *testing.B) {
				if par == 1 {
					for b.Loop() {
						if err := tc.f(); err != nil {
							b.Fatal(err)
						}
					}
					return
				}
				// About par goroutines in all.
				b.SetParallelism((par + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := tc.f(); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		}
	}
}

// BenchmarkEntryList200 compares one raw batch decrypt of 200 entries with
// listing a 200-entry page through the service (the audited read, then the
// batch decrypt), reporting p50. The target is service p50 ≤ 2× raw.
func BenchmarkEntryList200(b *testing.B) {
	eb := newEntriesBench(b)
	eb.fill(b, 200)
	var key string
	if err := testenv.Pool(b, testenv.Load(b).MigrateURL).QueryRow(context.Background(),
		`SELECT key_name FROM medical.dossiers WHERE employee_id = $1`, eb.employee).Scan(&key); err != nil {
		b.Fatal(err)
	}
	sealed := make([]dossier.Sealed, 0, 200)
	rows, err := testenv.Pool(b, testenv.Load(b).MigrateURL).Query(context.Background(),
		`SELECT e.id::text, e.ciphertext FROM medical.entries e JOIN medical.dossiers d ON d.id = e.dossier_id WHERE d.employee_id = $1`, eb.employee)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var id, ct string
		if err := rows.Scan(&id, &ct); err != nil {
			b.Fatal(err)
		}
		sealed = append(sealed, dossier.Sealed{Ciphertext: ct, AssociatedData: []byte(id)})
	}
	if rows.Err() != nil || len(sealed) != 200 {
		b.Fatalf("read 200 ciphertexts: %d, %v", len(sealed), rows.Err())
	}
	p50 := func(b *testing.B, f func() error) {
		var lat []time.Duration
		for b.Loop() {
			start := time.Now()
			if err := f(); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(start))
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	}
	b.Run("raw_batch_decrypt_200", func(b *testing.B) {
		p50(b, func() error { _, err := eb.vc.DecryptBatch(context.Background(), key, sealed); return err })
	})
	b.Run("service_list_200", func(b *testing.B) {
		p50(b, func() error {
			_, err := eb.svc.List(context.Background(), eb.actor, eb.employee, 200, nil)
			return err
		})
	})
}
