package app

import (
	"context"
	"net/http"
)

// The physician's decisions in the professionals' portal matrix. Verdicts
// and advice are written by the physician assigned to A only (pResp); those
// who read them (employer, case manager, labour expert, employee) are told
// 403, everyone else never learns of a1 (404). A medical request is seen
// and acted on by who may decide it: the responsible physician, their
// substitute, and, while the responsible one is absent (pSub stands in
// today), the lead physicians; the privacy officer sees the register but
// never releases or destroys (403) and does not decide medical requests
// (404); nobody else learns it exists. Forms are posted empty: 400 for
// those who may post.

// verdictWriters are the answers of the verdict and advice forms: pResp
// may write; the roles that read verdicts and advice are told 403.
func verdictWriters(pResp int) map[string]int {
	return pexpect(s404, map[string]int{"pResp": pResp,
		"erA": s403, "erB": s403, "cmA": s403, "cmB": s403, "leA": s403, "eeA1": s403, "eeA2": s403})
}

// requestDeciders are the answers of a medical request's page and forms:
// who may decide it gets st, the privacy officer privacy.
func requestDeciders(st, privacy int) map[string]int {
	return pexpect(s404, map[string]int{"pResp": st, "pSub": st, "lead": st, "leadE": st, "privacy": privacy})
}

// filed files a request of type typ as a1 and returns its id.
func (f *matrixFixture) filed(typ string) string {
	return f.freshFiled(f.s.t, "eeA1", typ)
}

func init() {
	employeeA1 := func(suffix string) func(f *matrixFixture) string {
		return func(f *matrixFixture) string { return "/arts/medewerkers/" + f.a1.String() + suffix }
	}
	request := func(typ, suffix string) func(f *matrixFixture) string {
		return func(f *matrixFixture) string { return "/arts/verzoeken/" + f.filed(typ) + suffix }
	}
	granted := func(suffix string) func(f *matrixFixture) string {
		return func(f *matrixFixture) string { return "/arts/verzoeken/" + f.freshGrantedInspection(f.s.t) + suffix }
	}
	portalProMatrix = append(portalProMatrix,
		portalProRow{method: http.MethodGet, route: "/arts/medewerkers/{id}/oordeel", path: employeeA1("/oordeel"),
			want: verdictWriters(s200)},
		portalProRow{method: http.MethodPost, route: "/arts/medewerkers/{id}/oordeel", path: employeeA1("/oordeel"),
			want: verdictWriters(http.StatusBadRequest)},
		portalProRow{method: http.MethodGet, route: "/arts/medewerkers/{id}/advies", path: employeeA1("/advies"),
			want: verdictWriters(s200)},
		portalProRow{method: http.MethodPost, route: "/arts/medewerkers/{id}/advies/voorbeeld", path: employeeA1("/advies/voorbeeld"),
			want: verdictWriters(http.StatusBadRequest)},
		portalProRow{method: http.MethodPost, route: "/arts/medewerkers/{id}/advies", path: employeeA1("/advies"),
			want: verdictWriters(http.StatusBadRequest)},
		// The physicians' own queue; the privacy officer's register is
		// another page.
		portalProRow{method: http.MethodGet, route: "/arts/verzoeken", path: staticPath("/arts/verzoeken"),
			want: pexpect(s404, map[string]int{"pResp": s200, "pSub": s200, "pUn": s200, "lead": s200, "leadE": s200})},
		portalProRow{method: http.MethodGet, route: "/arts/verzoeken/{id}", path: request("copy", ""),
			want: requestDeciders(s200, s404)},
		portalProRow{method: http.MethodPost, route: "/arts/verzoeken/{id}/besluit", path: request("copy", "/besluit"),
			want: requestDeciders(http.StatusBadRequest, s404)},
		portalProRow{method: http.MethodPost, route: "/arts/verzoeken/{id}/verlenging", path: request("inspection", "/verlenging"),
			want: requestDeciders(http.StatusBadRequest, s404)},
		portalProRow{method: http.MethodPost, route: "/arts/verzoeken/{id}/vrijgeven/voorbeeld", path: granted("/vrijgeven/voorbeeld"),
			want: requestDeciders(http.StatusBadRequest, s403)},
		portalProRow{method: http.MethodPost, route: "/arts/verzoeken/{id}/vrijgeven", path: granted("/vrijgeven"),
			want: requestDeciders(http.StatusBadRequest, s403)},
		portalProRow{method: http.MethodPost, route: "/arts/verzoeken/{id}/vernietiging", path: request("destruction", "/vernietiging"),
			want: requestDeciders(http.StatusBadRequest, s403)},
		// The statement of a1's completed (partial) destruction, for who
		// may decide its request.
		portalProRow{method: http.MethodGet, route: "/arts/verzoeken/{id}/verklaring.pdf",
			path: func(f *matrixFixture) string {
				var request string
				if err := f.owner.QueryRow(context.Background(), `SELECT request_id::text FROM medical.destructions WHERE id = $1`,
					f.destructionA1).Scan(&request); err != nil {
					f.s.t.Fatalf("the request of destruction %s: %v", f.destructionA1, err)
				}
				return "/arts/verzoeken/" + request + "/verklaring.pdf"
			},
			want: requestDeciders(s200, s404)},
	)
}
