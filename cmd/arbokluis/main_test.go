package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/arbokluis/arbokluis/internal/testenv"
)

func TestRunUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "no command given"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"migrate"}, "migrate needs up, down or status"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Setenv("ARBOKLUIS_MIGRATE_DATABASE_URL", "postgres://x@127.0.0.1:1/none")
			err := run(context.Background(), tt.args, nil, io.Discard, io.Discard)
			if _, ok := err.(usageError); !ok || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run(%q) = %v, want usage error %q", tt.args, err, tt.want)
			}
		})
	}
}

func TestRunRejectsInvalidConfig(t *testing.T) {
	t.Setenv("ARBOKLUIS_LISTEN_ADDR", "not-an-address")
	err := run(context.Background(), []string{"serve"}, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "ARBOKLUIS_LISTEN_ADDR") {
		t.Errorf("run(serve) with a bad listen address = %v, want an error naming ARBOKLUIS_LISTEN_ADDR", err)
	}
}

func TestRunServeRequiresSettings(t *testing.T) {
	for _, name := range []string{"ARBOKLUIS_HR_DATABASE_URL", "ARBOKLUIS_VAULT_TOKEN"} {
		t.Setenv(name, "")
	}
	err := run(context.Background(), []string{"serve"}, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "ARBOKLUIS_HR_DATABASE_URL is required") {
		t.Errorf("run(serve) without settings = %v, want the missing variables named", err)
	}
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, nil, &out, io.Discard); err != nil {
		t.Fatalf("run(version): %v", err)
	}
	if !strings.HasPrefix(out.String(), "arbokluis ") {
		t.Errorf("run(version) printed %q, want it to start with %q", out.String(), "arbokluis ")
	}
}

// TestReadyzFollowsVault wires the real server to the real databases and a
// private Vault, then pauses Vault (SIGSTOP): /readyz turns 503 naming vault,
// and 200 again after SIGCONT.
func TestReadyzFollowsVault(t *testing.T) {
	v := testenv.StartVault(t)
	cfg := configFor(v.Env)
	cfg.VaultTimeout = 500 * time.Millisecond
	cfg.ReadyTimeout = time.Second
	cfg.DBMaxConns = 2
	_, url := startApp(t, cfg, io.Discard)

	readyz := func() (int, string) {
		t.Helper()
		resp, err := http.Get(url + "/readyz")
		if err != nil {
			t.Fatalf("GET /readyz: %v", err)
		}
		defer resp.Body.Close()
		var body struct {
			Detail string            `json:"detail"`
			Checks map[string]string `json:"checks"`
		}
		json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body.Detail
	}

	if code, _ := readyz(); code != http.StatusOK {
		t.Fatalf("readyz before pause = %d, want 200", code)
	}
	v.Pause()
	t.Cleanup(v.Resume)
	code, detail := readyz()
	if code != http.StatusServiceUnavailable || !strings.Contains(detail, "vault") || strings.Contains(detail, "postgres") {
		t.Errorf("readyz with Vault paused = %d %q, want 503 naming vault only", code, detail)
	}
	v.Resume()
	if code, _ := readyz(); code != http.StatusOK {
		t.Errorf("readyz after resume = %d, want 200", code)
	}
}
