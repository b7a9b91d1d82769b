package app

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/arbokluis/arbokluis/internal/config"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// TestDossierWithVaultPausedOrSealed: with Vault paused (SIGSTOP) and with
// Vault sealed, medical routes answer 503 problem+json within the Vault
// timeout and write nothing, while HR routes keep working; after SIGCONT
// and after unsealing, the same server works again without a restart.
func TestDossierWithVaultPausedOrSealed(t *testing.T) {
	t.Parallel()
	v := testenv.StartVault(t)
	const timeout = 700 * time.Millisecond
	// A database of its own: the outage counts all of medical.entries.
	s := newStackWith(t, withVault(testenv.FreshDatabase(t), v), func(c *config.Config) { c.VaultTimeout = timeout })
	w := newDossierWorldOn(t, s)
	if r := s.do("POST", w.entries(), w.tokens["physician"], map[string]any{"kind": "note", "text": "voor de storing"}); r.status != http.StatusCreated {
		t.Fatalf("POST entry with Vault up = %d %s", r.status, r.raw)
	}
	root := testenv.VaultClient(t, v.Env.VaultAddr, v.Env.VaultRootToken)
	// orphanKeys counts dossier keys in Vault without their dossier row.
	// (A request that reached a paused Vault may still create its key on
	// resume; the dossier row was written first, so it is never orphaned.)
	orphanKeys := func() int {
		t.Helper()
		sec, err := root.Logical().List(v.Env.TransitMount + "/keys")
		if err != nil || sec == nil {
			t.Fatalf("list transit keys: %v", err)
		}
		n := 0
		for _, k := range sec.Data["keys"].([]any) {
			if name := k.(string); strings.HasPrefix(name, "dossier-") &&
				w.count(t, `SELECT count(*) FROM medical.dossiers WHERE key_name = $1`, name) == 0 {
				n++
			}
		}
		return n
	}
	// A second employee without a dossier yet: the first write would
	// create one, and its key.
	second := newDossierWorldOn(t, s)

	outage := func(name string) {
		t.Helper()
		entries := w.count(t, `SELECT count(*) FROM medical.entries`)
		for _, call := range []struct {
			method, path, token string
			body                any
		}{
			{"POST", w.entries(), w.tokens["physician"], map[string]any{"kind": "note", "text": "tijdens de storing"}},
			{"GET", w.entries(), w.tokens["physician"], nil},
			{"POST", second.entries(), second.tokens["physician"], map[string]any{"kind": "note", "text": "eerste"}},
		} {
			start := time.Now()
			r := s.do(call.method, call.path, call.token, call.body)
			took := time.Since(start)
			if r.status != http.StatusServiceUnavailable || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("%s: %s %s = %d %s, want 503 problem+json", name, call.method, call.path, r.status, r.raw)
			}
			// Each Vault request is bounded by the timeout; a write makes
			// at most two (create key, encrypt).
			if took > 3*timeout+time.Second {
				t.Errorf("%s: %s %s took %v, want within about the Vault timeout %v", name, call.method, call.path, took, timeout)
			}
		}
		if got := w.count(t, `SELECT count(*) FROM medical.entries`); got != entries {
			t.Errorf("%s: medical.entries went from %d to %d, want no half-written entry", name, entries, got)
		}
		// HR keeps working.
		if r := s.do("GET", "/api/v1/employees/"+w.employee.String()+"/verdicts", w.tokens["case_manager"], nil); r.status != http.StatusOK {
			t.Errorf("%s: an HR route = %d %s, want 200", name, r.status, r.raw)
		}
		if r := s.do("GET", "/api/v1/me", w.tokens["employer"], nil); r.status != http.StatusOK {
			t.Errorf("%s: GET /me = %d, want 200", name, r.status)
		}
	}
	recovered := func(name string) {
		t.Helper()
		if r := s.do("POST", w.entries(), w.tokens["physician"], map[string]any{"kind": "note", "text": "na de storing"}); r.status != http.StatusCreated {
			t.Errorf("after %s: POST entry = %d %s, want 201", name, r.status, r.raw)
		}
		if r := s.do("GET", w.entries(), w.tokens["physician"], nil); r.status != http.StatusOK {
			t.Errorf("after %s: GET entries = %d %s, want 200", name, r.status, r.raw)
		}
	}

	v.Pause()
	t.Cleanup(v.Resume)
	outage("paused")
	v.Resume()
	time.Sleep(200 * time.Millisecond) // let queued requests finish
	if n := orphanKeys(); n != 0 {
		t.Errorf("dossier keys without a dossier after the pause = %d, want 0", n)
	}
	recovered("resume")

	if err := root.Sys().Seal(); err != nil {
		t.Fatalf("seal: %v", err)
	}
	outage("sealed")
	v.Up() // unseals, as make deps does
	recovered("unseal")
	// The second employee's dossier, begun during the outage, completes.
	if r := s.do("POST", second.entries(), second.tokens["physician"], map[string]any{"kind": "note", "text": "eerste"}); r.status != http.StatusCreated {
		t.Errorf("first write of the second dossier after the outage = %d %s, want 201", r.status, r.raw)
	}
}
