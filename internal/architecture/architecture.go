// Package architecture states the layering of Arbokluis as rules over the
// import graph, so that a test can hold the tree to them (DESIGN §3):
//
//   - Domain packages (everything in internal/ that is neither an adapter,
//     the composition root nor support) own the rules. They never depend on
//     gin, pgx, the Vault API, gofpdf or net/smtp: those are the adapters'
//     business.
//   - Adapters (postgres, vault, pdf, smtp, httpapi, web) implement the
//     domain's small interfaces directly and never import one another.
//   - Only the composition root (internal/app) and the binary
//     (cmd/arbokluis) import more than one adapter: they wire.
//   - No domain package imports the composition root.
//
// Support packages (config, derrors, ratelimit, testenv, architecture,
// and the embedded files of migrations, policies and docs) are outside the
// layering: they hold no domain rule and wire nothing.
package architecture

import (
	"fmt"
	"slices"
	"strings"
)

// Module is the module path every checked package lives under.
const Module = "github.com/arbokluis/arbokluis"

// Layer is where a package stands.
type Layer string

// The layers.
const (
	LayerDomain  Layer = "domain"
	LayerAdapter Layer = "adapter"
	LayerRoot    Layer = "composition root"
	LayerSupport Layer = "support"
	LayerOutside Layer = "outside" // not this module's
)

// adapters are the packages that talk to the world outside the domain.
var adapters = []string{"internal/postgres", "internal/vault", "internal/pdf", "internal/smtp", "internal/httpapi", "internal/web"}

// roots wire adapters to services.
var roots = []string{"internal/app", "cmd/arbokluis"}

// support packages hold no domain rule and wire nothing.
var support = []string{"internal/config", "internal/derrors", "internal/ratelimit", "internal/testenv", "internal/architecture", "migrations", "policies", "docs"}

// infrastructure are the libraries only adapters may depend on, by import
// path prefix.
var infrastructure = []string{
	"github.com/gin-gonic/gin",
	"github.com/jackc/pgx",
	"github.com/hashicorp/vault/api",
	"github.com/jung-kurt/gofpdf",
	"net/smtp",
}

// LayerOf returns the layer of the package with import path p.
func LayerOf(p string) Layer {
	rel, ok := strings.CutPrefix(p, Module+"/")
	if !ok {
		return LayerOutside
	}
	switch {
	case inTree(rel, adapters):
		return LayerAdapter
	case inTree(rel, roots):
		return LayerRoot
	case inTree(rel, support):
		return LayerSupport
	case strings.HasPrefix(rel, "internal/"):
		return LayerDomain
	}
	return LayerSupport
}

// inTree reports whether rel is one of dirs or below one.
func inTree(rel string, dirs []string) bool {
	return slices.ContainsFunc(dirs, func(d string) bool { return rel == d || strings.HasPrefix(rel, d+"/") })
}

// Package is one node of the import graph: its import path and the import
// paths of everything it depends on, directly or not (go list's Deps).
type Package struct {
	ImportPath string
	Deps       []string
}

// Violation is one broken rule.
type Violation struct {
	Package, Rule string
}

func (v Violation) String() string { return v.Package + ": " + v.Rule }

// Check returns every rule the packages break, in a stable order; none
// when the graph keeps the layering.
func Check(pkgs []Package) []Violation {
	var out []Violation
	for _, p := range pkgs {
		layer := LayerOf(p.ImportPath)
		var adaptersUsed []string
		for _, d := range p.Deps {
			dl := LayerOf(d)
			switch {
			case layer == LayerDomain && isInfrastructure(d):
				out = append(out, Violation{p.ImportPath, fmt.Sprintf("domain package depends on infrastructure %s", d)})
			case layer == LayerDomain && dl == LayerRoot:
				out = append(out, Violation{p.ImportPath, fmt.Sprintf("domain package depends on the composition root %s", d)})
			case layer == LayerAdapter && dl == LayerAdapter && d != p.ImportPath:
				out = append(out, Violation{p.ImportPath, fmt.Sprintf("adapter depends on another adapter %s", d)})
			}
			if dl == LayerAdapter && !slices.Contains(adaptersUsed, d) {
				adaptersUsed = append(adaptersUsed, d)
			}
		}
		if layer != LayerRoot && len(adaptersUsed) > 1 {
			slices.Sort(adaptersUsed)
			out = append(out, Violation{p.ImportPath, fmt.Sprintf("only the composition root wires adapters, but it depends on %s", strings.Join(adaptersUsed, ", "))})
		}
	}
	slices.SortFunc(out, func(a, b Violation) int { return strings.Compare(a.String(), b.String()) })
	return out
}

func isInfrastructure(p string) bool {
	return slices.ContainsFunc(infrastructure, func(prefix string) bool { return p == prefix || strings.HasPrefix(p, prefix+"/") })
}
