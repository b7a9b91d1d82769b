package app

// The portal's own rows of the portal matrix (TestPortalProfessionalMatrix
// runs them with the professionals' rows, as every caller of the API's
// matrix): the public pages, the employee's and the employer's portal and
// every user's account page. Forms are posted empty, as a same-origin
// browser would: the answer is the form again with its errors (400), never
// a server error.
func init() {
	portalProMatrix = append(portalProMatrix, []portalProRow{
		// The public pages, the assets and the unknown paths. "/" is each role's
		// start page: the employee's, the employer's overview (under its own
		// authorisation), the start page of each other role, else who you are.
		{method: "GET", route: "/{$}", path: staticPath("/"), want: pexpect(200, nil)},
		{method: "GET", route: "/inloggen", path: staticPath("/inloggen"), want: pexpect(303, map[string]int{"anonymous": 200}), redirect: "/"},
		{method: "POST", route: "/inloggen", path: staticPath("/inloggen"), want: pexpect(400, map[string]int{"anonymous": 400})},
		{method: "GET", route: "/invitation", path: staticPath("/invitation"), want: pexpect(200, map[string]int{"anonymous": 200})},
		{method: "POST", route: "/invitation", path: staticPath("/invitation"), want: pexpect(400, map[string]int{"anonymous": 400})},
		{method: "POST", route: "/invitation/bevestigen", path: staticPath("/invitation/bevestigen"), want: pexpect(400, map[string]int{"anonymous": 400})},
		{method: "GET", route: "/wachtwoord-vergeten", path: staticPath("/wachtwoord-vergeten"), want: pexpect(200, map[string]int{"anonymous": 200})},
		{method: "POST", route: "/wachtwoord-vergeten", path: staticPath("/wachtwoord-vergeten"), want: pexpect(400, map[string]int{"anonymous": 400})},
		{method: "GET", route: "/password-reset", path: staticPath("/password-reset"), want: pexpect(200, map[string]int{"anonymous": 200})},
		{method: "POST", route: "/password-reset", path: staticPath("/password-reset"), want: pexpect(400, map[string]int{"anonymous": 400})},
		{method: "GET", route: "/static/{name}", path: staticPath("/static/app.css"), want: pexpect(200, map[string]int{"anonymous": 200})},
		{method: "GET", route: "/static/{name}", path: staticPath("/static/README.md"), want: pexpect(404, map[string]int{"anonymous": 404})},
		{method: "GET", route: "(none)", path: staticPath("/nergens"), want: pexpect(404, map[string]int{"anonymous": 404})},
		{method: "GET", route: "(none)", path: staticPath("/api"), want: pexpect(404, map[string]int{"anonymous": 404})},
		// The employee's own pages: the 404 page for every other role; an id
		// nobody has is the 404 page for the employees too (their own objects
		// against another employee: TestPortalEmployeeObjectsAreOwn). cmBeeA3
		// is an employee of A too, so these are its pages.
		{method: "GET", route: "/mijn", path: staticPath("/mijn"), want: pexpect(404, map[string]int{"eeA1": 200, "eeA2": 200, "cmBeeA3": 200})},
		{method: "POST", route: "/mijn/keuringen/{id}", path: staticPath("/mijn/keuringen/" + noSuchID), want: pexpect(404, map[string]int{"eeA1": 400, "eeA2": 400, "cmBeeA3": 400})},
		{method: "GET", route: "/mijn/verzoeken", path: staticPath("/mijn/verzoeken"), want: pexpect(404, map[string]int{"eeA1": 200, "eeA2": 200, "cmBeeA3": 200})},
		{method: "GET", route: "/mijn/verzoeken/nieuw/{soort}", path: staticPath("/mijn/verzoeken/nieuw/copy"), want: pexpect(404, map[string]int{"eeA1": 200, "eeA2": 200, "cmBeeA3": 200})},
		{method: "GET", route: "/mijn/verzoeken/nieuw/{soort}", path: staticPath("/mijn/verzoeken/nieuw/iets"), want: pexpect(404, nil)},
		{method: "POST", route: "/mijn/verzoeken", path: staticPath("/mijn/verzoeken"), want: pexpect(404, map[string]int{"eeA1": 400, "eeA2": 400, "cmBeeA3": 400})},
		{method: "GET", route: "/mijn/dossier", path: staticPath("/mijn/dossier"), want: pexpect(404, map[string]int{"eeA1": 200, "eeA2": 200, "cmBeeA3": 200})},
		{method: "GET", route: "/mijn/dossier/{id}", path: staticPath("/mijn/dossier/" + noSuchID), want: pexpect(404, nil)},
		{method: "GET", route: "/mijn/dossier/{id}/afschrift.pdf", path: staticPath("/mijn/dossier/" + noSuchID + "/afschrift.pdf"), want: pexpect(404, nil)},
		{method: "GET", route: "/mijn/toestemmingen", path: staticPath("/mijn/toestemmingen"), want: pexpect(404, map[string]int{"eeA1": 200, "eeA2": 200, "cmBeeA3": 200})},
		{method: "POST", route: "/mijn/toestemmingen/{id}/ondertekenen", path: staticPath("/mijn/toestemmingen/" + noSuchID + "/ondertekenen"), want: pexpect(404, map[string]int{"eeA1": 400, "eeA2": 400, "cmBeeA3": 400})},
		{method: "POST", route: "/mijn/toestemmingen/{id}/intrekken", path: staticPath("/mijn/toestemmingen/" + noSuchID + "/intrekken"), want: pexpect(404, nil)},
		{method: "GET", route: "/mijn/inzage", path: staticPath("/mijn/inzage"), want: pexpect(404, map[string]int{"eeA1": 200, "eeA2": 200, "cmBeeA3": 200})},
		{method: "GET", route: "/mijn/inzage", path: staticPath("/mijn/inzage?van=gisteren"), want: pexpect(404, map[string]int{"eeA1": 400, "eeA2": 400, "cmBeeA3": 400})},
		{method: "GET", route: "/mijn/vernietigingen", path: staticPath("/mijn/vernietigingen"), want: pexpect(404, map[string]int{"eeA1": 200, "eeA2": 200, "cmBeeA3": 200})},
		{method: "GET", route: "/mijn/vernietigingen/{id}/verklaring.pdf", path: staticPath("/mijn/vernietigingen/" + noSuchID + "/verklaring.pdf"), want: pexpect(404, nil)},
		{method: "GET", route: "/mijn/gegevens.json", path: staticPath("/mijn/gegevens.json"), want: pexpect(404, map[string]int{"eeA1": 200, "eeA2": 200, "cmBeeA3": 200})},
		// The employer's portal; the employee and the case are a1's, of tenant
		// A. The other tenant's employer and case manager get the 404 page for
		// A's objects, and their own (empty) overview and lists; erAcmB answers
		// as A's employer, cmBeeA3 as B's case manager.
		{method: "GET", route: "/werkgever", path: staticPath("/werkgever"), want: pexpect(404, map[string]int{"cmA": 200, "cmB": 200, "leA": 200, "erA": 200, "erB": 200, "erAcmB": 200, "cmBeeA3": 200})},
		{method: "GET", route: "/werkgever", path: staticPath("/werkgever?sorteer=raar"), want: pexpect(404, map[string]int{"cmA": 400, "cmB": 400, "leA": 400, "erA": 400, "erB": 400, "erAcmB": 400, "cmBeeA3": 400})},
		{method: "GET", route: "/werkgever/signalen", path: staticPath("/werkgever/signalen"), want: pexpect(404, map[string]int{"cmA": 200, "cmB": 200, "leA": 200, "erA": 200, "erB": 200, "erAcmB": 200, "cmBeeA3": 200})},
		{method: "GET", route: "/werkgever/medewerkers/nieuw", path: staticPath("/werkgever/medewerkers/nieuw"), want: pexpect(403, map[string]int{"admin": 404, "privacy": 404, "asValid": 404, "asExpired": 404, "asMissing": 404, "cmA": 200, "cmB": 200, "erA": 200, "erB": 200, "erAcmB": 200, "cmBeeA3": 200})},
		{method: "POST", route: "/werkgever/medewerkers", path: staticPath("/werkgever/medewerkers"), want: pexpect(403, map[string]int{"admin": 404, "privacy": 404, "asValid": 404, "asExpired": 404, "asMissing": 404, "cmA": 400, "cmB": 400, "erA": 400, "erB": 400, "erAcmB": 400, "cmBeeA3": 400})},
		{method: "GET", route: "/werkgever/medewerkers/{id}", path: employeePageA1("/werkgever/medewerkers/", ""),
			// As the API: A's HR side, the assigned physician, a1 themself.
			want: pexpect(404, map[string]int{"cmA": 200, "leA": 200, "erA": 200, "erAcmB": 200, "pResp": 200, "eeA1": 200})},
		{method: "GET", route: "/werkgever/medewerkers/{id}/wijzigen", path: employeePageA1("/werkgever/medewerkers/", "/wijzigen"), want: pexpect(403, map[string]int{"admin": 404, "privacy": 404, "asValid": 404, "asExpired": 404, "asMissing": 404, "cmA": 200, "cmB": 404, "erA": 200, "erB": 404, "erAcmB": 200, "cmBeeA3": 404})},
		{method: "POST", route: "/werkgever/medewerkers/{id}/wijzigen", path: employeePageA1("/werkgever/medewerkers/", "/wijzigen"), want: pexpect(403, map[string]int{"admin": 404, "privacy": 404, "asValid": 404, "asExpired": 404, "asMissing": 404, "cmA": 400, "cmB": 404, "erA": 400, "erB": 404, "erAcmB": 400, "cmBeeA3": 404})},
		{method: "POST", route: "/werkgever/medewerkers/{id}/ziekmelding", path: employeePageA1("/werkgever/medewerkers/", "/ziekmelding"), want: pexpect(403, map[string]int{"admin": 404, "privacy": 404, "asValid": 404, "asExpired": 404, "asMissing": 404, "cmA": 400, "cmB": 404, "erA": 400, "erB": 404, "erAcmB": 400, "cmBeeA3": 404})},
		{method: "GET", route: "/werkgever/verzuim/{id}", path: casePageA1("/werkgever/verzuim/", ""),
			want: pexpect(404, map[string]int{"cmA": 200, "leA": 200, "erA": 200, "erAcmB": 200, "pResp": 200, "eeA1": 200})},
		{method: "POST", route: "/werkgever/verzuim/{id}/herstel", path: casePageA1("/werkgever/verzuim/", "/herstel"), want: pexpect(403, map[string]int{"admin": 404, "privacy": 404, "asValid": 404, "asExpired": 404, "asMissing": 404, "cmA": 400, "cmB": 404, "erA": 400, "erB": 404, "erAcmB": 400, "cmBeeA3": 404})},
		{method: "GET", route: "/werkgever/verzuim/{id}/plan.pdf", path: casePageA1("/werkgever/verzuim/", "/plan.pdf"),
			// The employer's copy: A's employer and case manager.
			want: pexpect(404, map[string]int{"cmA": 200, "erA": 200, "erAcmB": 200, "cmBeeA3": 404, "lead": 403, "leadE": 403, "pResp": 403, "pSub": 403, "pUn": 403, "leA": 403, "eeA1": 403, "eeA2": 403})},
		{method: "GET", route: "/werkgever/import", path: staticPath("/werkgever/import"), want: pexpect(403, map[string]int{"admin": 404, "privacy": 404, "asValid": 404, "asExpired": 404, "asMissing": 404, "cmA": 200, "cmB": 200, "erA": 200, "erB": 200, "erAcmB": 200, "cmBeeA3": 200})},
		{method: "POST", route: "/werkgever/import", path: staticPath("/werkgever/import"), want: pexpect(403, map[string]int{"admin": 404, "privacy": 404, "asValid": 404, "asExpired": 404, "asMissing": 404, "cmA": 400, "cmB": 400, "erA": 400, "erB": 400, "erAcmB": 400, "cmBeeA3": 400})},
		{method: "POST", route: "/werkgever/import/bevestigen", path: staticPath("/werkgever/import/bevestigen"), want: pexpect(403, map[string]int{"admin": 404, "privacy": 404, "asValid": 404, "asExpired": 404, "asMissing": 404, "cmA": 400, "cmB": 400, "erA": 400, "erB": 400, "erAcmB": 400, "cmBeeA3": 400})},
		// Every logged-in user's own account page; the empty password form is
		// the form again, a session id that is nobody's the 404 page, and
		// ending the other sessions goes back to the page.
		{method: "GET", route: "/account", path: staticPath("/account"), want: pexpect(200, nil)},
		{method: "POST", route: "/account/wachtwoord", path: staticPath("/account/wachtwoord"), want: pexpect(400, nil)},
		{method: "POST", route: "/account/sessies/{id}/beeindigen", path: staticPath("/account/sessies/0123456789abcdef0123456789abcdef/beeindigen"), want: pexpect(404, nil)},
		{method: "POST", route: "/account/sessies/{id}/beeindigen", path: staticPath("/account/sessies/" + noSuchID + "/beeindigen"), want: pexpect(404, nil)},
		{method: "POST", route: "/account/sessies/beeindigen", path: staticPath("/account/sessies/beeindigen"), want: pexpect(303, nil), redirect: "/account?klaar=sessies"},
		// Logout ends the sessions the other rows use: the test runs it last.
		{method: "POST", route: "/uitloggen", path: staticPath("/uitloggen"), want: pexpect(303, nil), redirect: "/inloggen"},
	}...)
}

// employeePageA1 is the path prefix + a1's id + suffix.
func employeePageA1(prefix, suffix string) func(*matrixFixture) string {
	return func(f *matrixFixture) string { return prefix + f.a1.String() + suffix }
}

// casePageA1 is the path prefix + the id of a1's open case + suffix.
func casePageA1(prefix, suffix string) func(*matrixFixture) string {
	return func(f *matrixFixture) string { return prefix + f.caseA1 + suffix }
}
