package app

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// TestEmployerSettingsUpdate: an admin changes a tenant's contract
// settings through PATCH /api/v1/employers/{id} — only the fields sent,
// audited with the tenant's id; bad input and a patch that changes nothing
// are 400 with nothing written; the tenant's own employer user learns they
// may not (403), an unknown id is 404.
func TestEmployerSettingsUpdate(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	owner := testenv.Pool(t, s.env.MigrateURL)
	tenant := s.addEmployer()
	admin := s.session(s.addUser(access.RoleAdmin, uuid.Nil))
	er := s.session(s.addUser(access.RoleEmployer, tenant))
	path := "/api/v1/employers/" + tenant.String()
	stored := func() string {
		t.Helper()
		var out string
		if err := owner.QueryRow(context.Background(), `SELECT name || '/' || share_advice_with_employer::text || '/' ||
			array_to_string(mail_domains, ',') FROM hr.employers WHERE id = $1`, tenant).Scan(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	audited := func() int {
		t.Helper()
		var n int
		if err := owner.QueryRow(context.Background(), `SELECT
			(SELECT count(*) FROM audit.outbox WHERE object_kind = 'employer' AND object_id = $1 AND action = 'update') +
			(SELECT count(*) FROM audit.events WHERE object_kind = 'employer' AND object_id = $1 AND action = 'update')`,
			tenant.String()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := stored()
	for _, tc := range []struct {
		name  string
		token string
		path  string
		body  map[string]any
		want  int
	}{
		{"a bad domain", admin, path, map[string]any{"mail_domains": []string{"Niet.Goed"}}, http.StatusBadRequest},
		{"an empty name", admin, path, map[string]any{"name": " "}, http.StatusBadRequest},
		{"nothing to change", admin, path, map[string]any{}, http.StatusBadRequest},
		{"an unknown field", admin, path, map[string]any{"kvk_number": "12345678"}, http.StatusBadRequest},
		{"the tenant's employer user", er, path, map[string]any{"share_advice_with_employer": true}, http.StatusForbidden},
		{"an unknown tenant", admin, "/api/v1/employers/" + uuid.NewString(), map[string]any{"share_advice_with_employer": true}, http.StatusNotFound},
	} {
		if r := s.do("PATCH", tc.path, tc.token, tc.body); r.status != tc.want {
			t.Errorf("PATCH %s (%s) = %d %s, want %d", tc.path, tc.name, r.status, r.raw, tc.want)
		}
	}
	if got := stored(); got != before {
		t.Fatalf("refused patches changed the tenant from %q to %q", before, got)
	}
	if n := audited(); n != 0 {
		t.Errorf("refused patches wrote %d update events, want 0", n)
	}
	r := s.do("PATCH", path, admin, map[string]any{"share_advice_with_employer": true, "mail_domains": []string{"firma.test", "firma.nl"}})
	if r.status != http.StatusOK || r.body["share_advice_with_employer"] != true {
		t.Fatalf("PATCH %s = %d %s, want 200 with sharing on", path, r.status, r.raw)
	}
	want := before[:len(before)-len("false/")] + "true/firma.test,firma.nl"
	if got := stored(); got != want {
		t.Errorf("the tenant after the patch = %q, want %q (the name unchanged)", got, want)
	}
	if n := audited(); n != 1 {
		t.Errorf("the patch wrote %d update events, want 1", n)
	}
	if g := s.do("GET", path, er, nil); g.status != http.StatusOK || g.body["share_advice_with_employer"] != true {
		t.Errorf("GET %s as the employer after the patch = %d %s, want sharing on", path, g.status, g.raw)
	}
}
