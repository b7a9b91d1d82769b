package app

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/testenv"
)

func (w *dossierWorld) dossierPath(suffix string) string {
	return "/api/v1/employees/" + w.employee.String() + "/dossier/" + suffix
}

// writeOn adds an entry of kind dated on to the dossier as the physician.
func (w *dossierWorld) writeOn(t *testing.T, kind, text string, on time.Time) string {
	t.Helper()
	r := w.s.do("POST", w.entries(), w.tokens["physician"], map[string]any{"kind": kind, "text": text, "occurred_on": on.Format(time.DateOnly)})
	id, _ := r.body["id"].(string)
	if r.status != http.StatusCreated || id == "" {
		t.Fatalf("POST %s entry = %d %s", kind, r.status, r.raw)
	}
	return id
}

// consentBody is a consent for recipient kind and purpose over kinds.
func consentBody(kind, purpose string, kinds []string, from, to time.Time) map[string]any {
	scope := map[string]any{"kinds": kinds}
	if !from.IsZero() {
		scope["from"] = from.Format(time.DateOnly)
	}
	if !to.IsZero() {
		scope["to"] = to.Format(time.DateOnly)
	}
	return map[string]any{"recipient_kind": kind, "recipient": map[string]any{"name": "Dr. Bé Bakker", "organisation": "Ziekenhuis Rijnstate"},
		"purpose": purpose, "purpose_text": "Beoordeling van de belastbaarheid na de operatie.", "scope": scope,
		"expires_on": nowNL().AddDate(0, 3, 0).Format(time.DateOnly)}
}

// prepareConsent prepares a consent as the physician and returns its id.
func (w *dossierWorld) prepareConsent(t *testing.T, body map[string]any) string {
	t.Helper()
	r := w.s.do("POST", w.dossierPath("consents"), w.tokens["physician"], body)
	id, _ := r.body["id"].(string)
	if r.status != http.StatusCreated || id == "" || r.body["status"] != "prepared" {
		t.Fatalf("prepare consent = %d %s", r.status, r.raw)
	}
	return id
}

// signConsent signs consent id in the portal as the employee, with the
// hash of the text shown.
func (w *dossierWorld) signConsent(t *testing.T, id string) {
	t.Helper()
	mine := w.s.do("GET", "/api/v1/me/consents", w.tokens["employee"], nil)
	for _, x := range mine.body["consents"].([]any) {
		c := x.(map[string]any)
		if c["id"] == id {
			text := c["text"].(string)
			sum := sha256.Sum256([]byte(text))
			if hex.EncodeToString(sum[:]) != c["text_sha256"] {
				t.Fatalf("the consent's text_sha256 is not the SHA-256 of its text")
			}
			if r := w.s.do("POST", "/api/v1/me/consents/"+id+"/signature", w.tokens["employee"], map[string]any{"text_sha256": c["text_sha256"]}); r.status != http.StatusOK || r.body["status"] != "signed" {
				t.Fatalf("sign = %d %s", r.status, r.raw)
			}
			return
		}
	}
	t.Fatalf("consent %s is not among the employee's own: %s", id, mine.raw)
}

func assessment(interest, within, noHarm, covered bool) map[string]any {
	return map[string]any{"interest_outweighs_privacy": interest, "within_task_needs": within, "no_risk_of_harm": noHarm, "covered_by_rules": covered}
}

func (w *dossierWorld) registerDisclosure(t *testing.T, body map[string]any) string {
	t.Helper()
	r := w.s.do("POST", w.dossierPath("disclosures"), w.tokens["physician"], body)
	id, _ := r.body["id"].(string)
	if r.status != http.StatusCreated || id == "" {
		t.Fatalf("register disclosure = %d %s", r.status, r.raw)
	}
	return id
}

func (w *dossierWorld) grant(tok, id string) response {
	return w.s.do("POST", w.dossierPath("disclosures/"+id+"/decision"), tok,
		map[string]any{"decision": "grant", "assessment": assessment(true, true, true, true)})
}

// zipParts reads every part of a ZIP package.
func zipParts(t *testing.T, raw string) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader([]byte(raw)), int64(len(raw)))
	if err != nil {
		t.Fatalf("the package is not a ZIP: %v", err)
	}
	parts := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("open %s: %v", f.Name, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("read %s: %v", f.Name, err)
		}
		parts[f.Name] = b
	}
	return parts
}

// TestConsentBasedDisclosure: a consent-based disclosure is refused without
// a signed consent, with a revoked or expired consent, and when the scope
// asked exceeds the consent (422 with the reason, nothing changed); granted
// with a matching one, the export (JSON and PDF) holds exactly the
// consented entries; the consent form names recipient, purpose, scope and
// dates; nothing of it is stored in plaintext.
func TestConsentBasedDisclosure(t *testing.T) {
	t.Parallel()
	w := newDossierWorld(t)
	canary := "canary" + strings.ReplaceAll(uuid.NewString(), "-", "")
	base := nowNL().AddDate(0, -4, 0)
	day := func(n int) time.Time { return base.AddDate(0, 0, n) }
	texts := map[string]string{
		"old consultation": "Consult vóór de periode " + canary, "consultation": "Consult in de periode " + canary,
		"note": "Aantekening in de periode " + canary, "diagnosis": "Diagnose in de periode " + canary,
		"working_note": "Werkaantekening " + canary,
	}
	w.writeOn(t, "consultation", texts["old consultation"], day(0))
	w.writeOn(t, "consultation", texts["consultation"], day(20))
	w.writeOn(t, "note", texts["note"], day(25))
	w.writeOn(t, "diagnosis", texts["diagnosis"], day(22))
	w.writeOn(t, "working_note", texts["working_note"], day(21))

	// Bad consents change nothing; outsiders learn nothing.
	consents := func() int {
		return w.count(t, `SELECT count(*) FROM medical.consents WHERE employee_id = $1`, w.employee)
	}
	good := consentBody("specialist", "reintegration_assessment", []string{"consultation", "note"}, day(10), day(40))
	for name, mutate := range map[string]func(map[string]any){
		"unknown recipient": func(b map[string]any) { b["recipient_kind"] = "neighbour" },
		"a working note":    func(b map[string]any) { b["scope"] = map[string]any{"kinds": []string{"working_note"}} },
		"no kinds":          func(b map[string]any) { b["scope"] = map[string]any{"kinds": []string{}} },
		"expired already":   func(b map[string]any) { b["expires_on"] = nowNL().AddDate(0, 0, -1).Format(time.DateOnly) },
		"open-ended":        func(b map[string]any) { b["expires_on"] = nowNL().AddDate(2, 0, 0).Format(time.DateOnly) },
		"no recipient name": func(b map[string]any) { b["recipient"] = map[string]any{"organisation": "X"} },
		"a period backwards": func(b map[string]any) {
			b["scope"] = map[string]any{"kinds": []string{"note"}, "from": "2026-05-01", "to": "2026-04-01"}
		},
	} {
		b := map[string]any{}
		for k, v := range good {
			b[k] = v
		}
		mutate(b)
		if r := w.s.do("POST", w.dossierPath("consents"), w.tokens["physician"], b); r.status != http.StatusBadRequest {
			t.Errorf("prepare a consent with %s = %d %s, want 400", name, r.status, r.raw)
		}
	}
	for _, who := range []string{"employer", "case_manager", "privacy_officer", "other_physician", "employee"} {
		if r := w.s.do("POST", w.dossierPath("consents"), w.tokens[who], good); r.status != http.StatusNotFound {
			t.Errorf("prepare a consent as %s = %d, want 404", who, r.status)
		}
	}
	if n := consents(); n != 0 {
		t.Fatalf("refused consents wrote %d rows", n)
	}

	id := w.prepareConsent(t, good)
	form := w.s.do("GET", w.dossierPath("consents/"+id+"/form.pdf"), w.tokens["assistant"], nil)
	if form.status != http.StatusOK {
		t.Fatalf("consent form = %d %s", form.status, form.raw)
	}
	formText := testenv.PDFText(t, []byte(form.raw))
	for _, want := range []string{"Toestemming voor het verstrekken van medische gegevens", "Dr. Bé Bakker", "Ziekenhuis Rijnstate",
		"re-integratie", "belastbaarheid", "consulten, aantekeningen", day(10).Format(time.DateOnly), day(40).Format(time.DateOnly),
		pdfDate(nowNL().AddDate(0, 3, 0)), "Handtekening", "Datum", "Dossier Persoon"} {
		if !strings.Contains(formText, want) {
			t.Errorf("consent form lacks %q:\n%s", want, formText)
		}
	}

	// Registered before the employee signed: no consent yet.
	disc := func(kinds []string, from, to time.Time) map[string]any {
		return map[string]any{"requester": map[string]any{"name": "Dr. Bé Bakker", "organisation": "Ziekenhuis Rijnstate"},
			"task": "Revalidatiearts", "recipient_kind": "specialist", "purpose": "reintegration_assessment",
			"scope": map[string]any{"kinds": kinds, "from": from.Format(time.DateOnly), "to": to.Format(time.DateOnly)},
			"basis": "consent", "consent_id": id}
	}
	early := w.registerDisclosure(t, disc([]string{"consultation"}, day(10), day(40)))
	if r := w.grant(w.tokens["physician"], early); r.status != http.StatusUnprocessableEntity || r.body["ground"] != "consent_not_signed" {
		t.Errorf("grant before the consent is signed = %d %s, want 422 consent_not_signed", r.status, r.raw)
	}
	if r := w.s.do("POST", "/api/v1/me/consents/"+id+"/signature", w.tokens["employee"], map[string]any{"text_sha256": strings.Repeat("0", 64)}); r.status != http.StatusConflict {
		t.Errorf("sign with the hash of another text = %d, want 409", r.status)
	}
	w.signConsent(t, id)

	// The consent names one recipient: someone else with the same kind and
	// purpose is not covered.
	otherBody := disc([]string{"consultation"}, day(10), day(40))
	otherBody["requester"] = map[string]any{"name": "Dr. A. Anders", "organisation": "Verzekeraar Y"}
	other := w.registerDisclosure(t, otherBody)
	if r := w.grant(w.tokens["physician"], other); r.status != http.StatusUnprocessableEntity || r.body["ground"] != "consent_other_recipient" {
		t.Errorf("grant to another requester than the consent names = %d %s, want 422 consent_other_recipient", r.status, r.raw)
	}
	wide := w.registerDisclosure(t, disc([]string{"consultation", "diagnosis"}, day(10), day(40)))
	longer := w.registerDisclosure(t, disc([]string{"consultation"}, day(0), day(40)))
	for name, x := range map[string]string{"more kinds": wide, "a longer period": longer} {
		if r := w.grant(w.tokens["physician"], x); r.status != http.StatusUnprocessableEntity || r.body["ground"] != "scope_exceeds_consent" {
			t.Errorf("grant %s than consented = %d %s, want 422 scope_exceeds_consent", name, r.status, r.raw)
		}
	}
	if n := w.count(t, `SELECT count(*) FROM medical.disclosures WHERE employee_id = $1 AND status <> 'received'`, w.employee); n != 0 {
		t.Errorf("refused grants decided %d disclosures", n)
	}

	// A grant needs every ground in favour; a refusal names one.
	fit := w.registerDisclosure(t, disc([]string{"consultation", "note"}, day(10), day(40)))
	for _, tc := range []struct {
		who  string
		body map[string]any
		want int
	}{
		{"physician", map[string]any{"decision": "grant", "assessment": assessment(true, false, true, true)}, http.StatusBadRequest},
		{"physician", map[string]any{"decision": "refuse", "assessment": assessment(true, true, true, true)}, http.StatusBadRequest},
		{"physician", map[string]any{"decision": "grant", "assessment": map[string]any{"interest_outweighs_privacy": true}}, http.StatusBadRequest},
		{"physician", map[string]any{"decision": "grant", "assessment": assessment(true, true, true, false)}, http.StatusForbidden},
		{"assistant", map[string]any{"decision": "grant", "assessment": assessment(true, true, true, true)}, http.StatusNotFound},
		{"other_physician", map[string]any{"decision": "grant", "assessment": assessment(true, true, true, true)}, http.StatusNotFound},
	} {
		if r := w.s.do("POST", w.dossierPath("disclosures/"+fit+"/decision"), w.tokens[tc.who], tc.body); r.status != tc.want {
			t.Errorf("decide as %s with %v = %d %s, want %d", tc.who, tc.body, r.status, r.raw, tc.want)
		}
	}
	if r := w.s.do("GET", w.dossierPath("disclosures/"+fit+"/export.json"), w.tokens["physician"], nil); r.status != http.StatusConflict {
		t.Errorf("export before the grant = %d, want 409", r.status)
	}
	if r := w.grant(w.tokens["physician"], fit); r.status != http.StatusOK || r.body["status"] != "granted" {
		t.Fatalf("grant within the consent = %d %s", r.status, r.raw)
	}
	if r := w.grant(w.tokens["physician"], fit); r.status != http.StatusConflict {
		t.Errorf("decide twice = %d, want 409", r.status)
	}
	exp := w.s.do("GET", w.dossierPath("disclosures/"+fit+"/export.json"), w.tokens["physician"], nil)
	if exp.status != http.StatusOK {
		t.Fatalf("export.json = %d %s", exp.status, exp.raw)
	}
	var file struct {
		Entries []struct{ Kind, Text string } `json:"entries"`
	}
	if err := json.Unmarshal([]byte(exp.raw), &file); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range file.Entries {
		got = append(got, e.Text)
	}
	if len(got) != 2 || !strings.Contains(exp.raw, texts["consultation"]) || !strings.Contains(exp.raw, texts["note"]) {
		t.Errorf("export.json entries = %q, want exactly the consultation and the note of the period", got)
	}
	pdfRes := w.s.do("GET", w.dossierPath("disclosures/"+fit+"/export.pdf"), w.tokens["physician"], nil)
	pdfText := testenv.PDFText(t, []byte(pdfRes.raw))
	if pdfRes.status != http.StatusOK || !strings.Contains(pdfText, texts["consultation"]) || !strings.Contains(pdfText, texts["note"]) {
		t.Errorf("export.pdf = %d without the consented entries:\n%s", pdfRes.status, pdfText)
	}
	for _, not := range []string{"old consultation", "diagnosis", "working_note"} {
		if strings.Contains(exp.raw, texts[not]) || strings.Contains(pdfText, texts[not]) {
			t.Errorf("the export holds the %s, which the consent does not cover", not)
		}
	}
	if n := w.count(t, `SELECT (SELECT count(*) FROM audit.outbox WHERE object_kind = 'disclosure_export' AND object_id LIKE $1)
		+ (SELECT count(*) FROM audit.events WHERE object_kind = 'disclosure_export' AND object_id LIKE $1)`, fit+"#%#sha256=%"); n != 2 {
		t.Errorf("audited exports with their SHA-256 = %d, want 2", n)
	}

	// Revoked, the consent no longer counts: not for an export either.
	if r := w.s.do("POST", "/api/v1/me/consents/"+id+"/revocation", w.tokens["employee"], nil); r.status != http.StatusOK || r.body["status"] != "revoked" {
		t.Fatalf("revoke = %d %s", r.status, r.raw)
	}
	if r := w.s.do("GET", w.dossierPath("disclosures/"+fit+"/export.json"), w.tokens["physician"], nil); r.status != http.StatusUnprocessableEntity || r.body["ground"] != "consent_revoked" {
		t.Errorf("export after revocation = %d %s, want 422 consent_revoked", r.status, r.raw)
	}
	if r := w.grant(w.tokens["physician"], early); r.status != http.StatusUnprocessableEntity || r.body["ground"] != "consent_revoked" {
		t.Errorf("grant after revocation = %d %s, want 422 consent_revoked", r.status, r.raw)
	}

	// Expired, it no longer counts either.
	id2 := w.prepareConsent(t, good)
	w.signConsent(t, id2)
	if _, err := w.owner.Exec(context.Background(), `UPDATE medical.consents SET expires_on = $2 WHERE id = $1`, id2, nowNL().AddDate(0, 0, -1)); err != nil {
		t.Fatal(err)
	}
	b := disc([]string{"note"}, day(10), day(40))
	b["consent_id"] = id2
	late := w.registerDisclosure(t, b)
	if r := w.grant(w.tokens["physician"], late); r.status != http.StatusUnprocessableEntity || r.body["ground"] != "consent_expired" {
		t.Errorf("grant on an expired consent = %d %s, want 422 consent_expired", r.status, r.raw)
	}

	// The refusal records its ground.
	if r := w.s.do("POST", w.dossierPath("disclosures/"+late+"/decision"), w.tokens["physician"],
		map[string]any{"decision": "refuse", "assessment": assessment(true, false, true, true)}); r.status != http.StatusOK || r.body["status"] != "refused" {
		t.Errorf("refuse on more than the task needs = %d %s", r.status, r.raw)
	}

	// Nothing of it is plaintext in the medical schema.
	if n := w.count(t, `SELECT count(*) FROM medical.consents c WHERE c.employee_id = $1 AND (c.sealed LIKE '%Bakker%' OR c::text LIKE '%Rijnstate%')`, w.employee) +
		w.count(t, `SELECT count(*) FROM medical.disclosures d WHERE d.employee_id = $1 AND d::text LIKE '%Rijnstate%'`, w.employee); n != 0 {
		t.Errorf("recipient names stored in plaintext in %d rows", n)
	}
}

// TestLegalDutyDisclosure: a disclosure on a legal duty needs its ground,
// and one to UWV the medical and the labour-expert motivation, which its
// export carries.
func TestLegalDutyDisclosure(t *testing.T) {
	t.Parallel()
	w := newDossierWorld(t)
	w.writeOn(t, "consultation", "Consult over de belastbaarheid.", nowNL().AddDate(0, -1, 0))
	uwv := func() map[string]any {
		return map[string]any{"requester": map[string]any{"name": "Mw. drs. K. de Graaf", "organisation": "UWV Arnhem"},
			"task": "Verzekeringsarts, WIA-beoordeling", "recipient_kind": "uwv_insurance_physician", "purpose": "benefit_assessment",
			"scope": map[string]any{"kinds": []string{"consultation"}}, "basis": "legal_duty", "legal_ground": "Wet WIA art. 44",
			"medical_motivation": "Beperkingen volgen uit het verloop sinds het eerste ziekteverzuim.",
			"labour_motivation":  "Het eigen werk vraagt langdurig staan; passend werk is zittend."}
	}
	for name, mutate := range map[string]func(map[string]any){
		"no legal ground":           func(b map[string]any) { delete(b, "legal_ground") },
		"no medical motivation":     func(b map[string]any) { delete(b, "medical_motivation") },
		"no labour motivation":      func(b map[string]any) { delete(b, "labour_motivation") },
		"a consent on a legal duty": func(b map[string]any) { b["consent_id"] = uuid.NewString() },
		"an unknown basis":          func(b map[string]any) { b["basis"] = "curiosity" },
	} {
		b := uwv()
		mutate(b)
		if r := w.s.do("POST", w.dossierPath("disclosures"), w.tokens["physician"], b); r.status != http.StatusBadRequest {
			t.Errorf("register a UWV disclosure with %s = %d %s, want 400", name, r.status, r.raw)
		}
	}
	id := w.registerDisclosure(t, uwv())
	if r := w.grant(w.tokens["physician"], id); r.status != http.StatusOK {
		t.Fatalf("grant on the legal duty = %d %s", r.status, r.raw)
	}
	res := w.s.do("GET", w.dossierPath("disclosures/"+id+"/export.pdf"), w.tokens["physician"], nil)
	text := testenv.PDFText(t, []byte(res.raw))
	for _, want := range []string{"Wet WIA art. 44", "Medische motivering", "Beperkingen volgen", "Arbeidskundige motivering",
		"langdurig staan", "Consult over de belastbaarheid"} {
		if !strings.Contains(text, want) {
			t.Errorf("UWV export lacks %q:\n%s", want, text)
		}
	}
}

// TestInformationRequest: a request to a treating physician is allowed
// only under a consent for treatment information (422 otherwise); the
// paper form's scan is registered encrypted; the answer becomes a
// treating_physician_info entry.
func TestInformationRequest(t *testing.T) {
	t.Parallel()
	w := newDossierWorld(t)
	w.writeOn(t, "note", "Aantekening.", nowNL().AddDate(0, 0, -3))
	other := w.prepareConsent(t, consentBody("specialist", "reintegration_assessment", []string{"note"}, time.Time{}, time.Time{}))
	w.signConsent(t, other)
	id := w.prepareConsent(t, consentBody("treating_physician", "treatment_information", []string{"consultation"}, time.Time{}, time.Time{}))
	ask := func(consentID string) response {
		return w.s.do("POST", w.dossierPath("information-requests"), w.tokens["assistant"],
			map[string]any{"consent_id": consentID, "question": "Welke behandeling loopt er sinds maart?"})
	}
	if r := ask(id); r.status != http.StatusUnprocessableEntity || r.body["ground"] != "consent_not_signed" {
		t.Errorf("ask under an unsigned consent = %d %s, want 422", r.status, r.raw)
	}
	if r := ask(other); r.status != http.StatusUnprocessableEntity || r.body["ground"] != "consent_other_purpose" {
		t.Errorf("ask under a consent for a specialist's assessment = %d %s, want 422 consent_other_purpose", r.status, r.raw)
	}
	scan := rawBody{"application/pdf", testenv.PDF("getekende toestemming")}
	path := w.dossierPath("consents/" + id + "/paper?signed_on=")
	if r := w.s.do("POST", path+nowNL().AddDate(0, 0, 1).Format(time.DateOnly), w.tokens["assistant"], scan); r.status != http.StatusBadRequest {
		t.Errorf("register a paper form signed tomorrow = %d, want 400", r.status)
	}
	if r := w.s.do("POST", path+nowNL().Format(time.DateOnly), w.tokens["assistant"], rawBody{"application/pdf", []byte("not a pdf")}); r.status != http.StatusBadRequest {
		t.Errorf("register a paper form with a bad scan = %d, want 400", r.status)
	}
	r := w.s.do("POST", path+nowNL().Format(time.DateOnly), w.tokens["assistant"], scan)
	if r.status != http.StatusOK || r.body["status"] != "signed" || r.body["signed_via"] != "paper" || r.body["scan_id"] == nil {
		t.Fatalf("register the signed paper form = %d %s", r.status, r.raw)
	}
	if r := w.s.do("GET", "/api/v1/employees/"+w.employee.String()+"/dossier/attachments/"+r.body["scan_id"].(string), w.tokens["physician"], nil); r.status != http.StatusOK || !strings.HasPrefix(r.raw, "%PDF") {
		t.Errorf("the scan is not readable as an attachment: %d", r.status)
	}
	req := ask(id)
	if req.status != http.StatusCreated || req.body["on_behalf_of"] != w.physician.userID.String() {
		t.Fatalf("ask under the consent = %d %s", req.status, req.raw)
	}
	ans := w.s.do("POST", w.dossierPath("information-requests/"+req.body["id"].(string)+"/answer"), w.tokens["physician"],
		map[string]any{"text": "Fysiotherapie twee keer per week sinds 3 maart.", "occurred_on": nowNL().Format(time.DateOnly)})
	if ans.status != http.StatusOK || ans.body["entry"].(map[string]any)["kind"] != "treating_physician_info" {
		t.Fatalf("answer = %d %s", ans.status, ans.raw)
	}
	if r := w.s.do("POST", w.dossierPath("information-requests/"+req.body["id"].(string)+"/answer"), w.tokens["physician"],
		map[string]any{"text": "Nogmaals."}); r.status != http.StatusConflict {
		t.Errorf("answer twice = %d, want 409", r.status)
	}
	list := w.s.do("GET", w.dossierPath("information-requests"), w.tokens["physician"], nil)
	if !strings.Contains(list.raw, "Welke behandeling") || !strings.Contains(list.raw, ans.body["entry"].(map[string]any)["id"].(string)) {
		t.Errorf("the request list lacks the question or its answer: %s", list.raw)
	}
	if n := w.count(t, `SELECT count(*) FROM medical.information_requests r WHERE r::text LIKE '%behandeling%'`); n != 0 {
		t.Errorf("the question is stored in plaintext")
	}
}

// simultaneously sends n copies of one request at once and returns the
// statuses.
func (w *dossierWorld) simultaneously(n int, method, path, tok string, body any) []int {
	statuses := make([]int, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			statuses[i] = w.s.do(method, path, tok, body).status
		}()
	}
	close(start)
	wg.Wait()
	return statuses
}

// oneWinner reports whether exactly one status is ok and all others are
// 409.
func oneWinner(statuses []int, ok int) bool {
	won := 0
	for _, s := range statuses {
		switch s {
		case ok:
			won++
		case http.StatusConflict:
		default:
			return false
		}
	}
	return won == 1
}

// TestSimultaneousAnswersLeaveOneRecord: answers to one information
// request, or scans of one paper form, sent at the same moment are stored
// once; the requests that lose get 409 and leave nothing behind (no second
// entry, no orphan scan).
func TestSimultaneousAnswersLeaveOneRecord(t *testing.T) {
	t.Parallel()
	w := newDossierWorld(t)
	w.writeOn(t, "note", "Aantekening.", nowNL().AddDate(0, 0, -3))
	id := w.prepareConsent(t, consentBody("treating_physician", "treatment_information", []string{"consultation"}, time.Time{}, time.Time{}))
	const n = 6
	scan := rawBody{"application/pdf", testenv.PDF("getekende toestemming")}
	paper := w.dossierPath("consents/" + id + "/paper?signed_on=" + nowNL().Format(time.DateOnly))
	if got := w.simultaneously(n, "POST", paper, w.tokens["assistant"], scan); !oneWinner(got, http.StatusOK) {
		t.Errorf("register one paper form %d times at once = %v, want one 200 and 409 for the rest", n, got)
	}
	if got := w.count(t, `SELECT count(*) FROM medical.attachments a JOIN medical.dossiers d ON d.id = a.dossier_id
		WHERE d.employee_id = $1`, w.employee); got != 1 {
		t.Errorf("attachments after registering one form %d times at once = %d, want 1 (no orphan scans)", n, got)
	}
	req := w.s.do("POST", w.dossierPath("information-requests"), w.tokens["assistant"],
		map[string]any{"consent_id": id, "question": "Welke behandeling loopt er?"})
	if req.status != http.StatusCreated {
		t.Fatalf("ask under the consent = %d %s", req.status, req.raw)
	}
	answer := w.dossierPath("information-requests/" + req.body["id"].(string) + "/answer")
	if got := w.simultaneously(n, "POST", answer, w.tokens["physician"], map[string]any{"text": "Fysiotherapie."}); !oneWinner(got, http.StatusOK) {
		t.Errorf("answer one request %d times at once = %v, want one 200 and 409 for the rest", n, got)
	}
	if got := w.count(t, `SELECT count(*) FROM medical.entries e JOIN medical.dossiers d ON d.id = e.dossier_id
		WHERE d.employee_id = $1 AND e.kind = 'treating_physician_info'`, w.employee); got != 1 {
		t.Errorf("treating_physician_info entries after answering %d times at once = %d, want 1", n, got)
	}
	if got := w.count(t, `SELECT count(*) FROM medical.information_requests r JOIN medical.entries e ON e.id = r.answer_entry_id
		WHERE r.id = $1`, req.body["id"]); got != 1 {
		t.Errorf("the request does not name its answer's entry")
	}
}

// TestDossierTransfer: with the employee's consent the dossier goes as a
// package streamed in memory (a manifest with the SHA-256 of every part,
// the entries and attachments, a PDF summary); without a valid consent it
// does not; after the hand-over the local dossier is closed or destroyed.
func TestDossierTransfer(t *testing.T) {
	t.Parallel()
	for _, disposal := range []string{"close", "destroy"} {
		t.Run(disposal, func(t *testing.T) {
			w := newDossierWorld(t)
			note := w.writeOn(t, "consultation", "Consult bij de vorige arbodienst.", nowNL().AddDate(0, -2, 0))
			w.write(t, "physician", "working_note", "Werkaantekening die nooit meegaat.")
			w.attach(t, note)
			body := consentBody("occupational_health_service", "dossier_transfer",
				[]string{"consultation", "note", "diagnosis", "treating_physician_info", "examination", "own_statement"}, time.Time{}, time.Time{})
			body["recipient"] = map[string]any{"name": "Arbodienst Oost", "organisation": "Arbodienst Oost BV"}
			id := w.prepareConsent(t, body)
			if r := w.s.do("POST", w.dossierPath("transfers"), w.tokens["physician"], map[string]any{"consent_id": id}); r.status != http.StatusUnprocessableEntity {
				t.Errorf("transfer before the consent is signed = %d, want 422", r.status)
			}
			w.signConsent(t, id)
			if r := w.s.do("POST", w.dossierPath("transfers"), w.tokens["assistant"], map[string]any{"consent_id": id}); r.status != http.StatusNotFound {
				t.Errorf("transfer as the assistant = %d, want 404", r.status)
			}
			tr := w.s.do("POST", w.dossierPath("transfers"), w.tokens["physician"], map[string]any{"consent_id": id})
			if tr.status != http.StatusCreated {
				t.Fatalf("prepare transfer = %d %s", tr.status, tr.raw)
			}
			tid := tr.body["id"].(string)
			if r := w.s.do("POST", w.dossierPath("transfers/"+tid+"/handover"), w.tokens["physician"], map[string]any{"disposal": disposal}); r.status != http.StatusConflict {
				t.Errorf("hand over before the package went = %d, want 409", r.status)
			}
			pkg := w.s.do("GET", w.dossierPath("transfers/"+tid+"/package.zip"), w.tokens["physician"], nil)
			if pkg.status != http.StatusOK || pkg.header.Get("Content-Type") != "application/zip" || pkg.header.Get("Cache-Control") != "no-store" {
				t.Fatalf("package = %d %v", pkg.status, pkg.header)
			}
			parts := zipParts(t, pkg.raw)
			var manifest struct {
				SHA256      map[string]string `json:"sha256"`
				Entries     int               `json:"entries"`
				Attachments int               `json:"attachments"`
			}
			if err := json.Unmarshal(parts["manifest.json"], &manifest); err != nil {
				t.Fatalf("manifest.json: %v", err)
			}
			if len(manifest.SHA256) != len(parts)-1 || manifest.Entries != 1 || manifest.Attachments != 1 {
				t.Errorf("manifest = %+v for parts %d, want every part but itself, 1 entry, 1 attachment", manifest, len(parts))
			}
			for name, sum := range manifest.SHA256 {
				got := sha256.Sum256(parts[name])
				if hex.EncodeToString(got[:]) != sum {
					t.Errorf("manifest SHA-256 of %s does not match the part", name)
				}
			}
			if !strings.Contains(string(parts["entries.json"]), "Consult bij de vorige arbodienst.") || strings.Contains(string(parts["entries.json"]), "nooit meegaat") {
				t.Errorf("entries.json holds the wrong entries: %s", parts["entries.json"])
			}
			if text := testenv.PDFText(t, parts["summary.pdf"]); !strings.Contains(text, "Arbodienst Oost") || !strings.Contains(text, "Dossier Persoon") {
				t.Errorf("summary.pdf lacks the recipient or the employee:\n%s", text)
			}
			if n := w.count(t, `SELECT count(*) FROM medical.transfers WHERE id = $1 AND package_sha256 = $2`, tid, func() string {
				s := sha256.Sum256([]byte(pkg.raw))
				return hex.EncodeToString(s[:])
			}()); n != 1 {
				t.Errorf("the package's SHA-256 is not recorded on the transfer")
			}
			if r := w.s.do("POST", w.dossierPath("transfers/"+tid+"/handover"), w.tokens["physician"], map[string]any{"disposal": "archive"}); r.status != http.StatusBadRequest {
				t.Errorf("hand over with an unknown disposal = %d, want 400", r.status)
			}
			ho := w.s.do("POST", w.dossierPath("transfers/"+tid+"/handover"), w.tokens["physician"], map[string]any{"disposal": disposal})
			if ho.status != http.StatusOK || ho.body["disposal"] != disposal {
				t.Fatalf("hand over = %d %s", ho.status, ho.raw)
			}
			if disposal == "destroy" {
				// The hand-over records the job; the worker destroys.
				w.s.startWorker(t)
				awaitDestruction(t, w.s, tid)
			}
			status, _, _ := w.dossierState(t)
			switch disposal {
			case "close":
				if status != "closed" {
					t.Errorf("dossier after hand-over and close = %s, want closed", status)
				}
				if r := w.s.do("POST", w.entries(), w.tokens["physician"], map[string]any{"kind": "note", "text": "x"}); r.status != http.StatusConflict {
					t.Errorf("write into the closed dossier = %d, want 409", r.status)
				}
				if r := w.s.do("GET", w.entries(), w.tokens["physician"], nil); r.status != http.StatusOK {
					t.Errorf("read the closed dossier = %d, want 200", r.status)
				}
			case "destroy":
				if status != "destroyed" {
					t.Errorf("dossier after hand-over and destroy = %s, want destroyed", status)
				}
			}
		})
	}
	t.Run("destroy needs a consent to the whole dossier", func(t *testing.T) {
		w := newDossierWorld(t)
		w.writeOn(t, "note", "Aantekening.", nowNL().AddDate(0, 0, -1))
		w.writeOn(t, "diagnosis", "Diagnose die niet meegaat.", nowNL().AddDate(0, 0, -1))
		id := w.prepareConsent(t, consentBody("occupational_health_service", "dossier_transfer", []string{"note"}, time.Time{}, time.Time{}))
		w.signConsent(t, id)
		tr := w.s.do("POST", w.dossierPath("transfers"), w.tokens["physician"], map[string]any{"consent_id": id})
		tid := tr.body["id"].(string)
		pkg := w.s.do("GET", w.dossierPath("transfers/"+tid+"/package.zip"), w.tokens["physician"], nil)
		if pkg.status != http.StatusOK {
			t.Fatalf("package of a notes-only consent = %d %s", pkg.status, pkg.raw)
		}
		if entries := string(zipParts(t, pkg.raw)["entries.json"]); strings.Contains(entries, "niet meegaat") || !strings.Contains(entries, "Aantekening.") {
			t.Errorf("package of a notes-only consent holds %s, want the note only", entries)
		}
		if r := w.s.do("POST", w.dossierPath("transfers/"+tid+"/handover"), w.tokens["physician"], map[string]any{"disposal": "destroy"}); r.status != http.StatusConflict {
			t.Errorf("destroy after a partial transfer = %d %s, want 409", r.status, r.raw)
		}
		if status, _, _ := w.dossierState(t); status != "open" {
			t.Errorf("dossier after the refused disposal = %s, want open", status)
		}
	})
	t.Run("revoked consent stops the package", func(t *testing.T) {
		w := newDossierWorld(t)
		w.writeOn(t, "note", "Aantekening.", nowNL().AddDate(0, 0, -1))
		id := w.prepareConsent(t, consentBody("occupational_health_service", "dossier_transfer", []string{"note"}, time.Time{}, time.Time{}))
		w.signConsent(t, id)
		tr := w.s.do("POST", w.dossierPath("transfers"), w.tokens["physician"], map[string]any{"consent_id": id})
		if tr.status != http.StatusCreated {
			t.Fatalf("prepare transfer = %d %s", tr.status, tr.raw)
		}
		if r := w.s.do("POST", w.dossierPath("consents/"+id+"/revocation"), w.tokens["physician"], nil); r.status != http.StatusOK {
			t.Fatalf("revoke = %d %s", r.status, r.raw)
		}
		if r := w.s.do("GET", w.dossierPath("transfers/"+tr.body["id"].(string)+"/package.zip"), w.tokens["physician"], nil); r.status != http.StatusUnprocessableEntity ||
			!strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("package after revocation = %d %s, want 422 problem+json", r.status, r.raw)
		}
	})
}
