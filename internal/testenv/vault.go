package testenv

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	vaultapi "github.com/hashicorp/vault/api"
)

// VaultServer is a private Vault server started for one test with the same
// script `make deps` uses, so tests may stop, pause and restart it without
// disturbing other tests.
type VaultServer struct {
	Env  Env // Vault fields describe this server; database fields are the shared ones
	Port int
	t    testing.TB
}

// StartVault starts a private, initialised and unsealed Vault server with the
// transit mount, keys, policies and tokens of the development server. It is
// stopped when the test ends.
func StartVault(t testing.TB) *VaultServer {
	t.Helper()
	e := Load(t)
	// The ports are chosen and bound under the lock: otherwise two servers
	// started at once (go test runs packages in parallel) may choose the
	// same free pair, and one test would pause the other's server.
	unlock := startLock(t)
	defer unlock()
	port := freePortPair(t)
	v := &VaultServer{Env: e, Port: port, t: t}
	v.Env.VaultDir = filepath.Join(t.TempDir(), "vault")
	t.Cleanup(func() { v.script("stop") })
	v.up()
	return v
}

// startLock takes a lock shared by every test process of the machine, for
// choosing and binding a private server's ports; unlock releases it.
func startLock(t testing.TB) (unlock func()) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "arbokluis-testenv-vault.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatalf("testenv: open the start lock: %v", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		t.Fatalf("testenv: take the start lock: %v", err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN) //nolint:errcheck // closing releases it too
		f.Close()
	}
}

// Up runs `vault.sh up` for this server: it starts it if stopped, unseals
// it and (re)writes its configuration, exactly as `make deps` does.
func (v *VaultServer) Up() {
	v.t.Helper()
	unlock := startLock(v.t)
	defer unlock()
	v.up()
}

func (v *VaultServer) up() {
	v.t.Helper()
	v.script("up")
	env, err := readEnvFile(filepath.Join(v.Env.VaultDir, "env"))
	if err != nil {
		v.t.Fatalf("testenv: %v", err)
	}
	root, err := os.ReadFile(filepath.Join(v.Env.VaultDir, "root-token"))
	if err != nil {
		v.t.Fatalf("testenv: %v", err)
	}
	v.Env.VaultAddr = env["ARBOKLUIS_VAULT_ADDR"]
	v.Env.VaultToken = env["ARBOKLUIS_VAULT_TOKEN"]
	v.Env.VaultDestructionToken = env["ARBOKLUIS_VAULT_DESTRUCTION_TOKEN"]
	v.Env.VaultRootToken = strings.TrimSpace(string(root))
}

// Stop runs `vault.sh stop` for this server, as `make stop` does.
func (v *VaultServer) Stop() {
	v.t.Helper()
	v.script("stop")
}

// Pause stops the server process with SIGSTOP and returns once every
// thread of it is stopped: connections hang. (The signal is delivered
// asynchronously; on a loaded machine a thread could otherwise still
// answer a request sent right after kill returned.)
func (v *VaultServer) Pause() {
	v.t.Helper()
	pid := v.signal(syscall.SIGSTOP)
	deadline := time.Now().Add(10 * time.Second)
	for !allThreadsStopped(pid) {
		if time.Now().After(deadline) {
			v.t.Fatalf("testenv: vault %d not stopped 10s after SIGSTOP", pid)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Resume continues a paused server with SIGCONT.
func (v *VaultServer) Resume() { v.signal(syscall.SIGCONT) }

// allThreadsStopped reports whether every thread of pid is in state T
// (stopped by a signal), from /proc/<pid>/task/*/stat.
func allThreadsStopped(pid int) bool {
	stats, err := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pid), "task", "*", "stat"))
	if err != nil || len(stats) == 0 {
		return false
	}
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			return false
		}
		// The state follows the command name, which is in parentheses
		// and may itself hold spaces or parentheses.
		i := strings.LastIndexByte(string(b), ')')
		if i < 0 || i+2 >= len(b) || b[i+2] != 'T' {
			return false
		}
	}
	return true
}

// signal sends sig to the server process and returns its pid.
func (v *VaultServer) signal(sig syscall.Signal) int {
	v.t.Helper()
	b, err := os.ReadFile(filepath.Join(v.Env.VaultDir, "vault.pid"))
	if err != nil {
		v.t.Fatalf("testenv: read vault pid: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		v.t.Fatalf("testenv: vault pid: %v", err)
	}
	if err := syscall.Kill(pid, sig); err != nil {
		v.t.Fatalf("testenv: signal vault %d: %v", pid, err)
	}
	return pid
}

func (v *VaultServer) script(cmd string) {
	v.t.Helper()
	c := exec.Command("bash", filepath.Join(v.Env.Root, ".ci", "vault.sh"), cmd)
	c.Env = append(os.Environ(),
		"ARBOKLUIS_VAULT_DIR="+v.Env.VaultDir,
		"ARBOKLUIS_VAULT_PORT="+strconv.Itoa(v.Port),
	)
	out, err := c.CombinedOutput()
	if err != nil {
		v.t.Fatalf("testenv: vault.sh %s: %v\n%s", cmd, err, out)
	}
}

// VaultClient returns a raw Vault API client for addr with token, for
// assertions a test makes from outside the application (policy denials, key
// existence).
func VaultClient(t testing.TB, addr, token string) *vaultapi.Client {
	t.Helper()
	cfg := vaultapi.DefaultConfig()
	cfg.Address = addr
	cfg.MaxRetries = 0
	c, err := vaultapi.NewClient(cfg)
	if err != nil {
		t.Fatalf("testenv: vault client: %v", err)
	}
	c.SetToken(token)
	return c
}

// freePortPair returns a port p such that p and p+1 (Vault's cluster port)
// are free on loopback at the time of the call.
func freePortPair(t testing.TB) int {
	t.Helper()
	for range 50 {
		l1, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("testenv: listen: %v", err)
		}
		p := l1.Addr().(*net.TCPAddr).Port
		l2, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p+1))
		l1.Close()
		if err == nil {
			l2.Close()
			return p
		}
	}
	t.Fatal("testenv: no free port pair")
	return 0
}
