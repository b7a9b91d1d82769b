package app

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// decisionsEntry writes an entry of kind with text into employee's dossier
// as the physician token and returns its id.
func decisionsEntry(t *testing.T, s *stack, token string, employee uuid.UUID, kind, text string) string {
	t.Helper()
	r := s.do("POST", "/api/v1/employees/"+employee.String()+"/dossier/entries", token, map[string]any{"kind": kind, "text": text})
	id, _ := r.body["id"].(string)
	if r.status != http.StatusCreated || id == "" {
		t.Fatalf("entry %s = %d %s", kind, r.status, r.raw)
	}
	return id
}

// decisionsFile files a request of type typ as the employee token and
// returns its id.
func decisionsFile(t *testing.T, s *stack, token, typ string) string {
	t.Helper()
	r := s.do("POST", "/api/v1/me/requests", token, map[string]any{"type": typ})
	id, _ := r.body["id"].(string)
	if r.status != http.StatusCreated || id == "" {
		t.Fatalf("file %s = %d %s", typ, r.status, r.raw)
	}
	return id
}

// decisionsCount counts rows as the owner.
func decisionsCount(t *testing.T, w *dossierWorld, sql string, args ...any) int {
	t.Helper()
	return w.count(t, sql, args...)
}

// TestPortalDecisionsWalk walks the physician's decisions in a real
// browser: a verdict (partly fit, 50 %), then advice published after its
// preview per audience, after which the employer's page shows the verdict
// but not the advice (the contract does not share it) while the case
// manager reads the advice; a copy request granted and released with
// chosen entries after the employee's preview, after which the employee's
// release holds exactly those; an extension with its reason; a destruction
// request showing the running retention duty with its end date, refused on
// it, and another granted, followed until the worker has done it and the
// employee's statement is there; and a lead physician releasing for an
// absent physician from the unattended queue. Every page is inspected.
func TestPortalDecisionsWalk(t *testing.T) {
	t.Parallel()
	ctx := testenv.Browser(t)
	w := newDossierWorld(t)
	s := w.s
	bg := context.Background()
	emp := w.employee.String()
	if _, err := w.owner.Exec(bg, `UPDATE hr.employers SET share_advice_with_employer = false WHERE id = $1`, w.tenant); err != nil {
		t.Fatal(err)
	}
	if r := s.do("POST", "/api/v1/employees/"+emp+"/absences", w.tokens["employer"],
		map[string]any{"first_sick_day": nowNL().AddDate(0, 0, -20).Format(time.DateOnly), "percentage": 100}); r.status != http.StatusCreated {
		t.Fatalf("sick report = %d %s", r.status, r.raw)
	}
	phys := w.tokens["physician"]
	mark := strings.ReplaceAll(uuid.NewString(), "-", "")[:12]
	keepText, alsoText, leaveText := "Gesprek-"+mark, "Aantekening-"+mark, "Diagnose-"+mark
	decisionsEntry(t, s, phys, w.employee, "consultation", keepText)
	decisionsEntry(t, s, phys, w.employee, "note", alsoText)
	leave := decisionsEntry(t, s, phys, w.employee, "diagnosis", leaveText)
	decisionsEntry(t, s, phys, w.employee, "working_note", "Werkaantekening-"+mark)

	// The world's session used the physician's current code: the browser
	// logs in with the next one (within the allowed drift).
	testenv.Navigate(t, ctx, s.url+"/inloggen")
	testenv.Fill(t, ctx, map[string]string{"E-mailadres": w.physician.email, "Wachtwoord": w.physician.password,
		"Code uit uw app": code(t, w.physician.secret, time.Now().Add(30*time.Second))})
	if st := testenv.Submit(t, ctx, "Inloggen"); st != http.StatusOK {
		t.Fatalf("login = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}

	// A verdict: partly fit, 50 %.
	testenv.Navigate(t, ctx, s.url+"/arts/medewerkers/"+emp+"/oordeel")
	testenv.Inspect(t, ctx, "arts-oordeel")
	wantText(t, ctx, "the verdict form", "Wie ziet wat", "ziet de werknemer de uitslag eerst")
	testenv.Fill(t, ctx, map[string]string{"soort": "absence", "oordeel": "partly_fit", "percentage": "50"})
	if st := testenv.Submit(t, ctx, "Oordeel vastleggen"); st != http.StatusOK {
		t.Fatalf("record verdict = %d: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the recorded verdict", "Het oordeel is vastgelegd", "Kan gedeeltelijk werken: 50%")
	testenv.Inspect(t, ctx, "arts-oordeel-vastgelegd")
	// An examination outcome: the employee decides first; the employer
	// sees nothing of it yet.
	testenv.Fill(t, ctx, map[string]string{"soort": "examination", "uitslag": "rejected"})
	if st := testenv.Submit(t, ctx, "Oordeel vastleggen"); st != http.StatusOK {
		t.Fatalf("record examination = %d: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the recorded examination", "Keuring: afgekeurd (de werknemer beslist nog", "De werkgever ziet: niets")
	if er := s.portal("GET", "/werkgever/medewerkers/"+emp, w.tokens["employer"], nil); strings.Contains(er.body, "Keuring") {
		t.Errorf("the employer's page shows the examination before the employee let it through:\n%s", er.body)
	}

	// Advice: the preview per audience first, nothing sent; then sent.
	advice := "Advies-" + mark
	testenv.Navigate(t, ctx, s.url+"/arts/medewerkers/"+emp+"/advies")
	testenv.Inspect(t, ctx, "arts-advies")
	testenv.Fill(t, ctx, map[string]string{"beperkingen": advice + " geen zwaar tilwerk", "mogelijkheden": "Kantoorwerk, halve dagen", "weken": "6"})
	if st := testenv.Submit(t, ctx, "Bekijk wie wat ziet"); st != http.StatusOK {
		t.Fatalf("advice preview = %d: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the advice preview", "De werknemer ziet", "De casemanager en de arbeidsdeskundige zien",
		"De werkgever ziet alleen het oordeel", "Kan gedeeltelijk werken: 50%", advice, "ongeveer 6 weken")
	testenv.Inspect(t, ctx, "arts-advies-voorbeeld")
	advices := `SELECT count(*) FROM hr.advices WHERE employee_id = $1`
	if n := decisionsCount(t, w, advices, w.employee); n != 0 {
		t.Fatalf("the preview published %d advice, want none", n)
	}
	if st := testenv.Submit(t, ctx, "Advies versturen"); st != http.StatusOK {
		t.Fatalf("publish advice = %d: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the published advice", "Het advies is verstuurd", advice)
	testenv.Inspect(t, ctx, "arts-advies-verstuurd")
	if n := decisionsCount(t, w, advices, w.employee); n != 1 {
		t.Fatalf("publishing left %d advice, want 1", n)
	}
	er := s.portal("GET", "/werkgever/medewerkers/"+emp, w.tokens["employer"], nil)
	if er.status != http.StatusOK || !strings.Contains(er.body, "Kan gedeeltelijk werken: 50%") || strings.Contains(er.body, advice) {
		t.Errorf("the employer's page = %d; want the verdict (50%%) and not the advice %q:\n%s", er.status, advice, er.body)
	}
	if cm := s.do("GET", "/api/v1/employees/"+emp+"/advice", w.tokens["case_manager"], nil); cm.status != http.StatusOK || !strings.Contains(cm.raw, advice) {
		t.Errorf("the case manager's advice = %d %s, want the advice", cm.status, cm.raw)
	}
	// Where the contract shares advice, the preview says the employer
	// reads it too.
	if _, err := w.owner.Exec(bg, `UPDATE hr.employers SET share_advice_with_employer = true WHERE id = $1`, w.tenant); err != nil {
		t.Fatal(err)
	}
	shared := s.portal("POST", "/arts/medewerkers/"+emp+"/advies/voorbeeld", phys,
		url.Values{"beperkingen": {advice}, "mogelijkheden": {"Kantoorwerk."}, "weken": {"2"}})
	if shared.status != http.StatusOK || !strings.Contains(shared.body, "zegt dat de werkgever het advies krijgt") ||
		strings.Contains(shared.body, "ziet alleen het oordeel") {
		t.Errorf("the preview with shared advice = %d; want the employer to read the advice:\n%s", shared.status, shared.body)
	}
	if _, err := w.owner.Exec(bg, `UPDATE hr.employers SET share_advice_with_employer = false WHERE id = $1`, w.tenant); err != nil {
		t.Fatal(err)
	}

	// A copy request: granted, two of three entries chosen, previewed,
	// released; the employee reads exactly those.
	copyID := decisionsFile(t, s, w.tokens["employee"], "copy")
	testenv.Navigate(t, ctx, s.url+"/arts/verzoeken")
	testenv.Inspect(t, ctx, "arts-verzoeken")
	wantText(t, ctx, "the queue", "Kopie van het medisch dossier")
	testenv.Navigate(t, ctx, s.url+"/arts/verzoeken/"+copyID)
	testenv.Inspect(t, ctx, "arts-verzoek")
	testenv.Fill(t, ctx, map[string]string{"besluit": "granted"})
	if st := testenv.Submit(t, ctx, "Besluit vastleggen"); st != http.StatusOK {
		t.Fatalf("grant copy = %d: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the granted request", "Het besluit is vastgelegd", "Welke stukken geeft u vrij")
	if strings.Contains(testenv.PageText(t, ctx), "werkaantekening") {
		t.Errorf("the release form offers a working note")
	}
	testenv.Inspect(t, ctx, "arts-verzoek-toegewezen")
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){const b = document.querySelector('input[name=stuk][value="`+leave+`"]'); b.checked = false; return true})()`)); err != nil {
		t.Fatalf("untick the diagnosis: %v", err)
	}
	if st := testenv.Submit(t, ctx, "Bekijk wat de werknemer ziet"); st != http.StatusOK {
		t.Fatalf("release preview = %d: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the release preview", keepText, alsoText)
	if strings.Contains(testenv.PageText(t, ctx), leaveText) {
		t.Errorf("the release preview shows the entry left out")
	}
	testenv.Inspect(t, ctx, "arts-vrijgave-voorbeeld")
	releases := `SELECT count(*) FROM medical.releases WHERE request_id = $1`
	if n := decisionsCount(t, w, releases, copyID); n != 0 {
		t.Fatalf("the preview released %d, want nothing", n)
	}
	if st := testenv.Submit(t, ctx, "2 stuk(ken) vrijgeven"); st != http.StatusOK {
		t.Fatalf("release = %d: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the released request", "De stukken zijn vrijgegeven", "geleverd")
	testenv.Inspect(t, ctx, "arts-vrijgegeven")
	var releaseID string
	if err := w.owner.QueryRow(bg, `SELECT id::text FROM medical.releases WHERE request_id = $1`, copyID).Scan(&releaseID); err != nil {
		t.Fatalf("the release: %v", err)
	}
	mine := s.portal("GET", "/mijn/dossier/"+releaseID, w.tokens["employee"], nil)
	if mine.status != http.StatusOK || !strings.Contains(mine.body, keepText) || !strings.Contains(mine.body, alsoText) ||
		strings.Contains(mine.body, leaveText) || strings.Contains(mine.body, "Werkaantekening-"+mark) {
		t.Errorf("the employee's release = %d; want exactly the two chosen entries:\n%s", mine.status, mine.body)
	}

	// An extension with its reason.
	inspID := decisionsFile(t, s, w.tokens["employee"], "inspection")
	testenv.Navigate(t, ctx, s.url+"/arts/verzoeken/"+inspID)
	testenv.Fill(t, ctx, map[string]string{"maanden": "2", "reden": "complex_request"})
	if st := testenv.Submit(t, ctx, "Termijn verlengen"); st != http.StatusOK {
		t.Fatalf("extend = %d: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the extended request", "De termijn is verlengd", "Verlengd", "het verzoek is ingewikkeld")
	testenv.Inspect(t, ctx, "arts-verzoek-verlengd")
	if n := decisionsCount(t, w, `SELECT count(*) FROM hr.requests WHERE id = $1 AND extended_to IS NOT NULL
		AND extension_reason = 'complex_request'`, inspID); n != 1 {
		t.Errorf("the extension is not stored with its reason")
	}

	// A destruction request while a retention duty runs: the duty with its
	// end date, and the refusal on it.
	if r := s.do("POST", "/api/v1/employees/"+emp+"/dossier/exposures", phys,
		map[string]any{"agent": "carcinogen", "from": "2010-01-01", "to": "2020-12-31"}); r.status != http.StatusCreated {
		t.Fatalf("exposure = %d %s", r.status, r.raw)
	}
	dID := decisionsFile(t, s, w.tokens["employee"], "destruction")
	testenv.Navigate(t, ctx, s.url+"/arts/verzoeken/"+dID)
	wantText(t, ctx, "the destruction request", "Wettelijke bewaarplicht", "Kankerverwekkende stoffen", "31 december 2060")
	testenv.Inspect(t, ctx, "arts-vernietiging-bewaarplicht")
	testenv.Fill(t, ctx, map[string]string{"besluit": "toekennen"})
	if st := testenv.Submit(t, ctx, "Besluit vastleggen"); st != http.StatusConflict {
		t.Errorf("grant under a retention duty = %d, want 409", st)
	}
	wantText(t, ctx, "the refused grant", "Vernietigen mag niet")
	testenv.Inspect(t, ctx, "arts-vernietiging-geweigerd")
	testenv.Fill(t, ctx, map[string]string{"besluit": "afwijzen", "grond": "legal_retention_duty"})
	if st := testenv.Submit(t, ctx, "Besluit vastleggen"); st != http.StatusOK {
		t.Fatalf("refuse destruction = %d: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the refused destruction", "afgewezen", "bewaarplicht")

	// Another employee without a duty: granted, the job followed until
	// the worker has done it, and the employee's statement is there.
	other, otherLogin := uuid.New(), s.addUser(access.RoleEmployee, w.tenant)
	if _, err := w.owner.Exec(bg, `INSERT INTO hr.employees (id, employer_id, employee_number, first_name, last_name, date_of_birth,
		employment_start, user_id) VALUES ($1, $2, $3, 'Tweede', 'Persoon', '1981-01-01', '2020-01-01', $4)`,
		other, w.tenant, "V"+other.String()[:8], otherLogin.userID); err != nil {
		t.Fatal(err)
	}
	otherToken := s.session(otherLogin)
	decisionsEntry(t, s, phys, other, "note", "Te-vernietigen-"+mark)
	d2 := decisionsFile(t, s, otherToken, "destruction")
	testenv.Navigate(t, ctx, s.url+"/arts/verzoeken/"+d2)
	wantText(t, ctx, "a destruction without a duty", "Er loopt geen wettelijke bewaarplicht")
	s.startWorker(t)
	testenv.Fill(t, ctx, map[string]string{"besluit": "toekennen"})
	if st := testenv.Submit(t, ctx, "Besluit vastleggen"); st != http.StatusOK {
		t.Fatalf("grant destruction = %d: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the granted destruction", "Uitvoering", "Status:")
	testenv.Inspect(t, ctx, "arts-vernietiging-toegekend")
	awaitDestruction(t, s, d2)
	testenv.Navigate(t, ctx, s.url+"/arts/verzoeken/"+d2)
	wantText(t, ctx, "the destruction done", "Status: klaar", "verklaring van vernietiging")
	testenv.Inspect(t, ctx, "arts-vernietiging-klaar")
	// The physician downloads the statement the employee got.
	if name, pdf := testenv.Download(t, ctx, "Verklaring van vernietiging downloaden (pdf)"); name != "verklaring-vernietiging.pdf" ||
		!bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Errorf("the physician's statement is %q starting %q, want verklaring-vernietiging.pdf, a PDF", name, pdf[:min(8, len(pdf))])
	}
	var jobID string
	if err := w.owner.QueryRow(bg, `SELECT id::text FROM medical.destructions WHERE request_id = $1`, d2).Scan(&jobID); err != nil {
		t.Fatal(err)
	}
	if st := s.portal("GET", "/mijn/vernietigingen/"+jobID+"/verklaring.pdf", otherToken, nil); st.status != http.StatusOK ||
		!bytes.HasPrefix([]byte(st.body), []byte("%PDF")) {
		t.Errorf("the employee's statement = %d, want the PDF", st.status)
	}

	// The lead physician releases for an absent physician, from the
	// unattended queue.
	leadInsp := decisionsFile(t, s, w.tokens["employee"], "inspection")
	if r := s.do("POST", "/api/v1/requests/"+leadInsp+"/decision", phys, map[string]any{"status": "granted"}); r.status != http.StatusOK {
		t.Fatalf("grant inspection = %d %s", r.status, r.raw)
	}
	lead, sub, admin := s.addUser(access.RoleLeadPhysician, uuid.Nil), s.addUser(access.RolePhysician, uuid.Nil), s.addUser(access.RoleAdmin, uuid.Nil)
	if _, err := w.owner.Exec(bg, `INSERT INTO hr.substitutions (absent_physician_id, substitute_id, starts_on, ends_on, status,
		proposed_by, approved_by, decided_at) VALUES ($1, $2, $3, $4, 'active', $5, $6, now())`,
		w.physician.userID, sub.userID, nowNL().AddDate(0, 0, -1), nowNL().AddDate(0, 0, 7), admin.userID, lead.userID); err != nil {
		t.Fatal(err)
	}
	if st := testenv.Submit(t, ctx, "Uitloggen"); st != http.StatusOK {
		t.Fatalf("logout = %d", st)
	}
	browserLogin(t, ctx, s, lead)
	testenv.Navigate(t, ctx, s.url+"/arts/verzoeken")
	wantText(t, ctx, "the lead's queue", "Zonder behandelend bedrijfsarts", "Inzage in het medisch dossier")
	testenv.Inspect(t, ctx, "arts-verzoeken-hoofd")
	testenv.Navigate(t, ctx, s.url+"/arts/verzoeken/"+leadInsp)
	wantText(t, ctx, "the lead's request page", "niet de behandelend bedrijfsarts")
	testenv.Inspect(t, ctx, "arts-verzoek-hoofd")
	if st := testenv.Submit(t, ctx, "Hele dossier vrijgeven"); st != http.StatusOK {
		t.Fatalf("lead release = %d: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the lead's release", "De stukken zijn vrijgegeven")
	if n := decisionsCount(t, w, `SELECT count(*) FROM medical.releases WHERE request_id = $1 AND released_by = $2`, leadInsp, lead.userID); n != 1 {
		t.Errorf("the lead's release is not stored as theirs")
	}
}

// TestPortalDecisionsBadInput posts the physician's forms with bad input:
// each answers 400 with a message that says what is wrong, and the
// database is unchanged.
func TestPortalDecisionsBadInput(t *testing.T) {
	t.Parallel()
	w := newDossierWorld(t)
	s := w.s
	emp := w.employee.String()
	phys := w.tokens["physician"]
	decisionsEntry(t, s, phys, w.employee, "note", "Aantekening.")
	open := decisionsFile(t, s, w.tokens["employee"], "copy")
	granted := decisionsFile(t, s, w.tokens["employee"], "inspection")
	destroy := decisionsFile(t, s, w.tokens["employee"], "destruction")
	if r := s.do("POST", "/api/v1/requests/"+granted+"/decision", phys, map[string]any{"status": "granted"}); r.status != http.StatusOK {
		t.Fatalf("grant = %d %s", r.status, r.raw)
	}
	today := nowNL().Format(time.DateOnly)
	// state is what the forms could change, for the employee.
	state := func() string {
		t.Helper()
		var out string
		if err := w.owner.QueryRow(context.Background(), `SELECT concat_ws('|',
			(SELECT count(*) FROM hr.verdicts WHERE employee_id = $1), (SELECT count(*) FROM hr.advices WHERE employee_id = $1),
			(SELECT string_agg(status || coalesce(ground, '') || coalesce(extended_to::text, ''), ',' ORDER BY id) FROM hr.requests WHERE employee_id = $1),
			(SELECT count(*) FROM medical.releases WHERE employee_id = $1))`, w.employee).Scan(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, c := range []struct {
		name, path string
		form       url.Values
		message    string
	}{
		{"verdict without a verdict", "/arts/medewerkers/" + emp + "/oordeel",
			url.Values{"soort": {"absence"}, "datum": {today}}, "Kies een oordeel"},
		{"partly fit at 150 %", "/arts/medewerkers/" + emp + "/oordeel",
			url.Values{"soort": {"absence"}, "oordeel": {"partly_fit"}, "percentage": {"150"}, "datum": {today}}, "percentage van 1 tot en met 99"},
		{"partly fit at abc %", "/arts/medewerkers/" + emp + "/oordeel",
			url.Values{"soort": {"absence"}, "oordeel": {"partly_fit"}, "percentage": {"abc"}, "datum": {today}}, "percentage van 1 tot en met 99"},
		{"fit with a percentage", "/arts/medewerkers/" + emp + "/oordeel",
			url.Values{"soort": {"absence"}, "oordeel": {"fit"}, "percentage": {"50"}, "datum": {today}}, "percentage van 1 tot en met 99"},
		{"a verdict in the future", "/arts/medewerkers/" + emp + "/oordeel",
			url.Values{"soort": {"absence"}, "oordeel": {"fit"}, "datum": {"2999-01-01"}}, "niet in de toekomst"},
		{"an examination without an outcome", "/arts/medewerkers/" + emp + "/oordeel",
			url.Values{"soort": {"examination"}, "datum": {today}}, "goedgekeurd of afgekeurd"},
		{"advice without limitations", "/arts/medewerkers/" + emp + "/advies",
			url.Values{"mogelijkheden": {"Kantoorwerk."}, "weken": {"4"}}, "Beschrijf wat de medewerker (nog) niet kan"},
		{"advice preview for 200 weeks", "/arts/medewerkers/" + emp + "/advies/voorbeeld",
			url.Values{"beperkingen": {"Niet tillen."}, "mogelijkheden": {"Kantoorwerk."}, "weken": {"200"}}, "0 tot en met 104 weken"},
		{"refusal without a ground", "/arts/verzoeken/" + open + "/besluit",
			url.Values{"besluit": {"refused"}}, "Kies de grond"},
		{"a ground not on the list", "/arts/verzoeken/" + open + "/besluit",
			url.Values{"besluit": {"refused"}, "grond": {"ik wil niet"}}, "Kies een grond uit de lijst"},
		{"no decision", "/arts/verzoeken/" + open + "/besluit", url.Values{}, "Kies een besluit"},
		{"extension without a reason", "/arts/verzoeken/" + open + "/verlenging",
			url.Values{"maanden": {"2"}}, "Kies de reden"},
		{"extension by three months", "/arts/verzoeken/" + open + "/verlenging",
			url.Values{"maanden": {"3"}, "reden": {"complex_request"}}, "Kies 1 of 2 maanden"},
		{"destruction refused without a ground", "/arts/verzoeken/" + destroy + "/vernietiging",
			url.Values{"besluit": {"afwijzen"}}, "Kies de wettelijke grond"},
		{"destruction refused for another's interest without a reason", "/arts/verzoeken/" + destroy + "/vernietiging",
			url.Values{"besluit": {"afwijzen"}, "grond": {"substantial_interest_of_another"}}, "Schrijf bij een belang van een ander waarom"},
		{"destruction refused for no data with a reason", "/arts/verzoeken/" + destroy + "/vernietiging",
			url.Values{"besluit": {"afwijzen"}, "grond": {"no_data_held"}, "toelichting": {"Zomaar."}}, "Schrijf alleen een toelichting"},
		{"destruction without a decision", "/arts/verzoeken/" + destroy + "/vernietiging", url.Values{}, "Kies of u de vernietiging toekent"},
		{"release with no entries", "/arts/verzoeken/" + granted + "/vrijgeven", url.Values{}, "Kies minstens één stuk"},
		{"release preview with no entries", "/arts/verzoeken/" + granted + "/vrijgeven/voorbeeld", url.Values{}, "Kies minstens één stuk"},
		{"release of an unknown entry", "/arts/verzoeken/" + granted + "/vrijgeven",
			url.Values{"stuk": {uuid.NewString()}}, "Kies alleen stukken uit de lijst"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := state()
			got := s.portal("POST", c.path, phys, c.form)
			if got.status != http.StatusBadRequest || !strings.Contains(got.body, c.message) {
				t.Errorf("POST %s (%s) = %d, want 400 saying %q:\n%s", c.path, c.name, got.status, c.message, got.body)
			}
			if after := state(); after != before {
				t.Errorf("POST %s (%s) changed the database: %s, want %s", c.path, c.name, after, before)
			}
		})
	}
}
