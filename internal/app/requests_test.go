package app

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/rights"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// TestRequestRegister: the employee files requests of every type, due one
// month later; HR requests are decided by the privacy officer, medical ones
// by the responsible physician or a lead physician, never by the employee
// or anyone else; wrong moves answer 4xx and change nothing; an extension
// is granted once, before the term ends, and told to the employee; the
// queue lists open requests without content, overdue first.
func TestRequestRegister(t *testing.T) {
	t.Parallel()
	// A database of its own: the privacy officer's queue is service-wide
	// and holds the oldest requests first, which in the shared database
	// are other tests'.
	w := newDossierWorldOn(t, newStackWith(t, testenv.FreshDatabase(t), nil))
	privacy := w.tokens["privacy_officer"]
	// The dossier exists, so that an own statement has a place.
	noteRes := w.s.do("POST", w.entries(), w.tokens["physician"], map[string]any{"kind": "note", "text": "aantekening"})
	if noteRes.status != http.StatusCreated {
		t.Fatalf("POST entry = %d %s", noteRes.status, noteRes.raw)
	}
	file := func(typ string) map[string]any {
		t.Helper()
		body := map[string]any{"type": typ}
		switch typ {
		case "own_statement":
			body["text"] = "Mijn eigen verklaring."
		case "correction":
			body["text"], body["entry_id"] = "De datum klopt niet.", noteRes.body["id"]
		}
		r := w.s.do("POST", "/api/v1/me/requests", w.tokens["employee"], body)
		if r.status != http.StatusCreated {
			t.Fatalf("file %s = %d %s", typ, r.status, r.raw)
		}
		return r.body
	}
	today, _ := time.Parse(time.DateOnly, access.Today(time.Now()))
	ids := map[string]string{}
	for _, typ := range []string{"inspection", "copy", "correction", "own_statement", "destruction",
		"access", "rectification", "erasure", "restriction", "objection", "portability"} {
		b := file(typ)
		if b["status"] != "received" || b["due_on"] != rights.AddMonths(today, 1).Format(time.DateOnly) || b["received_on"] != today.Format(time.DateOnly) {
			t.Errorf("filed %s = %v, want received today, due one month later", typ, b)
		}
		ids[typ] = b["id"].(string)
	}
	for _, bad := range []map[string]any{{"type": "gossip"}, {"type": "access", "text": "x"}, {}} {
		if r := w.s.do("POST", "/api/v1/me/requests", w.tokens["employee"], bad); r.status != http.StatusBadRequest {
			t.Errorf("file %v = %d, want 400", bad, r.status)
		}
	}
	if r := w.s.do("POST", "/api/v1/me/requests", w.tokens["case_manager"], map[string]any{"type": "access"}); r.status != http.StatusNotFound {
		t.Errorf("file as the case manager = %d, want 404", r.status)
	}
	mine := w.s.do("GET", "/api/v1/me/requests", w.tokens["employee"], nil)
	if mine.status != http.StatusOK || len(mine.body["requests"].([]any)) != 11 {
		t.Fatalf("GET /me/requests = %d with %d, want 11", mine.status, len(mine.body["requests"].([]any)))
	}

	status := func(id string) string {
		t.Helper()
		var s string
		if err := w.owner.QueryRow(context.Background(), `SELECT status FROM hr.requests WHERE id = $1`, id).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	decide := func(tok, id string, body map[string]any) response {
		return w.s.do("POST", "/api/v1/requests/"+id+"/decision", tok, body)
	}
	// Who decides what.
	for _, tc := range []struct {
		name, who, typ string
		want           int
	}{
		{"the employee their own HR request", "employee", "access", http.StatusNotFound},
		{"the employee their own medical request", "employee", "inspection", http.StatusNotFound},
		{"the case manager", "case_manager", "access", http.StatusNotFound},
		{"the employer", "employer", "erasure", http.StatusNotFound},
		{"the privacy officer a medical request", "privacy_officer", "inspection", http.StatusNotFound},
		{"the physician an HR request", "physician", "access", http.StatusNotFound},
		{"an unassigned physician a medical request", "other_physician", "inspection", http.StatusNotFound},
		{"the assistant", "assistant", "inspection", http.StatusNotFound},
	} {
		if r := decide(w.tokens[tc.who], ids[tc.typ], map[string]any{"status": "granted"}); r.status != tc.want {
			t.Errorf("%s decides = %d %s, want %d", tc.name, r.status, r.raw, tc.want)
		}
		if got := status(ids[tc.typ]); got != "received" {
			t.Errorf("after %s tried: status %s, want received", tc.name, got)
		}
	}
	// Bad decisions change nothing.
	for _, tc := range []struct {
		name string
		id   string
		body map[string]any
		want int
	}{
		{"a refusal without ground", ids["erasure"], map[string]any{"status": "refused"}, http.StatusBadRequest},
		{"an unknown ground", ids["erasure"], map[string]any{"status": "refused", "ground": "because"}, http.StatusBadRequest},
		{"a ground on a grant", ids["access"], map[string]any{"status": "granted", "ground": "legal_retention_duty"}, http.StatusBadRequest},
		{"an unknown status", ids["access"], map[string]any{"status": "maybe"}, http.StatusBadRequest},
		{"delivering before deciding", ids["access"], map[string]any{"status": "delivered"}, http.StatusConflict},
	} {
		if r := decide(privacy, tc.id, tc.body); r.status != tc.want {
			t.Errorf("privacy officer decides %s = %d %s, want %d", tc.name, r.status, r.raw, tc.want)
		}
	}
	if got := status(ids["erasure"]) + status(ids["access"]); got != "receivedreceived" {
		t.Errorf("bad decisions changed statuses to %s", got)
	}
	if r := decide(w.tokens["physician"], ids["own_statement"], map[string]any{"status": "refused", "ground": "not_a_factual_error"}); r.status != http.StatusConflict {
		t.Errorf("refuse an own statement = %d %s, want 409", r.status, r.raw)
	}
	// The way through.
	for _, step := range []struct {
		who, id, status string
	}{
		{"privacy_officer", ids["access"], "in_review"},
		{"privacy_officer", ids["access"], "granted"},
		{"privacy_officer", ids["access"], "delivered"},
		{"privacy_officer", ids["access"], "closed"},
		{"physician", ids["inspection"], "granted"},
		{"physician", ids["copy"], "granted"},
	} {
		if r := decide(w.tokens[step.who], step.id, map[string]any{"status": step.status}); r.status != http.StatusOK || r.body["status"] != step.status {
			t.Errorf("%s moves to %s = %d %s", step.who, step.status, r.status, r.raw)
		}
	}
	if r := decide(privacy, ids["erasure"], map[string]any{"status": "refused", "ground": "legal_retention_duty"}); r.status != http.StatusOK || r.body["ground"] != "legal_retention_duty" {
		t.Errorf("refuse erasure on a legal ground = %d %s", r.status, r.raw)
	}
	if r := decide(privacy, ids["erasure"], map[string]any{"status": "granted"}); r.status != http.StatusConflict {
		t.Errorf("decide twice = %d, want 409", r.status)
	}

	// One extension, with a reason, told to the employee.
	extend := func(id string, body map[string]any) response {
		return w.s.do("POST", "/api/v1/requests/"+id+"/extension", privacy, body)
	}
	for _, bad := range []map[string]any{{"months": 3, "reason": "complex_request"}, {"months": 1, "reason": "busy"}} {
		if r := extend(ids["portability"], bad); r.status != http.StatusBadRequest {
			t.Errorf("extend with %v = %d, want 400", bad, r.status)
		}
	}
	ext := extend(ids["portability"], map[string]any{"months": 2, "reason": "complex_request"})
	if ext.status != http.StatusOK || ext.body["due_on"] != rights.AddMonths(rights.AddMonths(today, 1), 2).Format(time.DateOnly) {
		t.Errorf("extend by two months = %d %s, want due three months out", ext.status, ext.raw)
	}
	if r := extend(ids["portability"], map[string]any{"months": 1, "reason": "complex_request"}); r.status != http.StatusConflict {
		t.Errorf("extend twice = %d, want 409", r.status)
	}
	if r := extend(ids["erasure"], map[string]any{"months": 1, "reason": "complex_request"}); r.status != http.StatusConflict {
		t.Errorf("extend a decided request = %d, want 409", r.status)
	}
	// A request whose first month has passed cannot be extended any more.
	if _, err := w.owner.Exec(context.Background(), `UPDATE hr.requests SET received_on = $2, due_on = $3 WHERE id = $1`,
		ids["objection"], today.AddDate(0, -2, 0), today.AddDate(0, 0, -3)); err != nil {
		t.Fatal(err)
	}
	if r := extend(ids["objection"], map[string]any{"months": 1, "reason": "complex_request"}); r.status != http.StatusConflict {
		t.Errorf("extend after the first month = %d, want 409", r.status)
	}
	inbox := w.s.do("GET", "/api/v1/me/notifications", w.tokens["employee"], nil)
	kinds := map[string]int{}
	for _, x := range inbox.body["notifications"].([]any) {
		kinds[x.(map[string]any)["kind"].(string)]++
	}
	if kinds["request_received"] != 11 || kinds["request_extended"] != 1 || kinds["request_granted"] < 3 || kinds["request_refused"] != 1 {
		t.Errorf("employee notices = %v, want 11 received, 1 extended, 3 granted, 1 refused", kinds)
	}

	// The privacy officer's queue: open HR requests only, overdue first.
	q := w.s.do("GET", "/api/v1/requests", privacy, nil)
	if q.status != http.StatusOK {
		t.Fatalf("GET /requests as the privacy officer = %d %s", q.status, q.raw)
	}
	var mineInQueue []map[string]any
	for _, x := range q.body["requests"].([]any) {
		m := x.(map[string]any)
		if m["employee_id"] == w.employee.String() {
			mineInQueue = append(mineInQueue, m)
		}
	}
	if len(mineInQueue) != 4 || mineInQueue[0]["id"] != ids["objection"] || mineInQueue[0]["overdue"] != true {
		t.Errorf("privacy queue for the employee = %v, want rectification, restriction, objection, portability with the overdue objection first", mineInQueue)
	}
	for _, m := range mineInQueue {
		if rights.Type(m["type"].(string)).Medical() {
			t.Errorf("privacy queue lists a medical request: %v", m)
		}
	}
	pq := w.s.do("GET", "/api/v1/requests", w.tokens["physician"], nil)
	n := 0
	for _, x := range pq.body["requests"].([]any) {
		if x.(map[string]any)["employee_id"] == w.employee.String() {
			n++
		}
	}
	// Correction, own statement and destruction wait for a decision; the
	// granted inspection and copy wait for delivery.
	if pq.status != http.StatusOK || n != 5 {
		t.Errorf("physician queue = %d with %d of the employee's, want 5 open medical requests", pq.status, n)
	}
	if r := w.s.do("GET", "/api/v1/requests", w.tokens["other_physician"], nil); r.status != http.StatusOK || strings.Contains(r.raw, w.employee.String()) {
		t.Errorf("an unassigned physician's queue = %d and lists the employee: %v", r.status, strings.Contains(r.raw, w.employee.String()))
	}
	for _, who := range []string{"employer", "case_manager", "employee", "admin"} {
		if r := w.s.do("GET", "/api/v1/requests", w.tokens[who], nil); r.status != http.StatusNotFound {
			t.Errorf("GET /requests as %s = %d, want 404", who, r.status)
		}
	}
	if r := decide(privacy, uuid.NewString(), map[string]any{"status": "granted"}); r.status != http.StatusNotFound {
		t.Errorf("decide an unknown request = %d, want 404", r.status)
	}
}

// TestAVGExport: the employee downloads all HR data about them as JSON,
// with the purposes and retention terms, never medical content; the export
// is audited; nobody else gets it.
func TestAVGExport(t *testing.T) {
	t.Parallel()
	w := newDossierWorld(t)
	emp := w.employee.String()
	today := nowNL()
	if r := w.s.do("POST", "/api/v1/employees/"+emp+"/absences", w.tokens["employer"],
		map[string]any{"first_sick_day": today.AddDate(0, 0, -10).Format(time.DateOnly), "percentage": 100}); r.status != http.StatusCreated {
		t.Fatalf("report = %d %s", r.status, r.raw)
	}
	if r := w.s.do("POST", "/api/v1/employees/"+emp+"/verdicts", w.tokens["physician"],
		map[string]any{"kind": "absence", "verdict": "unfit", "date": today.Format(time.DateOnly)}); r.status != http.StatusCreated {
		t.Fatalf("verdict = %d %s", r.status, r.raw)
	}
	if r := w.s.do("POST", "/api/v1/employees/"+emp+"/advice", w.tokens["physician"],
		map[string]any{"limitations": "Geen nachtdiensten.", "possibilities": "Dagdiensten."}); r.status != http.StatusCreated {
		t.Fatalf("advice = %d %s", r.status, r.raw)
	}
	secret := "medisch" + strings.ReplaceAll(uuid.NewString(), "-", "")
	w.s.do("POST", w.entries(), w.tokens["physician"], map[string]any{"kind": "diagnosis", "text": secret})
	w.s.do("POST", "/api/v1/me/requests", w.tokens["employee"], map[string]any{"type": "portability"})

	r := w.s.do("GET", "/api/v1/me/export", w.tokens["employee"], nil)
	if r.status != http.StatusOK || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("GET /me/export = %d %s", r.status, r.raw)
	}
	if strings.Contains(r.raw, secret) {
		t.Errorf("the HR export holds medical content")
	}
	count := func(key string) int { v, _ := r.body[key].([]any); return len(v) }
	if e, _ := r.body["employee"].(map[string]any); e["id"] != emp {
		t.Errorf("export employee = %v, want %s", r.body["employee"], emp)
	}
	if count("absences") != 1 || count("verdicts") != 1 || count("advice") != 1 || count("requests") != 1 || count("purposes") != len(rights.Purposes) {
		t.Errorf("export holds %d absences, %d verdicts, %d advice, %d requests, %d purposes; want 1, 1, 1, 1, %d",
			count("absences"), count("verdicts"), count("advice"), count("requests"), count("purposes"), len(rights.Purposes))
	}
	for _, p := range r.body["purposes"].([]any) {
		m := p.(map[string]any)
		if m["purpose"] == "" || m["retention"] == "" || m["legal_basis"] == "" {
			t.Errorf("purpose without its purpose, basis or retention: %v", m)
		}
	}
	if n := w.count(t, `SELECT (SELECT count(*) FROM audit.outbox WHERE object_kind = 'hr_export' AND subject_employee_id = $1)
		+ (SELECT count(*) FROM audit.events WHERE object_kind = 'hr_export' AND subject_employee_id = $1)`, w.employee); n != 1 {
		t.Errorf("audited exports = %d, want 1", n)
	}
	for _, who := range []string{"employer", "case_manager", "physician", "privacy_officer", "admin"} {
		if got := w.s.do("GET", "/api/v1/me/export", w.tokens[who], nil); got.status != http.StatusNotFound {
			t.Errorf("GET /me/export as %s = %d, want 404", who, got.status)
		}
	}
}

// TestQueueFollowsWhoDecides: a medical request is in the queue of whoever
// may decide it: the responsible physician, a substitute while they stand
// in, and a lead physician only while the responsible physician is absent.
func TestQueueFollowsWhoDecides(t *testing.T) {
	t.Parallel()
	// A database of its own: a lead physician's queue is service-wide (the
	// 500 unattended requests due first), and in the shared database other
	// tests' requests, older ones first, could push this one out of it.
	w := newFreshDossierWorld(t)
	r := w.s.do("POST", "/api/v1/me/requests", w.tokens["employee"], map[string]any{"type": "inspection"})
	id, _ := r.body["id"].(string)
	if r.status != http.StatusCreated || id == "" {
		t.Fatalf("file inspection = %d %s", r.status, r.raw)
	}
	sub := w.s.addUser(access.RolePhysician, uuid.Nil)
	tokens := map[string]string{"physician": w.tokens["physician"], "lead": w.tokens["lead"],
		"other_physician": w.tokens["other_physician"], "substitute": w.s.session(sub)}
	listed := func(who string) bool {
		t.Helper()
		q := w.s.do("GET", "/api/v1/requests", tokens[who], nil)
		if q.status != http.StatusOK {
			t.Fatalf("GET /requests as %s = %d %s", who, q.status, q.raw)
		}
		return strings.Contains(q.raw, id)
	}
	check := func(when string, want map[string]bool) {
		t.Helper()
		for who, w := range want {
			if got := listed(who); got != w {
				t.Errorf("%s: the %s's queue lists the request = %v, want %v", when, who, got, w)
			}
		}
	}
	check("responsible physician present", map[string]bool{"physician": true, "lead": false, "other_physician": false, "substitute": false})

	today := nowNL()
	var subID uuid.UUID
	if err := w.owner.QueryRow(context.Background(), `INSERT INTO hr.substitutions (absent_physician_id, substitute_id, starts_on, ends_on,
		status, proposed_by, approved_by, decided_at) VALUES ($1, $2, $3, $4, 'active', $5, $6, now()) RETURNING id`,
		w.physician.userID, sub.userID, today.AddDate(0, 0, -1).Format(time.DateOnly), today.AddDate(0, 0, 1).Format(time.DateOnly),
		w.assistant.userID, w.physician.userID).Scan(&subID); err != nil {
		t.Fatal(err)
	}
	check("responsible physician absent", map[string]bool{"physician": true, "lead": true, "other_physician": false, "substitute": true})
	if r := w.s.do("POST", "/api/v1/requests/"+id+"/decision", tokens["lead"], map[string]any{"status": "in_review"}); r.status != http.StatusOK {
		t.Errorf("the lead physician takes up a listed request = %d %s, want 200", r.status, r.raw)
	}

	if _, err := w.owner.Exec(context.Background(), `UPDATE hr.substitutions SET status = 'cancelled' WHERE id = $1`, subID); err != nil {
		t.Fatal(err)
	}
	check("responsible physician back", map[string]bool{"physician": true, "lead": false, "substitute": false})
}
