package app

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/arbokluis/arbokluis/internal/testenv"
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
