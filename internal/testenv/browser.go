package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// ChromiumPath is Debian's chromium, which make deps installs (.ci/tools.sh).
const ChromiumPath = "/usr/bin/chromium"

// AxeVersion is the axe-core release that make deps fetches into
// .local/axe-core/<version>/axe.min.js; the Makefile's AXE_VERSION must be
// the same (TestAxeVersionMatchesMakefile).
const AxeVersion = "4.14.1"

// BrowserTimeout bounds the life of the browser of one test: when it ends
// the browser stops and every later action fails.
const BrowserTimeout = 3 * time.Minute

// actionTimeout bounds one helper's work on the page, so that a page that
// never loads fails its test in seconds with a message naming the step.
const actionTimeout = 30 * time.Second

// ScreenshotWidths are the viewport widths Screenshot captures when given
// none: a phone and a desktop.
var ScreenshotWidths = []int{360, 1280}

// defaultViewport is the window of a new browser, in CSS pixels.
const defaultWidth, defaultHeight = 1280, 800

// Browser starts headless Chromium for the test and returns a chromedp
// context on its first tab; the browser stops when the test ends or after
// BrowserTimeout. Use one browser per test and reuse it in the test.
//
// The browser keeps nothing between tests: its profile is a fresh directory
// under t.TempDir() and it does no background networking (no component
// updates, sync or QUIC), so a test's pages are its only traffic.
//
// Under `go test -short` the test is skipped. Without chromium the test is
// skipped, or fails when CI=true (make deps installs it); a browser that
// does not start fails the test.
func Browser(t testing.TB) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("short mode: browser test; make test runs it")
	}
	if _, err := os.Stat(ChromiumPath); err != nil {
		msg := fmt.Sprintf("testenv: %s is not installed (make deps installs Debian's chromium)", ChromiumPath)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(ChromiumPath),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(defaultWidth, defaultHeight),
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	// chromedp adds --no-sandbox itself when it runs as root, which the
	// sandbox refuses.
	life, stop := context.WithTimeout(context.Background(), BrowserTimeout)
	actx, cancelAlloc := chromedp.NewExecAllocator(life, opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
		stop()
	})
	// The first action starts the browser and binds it to ctx; every page
	// the tab loads then records its CSP violations for CheckCSP.
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspRecorder})
		return err
	})); err != nil {
		t.Fatalf("testenv: start %s: %v", ChromiumPath, err)
	}
	// Screenshots of an earlier run of the test would pass for this run's.
	os.RemoveAll(ScreenshotDir(t)) //nolint:errcheck
	return ctx
}

// cspRecorder runs in every document of a Browser tab before the page's
// own script and collects the page's Content Security Policy violations
// (what the policy blocked, and where) in window.__testenvCSP.
const cspRecorder = `window.__testenvCSP = [];
document.addEventListener("securitypolicyviolation", e => window.__testenvCSP.push(
  e.effectiveDirective + " blocked " + (e.blockedURI || "?") + (e.sourceFile ? " at " + e.sourceFile + ":" + e.lineNumber : "")));`

// CheckCSP fails the test, without stopping it, when the page in the tab
// has broken its own Content Security Policy since it loaded (an inline
// script or style, or a resource from elsewhere, that the browser blocked),
// listing each violation. A page not opened in a Browser tab fails too.
func CheckCSP(t testing.TB, ctx context.Context) {
	t.Helper()
	got := step(t, ctx, "read the CSP violations", chromedp.Evaluate[*[]string](`window.__testenvCSP || null`))
	where := Location(t, ctx)
	switch {
	case got == nil:
		t.Errorf("testenv: CheckCSP: %s was not loaded in a testenv.Browser tab; its violations were not recorded", where)
	case len(*got) > 0:
		t.Errorf("testenv: CheckCSP: %s broke its Content Security Policy %d time(s):\n  %s", where, len(*got), strings.Join(*got, "\n  "))
	}
}

// step runs one helper's action with actionTimeout and fails t with what
// was being done when it fails.
func step[T any](t testing.TB, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(sctx, a)
	if err != nil {
		t.Fatalf("testenv: %s: %v", what, err)
	}
	return v
}

// Navigate loads url in the tab, waits until the page has loaded and
// returns the HTTP status of its document (after redirects). A page that
// does not load fails the test.
func Navigate(t testing.TB, ctx context.Context, url string) int {
	t.Helper()
	resp := step(t, ctx, "navigate to "+url, chromedp.NavigateResponse(url))
	return int(resp.Status)
}

// SetViewport sets the tab's viewport to width × height CSS pixels (device
// scale 1); the page reflows at once. A failure fails the test.
func SetViewport(t testing.TB, ctx context.Context, width, height int) {
	t.Helper()
	step(t, ctx, fmt.Sprintf("set the viewport to %d×%d", width, height),
		chromedp.EmulateViewport(int64(width), int64(height)))
}

// PageText returns the text of the page as a reader sees it (the body's
// innerText: hidden elements left out). A failure fails the test.
func PageText(t testing.TB, ctx context.Context) string {
	t.Helper()
	return step(t, ctx, "read the page text", chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
}

// Location returns the URL of the page in the tab. A failure fails the
// test.
func Location(t testing.TB, ctx context.Context) string {
	t.Helper()
	return step(t, ctx, "read the location", chromedp.Location())
}

// fillScript finds the one form control whose label text (trimmed,
// whitespace collapsed), aria-label or name attribute is the key and sets its value,
// firing input and change events as typing would. A checkbox or radio
// button is checked by "true" or "on" and cleared by anything else. It
// returns "" or the reason it could not.
const fillScript = `(function(key, value) {
  const norm = s => (s || "").replace(/\s+/g, " ").trim();
  const found = new Set();
  for (const l of document.querySelectorAll("label")) {
    if (norm(l.textContent) === key && l.control) found.add(l.control);
  }
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.name === key || el.getAttribute("aria-label") === key) found.add(el);
  }
  const els = [...found];
  if (els.length === 0) return "no field labelled or named " + JSON.stringify(key);
  if (els.length > 1 && !els.every(e => e.type === "radio")) return els.length + " fields labelled or named " + JSON.stringify(key);
  let el = els[0];
  if (el.type === "radio") {
    el = els.find(e => e.value === value);
    if (!el) return "no radio button " + JSON.stringify(key) + " with value " + JSON.stringify(value);
    el.checked = true;
  } else if (el.type === "checkbox") {
    el.checked = value === "true" || value === "on";
  } else {
    el.value = value;
    if (el.value !== value) return "field " + JSON.stringify(key) + " does not take " + JSON.stringify(value);
  }
  el.dispatchEvent(new Event("input", {bubbles: true}));
  el.dispatchEvent(new Event("change", {bubbles: true}));
  return "";
})`

// Fill sets form fields, in the order of their keys: each key is a field's
// label text, aria-label or name attribute, each value what to enter (for a
// select, an option's value; for a radio group, the value to choose; for a
// checkbox, "true" or "false"). A key that matches no field, or more than
// one, fails the test.
func Fill(t testing.TB, ctx context.Context, fields map[string]string) {
	t.Helper()
	for _, key := range slices.Sorted(maps.Keys(fields)) {
		value := fields[key]
		k, _ := json.Marshal(key)
		v, _ := json.Marshal(value)
		if msg := step(t, ctx, "fill "+string(k), chromedp.Evaluate[string](fillScript+"("+string(k)+", "+string(v)+")")); msg != "" {
			t.Fatalf("testenv: Fill: %s", msg)
		}
	}
}

// clickScript clicks the one button, submit input or link whose text
// (trimmed, whitespace collapsed), value or aria-label is the given text, and
// returns "" or the reason it could not.
const clickScript = `(function(text) {
  const norm = s => (s || "").replace(/\s+/g, " ").trim();
  const els = [...document.querySelectorAll("button, input[type=submit], input[type=button], a[href]")]
    .filter(e => norm(e.textContent) === text || e.value === text || e.getAttribute("aria-label") === text);
  if (els.length !== 1) return els.length + " buttons or links named " + JSON.stringify(text);
  els[0].click();
  return "";
})`

// Submit clicks the button (or link) named text — its text, value or
// aria-label — and waits until the page it leads to has loaded; it
// returns the HTTP status of that page. No such button, more than one, or
// no new page fails the test. For a click that changes the page without
// loading another (htmx), use Click.
func Submit(t testing.TB, ctx context.Context, text string) int {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(sctx, clickAction(text))
	if err != nil {
		t.Fatalf("testenv: Submit %q: %v", text, err)
	}
	return int(resp.Status)
}

// Click clicks the button (or link) named text without waiting for a new
// page. No such button, or more than one, fails the test.
func Click(t testing.TB, ctx context.Context, text string) {
	t.Helper()
	step(t, ctx, "click "+text, clickAction(text))
}

// clickAction clicks the button named text; it fails when there is not
// exactly one.
func clickAction(text string) chromedp.Action[chromedp.Void] {
	k, _ := json.Marshal(text)
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		msg, err := chromedp.Evaluate[string](clickScript+"("+string(k)+")")(ctx, tg)
		if err == nil && msg != "" {
			err = errors.New(msg)
		}
		return err
	})
}

// Download clicks the button or link named text (as Click), waits until
// the file it starts has been saved, and returns the file name the server
// suggested and the file's bytes. No such button, no download within
// actionTimeout, or a download that fails, fails the test.
func Download(t testing.TB, ctx context.Context, text string) (name string, data []byte) {
	t.Helper()
	dir := t.TempDir()
	sctx, cancel := context.WithTimeout(ctx, actionTimeout)
	defer cancel()
	if _, err := chromedp.CallBrowser(sctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: ptr(true),
	}); err != nil {
		t.Fatalf("testenv: Download %q: allow downloads: %v", text, err)
	}
	begins := chromedp.BrowserEvents(sctx, browser.DownloadWillBegin)
	progress := chromedp.BrowserEvents(sctx, browser.DownloadProgress)
	if err := chromedp.Do(sctx, clickAction(text)); err != nil {
		t.Fatalf("testenv: Download %q: %v", text, err)
	}
	var begin browser.EventDownloadWillBegin
	for ev, err := range begins {
		if err != nil {
			t.Fatalf("testenv: Download %q: no download began: %v", text, err)
		}
		begin = ev
		break
	}
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("testenv: Download %q of %s: %v", text, begin.URL, err)
		}
		if ev.GUID != begin.GUID {
			continue
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatalf("testenv: Download %q of %s: canceled", text, begin.URL)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			break
		}
	}
	// allowAndName saves the file under the download's GUID.
	data, err := os.ReadFile(filepath.Join(dir, begin.GUID))
	if err != nil {
		t.Fatalf("testenv: Download %q of %s: %v", text, begin.URL, err)
	}
	return begin.SuggestedFilename, data
}

// Inspect gives the page in the tab the checks every page a browser test
// visits needs: CheckCSP, CheckAccessibility, and Screenshot under name at
// ScreenshotWidths.
func Inspect(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	CheckCSP(t, ctx)
	CheckAccessibility(t, ctx)
	Screenshot(t, ctx, name)
}

// Screenshot saves full-page PNGs of the page in the tab, one per viewport
// width (ScreenshotWidths when none are given), as
// .local/test-output/screenshots/<test name>/<name>-<width>.png, and
// restores the viewport afterwards. Each PNG is exactly width pixels wide;
// a page wider than the viewport (content that does not reflow) fails the
// test, as WCAG 2.1's reflow criterion asks at 320 CSS pixels and the
// portal promises at 360. Other failures fail the test too.
func Screenshot(t testing.TB, ctx context.Context, name string, widths ...int) {
	t.Helper()
	if len(widths) == 0 {
		widths = ScreenshotWidths
	}
	dir := ScreenshotDir(t)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("testenv: Screenshot: %v", err)
	}
	size := step(t, ctx, "read the viewport", chromedp.Evaluate[[2]int](`[window.innerWidth, window.innerHeight]`))
	defer SetViewport(t, ctx, size[0], size[1])
	for _, w := range widths {
		SetViewport(t, ctx, w, defaultHeight)
		shot := step(t, ctx, fmt.Sprintf("screenshot %s at %d px", name, w), fullPage)
		file := filepath.Join(dir, fmt.Sprintf("%s-%d.png", strings.ReplaceAll(safeName(name), "/", "_"), w))
		if err := os.WriteFile(file, shot.png, 0o644); err != nil {
			t.Fatalf("testenv: Screenshot: %v", err)
		}
		if shot.contentWidth > w {
			t.Errorf("testenv: Screenshot %s: the page is %d px wide in a %d px viewport (it does not reflow); see %s", name, shot.contentWidth, w, file)
		}
	}
}

// ScreenshotDir returns the folder Screenshot writes the test's PNGs to:
// .local/test-output/screenshots/<test name> under the module root (not
// committed; .local is ignored).
func ScreenshotDir(t testing.TB) string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatalf("testenv: ScreenshotDir: %v", err)
	}
	return filepath.Join(root, ".local", "test-output", "screenshots", filepath.FromSlash(safeName(t.Name())))
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// safeName makes a test or screenshot name a relative path: each
// slash-separated part keeps letters, digits, dot, dash and underscore,
// other runs become one underscore, and parts that are empty or only dots
// are dropped, so the path stays below its folder.
func safeName(s string) string {
	var parts []string
	for _, p := range strings.Split(s, "/") {
		if p = strings.Trim(unsafeChars.ReplaceAllString(p, "_"), "._"); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "/")
}

// pageShot is one full-page capture.
type pageShot struct {
	png          []byte
	contentWidth int // the page's scrollable width in CSS pixels
}

// fullPage captures the whole page, not only the viewport: as wide as the
// viewport and as tall as the content.
func fullPage(ctx context.Context, tg *chromedp.Target) (pageShot, error) {
	m, err := cdp.Call(ctx, tg, page.GetLayoutMetrics, cdp.Empty{})
	if err != nil {
		return pageShot{}, err
	}
	if m.CSSLayoutViewport == nil || m.CSSContentSize == nil {
		return pageShot{}, errors.New("no layout metrics")
	}
	vw := float64(m.CSSLayoutViewport.ClientWidth)
	h := math.Max(math.Ceil(m.CSSContentSize.Height), float64(m.CSSLayoutViewport.ClientHeight))
	r, err := cdp.Call(ctx, tg, page.CaptureScreenshot, page.CaptureScreenshotParams{
		Format:                page.CaptureScreenshotFormatPng,
		CaptureBeyondViewport: ptr(true),
		FromSurface:           ptr(true),
		Clip:                  &page.Viewport{Width: vw, Height: h, Scale: 1},
	})
	if err != nil {
		return pageShot{}, err
	}
	return pageShot{png: r.Data, contentWidth: int(math.Ceil(m.CSSContentSize.Width))}, nil
}

func ptr[T any](v T) *T { return &v }

// PNGSize returns the width and height of a PNG image, or an error when
// data is not one.
func PNGSize(data []byte) (width, height int, err error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	return cfg.Width, cfg.Height, err
}
