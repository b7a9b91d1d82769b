package pdf

import (
	"fmt"
	"strings"
	"time"
)

// ConsentForm is the Dutch form of a targeted consent, addressed to the
// company physician, with signature and date lines.
type ConsentForm struct {
	ServiceName string
	ConsentID   string
	// Text is the consent's exact text; TextSHA256 its hash, printed so
	// that the signed paper can be matched to it.
	Text         string
	TextSHA256   string
	EmployeeName string
	Physician    string
	Recipient    string
	Purpose      string
	Scope        string
	ExpiresOn    time.Time
	GeneratedAt  time.Time
}

// renderConsentForm renders the consent form. It never fails on text (see
// Renderer); its rare error names the document and carries none of the
// text.
func (r *Renderer) renderConsentForm(f ConsentForm) (b []byte, err error) {
	defer contain("consent form", &b, &err)
	d := r.newDocWithFooter("Toestemmingsformulier", f.GeneratedAt, "Toestemming verstrekking medische gegevens — vertrouwelijk")
	d.AddPage()
	d.title("Toestemming voor het verstrekken van medische gegevens", "Gerichte toestemming aan de bedrijfsarts (artikel 7:457 BW; AVG artikel 9)")
	d.field("Aan", f.Physician+", bedrijfsarts, "+f.ServiceName)
	d.field("Werknemer", f.EmployeeName)
	d.field("Ontvanger", f.Recipient)
	d.field("Doel", f.Purpose)
	d.field("Gegevens", f.Scope)
	d.field("Geldig tot en met", dutchDate(f.ExpiresOn))
	d.field("Kenmerk", f.ConsentID)

	d.heading("Tekst van de toestemming")
	for _, p := range strings.Split(strings.TrimSpace(f.Text), "\n\n") {
		d.para(p)
	}

	d.heading("Ondertekening")
	d.para("Ik heb deze tekst gelezen en geef de toestemming zoals hierboven beschreven.")
	d.Ln(4)
	line := func(label string) {
		d.SetFont(font, "", 10)
		d.cell(40, 8, label, "", 0, "L", false)
		d.cell(0, 8, "", "B", 1, "L", false)
		d.Ln(3)
	}
	line("Naam")
	line("Handtekening")
	line("Datum")
	d.Ln(2)
	d.SetFont(font, "", 8)
	d.SetTextColor(90, 90, 90)
	d.multiCell(0, 4, "Controlegetal van de tekst (SHA-256): "+f.TextSHA256)
	d.SetTextColor(0, 0, 0)

	return d.bytes("consent form")
}

// Disclosure is the PDF of a granted disclosure: the request, its basis
// and exactly the entries released.
type Disclosure struct {
	ServiceName  string
	DisclosureID string
	EmployeeName string
	Requester    string
	Task         string
	Recipient    string
	Purpose      string
	Basis        string
	Scope        string
	// MedicalMotivation and LabourMotivation go with a UWV disclosure.
	MedicalMotivation string
	LabourMotivation  string
	DecidedAt         time.Time
	Entries           []CopyEntry
	GeneratedAt       time.Time
}

// renderDisclosure renders a disclosure export. It never fails on text (see
// Renderer); its rare error names the document and carries none of the
// text.
func (r *Renderer) renderDisclosure(x Disclosure) (b []byte, err error) {
	defer contain("disclosure", &b, &err)
	d := r.newDocWithFooter("Verstrekking medische gegevens", x.GeneratedAt, "Verstrekking medische gegevens — vertrouwelijk, alleen voor de ontvanger")
	d.AddPage()
	d.title("Verstrekking van medische gegevens", "Alleen voor de ontvanger en het doel hieronder")
	d.field("Arbodienst", x.ServiceName)
	d.field("Werknemer", x.EmployeeName)
	d.field("Verzoeker", x.Requester)
	d.field("Taak", x.Task)
	d.field("Ontvanger", x.Recipient)
	d.field("Doel", x.Purpose)
	d.field("Grondslag", x.Basis)
	d.field("Gegevens", x.Scope)
	d.field("Besloten op", dutchDate(x.DecidedAt))
	d.field("Kenmerk", x.DisclosureID)
	if x.MedicalMotivation != "" || x.LabourMotivation != "" {
		d.heading("Motivering")
		d.label("Medische motivering")
		d.para(x.MedicalMotivation)
		d.label("Arbeidskundige motivering")
		d.para(x.LabourMotivation)
	}
	d.heading(fmt.Sprintf("Verstrekte stukken (%d)", len(x.Entries)))
	if len(x.Entries) == 0 {
		d.para("Binnen de afgesproken gegevens zijn er geen stukken.")
	}
	for i, e := range x.Entries {
		d.SetFont(font, "B", 11)
		d.multiCell(0, 6, fmt.Sprintf("%d. %s — %s", i+1, e.Kind, dutchDate(e.Date)))
		d.para(e.Text)
	}
	return d.bytes("disclosure")
}

// TransferSummary is the PDF summary in a transfer package.
type TransferSummary struct {
	ServiceName  string
	TransferID   string
	EmployeeName string
	Recipient    string
	ConsentID    string
	Kinds        []KindCount
	Attachments  int
	GeneratedAt  time.Time
}

// renderTransferSummary renders the summary of a transfer package. It never
// fails on text (see Renderer); its rare error names the document and
// carries none of the text.
func (r *Renderer) renderTransferSummary(t TransferSummary) (b []byte, err error) {
	defer contain("transfer summary", &b, &err)
	d := r.newDocWithFooter("Overdracht medisch dossier", t.GeneratedAt, "Overdracht medisch dossier — vertrouwelijk, alleen voor de ontvanger")
	d.AddPage()
	d.title("Overdracht van het medisch dossier", "Met toestemming van de werknemer, aan de nieuwe arbodienst")
	d.field("Van", t.ServiceName)
	d.field("Aan", t.Recipient)
	d.field("Werknemer", t.EmployeeName)
	d.field("Toestemming", t.ConsentID)
	d.field("Kenmerk", t.TransferID)
	d.heading("Inhoud van het pakket")
	rows := make([][]string, 0, len(t.Kinds)+1)
	for _, k := range t.Kinds {
		rows = append(rows, []string{k.Kind, fmt.Sprintf("%d", k.Count)})
	}
	rows = append(rows, []string{"Bijlagen", fmt.Sprintf("%d", t.Attachments)})
	d.table([]float64{d.width * 0.7, d.width * 0.3}, []string{"Soort", "Aantal"}, rows)
	d.para("De stukken staan in entries.json, de bijlagen in attachments/. manifest.json noemt de SHA-256 van elk onderdeel; " +
		"controleer die bij ontvangst. Werkaantekeningen van de bedrijfsarts zijn nooit onderdeel van een overdracht.")
	return d.bytes("transfer summary")
}
