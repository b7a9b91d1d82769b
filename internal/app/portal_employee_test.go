package app

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// noSuchID is an id no object has.
const noSuchID = "00000000-0000-4000-8000-00000000dead"

// linkEmployee gives the login userID an employee record at employer and
// returns the record's id.
func linkEmployee(t *testing.T, s *stack, employer, userID uuid.UUID) uuid.UUID {
	t.Helper()
	id := uuid.New()
	if _, err := testenv.Pool(t, s.env.MigrateURL).Exec(context.Background(),
		`INSERT INTO hr.employees (id, employer_id, employee_number, first_name, last_name, date_of_birth, employment_start, user_id)
		 VALUES ($1, $2, $3, 'Eigen', 'Pagina', '1985-05-05', '2021-01-01', $4)`,
		id, employer, "P"+id.String()[:8], userID); err != nil {
		t.Fatalf("link employee: %v", err)
	}
	return id
}

// portalLogin logs l in through the portal's login form in the browser,
// with the next TOTP code (the API session of the world used this one).
func portalLogin(t *testing.T, ctx context.Context, base string, l login) {
	t.Helper()
	testenv.Navigate(t, ctx, base+"/inloggen")
	testenv.Fill(t, ctx, map[string]string{"E-mailadres": l.email, "Wachtwoord": l.password, "Code uit uw app": code(t, l.secret, time.Now().Add(30*time.Second))})
	if st := testenv.Submit(t, ctx, "Inloggen"); st != http.StatusOK {
		t.Fatalf("login = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
}

// wantText fails the test unless the page in the tab says every one of
// the texts.
func wantText(t *testing.T, ctx context.Context, page string, texts ...string) {
	t.Helper()
	got := testenv.PageText(t, ctx)
	for _, x := range texts {
		if !strings.Contains(got, x) {
			t.Errorf("%s does not say %q:\n%s", page, x, got)
		}
	}
}

// myRequest returns the id of the employee's one request of type typ.
func (w *dossierWorld) myRequest(t *testing.T, typ string) string {
	t.Helper()
	r := w.s.do("GET", "/api/v1/me/requests", w.tokens["employee"], nil)
	for _, x := range r.body["requests"].([]any) {
		if q := x.(map[string]any); q["type"] == typ {
			return q["id"].(string)
		}
	}
	t.Fatalf("the employee has no %s request: %s", typ, r.raw)
	return ""
}

// consentStatus returns the status of consent id as the employee's API
// lists it.
func (w *dossierWorld) consentStatus(t *testing.T, id string) string {
	t.Helper()
	r := w.s.do("GET", "/api/v1/me/consents", w.tokens["employee"], nil)
	for _, x := range r.body["consents"].([]any) {
		if c := x.(map[string]any); c["id"] == id {
			return c["status"].(string)
		}
	}
	t.Fatalf("consent %s is not the employee's: %s", id, r.raw)
	return ""
}

// examination records an examination outcome as the physician and
// returns its id.
func (w *dossierWorld) examination(t *testing.T, outcome string) string {
	t.Helper()
	r := w.s.do("POST", "/api/v1/employees/"+w.employee.String()+"/verdicts", w.tokens["physician"],
		map[string]any{"kind": "examination", "outcome": outcome, "date": nowNL().Format(time.DateOnly)})
	if r.status != http.StatusCreated {
		t.Fatalf("record examination = %d %s", r.status, r.raw)
	}
	return r.body["id"].(string)
}

// decisionOf returns the employee's decision on verdict id.
func (w *dossierWorld) decisionOf(t *testing.T, id string) string {
	t.Helper()
	r := w.s.do("GET", "/api/v1/employees/"+w.employee.String()+"/verdicts", w.tokens["employee"], nil)
	for _, x := range r.body["verdicts"].([]any) {
		if v := x.(map[string]any); v["id"] == id {
			d, _ := v["employee_decision"].(string)
			return d
		}
	}
	t.Fatalf("verdict %s is not listed for the employee: %s", id, r.raw)
	return ""
}

// TestPortalEmployeeWalk walks the employee's portal in Chromium: home,
// a copy request filed in the portal and released by the physician
// through the API, the release read online and its PDF downloaded, a
// consent signed and revoked, an examination outcome blocked, the access
// log, and the AVG export downloaded. Every page is inspected (CSP, axe,
// screenshots at 360 and 1280 px).
func TestPortalEmployeeWalk(t *testing.T) {
	t.Parallel()
	ctx := testenv.Browser(t)
	w := newDossierWorld(t)
	base := w.s.url
	w.writeOn(t, "consultation", "Gesprek over de klachten in de schouder.", nowNL())

	portalLogin(t, ctx, base, w.employeeLogin)
	wantAt(t, testenv.Location(t, ctx), base, "/")
	wantText(t, ctx, "the employee's home", "Mijn overzicht", "U bent niet ziek gemeld", "Mijn berichten")
	testenv.Inspect(t, ctx, "werknemer-start")

	// A copy request, filed in the portal.
	testenv.Submit(t, ctx, "Mijn verzoeken")
	testenv.Inspect(t, ctx, "werknemer-verzoeken")
	testenv.Submit(t, ctx, "kopie van mijn medisch dossier")
	testenv.Inspect(t, ctx, "werknemer-verzoek-kopie")
	if st := testenv.Submit(t, ctx, "Verzoek indienen"); st != http.StatusOK {
		t.Fatalf("file a copy request = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	if loc := testenv.Location(t, ctx); !strings.HasPrefix(loc, base+"/mijn/verzoeken?") {
		t.Errorf("after filing the browser is at %s, want the list of requests", loc)
	}
	wantText(t, ctx, "the requests after filing", "Uw verzoek is ontvangen", "kopie van mijn medisch dossier", "ontvangen", "Antwoord uiterlijk")
	testenv.Inspect(t, ctx, "werknemer-verzoek-ingediend")

	// The physician grants and releases it through the API.
	copyID := w.myRequest(t, "copy")
	if r := w.s.do("POST", "/api/v1/requests/"+copyID+"/decision", w.tokens["physician"], map[string]any{"status": "granted"}); r.status != http.StatusOK {
		t.Fatalf("grant = %d %s", r.status, r.raw)
	}
	if r := w.s.do("POST", "/api/v1/requests/"+copyID+"/release", w.tokens["physician"], nil); r.status != http.StatusCreated {
		t.Fatalf("release = %d %s", r.status, r.raw)
	}
	testenv.Submit(t, ctx, "Mijn dossier")
	testenv.Inspect(t, ctx, "werknemer-dossier")
	testenv.Submit(t, ctx, "Lezen")
	wantText(t, ctx, "the release", "Gesprek over de klachten in de schouder.", "gesprek van ")
	testenv.Inspect(t, ctx, "werknemer-dossier-lezen")
	name, pdf := testenv.Download(t, ctx, "Kopie downloaden (PDF)")
	if !strings.HasSuffix(name, ".pdf") || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("the copy downloads as %q starting %q, want a PDF", name, pdf[:min(len(pdf), 8)])
	}
	if text := testenv.PDFText(t, pdf); !strings.Contains(text, "schouder") {
		t.Errorf("the PDF copy does not hold the released entry:\n%s", text)
	}

	// A consent the physician prepared: read, signed, revoked.
	consentID := w.prepareConsent(t, consentBody("specialist", "reintegration_assessment", []string{"consultation"}, time.Time{}, time.Time{}))
	testenv.Submit(t, ctx, "Toestemmingen")
	wantText(t, ctx, "the consents", "Toestemming voor Dr. Bé Bakker, Ziekenhuis Rijnstate", "Wacht op uw keuze")
	testenv.Inspect(t, ctx, "werknemer-toestemmingen")
	if st := testenv.Submit(t, ctx, "Toestemming geven"); st != http.StatusBadRequest {
		t.Errorf("sign without ticking 'gelezen' = %d, want 400", st)
	}
	wantText(t, ctx, "signing unticked", "Er is niets ondertekend")
	testenv.Inspect(t, ctx, "werknemer-toestemming-fout")
	if got := w.consentStatus(t, consentID); got != "prepared" {
		t.Errorf("after an unticked signature the consent is %s, want prepared", got)
	}
	testenv.Submit(t, ctx, "Toestemmingen")
	testenv.Fill(t, ctx, map[string]string{"Ik heb de tekst gelezen en geef toestemming": "true"})
	if st := testenv.Submit(t, ctx, "Toestemming geven"); st != http.StatusOK {
		t.Fatalf("sign = %d: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "after signing", "U hebt de toestemming gegeven")
	testenv.Inspect(t, ctx, "werknemer-toestemming-gegeven")
	if got := w.consentStatus(t, consentID); got != "signed" {
		t.Errorf("after signing in the portal the consent is %s, want signed", got)
	}
	if st := testenv.Submit(t, ctx, "Toestemming intrekken"); st != http.StatusOK {
		t.Fatalf("revoke = %d: %s", st, testenv.PageText(t, ctx))
	}
	testenv.Inspect(t, ctx, "werknemer-toestemming-ingetrokken")
	if got := w.consentStatus(t, consentID); got != "revoked" {
		t.Errorf("after revoking in the portal the consent is %s, want revoked", got)
	}

	// An examination outcome: the employee blocks it.
	examID := w.examination(t, "approved")
	testenv.Submit(t, ctx, "Mijn overzicht")
	wantText(t, ctx, "home with an outcome", "Uitslag: goedgekeurd", "Wet op de medische keuringen")
	testenv.Inspect(t, ctx, "werknemer-keuring")
	if st := testenv.Submit(t, ctx, "Tegenhouden"); st != http.StatusOK {
		t.Fatalf("block = %d: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "after blocking", "De uitslag is tegengehouden", "Er wacht geen uitslag")
	testenv.Inspect(t, ctx, "werknemer-keuring-tegengehouden")
	if got := w.decisionOf(t, examID); got != "blocked" {
		t.Errorf("after blocking in the portal the outcome is %q, want blocked", got)
	}

	// Who looked: the physician's reads are in the log, and a period
	// before today shows none of them.
	testenv.Submit(t, ctx, "Wie keek in mijn gegevens")
	wantText(t, ctx, "the access log", "Test physician")
	testenv.Inspect(t, ctx, "werknemer-inzage")
	long := nowNL().AddDate(-1, 0, 0).Format(time.DateOnly)
	testenv.Navigate(t, ctx, base+"/mijn/inzage?van="+long+"&tot="+long)
	wantText(t, ctx, "the access log a year ago", "Niemand heeft in deze periode")
	testenv.Inspect(t, ctx, "werknemer-inzage-periode")

	// My data as JSON.
	testenv.Submit(t, ctx, "Vernietiging en mijn gegevens")
	testenv.Inspect(t, ctx, "werknemer-gegevens")
	name, data := testenv.Download(t, ctx, "Mijn gegevens downloaden")
	var export map[string]any
	if err := json.Unmarshal(data, &export); err != nil || name != "mijn-gegevens.json" {
		t.Fatalf("the export downloads as %q, parse error %v", name, err)
	}
	if e, _ := export["employee"].(map[string]any); e["last_name"] != "Persoon" {
		t.Errorf("the export's employee = %v, want the employee's own record", export["employee"])
	}
}

// TestPortalEmployeeObjectsAreOwn opens the employee's own release,
// its copy and consent actions as another employee: the 404 page, and
// nothing changes; the employee's own get the page, and a download is an
// attachment that is never sniffed.
func TestPortalEmployeeObjectsAreOwn(t *testing.T) {
	t.Parallel()
	w := newDossierWorld(t)
	w.writeOn(t, "consultation", "Eigen stuk.", nowNL())
	other := w.s.addUser(access.RoleEmployee, w.tenant)
	linkEmployee(t, w.s, w.tenant, other.userID)
	otherTok, own := w.s.session(other), w.tokens["employee"]
	if r := w.s.portal("POST", "/mijn/verzoeken", own, url.Values{"soort": {"inspection"}}); r.status != http.StatusSeeOther {
		t.Fatalf("file inspection = %d", r.status)
	}
	req := w.myRequest(t, "inspection")
	w.s.do("POST", "/api/v1/requests/"+req+"/decision", w.tokens["physician"], map[string]any{"status": "granted"})
	rel := w.s.do("POST", "/api/v1/requests/"+req+"/release", w.tokens["physician"], nil)
	relID, _ := rel.body["id"].(string)
	if rel.status != http.StatusCreated {
		t.Fatalf("release = %d %s", rel.status, rel.raw)
	}
	consentID := w.prepareConsent(t, consentBody("specialist", "reintegration_assessment", []string{"consultation"}, time.Time{}, time.Time{}))
	examID := w.examination(t, "rejected")
	for _, c := range []struct {
		method, path string
		form         url.Values
	}{
		{"GET", "/mijn/dossier/" + relID, nil},
		{"GET", "/mijn/dossier/" + relID + "/afschrift.pdf", nil},
		{"POST", "/mijn/toestemmingen/" + consentID + "/ondertekenen", url.Values{"gelezen": {"ja"}, "tekst_sha256": {strings.Repeat("0", 64)}}},
		{"POST", "/mijn/toestemmingen/" + consentID + "/intrekken", url.Values{}},
		{"POST", "/mijn/keuringen/" + examID, url.Values{"keuze": {"doorgeven"}}},
	} {
		r := w.s.portal(c.method, c.path, otherTok, c.form)
		if r.status != http.StatusNotFound || strings.Contains(r.body, "Eigen stuk") {
			t.Errorf("%s %s as another employee = %d, want the 404 page", c.method, c.path, r.status)
		}
	}
	if got := w.consentStatus(t, consentID); got != "prepared" {
		t.Errorf("after another employee's posts the consent is %s, want prepared", got)
	}
	if got := w.decisionOf(t, examID); got != "pending" {
		t.Errorf("after another employee's post the outcome is %q, want pending", got)
	}
	page := w.s.portal("GET", "/mijn/dossier/"+relID, own, nil)
	if page.status != http.StatusOK || !strings.Contains(page.body, "Eigen stuk.") {
		t.Errorf("the employee's own release = %d, want 200 with the entry", page.status)
	}
	// The list of requests shows the status (the release delivered the
	// inspection) and an extension with its
	// reason in plain words.
	if r := w.s.portal("POST", "/mijn/verzoeken", own, url.Values{"soort": {"access"}}); r.status != http.StatusSeeOther {
		t.Fatalf("file access = %d", r.status)
	}
	if r := w.s.do("POST", "/api/v1/requests/"+w.myRequest(t, "access")+"/extension", w.tokens["privacy_officer"],
		map[string]any{"months": 1, "reason": "complex_request"}); r.status != http.StatusOK {
		t.Fatalf("extend = %d %s", r.status, r.raw)
	}
	list := w.s.portal("GET", "/mijn/verzoeken", own, nil)
	for _, want := range []string{"geleverd", "De arbodienst heeft meer tijd genomen", "het verzoek is ingewikkeld"} {
		if !strings.Contains(list.body, want) {
			t.Errorf("the list of requests does not say %q", want)
		}
	}
	if r := w.s.portal("GET", "/mijn/verzoeken", otherTok, nil); strings.Contains(r.body, "geleverd") {
		t.Errorf("another employee's list shows the employee's requests")
	}
	for _, p := range []string{"/mijn/dossier/" + relID + "/afschrift.pdf", "/mijn/gegevens.json"} {
		r := w.s.portal("GET", p, own, nil)
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment;") ||
			r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s = %d, Content-Disposition %q, nosniff %q, Cache-Control %q; want 200, an attachment, nosniff, no-store",
				p, r.status, r.header.Get("Content-Disposition"), r.header.Get("X-Content-Type-Options"), r.header.Get("Cache-Control"))
		}
	}
}

// TestPortalEmployeeBadInput posts bad input to every form of the
// employee's pages: each answers 400 with a readable Dutch message and
// changes nothing.
func TestPortalEmployeeBadInput(t *testing.T) {
	t.Parallel()
	w := newDossierWorld(t)
	own := w.tokens["employee"]
	consentID := w.prepareConsent(t, consentBody("specialist", "reintegration_assessment", []string{"consultation"}, time.Time{}, time.Time{}))
	examID := w.examination(t, "approved")
	requests := func() int {
		r := w.s.do("GET", "/api/v1/me/requests", own, nil)
		return len(r.body["requests"].([]any))
	}
	before := requests()
	for _, c := range []struct {
		name, method, path string
		form               url.Values
		want               string
	}{
		{"no type", "POST", "/mijn/verzoeken", url.Values{}, "Kies eerst welk verzoek"},
		{"unknown type", "POST", "/mijn/verzoeken", url.Values{"soort": {"alles"}}, "Kies eerst welk verzoek"},
		{"own statement without text", "POST", "/mijn/verzoeken", url.Values{"soort": {"own_statement"}, "tekst": {"  "}}, "Schrijf hier uw tekst."},
		{"own statement too long", "POST", "/mijn/verzoeken", url.Values{"soort": {"own_statement"}, "tekst": {strings.Repeat("a", 5000)}}, "Deze tekst is te lang"},
		{"correction without its entry", "POST", "/mijn/verzoeken", url.Values{"soort": {"correction"}, "tekst": {"klopt niet"}}, "Vul het nummer van het stuk in"},
		{"correction of a foreign entry", "POST", "/mijn/verzoeken", url.Values{"soort": {"correction"}, "tekst": {"klopt niet"}, "stuk": {noSuchID}}, "Dit stuk staat niet in uw dossier"},
		{"rectification of nothing", "POST", "/mijn/verzoeken", url.Values{"soort": {"rectification"}}, "Kies welke gegevens niet kloppen"},
		{"rectification of an unknown field", "POST", "/mijn/verzoeken", url.Values{"soort": {"rectification"}, "velden": {"salaris"}}, "Kies alleen gegevens uit de lijst"},
		{"sign unticked", "POST", "/mijn/toestemmingen/" + consentID + "/ondertekenen", url.Values{"tekst_sha256": {strings.Repeat("0", 64)}}, "Er is niets ondertekend"},
		{"sign another text", "POST", "/mijn/toestemmingen/" + consentID + "/ondertekenen", url.Values{"gelezen": {"ja"}, "tekst_sha256": {strings.Repeat("0", 64)}}, "De tekst is veranderd"}, // 409
		{"no choice on the outcome", "POST", "/mijn/keuringen/" + examID, url.Values{"keuze": {"misschien"}}, "Kies of u de uitslag doorgeeft of tegenhoudt"},
		{"a period that is no date", "GET", "/mijn/inzage?van=gisteren", nil, "Vul een datum in"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := w.s.portal(c.method, c.path, own, c.form)
			want := http.StatusBadRequest
			if c.name == "sign another text" {
				want = http.StatusConflict // the service: the text shown is not the consent's
			}
			if r.status != want || !strings.Contains(r.body, c.want) {
				t.Errorf("%s %s (%s) = %d, want %d saying %q", c.method, c.path, c.name, r.status, want, c.want)
			}
		})
	}
	if after := requests(); after != before {
		t.Errorf("bad request forms filed %d requests, want none", after-before)
	}
	if got := w.consentStatus(t, consentID); got != "prepared" {
		t.Errorf("after bad signatures the consent is %s, want prepared", got)
	}
	if got := w.decisionOf(t, examID); got != "pending" {
		t.Errorf("after a bad choice the outcome is %q, want pending", got)
	}
}
