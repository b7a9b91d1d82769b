package app

import (
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
	cmd.Env = append(os.Environ(),
		"ARBOKLUIS_LISTEN_ADDR="+addr, "ARBOKLUIS_ADMIN_ADDR="+adminAddr,
		"ARBOKLUIS_HR_DATABASE_URL="+e.HRURL, "ARBOKLUIS_MED_DATABASE_URL="+e.MedURL,
		"ARBOKLUIS_AUDIT_DATABASE_URL="+e.AuditURL, "ARBOKLUIS_VAULT_ADDR="+e.VaultAddr,
		"ARBOKLUIS_VAULT_TOKEN="+e.VaultToken, "ARBOKLUIS_VAULT_TRANSIT_MOUNT="+e.TransitMount,
		"ARBOKLUIS_TRUSTED_PROXIES=127.0.0.1", "ARBOKLUIS_LOG_LEVEL=warn",
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
// database of its own, because serve finishes every unfinished destruction
// of its database at start, and in the shared one those may be other
// tests' destructions under way.
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
