package app

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// TestPortalIssueLoginBadInput posts bad forms to the login-issuing pages
// as A's case manager: each answers the form again with its status and a
// readable message, never a 500, and nothing is written: no user, link or
// mail, the employee record not linked, the letter's code not made.
func TestPortalIssueLoginBadInput(t *testing.T) {
	t.Parallel()
	s, _ := newMailStack(t)
	owner := testenv.Pool(t, s.env.MigrateURL)
	bg := context.Background()
	tenant := s.addEmployer()
	if _, err := owner.Exec(bg, `UPDATE hr.employers SET mail_domains = '{werkgever.test}' WHERE id = $1`, tenant); err != nil {
		t.Fatal(err)
	}
	cm := s.addUser(access.RoleCaseManager, tenant)
	tok := s.session(cm)
	emp := unlinkedEmployee(t, owner, tenant)
	existing := s.addUser(access.RoleEmployee, tenant)
	// A letter invitation of another employee, for the letter form.
	letterEmp := unlinkedEmployee(t, owner, tenant)
	r := s.do("POST", "/api/v1/invitations", tok, map[string]any{"email": "brief-" + uuid.NewString() + "@prive.test",
		"name": "Lotte Koppel", "role": "employee", "employer_id": tenant.String(), "employee_id": letterEmp, "activation": "letter"})
	inv, _ := r.body["invitation_id"].(string)
	if r.status != http.StatusAccepted || inv == "" {
		t.Fatalf("fixture: letter invitation = %d %s", r.status, r.raw)
	}
	// Addresses at a domain of this test's own: other tests run beside it.
	domain := "p" + uuid.NewString()[:8] + ".test"
	snapshot := func() string {
		t.Helper()
		var out string
		err := owner.QueryRow(bg, `SELECT
			(SELECT count(*) FROM hr.users WHERE email LIKE '%@' || $3)::text || '/' ||
			(SELECT count(*) FROM hr.one_time_links WHERE created_by = $4)::text || '/' ||
			(SELECT coalesce(user_id::text, '-') FROM hr.employees WHERE id = $1) || '/' ||
			(SELECT count(*) FROM hr.one_time_links WHERE id = $2 AND activation_code_hmac IS NOT NULL)::text`,
			emp, inv, domain, cm.userID).Scan(&out)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	issue, letter := "/medewerkers/"+emp+"/inlog", "/medewerkers/"+letterEmp+"/inlog/"+inv+"/brief"
	for _, tc := range []struct {
		name, path string
		form       url.Values
		status     int
		want       string
	}{
		{"empty", issue, url.Values{}, http.StatusBadRequest, "Vul het eigen e-mailadres in"},
		{"no choice", issue, url.Values{"email": {"lotte@" + domain}}, http.StatusBadRequest, "Kies hoe de medewerker de activeringscode krijgt."},
		{"an unknown choice", issue, url.Values{"email": {"lotte@" + domain}, "wijze": {"fax"}}, http.StatusBadRequest, "Kies hoe"},
		{"not an address", issue, url.Values{"email": {"geen adres " + domain}, "wijze": {"in_person"}}, http.StatusBadRequest, "Vul het eigen e-mailadres in"},
		{"the employer's domain", issue, url.Values{"email": {"lotte@werkgever.test"}, "wijze": {"letter"}}, http.StatusBadRequest,
			"geen adres van de werkgever"},
		{"too long", issue, url.Values{"email": {strings.Repeat("a", 5000) + "@" + domain}, "wijze": {"in_person"}}, http.StatusBadRequest,
			"Dit is te lang."},
		{"an address with an account", issue, url.Values{"email": {existing.email}, "wijze": {"in_person"}}, http.StatusConflict,
			"hoort al bij een account"},
		{"letter without an address", letter, url.Values{"naam": {"Lotte Koppel"}}, http.StatusBadRequest, "Vul het adres in op 2 tot 6 regels"},
		{"letter with one line", letter, url.Values{"naam": {"Lotte Koppel"}, "adres": {"Kerkstraat 5"}}, http.StatusBadRequest, "2 tot 6 regels"},
		{"letter without a name", letter, url.Values{"naam": {" "}, "adres": {"Kerkstraat 5\n1234 AB Ergens"}}, http.StatusBadRequest,
			"Vul de naam in"},
		{"letter with a control character", letter, url.Values{"naam": {"Lotte\x07"}, "adres": {"Kerkstraat 5\n1234 AB Ergens"}},
			http.StatusBadRequest, "Vul de naam in"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot()
			got := s.portal("POST", tc.path, tok, tc.form)
			if got.status != tc.status {
				t.Errorf("POST %s %q = %d, want %d", tc.path, tc.name, got.status, tc.status)
			}
			if !strings.Contains(got.body, tc.want) {
				t.Errorf("POST %s %q does not say %q:\n%s", tc.path, tc.name, tc.want, got.body)
			}
			if after := snapshot(); after != before {
				t.Errorf("POST %s %q changed the database: %s, want %s", tc.path, tc.name, after, before)
			}
		})
	}
	// The form keeps the address typed, never a code.
	got := s.portal("POST", issue, tok, url.Values{"email": {"lotte@werkgever.test"}, "wijze": {"in_person"}})
	if !strings.Contains(got.body, `value="lotte@werkgever.test"`) || !strings.Contains(got.body, `value="in_person" checked`) {
		t.Errorf("the form does not keep what was typed:\n%s", got.body)
	}
}
