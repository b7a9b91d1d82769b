package testenv

import (
	"bytes"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// strictCSP is the policy the portal's pages carry: no inline script, no
// script from elsewhere.
const strictCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'"

// pages are the fixtures of TestBrowserHelpers, served under strictCSP.
var pages = map[string]string{
	// An unlabelled field and an image without alternative text: both
	// critical in axe-core. The inline script must not run (the CSP works).
	"/bad": `<!doctype html><html lang="nl"><head><title>Fout</title></head><body><main>
<h1>Zoeken</h1>
<form action="/done" method="post"><input type="text" name="q"><button>Zoek</button></form>
<img src="/pixel.png">
<script>window.inlineRan = true</script>
</main></body></html>`,
	"/good": `<!doctype html><html lang="nl"><head><title>Goed</title></head><body><main>
<h1>Aanmelden</h1>
<form action="/done" method="post">
<label for="naam">Uw naam</label> <input id="naam" name="naam" type="text">
<label for="mail">E-mailadres</label> <input id="mail" name="email" type="email">
<label><input type="checkbox" name="akkoord" value="ja"> Akkoord</label>
<button type="submit">Versturen</button>
</form>
<img src="/pixel.png" alt="Logo">
<p><a href="/kopie.pdf">Download de kopie</a></p>
<p><img src="/pixel.png" alt="" width="10" height="2000"></p>
<p>Einde</p>
</main></body></html>`,
	// Content wider than a phone: does not reflow.
	"/wide": `<!doctype html><html lang="nl"><head><title>Breed</title></head><body><main>
<h1>Breed</h1><img src="/pixel.png" alt="Balk" width="2000" height="10">
</main></body></html>`,
}

// pdfBody is what /kopie.pdf serves, as an attachment.
const pdfBody = "%PDF-1.4\n% not a real PDF, only bytes to download\n"

// fixtureServer serves pages, a 1×1 PNG at /pixel.png, a PDF attachment at
// /kopie.pdf and, at /done, takes a form post and redirects to /received,
// which lists the posted fields.
func fixtureServer(t *testing.T) *httptest.Server {
	var pixel bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 1, 1))
	img.Set(0, 0, color.Black)
	if err := png.Encode(&pixel, img); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", strictCSP)
		switch {
		case r.URL.Path == "/pixel.png":
			w.Header().Set("Content-Type", "image/png")
			w.Write(pixel.Bytes()) //nolint:errcheck
		case r.URL.Path == "/kopie.pdf":
			w.Header().Set("Content-Type", "application/pdf")
			w.Header().Set("Content-Disposition", `attachment; filename="kopie.pdf"`)
			fmt.Fprint(w, pdfBody)
		case r.URL.Path == "/done" && r.Method == http.MethodPost:
			r.ParseForm() //nolint:errcheck
			http.Redirect(w, r, "/received?"+r.PostForm.Encode(), http.StatusSeeOther)
		case r.URL.Path == "/received":
			q := r.URL.Query()
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!doctype html><html lang="nl"><head><title>Ontvangen</title></head><body><main><h1>Ontvangen</h1><p>naam=%s email=%s akkoord=%s</p></main></body></html>`,
				html.EscapeString(q.Get("naam")), html.EscapeString(q.Get("email")), html.EscapeString(q.Get("akkoord")))
		case pages[r.URL.Path] != "":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, pages[r.URL.Path])
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// recorder is a testing.TB that records failures instead of failing the
// test it wraps, so a test can check that a helper fails when it must.
// Fatal ends the goroutine, as it does in a test: run the helper with
// capture.
type recorder struct {
	testing.TB
	errs  []string
	fatal bool
}

func (r *recorder) Helper()                   {}
func (r *recorder) Error(args ...any)         { r.errs = append(r.errs, fmt.Sprint(args...)) }
func (r *recorder) Errorf(f string, a ...any) { r.errs = append(r.errs, fmt.Sprintf(f, a...)) }
func (r *recorder) Fatal(args ...any)         { r.Error(args...); r.fatal = true; runtime.Goexit() }
func (r *recorder) Fatalf(f string, a ...any) { r.Errorf(f, a...); r.fatal = true; runtime.Goexit() }
func (r *recorder) Fail()                     { r.errs = append(r.errs, "Fail") }
func (r *recorder) FailNow()                  { r.Fail(); r.fatal = true; runtime.Goexit() }
func (r *recorder) Failed() bool              { return len(r.errs) > 0 }

// capture runs f with a recorder wrapping t and returns what it recorded.
func capture(t testing.TB, f func(tb testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

// TestBrowserHelpers drives one Chromium through the helpers the portal's
// browser tests use and checks that each one reports what is on the page.
func TestBrowserHelpers(t *testing.T) {
	t.Parallel()
	ctx := Browser(t)
	srv := fixtureServer(t)

	t.Run("CheckAccessibility fails a page with critical violations under a strict CSP", func(t *testing.T) {
		if got := Navigate(t, ctx, srv.URL+"/bad"); got != http.StatusOK {
			t.Fatalf("Navigate(/bad) = %d, want 200", got)
		}
		if ran := step(t, ctx, "read window.inlineRan", chromedp.Evaluate[bool](`window.inlineRan === true`)); ran {
			t.Fatalf("the inline script of /bad ran: the fixture's CSP %q is not in force, so the check proves nothing", strictCSP)
		}
		rec := capture(t, func(tb testing.TB) { CheckAccessibility(tb, ctx) })
		if rec.fatal || len(rec.errs) != 1 {
			t.Fatalf("CheckAccessibility(/bad) recorded %q (fatal %v), want one error listing the violations", rec.errs, rec.fatal)
		}
		for _, want := range []string{
			"2 serious or critical",
			"label (critical): Form elements must have labels; elements: input; see https://dequeuniversity.com/rules/axe/4.14/label",
			"image-alt (critical): Images must have alternative text; elements: img; see https://dequeuniversity.com/rules/axe/4.14/image-alt",
		} {
			if !strings.Contains(rec.errs[0], want) {
				t.Errorf("CheckAccessibility(/bad) error = %q, want it to contain %q", rec.errs[0], want)
			}
		}
		if ran := step(t, ctx, "read window.inlineRan", chromedp.Evaluate[bool](`window.inlineRan === true`)); ran {
			t.Errorf("after CheckAccessibility the inline script of /bad had run")
		}
	})

	t.Run("CheckCSP reports the inline script the policy blocked", func(t *testing.T) {
		Navigate(t, ctx, srv.URL+"/bad")
		rec := capture(t, func(tb testing.TB) { CheckCSP(tb, ctx) })
		want := "script-src-elem blocked inline at " + srv.URL + "/bad:5"
		if rec.fatal || len(rec.errs) != 1 || !strings.Contains(rec.errs[0], "broke its Content Security Policy 1 time(s)") || !strings.Contains(rec.errs[0], want) {
			t.Errorf("CheckCSP(/bad) recorded %q (fatal %v), want one error naming %q", rec.errs, rec.fatal, want)
		}
	})

	t.Run("CheckAccessibility, CheckCSP and Inspect pass a clean page", func(t *testing.T) {
		Navigate(t, ctx, srv.URL+"/good")
		rec := capture(t, func(tb testing.TB) { CheckAccessibility(tb, ctx) })
		if rec.Failed() {
			t.Errorf("CheckAccessibility(/good) recorded %q, want nothing", rec.errs)
		}
		rec = capture(t, func(tb testing.TB) { CheckCSP(tb, ctx) })
		if rec.Failed() {
			t.Errorf("CheckCSP(/good) after CheckAccessibility recorded %q, want nothing", rec.errs)
		}
		Inspect(t, ctx, "goed")
		for _, w := range ScreenshotWidths {
			if _, err := os.Stat(filepath.Join(ScreenshotDir(t), fmt.Sprintf("goed-%d.png", w))); err != nil {
				t.Errorf("Inspect(goed) wrote no screenshot at %d px: %v", w, err)
			}
		}
	})

	t.Run("Fill and Submit post the form by label and by name", func(t *testing.T) {
		Navigate(t, ctx, srv.URL+"/good")
		Fill(t, ctx, map[string]string{"Uw naam": "Ada de Vries", "email": "ada@example.test", "Akkoord": "true"})
		if got := Submit(t, ctx, "Versturen"); got != http.StatusOK {
			t.Errorf("Submit(Versturen) = %d, want 200", got)
		}
		if got, want := Location(t, ctx), srv.URL+"/received?"; !strings.HasPrefix(got, want) {
			t.Errorf("Location after Submit = %q, want %q… (the redirect after the post followed)", got, want)
		}
		if got, want := PageText(t, ctx), "naam=Ada de Vries email=ada@example.test akkoord=ja"; !strings.Contains(got, want) {
			t.Errorf("PageText after Submit = %q, want it to contain %q", got, want)
		}
	})

	t.Run("Fill and Submit fail on a field or button that is not there", func(t *testing.T) {
		Navigate(t, ctx, srv.URL+"/good")
		for _, tc := range []struct {
			name string
			f    func(tb testing.TB)
			want string
		}{
			{"Fill(Telefoon)", func(tb testing.TB) { Fill(tb, ctx, map[string]string{"Telefoon": "1"}) }, `no field labelled or named "Telefoon"`},
			{"Submit(Opslaan)", func(tb testing.TB) { Submit(tb, ctx, "Opslaan") }, `0 buttons or links named "Opslaan"`},
		} {
			rec := capture(t, tc.f)
			if !rec.fatal || len(rec.errs) != 1 || !strings.Contains(rec.errs[0], tc.want) {
				t.Errorf("%s recorded %q (fatal %v), want a fatal error containing %q", tc.name, rec.errs, rec.fatal, tc.want)
			}
		}
	})

	t.Run("Download saves the file a link serves", func(t *testing.T) {
		Navigate(t, ctx, srv.URL+"/good")
		name, data := Download(t, ctx, "Download de kopie")
		if name != "kopie.pdf" || string(data) != pdfBody {
			t.Errorf("Download(Download de kopie) = %q, %q; want %q, %q", name, data, "kopie.pdf", pdfBody)
		}
		if got, want := Location(t, ctx), srv.URL+"/good"; got != want {
			t.Errorf("Location after Download = %q, want %q (a download is no navigation)", got, want)
		}
	})

	t.Run("Screenshot writes a full-page PNG per width", func(t *testing.T) {
		Navigate(t, ctx, srv.URL+"/good")
		SetViewport(t, ctx, 1000, 700)
		dir := ScreenshotDir(t)
		Screenshot(t, ctx, "aanmelden")
		for _, w := range []int{360, 1280} {
			file := filepath.Join(dir, fmt.Sprintf("aanmelden-%d.png", w))
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("Screenshot(aanmelden): %v", err)
			}
			gotW, gotH, err := PNGSize(data)
			if err != nil || gotW != w || gotH < 2000 {
				t.Errorf("Screenshot(aanmelden) at %d px: %s is %d×%d (err %v), want a PNG %d px wide and over 2000 px tall (the whole page)", w, file, gotW, gotH, err, w)
			}
		}
		if got := step(t, ctx, "read the viewport", chromedp.Evaluate[[2]int](`[window.innerWidth, window.innerHeight]`)); got != [2]int{1000, 700} {
			t.Errorf("viewport after Screenshot = %v, want it restored to [1000 700]", got)
		}
	})

	t.Run("Screenshot fails a page that does not reflow at 360 px", func(t *testing.T) {
		Navigate(t, ctx, srv.URL+"/wide")
		rec := capture(t, func(tb testing.TB) { Screenshot(tb, ctx, "breed", 360) })
		if rec.fatal || len(rec.errs) != 1 || !strings.Contains(rec.errs[0], "does not reflow") {
			t.Errorf("Screenshot(/wide, 360) recorded %q (fatal %v), want one error saying it does not reflow", rec.errs, rec.fatal)
		}
	})
}

// TestAxeVersionMatchesMakefile keeps AxeVersion equal to the version make
// deps fetches.
func TestAxeVersionMatchesMakefile(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^AXE_VERSION\s*:=\s*(\S+)$`).FindSubmatch(mk)
	if m == nil || string(m[1]) != AxeVersion {
		t.Errorf("Makefile AXE_VERSION = %q, want AxeVersion %q", m, AxeVersion)
	}
}

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{
		"TestPortal/employee_home": "TestPortal/employee_home",
		"a b/c:d":                  "a_b/c_d",
		"../etc":                   "etc",
		"a/../../b":                "a/b",
	} {
		if got := safeName(in); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
}
