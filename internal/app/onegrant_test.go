package app

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
)

// TestSignalsOfTwoGrantsAreEachGrantsOwn: an HR user of one client who is
// also a case manager for another sees the signals of both, each under its
// own grant: the other client's safety-net report (the case manager's to
// know), never the own client's (DESIGN §1, domain.md: the employer may
// know that a safety-net rule applies, not which). Before a request was
// decided under one grant, the merged scope let the case manager role list
// the employer's own tenant.
func TestSignalsOfTwoGrantsAreEachGrantsOwn(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	both := w.s.addUser(access.RoleCaseManager, w.other)
	if _, err := w.owner.Exec(context.Background(), `INSERT INTO hr.role_grants (user_id, role, employer_id, status, decided_at)
		VALUES ($1, 'employer', $2, 'active', now())`, both.userID, w.tenant); err != nil {
		t.Fatalf("second grant: %v", err)
	}
	tok := w.s.session(both)

	// A safety-net case in each tenant, the type set by each tenant's case
	// manager; the other tenant's employee is written directly.
	other := uuid.New()
	if _, err := w.owner.Exec(context.Background(), `INSERT INTO hr.employees (id, employer_id, employee_number, first_name, last_name,
		date_of_birth, employment_start) VALUES ($1, $2, 'P1', 'Twee', 'Rollen', '1980-01-01', '2010-01-01')`, other, w.other); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct{ employee, reporter, manager string }{
		w.tenant.String(): {w.employee(t, "Eigen", "Klant"), w.er, w.cm},
		w.other.String():  {other.String(), w.cmOther, w.cmOther},
	}
	for tenant, c := range cases {
		r := w.s.do("POST", "/api/v1/employees/"+c.employee+"/absences", c.reporter,
			map[string]any{"first_sick_day": day(w.today.AddDate(0, 0, -20)), "percentage": 100, "vangnet": true})
		if r.status != http.StatusCreated {
			t.Fatalf("report in %s = %d %s", tenant, r.status, r.raw)
		}
		if r := w.s.do("POST", "/api/v1/absences/"+r.body["id"].(string)+"/vangnet", c.manager,
			map[string]any{"type": "no_risk"}); r.status != http.StatusOK {
			t.Fatalf("vangnet type in %s = %d %s", tenant, r.status, r.raw)
		}
	}

	// Small pages, so that the merge of the two grants' lists is paged too.
	kinds := map[string][]string{}
	var dues []string
	seen := map[string]bool{}
	after := ""
	for page := 0; page < 20; page++ {
		path := "/api/v1/signals?within_days=60&limit=2"
		if after != "" {
			path += "&after=" + after
		}
		r := w.s.do("GET", path, tok, nil)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s = %d %s", path, r.status, r.raw)
		}
		for _, x := range r.body["signals"].([]any) {
			s := x.(map[string]any)
			key := s["absence_id"].(string) + "/" + s["kind"].(string)
			if seen[key] {
				t.Errorf("signal %s listed twice", key)
			}
			seen[key] = true
			kinds[s["employer_id"].(string)] = append(kinds[s["employer_id"].(string)], s["kind"].(string))
			dues = append(dues, s["due"].(string))
		}
		if after, _ = r.body["next_after"].(string); after == "" {
			break
		}
	}
	for i := 1; i < len(dues); i++ {
		if dues[i] < dues[i-1] {
			t.Errorf("signals due %v: want oldest first", dues)
			break
		}
	}
	has := func(ks []string, k string) bool {
		for _, x := range ks {
			if x == k {
				return true
			}
		}
		return false
	}
	// Both cases (D 20 days ago) have the problem analysis due within 60
	// days; the safety-net report is due at D+41 (no-risk policy).
	if own := kinds[w.tenant.String()]; !has(own, "problem_analysis") || has(own, "uwv_report_vangnet") {
		t.Errorf("signals of the own tenant (as its employer) = %v, want the problem analysis and no safety-net report", own)
	}
	if managed := kinds[w.other.String()]; !has(managed, "problem_analysis") || !has(managed, "uwv_report_vangnet") {
		t.Errorf("signals of the managed tenant (as its case manager) = %v, want the problem analysis and the safety-net report", managed)
	}
}
