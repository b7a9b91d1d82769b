package app

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// importColumns is the header of a bulk employee import.
const importColumns = "employee_number,first_name,last_name,date_of_birth,employment_start,employment_end,email,phone,bsn"

// caseWorld is one tenant with an employer user, a case manager of that
// tenant, a case manager of another tenant, and a labour expert.
type caseWorld struct {
	s               *stack
	owner           *pgxpool.Pool
	tenant, other   uuid.UUID
	er, cm, cmOther string
	le              string
	employeeUser    login
	today           time.Time
}

func newCaseWorld(t *testing.T) *caseWorld {
	t.Helper()
	return newCaseWorldOn(t, newStack(t))
}

// newCaseWorldOn builds the world on the server of s.
func newCaseWorldOn(t *testing.T, s *stack) *caseWorld {
	t.Helper()
	w := &caseWorld{s: s, owner: testenv.Pool(t, s.env.MigrateURL)}
	w.tenant, w.other = s.addEmployer(), s.addEmployer()
	w.er = s.session(s.addUser(access.RoleEmployer, w.tenant))
	w.cm = s.session(s.addUser(access.RoleCaseManager, w.tenant))
	w.cmOther = s.session(s.addUser(access.RoleCaseManager, w.other))
	w.le = s.session(s.addUser(access.RoleLabourExpert, w.tenant))
	w.employeeUser = s.addUser(access.RoleEmployee, w.tenant)
	today, _ := time.Parse(time.DateOnly, access.Today(time.Now()))
	w.today = today
	return w
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

// employee adds an employee of the world's tenant through the API.
func (w *caseWorld) employee(t *testing.T, first, last string) string {
	t.Helper()
	r := w.s.do("POST", "/api/v1/employers/"+w.tenant.String()+"/employees", w.er, map[string]any{
		"employee_number": "W" + uuid.NewString()[:8], "first_name": first, "last_name": last,
		"date_of_birth": "1980-06-15", "employment_start": "2015-01-01"})
	id, _ := r.body["id"].(string)
	if r.status != http.StatusCreated || id == "" {
		t.Fatalf("create employee = %d %s", r.status, r.raw)
	}
	return id
}

// report files a sick report as the employer and checks the status.
func (w *caseWorld) report(t *testing.T, employeeID string, first time.Time, pct int, wantStatus int) response {
	t.Helper()
	r := w.s.do("POST", "/api/v1/employees/"+employeeID+"/absences", w.er,
		map[string]any{"first_sick_day": day(first), "percentage": pct})
	if r.status != wantStatus {
		t.Fatalf("sick report on %s = %d %s, want %d", day(first), r.status, r.raw, wantStatus)
	}
	return r
}

// milestone returns the due date and status of kind (n for evaluations)
// in an absence response.
func milestone(t *testing.T, r response, kind string, n int) (due, status string) {
	t.Helper()
	ms, _ := r.body["milestones"].([]any)
	for _, m := range ms {
		mm := m.(map[string]any)
		gotN, _ := mm["n"].(float64)
		if mm["kind"] == kind && int(gotN) == n {
			due, _ = mm["due"].(string)
			status, _ = mm["status"].(string)
			return due, status
		}
	}
	return "", ""
}

func TestSickReportChangesAndTheTwentyEightDayRule(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	emp := w.employee(t, "Gérard", "Özdemir")
	d := w.today.AddDate(0, 0, -100)

	r := w.report(t, emp, d, 100, http.StatusCreated)
	id, _ := r.body["id"].(string)
	if due, st := milestone(t, r, "problem_analysis", 0); due != day(d.AddDate(0, 0, 41)) || st != "overdue" {
		t.Errorf("problem_analysis = %s %s, want %s overdue", due, st, day(d.AddDate(0, 0, 41)))
	}
	if due, _ := milestone(t, r, "end_of_wage_continuation", 0); due != day(d.AddDate(0, 0, 727)) {
		t.Errorf("end_of_wage_continuation = %s, want %s", due, day(d.AddDate(0, 0, 727)))
	}

	// Partly back: the case stays open; then a rise keeps it open too.
	for _, step := range []struct {
		daysAfter, pct int
	}{{10, 50}, {20, 80}} {
		r = w.s.do("POST", "/api/v1/absences/"+id+"/changes", w.er,
			map[string]any{"date": day(d.AddDate(0, 0, step.daysAfter)), "percentage": step.pct})
		if r.status != http.StatusOK || r.body["status"] != "open" || r.body["percentage"] != float64(step.pct) {
			t.Fatalf("change to %d%% = %d %s, want 200 open", step.pct, r.status, r.raw)
		}
	}
	// Recovery closes the case; its open milestones are cancelled.
	recovered := d.AddDate(0, 0, 30)
	r = w.s.do("POST", "/api/v1/absences/"+id+"/changes", w.er, map[string]any{"date": day(recovered), "percentage": 0})
	if r.status != http.StatusOK || r.body["status"] != "closed" || r.body["close_reason"] != "recovered" {
		t.Fatalf("recovery = %d %s, want 200 closed", r.status, r.raw)
	}
	if _, st := milestone(t, r, "uwv_report_42", 0); st != "cancelled" {
		t.Errorf("uwv_report_42 after recovery = %s, want cancelled", st)
	}
	// Sick again after a gap of 27 days: the same case, reopened, with
	// due dates after the gap moved by 27 days.
	again := recovered.AddDate(0, 0, 27)
	r = w.report(t, emp, again, 100, http.StatusOK)
	if r.body["id"] != id || r.body["merged"] != true || r.body["first_sick_day"] != day(d) {
		t.Errorf("report after 27 days = %s, want the same case %s merged with first_sick_day %s", r.raw, id, day(d))
	}
	if due, _ := milestone(t, r, "uwv_report_42", 0); due != day(d.AddDate(0, 0, 294+27)) {
		t.Errorf("uwv_report_42 after a 27-day gap = %s, want %s", due, day(d.AddDate(0, 0, 294+27)))
	}
	// Recovered again, then sick after exactly 28 days: a new case.
	back := again.AddDate(0, 0, 5)
	if r := w.s.do("POST", "/api/v1/absences/"+id+"/changes", w.er, map[string]any{"date": day(back), "percentage": 0}); r.status != http.StatusOK {
		t.Fatalf("second recovery = %d %s", r.status, r.raw)
	}
	r = w.report(t, emp, back.AddDate(0, 0, 28), 60, http.StatusCreated)
	if r.body["id"] == id || r.body["merged"] == true {
		t.Errorf("report after 28 days = %s, want a new case", r.raw)
	}
}

func TestClosureOnEmploymentEndCancelsMilestones(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	emp := w.employee(t, "Anna", "de Vries")
	r := w.report(t, emp, w.today.AddDate(0, 0, -50), 100, http.StatusCreated)
	id, _ := r.body["id"].(string)
	r = w.s.do("POST", "/api/v1/absences/"+id+"/milestones", w.cm,
		map[string]any{"kind": "problem_analysis", "done_on": day(w.today.AddDate(0, 0, -20))})
	if r.status != http.StatusOK {
		t.Fatalf("record problem analysis = %d %s", r.status, r.raw)
	}
	r = w.s.do("POST", "/api/v1/absences/"+id+"/closure", w.er, map[string]any{"reason": "employment_end", "date": day(w.today)})
	if r.status != http.StatusOK || r.body["status"] != "closed" {
		t.Fatalf("closure = %d %s", r.status, r.raw)
	}
	for _, m := range r.body["milestones"].([]any) {
		mm := m.(map[string]any)
		want := "cancelled"
		if mm["kind"] == "problem_analysis" {
			want = "done"
		}
		if mm["status"] != want {
			t.Errorf("after closure %s = %s, want %s", mm["kind"], mm["status"], want)
		}
	}
	// A closed case takes no more changes.
	if r := w.s.do("POST", "/api/v1/absences/"+id+"/changes", w.er, map[string]any{"date": day(w.today), "percentage": 50}); r.status != http.StatusConflict {
		t.Errorf("change on a closed case = %d %s, want 409", r.status, r.raw)
	}
}

func TestEmployerNeverLearnsTheSafetyNetType(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	emp := w.employee(t, "Sanne", "Visser")
	r := w.s.do("POST", "/api/v1/employees/"+emp+"/absences", w.er,
		map[string]any{"first_sick_day": day(w.today.AddDate(0, 0, -3)), "percentage": 100, "vangnet": true, "work_accident": false})
	id, _ := r.body["id"].(string)
	if r.status != http.StatusCreated {
		t.Fatalf("report = %d %s", r.status, r.raw)
	}
	if r := w.s.do("POST", "/api/v1/absences/"+id+"/vangnet", w.cm, map[string]any{"type": "organ_donation"}); r.status != http.StatusOK {
		t.Fatalf("set vangnet type = %d %s", r.status, r.raw)
	}
	cm := w.s.do("GET", "/api/v1/absences/"+id, w.cm, nil)
	if cm.body["vangnet_type"] != "organ_donation" {
		t.Errorf("case manager sees vangnet_type %v, want organ_donation", cm.body["vangnet_type"])
	}
	if due, _ := milestone(t, cm, "uwv_report_vangnet", 0); due == "" {
		t.Errorf("case manager sees no uwv_report_vangnet milestone: %s", cm.raw)
	}
	er := w.s.do("GET", "/api/v1/absences/"+id, w.er, nil)
	if er.status != http.StatusOK || er.body["vangnet"] != true {
		t.Fatalf("employer GET = %d %s, want 200 with vangnet true", er.status, er.raw)
	}
	for _, leak := range []string{"organ_donation", "vangnet_type", "uwv_report_vangnet"} {
		if strings.Contains(er.raw, leak) {
			t.Errorf("employer's view of the case contains %q: %s", leak, er.raw)
		}
	}
	sig := w.s.do("GET", "/api/v1/signals?within_days=365", w.er, nil)
	if strings.Contains(sig.raw, "uwv_report_vangnet") {
		t.Errorf("employer's signals contain the safety-net report: %s", sig.raw)
	}
}

// rowCounts counts what a failed request must not have written.
func (w *caseWorld) rowCounts(t *testing.T) [6]int {
	t.Helper()
	var c [6]int
	err := w.owner.QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM hr.absences WHERE employer_id = $1),
		(SELECT count(*) FROM hr.absence_changes WHERE employer_id = $1),
		(SELECT count(*) FROM hr.employees WHERE employer_id = $1),
		(SELECT count(*) FROM hr.milestones WHERE employer_id = $1),
		(SELECT count(*) FROM audit.outbox WHERE tenant_id = $1) + (SELECT count(*) FROM audit.events WHERE tenant_id = $1),
		(SELECT count(*) FROM hr.absence_milestones_done WHERE employer_id = $1)`, w.tenant).
		Scan(&c[0], &c[1], &c[2], &c[3], &c[4], &c[5])
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAbsenceBadInputAnswers4xxAndWritesNothing(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	open := w.employee(t, "Open", "Zaak")
	r := w.report(t, open, w.today.AddDate(0, 0, -10), 100, http.StatusCreated)
	openCase, _ := r.body["id"].(string)
	fresh := w.employee(t, "Nieuw", "Persoon")
	bsnOK := "111222333"

	cases := []struct {
		name, method, path string
		body               any
		want               int
	}{
		{"change before the first sick day", "POST", "/api/v1/absences/" + openCase + "/changes",
			map[string]any{"date": day(w.today.AddDate(0, 0, -11)), "percentage": 50}, 400},
		{"change not after the latest change", "POST", "/api/v1/absences/" + openCase + "/changes",
			map[string]any{"date": day(w.today.AddDate(0, 0, -10)), "percentage": 50}, 400},
		{"change percentage above 100", "POST", "/api/v1/absences/" + openCase + "/changes",
			map[string]any{"date": day(w.today), "percentage": 101}, 400},
		{"change percentage negative", "POST", "/api/v1/absences/" + openCase + "/changes",
			map[string]any{"date": day(w.today), "percentage": -1}, 400},
		{"change without percentage", "POST", "/api/v1/absences/" + openCase + "/changes",
			map[string]any{"date": day(w.today)}, 400},
		{"second open case for the employee", "POST", "/api/v1/employees/" + open + "/absences",
			map[string]any{"first_sick_day": day(w.today), "percentage": 100}, 409},
		{"report percentage 0", "POST", "/api/v1/employees/" + fresh + "/absences",
			map[string]any{"first_sick_day": day(w.today), "percentage": 0}, 400},
		{"report percentage 101", "POST", "/api/v1/employees/" + fresh + "/absences",
			map[string]any{"first_sick_day": day(w.today), "percentage": 101}, 400},
		{"report with an unknown field", "POST", "/api/v1/employees/" + fresh + "/absences",
			map[string]any{"first_sick_day": day(w.today), "percentage": 100, "diagnosis": "griep"}, 400},
		{"report with a malformed date", "POST", "/api/v1/employees/" + fresh + "/absences",
			map[string]any{"first_sick_day": "24-11-2026", "percentage": 100}, 400},
		{"report with an impossible date", "POST", "/api/v1/employees/" + fresh + "/absences",
			map[string]any{"first_sick_day": "2026-02-30", "percentage": 100}, 400},
		{"report more than 30 days ahead", "POST", "/api/v1/employees/" + fresh + "/absences",
			map[string]any{"first_sick_day": day(w.today.AddDate(0, 0, 31)), "percentage": 100}, 400},
		{"report before employment start", "POST", "/api/v1/employees/" + fresh + "/absences",
			map[string]any{"first_sick_day": "2014-12-31", "percentage": 100}, 400},
		{"report as a JSON array", "POST", "/api/v1/employees/" + fresh + "/absences", []any{1, 2}, 400},
		{"report with an expected duration of 0 weeks... 200 weeks", "POST", "/api/v1/employees/" + fresh + "/absences",
			map[string]any{"first_sick_day": day(w.today), "percentage": 100, "expected_duration_weeks": 200}, 400},
		{"milestone of an unknown kind", "POST", "/api/v1/absences/" + openCase + "/milestones",
			map[string]any{"kind": "diagnosis", "done_on": day(w.today)}, 400},
		{"milestone done in the future", "POST", "/api/v1/absences/" + openCase + "/milestones",
			map[string]any{"kind": "problem_analysis", "done_on": day(w.today.AddDate(0, 0, 1))}, 400},
		{"late onset on another kind", "POST", "/api/v1/absences/" + openCase + "/milestones",
			map[string]any{"kind": "uwv_report_42", "done_on": day(w.today), "late_onset": true}, 400},
		{"safety-net report on a case without one", "POST", "/api/v1/absences/" + openCase + "/milestones",
			map[string]any{"kind": "uwv_report_vangnet", "done_on": day(w.today)}, 400},
		{"plan without the employee's view", "POST", "/api/v1/absences/" + openCase + "/plans",
			map[string]any{"goals": "Terugkeer", "activities": []map[string]any{{"description": "x", "who": "y", "by_when": day(w.today)}},
				"employer_view": "Snel terug"}, 400},
		{"extension of 53 weeks", "POST", "/api/v1/absences/" + openCase + "/extensions",
			map[string]any{"kind": "wage_sanction", "weeks": 53, "reason": "UWV", "decided_on": day(w.today)}, 400},
		{"unknown vangnet type", "POST", "/api/v1/absences/" + openCase + "/vangnet", map[string]any{"type": "flu"}, 400},
		{"contact with an audio recording", "POST", "/api/v1/absences/" + openCase + "/contacts",
			map[string]any{"occurred_on": day(w.today), "channel": "phone", "participants": []string{"cm"}, "summary": "ok",
				"recording": "base64"}, 400},
		{"closure in the future", "POST", "/api/v1/absences/" + openCase + "/closure",
			map[string]any{"reason": "death", "date": day(w.today.AddDate(0, 0, 1))}, 400},
		{"closure with another reason", "POST", "/api/v1/absences/" + openCase + "/closure",
			map[string]any{"reason": "recovered", "date": day(w.today)}, 400},
		{"employee with an invalid BSN", "POST", "/api/v1/employers/" + w.tenant.String() + "/employees",
			map[string]any{"employee_number": "X1", "first_name": "A", "last_name": "B", "date_of_birth": "1980-01-01",
				"employment_start": "2010-01-01", "bsn": "123456789"}, 400},
		{"CSV with a broken row", "POST", "/api/v1/employers/" + w.tenant.String() + "/employees/import",
			rawBody{"text/csv", []byte(importColumns + "\nC1,Anna,Smit,1980-01-01,2010-01-01,,,," + bsnOK + "\nC2,,Jansen,1980-13-01,2010-01-01,,,,\n")}, 400},
		{"CSV with an invalid BSN", "POST", "/api/v1/employers/" + w.tenant.String() + "/employees/import",
			rawBody{"text/csv", []byte(importColumns + "\nC3,Anna,Smit,1980-01-01,2010-01-01,,,,123456789\n")}, 400},
		{"CSV with a wrong header", "POST", "/api/v1/employers/" + w.tenant.String() + "/employees/import",
			rawBody{"text/csv", []byte("nummer,naam\n1,Anna\n")}, 400},
		{"signals with a bad window", "GET", "/api/v1/signals?within_days=-1", nil, 400},
		{"signals with a forged cursor", "GET", "/api/v1/signals?after=bm90LWEtY3Vyc29y", nil, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			token := w.cm
			before := w.rowCounts(t)
			got := w.s.do(tc.method, tc.path, token, tc.body)
			if got.status != tc.want {
				t.Errorf("%s %s = %d %s, want %d", tc.method, tc.path, got.status, got.raw, tc.want)
			}
			if !strings.HasPrefix(got.raw, "{") || got.body["type"] == nil {
				t.Errorf("%s: body %s is not problem+json", tc.name, got.raw)
			}
			// Reads of lists are audited even when nothing is listed; no
			// failed request may write anything.
			if after := w.rowCounts(t); after != before {
				t.Errorf("%s: row counts (cases, changes, employees, milestones, audit, done) went %v -> %v, want unchanged",
					tc.name, before, after)
			}
		})
	}
}

func TestPlanOfActionAndTheEmployersPDF(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	emp := w.employee(t, "Gérard", "Özdemir")
	r := w.report(t, emp, w.today.AddDate(0, 0, -50), 100, http.StatusCreated)
	id, _ := r.body["id"].(string)
	signed := w.today.AddDate(0, 0, -2)
	r = w.s.do("POST", "/api/v1/absences/"+id+"/plans", w.cm, map[string]any{
		"goals":              "Terugkeer in het eigen werk als monteur.",
		"activities":         []map[string]any{{"description": "Opbouw naar halve dagen", "who": "Werknemer en leidinggevende", "by_when": day(w.today.AddDate(0, 0, 21))}},
		"employer_view":      "De werkgever ziet terugkeer binnen twee maanden.",
		"employee_view":      "Ik wil graag eerst aangepast werk doen.",
		"employer_signed_on": day(signed), "employee_signed_on": day(signed),
	})
	if r.status != http.StatusCreated || r.body["version"] != float64(1) {
		t.Fatalf("record plan = %d %s, want 201 version 1", r.status, r.raw)
	}
	got := w.s.do("GET", "/api/v1/absences/"+id, w.er, nil)
	if _, st := milestone(t, got, "plan_of_action", 0); st != "done" {
		t.Errorf("plan_of_action after a plan signed by both = %s, want done", st)
	}
	if due, _ := milestone(t, got, "evaluation", 1); due != day(signed.AddDate(0, 0, 42)) {
		t.Errorf("evaluation 1 = %s, want %s (42 days after the plan)", due, day(signed.AddDate(0, 0, 42)))
	}
	ev := w.s.do("POST", "/api/v1/absences/"+id+"/evaluations", w.cm, map[string]any{"kind": "evaluation", "held_on": day(w.today),
		"summary": "Opbouw loopt.", "employer_view": "Tevreden.", "employee_view": "Gaat goed."})
	if ev.status != http.StatusCreated {
		t.Fatalf("record evaluation = %d %s", ev.status, ev.raw)
	}

	req, _ := http.NewRequest("GET", w.s.url+"/api/v1/absences/"+id+"/plan.pdf", nil)
	req.Header.Set("Authorization", "Bearer "+w.er)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("GET plan.pdf = %d, %q, %q; want 200, application/pdf, no-store",
			resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	checkSpec(t, exchange{req: req, resp: resp, respBody: raw})
	text := testenv.PDFText(t, raw)
	for _, want := range []string{"Plan van aanpak", "Gérard Özdemir", "Opbouw naar halve dagen", "Ik wil graag eerst aangepast werk doen"} {
		if !strings.Contains(text, want) {
			t.Errorf("plan PDF text lacks %q:\n%s", want, text)
		}
	}
}

func TestNotesAreForProcessAndCanBeRedacted(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	emp := w.employee(t, "Jan", "Bakker")
	r := w.report(t, emp, w.today.AddDate(0, 0, -5), 100, http.StatusCreated)
	id, _ := r.body["id"].(string)
	typed := "Heeft last van " + uuid.NewString()
	n := w.s.do("POST", "/api/v1/absences/"+id+"/notes", w.cm, map[string]any{"text": typed})
	noteID, _ := n.body["id"].(string)
	if n.status != http.StatusCreated {
		t.Fatalf("add note = %d %s", n.status, n.raw)
	}
	list := w.s.do("GET", "/api/v1/absences/"+id+"/notes", w.le, nil)
	if notice, _ := list.body["notice"].(string); !strings.Contains(notice, "medical") {
		t.Errorf("notes list carries notice %q, want one saying no medical detail", notice)
	}
	if r := w.s.do("POST", "/api/v1/notes/"+noteID+"/redact", w.cm, map[string]any{"reason": ""}); r.status != http.StatusBadRequest {
		t.Errorf("redact without a reason = %d, want 400", r.status)
	}
	red := w.s.do("POST", "/api/v1/notes/"+noteID+"/redact", w.cm, map[string]any{"reason": "Medische details per ongeluk genoteerd."})
	if red.status != http.StatusOK || red.body["redacted"] != true || red.body["text"] != nil {
		t.Fatalf("redact = %d %s, want 200 redacted without text", red.status, red.raw)
	}
	if again := w.s.do("POST", "/api/v1/notes/"+noteID+"/redact", w.cm, map[string]any{"reason": "nogmaals"}); again.status != http.StatusConflict {
		t.Errorf("redact twice = %d, want 409", again.status)
	}
	list = w.s.do("GET", "/api/v1/absences/"+id+"/notes", w.cm, nil)
	if strings.Contains(list.raw, typed) {
		t.Errorf("notes list still holds the redacted text: %s", list.raw)
	}
	var stored int
	if err := w.owner.QueryRow(context.Background(), `SELECT count(*) FROM hr.notes WHERE body LIKE '%' || $1 || '%'`, typed[len(typed)-36:]).Scan(&stored); err != nil || stored != 0 {
		t.Errorf("hr.notes still holds the redacted text in %d rows (err %v)", stored, err)
	}
}

func TestSignalsAreTheCallersCaseloadOldestFirstInPages(t *testing.T) {
	t.Parallel()
	// A database of its own: a service-wide case manager below pages
	// through every signal of the database, which in the shared one grows
	// with every run.
	w := newCaseWorldOn(t, newStackWith(t, testenv.FreshDatabase(t), nil))
	var people []string
	for i := 0; i < 5; i++ {
		emp := w.employee(t, "Persoon", "Signaal")
		w.report(t, emp, w.today.AddDate(0, 0, -60+i), 100, http.StatusCreated)
		people = append(people, emp)
	}
	// Another tenant's case never shows.
	other := uuid.New()
	if _, err := w.owner.Exec(context.Background(), `INSERT INTO hr.employees (id, employer_id, employee_number, first_name, last_name,
		date_of_birth, employment_start) VALUES ($1, $2, 'O1', 'Ander', 'Bedrijf', '1980-01-01', '2010-01-01')`, other, w.other); err != nil {
		t.Fatal(err)
	}
	if r := w.s.do("POST", "/api/v1/employees/"+other.String()+"/absences", w.cmOther,
		map[string]any{"first_sick_day": day(w.today.AddDate(0, 0, -70)), "percentage": 100}); r.status != http.StatusCreated {
		t.Fatalf("other tenant's report = %d %s", r.status, r.raw)
	}

	var all []map[string]any
	personPages := 0 // distinct people per page, summed
	pages := 0       // pages listing anyone
	after := ""
	for page := 0; page < 20; page++ {
		path := "/api/v1/signals?within_days=60&limit=3"
		if after != "" {
			path += "&after=" + after
		}
		r := w.s.do("GET", path, w.er, nil)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s = %d %s", path, r.status, r.raw)
		}
		onPage := map[string]bool{}
		for _, x := range r.body["signals"].([]any) {
			all = append(all, x.(map[string]any))
			onPage[x.(map[string]any)["employee_id"].(string)] = true
		}
		personPages += len(onPage)
		if len(onPage) > 0 {
			pages++
		}
		next, _ := r.body["next_after"].(string)
		if next == "" {
			break
		}
		after = next
	}
	// With D 56-60 days ago, each case has problem_analysis (D+41,
	// overdue), plan_of_action (D+55, overdue or today) and evaluation 1
	// (D+55+42 = D+97, 37-41 days ahead) within 60 days; uwv_report_42
	// (D+294) is not.
	if len(all) != 15 {
		t.Fatalf("signals over all pages = %d, want 15 (three per case)", len(all))
	}
	seen := map[string]bool{}
	for i, x := range all {
		key := x["absence_id"].(string) + x["kind"].(string)
		if seen[key] {
			t.Errorf("signal %s listed twice across pages", key)
		}
		seen[key] = true
		if x["employer_id"] != w.tenant.String() {
			t.Errorf("employer sees a signal of employer %v", x["employer_id"])
		}
		if i > 0 && x["due"].(string) < all[i-1]["due"].(string) {
			t.Errorf("signal %d due %v before signal %d due %v: want oldest first", i, x["due"], i-1, all[i-1]["due"])
		}
	}
	// One read event per page, carrying every person the page lists:
	// never one per row or per person.
	var events, listings int
	if err := w.owner.QueryRow(context.Background(), `
		WITH e AS (SELECT subjects FROM audit.outbox WHERE object_kind = 'signals' AND subjects && $1::uuid[]
			UNION ALL SELECT subjects FROM audit.events WHERE object_kind = 'signals' AND subjects && $1::uuid[])
		SELECT (SELECT count(*) FROM e), (SELECT count(*) FROM e, unnest(e.subjects) s WHERE s = ANY ($1::uuid[]))`,
		people).Scan(&events, &listings); err != nil {
		t.Fatal(err)
	}
	if events != pages || listings != personPages {
		t.Errorf("signals read events for the %d people = %d listing them %d times, want %d (one per page) listing them %d times",
			len(people), events, listings, pages, personPages)
	}

	// Case managers see their caseload: one scoped to each tenant sees that
	// tenant's rows only; a service-wide one sees both tenants.
	countBy := func(tok string, maxPages int) map[string]int {
		t.Helper()
		byEmployer := map[string]int{}
		after := ""
		for page := 0; page < maxPages; page++ {
			path := "/api/v1/signals?within_days=60&limit=100"
			if after != "" {
				path += "&after=" + after
			}
			r := w.s.do("GET", path, tok, nil)
			if r.status != http.StatusOK {
				t.Fatalf("GET %s = %d %s", path, r.status, r.raw)
			}
			for _, x := range r.body["signals"].([]any) {
				byEmployer[x.(map[string]any)["employer_id"].(string)]++
			}
			if after, _ = r.body["next_after"].(string); after == "" {
				break
			}
		}
		return byEmployer
	}
	if got := countBy(w.cm, 5); len(got) != 1 || got[w.tenant.String()] != 15 {
		t.Errorf("signals of the tenant's case manager by employer = %v, want 15 of %s only", got, w.tenant)
	}
	// The other tenant's case (D 70 days ago): analysis, plan and
	// evaluation 1 (D+97, 27 days ahead) are within 60 days.
	if got := countBy(w.cmOther, 5); len(got) != 1 || got[w.other.String()] != 3 {
		t.Errorf("signals of the other tenant's case manager by employer = %v, want 3 of %s only", got, w.other)
	}
	wide := w.s.session(w.s.addUser(access.RoleCaseManager, uuid.Nil))
	if got := countBy(wide, 200); got[w.tenant.String()] != 15 || got[w.other.String()] != 3 {
		t.Errorf("signals of a service-wide case manager: %d of the tenant and %d of the other, want 15 and 3",
			got[w.tenant.String()], got[w.other.String()])
	}

	// The employer overview lists the people with their next milestone.
	ov := w.s.do("GET", "/api/v1/employers/"+w.tenant.String()+"/overview", w.er, nil)
	if ov.status != http.StatusOK {
		t.Fatalf("overview = %d %s", ov.status, ov.raw)
	}
	absent := 0
	for _, x := range ov.body["employees"].([]any) {
		xm := x.(map[string]any)
		if xm["absent"] == true {
			absent++
			if xm["next_milestone"] == nil || xm["percentage"] != float64(100) {
				t.Errorf("overview row %v lacks the next milestone or percentage", xm)
			}
		}
	}
	if absent != 5 {
		t.Errorf("overview lists %d absent people, want 5", absent)
	}
	if r := w.s.do("GET", "/api/v1/employers/"+w.other.String()+"/overview", w.er, nil); r.status != http.StatusNotFound {
		t.Errorf("overview of another tenant = %d, want 404", r.status)
	}
}
