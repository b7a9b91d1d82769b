package testenv

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// AxeTags are the axe-core rule tags CheckAccessibility runs: WCAG 2.0 and
// 2.1, levels A and AA.
var AxeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// AxeViolation is one axe-core rule a page breaks, with the elements that
// break it.
type AxeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"` // minor, moderate, serious or critical
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target []any `json:"target"` // CSS selectors; nested lists for frames and shadow DOM
	} `json:"nodes"`
}

// Blocking reports whether the violation fails a test: impact serious or
// critical.
func (v AxeViolation) Blocking() bool { return v.Impact == "serious" || v.Impact == "critical" }

// String renders the violation for a test log: rule id, impact, the target
// selectors, and where axe explains the rule.
func (v AxeViolation) String() string {
	targets := make([]string, 0, len(v.Nodes))
	for _, n := range v.Nodes {
		parts := make([]string, len(n.Target))
		for i, p := range n.Target {
			parts[i] = fmt.Sprint(p)
		}
		targets = append(targets, strings.Join(parts, " >>> "))
	}
	return fmt.Sprintf("%s (%s): %s; elements: %s; see %s", v.ID, v.Impact, v.Help, strings.Join(targets, ", "), v.HelpURL)
}

var (
	axeOnce   sync.Once
	axeSource string
	axeErr    error
)

// AxePath returns where make deps puts axe-core:
// .local/axe-core/<AxeVersion>/axe.min.js under the module root.
func AxePath() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, ".local", "axe-core", AxeVersion, "axe.min.js"), nil
}

// loadAxe reads the axe-core script once per test binary.
func loadAxe() (string, error) {
	axeOnce.Do(func() {
		var p string
		if p, axeErr = AxePath(); axeErr != nil {
			return
		}
		var b []byte
		b, axeErr = os.ReadFile(p)
		axeSource = string(b)
	})
	return axeSource, axeErr
}

// AxeViolations runs axe-core's WCAG 2.1 A and AA rules (AxeTags) on the
// page in the tab and returns every violation, of any impact. The script
// is evaluated through the DevTools protocol, which the page's Content
// Security Policy does not govern, so a page that forbids inline and
// foreign script is checked as it is; the product never serves axe. It
// returns an error when axe-core is not in .local (make deps fetches it) or
// does not run.
func AxeViolations(ctx context.Context) ([]AxeViolation, error) {
	src, err := loadAxe()
	if err != nil {
		return nil, fmt.Errorf("axe-core %s (make deps fetches it): %w", AxeVersion, err)
	}
	actx, cancel := context.WithTimeout(ctx, actionTimeout)
	defer cancel()
	loaded, err := chromedp.Run(actx, chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	if err != nil {
		return nil, err
	}
	if !loaded {
		if err := chromedp.Do(actx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
			return nil, fmt.Errorf("load axe-core: %w", err)
		}
	}
	tags := `["` + strings.Join(AxeTags, `","`) + `"]`
	var out []AxeViolation
	out, err = chromedp.Run(actx, chromedp.Evaluate[[]AxeViolation](
		`axe.run(document, {runOnly: {type: "tag", values: `+tags+`}, resultTypes: ["violations"]}).then(r => r.violations)`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("run axe-core: %w", err)
	}
	return out, nil
}

// CheckAccessibility runs axe-core on the page in the tab (AxeViolations)
// and fails the test, without stopping it, when a violation has impact
// serious or critical, naming each one's rule id, impact, target selectors
// and help URL; lesser violations are logged. When axe cannot run the test
// fails and stops.
func CheckAccessibility(t testing.TB, ctx context.Context) {
	t.Helper()
	vs, err := AxeViolations(ctx)
	if err != nil {
		t.Fatalf("testenv: CheckAccessibility: %v", err)
	}
	var blocking []string
	for _, v := range vs {
		if v.Blocking() {
			blocking = append(blocking, v.String())
		} else {
			t.Logf("testenv: CheckAccessibility: %s", v)
		}
	}
	if len(blocking) > 0 {
		where, _ := chromedp.Run(ctx, chromedp.Location())
		t.Errorf("testenv: CheckAccessibility: %s has %d serious or critical accessibility violation(s):\n  %s",
			where, len(blocking), strings.Join(blocking, "\n  "))
	}
}
