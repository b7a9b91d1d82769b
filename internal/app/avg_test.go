package app

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// avgWorld is a dossier world whose employee has contact details, a BSN
// and absence cases as a test needs them.
type avgWorld struct {
	*dossierWorld
	caseManager uuid.UUID
}

func newAVGWorld(t *testing.T) *avgWorld {
	t.Helper()
	w := &avgWorld{dossierWorld: newDossierWorld(t)}
	if err := w.owner.QueryRow(context.Background(), `SELECT u.id FROM hr.users u JOIN hr.role_grants g ON g.user_id = u.id
		WHERE g.role = 'case_manager' AND g.employer_id = $1 LIMIT 1`, w.tenant).Scan(&w.caseManager); err != nil {
		t.Fatalf("case manager of the tenant: %v", err)
	}
	r := w.s.do("PATCH", "/api/v1/employees/"+w.employee.String(), w.tokens["case_manager"],
		map[string]any{"email": "werknemer@prive.test", "phone": "+31 6 1234 5678", "bsn": "111222333"})
	if r.status != http.StatusOK {
		t.Fatalf("fixture: contact details = %d %s", r.status, r.raw)
	}
	return w
}

// closedCase inserts a case of the employee that closed on closedOn, with a
// change and a process note, and returns its id.
func (w *avgWorld) closedCase(t *testing.T, closedOn time.Time) uuid.UUID {
	t.Helper()
	id := uuid.New()
	ctx := context.Background()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO hr.absences (id, employer_id, employee_id, first_sick_day, percentage, status, closed_on, close_reason, created_by)
			VALUES ($1, $2, $3, $4, 0, 'closed', $5, 'recovered', $6)`, []any{id, w.tenant, w.employee, closedOn.AddDate(0, 0, -20), closedOn, w.caseManager}},
		{`INSERT INTO hr.absence_changes (id, absence_id, employer_id, kind, effective_on, percentage, recorded_by)
			VALUES ($1, $2, $3, 'report', $4, 100, $5)`, []any{uuid.New(), id, w.tenant, closedOn.AddDate(0, 0, -20), w.caseManager}},
		{`INSERT INTO hr.notes (id, absence_id, employer_id, body, author_id) VALUES ($1, $2, $3, 'Gebeld.', $4)`,
			[]any{uuid.New(), id, w.tenant, w.caseManager}},
	} {
		if _, err := w.owner.Exec(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("fixture case: %v", err)
		}
	}
	return id
}

func (w *avgWorld) file(t *testing.T, body map[string]any) string {
	t.Helper()
	r := w.s.do("POST", "/api/v1/me/requests", w.tokens["employee"], body)
	id, _ := r.body["id"].(string)
	if r.status != http.StatusCreated || id == "" {
		t.Fatalf("file %v = %d %s", body, r.status, r.raw)
	}
	return id
}

func (w *avgWorld) employeeRow(t *testing.T) (first, email, phone string, bsn, restricted, erased bool) {
	t.Helper()
	var e, p *string
	if err := w.owner.QueryRow(context.Background(), `SELECT first_name, email, phone, bsn_hash IS NOT NULL,
		restricted_since IS NOT NULL, erased_at IS NOT NULL FROM hr.employees WHERE id = $1`, w.employee).
		Scan(&first, &e, &p, &bsn, &restricted, &erased); err != nil {
		t.Fatal(err)
	}
	if e != nil {
		email = *e
	}
	if p != nil {
		phone = *p
	}
	return
}

func outcomeOf(r response) string {
	var parts []string
	list, _ := r.body["outcome"].([]any)
	for _, x := range list {
		m := x.(map[string]any)
		p := m["category"].(string) + ":" + m["action"].(string)
		if u, ok := m["until"].(string); ok {
			p += ":" + u
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}

// TestErasureAppliedWhereRetentionAllows: the privacy officer decides an
// erasure by applying it; what the retention terms allow is erased at once,
// the rest is kept with its ground and end date, the decision follows, and
// the employee is told. A bare "granted" never erases anything.
func TestErasureAppliedWhereRetentionAllows(t *testing.T) {
	t.Parallel()
	w := newAVGWorld(t)
	privacy := w.tokens["privacy_officer"]
	today := nowNL()
	old, recent := w.closedCase(t, today.AddDate(-3, 0, 0)), w.closedCase(t, today.AddDate(-1, 0, 0))

	id := w.file(t, map[string]any{"type": "erasure"})
	if r := w.s.do("POST", "/api/v1/requests/"+id+"/decision", privacy, map[string]any{"status": "granted"}); r.status != http.StatusConflict {
		t.Errorf("grant an erasure without applying it = %d %s, want 409", r.status, r.raw)
	}
	for who, want := range map[string]int{"employee": http.StatusNotFound, "case_manager": http.StatusNotFound,
		"employer": http.StatusNotFound, "physician": http.StatusForbidden} {
		if r := w.s.do("POST", "/api/v1/requests/"+id+"/erasure", w.tokens[who], nil); r.status != want {
			t.Errorf("apply the erasure as %s = %d, want %d", who, r.status, want)
		}
	}
	if _, email, _, bsn, _, _ := w.employeeRow(t); email == "" || !bsn {
		t.Fatalf("refused attempts erased data: email %q, bsn %v", email, bsn)
	}

	r := w.s.do("POST", "/api/v1/requests/"+id+"/erasure", privacy, nil)
	if r.status != http.StatusOK || r.body["status"] != "partly_granted" || r.body["ground"] != "legal_retention_duty" {
		t.Fatalf("apply the erasure = %d %s, want 200 partly_granted on legal_retention_duty", r.status, r.raw)
	}
	wantUntil := today.AddDate(-1, 0, 0).AddDate(2, 0, 0).Format(time.DateOnly)
	if got, want := outcomeOf(r), "contact_details:erased bsn:erased absence_cases:erased absence_cases:retained:"+wantUntil+
		" employee_record:retained requests:retained access_log:retained"; got != want {
		t.Errorf("erasure outcome\n got  %s\n want %s", got, want)
	}
	first, email, phone, bsn, _, erased := w.employeeRow(t)
	if email != "" || phone != "" || bsn || erased || first != "Dossier" {
		t.Errorf("after erasure: first %q email %q phone %q bsn %v erased %v; want contact and BSN gone, the record kept", first, email, phone, bsn, erased)
	}
	for _, c := range []struct {
		id   uuid.UUID
		want int
	}{{old, 0}, {recent, 1}} {
		n := w.count(t, `SELECT (SELECT count(*) FROM hr.absences WHERE id = $1) + (SELECT count(*) FROM hr.notes WHERE absence_id = $1)
			+ (SELECT count(*) FROM hr.absence_changes WHERE absence_id = $1)`, c.id)
		if n != 3*c.want {
			t.Errorf("rows of case %s after erasure = %d, want %d", c.id, n, 3*c.want)
		}
	}
	if r := w.s.do("POST", "/api/v1/requests/"+id+"/erasure", privacy, nil); r.status != http.StatusConflict {
		t.Errorf("apply the erasure twice = %d, want 409", r.status)
	}
	// One statement, one snapshot: the relay moves events from the outbox
	// meanwhile.
	if n := w.count(t, `SELECT (SELECT count(*) FROM audit.outbox WHERE object_id = $1 AND action = 'delete' AND object_kind = 'request')
		+ (SELECT count(*) FROM audit.events WHERE object_id = $1 AND action = 'delete' AND object_kind = 'request')`, id); n != 1 {
		t.Errorf("audited erasures = %d, want 1", n)
	}
	inbox := w.s.do("GET", "/api/v1/me/notifications", w.tokens["employee"], nil)
	if !strings.Contains(inbox.raw, "wissing") || !strings.Contains(inbox.raw, "contactgegevens: gewist") {
		t.Errorf("the employee was not told what was erased: %s", inbox.raw)
	}

	// With an open case nothing can go: refused on the legal duty.
	if r := w.s.do("POST", "/api/v1/employees/"+w.employee.String()+"/absences", w.tokens["case_manager"],
		map[string]any{"first_sick_day": today.Format(time.DateOnly), "percentage": 100}); r.status != http.StatusCreated {
		t.Fatalf("sick report = %d %s", r.status, r.raw)
	}
	id2 := w.file(t, map[string]any{"type": "erasure"})
	r = w.s.do("POST", "/api/v1/requests/"+id2+"/erasure", privacy, nil)
	if r.status != http.StatusOK || r.body["status"] != "refused" {
		t.Errorf("apply an erasure during an open case = %d %s, want 200 refused", r.status, r.raw)
	}
}

// TestErasureAnonymisesAnExpiredRecord: five years after the end of
// employment, with every case past its term, the record is anonymised and
// its cases, verdicts and advice are gone; the register still answers.
func TestErasureAnonymisesAnExpiredRecord(t *testing.T) {
	t.Parallel()
	w := newAVGWorld(t)
	ended := nowNL().AddDate(-6, 0, 0)
	if _, err := w.owner.Exec(context.Background(), `UPDATE hr.employees SET employment_start = $2, employment_end = $3 WHERE id = $1`,
		w.employee, ended.AddDate(-5, 0, 0), ended); err != nil {
		t.Fatal(err)
	}
	w.closedCase(t, ended)
	id := w.file(t, map[string]any{"type": "erasure"})
	r := w.s.do("POST", "/api/v1/requests/"+id+"/erasure", w.tokens["privacy_officer"], nil)
	if r.status != http.StatusOK || r.body["status"] != "granted" {
		t.Fatalf("apply the erasure = %d %s, want 200 granted", r.status, r.raw)
	}
	first, email, _, bsn, _, erased := w.employeeRow(t)
	if first != "Gewist" || email != "" || bsn || !erased {
		t.Errorf("after erasure: first %q email %q bsn %v erased %v; want anonymised", first, email, bsn, erased)
	}
	if n := w.count(t, `SELECT count(*) FROM hr.absences WHERE employee_id = $1`, w.employee); n != 0 {
		t.Errorf("cases left = %d, want 0", n)
	}
	if r := w.s.do("GET", "/api/v1/me/requests", w.tokens["employee"], nil); r.status != http.StatusOK || !strings.Contains(r.raw, id) {
		t.Errorf("the register after anonymisation = %d, want the request still listed", r.status)
	}
	if r := w.s.do("PATCH", "/api/v1/employees/"+w.employee.String(), w.tokens["case_manager"], map[string]any{"first_name": "Terug"}); r.status != http.StatusConflict {
		t.Errorf("change an erased record = %d, want 409", r.status)
	}
}

// TestRestrictionAndRectification: a restriction is refused during an open
// case and applied otherwise; a restricted record refuses ordinary changes
// but is rectified in answer to a granted rectification request, which is
// then delivered; lifting ends the restriction.
func TestRestrictionAndRectification(t *testing.T) {
	t.Parallel()
	w := newAVGWorld(t)
	privacy, cm := w.tokens["privacy_officer"], w.tokens["case_manager"]
	patch := func(tok string, body map[string]any) response {
		return w.s.do("PATCH", "/api/v1/employees/"+w.employee.String(), tok, body)
	}

	// Ordinary upkeep by the owning roles; bad input changes nothing.
	if r := patch(w.tokens["employer"], map[string]any{"phone": "+31 20 555 0101"}); r.status != http.StatusOK || r.body["phone"] != "+31 20 555 0101" {
		t.Errorf("PATCH phone as the employer = %d %s", r.status, r.raw)
	}
	for _, tc := range []struct {
		name string
		body map[string]any
	}{
		{"no field", map[string]any{}},
		{"a bad email", map[string]any{"email": "Not An Address", "phone": "+31 6 0000 0000"}},
		{"an invalid BSN", map[string]any{"bsn": "123456789"}},
		{"a number change", map[string]any{"employee_number": "X1"}},
		{"an empty first name", map[string]any{"first_name": " "}},
		{"a malformed date", map[string]any{"date_of_birth": "01-01-1980"}},
		{"an unknown request", map[string]any{"phone": "+31 6 0000 0000", "request_id": "nope"}},
	} {
		if r := patch(cm, tc.body); r.status != http.StatusBadRequest {
			t.Errorf("PATCH with %s = %d %s, want 400", tc.name, r.status, r.raw)
		}
	}
	if _, _, phone, _, _, _ := w.employeeRow(t); phone != "+31 20 555 0101" {
		t.Errorf("bad patches changed the phone to %q", phone)
	}
	for _, who := range []string{"labour_expert", "physician", "employee", "privacy_officer"} {
		if r := patch(w.tokens[who], map[string]any{"phone": "+31 6 9999 9999"}); r.status != http.StatusForbidden && r.status != http.StatusNotFound {
			t.Errorf("PATCH as %s = %d, want 403 or 404", who, r.status)
		}
	}

	// Restriction: refused while a case is open.
	caseRes := w.s.do("POST", "/api/v1/employees/"+w.employee.String()+"/absences", cm,
		map[string]any{"first_sick_day": nowNL().AddDate(0, 0, -5).Format(time.DateOnly), "percentage": 100})
	if caseRes.status != http.StatusCreated {
		t.Fatalf("sick report = %d %s", caseRes.status, caseRes.raw)
	}
	refusedID := w.file(t, map[string]any{"type": "restriction"})
	if r := w.s.do("POST", "/api/v1/requests/"+refusedID+"/restriction", privacy, nil); r.status != http.StatusOK ||
		r.body["status"] != "refused" || r.body["ground"] != "legal_obligation" {
		t.Errorf("restrict during an open case = %d %s, want refused on legal_obligation", r.status, r.raw)
	}
	if r := w.s.do("POST", "/api/v1/absences/"+caseRes.body["id"].(string)+"/changes", cm,
		map[string]any{"date": nowNL().Format(time.DateOnly), "percentage": 0}); r.status != http.StatusOK {
		t.Fatalf("recovery = %d %s", r.status, r.raw)
	}

	// Without an open case: applied.
	restrictID := w.file(t, map[string]any{"type": "restriction"})
	if r := w.s.do("POST", "/api/v1/requests/"+restrictID+"/restriction", privacy, nil); r.status != http.StatusOK || r.body["status"] != "granted" {
		t.Fatalf("restrict = %d %s, want granted", r.status, r.raw)
	}
	if _, _, _, _, restricted, _ := w.employeeRow(t); !restricted {
		t.Fatalf("the record is not restricted after a granted restriction")
	}
	if r := w.s.do("GET", "/api/v1/employees/"+w.employee.String(), cm, nil); r.body["restricted"] != true {
		t.Errorf("GET the restricted record = %s, want restricted: true", r.raw)
	}
	if r := patch(cm, map[string]any{"phone": "+31 6 1111 1111"}); r.status != http.StatusConflict {
		t.Errorf("PATCH a restricted record = %d, want 409", r.status)
	}

	// Rectification: filed with the fields, granted by the privacy officer,
	// carried out by the owning role citing the request.
	rectID := w.file(t, map[string]any{"type": "rectification", "fields": []string{"phone"}})
	withRequest := map[string]any{"phone": "+31 6 2222 2222", "request_id": rectID}
	if r := patch(cm, withRequest); r.status != http.StatusConflict {
		t.Errorf("rectify before the request is granted = %d %s, want 409", r.status, r.raw)
	}
	if r := w.s.do("POST", "/api/v1/requests/"+rectID+"/decision", privacy, map[string]any{"status": "granted"}); r.status != http.StatusOK {
		t.Fatalf("grant the rectification = %d %s", r.status, r.raw)
	}
	if r := patch(w.tokens["employer"], map[string]any{"phone": "+31 6 2222 2222", "request_id": restrictID}); r.status != http.StatusNotFound {
		t.Errorf("rectify citing a restriction request = %d, want 404", r.status)
	}
	if r := patch(cm, withRequest); r.status != http.StatusOK || r.body["phone"] != "+31 6 2222 2222" {
		t.Fatalf("rectify the restricted record for the request = %d %s", r.status, r.raw)
	}
	mine := w.s.do("GET", "/api/v1/me/requests", w.tokens["employee"], nil)
	if !strings.Contains(mine.raw, `"id":"`+rectID+`"`) || !strings.Contains(mine.raw, `"fields":["phone"]`) {
		t.Errorf("my requests do not show the rectification with its fields: %s", mine.raw)
	}
	var st string
	if err := w.owner.QueryRow(context.Background(), `SELECT status FROM hr.requests WHERE id = $1`, rectID).Scan(&st); err != nil || st != "delivered" {
		t.Errorf("rectification request status = %q (%v), want delivered", st, err)
	}
	if n := w.count(t, `SELECT (SELECT count(*) FROM audit.outbox WHERE object_kind = 'employee_rectification' AND object_id = $1)
		+ (SELECT count(*) FROM audit.events WHERE object_kind = 'employee_rectification' AND object_id = $1)`,
		w.employee.String()+"#fields=phone"); n != 1 {
		t.Errorf("audited rectifications naming the field = %d, want 1", n)
	}

	// Lifting ends the restriction and closes the request.
	if r := w.s.do("DELETE", "/api/v1/requests/"+restrictID+"/restriction", privacy, nil); r.status != http.StatusOK || r.body["status"] != "closed" {
		t.Fatalf("lift = %d %s, want closed", r.status, r.raw)
	}
	if _, _, _, _, restricted, _ := w.employeeRow(t); restricted {
		t.Errorf("the record is still restricted after lifting")
	}
	if r := patch(cm, map[string]any{"phone": "+31 6 3333 3333"}); r.status != http.StatusOK {
		t.Errorf("PATCH after lifting = %d %s, want 200", r.status, r.raw)
	}
}

// TestRepresentativeFiles: the privacy officer registers a request a
// representative filed, with the signed, dated authorisation on record;
// the employee is told, and the request runs as their own (a physician
// decides an inspection).
func TestRepresentativeFiles(t *testing.T) {
	t.Parallel()
	w := newAVGWorld(t)
	privacy := w.tokens["privacy_officer"]
	path := "/api/v1/employees/" + w.employee.String() + "/requests"
	today := nowNL()
	good := map[string]any{"type": "inspection", "representative_name": "Mr. A. Jansen, advocaat",
		"authorisation_signed_on": today.AddDate(0, 0, -10).Format(time.DateOnly)}
	requests := func() int {
		return w.count(t, `SELECT count(*) FROM hr.requests WHERE employee_id = $1`, w.employee)
	}
	before := requests()
	for _, tc := range []struct {
		name string
		body map[string]any
	}{
		{"no authorisation date", map[string]any{"type": "inspection", "representative_name": "A"}},
		{"an authorisation from the future", map[string]any{"type": "inspection", "representative_name": "A",
			"authorisation_signed_on": today.AddDate(0, 0, 3).Format(time.DateOnly)}},
		{"a stale authorisation", map[string]any{"type": "inspection", "representative_name": "A",
			"authorisation_signed_on": today.AddDate(-1, 0, 0).Format(time.DateOnly)}},
		{"no representative", map[string]any{"type": "access", "authorisation_signed_on": today.Format(time.DateOnly)}},
		{"an own statement", map[string]any{"type": "own_statement", "representative_name": "A",
			"authorisation_signed_on": today.Format(time.DateOnly)}},
	} {
		if r := w.s.do("POST", path, privacy, tc.body); r.status != http.StatusBadRequest {
			t.Errorf("register with %s = %d %s, want 400", tc.name, r.status, r.raw)
		}
	}
	for _, who := range []string{"employee", "case_manager", "physician", "employer"} {
		if r := w.s.do("POST", path, w.tokens[who], good); r.status != http.StatusNotFound && r.status != http.StatusForbidden {
			t.Errorf("register as %s = %d, want 403 or 404", who, r.status)
		}
	}
	if r := w.s.do("POST", "/api/v1/employees/"+uuid.NewString()+"/requests", privacy, good); r.status != http.StatusNotFound {
		t.Errorf("register for an unknown employee = %d, want 404", r.status)
	}
	if got := requests(); got != before {
		t.Fatalf("refused registrations wrote %d requests", got-before)
	}
	r := w.s.do("POST", path, privacy, good)
	if r.status != http.StatusCreated || r.body["representative_name"] != "Mr. A. Jansen, advocaat" || r.body["status"] != "received" {
		t.Fatalf("register = %d %s", r.status, r.raw)
	}
	id := r.body["id"].(string)
	inbox := w.s.do("GET", "/api/v1/me/notifications", w.tokens["employee"], nil)
	if !strings.Contains(inbox.raw, "namens u") || !strings.Contains(inbox.raw, "Jansen") {
		t.Errorf("the employee was not told a request was filed in their name: %s", inbox.raw)
	}
	if r := w.s.do("POST", "/api/v1/requests/"+id+"/decision", w.tokens["physician"], map[string]any{"status": "granted"}); r.status != http.StatusOK {
		t.Errorf("the physician grants the representative's inspection = %d %s", r.status, r.raw)
	}
	// An HR request registered by the privacy officer is decided by them.
	hr := w.s.do("POST", path, privacy, map[string]any{"type": "access", "representative_name": "Mw. B. de Boer",
		"authorisation_signed_on": today.Format(time.DateOnly)})
	if hr.status != http.StatusCreated {
		t.Fatalf("register access = %d %s", hr.status, hr.raw)
	}
	if r := w.s.do("POST", "/api/v1/requests/"+hr.body["id"].(string)+"/decision", privacy, map[string]any{"status": "granted"}); r.status != http.StatusOK {
		t.Errorf("the privacy officer decides the access request they registered = %d %s", r.status, r.raw)
	}
}
