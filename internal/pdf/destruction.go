package pdf

import (
	"fmt"
	"time"
)

// DestructionStatement is what the employee's statement of the destruction
// of (part of) their medical dossier shows: what was destroyed as counts
// and kinds, never content; when, on whose decision, and from when on no
// backup can still decrypt it.
type DestructionStatement struct {
	ServiceName  string
	EmployeeName string
	DossierID    string
	RequestID    string
	DestroyedAll bool // the whole dossier; otherwise chosen entries
	DecidedBy    string
	DecidedAt    time.Time
	CompletedAt  time.Time
	// Kinds are the destroyed entries per kind (Dutch label and count), in
	// order.
	Kinds       []KindCount
	Attachments int
	Exposures   int
	// BackupSafeAfter is the first day no backup of the key store can
	// still decrypt what was destroyed; BackupRetention names the term.
	BackupSafeAfter time.Time
	BackupRetention string
	GeneratedAt     time.Time
}

// KindCount is a number of destroyed entries of one kind.
type KindCount struct {
	Kind  string
	Count int
}

// renderDestructionStatement renders the statement (verklaring van vernietiging).
// It never fails on text (see Renderer); its rare error names the
// document and carries none of the text.
func (r *Renderer) renderDestructionStatement(s DestructionStatement) (b []byte, err error) {
	defer contain("destruction statement", &b, &err)
	d := r.newDocWithFooter("Verklaring van vernietiging", s.GeneratedAt, "Verklaring van vernietiging — vertrouwelijk")
	d.AddPage()
	what := "van uw medisch dossier"
	if !s.DestroyedAll {
		what = "van gegevens uit uw medisch dossier"
	}
	d.title("Verklaring van vernietiging", "Vernietiging "+what+" op uw verzoek (artikel 7:455 BW)")
	d.field("Arbodienst", s.ServiceName)
	d.field("Werknemer", s.EmployeeName)
	d.field("Dossier", s.DossierID)
	d.field("Verzoek", s.RequestID)
	d.field("Besloten door", s.DecidedBy)
	d.field("Besloten op", dutchDate(s.DecidedAt))
	d.field("Vernietigd op", dutchDate(s.CompletedAt))

	d.heading("Wat is vernietigd")
	if s.DestroyedAll {
		d.para("Uw volledige medisch dossier is vernietigd: alle aantekeningen, met al hun versies, en alle bijlagen.")
	} else {
		d.para("De stukken die u aanwees zijn vernietigd, met al hun versies, uw eigen verklaringen erover en hun bijlagen. De rest van uw dossier is bewaard gebleven.")
	}
	rows := make([][]string, 0, len(s.Kinds)+2)
	total := 0
	for _, k := range s.Kinds {
		rows = append(rows, []string{k.Kind, fmt.Sprintf("%d", k.Count)})
		total += k.Count
	}
	rows = append(rows, []string{"Bijlagen", fmt.Sprintf("%d", s.Attachments)})
	if s.DestroyedAll {
		rows = append(rows, []string{"Blootstellingsperioden", fmt.Sprintf("%d", s.Exposures)})
	}
	d.table([]float64{d.width * 0.7, d.width * 0.3}, []string{"Soort", "Aantal"}, rows)
	d.para(fmt.Sprintf("In totaal %d aantekeningen. Deze verklaring noemt alleen soorten en aantallen, nooit de inhoud.", total))

	d.heading("Hoe is vernietigd")
	d.para("Alle medische gegevens in Arbokluis zijn versleuteld met een sleutel die alleen voor uw dossier bestaat en die de sleutelkluis nooit verlaat. " +
		"Bij de vernietiging is die sleutel verwijderd; daarna zijn de versleutelde gegevens zelf gewist. Ook kopieën van de versleutelde gegevens, " +
		"bijvoorbeeld in back-ups van de database, zijn daardoor niet meer te ontsleutelen.")
	if !s.DestroyedAll {
		d.para("De stukken die bewaard bleven zijn eerst opnieuw versleuteld met een nieuwe sleutel; de oude sleutel is daarna verwijderd.")
	}
	d.para(fmt.Sprintf("Back-ups van de sleutelkluis worden %s bewaard. Een back-up van vóór de vernietiging kan de sleutel nog bevatten; "+
		"vanaf %s bestaat zo'n back-up niet meer en kan niemand de vernietigde gegevens nog ontsleutelen.",
		s.BackupRetention, dutchDate(s.BackupSafeAfter)))

	d.heading("Wat bewaard blijft")
	d.para("Bewaard blijven alleen de gegevens over het verzoek en deze vernietiging (wie besloot, wanneer, welk verzoek, de aantallen) en het logboek " +
		"van wie uw dossier heeft ingezien. Die bevatten geen medische inhoud. Het logboek wordt ten minste vijf jaar bewaard (NEN 7513).")

	return d.bytes("destruction statement")
}
