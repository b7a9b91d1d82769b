package app

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// buildBinary builds the arbokluis command into a temporary directory and
// returns its path.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "arbokluis")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/arbokluis/arbokluis/cmd/arbokluis").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// serveProcess runs the built binary's `serve` as its own OS process.
type serveProcess struct {
	cmd *exec.Cmd
	url string
	// adminURL is its admin listener (ARBOKLUIS_ADMIN_ADDR).
	adminURL string
}

// processEnv is the environment of a process of the built binary on the
// databases and Vault of e.
func processEnv(e testenv.Env) []string {
	return append(os.Environ(),
		"ARBOKLUIS_HR_DATABASE_URL="+e.HRURL, "ARBOKLUIS_MED_DATABASE_URL="+e.MedURL,
		"ARBOKLUIS_AUDIT_DATABASE_URL="+e.AuditURL, "ARBOKLUIS_VAULT_ADDR="+e.VaultAddr,
		"ARBOKLUIS_VAULT_TOKEN="+e.VaultToken, "ARBOKLUIS_VAULT_TRANSIT_MOUNT="+e.TransitMount,
	)
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startServeProcess(t *testing.T, bin string, e testenv.Env) *serveProcess {
	t.Helper()
	addr, adminAddr := freeAddr(t), freeAddr(t)
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(processEnv(e),
		"ARBOKLUIS_LISTEN_ADDR="+addr, "ARBOKLUIS_ADMIN_ADDR="+adminAddr,
		"ARBOKLUIS_TRUSTED_PROXIES=127.0.0.1", "ARBOKLUIS_LOG_LEVEL=warn",
		// serve refuses to start with it (the environment may hold it).
		"ARBOKLUIS_VAULT_DESTRUCTION_TOKEN=",
	)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start serve: %v", err)
	}
	p := &serveProcess{cmd: cmd, url: "http://" + addr, adminURL: "http://" + adminAddr}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() }) //nolint:errcheck
	for range 100 {
		if resp, err := http.Get(p.url + "/healthz"); err == nil {
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			checkSpec(t, exchange{req: resp.Request, resp: resp, respBody: raw})
			return p
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("serve on %s did not come up", addr)
	return nil
}

// TestBackoffAcrossProcesses runs two real server processes on one database:
// failures counted by one throttle the (account, IP) pair on the other, the
// account still logs in from another address, and both drain and exit 0 on
// SIGTERM.
//
// It stays serial: the throttle after the sixth failure lasts one second,
// and the correct login must reach the other process within it, which
// a machine busy with the parallel tests does not promise. It has a
// database of its own.
func TestBackoffAcrossProcesses(t *testing.T) {
	bin := buildBinary(t)
	s := newStackWith(t, testenv.FreshDatabase(t), nil) // for creating the account
	u := s.addUser(access.RolePhysician, uuid.Nil)
	a := startServeProcess(t, bin, s.env)
	b := startServeProcess(t, bin, s.env)

	login := func(p *serveProcess, password, totp, ip string) int {
		t.Helper()
		body := fmt.Sprintf(`{"email":%q,"password":%q,"totp":%q}`, u.email, password, totp)
		req, _ := http.NewRequest("POST", p.url+"/api/v1/auth/login", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", ip)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("login: %v", err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		checkSpec(t, exchange{req: req, reqBody: []byte(body), resp: resp, respBody: raw})
		return resp.StatusCode
	}
	for i := range identity.DefaultBackoff.FreeAttempts + 1 {
		if got := login(a, "wrong password number x", "000000", "198.51.100.77"); got != http.StatusUnauthorized {
			t.Fatalf("failed attempt %d on process A = %d, want 401", i+1, got)
		}
	}
	c := code(t, u.secret, time.Now())
	if got := login(b, u.password, c, "198.51.100.77"); got != http.StatusTooManyRequests {
		t.Errorf("correct login on process B from the throttled IP = %d, want 429", got)
	}
	if got := login(b, u.password, c, "203.0.113.77"); got != http.StatusOK {
		t.Errorf("correct login on process B from another IP = %d, want 200", got)
	}

	for name, p := range map[string]*serveProcess{"A": a, "B": b} {
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatalf("SIGTERM %s: %v", name, err)
		}
		done := make(chan error, 1)
		go func() { done <- p.cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("process %s after SIGTERM: %v, want exit status 0", name, err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("process %s did not stop within 30s of SIGTERM", name)
		}
	}
}

// TestDestructionTokenOnlyInTheWorkerProcess runs the built binary: `serve`
// with ARBOKLUIS_VAULT_DESTRUCTION_TOKEN set exits 1 at once with an error
// naming the variable (not its value); `destruction-worker` with it runs
// the job a grant left pending and exits 0 on SIGTERM.
func TestDestructionTokenOnlyInTheWorkerProcess(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	// A database of its own: the worker runs every job of its database.
	w := newFreshDossierWorld(t)
	e := w.s.env

	serve := exec.Command(bin, "serve")
	serve.Env = append(processEnv(e), "ARBOKLUIS_LISTEN_ADDR=127.0.0.1:0",
		"ARBOKLUIS_VAULT_DESTRUCTION_TOKEN="+e.VaultDestructionToken)
	var stderr strings.Builder
	serve.Stderr = &stderr
	done := make(chan error, 1)
	if err := serve.Start(); err != nil {
		t.Fatalf("start serve: %v", err)
	}
	go func() { done <- serve.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Errorf("serve with the destruction token exited with %v, want exit status 1", err)
		}
	case <-time.After(10 * time.Second):
		serve.Process.Kill() //nolint:errcheck
		<-done
		t.Fatalf("serve with the destruction token still runs after 10s, want it to refuse to start")
	}
	if msg := stderr.String(); !strings.Contains(msg, "ARBOKLUIS_VAULT_DESTRUCTION_TOKEN must not be set for serve") ||
		strings.Contains(msg, e.VaultDestructionToken) {
		t.Errorf("serve's error with the destruction token = %q, want the variable named and its value not", msg)
	}

	w.write(t, "physician", "note", "Aantekening.")
	id := w.fileDestruction(t)
	if r := w.decideDestruction(w.tokens["physician"], id, map[string]any{"decision": "grant"}); r.status != http.StatusAccepted {
		t.Fatalf("grant = %d %s, want 202", r.status, r.raw)
	}
	worker := exec.Command(bin, "destruction-worker")
	worker.Env = append(processEnv(e), "ARBOKLUIS_VAULT_DESTRUCTION_TOKEN="+e.VaultDestructionToken,
		"ARBOKLUIS_DESTRUCTION_POLL_INTERVAL=200ms", "ARBOKLUIS_LOG_LEVEL=warn")
	if err := worker.Start(); err != nil {
		t.Fatalf("start destruction-worker: %v", err)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- worker.Wait() }()
	t.Cleanup(func() { worker.Process.Kill() }) //nolint:errcheck
	awaitDestruction(t, w.s, id)
	if err := worker.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM destruction-worker: %v", err)
	}
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("destruction-worker after SIGTERM: %v, want exit status 0", err)
		}
	case <-time.After(30 * time.Second):
		t.Errorf("destruction-worker did not stop within 30s of SIGTERM")
	}
}

// TestServeHasAnAdminListener runs the real `serve`: /metrics and the
// detailed /readyz answer on ARBOKLUIS_ADMIN_ADDR only, the public /readyz
// says ok and nothing more, and on SIGTERM both listeners close and the
// process exits 0.
func TestServeHasAnAdminListener(t *testing.T) {
	bin := buildBinary(t)
	p := startServeProcess(t, bin, testenv.FreshDatabase(t))

	get := func(base, path string) (int, string) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s%s: %v", base, path, err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if base == p.url {
			checkSpec(t, exchange{req: resp.Request, resp: resp, respBody: raw})
		}
		return resp.StatusCode, string(raw)
	}
	if code, body := get(p.url, "/metrics"); code != http.StatusNotFound {
		t.Errorf("public GET /metrics = %d %.80s, want 404", code, body)
	}
	if code, body := get(p.url, "/readyz"); code != http.StatusOK || strings.TrimSpace(body) != `{"status":"ok"}` {
		t.Errorf("public GET /readyz = %d %s, want 200 {\"status\":\"ok\"} alone", code, body)
	}
	if code, body := get(p.adminURL, "/metrics"); code != http.StatusOK || !strings.Contains(body, "arbokluis_http_requests_total") {
		t.Errorf("admin GET /metrics = %d %.200s, want 200 with arbokluis_http_requests_total", code, body)
	}
	if code, body := get(p.adminURL, "/readyz"); code != http.StatusOK || !strings.Contains(body, `"postgres_hr":"ok"`) || !strings.Contains(body, `"vault":"ok"`) {
		t.Errorf("admin GET /readyz = %d %s, want 200 naming each check", code, body)
	}
	if code, _ := get(p.adminURL, "/api/v1/openapi.yaml"); code != http.StatusNotFound {
		t.Errorf("admin GET /api/v1/openapi.yaml = %d, want 404: the admin listener serves no API", code)
	}

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after SIGTERM: %v, want exit status 0", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not stop within 30s of SIGTERM")
	}
	for _, base := range []string{p.url, p.adminURL} {
		if _, err := http.Get(base + "/healthz"); err == nil {
			t.Errorf("GET %s/healthz after exit answered, want the listener closed", base)
		}
	}
}
