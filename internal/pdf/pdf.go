// Package pdf renders Arbokluis's documents with gofpdf: Dutch text in an
// embedded UTF-8 TrueType font (the Go fonts), rendered in memory on demand
// and never written to disk. Callers pass only what a document may show;
// nothing here decides what is medical. Any text renders: what the fonts
// cannot draw is replaced by U+FFFD (text.go).
package pdf

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// PlanOfAction is what the employer's copy of a plan of action (plan van
// aanpak) shows. No medical data ever: the caller passes process data only.
type PlanOfAction struct {
	ServiceName      string
	EmployerName     string
	EmployeeName     string
	EmployeeNumber   string
	FirstSickDay     time.Time
	Version          int
	Goals            string
	Activities       []Activity
	EmployerView     string // the employer's own view on reintegration
	EmployeeView     string // the employee's own view on reintegration
	EmployerSignedOn time.Time
	EmployeeSignedOn time.Time
	Evaluations      []Evaluation
	GeneratedAt      time.Time
}

// Activity is an agreed activity of the plan.
type Activity struct {
	Description, Who string
	ByWhen           time.Time
}

// Evaluation is an evaluation of the plan ("evaluation") or the first-year
// evaluation ("first_year_evaluation").
type Evaluation struct {
	Kind                                string
	Date                                time.Time
	Summary, EmployerView, EmployeeView string
}

// Renderer renders documents. It is safe for concurrent use; construct it
// once.
//
// Text never makes a document fail: whatever the embedded fonts cannot
// draw is replaced visibly (see glyphs.clean). A renderer's error is
// rare (a fault of gofpdf or of this package) and never carries any of
// the text: it names the document only, because gofpdf's own errors and
// panics may quote the text being drawn, and the callers log errors.
type Renderer struct {
	regular, bold []byte
	glyphs        *glyphs
	// output wraps the writer a document is written to; nil in
	// production. Tests use it to make rendering fail.
	output func(io.Writer) io.Writer
}

// NewRenderer returns a Renderer with the embedded fonts. It fails only
// when they are missing or do not parse.
func NewRenderer() (*Renderer, error) {
	if len(goregular.TTF) == 0 || len(gobold.TTF) == 0 {
		return nil, fmt.Errorf("pdf: embedded fonts missing")
	}
	g, err := newGlyphs(goregular.TTF, gobold.TTF)
	if err != nil {
		return nil, err
	}
	return &Renderer{regular: goregular.TTF, bold: gobold.TTF, glyphs: g}, nil
}

// failed is the error of a document that could not be rendered: the
// document's name, nothing of its text.
func failed(what, how string) error {
	return fmt.Errorf("pdf: %s: %s", what, how)
}

// contain turns a panic while rendering into the error of the document
// what; each renderer defers it. The panic's value is dropped: gofpdf's
// may quote the text (an index out of range names the character).
func contain(what string, b *[]byte, err *error) {
	if v := recover(); v != nil {
		*b, *err = nil, failed(what, "rendering panicked")
	}
}

var months = [...]string{"januari", "februari", "maart", "april", "mei", "juni", "juli",
	"augustus", "september", "oktober", "november", "december"}

// dutchDate writes t as "2 januari 2026"; "" for the zero time.
func dutchDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d %s %d", t.Day(), months[t.Month()-1], t.Year())
}

const (
	font         = "Go"
	marginTop    = 20.0
	marginLeft   = 20.0
	marginRight  = 20.0
	bottomMargin = 22.0 // where gofpdf breaks the page
	lineHeight   = 5.5
)

// doc wraps a gofpdf document with the house style. It offers gofpdf's
// layout calls as they are and its text calls only through the cleaning
// methods of text.go (cell, multiCell, lines), so no text reaches gofpdf
// uncleaned.
type doc struct {
	layout
	raw    rawText // only text.go uses it
	glyphs *glyphs
	output func(io.Writer) io.Writer
	width  float64 // usable width
}

// layout is what of gofpdf a document uses besides text.
type layout interface {
	SetFont(familyStr, styleStr string, size float64)
	SetTextColor(r, g, b int)
	SetDrawColor(r, g, b int)
	SetFillColor(r, g, b int)
	SetHeaderFunc(fnc func())
	AddPage()
	PageNo() int
	Ln(h float64)
	GetX() float64
	GetY() float64
	SetXY(x, y float64)
	SetY(y float64)
	GetPageSize() (width, height float64)
	Rect(x, y, w, h float64, styleStr string)
	Output(w io.Writer) error
}

func (r *Renderer) newDoc(title string, generated time.Time) *doc {
	return r.newDocWithFooter(title, generated, "Vertrouwelijk — bevat geen medische gegevens")
}

// newDocWithFooter starts a document whose every page ends with footer,
// the page number of the total, and the date it was made.
func (r *Renderer) newDocWithFooter(title string, generated time.Time, footer string) *doc {
	f := gofpdf.New("P", "mm", "A4", "")
	// Each document gets its own copy of the fonts: gofpdf writes into the
	// bytes it is given (it pads the tables it cuts by appending to them),
	// and documents rendered at once must not share what they write.
	f.AddUTF8FontFromBytes(font, "", bytes.Clone(r.regular))
	f.AddUTF8FontFromBytes(font, "B", bytes.Clone(r.bold))
	f.SetMargins(marginLeft, marginTop, marginRight)
	f.SetAutoPageBreak(true, bottomMargin)
	f.SetTitle(r.glyphs.clean(title), true)
	f.SetCreator("Arbokluis", true)
	f.SetProducer("Arbokluis", true)
	f.SetCreationDate(generated.UTC())
	f.SetModificationDate(generated.UTC())
	f.SetCatalogSort(true)
	f.AliasNbPages("{nb}")
	w, _ := f.GetPageSize()
	d := &doc{layout: f, raw: f, glyphs: r.glyphs, output: r.output, width: w - marginLeft - marginRight}
	f.SetFooterFunc(func() {
		d.SetY(-15)
		d.SetFont(font, "", 8)
		d.SetTextColor(90, 90, 90)
		d.cell(0, 5, fmt.Sprintf("%s · pagina %d van {nb} · gemaakt op %s",
			footer, d.PageNo(), dutchDate(generated)), "", 0, "C", false)
	})
	return d
}

// title starts the page with the document's title and a grey subtitle.
func (d *doc) title(s, sub string) {
	d.SetFont(font, "B", 18)
	d.multiCell(0, 9, s)
	d.SetFont(font, "", 11)
	d.SetTextColor(90, 90, 90)
	d.multiCell(0, 6, sub)
	d.SetTextColor(0, 0, 0)
	d.Ln(4)
}

// bytes renders the document; what names it in an error, which says no
// more (see Renderer).
func (d *doc) bytes(what string) ([]byte, error) {
	var buf bytes.Buffer
	var w io.Writer = &buf
	if d.output != nil {
		w = d.output(w)
	}
	if err := d.Output(w); err != nil {
		return nil, failed(what, "rendering failed")
	}
	return buf.Bytes(), nil
}

func (d *doc) heading(s string) {
	d.Ln(3)
	d.SetFont(font, "B", 12)
	d.SetTextColor(20, 60, 90)
	d.multiCell(0, 7, s)
	d.SetTextColor(0, 0, 0)
	d.SetFont(font, "", 10)
}

// para writes s as a paragraph; "—" when it shows nothing.
func (d *doc) para(s string) {
	d.SetFont(font, "", 10)
	if s = d.glyphs.clean(s); strings.TrimSpace(s) == "" {
		s = "—"
	}
	d.multiCell(0, lineHeight, s)
}

// label writes s as a bold line, the caption of the paragraph after it.
func (d *doc) label(s string) {
	d.SetFont(font, "B", 10)
	d.multiCell(0, lineHeight, s)
}

// field writes a label and value on one line (wrapping the value).
func (d *doc) field(label, value string) {
	d.SetFont(font, "B", 10)
	d.cell(45, lineHeight, label, "", 0, "L", false)
	d.SetFont(font, "", 10)
	d.multiCell(0, lineHeight, value)
}

// table writes rows with wrapped cells. A row that fits on a page is never
// split: it goes to the next page when this one is full. A row taller than
// a page (a very long text) continues over as many pages as it needs.
func (d *doc) table(widths []float64, header []string, rows [][]string) {
	const lh = 4.8 // line height
	_, pageH := d.GetPageSize()
	bottom := pageH - bottomMargin - 3
	// perPage is how many lines of a row fit on a new page, below the top
	// margin and room for a page header.
	perPage := int((bottom - marginTop - 10 - 2) / lh)
	draw := func(cells []string, bold bool) {
		style := ""
		if bold {
			style = "B"
		}
		d.SetFont(font, style, 9)
		lines := make([][]string, len(cells))
		n := 1
		for i, c := range cells {
			lines[i] = d.lines(c, widths[i]-2)
			n = max(n, len(lines[i]))
		}
		fresh := false // a page was just added for this row
		for from := 0; from < n; {
			k := min(n-from, int((bottom-d.GetY()-2)/lh))
			if !fresh && (k < 1 || k < n-from && n-from <= perPage) {
				d.AddPage()
				fresh = true
				continue
			}
			k = max(k, 1)
			h := float64(k)*lh + 2
			x, y := float64(marginLeft), d.GetY()
			for i := range cells {
				if bold {
					d.SetFillColor(230, 236, 242)
					d.Rect(x, y, widths[i], h, "FD")
				} else {
					d.Rect(x, y, widths[i], h, "D")
				}
				for j := from; j < from+k && j < len(lines[i]); j++ {
					d.SetXY(x+1, y+1+float64(j-from)*lh)
					d.cell(widths[i]-2, lh, lines[i][j], "", 0, "L", false)
				}
				x += widths[i]
			}
			d.SetXY(marginLeft, y+h)
			from += k
			fresh = false
		}
	}
	d.SetDrawColor(160, 160, 160)
	draw(header, true)
	for _, r := range rows {
		draw(r, false)
	}
	d.Ln(2)
}

func signed(t time.Time) string {
	if t.IsZero() {
		return "nog niet getekend"
	}
	return "getekend op " + dutchDate(t)
}

// renderPlanOfAction renders the employer's copy of p. It never fails on text
// (see Renderer); its rare error names the document and carries none of
// the text.
func (r *Renderer) renderPlanOfAction(p PlanOfAction) (b []byte, err error) {
	defer contain("plan of action", &b, &err)
	d := r.newDoc("Plan van aanpak", p.GeneratedAt)
	d.AddPage()
	d.title("Plan van aanpak", "Exemplaar voor de werkgever · Wet verbetering poortwachter")

	d.field("Arbodienst", p.ServiceName)
	d.field("Werkgever", p.EmployerName)
	d.field("Werknemer", p.EmployeeName)
	d.field("Personeelsnummer", p.EmployeeNumber)
	d.field("Eerste ziektedag", dutchDate(p.FirstSickDay))
	d.field("Versie", fmt.Sprintf("%d", p.Version))

	d.heading("Doelen")
	d.para(p.Goals)

	d.heading("Afgesproken activiteiten")
	rows := make([][]string, 0, len(p.Activities))
	for _, a := range p.Activities {
		rows = append(rows, []string{a.Description, a.Who, dutchDate(a.ByWhen)})
	}
	d.table([]float64{d.width * 0.55, d.width * 0.25, d.width * 0.20}, []string{"Activiteit", "Wie", "Uiterlijk"}, rows)

	d.heading("Visie van de werkgever op re-integratie")
	d.para(p.EmployerView)
	d.heading("Visie van de werknemer op re-integratie")
	d.para(p.EmployeeView)

	d.heading("Ondertekening")
	d.field("Werkgever", signed(p.EmployerSignedOn))
	d.field("Werknemer", signed(p.EmployeeSignedOn))

	if len(p.Evaluations) > 0 {
		d.heading("Evaluaties")
		for _, e := range p.Evaluations {
			label := "Evaluatie"
			if e.Kind == "first_year_evaluation" {
				label = "Eerstejaarsevaluatie"
			}
			d.label(label + " van " + dutchDate(e.Date))
			d.para(e.Summary)
			d.field("Visie werkgever", e.EmployerView)
			d.field("Visie werknemer", e.EmployeeView)
			d.Ln(2)
		}
	}

	return d.bytes("plan of action")
}
