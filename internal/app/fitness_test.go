package app

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
)

// TestVerdictsAndExaminations: the physician records verdicts; the HR side
// reads outcomes only; an examination outcome reaches the HR side —
// employer, case manager and labour expert alike — only after the employee
// lets it through, and a blocked one never does; the employee and the
// physician in the dossier's care see it from the start.
func TestVerdictsAndExaminations(t *testing.T) {
	t.Parallel()
	w := newFreshDossierWorld(t) // counts all of hr.verdicts
	ctx := context.Background()
	if _, err := w.owner.Exec(ctx, `UPDATE hr.employers SET share_advice_with_employer = false WHERE id = $1`, w.tenant); err != nil {
		t.Fatal(err)
	}
	// The physician's HR reach is the employers assigned to them.
	pTok := w.tokens["physician"]
	verdicts := "/api/v1/employees/" + w.employee.String() + "/verdicts"
	today := nowNL().Format(time.DateOnly)

	for _, tc := range []struct {
		name string
		body map[string]any
	}{
		{"partly fit without percentage", map[string]any{"kind": "absence", "verdict": "partly_fit", "date": today}},
		{"partly fit at 100", map[string]any{"kind": "absence", "verdict": "partly_fit", "work_ability_percentage": 100, "date": today}},
		{"fit with a percentage", map[string]any{"kind": "absence", "verdict": "fit", "work_ability_percentage": 50, "date": today}},
		{"unknown verdict", map[string]any{"kind": "absence", "verdict": "sick", "date": today}},
		{"examination without outcome", map[string]any{"kind": "examination", "date": today}},
		{"examination with a verdict", map[string]any{"kind": "examination", "outcome": "approved", "verdict": "fit", "date": today}},
		{"future date", map[string]any{"kind": "absence", "verdict": "fit", "date": nowNL().AddDate(0, 0, 2).Format(time.DateOnly)}},
		{"a diagnosis field", map[string]any{"kind": "absence", "verdict": "unfit", "date": today, "diagnosis": "x"}},
		{"an absence of nobody", map[string]any{"kind": "absence", "verdict": "unfit", "date": today, "absence_id": uuid.NewString()}},
	} {
		before := w.count(t, `SELECT count(*) FROM hr.verdicts`)
		if r := w.s.do("POST", verdicts, pTok, tc.body); r.status != http.StatusBadRequest {
			t.Errorf("record verdict with %s = %d %s, want 400", tc.name, r.status, r.raw)
		}
		if after := w.count(t, `SELECT count(*) FROM hr.verdicts`); after != before {
			t.Errorf("record verdict with %s changed hr.verdicts from %d to %d", tc.name, before, after)
		}
	}
	if r := w.s.do("POST", verdicts, w.tokens["other_physician"], map[string]any{"kind": "absence", "verdict": "fit", "date": today}); r.status != http.StatusNotFound {
		t.Errorf("record a verdict as an unassigned physician = %d, want 404", r.status)
	}
	if r := w.s.do("POST", verdicts, w.tokens["case_manager"], map[string]any{"kind": "absence", "verdict": "fit", "date": today}); r.status != http.StatusForbidden {
		t.Errorf("record a verdict as the case manager = %d, want 403", r.status)
	}
	partly := w.s.do("POST", verdicts, pTok, map[string]any{"kind": "absence", "verdict": "partly_fit", "work_ability_percentage": 60, "date": today})
	if partly.status != http.StatusCreated || partly.body["work_ability_percentage"] != float64(60) {
		t.Fatalf("record partly fit = %d %s, want 201", partly.status, partly.raw)
	}
	approved := w.s.do("POST", verdicts, pTok, map[string]any{"kind": "examination", "outcome": "approved", "date": today})
	rejected := w.s.do("POST", verdicts, pTok, map[string]any{"kind": "examination", "outcome": "rejected", "date": today})
	if approved.status != http.StatusCreated || approved.body["employee_decision"] != "pending" || rejected.status != http.StatusCreated {
		t.Fatalf("record examinations = %d %s / %d, want 201 pending", approved.status, approved.raw, rejected.status)
	}

	seen := func(who string) map[string]bool {
		t.Helper()
		r := w.s.do("GET", verdicts, w.tokens[who], nil)
		if r.status != http.StatusOK {
			t.Fatalf("GET verdicts as %s = %d %s", who, r.status, r.raw)
		}
		out := map[string]bool{}
		for _, x := range r.body["verdicts"].([]any) {
			out[x.(map[string]any)["id"].(string)] = true
		}
		return out
	}
	ids := func(rs ...response) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.body["id"].(string))
		}
		return out
	}
	pID, aID, rID := ids(partly, approved, rejected)[0], ids(partly, approved, rejected)[1], ids(partly, approved, rejected)[2]
	// Until the employee decides, the HR side sees the absence verdict only
	// (case manager and labour expert included: Wet op de medische
	// keuringen); the employee and the assigned physician see all three.
	for _, who := range []string{"employer", "case_manager", "labour_expert"} {
		if got := seen(who); !got[pID] || got[aID] || got[rID] {
			t.Errorf("%s sees %v before the employee decided, want the absence verdict %s only", who, got, pID)
		}
	}
	for _, who := range []string{"employee", "physician"} {
		if got := seen(who); !got[pID] || !got[aID] || !got[rID] {
			t.Errorf("%s sees %v, want all three verdicts", who, got)
		}
	}

	decide := func(id, who, decision string) response {
		return w.s.do("POST", "/api/v1/verdicts/"+id+"/decision", w.tokens[who], map[string]any{"decision": decision})
	}
	if r := decide(aID, "employer", "released"); r.status != http.StatusForbidden && r.status != http.StatusNotFound {
		t.Errorf("the employer decides = %d, want 403 or 404", r.status)
	}
	if r := decide(pID, "employee", "released"); r.status != http.StatusNotFound {
		t.Errorf("decide on an absence verdict = %d, want 404", r.status)
	}
	if r := decide(aID, "employee", "maybe"); r.status != http.StatusBadRequest {
		t.Errorf("decide maybe = %d, want 400", r.status)
	}
	if r := decide(aID, "employee", "released"); r.status != http.StatusOK || r.body["employee_decision"] != "released" {
		t.Errorf("the employee releases = %d %s, want 200 released", r.status, r.raw)
	}
	if r := decide(rID, "employee", "blocked"); r.status != http.StatusOK {
		t.Errorf("the employee blocks = %d %s, want 200", r.status, r.raw)
	}
	if r := decide(rID, "employee", "released"); r.status != http.StatusConflict {
		t.Errorf("decide again = %d, want 409", r.status)
	}
	for _, who := range []string{"employer", "case_manager", "labour_expert"} {
		if got := seen(who); !got[pID] || !got[aID] || got[rID] {
			t.Errorf("%s sees %v after the decisions, want the verdict and the released outcome, never the blocked one", who, got)
		}
	}
	for _, who := range []string{"employee", "physician"} {
		if got := seen(who); !got[pID] || !got[aID] || !got[rID] {
			t.Errorf("%s sees %v after the decisions, want all three verdicts", who, got)
		}
	}
	// The employer's overview shows the latest absence verdict.
	ov := w.s.do("GET", "/api/v1/employers/"+w.tenant.String()+"/overview", w.tokens["employer"], nil)
	found := false
	for _, x := range ov.body["employees"].([]any) {
		m := x.(map[string]any)
		if m["employee_id"] == w.employee.String() {
			found = m["last_verdict"] == "partly_fit" && m["last_work_ability_percentage"] == float64(60)
		}
	}
	if ov.status != http.StatusOK || !found {
		t.Errorf("employer overview = %d %s, want the employee with last verdict partly_fit at 60%%", ov.status, ov.raw)
	}
	// Another employee's login may not decide or read.
	other := w.s.session(w.s.addUser(access.RoleEmployee, w.tenant))
	if r := w.s.do("GET", verdicts, other, nil); r.status != http.StatusNotFound {
		t.Errorf("another employee reads the verdicts = %d, want 404", r.status)
	}
}

// TestExaminationOutcomeGoesToTheEmployeeFirst: recording an examination
// outcome puts a notice in the employee's inbox — the outcome's id, never
// the outcome — and in nobody else's; the case manager and the labour
// expert do not get the outcome while it is pending, nor after the
// employee blocked it.
func TestExaminationOutcomeGoesToTheEmployeeFirst(t *testing.T) {
	t.Parallel()
	w := newDossierWorld(t)
	verdicts := "/api/v1/employees/" + w.employee.String() + "/verdicts"
	today := nowNL().Format(time.DateOnly)
	notices := func(who string) []map[string]any {
		t.Helper()
		r := w.s.do("GET", "/api/v1/me/notifications", w.tokens[who], nil)
		if r.status != http.StatusOK {
			t.Fatalf("GET /me/notifications as %s = %d %s", who, r.status, r.raw)
		}
		var out []map[string]any
		for _, x := range r.body["notifications"].([]any) {
			if n := x.(map[string]any); n["kind"] == "examination_outcome" {
				out = append(out, n)
			}
		}
		return out
	}
	listed := func(who string) map[string]string {
		t.Helper()
		r := w.s.do("GET", verdicts, w.tokens[who], nil)
		if r.status != http.StatusOK {
			t.Fatalf("GET verdicts as %s = %d %s", who, r.status, r.raw)
		}
		out := map[string]string{}
		for _, x := range r.body["verdicts"].([]any) {
			v := x.(map[string]any)
			out[v["id"].(string)], _ = v["employee_decision"].(string)
		}
		return out
	}

	if r := w.s.do("POST", verdicts, w.tokens["physician"], map[string]any{"kind": "absence", "verdict": "unfit", "date": today}); r.status != http.StatusCreated {
		t.Fatalf("record absence verdict = %d %s", r.status, r.raw)
	}
	if got := notices("employee"); len(got) != 0 {
		t.Errorf("after an absence verdict the employee has %d examination notices, want 0", len(got))
	}
	rec := w.s.do("POST", verdicts, w.tokens["physician"], map[string]any{"kind": "examination", "outcome": "rejected", "date": today})
	if rec.status != http.StatusCreated {
		t.Fatalf("record examination = %d %s", rec.status, rec.raw)
	}
	id := rec.body["id"].(string)

	got := notices("employee")
	if len(got) != 1 {
		t.Fatalf("the employee has %d examination notices, want 1", len(got))
	}
	text := strings.ToLower(got[0]["subject"].(string) + " " + got[0]["body"].(string))
	if !strings.Contains(text, id) {
		t.Errorf("the employee's notice %q does not name outcome %s", text, id)
	}
	for _, word := range []string{"rejected", "approved", "afgekeurd", "goedgekeurd", "ongeschikt"} {
		if strings.Contains(text, word) {
			t.Errorf("the employee's notice %q holds %q, want no outcome", text, word)
		}
	}
	for _, who := range []string{"employer", "case_manager", "labour_expert", "physician"} {
		if n := len(notices(who)); n != 0 {
			t.Errorf("%s has %d examination notices, want 0", who, n)
		}
	}
	if n := w.count(t, `SELECT count(*) FROM hr.notifications WHERE body ILIKE '%rejected%' OR body ILIKE '%afgekeurd%'`); n != 0 {
		t.Errorf("%d notifications carry the outcome, want none", n)
	}

	for _, who := range []string{"case_manager", "labour_expert"} {
		if d, ok := listed(who)[id]; ok {
			t.Errorf("%s lists the pending outcome %s (%s), want it hidden until the employee releases it", who, id, d)
		}
	}
	if d := listed("employee")[id]; d != "pending" {
		t.Errorf("the employee lists outcome %s as %q, want pending", id, d)
	}
	if r := w.s.do("POST", "/api/v1/verdicts/"+id+"/decision", w.tokens["employee"], map[string]any{"decision": "blocked"}); r.status != http.StatusOK {
		t.Fatalf("the employee blocks = %d %s", r.status, r.raw)
	}
	for _, who := range []string{"case_manager", "labour_expert", "employer"} {
		if d, ok := listed(who)[id]; ok {
			t.Errorf("%s lists the blocked outcome %s (%s), want it never shown", who, id, d)
		}
	}
	if d := listed("physician")[id]; d != "blocked" {
		t.Errorf("the assigned physician lists outcome %s as %q, want blocked", id, d)
	}
}

// TestAdviceIsPublishedAtOnce: the advice goes at one moment to the
// employee, the case manager and the labour expert (inbox notices without
// its text), and to the employer only where the employer shares advice.
func TestAdviceIsPublishedAtOnce(t *testing.T) {
	t.Parallel()
	w := newDossierWorld(t)
	pTok := w.tokens["physician"]
	advice := "/api/v1/employees/" + w.employee.String() + "/advice"
	body := map[string]any{"limitations": "Niet tillen boven 10 kg; maximaal 4 uur per dag.",
		"possibilities": "Administratief werk, opbouw in uren.", "expected_duration_weeks": 6}

	for _, bad := range []map[string]any{
		{"limitations": "", "possibilities": "x"},
		{"limitations": "x", "possibilities": "x", "expected_duration_weeks": 105},
		{"limitations": "x", "possibilities": "x", "diagnosis": "x"},
	} {
		if r := w.s.do("POST", advice, pTok, bad); r.status != http.StatusBadRequest {
			t.Errorf("publish %v = %d, want 400", bad, r.status)
		}
	}
	if n := w.count(t, `SELECT count(*) FROM hr.advices WHERE employee_id = $1`, w.employee); n != 0 {
		t.Fatalf("bad advice stored %d rows", n)
	}
	r := w.s.do("POST", advice, pTok, body)
	if r.status != http.StatusCreated {
		t.Fatalf("publish advice = %d %s", r.status, r.raw)
	}
	for who, want := range map[string]int{"employee": 200, "case_manager": 200, "labour_expert": 200, "physician": 200,
		"employer": 404, "privacy_officer": 404, "admin": 404, "other_physician": 404} {
		if got := w.s.do("GET", advice, w.tokens[who], nil); got.status != want {
			t.Errorf("GET advice as %s = %d, want %d", who, got.status, want)
		}
	}
	notices := func(who string) int {
		t.Helper()
		got := w.s.do("GET", "/api/v1/me/notifications", w.tokens[who], nil)
		n := 0
		for _, x := range got.body["notifications"].([]any) {
			if x.(map[string]any)["kind"] == "advice_published" {
				n++
			}
		}
		return n
	}
	for who, want := range map[string]int{"employee": 1, "case_manager": 1, "labour_expert": 1, "employer": 0} {
		if got := notices(who); got != want {
			t.Errorf("advice notices of %s = %d, want %d", who, got, want)
		}
	}
	// With sharing on, the employer reads it and hears of the next one.
	if _, err := w.owner.Exec(context.Background(), `UPDATE hr.employers SET share_advice_with_employer = true WHERE id = $1`, w.tenant); err != nil {
		t.Fatal(err)
	}
	if got := w.s.do("GET", advice, w.tokens["employer"], nil); got.status != http.StatusOK {
		t.Errorf("GET advice as the employer with sharing on = %d, want 200", got.status)
	}
	if r := w.s.do("POST", advice, pTok, body); r.status != http.StatusCreated {
		t.Fatalf("publish again = %d", r.status)
	}
	if got := notices("employer"); got != 1 {
		t.Errorf("advice notices of the sharing employer = %d, want 1", got)
	}
	if n := w.count(t, `SELECT count(*) FROM hr.notifications WHERE body LIKE '%tillen%'`); n != 0 {
		t.Errorf("%d notifications carry the advice text, want none", n)
	}
}
