package app

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/web"
)

// TestPortalEmployerBadInput posts bad input to every form of the
// employer's portal (and bad filters to its lists) and checks that each
// answers 400 with a readable Dutch message and changes nothing: the
// tenant's employees, cases and case changes, and the employee's record,
// are the same before and after.
func TestPortalEmployerBadInput(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	s := w.s
	er := s.session(s.addUser(access.RoleEmployer, w.tenant))
	emp := w.employee(t, "Berend", "Botsing")
	caseID, _ := w.report(t, emp, w.today.AddDate(0, 0, -30), 100, http.StatusCreated).body["id"].(string)
	header := "employee_number,first_name,last_name,date_of_birth,employment_start,employment_end,email,phone,bsn\n"
	snapshot := func() string {
		t.Helper()
		var out string
		err := w.owner.QueryRow(context.Background(), `SELECT
			(SELECT count(*) FROM hr.employees WHERE employer_id = $1)::text || '/' ||
			(SELECT count(*) FROM hr.absences WHERE employer_id = $1)::text || '/' ||
			(SELECT count(*) FROM hr.absence_changes c JOIN hr.absences a ON a.id = c.absence_id WHERE a.employer_id = $1)::text || '/' ||
			(SELECT e::text FROM hr.employees e WHERE e.id = $2)`, w.tenant, emp).Scan(&out)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	day := func(d int) string { return w.today.AddDate(0, 0, d).Format("2006-01-02") }
	person := url.Values{"employee_number": {"N-1"}, "first_name": {"Nina"}, "last_name": {"Nieuw"}, "date_of_birth": {"1990-02-03"},
		"employment_start": {"2020-01-01"}}
	with := func(v url.Values, k, val string) url.Values {
		out := url.Values{}
		for kk, vv := range v {
			out[kk] = vv
		}
		out.Set(k, val)
		return out
	}
	edit := url.Values{"first_name": {"Berend"}, "last_name": {"Botsing"}, "date_of_birth": {"1980-06-15"}, "employment_start": {"2015-01-01"}}
	for _, tc := range []struct {
		name, method, path string
		form               url.Values
		want               string
	}{
		{"sick report without a date", "POST", "/werkgever/medewerkers/" + emp + "/ziekmelding", url.Values{"percentage": {"100"}}, "Vul een datum in."},
		{"sick report with a bad date", "POST", "/werkgever/medewerkers/" + emp + "/ziekmelding",
			url.Values{"eerste_ziektedag": {"31-12-2025"}, "percentage": {"100"}}, "Vul een geldige datum in"},
		{"sick report at 0 %", "POST", "/werkgever/medewerkers/" + emp + "/ziekmelding",
			url.Values{"eerste_ziektedag": {day(-1)}, "percentage": {"0"}}, "Vul een percentage van 1 tot en met 100 in."},
		{"sick report at 101 %", "POST", "/werkgever/medewerkers/" + emp + "/ziekmelding",
			url.Values{"eerste_ziektedag": {day(-1)}, "percentage": {"101"}}, "Vul een percentage van 1 tot en met 100 in."},
		{"sick report before the employment", "POST", "/werkgever/medewerkers/" + emp + "/ziekmelding",
			url.Values{"eerste_ziektedag": {"2010-01-01"}, "percentage": {"100"}}, "Vul een eerste ziektedag in"},
		{"recovery without a percentage", "POST", "/werkgever/verzuim/" + caseID + "/herstel", url.Values{"datum": {day(0)}},
			"Vul een percentage van 0 tot en met 100 in."},
		{"recovery at 150 %", "POST", "/werkgever/verzuim/" + caseID + "/herstel", url.Values{"datum": {day(0)}, "herstel_percentage": {"150"}},
			"Vul een percentage van 0 tot en met 100 in."},
		{"recovery before the first sick day", "POST", "/werkgever/verzuim/" + caseID + "/herstel",
			url.Values{"datum": {day(-40)}, "herstel_percentage": {"0"}}, "Vul een datum in op of na de eerste ziektedag"},
		{"recovery with a bad date", "POST", "/werkgever/verzuim/" + caseID + "/herstel",
			url.Values{"datum": {"gisteren"}, "herstel_percentage": {"0"}}, "Vul een geldige datum in"},
		{"new employee without a last name", "POST", "/werkgever/medewerkers", with(person, "last_name", ""), "Vul de achternaam in"},
		{"new employee with a bad BSN", "POST", "/werkgever/medewerkers", with(person, "bsn", "123456789"), "Vul een geldig BSN in"},
		{"new employee with a bad birth date", "POST", "/werkgever/medewerkers", with(person, "date_of_birth", "1990-13-01"), "Vul een geldige datum in"},
		{"new employee with a bad e-mail address", "POST", "/werkgever/medewerkers", with(person, "email", "geen-adres"), "Vul een geldig e-mailadres in"},
		{"edit with a bad phone number", "POST", "/werkgever/medewerkers/" + emp + "/wijzigen", with(edit, "phone", "bel me"), "Vul een geldig telefoonnummer in"},
		{"edit with an end before the start", "POST", "/werkgever/medewerkers/" + emp + "/wijzigen", with(edit, "employment_end", "2014-01-01"),
			"Vul een geldige einddatum in"},
		{"edit that changes nothing", "POST", "/werkgever/medewerkers/" + emp + "/wijzigen", edit, "U heeft niets gewijzigd."},
		{"import of nothing", "POST", "/werkgever/import", url.Values{"csv": {"  "}}, "Kies een bestand of plak de regels"},
		{"import with a wrong header", "POST", "/werkgever/import", url.Values{"csv": {"nummer,naam\n1,x\n"}}, "De eerste regel moet de kolomnamen bevatten"},
		{"import with a bad line", "POST", "/werkgever/import", url.Values{"csv": {header + "I-1,Ina,Een,1990-01-01,2020-01-01,,,,\nI-2,Ina,Twee,1990-01-01,2020-01-01,,geen-adres,,\n"}},
			"Regel 3: Kolom e-mailadres: Vul een geldig e-mailadres in"},
		{"import with a number used twice", "POST", "/werkgever/import", url.Values{"csv": {header + "I-1,Ina,Een,1990-01-01,2020-01-01,,,,\nI-1,Ina,Twee,1990-01-01,2020-01-01,,,,\n"}},
			"Regel 3: Kolom personeelsnummer: komt al eerder voor in het bestand."},
		{"confirm an import with a bad line", "POST", "/werkgever/import/bevestigen",
			url.Values{"csv": {header + "I-1,Ina,Een,1990-01-01,2020-01-01,,,,\nI-2,Ina,Twee,1990-01-01,2020-01-01,,,,999\n"}}, "Regel 3: Kolom BSN"},
		{"overview page that is no number", "GET", "/werkgever?pagina=twee", nil, "Het paginanummer moet een heel getal vanaf 1 zijn."},
		{"overview in an unknown order", "GET", "/werkgever?sorteer=leeftijd", nil, "Kies een volgorde uit de lijst."},
		{"signals over -1 days", "GET", "/werkgever/signalen?dagen=-1", nil, "Vul een heel aantal dagen in"},
		{"signals over 1000 days", "GET", "/werkgever/signalen?dagen=1000", nil, "Vul een heel aantal dagen in"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot()
			r := s.portal(tc.method, tc.path, er, tc.form)
			if r.status != http.StatusBadRequest {
				t.Errorf("%s %s (%s) = %d, want 400", tc.method, tc.path, tc.name, r.status)
			}
			if !strings.Contains(r.body, tc.want) {
				t.Errorf("%s %s (%s): the page does not say %q", tc.method, tc.path, tc.name, tc.want)
			}
			if after := snapshot(); after != before {
				t.Errorf("%s %s (%s) changed the tenant: got %s, want %s", tc.method, tc.path, tc.name, after, before)
			}
		})
	}
	// A chosen file (multipart) is checked like pasted lines.
	t.Run("import of a file with a bad line", func(t *testing.T) {
		before := snapshot()
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, err := mw.CreateFormFile("bestand", "medewerkers.csv")
		if err != nil {
			t.Fatal(err)
		}
		fw.Write([]byte(header + "F-1,Fien,Een,1990-01-01,2020-01-01,,,,\nF-2,Fien,Twee,1990-02-30,2020-01-01,,,,\n")) //nolint:errcheck // a buffer
		mw.Close()                                                                                                     //nolint:errcheck // a buffer
		req, _ := http.NewRequest("POST", s.url+"/werkgever/import", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: er})
		resp, err := noRedirects.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		page, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(page), "Regel 3: Kolom geboortedatum") {
			t.Errorf("POST /werkgever/import of a file with a bad date = %d, want 400 naming line 3", resp.StatusCode)
		}
		if after := snapshot(); after != before {
			t.Errorf("POST /werkgever/import of a file changed the tenant: got %s, want %s", after, before)
		}
	})
	// The same import without the bad line goes through, all rows at once.
	before := snapshot()
	r := s.portal("POST", "/werkgever/import/bevestigen", er, url.Values{"csv": {header + "I-1,Ina,Een,1990-01-01,2020-01-01,,,,\nI-2,Ina,Twee,1990-01-01,2020-01-01,,,,\n"}})
	if r.status != http.StatusOK || !strings.Contains(r.body, "2 medewerkers zijn toegevoegd") {
		t.Errorf("a good import = %d, want 200 saying 2 were added", r.status)
	}
	if after := snapshot(); after == before {
		t.Errorf("a good import changed nothing")
	}
}
