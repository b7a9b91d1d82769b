// Package pdf renders Arbokluis's documents with gofpdf: Dutch text in an
// embedded UTF-8 TrueType font (the Go fonts), rendered in memory on demand
// and never written to disk. Callers pass only what a document may show;
// nothing here decides what is medical.
package pdf

import (
	"bytes"
	"fmt"
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
type Renderer struct {
	regular, bold []byte
}

// NewRenderer returns a Renderer with the embedded fonts.
func NewRenderer() (*Renderer, error) {
	if len(goregular.TTF) == 0 || len(gobold.TTF) == 0 {
		return nil, fmt.Errorf("pdf: embedded fonts missing")
	}
	return &Renderer{regular: goregular.TTF, bold: gobold.TTF}, nil
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
	font        = "Go"
	marginLeft  = 20.0
	marginRight = 20.0
	lineHeight  = 5.5
)

// doc wraps a gofpdf document with the house style.
type doc struct {
	*gofpdf.Fpdf
	width float64 // usable width
}

func (r *Renderer) newDoc(title string, generated time.Time) *doc {
	return r.newDocWithFooter(title, generated, "Vertrouwelijk — bevat geen medische gegevens")
}

// newDocWithFooter starts a document whose every page ends with footer,
// the page number of the total, and the date it was made.
func (r *Renderer) newDocWithFooter(title string, generated time.Time, footer string) *doc {
	f := gofpdf.New("P", "mm", "A4", "")
	f.AddUTF8FontFromBytes(font, "", r.regular)
	f.AddUTF8FontFromBytes(font, "B", r.bold)
	f.SetMargins(marginLeft, 20, marginRight)
	f.SetAutoPageBreak(true, 22)
	f.SetTitle(title, true)
	f.SetCreator("Arbokluis", true)
	f.SetProducer("Arbokluis", true)
	f.SetCreationDate(generated.UTC())
	f.SetModificationDate(generated.UTC())
	f.SetCatalogSort(true)
	f.AliasNbPages("{nb}")
	f.SetFooterFunc(func() {
		f.SetY(-15)
		f.SetFont(font, "", 8)
		f.SetTextColor(90, 90, 90)
		f.CellFormat(0, 5, fmt.Sprintf("%s · pagina %d van {nb} · gemaakt op %s",
			footer, f.PageNo(), dutchDate(generated)), "", 0, "C", false, 0, "")
	})
	w, _ := f.GetPageSize()
	return &doc{Fpdf: f, width: w - marginLeft - marginRight}
}

// title starts the page with the document's title and a grey subtitle.
func (d *doc) title(s, sub string) {
	d.SetFont(font, "B", 18)
	d.MultiCell(0, 9, s, "", "L", false)
	d.SetFont(font, "", 11)
	d.SetTextColor(90, 90, 90)
	d.MultiCell(0, 6, sub, "", "L", false)
	d.SetTextColor(0, 0, 0)
	d.Ln(4)
}

// bytes renders the document; what names it in an error.
func (d *doc) bytes(what string) ([]byte, error) {
	var buf bytes.Buffer
	if err := d.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdf: %s: %w", what, err)
	}
	return buf.Bytes(), nil
}

func (d *doc) heading(s string) {
	d.Ln(3)
	d.SetFont(font, "B", 12)
	d.SetTextColor(20, 60, 90)
	d.MultiCell(0, 7, s, "", "L", false)
	d.SetTextColor(0, 0, 0)
	d.SetFont(font, "", 10)
}

func (d *doc) para(s string) {
	d.SetFont(font, "", 10)
	if strings.TrimSpace(s) == "" {
		s = "—"
	}
	d.MultiCell(0, lineHeight, s, "", "L", false)
}

// label writes s as a bold line, the caption of the paragraph after it.
func (d *doc) label(s string) {
	d.SetFont(font, "B", 10)
	d.MultiCell(0, lineHeight, s, "", "L", false)
}

// field writes a label and value on one line (wrapping the value).
func (d *doc) field(label, value string) {
	d.SetFont(font, "B", 10)
	d.CellFormat(45, lineHeight, label, "", 0, "L", false, 0, "")
	d.SetFont(font, "", 10)
	d.MultiCell(0, lineHeight, value, "", "L", false)
}

// table writes rows with wrapped cells, breaking pages between rows.
func (d *doc) table(widths []float64, header []string, rows [][]string) {
	draw := func(cells []string, bold bool) {
		style := ""
		if bold {
			style = "B"
		}
		d.SetFont(font, style, 9)
		lines := make([][]string, len(cells))
		n := 1
		for i, c := range cells {
			lines[i] = d.SplitText(c, widths[i]-2)
			if len(lines[i]) == 0 {
				lines[i] = []string{""}
			}
			if len(lines[i]) > n {
				n = len(lines[i])
			}
		}
		h := float64(n)*4.8 + 2
		_, pageH := d.GetPageSize()
		if d.GetY()+h > pageH-25 {
			d.AddPage()
		}
		x, y := d.GetX(), d.GetY()
		for i := range cells {
			if bold {
				d.SetFillColor(230, 236, 242)
				d.Rect(x, y, widths[i], h, "FD")
			} else {
				d.Rect(x, y, widths[i], h, "D")
			}
			for j, line := range lines[i] {
				d.SetXY(x+1, y+1+float64(j)*4.8)
				d.CellFormat(widths[i]-2, 4.8, line, "", 0, "L", false, 0, "")
			}
			x += widths[i]
		}
		d.SetXY(marginLeft, y+h)
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

// PlanOfAction renders the employer's copy of p. It returns an error only
// when rendering fails.
func (r *Renderer) PlanOfAction(p PlanOfAction) ([]byte, error) {
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
