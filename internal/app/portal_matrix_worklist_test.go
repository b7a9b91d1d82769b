package app

import (
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"
)

// The company doctor's worklist and issuing an employee's login, in the
// professionals' portal matrix.
func init() {
	portalProMatrix = append(portalProMatrix,
		portalProRow{method: "GET", route: "/arts", path: staticPath("/arts"),
			// Every medical role has a worklist, scoped to the dossiers in
			// its care (the unassigned physician's is empty; the assistant
			// without a valid statement is told why it is empty); for
			// everyone else it is a medical page that does not exist.
			want: pexpect(s404, map[string]int{"lead": s200, "leadE": s200, "pResp": s200, "pSub": s200, "pUn": s200,
				"asValid": s200, "asExpired": s200, "asMissing": s200})},
		portalProRow{method: "GET", route: "/medewerkers/{id}/inlog",
			path: func(f *matrixFixture) string { return "/medewerkers/" + f.unlinkedEmployee() + "/inlog" },
			// As the API's POST /invitations: A's case manager, A's assigned
			// physician, the one standing in for them and the assistant
			// acting for them; A's employer sees its employee but never
			// issues its login (403); nobody else learns it exists.
			want: pexpect(s404, map[string]int{"cmA": s200, "pResp": s200, "pSub": s200, "asValid": s200, "erA": s403})},
		portalProRow{method: "POST", route: "/medewerkers/{id}/inlog",
			path: func(f *matrixFixture) string { return "/medewerkers/" + f.unlinkedEmployee() + "/inlog" },
			// Posted empty: the form again (400) for who may issue.
			want: pexpect(s404, map[string]int{"cmA": http.StatusBadRequest, "pResp": http.StatusBadRequest, "pSub": http.StatusBadRequest, "asValid": http.StatusBadRequest, "erA": s403})},
		portalProRow{method: "POST", route: "/medewerkers/{id}/inlog/{invitation}/brief",
			path: func(f *matrixFixture) string {
				emp, inv := f.portalLetterInvitation()
				return "/medewerkers/" + emp + "/inlog/" + inv + "/brief"
			},
			form: func(*matrixFixture) url.Values {
				return url.Values{"naam": {"Nieuwe Werknemer"}, "adres": {"Dorpsstraat 1\n1234 AB Ergens"}}
			},
			// The letter goes to the staff member who issued the
			// invitation (A's case manager), once; for anyone else it does
			// not exist.
			want: pexpect(s404, map[string]int{"cmA": s200})},
		portalProRow{method: "POST", route: "/arts/verzuim/{id}/probleemanalyse", path: casePageA1("/arts/verzuim/", "/probleemanalyse"),
			form: func(*matrixFixture) url.Values { return url.Values{"datum": {nowNL().Format(time.DateOnly)}} },
			// The problem analysis of a1's case, done today: A's assigned
			// physician records it (and goes back to the worklist); the
			// absence service knows no case of A for the other physicians;
			// for every other role it is a medical page that does not exist.
			want: pexpect(s404, map[string]int{"pResp": http.StatusSeeOther}), redirect: "/arts?klaar=probleemanalyse#probleemanalyse"},
	)
}

// portalLetterInvitation has A's case manager issue, through the API, the
// login of a fresh employee of A whose code travels by letter; it returns
// the employee's and the invitation's ids (unknown ids when that fails,
// which no caller gets a letter for).
func (f *matrixFixture) portalLetterInvitation() (employee, invitation string) {
	employee = f.unlinkedEmployee()
	r := f.s.do("POST", "/api/v1/invitations", f.tokens["cmA"], map[string]any{"email": "brief-" + uuid.NewString() + "@private.test",
		"name": "Nieuwe Werknemer", "role": "employee", "employer_id": f.tenantA.String(), "employee_id": employee,
		"activation": "letter"})
	if id, ok := r.body["invitation_id"].(string); ok && r.status == s202 {
		return employee, id
	}
	return employee, uuid.NewString()
}
