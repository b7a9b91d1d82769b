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
