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

// TestPortalAdminBadInput posts bad input to the administrator's forms and
// the second key's queue: each answers with its status and a readable
// Dutch message, and changes nothing — the tenant, the users, their grants
// and the proposals waiting for a second key are the same before and
// after.
func TestPortalAdminBadInput(t *testing.T) {
	t.Parallel()
	// A database of its own: the snapshot counts whole tables.
	s, _ := newMailStackOn(t, testenv.FreshDatabase(t))
	admin := s.addUser(access.RoleAdmin, uuid.Nil)
	token := s.session(admin)
	owner := testenv.Pool(t, s.env.MigrateURL)
	tenant := s.addEmployer()
	user := s.addUser(access.RoleCaseManager, uuid.Nil)
	physician := s.addUser(access.RolePhysician, uuid.Nil)
	snapshot := func() string {
		t.Helper()
		var out string
		err := owner.QueryRow(context.Background(), `SELECT
			(SELECT count(*) FROM hr.employers)::text || '/' ||
			(SELECT e::text FROM hr.employers e WHERE e.id = $1) || '/' ||
			(SELECT count(*) FROM hr.users)::text || '/' ||
			(SELECT count(*) FROM hr.role_grants)::text || '/' ||
			(SELECT count(*) FROM hr.physician_assignments)::text || '/' ||
			(SELECT count(*) FROM hr.substitutions)::text || '/' ||
			(SELECT count(*) FROM hr.account_actions)::text`, tenant).Scan(&out)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	settings := "/beheer/werkgevers/" + tenant.String()
	userPage := "/beheer/gebruikers/" + user.userID.String()
	for _, tc := range []struct {
		name, path string
		form       url.Values
		status     int
		want       string
	}{
		{"a tenant without a name", "/beheer/werkgevers", url.Values{"naam": {"  "}, "kvk": {"12345678"}}, 400, "Vul een naam in"},
		{"a tenant with a bad KvK number", "/beheer/werkgevers", url.Values{"naam": {"Goed BV"}, "kvk": {"1234"}}, 400, "8 cijfers"},
		{"a tenant with a bad domain", "/beheer/werkgevers", url.Values{"naam": {"Goed BV"}, "kvk": {randomKvK()}, "domeinen": {"niet_een domein!"}}, 400, "domeinnamen"},
		{"a tenant whose name has a line break", "/beheer/werkgevers", url.Values{"naam": {"Twee\nregels"}, "kvk": {randomKvK()}}, 400, "zonder regeleinden"},
		{"settings with an empty name", settings, url.Values{"naam": {""}}, 400, "Vul een naam in"},
		{"settings with a bad domain", settings, url.Values{"naam": {"Test employer"}, "domeinen": {"voorbeeld..nl"}}, 400, "domeinnamen"},
		{"settings with eleven domains", settings, url.Values{"naam": {"Test employer"},
			"domeinen": {"a.nl b.nl c.nl d.nl e.nl f.nl g.nl h.nl i.nl j.nl k.nl"}}, 400, "hoogstens 10"},
		{"an assignment without a physician", settings + "/bedrijfsarts", url.Values{}, 400, "Kies een bedrijfsarts"},
		{"an assignment of someone who is no physician", settings + "/bedrijfsarts", url.Values{"arts": {user.userID.String()}}, 400, "Kies een bedrijfsarts"},
		{"an assignment with a bad id", settings + "/bedrijfsarts", url.Values{"arts": {"x"}}, 400, "Kies een bedrijfsarts"},
		{"a substitution that ended", settings + "/vervanging", url.Values{"afwezig": {physician.userID.String()},
			"vervanger": {s.addUser(access.RolePhysician, uuid.Nil).userID.String()}, "van": {"2020-01-01"}, "tot": {"2020-01-02"}}, 400, "niet in het verleden"},
		{"a grant of an unknown role", userPage + "/rollen", url.Values{"rol": {"wizard"}}, 400, "Kies een rol uit de lijst"},
		{"a grant of the employee role", userPage + "/rollen", url.Values{"rol": {"employee"}, "werkgever": {tenant.String()}}, 400, "Kies een rol uit de lijst"},
		{"a physician grant without a BIG number", userPage + "/rollen", url.Values{"rol": {"physician"}}, 400, "BIG-nummer"},
		{"an employer grant without a tenant", userPage + "/rollen", url.Values{"rol": {"employer"}}, 400, "Kies de werkgever"},
		{"an assistant grant without a statement", userPage + "/rollen", url.Values{"rol": {"medical_assistant"}}, 400, "getekend"},
		{"a statement for someone who is no assistant", userPage + "/verklaring", url.Values{"arts": {physician.userID.String()},
			"getekend_op": {"2020-01-01"}, "verloopt_op": {"2099-01-01"}}, 404, "bestaat niet"},
		{"an invitation without a name", "/beheer/uitnodigingen", url.Values{"email": {"nieuw-" + uuid.NewString()[:8] + "@example.test"},
			"rol": {"case_manager"}}, 400, "Vul de naam in"},
		{"an invitation of an unknown role", "/beheer/uitnodigingen", url.Values{"email": {"nieuw-" + uuid.NewString()[:8] + "@example.test"},
			"weergave": {"Nieuw"}, "rol": {"employee"}}, 400, "Kies een rol uit de lijst"},
		{"an invitation at a bad address", "/beheer/uitnodigingen", url.Values{"email": {"geen adres"}, "weergave": {"Nieuw"},
			"rol": {"case_manager"}}, 400, "geldig e-mailadres"},
		{"an invitation at a used address", "/beheer/uitnodigingen", url.Values{"email": {user.email}, "weergave": {"Nieuw"},
			"rol": {"case_manager"}}, 400, "Er is al een account"},
		{"blocking oneself", "/beheer/gebruikers/" + admin.userID.String() + "/blokkeren", url.Values{"bevestigen": {"ja"}}, 403, "eigen account"},
		{"a block posted empty", userPage + "/blokkeren", url.Values{}, 400, "Niet alles is goed ingevuld"},
		{"a second-factor reset posted empty", userPage + "/tweede-factor", url.Values{}, 400, "Niet alles is goed ingevuld"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot()
			got := s.portal("POST", tc.path, token, tc.form)
			if got.status != tc.status {
				t.Errorf("POST %s (%s) = %d, want %d", tc.path, tc.name, got.status, tc.status)
			}
			if !strings.Contains(got.body, tc.want) {
				t.Errorf("POST %s (%s) does not say %q:\n%s", tc.path, tc.name, tc.want, got.body)
			}
			if after := snapshot(); after != before {
				t.Errorf("POST %s (%s) changed the database:\n%s\n%s", tc.path, tc.name, before, after)
			}
		})
	}
	t.Run("a search that is too long", func(t *testing.T) {
		got := s.portal("GET", "/beheer/gebruikers?zoek="+strings.Repeat("x", 101), token, nil)
		if got.status != http.StatusBadRequest || !strings.Contains(got.body, "hoogstens 100 tekens") {
			t.Errorf("GET /beheer/gebruikers with a long search = %d, want 400 with a message:\n%s", got.status, got.body)
		}
	})
}
