package app

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
)

// portalCallers are the columns of the portal matrix, in order: nobody
// logged in, every role (employer-scoped roles in their own tenant A, and
// the employer and an employee of the other tenant B).
var portalCallers = []string{"anonymous", "admin", "privacy_officer", "lead_physician", "physician", "medical_assistant",
	"case_manager", "labour_expert", "employer", "other_employer", "employee", "other_employee"}

// portalRow is one portal route and what each caller of portalCallers gets
// (in that order): a page (200, or 400 for the form posted empty), a
// redirect (303, to redirect: "/inloggen" for anonymous callers, "/" for
// a logged-in caller on the login page), or the 404 page.
type portalRow struct {
	method, route, path string
	want                [12]int
}

// portalMatrix is every portal route × every caller, literally. Forms are
// posted empty, as a same-origin browser would: the answer is the form
// again with its errors (400), never a server error.
var portalMatrix = []portalRow{
	//                                                 anon admin priv lead phys assis cm   le   er   oer  ee   oee
	// "/" is each role's start page: the employee's (as /mijn), the
	// employer's overview (as /werkgever, under its own authorisation: a
	// 200 here is the overview the policy allows), else who you are.
	{"GET", "/{$}", "/", [12]int{303, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200}},
	{"GET", "/inloggen", "/inloggen", [12]int{200, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303}},
	{"POST", "/inloggen", "/inloggen", [12]int{400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400}},
	{"GET", "/invitation", "/invitation", [12]int{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200}},
	{"POST", "/invitation", "/invitation", [12]int{400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400}},
	{"POST", "/invitation/bevestigen", "/invitation/bevestigen", [12]int{400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400}},
	{"GET", "/wachtwoord-vergeten", "/wachtwoord-vergeten", [12]int{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200}},
	{"POST", "/wachtwoord-vergeten", "/wachtwoord-vergeten", [12]int{400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400}},
	{"GET", "/password-reset", "/password-reset", [12]int{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200}},
	{"POST", "/password-reset", "/password-reset", [12]int{400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400}},
	{"GET", "/static/{name}", "/static/app.css", [12]int{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200}},
	{"GET", "/static/{name}", "/static/README.md", [12]int{404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404}},
	{"GET", "(none)", "/nergens", [12]int{404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404}},
	{"GET", "(none)", "/api", [12]int{404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404}},
	// The employee's own pages: the 404 page for every other role; an id
	// nobody has is the 404 page for the employees too (their own objects
	// against another employee: TestPortalEmployeeObjectsAreOwn).
	{"GET", "/mijn", "/mijn", [12]int{303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 200, 200}},
	{"POST", "/mijn/keuringen/{id}", "/mijn/keuringen/" + noSuchID, [12]int{303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 400, 400}},
	{"GET", "/mijn/verzoeken", "/mijn/verzoeken", [12]int{303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 200, 200}},
	{"GET", "/mijn/verzoeken/nieuw/{soort}", "/mijn/verzoeken/nieuw/copy", [12]int{303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 200, 200}},
	{"GET", "/mijn/verzoeken/nieuw/{soort}", "/mijn/verzoeken/nieuw/iets", [12]int{303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404}},
	{"POST", "/mijn/verzoeken", "/mijn/verzoeken", [12]int{303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 400, 400}},
	{"GET", "/mijn/dossier", "/mijn/dossier", [12]int{303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 200, 200}},
	{"GET", "/mijn/dossier/{id}", "/mijn/dossier/" + noSuchID, [12]int{303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404}},
	{"GET", "/mijn/dossier/{id}/afschrift.pdf", "/mijn/dossier/" + noSuchID + "/afschrift.pdf", [12]int{303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404}},
	{"GET", "/mijn/toestemmingen", "/mijn/toestemmingen", [12]int{303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 200, 200}},
	{"POST", "/mijn/toestemmingen/{id}/ondertekenen", "/mijn/toestemmingen/" + noSuchID + "/ondertekenen", [12]int{303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 400, 400}},
	{"POST", "/mijn/toestemmingen/{id}/intrekken", "/mijn/toestemmingen/" + noSuchID + "/intrekken", [12]int{303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404}},
	{"GET", "/mijn/inzage", "/mijn/inzage", [12]int{303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 200, 200}},
	{"GET", "/mijn/inzage", "/mijn/inzage?van=gisteren", [12]int{303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 400, 400}},
	{"GET", "/mijn/vernietigingen", "/mijn/vernietigingen", [12]int{303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 200, 200}},
	{"GET", "/mijn/vernietigingen/{id}/verklaring.pdf", "/mijn/vernietigingen/" + noSuchID + "/verklaring.pdf", [12]int{303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404}},
	{"GET", "/mijn/gegevens.json", "/mijn/gegevens.json", [12]int{303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 200, 200}},
	// The employer's portal; {employee} and {case} are tenant A's. The
	// other tenant's employer gets the 404 page for A's objects, and its
	// own (empty) overview and lists.
	{"GET", "/werkgever", "/werkgever", [12]int{303, 404, 404, 404, 404, 404, 200, 200, 200, 200, 404, 404}},
	{"GET", "/werkgever", "/werkgever?sorteer=raar", [12]int{303, 404, 404, 404, 404, 404, 400, 400, 400, 400, 404, 404}},
	{"GET", "/werkgever/signalen", "/werkgever/signalen", [12]int{303, 404, 404, 404, 404, 404, 200, 200, 200, 200, 404, 404}},
	{"GET", "/werkgever/medewerkers/nieuw", "/werkgever/medewerkers/nieuw", [12]int{303, 404, 404, 403, 403, 404, 200, 403, 200, 200, 403, 403}},
	{"POST", "/werkgever/medewerkers", "/werkgever/medewerkers", [12]int{303, 404, 404, 403, 403, 404, 400, 403, 400, 400, 403, 403}},
	{"GET", "/werkgever/medewerkers/{id}", "/werkgever/medewerkers/{employee}", [12]int{303, 404, 404, 404, 404, 404, 200, 200, 200, 404, 404, 404}},
	{"GET", "/werkgever/medewerkers/{id}/wijzigen", "/werkgever/medewerkers/{employee}/wijzigen", [12]int{303, 404, 404, 403, 403, 404, 200, 403, 200, 404, 403, 403}},
	{"POST", "/werkgever/medewerkers/{id}/wijzigen", "/werkgever/medewerkers/{employee}/wijzigen", [12]int{303, 404, 404, 403, 403, 404, 400, 403, 400, 404, 403, 403}},
	{"POST", "/werkgever/medewerkers/{id}/ziekmelding", "/werkgever/medewerkers/{employee}/ziekmelding", [12]int{303, 404, 404, 403, 403, 404, 400, 403, 400, 404, 403, 403}},
	{"GET", "/werkgever/verzuim/{id}", "/werkgever/verzuim/{case}", [12]int{303, 404, 404, 404, 404, 404, 200, 200, 200, 404, 404, 404}},
	{"POST", "/werkgever/verzuim/{id}/herstel", "/werkgever/verzuim/{case}/herstel", [12]int{303, 404, 404, 403, 403, 404, 400, 403, 400, 404, 403, 403}},
	{"GET", "/werkgever/verzuim/{id}/plan.pdf", "/werkgever/verzuim/{case}/plan.pdf", [12]int{303, 404, 404, 403, 403, 404, 404, 403, 404, 404, 403, 403}},
	{"GET", "/werkgever/import", "/werkgever/import", [12]int{303, 404, 404, 403, 403, 404, 200, 403, 200, 200, 403, 403}},
	{"POST", "/werkgever/import", "/werkgever/import", [12]int{303, 404, 404, 403, 403, 404, 400, 403, 400, 400, 403, 403}},
	{"POST", "/werkgever/import/bevestigen", "/werkgever/import/bevestigen", [12]int{303, 404, 404, 403, 403, 404, 400, 403, 400, 400, 403, 403}},
	// Every logged-in user's own account page; the empty password form is
	// the form again, a session id that is nobody's the 404 page, and
	// ending the other sessions goes back to the page.
	{"GET", "/account", "/account", [12]int{303, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200}},
	{"POST", "/account/wachtwoord", "/account/wachtwoord", [12]int{303, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400}},
	{"POST", "/account/sessies/{id}/beeindigen", "/account/sessies/0123456789abcdef0123456789abcdef/beeindigen", [12]int{303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404}},
	{"POST", "/account/sessies/{id}/beeindigen", "/account/sessies/" + noSuchID + "/beeindigen", [12]int{303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404}},
	{"POST", "/account/sessies/beeindigen", "/account/sessies/beeindigen", [12]int{303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303}},
	// Logout ends the sessions the other rows use: it runs last.
	{"POST", "/uitloggen", "/uitloggen", [12]int{303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303}},
}

// TestPortalAuthorizationMatrix calls every portal route as every caller
// and holds each answer to its literal expectation; a redirect must go to
// the login page (anonymous, or after logout) or home (the login page when
// logged in). Every route the portal registers must be in the matrix or in
// the professionals' matrix (portalProMatrix).
func TestPortalAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	tenantA, tenantB := s.addEmployer(), s.addEmployer()
	users := map[string]login{
		"admin": s.addUser(access.RoleAdmin, uuid.Nil), "privacy_officer": s.addUser(access.RolePrivacyOfficer, uuid.Nil),
		"lead_physician": s.addUser(access.RoleLeadPhysician, uuid.Nil), "physician": s.addUser(access.RolePhysician, uuid.Nil),
		"medical_assistant": s.addUser(access.RoleMedicalAssistant, uuid.Nil),
		"case_manager":      s.addUser(access.RoleCaseManager, tenantA), "labour_expert": s.addUser(access.RoleLabourExpert, tenantA),
		"employer": s.addUser(access.RoleEmployer, tenantA), "other_employer": s.addUser(access.RoleEmployer, tenantB),
		"employee": s.addUser(access.RoleEmployee, tenantA), "other_employee": s.addUser(access.RoleEmployee, tenantB),
	}
	linkEmployee(t, s, tenantA, users["employee"].userID)
	linkEmployee(t, s, tenantB, users["other_employee"].userID)
	tokens := map[string]string{"anonymous": ""}
	for name, u := range users {
		tokens[name] = s.session(u)
	}
	// Tenant A's employee with an open case, for the employer's portal.
	er := s.do("POST", "/api/v1/employers/"+tenantA.String()+"/employees", tokens["employer"], map[string]any{
		"employee_number": "M1", "first_name": "Mia", "last_name": "Matrix", "date_of_birth": "1980-06-15", "employment_start": "2015-01-01"})
	employeeID, _ := er.body["id"].(string)
	cr := s.do("POST", "/api/v1/employees/"+employeeID+"/absences", tokens["employer"], map[string]any{
		"first_sick_day": access.Today(time.Now()), "percentage": 100})
	caseID, _ := cr.body["id"].(string)
	if employeeID == "" || caseID == "" {
		t.Fatalf("portal matrix fixture: employee %d %s, case %d %s", er.status, er.raw, cr.status, cr.raw)
	}
	fixture := strings.NewReplacer("{employee}", employeeID, "{case}", caseID)

	t.Run("every portal route is in the matrix", func(t *testing.T) {
		in := map[string]bool{}
		for _, r := range portalMatrix {
			in[r.method+" "+r.route] = true
		}
		for _, r := range portalProMatrix {
			in[r.method+" "+r.route] = true
		}
		for _, pattern := range s.app.portal.Routes() {
			if !in[pattern] {
				t.Errorf("portal route %s is registered but not in the portal matrix", pattern)
			}
		}
	})

	for _, r := range portalMatrix {
		for i, caller := range portalCallers {
			want := r.want[i]
			t.Run(r.method+" "+r.path+"/"+caller, func(t *testing.T) {
				var form url.Values
				if r.method == http.MethodPost {
					form = url.Values{}
				}
				got := s.portal(r.method, fixture.Replace(r.path), tokens[caller], form)
				if got.status != want {
					t.Errorf("%s %s as %s = %d, want %d", r.method, r.path, caller, got.status, want)
				}
				if got.status == http.StatusSeeOther {
					wantLoc := "/inloggen"
					if r.path == "/inloggen" {
						wantLoc = "/"
					}
					if r.path == "/account/sessies/beeindigen" && caller != "anonymous" {
						wantLoc = "/account?klaar=sessies"
					}
					if loc := got.header.Get("Location"); loc != wantLoc {
						t.Errorf("%s %s as %s redirects to %q, want %q", r.method, r.path, caller, loc, wantLoc)
					}
				}
				if got.header.Get("Content-Security-Policy") == "" {
					t.Errorf("%s %s as %s has no CSP", r.method, r.path, caller)
				}
			})
		}
	}
}
