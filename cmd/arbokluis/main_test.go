package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

func TestRunUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "no command given"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"migrate"}, "migrate needs up, down or status"},
		{[]string{"dossier", "rewrap", "--everything"}, "dossier: want `dossier rewrap [--rotate]`"},
		{[]string{"audit", "verify", "--public-key"}, "audit: want `audit verify [--public-key FILE]`"},
		{[]string{"destruction-worker", "now"}, "destruction-worker takes no arguments"},
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

// settingsFor sets every variable serve and the worker require, pointing
// at nothing that answers, plus the destruction token when token is set.
func settingsFor(t *testing.T, token string) {
	t.Helper()
	for name, value := range map[string]string{
		"ARBOKLUIS_HR_DATABASE_URL":    "postgres://x@127.0.0.1:1/none",
		"ARBOKLUIS_MED_DATABASE_URL":   "postgres://x@127.0.0.1:1/none",
		"ARBOKLUIS_AUDIT_DATABASE_URL": "postgres://x@127.0.0.1:1/none",
		"ARBOKLUIS_VAULT_ADDR":         "http://127.0.0.1:1",
		"ARBOKLUIS_VAULT_TOKEN":        "app-token",
	} {
		t.Setenv(name, value)
	}
	t.Setenv("ARBOKLUIS_VAULT_DESTRUCTION_TOKEN", token)
}

func TestServeRefusesTheDestructionToken(t *testing.T) {
	settingsFor(t, "destruction-token")
	err := run(context.Background(), []string{"serve"}, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "ARBOKLUIS_VAULT_DESTRUCTION_TOKEN must not be set for serve") ||
		strings.Contains(err.Error(), "destruction-token") {
		t.Errorf("run(serve) with the destruction token set = %v, want a refusal naming ARBOKLUIS_VAULT_DESTRUCTION_TOKEN (not its value)", err)
	}
}

func TestDestructionWorkerRequiresTheDestructionToken(t *testing.T) {
	settingsFor(t, "")
	err := run(context.Background(), []string{"destruction-worker"}, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "ARBOKLUIS_VAULT_DESTRUCTION_TOKEN is required") {
		t.Errorf("run(destruction-worker) without the destruction token = %v, want it named as required", err)
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

func TestRunRejectsAnInvalidListReadLimit(t *testing.T) {
	for _, name := range []string{"ARBOKLUIS_LIST_READS_PER_MINUTE", "ARBOKLUIS_LIST_READ_BURST"} {
		for _, value := range []string{"0", "-1", "lots"} {
			t.Run(name+"="+value, func(t *testing.T) {
				t.Setenv(name, value)
				err := run(context.Background(), []string{"serve"}, nil, &bytes.Buffer{}, &bytes.Buffer{})
				if err == nil || !strings.Contains(err.Error(), name) {
					t.Errorf("run(serve) with %s=%s = %v, want an error naming %s", name, value, err, name)
				}
			})
		}
	}
}
