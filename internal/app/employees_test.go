package app

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
)

func TestBSNIsSealedAndShownPerRole(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	// A physician assigned to the tenant, to see the masked form.
	physician := w.s.addUser(access.RolePhysician, uuid.Nil)
	admin, lead := w.s.addUser(access.RoleAdmin, uuid.Nil), w.s.addUser(access.RoleLeadPhysician, uuid.Nil)
	if _, err := w.owner.Exec(context.Background(), `INSERT INTO hr.physician_assignments (employer_id, physician_id, status, proposed_by, approved_by, decided_at)
		VALUES ($1, $2, 'active', $3, $4, now())`, w.tenant, physician.userID, admin.userID, lead.userID); err != nil {
		t.Fatal(err)
	}
	const bsn = "111222333" // 9·1+8·1+7·1+6·2+5·2+4·2+3·3+2·3−1·3 = 66 = 6·11
	r := w.s.do("POST", "/api/v1/employers/"+w.tenant.String()+"/employees", w.er, map[string]any{
		"employee_number": "BSN1", "first_name": "Gérard", "last_name": "Özdemir", "date_of_birth": "1980-06-15",
		"employment_start": "2015-01-01", "bsn": "1112.22.333"})
	id, _ := r.body["id"].(string)
	if r.status != http.StatusCreated || r.body["bsn"] != bsn {
		t.Fatalf("create with a BSN = %d %s, want 201 with the BSN in full for the employer", r.status, r.raw)
	}
	var stored, hash string
	if err := w.owner.QueryRow(context.Background(), `SELECT bsn_ciphertext, bsn_hash FROM hr.employees WHERE id = $1`, id).Scan(&stored, &hash); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored, bsn) || strings.Contains(hash, bsn) || !strings.HasPrefix(stored, "vault:") {
		t.Errorf("hr.employees holds the BSN as %q / %q, want Vault ciphertext and hmac only", stored, hash)
	}
	for _, tc := range []struct {
		who, token, want string
	}{
		{"employer", w.er, bsn},
		{"case manager", w.cm, bsn},
		{"labour expert", w.le, "******333"},
		{"physician", w.s.session(physician), "******333"},
	} {
		got := w.s.do("GET", "/api/v1/employees/"+id, tc.token, nil)
		if got.status != http.StatusOK || got.body["bsn"] != tc.want {
			t.Errorf("GET employee as %s = %d bsn %v, want 200 bsn %q", tc.who, got.status, got.body["bsn"], tc.want)
		}
		if tc.want != bsn && strings.Contains(got.raw, bsn) {
			t.Errorf("GET employee as %s shows the full BSN: %s", tc.who, got.raw)
		}
	}
	// The keyed hash makes a second registration at the employer a conflict.
	dup := w.s.do("POST", "/api/v1/employers/"+w.tenant.String()+"/employees", w.cm, map[string]any{
		"employee_number": "BSN2", "first_name": "Ander", "last_name": "Persoon", "date_of_birth": "1981-06-15",
		"employment_start": "2015-01-01", "bsn": bsn})
	if dup.status != http.StatusConflict {
		t.Errorf("second employee with the same BSN = %d %s, want 409", dup.status, dup.raw)
	}
	if strings.Contains(w.s.logs.String(), bsn) {
		t.Errorf("the BSN appears in the server log")
	}
}

func TestEmployeeImportIsAllOrNothing(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	path := "/api/v1/employers/" + w.tenant.String() + "/employees/import"
	count := func() int {
		t.Helper()
		var n int
		if err := w.owner.QueryRow(context.Background(), `SELECT count(*) FROM hr.employees WHERE employer_id = $1`, w.tenant).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	good := importColumns + "\n" +
		"IMP-1,Gérard,Özdemir,1980-01-01,2010-01-01,,gerard@prive.test,,111222333\n" +
		"IMP-2,Ĳsbrand,Smit,1975-06-18,2012-03-01,2030-12-31,,+31 6 1234 5678,\n"
	r := w.s.do("POST", path, w.er, rawBody{"text/csv", []byte(good)})
	if r.status != http.StatusCreated || len(r.body["employees"].([]any)) != 2 {
		t.Fatalf("import of two good rows = %d %s, want 201 with two employees", r.status, r.raw)
	}
	before := count()
	for _, tc := range []struct {
		name, csv string
		wantKeys  []string
	}{
		{"a number already used", importColumns + "\nIMP-3,Anna,Smit,1980-01-01,2010-01-01,,,,\nIMP-1,Jan,Jansen,1980-01-01,2010-01-01,,,,\n",
			[]string{"row 2: employee_number"}},
		{"a BSN already registered", importColumns + "\nIMP-4,Anna,Smit,1980-01-01,2010-01-01,,,,111222333\n",
			[]string{"row 1: bsn"}},
		{"broken rows", importColumns + "\nIMP-5,,Smit,1980-02-30,2010-01-01,,,,\nIMP-6,Jan,Jansen,1980-01-01,2010-01-01,,not-an-email,,123456789\n",
			[]string{"row 1: first_name", "row 1: date_of_birth", "row 2: email", "row 2: bsn"}},
		{"a repeated number within the file", importColumns + "\nIMP-7,Anna,Smit,1980-01-01,2010-01-01,,,,\nIMP-7,Jan,Jansen,1980-01-01,2010-01-01,,,,\n",
			[]string{"row 2: employee_number"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.s.do("POST", path, w.cm, rawBody{"text/csv", []byte(tc.csv)})
			if r.status != http.StatusBadRequest {
				t.Fatalf("import with %s = %d %s, want 400", tc.name, r.status, r.raw)
			}
			errs, _ := r.body["errors"].(map[string]any)
			for _, k := range tc.wantKeys {
				if _, ok := errs[k]; !ok {
					t.Errorf("import with %s: errors %v lack %q", tc.name, errs, k)
				}
			}
			if strings.Contains(r.raw, "not-an-email") || strings.Contains(r.raw, "123456789") {
				t.Errorf("import errors echo the file's contents: %s", r.raw)
			}
			if got := count(); got != before {
				t.Errorf("import with %s changed the employees from %d to %d, want nothing written", tc.name, before, got)
			}
		})
	}
	if r := w.s.do("POST", path, w.cm, map[string]any{"rows": []string{}}); r.status != http.StatusBadRequest {
		t.Errorf("import as JSON = %d, want 400 (text/csv only)", r.status)
	}
	if r := w.s.do("POST", "/api/v1/employers/"+w.other.String()+"/employees/import", w.er, rawBody{"text/csv", []byte(good)}); r.status != http.StatusNotFound {
		t.Errorf("import into another tenant = %d, want 404", r.status)
	}
}
