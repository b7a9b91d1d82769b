package app

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
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
// callers except does not name, and for the anonymous caller a redirect to
// the login page (303) unless except names it (a public page).
func pexpect(def int, except map[string]int) map[string]int {
	out := expect(def, except)
	out["anonymous"] = http.StatusSeeOther
	if st, ok := except["anonymous"]; ok {
		out["anonymous"] = st
	}
	return out
}

// logoutLast orders the logout rows after the others.
func logoutLast(r portalProRow) int {
	if r.route == "/uitloggen" {
		return 1
	}
	return 0
}

// staticPath is a row path that needs nothing of the fixture.
func staticPath(p string) func(*matrixFixture) string {
	return func(*matrixFixture) string { return p }
}

// TestPortalProfessionalMatrix requests every row of portalProMatrix as
// every caller of the API's matrix and holds each answer to its literal
// expectation; a redirect must go where the row says (the login page for
// the anonymous caller). Every route the portal registers must be in the
// matrix. Logout ends the callers' sessions: its rows run last.
func TestPortalProfessionalMatrix(t *testing.T) {
	t.Parallel()
	f := newMatrixFixture(t)
	s := f.s
	t.Run("every portal route is in the matrix", func(t *testing.T) {
		in := map[string]bool{}
		for _, r := range portalProMatrix {
			in[r.method+" "+r.route] = true
		}
		for _, pattern := range s.app.portal.Routes() {
			if !in[pattern] {
				t.Errorf("portal route %s is registered but not in the portal matrix", pattern)
			}
		}
	})
	rows := slices.Clone(portalProMatrix)
	slices.SortStableFunc(rows, func(a, b portalProRow) int {
		return cmp.Compare(logoutLast(a), logoutLast(b))
	})
	for _, r := range rows {
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
