package app

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// entryOfKind returns the id of the current entry of kind in the world's
// dossier, as the owner reads it.
func (w *dossierWorld) entryOfKind(t *testing.T, kind string) string {
	t.Helper()
	var id string
	if err := w.owner.QueryRow(context.Background(), `SELECT e.id::text FROM medical.entries e JOIN medical.dossiers d ON d.id = e.dossier_id
		WHERE d.employee_id = $1 AND e.kind = $2 AND NOT EXISTS (SELECT 1 FROM medical.entries n WHERE n.supersedes = e.id)
		ORDER BY e.created_at DESC LIMIT 1`, w.employee, kind).Scan(&id); err != nil {
		t.Fatalf("the current %s entry: %v", kind, err)
	}
	return id
}

// logout ends the browser's session through the header's button.
func logout(t *testing.T, ctx context.Context) {
	t.Helper()
	if st := testenv.Submit(t, ctx, "Uitloggen"); st != http.StatusOK {
		t.Fatalf("logout = %d, want the login page", st)
	}
}

// selectValues returns the values of the options of the select #id.
func selectValues(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("#`+id+` option")].map(o => o.value).join(",")`))
	if err != nil {
		t.Fatalf("options of #%s: %v", id, err)
	}
	return v
}

// TestPortalDossierWalk walks the medical dossier pages in Chromium. The
// physician starts the dossier with an entry, corrects it (both versions
// in its history), uploads a PDF and downloads it again, records an
// exposure flag and writes a working note. The assistant works "namens"
// the physician, does not see the working note (nor open it), is not
// offered a diagnosis or working note, and a forged diagnosis is refused
// with nothing written. A lead physician outside the dossier's care gets
// the 404 page, declares emergency access with a reason, sees the banner
// with the reason on every dossier page, and the employee's access log
// shows the emergency access. Every page is inspected (CSP, axe,
// screenshots at 360 and 1280 px).
func TestPortalDossierWalk(t *testing.T) {
	t.Parallel()
	ctx := testenv.Browser(t)
	w := newDossierWorld(t)
	s := w.s
	dossierURL := s.url + "/arts/medewerkers/" + w.employee.String()
	today := nowNL().Format(time.DateOnly)
	count := func(sql string) int {
		t.Helper()
		return w.count(t, sql, w.employee)
	}

	// The physician: the dossier does not exist yet; the first entry
	// starts it.
	portalLogin(t, ctx, s.url, w.physician)
	if st := testenv.Navigate(t, ctx, dossierURL); st != http.StatusOK {
		t.Fatalf("the physician's dossier page before any entry = %d, want 200", st)
	}
	wantText(t, ctx, "the empty dossier", "nog geen medisch dossier", "Dossier Persoon", "Werkgever", "Test employer", "Behandelend bedrijfsarts")
	testenv.Inspect(t, ctx, "arts-dossier-leeg")
	if st := testenv.Submit(t, ctx, "Notitie schrijven"); st != http.StatusOK {
		t.Fatalf("the entry form = %d, want 200", st)
	}
	testenv.Inspect(t, ctx, "arts-notitie-nieuw")
	if got := selectValues(t, ctx, "kind"); !strings.Contains(got, "diagnosis") || !strings.Contains(got, "working_note") {
		t.Errorf("the physician's entry kinds = %s, want diagnosis and working_note among them", got)
	}
	first := "Spreekuur: klachten in de rechterschouder sinds drie weken."
	testenv.Fill(t, ctx, map[string]string{"Soort notitie": "consultation", "Datum": today, "Tekst": first})
	if st := testenv.Submit(t, ctx, "Notitie opslaan"); st != http.StatusOK {
		t.Fatalf("write an entry = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the dossier after the first entry", "De notitie staat in het dossier", "Consult", first)
	testenv.Inspect(t, ctx, "arts-dossier")

	// A correction: a new version; the history shows both.
	consult := w.entryOfKind(t, "consultation")
	testenv.Navigate(t, ctx, dossierURL+"/notities/"+consult)
	testenv.Inspect(t, ctx, "arts-notitie")
	corrected := "Spreekuur: klachten in de linkerschouder sinds drie weken."
	testenv.Fill(t, ctx, map[string]string{"Verbeterde tekst": corrected})
	if st := testenv.Submit(t, ctx, "Correctie opslaan"); st != http.StatusOK {
		t.Fatalf("correct the entry = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the corrected entry", "De correctie staat in het dossier", "Versie 2 (geldend)", "Versie 1 (gecorrigeerd)", first, corrected)
	testenv.Inspect(t, ctx, "arts-notitie-gecorrigeerd")
	testenv.Navigate(t, ctx, dossierURL)
	wantText(t, ctx, "the dossier after the correction", "gecorrigeerd", corrected)
	if got := testenv.PageText(t, ctx); strings.Contains(got, first) {
		t.Errorf("the dossier page still shows the corrected version:\n%s", got)
	}
	// The employee's own statement about the first version: shown under
	// the entry as corrected.
	statement := "Het ging om mijn linkerschouder, niet de rechter."
	if r := s.do("POST", "/api/v1/me/requests", w.tokens["employee"], map[string]any{"type": "own_statement",
		"text": statement, "entry_id": consult}); r.status != http.StatusCreated {
		t.Fatalf("the employee's own statement = %d %s", r.status, r.raw)
	}
	testenv.Navigate(t, ctx, dossierURL)
	wantText(t, ctx, "the dossier with the employee's statement", "Eigen verklaring van de werknemer\n", statement)
	if under, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
		`!!document.querySelector("#stuk-`+w.entryOfKind(t, "consultation")+` .statement")`)); err != nil || !under {
		t.Errorf("the employee's statement is not under the corrected entry (%v)", err)
	}
	testenv.Inspect(t, ctx, "arts-dossier-verklaring")

	// An attachment: uploaded as a PDF, downloaded as the same bytes.
	pdf := testenv.PDF("brief van de behandelaar")
	file := filepath.Join(t.TempDir(), "brief.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.SetUploadFiles("#content", []string{file})); err != nil {
		t.Fatalf("choose the file: %v", err)
	}
	if st := testenv.Submit(t, ctx, "Bijlage toevoegen"); st != http.StatusOK {
		t.Fatalf("upload = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the dossier after the upload", "De bijlage staat in het dossier", "PDF-bestand van")
	testenv.Inspect(t, ctx, "arts-dossier-bijlage")
	link, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`document.querySelector("a[href*='/bijlagen/']").textContent.replace(/\s+/g, " ").trim()`))
	if err != nil {
		t.Fatalf("the attachment's link: %v", err)
	}
	name, got := testenv.Download(t, ctx, link)
	if !bytes.Equal(got, pdf) || !strings.HasPrefix(name, "bijlage-") || !strings.HasSuffix(name, ".pdf") {
		t.Errorf("download %q = %s, %d bytes; want bijlage-<id>.pdf with the uploaded %d bytes", link, name, len(got), len(pdf))
	}

	// An exposure flag.
	testenv.Fill(t, ctx, map[string]string{"Soort blootstelling": "carcinogen", "Vanaf": nowNL().AddDate(-2, 0, 0).Format(time.DateOnly)})
	if st := testenv.Submit(t, ctx, "Blootstelling vastleggen"); st != http.StatusOK {
		t.Fatalf("record an exposure = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the dossier after the exposure", "De blootstelling staat in het dossier", "Kankerverwekkende stof: vanaf", "loopt nog")
	testenv.Inspect(t, ctx, "arts-dossier-blootstelling")
	if n := count(`SELECT count(*) FROM medical.exposures x JOIN medical.dossiers d ON d.id = x.dossier_id WHERE d.employee_id = $1`); n != 1 {
		t.Errorf("exposures after recording one = %d, want 1", n)
	}

	// A working note, for the physician alone.
	note := "Werkaantekening: navragen bij de huisarts " + uuid.NewString()[:8]
	testenv.Navigate(t, ctx, dossierURL+"/notities/nieuw")
	testenv.Fill(t, ctx, map[string]string{"Soort notitie": "working_note", "Tekst": note})
	if st := testenv.Submit(t, ctx, "Notitie opslaan"); st != http.StatusOK {
		t.Fatalf("write a working note = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	wantText(t, ctx, "the physician's dossier with the working note", note)
	workingNote := w.entryOfKind(t, "working_note")
	logout(t, ctx)

	// The assistant, for the physician.
	portalLogin(t, ctx, s.url, w.assistant)
	if st := testenv.Navigate(t, ctx, dossierURL); st != http.StatusOK {
		t.Fatalf("the assistant's dossier page = %d, want 200", st)
	}
	wantText(t, ctx, "the assistant's dossier", "U werkt namens Test physician", corrected)
	if got := testenv.PageText(t, ctx); strings.Contains(got, note) || strings.Contains(got, "Blootstelling vastleggen") {
		t.Errorf("the assistant's dossier shows the physician's working note or the exposure form:\n%s", got)
	}
	testenv.Inspect(t, ctx, "assistent-dossier")
	if st := testenv.Navigate(t, ctx, dossierURL+"/notities/"+workingNote); st != http.StatusNotFound {
		t.Errorf("the assistant opens the physician's working note = %d, want 404", st)
	}
	if got := testenv.PageText(t, ctx); strings.Contains(got, note) {
		t.Errorf("the assistant's 404 page shows the working note:\n%s", got)
	}
	testenv.Navigate(t, ctx, dossierURL+"/notities/nieuw")
	testenv.Inspect(t, ctx, "assistent-notitie-nieuw")
	if got := selectValues(t, ctx, "kind"); strings.Contains(got, "diagnosis") || strings.Contains(got, "working_note") || !strings.Contains(got, "consultation") {
		t.Errorf("the assistant's entry kinds = %s, want no diagnosis or working_note", got)
	}
	// A forged diagnosis: the option added to the form by hand.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector("#kind").add(new Option("Diagnose", "diagnosis"))`)); err != nil {
		t.Fatalf("forge the form: %v", err)
	}
	before := count(`SELECT count(*) FROM medical.entries e JOIN medical.dossiers d ON d.id = e.dossier_id WHERE d.employee_id = $1`)
	testenv.Fill(t, ctx, map[string]string{"Soort notitie": "diagnosis", "Tekst": "Diagnose door de assistent."})
	if st := testenv.Submit(t, ctx, "Notitie opslaan"); st != http.StatusForbidden {
		t.Errorf("the assistant's forged diagnosis = %d, want 403", st)
	}
	wantText(t, ctx, "the refused diagnosis", "U mag dit niet doen.")
	testenv.Inspect(t, ctx, "assistent-diagnose-geweigerd")
	if n := count(`SELECT count(*) FROM medical.entries e JOIN medical.dossiers d ON d.id = e.dossier_id WHERE d.employee_id = $1`); n != before {
		t.Errorf("the refused diagnosis changed the entries from %d to %d", before, n)
	}
	logout(t, ctx)

	// A lead physician outside the dossier's care: the 404 page, then
	// emergency access with a reason, and its banner.
	browserLogin(t, ctx, s, s.addUser(access.RoleLeadPhysician, uuid.Nil))
	if st := testenv.Navigate(t, ctx, dossierURL); st != http.StatusNotFound {
		t.Errorf("the lead physician's dossier page without emergency access = %d, want 404", st)
	}
	if got := testenv.PageText(t, ctx); strings.Contains(got, corrected) {
		t.Errorf("the 404 page shows the dossier:\n%s", got)
	}
	testenv.Navigate(t, ctx, dossierURL+"/noodtoegang")
	testenv.Inspect(t, ctx, "hoofdarts-noodtoegang")
	testenv.Fill(t, ctx, map[string]string{"Reden": "kort"})
	if st := testenv.Submit(t, ctx, "Noodtoegang vastleggen en dossier openen"); st != http.StatusBadRequest {
		t.Errorf("emergency access with a short reason = %d, want 400", st)
	}
	wantText(t, ctx, "the short reason", "minstens 10")
	testenv.Inspect(t, ctx, "hoofdarts-noodtoegang-fout")
	reason := "De behandelend bedrijfsarts is onbereikbaar en de huisarts heeft een dringende vraag."
	testenv.Fill(t, ctx, map[string]string{"Reden": reason})
	if st := testenv.Submit(t, ctx, "Noodtoegang vastleggen en dossier openen"); st != http.StatusOK {
		t.Fatalf("declare emergency access = %d, want 200: %s", st, testenv.PageText(t, ctx))
	}
	wantAt(t, testenv.Location(t, ctx), s.url, "/arts/medewerkers/"+w.employee.String()+"?gedaan=noodtoegang")
	banner := "Noodtoegang: u kijkt in dit dossier zonder dat u de behandelend bedrijfsarts bent. Reden: " + reason
	wantText(t, ctx, "the dossier under emergency access", banner, "Geldig tot", corrected)
	testenv.Inspect(t, ctx, "hoofdarts-dossier-noodtoegang")
	testenv.Navigate(t, ctx, dossierURL+"/notities/"+w.entryOfKind(t, "consultation"))
	wantText(t, ctx, "an entry under emergency access", banner, corrected)
	testenv.Inspect(t, ctx, "hoofdarts-notitie-noodtoegang")
	logout(t, ctx)

	// The employee's access log shows the emergency access.
	portalLogin(t, ctx, s.url, w.employeeLogin)
	testenv.Navigate(t, ctx, s.url+"/mijn/inzage")
	wantText(t, ctx, "the employee's access log", "heeft met spoed ingekeken", "hoofd bedrijfsarts")
	testenv.Inspect(t, ctx, "werknemer-inzage-noodtoegang")
}
