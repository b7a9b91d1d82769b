package pdf

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/arbokluis/arbokluis/internal/testenv"
)

func newTestGlyphs(t testing.TB) *glyphs {
	t.Helper()
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	return r.glyphs
}

func TestCleanReplacesWhatTheFontsCannotDraw(t *testing.T) {
	g := newTestGlyphs(t)
	if g.replacement != '\uFFFD' {
		t.Fatalf("replacement = %U, want U+FFFD (the Go fonts have it)", g.replacement)
	}
	for _, tc := range []struct{ name, in, want string }{
		{"Dutch text the font has", "Ĳsselmeer — Gérard Özdemir, € 12,50 · “citaat”", "Ĳsselmeer — Gérard Özdemir, € 12,50 · “citaat”"},
		{"empty", "", ""},
		{"an emoji", "a😀b", "a\uFFFDb"},
		{"an emoji sequence", "👨‍👩‍👧", "\uFFFD\uFFFD\uFFFD"},
		{"an emoji with a variation selector", "❤️", "\uFFFD"},
		{"U+10FFFF", "\U0010FFFF", "\uFFFD"},
		{"U+FFFD", "\uFFFD", "\uFFFD"},
		{"a byte that is not UTF-8", "a\xffb", "a\uFFFDb"},
		{"an encoded surrogate", "a\xed\xa0\x80b", "a\uFFFD\uFFFD\uFFFDb"},
		{"a truncated sequence", "a\xe2\x82", "a\uFFFD\uFFFD"},
		{"Hebrew", "שלום", "\uFFFD\uFFFD\uFFFD\uFFFD"},
		{"Arabic with a right-to-left override", "\u202Eمرحبا\u202C", "\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD"},
		{"direction marks and isolates", "a\u200Eb\u200Fc\u2067d\u2069", "abcd"},
		{"a combining mark that composes", "Cafe\u0301", "Café"},
		{"combining marks that do not", "Z\u0351\u036B", "Z\uFFFD\uFFFD"},
		{"a decomposed letter with two marks", "a\u0308\u0301", "ä\uFFFD"},
		{"the ohm sign, canonically Omega", "\u2126", "Ω"},
		{"zero-width characters and a byte-order mark", "\uFEFFa\u200Bb\u200Dc\u2060d", "abcd"},
		{"control characters", "a\x00b\x07c\x1bd\x7fe\u009bf", "a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf"},
		{"line breaks", "a\r\nb\rc\nd\ve\ff\u0085g\u2028h\u2029i", "a\nb\nc\nd\ne\nf\ng\nh\ni"},
		{"tabs and other spaces", "a\tb\u2003c\u3000d\u00A0e", "a b c d\u00A0e"},
		{"a soft hyphen the font has", "zieken\u00ADhuis", "zieken\u00ADhuis"},
		{"CJK", "日本", "\uFFFD\uFFFD"},
		{"a private-use character beyond the BMP", "\U000F0000", "\uFFFD"},
	} {
		if got := g.clean(tc.in); got != tc.want {
			t.Errorf("clean(%s: %+q) = %+q, want %+q", tc.name, tc.in, got, tc.want)
		}
	}
}

// TestEveryDrawableCharacterComesOutOfThePDF: the characters clean keeps
// are the ones gofpdf draws with the embedded fonts: a document with
// every one of them renders, and the text extracted from it holds each.
func TestEveryDrawableCharacterComesOutOfThePDF(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	var all []rune
	for c := rune(0); c < 0x10000; c++ {
		// clean puts text in form C, so characters that form maps to others
		// (the ohm sign to Omega) never reach gofpdf.
		if r.glyphs.has(c) && norm.NFC.String(string(c)) == string(c) {
			all = append(all, c)
		}
	}
	if len(all) < 500 {
		t.Fatalf("the embedded fonts draw %d characters, want the Go fonts' hundreds", len(all))
	}
	d := r.newDoc("Tekens", time.Unix(0, 0).UTC())
	d.AddPage()
	var text strings.Builder
	for _, c := range all {
		text.WriteString("[" + string(c) + "] ")
	}
	d.para(text.String())
	b, err := d.bytes("characters")
	if err != nil {
		t.Fatalf("render every drawable character: %v", err)
	}
	got := testenv.PDFText(t, b)
	for _, c := range all {
		// pdftotext turns spaces and ligatures into their plain forms.
		if c == ' ' || c == '\u00A0' || c == '\uFB01' || c == '\uFB02' || c == '\u00AD' {
			continue
		}
		if !strings.Contains(got, "["+string(c)+"]") {
			t.Errorf("the text of a document with every drawable character lacks %U %q", c, c)
		}
	}
}

// FuzzClean: whatever the input, clean returns valid UTF-8 in form C of
// characters the fonts draw and line feeds; cleaning again changes
// nothing; and text of such characters is kept as it is.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"", "Gérard", "😀", "a\xff", "\xed\xa0\x80", "e\u0301", "\u0301", "a\u0308\u0301", "שלום\u202E",
		"\r\n\r", "\t\u3000", "\u200D\uFE0F", "\u1100\u1161\u11A8", "\u0e40\u0e01", strings.Repeat("\u0301", 100)} {
		f.Add(s)
	}
	g := newTestGlyphs(f)
	f.Fuzz(func(t *testing.T, s string) {
		got := g.clean(s)
		if !utf8.ValidString(got) || !norm.NFC.IsNormalString(got) {
			t.Fatalf("clean(%+q) = %+q: not valid UTF-8 in form C", s, got)
		}
		for _, c := range got {
			if c != '\n' && !g.has(c) {
				t.Fatalf("clean(%+q) = %+q keeps %U, which the fonts cannot draw", s, got, c)
			}
		}
		if again := g.clean(got); again != got {
			t.Fatalf("clean(clean(%+q)) = %+q, want %+q", s, again, got)
		}
		if g.drawn(s) && got != s {
			t.Fatalf("clean(%+q) = %+q, want the drawable text unchanged", s, got)
		}
	})
}
