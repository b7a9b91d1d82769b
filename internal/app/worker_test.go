package app

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/config"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// workerPollInterval is the test workers' poll interval: the retry of a
// job that stopped comes this soon (a new job wakes the worker at once, and
// a worker runs every job at start). Not shorter: every worker beside the
// shared test database tries every unfinished job there on each pass,
// also the unrunnable ones other packages' store tests leave.
const workerPollInterval = time.Second

// workerConfig is the destruction worker's configuration for e: the
// server's, with the destruction token that only the worker holds.
func workerConfig(e testenv.Env) config.Config {
	cfg := configFor(e)
	cfg.DBMaxConns = 4
	cfg.VaultDestructionToken = e.VaultDestructionToken
	cfg.DestructionPollInterval = workerPollInterval
	return cfg
}

// startWorker runs a destruction worker on the databases and Vault of s,
// in this process, through the entry point of `arbokluis
// destruction-worker` (NewWorker, Run). It logs into s.logs and is stopped
// when the test ends, or earlier by the returned function (which waits for
// Run to return).
func (s *stack) startWorker(t *testing.T) (stop func()) {
	t.Helper()
	return s.startWorkerWith(t, nil)
}

// startWorkerWith is startWorker with the worker's configuration adjusted
// by configure (may be nil).
func (s *stack) startWorkerWith(t *testing.T, configure func(*config.Config)) (stop func()) {
	t.Helper()
	cfg := workerConfig(s.env)
	if configure != nil {
		configure(&cfg)
	}
	log := slog.New(slog.NewJSONHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w, err := NewWorker(context.Background(), cfg, log)
	if err != nil {
		t.Fatalf("NewWorker: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Worker.Run = %v, want nil on the end of its context", err)
		}
		w.Close()
	}
	t.Cleanup(stop)
	return stop
}

// awaitDestruction waits (bounded) until the job of requestID is done and
// its request delivered, and fails the test otherwise.
func awaitDestruction(t *testing.T, s *stack, requestID string) {
	t.Helper()
	owner := testenv.Pool(t, s.env.MigrateURL)
	deadline := time.Now().Add(60 * time.Second)
	for {
		var state string
		var delivered bool
		err := owner.QueryRow(context.Background(), `SELECT state, delivered_at IS NOT NULL FROM medical.destructions
			WHERE request_id = $1`, requestID).Scan(&state, &delivered)
		if err == nil && state == "done" && delivered {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("destruction of request %s = %q delivered %v (%v) after 60s, want done and delivered\nlog:\n%s",
				requestID, state, delivered, err, s.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestServeRefusesTheDestructionToken: the HTTP server does not start with
// the destruction token in its configuration, and says which variable to
// unset (never its value); the worker starts only with it.
func TestServeRefusesTheDestructionToken(t *testing.T) {
	t.Parallel()
	e := testenv.Load(t)
	cfg := configFor(e)
	cfg.VaultDestructionToken = e.VaultDestructionToken
	a, err := New(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err == nil {
		a.Close()
		t.Fatalf("New with ARBOKLUIS_VAULT_DESTRUCTION_TOKEN set = nil error, want a refusal")
	}
	if !strings.Contains(err.Error(), "ARBOKLUIS_VAULT_DESTRUCTION_TOKEN must not be set for serve") ||
		strings.Contains(err.Error(), e.VaultDestructionToken) {
		t.Errorf("New with the destruction token = %v, want a refusal naming the variable (not its value)", err)
	}
	cfg = workerConfig(e)
	cfg.VaultDestructionToken = ""
	if w, err := NewWorker(context.Background(), cfg, slog.New(slog.DiscardHandler)); err == nil {
		w.Close()
		t.Errorf("NewWorker without the destruction token = nil error, want ARBOKLUIS_VAULT_DESTRUCTION_TOKEN required")
	} else if !strings.Contains(err.Error(), "ARBOKLUIS_VAULT_DESTRUCTION_TOKEN is required") {
		t.Errorf("NewWorker without the destruction token = %v, want ARBOKLUIS_VAULT_DESTRUCTION_TOKEN required", err)
	}
}

// TestGrantedDestructionWaitsForTheWorker: serve only records a grant (202,
// the job pending, the request granted, the dossier closed to writes) and
// never runs it; a worker that starts later carries it out, delivers the
// request and tells the employee.
//
// A database of its own: in the shared one other tests' workers would run
// the job at once.
func TestGrantedDestructionWaitsForTheWorker(t *testing.T) {
	t.Parallel()
	w := newFreshDossierWorld(t)
	w.write(t, "physician", "note", "Aantekening.")
	_, key, _ := w.dossierState(t)
	id := w.fileDestruction(t)
	r := w.decideDestruction(w.tokens["physician"], id, map[string]any{"decision": "grant"})
	if r.status != http.StatusAccepted {
		t.Fatalf("grant = %d %s, want 202", r.status, r.raw)
	}
	if dest, _ := r.body["destruction"].(map[string]any); dest == nil || dest["state"] != "pending" ||
		r.body["request"].(map[string]any)["status"] != "granted" {
		t.Errorf("grant = %s, want the request granted and its job pending", r.raw)
	}
	// No worker runs: the job waits, its key is still there.
	time.Sleep(500 * time.Millisecond)
	if status, k, _ := w.dossierState(t); status != "destroying" || k != key {
		t.Errorf("dossier while the job waits = %s %s, want destroying with its key", status, k)
	}
	if n := w.count(t, `SELECT count(*) FROM medical.destructions WHERE request_id = $1 AND state = 'pending'`, id); n != 1 {
		t.Errorf("the job ran without a worker")
	}
	if r := w.s.do("POST", w.entries(), w.tokens["physician"], map[string]any{"kind": "note", "text": "x"}); r.status == http.StatusCreated {
		t.Errorf("write while the destruction waits = %d, want it refused", r.status)
	}
	inbox := w.s.do("GET", "/api/v1/me/notifications", w.tokens["employee"], nil)
	if !strings.Contains(inbox.raw, "toegewezen") || strings.Contains(inbox.raw, "vernietigd") {
		t.Errorf("the employee's inbox before the worker ran = %s, want the grant told and the destruction not", inbox.raw)
	}

	w.s.startWorker(t)
	awaitDestruction(t, w.s, id)
	if status, _, _ := w.dossierState(t); status != "destroyed" {
		t.Errorf("dossier after the worker ran = %s, want destroyed", status)
	}
	if n := w.count(t, `SELECT count(*) FROM hr.requests WHERE id = $1 AND status = 'delivered' AND decided_by = $2`, id, w.physician.userID); n != 1 {
		t.Errorf("the request is not delivered with its decider")
	}
	inbox = w.s.do("GET", "/api/v1/me/notifications", w.tokens["employee"], nil)
	if !strings.Contains(inbox.raw, "vernietigd") {
		t.Errorf("the employee was not told of the destruction: %s", inbox.raw)
	}
}

// TestWorkersNeverRunOneJobAtOnce: a job claimed by another worker (its
// advisory lock held) is left alone by this one, however often it looks,
// and run once the claim ends.
func TestWorkersNeverRunOneJobAtOnce(t *testing.T) {
	t.Parallel()
	w := newFreshDossierWorld(t)
	w.write(t, "physician", "note", "Aantekening.")
	id := w.fileDestruction(t)
	r := w.decideDestruction(w.tokens["physician"], id, map[string]any{"decision": "grant"})
	jobID, _ := uuid.Parse(func() string { s, _ := r.body["destruction"].(map[string]any)["id"].(string); return s }())
	if r.status != http.StatusAccepted || jobID == uuid.Nil {
		t.Fatalf("grant = %d %s, want 202 with the job", r.status, r.raw)
	}
	store := postgres.NewDossierStore(testenv.Pool(t, workerConfig(w.s.env).MedDatabaseURL))
	release, err := store.ClaimDestruction(context.Background(), jobID)
	if err != nil {
		t.Fatalf("ClaimDestruction(%s) = %v, want the claim", jobID, err)
	}
	if _, err := store.ClaimDestruction(context.Background(), jobID); !errors.Is(err, derrors.ErrConflict) {
		t.Errorf("ClaimDestruction(%s) a second time = %v, want derrors.ErrConflict", jobID, err)
	}
	w.s.startWorker(t)
	// Its pass at start and the next one find the job claimed.
	time.Sleep(workerPollInterval + 500*time.Millisecond)
	if n := w.count(t, `SELECT count(*) FROM medical.destructions WHERE id = $1 AND state = 'pending'`, jobID); n != 1 {
		t.Errorf("the worker ran job %s while another held it", jobID)
	}
	release()
	awaitDestruction(t, w.s, id)
}

// TestDestructionWaitsOutAVaultOutage: with Vault paused the worker cannot
// run a granted job; the job stays pending, and the same worker finishes
// it by itself once Vault answers again (its poll retries), without a
// restart.
func TestDestructionWaitsOutAVaultOutage(t *testing.T) {
	t.Parallel()
	v := testenv.StartVault(t)
	const timeout = 700 * time.Millisecond
	quick := func(c *config.Config) { c.VaultTimeout = timeout }
	// A database of its own, with a Vault of its own to pause.
	s := newStackWith(t, withVault(testenv.FreshDatabase(t), v), quick)
	w := newDossierWorldOn(t, s)
	w.write(t, "physician", "note", "Aantekening.")
	id := w.fileDestruction(t)
	if r := w.decideDestruction(w.tokens["physician"], id, map[string]any{"decision": "grant"}); r.status != http.StatusAccepted {
		t.Fatalf("grant = %d %s, want 202", r.status, r.raw)
	}
	v.Pause()
	paused := true
	t.Cleanup(func() {
		if paused {
			v.Resume()
		}
	})
	s.startWorkerWith(t, quick)
	// Its pass at start and the retries meanwhile meet the paused Vault.
	time.Sleep(3 * time.Second)
	if n := w.count(t, `SELECT count(*) FROM medical.destructions WHERE request_id = $1 AND state = 'pending'`, id); n != 1 {
		t.Errorf("the job moved on while Vault was paused")
	}
	v.Resume()
	paused = false
	awaitDestruction(t, s, id)
	if status, _, _ := w.dossierState(t); status != "destroyed" {
		t.Errorf("dossier after Vault came back = %s, want destroyed", status)
	}
}
