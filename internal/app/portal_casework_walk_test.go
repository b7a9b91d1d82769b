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
	"github.com/arbokluis/arbokluis/internal/web"
)

// TestPortalCaseWorkWalk walks the case manager's portal in a real
// browser: the signals as the start page, grouped under the employer, with
// a step due; that step marked done in one click from the list (it leaves
// the list, the case says done); the plan of action filled in (a bad form
// first), an evaluation, the plan's PDF; a contact logged; a process note
// with medical detail typed by mistake, and its text removed (gone from
// the page and from the database); the physician's advice (published
// through the API) and never the dossier; the employer overview of the
// assigned employer only, linking to the case. Then the labour expert
// sees the same signals and case without a form to record a step, fill
// the plan, evaluate or remove a note's text (the contact log and notes,
// which the policy lets them keep, excepted). Every page is inspected.
func TestPortalCaseWorkWalk(t *testing.T) {
	t.Parallel()
	ctx := testenv.Browser(t)
	w := newDossierWorld(t)
	s := w.s
	bg := context.Background()
	today := nowNL()
	emp := w.employee.String()
	if _, err := w.owner.Exec(bg, `UPDATE hr.employers SET name = 'Bakkerij Casewalk' WHERE id = $1`, w.tenant); err != nil {
		t.Fatal(err)
	}
	// An employee of another tenant, whom the case manager never sees.
	other := s.addEmployer()
	if _, err := w.owner.Exec(bg, `INSERT INTO hr.employees (id, employer_id, employee_number, first_name, last_name, date_of_birth, employment_start)
		VALUES ($1, $2, 'X1', 'Vreemde', 'Anderbedrijf', '1970-01-01', '2010-01-01')`, uuid.New(), other); err != nil {
		t.Fatal(err)
	}

	// A case of 60 days: the problem analysis (the physician's) and the
	// plan of action are overdue. The physician writes the dossier (the
	// canary), a verdict and the advice, through the API.
	r := s.do("POST", "/api/v1/employees/"+emp+"/absences", w.tokens["case_manager"],
		map[string]any{"first_sick_day": today.AddDate(0, 0, -60).Format(time.DateOnly), "percentage": 100})
	caseID, _ := r.body["id"].(string)
	if r.status != http.StatusCreated || caseID == "" {
		t.Fatalf("sick report = %d %s", r.status, r.raw)
	}
	canary := "zq" + strings.ReplaceAll(uuid.NewString(), "-", "") + "kx"
	advice := "Advies" + strings.ReplaceAll(uuid.NewString(), "-", "")
	for _, c := range []struct {
		path string
		body map[string]any
	}{
		{w.entries(), map[string]any{"kind": "diagnosis", "text": "diagnose " + canary}},
		{"/api/v1/employees/" + emp + "/verdicts", map[string]any{"kind": "absence", "verdict": "partly_fit",
			"work_ability_percentage": 60, "absence_id": caseID, "date": today.Format(time.DateOnly)}},
		{"/api/v1/employees/" + emp + "/advice", map[string]any{"limitations": "Niet tillen. " + advice,
			"possibilities": "Kantoorwerk, halve dagen.", "expected_duration_weeks": 6}},
	} {
		if r := s.do("POST", c.path, w.tokens["physician"], c.body); r.status != http.StatusCreated {
			t.Fatalf("POST %s = %d %s, want 201", c.path, r.status, r.raw)
		}
	}
	noCanary := func(page string) {
		t.Helper()
		if strings.Contains(testenv.PageText(t, ctx), canary) {
			t.Errorf("%s shows the medical canary", page)
		}
	}
	milestone := func(kind string) map[string]any {
		t.Helper()
		r := s.do("GET", "/api/v1/absences/"+caseID, w.tokens["case_manager"], nil)
		for _, m := range r.body["milestones"].([]any) {
			if m := m.(map[string]any); m["kind"] == kind {
				return m
			}
		}
		t.Fatalf("the case has no milestone %s: %s", kind, r.raw)
		return nil
	}
	countForms := func(suffix string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('form[action$="`+suffix+`"]').length`))
		if err != nil {
			t.Fatalf("count the forms posting to %s: %v", suffix, err)
		}
		return n
	}

	// The signals as the start page.
	cm := s.addUser(access.RoleCaseManager, w.tenant)
	browserLogin(t, ctx, s, cm)
	wantAt(t, testenv.Location(t, ctx), s.url, "/")
	wantText(t, ctx, "the case manager's start page", "Signalen: wat moet er gebeuren", "Bakkerij Casewalk",
		"Probleemanalyse door de bedrijfsarts", "Plan van aanpak", "Dossier Persoon", "Te laat")
	testenv.Inspect(t, ctx, "casemanager-signalen")
	if n := countForms("/stappen"); n != 1 {
		t.Errorf("the signals hold %d one-click forms, want 1 (the plan of action; the problem analysis is the physician's)", n)
	}
	if st := testenv.Navigate(t, ctx, s.url+"/casemanager?dagen=veel"); st != http.StatusBadRequest {
		t.Errorf("signals within 'veel' days = %d, want 400", st)
	}
	wantText(t, ctx, "bad days", "Vul een heel aantal dagen in")
	testenv.Inspect(t, ctx, "casemanager-signalen-fout")
	testenv.Navigate(t, ctx, s.url+"/casemanager?dagen=14")

	// One click: the plan of action is done today and leaves the list.
	if st := testenv.Submit(t, ctx, "Gedaan: Plan van aanpak, Dossier Persoon"); st != http.StatusOK {
		t.Fatalf("mark the plan of action done = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	if loc := testenv.Location(t, ctx); !strings.HasPrefix(loc, s.url+"/casemanager?dagen=14&") {
		t.Errorf("after one click the browser is at %s, want the signals within 14 days", loc)
	}
	wantText(t, ctx, "the signals after one click", "De stap is vastgelegd als gedaan.", "Probleemanalyse door de bedrijfsarts")
	if strings.Contains(testenv.PageText(t, ctx), "Gedaan: Plan van aanpak") || countForms("/stappen") != 0 {
		t.Errorf("the plan of action is still on the signals after it was marked done:\n%s", testenv.PageText(t, ctx))
	}
	testenv.Inspect(t, ctx, "casemanager-signalen-gedaan")
	if m := milestone("plan_of_action"); m["status"] != "done" || m["done_on"] != today.Format(time.DateOnly) {
		t.Errorf("the plan of action after one click = %v, want done today", m)
	}

	// The case: timeline, advice (never the dossier), the plan of action.
	testenv.Navigate(t, ctx, s.url+"/casemanager/verzuim/"+caseID)
	wantText(t, ctx, "the case", "Verzuim van Dossier Persoon", "Tijdlijn", "Gedaan op "+web.Date(today),
		"Advies van de bedrijfsarts", advice, "Kantoorwerk, halve dagen.", "ongeveer 6 weken", "Kan gedeeltelijk werken: 60%",
		"Er is nog geen plan van aanpak.", "Gesprekken worden nooit opgenomen", "nooit medische gegevens")
	noCanary("the case page")
	testenv.Inspect(t, ctx, "casemanager-verzuim")
	by := today.AddDate(0, 0, 14).Format(time.DateOnly)
	plan := map[string]string{"plan_doel": "", "plan_afspraak_1_wat": "Werkplekonderzoek", "plan_afspraak_1_wie": "Werkgever",
		"plan_afspraak_1_datum": by, "plan_werkgever": "Terugkeer binnen drie maanden.", "plan_werknemer": "Eerst halve dagen."}
	testenv.Fill(t, ctx, plan)
	if st := testenv.Submit(t, ctx, "Plan van aanpak opslaan"); st != http.StatusBadRequest {
		t.Errorf("a plan without a goal = %d, want 400", st)
	}
	wantText(t, ctx, "a plan without a goal", "Vul het doel in")
	if v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("plan_afspraak_1_wat").value`)); err != nil || v != "Werkplekonderzoek" {
		t.Errorf("the plan form after an error keeps the activity as %q (%v), want Werkplekonderzoek", v, err)
	}
	testenv.Inspect(t, ctx, "casemanager-plan-fout")
	plan["plan_doel"] = "Terugkeer in het eigen werk."
	testenv.Fill(t, ctx, plan)
	if st := testenv.Submit(t, ctx, "Plan van aanpak opslaan"); st != http.StatusOK {
		t.Fatalf("record the plan = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the plan", "Het plan van aanpak is opgeslagen", "Versie 1", "Terugkeer in het eigen werk.",
		"Werkplekonderzoek – Werkgever", "Nieuwe versie van het plan vastleggen")
	testenv.Inspect(t, ctx, "casemanager-plan")
	testenv.Fill(t, ctx, map[string]string{"ev_samenvatting": "Opbouw loopt volgens plan.", "ev_werkgever": "Tevreden.",
		"ev_werknemer": "Gaat goed."})
	if st := testenv.Submit(t, ctx, "Evaluatie opslaan"); st != http.StatusOK {
		t.Fatalf("record an evaluation = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the evaluation", "De evaluatie is opgeslagen", "Evaluatie op "+web.Date(today), "Opbouw loopt volgens plan.")
	name, pdf := testenv.Download(t, ctx, "Plan van aanpak downloaden (pdf)")
	if !bytes.HasPrefix(pdf, []byte("%PDF")) || !strings.HasSuffix(name, ".pdf") {
		t.Errorf("the plan download is %q, %d bytes; want a PDF", name, len(pdf))
	} else if text := testenv.PDFText(t, pdf); !strings.Contains(text, "Werkplekonderzoek") {
		t.Errorf("the plan PDF lacks the activity:\n%s", text)
	}

	// The contact log and a process note, whose text is removed.
	testenv.Fill(t, ctx, map[string]string{"contact_kanaal": "phone", "contact_wie": "casemanager, medewerker",
		"contact_samenvatting": "Voortgang besproken; volgende week weer bellen."})
	if st := testenv.Submit(t, ctx, "Contact vastleggen"); st != http.StatusOK {
		t.Fatalf("log a contact = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the contact log", "Het contact is vastgelegd", web.Date(today)+", Telefoon", "Met: casemanager, medewerker",
		"Voortgang besproken; volgende week weer bellen.")
	testenv.Inspect(t, ctx, "casemanager-contact")
	mistake := "hernia" + strings.ReplaceAll(uuid.NewString(), "-", "")[:12]
	testenv.Fill(t, ctx, map[string]string{"Nieuwe procesnotitie": "Belde over zijn " + mistake + "."})
	if st := testenv.Submit(t, ctx, "Notitie opslaan"); st != http.StatusOK {
		t.Fatalf("write a note = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the note", "De notitie is opgeslagen", mistake)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("details.cw-redact").open = true`)); err != nil {
		t.Fatal(err)
	}
	testenv.Inspect(t, ctx, "casemanager-notitie")
	testenv.Fill(t, ctx, map[string]string{"Reden": "Bevatte medische details."})
	if st := testenv.Submit(t, ctx, "Tekst verwijderen uit de notitie van "+web.Date(today)); st != http.StatusOK {
		t.Fatalf("remove the note's text = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the removed note", "De tekst van de notitie is verwijderd", "De tekst van deze notitie is verwijderd op",
		"Reden: Bevatte medische details.")
	if strings.Contains(testenv.PageText(t, ctx), mistake) {
		t.Errorf("the case page still shows the removed note's text")
	}
	testenv.Inspect(t, ctx, "casemanager-notitie-verwijderd")
	var kept, removed int
	if err := w.owner.QueryRow(bg, `SELECT count(*) FILTER (WHERE body LIKE '%' || $2 || '%'),
		count(*) FILTER (WHERE body IS NULL AND redacted_at IS NOT NULL) FROM hr.notes WHERE absence_id = $1`, caseID, mistake).Scan(&kept, &removed); err != nil {
		t.Fatal(err)
	}
	if kept != 0 || removed != 1 {
		t.Errorf("hr.notes after the removal: %d notes with the text, %d removed; want 0 and 1", kept, removed)
	}

	// The employer overview: the assigned employer only, its case opening
	// in the case manager's portal.
	testenv.Navigate(t, ctx, s.url+"/werkgever")
	wantText(t, ctx, "the case manager's employer overview", "Dossier Persoon")
	if strings.Contains(testenv.PageText(t, ctx), "Anderbedrijf") {
		t.Errorf("the case manager's overview lists another employer's employee")
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('a[href="/casemanager/verzuim/`+caseID+`"]').length`)); err != nil || n != 1 {
		t.Errorf("the overview links the case to the case manager's portal %d times (%v), want 1", n, err)
	}
	testenv.Inspect(t, ctx, "casemanager-werkgevers")
	testenv.Submit(t, ctx, "Uitloggen")

	// The labour expert: the same signals and case, read-mostly.
	browserLogin(t, ctx, s, s.addUser(access.RoleLabourExpert, w.tenant))
	wantText(t, ctx, "the labour expert's start page", "Signalen: wat moet er gebeuren", "Probleemanalyse door de bedrijfsarts")
	if n := countForms("/stappen"); n != 0 {
		t.Errorf("the labour expert's signals hold %d one-click forms, want none", n)
	}
	testenv.Inspect(t, ctx, "arbeidsdeskundige-signalen")
	testenv.Navigate(t, ctx, s.url+"/casemanager/verzuim/"+caseID)
	wantText(t, ctx, "the labour expert's case", "Verzuim van Dossier Persoon", advice, "Terugkeer in het eigen werk.",
		"Opbouw loopt volgens plan.", "Voortgang besproken", "De tekst van deze notitie is verwijderd op")
	noCanary("the labour expert's case page")
	for _, suffix := range []string{"/stappen", "/plan", "/evaluaties", "/verwijderen"} {
		if n := countForms(suffix); n != 0 {
			t.Errorf("the labour expert's case page holds %d forms posting to …%s, want none", n, suffix)
		}
	}
	// The policy lets the labour expert keep the contact log and write
	// process notes, as through the API: those two forms stay.
	for _, suffix := range []string{"/contacten", "/notities"} {
		if n := countForms(suffix); n != 1 {
			t.Errorf("the labour expert's case page holds %d forms posting to …%s, want 1 (the API lets them)", n, suffix)
		}
	}
	if strings.Contains(testenv.PageText(t, ctx), "Plan van aanpak downloaden") {
		t.Errorf("the labour expert's case page offers the employer's copy of the plan")
	}
	testenv.Inspect(t, ctx, "arbeidsdeskundige-verzuim")
}
