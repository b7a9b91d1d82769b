package app

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// TestInspectionRelease: the employee sees nothing of the dossier before
// release; the responsible physician (or a lead physician while the
// responsible one is away, for a copy)
// releases a snapshot of entry versions without working notes; the
// employee then reads exactly those, superseded versions marked, and
// nobody else reads the release.
func TestInspectionRelease(t *testing.T) {
	t.Parallel()
	w := newDossierWorld(t)
	pTok, ee := w.tokens["physician"], w.tokens["employee"]
	write := func(kind, text string) string {
		t.Helper()
		r := w.s.do("POST", w.entries(), pTok, map[string]any{"kind": kind, "text": text})
		if r.status != http.StatusCreated {
			t.Fatalf("write %s = %d %s", kind, r.status, r.raw)
		}
		return r.body["id"].(string)
	}
	consult := write("consultation", "eerste versie")
	write("diagnosis", "diagnose tekst")
	write("working_note", "persoonlijke werkaantekening")
	if r := w.s.do("POST", w.entries()+"/"+consult+"/corrections", pTok, map[string]any{"text": "tweede versie"}); r.status != http.StatusCreated {
		t.Fatalf("correct = %d %s", r.status, r.raw)
	}
	file := func(typ string) string {
		t.Helper()
		r := w.s.do("POST", "/api/v1/me/requests", ee, map[string]any{"type": typ})
		if r.status != http.StatusCreated {
			t.Fatalf("file %s = %d", typ, r.status)
		}
		return r.body["id"].(string)
	}
	inspection, accessRequest := file("inspection"), file("access")

	// Nothing before release.
	if r := w.s.do("GET", "/api/v1/me/releases", ee, nil); r.status != http.StatusOK || len(r.body["releases"].([]any)) != 0 {
		t.Errorf("releases before release = %d %s, want none", r.status, r.raw)
	}
	if r := w.s.do("GET", w.entries(), ee, nil); r.status != http.StatusNotFound {
		t.Errorf("the employee lists the dossier directly = %d, want 404", r.status)
	}
	release := func(tok, id string) response {
		return w.s.do("POST", "/api/v1/requests/"+id+"/release", tok, nil)
	}
	if r := release(pTok, inspection); r.status != http.StatusConflict {
		t.Errorf("release before the grant = %d %s, want 409", r.status, r.raw)
	}
	if r := w.s.do("POST", "/api/v1/requests/"+inspection+"/decision", pTok, map[string]any{"status": "granted"}); r.status != http.StatusOK {
		t.Fatalf("grant = %d %s", r.status, r.raw)
	}
	for _, who := range []string{"other_physician", "assistant", "employee", "case_manager"} {
		if r := release(w.tokens[who], inspection); r.status != http.StatusNotFound {
			t.Errorf("release as %s = %d, want 404", who, r.status)
		}
	}
	// The privacy officer sees the register but never releases (403).
	if r := release(w.tokens["privacy_officer"], inspection); r.status != http.StatusForbidden {
		t.Errorf("release as the privacy officer = %d, want 403", r.status)
	}
	if r := release(pTok, accessRequest); r.status != http.StatusNotFound {
		t.Errorf("the physician releases for an HR request = %d, want 404", r.status)
	}
	rel := release(pTok, inspection)
	if rel.status != http.StatusCreated || rel.body["entries"] != float64(3) {
		t.Fatalf("release = %d %s, want 201 with 3 entry versions (no working note)", rel.status, rel.raw)
	}
	relID := rel.body["id"].(string)
	if r := release(pTok, inspection); r.status != http.StatusConflict {
		t.Errorf("release twice = %d, want 409 (delivered)", r.status)
	}
	write("note", "na de vrijgave geschreven")

	r := w.s.do("GET", "/api/v1/me/releases/"+relID, ee, nil)
	if r.status != http.StatusOK {
		t.Fatalf("read the release = %d %s", r.status, r.raw)
	}
	texts := map[string]map[string]any{}
	for _, x := range r.body["entries"].([]any) {
		m := x.(map[string]any)
		texts[m["text"].(string)] = m
	}
	if len(texts) != 3 || texts["eerste versie"] == nil || texts["tweede versie"] == nil || texts["diagnose tekst"] == nil {
		t.Errorf("released entries = %v, want the two versions of the consultation and the diagnosis", texts)
	}
	if texts["eerste versie"]["superseded_by"] == nil || texts["tweede versie"]["version"] != float64(2) {
		t.Errorf("the corrected version is not marked superseded: %v", texts["eerste versie"])
	}
	if strings.Contains(r.raw, "werkaantekening") || strings.Contains(r.raw, "na de vrijgave") {
		t.Errorf("the release shows a working note or a later entry: %s", r.raw)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("release read Cache-Control = %q, want no-store", r.header.Get("Cache-Control"))
	}
	var status string
	if err := w.owner.QueryRow(t.Context(), `SELECT status FROM hr.requests WHERE id = $1`, inspection).Scan(&status); err != nil || status != "delivered" {
		t.Errorf("request after release = %q (%v), want delivered", status, err)
	}
	// Nobody else reads it.
	other := newDossierWorldOn(t, w.s)
	for who, tok := range map[string]string{"another employee": other.tokens["employee"], "the case manager": w.tokens["case_manager"],
		"the physician": pTok} {
		if r := w.s.do("GET", "/api/v1/me/releases/"+relID, tok, nil); r.status != http.StatusNotFound || strings.Contains(r.raw, "versie") {
			t.Errorf("read the release as %s = %d, want 404", who, r.status)
		}
	}
	if r := w.s.do("GET", "/api/v1/me/releases/"+uuid.NewString(), ee, nil); r.status != http.StatusNotFound {
		t.Errorf("read an unknown release = %d, want 404", r.status)
	}
	// The PDF copy: rendered on demand, the first free and later ones
	// marked, the delivered file's SHA-256 in the export event.
	if _, err := w.owner.Exec(t.Context(), `UPDATE hr.employees SET first_name = 'Gérard', last_name = 'Özdemir' WHERE id = $1`, w.employee); err != nil {
		t.Fatal(err)
	}
	download := func() (string, []byte) {
		t.Helper()
		resp := w.s.do("GET", "/api/v1/me/releases/"+relID+"/copy.pdf", ee, nil)
		if resp.status != http.StatusOK || resp.header.Get("Content-Type") != "application/pdf" || resp.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("download the copy = %d %q %q", resp.status, resp.header.Get("Content-Type"), resp.header.Get("Cache-Control"))
		}
		return testenv.PDFText(t, []byte(resp.raw)), []byte(resp.raw)
	}
	first, firstBytes := download()
	for _, want := range []string{"Afschrift van uw medisch dossier", "Eerste afschrift", "Gérard Özdemir", "AFSCHRIFT",
		"pagina 1 van 4", "pagina 4 van 4", "eerste versie", "tweede versie", "diagnose tekst", "vervangen", "Test physician"} {
		if !strings.Contains(first, want) {
			t.Errorf("first copy lacks %q:\n%s", want, first)
		}
	}
	if strings.Contains(first, "werkaantekening") || strings.Contains(first, "na de vrijgave") || strings.Contains(first, "Herhaald") {
		t.Errorf("first copy shows a working note, a later entry or the repeat mark:\n%s", first)
	}
	second, _ := download()
	if !strings.Contains(second, "Herhaald afschrift") {
		t.Errorf("second copy is not marked as repeated:\n%s", second)
	}
	sum := sha256.Sum256(firstBytes)
	var exports int
	if err := w.owner.QueryRow(t.Context(), `
		SELECT (SELECT count(*) FROM audit.outbox WHERE action = 'export' AND object_kind = 'dossier_copy' AND object_id = $1)
		     + (SELECT count(*) FROM audit.events WHERE action = 'export' AND object_kind = 'dossier_copy' AND object_id = $1)`,
		relID+"#sha256="+hex.EncodeToString(sum[:])).Scan(&exports); err != nil || exports != 1 {
		t.Errorf("export events with the first copy's SHA-256 = %d (%v), want 1", exports, err)
	}
	if r := w.s.do("GET", "/api/v1/me/releases/"+relID+"/copy.pdf", other.tokens["employee"], nil); r.status != http.StatusNotFound {
		t.Errorf("another employee downloads the copy = %d, want 404", r.status)
	}
	// A lead physician decides and releases only while the responsible one
	// is away (seed 004 §7).
	copyReq := file("copy")
	if r := w.s.do("POST", "/api/v1/requests/"+copyReq+"/decision", w.tokens["lead"], map[string]any{"status": "granted"}); r.status != http.StatusNotFound {
		t.Errorf("lead grants while the responsible physician is in = %d %s, want 404", r.status, r.raw)
	}
	substitute := w.s.addUser(access.RolePhysician, uuid.Nil)
	if _, err := w.owner.Exec(t.Context(), `INSERT INTO hr.substitutions (absent_physician_id, substitute_id, starts_on, ends_on, status,
		proposed_by, approved_by, decided_at) VALUES ($1, $2, $3, $4, 'active', $5, $6, now())`,
		w.physician.userID, substitute.userID, nowNL().AddDate(0, 0, -1), nowNL().AddDate(0, 0, 7), substitute.userID, w.assistant.userID); err != nil {
		t.Fatalf("substitution: %v", err)
	}
	if r := w.s.do("POST", "/api/v1/requests/"+copyReq+"/decision", w.tokens["lead"], map[string]any{"status": "granted"}); r.status != http.StatusOK {
		t.Fatalf("lead grants while the responsible physician is away = %d %s", r.status, r.raw)
	}
	if r := release(w.tokens["lead"], copyReq); r.status != http.StatusCreated || r.body["entries"] != float64(4) {
		t.Errorf("lead releases the copy = %d %s, want 201 with 4 entry versions", r.status, r.raw)
	}
}

// TestOwnStatementIsAlwaysAdded: the employee's own statement goes into the
// dossier at once as an encrypted entry beside the entry it concerns, the
// register keeps only its id, it is never refused, and it shows in the
// next release and copy.
func TestOwnStatementIsAlwaysAdded(t *testing.T) {
	t.Parallel()
	w := newFreshDossierWorld(t) // counts all of medical.entries
	ee := w.tokens["employee"]
	statement := "Ik ben het niet eens met de datum " + uuid.NewString()
	if r := w.s.do("POST", "/api/v1/me/requests", ee, map[string]any{"type": "own_statement", "text": statement}); r.status != http.StatusConflict {
		t.Errorf("own statement without a dossier = %d %s, want 409", r.status, r.raw)
	}
	r := w.s.do("POST", w.entries(), w.tokens["physician"], map[string]any{"kind": "consultation", "text": "Consult op 3 maart."})
	consult := r.body["id"].(string)
	for _, tc := range []struct {
		name string
		body map[string]any
		want int
	}{
		{"no text", map[string]any{"type": "own_statement"}, http.StatusBadRequest},
		{"an entry of nobody", map[string]any{"type": "own_statement", "text": "x", "entry_id": uuid.NewString()}, http.StatusNotFound},
		{"a malformed entry id", map[string]any{"type": "own_statement", "text": "x", "entry_id": "x"}, http.StatusBadRequest},
		{"text on another type", map[string]any{"type": "access", "text": "x"}, http.StatusBadRequest},
	} {
		before := w.count(t, `SELECT count(*) FROM medical.entries`)
		if got := w.s.do("POST", "/api/v1/me/requests", ee, tc.body); got.status != tc.want {
			t.Errorf("file own statement with %s = %d %s, want %d", tc.name, got.status, got.raw, tc.want)
		}
		if after := w.count(t, `SELECT count(*) FROM medical.entries`); after != before {
			t.Errorf("file own statement with %s changed medical.entries from %d to %d", tc.name, before, after)
		}
	}
	filed := w.s.do("POST", "/api/v1/me/requests", ee, map[string]any{"type": "own_statement", "text": statement, "entry_id": consult})
	if filed.status != http.StatusCreated || filed.body["statement_entry_id"] == nil || filed.body["entry_id"] != consult {
		t.Fatalf("file own statement = %d %s, want 201 with the statement's entry id", filed.status, filed.raw)
	}
	if n := w.count(t, `SELECT count(*) FROM hr.requests WHERE id = $1 AND content_entry_id IS NOT NULL`, filed.body["id"]); n != 1 {
		t.Errorf("register rows referring to the statement = %d, want 1", n)
	}
	if n := w.count(t, `SELECT count(*) FROM medical.entries WHERE id = $1 AND kind = 'own_statement' AND concerns = $2
		AND strpos(ciphertext, 'niet eens') = 0`, filed.body["statement_entry_id"], consult); n != 1 {
		t.Errorf("own statement entries, encrypted, concerning the consult = %d, want 1", n)
	}
	// The physician reads it beside the consult; it cannot be refused.
	list := w.s.do("GET", w.entries(), w.tokens["physician"], nil)
	if !strings.Contains(list.raw, statement) {
		t.Errorf("the physician's list lacks the own statement")
	}
	if got := w.s.do("POST", "/api/v1/requests/"+filed.body["id"].(string)+"/decision", w.tokens["physician"],
		map[string]any{"status": "refused", "ground": "not_a_factual_error"}); got.status != http.StatusConflict {
		t.Errorf("refuse the own statement = %d, want 409", got.status)
	}
	// In the next release and its copy, beside the entry it concerns.
	insp := w.s.do("POST", "/api/v1/me/requests", ee, map[string]any{"type": "inspection"}).body["id"].(string)
	w.s.do("POST", "/api/v1/requests/"+insp+"/decision", w.tokens["physician"], map[string]any{"status": "granted"})
	rel := w.s.do("POST", "/api/v1/requests/"+insp+"/release", w.tokens["physician"], nil)
	if rel.status != http.StatusCreated {
		t.Fatalf("release = %d %s", rel.status, rel.raw)
	}
	pdf := w.s.do("GET", "/api/v1/me/releases/"+rel.body["id"].(string)+"/copy.pdf", ee, nil)
	if txt := testenv.PDFText(t, []byte(pdf.raw)); !strings.Contains(txt, "Eigen verklaring") || !strings.Contains(txt, "stuk 1") ||
		!strings.Contains(strings.Join(strings.Fields(txt), " "), strings.Join(strings.Fields(statement), " ")) {
		t.Errorf("the copy lacks the own statement beside stuk 1:\n%s", txt)
	}
}

// TestCorrectionRequest: the employee disputes an entry; the disputed text
// is kept as their statement beside it whatever the physician decides; a
// decline records its ground, an acceptance is a new version of the entry
// with the history visible in the next inspection.
func TestCorrectionRequest(t *testing.T) {
	t.Parallel()
	w := newDossierWorld(t)
	ee, pTok := w.tokens["employee"], w.tokens["physician"]
	consult := w.s.do("POST", w.entries(), pTok, map[string]any{"kind": "consultation", "text": "Klachten sinds 2019."}).body["id"].(string)
	for _, bad := range []map[string]any{
		{"type": "correction", "text": "De datum klopt niet."},
		{"type": "correction", "entry_id": consult},
	} {
		if r := w.s.do("POST", "/api/v1/me/requests", ee, bad); r.status != http.StatusBadRequest {
			t.Errorf("file correction %v = %d, want 400", bad, r.status)
		}
	}
	file := func(text string) string {
		t.Helper()
		r := w.s.do("POST", "/api/v1/me/requests", ee, map[string]any{"type": "correction", "text": text, "entry_id": consult})
		if r.status != http.StatusCreated || r.body["statement_entry_id"] == nil {
			t.Fatalf("file correction = %d %s", r.status, r.raw)
		}
		return r.body["id"].(string)
	}
	decide := func(id string, body map[string]any) response {
		return w.s.do("POST", "/api/v1/requests/"+id+"/decision", pTok, body)
	}
	declined := file("Het moet 2021 zijn.")
	if r := decide(declined, map[string]any{"status": "refused", "ground": "not_a_factual_error"}); r.status != http.StatusOK {
		t.Fatalf("decline = %d %s", r.status, r.raw)
	}
	accepted := file("Ik heb pas sinds 2022 klachten.")
	if r := w.s.do("POST", w.entries()+"/"+consult+"/corrections", pTok, map[string]any{"text": "Klachten sinds 2022."}); r.status != http.StatusCreated {
		t.Fatalf("correct the entry = %d %s", r.status, r.raw)
	}
	if r := decide(accepted, map[string]any{"status": "granted"}); r.status != http.StatusOK {
		t.Fatalf("accept = %d %s", r.status, r.raw)
	}
	insp := w.s.do("POST", "/api/v1/me/requests", ee, map[string]any{"type": "inspection"}).body["id"].(string)
	decide(insp, map[string]any{"status": "granted"})
	rel := w.s.do("POST", "/api/v1/requests/"+insp+"/release", pTok, nil)
	read := w.s.do("GET", "/api/v1/me/releases/"+rel.body["id"].(string), ee, nil)
	for _, want := range []string{"Klachten sinds 2019.", "Klachten sinds 2022.", "Het moet 2021 zijn.", "Ik heb pas sinds 2022 klachten."} {
		if !strings.Contains(read.raw, want) {
			t.Errorf("the inspection after the corrections lacks %q", want)
		}
	}
	var statements int
	for _, x := range read.body["entries"].([]any) {
		m := x.(map[string]any)
		if m["kind"] == "own_statement" {
			statements++
		}
		if m["text"] == "Klachten sinds 2019." && m["superseded_by"] == nil {
			t.Errorf("the corrected version is not marked superseded: %v", m)
		}
	}
	if statements != 2 {
		t.Errorf("own statements in the inspection = %d, want 2 (declined and accepted alike)", statements)
	}
}
