package app

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// browserLogin logs u in through the portal's login form in the tab.
func browserLogin(t *testing.T, ctx context.Context, s *stack, u login) {
	t.Helper()
	testenv.Navigate(t, ctx, s.url+"/inloggen")
	testenv.Fill(t, ctx, map[string]string{"E-mailadres": u.email, "Wachtwoord": u.password, "Code uit uw app": code(t, u.secret, time.Now())})
	if st := testenv.Submit(t, ctx, "Inloggen"); st != http.StatusOK {
		t.Fatalf("login = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
}

// TestPortalEmployerWalk walks the employer's portal in a real browser:
// the overview, a sick report, a recovery and a new report within 28 days
// (the merge explained), a CSV import with one bad line (the line named,
// nothing written), fixed and imported; the verdict a physician recorded
// through the API, never the advice while the contract does not share it
// (and the advice once it does); the case's timeline and plan of action,
// and the plan's PDF downloaded. Every page is inspected (CSP, axe,
// screenshots at 360 and 1280 px).
func TestPortalEmployerWalk(t *testing.T) {
	t.Parallel()
	ctx := testenv.Browser(t)
	w := newDossierWorld(t)
	s := w.s
	bg := context.Background()
	if _, err := w.owner.Exec(bg, `UPDATE hr.employers SET share_advice_with_employer = false WHERE id = $1`, w.tenant); err != nil {
		t.Fatal(err)
	}
	countEmployees := func() int {
		t.Helper()
		var n int
		if err := w.owner.QueryRow(bg, `SELECT count(*) FROM hr.employees WHERE employer_id = $1`, w.tenant).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	emp := w.employee.String()
	today := nowNL()
	day := func(d int) string { return today.AddDate(0, 0, d).Format(time.DateOnly) }

	browserLogin(t, ctx, s, s.addUser(access.RoleEmployer, w.tenant))
	testenv.Navigate(t, ctx, s.url+"/werkgever")
	testenv.Inspect(t, ctx, "werkgever-overzicht")
	wantText(t, ctx, "the overview", "Dossier Persoon", "Aan het werk")
	overviewUpdatesInPlace(t, ctx)

	// Sick report, full recovery, and a new report 10 days later: one case.
	testenv.Navigate(t, ctx, s.url+"/werkgever/medewerkers/"+emp)
	testenv.Inspect(t, ctx, "werkgever-medewerker")
	testenv.Fill(t, ctx, map[string]string{"Eerste ziektedag": "2019-12-01", "Voor hoeveel procent ziek": "100"})
	if st := testenv.Submit(t, ctx, "Ziek melden"); st != http.StatusBadRequest {
		t.Errorf("a sick report before the employment = %d, want 400", st)
	}
	wantText(t, ctx, "a sick report before the employment", "Vul een eerste ziektedag in")
	testenv.Inspect(t, ctx, "werkgever-ziekmelding-fout")
	testenv.Fill(t, ctx, map[string]string{"Eerste ziektedag": day(-60), "Voor hoeveel procent ziek": "100"})
	if st := testenv.Submit(t, ctx, "Ziek melden"); st != http.StatusOK {
		t.Fatalf("sick report = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	testenv.Inspect(t, ctx, "werkgever-verzuim")
	wantText(t, ctx, "the new case", "De ziekmelding is opgeslagen", "Probleemanalyse", "Te laat")
	testenv.Fill(t, ctx, map[string]string{"Vanaf welke dag": day(-20), "Nog ziek voor hoeveel procent": "0"})
	if st := testenv.Submit(t, ctx, "Beter melden"); st != http.StatusOK {
		t.Fatalf("recovery = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the recovery", "Het verzuim is afgesloten")
	testenv.Inspect(t, ctx, "werkgever-hersteld")
	testenv.Navigate(t, ctx, s.url+"/werkgever/medewerkers/"+emp)
	testenv.Fill(t, ctx, map[string]string{"Eerste ziektedag": day(-10), "Voor hoeveel procent ziek": "50"})
	if st := testenv.Submit(t, ctx, "Ziek melden"); st != http.StatusOK {
		t.Fatalf("second sick report = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the merged report", "minder dan 4 weken", "dezelfde ziekteperiode")
	testenv.Inspect(t, ctx, "werkgever-samengevoegd")
	caseID := strings.TrimPrefix(testenv.Location(t, ctx), s.url)
	var openCase string
	if err := w.owner.QueryRow(bg, `SELECT id::text FROM hr.absences WHERE employee_id = $1 AND status = 'open'`, w.employee).Scan(&openCase); err != nil {
		t.Fatalf("the open case after the merged report: %v (%s)", err, caseID)
	}

	// A CSV with one bad line: the line is named and nothing is written.
	before := countEmployees()
	good := "employee_number,first_name,last_name,date_of_birth,employment_start,employment_end,email,phone,bsn\n" +
		"IMP-1,Ilse,Import,1985-03-04,2021-05-01,,,,\n"
	testenv.Navigate(t, ctx, s.url+"/werkgever/import")
	testenv.Inspect(t, ctx, "werkgever-import")
	testenv.Fill(t, ctx, map[string]string{"Of plak hier de regels uit uw bestand": good + "IMP-2,Bram,Fout,04-03-1985,2021-05-01,,,,\n"})
	if st := testenv.Submit(t, ctx, "Bestand controleren"); st != http.StatusBadRequest {
		t.Errorf("an import with a bad line = %d, want 400", st)
	}
	wantText(t, ctx, "the import with a bad line", "Er is niets geïmporteerd", "Regel 3: Kolom geboortedatum")
	testenv.Inspect(t, ctx, "werkgever-import-fout")
	if n := countEmployees(); n != before {
		t.Fatalf("a refused import changed the employees from %d to %d", before, n)
	}
	testenv.Fill(t, ctx, map[string]string{"Of plak hier de regels uit uw bestand": good + "IMP-2,Bram,Goed,1985-03-04,2021-05-01,,,,\n"})
	if st := testenv.Submit(t, ctx, "Bestand controleren"); st != http.StatusOK {
		t.Fatalf("check the fixed import = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the preview", "Deze 2 medewerkers worden toegevoegd", "Bram Goed", "nog niets opgeslagen")
	testenv.Inspect(t, ctx, "werkgever-import-voorbeeld")
	if n := countEmployees(); n != before {
		t.Fatalf("the preview changed the employees from %d to %d", before, n)
	}
	if st := testenv.Submit(t, ctx, "Importeren"); st != http.StatusOK {
		t.Fatalf("import = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the import", "2 medewerkers zijn toegevoegd")
	testenv.Inspect(t, ctx, "werkgever-import-klaar")
	if n := countEmployees(); n != before+2 {
		t.Errorf("the import left %d employees, want %d", n, before+2)
	}

	// The physician's verdict and advice, the case manager's plan, through
	// the API.
	advice := "Advies" + strings.ReplaceAll(uuid.NewString(), "-", "")
	for _, c := range []struct {
		path, token string
		body        map[string]any
	}{
		{"/api/v1/employees/" + emp + "/verdicts", w.tokens["physician"], map[string]any{"kind": "absence", "verdict": "partly_fit",
			"work_ability_percentage": 60, "absence_id": openCase, "date": today.Format(time.DateOnly)}},
		{"/api/v1/employees/" + emp + "/advice", w.tokens["physician"], map[string]any{"limitations": advice, "possibilities": advice,
			"expected_duration_weeks": 6}},
		{"/api/v1/absences/" + openCase + "/plans", w.tokens["case_manager"], planBody(today)},
	} {
		if r := s.do("POST", c.path, c.token, c.body); r.status != http.StatusCreated {
			t.Fatalf("POST %s = %d %s, want 201", c.path, r.status, r.raw)
		}
	}
	testenv.Navigate(t, ctx, s.url+"/werkgever/medewerkers/"+emp)
	wantText(t, ctx, "the employee page", "Kan gedeeltelijk werken: 60%")
	if strings.Contains(testenv.PageText(t, ctx), advice) {
		t.Errorf("the employee page shows the advice though the contract does not share it")
	}
	testenv.Inspect(t, ctx, "werkgever-oordeel")
	testenv.Navigate(t, ctx, s.url+"/werkgever")
	wantText(t, ctx, "the overview", "Gedeeltelijk ziek: 50%", "Kan gedeeltelijk werken: 60%")
	testenv.Inspect(t, ctx, "werkgever-overzicht-ziek")
	testenv.Navigate(t, ctx, s.url+"/werkgever/signalen?dagen=30")
	testenv.Inspect(t, ctx, "werkgever-signalen")
	wantText(t, ctx, "the signals", "Dossier Persoon")

	testenv.Navigate(t, ctx, s.url+"/werkgever/verzuim/"+openCase)
	wantText(t, ctx, "the case", "Probleemanalyse", "Plan van aanpak", "Terugkeer in het eigen werk", "Kan gedeeltelijk werken: 60%")
	if strings.Contains(testenv.PageText(t, ctx), advice) {
		t.Errorf("the case page shows the advice")
	}
	testenv.Inspect(t, ctx, "werkgever-verzuim-plan")
	name, pdf := testenv.Download(t, ctx, "Plan van aanpak downloaden (pdf)")
	if !bytes.HasPrefix(pdf, []byte("%PDF")) || !strings.HasSuffix(name, ".pdf") {
		t.Errorf("the plan download is %q, %d bytes starting %q; want a PDF", name, len(pdf), pdf[:min(8, len(pdf))])
	}

	// Once the contract shares advice, the employer reads it.
	if _, err := w.owner.Exec(bg, `UPDATE hr.employers SET share_advice_with_employer = true WHERE id = $1`, w.tenant); err != nil {
		t.Fatal(err)
	}
	testenv.Navigate(t, ctx, s.url+"/werkgever/medewerkers/"+emp)
	wantText(t, ctx, "the employee page with shared advice", "Advies over werken", advice)
	testenv.Inspect(t, ctx, "werkgever-advies")
}

// overviewUpdatesInPlace changes the overview's "Wie" filter in the tab and
// checks that htmx replaced the list without loading another page: a
// marker set on the window before stays, the address follows the filter
// (push-url), and the page still passes the CSP and axe.
func overviewUpdatesInPlace(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__overviewMarker = true`)); err != nil {
		t.Fatalf("set the marker on the overview: %v", err)
	}
	testenv.Fill(t, ctx, map[string]string{"Wie": "ziek"})
	const empty = "Er zijn geen medewerkers die hierbij passen."
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(testenv.PageText(t, ctx), empty) {
		if time.Now().After(deadline) {
			testenv.CheckCSP(t, ctx)
			t.Fatalf("the overview after choosing Wie = ziek lacks %q within 10 s:\n%s", empty, testenv.PageText(t, ctx))
		}
		time.Sleep(50 * time.Millisecond)
	}
	marker, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__overviewMarker === true`))
	if err != nil || !marker {
		t.Errorf("the window marker after the filter changed = %t (%v), want true: the list was updated in place, not by a new page", marker, err)
	}
	if loc := testenv.Location(t, ctx); !strings.Contains(loc, "/werkgever?") || !strings.Contains(loc, "wie=ziek") {
		t.Errorf("the address after the filter changed = %s, want /werkgever?…wie=ziek (pushed by htmx)", loc)
	}
	testenv.Inspect(t, ctx, "werkgever-overzicht-filter")
}
