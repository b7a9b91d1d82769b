package app

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/rights"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// write adds an entry of kind to the world's dossier as who and returns its
// id.
func (w *dossierWorld) write(t *testing.T, who, kind, text string) string {
	t.Helper()
	r := w.s.do("POST", w.entries(), w.tokens[who], map[string]any{"kind": kind, "text": text})
	id, _ := r.body["id"].(string)
	if r.status != http.StatusCreated || id == "" {
		t.Fatalf("POST %s entry as %s = %d %s", kind, who, r.status, r.raw)
	}
	return id
}

// attach adds a PDF attachment to the dossier, linked to entry (or none).
func (w *dossierWorld) attach(t *testing.T, entry string) string {
	t.Helper()
	path := "/api/v1/employees/" + w.employee.String() + "/dossier/attachments"
	if entry != "" {
		path += "?entry_id=" + entry
	}
	r := w.s.do("POST", path, w.tokens["physician"], rawBody{"application/pdf", testenv.PDF("brief")})
	id, _ := r.body["id"].(string)
	if r.status != http.StatusCreated || id == "" {
		t.Fatalf("POST attachment = %d %s", r.status, r.raw)
	}
	return id
}

// fileDestruction files a destruction request as the employee, of the
// whole dossier or of entries.
func (w *dossierWorld) fileDestruction(t *testing.T, entries ...string) string {
	t.Helper()
	body := map[string]any{"type": "destruction"}
	if len(entries) > 0 {
		body["entry_ids"] = entries
	}
	r := w.s.do("POST", "/api/v1/me/requests", w.tokens["employee"], body)
	id, _ := r.body["id"].(string)
	if r.status != http.StatusCreated || id == "" {
		t.Fatalf("file destruction = %d %s", r.status, r.raw)
	}
	return id
}

func (w *dossierWorld) decideDestruction(tok, id string, body map[string]any) response {
	return w.s.do("POST", "/api/v1/requests/"+id+"/destruction", tok, body)
}

// dossierState returns the dossier's status and key name as the owner sees
// them ("", "" when none that is not destroyed).
func (w *dossierWorld) dossierState(t *testing.T) (status, key string, id uuid.UUID) {
	t.Helper()
	err := w.owner.QueryRow(context.Background(), `SELECT status, key_name, id FROM medical.dossiers
		WHERE employee_id = $1 ORDER BY created_at DESC LIMIT 1`, w.employee).Scan(&status, &key, &id)
	if err != nil {
		t.Fatalf("dossier state: %v", err)
	}
	return status, key, id
}

// ciphertextOf returns an entry's stored ciphertext, as a thief with a
// copy of the database would have it.
func (w *dossierWorld) ciphertextOf(t *testing.T, entry string) string {
	t.Helper()
	var ct string
	if err := w.owner.QueryRow(context.Background(), `SELECT ciphertext FROM medical.entries WHERE id = $1`, entry).Scan(&ct); err != nil {
		t.Fatalf("ciphertext of %s: %v", entry, err)
	}
	return ct
}

// assertKeyGone checks with Vault's root token (an admin, outside the
// application) that key no longer exists and that ct, saved before the
// destruction, no longer decrypts.
func assertKeyGone(t *testing.T, e testenv.Env, key, entry, ct string) {
	t.Helper()
	root := testenv.VaultClient(t, e.VaultAddr, e.VaultRootToken)
	if s, err := root.Logical().Read(e.TransitMount + "/keys/" + key); err != nil || s != nil {
		t.Errorf("read %s as root after destruction = %v, %v; want 404 (no key)", key, s, err)
	}
	_, err := root.Logical().Write(e.TransitMount+"/decrypt/"+key, map[string]any{
		"ciphertext": ct, "associated_data": base64.StdEncoding.EncodeToString([]byte(entry))})
	if err == nil {
		t.Errorf("a ciphertext saved before the destruction still decrypts under %s", key)
	}
}

func destroyEvents(t *testing.T, w *dossierWorld) int {
	t.Helper()
	return w.count(t, `SELECT (SELECT count(*) FROM audit.outbox WHERE subject_employee_id = $1 AND action = 'destroy')
		+ (SELECT count(*) FROM audit.events WHERE subject_employee_id = $1 AND action = 'destroy')`, w.employee)
}

// TestDestructionOfTheWholeDossier: the responsible physician grants an
// employee's destruction request (202, the job pending); the destruction
// worker deletes the dossier's key in Vault
// with the destruction token (a ciphertext saved before can no longer be
// decrypted, and Vault answers 404 for the key), the medical rows are gone,
// a tombstone remains, every step is audited, the employee gets the
// statement, and a later write starts a new dossier.
func TestDestructionOfTheWholeDossier(t *testing.T) {
	t.Parallel()
	w := newDossierWorld(t)
	w.s.startWorker(t)
	canary := "canary" + strings.ReplaceAll(uuid.NewString(), "-", "")
	ids := map[string]string{}
	for _, kind := range []string{"consultation", "note", "diagnosis", "working_note"} {
		ids[kind] = w.write(t, "physician", kind, kind+" "+canary)
	}
	corr := w.s.do("POST", w.entries()+"/"+ids["note"]+"/corrections", w.tokens["physician"], map[string]any{"text": "gecorrigeerd " + canary})
	if corr.status != http.StatusCreated {
		t.Fatalf("correct = %d %s", corr.status, corr.raw)
	}
	w.attach(t, ids["consultation"])
	if r := w.s.do("POST", "/api/v1/employees/"+w.employee.String()+"/dossier/exposures", w.tokens["physician"],
		map[string]any{"agent": "carcinogen", "from": "1975-01-01", "to": "1980-12-31"}); r.status != http.StatusCreated {
		t.Fatalf("exposure = %d %s", r.status, r.raw)
	}
	_, key, dossierID := w.dossierState(t)
	saved := w.ciphertextOf(t, ids["diagnosis"])

	id := w.fileDestruction(t)
	due := w.s.do("GET", "/api/v1/me/requests", w.tokens["employee"], nil)
	today, _ := time.Parse(time.DateOnly, access.Today(time.Now()))
	if !strings.Contains(due.raw, `"due_on":"`+rights.AddMonths(today, 1).Format(time.DateOnly)+`"`) {
		t.Errorf("destruction request not due in the target of one month: %s", due.raw)
	}
	// Wrong deciders and wrong moves change nothing.
	for _, tc := range []struct {
		who  string
		body map[string]any
		want int
	}{
		{"employee", map[string]any{"decision": "grant"}, http.StatusNotFound},
		{"other_physician", map[string]any{"decision": "grant"}, http.StatusNotFound},
		{"assistant", map[string]any{"decision": "grant"}, http.StatusNotFound},
		{"case_manager", map[string]any{"decision": "grant"}, http.StatusNotFound},
		{"privacy_officer", map[string]any{"decision": "grant"}, http.StatusForbidden},
		{"physician", map[string]any{"decision": "maybe"}, http.StatusBadRequest},
		{"physician", map[string]any{"decision": "grant", "ground": "legal_retention_duty"}, http.StatusBadRequest},
		{"physician", map[string]any{"decision": "refuse"}, http.StatusBadRequest},
		{"physician", map[string]any{"decision": "refuse", "ground": "substantial_interest_of_another"}, http.StatusBadRequest},
		// No exposure still runs its term: the legal ground does not hold.
		{"physician", map[string]any{"decision": "refuse", "ground": "legal_retention_duty"}, http.StatusConflict},
	} {
		if r := w.decideDestruction(w.tokens[tc.who], id, tc.body); r.status != tc.want {
			t.Errorf("destruction decision %v as %s = %d %s, want %d", tc.body, tc.who, r.status, r.raw, tc.want)
		}
	}
	if r := w.s.do("POST", "/api/v1/requests/"+id+"/decision", w.tokens["physician"], map[string]any{"status": "granted"}); r.status != http.StatusConflict {
		t.Errorf("grant through the plain decision route = %d, want 409", r.status)
	}
	if status, k, _ := w.dossierState(t); status != "open" || k != key {
		t.Fatalf("refused attempts changed the dossier: %s %s", status, k)
	}
	if n := w.count(t, `SELECT count(*) FROM medical.destructions WHERE request_id = $1`, id); n != 0 {
		t.Fatalf("refused attempts began %d destructions", n)
	}

	r := w.decideDestruction(w.tokens["physician"], id, map[string]any{"decision": "grant"})
	if r.status != http.StatusAccepted {
		t.Fatalf("grant the destruction = %d %s, want 202", r.status, r.raw)
	}
	dest := r.body["destruction"].(map[string]any)
	if dest["state"] != "pending" || dest["scope"] != "dossier" || r.body["request"].(map[string]any)["status"] != "granted" {
		t.Errorf("grant = %s, want the whole dossier's job pending and the request granted", r.raw)
	}
	awaitDestruction(t, w.s, id)
	if n := w.count(t, `SELECT count(*) FROM hr.requests WHERE id = $1 AND status = 'delivered'`, id); n != 1 {
		t.Errorf("the request is not delivered after the destruction")
	}
	entries := dest["entries"].(map[string]any)
	if entries["note"] != float64(2) || entries["diagnosis"] != float64(1) || entries["working_note"] != float64(1) ||
		dest["attachments"] != float64(1) || dest["exposures"] != float64(1) {
		t.Errorf("destruction counts = %v, want 2 notes, 1 diagnosis, 1 working note, 1 attachment, 1 exposure", dest)
	}
	assertKeyGone(t, w.s.env, key, ids["diagnosis"], saved)
	for _, table := range []string{"entries", "attachments", "exposures", "releases"} {
		if n := w.count(t, `SELECT count(*) FROM medical.`+table+` WHERE dossier_id = $1`, dossierID); n != 0 {
			t.Errorf("medical.%s rows left of the destroyed dossier = %d, want 0", table, n)
		}
	}
	if status, _, _ := w.dossierState(t); status != "destroyed" {
		t.Errorf("dossier status = %s, want destroyed (the tombstone)", status)
	}
	if r := w.s.do("GET", w.entries(), w.tokens["physician"], nil); r.status != http.StatusNotFound {
		t.Errorf("GET entries after destruction = %d, want 404", r.status)
	}
	if n := destroyEvents(t, w); n < 3 {
		t.Errorf("destroy events = %d, want the decision, the key deletion and the rows (3)", n)
	}

	// The employee's statement.
	mine := w.s.do("GET", "/api/v1/me/destructions", w.tokens["employee"], nil)
	if mine.status != http.StatusOK || !strings.Contains(mine.raw, dest["id"].(string)) || strings.Contains(mine.raw, canary) {
		t.Fatalf("GET /me/destructions = %d %s", mine.status, mine.raw)
	}
	st := w.s.do("GET", "/api/v1/me/destructions/"+dest["id"].(string)+"/statement.pdf", w.tokens["employee"], nil)
	if st.status != http.StatusOK || st.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("GET statement = %d %v", st.status, st.header)
	}
	text := testenv.PDFText(t, []byte(st.raw))
	wantSafe := time.Now().UTC().Add(configFor(w.s.env).VaultBackupRetention).AddDate(0, 0, 1)
	for _, want := range []string{"Verklaring van vernietiging", "Dossier Persoon", "volledige medisch dossier", "Diagnose",
		"Werkaantekening", "In totaal 5 aantekeningen", "30 dagen", pdfDate(wantSafe)} {
		if !strings.Contains(text, want) {
			t.Errorf("statement text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, canary) {
		t.Errorf("the statement holds medical content")
	}
	for _, who := range []string{"physician", "case_manager", "privacy_officer"} {
		if r := w.s.do("GET", "/api/v1/me/destructions/"+dest["id"].(string)+"/statement.pdf", w.tokens[who], nil); r.status != http.StatusNotFound {
			t.Errorf("GET the statement as %s = %d, want 404", who, r.status)
		}
	}
	inbox := w.s.do("GET", "/api/v1/me/notifications", w.tokens["employee"], nil)
	if !strings.Contains(inbox.raw, "vernietigd") {
		t.Errorf("the employee was not told of the destruction: %s", inbox.raw)
	}

	// Care goes on: a new write starts a new dossier under a new key.
	if r := w.s.do("POST", w.entries(), w.tokens["physician"], map[string]any{"kind": "note", "text": "Nieuw spreekuur."}); r.status != http.StatusCreated {
		t.Fatalf("write after destruction = %d %s\nserver log:\n%s", r.status, r.raw, w.s.logs.String())
	}
	status, newKey, newID := w.dossierState(t)
	if status != "open" || newID == dossierID || !strings.HasSuffix(newKey, "-g1") {
		t.Errorf("after destruction a write gave dossier %s %s %s, want a new open one", newID, status, newKey)
	}
}

// pdfDate renders a date as the PDFs do ("2 januari 2027").
func pdfDate(t time.Time) string {
	months := []string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
		"oktober", "november", "december"}
	return fmt.Sprintf("%d %s %d", t.Day(), months[t.Month()-1], t.Year())
}

// TestDestructionRefusedOnLegalGrounds: an exposure whose retention term
// runs refuses the grant with 422 and its ground, changing nothing; the
// physician then records the refusal on that ground. A substantial
// interest of someone else is recorded with its written reason, encrypted.
func TestDestructionRefusedOnLegalGrounds(t *testing.T) {
	t.Parallel()
	today := nowNL()
	year := func(n int) string { return today.AddDate(n, 0, 0).Format(time.DateOnly) }
	tests := []struct {
		name      string
		agent     string
		from, to  string
		born      string
		refused   bool
		retainTil string // "" when the duty runs open
	}{
		{"carcinogen ended ten years ago", "carcinogen", year(-20), year(-10), "1980-01-01", true, year(30)},
		{"biological agent still running", "biological_agent", year(-2), "", "1980-01-01", true, ""},
		{"radiation within thirty years", "ionising_radiation", year(-20), year(-5), "1950-01-01", true, year(25)},
		{"radiation past thirty years but before age 75", "ionising_radiation", year(-40), year(-31), "1980-05-17", true, "2055-05-17"},
		{"radiation past thirty years and past age 75", "ionising_radiation", year(-50), year(-31), "1940-01-01", false, ""},
		{"carcinogen ended over forty years ago", "carcinogen", year(-50), year(-41), "1940-01-01", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newDossierWorld(t)
			if _, err := w.owner.Exec(context.Background(), `UPDATE hr.employees SET date_of_birth = $2, employment_start = '2000-01-01' WHERE id = $1`,
				w.employee, tt.born); err != nil {
				t.Fatal(err)
			}
			w.write(t, "physician", "consultation", "Spreekuur.")
			x := map[string]any{"agent": tt.agent, "from": tt.from}
			if tt.to != "" {
				x["to"] = tt.to
			}
			if r := w.s.do("POST", "/api/v1/employees/"+w.employee.String()+"/dossier/exposures", w.tokens["physician"], x); r.status != http.StatusCreated {
				t.Fatalf("exposure %v = %d %s", x, r.status, r.raw)
			}
			id := w.fileDestruction(t)
			r := w.decideDestruction(w.tokens["physician"], id, map[string]any{"decision": "grant"})
			if !tt.refused {
				if r.status != http.StatusAccepted {
					t.Errorf("grant with an expired duty = %d %s, want 202", r.status, r.raw)
				}
				return
			}
			if r.status != http.StatusUnprocessableEntity || r.body["ground"] != "legal_retention_duty" ||
				!strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("grant with a running duty = %d %s, want 422 problem+json on legal_retention_duty", r.status, r.raw)
			}
			if got, _ := r.body["retained_until"].(string); got != tt.retainTil {
				t.Errorf("retained_until = %q, want %q", got, tt.retainTil)
			}
			if status, _, _ := w.dossierState(t); status != "open" {
				t.Errorf("refused grant left the dossier %s, want open", status)
			}
			if n := w.count(t, `SELECT count(*) FROM hr.requests WHERE id = $1 AND status = 'received'`, id); n != 1 {
				t.Errorf("refused grant changed the request")
			}
			if r := w.decideDestruction(w.tokens["physician"], id, map[string]any{"decision": "refuse", "ground": "legal_retention_duty"}); r.status != http.StatusOK {
				t.Errorf("refuse on the legal duty = %d %s, want 200", r.status, r.raw)
			}
			if n := w.count(t, `SELECT count(*) FROM hr.requests WHERE id = $1 AND status = 'refused' AND ground = 'legal_retention_duty'`, id); n != 1 {
				t.Errorf("the refusal and its ground are not recorded")
			}
		})
	}

	t.Run("substantial interest of another", func(t *testing.T) {
		w := newDossierWorld(t)
		w.write(t, "physician", "consultation", "Spreekuur.")
		id := w.fileDestruction(t)
		reason := "Erfelijke aandoening; de zus " + uuid.NewString() + " heeft belang bij bewaring."
		r := w.decideDestruction(w.tokens["physician"], id, map[string]any{"decision": "refuse", "ground": "substantial_interest_of_another", "reason": reason})
		if r.status != http.StatusOK || r.body["request"].(map[string]any)["ground"] != "substantial_interest_of_another" {
			t.Fatalf("refuse for another's interest = %d %s", r.status, r.raw)
		}
		var ct string
		if err := w.owner.QueryRow(context.Background(), `SELECT reason_ciphertext FROM medical.destruction_refusals WHERE request_id = $1`, id).Scan(&ct); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(ct, "vault:v") || strings.Contains(ct, "zus") {
			t.Errorf("the written reason is stored as %q, want Vault ciphertext", ct)
		}
		if n := w.count(t, `SELECT count(*) FROM hr.requests WHERE id = $1 AND status = 'refused'`, id); n != 1 {
			t.Errorf("the refusal is not in the register")
		}
		if r := w.decideDestruction(w.tokens["physician"], id, map[string]any{"decision": "grant"}); r.status != http.StatusConflict {
			t.Errorf("grant after the refusal = %d, want 409", r.status)
		}
	})
}

// TestPartialDestruction: destroying chosen entries takes every version of
// each, the own statement about it and its attachment; the rest of the
// dossier moves to the next key generation (re-encrypted in memory) and
// stays readable, and the old generation is deleted.
func TestPartialDestruction(t *testing.T) {
	t.Parallel()
	w := newDossierWorld(t)
	w.s.startWorker(t)
	gone := w.write(t, "physician", "consultation", "Te vernietigen consult.")
	kept := w.write(t, "physician", "note", "Blijft bewaard.")
	corr := w.s.do("POST", w.entries()+"/"+gone+"/corrections", w.tokens["physician"], map[string]any{"text": "Gecorrigeerd consult."})
	if corr.status != http.StatusCreated {
		t.Fatalf("correct = %d %s", corr.status, corr.raw)
	}
	if r := w.s.do("POST", "/api/v1/me/requests", w.tokens["employee"], map[string]any{"type": "own_statement",
		"text": "Dit consult klopt niet.", "entry_id": gone}); r.status != http.StatusCreated {
		t.Fatalf("own statement = %d %s", r.status, r.raw)
	}
	goneAtt, keptAtt := w.attach(t, gone), w.attach(t, kept)
	_, oldKey, dossierID := w.dossierState(t)
	savedGone, savedKept := w.ciphertextOf(t, gone), w.ciphertextOf(t, kept)

	if r := w.s.do("POST", "/api/v1/me/requests", w.tokens["employee"], map[string]any{"type": "destruction",
		"entry_ids": []string{uuid.NewString()}}); r.status != http.StatusBadRequest {
		t.Errorf("file a destruction naming a foreign entry = %d, want 400", r.status)
	}
	id := w.fileDestruction(t, gone)
	r := w.decideDestruction(w.tokens["physician"], id, map[string]any{"decision": "grant"})
	if r.status != http.StatusAccepted {
		t.Fatalf("grant = %d %s, want 202", r.status, r.raw)
	}
	dest := r.body["destruction"].(map[string]any)
	awaitDestruction(t, w.s, id)
	if dest["scope"] != "entries" || dest["state"] != "pending" || dest["entries"].(map[string]any)["consultation"] != float64(2) ||
		dest["entries"].(map[string]any)["own_statement"] != float64(1) || dest["attachments"] != float64(1) {
		t.Errorf("partial destruction = %s, want both consultation versions, the statement and one attachment", r.raw)
	}
	status, newKey, sameID := w.dossierState(t)
	if status != "open" || sameID != dossierID || !strings.HasSuffix(newKey, "-g2") {
		t.Errorf("dossier after partial destruction = %s %s %s, want the same one, open, on generation 2", sameID, status, newKey)
	}
	assertKeyGone(t, w.s.env, oldKey, gone, savedGone)
	assertKeyGone(t, w.s.env, oldKey, kept, savedKept)
	if n := w.count(t, `SELECT count(*) FROM medical.entries WHERE dossier_id = $1 AND (id = $2 OR supersedes = $2 OR concerns = $2)`, dossierID, gone); n != 0 {
		t.Errorf("rows of the destroyed entry left = %d, want 0", n)
	}
	if n := w.count(t, `SELECT count(*) FROM medical.attachments WHERE id = $1`, goneAtt); n != 0 {
		t.Errorf("the destroyed entry's attachment is still stored")
	}
	// What is kept reads under the new key.
	list := w.s.do("GET", w.entries(), w.tokens["physician"], nil)
	if list.status != http.StatusOK || !strings.Contains(list.raw, "Blijft bewaard.") || strings.Contains(list.raw, "consult") {
		t.Errorf("list after partial destruction = %d %s", list.status, list.raw)
	}
	if r := w.s.do("GET", "/api/v1/employees/"+w.employee.String()+"/dossier/attachments/"+keptAtt, w.tokens["physician"], nil); r.status != http.StatusOK ||
		!strings.HasPrefix(r.raw, "%PDF") {
		t.Errorf("GET the kept attachment = %d, want 200 with its content", r.status)
	}
	w.write(t, "physician", "note", "Na de vernietiging.")
	st := w.s.do("GET", "/api/v1/me/destructions/"+dest["id"].(string)+"/statement.pdf", w.tokens["employee"], nil)
	if text := testenv.PDFText(t, []byte(st.raw)); st.status != http.StatusOK || !strings.Contains(text, "opnieuw versleuteld") {
		t.Errorf("statement of a partial destruction = %d:\n%s", st.status, text)
	}
}

// TestDestructionResumesAfterACrash: the worker is stopped after each of
// the job's steps as a crash would stop it (or never ran); a worker started
// afterwards finishes it, and the end is the same as an uninterrupted run:
// keys gone, rows gone, dossier destroyed (or re-keyed), request delivered.
func TestDestructionResumesAfterACrash(t *testing.T) {
	t.Parallel()
	crash := errors.New("crash injected")
	for _, tc := range []struct {
		name    string
		partial bool
		after   dossier.DestructionState // "" : before the first step
	}{
		{"whole, before the first step", false, ""},
		{"whole, key deleted in Vault but not yet recorded", false, "vault-only"},
		{"whole, after the keys are deleted", false, dossier.StateKeysDeleted},
		{"partial, before the first step", true, ""},
		{"partial, after the re-encryption", true, dossier.StateRekeyed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// A database of its own: a worker runs every unfinished job of
			// its database, and in the shared one other tests' workers
			// would run this one.
			w := newFreshDossierWorld(t)
			gone := w.write(t, "physician", "diagnosis", "Te vernietigen.")
			kept := w.write(t, "physician", "note", "Blijft.")
			_, oldKey, dossierID := w.dossierState(t)
			saved := w.ciphertextOf(t, gone)
			var id string
			if tc.partial {
				id = w.fileDestruction(t, gone)
			} else {
				id = w.fileDestruction(t)
			}
			// The grant records the job; no worker runs yet.
			if r := w.decideDestruction(w.tokens["physician"], id, map[string]any{"decision": "grant"}); r.status != http.StatusAccepted {
				t.Fatalf("grant = %d %s, want 202", r.status, r.raw)
			}
			switch tc.after {
			case "":
				if tc.partial {
					// Granted for destruction, the entry is no longer handed
					// out while the job waits; the rest still is.
					list := w.s.do("GET", w.entries(), w.tokens["physician"], nil)
					if list.status != http.StatusOK || strings.Contains(list.raw, gone) || !strings.Contains(list.raw, kept) {
						t.Errorf("list while the partial destruction is pending = %d %s", list.status, list.raw)
					}
					if r := w.s.do("GET", w.entries()+"/"+gone, w.tokens["physician"], nil); r.status != http.StatusNotFound {
						t.Errorf("GET the entry being destroyed = %d, want 404", r.status)
					}
				}
			case "vault-only":
				// The crash came between Vault's deletion and the job's
				// record of it.
				shred, err := newDestructionVault(workerConfig(w.s.env))
				if err != nil {
					t.Fatal(err)
				}
				if err := shred.DeleteKey(context.Background(), oldKey); err != nil {
					t.Fatalf("delete the key: %v", err)
				}
			default:
				// A worker that dies right after the step is durable.
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				dying, err := newWorker(ctx, workerConfig(w.s.env), slog.New(slog.NewJSONHandler(w.s.logs, nil)),
					dossier.DestroyerOptions{AfterStep: func(s dossier.DestructionState) error {
						if s == tc.after {
							cancel()
							return crash
						}
						return nil
					}})
				if err != nil {
					t.Fatalf("NewWorker: %v", err)
				}
				done := make(chan error, 1)
				go func() { done <- dying.Run(ctx) }()
				select {
				case <-done:
				case <-time.After(60 * time.Second):
					t.Fatalf("the worker did not reach %s within 60s\nlog:\n%s", tc.after, w.s.logs.String())
				}
				dying.Close()
				if n := w.count(t, `SELECT count(*) FROM medical.destructions WHERE request_id = $1 AND state = $2`, id, string(tc.after)); n != 1 {
					t.Fatalf("the job did not stop at %s", tc.after)
				}
			}
			// Restart: a new worker resumes what stopped.
			w.s.startWorker(t)
			awaitDestruction(t, w.s, id)
			if n := w.count(t, `SELECT count(*) FROM hr.requests WHERE id = $1 AND status = 'delivered' AND decided_by = $2`, id, w.physician.userID); n != 1 {
				t.Errorf("the request is not delivered with its decider after resume")
			}
			assertKeyGone(t, w.s.env, oldKey, gone, saved)
			if n := w.count(t, `SELECT count(*) FROM medical.entries WHERE id = $1`, gone); n != 0 {
				t.Errorf("the destroyed entry is still stored")
			}
			status, _, _ := w.dossierState(t)
			if !tc.partial {
				if status != "destroyed" || w.count(t, `SELECT count(*) FROM medical.entries WHERE dossier_id = $1`, dossierID) != 0 {
					t.Errorf("whole destruction after resume: dossier %s with entries left", status)
				}
				return
			}
			if status != "open" {
				t.Errorf("partial destruction after resume: dossier %s, want open", status)
			}
			list := w.s.do("GET", w.entries(), w.tokens["physician"], nil)
			if list.status != http.StatusOK || !strings.Contains(list.raw, kept) || strings.Contains(list.raw, gone) {
				t.Errorf("list after resumed partial destruction = %d %s", list.status, list.raw)
			}
		})
	}
}

// TestApplicationTokenCannotShred: the application token alone cannot
// delete a dossier key; the key and its ciphertexts stay.
func TestApplicationTokenCannotShred(t *testing.T) {
	t.Parallel()
	e := testenv.Load(t)
	app, err := newVault(configFor(e))
	if err != nil {
		t.Fatal(err)
	}
	key := "dossier-" + uuid.NewString() + "-g1"
	ctx := context.Background()
	if err := app.CreateKey(ctx, key); err != nil {
		t.Fatal(err)
	}
	ct, err := app.Encrypt(ctx, key, []byte("blijft"), []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	if err := app.DeleteKey(ctx, key); err == nil {
		t.Fatalf("DeleteKey with the application token = nil, want permission denied")
	}
	if ok, err := app.KeyExists(ctx, key); !ok || err != nil {
		t.Errorf("KeyExists after the refused deletion = %v, %v; want the key", ok, err)
	}
	if pt, err := app.Decrypt(ctx, key, ct, []byte("x")); err != nil || string(pt) != "blijft" {
		t.Errorf("decrypt after the refused deletion = %q, %v", pt, err)
	}
	// And with the destruction token it goes.
	shred, err := newDestructionVault(workerConfig(e))
	if err != nil || shred == nil {
		t.Fatalf("destruction client: %v", err)
	}
	if err := shred.DeleteKey(ctx, key); err != nil {
		t.Fatalf("DeleteKey with the destruction token: %v", err)
	}
	if ok, err := app.KeyExists(ctx, key); ok || err != nil {
		t.Errorf("KeyExists after deletion = %v, %v; want gone", ok, err)
	}
}
