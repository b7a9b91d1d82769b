package postgres_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/testenv"
	"github.com/arbokluis/arbokluis/internal/vault"
)

// vaultSigner signs and verifies checkpoints with the real Vault.
type vaultSigner struct{ vc *vault.Client }

func (s vaultSigner) SignCheckpoint(ctx context.Context, m []byte) (string, error) {
	return s.vc.SignCheckpoint(ctx, m)
}

func (s vaultSigner) CheckpointPublicKeys(ctx context.Context) (map[string]string, error) {
	return s.vc.CheckpointPublicKeys(ctx)
}

func (s vaultSigner) VerifyCheckpoint(ctx context.Context, m []byte, sig string) (bool, error) {
	return s.vc.VerifyCheckpoint(ctx, m, sig)
}

// writeOutbox inserts n events into the outbox as the hr role.
func writeOutbox(t *testing.T, hr *pgxpool.Pool, n int) {
	t.Helper()
	for i := range n {
		if _, err := hr.Exec(context.Background(), `
			INSERT INTO audit.outbox (actor_user_id, actor_role, subject_employee_id, action, object_kind, object_id, outcome, request_id, client_ip)
			VALUES (gen_random_uuid(), 'case_manager', gen_random_uuid(), 'read', 'employee', $1, 'ok', 'req-abcdefgh', '192.0.2.1')`,
			fmt.Sprint(i)); err != nil {
			t.Fatalf("outbox insert: %v", err)
		}
	}
}

// auditWorld is a throwaway database, copied from the migrated template so
// the shared chain stays intact, with 30 appended events and
// checkpoints at 10, 20 and 30.
type auditWorld struct {
	owner *pgxpool.Pool
	store *postgres.AuditStore
	v     vaultSigner
}

func newAuditWorld(t *testing.T) auditWorld {
	t.Helper()
	env := testenv.FreshDatabase(t)
	vc, err := vault.New(vault.Config{Addr: env.VaultAddr, Token: env.VaultToken, Mount: env.TransitMount, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	w := auditWorld{owner: testenv.Pool(t, env.MigrateURL), store: postgres.NewAuditStore(testenv.Pool(t, env.AuditURL)),
		v: vaultSigner{vc}}
	hr := testenv.Pool(t, env.HRURL)
	app := audit.NewAppender(w.store, w.v, slog.New(slog.NewTextHandler(io.Discard, nil)), audit.AppenderOptions{CheckpointEvery: 10, Batch: 7})
	for range 3 {
		writeOutbox(t, hr, 10)
		if err := app.Drain(context.Background()); err != nil {
			t.Fatalf("Drain: %v", err)
		}
	}
	return w
}

func (w auditWorld) verify(t *testing.T) audit.Report {
	t.Helper()
	rep, err := audit.Verify(context.Background(), w.store, w.v)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return rep
}

// tamper runs statements as the owner with the append-only trigger off, as
// someone with the owner's credentials could.
func (w auditWorld) tamper(t *testing.T, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	tx, err := w.owner.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	for _, s := range append(append([]string{`ALTER TABLE audit.events DISABLE TRIGGER USER`}, stmts...),
		`ALTER TABLE audit.events ENABLE TRIGGER USER`) {
		if _, err := tx.Exec(ctx, s); err != nil {
			t.Fatalf("tamper %q: %v", s, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestAuditChainInADatabaseDetectsTampering(t *testing.T) {
	tests := []struct {
		name  string
		stmts []string
		want  int64
	}{
		{"field changed", []string{`UPDATE audit.events SET outcome = 'denied' WHERE seq = 7`}, 7},
		{"row deleted", []string{`DELETE FROM audit.events WHERE seq = 12`}, 12},
		{"two rows swapped", []string{
			`UPDATE audit.events SET seq = 1000004 WHERE seq = 4`, `UPDATE audit.events SET seq = 4 WHERE seq = 5`,
			`UPDATE audit.events SET seq = 5 WHERE seq = 1000004`}, 4},
		// Recompute every hash from seq 23 on: the chain is consistent
		// again, and only the checkpoint signed at 30 shows it; the first
		// event it no longer vouches for is 21.
		{"rewritten consistently from seq 23", []string{`UPDATE audit.events SET actor_role = 'admin' WHERE seq >= 23`}, 21},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newAuditWorld(t)
			if rep := w.verify(t); rep.Break != nil || rep.Events != 30 || rep.Checkpoints != 3 {
				t.Fatalf("before tampering: %+v (break %v), want 30 intact events and 3 checkpoints", rep, rep.Break)
			}
			w.tamper(t, tt.stmts...)
			if tt.name == "rewritten consistently from seq 23" {
				w.rechain(t, 23)
			}
			rep := w.verify(t)
			if rep.Break == nil || rep.Break.Seq != tt.want {
				t.Errorf("Verify after %s = %+v, want a break at seq %d", tt.name, rep.Break, tt.want)
			}
		})
	}
}

// rechain recomputes prev_hash and hash from seq from on, as an attacker
// who knows the documented canonical form would.
func (w auditWorld) rechain(t *testing.T, from int64) {
	t.Helper()
	var links []audit.Link
	if err := w.store.Walk(context.Background(), func(l audit.Link) error { links = append(links, l); return nil }); err != nil {
		t.Fatal(err)
	}
	var stmts []string
	prev := links[from-2].Hash
	for _, l := range links[from-1:] {
		h := audit.Hash(prev, l.Record)
		stmts = append(stmts, fmt.Sprintf(`UPDATE audit.events SET prev_hash = '\x%x', hash = '\x%x' WHERE seq = %d`, prev, h, l.Seq))
		prev = h
	}
	w.tamper(t, stmts...)
	rep := w.verify(t)
	if rep.Break == nil || rep.Break.Reason == "" {
		t.Fatalf("rechained trail verified intact: the checkpoint should catch it")
	}
	// The chain itself must be consistent again: only the checkpoint
	// catches it.
	c := audit.NewChain(nil)
	if err := w.store.Walk(context.Background(), func(l audit.Link) error {
		if b := c.Add(l); b != nil {
			return b
		}
		return nil
	}); err != nil {
		t.Fatalf("rechained trail should be a consistent chain, got %v", err)
	}
}

// TestAuditChainWithListReads: list reads carrying the people they listed
// go through the outbox and the appender beside events written the old
// way (no subjects); the trail verifies, each listed person's lookup
// finds the list read and nobody else's does, and changing who a list
// read listed breaks the chain at that event.
func TestAuditChainWithListReads(t *testing.T) {
	env := testenv.FreshDatabase(t)
	ctx := context.Background()
	vc, err := vault.New(vault.Config{Addr: env.VaultAddr, Token: env.VaultToken, Mount: env.TransitMount, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	w := auditWorld{owner: testenv.Pool(t, env.MigrateURL), store: postgres.NewAuditStore(testenv.Pool(t, env.AuditURL)), v: vaultSigner{vc}}
	hr := testenv.Pool(t, env.HRURL)
	app := audit.NewAppender(w.store, w.v, slog.New(slog.NewTextHandler(io.Discard, nil)), audit.AppenderOptions{CheckpointEvery: 4, Batch: 3})
	rec := postgres.NewRecorder(hr)
	listed := []uuid.UUID{uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()}
	outsider := uuid.New()
	overview := audit.Event{ActorUserID: uuid.New(), ActorRole: "employer", TenantID: uuid.New(), Action: audit.ActionRead,
		ObjectKind: "employer_overview", Outcome: audit.OutcomeOK, RequestID: "req-list-read", ClientIP: netip.MustParseAddr("192.0.2.9"),
	}.Listed(listed)
	writeOutbox(t, hr, 3) // events as written before list reads carried people
	if err := rec.Record(ctx, overview); err != nil {
		t.Fatalf("Record(list read): %v", err)
	}
	if err := rec.Record(ctx, audit.Event{ActorUserID: uuid.New(), ActorRole: "case_manager", SubjectEmployeeID: listed[0],
		Action: audit.ActionRead, ObjectKind: "employee", Outcome: audit.OutcomeOK}); err != nil {
		t.Fatalf("Record(single read): %v", err)
	}
	writeOutbox(t, hr, 3)
	if err := app.Drain(ctx); err != nil {
		t.Fatalf("Drain: %v", err)
	}
	if rep := w.verify(t); rep.Break != nil || rep.Events != 8 {
		t.Fatalf("Verify over old events and a list read = %+v (break %v), want 8 intact events", rep, rep.Break)
	}

	var seq int64
	var stored []uuid.UUID
	if err := w.owner.QueryRow(ctx, `SELECT seq, subjects FROM audit.events WHERE object_kind = 'employer_overview'`).Scan(&seq, &stored); err != nil {
		t.Fatalf("the list read in audit.events: %v", err)
	}
	if !slices.Equal(stored, overview.Subjects) {
		t.Errorf("stored subjects = %v, want %v", stored, overview.Subjects)
	}
	for i, id := range listed {
		got, err := w.store.Events(ctx, audit.Filter{EmployeeID: id, Limit: 50})
		if err != nil {
			t.Fatalf("Events(employee %d): %v", i, err)
		}
		found := slices.ContainsFunc(got, func(r audit.Record) bool { return r.Seq == seq })
		if !found || (i == 0 && len(got) != 2) || (i > 0 && len(got) != 1) {
			t.Errorf("Events(listed employee %d) = %d events (list read found: %v), want the list read (and for employee 0 the single read too)",
				i, len(got), found)
		}
		for _, r := range got {
			if r.Seq == seq && !slices.Equal(r.Subjects, overview.Subjects) {
				t.Errorf("Events(listed employee %d) list read subjects = %v, want %v", i, r.Subjects, overview.Subjects)
			}
		}
	}
	if got, err := w.store.Events(ctx, audit.Filter{EmployeeID: outsider, Limit: 50}); err != nil || len(got) != 0 {
		t.Errorf("Events(an employee not listed) = %d events, %v; want none", len(got), err)
	}
	if all, err := w.store.Events(ctx, audit.Filter{Limit: 50}); err != nil || len(all) != 8 {
		t.Errorf("Events(no filter) = %d events, %v; want all 8", len(all), err)
	}

	tests := []struct{ name, set string }{
		{"a person removed", `subjects[2:]`},
		{"a person added", `array_append(subjects, gen_random_uuid())`},
		{"the people dropped", `NULL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.tamper(t, fmt.Sprintf(`UPDATE audit.events SET subjects = %s WHERE seq = %d`, tt.set, seq))
			if rep := w.verify(t); rep.Break == nil || rep.Break.Seq != seq {
				t.Errorf("Verify after %s = %+v, want a break at seq %d", tt.name, rep.Break, seq)
			}
			w.tamper(t, fmt.Sprintf(`UPDATE audit.events SET subjects = '%s' WHERE seq = %d`, pgUUIDArray(overview.Subjects), seq))
			if rep := w.verify(t); rep.Break != nil {
				t.Fatalf("Verify after restoring the subjects = %v, want intact", rep.Break)
			}
		})
	}
}

// pgUUIDArray is ids as a PostgreSQL array literal.
func pgUUIDArray(ids []uuid.UUID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = id.String()
	}
	return "{" + strings.Join(s, ",") + "}"
}

// TestOutboxRefusesMalformedSubjects: the outbox takes a list read's
// subjects only as a flat, non-empty array without NULLs.
func TestOutboxRefusesMalformedSubjects(t *testing.T) {
	env := testenv.FreshDatabase(t)
	hr := testenv.Pool(t, env.HRURL)
	for _, subjects := range []string{`'{}'`, `ARRAY[NULL]::uuid[]`, `ARRAY[gen_random_uuid(), NULL]`, `ARRAY[ARRAY[gen_random_uuid()]]`} {
		_, err := hr.Exec(context.Background(), `INSERT INTO audit.outbox (action, object_kind, outcome, subjects) VALUES ('read', 'signals', 'ok', `+subjects+`)`)
		if err == nil {
			t.Errorf("outbox insert with subjects %s = nil error, want the check to refuse it", subjects)
		}
	}
}
