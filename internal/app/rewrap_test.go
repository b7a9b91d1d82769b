package app

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/arbokluis/arbokluis/internal/testenv"
)

// TestDossierRewrap: `dossier rewrap --rotate` rotates every dossier key and
// moves entries and attachment keys to the new version; the next plain run
// refuses the old version for decryption; everything still reads.
func TestDossierRewrap(t *testing.T) {
	t.Parallel()
	env := testenv.FreshDatabase(t)
	s := newStackWith(t, env, nil)
	w := newDossierWorldOn(t, s)
	texts := map[string]bool{}
	for _, txt := range []string{"eerste", "tweede", "derde"} {
		if r := s.do("POST", w.entries(), w.tokens["physician"], map[string]any{"kind": "note", "text": txt}); r.status != http.StatusCreated {
			t.Fatalf("POST entry = %d %s", r.status, r.raw)
		}
		texts[txt] = true
	}
	letter := testenv.PDF("brief")
	up := s.do("POST", "/api/v1/employees/"+w.employee.String()+"/dossier/attachments", w.tokens["physician"], rawBody{"application/pdf", letter})
	if up.status != http.StatusCreated {
		t.Fatalf("upload = %d %s", up.status, up.raw)
	}
	versions := func() (entries, attachments string) {
		t.Helper()
		if err := w.owner.QueryRow(context.Background(), `
			SELECT (SELECT string_agg(DISTINCT key_version::text, ',') FROM medical.entries e JOIN medical.dossiers d ON d.id = e.dossier_id WHERE d.employee_id = $1),
			       (SELECT string_agg(DISTINCT substring(wrapped_key from '^vault:(v[0-9]+):'), ',') FROM medical.attachments a JOIN medical.dossiers d ON d.id = a.dossier_id WHERE d.employee_id = $1)`,
			w.employee).Scan(&entries, &attachments); err != nil {
			t.Fatal(err)
		}
		return entries, attachments
	}
	if e, a := versions(); e != "1" || a != "v1" {
		t.Fatalf("before: entry versions %q, attachment key versions %q; want 1 and v1", e, a)
	}
	cfg := configFor(env)
	var out bytes.Buffer
	if err := Rewrap(context.Background(), cfg, true, &out); err != nil {
		t.Fatalf("dossier rewrap --rotate: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "3 entries and 1 attachments rewrapped to v2") || strings.Contains(out.String(), "eerste") {
		t.Errorf("dossier rewrap --rotate printed %q, want the counts for v2 and no content", out.String())
	}
	if e, a := versions(); e != "2" || a != "v2" {
		t.Errorf("after rotation: entry versions %q, attachment key versions %q; want 2 and v2", e, a)
	}
	out.Reset()
	if err := Rewrap(context.Background(), cfg, false, &out); err != nil {
		t.Fatalf("dossier rewrap: %v", err)
	}
	if !strings.Contains(out.String(), "0 entries and 0 attachments rewrapped to v2; older versions no longer decrypt") {
		t.Errorf("dossier rewrap printed %q, want nothing left to rewrap and the old version refused", out.String())
	}
	var key string
	if err := w.owner.QueryRow(context.Background(), `SELECT key_name FROM medical.dossiers WHERE employee_id = $1`, w.employee).Scan(&key); err != nil {
		t.Fatal(err)
	}
	vc, err := newVault(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if latest, minimum, err := vc.KeyVersions(context.Background(), key); err != nil || latest != 2 || minimum != 2 {
		t.Errorf("KeyVersions(%s) = %d, %d, %v; want 2, 2", key, latest, minimum, err)
	}
	r := s.do("GET", w.entries(), w.tokens["physician"], nil)
	if r.status != http.StatusOK {
		t.Fatalf("GET entries after rewrap = %d %s", r.status, r.raw)
	}
	for _, x := range r.body["entries"].([]any) {
		delete(texts, x.(map[string]any)["text"].(string))
	}
	if len(texts) != 0 {
		t.Errorf("entries not read back after rewrap: %v", texts)
	}
	if r := s.do("GET", "/api/v1/employees/"+w.employee.String()+"/dossier/attachments/"+up.body["id"].(string), w.tokens["physician"], nil); r.status != http.StatusOK || r.raw != string(letter) {
		t.Errorf("GET attachment after rewrap = %d, want 200 with the letter", r.status)
	}
}
