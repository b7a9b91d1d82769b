package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/arbokluis/arbokluis/internal/ratelimit"
)

// htmxSHA256 is the SHA-256 of static/htmx.min.js, htmx 2.0.11 from the npm
// registry (see static/README.md); a changed file must change it too.
const htmxSHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"

// TestVendoredHTMX: the embedded htmx is the vendored release, byte for
// byte, and is served as a script.
func TestVendoredHTMX(t *testing.T) {
	data, err := fs.ReadFile(staticFiles, "htmx.min.js")
	if err != nil {
		t.Fatalf("ReadFile(static, htmx.min.js): %v", err)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != htmxSHA256 {
		t.Errorf("SHA-256 of the embedded htmx.min.js = %s, want %s (update static/README.md and the constant with the file)", got, htmxSHA256)
	}
	s, _ := employerTestServer(t, nil)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/static/htmx.min.js", nil))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/javascript; charset=utf-8" || rec.Body.Len() != len(data) {
		t.Errorf("GET /static/htmx.min.js = %d %q, %d bytes, want 200 text/javascript with the %d bytes embedded",
			rec.Code, rec.Header().Get("Content-Type"), rec.Body.Len(), len(data))
	}
}

// TestEmployerOverviewListPart: the overview answers an htmx request with
// only its list (the part its form and paging links swap in) and any other
// request, a history restore included, with the whole page; both vary by
// HX-Request and spend the same list-read limit.
func TestEmployerOverviewListPart(t *testing.T) {
	s, cookie := employerTestServerWith(t, employerOverviewRows(60), 0, ratelimit.Limit{PerMinute: 1, Burst: 5})
	h := s.Handler()
	get := func(path string, headers map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(cookie)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	htmx := map[string]string{"HX-Request": "true"}
	tests := []struct {
		name       string
		path       string
		headers    map[string]string
		wantStatus int
		wantPart   bool
		wantText   string
	}{
		{"plain GET", "/werkgever?sorteer=nummer", nil, http.StatusOK, false, `href="/werkgever?sorteer=nummer&amp;pagina=2"`},
		{"htmx GET", "/werkgever?sorteer=nummer", htmx, http.StatusOK, true, `hx-get="/werkgever?sorteer=nummer&amp;pagina=2"`},
		{"htmx GET of the home page", "/?pagina=2", htmx, http.StatusOK, true, "Medewerkers (pagina 2 van 2)"},
		{"htmx history restore", "/werkgever", map[string]string{"HX-Request": "true", "HX-History-Restore-Request": "true"}, http.StatusOK, false, "U heeft 60 medewerkers."},
		{"htmx GET with a bad filter", "/werkgever?wie=iemand", htmx, http.StatusBadRequest, true, "Kies wie u wilt zien uit de lijst."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(tt.path, tt.headers)
			body := rec.Body.String()
			if rec.Code != tt.wantStatus {
				t.Errorf("GET %s with %v = %d, want %d", tt.path, tt.headers, rec.Code, tt.wantStatus)
			}
			if got := rec.Header().Get("Content-Security-Policy"); !strings.HasSuffix(got, "; connect-src 'self'") || !strings.HasPrefix(got, CSP) {
				t.Errorf("GET %s with %v: CSP = %q, want the portal's CSP with connect-src 'self' (htmx's requests)", tt.path, tt.headers, got)
			}
			if got := rec.Header().Values("Vary"); !strings.Contains(strings.Join(got, ","), "HX-Request") {
				t.Errorf("GET %s with %v: Vary = %q, want it to name HX-Request", tt.path, tt.headers, got)
			}
			isPart := strings.HasPrefix(strings.TrimSpace(body), `<div id="medewerkers">`) && !strings.Contains(body, "<html") &&
				!strings.Contains(body, "<form") && !strings.Contains(body, "U heeft 60 medewerkers.")
			isPage := strings.HasPrefix(body, "<!DOCTYPE html>") && strings.Contains(body, `<div id="medewerkers">`) && strings.Contains(body, "<form")
			if tt.wantPart && !isPart || !tt.wantPart && !isPage {
				t.Errorf("GET %s with %v: only the list = %t, the whole page = %t; want only the list %t", tt.path, tt.headers, isPart, isPage, tt.wantPart)
			}
			if !strings.Contains(body, tt.wantText) {
				t.Errorf("GET %s with %v: body lacks %q", tt.path, tt.headers, tt.wantText)
			}
		})
	}
	// Five reads of the burst spent (the bad filter is refused before it
	// reads): the sixth is refused whether or not it comes from htmx.
	if rec := get("/werkgever", htmx); rec.Code != http.StatusOK {
		t.Errorf("GET /werkgever with HX-Request as the fifth read = %d, want 200", rec.Code)
	}
	if rec := get("/werkgever", htmx); rec.Code != http.StatusTooManyRequests {
		t.Errorf("GET /werkgever with HX-Request after the burst = %d, want 429 (the same list-read limit as the page)", rec.Code)
	}
}
