package architecture_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/arbokluis/arbokluis/internal/architecture"
)

const m = architecture.Module + "/"

// TestTreeKeepsTheLayering holds this repository's import graph to the
// rules of package architecture.
func TestTreeKeepsTheLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-json", m+"...").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list -deps -json: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list -deps -json: %v", err)
	}
	var pkgs []architecture.Package
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p architecture.Package
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		if strings.HasPrefix(p.ImportPath, m) {
			pkgs = append(pkgs, p)
		}
	}
	if len(pkgs) < 15 {
		t.Fatalf("go list found %d packages of the module, want all of them", len(pkgs))
	}
	for _, v := range architecture.Check(pkgs) {
		t.Errorf("layering: %s", v)
	}
}

// TestCheckCatchesEachRule feeds the checker synthetic graphs that break
// one rule each, and ones that keep them.
func TestCheckCatchesEachRule(t *testing.T) {
	tests := []struct {
		name string
		pkgs []architecture.Package
		want []string // substrings of the violations, in order
	}{
		{"domain on gin", []architecture.Package{{ImportPath: m + "internal/dossier", Deps: []string{"github.com/gin-gonic/gin"}}},
			[]string{"internal/dossier: domain package depends on infrastructure github.com/gin-gonic/gin"}},
		{"domain on pgx, below the module root", []architecture.Package{{ImportPath: m + "internal/absence", Deps: []string{"github.com/jackc/pgx/v5/pgxpool"}}},
			[]string{"infrastructure github.com/jackc/pgx/v5/pgxpool"}},
		{"domain on the Vault API", []architecture.Package{{ImportPath: m + "internal/identity", Deps: []string{"github.com/hashicorp/vault/api"}}},
			[]string{"infrastructure github.com/hashicorp/vault/api"}},
		{"domain on gofpdf", []architecture.Package{{ImportPath: m + "internal/rights", Deps: []string{"github.com/jung-kurt/gofpdf"}}},
			[]string{"infrastructure github.com/jung-kurt/gofpdf"}},
		{"domain on net/smtp", []architecture.Package{{ImportPath: m + "internal/notify", Deps: []string{"net/smtp"}}},
			[]string{"infrastructure net/smtp"}},
		{"domain on the composition root", []architecture.Package{{ImportPath: m + "internal/consent", Deps: []string{m + "internal/app"}}},
			[]string{"domain package depends on the composition root"}},
		{"adapter on adapter", []architecture.Package{{ImportPath: m + "internal/httpapi", Deps: []string{m + "internal/postgres"}}},
			[]string{"internal/httpapi: adapter depends on another adapter " + m + "internal/postgres"}},
		{"support wiring two adapters", []architecture.Package{{ImportPath: m + "internal/testenv", Deps: []string{m + "internal/postgres", m + "internal/vault"}}},
			[]string{"internal/testenv: only the composition root wires adapters"}},
		{"a new domain package wiring two adapters", []architecture.Package{{ImportPath: m + "internal/retention", Deps: []string{m + "internal/pdf", m + "internal/smtp"}}},
			[]string{"only the composition root wires adapters"}},
		{"the root wires every adapter", []architecture.Package{{ImportPath: m + "internal/app", Deps: []string{m + "internal/postgres", m + "internal/vault", m + "internal/pdf", "github.com/jackc/pgx/v5"}},
			{ImportPath: m + "cmd/arbokluis", Deps: []string{m + "internal/app", m + "internal/httpapi", m + "internal/postgres"}}}, nil},
		{"adapters on the domain and infrastructure", []architecture.Package{{ImportPath: m + "internal/postgres", Deps: []string{m + "internal/dossier", "github.com/jackc/pgx/v5"}},
			{ImportPath: m + "internal/vault", Deps: []string{m + "internal/dossier", "github.com/hashicorp/vault/api"}}}, nil},
		{"a domain library that merely resembles a forbidden one", []architecture.Package{{ImportPath: m + "internal/audit", Deps: []string{"github.com/jackc/pgxlike", "net/smtpx"}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := architecture.Check(tt.pkgs)
			if len(got) != len(tt.want) {
				t.Fatalf("Check(%s) = %v, want %d violations %q", tt.name, got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i].String(), w) {
					t.Errorf("Check(%s)[%d] = %q, want it to contain %q", tt.name, i, got[i], w)
				}
			}
		})
	}
}

func TestLayerOf(t *testing.T) {
	tests := map[string]architecture.Layer{
		m + "internal/dossier":     architecture.LayerDomain,
		m + "internal/postgres":    architecture.LayerAdapter,
		m + "internal/web/assets":  architecture.LayerAdapter,
		m + "internal/app":         architecture.LayerRoot,
		m + "cmd/arbokluis":        architecture.LayerRoot,
		m + "internal/config":      architecture.LayerSupport,
		m + "internal/ratelimit":   architecture.LayerSupport,
		m + "migrations":           architecture.LayerSupport,
		m + "docs":                 architecture.LayerSupport,
		m + "internal/postgresx":   architecture.LayerDomain,
		"github.com/gin-gonic/gin": architecture.LayerOutside,
	}
	for p, want := range tests {
		if got := architecture.LayerOf(p); got != want {
			t.Errorf("LayerOf(%q) = %q, want %q", p, got, want)
		}
	}
}
