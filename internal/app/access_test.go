package app

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/config"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// TestSubstitutionTwoKeysThenAccess: a substitution proposed by one lead
// physician is approved by another, never by the proposer or the
// substitute; once approved, the substitute reads the absent physician's
// dossier, and the grant takes effect on the next request.
func TestSubstitutionTwoKeysThenAccess(t *testing.T) {
	t.Parallel()
	// A database of its own: the test counts all of hr.substitutions.
	s := newStackWith(t, testenv.FreshDatabase(t), nil)
	lead1, lead2 := s.addUser(access.RoleLeadPhysician, uuid.Nil), s.addUser(access.RoleLeadPhysician, uuid.Nil)
	absent, sub := s.addUser(access.RolePhysician, uuid.Nil), s.addUser(access.RoleLeadPhysician, uuid.Nil)
	employee := uuid.New()
	owner := testenv.Pool(t, s.env.MigrateURL)
	if _, err := owner.Exec(context.Background(), `INSERT INTO medical.dossiers (employee_id, responsible_physician_id) VALUES ($1, $2)`,
		employee, absent.userID); err != nil {
		t.Fatal(err)
	}
	t1, t2, tSub := s.session(lead1), s.session(lead2), s.session(sub)
	dossier := "/api/v1/employees/" + employee.String() + "/dossier"
	if r := s.do("GET", dossier, tSub, nil); r.status != http.StatusNotFound {
		t.Fatalf("GET dossier as future substitute before approval = %d, want 404", r.status)
	}
	today := nowNL()
	body := map[string]any{"absent_physician_id": absent.userID.String(), "substitute_id": sub.userID.String(),
		"starts_on": today.AddDate(0, 0, -1).Format(time.DateOnly), "ends_on": today.AddDate(0, 0, 1).Format(time.DateOnly)}

	bad := []map[string]any{
		{"absent_physician_id": absent.userID.String(), "substitute_id": absent.userID.String(), "starts_on": body["starts_on"], "ends_on": body["ends_on"]},
		{"absent_physician_id": absent.userID.String(), "substitute_id": sub.userID.String(), "starts_on": body["ends_on"], "ends_on": body["starts_on"]},
		{"absent_physician_id": absent.userID.String(), "substitute_id": uuid.NewString(), "starts_on": body["starts_on"], "ends_on": body["ends_on"]},
		{"absent_physician_id": "x", "substitute_id": sub.userID.String(), "starts_on": "2026-13-01", "ends_on": body["ends_on"]},
	}
	var before int
	owner.QueryRow(context.Background(), `SELECT count(*) FROM hr.substitutions`).Scan(&before) //nolint:errcheck
	for i, b := range bad {
		if r := s.do("POST", "/api/v1/substitutions", t1, b); r.status != http.StatusBadRequest || !strings.Contains(r.raw, `"errors"`) {
			t.Errorf("propose bad substitution %d = %d %s, want 400 with field errors", i, r.status, r.raw)
		}
	}
	var after int
	owner.QueryRow(context.Background(), `SELECT count(*) FROM hr.substitutions`).Scan(&after) //nolint:errcheck
	if after != before {
		t.Errorf("bad proposals changed hr.substitutions from %d to %d rows", before, after)
	}

	r := s.do("POST", "/api/v1/substitutions", t1, body)
	id, _ := r.body["id"].(string)
	if r.status != http.StatusCreated || r.body["status"] != "proposed" {
		t.Fatalf("propose substitution = %d %s, want 201 proposed", r.status, r.raw)
	}
	approve := "/api/v1/substitutions/" + id + "/approve"
	if r := s.do("POST", approve, t1, nil); r.status != http.StatusForbidden {
		t.Errorf("proposer approves own substitution = %d, want 403", r.status)
	}
	if r := s.do("POST", approve, tSub, nil); r.status != http.StatusForbidden {
		t.Errorf("substitute approves own substitution = %d, want 403", r.status)
	}
	if r := s.do("GET", dossier, tSub, nil); r.status != http.StatusNotFound {
		t.Errorf("GET dossier as substitute with a proposed substitution = %d, want 404", r.status)
	}
	if r := s.do("POST", approve, t2, nil); r.status != http.StatusOK || r.body["status"] != "active" {
		t.Fatalf("second lead approves = %d %s, want 200 active", r.status, r.raw)
	}
	if r := s.do("POST", approve, t2, nil); r.status != http.StatusConflict {
		t.Errorf("approve twice = %d, want 409", r.status)
	}
	if r := s.do("GET", dossier, tSub, nil); r.status != http.StatusOK || r.body["access"] != "substitute" {
		t.Errorf("GET dossier as approved substitute (same session) = %d %s, want 200 access substitute", r.status, r.raw)
	}
}

// TestEmergencyAccess: a lead physician outside the dossier's care declares
// emergency access with a reason; the dossier opens for them until it
// expires, the declaration is audited with the employee as subject, and the
// reason is stored only as ciphertext.
func TestEmergencyAccess(t *testing.T) {
	t.Parallel()
	s := newStackWith(t, testenv.Load(t), func(c *config.Config) { c.EmergencyAccessTTL = time.Hour })
	lead, resp := s.addUser(access.RoleLeadPhysician, uuid.Nil), s.addUser(access.RolePhysician, uuid.Nil)
	employee := uuid.New()
	owner := testenv.Pool(t, s.env.MigrateURL)
	ctx := context.Background()
	if _, err := owner.Exec(ctx, `INSERT INTO medical.dossiers (employee_id, responsible_physician_id) VALUES ($1, $2)`,
		employee, resp.userID); err != nil {
		t.Fatal(err)
	}
	tok := s.session(lead)
	base := "/api/v1/employees/" + employee.String() + "/dossier"
	if r := s.do("GET", base, tok, nil); r.status != http.StatusNotFound {
		t.Fatalf("GET dossier as lead physician without emergency = %d, want 404", r.status)
	}
	for _, reason := range []any{"", "too short", strings.Repeat("x", 2001)} {
		if r := s.do("POST", base+"/emergency-access", tok, map[string]any{"reason": reason}); r.status != http.StatusBadRequest {
			t.Errorf("declare emergency with reason of %d chars = %d, want 400", len(reason.(string)), r.status)
		}
	}
	if r := s.do("POST", "/api/v1/employees/"+uuid.NewString()+"/dossier/emergency-access", tok,
		map[string]any{"reason": "No dossier exists for this employee at all."}); r.status != http.StatusNotFound {
		t.Errorf("declare emergency for an employee without dossier = %d, want 404", r.status)
	}
	reason := "canary-" + uuid.NewString() + " responsible physician unreachable"
	r := s.do("POST", base+"/emergency-access", tok, map[string]any{"reason": reason})
	if r.status != http.StatusCreated || strings.Contains(r.raw, reason) {
		t.Fatalf("declare emergency = %d %s, want 201 without the reason", r.status, r.raw)
	}
	expires, err := time.Parse(time.RFC3339, r.body["expires_at"].(string))
	if err != nil || expires.Before(time.Now().Add(59*time.Minute)) || expires.After(time.Now().Add(61*time.Minute)) {
		t.Errorf("emergency expires_at = %v (%v), want in about an hour", r.body["expires_at"], err)
	}
	if r := s.do("GET", base, tok, nil); r.status != http.StatusOK || r.body["access"] != "emergency" {
		t.Errorf("GET dossier under emergency access = %d %s, want 200 access emergency", r.status, r.raw)
	}

	var events, plaintext int
	if err := owner.QueryRow(ctx, `
		SELECT count(*) FROM (SELECT subject_employee_id, action, actor_user_id FROM audit.outbox
			UNION ALL SELECT subject_employee_id, action, actor_user_id FROM audit.events) e
		WHERE subject_employee_id = $1 AND action = 'emergency_access' AND actor_user_id = $2`,
		employee, lead.userID).Scan(&events); err != nil {
		t.Fatal(err)
	}
	if events != 1 {
		t.Errorf("emergency_access events for the employee = %d, want 1", events)
	}
	if err := owner.QueryRow(ctx, `SELECT count(*) FROM medical.emergency_accesses WHERE reason_ciphertext LIKE '%canary-%'`).Scan(&plaintext); err != nil {
		t.Fatal(err)
	}
	if plaintext != 0 {
		t.Errorf("the emergency reason is stored in plaintext")
	}
	if strings.Contains(s.logs.String(), reason) {
		t.Errorf("the emergency reason appears in the log")
	}
	// The 404 before the declaration was audited as a denied read.
	var denied int
	if err := owner.QueryRow(ctx, `
		SELECT count(*) FROM (SELECT actor_user_id, action, outcome, object_kind, object_id FROM audit.outbox
			UNION ALL SELECT actor_user_id, action, outcome, object_kind, object_id FROM audit.events) e
		WHERE actor_user_id = $1 AND action = 'read' AND outcome = 'denied' AND object_kind = 'dossier' AND object_id = $2`,
		lead.userID, employee.String()).Scan(&denied); err != nil {
		t.Fatal(err)
	}
	if denied != 1 {
		t.Errorf("denied dossier reads audited for the lead physician = %d, want 1", denied)
	}

	// Expired: the dossier closes again.
	if _, err := owner.Exec(ctx, `UPDATE medical.emergency_accesses SET created_at = now() - interval '2 hours', expires_at = now() - interval '1 second'
		WHERE physician_id = $1`, lead.userID); err != nil {
		t.Fatal(err)
	}
	if r := s.do("GET", base, tok, nil); r.status != http.StatusNotFound {
		t.Errorf("GET dossier after the emergency access expired = %d, want 404", r.status)
	}
}

// TestRevokedStatementEndsAssistantAccessAtOnce: the caller's capacities are
// read per request, so ending a statement closes the dossier on the next
// request of the same session.
func TestRevokedStatementEndsAssistantAccessAtOnce(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	resp, assistant := s.addUser(access.RolePhysician, uuid.Nil), s.addUser(access.RoleMedicalAssistant, uuid.Nil)
	employee := uuid.New()
	owner := testenv.Pool(t, s.env.MigrateURL)
	ctx := context.Background()
	today := nowNL()
	if _, err := owner.Exec(ctx, `INSERT INTO medical.dossiers (employee_id, responsible_physician_id) VALUES ($1, $2)`,
		employee, resp.userID); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.Exec(ctx, `INSERT INTO hr.confidentiality_statements (assistant_user_id, physician_user_id, signed_on, expires_on, status)
		VALUES ($1, $2, $3, $4, 'active')`, assistant.userID, resp.userID, today.AddDate(0, 0, -3), today.AddDate(0, 3, 0)); err != nil {
		t.Fatal(err)
	}
	tok := s.session(assistant)
	path := "/api/v1/employees/" + employee.String() + "/dossier"
	r := s.do("GET", path, tok, nil)
	if r.status != http.StatusOK || r.body["on_behalf_of"] != resp.userID.String() {
		t.Fatalf("GET dossier as assistant with a valid statement = %d %s, want 200 on behalf of the physician", r.status, r.raw)
	}
	var onBehalf uuid.UUID
	if err := owner.QueryRow(ctx, `SELECT on_behalf_of FROM audit.outbox WHERE actor_user_id = $1 AND action = 'read'
		UNION ALL SELECT on_behalf_of FROM audit.events WHERE actor_user_id = $1 AND action = 'read' LIMIT 1`,
		assistant.userID).Scan(&onBehalf); err != nil || onBehalf != resp.userID {
		t.Errorf("assistant's read event on_behalf_of = %v (%v), want %s", onBehalf, err, resp.userID)
	}
	if _, err := owner.Exec(ctx, `UPDATE hr.confidentiality_statements SET expires_on = $2 WHERE assistant_user_id = $1`,
		assistant.userID, today.AddDate(0, 0, -1)); err != nil {
		t.Fatal(err)
	}
	if r := s.do("GET", path, tok, nil); r.status != http.StatusNotFound {
		t.Errorf("GET dossier in the same session after the statement expired = %d, want 404", r.status)
	}
}

// TestEmployerAndEmployeeBadInputChangesNothing: bad bodies answer 4xx
// problem+json and write nothing.
func TestEmployerAndEmployeeBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	tenant := s.addEmployer()
	admin, hr := s.session(s.addUser(access.RoleAdmin, uuid.Nil)), s.session(s.addUser(access.RoleEmployer, tenant))
	owner := testenv.Pool(t, s.env.MigrateURL)
	ctx := context.Background()
	k1, k2 := randomKvK(), randomKvK()
	// Only rows these requests could have written: other packages' tests
	// share the database.
	count := func() (employers, employees int) {
		t.Helper()
		if err := owner.QueryRow(ctx, `SELECT (SELECT count(*) FROM hr.employers WHERE kvk_number IN ($2, $3, '1234567a')),
			(SELECT count(*) FROM hr.employees WHERE employer_id = $1)`,
			tenant, k1, k2).Scan(&employers, &employees); err != nil {
			t.Fatal(err)
		}
		return employers, employees
	}
	good := func() map[string]any {
		return map[string]any{"employee_number": "X1", "first_name": "Anna", "last_name": "de Vries",
			"date_of_birth": "1990-02-03", "employment_start": "2015-01-01"}
	}
	r := s.do("POST", "/api/v1/employers/"+tenant.String()+"/employees", hr, good())
	if r.status != http.StatusCreated {
		t.Fatalf("create employee = %d %s", r.status, r.raw)
	}
	e0, n0 := count()
	with := func(k string, v any) map[string]any { b := good(); b[k] = v; return b }
	cases := []struct {
		name, path, token string
		body              any
		want              int
	}{
		{"unknown field", "/api/v1/employers/" + tenant.String() + "/employees", hr, with("diagnosis", "x"), 400},
		{"malformed date", "/api/v1/employers/" + tenant.String() + "/employees", hr, with("date_of_birth", "03-02-1990"), 400},
		{"impossible date", "/api/v1/employers/" + tenant.String() + "/employees", hr, with("employment_start", "2015-02-30"), 400},
		{"number taken", "/api/v1/employers/" + tenant.String() + "/employees", hr, good(), 409},
		{"end before start", "/api/v1/employers/" + tenant.String() + "/employees", hr, with("employment_end", "2014-12-31"), 400},
		{"wrong type", "/api/v1/employers/" + tenant.String() + "/employees", hr, with("first_name", 7), 400},
		{"unknown employer", "/api/v1/employers/" + uuid.NewString() + "/employees", hr, good(), 404},
		{"malformed employer id", "/api/v1/employers/nope/employees", hr, good(), 404},
		{"employer without name", "/api/v1/employers", admin, map[string]any{"kvk_number": k1}, 400},
		{"employer kvk letters", "/api/v1/employers", admin, map[string]any{"name": "X", "kvk_number": "1234567a"}, 400},
		{"employer bad domain", "/api/v1/employers", admin, map[string]any{"name": "X", "kvk_number": k2, "mail_domains": []string{"EXAMPLE"}}, 400},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do("POST", tt.path, tt.token, tt.body)
			if r.status != tt.want || r.body["type"] == nil {
				t.Errorf("POST %s (%s) = %d %s, want %d problem+json", tt.path, tt.name, r.status, r.raw, tt.want)
			}
		})
	}
	if e1, n1 := count(); e1 != e0 || n1 != n0 {
		t.Errorf("bad input changed rows: employers %d -> %d, employees %d -> %d", e0, e1, n0, n1)
	}
	dup := s.do("POST", "/api/v1/employers", admin, map[string]any{"name": "Dubbel", "kvk_number": "90000001"})
	if dup.status != http.StatusCreated && dup.status != http.StatusConflict {
		t.Errorf("create employer with a possibly registered KvK = %d, want 201 or 409", dup.status)
	}
	if again := s.do("POST", "/api/v1/employers", admin, map[string]any{"name": "Dubbel", "kvk_number": "90000001"}); again.status != http.StatusConflict {
		t.Errorf("create employer with a registered KvK = %d %s, want 409", again.status, again.raw)
	}
}
