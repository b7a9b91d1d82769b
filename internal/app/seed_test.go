package app

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/arbokluis/arbokluis/internal/absence"
	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// TestSeedIsIdempotentAndItsLoginsWork seeds a database of its own twice:
// the same tenants and users come back, and every printed login works over
// HTTP (password plus TOTP).
func TestSeedIsIdempotentAndItsLoginsWork(t *testing.T) {
	t.Parallel()
	e := testenv.FreshDatabase(t)
	s := newStackWith(t, e, nil)
	hr := testenv.Pool(t, e.HRURL)
	vc, err := newVault(configFor(e))
	if err != nil {
		t.Fatal(err)
	}
	svc := newSeedServices(hr, testenv.Pool(t, e.MedURL), s.ids, vc, absence.DefaultSettings())
	ctx := context.Background()

	first, err := seed(ctx, svc)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	second, err := seed(ctx, svc)
	if err != nil {
		t.Fatalf("seed again: %v", err)
	}
	if len(first.Employers) != 2 || len(first.Logins) != len(access.Roles)+1 {
		t.Fatalf("seed made %d employers and %d logins, want 2 and one per role plus a second employer login",
			len(first.Employers), len(first.Logins))
	}
	roles := map[string]bool{}
	for i := range first.Logins {
		a, b := first.Logins[i], second.Logins[i]
		roles[a.Role] = true
		if a.UserID != b.UserID || !a.Created || b.Created {
			t.Errorf("login %s: first %s (created %v), second %s (created %v); want the same user, created once",
				a.Email, a.UserID, a.Created, b.UserID, b.Created)
		}
		if (a.Role == "employer" || a.Role == "employee") && a.EmployerID == "" {
			t.Errorf("login %s (%s) has no employer_id", a.Email, a.Role)
		}
	}
	if len(roles) != len(access.Roles) {
		t.Errorf("seed covers roles %v, want all %d", roles, len(access.Roles))
	}
	employerTenants := map[string]bool{}
	for _, l := range first.Logins {
		if l.Role == "employer" {
			employerTenants[l.EmployerID] = true
		}
	}
	if len(employerTenants) != 2 {
		t.Errorf("employer logins cover tenants %v, want one login in each of the two tenants", employerTenants)
	}
	for i, em := range first.Employers {
		if em.ID != second.Employers[i].ID {
			t.Errorf("employer %s: id %s then %s, want stable", em.Name, em.ID, second.Employers[i].ID)
		}
	}
	tokens := map[string]string{}
	for _, l := range second.Logins {
		r := s.login(l.Email, l.Password, code(t, l.TOTPSecret, time.Now()))
		if r.status != http.StatusOK {
			t.Errorf("login as seeded %s = %d %s, want 200", l.Role, r.status, r.raw)
		}
		tok, _ := r.body["token"].(string)
		tokens[l.Role] = tok
	}
	// The demo physician is assigned to both demo employers, and the demo
	// assistant has one approved statement naming them, after two runs.
	for _, em := range second.Employers {
		if r := s.do("GET", "/api/v1/employers/"+em.ID, tokens["physician"], nil); r.status != http.StatusOK {
			t.Errorf("GET demo employer %s as the demo physician = %d, want 200 (assigned)", em.Name, r.status)
		}
	}
	owner := testenv.Pool(t, e.MigrateURL)
	var statements, assignments int
	if err := owner.QueryRow(ctx, `SELECT (SELECT count(*) FROM hr.confidentiality_statements WHERE status = 'active' AND approved_by IS NOT NULL),
		(SELECT count(*) FROM hr.physician_assignments WHERE status = 'active' AND approved_by IS NOT NULL)`).Scan(&statements, &assignments); err != nil {
		t.Fatal(err)
	}
	if statements != 1 || assignments != 2 {
		t.Errorf("after two seed runs: %d approved statements and %d approved assignments, want 1 and 2", statements, assignments)
	}
	// The demo people and their cases exist once, at different stages: open
	// and early, partly back with a signed plan, late in the first year,
	// recovered, and a safety-net case in the second tenant.
	var employees, open, closed, plans, vangnet int
	if err := owner.QueryRow(ctx, `SELECT (SELECT count(*) FROM hr.employees), (SELECT count(*) FROM hr.absences WHERE status = 'open'),
		(SELECT count(*) FROM hr.absences WHERE status = 'closed'), (SELECT count(*) FROM hr.plans),
		(SELECT count(*) FROM hr.absences WHERE vangnet_type IS NOT NULL)`).Scan(&employees, &open, &closed, &plans, &vangnet); err != nil {
		t.Fatal(err)
	}
	if employees != len(demoPeople) || open != 4 || closed != 1 || plans != 2 || vangnet != 1 {
		t.Errorf("after two seed runs: %d employees, %d open and %d closed cases, %d plans, %d safety-net cases; want %d, 4, 1, 2, 1",
			employees, open, closed, plans, vangnet, len(demoPeople))
	}
	if r := s.do("GET", "/api/v1/signals?within_days=60", tokens["case_manager"], nil); r.status != http.StatusOK {
		t.Errorf("GET /signals as the demo case manager = %d %s, want 200", r.status, r.raw)
	} else if sigs, _ := r.body["signals"].([]any); len(sigs) == 0 {
		t.Errorf("the demo case manager's signals are empty, want the demo cases' milestones")
	}
	// The demo employee's login is linked to their record and reads it.
	var demoEmployee, linkedTo string
	if err := owner.QueryRow(ctx, `SELECT id::text, coalesce(user_id::text, '') FROM hr.employees WHERE employee_number = 'B-1001'`).
		Scan(&demoEmployee, &linkedTo); err != nil {
		t.Fatal(err)
	}
	for _, l := range second.Logins {
		if l.Role == string(access.RoleEmployee) && l.UserID != linkedTo {
			t.Errorf("demo employee record B-1001 is linked to %q, want the demo employee login %s", linkedTo, l.UserID)
		}
	}
	if r := s.do("GET", "/api/v1/employees/"+demoEmployee+"/absences", tokens["employee"], nil); r.status != http.StatusOK {
		t.Errorf("GET own absences as the demo employee = %d %s, want 200", r.status, r.raw)
	} else if cases, _ := r.body["absences"].([]any); len(cases) != 1 {
		t.Errorf("the demo employee sees %d cases, want 1: %s", len(cases), r.raw)
	}
	// Two demo dossiers with an entry of every kind, each once.
	var dossiers, entries, kinds int
	if err := owner.QueryRow(ctx, `SELECT count(DISTINCT d.id), count(e.id), count(DISTINCT e.kind)
		FROM medical.dossiers d JOIN medical.entries e ON e.dossier_id = d.id`).Scan(&dossiers, &entries, &kinds); err != nil {
		t.Fatal(err)
	}
	if dossiers != 2 || entries != 14 || kinds != 7 {
		t.Errorf("after two seed runs: %d dossiers, %d entries of %d kinds; want 2, 14, 7", dossiers, entries, kinds)
	}
	// The demo employee's copy request waits in the demo physician's queue,
	// and the access request in the privacy officer's register, once each.
	var copies, accesses int
	if err := owner.QueryRow(ctx, `SELECT count(*) FILTER (WHERE type = 'copy'), count(*) FILTER (WHERE type = 'access')
		FROM hr.requests WHERE employee_id = $1 AND status = 'received'`, demoEmployee).Scan(&copies, &accesses); err != nil {
		t.Fatal(err)
	}
	if copies != 1 || accesses != 1 {
		t.Errorf("after two seed runs: %d copy and %d access requests of the demo employee, want 1 and 1", copies, accesses)
	}
	if r := s.do("GET", "/api/v1/requests", tokens["physician"], nil); r.status != http.StatusOK || !strings.Contains(r.raw, `"copy"`) {
		t.Errorf("GET /requests as the demo physician = %d %s, want 200 with the copy request", r.status, r.raw)
	}
	// The demo case manager's overview lists the employees of both demo
	// employers: it is assigned to each.
	if r := s.portal("GET", "/werkgever", tokens["case_manager"], nil); r.status != http.StatusOK ||
		!strings.Contains(r.body, "Özdemir") || !strings.Contains(r.body, "Visser") {
		t.Errorf("GET /werkgever as the demo case manager = %d, want 200 listing Özdemir (Demo Bouw) and Visser (Demo Zorg)", r.status)
	}
	// The first run's credentials were replaced.
	if r := s.login(first.Logins[0].Email, first.Logins[0].Password, code(t, first.Logins[0].TOTPSecret, time.Now())); r.status == http.StatusOK {
		t.Errorf("login with the credentials of the first seed run = 200, want refused after reseeding")
	}
}

// TestSeedRefusesWithoutDemo runs the real `seed` on a database of its own:
// without ARBOKLUIS_DEMO=1 (unset, or 0) it exits non-zero, prints no
// login and writes nothing; with it, it seeds.
func TestSeedRefusesWithoutDemo(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	e := testenv.FreshDatabase(t)
	owner := testenv.Pool(t, e.MigrateURL)
	rows := func() (n int) {
		t.Helper()
		if err := owner.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM hr.employers) + (SELECT count(*) FROM hr.users)
			+ (SELECT count(*) FROM hr.employees) + (SELECT count(*) FROM audit.outbox) + (SELECT count(*) FROM audit.events)`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	seedWith := func(demo ...string) (int, string, string) {
		t.Helper()
		cmd := exec.Command(bin, "seed", "--json")
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "ARBOKLUIS_") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, "ARBOKLUIS_HR_DATABASE_URL="+e.HRURL, "ARBOKLUIS_MED_DATABASE_URL="+e.MedURL,
			"ARBOKLUIS_AUDIT_DATABASE_URL="+e.AuditURL, "ARBOKLUIS_VAULT_ADDR="+e.VaultAddr,
			"ARBOKLUIS_VAULT_TOKEN="+e.VaultToken, "ARBOKLUIS_VAULT_TRANSIT_MOUNT="+e.TransitMount)
		cmd.Env = append(cmd.Env, demo...)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatalf("run seed: %v", err)
		}
		return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
	}

	before := rows()
	for _, demo := range [][]string{nil, {"ARBOKLUIS_DEMO=0"}} {
		code, stdout, stderr := seedWith(demo...)
		if code == 0 || stdout != "" || !strings.Contains(stderr, "ARBOKLUIS_DEMO=1") {
			t.Errorf("seed with %v = exit %d, stdout %q, stderr %q; want non-zero, nothing printed, the reason naming ARBOKLUIS_DEMO=1",
				demo, code, stdout, stderr)
		}
		if after := rows(); after != before {
			t.Errorf("seed with %v refused but the database went from %d to %d rows, want it unchanged", demo, before, after)
		}
	}
	if code, stdout, stderr := seedWith("ARBOKLUIS_DEMO=1"); code != 0 || !strings.Contains(stdout, `"logins"`) {
		t.Errorf("seed with ARBOKLUIS_DEMO=1 = exit %d, stdout %.100q, stderr %.300q; want 0 and the logins", code, stdout, stderr)
	}
}
