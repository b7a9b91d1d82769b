package app

import (
	"net/url"
	"time"
)

// The case manager's portal in the professionals' matrix. Each page runs
// under the API route that does the same, so each row answers as that
// route's row in matrixRoutes: the signals (start page) for the case
// managers and labour experts only (an employer has its own signals page);
// the case page for whoever reads the contact log (A's case manager,
// labour expert and assigned physician); each form for whoever may post
// it, the 400 page for an empty form, 403 where the role reads cases but
// may not do this, 404 for everyone who may not know the case.
func init() {
	caseA1 := func(suffix string) func(*matrixFixture) string {
		return func(f *matrixFixture) string { return "/casemanager/verzuim/" + f.caseA1 + suffix }
	}
	// Case managers and labour experts, each in their own tenant: the
	// case-work grant of the two-grant callers answers for them.
	caseWorkers := pexpect(s404, map[string]int{"cmA": s200, "cmB": s200, "leA": s200, "erAcmB": s200, "cmBeeA3": s200})
	badDays := pexpect(s404, map[string]int{"cmA": 400, "cmB": 400, "leA": 400, "erAcmB": 400, "cmBeeA3": 400})
	// Who reads cases but may not change them learns it may not (403).
	absenceReaders403 := func(m map[string]int) map[string]int { return plus(m, s403, absenceReaders) }
	portalProMatrix = append(portalProMatrix,
		portalProRow{method: "GET", route: "/casemanager", path: staticPath("/casemanager"), want: caseWorkers},
		portalProRow{method: "GET", route: "/casemanager", path: staticPath("/casemanager?dagen=30"), want: caseWorkers},
		portalProRow{method: "GET", route: "/casemanager", path: staticPath("/casemanager?dagen=veel"), want: badDays},
		portalProRow{method: "GET", route: "/casemanager/verzuim/{id}", path: caseA1(""),
			// As the API's contact log: A's case manager, labour expert and
			// assigned physician; nobody else learns the case exists.
			want: pexpect(s404, map[string]int{"cmA": s200, "leA": s200, "pResp": s200})},
		portalProRow{method: "GET", route: "/casemanager/verzuim/{id}", path: staticPath("/casemanager/verzuim/" + noSuchID),
			want: pexpect(s404, nil)},
		portalProRow{method: "POST", route: "/casemanager/verzuim/{id}/stappen", path: caseA1("/stappen"),
			// The case manager, and A's physician (for the problem analysis):
			// the empty form again.
			want: pexpect(s404, map[string]int{"cmA": 400, "pResp": 400, "erA": s403, "erB": s403, "leA": s403,
				"eeA1": s403, "eeA2": s403, "erAcmB": s404, "cmBeeA3": s404})},
		portalProRow{method: "POST", route: "/casemanager/verzuim/{id}/stappen",
			path: func(f *matrixFixture) string { return "/casemanager/verzuim/" + f.freshCase(f.s.t) + "/stappen" },
			form: func(*matrixFixture) url.Values {
				return url.Values{"stap_soort": {"uwv_report_42"}, "stap_datum": {nowNL().Format(time.DateOnly)},
					"terug": {"signalen"}, "dagen": {"14"}}
			},
			// Recorded by the case manager, back to the signals; the
			// physician records the problem analysis only (403).
			want: pexpect(s404, map[string]int{"cmA": 303, "pResp": s403, "erA": s403, "erB": s403, "leA": s403,
				"eeA1": s403, "eeA2": s403, "erAcmB": s404, "cmBeeA3": s404}),
			redirect: "/casemanager?dagen=14&klaar=stap"},
		portalProRow{method: "POST", route: "/casemanager/verzuim/{id}/plan", path: caseA1("/plan"),
			want: pexpect(s404, absenceReaders403(map[string]int{"cmA": 400, "erA": s403, "erB": s403, "erAcmB": s404, "cmBeeA3": s404}))},
		portalProRow{method: "POST", route: "/casemanager/verzuim/{id}/evaluaties", path: caseA1("/evaluaties"),
			want: pexpect(s404, map[string]int{"cmA": 400})},
		portalProRow{method: "GET", route: "/casemanager/verzuim/{id}/plan.pdf", path: caseA1("/plan.pdf"),
			// The employer's copy: A's employer and case manager.
			want: pexpect(s404, absenceReaders403(map[string]int{"erA": s200, "cmA": s200, "cmBeeA3": s404}))},
		portalProRow{method: "POST", route: "/casemanager/verzuim/{id}/contacten", path: caseA1("/contacten"),
			// The service's own log: case manager and labour expert write,
			// physicians read; the employer side never learns it exists.
			want: pexpect(s404, plus(map[string]int{"cmA": 400, "leA": 400}, s403, physicians))},
		portalProRow{method: "POST", route: "/casemanager/verzuim/{id}/notities", path: caseA1("/notities"),
			want: pexpect(s404, plus(map[string]int{"cmA": 400, "leA": 400}, s403, physicians))},
		portalProRow{method: "POST", route: "/casemanager/notities/{id}/verwijderen",
			path: func(f *matrixFixture) string { return "/casemanager/notities/" + f.freshNote(f.s.t) + "/verwijderen" },
			form: func(f *matrixFixture) url.Values { return url.Values{"verzuim": {f.caseA1}} },
			// Only the case manager removes a note's text; the labour expert
			// and the physicians read notes (403).
			want: pexpect(s404, plus(map[string]int{"cmA": 400, "leA": s403}, s403, physicians))},
	)
}
