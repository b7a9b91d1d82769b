package pdf_test

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arbokluis/arbokluis/internal/pdf"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

func date(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func samplePlan(t *testing.T) pdf.PlanOfAction {
	t.Helper()
	p := pdf.PlanOfAction{
		ServiceName: "Arbokluis arbodienst", EmployerName: "Bouwbedrijf Ĳsselmeer BV", EmployeeName: "Gérard Özdemir",
		EmployeeNumber: "B-1001", FirstSickDay: date(t, "2026-01-02"), Version: 2,
		Goals:            "Terugkeer in het eigen werk als monteur, met opbouw van uren over acht weken.",
		EmployerView:     "De werkgever verwacht terugkeer binnen drie maanden en biedt aangepast werk aan.",
		EmployeeView:     "Ik wil eerst halve dagen werken en daarna opbouwen; reizen kost me nog veel energie.",
		EmployerSignedOn: date(t, "2026-02-20"),
		Evaluations: []pdf.Evaluation{
			{Kind: "evaluation", Date: date(t, "2026-04-03"), Summary: "Opbouw loopt volgens plan.", EmployerView: "Tevreden.", EmployeeView: "Gaat goed."},
			{Kind: "first_year_evaluation", Date: date(t, "2026-12-30"), Summary: "Volledig hersteld in eigen werk.", EmployerView: "Afgerond.", EmployeeView: "Eens."},
		},
		GeneratedAt: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC),
	}
	for i := 1; i <= 12; i++ {
		p.Activities = append(p.Activities, pdf.Activity{
			Description: fmt.Sprintf("Activiteit %d: gesprek over de werkplek, de werktijden en de begeleiding door de leidinggevende, met een lange omschrijving die over meerdere regels loopt.", i),
			Who:         "Leidinggevende en werknemer", ByWhen: date(t, "2026-03-01").AddDate(0, 0, 7*i)})
	}
	return p
}

// text extracts the text of a PDF with pdftotext (poppler-utils, which make
// deps installs).
func text(t *testing.T, b []byte) string {
	t.Helper()
	return testenv.PDFText(t, b)
}

func TestPlanOfActionRendersDutchUTF8(t *testing.T) {
	r, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.RenderPlanOfAction(samplePlan(t))
	if err != nil {
		t.Fatalf("PlanOfAction: %v", err)
	}
	got := text(t, b)
	for _, want := range []string{
		"Plan van aanpak", "Exemplaar voor de werkgever", "Gérard Özdemir", "Bouwbedrijf Ĳsselmeer BV", "B-1001",
		"2 januari 2026", "Doelen", "Afgesproken activiteiten", "Activiteit 12:", "Visie van de werkgever op re-integratie",
		"Visie van de werknemer op re-integratie", "getekend op 20 februari 2026", "nog niet getekend",
		"Eerstejaarsevaluatie van 30 december 2026", "pagina 1 van 2", "pagina 2 van 2",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("PlanOfAction text lacks %q; got:\n%s", want, got)
		}
	}
	if !bytes.Contains(b, []byte("/FontFile2")) {
		t.Errorf("PlanOfAction: no embedded TrueType font (/FontFile2) in the PDF")
	}
}

func TestPlanOfActionIsDeterministic(t *testing.T) {
	r, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	p := samplePlan(t)
	a, err := r.RenderPlanOfAction(p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.RenderPlanOfAction(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("PlanOfAction rendered the same input to different bytes (%d and %d)", len(a), len(b))
	}
}

// TestDocumentsRenderAtOnce renders one plan of action on several
// goroutines at once, as a server does for users who download at the same
// moment, and wants each the bytes of a render alone. Under the race
// detector (make test) it fails when the documents share bytes that
// rendering writes: gofpdf pads the font tables it cuts by appending to
// them, in place, in the font it was given.
func TestDocumentsRenderAtOnce(t *testing.T) {
	r, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	p := samplePlan(t)
	alone, err := r.RenderPlanOfAction(p)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			b, err := r.RenderPlanOfAction(p)
			if err != nil || !bytes.Equal(b, alone) {
				t.Errorf("PlanOfAction on goroutine %d beside others = %d bytes, %v; want the %d bytes of a render alone", i, len(b), err, len(alone))
			}
		})
	}
	wg.Wait()
}

func BenchmarkPlanOfAction(b *testing.B) {
	r, err := pdf.NewRenderer()
	if err != nil {
		b.Fatal(err)
	}
	p := pdf.PlanOfAction{EmployeeName: "Gérard Özdemir", Goals: "Terugkeer", GeneratedAt: time.Unix(0, 0)}
	for i := 0; i < 5; i++ {
		p.Activities = append(p.Activities, pdf.Activity{Description: "Werkplekonderzoek", Who: "Werkgever", ByWhen: time.Unix(0, 0)})
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.RenderPlanOfAction(p); err != nil {
			b.Fatal(err)
		}
	}
}

func sampleCopy(t *testing.T) pdf.DossierCopy {
	t.Helper()
	return pdf.DossierCopy{ServiceName: "Arbokluis arbodienst", EmployeeName: "Gérard Özdemir", DossierID: "d-1", RequestID: "r-1",
		ReleaseID: "v-1", ReleasedBy: "Dr. Ĳsbrand de Wit", ReleasedAt: date(t, "2026-03-02"), GeneratedAt: time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC),
		Entries: []pdf.CopyEntry{
			{Kind: "Consult", Date: date(t, "2026-02-01"), Author: "Dr. Ĳsbrand de Wit", Version: 1, Superseded: true, Text: "Eerste versie van het consult."},
			{Kind: "Consult", Date: date(t, "2026-02-01"), Author: "Dr. Ĳsbrand de Wit", Version: 2, Text: "Gecorrigeerde versie: klachten sinds januari."},
			{Kind: "Eigen verklaring", Date: date(t, "2026-02-10"), Author: "Gérard Özdemir", Version: 1, ConcernsNo: 2, Text: "Ik ben het oneens met de datum."},
		}}
}

func TestDossierCopyRendersEveryPageMarked(t *testing.T) {
	r, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	for _, repeat := range []bool{false, true} {
		c := sampleCopy(t)
		c.Repeat = repeat
		b, err := r.RenderDossierCopy(c)
		if err != nil {
			t.Fatalf("DossierCopy(repeat=%v): %v", repeat, err)
		}
		got := text(t, b)
		for _, want := range []string{"Gérard Özdemir", "Ĳsbrand", "pagina 1 van 4", "pagina 4 van 4", "vervangen door een latere versie",
			"Gecorrigeerde versie", "Ik ben het oneens", "stuk 2"} {
			if !strings.Contains(got, want) {
				t.Errorf("DossierCopy(repeat=%v) text lacks %q", repeat, want)
			}
		}
		if n := strings.Count(got, "AFSCHRIFT"); n != 4 {
			t.Errorf("DossierCopy(repeat=%v): AFSCHRIFT on %d pages, want all 4", repeat, n)
		}
		if strings.Contains(got, "Herhaald afschrift") != repeat {
			t.Errorf("DossierCopy(repeat=%v): repeat marking present = %v", repeat, !repeat)
		}
	}
}

func TestDestructionStatementNamesCountsNeverContent(t *testing.T) {
	r, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	for _, all := range []bool{true, false} {
		b, err := r.RenderDestructionStatement(pdf.DestructionStatement{ServiceName: "Arbokluis arbodienst", EmployeeName: "Gérard Özdemir",
			DossierID: "d-1", RequestID: "r-1", DestroyedAll: all, DecidedBy: "Dr. Ĳsbrand de Wit",
			DecidedAt: date(t, "2026-12-01"), CompletedAt: date(t, "2026-12-02"),
			Kinds: []pdf.KindCount{{Kind: "Consult", Count: 3}, {Kind: "Diagnose", Count: 1}}, Attachments: 2, Exposures: 1,
			BackupSafeAfter: date(t, "2027-01-02"), BackupRetention: "30 dagen", GeneratedAt: date(t, "2026-12-02")})
		if err != nil {
			t.Fatalf("DestructionStatement(all=%v): %v", all, err)
		}
		got := text(t, b)
		for _, want := range []string{"Verklaring van vernietiging", "Gérard Özdemir", "Ĳsbrand", "Consult", "Diagnose",
			"In totaal 4 aantekeningen", "30 dagen", "2 januari 2027", "2 december 2026", "pagina 1 van"} {
			if !strings.Contains(got, want) {
				t.Errorf("DestructionStatement(all=%v) text lacks %q:\n%s", all, want, got)
			}
		}
		if strings.Contains(got, "volledige medisch dossier") != all || strings.Contains(got, "opnieuw versleuteld") == all {
			t.Errorf("DestructionStatement(all=%v) describes the wrong scope:\n%s", all, got)
		}
	}
}

func TestActivationLetterCarriesCodeAndAddress(t *testing.T) {
	r, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	l := pdf.ActivationLetter{ServiceName: "Arbokluis arbodienst", Name: "Gérard Özdemir",
		Address: []string{"Ĳsselkade 12", "8011 AB Zwolle"}, Code: "ABCDE-23456",
		ExpiresAt: date(t, "2026-12-16"), GeneratedAt: date(t, "2026-12-02")}
	b, err := r.RenderActivationLetter(l)
	if err != nil {
		t.Fatalf("ActivationLetter(%+v): %v", l, err)
	}
	got := text(t, b)
	for _, want := range []string{"Uw activeringscode voor Arbokluis", "Gérard Özdemir", "Ĳsselkade 12", "8011 AB Zwolle",
		"ABCDE-23456", "16 december 2026", "2 december 2026", "ook niet aan uw werkgever", "pagina 1 van 1"} {
		if !strings.Contains(got, want) {
			t.Errorf("ActivationLetter(%+v) text lacks %q:\n%s", l, want, got)
		}
	}
}
