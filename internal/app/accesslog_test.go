package app

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/arbokluis/arbokluis/internal/rights"
)

// TestAccessLogShowsWhoLooked: the employee sees who read or changed their
// data (organisation, role, name), when, what and how, on whose behalf an
// assistant acted, emergency access marked; filtered by period; nobody
// else reads it.
func TestAccessLogShowsWhoLooked(t *testing.T) {
	t.Parallel()
	w := newDossierWorld(t)
	emp := w.employee.String()
	if r := w.s.do("GET", "/api/v1/employees/"+emp, w.tokens["employer"], nil); r.status != http.StatusOK {
		t.Fatalf("employer reads the record = %d %s", r.status, r.raw)
	}
	if r := w.s.do("GET", "/api/v1/employees/"+emp+"/verdicts", w.tokens["case_manager"], nil); r.status != http.StatusOK {
		t.Fatalf("case manager reads verdicts = %d %s", r.status, r.raw)
	}
	if r := w.s.do("POST", w.entries(), w.tokens["assistant"], map[string]any{"kind": "note", "text": "gebeld"}); r.status != http.StatusCreated {
		t.Fatalf("assistant writes = %d %s", r.status, r.raw)
	}
	if r := w.s.do("POST", "/api/v1/employees/"+emp+"/dossier/emergency-access", w.tokens["lead"],
		map[string]any{"reason": "De behandelend arts belt met een spoedvraag."}); r.status != http.StatusCreated {
		t.Fatalf("emergency access = %d %s", r.status, r.raw)
	}

	type line struct{ who, role, org, behalf, action, what string }
	want := []line{
		{"Test employer", "employer", "Test employer", "", "read", "employee"},
		{"Test case_manager", "case_manager", rights.ServiceName, "", "read", "verdicts"},
		{"Test medical_assistant", "medical_assistant", rights.ServiceName, "Test physician", "create", "dossier_entry"},
		{"Test lead_physician", "lead_physician", rights.ServiceName, "", "emergency_access", "dossier"},
	}
	var got []map[string]any
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := w.s.do("GET", "/api/v1/me/access-log?limit=200", w.tokens["employee"], nil)
		if r.status != http.StatusOK {
			t.Fatalf("GET /me/access-log = %d %s", r.status, r.raw)
		}
		got = nil
		for _, x := range r.body["entries"].([]any) {
			got = append(got, x.(map[string]any))
		}
		found := 0
		for _, wl := range want {
			for _, g := range got {
				if g["who"] == wl.who && g["role"] == wl.role && g["organisation"] == wl.org && g["action"] == wl.action && g["what"] == wl.what &&
					(g["on_behalf_of"] == nil && wl.behalf == "" || g["on_behalf_of"] == wl.behalf) {
					found++
					if wl.action == "emergency_access" && g["emergency_access"] != true {
						t.Errorf("the emergency access line is not marked: %v", g)
					}
					break
				}
			}
		}
		if found == len(want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("access log after 10 s = %v, want lines %v", got, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for i := 1; i < len(got); i++ {
		if got[i]["seq"].(float64) <= got[i-1]["seq"].(float64) {
			t.Errorf("access log not in the order of events at %d", i)
		}
	}

	tomorrow := nowNL().AddDate(0, 0, 2).Format(time.DateOnly)
	if r := w.s.do("GET", "/api/v1/me/access-log?from="+tomorrow, w.tokens["employee"], nil); r.status != http.StatusOK || len(r.body["entries"].([]any)) != 0 {
		t.Errorf("access log from %s = %d %s, want 200 with nothing", tomorrow, r.status, r.raw)
	}
	for _, q := range []string{"?from=2026-05-02&to=2026-05-01", "?limit=0", "?limit=201", "?who=x", "?after=x", "?from=01-05-2026"} {
		if r := w.s.do("GET", "/api/v1/me/access-log"+q, w.tokens["employee"], nil); r.status != http.StatusBadRequest {
			t.Errorf("GET /me/access-log%s = %d, want 400", q, r.status)
		}
	}
	for _, who := range []string{"employer", "case_manager", "physician", "privacy_officer", "admin"} {
		if r := w.s.do("GET", "/api/v1/me/access-log", w.tokens[who], nil); r.status != http.StatusNotFound {
			t.Errorf("GET /me/access-log as %s = %d, want 404", who, r.status)
		}
	}
	// Another employee's log holds nothing of this one.
	other := newDossierWorldOn(t, w.s)
	if r := w.s.do("GET", "/api/v1/me/access-log?limit=200", other.tokens["employee"], nil); r.status != http.StatusOK {
		t.Errorf("another employee's log = %d", r.status)
	} else {
		for _, x := range r.body["entries"].([]any) {
			if x.(map[string]any)["who"] == "Test medical_assistant" {
				t.Errorf("another employee's log shows %v", x)
			}
		}
	}
	// Viewing the log is itself audited.
	var viewed int
	if err := w.owner.QueryRow(context.Background(), `
		SELECT (SELECT count(*) FROM audit.outbox WHERE object_kind = 'access_log' AND subject_employee_id = $1)
		     + (SELECT count(*) FROM audit.events WHERE object_kind = 'access_log' AND subject_employee_id = $1)`,
		w.employee).Scan(&viewed); err != nil || viewed == 0 {
		t.Errorf("audited views of the access log = %d (%v), want at least one", viewed, err)
	}
}
