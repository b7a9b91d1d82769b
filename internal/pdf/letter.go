package pdf

import (
	"strings"
	"time"
)

// ActivationLetter is what the letter carrying an employee's activation
// code shows: the name and postal address the employee gave the arbodienst,
// the code and until when it works. Nothing else about the employee.
type ActivationLetter struct {
	ServiceName string
	Name        string
	Address     []string // postal address lines, street first
	Code        string
	ExpiresAt   time.Time
	GeneratedAt time.Time
}

// renderActivationLetter renders the letter (A4, the address where a window
// envelope shows it). It never fails on text (see Renderer); its rare error
// names the document and carries none of the text.
func (r *Renderer) renderActivationLetter(l ActivationLetter) (b []byte, err error) {
	defer contain("activation letter", &b, &err)
	d := r.newDocWithFooter("Uw activeringscode voor Arbokluis", l.GeneratedAt, "Persoonlijk en vertrouwelijk")
	d.AddPage()
	d.SetFont(font, "B", 11)
	d.multiCell(0, 6, l.ServiceName)

	// The address block of a Dutch window envelope: 50 mm from the top.
	d.SetXY(marginLeft, 50)
	d.SetFont(font, "", 11)
	d.multiCell(90, 5.5, strings.Join(append([]string{l.Name}, l.Address...), "\n"))

	d.SetXY(marginLeft, 95)
	d.field("Datum", dutchDate(l.GeneratedAt))
	d.field("Onderwerp", "Uw activeringscode voor Arbokluis")
	d.Ln(6)

	d.para("Beste " + l.Name + ",")
	d.Ln(2)
	d.para("U heeft met uw arbodienst afgesproken dat u een account krijgt in Arbokluis. Daarin ziet u uw eigen " +
		"gegevens, en wat uw bedrijfsarts met u deelt. U krijgt per e-mail een uitnodiging met een link. Om uw " +
		"account te activeren heeft u naast die link deze activeringscode nodig:")
	d.Ln(4)
	d.SetFont(font, "B", 22)
	// A code is one short line; lines keeps anything longer on the page.
	for _, line := range d.lines(l.Code, d.width) {
		d.cell(0, 12, line, "1", 1, "C", false)
	}
	d.Ln(4)
	d.para("De code werkt één keer, tot " + dutchDate(l.ExpiresAt) + ". Na vijf verkeerde pogingen vervalt de " +
		"uitnodiging; vraag uw arbodienst dan om een nieuwe.")
	d.Ln(2)
	d.para("Geef deze code aan niemand door, ook niet aan uw werkgever. De arbodienst vraagt u er nooit om.")
	d.Ln(2)
	d.para("Heeft u geen account aangevraagd, of kreeg u geen e-mail? Neem dan contact op met uw arbodienst.")
	d.Ln(6)
	d.para("Met vriendelijke groet,")
	d.para(l.ServiceName)
	return d.bytes("activation letter")
}
