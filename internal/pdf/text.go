package pdf

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"
)

// This file is the one place where text reaches gofpdf. Every string a
// document shows passes through glyphs.clean first, so gofpdf only ever
// sees characters the embedded fonts can draw: an emoji, a character
// outside the Basic Multilingual Plane or a script the fonts lack makes
// gofpdf fail ("character outside the supported range", quoting the
// character) or panic (SplitText indexes its width table with the rune),
// and a character the font has no glyph for would silently vanish from
// the page.

// glyphs knows which characters the embedded fonts can draw, and makes any
// text drawable with them.
type glyphs struct {
	// drawable has bit r set when every embedded font maps rune r to a
	// glyph. gofpdf reads only a font's BMP character map and keeps widths
	// for U+0000–U+FFFF, so nothing above is drawable.
	drawable [0x10000 / 64]uint64
	// replacement stands for what cannot be drawn: U+FFFD when the fonts
	// have it, else '?'.
	replacement rune
}

// newGlyphs reads the character maps of the TrueType fonts and returns the
// characters all of them can draw. It fails only when a font does not
// parse or has neither U+FFFD nor '?'.
func newGlyphs(fonts ...[]byte) (*glyphs, error) {
	g := &glyphs{}
	for i := range g.drawable {
		g.drawable[i] = ^uint64(0)
	}
	var buf sfnt.Buffer
	for i, ttf := range fonts {
		f, err := sfnt.Parse(ttf)
		if err != nil {
			return nil, fmt.Errorf("pdf: embedded font %d: %w", i, err)
		}
		for r := rune(0); r < 0x10000; r++ {
			if x, err := f.GlyphIndex(&buf, r); err != nil || x == 0 {
				g.drawable[r/64] &^= 1 << (r % 64)
			}
		}
	}
	// Never drawn as glyphs, whatever a font maps them to: control
	// characters (fonts map some to empty glyphs; gofpdf skips U+0000),
	// surrogate code points, which no valid UTF-8 holds, and U+FFFF, which
	// gofpdf uses as a marker.
	for r := rune(0); r < 0x10000; r++ {
		if unicode.IsControl(r) || unicode.Is(unicode.Cs, r) || r == 0xFFFF {
			g.drawable[r/64] &^= 1 << (r % 64)
		}
	}
	switch {
	case g.has(utf8.RuneError):
		g.replacement = utf8.RuneError
	case g.has('?'):
		g.replacement = '?'
	default:
		return nil, fmt.Errorf("pdf: the embedded fonts draw neither U+FFFD nor '?'")
	}
	return g, nil
}

// has reports whether every embedded font draws r.
func (g *glyphs) has(r rune) bool {
	return r >= 0 && r < 0x10000 && g.drawable[r/64]&(1<<(r%64)) != 0
}

// clean returns s as the fonts can draw it, every character kept that they
// can:
//   - bytes that are not UTF-8 become the replacement character, each;
//   - s is put in Unicode normalization form C, so that a letter followed
//     by a combining mark becomes the precomposed letter the font has
//     (e + U+0301 is é); a mark left over becomes the replacement;
//   - CR LF, CR and the other mandatory line breaks of UAX #14 (VT, FF,
//     NEL, U+2028, U+2029) become LF, which paragraphs honour; a tab and
//     any other space separator become a space;
//   - default-ignorable code points (zero-width spaces and joiners,
//     direction marks and overrides, variation selectors, a byte-order
//     mark, …) the fonts lack are dropped: Unicode has them rendered
//     invisibly when unsupported, and the documents lay text out left to
//     right without a bidirectional algorithm anyway;
//   - everything else the fonts cannot draw — emoji, anything beyond
//     U+FFFF, scripts the fonts lack such as Hebrew and Arabic, control
//     characters — becomes the replacement character, one for each, so
//     that a reader sees something was there.
//
// clean never fails; clean(clean(s)) == clean(s), and text the fonts draw
// already (in form C, without CR, tabs or other spaces) is returned as it
// is.
func (g *glyphs) clean(s string) string {
	if g.drawn(s) {
		return s
	}
	var valid strings.Builder
	valid.Grow(len(s))
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				valid.WriteRune(g.replacement)
				continue
			}
		}
		valid.WriteRune(r)
	}
	nfc := norm.NFC.String(valid.String())
	var out strings.Builder
	out.Grow(len(nfc))
	for i := 0; i < len(nfc); {
		r, size := utf8.DecodeRuneInString(nfc[i:])
		i += size
		switch {
		case r == '\r':
			if i < len(nfc) && nfc[i] == '\n' {
				i++
			}
			out.WriteByte('\n')
		case r == '\n' || r == '\v' || r == '\f' || r == 0x85 || r == 0x2028 || r == 0x2029:
			out.WriteByte('\n')
		case g.has(r):
			out.WriteRune(r)
		case r == '\t' || unicode.Is(unicode.Zs, r):
			out.WriteByte(' ')
		case ignorable(r):
			// dropped: nothing to see
		default:
			out.WriteRune(g.replacement)
		}
	}
	return out.String()
}

// drawn reports whether s is already as clean returns it: valid UTF-8 in
// form C of characters the fonts draw and LF.
func (g *glyphs) drawn(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r != '\n' && !g.has(r) {
			return false
		}
	}
	return norm.NFC.IsNormalString(s)
}

// ignorable reports whether r is a Default_Ignorable_Code_Point of Unicode
// (DerivedCoreProperties.txt: Other_Default_Ignorable_Code_Point + Cf +
// Variation_Selector − White_Space − U+FFF9..U+FFFB − U+13430..U+1343F −
// Prepended_Concatenation_Mark).
func ignorable(r rune) bool {
	if !unicode.In(r, unicode.Other_Default_Ignorable_Code_Point, unicode.Cf, unicode.Variation_Selector) {
		return false
	}
	return !unicode.In(r, unicode.White_Space, unicode.Prepended_Concatenation_Mark) &&
		(r < 0xFFF9 || r > 0xFFFB) && (r < 0x13430 || r > 0x1343F)
}

// cell writes one line of text, cleaned, in a cell of width w (0: to the
// right margin) and height h; ln, border, align and fill as in gofpdf's
// CellFormat. The text is not wrapped: callers pass a line of lines.
func (d *doc) cell(w, h float64, s, border string, ln int, align string, fill bool) {
	d.raw.CellFormat(w, h, d.glyphs.clean(s), border, ln, align, fill, 0, "")
}

// multiCell writes s, cleaned, left aligned and wrapped to width w (0: to
// the right margin), lines h high, breaking pages as needed. A word wider
// than the line is broken between characters.
func (d *doc) multiCell(w, h float64, s string) {
	d.raw.MultiCell(w, h, d.glyphs.clean(s), "", "L", false)
}

// lines returns s, cleaned, wrapped to lines of width w in the current
// font; a word wider than w is broken between characters. An empty s is
// one empty line.
func (d *doc) lines(s string, w float64) []string {
	l := d.raw.SplitText(d.glyphs.clean(s), w)
	if len(l) == 0 {
		return []string{""}
	}
	return l
}

// rawText is gofpdf's text drawing. Only the methods above call it.
type rawText interface {
	CellFormat(w, h float64, txtStr, borderStr string, ln int, alignStr string, fill bool, link int, linkStr string)
	MultiCell(w, h float64, txtStr, borderStr, alignStr string, fill bool)
	SplitText(txt string, w float64) []string
}
