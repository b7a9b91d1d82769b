package text

import (
	"fmt"
	"testing"
	"unicode/utf8"
)

func TestProblem(t *testing.T) {
	refusedAnywhere := []rune{0x00, 0x01, 0x07, 0x08, 0x0b, 0x0c, 0x1b, 0x1f, 0x7f, 0x80, 0x85, 0x9b, 0x9f,
		0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c}
	type tc struct {
		name string
		s    string
		k    Kind
		want string
	}
	tests := []tc{
		{"plain name", "Jan de Vries", Line, ""},
		{"accents and other scripts", "Zoë Çelik-Ünal 王 Ελένη", Line, ""},
		{"Arabic and Hebrew letters", "سارة אבי", Line, ""},
		{"emoji", "ok 👍", Line, ""},
		{"empty", "", Line, ""},
		{"zero-width joiner", "a\u200db", Line, ""},
		{"no-break space", "a\u00a0b", Line, ""},
		{"newline in a line", "Jan\nde Vries", Line, ReasonControl},
		{"tab in a line", "Jan\tde Vries", Line, ReasonControl},
		{"CRLF in a line", "Jan\r\nde Vries", Line, ReasonControl},
		{"newline in free text", "regel 1\nregel 2", Multiline, ""},
		{"tab in free text", "a\tb", Multiline, ""},
		{"CRLF in free text", "regel 1\r\nregel 2\r\n", Multiline, ""},
		{"lone CR in free text", "regel 1\rregel 2", Multiline, ReasonControl},
		{"CR at the end of free text", "regel 1\r", Multiline, ReasonControl},
		{"CR CR LF in free text", "a\r\r\nb", Multiline, ReasonControl},
		{"invalid UTF-8", "a\xffb", Line, ReasonUTF8},
		{"invalid UTF-8 in free text", "a\xc3", Multiline, ReasonUTF8},
		{"a surrogate encoded in UTF-8", "a\xed\xa0\x80b", Multiline, ReasonUTF8},
		{"U+00A0 just after C1", "\u00a0", Line, ""},
		{"U+2027 before the separators", "\u2027", Line, ""},
		{"U+202F after the overrides", "\u202f", Line, ""},
		{"U+2065 before the isolates", "\u2065", Line, ""},
		{"U+206A after the isolates", "\u206a", Line, ""},
	}
	for _, r := range refusedAnywhere {
		for _, k := range []Kind{Line, Multiline} {
			tests = append(tests, tc{fmt.Sprintf("%U in kind %d", r, k), "ab" + string(r) + "cd", k, ReasonControl})
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Problem(tt.s, tt.k); got != tt.want {
				t.Errorf("Problem(%+q, %v) = %q, want %q", tt.s, tt.k, got, tt.want)
			}
			if got := Valid(tt.s, tt.k); got != (tt.want == "") {
				t.Errorf("Valid(%+q, %v) = %v, want %v", tt.s, tt.k, got, tt.want == "")
			}
		})
	}
}

// FuzzProblem checks Problem against its definition on any input: it never
// panics, accepts only valid UTF-8, a Line it accepts holds no refused
// character, and a Multiline text it accepts holds none but newline, tab
// and CR directly before a newline; what a Line accepts, Multiline accepts.
func FuzzProblem(f *testing.F) {
	for _, s := range []string{"", "Jan", "a\nb", "a\r\nb", "a\rb", "\u202e", "\u2066x\u2069", "\xff", "\u0085", "x\u2028y", "\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line, multi := Problem(s, Line), Problem(s, Multiline)
		if !utf8.ValidString(s) {
			if line != ReasonUTF8 || multi != ReasonUTF8 {
				t.Fatalf("Problem(%+q) = %q, %q; want %q for both kinds", s, line, multi, ReasonUTF8)
			}
			return
		}
		if line == "" && multi != "" {
			t.Fatalf("Problem(%+q): Line accepts, Multiline says %q", s, multi)
		}
		runes := []rune(s)
		for i, r := range runes {
			if line == "" && refused(r) {
				t.Fatalf("Problem(%+q, Line) = \"\", but it holds %U", s, r)
			}
			allowed := r == '\n' || r == '\t' || r == '\r' && i+1 < len(runes) && runes[i+1] == '\n'
			if multi == "" && refused(r) && !allowed {
				t.Fatalf("Problem(%+q, Multiline) = \"\", but it holds %U", s, r)
			}
		}
		if multi != "" {
			found := false
			for i, r := range runes {
				allowed := r == '\n' || r == '\t' || r == '\r' && i+1 < len(runes) && runes[i+1] == '\n'
				found = found || refused(r) && !allowed
			}
			if !found {
				t.Fatalf("Problem(%+q, Multiline) = %q, but it holds no refused character", s, multi)
			}
		}
	})
}
