package app

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/arbokluis/arbokluis/internal/testenv"
	"github.com/arbokluis/arbokluis/internal/web"
)

// uploadScan puts a file with content under name into the one file input
// named scan on the page in the tab.
func uploadScan(t *testing.T, ctx context.Context, name string, content []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.SetUploadFiles(chromedp.CSS(`input[name=scan]`), []string{path})); err != nil {
		t.Fatalf("choose the scan %s: %v", name, err)
	}
}

// submitWant submits the button named button and fails the test unless the
// page it leads to has status want.
func submitWant(t *testing.T, ctx context.Context, button string, want int) {
	t.Helper()
	if st := testenv.Submit(t, ctx, button); st != want {
		t.Fatalf("%s = %d, want %d: %s", button, st, want, testenv.PageText(t, ctx))
	}
}

// TestPortalConsentsWalk walks the physician's consent pages in Chromium:
// a consent for information from the treating physician is prepared (a
// form with a missing recipient and kinds first: the form again, nothing
// stored), its form downloaded as PDF, a scan that is not a PDF refused and
// the signed paper form registered; an information request sent under it
// and its answer (first without text) filed in the dossier; a UWV request
// on the legal duty registered, assessed, granted and exported as PDF; a
// consent to a transfer prepared and signed on paper, the transfer
// prepared, its package downloaded and the hand-over recorded. The
// database holds each step; the employee then sees the consent as given on
// /mijn/toestemmingen, and the employer does not see the pages exist.
// Every page is inspected (CSP, axe, screenshots at 360 and 1280 px).
func TestPortalConsentsWalk(t *testing.T) {
	t.Parallel()
	ctx := testenv.Browser(t)
	w := newDossierWorld(t)
	base := w.s.url
	emp := w.employee.String()
	page := base + "/arts/medewerkers/" + emp
	w.writeOn(t, "consultation", "Spreekuur: klachten aan de rechterschouder.", nowNL())
	count := func(sql string) int { return w.count(t, sql, w.employee) }

	portalLogin(t, ctx, base, w.physician)

	// A consent for information from the treating physician.
	testenv.Navigate(t, ctx, page+"/toestemmingen")
	wantText(t, ctx, "the consents page", "Er zijn nog geen toestemmingen.", "Terug naar het dossier")
	testenv.Inspect(t, ctx, "arts-toestemmingen")
	testenv.Fill(t, ctx, map[string]string{"Wie krijgt de gegevens": "treating_physician", "Doel": "treatment_information"})
	submitWant(t, ctx, "Toestemming voorbereiden", http.StatusBadRequest)
	wantText(t, ctx, "a consent without recipient", "Vul de naam van de ontvanger in", "Kies welke soorten stukken", "Er is niets opgeslagen")
	testenv.Inspect(t, ctx, "arts-toestemming-fout")
	if n := count(`SELECT count(*) FROM medical.consents WHERE employee_id = $1`); n != 0 {
		t.Fatalf("a refused consent form stored %d consents", n)
	}
	testenv.Fill(t, ctx, map[string]string{"Naam van de ontvanger": "Dr. H. Huisman",
		"Organisatie of praktijk van de ontvanger": "Huisartsenpraktijk Centrum", "consulten": "true"})
	submitWant(t, ctx, "Toestemming voorbereiden", http.StatusOK)
	wantText(t, ctx, "the prepared consent", "De toestemming is voorbereid", "Dr. H. Huisman, Huisartsenpraktijk Centrum",
		"nog niet getekend", "Behandelend arts (huisarts)")
	testenv.Inspect(t, ctx, "arts-toestemming-voorbereid")
	name, pdf := testenv.Download(t, ctx, "Formulier van de nieuwe toestemming downloaden (pdf)")
	if !strings.HasSuffix(name, ".pdf") || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("the consent form downloads as %q starting %q, want a PDF", name, pdf[:min(len(pdf), 8)])
	}
	if text := testenv.PDFText(t, pdf); !strings.Contains(text, "Huisartsenpraktijk Centrum") || !strings.Contains(text, "Dossier Persoon") {
		t.Errorf("the consent form does not name the recipient and the employee:\n%s", text)
	}

	// The signed paper form: a scan that is no PDF first.
	uploadScan(t, ctx, "scan.txt", []byte("geen pdf"))
	submitWant(t, ctx, "Getekend formulier opslaan", http.StatusBadRequest)
	wantText(t, ctx, "a scan that is no PDF", "Kies de scan van het getekende formulier")
	testenv.Inspect(t, ctx, "arts-toestemming-scan-fout")
	if n := count(`SELECT count(*) FROM medical.consents WHERE employee_id = $1 AND status = 'prepared'`); n != 1 {
		t.Fatalf("after a refused scan %d consents are prepared, want 1", n)
	}
	uploadScan(t, ctx, "getekend.pdf", testenv.PDF("getekend"))
	submitWant(t, ctx, "Getekend formulier opslaan", http.StatusOK)
	wantText(t, ctx, "the signed consent", "Het getekende formulier is opgeslagen", "Geldig: op papier getekend op")
	testenv.Inspect(t, ctx, "arts-toestemming-getekend")
	if n := count(`SELECT count(*) FROM medical.consents WHERE employee_id = $1 AND status = 'signed' AND signed_via = 'paper'
		AND scan_id IS NOT NULL`); n != 1 {
		t.Errorf("after the paper form %d consents are signed on paper with a scan, want 1", n)
	}

	// An information request under it, and the answer.
	submitWant(t, ctx, "Informatieverzoeken", http.StatusOK)
	testenv.Inspect(t, ctx, "arts-informatieverzoeken")
	testenv.Fill(t, ctx, map[string]string{"Uw vraag aan de behandelaar": "Welke behandeling loopt er, en hoe lang nog?"})
	submitWant(t, ctx, "Informatieverzoek opslaan", http.StatusOK)
	wantText(t, ctx, "the request sent", "Het informatieverzoek is opgeslagen", "Vraag aan Dr. H. Huisman", "Nog geen antwoord")
	testenv.Inspect(t, ctx, "arts-informatieverzoek-verstuurd")
	submitWant(t, ctx, "Antwoord opslaan", http.StatusBadRequest)
	wantText(t, ctx, "an answer without text", "Vul het antwoord van de behandelaar in")
	testenv.Inspect(t, ctx, "arts-informatieverzoek-fout")
	if n := count(`SELECT count(*) FROM medical.entries e JOIN medical.dossiers d ON d.id = e.dossier_id
		WHERE d.employee_id = $1 AND e.kind = 'treating_physician_info'`); n != 0 {
		t.Fatalf("an empty answer filed %d entries", n)
	}
	testenv.Fill(t, ctx, map[string]string{"Antwoord van de behandelaar": "Fysiotherapie, nog ongeveer zes weken."})
	submitWant(t, ctx, "Antwoord opslaan", http.StatusOK)
	wantText(t, ctx, "the answer", "Het antwoord is opgeslagen", "Antwoord ontvangen op")
	testenv.Inspect(t, ctx, "arts-informatieverzoek-beantwoord")
	if n := count(`SELECT count(*) FROM medical.information_requests r JOIN medical.dossiers d ON d.id = r.dossier_id
		WHERE d.employee_id = $1 AND r.answered_at IS NOT NULL AND r.answer_entry_id IS NOT NULL`); n != 1 {
		t.Errorf("%d information requests are answered, want 1", n)
	}

	// A UWV request on the legal duty: registered, assessed, granted,
	// exported.
	submitWant(t, ctx, "Verstrekkingen", http.StatusOK)
	wantText(t, ctx, "the disclosures", "Er zijn nog geen verzoeken om gegevens.")
	testenv.Inspect(t, ctx, "arts-verstrekkingen")
	submitWant(t, ctx, "Nieuw verzoek om gegevens registreren", http.StatusOK)
	testenv.Inspect(t, ctx, "arts-verstrekking-nieuw")
	testenv.Fill(t, ctx, map[string]string{"Naam van de aanvrager": "Mw. K. de Graaf", "Organisatie van de aanvrager": "UWV",
		"Taak van de aanvrager": "WIA-beoordeling", "Soort ontvanger": "uwv_insurance_physician", "Doel": "benefit_assessment",
		"consulten": "true", "basis": "legal_duty", "Bij een wettelijke plicht: welk wetsartikel": "Wet WIA art. 44"})
	submitWant(t, ctx, "Verzoek registreren", http.StatusBadRequest)
	wantText(t, ctx, "a UWV request without motivations", "Vul de medische motivering in", "Vul de arbeidskundige motivering in")
	testenv.Inspect(t, ctx, "arts-verstrekking-fout")
	testenv.Fill(t, ctx, map[string]string{"Medische motivering": "Beperkingen in het bovenste lidmaat.",
		"Arbeidskundige motivering": "Geen bovenhands werk mogelijk."})
	submitWant(t, ctx, "Verzoek registreren", http.StatusOK)
	wantText(t, ctx, "the registered request", "Het verzoek is geregistreerd", "Verzoek van Mw. K. de Graaf, UWV",
		"Wettelijke plicht: Wet WIA art. 44", "Ontvangen, nog niet besloten", "Weegt het belang")
	testenv.Inspect(t, ctx, "arts-verstrekking-geregistreerd")
	testenv.Fill(t, ctx, map[string]string{"interest_outweighs_privacy": "ja", "within_task_needs": "ja", "no_risk_of_harm": "ja",
		"covered_by_rules": "ja", "decision": "grant"})
	submitWant(t, ctx, "Besluit opslaan", http.StatusOK)
	wantText(t, ctx, "the granted request", "Het verzoek is toegekend", "Toegekend", "Beoordeling")
	testenv.Inspect(t, ctx, "arts-verstrekking-toegekend")
	if n := count(`SELECT count(*) FROM medical.disclosures WHERE employee_id = $1 AND status = 'granted' AND basis = 'legal_duty'`); n != 1 {
		t.Errorf("%d disclosures are granted on the legal duty, want 1", n)
	}
	name, pdf = testenv.Download(t, ctx, "Export downloaden (pdf)")
	if !strings.HasSuffix(name, ".pdf") || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("the export downloads as %q starting %q, want a PDF", name, pdf[:min(len(pdf), 8)])
	}
	if text := testenv.PDFText(t, pdf); !strings.Contains(text, "rechterschouder") || strings.Contains(text, "Fysiotherapie") {
		t.Errorf("the export holds other than exactly the consultations:\n%s", text)
	}

	// A transfer: its consent signed on paper, prepared, the package
	// downloaded and the hand-over recorded.
	submitWant(t, ctx, "Toestemmingen", http.StatusOK)
	testenv.Fill(t, ctx, map[string]string{"Wie krijgt de gegevens": "occupational_health_service",
		"Naam van de ontvanger": "Mw. dr. A. Nieuw", "Organisatie of praktijk van de ontvanger": "Arbodienst Nieuw BV",
		"Doel": "dossier_transfer", "consulten": "true", "informatie van behandelaars": "true"})
	submitWant(t, ctx, "Toestemming voorbereiden", http.StatusOK)
	uploadScan(t, ctx, "overdracht.pdf", testenv.PDF("overdracht"))
	submitWant(t, ctx, "Getekend formulier opslaan", http.StatusOK)
	submitWant(t, ctx, "Overdrachten", http.StatusOK)
	wantText(t, ctx, "the transfers", "Er zijn nog geen overdrachten.")
	testenv.Inspect(t, ctx, "arts-overdrachten")
	submitWant(t, ctx, "Overdracht voorbereiden", http.StatusOK)
	wantText(t, ctx, "the prepared transfer", "De overdracht is voorbereid", "Aan Mw. dr. A. Nieuw, Arbodienst Nieuw BV",
		"Download eerst het pakket")
	testenv.Inspect(t, ctx, "arts-overdracht-voorbereid")
	name, pkg := testenv.Download(t, ctx, "Pakket downloaden (zip)")
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil || !strings.HasSuffix(name, ".zip") {
		t.Fatalf("the package downloads as %q, not a ZIP: %v", name, err)
	}
	parts := map[string]bool{}
	for _, f := range zr.File {
		parts[f.Name] = true
	}
	for _, want := range []string{"entries.json", "summary.pdf", "manifest.json"} {
		if !parts[want] {
			t.Errorf("the package lacks %s: %v", want, parts)
		}
	}
	testenv.Navigate(t, ctx, page+"/overdrachten")
	wantText(t, ctx, "the exported transfer", "Gedownload op", "SHA-256")
	testenv.Inspect(t, ctx, "arts-overdracht-pakket")
	testenv.Fill(t, ctx, map[string]string{"disposal": "close"})
	submitWant(t, ctx, "Overdracht vastleggen", http.StatusOK)
	wantText(t, ctx, "the handed-over transfer", "De overdracht is vastgelegd", "het dossier is hier gesloten")
	testenv.Inspect(t, ctx, "arts-overdracht-overgedragen")
	if n := count(`SELECT count(*) FROM medical.transfers t JOIN medical.dossiers d ON d.id = t.dossier_id
		WHERE d.employee_id = $1 AND t.handed_over_at IS NOT NULL AND t.disposal = 'close' AND t.package_sha256 IS NOT NULL`); n != 1 {
		t.Errorf("%d transfers are handed over with their package, want 1", n)
	}

	// The assistant reads the requests and transfers, but the decisions,
	// exports and transfers are the physician's.
	if r := w.s.portal("GET", "/arts/medewerkers/"+emp+"/verstrekkingen", w.tokens["assistant"], nil); r.status != http.StatusOK ||
		!strings.Contains(r.body, "Verzoek van Mw. K. de Graaf") || strings.Contains(r.body, "export.pdf") {
		t.Errorf("the assistant's disclosures page = %d, want the requests without their exports", r.status)
	}
	if r := w.s.portal("GET", "/arts/medewerkers/"+emp+"/overdrachten", w.tokens["assistant"], nil); r.status != http.StatusOK ||
		!strings.Contains(r.body, "Alleen een bedrijfsarts draagt een dossier over") || strings.Contains(r.body, "pakket.zip") {
		t.Errorf("the assistant's transfers page = %d, want the transfers without the physician's forms", r.status)
	}

	// The employer may not know these pages exist.
	if r := w.s.portal("GET", "/arts/medewerkers/"+emp+"/toestemmingen", w.tokens["employer"], nil); r.status != http.StatusNotFound ||
		strings.Contains(r.body, "Huisman") {
		t.Errorf("the employer's view of the consents page = %d, want the 404 page", r.status)
	}

	// The employee sees the consent as given.
	submitWant(t, ctx, "Uitloggen", http.StatusOK)
	portalLogin(t, ctx, base, w.employeeLogin)
	testenv.Navigate(t, ctx, base+"/mijn/toestemmingen")
	wantText(t, ctx, "the employee's consents", "Toestemming voor Dr. H. Huisman, Huisartsenpraktijk Centrum", "Gegeven op")
	testenv.Inspect(t, ctx, "arts-werknemer-toestemmingen")
}

// portalMultipart posts a multipart form to the stack's portal as a
// same-origin browser does: the fields, and the file part scan with its
// content type (none when contentType is "").
func (s *stack) portalMultipart(path, token string, fields map[string]string, contentType string, scan []byte) portalResponse {
	s.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			s.t.Fatal(err)
		}
	}
	if contentType != "" {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="scan"; filename="scan"`)
		h.Set("Content-Type", contentType)
		part, err := mw.CreatePart(h)
		if err != nil {
			s.t.Fatal(err)
		}
		part.Write(scan) //nolint:errcheck // a bytes.Buffer
	}
	if err := mw.Close(); err != nil {
		s.t.Fatal(err)
	}
	req, err := http.NewRequest("POST", s.url+path, &body)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: token})
	resp, err := noRedirects.Do(req)
	if err != nil {
		s.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return portalResponse{status: resp.StatusCode, body: string(b), header: resp.Header}
}

// TestPortalConsentsBadInput posts every consent form of the physician
// with bad input: missing fields, dates the service refuses, a scan that
// is no PDF, too large or not a multipart upload, an answer without text,
// a decision without its assessment, a transfer under the wrong consent
// and a hand-over before the package went out. Each answers the form
// again with its status and a readable message, and the dossier's
// consents, requests, disclosures, transfers, entries and attachments are
// exactly as before.
func TestPortalConsentsBadInput(t *testing.T) {
	t.Parallel()
	w := newDossierWorld(t)
	s, tok := w.s, w.tokens["physician"]
	emp := w.employee
	today := nowNL().Format(time.DateOnly)
	tomorrow := nowNL().AddDate(0, 0, 1).Format(time.DateOnly)
	api := func(path string, body any, want int) string {
		t.Helper()
		r := s.do("POST", dossierOf(emp, path), tok, body)
		if r.status != want {
			t.Fatalf("POST %s = %d %s, want %d", path, r.status, r.raw, want)
		}
		id, _ := r.body["id"].(string)
		return id
	}
	signed := func(kind, purpose string) string {
		id := w.prepareConsent(t, consentBody(kind, purpose, []string{"consultation"}, time.Time{}, time.Time{}))
		api("consents/"+id+"/paper?signed_on="+today, rawBody{"application/pdf", testenv.PDF("")}, http.StatusOK)
		return id
	}
	treatment := signed("treating_physician", "treatment_information")
	transferConsent := signed("occupational_health_service", "dossier_transfer")
	prepared := w.prepareConsent(t, consentBody("specialist", "reintegration_assessment", []string{"note"}, time.Time{}, time.Time{}))
	request := api("information-requests", map[string]any{"consent_id": treatment, "question": "Welke behandeling?"}, http.StatusCreated)
	disclosure := api("disclosures", uwvDisclosure(), http.StatusCreated)
	transfer := api("transfers", map[string]any{"consent_id": transferConsent}, http.StatusCreated)

	state := func() string {
		t.Helper()
		var out string
		if err := w.owner.QueryRow(context.Background(), `SELECT concat_ws(' ',
			(SELECT string_agg(status || coalesce(scan_id::text, ''), ',' ORDER BY id) FROM medical.consents WHERE employee_id = $1),
			(SELECT string_agg(coalesce(answered_at::text, 'open'), ',' ORDER BY r.id) FROM medical.information_requests r
				JOIN medical.dossiers d ON d.id = r.dossier_id WHERE d.employee_id = $1),
			(SELECT string_agg(status, ',' ORDER BY id) FROM medical.disclosures WHERE employee_id = $1),
			(SELECT string_agg(coalesce(exported_at::text, 'new') || coalesce(handed_over_at::text, ''), ',' ORDER BY x.id)
				FROM medical.transfers x JOIN medical.dossiers d ON d.id = x.dossier_id WHERE d.employee_id = $1),
			(SELECT count(*) FROM medical.entries e JOIN medical.dossiers d ON d.id = e.dossier_id WHERE d.employee_id = $1),
			(SELECT count(*) FROM medical.attachments a JOIN medical.dossiers d ON d.id = a.dossier_id WHERE d.employee_id = $1))`,
			emp).Scan(&out); err != nil {
			t.Fatalf("dossier state: %v", err)
		}
		return out
	}
	before := state()

	page := "/arts/medewerkers/" + emp.String() + "/"
	goodConsent := url.Values{"recipient_kind": {"specialist"}, "recipient_name": {"Dr. Bé Bakker"}, "recipient_organisation": {"Rijnstate"},
		"purpose": {"reintegration_assessment"}, "scope_kinds": {"note"}, "expires_on": {nowNL().AddDate(0, 2, 0).Format(time.DateOnly)}}
	with := func(v url.Values, k string, val ...string) url.Values {
		out := url.Values{}
		for kk, vv := range v {
			out[kk] = vv
		}
		out[k] = val
		return out
	}
	uwv := url.Values{"requester_name": {"Mw. K. de Graaf"}, "requester_organisation": {"UWV"}, "task": {"WIA-beoordeling"},
		"recipient_kind": {"uwv_insurance_physician"}, "purpose": {"benefit_assessment"}, "scope_kinds": {"consultation"},
		"basis": {"legal_duty"}, "legal_ground": {"Wet WIA art. 44"}}
	yes := url.Values{"interest_outweighs_privacy": {"ja"}, "within_task_needs": {"ja"}, "no_risk_of_harm": {"ja"}, "covered_by_rules": {"ja"}}
	big := append(testenv.PDF(""), bytes.Repeat([]byte("%"), 2<<20)...)
	for _, c := range []struct {
		name, path string
		form       url.Values
		// multipart: the scan's content type ("" for none) and content.
		multipart   map[string]string
		scanType    string
		scan        []byte
		status      int
		wantMessage string
	}{
		{name: "consent without anything", path: "toestemmingen", form: url.Values{}, status: 400, wantMessage: "Vul de naam van de ontvanger in"},
		{name: "consent without kinds", path: "toestemmingen", form: with(goodConsent, "scope_kinds"), status: 400, wantMessage: "Kies welke soorten stukken"},
		{name: "consent of working notes", path: "toestemmingen", form: with(goodConsent, "scope_kinds", "working_note"), status: 400,
			wantMessage: "nooit werkaantekeningen"},
		{name: "consent expired already", path: "toestemmingen", form: with(goodConsent, "expires_on", today), status: 400,
			wantMessage: "Vul een einddatum in na vandaag"},
		{name: "consent with a bad date", path: "toestemmingen", form: with(goodConsent, "scope_from", "gisteren"), status: 400,
			wantMessage: "Vul een geldige begindatum in"},
		{name: "paper scan that is no PDF", path: "toestemmingen/" + prepared + "/papier", multipart: map[string]string{"signed_on": today},
			scanType: "text/plain", scan: []byte("geen pdf"), status: 400, wantMessage: "Kies de scan van het getekende formulier"},
		{name: "paper scan that claims to be a PDF", path: "toestemmingen/" + prepared + "/papier", multipart: map[string]string{"signed_on": today},
			scanType: "application/pdf", scan: testenv.PNG("x"), status: 400, wantMessage: "Kies de scan van het getekende formulier"},
		{name: "paper without scan", path: "toestemmingen/" + prepared + "/papier", multipart: map[string]string{"signed_on": today},
			status: 400, wantMessage: "Kies de scan van het getekende formulier"},
		{name: "paper scan too large", path: "toestemmingen/" + prepared + "/papier", multipart: map[string]string{"signed_on": today},
			scanType: "application/pdf", scan: big, status: 400, wantMessage: "Kies de scan van het getekende formulier"},
		{name: "paper without date", path: "toestemmingen/" + prepared + "/papier", multipart: map[string]string{},
			scanType: "application/pdf", scan: testenv.PDF(""), status: 400, wantMessage: "Vul de datum in waarop de werknemer tekende"},
		{name: "paper signed tomorrow", path: "toestemmingen/" + prepared + "/papier", multipart: map[string]string{"signed_on": tomorrow},
			scanType: "application/pdf", scan: testenv.PDF(""), status: 400, wantMessage: "Vul de datum in waarop de werknemer tekende"},
		{name: "paper as a plain form", path: "toestemmingen/" + prepared + "/papier", form: url.Values{"signed_on": {today}}, status: 400,
			wantMessage: "Kies de scan van het getekende formulier"},
		{name: "paper of a consent signed already", path: "toestemmingen/" + treatment + "/papier", multipart: map[string]string{"signed_on": today},
			scanType: "application/pdf", scan: testenv.PDF(""), status: 409, wantMessage: "Dit kan nu niet meer"},
		{name: "revoke unconfirmed", path: "toestemmingen/" + treatment + "/intrekken", form: url.Values{}, status: 400,
			wantMessage: "Zet een vinkje"},
		{name: "information request without question", path: "informatieverzoeken", form: url.Values{"consent_id": {treatment}}, status: 400,
			wantMessage: "Schrijf uw vraag aan de behandelaar"},
		{name: "information request without consent", path: "informatieverzoeken", form: url.Values{"consent_id": {"geen"}, "question": {"Vraag?"}},
			status: 400, wantMessage: "Kies de toestemming waaronder"},
		{name: "information request under a transfer consent", path: "informatieverzoeken",
			form: url.Values{"consent_id": {transferConsent}, "question": {"Vraag?"}}, status: 422, wantMessage: "andere ontvanger"},
		{name: "answer without text", path: "informatieverzoeken/" + request + "/antwoord", form: url.Values{"text": {"  "}}, status: 400,
			wantMessage: "Vul het antwoord van de behandelaar in"},
		{name: "answer dated tomorrow", path: "informatieverzoeken/" + request + "/antwoord",
			form: url.Values{"text": {"Fysiotherapie."}, "occurred_on": {tomorrow}}, status: 400, wantMessage: "niet in de toekomst ligt"},
		{name: "disclosure without anything", path: "verstrekkingen", form: url.Values{}, status: 400, wantMessage: "Vul de naam van de aanvrager in"},
		{name: "UWV disclosure without motivations", path: "verstrekkingen", form: uwv, status: 400, wantMessage: "Vul de medische motivering in"},
		{name: "legal duty without its ground", path: "verstrekkingen", form: with(uwv, "legal_ground", ""), status: 400,
			wantMessage: "Noem het wetsartikel"},
		{name: "decision without assessment", path: "verstrekkingen/" + disclosure + "/besluit", form: url.Values{"decision": {"grant"}},
			status: 400, wantMessage: "Beantwoord deze vraag"},
		{name: "grant against a ground", path: "verstrekkingen/" + disclosure + "/besluit",
			form: with(with(yes, "no_risk_of_harm", "nee"), "decision", "grant"), status: 400, wantMessage: "Toekennen kan alleen"},
		{name: "grant outside the rules", path: "verstrekkingen/" + disclosure + "/besluit",
			form: with(with(yes, "covered_by_rules", "nee"), "decision", "grant"), status: 403, wantMessage: "beslist de hoofd bedrijfsarts"},
		{name: "transfer without consent", path: "overdrachten", form: url.Values{}, status: 400, wantMessage: "Kies de toestemming waaronder"},
		{name: "transfer under the treatment consent", path: "overdrachten", form: url.Values{"consent_id": {treatment}}, status: 422,
			wantMessage: "andere ontvanger"},
		// The hand-over form shows once the package went out; the page
		// says what is wrong all the same.
		{name: "hand-over without disposal", path: "overdrachten/" + transfer + "/overgedragen", form: url.Values{}, status: 400,
			wantMessage: "Niet alles is goed ingevuld"},
		{name: "hand-over before the package", path: "overdrachten/" + transfer + "/overgedragen", form: url.Values{"disposal": {"close"}},
			status: 409, wantMessage: "Dit kan nu niet meer"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var r portalResponse
			if c.multipart != nil {
				r = s.portalMultipart(page+c.path, tok, c.multipart, c.scanType, c.scan)
			} else {
				r = s.portal("POST", page+c.path, tok, c.form)
			}
			if r.status != c.status || !strings.Contains(r.body, c.wantMessage) {
				t.Errorf("POST %s (%s) = %d, want %d saying %q", c.path, c.name, r.status, c.status, c.wantMessage)
			}
			if after := state(); after != before {
				t.Errorf("POST %s (%s) changed the dossier:\n%s\nwant\n%s", c.path, c.name, after, before)
			}
		})
	}
}
