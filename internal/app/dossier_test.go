package app

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// dossierWorld is one tenant whose assigned physician keeps the dossier of
// one employee, with an assistant under a valid statement for that
// physician, an unassigned physician, and the HR roles of the tenant.
type dossierWorld struct {
	s                    *stack
	owner                *pgxpool.Pool
	tenant               uuid.UUID
	employee             uuid.UUID
	physician, assistant login
	tokens               map[string]string
	// employeeLogin is the employee's own login (for the portal).
	employeeLogin login
}

func newDossierWorld(t *testing.T) *dossierWorld {
	t.Helper()
	return newDossierWorldOn(t, newStack(t))
}

// newFreshDossierWorld builds the world on a database of its own. Tests
// that count a whole table before and after a refused write use it: the
// other tests, running in parallel, write into the shared database.
func newFreshDossierWorld(t *testing.T) *dossierWorld {
	t.Helper()
	return newDossierWorldOn(t, newStackWith(t, testenv.FreshDatabase(t), nil))
}

// newDossierWorldOn builds the world on the server of s.
func newDossierWorldOn(t *testing.T, s *stack) *dossierWorld {
	t.Helper()
	w := &dossierWorld{s: s, owner: testenv.Pool(t, s.env.MigrateURL), tenant: s.addEmployer(), employee: uuid.New(),
		tokens: map[string]string{}}
	admin, lead := s.addUser(access.RoleAdmin, uuid.Nil), s.addUser(access.RoleLeadPhysician, uuid.Nil)
	w.physician, w.assistant = s.addUser(access.RolePhysician, uuid.Nil), s.addUser(access.RoleMedicalAssistant, uuid.Nil)
	ee := s.addUser(access.RoleEmployee, w.tenant)
	w.employeeLogin = ee
	ctx := context.Background()
	today := nowNL()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO hr.employees (id, employer_id, employee_number, first_name, last_name, date_of_birth, employment_start, user_id)
			VALUES ($1, $2, $3, 'Dossier', 'Persoon', '1980-01-01', '2020-01-01', $4)`,
			[]any{w.employee, w.tenant, "D" + w.employee.String()[:8], ee.userID}},
		{`INSERT INTO hr.physician_assignments (employer_id, physician_id, status, proposed_by, approved_by, decided_at)
			VALUES ($1, $2, 'active', $3, $4, now())`, []any{w.tenant, w.physician.userID, admin.userID, lead.userID}},
		{`INSERT INTO hr.confidentiality_statements (assistant_user_id, physician_user_id, signed_on, expires_on, recorded_by, status)
			VALUES ($1, $2, $3, $4, $5, 'active')`,
			[]any{w.assistant.userID, w.physician.userID, today.AddDate(0, -1, 0), today.AddDate(1, 0, 0), admin.userID}},
	} {
		if _, err := w.owner.Exec(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("fixture %s: %v", strings.Fields(q.sql)[2], err)
		}
	}
	for name, l := range map[string]login{
		"physician": w.physician, "assistant": w.assistant, "lead": lead, "admin": admin, "employee": ee,
		"other_physician": s.addUser(access.RolePhysician, uuid.Nil),
		"employer":        s.addUser(access.RoleEmployer, w.tenant),
		"case_manager":    s.addUser(access.RoleCaseManager, w.tenant),
		"labour_expert":   s.addUser(access.RoleLabourExpert, w.tenant),
		"privacy_officer": s.addUser(access.RolePrivacyOfficer, uuid.Nil),
	} {
		w.tokens[name] = s.session(l)
	}
	return w
}

func (w *dossierWorld) entries() string {
	return "/api/v1/employees/" + w.employee.String() + "/dossier/entries"
}

// count returns a row count of the medical schema, as the owner.
func (w *dossierWorld) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := w.owner.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("count %q: %v", sql, err)
	}
	return n
}

func TestDossierEntries(t *testing.T) {
	t.Parallel()
	w := newFreshDossierWorld(t) // counts all of medical.entries
	canary := "canary" + strings.ReplaceAll(uuid.NewString(), "-", "")

	// Nobody outside the dossier's care creates it by writing.
	for _, who := range []string{"other_physician", "lead", "employer", "case_manager", "employee", "admin"} {
		r := w.s.do("POST", w.entries(), w.tokens[who], map[string]any{"kind": "note", "text": canary})
		if r.status != http.StatusNotFound {
			t.Errorf("POST entry as %s before any dossier = %d %s, want 404", who, r.status, r.raw)
		}
	}
	if n := w.count(t, `SELECT count(*) FROM medical.dossiers WHERE employee_id = $1`, w.employee); n != 0 {
		t.Fatalf("refused writes created %d dossiers, want 0", n)
	}

	// The responsible physician writes one entry of every kind; the first
	// write creates the dossier and its key.
	ids := map[string]string{}
	for _, kind := range []string{"consultation", "note", "diagnosis", "treating_physician_info", "examination", "own_statement", "working_note"} {
		r := w.s.do("POST", w.entries(), w.tokens["physician"], map[string]any{
			"kind": kind, "text": kind + " " + canary, "occurred_on": nowNL().AddDate(0, 0, -3).Format(time.DateOnly)})
		if r.status != http.StatusCreated || r.body["kind"] != kind || r.body["version"] != float64(1) {
			t.Fatalf("POST %s entry as the physician = %d %s, want 201 version 1", kind, r.status, r.raw)
		}
		if r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("POST %s entry: Cache-Control = %q, want no-store", kind, r.header.Get("Cache-Control"))
		}
		ids[kind] = r.body["id"].(string)
	}
	var keyName string
	var ready *time.Time
	if err := w.owner.QueryRow(context.Background(), `SELECT key_name, key_ready_at FROM medical.dossiers WHERE employee_id = $1`,
		w.employee).Scan(&keyName, &ready); err != nil || ready == nil || !strings.HasPrefix(keyName, "dossier-") || !strings.HasSuffix(keyName, "-g1") {
		t.Fatalf("dossier key = %q ready %v (%v), want dossier-<id>-g1, ready", keyName, ready, err)
	}
	// Stored as ciphertext only.
	if n := w.count(t, `SELECT count(*) FROM medical.entries e JOIN medical.dossiers d ON d.id = e.dossier_id
		WHERE d.employee_id = $1 AND e.ciphertext LIKE 'vault:v1:%' AND strpos(e.ciphertext, $2) = 0`, w.employee, canary); n != 7 {
		t.Errorf("entries stored as vault:v1 ciphertext without the canary = %d, want 7", n)
	}

	list := func(who string) (int, map[string]string) {
		t.Helper()
		r := w.s.do("GET", w.entries(), w.tokens[who], nil)
		texts := map[string]string{}
		if r.status == http.StatusOK {
			for _, x := range r.body["entries"].([]any) {
				m := x.(map[string]any)
				texts[m["kind"].(string)] = m["text"].(string)
			}
		}
		return r.status, texts
	}
	status, texts := list("physician")
	if status != http.StatusOK || len(texts) != 7 || texts["diagnosis"] != "diagnosis "+canary {
		t.Errorf("list as the physician = %d with %d kinds (diagnosis %q), want 200 with all 7 decrypted", status, len(texts), texts["diagnosis"])
	}
	status, texts = list("assistant")
	if _, seen := texts["working_note"]; status != http.StatusOK || len(texts) != 6 || seen {
		t.Errorf("list as the assistant = %d with kinds %v, want 200 with 6 (never the physician's working note)", status, texts)
	}
	for _, who := range []string{"other_physician", "lead", "employer", "case_manager", "labour_expert", "privacy_officer", "admin", "employee"} {
		if status, _ := list(who); status != http.StatusNotFound {
			t.Errorf("list entries as %s = %d, want 404", who, status)
		}
		r := w.s.do("GET", w.entries()+"/"+ids["note"], w.tokens[who], nil)
		if r.status != http.StatusNotFound || strings.Contains(r.raw, canary) {
			t.Errorf("GET entry as %s = %d, want 404 without content", who, r.status)
		}
	}
	if r := w.s.do("GET", w.entries()+"/"+ids["working_note"], w.tokens["assistant"], nil); r.status != http.StatusNotFound {
		t.Errorf("GET the physician's working note as the assistant = %d, want 404", r.status)
	}

	// The assistant writes on the physician's behalf, never a diagnosis or
	// working note.
	r := w.s.do("POST", w.entries(), w.tokens["assistant"], map[string]any{"kind": "consultation", "text": "assistent " + canary})
	if r.status != http.StatusCreated || r.body["on_behalf_of"] != w.physician.userID.String() {
		t.Errorf("POST consultation as the assistant = %d %s, want 201 on behalf of the physician", r.status, r.raw)
	}
	for _, kind := range []string{"diagnosis", "working_note"} {
		before := w.count(t, `SELECT count(*) FROM medical.entries`)
		if r := w.s.do("POST", w.entries(), w.tokens["assistant"], map[string]any{"kind": kind, "text": canary}); r.status != http.StatusForbidden {
			t.Errorf("POST %s as the assistant = %d %s, want 403", kind, r.status, r.raw)
		}
		if after := w.count(t, `SELECT count(*) FROM medical.entries`); after != before {
			t.Errorf("refused %s write changed medical.entries from %d to %d", kind, before, after)
		}
	}
	var behalf int
	if err := w.owner.QueryRow(context.Background(), `
		SELECT (SELECT count(*) FROM audit.outbox WHERE actor_user_id = $1 AND on_behalf_of = $2 AND action = 'create' AND object_kind = 'dossier_entry')
		     + (SELECT count(*) FROM audit.events WHERE actor_user_id = $1 AND on_behalf_of = $2 AND action = 'create' AND object_kind = 'dossier_entry')`,
		w.assistant.userID, w.physician.userID).Scan(&behalf); err != nil || behalf != 1 {
		t.Errorf("audited assistant writes on behalf of the physician = %d (%v), want 1", behalf, err)
	}

	// A correction is a new version; the old one stays, and only the
	// current version can be corrected.
	corr := w.s.do("POST", w.entries()+"/"+ids["consultation"]+"/corrections", w.tokens["physician"], map[string]any{"text": "gecorrigeerd " + canary})
	if corr.status != http.StatusCreated || corr.body["version"] != float64(2) || corr.body["supersedes"] != ids["consultation"] {
		t.Fatalf("correct the consultation = %d %s, want 201 version 2 superseding it", corr.status, corr.raw)
	}
	if r := w.s.do("POST", w.entries()+"/"+ids["consultation"]+"/corrections", w.tokens["physician"], map[string]any{"text": "nogmaals"}); r.status != http.StatusConflict {
		t.Errorf("correct a superseded version = %d %s, want 409", r.status, r.raw)
	}
	old := w.s.do("GET", w.entries()+"/"+ids["consultation"], w.tokens["physician"], nil)
	if old.status != http.StatusOK || old.body["text"] != "consultation "+canary || old.body["superseded_by"] != corr.body["id"] {
		t.Errorf("GET the corrected version = %d %s, want its original text, superseded by the correction", old.status, old.raw)
	}
	if r := w.s.do("POST", w.entries()+"/"+ids["diagnosis"]+"/corrections", w.tokens["assistant"], map[string]any{"text": "x"}); r.status != http.StatusForbidden {
		t.Errorf("correct a diagnosis as the assistant = %d, want 403", r.status)
	}
	_, texts = list("physician")
	if texts["consultation"] != "gecorrigeerd "+canary {
		t.Errorf("list after correction shows consultation %q, want the current version", texts["consultation"])
	}
	if n := w.count(t, `SELECT count(*) FROM medical.entries e JOIN medical.dossiers d ON d.id = e.dossier_id WHERE d.employee_id = $1`, w.employee); n != 9 {
		t.Errorf("entries in the dossier = %d, want 9 (7, the assistant's, the correction)", n)
	}

	// Bad input answers 400 and writes nothing.
	for _, tc := range []struct {
		name string
		body any
	}{
		{"unknown kind", map[string]any{"kind": "gossip", "text": "x"}},
		{"empty text", map[string]any{"kind": "note", "text": "  "}},
		{"unknown field", map[string]any{"kind": "note", "text": "x", "employer_may_see": true}},
		{"future date", map[string]any{"kind": "note", "text": "x", "occurred_on": nowNL().AddDate(0, 0, 3).Format(time.DateOnly)}},
		{"malformed date", map[string]any{"kind": "note", "text": "x", "occurred_on": "03-03-2026"}},
		{"control characters", map[string]any{"kind": "note", "text": "a\x00b"}},
		{"text too long", map[string]any{"kind": "note", "text": strings.Repeat("é", 20001)}},
	} {
		before := w.count(t, `SELECT count(*) FROM medical.entries`)
		r := w.s.do("POST", w.entries(), w.tokens["physician"], tc.body)
		if r.status != http.StatusBadRequest || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("POST entry with %s = %d %s, want 400 problem+json", tc.name, r.status, r.raw)
		}
		if after := w.count(t, `SELECT count(*) FROM medical.entries`); after != before {
			t.Errorf("POST entry with %s changed medical.entries from %d to %d", tc.name, before, after)
		}
	}
	for _, q := range []string{"?limit=0", "?limit=201", "?after=bogus", "?page=2"} {
		if r := w.s.do("GET", w.entries()+q, w.tokens["physician"], nil); r.status != http.StatusBadRequest {
			t.Errorf("GET entries%s = %d, want 400", q, r.status)
		}
	}
}

// TestDossierEntriesPages: a 200-entry page decrypts in one Vault batch, and
// pages follow each other without repeats.
func TestDossierEntriesPages(t *testing.T) {
	t.Parallel()
	w := newDossierWorld(t)
	for i := 0; i < 7; i++ {
		if r := w.s.do("POST", w.entries(), w.tokens["physician"], map[string]any{"kind": "note", "text": "notitie " + uuid.NewString()}); r.status != http.StatusCreated {
			t.Fatalf("POST note %d = %d %s", i, r.status, r.raw)
		}
	}
	seen := map[string]bool{}
	after := ""
	for page := 0; page < 10; page++ {
		path := w.entries() + "?limit=3"
		if after != "" {
			path += "&after=" + after
		}
		r := w.s.do("GET", path, w.tokens["physician"], nil)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s = %d %s", path, r.status, r.raw)
		}
		for _, x := range r.body["entries"].([]any) {
			id := x.(map[string]any)["id"].(string)
			if seen[id] {
				t.Errorf("entry %s listed on two pages", id)
			}
			seen[id] = true
		}
		if after, _ = r.body["next_after"].(string); after == "" {
			break
		}
	}
	if len(seen) != 7 {
		t.Errorf("entries over all pages = %d, want 7", len(seen))
	}
}

// TestMovedCiphertextDoesNotOpen: a ciphertext copied into another entry's
// row fails to decrypt (the entry id is its associated data), and so does
// one taken from another dossier; the caller gets a generic 500, never
// the other entry's text.
func TestMovedCiphertextDoesNotOpen(t *testing.T) {
	t.Parallel()
	w := newDossierWorld(t)
	other := newDossierWorldOn(t, w.s)
	ctx := context.Background()
	write := func(w *dossierWorld, text string) string {
		t.Helper()
		r := w.s.do("POST", w.entries(), w.tokens["physician"], map[string]any{"kind": "note", "text": text})
		if r.status != http.StatusCreated {
			t.Fatalf("POST entry = %d %s", r.status, r.raw)
		}
		return r.body["id"].(string)
	}
	a, b, foreign := write(w, "eerste "+uuid.NewString()), write(w, "tweede"), write(other, "elders "+uuid.NewString())
	for _, tc := range []struct {
		name, from string
	}{{"copied from another entry", a}, {"taken from another dossier", foreign}} {
		if _, err := w.owner.Exec(ctx, `UPDATE medical.entries SET ciphertext = (SELECT ciphertext FROM medical.entries WHERE id = $2) WHERE id = $1`,
			b, tc.from); err != nil {
			t.Fatal(err)
		}
		r := w.s.do("GET", w.entries()+"/"+b, w.tokens["physician"], nil)
		if r.status != http.StatusInternalServerError || strings.Contains(r.raw, "eerste") || strings.Contains(r.raw, "elders") {
			t.Errorf("GET an entry whose ciphertext was %s = %d %s, want a generic 500", tc.name, r.status, r.raw)
		}
	}
	if r := w.s.do("GET", w.entries()+"/"+a, w.tokens["physician"], nil); r.status != http.StatusOK {
		t.Errorf("GET the untouched entry = %d, want 200", r.status)
	}
}

// TestDossierAttachments: letters and reports are envelope-encrypted under
// a data key from the dossier's Vault key, checked for their content type,
// bounded in size, and readable only by those in the dossier's care.
func TestDossierAttachments(t *testing.T) {
	t.Parallel()
	w := newFreshDossierWorld(t) // counts all of medical.attachments
	base := "/api/v1/employees/" + w.employee.String() + "/dossier/attachments"
	marker := "brief" + strings.ReplaceAll(uuid.NewString(), "-", "")
	letter := testenv.PDF(marker)
	png := testenv.PNG(marker)
	other := newDossierWorldOn(t, w.s)
	r := other.s.do("POST", other.entries(), other.tokens["physician"], map[string]any{"kind": "note", "text": "elders"})
	foreignEntry := r.body["id"].(string)

	for _, tc := range []struct {
		name  string
		query string
		body  rawBody
		want  int
	}{
		{"a PDF claimed as PNG", "", rawBody{"image/png", letter}, http.StatusBadRequest},
		{"a %PDF- header alone", "", rawBody{"application/pdf", []byte("%PDF-1.4\n")}, http.StatusBadRequest},
		{"a PDF header and %%EOF", "", rawBody{"application/pdf", []byte("%PDF-1.4\n% " + marker + "\n%%EOF\n")}, http.StatusBadRequest},
		{"a truncated PDF", "", rawBody{"application/pdf", letter[:len(letter)-30]}, http.StatusBadRequest},
		{"a PDF/HTML polyglot", "", rawBody{"application/pdf", testenv.PDF("<html><script>alert(document.cookie)</script>")}, http.StatusBadRequest},
		{"a PDF with HTML after %%EOF", "", rawBody{"application/pdf", append(append([]byte{}, letter...), "<html><script>x()</script>"...)}, http.StatusBadRequest},
		{"a PNG signature and IHDR only", "", rawBody{"image/png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + marker)}, http.StatusBadRequest},
		{"a truncated PNG", "", rawBody{"image/png", png[:len(png)-8]}, http.StatusBadRequest},
		{"a truncated JPEG", "", rawBody{"image/jpeg", testenv.JPEG()[:200]}, http.StatusBadRequest},
		{"plain text", "", rawBody{"text/plain", []byte(marker)}, http.StatusBadRequest},
		{"an empty body", "", rawBody{"application/pdf", nil}, http.StatusBadRequest},
		{"too large", "", rawBody{"application/pdf", append([]byte("%PDF-1.4\n"), make([]byte, 1<<20)...)}, http.StatusRequestEntityTooLarge},
		{"an entry of another dossier", "?entry_id=" + foreignEntry, rawBody{"application/pdf", letter}, http.StatusBadRequest},
		{"an unknown parameter", "?name=brief.pdf", rawBody{"application/pdf", letter}, http.StatusBadRequest},
	} {
		before := w.count(t, `SELECT count(*) FROM medical.attachments`)
		if r := w.s.do("POST", base+tc.query, w.tokens["physician"], tc.body); r.status != tc.want {
			t.Errorf("upload %s = %d %s, want %d", tc.name, r.status, r.raw, tc.want)
		}
		if after := w.count(t, `SELECT count(*) FROM medical.attachments`); after != before {
			t.Errorf("upload %s changed medical.attachments from %d to %d", tc.name, before, after)
		}
	}
	for _, who := range []string{"employer", "case_manager", "other_physician", "lead", "employee"} {
		if r := w.s.do("POST", base, w.tokens[who], rawBody{"application/pdf", letter}); r.status != http.StatusNotFound {
			t.Errorf("upload as %s = %d, want 404", who, r.status)
		}
	}
	if r := w.s.do("POST", base, w.tokens["physician"], rawBody{"image/jpeg", testenv.JPEG()}); r.status != http.StatusCreated {
		t.Errorf("upload a whole JPEG = %d %s, want 201", r.status, r.raw)
	}
	up := w.s.do("POST", base, w.tokens["physician"], rawBody{"application/pdf", letter})
	if up.status != http.StatusCreated || up.body["size"] != float64(len(letter)) {
		t.Fatalf("upload a letter = %d %s, want 201", up.status, up.raw)
	}
	id := up.body["id"].(string)
	if r := w.s.do("POST", base, w.tokens["assistant"], rawBody{"image/png", png}); r.status != http.StatusCreated || r.body["on_behalf_of"] != w.physician.userID.String() {
		t.Errorf("upload an image as the assistant = %d %s, want 201 on behalf of the physician", r.status, r.raw)
	}
	if n := w.count(t, `SELECT count(*) FROM medical.attachments WHERE id = $1 AND strpos(encode(content, 'escape'), $2) = 0
		AND wrapped_key LIKE 'vault:v1:%' AND length(nonce) = 12`, id, marker); n != 1 {
		t.Errorf("stored attachment without its plaintext and with a wrapped key = %d rows, want 1", n)
	}
	for _, who := range []string{"physician", "assistant"} {
		r := w.s.do("GET", base+"/"+id, w.tokens[who], nil)
		if r.status != http.StatusOK || r.raw != string(letter) || r.header.Get("Content-Type") != "application/pdf" ||
			r.header.Get("Cache-Control") != "no-store" || r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("download as %s = %d (%d bytes, %q, %q), want 200 with the letter, no-store, nosniff", who, r.status, len(r.raw),
				r.header.Get("Content-Type"), r.header.Get("Cache-Control"))
		}
	}
	// Always a download, never shown: attachment with a safe name, and a
	// sandbox should a browser render it after all.
	r = w.s.do("GET", base+"/"+id, w.tokens["physician"], nil)
	if got, want := r.header.Get("Content-Disposition"), "attachment; filename=bijlage-"+id+".pdf"; got != want {
		t.Errorf("download: Content-Disposition = %q, want %q", got, want)
	}
	if got, want := r.header.Get("Content-Security-Policy"), "default-src 'none'; frame-ancestors 'none'; sandbox"; got != want {
		t.Errorf("download: Content-Security-Policy = %q, want %q", got, want)
	}
	for _, who := range []string{"employer", "case_manager", "labour_expert", "privacy_officer", "admin", "other_physician", "lead", "employee"} {
		if r := w.s.do("GET", base+"/"+id, w.tokens[who], nil); r.status != http.StatusNotFound || strings.Contains(r.raw, marker) {
			t.Errorf("download as %s = %d, want 404", who, r.status)
		}
	}
	var exports int
	if err := w.owner.QueryRow(context.Background(), `
		SELECT (SELECT count(*) FROM audit.outbox WHERE object_id = $1 AND action = 'export')
		     + (SELECT count(*) FROM audit.events WHERE object_id = $1 AND action = 'export')`, id).Scan(&exports); err != nil || exports != 3 {
		t.Errorf("audited downloads of the letter = %d (%v), want 3", exports, err)
	}
}

// TestDossierExposures: exposure periods to agents with a retention duty
// are recorded by the physician, read within the dossier's care only, and
// bad periods change nothing.
func TestDossierExposures(t *testing.T) {
	t.Parallel()
	w := newDossierWorld(t)
	base := "/api/v1/employees/" + w.employee.String() + "/dossier/exposures"
	day := func(years int) string { return nowNL().AddDate(years, 0, 0).Format(time.DateOnly) }
	for _, tc := range []struct {
		name string
		body map[string]any
	}{
		{"unknown agent", map[string]any{"agent": "noise", "from": day(-2)}},
		{"no start", map[string]any{"agent": "carcinogen"}},
		{"future start", map[string]any{"agent": "carcinogen", "from": day(1)}},
		{"end before start", map[string]any{"agent": "carcinogen", "from": day(-1), "to": day(-2)}},
		{"unknown field", map[string]any{"agent": "carcinogen", "from": day(-1), "substance": "asbest"}},
	} {
		if r := w.s.do("POST", base, w.tokens["physician"], tc.body); r.status != http.StatusBadRequest {
			t.Errorf("record exposure with %s = %d %s, want 400", tc.name, r.status, r.raw)
		}
	}
	if n := w.count(t, `SELECT count(*) FROM medical.exposures x JOIN medical.dossiers d ON d.id = x.dossier_id WHERE d.employee_id = $1`, w.employee); n != 0 {
		t.Fatalf("bad exposures stored %d rows", n)
	}
	if r := w.s.do("POST", base, w.tokens["assistant"], map[string]any{"agent": "carcinogen", "from": day(-2)}); r.status != http.StatusNotFound {
		t.Errorf("record exposure as the assistant = %d, want 404", r.status)
	}
	r := w.s.do("POST", base, w.tokens["physician"], map[string]any{"agent": "carcinogen", "from": day(-5), "to": day(-3)})
	if r.status != http.StatusCreated || r.body["agent"] != "carcinogen" {
		t.Fatalf("record exposure = %d %s, want 201", r.status, r.raw)
	}
	for who, want := range map[string]int{"physician": 200, "assistant": 200, "employer": 404, "case_manager": 404, "other_physician": 404} {
		got := w.s.do("GET", base, w.tokens[who], nil)
		if got.status != want {
			t.Errorf("list exposures as %s = %d, want %d", who, got.status, want)
		}
		if want == 200 && len(got.body["exposures"].([]any)) != 1 {
			t.Errorf("list exposures as %s = %s, want the one exposure", who, got.raw)
		}
	}
}

// TestWriteDecidedAgainAfterTheDossierChanged: the entries service remembers
// recently written dossiers so that a write needs no lookup first, but a
// write is stored only while the dossier still has the key, responsible
// physician and open status it was decided on. After the responsible
// physician changes, the former one is refused (404) and nothing is written;
// after the dossier closes, writes answer 409.
func TestWriteDecidedAgainAfterTheDossierChanged(t *testing.T) {
	t.Parallel()
	w := newDossierWorld(t)
	write := func(who string) response {
		t.Helper()
		return w.s.do("POST", w.entries(), w.tokens[who], map[string]any{"kind": "note", "text": "Spreekuur gehad."})
	}
	// Two writes: the first creates the dossier and its key, the second
	// finds it keyed, which is what the service remembers.
	for i := 0; i < 2; i++ {
		if r := write("physician"); r.status != http.StatusCreated {
			t.Fatalf("write %d as the responsible physician = %d %s, want 201", i, r.status, r.raw)
		}
	}
	successor := w.s.addUser(access.RolePhysician, uuid.Nil)
	w.tokens["successor"] = w.s.session(successor)
	if _, err := w.owner.Exec(context.Background(), `UPDATE medical.dossiers SET responsible_physician_id = $1 WHERE employee_id = $2`,
		successor.userID, w.employee); err != nil {
		t.Fatal(err)
	}
	entries := func() int {
		return w.count(t, `SELECT count(*) FROM medical.entries e JOIN medical.dossiers d ON d.id = e.dossier_id WHERE d.employee_id = $1`, w.employee)
	}
	before := entries()
	for _, who := range []string{"physician", "assistant"} {
		if r := write(who); r.status != http.StatusNotFound {
			t.Errorf("write as the former physician's %s after the change = %d %s, want 404", who, r.status, r.raw)
		}
	}
	if got := entries(); got != before {
		t.Errorf("refused writes changed the dossier's entries from %d to %d", before, got)
	}
	if r := write("successor"); r.status != http.StatusCreated {
		t.Errorf("write as the new responsible physician = %d %s, want 201", r.status, r.raw)
	}
	if _, err := w.owner.Exec(context.Background(), `UPDATE medical.dossiers SET status = 'closed' WHERE employee_id = $1`, w.employee); err != nil {
		t.Fatal(err)
	}
	before = entries()
	if r := write("successor"); r.status != http.StatusConflict {
		t.Errorf("write into the closed dossier = %d %s, want 409", r.status, r.raw)
	}
	if got := entries(); got != before {
		t.Errorf("write into the closed dossier changed its entries from %d to %d", before, got)
	}
}
