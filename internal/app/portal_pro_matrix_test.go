package app

import (
	"net/http"
	"net/url"
	"testing"
)

// The professionals' portal matrix: every portal page of the company
// doctor, the case manager, the privacy officer and the administrator ×
// every caller of the API's matrix (matrixCallers: every role, the other
// tenant, the substitute and the unassigned physician, the assistant with
// a valid, an expired and no confidentiality statement, the lead physician
// with and without emergency access, and the callers with two grants), in
// the API matrix's world (matrixFixture). Expectations are written by hand
// from DESIGN §1, never derived from the policy.

// portalProRow is one portal route and what each caller gets: a page (200,
// or 400 for a form posted empty), a redirect (303; to the login page for
// an anonymous caller, else to redirect), the 403 or the 404 page.
type portalProRow struct {
	method, route string
	// path is the path to request in the fixture's world.
	path func(f *matrixFixture) string
	// form is the form to post (nil: an empty form for a POST).
	form func(f *matrixFixture) url.Values
	// want is the status per caller (pexpect).
	want map[string]int
	// redirect is where a logged-in caller's 303 goes ("" when none).
	redirect string
}

// portalProMatrix are the rows; each part of the portal adds its own in an
// init function of its own matrix file.
var portalProMatrix []portalProRow

// pexpect is expect for the portal: the status per caller, def for the
// callers except does not name, and a redirect to the login page (303)
// for the anonymous caller.
func pexpect(def int, except map[string]int) map[string]int {
	out := expect(def, except)
	out["anonymous"] = http.StatusSeeOther
	return out
}

// staticPath is a row path that needs nothing of the fixture.
func staticPath(p string) func(*matrixFixture) string {
	return func(*matrixFixture) string { return p }
}

// TestPortalProfessionalMatrix requests every row of portalProMatrix as
// every caller of the API's matrix and holds each answer to its literal
// expectation.
func TestPortalProfessionalMatrix(t *testing.T) {
	t.Parallel()
	if len(portalProMatrix) == 0 {
		t.Skip("no professional portal pages")
	}
	f := newMatrixFixture(t)
	s := f.s
	for _, r := range portalProMatrix {
		path := r.path(f)
		for _, caller := range matrixCallers {
			want, ok := r.want[caller]
			if !ok {
				t.Fatalf("portal row %s %s has no expectation for %s", r.method, r.route, caller)
			}
			t.Run(r.method+" "+r.route+"/"+caller, func(t *testing.T) {
				var form url.Values
				if r.method == http.MethodPost {
					form = url.Values{}
					if r.form != nil {
						form = r.form(f)
					}
				}
				got := s.portal(r.method, path, f.tokens[caller], form)
				if got.status != want {
					t.Errorf("%s %s as %s = %d, want %d", r.method, path, caller, got.status, want)
				}
				if got.status == http.StatusSeeOther {
					wantLoc := r.redirect
					if caller == "anonymous" {
						wantLoc = "/inloggen"
					}
					if loc := got.header.Get("Location"); loc != wantLoc {
						t.Errorf("%s %s as %s redirects to %q, want %q", r.method, path, caller, loc, wantLoc)
					}
				}
				if got.header.Get("Content-Security-Policy") == "" {
					t.Errorf("%s %s as %s has no CSP", r.method, path, caller)
				}
			})
		}
	}
}
