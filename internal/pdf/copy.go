package pdf

import (
	"fmt"
	"time"
)

// DossierCopy is what the employee's copy (afschrift) of a released
// dossier shows: medical content, for the employee it is about only.
type DossierCopy struct {
	ServiceName  string
	EmployeeName string
	DossierID    string
	RequestID    string
	ReleaseID    string
	ReleasedBy   string
	ReleasedAt   time.Time
	// Repeat marks a copy after the first (the first is free).
	Repeat      bool
	Entries     []CopyEntry
	GeneratedAt time.Time
}

// CopyEntry is one released entry version.
type CopyEntry struct {
	Kind       string // Dutch label of the kind
	Date       time.Time
	Author     string
	Version    int
	Superseded bool // a later version corrects this one
	ConcernsNo int  // the number of the entry an own statement is about; 0: none
	Text       string
}

// renderDossierCopy renders the employee's copy of a release: a cover page, an
// index, and every entry with its kind, date and author, superseded
// versions marked, "Afschrift" and "pagina x van y" on every page. It
// never fails on text (see Renderer); its rare error names the document
// and carries none of the text.
func (r *Renderer) renderDossierCopy(c DossierCopy) (b []byte, err error) {
	defer contain("dossier copy", &b, &err)
	footer := "Afschrift medisch dossier — vertrouwelijk"
	if c.Repeat {
		footer = "Afschrift (herhaald) medisch dossier — vertrouwelijk"
	}
	d := r.newDocWithFooter("Afschrift medisch dossier", c.GeneratedAt, footer)
	d.SetHeaderFunc(func() {
		d.SetFont(font, "B", 9)
		d.SetTextColor(150, 30, 30)
		d.cell(0, 5, "AFSCHRIFT", "", 1, "R", false)
		d.SetTextColor(0, 0, 0)
	})
	d.AddPage()
	label := "Eerste afschrift (kosteloos)"
	if c.Repeat {
		label = "Herhaald afschrift"
	}
	d.title("Afschrift van uw medisch dossier", label+" · vrijgegeven door de bedrijfsarts")
	d.field("Arbodienst", c.ServiceName)
	d.field("Werknemer", c.EmployeeName)
	d.field("Dossier", c.DossierID)
	d.field("Verzoek", c.RequestID)
	d.field("Vrijgave", c.ReleaseID)
	d.field("Vrijgegeven door", c.ReleasedBy)
	d.field("Vrijgegeven op", dutchDate(c.ReleasedAt))
	d.field("Aantal stukken", fmt.Sprintf("%d", len(c.Entries)))

	d.heading("Inhoud")
	rows := make([][]string, 0, len(c.Entries))
	for i, e := range c.Entries {
		v := fmt.Sprintf("versie %d", e.Version)
		if e.Superseded {
			v += " (vervangen)"
		}
		if e.ConcernsNo > 0 {
			v += fmt.Sprintf(", over stuk %d", e.ConcernsNo)
		}
		rows = append(rows, []string{fmt.Sprintf("%d", i+1), e.Kind, dutchDate(e.Date), v})
	}
	d.table([]float64{d.width * 0.08, d.width * 0.42, d.width * 0.25, d.width * 0.25}, []string{"Nr.", "Soort", "Datum", "Versie"}, rows)

	for i, e := range c.Entries {
		d.AddPage()
		d.SetFont(font, "B", 12)
		d.multiCell(0, 7, fmt.Sprintf("%d. %s", i+1, e.Kind))
		d.field("Datum", dutchDate(e.Date))
		d.field("Auteur", e.Author)
		v := fmt.Sprintf("%d", e.Version)
		if e.Superseded {
			v += " — vervangen door een latere versie"
		}
		d.field("Versie", v)
		if e.ConcernsNo > 0 {
			d.field("Betreft", fmt.Sprintf("stuk %d", e.ConcernsNo))
		}
		d.Ln(2)
		d.para(e.Text)
	}

	return d.bytes("dossier copy")
}
