package app

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/arbokluis/arbokluis/internal/testenv"
)

// TestReadyzFollowsVault wires the real server to the real databases and a
// private Vault, then pauses Vault (SIGSTOP): the admin listener's /readyz
// turns 503 naming vault, the public /readyz 503 naming nothing, and both
// 200 again after SIGCONT.
//
// It runs alone, not in parallel, and waits for each state rather than
// reading it once: under a loaded machine a single read was once seen as 200
// with Vault paused, the signal not yet in effect.
func TestReadyzFollowsVault(t *testing.T) {
	// A database of its own as well: readiness also checks the audit
	// outbox, which the parallel tests fill in the shared database.
	v := testenv.StartVault(t)
	cfg := configFor(withVault(testenv.FreshDatabase(t), v))
	cfg.VaultTimeout = 500 * time.Millisecond
	cfg.ReadyTimeout = time.Second
	cfg.DBMaxConns = 2
	a, url := startApp(t, cfg, io.Discard)
	admin := startAdmin(t, a)

	public := func() (int, string) {
		t.Helper()
		resp, err := http.Get(url + "/readyz")
		if err != nil {
			t.Fatalf("GET /readyz: %v", err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		checkSpec(t, exchange{req: resp.Request, resp: resp, respBody: raw})
		return resp.StatusCode, string(raw)
	}
	// await asks until get answers want, for up to 20 seconds, and returns
	// the last answer.
	await := func(name string, get func() (int, string), want int) (int, string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			code, body := get()
			if code == want || time.Now().After(deadline) {
				if code != want {
					t.Errorf("%s = %d %s, want %d within 20s", name, code, body, want)
				}
				return code, body
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	adminReadyz := func() (int, string) { return adminGet(t, admin, "/readyz") }

	if code, body := adminReadyz(); code != http.StatusOK || !strings.Contains(body, `"vault":"ok"`) {
		t.Fatalf("admin readyz before pause = %d %s, want 200 with vault ok", code, body)
	}
	if code, body := public(); code != http.StatusOK || strings.TrimSpace(body) != `{"status":"ok"}` {
		t.Fatalf("public readyz before pause = %d %s, want 200 {\"status\":\"ok\"} alone", code, body)
	}
	v.Pause()
	t.Cleanup(v.Resume)
	if code, body := await("admin readyz with Vault paused", adminReadyz, http.StatusServiceUnavailable); code == http.StatusServiceUnavailable {
		var p struct{ Detail string }
		json.Unmarshal([]byte(body), &p) //nolint:errcheck // checked below
		if !strings.Contains(p.Detail, "vault") || strings.Contains(p.Detail, "postgres") {
			t.Errorf("admin readyz with Vault paused: detail %q, want it to name vault only", p.Detail)
		}
	}
	if code, body := await("public readyz with Vault paused", public, http.StatusServiceUnavailable); code == http.StatusServiceUnavailable {
		for _, leak := range []string{"vault", "postgres", "timeout", "deadline"} {
			if strings.Contains(strings.ToLower(body), leak) {
				t.Errorf("public readyz with Vault paused = %s, names %q; want ok/unavailable only", body, leak)
			}
		}
	}
	v.Resume()
	await("admin readyz after resume", adminReadyz, http.StatusOK)
	await("public readyz after resume", public, http.StatusOK)
}

// startAdmin serves a's admin routes (/metrics, the detailed /readyz) on a
// test server of their own, as serve does on ARBOKLUIS_ADMIN_ADDR, and
// returns its URL.
func startAdmin(t *testing.T, a *App) string {
	t.Helper()
	srv := httptest.NewServer(a.server.AdminHandler())
	t.Cleanup(srv.Close)
	return srv.URL
}

// adminGet GETs path from the admin listener at base and returns status and
// body. The admin routes are not in docs/openapi.yaml, which describes the
// public listener.
func adminGet(t *testing.T, base, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatalf("GET %s (admin): %v", path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// withVault returns e with the Vault settings of the private server v: the
// databases of e, the Vault of v.
func withVault(e testenv.Env, v *testenv.VaultServer) testenv.Env {
	e.VaultAddr, e.VaultToken, e.VaultDestructionToken = v.Env.VaultAddr, v.Env.VaultToken, v.Env.VaultDestructionToken
	e.VaultRootToken, e.VaultDir, e.TransitMount = v.Env.VaultRootToken, v.Env.VaultDir, v.Env.TransitMount
	return e
}
