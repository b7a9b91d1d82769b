package app

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// addEmployees inserts n employees of tenant as the owner and returns
// their ids.
func addEmployees(t *testing.T, owner *pgxpool.Pool, tenant uuid.UUID, n int) []uuid.UUID {
	t.Helper()
	ids := make([]uuid.UUID, n)
	for i := range ids {
		ids[i] = uuid.New()
	}
	if _, err := owner.Exec(context.Background(), `
		INSERT INTO hr.employees (id, employer_id, employee_number, first_name, last_name, date_of_birth, employment_start)
		SELECT id, $2, 'L' || ord, 'Lijst', 'Persoon ' || ord, '1980-01-01', '2015-01-01'
		FROM unnest($1::uuid[]) WITH ORDINALITY AS x(id, ord)`, ids, tenant); err != nil {
		t.Fatalf("add %d employees: %v", n, err)
	}
	return ids
}

// addEmployeeWithLogin inserts an employee of tenant linked to a new
// employee login and returns the employee id and the login's session.
func addEmployeeWithLogin(t *testing.T, s *stack, owner *pgxpool.Pool, tenant uuid.UUID) (uuid.UUID, string) {
	t.Helper()
	u, id := s.addUser(access.RoleEmployee, tenant), uuid.New()
	if _, err := owner.Exec(context.Background(), `
		INSERT INTO hr.employees (id, employer_id, employee_number, first_name, last_name, date_of_birth, employment_start, user_id)
		VALUES ($1, $2, $3, 'Eigen', 'Log', '1980-01-01', '2015-01-01', $4)`, id, tenant, "E"+id.String()[:8], u.userID); err != nil {
		t.Fatalf("add employee with login: %v", err)
	}
	return id, s.session(u)
}

// waitOutboxEmpty waits until the appender has moved every event.
func waitOutboxEmpty(t *testing.T, owner *pgxpool.Pool) {
	t.Helper()
	for range 100 {
		var n int
		if err := owner.QueryRow(context.Background(), `SELECT count(*) FROM audit.outbox`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the outbox was not emptied within 10 s")
}

// TestOverviewIsOneAuditEvent: an employer's overview over N people writes
// exactly one audit event, whose subjects hold all N ids; the listed
// employee's access log shows that read and the privacy officer's search
// by that employee finds it; an employee who was not listed sees nothing of
// it; and the trail, mixing it with events about one person, verifies.
func TestOverviewIsOneAuditEvent(t *testing.T) {
	t.Parallel()
	env := testenv.FreshDatabase(t)
	s := newStackWith(t, env, nil)
	owner := testenv.Pool(t, env.MigrateURL)
	ctx := context.Background()
	tenant, elsewhere := s.addEmployer(), s.addEmployer()
	hr := s.addUser(access.RoleEmployer, tenant)
	hrTok := s.session(hr)
	const n = 120
	people := addEmployees(t, owner, tenant, n-1)
	listed, listedTok := addEmployeeWithLogin(t, s, owner, tenant)
	people = append(people, listed)
	outsider, outsiderTok := addEmployeeWithLogin(t, s, owner, elsewhere)
	// An event about one person, the old way, beside the list read.
	if r := s.do("GET", "/api/v1/employees/"+listed.String(), hrTok, nil); r.status != http.StatusOK {
		t.Fatalf("employer reads one record = %d %s", r.status, r.raw)
	}

	r := s.do("GET", "/api/v1/employers/"+tenant.String()+"/overview", hrTok, nil)
	if r.status != http.StatusOK || len(r.body["employees"].([]any)) != n {
		t.Fatalf("overview over %d people = %d, %d rows (%.200s)", n, r.status, len(r.body["employees"].([]any)), r.raw)
	}
	waitOutboxEmpty(t, owner)

	rows, err := owner.Query(ctx, `SELECT seq, subject_employee_id IS NULL, tenant_id, object_id, coalesce(subjects, '{}')
		FROM audit.events WHERE actor_user_id = $1 AND object_kind = 'employer_overview'`, hr.userID)
	if err != nil {
		t.Fatal(err)
	}
	type ev struct {
		seq       int64
		noSubject bool
		tenant    uuid.UUID
		object    string
		subjects  []uuid.UUID
	}
	var evs []ev
	for rows.Next() {
		var e ev
		if err := rows.Scan(&e.seq, &e.noSubject, &e.tenant, &e.object, &e.subjects); err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	if len(evs) != 1 {
		t.Fatalf("audit events of one overview over %d people = %d, want exactly 1", n, len(evs))
	}
	e := evs[0]
	want := slices.Clone(people)
	slices.SortFunc(want, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	if !slices.Equal(e.subjects, want) || !e.noSubject || e.tenant != tenant || e.object != tenant.String() {
		t.Errorf("the overview's event = subjects %d (all %d listed, ascending: %v), no single subject %v, tenant %v, object %s; want all listed, the tenant as tenant and object",
			len(e.subjects), n, slices.Equal(e.subjects, want), e.noSubject, e.tenant, e.object)
	}

	// The listed employee's access log shows the overview read.
	log := s.do("GET", "/api/v1/me/access-log?limit=200", listedTok, nil)
	if log.status != http.StatusOK {
		t.Fatalf("listed employee's access log = %d %s", log.status, log.raw)
	}
	var seen bool
	for _, x := range log.body["entries"].([]any) {
		line := x.(map[string]any)
		if line["what"] == "employer_overview" && line["action"] == "read" && line["role"] == "employer" &&
			line["who"] == "Test employer" && line["organisation"] == "Test employer" && line["seq"] == float64(e.seq) {
			seen = true
		}
	}
	if !seen {
		t.Errorf("listed employee's access log = %s, want the employer's overview read (seq %d)", log.raw, e.seq)
	}
	// An employee who was not listed does not see it.
	other := s.do("GET", "/api/v1/me/access-log?limit=200", outsiderTok, nil)
	if other.status != http.StatusOK || strings.Contains(other.raw, "employer_overview") {
		t.Errorf("access log of an employee not listed = %d %s, want 200 without the overview read", other.status, other.raw)
	}

	// The privacy officer's search by employee finds it, for the listed
	// employee only.
	poTok := s.session(s.addUser(access.RolePrivacyOfficer, uuid.Nil))
	search := func(employee uuid.UUID) (found bool, raw string) {
		t.Helper()
		r := s.do("GET", "/api/v1/audit/events?limit=200&employee_id="+employee.String(), poTok, nil)
		if r.status != http.StatusOK {
			t.Fatalf("search by employee = %d %s", r.status, r.raw)
		}
		for _, x := range r.body["events"].([]any) {
			ev := x.(map[string]any)
			if ev["seq"] == float64(e.seq) {
				subjects, _ := ev["subjects"].([]any)
				found = ev["object_kind"] == "employer_overview" && len(subjects) == n && slices.Contains(subjects, any(employee.String()))
			}
		}
		return found, r.raw
	}
	if found, raw := search(listed); !found {
		t.Errorf("privacy officer's search by the listed employee = %.300s, want the overview event (seq %d) with its %d subjects", raw, e.seq, n)
	}
	if found, _ := search(people[7]); !found {
		t.Errorf("privacy officer's search by another listed employee does not find the overview event (seq %d)", e.seq)
	}
	if found, _ := search(outsider); found {
		t.Errorf("privacy officer's search by an employee not listed finds the overview event")
	}

	// The trail verifies over events about one person and list reads.
	waitOutboxEmpty(t, owner)
	var out bytes.Buffer
	if err := VerifyAudit(ctx, configFor(env), "", &out); err != nil || !strings.HasPrefix(out.String(), "ok: ") {
		t.Errorf("audit verify = %v, %q; want ok", err, out.String())
	}
}

// TestSignalsAndQueueAreOneAuditEventEach: a page of signals and the
// request queue are each one read event listing the people shown.
func TestSignalsAndQueueAreOneAuditEventEach(t *testing.T) {
	t.Parallel()
	w := newDossierWorld(t)
	s, ctx := w.s, context.Background()
	people := addEmployees(t, w.owner, w.tenant, 4)
	cm := s.addUser(access.RoleCaseManager, w.tenant)
	cmTok := s.session(cm)
	sick := nowNL().AddDate(0, 0, -50).Format(time.DateOnly)
	for _, p := range people {
		if r := s.do("POST", "/api/v1/employees/"+p.String()+"/absences", cmTok, map[string]any{"first_sick_day": sick, "percentage": 100}); r.status != http.StatusCreated {
			t.Fatalf("report sick = %d %s", r.status, r.raw)
		}
	}
	if r := s.do("GET", "/api/v1/signals?within_days=30&limit=100", cmTok, nil); r.status != http.StatusOK || len(r.body["signals"].([]any)) < len(people) {
		t.Fatalf("signals = %d %.300s, want at least one per case", r.status, r.raw)
	}
	count := func(actor uuid.UUID, kind string) (events int, subjects []uuid.UUID) {
		t.Helper()
		if err := w.owner.QueryRow(ctx, `WITH e AS (
			SELECT subjects FROM audit.outbox WHERE actor_user_id = $1 AND object_kind = $2
			UNION ALL SELECT subjects FROM audit.events WHERE actor_user_id = $1 AND object_kind = $2)
			SELECT (SELECT count(*) FROM e), coalesce((SELECT array_agg(DISTINCT s) FROM e, unnest(e.subjects) s), '{}')`,
			actor, kind).Scan(&events, &subjects); err != nil {
			t.Fatal(err)
		}
		return events, subjects
	}
	events, subjects := count(cm.userID, "signals")
	if events != 1 || len(subjects) != len(people) {
		t.Errorf("audit events of one page of signals over %d people = %d carrying %d people, want 1 carrying %d", len(people), events, len(subjects), len(people))
	}

	if r := s.do("POST", "/api/v1/me/requests", w.tokens["employee"], map[string]any{"type": "inspection"}); r.status != http.StatusCreated {
		t.Fatalf("file a request = %d %s", r.status, r.raw)
	}
	phys := w.physician.userID
	if r := s.do("GET", "/api/v1/requests", w.tokens["physician"], nil); r.status != http.StatusOK {
		t.Fatalf("request queue = %d %s", r.status, r.raw)
	}
	if queueEvents, subjects := count(phys, "request_queue"); queueEvents != 1 || !slices.Contains(subjects, w.employee) {
		t.Errorf("audit events of one request queue read = %d carrying %v, want 1 carrying %v", queueEvents, subjects, w.employee)
	}
}
