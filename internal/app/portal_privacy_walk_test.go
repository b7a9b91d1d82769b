package app

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/config"
	"github.com/arbokluis/arbokluis/internal/testenv"
	"github.com/arbokluis/arbokluis/internal/web"
)

// newPrivacyWorld is the dossier world on a database of its own whose
// appender signs a checkpoint every 5 events, with a privacy officer:
// the trail it verifies is this test's alone, and the register lists only
// its requests.
func newPrivacyWorld(t *testing.T) (*dossierWorld, login) {
	t.Helper()
	s := newStackWith(t, testenv.FreshDatabase(t), func(c *config.Config) { c.AuditCheckpointEvery = 5 })
	w := newDossierWorldOn(t, s)
	return w, s.addUser(access.RolePrivacyOfficer, uuid.Nil)
}

// TestPortalPrivacyWalk walks the privacy officer's portal in Chromium:
// the employee files an erasure request through the API; the officer
// finds it in the register (the start page), opens it, previews the
// outcome per category (nothing changes), applies it and reads the
// outcome as applied, which is what the preview said; registers a
// representative's request (refused without the authorisation's date,
// then registered with it) and extends its term; applies and lifts a
// restriction; searches the audit trail for the employee by number,
// verifies the trail and downloads the search as CSV. Every page is
// inspected; the database and the employee's view are checked after.
func TestPortalPrivacyWalk(t *testing.T) {
	t.Parallel()
	ctx := testenv.Browser(t)
	w, officer := newPrivacyWorld(t)
	s, bg, emp := w.s, context.Background(), w.employee.String()
	today := nowNL()
	day := func(years, months int) string { return today.AddDate(years, months, 0).Format(time.DateOnly) }

	// Contact details, an old closed case (its term has passed) and a
	// recent one (kept for two years after it closed).
	oldCase, recentCase := uuid.New(), uuid.New()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE hr.employees SET email = 'dossier.persoon@example.test', phone = '0612345678' WHERE id = $1`, []any{w.employee}},
		{`INSERT INTO hr.absences (id, employer_id, employee_id, first_sick_day, percentage, status, closed_on, close_reason, created_by)
			VALUES ($1, $2, $3, $4, 0, 'closed', $5, 'recovered', $6)`, []any{oldCase, w.tenant, w.employee, day(-4, 0), day(-4, 1), officer.userID}},
		{`INSERT INTO hr.absences (id, employer_id, employee_id, first_sick_day, percentage, status, closed_on, close_reason, created_by)
			VALUES ($1, $2, $3, $4, 0, 'closed', $5, 'recovered', $6)`, []any{recentCase, w.tenant, w.employee, day(0, -3), day(0, -2), officer.userID}},
	} {
		if _, err := w.owner.Exec(bg, q.sql, q.args...); err != nil {
			t.Fatalf("fixture: %v", err)
		}
	}
	r := s.do("POST", "/api/v1/me/requests", w.tokens["employee"], map[string]any{"type": "erasure"})
	reqID, _ := r.body["id"].(string)
	if r.status != http.StatusCreated || reqID == "" {
		t.Fatalf("file erasure = %d %s", r.status, r.raw)
	}
	contact := func() bool {
		t.Helper()
		var held bool
		if err := w.owner.QueryRow(bg, `SELECT email IS NOT NULL FROM hr.employees WHERE id = $1`, w.employee).Scan(&held); err != nil {
			t.Fatal(err)
		}
		return held
	}
	cases := func() int {
		t.Helper()
		var n int
		if err := w.owner.QueryRow(bg, `SELECT count(*) FROM hr.absences WHERE employee_id = $1`, w.employee).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// The register is the officer's start page.
	browserLogin(t, ctx, s, officer)
	wantAt(t, testenv.Location(t, ctx), s.url, "/")
	wantText(t, ctx, "the register", "Register van verzoeken", "wissen (AVG)", "Dossier Persoon", "de privacyfunctionaris")
	testenv.Inspect(t, ctx, "privacy-register")
	testenv.Fill(t, ctx, map[string]string{"Soort verzoek": "erasure", "Status": "alle"})
	if st := testenv.Submit(t, ctx, "Toon"); st != http.StatusOK {
		t.Fatalf("filter the register = %d: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the filtered register", "wissen (AVG)", "Dossier Persoon")
	testenv.Inspect(t, ctx, "privacy-register-gefilterd")

	if st := testenv.Submit(t, ctx, "wissen (AVG)"); st != http.StatusOK {
		t.Fatalf("open the request = %d: %s", st, testenv.PageText(t, ctx))
	}
	wantAt(t, testenv.Location(t, ctx), s.url, "/privacy/verzoeken/"+reqID)
	wantText(t, ctx, "the request", "Dossier Persoon", "Antwoord uiterlijk", "Bekijk wat er gewist wordt")
	testenv.Inspect(t, ctx, "privacy-verzoek")

	// The preview: per category, nothing changed.
	if st := testenv.Submit(t, ctx, "Bekijk wat er gewist wordt"); st != http.StatusOK {
		t.Fatalf("preview = %d: %s", st, testenv.PageText(t, ctx))
	}
	keptUntil := web.Date(today.AddDate(0, -2, 0).AddDate(2, 0, 0))
	planned := []string{"Contactgegevens", "Wordt gewist", "Verzuimdossiers", "Blijft bewaard", "wettelijke bewaarplicht, tot " + keptUntil,
		"Personeelsgegevens", "Register van verzoeken", "Auditspoor", "deels toegekend"}
	wantText(t, ctx, "the erasure preview", planned...)
	testenv.Inspect(t, ctx, "privacy-wissen-voorbeeld")
	if !contact() || cases() != 2 {
		t.Fatalf("the preview changed the record: contact held %v, %d cases", contact(), cases())
	}

	// Confirmed: the page shows the outcome as applied.
	if st := testenv.Submit(t, ctx, "Wissen bevestigen"); st != http.StatusOK {
		t.Fatalf("erase = %d: %s", st, testenv.PageText(t, ctx))
	}
	wantAt(t, testenv.Location(t, ctx), s.url, "/privacy/verzoeken/"+reqID+"?klaar=gewist")
	wantText(t, ctx, "the erased request", "Het verzoek om wissen is uitgevoerd", "Contactgegevens", "Gewist", "Bewaard",
		"wettelijke bewaarplicht, tot "+keptUntil, "deels toegekend")
	testenv.Inspect(t, ctx, "privacy-verzoek-gewist")
	if contact() || cases() != 1 {
		t.Errorf("after the erasure: contact held %v, %d cases; want none and the recent case", contact(), cases())
	}
	mine := s.do("GET", "/api/v1/me/requests", w.tokens["employee"], nil)
	for _, x := range mine.body["requests"].([]any) {
		if q := x.(map[string]any); q["id"] == reqID && (q["status"] != "partly_granted" || q["ground"] != "legal_retention_duty") {
			t.Errorf("the employee reads the erasure as %v (%v), want partly_granted on legal_retention_duty", q["status"], q["ground"])
		}
	}

	// A representative's request, from the request's page: refused
	// without the date, then filed.
	if st := testenv.Submit(t, ctx, "Verzoek van een vertegenwoordiger voor deze medewerker registreren"); st != http.StatusOK {
		t.Fatalf("open the representative's form = %d: %s", st, testenv.PageText(t, ctx))
	}
	testenv.Inspect(t, ctx, "privacy-nieuw")
	if got := evalValue(t, ctx, "medewerker"); got != emp {
		t.Errorf("the representative's form names employee %q, want %s", got, emp)
	}
	testenv.Fill(t, ctx, map[string]string{"Soort verzoek": "access", "Naam van de vertegenwoordiger": "Mr. A. de Vries"})
	if st := testenv.Submit(t, ctx, "Verzoek registreren"); st != http.StatusBadRequest {
		t.Errorf("a representative's request without the date = %d, want 400", st)
	}
	wantText(t, ctx, "the form without the date", "Vul de datum in waarop de medewerker de machtiging heeft ondertekend")
	testenv.Inspect(t, ctx, "privacy-nieuw-fout")
	signed := today.AddDate(0, 0, -3)
	testenv.Fill(t, ctx, map[string]string{"Datum waarop de medewerker de machtiging ondertekende": signed.Format(time.DateOnly)})
	if st := testenv.Submit(t, ctx, "Verzoek registreren"); st != http.StatusOK {
		t.Fatalf("register a representative's request = %d: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the representative's request", "Het verzoek is geregistreerd", "Mr. A. de Vries (vertegenwoordiger)",
		"Machtiging ondertekend op", web.Date(signed), "inzage (AVG)")
	testenv.Inspect(t, ctx, "privacy-verzoek-vertegenwoordiger")
	var repName, signedOn string
	if err := w.owner.QueryRow(bg, `SELECT representative_name, authorisation_signed_on::text FROM hr.requests
		WHERE employee_id = $1 AND type = 'access'`, w.employee).Scan(&repName, &signedOn); err != nil ||
		repName != "Mr. A. de Vries" || signedOn != signed.Format(time.DateOnly) {
		t.Errorf("the stored representative's request = %q signed %q (%v), want Mr. A. de Vries on %s", repName, signedOn, err, signed.Format(time.DateOnly))
	}

	// Its term extended, with a reason.
	testenv.Fill(t, ctx, map[string]string{"Met hoeveel maanden": "2", "Reden": "complex_request"})
	if st := testenv.Submit(t, ctx, "Termijn verlengen"); st != http.StatusOK {
		t.Fatalf("extend = %d: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the extended request", "De termijn is verlengd", "omdat het verzoek is ingewikkeld")
	testenv.Inspect(t, ctx, "privacy-verzoek-verlengd")

	// A restriction, applied (no open case) and lifted.
	r = s.do("POST", "/api/v1/me/requests", w.tokens["employee"], map[string]any{"type": "restriction"})
	restrictionID, _ := r.body["id"].(string)
	if r.status != http.StatusCreated || restrictionID == "" {
		t.Fatalf("file restriction = %d %s", r.status, r.raw)
	}
	restricted := func() bool {
		t.Helper()
		var on bool
		if err := w.owner.QueryRow(bg, `SELECT restricted_since IS NOT NULL FROM hr.employees WHERE id = $1`, w.employee).Scan(&on); err != nil {
			t.Fatal(err)
		}
		return on
	}
	testenv.Navigate(t, ctx, s.url+"/privacy/verzoeken/"+restrictionID)
	testenv.Inspect(t, ctx, "privacy-beperking")
	if st := testenv.Submit(t, ctx, "Beperking toepassen"); st != http.StatusOK {
		t.Fatalf("restrict = %d: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the restricted request", "Het verzoek om beperking is afgehandeld", "toegekend", "Beperking opheffen")
	testenv.Inspect(t, ctx, "privacy-beperking-toegepast")
	if !restricted() {
		t.Errorf("after the restriction the record is not restricted")
	}
	if st := testenv.Submit(t, ctx, "Beperking opheffen"); st != http.StatusOK {
		t.Fatalf("lift = %d: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the lifted restriction", "De beperking is opgeheven", "afgesloten")
	testenv.Inspect(t, ctx, "privacy-beperking-opgeheven")
	if restricted() {
		t.Errorf("after lifting the restriction the record is still restricted")
	}

	// The audit trail: the employee's events, once appended.
	number := "D" + emp[:8]
	search := s.url + "/privacy/audit?" + url.Values{"medewerker": {number}}.Encode()
	deadline := time.Now().Add(15 * time.Second)
	for testenv.Navigate(t, ctx, search); !strings.Contains(testenv.PageText(t, ctx), "wissen: request"); testenv.Navigate(t, ctx, search) {
		if time.Now().After(deadline) {
			t.Fatalf("the audit search never shows the erasure:\n%s", testenv.PageText(t, ctx))
		}
		time.Sleep(200 * time.Millisecond)
	}
	wantText(t, ctx, "the audit search", "Gebeurtenissen", "aanmaken: request", "privacyfunctionaris", "Laatste ondertekende controlepunt")
	testenv.Inspect(t, ctx, "privacy-audit")
	if st := testenv.Submit(t, ctx, "Controleer het hele spoor"); st != http.StatusOK {
		t.Fatalf("verify = %d: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the verification", "In orde.", "Het spoor is ongeschonden tot en met nummer")
	testenv.Inspect(t, ctx, "privacy-audit-controle")

	testenv.Navigate(t, ctx, search)
	name, data := testenv.Download(t, ctx, "Download deze zoekopdracht als CSV")
	rows, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
	if err != nil || name != "auditspoor.csv" || len(rows) < 2 {
		t.Fatalf("the CSV download %q = %d rows (%v), want a header and rows:\n%s", name, len(rows), err, data)
	}
	if want := []string{"volgnummer", "tijd", "gebruiker", "rol"}; !slices.Equal(rows[0][:4], want) {
		t.Errorf("the CSV header = %q, want it to start with %q", rows[0], want)
	}
	erased := slices.ContainsFunc(rows[1:], func(row []string) bool {
		return row[2] == officer.userID.String() && row[3] == "privacy_officer" && row[5] == emp && row[7] == "delete" &&
			row[8] == "request" && row[9] == reqID && row[10] == "ok"
	})
	if !erased {
		t.Errorf("the CSV has no row of the officer's erasure of %s:\n%s", reqID, data)
	}
	var exports int
	if err := w.owner.QueryRow(bg, `SELECT (SELECT count(*) FROM audit.events WHERE actor_user_id = $1 AND action = 'export' AND object_kind = 'audit_events')
		+ (SELECT count(*) FROM audit.outbox WHERE actor_user_id = $1 AND action = 'export' AND object_kind = 'audit_events')`,
		officer.userID).Scan(&exports); err != nil || exports != 1 {
		t.Errorf("the CSV download is audited as %d exports (%v), want 1", exports, err)
	}
}

// TestPortalPrivacyBadInput sends bad input to every form and search of
// the privacy officer's portal: each answers 400 with a readable Dutch
// message (409 for an erasure granted by a bare decision, which only its
// own route applies), and no request is filed, decided or extended.
func TestPortalPrivacyBadInput(t *testing.T) {
	t.Parallel()
	w := newDossierWorld(t)
	s, bg, emp := w.s, context.Background(), w.employee.String()
	officer := w.tokens["privacy_officer"]
	r := s.do("POST", "/api/v1/me/requests", w.tokens["employee"], map[string]any{"type": "access"})
	reqID, _ := r.body["id"].(string)
	if r.status != http.StatusCreated || reqID == "" {
		t.Fatalf("file access request = %d %s", r.status, r.raw)
	}
	r = s.do("POST", "/api/v1/me/requests", w.tokens["employee"], map[string]any{"type": "erasure"})
	erasureID, _ := r.body["id"].(string)
	if r.status != http.StatusCreated || erasureID == "" {
		t.Fatalf("file erasure request = %d %s", r.status, r.raw)
	}
	state := func() string {
		t.Helper()
		var out string
		if err := w.owner.QueryRow(bg, `SELECT count(*)::text || string_agg(status || coalesce(extended_to::text, '') || coalesce(ground, ''), ',')
			FROM hr.requests WHERE employee_id = $1`, w.employee).Scan(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	before := state()
	today := nowNL()
	rep := func(change func(url.Values)) url.Values {
		v := url.Values{"medewerker": {emp}, "soort": {"access"}, "vertegenwoordiger": {"Mr. A. de Vries"},
			"machtiging_datum": {today.AddDate(0, 0, -1).Format(time.DateOnly)}}
		change(v)
		return v
	}
	request := "/privacy/verzoeken/" + reqID
	for _, c := range []struct {
		name, method, path string
		form               url.Values
		want               string
	}{
		{"representative without the date", "POST", "/privacy/verzoeken", rep(func(v url.Values) { v.Del("machtiging_datum") }),
			"Vul de datum in waarop de medewerker de machtiging heeft ondertekend"},
		{"authorisation from the future", "POST", "/privacy/verzoeken",
			rep(func(v url.Values) { v.Set("machtiging_datum", today.AddDate(0, 0, 2).Format(time.DateOnly)) }), "niet in de toekomst"},
		{"authorisation too old", "POST", "/privacy/verzoeken",
			rep(func(v url.Values) { v.Set("machtiging_datum", today.AddDate(0, -7, 0).Format(time.DateOnly)) }), "niet ouder dan 6 maanden"},
		{"authorisation no date", "POST", "/privacy/verzoeken", rep(func(v url.Values) { v.Set("machtiging_datum", "gisteren") }),
			"Vul de datum in waarop"},
		{"representative without a name", "POST", "/privacy/verzoeken", rep(func(v url.Values) { v.Set("vertegenwoordiger", " ") }),
			"Vul de naam van de vertegenwoordiger in"},
		{"an own statement for someone", "POST", "/privacy/verzoeken", rep(func(v url.Values) { v.Set("soort", "own_statement") }),
			"dient de medewerker zelf in"},
		{"an unknown type", "POST", "/privacy/verzoeken", rep(func(v url.Values) { v.Set("soort", "alles") }), "Kies een soort verzoek"},
		{"fields of another type", "POST", "/privacy/verzoeken", rep(func(v url.Values) { v["velden"] = []string{"email"} }),
			"alleen bij rectificatie"},
		{"an unknown field", "POST", "/privacy/verzoeken",
			rep(func(v url.Values) { v.Set("soort", "rectification"); v["velden"] = []string{"salaris"} }), "Kies alleen gegevens uit de lijst"},
		{"an employee number that is none", "POST", "/privacy/verzoeken", rep(func(v url.Values) { v.Set("medewerker", "GEEN-"+emp[:8]) }),
			"Er is geen medewerker met dit personeelsnummer"},
		{"no employee", "POST", "/privacy/verzoeken", rep(func(v url.Values) { v.Del("medewerker") }),
			"Vul het personeelsnummer of de code van de medewerker in"},
		{"an unknown employee", "POST", "/privacy/verzoeken", rep(func(v url.Values) { v.Set("medewerker", noSuchID) }),
			"Er is geen medewerker met deze code"},
		{"a decision without a status", "POST", request + "/besluit", url.Values{}, "Kies een besluit uit de lijst"},
		{"an unknown status", "POST", request + "/besluit", url.Values{"status": {"weg"}}, "Kies een besluit uit de lijst"},
		{"a refusal without a ground", "POST", request + "/besluit", url.Values{"status": {"refused"}}, "Kies bij een afwijzing"},
		{"a grant with a ground", "POST", request + "/besluit", url.Values{"status": {"granted"}, "grond": {"no_data_held"}},
			"bij een toewijzing geen grond"},
		{"an erasure granted by decision", "POST", "/privacy/verzoeken/" + erasureID + "/besluit", url.Values{"status": {"granted"}},
			"wijst u toe door het uit te voeren"},
		{"an extension of 5 months", "POST", request + "/verlengen", url.Values{"maanden": {"5"}, "reden": {"complex_request"}},
			"Kies 1 of 2 maanden"},
		{"an extension without a reason", "POST", request + "/verlengen", url.Values{"maanden": {"1"}}, "Kies een reden uit de lijst"},
		{"an extension for another reason", "POST", request + "/verlengen", url.Values{"maanden": {"1"}, "reden": {"vakantie"}},
			"Kies een reden uit de lijst"},
		{"a register status that is none", "GET", "/privacy/verzoeken?status=weg", nil, "Kies een status uit de lijst"},
		{"a register type that is none", "GET", "/privacy/verzoeken?soort=alles", nil, "Kies een soort verzoek uit de lijst"},
		{"a period that is no date", "GET", "/privacy/audit?van=gisteren", nil, "Vul een geldige datum in"},
		{"a period backwards", "GET", "/privacy/audit?van=2026-03-05&tot=2026-03-01", nil, "mag niet voor de datum"},
		{"an unknown action", "GET", "/privacy/audit?handeling=stelen", nil, "Kies een handeling uit de lijst"},
		{"an unknown outcome", "GET", "/privacy/audit?uitkomst=misschien", nil, "Kies een uitkomst uit de lijst"},
		{"an actor code that is none", "GET", "/privacy/audit?gebruiker=piet", nil, "Vul een e-mailadres in, of de code"},
		{"an unknown e-mail address", "GET", "/privacy/audit?gebruiker=niemand@example.test", nil, "Er is geen gebruiker met dit e-mailadres"},
		{"an unknown employee number", "GET", "/privacy/audit?medewerker=GEEN-" + emp[:8], nil, "Er is geen medewerker met dit personeelsnummer"},
		{"a page that is none", "GET", "/privacy/audit?medewerker=" + emp + "&na=-3", nil, "Deze vervolgpagina bestaat niet"},
		{"an export of a bad period", "GET", "/privacy/audit.csv?van=gisteren", nil, "Niet alles is goed ingevuld"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := s.portal(c.method, c.path, officer, c.form)
			want := http.StatusBadRequest
			if c.name == "an erasure granted by decision" {
				want = http.StatusConflict // applied on its own route only
			}
			if got.status != want || !strings.Contains(got.body, c.want) {
				t.Errorf("%s %s (%s) = %d, want %d saying %q:\n%s", c.method, c.path, c.name, got.status, want, c.want, got.body)
			}
			if got.header.Get("Content-Disposition") != "" {
				t.Errorf("%s %s (%s) answered a download", c.method, c.path, c.name)
			}
		})
	}
	if after := state(); after != before {
		t.Errorf("bad input changed the employee's requests from %q to %q", before, after)
	}
}
