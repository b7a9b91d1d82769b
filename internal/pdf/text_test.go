package pdf_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/arbokluis/arbokluis/internal/pdf"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// document is one renderer of the package, driven with one string in
// every text field.
type document struct {
	name   string
	render func(text string) ([]byte, error)
}

// documents returns every renderer *pdf.Renderer exposes — every method
// of the form func(T) ([]byte, error) — each rendering a T whose every
// string field, also in the elements of its slices (two of each), is
// the text given. A renderer added to the package is driven here without
// a change to the tests.
func documents(t testing.TB, r *pdf.Renderer) []document {
	t.Helper()
	rv := reflect.ValueOf(r)
	bytesOut := reflect.TypeOf([]byte(nil))
	errOut := reflect.TypeOf((*error)(nil)).Elem()
	var docs []document
	for i := range rv.NumMethod() {
		name, m := rv.Type().Method(i).Name, rv.Method(i)
		mt := m.Type()
		if mt.NumIn() != 1 || mt.In(0).Kind() != reflect.Struct || mt.NumOut() != 2 || mt.Out(0) != bytesOut || mt.Out(1) != errOut {
			continue
		}
		in := mt.In(0)
		docs = append(docs, document{name: name, render: func(text string) ([]byte, error) {
			v := reflect.New(in).Elem()
			fill(v, text)
			out := m.Call([]reflect.Value{v})
			err, _ := out[1].Interface().(error)
			return out[0].Bytes(), err
		}})
	}
	names := make([]string, 0, len(docs))
	for _, d := range docs {
		names = append(names, d.name)
	}
	for _, want := range []string{"ActivationLetter", "ConsentForm", "DestructionStatement", "DisclosureExport", "DossierCopy", "PlanOfAction", "TransferSummary", "RenderConsentForm", "RenderDisclosure", "RenderDossierCopy", "RenderPlanOfAction", "RenderTransferSummary", "RenderDestructionStatement", "RenderActivationLetter"} {
		if !slices.Contains(names, want) {
			t.Fatalf("documents found renderers %v, lacking %s", names, want)
		}
	}
	return docs
}

// fill sets every exported string in v to s, with two elements in every
// slice, and a date in every time.
func fill(v reflect.Value, s string) {
	switch {
	case v.Type() == reflect.TypeOf(time.Time{}):
		v.Set(reflect.ValueOf(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)))
	case v.Kind() == reflect.String:
		v.SetString(s)
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), s)
			}
		}
	case v.Kind() == reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), s)
		}
	}
}

// pages returns the number of pages a document's footer names ("pagina 1
// van N").
func pages(t *testing.T, text string) int {
	t.Helper()
	m := regexp.MustCompile(`pagina 1 van (\d+)`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no page count in the text:\n%.2000s", text)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// jsonString decodes a JSON string literal, as a request body arrives.
func jsonString(t *testing.T, lit string) string {
	t.Helper()
	var s string
	if err := json.Unmarshal([]byte(lit), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// longWord is 10,000 characters without a space (ж appears in no label).
var longWord = strings.Repeat("ж", 10_000)

// TestEveryDocumentDrawsAnyText: every renderer renders text the embedded
// font cannot draw — in every text field at once — without an error, into
// a PDF that parses, with what the font lacks replaced visibly (U+FFFD)
// and what it has kept; a 10,000-character word fills its pages instead
// of spilling a line a page.
func TestEveryDocumentDrawsAnyText(t *testing.T) {
	r, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, text string
		want       []string // in the extracted text
	}{
		{"Dutch text the font has", "Bouwbedrijf Ĳsselmeer — Gérard Özdemir, € 12", []string{"Bouwbedrijf Ĳsselmeer — Gérard Özdemir, € 12"}},
		{"an emoji", "Ik voel me 😀 goed", []string{"Ik voel me \uFFFD goed"}},
		{"an emoji sequence with joiners and a variation selector", "gezin 👨‍👩‍👧 vlag 🏳️‍🌈 einde", []string{"gezin \uFFFD\uFFFD\uFFFD vlag \uFFFD\uFFFD einde"}},
		{"U+10FFFF", "vóór\U0010FFFFna", []string{"vóór\uFFFDna"}},
		{"U+FFFD, a lone surrogate's replacement", jsonString(t, `"los \ud800 surrogaat"`), []string{"los \uFFFD surrogaat"}},
		{"bytes that are not UTF-8", "a\xffb\xed\xa0\x80c", []string{"a\uFFFDb\uFFFD\uFFFD\uFFFDc"}},
		{"Hebrew, right to left", "שלום עולם", []string{"\uFFFD\uFFFD\uFFFD\uFFFD \uFFFD\uFFFD\uFFFD\uFFFD"}},
		{"Arabic, right to left, with direction overrides", "naam: \u202Eمرحبا\u202C einde", []string{"naam: \uFFFD\uFFFD\uFFFD\uFFFD\uFFFD einde"}},
		{"combining marks", "Cafe\u0301 en Z\u0351\u036B\u0343", []string{"Café en Z\uFFFD\uFFFD\uFFFD"}},
		{"control characters", "a\x00b\x07c\x1bd\x7fe\u009bf", []string{"a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf"}},
		{"tabs and CR LF", "regel één\r\nregel\ttwee", []string{"regel één", "regel twee"}},
		{"10,000 characters without a space", longWord, []string{"жжжжжжжжжж"}},
	} {
		for _, d := range documents(t, r) {
			t.Run(tc.name+"/"+d.name, func(t *testing.T) {
				b, err := d.render(tc.text)
				if err != nil {
					t.Fatalf("%s(%s in every text field) = error %q, want a PDF", d.name, tc.name, err)
				}
				got := testenv.PDFText(t, b)
				for _, want := range tc.want {
					if !strings.Contains(got, want) {
						t.Errorf("%s(%s in every text field): text lacks %q; got:\n%.3000s", d.name, tc.name, want, got)
					}
				}
				if tc.text == longWord {
					// No line lost, and no row spilling over a page per line:
					// a page holds well over a thousand of them.
					n, p := strings.Count(got, "ж"), pages(t, got)
					if n == 0 || n%len([]rune(longWord)) != 0 || n/p < 1000 {
						t.Errorf("%s(%s in every text field): %d ж on %d pages; want whole words, over 1000 a page", d.name, tc.name, n, p)
					}
				}
			})
		}
	}
}

// TestTableRowLongerThanAPageContinuesOnTheNext: a table cell with a
// 10,000-character word continues over the few pages it needs, every
// character on a page, instead of drawing each line past the page's end.
func TestTableRowLongerThanAPageContinuesOnTheNext(t *testing.T) {
	r, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.RenderPlanOfAction(pdf.PlanOfAction{EmployeeName: "Gérard Özdemir", Version: 1, GeneratedAt: time.Unix(0, 0).UTC(),
		Activities: []pdf.Activity{{Description: "Eerst", Who: "Werkgever"}, {Description: longWord, Who: "Werknemer"}, {Description: "Daarna", Who: "Werkgever"}}})
	if err != nil {
		t.Fatalf("PlanOfAction(an activity of 10,000 characters without a space) = error %q", err)
	}
	got := testenv.PDFText(t, b)
	if n, p := strings.Count(got, "ж"), pages(t, got); n != 10_000 || p > 8 {
		t.Errorf("PlanOfAction(an activity of 10,000 characters without a space): %d ж on %d pages; want 10000 on at most 8", n, p)
	}
	for _, want := range []string{"Eerst", "Daarna", "Visie van de werknemer op re-integratie"} {
		if !strings.Contains(got, want) {
			t.Errorf("PlanOfAction(an activity of 10,000 characters without a space): text lacks %q", want)
		}
	}
}

// failingWriter fails every write with an error that quotes the text, as
// a lower layer that includes its input in its errors would.
type failingWriter struct{ quote string }

func (w failingWriter) Write([]byte) (int, error) {
	return 0, errors.New("write failed near " + w.quote)
}

// panickingWriter panics on every write with a value that quotes the text.
type panickingWriter struct{ quote string }

func (w panickingWriter) Write([]byte) (int, error) {
	panic("write panicked near " + w.quote)
}

// TestRenderErrorsCarryNoText: with a canary and an emoji in every text
// field, every renderer succeeds; and when the last step of rendering is
// made to fail or to panic with an error that quotes the text, the
// renderer returns an error that names the document and carries none of
// the text, and does not panic. The callers log these errors.
func TestRenderErrorsCarryNoText(t *testing.T) {
	r, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	const canary, emoji = "kanarie-7f3a-medisch", "😀"
	for _, tc := range []struct {
		name, text string
		wrap       func(io.Writer) io.Writer
		wantErr    bool
	}{
		{"an emoji, no failure", canary + " " + emoji, nil, false},
		{"a writer that fails quoting the text", canary + " Gérard",
			func(io.Writer) io.Writer { return failingWriter{canary + " Gérard"} }, true},
		{"a writer that panics quoting the text", canary + " Gérard",
			func(io.Writer) io.Writer { return panickingWriter{canary + " Gérard"} }, true},
		{"an emoji and a writer that fails quoting the text", canary + " " + emoji,
			func(io.Writer) io.Writer { return failingWriter{canary + " " + emoji} }, true},
	} {
		for _, d := range documents(t, pdf.WithOutput(r, tc.wrap)) {
			t.Run(tc.name+"/"+d.name, func(t *testing.T) {
				var b []byte
				var err error
				func() {
					defer func() {
						if v := recover(); v != nil {
							t.Fatalf("%s(%q, %s) panicked: %v", d.name, tc.text, tc.name, v)
						}
					}()
					b, err = d.render(tc.text)
				}()
				if (err != nil) != tc.wantErr || (err != nil) != (b == nil) {
					t.Errorf("%s(%q, %s) = %d bytes, error %v; want an error: %v, and bytes only without", d.name, tc.text, tc.name, len(b), err, tc.wantErr)
				}
				if err != nil && (strings.Contains(err.Error(), "kanarie") || strings.Contains(err.Error(), emoji)) {
					t.Errorf("%s(%q, %s): error %q quotes the text", d.name, tc.text, tc.name, err)
				}
			})
		}
	}
}

// FuzzEveryDocument drives the renderers with an arbitrary string in
// every text field, one renderer (chosen by the first argument) an input
// to keep the fuzzer fast: none may fail or panic, and each returns a
// whole PDF. The seeds, every renderer with every seed text, run as part
// of the ordinary tests.
func FuzzEveryDocument(f *testing.F) {
	r, err := pdf.NewRenderer()
	if err != nil {
		f.Fatal(err)
	}
	docs := documents(f, r)
	for _, s := range []string{"", "Gérard Özdemir", "😀", "\U0010FFFF", "\uFFFD", "a\xffb\xed\xa0\x80", "שלום", "مرحبا \u202E",
		"e\u0301\u0351\u036B", "\x00\x07\x1b\x7f\u009b", "\r\n\t\v\f\u0085\u2028\u2029", "\u200B\u200D\uFE0F\uFEFF",
		// Long inputs slow every later mutation down; the fixed table has
		// the 10,000-character word.
		strings.Repeat("ж", 400), strings.Repeat("😀", 200), strings.Repeat("a\u0301", 100), strings.Repeat("\n", 100), strings.Repeat(" ", 300)} {
		for i := range docs {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, s string) {
		d := docs[int(which)%len(docs)]
		b, err := d.render(s)
		if err != nil {
			t.Fatalf("%s(%+q in every text field) = error %v", d.name, s, err)
		}
		if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.HasSuffix(bytes.TrimSpace(b), []byte("%%EOF")) {
			t.Fatalf("%s(%+q in every text field) returned %d bytes that are not a whole PDF", d.name, s, len(b))
		}
	})
}
