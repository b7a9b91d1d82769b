package app

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/arbokluis/arbokluis/internal/access"
)

// TestPortalCaseWorkBadInput posts bad input to every form of the case
// manager's portal (and a bad look-ahead to the signals) and checks that
// each answers with the form again (400; 409 for a step already done)
// with a readable Dutch message, and changes nothing: the case's plans,
// evaluations, recorded steps, contacts and notes (with their texts) are
// the same before and after.
func TestPortalCaseWorkBadInput(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	s := w.s
	cm := s.session(s.addUser(access.RoleCaseManager, w.tenant))
	emp := w.employee(t, "Inge", "Invoer")
	caseID, _ := w.report(t, emp, w.today.AddDate(0, 0, -60), 100, http.StatusCreated).body["id"].(string)
	note := s.do("POST", "/api/v1/absences/"+caseID+"/notes", cm, map[string]any{"text": "Gebeld, afspraak gemaakt."})
	noteID, _ := note.body["id"].(string)
	if noteID == "" {
		t.Fatalf("note = %d %s", note.status, note.raw)
	}
	if r := s.do("POST", "/api/v1/absences/"+caseID+"/milestones", cm,
		map[string]any{"kind": "plan_of_action", "done_on": day(w.today)}); r.status != http.StatusOK {
		t.Fatalf("record the plan of action = %d %s", r.status, r.raw)
	}
	snapshot := func() string {
		t.Helper()
		var out string
		err := w.owner.QueryRow(context.Background(), `SELECT
			(SELECT count(*) FROM hr.plans WHERE absence_id = $1)::text || '/' ||
			(SELECT count(*) FROM hr.evaluations WHERE absence_id = $1)::text || '/' ||
			(SELECT count(*) FROM hr.absence_milestones_done WHERE absence_id = $1)::text || '/' ||
			(SELECT count(*) FROM hr.contacts WHERE absence_id = $1)::text || '/' ||
			(SELECT string_agg(coalesce(body, '<removed>') || coalesce(redaction_reason, ''), '|' ORDER BY id) FROM hr.notes WHERE absence_id = $1)`,
			caseID).Scan(&out)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	today := day(w.today)
	tomorrow := day(w.today.AddDate(0, 0, 1))
	plan := url.Values{"plan_doel": {"Terug naar het eigen werk."}, "plan_afspraak_1_wat": {"Werkplekonderzoek"},
		"plan_afspraak_1_wie": {"Werkgever"}, "plan_afspraak_1_datum": {tomorrow}, "plan_werkgever": {"Akkoord."},
		"plan_werknemer": {"Akkoord."}}
	evaluation := url.Values{"ev_soort": {"evaluation"}, "ev_datum": {today}, "ev_samenvatting": {"Loopt."},
		"ev_werkgever": {"Goed."}, "ev_werknemer": {"Goed."}}
	contact := url.Values{"contact_datum": {today}, "contact_kanaal": {"phone"}, "contact_wie": {"casemanager, medewerker"},
		"contact_samenvatting": {"Voortgang besproken."}}
	with := func(v url.Values, kv ...string) url.Values {
		out := url.Values{}
		for k, vv := range v {
			out[k] = vv
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	casePath := "/casemanager/verzuim/" + caseID
	for _, tc := range []struct {
		name, method, path string
		form               url.Values
		status             int
		want               string
	}{
		{"signals within a word of days", "GET", "/casemanager?dagen=veel", nil, 400, "Vul een heel aantal dagen in"},
		{"signals beyond a year", "GET", "/casemanager?dagen=366", nil, 400, "Vul een heel aantal dagen in"},
		{"step with a bad date", "POST", casePath + "/stappen", url.Values{"stap_soort": {"uwv_report_42"}, "stap_datum": {"31-12-2025"}},
			400, "Vul een geldige datum in"},
		{"step tomorrow", "POST", casePath + "/stappen", url.Values{"stap_soort": {"uwv_report_42"}, "stap_datum": {tomorrow}},
			400, "niet in de toekomst"},
		{"step before the first sick day", "POST", casePath + "/stappen",
			url.Values{"stap_soort": {"uwv_report_42"}, "stap_datum": {day(w.today.AddDate(0, 0, -61))}}, 400, "op of na de eerste ziektedag"},
		{"the physician's step", "POST", casePath + "/stappen", url.Values{"stap_soort": {"problem_analysis"}, "stap_datum": {today}},
			400, "Kies een stap die u als gedaan kunt vastleggen."},
		{"an unknown step", "POST", casePath + "/stappen", url.Values{"stap_soort": {"koffie"}, "stap_datum": {today}},
			400, "Kies een stap die u als gedaan kunt vastleggen."},
		{"a step done twice", "POST", casePath + "/stappen", url.Values{"stap_soort": {"plan_of_action"}, "stap_datum": {today}},
			409, "Deze stap is al als gedaan vastgelegd."},
		{"plan without a goal", "POST", casePath + "/plan", with(plan, "plan_doel", "  "), 400, "Vul het doel in"},
		{"plan without activities", "POST", casePath + "/plan", with(plan, "plan_afspraak_1_wat", "", "plan_afspraak_1_wie", "",
			"plan_afspraak_1_datum", ""), 400, "Vul minstens één afspraak in"},
		{"plan activity without a date", "POST", casePath + "/plan", with(plan, "plan_afspraak_1_datum", ""), 400, "Vul een datum in."},
		{"plan activity with a bad date", "POST", casePath + "/plan", with(plan, "plan_afspraak_1_datum", "morgen"), 400, "Vul een geldige datum in"},
		{"plan signed tomorrow", "POST", casePath + "/plan", with(plan, "plan_getekend_werkgever", tomorrow), 400, "niet in de toekomst"},
		{"plan goal with a control character", "POST", casePath + "/plan", with(plan, "plan_doel", "Terug\x00naar werk"), 400, "zonder stuurtekens"},
		{"plan employee view with an escape", "POST", casePath + "/plan", with(plan, "plan_werknemer", "Akkoord\x1b[2J"), 400, "zonder stuurtekens"},
		{"evaluation of an unknown kind", "POST", casePath + "/evaluaties", with(evaluation, "ev_soort", "feest"), 400, "Kies wat voor evaluatie"},
		{"evaluation with a bad date", "POST", casePath + "/evaluaties", with(evaluation, "ev_datum", "2025-02-30"), 400, "Vul een geldige datum in"},
		{"evaluation without a summary", "POST", casePath + "/evaluaties", with(evaluation, "ev_samenvatting", ""), 400, "Vul een samenvatting in"},
		{"evaluation with a control character", "POST", casePath + "/evaluaties", with(evaluation, "ev_werkgever", "Goed\x07"), 400, "zonder stuurtekens"},
		{"contact with a bad date", "POST", casePath + "/contacten", with(contact, "contact_datum", "gisteren"), 400, "Vul een geldige datum in"},
		{"contact tomorrow", "POST", casePath + "/contacten", with(contact, "contact_datum", tomorrow), 400, "niet in de toekomst"},
		{"contact without a summary", "POST", casePath + "/contacten", with(contact, "contact_samenvatting", " "), 400, "Vul een korte samenvatting in"},
		{"contact by an unknown channel", "POST", casePath + "/contacten", with(contact, "contact_kanaal", "opname"), 400, "Kies hoe het contact was"},
		{"contact without participants", "POST", casePath + "/contacten", with(contact, "contact_wie", " , "), 400, "Vul in wie er meededen"},
		{"contact summary with a control character", "POST", casePath + "/contacten", with(contact, "contact_samenvatting", "Gebeld\x00"),
			400, "zonder stuurtekens"},
		{"contact summary too long", "POST", casePath + "/contacten", with(contact, "contact_samenvatting", strings.Repeat("a", 5000)),
			400, "Dit is te lang."},
		{"empty note", "POST", casePath + "/notities", url.Values{"notitie_tekst": {"\n \t"}}, 400, "Vul de notitie in"},
		{"note with a control character", "POST", casePath + "/notities", url.Values{"notitie_tekst": {"Gebeld\x1b"}}, 400, "zonder stuurtekens"},
		{"note removal without a reason", "POST", "/casemanager/notities/" + noteID + "/verwijderen", url.Values{"verzuim": {caseID}},
			400, "Zeg kort waarom de tekst weg moet"},
		{"note removal with a control character", "POST", "/casemanager/notities/" + noteID + "/verwijderen",
			url.Values{"verzuim": {caseID}, "reden": {"Medisch\x00"}}, 400, "Zeg kort waarom de tekst weg moet"},
		{"note removal without its case", "POST", "/casemanager/notities/" + noteID + "/verwijderen", url.Values{}, 400,
			"Niet alles is goed ingevuld"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot()
			r := s.portal(tc.method, tc.path, cm, tc.form)
			if r.status != tc.status {
				t.Errorf("%s %s (%s) = %d, want %d", tc.method, tc.path, tc.name, r.status, tc.status)
			}
			if !strings.Contains(r.body, tc.want) {
				t.Errorf("%s %s (%s) does not say %q", tc.method, tc.path, tc.name, tc.want)
			}
			if after := snapshot(); after != before {
				t.Errorf("%s %s (%s) changed the case: %s, was %s", tc.method, tc.path, tc.name, after, before)
			}
		})
	}
}
