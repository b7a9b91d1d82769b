package app

import (
	"net/http"
	"testing"
)

// The privacy officer's portal in the portal matrix. The register and a
// request's page are read under requests/read, which physicians hold for
// their own queue: the register page shows a physician their queue (200),
// as GET /api/v1/requests does, but an HR request's page, decision and
// extension are not theirs (404, as the API's decision); erasing,
// restricting and registering are the privacy officer's alone, refused
// with 403 to physicians, who see the register. The audit trail is the
// privacy officer's only. Everyone else learns nothing exists (404).
func init() {
	officer := func(st int) map[string]int { return pexpect(s404, map[string]int{"privacy": st}) }
	officerAndPhysicians := func(st, physician int) map[string]int {
		return pexpect(s404, plus(map[string]int{"privacy": st}, physician, physicians))
	}
	requestPath := func(suffix string, id func(f *matrixFixture, t *testing.T) string) func(f *matrixFixture) string {
		return func(f *matrixFixture) string { return "/privacy/verzoeken/" + id(f, f.s.t) + suffix }
	}
	undecidedErasure := func(f *matrixFixture, t *testing.T) string { return f.freshFiled(t, "eeA1", "erasure") }
	portalProMatrix = append(portalProMatrix,
		portalProRow{method: "GET", route: "/privacy/verzoeken", path: staticPath("/privacy/verzoeken"),
			want: officerAndPhysicians(s200, s200)},
		portalProRow{method: "GET", route: "/privacy/verzoeken/nieuw", path: staticPath("/privacy/verzoeken/nieuw"),
			want: officerAndPhysicians(s200, s403)},
		// An empty form: the officer is told what to fill in.
		portalProRow{method: "POST", route: "/privacy/verzoeken", path: staticPath("/privacy/verzoeken"),
			want: officerAndPhysicians(http.StatusBadRequest, s403)},
		portalProRow{method: "GET", route: "/privacy/verzoeken/{id}", path: requestPath("", undecidedErasure),
			want: officer(s200)},
		portalProRow{method: "POST", route: "/privacy/verzoeken/{id}/besluit", path: requestPath("/besluit", undecidedErasure),
			want: officer(http.StatusBadRequest)},
		portalProRow{method: "POST", route: "/privacy/verzoeken/{id}/verlengen", path: requestPath("/verlengen", undecidedErasure),
			want: officer(http.StatusBadRequest)},
		portalProRow{method: "POST", route: "/privacy/verzoeken/{id}/wissen/voorbeeld", path: requestPath("/wissen/voorbeeld", undecidedErasure),
			want: officerAndPhysicians(s200, s403)},
		// Applied already (a1's open case keeps everything: refused), so
		// applying it again is a conflict; the walk applies a fresh one.
		portalProRow{method: "POST", route: "/privacy/verzoeken/{id}/wissen",
			path: requestPath("/wissen", (*matrixFixture).decidedErasure), want: officerAndPhysicians(http.StatusConflict, s403)},
		portalProRow{method: "POST", route: "/privacy/verzoeken/{id}/beperken",
			path: requestPath("/beperken", (*matrixFixture).decidedRestriction), want: officerAndPhysicians(http.StatusConflict, s403)},
		portalProRow{method: "POST", route: "/privacy/verzoeken/{id}/beperking-opheffen",
			path: requestPath("/beperking-opheffen", (*matrixFixture).liftedRestriction), want: officerAndPhysicians(http.StatusConflict, s403)},
		portalProRow{method: "GET", route: "/privacy/audit", path: func(f *matrixFixture) string {
			return "/privacy/audit?medewerker=" + f.a1.String()
		}, want: officer(s200)},
		portalProRow{method: "POST", route: "/privacy/audit/controle", path: staticPath("/privacy/audit/controle"), want: officer(s200)},
		portalProRow{method: "GET", route: "/privacy/audit.csv", path: func(f *matrixFixture) string {
			return "/privacy/audit.csv?medewerker=" + f.a1.String()
		}, want: officer(s200)},
	)
}

// decidedErasure files an erasure request as a1 and has the privacy
// officer apply it through the API (refused: a1's open case keeps
// everything).
func (f *matrixFixture) decidedErasure(t *testing.T) string {
	t.Helper()
	id := f.freshFiled(t, "eeA1", "erasure")
	if r := f.s.do("POST", "/api/v1/requests/"+id+"/erasure", f.tokens["privacy"], nil); r.status != s200 {
		t.Fatalf("fixture: apply erasure = %d %s", r.status, r.raw)
	}
	return id
}

// decidedRestriction files a restriction request as a1 and has the
// privacy officer apply it through the API (refused: a1's open case).
func (f *matrixFixture) decidedRestriction(t *testing.T) string {
	t.Helper()
	id := f.freshFiled(t, "eeA1", "restriction")
	if r := f.s.do("POST", "/api/v1/requests/"+id+"/restriction", f.tokens["privacy"], nil); r.status != s200 {
		t.Fatalf("fixture: apply restriction = %d %s", r.status, r.raw)
	}
	return id
}

// liftedRestriction is a granted restriction of a2 that the privacy
// officer has lifted through the API.
func (f *matrixFixture) liftedRestriction(t *testing.T) string {
	t.Helper()
	id := f.freshGrantedRestriction(t)
	if r := f.s.do("DELETE", "/api/v1/requests/"+id+"/restriction", f.tokens["privacy"], nil); r.status != s200 {
		t.Fatalf("fixture: lift restriction = %d %s", r.status, r.raw)
	}
	return id
}
